using System.Text.RegularExpressions;
using Bihuan.Domain;
using Bihuan.Infrastructure;

namespace Bihuan.Features.Rectification;

/// The columns of a 整改台账 that the import understands.
public enum LedgerField { Seq, Source, Problem, Target, Measures, Leader, LeadUnit, CoUnits, Handler, Deadline, Progress, Closure, Category, Severity }

/// The header row found in a ledger (for a two-row header, the lower row: data starts below it), which column
/// feeds each field, and the non-blank header cells that feed none. Texts holds every header cell by column.
public sealed record LedgerHeader(int RowNumber, IReadOnlyDictionary<LedgerField, int> Map, IReadOnlyList<(int Column, string Text)> Unmapped)
{
    public IReadOnlyList<string> Texts { get; init; } = [];

    public int? ColumnOf(LedgerField field) => Map.TryGetValue(field, out var c) ? c : null;

    /// The required fields that no column feeds: 问题 and 整改时限.
    public IReadOnlyList<LedgerField> MissingRequired =>
        LedgerColumns.Required.Where(f => !Map.ContainsKey(f)).ToList();

    /// The user's correction from the preview: `column` (0 = A) feeds `field`. A column feeds one field, so it is
    /// taken away from any other field; the field's previous column, if any, becomes unmapped.
    public LedgerHeader WithOverride(LedgerField field, int column)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(column);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(column, Sheets.ExcelColumns);
        var map = Map.Where(kv => kv.Key != field && kv.Value != column).ToDictionary();
        map[field] = column;
        return this with { Map = map, Unmapped = UnmappedFor(map) };
    }

    /// The user's correction from the preview: no column feeds `field`.
    public LedgerHeader Without(LedgerField field)
    {
        var map = Map.Where(kv => kv.Key != field).ToDictionary();
        return this with { Map = map, Unmapped = UnmappedFor(map) };
    }

    List<(int, string)> UnmappedFor(Dictionary<LedgerField, int> map) =>
        Texts.Select((t, i) => (i, t)).Where(x => x.t.Length > 0 && !map.ContainsValue(x.i)).ToList();
}

/// One data row of a ledger: its Excel row number, the text of each mapped field ("" when blank), the parsed
/// deadline, the fields copied from the row above (see LedgerColumns.ReadRows), and what is wrong with it.
public sealed record LedgerRow(int Row, IReadOnlyDictionary<LedgerField, string> Texts, DeadlineParse Deadline,
    IReadOnlySet<LedgerField> FilledDown, IReadOnlyList<string> Errors)
{
    public string Text(LedgerField field) => Texts.GetValueOrDefault(field, "");
    public bool Ok => Errors.Count == 0;
}

public sealed record LedgerRowError(int Row, string Reason);

/// The rows under a header: every data row (with or without errors, for the preview), every error by row number
/// (the import writes nothing while there is one), and the rows passed over with the reason (titles of groups,
/// a row of column numbers, a repeated header).
public sealed record LedgerRead(IReadOnlyList<LedgerRow> Rows, IReadOnlyList<LedgerRowError> Errors, IReadOnlyList<LedgerRowError> Skipped)
{
    public bool Ok => Errors.Count == 0;
}

/// Header detection and row reading for 整改台账 as offices keep them: a merged title row, perhaps a subtitle or
/// 填报日期 row, a header (one row, or two where a group header such as 责任主体 spans sub-headers), then the rows.
public static partial class LedgerColumns
{
    public const int MaxTextLength = 2000;

    internal static readonly LedgerField[] Required = [LedgerField.Problem, LedgerField.Deadline];

    /// Fields that ledgers merge down over several rows (one 来源, 牵头单位, 责任领导 or 类别 for a group of problems).
    public static readonly IReadOnlySet<LedgerField> FillDownFields =
        new HashSet<LedgerField> { LedgerField.Source, LedgerField.LeadUnit, LedgerField.Leader, LedgerField.Category };

