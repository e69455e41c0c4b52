using Bihuan.Data;
using Bihuan.Domain;
using Bihuan.Infrastructure;
using Microsoft.EntityFrameworkCore;
using MiniExcelLibs;

namespace Bihuan.Features.Organizations;

public sealed record ImportRowError(int Row, string Reason);
public sealed record ImportRowPlan(int Row, string Name, string Code, string Type, string? Parent, string Action);
public sealed record OrgImportResult(bool Ok, bool Committed, string Message, List<ImportRowError> Errors,
    List<ImportRowPlan> Rows, int Created, int Updated, int Unchanged)
{
    /// The file refused as a whole (a limit): Message as a phrase the page shows in the reader's language.
    [System.Text.Json.Serialization.JsonIgnore] public Phrase? Refusal { get; init; }
}

/// Imports an org tree from .xlsx/.csv (columns 组织名称, 上级组织, 组织类型, 组织编码; optional 上级组织编码 and 排序).
/// Validates the whole file first; only a clean file is committed, in one transaction. Orgs are matched by code,
/// so importing the same file twice changes nothing.
public static class OrgImport
{
    const string Created = "新增", Updated = "更新", Unchanged = "不变";

    static readonly Dictionary<string, string[]> Columns = new()
    {
        ["name"] = ["组织名称", "名称", "单位名称", "党组织名称"],
        ["parent"] = ["上级组织", "上级组织名称", "上级党组织", "上级单位"],
        ["parentCode"] = ["上级组织编码", "上级编码", "上级组织代码"],
        ["type"] = ["组织类型", "类型", "党组织类型"],
        ["code"] = ["组织编码", "编码", "组织代码", "党组织编码"],
        ["sort"] = ["排序", "排序号", "顺序"],
    };

    sealed record Line(int Row, string Name, string Code, string TypeText, string Parent, string ParentCode, int? Sort)
    {
        public OrgType Type;
        public string? ParentKey;    // code of the parent, whether it comes from the file or the database
        public Org? Existing;
        public int Level;
    }

