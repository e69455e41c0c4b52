using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Bihuan.Domain;
using Bihuan.Features.Rectification;
using Bihuan.Tests.Builders;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;

namespace Bihuan.IntegrationTests;

/// POST /api/v1/rectifications/import with ledgers laid out as offices keep them: a merged title, a 填报日期 row, header
/// variants, blank rows, merged 问题来源 cells, every deadline style. Bad rows are listed and nothing is written; a
/// clean file lands in the ledger once (re-import creates nothing); the column mapping can be corrected.
public abstract class LedgerImportTestsBase(Func<BihuanFactory> factory)
{
    protected BihuanFactory App => factory();
    const string User = "yx.fgj.liaison", Unit = "GZ-YX-FGJ", UnitName = "越秀区发展和改革局";

    /// The real layout: row 1 merged title, row 2 填报单位/日期, header on row 3 (variant names), data from row 4 with
    /// a merged 问题来源 (B4:B5), a blank row, and the deadline styles ledgers use. Problem texts carry `tag`.
    static XlsxBuilder Messy(string tag, bool variant = false, IEnumerable<object?[]>? extra = null)
    {
        string[] header = variant
            ? ["序号", "问题来源", "问题描述", "整改措施", "牵头单位", "时限要求", "完成情况"]
            : ["序号", "问题来源", "存在问题", "整改措施", "责任单位", "完成时限", "整改进展"];
        var b = new XlsxBuilder()
            .Row(1, "越秀区发展和改革局整改台账").Merge("A1:G1")
            .Row(2, "填报单位：越秀区发展和改革局（盖章）", null, null, null, "填报日期：2026年11月20日").Merge("A2:D2")
            .Row(3, header)
            .Row(4, 1, "省委第三巡视组反馈", $"{tag} 重大项目审批流程不透明", "梳理审批事项清单并公开", UnitName, "2026年6月30日", "已完成")
            .Row(5, 2, null, $"{tag} 政策兑现慢", "建立政策兑现台账，按月通报", null, "2026.6.30", "推进中").Merge("B4:B5")
            .Row(7, 3, "区审计局审计发现", $"{tag} 专项资金使用不规范", "开展专项资金清理", "区财政局", "6月底", "")
            .Row(8, 4, "12345热线", $"{tag} 企业办事来回跑", "推行一窗通办", Unit, "2026年第三季度", "")
            .Row(9, 5, "群众反映", $"{tag} 调研走过场", "建立调研成果转化机制", null, "长期坚持", "")
            .Row(10, 6, "自查自纠", $"{tag} 会议文件过多", "精简会议文件", null, "立行立改", "")
            .Row(11, 7, "监督检查", $"{tag} 项目储备不足", "建立项目储备库", null, 46203.0, "");
        var row = 12u;
        foreach (var e in extra ?? []) b.Row(row++, e);
        return b;
    }

    async Task<HttpResponseMessage> Upload(byte[] bytes, string fileName, bool commit, string query = "", string user = User,
        int? orgId = null)
    {
        var client = await App.ClientFor(user);
        client.Timeout = TimeSpan.FromMinutes(5);
        using var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(bytes);
        file.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        form.Add(file, "file", fileName);
        var org = orgId ?? await App.OrgId(Unit);
        return await client.PostAsync($"/api/v1/rectifications/import?orgId={org}&commit={(commit ? "true" : "false")}{query}", form);
    }

    async Task<JsonElement> Ledger(string tag)
    {
        var client = await App.ClientFor(User);
        var page = await (await client.GetAsync($"/api/v1/rectifications?q={Uri.EscapeDataString(tag)}&pageSize=500"))
            .Expect<JsonElement>(HttpStatusCode.OK);
        return page;
    }

    static List<(int Row, string Reason)> Rows(JsonElement problem) => problem.GetProperty("rows").EnumerateArray()
        .Select(e => (e.GetProperty("row").GetInt32(), e.GetProperty("reason").GetString()!)).ToList();

