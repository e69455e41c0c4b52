using System.Text;
using System.Text.RegularExpressions;

namespace Bihuan.Domain;

/// The one redaction every public surface goes through (results page, status page, Open311, the text a desk is
/// offered to publish): numbers that reach a person (phones in any written form, ID, bank-card, QQ), e-mail and
/// WeChat ids, licence plates, door numbers, and names — the submitter's own (whole, its parts, 张先生 forms) and
/// other people's found by a bundled surname list in context (邻居张美兰, 联系人：王小明, 上官女士).
///
/// Matching runs on a shadow of the text with full-width forms folded to half-width and Chinese digits to ASCII
/// (one char for one char, so every span found maps back onto the original), and the spans are replaced in the
/// original. Removed, not masked: half a phone number still points at a person. Measured by the corpus in
/// tests/Bihuan.Tests/Data/redaction-corpus.txt (recall and the false-redaction rate: Features/Demands/README.md).
public static partial class Redaction
{
    public const string NumberMark = "[号码已隐去]";
    public const string EmailMark = "[邮箱已隐去]";
    public const string PlateMark = "[车牌已隐去]";
    public const string DoorMark = "[门牌号已隐去]";
    public const string AccountMark = "[账号已隐去]";
    public const string NameMark = "某某";
    public const string SurnameMark = "某";

    enum Kind { Number, Email, Account, Plate, Door, Name, Surname }

    readonly record struct Span(int Start, int End, Kind Kind);

    /// The public form of a text: personal data removed. `names` are the submitters' stored names (any may be null).
    public static string Redact(string? text, params string?[] names)
    {
        if (string.IsNullOrEmpty(text)) return "";
        var shadow = Fold(text, digits: false);
        var numeric = Fold(text, digits: true);
        var spans = new List<Span>();
        Add(spans, Email(), shadow, Kind.Email);
        Add(spans, Account(), shadow, Kind.Account, group: "id");
        Add(spans, Mobile(), numeric, Kind.Number);
        Add(spans, Landline(), shadow, Kind.Number);
        Add(spans, CuedNumber(), shadow, Kind.Number, group: "n");
        Add(spans, LongNumber(), shadow, Kind.Number);
        ListedNumbers(spans, shadow);
        Add(spans, Plate(), shadow, Kind.Plate);
        Add(spans, DoorAfterPlace(), shadow, Kind.Door, group: "door");
        Add(spans, DoorStrong(), shadow, Kind.Door);
        Add(spans, DoorDashes(), shadow, Kind.Door);
        foreach (var n in names) SubmitterName(spans, shadow, n);
        OtherNames(spans, shadow);
        return Apply(text, spans);
    }

    // ---- folding ----

