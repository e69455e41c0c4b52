using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Bihuan.Domain;

/// The outcome of reading one 整改时限 cell. Ok: Kind is set; Date is set exactly when Kind is Dated.
/// Not ok: Error says, in Chinese, what was wrong with which text.
public sealed record DeadlineParse(bool Ok, DeadlineKind Kind, DateOnly? Date, string? Error)
{
    public static DeadlineParse Dated(DateOnly date) => new(true, DeadlineKind.Dated, date, null);
    public static DeadlineParse Immediate { get; } = new(true, DeadlineKind.Immediate, null, null);
    public static DeadlineParse Ongoing { get; } = new(true, DeadlineKind.Ongoing, null, null);
    public static DeadlineParse Fail(string error) => new(false, DeadlineKind.Dated, null, error);
}

/// Reads the 整改时限 cell of a rectification ledger as offices actually fill it in. Pure: no clock, no I/O.
///
/// Accepted (digits may be full-width, numbers may be Chinese numerals: 二〇二六年六月三十日, 第三季度):
///   dates       2026年6月30日 / 6月30号 / 26年6月30日 / 2026.6.30 / 2026/6/30 / 2026-06-30 / 20260630
///   month end   2026年6月底 / 6月末 / 2026年6月 / 2026-06 (a month without a day means its last day);
///               上旬/中旬/下旬 mean the 10th / 20th / last day
///   quarter end 2026年第三季度 / 第三季度 / 三季度末 / 2026年Q3 / Q3
///   half year   2026年上半年 (06-30) / 下半年 (12-31)
///   year end    2026年底 / 2026年末 / 2026年内 / 2026年 / 年底 / 今年底 (12-31), 明年底
///   no date     长期坚持 / 长期 / 持续推进 / 常态化 … → Ongoing; 立行立改 / 立即整改 / 即知即改 … → Immediate
///   Excel       a number is a date serial of the 1900 date system (46203 = 2026-06-30, fractions = time of day);
///               an 8-digit number is read as yyyymmdd; DateTime/DateOnly values are taken as they are
/// Words around a date are ignored ("2026年6月30日前", "于2026年6月底前完成").
///
/// Rules:
/// - Missing year: a date without a year takes the year of the nearest explicit year written before it in the same
///   text ("2026年3月至6月底" → 2026-06-30); with none, it is the first such date on or after `reference`
///   (reference 2026-11-27: "6月30日" → 2027-06-30, "12月31日" → 2026-12-31, "上半年" → 2027-06-30).
/// - A date followed by 起/开始 is a starting point, not a deadline ("2026年6月起长期坚持" → Ongoing).
/// - Several dates in one cell ("6月底前完成阶段整改，12月底前全面完成"): the latest is the deadline.
/// - A date beats the keywords ("2026年6月底前完成并长期坚持" → Dated): a checkable deadline is what matters.
///   Both keyword kinds and no date ("立行立改、长期坚持") → Immediate.
/// - Any impossible date in the text (2026年2月30日, 2026年13月) fails the whole cell; so does a date outside the
///   window of Domain/Bounds (2000–2100 by default: a typo, or a number that was never a date).
public static partial class DeadlineText
{
    static readonly string[] ImmediateWords = ["立行立改", "立即整改", "即知即改", "立查立改", "立改立行", "即查即改", "马上就改", "立即"];
    static readonly string[] OngoingWords = ["长期坚持", "长期", "持续推进", "常态化", "持续整改", "持续深化", "长效", "持续开展", "久久为功"];

    public static DeadlineParse Parse(object? cell, DateOnly reference) => cell switch
    {
        null => DeadlineParse.Fail("整改时限为空"),
        DateOnly d => InRange(d, Show(d)),
        DateTime dt => InRange(DateOnly.FromDateTime(dt), Show(DateOnly.FromDateTime(dt))),
        double d => FromNumber(d, reference),
        float f => FromNumber(f, reference),
        int i => FromNumber(i, reference),
        long l => FromNumber(l, reference),
        decimal m => FromNumber((double)m, reference),
        string s => FromText(s, reference),
        bool b => Unknown(b ? "TRUE" : "FALSE"),
        _ => FromText(Convert.ToString(cell, CultureInfo.InvariantCulture) ?? "", reference),
    };