    [SkippableFact]
    public async Task LedgerImport_MessyCleanFile_PreviewsThenCommitsOnceAndItemsAppearInLedger()
    {
        var tag = Http.Unique("LI");
        var file = Messy(tag).Build("整改台账");
        await App.ClientFor(User);
        var problems = await App.Count<Problem>();

        var preview = await (await Upload(file, "台账.xlsx", commit: false)).Expect<LedgerImportResult>(HttpStatusCode.OK);
        Assert.True(preview.Ok, preview.Message);
        Assert.False(preview.Committed);
        Assert.Equal(3, preview.HeaderRow);
        Assert.Equal((7, 7, 0), (preview.Rows, preview.Created, preview.Unchanged));
        Assert.Equal([4, 5, 7, 8, 9, 10, 11], preview.Preview.Select(p => p.Row));
        var map = preview.Mapping.ToDictionary(m => m.Field);
        Assert.Equal(("C", "存在问题"), (map["Problem"].Column, map["Problem"].Header));
        Assert.Equal(("F", "完成时限"), (map["Deadline"].Column, map["Deadline"].Header));
        Assert.Equal(("E", "责任单位"), (map["LeadUnit"].Column, map["LeadUnit"].Header));
        Assert.Equal(["2026-06-30", "2026-06-30", "2027-06-30", "2026-09-30", "长期坚持", "立行立改", "2026-06-30"],
            preview.Preview.Select(p => p.Deadline));
        Assert.Equal("省委第三巡视组反馈", preview.Preview[1].SourceText);   // merged B4:B5 filled down
        Assert.Equal(["巡视巡察反馈", "巡视巡察反馈", "审计发现", "12345热线/信访", "征求意见/群众反映", "自查自纠", "监督检查"],
            preview.Preview.Select(p => p.Source));
        Assert.All(preview.Preview, p => Assert.Equal(UnitName, p.LeadUnit));
        var warning = Assert.Single(preview.Warnings);
        Assert.Equal(7, warning.Row);
        Assert.Contains("区财政局", warning.Reason);
        Assert.Equal(problems, await App.Count<Problem>());

        var done = await (await Upload(file, "台账.xlsx", commit: true)).Expect<LedgerImportResult>(HttpStatusCode.OK);
        Assert.True(done.Committed, done.Message);
        Assert.Equal((7, 0), (done.Created, done.Unchanged));
        Assert.Equal(problems + 7, await App.Count<Problem>());

        var ledger = await Ledger(tag);
        Assert.Equal(7, ledger.GetProperty("total").GetInt32());
        var items = ledger.GetProperty("rows").EnumerateArray().ToDictionary(r => r.GetProperty("problem").GetString()!);
        var first = items[$"{tag} 重大项目审批流程不透明"];
        Assert.Equal("2026-06-30", first.GetProperty("deadline").GetString());
        Assert.Equal("巡视巡察反馈", first.GetProperty("source").GetString());
        Assert.Equal(UnitName, first.GetProperty("orgName").GetString());
        Assert.Equal("长期坚持", items[$"{tag} 调研走过场"].GetProperty("deadlineKind").GetString());
        Assert.Equal(JsonValueKind.Null, items[$"{tag} 调研走过场"].GetProperty("deadline").ValueKind);
        Assert.Equal("立行立改", items[$"{tag} 会议文件过多"].GetProperty("deadlineKind").GetString());
        Assert.Equal("2026-06-30", items[$"{tag} 项目储备不足"].GetProperty("deadline").GetString());   // serial 46203
        var problemId = first.GetProperty("problemId").GetInt32();
        var problem = await (await (await App.ClientFor(User)).GetAsync($"/api/v1/problems/{problemId}")).Expect<JsonElement>(HttpStatusCode.OK);
        Assert.Equal("省委第三巡视组反馈", problem.GetProperty("batch").GetString());

        var again = await (await Upload(file, "台账.xlsx", commit: true)).Expect<LedgerImportResult>(HttpStatusCode.OK);
        Assert.True(again.Committed);
        Assert.Equal((0, 7), (again.Created, again.Unchanged));
        Assert.All(again.Preview, p => Assert.Equal("不变", p.Action));
        Assert.Equal(problems + 7, await App.Count<Problem>());
        Assert.Equal(7, (await Ledger(tag)).GetProperty("total").GetInt32());

        var verify = await (await (await App.ClientFor("admin")).GetAsync("/api/v1/audit/verify")).Expect<JsonElement>(HttpStatusCode.OK);
        Assert.True(verify.GetProperty("intact").GetBoolean(), verify.ToString());
    }

