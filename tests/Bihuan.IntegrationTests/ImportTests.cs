using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Bihuan.Domain;
using Bihuan.Features.Organizations;
using MiniExcelLibs;

namespace Bihuan.IntegrationTests;

/// POST /api/v1/orgs/import with real .xlsx (MiniExcel, a title row above the header, as offices make them) and .csv
/// (UTF-8 and GB18030) files: preview, commit, idempotent re-import, and a bad file writes nothing at all.
public abstract class ImportTestsBase(Func<BihuanFactory> factory)
{
    static ImportTestsBase() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

    protected BihuanFactory App => factory();

    static readonly string[] Header = ["组织名称", "上级组织", "组织类型", "组织编码"];

    /// An .xlsx whose row 1 is a title, row 2 the header, data from row 3.
    static byte[] Xlsx(string[] header, params string[][] rows)
    {
        // MiniExcel takes the columns from the first row, so the title row carries every column (empty but the first).
        var width = Math.Max(header.Length, rows.Select(r => r.Length).DefaultIfEmpty(0).Max());
        var all = new List<Dictionary<string, object?>> { Row(width, "越秀区组织架构导入表（2026年）"), Row(width, header) };
        all.AddRange(rows.Select(r => Row(width, r)));
        using var ms = new MemoryStream();
        ms.SaveAs(all, printHeader: false);
        return ms.ToArray();

        static Dictionary<string, object?> Row(int width, params string[] v) => Enumerable.Range(0, width)
            .ToDictionary(i => ((char)('A' + i)).ToString(), i => (object?)(i < v.Length ? v[i] : ""));
    }

    static string Csv(string[] header, params string[][] rows) =>
        string.Join("\r\n", new[] { header }.Concat(rows).Select(r => string.Join(",", r.Select(c => c.Contains(',') ? $"\"{c}\"" : c)))) + "\r\n";

    async Task<HttpResponseMessage> Upload(string user, byte[] bytes, string fileName, bool commit)
    {
        var client = await App.ClientFor(user);
        using var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(bytes);
        file.Headers.ContentType = new MediaTypeHeaderValue(fileName.EndsWith(".csv") ? "text/csv" : "application/octet-stream");
        form.Add(file, "file", fileName);
        return await client.PostAsync($"/api/v1/orgs/import?commit={(commit ? "true" : "false")}", form);
    }

    /// Three new orgs under 越秀区委: a bureau (parent by code), its branch (parent by the bureau's name in the file).
    static (string Bureau, string BureauCode, string[][] Rows) CleanRows()
    {
        var id = Guid.NewGuid().ToString("N")[..6].ToUpperInvariant();
        var bureau = $"越秀区数据局{id}";
        return (bureau, $"GZ-YX-SJ{id}",
        [
            [bureau, "GZ-YX", "机关单位", $"GZ-YX-SJ{id}"],
            [$"数据局机关党支部{id}", bureau, "党支部", $"GZ-YX-SJ{id}-ZB"],
            [$"数据局第二党支部{id}", bureau, "支部", $"GZ-YX-SJ{id}-ZB2"],
        ]);
    }

    async Task<List<OrgDto>> Search(string q) =>
        await (await (await App.ClientFor("admin")).GetAsync($"/api/v1/orgs?q={Uri.EscapeDataString(q)}")).Expect<List<OrgDto>>(HttpStatusCode.OK);