    static DeadlineParse FromNumber(double d, DateOnly reference)
    {
        var shown = d.ToString("0.###", CultureInfo.InvariantCulture);
        if (double.IsNaN(d) || double.IsInfinity(d) || d < 1) return Unknown(shown);
        if (d == Math.Floor(d) && d is >= 10000101 and <= 99991231) return FromText(shown, reference); // 20260630
        if (d >= 2958466) return Unknown(shown);                // past 9999-12-31, Excel's last date
        var serial = (int)Math.Floor(d);
        // The 1900 system counts 1900-02-29 (serial 60), a day that never was (Lotus 1-2-3's leap-year bug).
        if (serial == 60) return DeadlineParse.Fail($"整改时限“{shown}”不是有效日期（1900年2月29日不存在）");
        var date = serial < 60 ? new DateOnly(1899, 12, 31).AddDays(serial) : new DateOnly(1899, 12, 30).AddDays(serial);
        return InRange(date, Show(date));
    }

    static string Show(DateOnly d) => $"{d.Year}年{d.Month}月{d.Day}日";

    static DeadlineParse InRange(DateOnly d, string shown) => Bounds.InWindow(d)
        ? DeadlineParse.Dated(d)
        : DeadlineParse.Fail($"整改时限“{shown}”的年份 {d.Year} 不在 {Bounds.MinDate.Year}—{Bounds.MaxDate.Year} 年之间");

    static DeadlineParse Unknown(string text) => DeadlineParse.Fail($"无法识别的整改时限“{Shorten(text)}”");

    static string Shorten(string s) => s.Length <= 40 ? s : s[..40] + "…";

    /// A date found in the text (or why it is impossible), where it starts, and whether its year was written.
    readonly record struct Hit(int At, DateOnly? Date, string? Invalid, bool Start, int? Year);

    delegate Hit Reader(Match m, Func<int?> contextYear, DateOnly reference);

    // Patterns with an explicit year run first, so a year-less pattern never sees part of a dated one and can borrow
    // the year written before it. Each match is blanked out ('#') before the next pattern runs.
    static readonly (Regex Pattern, Reader Read)[] WithYear =
    [
        (YmdCn(), (m, _, _) => Day(m, Year(m.Groups[1].Value), Int(m, 2), Int(m, 3))),
        (YmdSep(), (m, _, _) => Day(m, Int(m, 1), Int(m, 3), Int(m, 4))),
        (Ymd8(), (m, _, _) => Day(m, Int(m, 1), Int(m, 2), Int(m, 3))),
        (YmCn(), (m, _, _) => Month(m, Year(m.Groups[1].Value), Int(m, 2), m.Groups[3].Value)),
        (YmSep(), (m, _, _) => Month(m, Int(m, 1), Int(m, 2), "")),
        (YQuarter(), (m, _, _) => Fixed(m, Year(m.Groups[1].Value), QuarterEnd(Q(m, 2)))),
        (YHalf(), (m, _, _) => Fixed(m, Year(m.Groups[1].Value), m.Groups[2].Value == "上" ? (6, 30) : (12, 31))),
        (YEnd(), (m, _, _) => Fixed(m, Year(m.Groups[1].Value), (12, 31))),
    ];

    static readonly (Regex Pattern, Reader Read)[] WithoutYear =
    [
        (MdCn(), (m, y, r) => Next(m, y(), r, Int(m, 1), _ => Int(m, 2))),
        (MCn(), (m, y, r) => Next(m, y(), r, Int(m, 1), yr => MonthDay(yr, Int(m, 1), m.Groups[2].Value))),
        (Quarter(), (m, y, r) => Next(m, y(), r, QuarterEnd(Q(m, 1)).M, _ => QuarterEnd(Q(m, 1)).D)),
        (Half(), (m, y, r) => Next(m, y(), r, m.Groups[1].Value == "上" ? 6 : 12, _ => m.Groups[1].Value == "上" ? 30 : 31)),
        (ThisYearEnd(), (m, _, r) => Fixed(m, r.Year + (m.Groups[1].Value == "明年" ? 1 : 0), (12, 31))),
    ];

