using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Bihuan.Data;
using Bihuan.Data.Dataset;
using Bihuan.Domain;
using Bihuan.Features.Organizations;
using Bihuan.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Bihuan.Features.Rectification;

/// Which column feeds a field (null: none), with the header text of that column, so a user can correct it.
public sealed record LedgerColumnMap(string Field, string Label, bool Required, string? Column, string? Header);

/// One column of the sheet: its letter, index (0 = A) and header text.
public sealed record LedgerSheetColumn(int Index, string Column, string Header);

/// One data row as it will be imported (or why not): Action is 新增, 不变 (already imported) or 错误.
public sealed record LedgerPreviewRow(int Row, string Problem, string SourceText, string Source, string DeadlineText,
    string Deadline, string Measures, string LeadUnitText, string LeadUnit, string Action);

public sealed record LedgerImportResult(bool Ok, bool Committed, string Message, int HeaderRow,
    List<LedgerColumnMap> Mapping, List<LedgerSheetColumn> Unmapped, List<LedgerSheetColumn> Columns,
    List<LedgerRowError> Errors, int ErrorCount, List<LedgerRowError> Skipped, List<LedgerRowError> Warnings,
    List<LedgerPreviewRow> Preview, int Rows, int Created, int Unchanged)
{
    /// The file refused as a whole (a limit, not a sheet): Message as a phrase the page shows in the reader's language.
    [System.Text.Json.Serialization.JsonIgnore] public Phrase? Refusal { get; init; }
}

/// Imports a 整改台账 (.xlsx/.csv) into one unit's problem list: each data row becomes a Problem with one RectItem.
/// Like OrgImport: the file is read within ImportLimits, the whole file is checked first, every bad row is listed
/// with its row number, and only a clean file is written — built outside any transaction, then written in one short
/// one (see WriteAsync), so other writers are held up for well under a second. Idempotent: a row's ImportKey (unit +
/// problem + measures + deadline text) already present means 不变.
///
/// Defaults, since ledgers do not carry them: 查摆方面 = 工作, 总要求方面 = 真抓实干. 整改进展/销号情况 are read
/// (the columns are recognised) but not stored: every imported item starts 待整改.
public static partial class LedgerImport
{
    public const int PreviewMax = 200;
    public const int ErrorsListed = 1000;
    public const int OngoingReportEveryDays = 30;
    const string Created = "新增", Unchanged = "不变", Bad = "错误";