    public static async Task<OrgImportResult> RunAsync(BihuanDb db, TimeProvider clock, ImportLimits limits, Stream stream,
        string fileName, long length, bool commit, CancellationToken ct)
    {
        if (!db.Access.CanAnywhere(Permission.ManageOrgs))
            throw new DomainException(new Forbidden("只有系统管理员可以导入组织架构"));
        if (length > limits.MaxUploadBytes) return Fail(new Phrase(Sheets.TooLarge, limits.UploadMegabytes));
        List<SheetRow> sheet;
        try { sheet = Sheets.Read(stream, fileName, limits, ct); }
        catch (SheetException e) { return Fail(e.Phrase); }

        var header = sheet.Take(10).FirstOrDefault(r => Enumerable.Range(0, r.Cells.Length)
            .Any(i => Columns["name"].Contains(Sheets.HeaderKey(r.Text(i)))));
        if (header is null)
            return Fail("找不到表头：前 10 行中应有一行包含 组织名称、上级组织、组织类型、组织编码");
        var col = Columns.ToDictionary(kv => kv.Key, kv => Enumerable.Range(0, header.Cells.Length)
            .FirstOrDefault(i => kv.Value.Contains(Sheets.HeaderKey(header.Text(i))), -1));
        var missing = new[] { ("name", "组织名称"), ("type", "组织类型"), ("code", "组织编码") }
            .Where(c => col[c.Item1] < 0).Select(c => c.Item2).ToList();
        if (col["parent"] < 0 && col["parentCode"] < 0) missing.Add("上级组织");
        if (missing.Count > 0)
            return Fail($"第 {header.Number} 行表头缺少列：{string.Join("、", missing)}", header.Number);

        var errors = new List<ImportRowError>();
        var lines = new List<Line>();
        foreach (var r in sheet.Where(r => r.Number > header.Number && !r.IsBlank))
        {
            var sortText = r.Text(col["sort"]);
            int? sort = int.TryParse(sortText, out var s) ? s : null;
            if (sortText.Length > 0 && sort is null) errors.Add(new(r.Number, $"排序“{sortText}”不是整数"));
            lines.Add(new Line(r.Number, r.Text(col["name"]), r.Text(col["code"]), r.Text(col["type"]),
                r.Text(col["parent"]), r.Text(col["parentCode"]), sort));
        }
        if (lines.Count == 0) return Fail("文件中没有数据行（表头以下是空的）");

        var all = await db.Orgs.ToListAsync(ct);   // the importer's visible tree, tracked for the commit
        var byCode = all.ToDictionary(o => o.Code);
        var byId = all.ToDictionary(o => o.Id);
        var byName = all.ToLookup(o => o.Name);
        var fileCodes = new Dictionary<string, Line>();
        // Codes used anywhere (also outside the importer's scope), loaded once rather than asked row by row.
        var allCodes = (await db.ForIntegrity<Org>().Select(o => o.Code).ToListAsync(ct)).ToHashSet();
        var root = await db.ForIntegrity<Org>().FirstOrDefaultAsync(o => o.ParentId == null, ct);

        foreach (var l in lines)
        {
            foreach (var e in Org.Validate(l.Name, l.Code)) errors.Add(new(l.Row, e.Text));
            if (!OrgTypes.TryParse(l.TypeText, out l.Type))
                errors.Add(new(l.Row, l.TypeText.Length == 0 ? "组织类型不能为空" : $"未知的组织类型“{l.TypeText}”（可用：{OrgTypes.KnownLabels}）"));
            if (l.Code.Length == 0) continue;
            if (fileCodes.TryGetValue(l.Code, out var first))
                errors.Add(new(l.Row, $"组织编码“{l.Code}”与第 {first.Row} 行重复"));
            else fileCodes[l.Code] = l;
            if (byCode.TryGetValue(l.Code, out var existing)) l.Existing = existing;
            else if (allCodes.Contains(l.Code))
                errors.Add(new(l.Row, $"组织编码“{l.Code}”已被您权限范围以外的组织使用"));
        }

        var fileByName = lines.ToLookup(l => l.Name);
        foreach (var l in lines)
        {
            if (l.ParentCode.Length > 0)
            {
                if (fileCodes.ContainsKey(l.ParentCode) || byCode.ContainsKey(l.ParentCode)) l.ParentKey = l.ParentCode;
                else errors.Add(new(l.Row, $"上级组织编码“{l.ParentCode}”在文件和系统中都找不到"));
            }
            else if (l.Parent.Length > 0)
            {
                if (fileCodes.ContainsKey(l.Parent) || byCode.ContainsKey(l.Parent)) l.ParentKey = l.Parent;
                else if (fileByName[l.Parent].ToList() is { Count: > 0 } inFile)
                {
                    if (inFile.Count > 1)
                        errors.Add(new(l.Row, $"上级组织“{l.Parent}”在文件中有 {inFile.Count} 个同名组织，请改填上级组织编码"));
                    else l.ParentKey = inFile[0].Code;
                }
                else if (byName[l.Parent].ToList() is { Count: > 0 } inDb)
                {
                    if (inDb.Count > 1)
                        errors.Add(new(l.Row, $"上级组织“{l.Parent}”在系统中有 {inDb.Count} 个同名组织，请改填上级组织编码"));
                    else l.ParentKey = inDb[0].Code;
                }
                else errors.Add(new(l.Row, $"上级组织“{l.Parent}”在文件和系统中都找不到"));
            }
            else
            {
                if (!db.Access.CanAnywhere(Permission.ManageOrgs))
                    errors.Add(new(l.Row, "上级组织不能为空"));
                else if (root is not null && root.Code != l.Code)
                    errors.Add(new(l.Row, $"上级组织不能为空：系统已有根组织“{root.Name}”"));
            }
            if (l.ParentKey == l.Code) errors.Add(new(l.Row, "上级组织不能是它自己"));
        }

        // The parent of a code after the import: the file's word where it has one, else the database's.
        string? ParentOf(string code) =>
            fileCodes.TryGetValue(code, out var fl) ? fl.ParentKey
            : byCode.TryGetValue(code, out var o) && o.ParentId is { } pid && byId.TryGetValue(pid, out var p) ? p.Code : null;
        foreach (var l in lines.Where(l => l.ParentKey is not null && fileCodes.GetValueOrDefault(l.Code) == l))
        {
            var chain = new List<string> { l.Code };
            for (var cur = l.ParentKey; cur is not null; cur = ParentOf(cur))
            {
                if (cur == l.Code)
                {
                    errors.Add(new(l.Row, $"上级关系形成循环：{string.Join(" → ", chain.Append(cur).Select(NameOf))}"));
                    break;
                }
                chain.Add(cur);
                if (chain.Count > 64) { errors.Add(new(l.Row, "层级超过 64 层")); break; }
            }
            l.Level = chain.Count(c => fileCodes.ContainsKey(c)) - 1;
        }
        string NameOf(string code) => fileCodes.TryGetValue(code, out var fl) ? fl.Name : byCode.GetValueOrDefault(code)?.Name ?? code;

        foreach (var l in lines.Where(l => l.ParentKey is not null && !fileCodes.ContainsKey(l.ParentKey)))
            if (!db.Access.Can(Permission.ManageOrgs, byCode[l.ParentKey!]))
                errors.Add(new(l.Row, $"您无权在“{byCode[l.ParentKey!].Name}”下维护组织"));
        foreach (var l in lines.Where(l => l.Existing is not null))
            if (!db.Access.Can(Permission.ManageOrgs, l.Existing!))
                errors.Add(new(l.Row, $"您无权修改“{l.Existing!.Name}”"));

        var plan = lines.Select(l => new ImportRowPlan(l.Row, l.Name, l.Code, l.Type.Label(), l.ParentKey,
            l.Existing is null ? Created
            : l.Existing.Name == l.Name && l.Existing.Type == l.Type && ParentCodeInDb(l.Existing) == l.ParentKey
              && (l.Sort is null || l.Sort == l.Existing.SortOrder) ? Unchanged : Updated)).ToList();
        string? ParentCodeInDb(Org o) => o.ParentId is { } pid && byId.TryGetValue(pid, out var p) ? p.Code : null;

        int nNew = plan.Count(p => p.Action == Created), nUpd = plan.Count(p => p.Action == Updated),
            nSame = plan.Count(p => p.Action == Unchanged);
        if (errors.Count > 0)
        {
            errors = errors.DistinctBy(e => (e.Row, e.Reason)).OrderBy(e => e.Row).ToList();
            return new(false, false, $"文件有 {errors.Count} 处错误，未导入任何数据。请修改后重新上传。", errors, plan, 0, 0, 0);
        }
        var summary = $"新增 {nNew} 个，更新 {nUpd} 个，不变 {nSame} 个";
        if (!commit) return new(true, false, $"检查通过：{summary}。确认后导入。", [], plan, nNew, nUpd, nSame);

        var now = ChinaTime.Now(clock);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        foreach (var level in lines.GroupBy(l => l.Level).OrderBy(g => g.Key))
        {
            foreach (var l in level)
            {
                var parent = l.ParentKey is null ? null : byCode[l.ParentKey];
                if (l.Existing is { } o)
                {
                    if (o.Name != l.Name) o.Name = l.Name;
                    if (o.Type != l.Type) o.Type = l.Type;
                    if (l.Sort is { } so && o.SortOrder != so) o.SortOrder = so;
                    if (o.ParentId != parent?.Id) o.MoveUnder(parent, all);
                }
                else
                {
                    var org = new Org
                    {
                        Name = l.Name, Code = l.Code, Type = l.Type, ParentId = parent?.Id,
                        Path = parent?.SelfPath ?? "/", Depth = parent is null ? 0 : parent.Depth + 1,
                        SortOrder = l.Sort ?? l.Row * 10, CreatedAt = now,
                    };
                    db.Orgs.Add(org);
                    all.Add(org);
                    byCode[l.Code] = org;
                }
            }
            await db.SaveChangesAsync(ct);
            foreach (var o in all) byId[o.Id] = o;
        }
        await tx.CommitAsync(ct);
        return new(true, true, $"导入完成：{summary}", [], plan, nNew, nUpd, nSame);
    }