    /// Full-width ASCII (０-９, Ａ-Ｚ, ＠, －, （）…) to half-width, the ideographic space and zero-width characters to a
    /// space, dashes to '-', and (digits) 〇零一…九 幺 to 0-9 — always one character for one.
    static string Fold(string text, bool digits)
    {
        var sb = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            sb.Append(c switch
            {
                >= '\uFF01' and <= '\uFF5E' => (char)(c - 0xFEE0),
                '\u3000' or '\u00A0' or '\u200B' or '\u200C' or '\u200D' or '\uFEFF' or '\u2009' or '\u202F' => ' ',
                '\u2010' or '\u2011' or '\u2012' or '\u2013' or '\u2014' or '\u2015' or '\u2212' or '\uFE63' => '-',
                _ when digits && ChineseDigit(c) is { } d => d,
                _ => c,
            });
        }
        return sb.ToString();
    }

    static char? ChineseDigit(char c) => c switch
    {
        '〇' or '零' => '0', '一' or '幺' => '1', '二' => '2', '三' => '3', '四' => '4',
        '五' => '5', '六' => '6', '七' => '7', '八' => '8', '九' => '9', _ => null,
    };

    static void Add(List<Span> spans, Regex re, string s, Kind kind, string? group = null)
    {
        foreach (Match m in re.Matches(s))
        {
            var g = group is null ? m : m.Groups[group];
            if (g.Success && g.Length > 0) spans.Add(new(g.Index, g.Index + g.Length, kind));
        }
    }

    static string Apply(string text, List<Span> spans)
    {
        if (spans.Count == 0) return text;
        // Earlier start first; of two at one start the longer; overlapping spans merge into the first one's kind.
        spans.Sort((a, b) => a.Start != b.Start ? a.Start.CompareTo(b.Start) : b.End.CompareTo(a.End));
        var sb = new StringBuilder(text.Length);
        var pos = 0;
        var i = 0;
        while (i < spans.Count)
        {
            var cur = spans[i++];
            while (i < spans.Count && spans[i].Start < cur.End)
            {
                if (spans[i].End > cur.End)
                    cur = cur with { End = spans[i].End, Kind = Wider(cur.Kind, spans[i].Kind) };
                i++;
            }
            sb.Append(text, pos, cur.Start - pos).Append(Mark(cur.Kind));
            pos = cur.End;
        }
        return sb.Append(text, pos, text.Length - pos).ToString();
    }

    // A surname merged with more than itself is a whole name.
    static Kind Wider(Kind a, Kind b) => a == Kind.Surname ? (b == Kind.Surname ? a : b) : a;

    static string Mark(Kind k) => k switch
    {
        Kind.Number => NumberMark,
        Kind.Email => EmailMark,
        Kind.Account => AccountMark,
        Kind.Plate => PlateMark,
        Kind.Door => DoorMark,
        Kind.Name => NameMark,
        Kind.Surname => SurnameMark,
    };

    // ---- numbers, e-mail, accounts, plates ----

    [GeneratedRegex(@"[A-Za-z0-9._%+\-]+\s*(?:@|\(at\)|\[at\])\s*"
        + @"[A-Za-z0-9\-]+(?:\s*\.\s*[A-Za-z0-9\-]+)*\s*\.\s*[A-Za-z]{2,}", RegexOptions.IgnoreCase)]
    private static partial Regex Email();

    // QQ numbers and WeChat ids reach a person as surely as a phone.
    [GeneratedRegex(@"(?:QQ|扣扣)\s*(?:号码|号)?\s*[:是为]?\s*(?<id>\d(?:[\s\-]?\d){4,11})(?!\d)"
        + @"|微信\s*(?:号)?\s*[:是为]?\s*(?<id>[A-Za-z][A-Za-z0-9_\-]{5,19})", RegexOptions.IgnoreCase)]
    private static partial Regex Account();

    // Mobiles: an optional +86 / 0086 / 86 / (+86), then 1[3-9] and 9 digits, with spaces, dashes or dots between
    // any of them (139-1234-5678, 139 1234 5678, 1 3 9 …).
    [GeneratedRegex(@"(?<!\d)(?:(?:\(\s*)?(?:\+\s*|00\s*)?86(?:\s*\))?[\s\-.]{0,2})?"
        + @"1[\s\-.]{0,2}[3-9](?:[\s\-.]{0,2}\d){9}(?!\d)")]
    private static partial Regex Mobile();

    // Landlines: area code 0xx / 0xxx (in brackets or not, after an optional +86), 7 or 8 digits (optionally split
    // 4-4 or 3-4), an optional extension (转 / 分机 / ext / - ).
    [GeneratedRegex(@"(?:(?:\+|00)\s*86[\s\-]*(?:\(\s*0?\d{2,3}\s*\)|0?[1-9]\d{1,2})"
        + @"|\(\s*0\d{2,3}\s*\)|(?<!\d)0\d{2,3})"
        + @"[\s\-]{0,2}[2-9]\d{2,3}[\s\-]?\d{4}(?!\d)(?:\s*(?:转|分机|ext\.?|x|-)\s*\d{1,6})?", RegexOptions.IgnoreCase)]
    private static partial Regex Landline();

    // A 7- or 8-digit number right after a word that says it is a phone (座机 8765 4321); 12345 and other short
    // service numbers stay.
    [GeneratedRegex(@"(?:电话|座机|固话|手机|联系方式|号码|致电|拨打|打|tel|Tel|TEL|call)[^\d\n]{0,6}?"
        + @"(?<n>(?<!\d)\d(?:[\s\-]?\d){6,7}(?!\d)(?:\s*(?:转|分机)\s*\d{1,6})?)")]
    private static partial Regex CuedNumber();

    /// A local number listed after a phone (83451234 / 8345 1235, 或 83451236) is a phone too.
    static void ListedNumbers(List<Span> spans, string s)
    {
        var queue = new Queue<int>(spans.Where(x => x.Kind == Kind.Number).Select(x => x.End));
        while (queue.TryDequeue(out var end))
            if (NextNumber().Match(s, end) is { Success: true } m && m.Index == end)
            {
                var n = m.Groups["n"];
                spans.Add(new(n.Index, n.Index + n.Length, Kind.Number));
                queue.Enqueue(n.Index + n.Length);
            }
    }

    [GeneratedRegex(@"\s*[)）]?\s*(?:或者|或|/|、|,|，|;|；|和|及)\s*(?<n>(?<!\d)\d(?:[\s\-]?\d){6,7}(?!\d))")]
    private static partial Regex NextNumber();

    // ID numbers (15 or 18 digits, 18 may end in X), bank cards (16–19): digit runs of 15–19 with spaces or dashes
    // between the digits, not inside a longer run (an order number of 21 digits stays).
    [GeneratedRegex(@"(?<![\d])\d(?:[\s\-]?\d){13,17}(?:[\s\-]?[\dXx])(?![\dXx])")]
    private static partial Regex LongNumber();

    // 粤A12345, 粤A·12345, 粤AD12345 (new energy), 粤A 1234学.
    [GeneratedRegex(@"[京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼][A-HJ-NP-Z]\s*[·•・.\-\s]?\s*"
        + @"[A-HJ-NP-Z0-9]{4}[A-HJ-NP-Z0-9挂学警港澳](?:[A-HJ-NP-Z0-9])?(?![A-Za-z0-9])", RegexOptions.IgnoreCase)]
    private static partial Regex Plate();

    // ---- door numbers ----

    const string Units = "号楼|号院|号铺|号房|号|栋|幢|座|单元|楼|层|室|房|户";
    const string Num = @"(?:[A-Za-z]?\d+(?:-\d+)*[A-Za-z]?|[A-Za-z]|[一二三四五六七八九十百零〇]+)";
    const string Door = @"\s*" + Num + @"\s*(?:" + Units + @")(?!线|路|文件|令|台风|地铁|站|口)"
        + @"(?:之[一二三四五六七八九十\d]+)?";
    const string Places = "路|街|道|巷|弄|里|坊|村|胡同|小区|花园|苑|庭|府|大厦|广场|公寓|新村|家园|山庄|宿舍|大院|城|园|楼|社区";

    // After a street or estate (北京路 / 中山大道西 / 丽江花园) everything numbered is the door: 123号、5栋2单元502室.
    // 3号线, 5号文件 and dates (1月5号) are not doors.
    [GeneratedRegex("(?:" + Places + @")(?:[东西南北中]|东侧|西侧)?"
        + "(?<door>" + Door + @"(?:[,，、\s]*" + Door + @")*(?:\s*\d{3,4}(?!\d))?)")]
    private static partial Regex DoorAfterPlace();

    // Anywhere: a numbered 栋/幢/单元/室/房 (with what is numbered around it) is a door, and so is a 3–4 digit room.
    [GeneratedRegex(@"(?:[A-Za-z]?\d+[A-Za-z]?\s*(?:号楼|栋|幢|座|单元|号院)\s*)+(?:[A-Za-z]?\d+\s*(?:号|室|房|户|层|楼)?)?"
        + @"|(?<!\d)\d{3,4}\s*(?:室|房|号房)|(?<!\d)\d{3,4}\s*号(?=室|房)")]
    private static partial Regex DoorStrong();

    // 3-2-502 (building-unit-room); dates (2026-11-27) start with four digits and are not matched.
    [GeneratedRegex(@"(?<![\d\-])\d{1,3}-\d{1,2}-\d{3,4}(?![\d\-])")]
    private static partial Regex DoorDashes();

    // ---- names ----

    /// The submitter's stored name: whole (with or without spaces between its characters), the given name when it
    /// has two characters or more, and the surname with a title (张先生, 欧阳女士, 老张, 小张).
    static void SubmitterName(List<Span> spans, string shadow, string? name)
    {
        var n = Fold((name ?? "").Trim(), digits: false);
        if (n.Length < 2) return;
        Literal(spans, shadow, n, Kind.Name);
        if (!IsHan(n))
            foreach (var part in n.Split(' ', StringSplitOptions.RemoveEmptyEntries).Where(p => p.Length >= 3))
                Literal(spans, shadow, part, Kind.Name);
        if (!IsHan(n)) return;
        var surname = Surnames.Compound.FirstOrDefault(c => n.StartsWith(c, StringComparison.Ordinal)) ?? n[..1];
        var given = n[surname.Length..];
        if (given.Length >= 2) Literal(spans, shadow, given, Kind.Name);
        var s = Regex.Escape(surname);
        foreach (Match m in Regex.Matches(shadow, $"(?:老|小|阿){s}(?![\\p{{IsCJKUnifiedIdeographs}}])|{s}(?={Titles})"))
            spans.Add(new(m.Index, m.Index + m.Length, m.Value.Length > surname.Length ? Kind.Name : Kind.Surname));
    }

    static bool IsHan(string s) => s.All(c => c is >= '\u4E00' and <= '\u9FFF');

    static void Literal(List<Span> spans, string shadow, string literal, Kind kind)
    {
        var pattern = string.Join(@"\s*", literal.Where(c => c != ' ').Select(c => Regex.Escape(c.ToString())));
        foreach (Match m in Regex.Matches(shadow, pattern, RegexOptions.IgnoreCase))
            spans.Add(new(m.Index, m.Index + m.Length, kind));
    }

    const string Titles = "先生|女士|小姐|老师|师傅|阿姨|小哥|大姐|大哥|大爷|大妈|大叔|叔叔|伯伯|阿伯|阿婆|婆婆|奶奶|爷爷|同学|同志|医生|护士|经理|老板|律师|姐|哥";

    /// Names of other people: a surname from the bundled list followed by a title (张先生, 上官女士, 王小明先生), or
    /// a name after a word that introduces a person (邻居张美兰, 联系人：王小明, 我叫李四), and the names listed after
    /// it (、 和 及).
    static void OtherNames(List<Span> spans, string s)
    {
        for (var i = 0; i < s.Length; i++)
        {
            if (Surnames.At(s, i) is not { } sn) continue;
            if (i > 0 && Surnames.NotASurnameAfter(s[i - 1], sn)) continue;
            var j = i + sn.Length;
            if (TitleAt(s, j) is { } t)
            {
                if (Surnames.TitleSafe(sn)) spans.Add(new(i, j, Kind.Surname));
                continue;
            }
            // 王小明先生 / 张伟同志 / 张伟您好: a full name before a title or greeting; 王小明老师 only with a two-character
            // given name (高中老师, 党校老师 are no names).
            for (var g = 2; g >= 1; g--)
                if (j + g <= s.Length && Given(s, j, g) && FullNameTitle().Match(s, j + g) is { Success: true } ft
                    && ft.Index == j + g && Surnames.TitleSafe(sn)
                    && (g == 2 || sn.Length == 2 || "先生女士小姐同志您好你好".Contains(ft.Value, StringComparison.Ordinal)))
                {
                    spans.Add(new(i, j + g, Kind.Name));
                    break;
                }
        }
        foreach (Match cue in Cue().Matches(s))
        {
            var at = cue.Index + cue.Length;
            while (NameAt(s, at) is { } len)
            {
                spans.Add(new(at, at + len, Kind.Name));
                at += len;
                var sep = ListSeparator().Match(s, at);
                if (!sep.Success || sep.Index != at) break;
                at += sep.Length;
            }
        }
    }

    static string? TitleAt(string s, int j)
    {
        foreach (var t in Titles.Split('|'))
            if (string.CompareOrdinal(s, j, t, 0, t.Length) == 0) return t;
        return null;
    }

    /// A name at `at`: 老张 / 小王, or a surname and one or two given characters (two unless the second is a word
    /// that usually follows a name: 王伟反映 is 王伟).
    static int? NameAt(string s, int at)
    {
        if (at >= s.Length || Surnames.NotANameStart.Contains(s[at]) || TitleAt(s, at) is not null
            || at + 2 <= s.Length && Surnames.NotAName.Contains(s.Substring(at, 2))) return null;
        if (s[at] is '老' or '小' && Surnames.At(s, at + 1) is { Length: 1 }) return 2;
        if (Surnames.At(s, at) is not { } sn) return null;
        var j = at + sn.Length;
        if (!Given(s, j, 1)) return sn.Length > 1 ? sn.Length : null;
        if (s.AsSpan(j + 1).StartsWith("某")) return sn.Length + 2 + (j + 2 < s.Length && s[j + 2] == '某' ? 1 : 0);
        var len = Given(s, j, 2) && !Surnames.AfterName.Contains(s[j + 1])
            && !(j + 2 < s.Length && Surnames.AfterNamePairs.Contains(s.Substring(j + 1, 2)))
            ? sn.Length + 2 : sn.Length + 1;
        // 我是王府井…, 业主黄埔大道…: a place, not a name.
        for (var k = j; k <= at + len && k < s.Length; k++)
            if (Surnames.PlaceChars.Contains(s[k])) return null;
        return len;
    }

    static bool Given(string s, int from, int n)
    {
        if (from + n > s.Length) return false;
        for (var k = from; k < from + n; k++)
            if (s[k] is < '\u4E00' or > '\u9FFF' || Surnames.AfterName.Contains(s[k]) && k == from) return false;
        return true;
    }

    [GeneratedRegex("先生|女士|小姐|同志|老师|医生|师傅|律师|您好|你好")]
    private static partial Regex FullNameTitle();

    [GeneratedRegex(@"\s*[、和及与,，/]\s*")]
    private static partial Regex ListSeparator();

    // Words that introduce a person, then an optional ：/是/叫/为.
    const string CueWords =
        "邻居|联系人|姓名|名字|我叫|他叫|她叫|名叫|叫做|我是|本人|业主|户主|房东|租客|租户|老人|患者|病人|家属|儿子|女儿|孙子|孙女|丈夫|妻子|老公|老婆|爱人|"
        + "母亲|父亲|爸爸|妈妈|外婆|外公|同事|经办人|网格员|社工|楼长|店主|员工|学生|孩子|被投诉人|投诉人|举报人|反映人|申请人|代理人|委托人|监护人|收件人|负责人|"
        + "居民|村民|职工|民警|朋友|亲戚|弟弟|妹妹|哥哥|姐姐|舅舅|姑姑|嫂子|工作人员|快递员|外卖员|快递小哥|保洁员|清洁工|司机|保安|医生|护士|教练|经理|主任|老板|"
        + "残疾人|独居老人|老伴|前妻|前夫|舍友|室友|班主任|已联系|经联系|联系了|已通知|通知了|约谈了|尊敬的";

    [GeneratedRegex("(?:" + CueWords + @")\s*(?:[:：]\s*|是|叫|为|名叫)?\s*")]
    private static partial Regex Cue();
}