    public static async Task<LedgerImportResult> RunAsync(BihuanDb db, TimeProvider clock, ImportLimits limits, Stream stream,
        string fileName, long length, int orgId, IReadOnlyDictionary<LedgerField, int>? overrides, bool commit,
        CancellationToken ct, int? headerRow = null)
    {
        var org = await OrgCommands.FindForAsync(db, orgId, Permission.RecordProblems, ct);
        if (length > limits.MaxUploadBytes) return Fail(new Phrase(Sheets.TooLarge, limits.UploadMegabytes));
        List<SheetRow> sheet;
        try { sheet = Sheets.Read(stream, fileName, limits, ct); }
        catch (SheetException e) { return Fail(e.Phrase); }

        LedgerHeader? header;
        if (headerRow is { } hr)
        {
            if (sheet.FirstOrDefault(r => r.Number == hr && !r.IsBlank) is not { } given)
                return Fail($"第 {hr} 行是空行或不存在，不能作为表头", hr);
            header = HeaderAt(given);
        }
        else header = LedgerColumns.FindHeader(sheet) ?? Candidate(sheet);
        if (header is null)
            return Fail("找不到表头：前 15 行中应有一行包含“问题描述”（或“存在问题”）以及“整改时限”或“整改措施”等列名；也可以指定表头所在行");
        foreach (var (field, column) in overrides ?? new Dictionary<LedgerField, int>())
            header = column < 0 ? header.Without(field) : header.WithOverride(field, column);

        var today = ChinaTime.Today(clock);
        var read = LedgerColumns.ReadRows(sheet, header, today);
        var errors = read.Errors.ToList();
        if (!header.Map.ContainsKey(LedgerField.Measures))
            errors.Add(new(header.RowNumber, $"表头中找不到“{LedgerField.Measures.Label()}”列，请在预览中指定对应的列"));
        var warnings = new Dictionary<string, List<int>>();
        void Warn(string text, int row)
        {
            if (!warnings.TryGetValue(text, out var rows)) warnings[text] = rows = [];
            rows.Add(row);
        }

        // Lookups by the distinct texts of the file: lead units (name or code, in the caller's scope), leaders, categories.
        var units = await LeadUnitsAsync(db, read.Rows.Select(r => r.Text(LedgerField.LeadUnit)), ct);
        var leaders = await LeadersAsync(db, read.Rows.Select(r => r.Text(LedgerField.Leader)), ct);
        var categories = await db.Categories.Where(c => !c.Archived).OrderBy(c => c.SortOrder).AsNoTracking().ToListAsync(ct);
        var existing = (await db.ForIntegrity<Problem>().Where(p => p.OrgId == org.Id && p.ImportKey != null)
            .Select(p => p.ImportKey!).ToListAsync(ct)).ToHashSet(StringComparer.Ordinal);

        var plans = new List<Plan>(read.Rows.Count);
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var r in read.Rows)
        {
            var rowErrors = new List<string>();
            var measures = r.Text(LedgerField.Measures);
            if (header.Map.ContainsKey(LedgerField.Measures) && measures.Length == 0) rowErrors.Add("整改措施为空");
            if (r.Text(LedgerField.Target).Length > 1000) rowErrors.Add("整改目标不能超过 1000 字");
            errors.AddRange(rowErrors.Select(e => new LedgerRowError(r.Row, e)));

            var sourceText = r.Text(LedgerField.Source);
            var unitText = r.Text(LedgerField.LeadUnit);
            var lead = org;
            if (unitText.Length > 0 && unitText != org.Name && unitText != org.Code)
            {
                if (units.TryGetValue(unitText, out var found) && found is not null) lead = found;
                else Warn(found is null && units.ContainsKey(unitText)
                    ? $"牵头单位“{unitText}”有多个同名组织，已按所选单位“{org.Name}”登记（可改填组织编码）"
                    : $"牵头单位“{unitText}”不存在或不在您的权限范围内，已按所选单位“{org.Name}”登记", r.Row);
            }
            int? leaderId = null;
            if (r.Text(LedgerField.Leader) is { Length: > 0 } leaderText)
            {
                if (leaders.TryGetValue(leaderText, out var lid) && lid is not null) leaderId = lid;
                else Warn($"责任领导“{leaderText}”不是系统中唯一的班子成员，未关联", r.Row);
            }
            int? categoryId = null;
            if (r.Text(LedgerField.Category) is { Length: > 0 } categoryText)
            {
                var c = categories.FirstOrDefault(c => c.Name == categoryText)
                        ?? categories.FirstOrDefault(c => categoryText.Contains(c.Name, StringComparison.Ordinal));
                if (c is not null) categoryId = c.Id;
                else Warn($"问题类别“{categoryText}”不在类别清单中，未关联", r.Row);
            }

            var deadlineText = r.Text(LedgerField.Deadline);
            var key = KeyOf(org.Id, r.Text(LedgerField.Problem), measures, deadlineText);
            var action = !r.Ok || rowErrors.Count > 0 ? Bad : Created;
            if (action == Created && existing.Contains(key)) action = Unchanged;
            else if (action == Created && seen.TryGetValue(key, out var first))
            {
                action = Unchanged;
                Warn($"与第 {first} 行内容相同，只导入一次", r.Row);
            }
            if (action != Bad) seen.TryAdd(key, r.Row);
            plans.Add(new Plan(r, key, action, SourceOf(sourceText), BatchOf(sourceText), SeverityOf(r.Text(LedgerField.Severity)),
                lead, leaderId, categoryId));
        }