    /// Header texts per field, compared after HeaderKey and with bracketed notes removed ("整改时限（年月日）").
    public static readonly IReadOnlyDictionary<LedgerField, string[]> Synonyms = new Dictionary<LedgerField, string[]>
    {
        [LedgerField.Seq] = ["序号", "编号", "问题编号", "问题序号", "序列号"],
        [LedgerField.Source] = ["问题来源", "来源", "问题出处", "反馈来源", "发现渠道", "问题来源渠道", "来源渠道"],
        [LedgerField.Problem] = ["问题", "问题描述", "存在问题", "存在的问题", "问题内容", "问题表现", "问题清单", "主要问题",
            "具体问题", "问题具体表现", "问题及表现", "查摆问题", "反馈问题", "问题名称", "突出问题", "问题概述"],
        [LedgerField.Target] = ["整改目标", "目标", "整改目标任务", "预期目标", "目标要求"],
        [LedgerField.Measures] = ["整改措施", "措施", "具体措施", "整改举措", "整改任务", "主要措施", "具体整改措施", "整改方案", "工作措施"],
        [LedgerField.Leader] = ["责任领导", "分管领导", "牵头领导", "分管责任领导", "包保领导", "督办领导", "责任校领导", "分管负责同志"],
        [LedgerField.LeadUnit] = ["牵头单位", "责任单位", "责任部门", "牵头部门", "责任科室", "主责单位", "主责部门", "牵头处室",
            "责任处室", "整改责任单位", "整改单位", "整改责任部门", "牵头责任单位"],
        [LedgerField.CoUnits] = ["配合单位", "协同单位", "配合部门", "协办单位", "协同部门", "参与单位", "协助单位"],
        [LedgerField.Handler] = ["责任人", "具体责任人", "经办人", "直接责任人", "联系人", "具体负责人", "责任人员", "整改责任人", "具体经办人"],
        [LedgerField.Deadline] = ["整改时限", "完成时限", "时限要求", "完成时间", "整改期限", "时限", "完成期限", "整改时间",
            "计划完成时间", "办结时限", "截止时间", "截止日期", "完成日期", "整改完成时限"],
        [LedgerField.Progress] = ["整改进展", "整改情况", "进展情况", "完成情况", "整改进度", "进展", "工作进展", "整改落实情况",
            "推进情况", "整改成效", "进度"],
        [LedgerField.Closure] = ["销号情况", "是否销号", "销号", "是否完成", "办结情况", "是否办结", "销号状态"],
        [LedgerField.Category] = ["问题类别", "问题类型", "类别", "类型", "问题分类", "分类", "问题性质"],
        [LedgerField.Severity] = ["严重程度", "问题等级", "程度", "等级", "风险等级", "问题程度"],
    };

    public static string Label(this LedgerField f) => f switch
    {
        LedgerField.Seq => "序号",
        LedgerField.Source => "问题来源",
        LedgerField.Problem => "问题描述",
        LedgerField.Target => "整改目标",
        LedgerField.Measures => "整改措施",
        LedgerField.Leader => "责任领导",
        LedgerField.LeadUnit => "牵头单位",
        LedgerField.CoUnits => "配合单位",
        LedgerField.Handler => "责任人",
        LedgerField.Deadline => "整改时限",
        LedgerField.Progress => "整改进展",
        LedgerField.Closure => "销号情况",
        LedgerField.Category => "问题类别",
        LedgerField.Severity => "严重程度",
    };

    static readonly Dictionary<string, LedgerField> Exact =
        Synonyms.SelectMany(kv => kv.Value.Select(s => (s, kv.Key))).ToDictionary(x => x.s, x => x.Key);

    /// The field a header cell names, and whether by its exact name (true) or by a name it contains.
    /// Exact: HeaderKey, then without bracketed notes. Else the longest synonym the text contains, when that
    /// synonym names one field only ("整改措施及完成时限" names two: no field); 实际… (实际完成时间) is never a deadline.
    public static (LedgerField Field, bool Exact)? Recognise(string header)
    {
        var key = Sheets.HeaderKey(header);
        if (key.Length == 0) return null;
        if (Exact.TryGetValue(key, out var f)) return (f, true);
        var bare = Brackets().Replace(key, "").TrimEnd('0', '1', '2', '3', '4', '5', '6', '7', '8', '9', '.', '、');
        if (bare.Length == 0) return null;
        if (Exact.TryGetValue(bare, out f)) return (f, true);
        if (bare.StartsWith("实际", StringComparison.Ordinal)) return null;
        var contained = Exact.Where(kv => kv.Key.Length >= 2 && bare.Contains(kv.Key, StringComparison.Ordinal)).ToList();
        if (contained.Count == 0) return null;
        var longest = contained.Max(kv => kv.Key.Length);
        var fields = contained.Where(kv => kv.Key.Length == longest).Select(kv => kv.Value).Distinct().ToList();
        return fields.Count == 1 ? (fields[0], false) : null;
    }