    static OrgImportResult Fail(string message, int row = 0) =>
        new(false, false, message, [new ImportRowError(row, message)], [], 0, 0, 0);

    static OrgImportResult Fail(Phrase refusal) => Fail(refusal.ToString()) with { Refusal = refusal };

    /// The visible tree in the import's own columns, so an export can be edited and imported back.
    public static async Task<byte[]> ExportAsync(BihuanDb db, CancellationToken ct)
    {
        var orgs = await OrgQueries.AllVisibleAsync(db, ct);
        var byId = orgs.ToDictionary(o => o.Id);
        var rows = new List<Dictionary<string, object?>>
        {
            Row($"组织架构（导出：{db.Actor}，{ChinaTime.Format(DateTime.UtcNow)}）", "", "", "", "", "", ""),
            Row("组织名称", "上级组织", "上级组织编码", "组织类型", "组织编码", "排序", "状态"),
        };
        foreach (var o in orgs)
        {
            var p = o.ParentId is { } pid ? byId.GetValueOrDefault(pid) : null;
            rows.Add(Row(o.Name, p?.Name ?? "", p?.Code ?? "", o.Type.Label(), o.Code, o.SortOrder, o.Archived ? "已撤销" : "正常"));
        }
        using var ms = new MemoryStream();
        await ms.SaveAsAsync(rows, printHeader: false, cancellationToken: ct);
        return ms.ToArray();

        static Dictionary<string, object?> Row(params object?[] v) =>
            v.Select((x, i) => (Key: ((char)('A' + i)).ToString(), x)).ToDictionary(t => t.Key, t => t.x);
    }
}