        var header2 = header;
        var width = Math.Max(header.Texts.Count, sheet.Where(r => r.Number > header2.RowNumber).Take(1000)
            .Select(r => r.Cells.Length).DefaultIfEmpty(0).Max());
        var columns = Enumerable.Range(0, Math.Min(width, Sheets.ExcelColumns))
            .Select(c => new LedgerSheetColumn(c, ColumnLetter(c), c < header.Texts.Count ? header.Texts[c] : "")).ToList();
        var mapping = Enum.GetValues<LedgerField>().Select(f => header.ColumnOf(f) is { } c
                ? new LedgerColumnMap(f.ToString(), f.Label(), IsRequired(f), ColumnLetter(c), c < header.Texts.Count ? header.Texts[c] : "")
                : new LedgerColumnMap(f.ToString(), f.Label(), IsRequired(f), null, null)).ToList();
        var unmapped = header.Unmapped.Select(u => new LedgerSheetColumn(u.Column, ColumnLetter(u.Column), u.Text)).ToList();
        var preview = plans.Take(PreviewMax).Select(p => new LedgerPreviewRow(p.Row.Row, p.Row.Text(LedgerField.Problem),
            p.Row.Text(LedgerField.Source), p.Source.Label(), p.Row.Text(LedgerField.Deadline), DeadlineShown(p.Row.Deadline),
            p.Row.Text(LedgerField.Measures), p.Row.Text(LedgerField.LeadUnit), p.Lead.Name, p.Action)).ToList();
        var warningList = warnings.OrderBy(w => w.Value[0]).Select(w => new LedgerRowError(w.Value[0],
            w.Key + "（" + RowList(w.Value) + "）")).ToList();
        int nNew = plans.Count(p => p.Action == Created), nSame = plans.Count(p => p.Action == Unchanged);

        LedgerImportResult Result(bool ok, bool committed, string message, List<LedgerRowError> errs) => new(ok, committed, message,
            header2.RowNumber, mapping, unmapped, columns, errs.Take(ErrorsListed).ToList(), errs.Count, read.Skipped.ToList(),
            warningList, preview, plans.Count, ok ? nNew : 0, ok ? nSame : 0);

        if (errors.Count > 0)
        {
            errors = errors.DistinctBy(e => (e.Row, e.Reason)).OrderBy(e => e.Row).ToList();
            var badRows = errors.Select(e => e.Row).Distinct().Count();
            var listed = errors.Count > ErrorsListed ? $"（以下列出前 {ErrorsListed} 处）" : "";
            return Result(false, false, $"文件有 {errors.Count} 处错误，涉及 {badRows} 行，未导入任何数据{listed}。请修改后重新上传，或在下方更正列的对应关系。", errors);
        }
        string Summary() => $"共 {plans.Count} 行：新增 {nNew} 条，已导入过（不变）{nSame} 条";
        if (!commit) return Result(true, false, $"检查通过（第 {header.RowNumber} 行是表头），{Summary()}。确认后导入到“{org.Name}”。", []);