    static DeadlineParse FromText(string raw, DateOnly reference)
    {
        var shown = raw.Trim();
        if (shown.Length == 0) return DeadlineParse.Fail("整改时限为空");
        var text = Normalize(shown);
        var hits = new List<Hit>();
        foreach (var (pattern, read) in WithYear) text = Consume(text, pattern, m => read(m, () => null, reference), hits);
        var dated = hits.ToList();   // the year-bearing hits, for year-less dates to borrow from
        foreach (var (pattern, read) in WithoutYear)
            text = Consume(text, pattern, m => read(m, () => dated.Where(h => h.At < m.Index && h.Year is not null)
                .OrderBy(h => h.At).LastOrDefault().Year, reference), hits);

        if (hits.FirstOrDefault(h => h.Invalid is not null) is { Invalid: { } why })
            return DeadlineParse.Fail($"整改时限“{Shorten(shown)}”不是有效日期（{why}）");
        var deadlines = hits.Where(h => !h.Start).Select(h => h.Date!.Value).ToList();
        if (deadlines.Count > 0) return InRange(deadlines.Max(), Shorten(shown));

        if (ImmediateWords.Any(text.Contains)) return DeadlineParse.Immediate;
        if (OngoingWords.Any(text.Contains)) return DeadlineParse.Ongoing;
        return Unknown(shown);
    }

    static string Consume(string text, Regex pattern, Func<Match, Hit> read, List<Hit> hits) =>
        pattern.Replace(text, m =>
        {
            var hit = read(m);
            var after = text.AsSpan(m.Index + m.Length);
            if (after.StartsWith("起") || after.StartsWith("开始")) hit = hit with { Start = true };
            hits.Add(hit);
            return new string('#', m.Length);
        });

    static int Int(Match m, int group) => int.Parse(m.Groups[group].Value, CultureInfo.InvariantCulture);

    /// The quarter digit of "3季度" (group `first`) or "Q3" (the group after it).
    static int Q(Match m, int first) => m.Groups[first].Success ? Int(m, first) : Int(m, first + 1);

    static int Year(string digits) => digits.Length == 2 ? 2000 + int.Parse(digits, CultureInfo.InvariantCulture)
        : int.Parse(digits, CultureInfo.InvariantCulture);

    static (int M, int D) QuarterEnd(int q) => q switch { 1 => (3, 31), 2 => (6, 30), 3 => (9, 30), _ => (12, 31) };

    static int MonthDay(int year, int month, string part) => part switch
    {
        "上旬" => 10,
        "中旬" => 20,
        _ => month is >= 1 and <= 12 ? DateTime.DaysInMonth(year, month) : 31,
    };

    static Hit Day(Match m, int y, int mo, int d)
    {
        if (mo is < 1 or > 12) return new(m.Index, null, $"{y}年{mo}月不存在", false, y);
        if (d < 1 || d > DateTime.DaysInMonth(y, mo)) return new(m.Index, null, $"{y}年{mo}月{d}日不存在", false, y);
        return new(m.Index, new DateOnly(y, mo, d), null, false, y);
    }

    static Hit Month(Match m, int y, int mo, string part) =>
        mo is < 1 or > 12 ? new(m.Index, null, $"{y}年{mo}月不存在", false, y) : Day(m, y, mo, MonthDay(y, mo, part));

    static Hit Fixed(Match m, int y, (int M, int D) md) => Day(m, y, md.M, md.D);

    /// A year-less month/day: in the borrowed year when there is one, else the first one on or after the reference.
    static Hit Next(Match m, int? year, DateOnly reference, int month, Func<int, int> day)
    {
        if (year is { } y) return Day(m, y, month, day(y)) with { Year = null };
        if (month is < 1 or > 12) return new(m.Index, null, $"{month}月不存在", false, null);
        for (var yr = reference.Year; yr <= reference.Year + 8; yr++)   // 2月29日 may be up to 8 years away (2096→2104)
        {
            var d = day(yr);
            if (d >= 1 && d <= DateTime.DaysInMonth(yr, month) && new DateOnly(yr, month, d) >= reference)
                return new(m.Index, new DateOnly(yr, month, d), null, false, null);
        }
        return new(m.Index, null, $"{month}月{day(reference.Year)}日不存在", false, null);
    }