    [SkippableFact]
    public async Task LedgerImport_HeaderVariants_AreRecognised()
    {
        var tag = Http.Unique("LV");
        var res = await (await Upload(Messy(tag, variant: true).Build(), "台账.xlsx", commit: false)).Expect<LedgerImportResult>(HttpStatusCode.OK);
        Assert.True(res.Ok, res.Message);
        var map = res.Mapping.ToDictionary(m => m.Field);
        Assert.Equal(("C", "问题描述"), (map["Problem"].Column, map["Problem"].Header));
        Assert.Equal(("F", "时限要求"), (map["Deadline"].Column, map["Deadline"].Header));
        Assert.Equal(("E", "牵头单位"), (map["LeadUnit"].Column, map["LeadUnit"].Header));
        Assert.Equal(("G", "完成情况"), (map["Progress"].Column, map["Progress"].Header));
    }

    [SkippableFact]
    public async Task LedgerImport_BadRows_ListsExactlyThoseRowsAndWritesNothing()
    {
        var tag = Http.Unique("LB");
        var file = Messy(tag, extra:
        [
            [8, "自查自纠", null, "补齐制度", null, "2026年12月31日", ""],        // row 12: empty problem
            [9, "自查自纠", $"{tag} 时限不明", "研究解决", null, "下个月吧", ""],  // row 13: deadline nobody can check
        ]).Build();
        await App.ClientFor(User);
        var (problems, items, audit) = (await App.Count<Problem>(), await App.Count<RectItem>(), await App.Count<AuditEntry>());
        foreach (var commit in new[] { false, true })
        {
            var p = await (await Upload(file, "台账.xlsx", commit)).ExpectProblem(HttpStatusCode.BadRequest);
            Assert.Equal("import_invalid", p.GetProperty("code").GetString());
            var rows = Rows(p);
            Assert.Equal([12, 13], rows.Select(r => r.Row).Distinct().Order());
            Assert.Contains(rows, r => r.Row == 12 && r.Reason.Contains("问题描述为空"));
            Assert.Contains(rows, r => r.Row == 13 && r.Reason.Contains("下个月吧"));
            Assert.Equal(3, p.GetProperty("headerRow").GetInt32());
            Assert.Equal(9, p.GetProperty("preview").GetArrayLength());
        }
        Assert.Equal((problems, items, audit), (await App.Count<Problem>(), await App.Count<RectItem>(), await App.Count<AuditEntry>()));
        Assert.Equal(0, (await Ledger(tag)).GetProperty("total").GetInt32());
    }