    /// Finds the header among the first `scanRows` rows: the row (or pair of rows, for a two-row header) naming the
    /// most fields, provided it names 问题 and also 整改时限 or 整改措施. Ties go to the topmost row: a header
    /// repeated lower down (as printed ledgers do per page) is skipped by ReadRows. Null when no row qualifies.
    public static LedgerHeader? FindHeader(IReadOnlyList<SheetRow> rows, int scanRows = 15)
    {
        var scan = rows.Where(r => !r.IsBlank).Take(scanRows).ToList();
        var singles = scan.Select(r => Build(r.Number, Texts(r))).ToList();
        LedgerHeader? best = null;
        for (var i = 0; i < scan.Count; i++)
        {
            Consider(singles[i]);
            // A two-row header: the lower row's cells name the sub-columns, the upper row's (merged down) the rest.
            // Taken only when the pair names more fields than either row alone.
            if (i + 1 < scan.Count && scan[i + 1].Number == scan[i].Number + 1)
            {
                var (upper, lower) = (singles[i].Texts, singles[i + 1].Texts);
                var both = Enumerable.Range(0, Math.Max(upper.Count, lower.Count))
                    .Select(c => c < lower.Count && lower[c].Length > 0 ? lower[c] : c < upper.Count ? upper[c] : "")
                    .ToArray();
                var pair = Build(scan[i + 1].Number, both);
                if (pair.Map.Count > Math.Max(singles[i].Map.Count, singles[i + 1].Map.Count)) Consider(pair);
            }
        }
        return best;

        void Consider(LedgerHeader h)
        {
            if (!h.Map.ContainsKey(LedgerField.Problem)
                || !(h.Map.ContainsKey(LedgerField.Deadline) || h.Map.ContainsKey(LedgerField.Measures))) return;
            if (best is null || h.Map.Count > best.Map.Count) best = h;
        }
    }

    static string[] Texts(SheetRow r) => Enumerable.Range(0, r.Cells.Length).Select(r.Text).ToArray();

    /// Maps the header texts: exact names before contained names; for two columns of the same kind, the leftmost.
    static LedgerHeader Build(int rowNumber, string[] texts)
    {
        var recognised = texts.Select((t, c) => (c, r: Recognise(t))).Where(x => x.r is not null)
            .OrderBy(x => x.r!.Value.Exact ? 0 : 1).ThenBy(x => x.c).ToList();
        var map = new Dictionary<LedgerField, int>();
        foreach (var (c, r) in recognised) map.TryAdd(r!.Value.Field, c);
        var unmapped = texts.Select((t, c) => (c, t)).Where(x => x.t.Length > 0 && !map.ContainsValue(x.c)).ToList();
        return new LedgerHeader(rowNumber, map, unmapped) { Texts = texts };
    }

    /// Reads one row as it stands (no fill-down) and checks it.
    public static LedgerRow ReadRow(SheetRow row, LedgerHeader header, DateOnly reference) =>
        ReadRow(row, header, reference, null);

    static LedgerRow ReadRow(SheetRow row, LedgerHeader header, DateOnly reference, IReadOnlyDictionary<LedgerField, string>? above)
    {
        var texts = new Dictionary<LedgerField, string>();
        var filled = new HashSet<LedgerField>();
        foreach (var (field, col) in header.Map)
        {
            var text = row.Text(col);
            if (text.Length == 0 && above is not null && FillDownFields.Contains(field)
                && above.GetValueOrDefault(field, "") is { Length: > 0 } prev)
            {
                text = prev;
                filled.Add(field);
            }
            texts[field] = text;
        }

        var errors = new List<string>();
        var deadline = header.ColumnOf(LedgerField.Deadline) is { } dc
            ? DeadlineText.Parse(dc < row.Cells.Length ? row.Cells[dc] : null, reference)
            : DeadlineParse.Fail("表格中没有整改时限列");
        if (header.Map.ContainsKey(LedgerField.Problem) && texts[LedgerField.Problem].Length == 0)
            errors.Add("问题描述为空（如是合并单元格，请取消合并并逐行填写）");
        if (header.Map.ContainsKey(LedgerField.Deadline) && !deadline.Ok) errors.Add(deadline.Error!);
        foreach (var f in Enum.GetValues<LedgerField>())
            if (!filled.Contains(f) && texts.GetValueOrDefault(f, "").Length > MaxTextLength)
                errors.Add($"“{f.Label()}”超过 {MaxTextLength} 字（{texts[f].Length} 字）");
        return new LedgerRow(row.Number, texts, deadline, filled, errors);
    }