    /// Full-width → ASCII, dashes → '-', no whitespace (one space between digits), upper case, Chinese numerals → digits (二〇二六 → 2026,
    /// 三十一 → 31). Only for matching: messages quote what the user wrote.
    static string Normalize(string s)
    {
        var sb = new StringBuilder(s.Length);
        var gap = false;
        foreach (var c0 in s)
        {
            var c = c0 is >= '\uFF01' and <= '\uFF5E' ? (char)(c0 - 0xFEE0) : c0;
            if (char.IsWhiteSpace(c)) { gap = true; continue; }
            if (c is >= '\u2010' and <= '\u2015') c = '-';
            // Spaces go ("2026年 6月 30日"), except between digits ("2026-06-30 00:00:00" keeps its day apart).
            if (gap && char.IsAsciiDigit(c) && sb.Length > 0 && char.IsAsciiDigit(sb[^1])) sb.Append(' ');
            gap = false;
            sb.Append(char.ToUpperInvariant(c));
        }
        return ChineseNumber().Replace(sb.ToString(), m => FromChinese(m.Value) ?? m.Value);
    }

    static string? FromChinese(string run)
    {
        static int Digit(char c) => "〇一二三四五六七八九".IndexOf(c) is var i and >= 0 ? i : c == '零' ? 0 : -1;
        var ten = run.IndexOf('十');
        if (ten < 0) return string.Concat(run.Select(c => (char)('0' + Digit(c))));
        var (left, right) = (run[..ten], run[(ten + 1)..]);
        if (left.Length > 1 || right.Length > 1 || left.Contains('十') || right.Contains('十')) return null;
        var tens = left.Length == 0 ? 1 : Digit(left[0]);
        var units = right.Length == 0 ? 0 : Digit(right[0]);
        return (tens * 10 + units).ToString(CultureInfo.InvariantCulture);
    }

    [GeneratedRegex("[〇零一二三四五六七八九十]+")]
    private static partial Regex ChineseNumber();

    [GeneratedRegex(@"(?<!\d)(\d{4}|\d{2})年(\d{1,2})月(\d{1,2})(?:日|号)?(?!\d)")]
    private static partial Regex YmdCn();

    [GeneratedRegex(@"(?<!\d)(\d{4})([./-])(\d{1,2})\2(\d{1,2})(?!\d)")]
    private static partial Regex YmdSep();

    [GeneratedRegex(@"(?<!\d)(\d{4})(\d{2})(\d{2})(?!\d)")]
    private static partial Regex Ymd8();

    [GeneratedRegex(@"(?<!\d)(\d{4}|\d{2})年(\d{1,2})月份?(上旬|中旬|下旬|底|末)?")]
    private static partial Regex YmCn();

    [GeneratedRegex(@"(?<!\d)(\d{4})[./-](\d{1,2})(?![\d./-])")]
    private static partial Regex YmSep();

    [GeneratedRegex(@"(?<!\d)(\d{4}|\d{2})年?第?(?:([1-4])季度|Q([1-4])(?!\d))(?:末|底)?")]
    private static partial Regex YQuarter();

    [GeneratedRegex(@"(?<!\d)(\d{4}|\d{2})年?(上|下)半年(?:末|底)?")]
    private static partial Regex YHalf();

    [GeneratedRegex(@"(?<!\d)(\d{4}|\d{2})年度?(?:底|末|内|(?=前|以前|之前|完成|$))")]
    private static partial Regex YEnd();

    [GeneratedRegex(@"(?<!\d)(\d{1,2})月(\d{1,2})(?:日|号)?(?!\d)")]
    private static partial Regex MdCn();

    [GeneratedRegex(@"(?<!\d)(\d{1,2})月份?(上旬|中旬|下旬|底|末)?")]
    private static partial Regex MCn();

    [GeneratedRegex(@"(?<!\d)第?(?:([1-4])季度|Q([1-4])(?!\d))(?:末|底)?")]
    private static partial Regex Quarter();

    [GeneratedRegex(@"(上|下)半年(?:末|底)?")]
    private static partial Regex Half();

    [GeneratedRegex(@"(今年|本年|当年|明年)(?:底|末|内)?|年(?:底|末|内)")]
    private static partial Regex ThisYearEnd();
}