    [SkippableFact]
    public async Task LedgerImport_MappingOverride_ChangesWhichColumnIsRead()
    {
        var tag = Http.Unique("LM");
        // 反映内容 names no field: the problem column is not found until the user points at it; 备注 holds the measures.
        // (Data texts avoid 问题/措施: a data row naming those would be taken for the header, see LedgerColumns.FindHeader.)
        var file = new XlsxBuilder()
            .Row(1, "整改台账").Merge("A1:E1")
            .Row(2, "序号", "反映内容", "整改措施", "整改时限", "备注")
            .Row(3, 1, $"{tag} 甲事项", "落实甲", "2026年12月31日", "备注甲")
            .Row(4, 2, $"{tag} 乙事项", "落实乙", "2027年3月", "备注乙")
            .Build();
        var p = await (await Upload(file, "t.xlsx", commit: false)).ExpectProblem(HttpStatusCode.BadRequest);
        Assert.Contains(Rows(p), r => r.Reason.Contains("问题描述"));
        Assert.Equal(2, p.GetProperty("headerRow").GetInt32());   // the likeliest header is offered for correction

        var res = await (await Upload(file, "t.xlsx", commit: false, query: "&map.Problem=B"))
            .Expect<LedgerImportResult>(HttpStatusCode.OK);
        Assert.True(res.Ok, res.Message);
        Assert.Equal(["落实甲", "落实乙"], res.Preview.Select(r => r.Measures));

        res = await (await Upload(file, "t.xlsx", commit: false, query: "&map.Problem=b&map.Measures=E"))
            .Expect<LedgerImportResult>(HttpStatusCode.OK);
        Assert.Equal(["备注甲", "备注乙"], res.Preview.Select(r => r.Measures));
        Assert.Equal($"{tag} 甲事项", res.Preview[0].Problem);
        Assert.Equal(("E", "备注"), res.Mapping.Where(m => m.Field == "Measures").Select(m => (m.Column, m.Header)).Single());
        Assert.Contains(res.Unmapped, u => u.Column == "C" && u.Header == "整改措施");
        Assert.Equal(["A", "B", "C", "D", "E"], res.Columns.Select(c => c.Column));

        var done = await (await Upload(file, "t.xlsx", commit: true, query: "&map.Problem=B&map.Measures=E"))
            .Expect<LedgerImportResult>(HttpStatusCode.OK);
        Assert.Equal(2, done.Created);
        var measures = (await Ledger(tag)).GetProperty("rows").EnumerateArray().Select(r => r.GetProperty("measures").GetString()!);
        Assert.Equal(new[] { "备注乙", "备注甲" }.Order(StringComparer.Ordinal), measures.Order(StringComparer.Ordinal));

        var explicitHeader = await (await Upload(file, "t.xlsx", commit: false, query: "&headerRow=2&map.Problem=B&map.Measures=E"))
            .Expect<LedgerImportResult>(HttpStatusCode.OK);
        Assert.Equal((2, 0, 2), (explicitHeader.HeaderRow, explicitHeader.Created, explicitHeader.Unchanged));
        await (await Upload(file, "t.xlsx", commit: false, query: "&headerRow=99")).ExpectProblem(HttpStatusCode.BadRequest);
        await (await Upload(file, "t.xlsx", commit: false, query: "&map.Problem=B&map.Nonsense=C")).ExpectProblem(HttpStatusCode.BadRequest, "map.Nonsense");
        await (await Upload(file, "t.xlsx", commit: false, query: "&map.Problem=B1")).ExpectProblem(HttpStatusCode.BadRequest, "map.Problem");
    }

    [SkippableTheory]
    [InlineData("random")]
    [InlineData("png")]
    [InlineData("fake-xlsx")]
    [InlineData("no-header")]
    public async Task LedgerImport_NotALedger_Returns400(string kind)
    {
        var random = new byte[4096];
        new Random(7).NextBytes(random);
        random[10] = 0;
        var (bytes, name) = kind switch
        {
            "random" => (random, "a.csv"),
            "png" => (Convert.FromBase64String("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="), "a.xlsx"),
            "fake-xlsx" => (Encoding.UTF8.GetBytes("<html>not a workbook</html>"), "a.xlsx"),
            _ => (new XlsxBuilder().Row(1, "姓名", "电话").Row(2, "张三", "13800138000").Build(), "a.xlsx"),
        };
        var problems = await App.Count<Problem>();
        foreach (var commit in new[] { false, true })
        {
            var p = await (await Upload(bytes, name, commit)).ExpectProblem(HttpStatusCode.BadRequest);
            Assert.Equal("import_invalid", p.GetProperty("code").GetString());
            Assert.NotEmpty(Rows(p));
        }
        Assert.Equal(problems, await App.Count<Problem>());
    }