    /// Reads every row below the header. Blank rows are passed over; so are a row of column numbers (1 2 3 …)
    /// right under the header, a repeat of the header, and a group title (a single text cell left of or instead
    /// of 问题, as in "一、巡视反馈问题").
    ///
    /// Fill-down: Sheets.Read gives a merged range's value only in its top-left cell, so where a ledger merges
    /// 问题来源, 牵头单位, 责任领导 or 问题类别 down over several rows the rows below read blank. For those four
    /// fields only, a blank cell takes the value of the previous data row (itself possibly filled), and the row
    /// records it in FilledDown. The chain starts at the first data row and breaks at a blank or missing row and at
    /// a group title, so nothing above the header (the merged title, a 填报单位 row) is ever filled into data.
    /// This is a guess from blanks, not from the merge ranges: a cell genuinely left blank under a filled one is
    /// filled too, which the preview shows.
    public static LedgerRead ReadRows(IReadOnlyList<SheetRow> sheet, LedgerHeader header, DateOnly reference)
    {
        var rows = new List<LedgerRow>();
        var errors = new List<LedgerRowError>();
        var skipped = new List<LedgerRowError>();
        foreach (var missing in header.MissingRequired)
            errors.Add(new(header.RowNumber, $"表头中找不到“{missing.Label()}”列，请在预览中指定对应的列"));

        var headerTexts = header.Texts.Select(Sheets.HeaderKey).ToArray();
        LedgerRow? previous = null;
        var lastNumber = header.RowNumber;
        foreach (var r in sheet.Where(r => r.Number > header.RowNumber))
        {
            var contiguous = r.Number == lastNumber + 1;
            lastNumber = r.Number;
            if (r.IsBlank) { previous = null; continue; }
            if (!contiguous) previous = null;
            var texts = Texts(r);
            if (r.Number == header.RowNumber + 1 && IsColumnNumbers(r))
            {
                skipped.Add(new(r.Number, "列序号行，已跳过"));
                continue;
            }
            if (texts.Select(Sheets.HeaderKey).Where(t => t.Length > 0).SequenceEqual(headerTexts.Where(t => t.Length > 0)))
            {
                skipped.Add(new(r.Number, "重复的表头行，已跳过"));
                previous = null;
                continue;
            }
            if (IsGroupTitle(r, header))
            {
                skipped.Add(new(r.Number, $"分组标题“{texts.First(t => t.Length > 0)}”，已跳过"));
                previous = null;
                continue;
            }
            var row = ReadRow(r, header, reference, previous?.Texts);
            rows.Add(row);
            errors.AddRange(row.Errors.Select(e => new LedgerRowError(row.Row, e)));
            previous = row;
        }
        if (rows.Count == 0 && header.MissingRequired.Count == 0)
            errors.Add(new(header.RowNumber, "表头以下没有数据行"));
        return new LedgerRead(rows, errors, skipped);
    }

    /// At least three cells, each a whole number, increasing left to right: the "1 2 3 …" row under some headers.
    static bool IsColumnNumbers(SheetRow r)
    {
        var values = Texts(r).Where(t => t.Length > 0).ToList();
        if (values.Count < 3) return false;
        var numbers = values.Select(t => int.TryParse(t.Trim('(', ')', '（', '）'), out var n) ? n : (int?)null).ToList();
        return numbers.All(n => n is not null) && numbers.Zip(numbers.Skip(1)).All(p => p.First < p.Second);
    }

    /// One non-numeric text cell, not in the 问题 column and not right of it.
    static bool IsGroupTitle(SheetRow r, LedgerHeader header)
    {
        if (header.ColumnOf(LedgerField.Problem) is not { } pc) return false;
        var filled = Enumerable.Range(0, r.Cells.Length).Where(c => r.Text(c).Length > 0).ToList();
        return filled is [var only] && only < pc && !double.TryParse(r.Text(only), System.Globalization.NumberStyles.Float,
            System.Globalization.CultureInfo.InvariantCulture, out _);
    }

    [GeneratedRegex(@"[（(【\[［].*?[)）】\]］]")]
    private static partial Regex Brackets();
}