    [SkippableFact]
    public async Task Import_CleanXlsx_PreviewsThenCommitsThenReimportChangesNothing()
    {
        var (bureau, code, rows) = CleanRows();
        var file = Xlsx(Header, rows);
        await App.ClientFor("admin"); // its token is audited when first made: make it before counting
        var orgs = await App.Count<Org>();
        var audit = await App.Count<AuditEntry>();

        var preview = await (await Upload("admin", file, "架构.xlsx", commit: false)).Expect<OrgImportResult>(HttpStatusCode.OK);
        Assert.True(preview.Ok);
        Assert.False(preview.Committed);
        Assert.Equal((3, 0, 0), (preview.Created, preview.Updated, preview.Unchanged));
        Assert.Equal([3, 4, 5], preview.Rows.Select(r => r.Row));
        Assert.All(preview.Rows, r => Assert.Equal("新增", r.Action));
        Assert.Equal(orgs, await App.Count<Org>());
        Assert.Empty(await Search(code));

        var done = await (await Upload("admin", file, "架构.xlsx", commit: true)).Expect<OrgImportResult>(HttpStatusCode.OK);
        Assert.True(done.Committed);
        Assert.Equal(3, done.Created);
        Assert.Equal(orgs + 3, await App.Count<Org>());
        Assert.True(await App.Count<AuditEntry>() >= audit + 3, "each created org is audited");
        var created = Assert.Single(await Search(code));
        Assert.Equal((bureau, OrgType.Agency, await App.OrgId("GZ-YX"), 2), (created.Name, created.Type, created.ParentId, created.Depth));
        var children = await (await (await App.ClientFor("yx.office")).GetAsync($"/api/v1/orgs/{created.Id}/children")).Expect<List<OrgDto>>(HttpStatusCode.OK);
        Assert.Equal([$"{code}-ZB", $"{code}-ZB2"], children.Select(c => c.Code).Order());
        Assert.All(children, c => Assert.Equal(OrgType.Branch, c.Type));

        var auditAfter = await App.Count<AuditEntry>();
        var again = await (await Upload("admin", file, "架构.xlsx", commit: true)).Expect<OrgImportResult>(HttpStatusCode.OK);
        Assert.Equal((0, 0, 3), (again.Created, again.Updated, again.Unchanged));
        Assert.Equal(orgs + 3, await App.Count<Org>());
        Assert.Equal(auditAfter, await App.Count<AuditEntry>());
        var verify = await (await (await App.ClientFor("admin")).GetAsync("/api/v1/audit/verify")).Expect<AuditReport>(HttpStatusCode.OK);
        Assert.True(verify.Intact, verify.Message);
    }

    [SkippableFact]
    public async Task Import_ChangedRow_UpdatesOnlyThatOrg()
    {
        var (_, code, rows) = CleanRows();
        await (await Upload("admin", Xlsx(Header, rows), "a.xlsx", commit: true)).Expect(HttpStatusCode.OK);
        rows[2][0] += "（更名）";
        var res = await (await Upload("admin", Xlsx(Header, rows), "a.xlsx", commit: true)).Expect<OrgImportResult>(HttpStatusCode.OK);
        Assert.Equal((0, 1, 2), (res.Created, res.Updated, res.Unchanged));
        Assert.EndsWith("（更名）", Assert.Single(await Search($"{code}-ZB2")).Name);
    }

    [SkippableTheory]
    [InlineData("utf-8")]
    [InlineData("utf-8-bom")]
    [InlineData("gb18030")]
    public async Task Import_Csv_DecodesChineseAndCommits(string encoding)
    {
        var (bureau, code, rows) = CleanRows();
        var text = Csv(Header, rows);
        var bytes = encoding switch
        {
            "utf-8" => new UTF8Encoding(false).GetBytes(text),
            "utf-8-bom" => [.. Encoding.UTF8.GetPreamble(), .. Encoding.UTF8.GetBytes(text)],
            _ => Encoding.GetEncoding("GB18030").GetBytes(text),
        };
        var res = await (await Upload("admin", bytes, "架构.csv", commit: true)).Expect<OrgImportResult>(HttpStatusCode.OK);
        Assert.Equal(3, res.Created);
        Assert.Equal([2, 3, 4], res.Rows.Select(r => r.Row));
        Assert.Equal(bureau, Assert.Single(await Search(code)).Name);
        Assert.Single(await Search(bureau));
    }

    public static TheoryData<string> BadFiles => new()
    {
        "wrong-columns", "missing-code-column", "unknown-parent", "duplicate-code", "cycle", "unknown-type",
        "empty", "header-only", "random-bytes", "png", "fake-xlsx", "old-xls",
    };