    [SkippableFact]
    public async Task LedgerImport_WithoutEditRights_IsRefused()
    {
        var file = Messy(Http.Unique("LR")).Build();
        var problems = await App.Count<Problem>();
        await (await Upload(file, "t.xlsx", commit: true, user: "yx.fgj.member")).ExpectProblem(HttpStatusCode.Forbidden);
        await (await Upload(file, "t.xlsx", commit: true, orgId: await App.OrgId("GZ-YX-JYJ"))).ExpectProblem(HttpStatusCode.NotFound);
        var client = await App.ClientFor(User);
        using var form = new MultipartFormDataContent { { new ByteArrayContent(file), "file", "t.xlsx" } };
        await (await client.PostAsync("/api/v1/rectifications/import?commit=true", form)).ExpectProblem(HttpStatusCode.BadRequest, "orgId");
        Assert.Equal(problems, await App.Count<Problem>());
    }

    [SkippableFact]
    public async Task LedgerImportPage_UploadThenCommit_ImportsThroughThePlainForms()
    {
        var tag = Http.Unique("LP");
        var browser = App.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
        var login = await (await browser.GetAsync("/login")).Content.ReadAsStringAsync();
        await (await browser.PostAsync("/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "login", ["__RequestVerificationToken"] = Token(login),
            ["Input.UserName"] = User, ["Input.Password"] = "Demo@2026bh",
        }))).Expect(HttpStatusCode.Found);
        var list = await browser.GetAsync("/ledger");
        Assert.True(list.IsSuccessStatusCode, await list.Describe());
        Assert.Contains("href=\"/ledger/import\"", await list.Content.ReadAsStringAsync());

        var page = await browser.GetStringAsync("/ledger/import");
        Assert.Contains($"value=\"{Unit}\"", page);   // the caller's EditRecords unit is the default
        using var upload = new MultipartFormDataContent
        {
            { new StringContent("upload"), "_handler" }, { new StringContent(Token(page)), "__RequestVerificationToken" },
            { new StringContent(Unit), "orgCode" }, { new ByteArrayContent(Messy(tag).Build()), "file", "台账.xlsx" },
        };
        var checkedPage = await (await browser.PostAsync("/ledger/import", upload)).Content.ReadAsStringAsync();
        Assert.Contains("name=\"map.Problem\"", checkedPage);
        Assert.Contains("检查通过", checkedPage);
        Assert.Contains("value=\"commit\"", checkedPage);
        var importId = System.Text.RegularExpressions.Regex.Match(checkedPage, "name=\"importId\" value=\"([0-9a-f]{32})\"").Groups[1].Value;
        Assert.NotEmpty(importId);
        Assert.Equal(0, (await Ledger(tag)).GetProperty("total").GetInt32());

        var done = await (await browser.PostAsync("/ledger/import", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "review", ["__RequestVerificationToken"] = Token(checkedPage), ["importId"] = importId,
            ["fileName"] = "台账.xlsx", ["orgCode"] = Unit, ["headerRow"] = "3", ["map.Problem"] = "C", ["do"] = "commit",
        }))).Content.ReadAsStringAsync();
        Assert.Contains("导入完成", done);
        Assert.Equal(7, (await Ledger(tag)).GetProperty("total").GetInt32());

        static string Token(string html) => WebUtility.HtmlDecode(System.Text.RegularExpressions.Regex
            .Match(html, "name=\"__RequestVerificationToken\"[^>]*value=\"([^\"]+)\"").Groups[1].Value);
    }

    /// A ledger of `count` rows streamed with OpenXmlWriter (inline strings), with a title and a header row.
    internal static byte[] BigLedger(int count, string tag)
    {
        using var ms = new MemoryStream();
        using (var doc = SpreadsheetDocument.Create(ms, SpreadsheetDocumentType.Workbook))
        {
            var wb = doc.AddWorkbookPart();
            wb.Workbook = new Workbook();
            var wsPart = wb.AddNewPart<WorksheetPart>();
            using (var w = OpenXmlWriter.Create(wsPart))
            {
                w.WriteStartElement(new Worksheet());
                w.WriteStartElement(new SheetData());
                WriteRow(w, 1, "越秀区发展和改革局整改台账");
                WriteRow(w, 2, "序号", "问题来源", "存在问题", "整改措施", "责任单位", "完成时限");
                string[] deadlines = ["2026年6月30日", "2026.12.31", "2027年第一季度", "长期坚持", "立行立改"];
                for (var i = 1; i <= count; i++)
                    WriteRow(w, (uint)(i + 2), i.ToString(), i % 3 == 0 ? "省委第三巡视组反馈" : "自查自纠", $"{tag} 问题{i}",
                        $"整改措施{i}", UnitName, deadlines[i % deadlines.Length]);
                w.WriteEndElement();
                w.WriteEndElement();
            }
            wb.Workbook.AppendChild(new Sheets(new Sheet { Id = wb.GetIdOfPart(wsPart), SheetId = 1, Name = "台账" }));
        }
        return ms.ToArray();

        static void WriteRow(OpenXmlWriter w, uint index, params string[] cells)
        {
            w.WriteStartElement(new Row { RowIndex = index });
            for (var c = 0; c < cells.Length; c++)
                w.WriteElement(new Cell
                {
                    CellReference = XlsxBuilder.Column(c) + index, DataType = CellValues.InlineString,
                    InlineString = new InlineString(new DocumentFormat.OpenXml.Spreadsheet.Text(cells[c])),
                });
            w.WriteEndElement();
        }
    }
}