        var written = await WriteAsync(db, org, plans.Where(p => p.Action == Created).ToList(), fileName, today,
            ChinaTime.Now(clock), ct);
        // rows the same file brought in meanwhile (another import, between the check and the write) count as 不变
        if (written < nNew) (nSame, nNew) = (nSame + nNew - written, written);
        return Result(true, true, $"导入完成（{org.Name}）：{Summary()}", []);
    }

    /// The header named by the user, or when no row qualifies as a header (its 问题 column has an unknown name): the
    /// topmost of the first 15 rows naming the most fields, at least two, so the preview can offer the mapping to fix.
    static LedgerHeader? Candidate(IReadOnlyList<SheetRow> sheet) => sheet.Where(r => !r.IsBlank).Take(15)
        .Select(HeaderAt).Where(h => h.Map.Count >= 2).OrderByDescending(h => h.Map.Count).ThenBy(h => h.RowNumber).FirstOrDefault();

    /// One row read as the header: exact names before contained names; for two columns of a kind, the leftmost.
    static LedgerHeader HeaderAt(SheetRow row)
    {
        var texts = Enumerable.Range(0, row.Cells.Length).Select(row.Text).ToArray();
        var map = new Dictionary<LedgerField, int>();
        foreach (var (c, r) in texts.Select((t, c) => (c, r: LedgerColumns.Recognise(t))).Where(x => x.r is not null)
                     .OrderBy(x => x.r!.Value.Exact ? 0 : 1).ThenBy(x => x.c))
            map.TryAdd(r!.Value.Field, c);
        var unmapped = texts.Select((t, c) => (c, t)).Where(x => x.t.Length > 0 && !map.ContainsValue(x.c)).ToList();
        return new LedgerHeader(row.Number, map, unmapped) { Texts = texts };
    }

    sealed record Plan(LedgerRow Row, string Key, string Action, SourceChannel Source, string? Batch, Severity Severity,
        Org Lead, int? LeaderId, int? CategoryId);

    /// The write, short and atomic. Every record is built before the transaction; inside it, under the audit lock
    /// (taken first, AuditTrail's lock order), the keys are checked again, problems and items go in set-based
    /// (BulkInsert) and the chain gets one Imported step per table for the whole import, holding the id range and a
    /// digest of the rows that `audit verify` recomputes. Per-row SaveChanges with per-row audit entries held the lock
    /// for minutes at 20,000 rows; this holds it for well under a second, so submissions and other writers pass.
    /// A failure rolls the one transaction back: nothing of the import stays.
    static async Task<int> WriteAsync(BihuanDb db, Org org, List<Plan> plans, string fileName, DateOnly today, DateTime now,
        CancellationToken ct)
    {
        if (plans.Count == 0) return 0;
        var rows = plans.Select(p => Build(p, org, today, now)).ToList();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await AuditTrail.LockAsync(db, ct);
        var present = (await db.ForIntegrity<Problem>().Where(p => p.OrgId == org.Id && p.ImportKey != null)
            .Select(p => p.ImportKey!).ToListAsync(ct)).ToHashSet(StringComparer.Ordinal);
        if (present.Count > 0) rows.RemoveAll(r => present.Contains(r.Problem.ImportKey!));
        if (rows.Count == 0) return 0;
        var problems = rows.ConvertAll(r => r.Problem);
        var items = rows.ConvertAll(r => r.Item);
        rows.Clear();
        var note = $"台账导入（{org.Name}，{Path.GetFileName(fileName)}）";
        await GeneratedAudit.InsertAsync(db, problems, AuditAction.Imported, note, org.SelfPath, ct);
        for (var i = 0; i < items.Count; i++) items[i].ProblemId = problems[i].Id;
        await GeneratedAudit.InsertAsync(db, items, AuditAction.Imported, note, org.SelfPath, ct);
        // what SaveChanges marks for an added item (RollupMarks): its org's dashboard roll-ups are stale
        foreach (var orgId in items.Select(i => i.OrgId).Distinct())
            db.RollupMarks.Add(new RollupMark { OrgId = orgId, Kind = nameof(RectItem) });
        await db.SaveChangesAsync(ct);   // the marks and the two chain steps, in this transaction
        await tx.CommitAsync(ct);
        return problems.Count;
    }

    static (Problem Problem, RectItem Item) Build(Plan p, Org org, DateOnly today, DateTime now)
    {
        var r = p.Row;
        var problem = new Problem
        {
            OrgId = org.Id, Description = r.Text(LedgerField.Problem), Source = p.Source, Aspect = Aspect.Work,
            Dimension = Dimension.RealWork, Severity = p.Severity, CategoryId = p.CategoryId, LeaderId = p.LeaderId,
            Batch = p.Batch, ImportKey = p.Key, CreatedAt = now,
        };
        var kind = r.Deadline.Kind;
        var item = new RectItem
        {
            OrgId = p.Lead.Id, Measures = r.Text(LedgerField.Measures), Target = Blank(r.Text(LedgerField.Target)),
            CoUnits = Blank(r.Text(LedgerField.CoUnits)), LeaderId = p.LeaderId, Handler = Blank(r.Text(LedgerField.Handler)),
            DeadlineKind = kind, StartOn = today,
            // Past dates are kept: an imported ledger is history too (the form refuses them, the import does not).
            Deadline = kind switch { DeadlineKind.Dated => r.Deadline.Date, DeadlineKind.Immediate => today, DeadlineKind.Ongoing => null },
            ReportEveryDays = kind == DeadlineKind.Ongoing ? OngoingReportEveryDays : null,
            Severity = p.Severity, Source = p.Source, CreatedAt = now,
        };
        return (problem, item);
    }

    static string? Blank(string s) => s.Length == 0 ? null : s;

    static bool IsRequired(LedgerField f) => f is LedgerField.Problem or LedgerField.Deadline or LedgerField.Measures;

    /// Name or code → the org (null when the name is ambiguous); texts matching nothing are absent.
    static async Task<Dictionary<string, Org?>> LeadUnitsAsync(BihuanDb db, IEnumerable<string> texts, CancellationToken ct)
    {
        var wanted = texts.Where(t => t.Length > 0).Distinct().ToList();
        var found = new Dictionary<string, Org?>();
        foreach (var chunk in wanted.Chunk(500))
        {
            var orgs = await db.Orgs.Where(o => !o.Archived && (chunk.Contains(o.Name) || chunk.Contains(o.Code)))
                .AsNoTracking().ToListAsync(ct);
            foreach (var o in orgs.Where(o => chunk.Contains(o.Code))) found[o.Code] = o;
            foreach (var g in orgs.Where(o => chunk.Contains(o.Name)).GroupBy(o => o.Name))
                found.TryAdd(g.Key, g.Count() == 1 ? g.First() : null);
        }
        return found;
    }

    static async Task<Dictionary<string, int?>> LeadersAsync(BihuanDb db, IEnumerable<string> texts, CancellationToken ct)
    {
        var wanted = texts.Where(t => t.Length > 0).Distinct().ToList();
        var found = new Dictionary<string, int?>();
        foreach (var chunk in wanted.Chunk(500))
        {
            var people = await db.People.Where(p => p.IsLeadership && !p.Archived && chunk.Contains(p.Name))
                .Select(p => new { p.Id, p.Name }).ToListAsync(ct);
            foreach (var g in people.GroupBy(p => p.Name)) found[g.Key] = g.Count() == 1 ? g.First().Id : null;
        }
        return found;
    }

    static string RowList(List<int> rows) => rows.Count <= 10
        ? "第 " + string.Join("、", rows) + " 行"
        : "第 " + string.Join("、", rows.Take(10)) + $" 行等 {rows.Count} 行";

    static string DeadlineShown(DeadlineParse d) => !d.Ok ? "—" : d.Kind switch
    {
        DeadlineKind.Dated => d.Date!.Value.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        DeadlineKind.Immediate => RectApi.DeadlineLabel(DeadlineKind.Immediate),
        DeadlineKind.Ongoing => RectApi.DeadlineLabel(DeadlineKind.Ongoing),
    };

    static LedgerImportResult Fail(string message, int row = 0) =>
        new(false, false, message, 0, [], [], [], [new LedgerRowError(row, message)], 1, [], [], [], 0, 0, 0);

    static LedgerImportResult Fail(Phrase refusal) => Fail(refusal.ToString()) with { Refusal = refusal };

    /// The stable key of a ledger row within a unit: SHA-256 (hex, first 32) of the unit and the normalized problem,
    /// measures and deadline texts (NFKC, no whitespace), so re-saving the file in another tool changes nothing.
    public static string KeyOf(int orgId, string problem, string measures, string deadlineText)
    {
        var text = string.Join("\n", orgId.ToString(CultureInfo.InvariantCulture), Norm(problem), Norm(measures), Norm(deadlineText));
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..32];

        static string Norm(string s) => new(s.Normalize(NormalizationForm.FormKC).Where(c => !char.IsWhiteSpace(c)).ToArray());
    }

    static readonly (string[] Words, SourceChannel Channel)[] SourceWords =
    [
        (["巡视", "巡察"], SourceChannel.InspectionFeedback),
        (["审计"], SourceChannel.AuditFinding),
        (["12345", "热线", "信访"], SourceChannel.Hotline),
        (["群众", "征求意见"], SourceChannel.PublicOpinion),
        (["监督检查"], SourceChannel.SupervisionCheck),
        (["上级", "交办"], SourceChannel.AssignedByUpper),
        (["民主生活会", "组织生活会"], SourceChannel.LifeMeeting),
    ];

    /// 问题来源 text → channel, by the first keyword group it contains (in the order above); else 自查自纠.
    public static SourceChannel SourceOf(string text)
    {
        var t = text.Normalize(NormalizationForm.FormKC);
        foreach (var (words, channel) in SourceWords)
            if (words.Any(w => t.Contains(w, StringComparison.Ordinal))) return channel;
        return SourceChannel.SelfInspection;
    }

    /// The source text itself when it names a batch (省委第三巡视组反馈, 2025年区委第二轮巡察, 区审计组): kept as Problem.Batch.
    public static string? BatchOf(string text)
    {
        var t = text.Trim();
        return t.Length is > 0 and <= 200 && BatchPattern().IsMatch(t) ? t : null;
    }

    [GeneratedRegex(@"第[一二三四五六七八九十百零〇\d]+(轮|批|组|次|巡视组|巡察组|督查组|检查组)|(巡视|巡察|审计|督查|检查|督导)组|\d{4}\s*年")]
    private static partial Regex BatchPattern();

    /// 严重程度 text → severity: 较重/较大/较严重/中 → 较重; 重大/严重/特别/高 → 重大; else 一般.
    public static Severity SeverityOf(string text)
    {
        var t = text.Trim();
        if (t.Length == 0) return Severity.General;
        if (new[] { "较重", "较大", "较严重", "较高", "中等" }.Any(t.Contains) || t is "中" or "中风险") return Severity.Significant;
        if (new[] { "重大", "严重", "特别", "高风险" }.Any(t.Contains) || t is "高" or "重") return Severity.Serious;
        return Severity.General;
    }

    public static string ColumnLetter(int index) => Sheets.ColumnName(index);

    /// "C" / "c" / "AB" → the column index; "" or "-" → -1 (no column). False for anything else or past MaxColumns.
    public static bool TryParseColumn(string? text, out int column)
    {
        column = -1;
        var t = text?.Trim().ToUpperInvariant() ?? "";
        if (t is "" or "-") return true;
        if (t.Length > 3 || !t.All(c => c is >= 'A' and <= 'Z')) return false;
        column = Sheets.ColumnIndex(t);
        return column < Sheets.ExcelColumns;
    }

    /// Reads map.Problem=C style pairs (field names are LedgerField names, case-insensitive).
    public static bool TryParseOverrides(IEnumerable<KeyValuePair<string, string?>> pairs, out Dictionary<LedgerField, int> overrides,
        out List<Invalid> errors)
    {
        overrides = [];
        errors = [];
        foreach (var (name, value) in pairs)
        {
            if (!name.StartsWith("map.", StringComparison.OrdinalIgnoreCase)) continue;
            var fieldName = name[4..];
            if (!Enum.TryParse<LedgerField>(fieldName, ignoreCase: true, out var field) || !Enum.IsDefined(field)
                || int.TryParse(fieldName, out _))
                errors.Add(new(name, $"未知的字段“{fieldName}”（可用：{string.Join("、", Enum.GetNames<LedgerField>())}）"));
            else if (!TryParseColumn(value, out var column))
                errors.Add(new(name, $"列“{value}”无效：请填写列字母（如 C），或 - 表示不导入该字段"));
            else overrides[field] = column;
        }
        return errors.Count == 0;
    }
}