    [SkippableTheory]
    [MemberData(nameof(BadFiles))]
    public async Task Import_BadFile_Returns400WithRowsAndWritesNothing(string kind)
    {
        var (bureau, code, rows) = CleanRows();
        var png = Convert.FromBase64String("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==");
        var random = new byte[4096];
        new Random(42).NextBytes(random);
        random[10] = 0;
        var (bytes, name, expectRows, reason) = kind switch
        {
            "wrong-columns" => (Xlsx(["名字", "父级", "类别", "编号"], rows), "a.xlsx", new[] { 0 }, "表头"),
            "missing-code-column" => (Xlsx(["组织名称", "上级组织", "组织类型"], rows), "a.xlsx", [2], "组织编码"),
            "unknown-parent" => (Xlsx(Header, [.. rows, ["孤儿党支部", "不存在的上级组织", "党支部", code + "-X"]]), "a.xlsx", [6], "找不到"),
            "duplicate-code" => (Xlsx(Header, [.. rows, ["重复党支部", bureau, "党支部", code + "-ZB"]]), "a.xlsx", [6], "重复"),
            "cycle" => (Xlsx(Header, [.. rows, ["甲组织", "乙组织", "党支部", code + "-A"], ["乙组织", "甲组织", "党支部", code + "-B"]]),
                "a.xlsx", [6, 7], "循环"),
            "unknown-type" => (Xlsx(Header, [.. rows, ["怪组织", bureau, "秘密结社", code + "-Q"]]), "a.xlsx", [6], "组织类型"),
            "empty" => (Array.Empty<byte>(), "a.xlsx", [0], "空"),
            "header-only" => (Xlsx(Header), "a.xlsx", [0], "没有数据行"),
            "random-bytes" => (random, "a.csv", [0], "不是"),
            "png" => (png, "logo.png", [0], "不是"),
            "fake-xlsx" => (Encoding.UTF8.GetBytes("<html>not a workbook</html>"), "a.xlsx", [0], ".xlsx"),
            "old-xls" => (new byte[] { 0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0, 0, 0 }, "a.xls", [0], ".xls"),
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };
        await App.ClientFor("admin"); // its token is audited when first made: make it before counting
        var orgs = await App.Count<Org>();
        var audit = await App.Count<AuditEntry>();
        foreach (var commit in new[] { false, true })
        {
            var p = await (await Upload("admin", bytes, name, commit)).ExpectProblem(HttpStatusCode.BadRequest);
            Assert.Equal("import_invalid", p.GetProperty("code").GetString());
            var errors = p.GetProperty("rows").EnumerateArray()
                .Select(e => (Row: e.GetProperty("row").GetInt32(), Reason: e.GetProperty("reason").GetString()!)).ToList();
            Assert.Equal(expectRows, errors.Select(e => e.Row).Distinct().Order());
            Assert.Contains(errors, e => e.Reason.Contains(reason));
        }
        Assert.Equal(orgs, await App.Count<Org>());
        Assert.Equal(audit, await App.Count<AuditEntry>());
        Assert.Empty(await Search(code));
    }

    [SkippableFact]
    public async Task Import_AsNonAdmin_Returns403AndWritesNothing()
    {
        var (_, code, rows) = CleanRows();
        var orgs = await App.Count<Org>();
        foreach (var user in new[] { "yx.office", "yx.fgj.head", "gz.jw" })
            await (await Upload(user, Xlsx(Header, rows), "a.xlsx", commit: true)).ExpectProblem(HttpStatusCode.Forbidden);
        Assert.Equal(orgs, await App.Count<Org>());
        Assert.Empty(await Search(code));
    }

    [SkippableFact]
    public async Task Import_NoFile_Returns400()
    {
        var client = await App.ClientFor("admin");
        using var form = new MultipartFormDataContent { { new StringContent("x"), "other" } };
        var res = await client.PostAsync("/api/v1/orgs/import?commit=true", form);
        await res.ExpectProblem(HttpStatusCode.BadRequest);
    }

    [SkippableFact]
    public async Task Export_ThenImportUnchanged_ReportsEverythingUnchanged()
    {
        var admin = await App.ClientFor("admin");
        var export = await (await admin.GetAsync("/api/v1/orgs/export.xlsx")).Content.ReadAsByteArrayAsync();
        var res = await (await Upload("admin", export, "export.xlsx", commit: false)).Expect<OrgImportResult>(HttpStatusCode.OK);
        Assert.Equal(0, res.Created + res.Updated);
        Assert.Equal(await App.Count<Org>(), res.Unchanged);
    }
}

public sealed class SqliteImportTests(SqliteFixture app) : ImportTestsBase(() => app), IClassFixture<SqliteFixture>;

public sealed class PostgresImportTests(PostgresFixture app) : ImportTestsBase(() => app.Factory), IClassFixture<PostgresFixture>;