public sealed class SqliteLedgerImportTests(SqliteFixture app)
    : LedgerImportTestsBase(() => app), IClassFixture<SqliteFixture>
{
    /// SQLITE ONLY, LARGE: 20,000 rows committed in one import (batched inserts, one transaction). 100,000 rows work
    /// too but take about two minutes on two cores (every row is two records plus two audit entries), over the suite's
    /// budget; BIHUAN_BIG_LEDGER_ROWS=100000 runs that size.
    [SkippableFact]
    public async Task LedgerImport_Sqlite_LargeFile_CommitsAll()
    {
        var count = int.TryParse(Environment.GetEnvironmentVariable("BIHUAN_BIG_LEDGER_ROWS"), out var n) ? n : 20_000;
        var tag = Http.Unique("BIG");
        var file = BigLedger(count, tag);
        await App.ClientFor("yx.fgj.liaison");
        var before = await App.Count<Problem>();
        var items = await App.Count<RectItem>();
        var client = await App.ClientFor("yx.fgj.liaison");
        client.Timeout = TimeSpan.FromMinutes(10);
        using var form = new MultipartFormDataContent { { new ByteArrayContent(file), "file", "big.xlsx" } };
        var res = await (await client.PostAsync($"/api/v1/rectifications/import?orgId={await App.OrgId("GZ-YX-FGJ")}&commit=true", form))
            .Expect<LedgerImportResult>(HttpStatusCode.OK);
        Assert.True(res.Committed, res.Message);
        Assert.Equal(count, res.Created);
        Assert.Equal(before + count, await App.Count<Problem>());
        Assert.Equal(items + count, await App.Count<RectItem>());
        Assert.Equal(LedgerImport.PreviewMax, res.Preview.Count);
    }
}

public sealed class PostgresLedgerImportTests(PostgresFixture app)
    : LedgerImportTestsBase(() => app.Factory), IClassFixture<PostgresFixture>;
