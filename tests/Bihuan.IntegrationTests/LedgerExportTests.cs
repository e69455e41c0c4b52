using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Bihuan.Data;
using Bihuan.Domain;
using Bihuan.Features.Rectification;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Validation;
using DocumentFormat.OpenXml.Spreadsheet;
using Microsoft.Extensions.DependencyInjection;
using Dimension = Bihuan.Domain.Dimension;

namespace Bihuan.IntegrationTests;

/// GET /api/v1/rectifications/export.xlsx end to end: items registered and one driven through verification over the
/// API, then exported by a supervisor and by another district's office and read back with DocumentFormat.OpenXml:
/// title, stamp, header, 销号 columns, light fills, footer and core properties, print setup, and scope.
public abstract class LedgerExportTestsBase(Func<BihuanFactory> factory)
{
    protected BihuanFactory App => factory();

    // A PNG signature and an IHDR chunk: enough for the content sniffer.
    static readonly byte[] Png =
    [
        0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52,
        0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1F, 0x15, 0xC4, 0x89,
    ];

    sealed record Sheet(List<Dictionary<int, string>> Rows, Dictionary<(int Row, int Col), string?> Fills, string? Footer,
        string? Creator, string? Description, Worksheet Worksheet, Workbook Workbook)
    {
        public string Cell(int row, int col) => Rows[row - 1].GetValueOrDefault(col, "");
        /// Data rows (from row 4) as column-name → text.
        public List<Dictionary<string, string>> Data => Rows.Skip(3).Select(r =>
            LedgerExport.Headers.Select((h, i) => (h, i)).ToDictionary(x => x.h, x => r.GetValueOrDefault(x.i, ""))).ToList();
    }

    static Sheet Read(byte[] bytes)
    {
        using var doc = SpreadsheetDocument.Open(new MemoryStream(bytes), false);
        var invalid = new OpenXmlValidator().Validate(doc).Take(5).Select(e => $"{e.Path?.XPath}: {e.Description}").ToList();
        Assert.True(invalid.Count == 0, "schema errors: " + string.Join(" | ", invalid));
        var book = doc.WorkbookPart!;
        var sheet = book.Workbook.Sheets!.Elements<DocumentFormat.OpenXml.Spreadsheet.Sheet>().Single();
        Assert.Equal(LedgerExport.SheetName, sheet.Name?.Value);
        var ws = (WorksheetPart)book.GetPartById(sheet.Id!);
        var formats = book.WorkbookStylesPart!.Stylesheet.CellFormats!.Elements<CellFormat>().ToList();
        var fills = book.WorkbookStylesPart.Stylesheet.Fills!.Elements<Fill>().ToList();
        var rows = new List<Dictionary<int, string>>();
        var cellFills = new Dictionary<(int, int), string?>();
        foreach (var row in ws.Worksheet.GetFirstChild<SheetData>()!.Elements<Row>())
        {
            Assert.Equal((uint)rows.Count + 1, row.RowIndex!.Value);
            var cells = new Dictionary<int, string>();
            foreach (var c in row.Elements<Cell>())
            {
                var col = c.CellReference!.Value!.TakeWhile(char.IsLetter).Aggregate(0, (n, ch) => n * 26 + ch - 'A' + 1) - 1;
                cells[col] = c.InnerText;
                var xf = formats[(int)(c.StyleIndex?.Value ?? 0)];
                cellFills[(rows.Count + 1, col)] = fills[(int)(xf.FillId?.Value ?? 0)].PatternFill?.ForegroundColor?.Rgb?.Value;
            }
            rows.Add(cells);
        }
        var footer = ws.Worksheet.GetFirstChild<HeaderFooter>()?.OddFooter?.Text;
        return new Sheet(rows, cellFills, footer, doc.PackageProperties.Creator, doc.PackageProperties.Description,
            (Worksheet)ws.Worksheet.CloneNode(true), (Workbook)book.Workbook.CloneNode(true));
    }

    async Task<(byte[] Bytes, HttpResponseMessage Response)> Export(string user, string query)
    {
        var res = await (await App.ClientFor(user)).GetAsync("/api/v1/rectifications/export.xlsx" + query);
        await res.Expect(HttpStatusCode.OK);
        return (await res.Content.ReadAsByteArrayAsync(), res);
    }

    async Task<int> CreateProblem(HttpClient c, int orgId, string description)
    {
        var p = await (await c.PostAsJsonAsync("/api/v1/problems", new
        {
            orgId, description, source = SourceChannel.SelfInspection, aspect = Aspect.Work, dimension = Dimension.RealWork,
            notDuplicate = true,
        }, Http.Json)).Expect<JsonElement>(HttpStatusCode.Created);
        return p.GetProperty("id").GetInt32();
    }

    static async Task<int> AddItem(HttpClient c, int problemId, object item) =>
        (await (await c.PostAsJsonAsync($"/api/v1/problems/{problemId}/items", item, Http.Json)).Expect<JsonElement>(HttpStatusCode.Created))
        .GetProperty("id").GetInt32();

    static async Task Act(HttpClient c, int id, string action, object body) =>
        await (await c.PostAsJsonAsync($"/api/v1/rectifications/{id}/{action}", body, Http.Json)).Expect(HttpStatusCode.OK);

    [SkippableFact]
    public async Task Export_SupervisorAndOtherDistrict_StyledLedgerScopedLikeThePage()
    {
        var mark = Http.Unique("EXP");
        var fgj = await App.OrgId("GZ-YX-FGJ");
        var liaison = await App.ClientFor("yx.fgj.liaison");
        var problemId = await CreateProblem(liaison, fgj, $"{mark} 会议材料层层加码，基层负担重");
        var today = DateOnly.FromDateTime(ChinaTime.ToCst(DateTime.UtcNow));
        var done = await AddItem(liaison, problemId, new
        {
            measures = $"{mark} 精简会议材料", target = "材料压减三成", coUnits = "区委办公室", handler = "张丽娟",
            deadlineKind = DeadlineKind.Dated, deadline = today.AddDays(60),
        });
        var immediate = await AddItem(liaison, problemId, new
        {
            measures = $"{mark} 立即清理重复报表", handler = "刘伟", deadlineKind = DeadlineKind.Immediate,
        });
        await AddItem(liaison, problemId, new
        {
            measures = $"{mark} 常态化监测材料数量", deadlineKind = DeadlineKind.Ongoing, reportEveryDays = 30,
        });

        using (var form = new MultipartFormDataContent())
        {
            var file = new ByteArrayContent(Png);
            file.Headers.ContentType = new MediaTypeHeaderValue("image/png");
            form.Add(file, "file", "佐证.png");
            var upload = (await (await liaison.PostAsync("/api/v1/files", form)).Expect<JsonElement>(HttpStatusCode.Created))
                .GetProperty("id").GetString()!;
            await Act(liaison, done, "progress", new { text = "已压减材料 40%", percent = 80, evidence = new[] { upload } });
            await Act(liaison, done, "request-closure", new { text = "整改完成，材料压减 40%", evidence = new[] { upload } });
        }
        await Act(liaison, immediate, "progress", new { text = "已清理 12 张报表", percent = 50 });
        await Act(await App.ClientFor("yx.office"), done, "verify", new { text = "核验通过" });

        // ---- the supervisor, filtered by text ----
        var (bytes, res) = await Export("yx.jw", $"?q={Uri.EscapeDataString(mark)}");
        Assert.Equal(LedgerExportApi.ContentType, res.Content.Headers.ContentType?.MediaType);
        Assert.StartsWith("整改台账-", res.Content.Headers.ContentDisposition?.FileNameStar);
        Assert.EndsWith(".xlsx", res.Content.Headers.ContentDisposition?.FileNameStar);
        var x = Read(bytes);

        Assert.Equal("整改台账", x.Cell(1, 0));
        Assert.StartsWith("导出：越秀区纪委监委监督员（梁文博） yx.jw ", x.Cell(2, 0));
        Assert.Contains("（北京时间）· 共 3 项", x.Cell(2, 0));
        Assert.Equal(LedgerExport.Headers, Enumerable.Range(0, 14).Select(i => x.Cell(3, i)));
        Assert.Equal(["序号", "问题来源", "问题内容", "整改目标", "整改措施", "责任领导", "牵头单位", "配合单位", "责任人", "整改时限",
            "整改进展", "完成情况", "销号情况", "预警"], LedgerExport.Headers);
        Assert.All(Enumerable.Range(0, 14), i => Assert.Equal("FFD9D9D9", x.Fills[(3, i)]));

        var data = x.Data;
        Assert.Equal(3, data.Count);
        Assert.Equal(["1", "2", "3"], data.Select(r => r["序号"]));
        var verified = data.Single(r => r["整改措施"] == $"{mark} 精简会议材料");
        Assert.Equal("已销号", verified["完成情况"]);
        Assert.StartsWith($"已销号（{today.Year}年{today.Month}月", verified["销号情况"]);
        Assert.EndsWith("越秀区学习教育办公室（何思远））", verified["销号情况"]);
        Assert.Equal("越秀区发展和改革局", verified["牵头单位"]);
        Assert.Equal("区委办公室", verified["配合单位"]);
        Assert.Equal("材料压减三成", verified["整改目标"]);
        Assert.Equal("自查自纠", verified["问题来源"]);
        Assert.Contains("会议材料层层加码", verified["问题内容"]);
        var due = today.AddDays(60);
        Assert.Equal($"{due.Year}年{due.Month}月{due.Day}日", verified["整改时限"]);
        Assert.StartsWith("整改完成，材料压减 40%（", verified["整改进展"]);
        Assert.EndsWith("完成 100%）", verified["整改进展"]);
        Assert.Equal("绿灯：已销号", verified["预警"]);

        var now = data.Single(r => r["整改措施"] == $"{mark} 立即清理重复报表");
        Assert.Equal("立行立改", now["整改时限"]);
        Assert.Equal("整改中", now["完成情况"]);
        Assert.Equal("未销号", now["销号情况"]);
        Assert.StartsWith("已清理 12 张报表（", now["整改进展"]);
        var ongoing = data.Single(r => r["整改措施"] == $"{mark} 常态化监测材料数量");
        Assert.Equal("长期坚持", ongoing["整改时限"]);
        Assert.Equal("尚未报送进展", ongoing["整改进展"]);

        // Every light cell is filled in its level's colour, and agrees with the ledger API's light.
        var page = await (await (await App.ClientFor("yx.jw")).GetAsync($"/api/v1/rectifications?q={Uri.EscapeDataString(mark)}"))
            .Expect<LedgerPage>(HttpStatusCode.OK);
        for (var i = 0; i < data.Count; i++)
        {
            var api = page.Rows.Single(r => r.Measures == data[i]["整改措施"]);
            Assert.StartsWith(api.LightLabel + "：", data[i]["预警"]);
            Assert.Equal(LedgerExport.FillOf(api.Light), x.Fills[(4 + i, 13)]);
        }
        Assert.Equal("FFBDD7EE", x.Fills[(4 + data.IndexOf(now), 13)]);   // 立行立改 due today: blue
        Assert.Equal("FFC6EFCE", x.Fills[(4 + data.IndexOf(verified), 13)]);

        // Footer on every printed page, and the same signature in the core properties.
        Assert.NotNull(x.Footer);
        Assert.Contains("导出人：越秀区纪委监委监督员（梁文博） yx.jw", x.Footer);
        Assert.Contains("导出时间：", x.Footer);
        Assert.Contains("第 &P 页 共 &N 页", x.Footer);
        Assert.Equal("越秀区纪委监委监督员（梁文博） yx.jw", x.Creator);
        Assert.Contains("导出人：越秀区纪委监委监督员（梁文博） yx.jw", x.Description);

        // Print setup: landscape A4 fit to one page wide, header row repeated, panes frozen below the header.
        var setup = x.Worksheet.GetFirstChild<PageSetup>()!;
        Assert.Equal(OrientationValues.Landscape, setup.Orientation!.Value);
        Assert.Equal(9u, setup.PaperSize!.Value);
        Assert.Equal(1u, setup.FitToWidth!.Value);
        Assert.Equal(0u, setup.FitToHeight!.Value);
        Assert.True(x.Worksheet.GetFirstChild<SheetProperties>()!.PageSetupProperties!.FitToPage!.Value);
        var pane = x.Worksheet.Descendants<Pane>().Single();
        Assert.Equal((3d, PaneStateValues.Frozen), (pane.VerticalSplit!.Value, pane.State!.Value));
        var titles = x.Workbook.Descendants<DefinedName>().Single(d => d.Name == "_xlnm.Print_Titles");
        Assert.Equal("'整改台账'!$3:$3", titles.Text);
        Assert.Contains(x.Worksheet.Descendants<MergeCell>(), m => m.Reference == "A1:N1");

        // ---- filtered by org: the org's name heads the sheet ----
        var (byOrg, orgRes) = await Export("yx.jw", $"?orgId={fgj}&q={Uri.EscapeDataString(mark)}&status=Closed");
        var o = Read(byOrg);
        Assert.Equal("越秀区发展和改革局整改台账", o.Cell(1, 0));
        Assert.StartsWith("越秀区发展和改革局整改台账-", orgRes.Content.Headers.ContentDisposition?.FileNameStar);
        Assert.Equal([$"{mark} 精简会议材料"], o.Data.Select(r => r["整改措施"]));

        // ---- another district's office: its own items only ----
        var hpLiaison = await App.ClientFor("hp.fgj.liaison");
        var hpProblem = await CreateProblem(hpLiaison, await App.OrgId("GZ-HP-FGJ"), $"{mark} 黄埔区问题");
        await AddItem(hpLiaison, hpProblem, new { measures = $"{mark} 黄埔区措施", deadlineKind = DeadlineKind.Immediate });
        var hp = Read((await Export("hp.office", "")).Bytes);
        Assert.NotEmpty(hp.Data);
        Assert.DoesNotContain(hp.Data, r => r["牵头单位"].Contains("越秀") || r["问题内容"].Contains("越秀"));
        Assert.Contains(hp.Data, r => r["整改措施"] == $"{mark} 黄埔区措施");
        Assert.Contains("黄埔区学习教育办公室（黄秀英） hp.office", hp.Footer);
        var hpMarked = Read((await Export("hp.office", $"?q={Uri.EscapeDataString(mark)}")).Bytes);
        Assert.Equal([$"{mark} 黄埔区措施"], hpMarked.Data.Select(r => r["整改措施"]));
        Assert.EndsWith("· 共 1 项", hpMarked.Cell(2, 0));
        // An org outside the caller's scope does not exist.
        await (await (await App.ClientFor("hp.office")).GetAsync($"/api/v1/rectifications/export.xlsx?orgId={fgj}"))
            .Expect(HttpStatusCode.NotFound);
        // Not signed in: no file.
        var anon = await App.Anonymous().GetAsync("/api/v1/rectifications/export.xlsx");
        Assert.Contains(anon.StatusCode, new[] { HttpStatusCode.Unauthorized, HttpStatusCode.Redirect, HttpStatusCode.Found });
    }

    [SkippableFact]
    public async Task Build_5000Rows_PagesThroughAllInIdOrder()
    {
        var mark = Http.Unique("BULK");
        const int n = 5000;
        var (db, scope) = App.SystemDb();
        using (scope)
        {
            var org = await App.OrgId("GZ-YX-JYJ");
            var now = DateTime.UtcNow;
            var problem = new Problem
            {
                OrgId = org, Description = $"{mark} 批量问题", Source = SourceChannel.AuditFinding, Aspect = Aspect.Duty,
                Dimension = Dimension.SoundDecisions, CreatedAt = now,
            };
            db.Problems.Add(problem);
            await db.SaveWithoutAuditAsync(default);
            var today = DateOnly.FromDateTime(ChinaTime.ToCst(now));
            for (var i = 0; i < n; i++)
                db.RectItems.Add(new RectItem
                {
                    ProblemId = problem.Id, OrgId = org, Measures = $"{mark} 措施 {i:D5}", DeadlineKind = DeadlineKind.Dated,
                    Deadline = today.AddDays(i % 90 - 30), StartOn = today.AddDays(-40), Source = SourceChannel.AuditFinding,
                    CreatedAt = now, Percent = i % 101,
                });
            await db.SaveWithoutAuditAsync(default);
            db.ChangeTracker.Clear();

            var sp = scope.ServiceProvider;
            var bytes = await LedgerExport.BuildAsync(db, TimeProvider.System, sp.GetRequiredService<WorkingCalendar>(),
                sp.GetRequiredService<LightRules>(), null, new LedgerFilter { Q = mark },
                LedgerExport.Title(null), "tests", now, default);
            var x = Read(bytes);
            Assert.EndsWith($"· 共 {n} 项", x.Cell(2, 0));
            var data = x.Data;
            Assert.Equal(n, data.Count);
            Assert.Equal(Enumerable.Range(1, n).Select(i => i.ToString()), data.Select(r => r["序号"]));
            Assert.Equal(Enumerable.Range(0, n).Select(i => $"{mark} 措施 {i:D5}"), data.Select(r => r["整改措施"]));
            Assert.Contains(data, r => r["预警"].StartsWith("红灯：已逾期"));
            for (var i = 0; i < n; i++)
            {
                var level = Enum.GetValues<LightLevel>().Single(l => data[i]["预警"].StartsWith(l.Label() + "："));
                Assert.Equal(LedgerExport.FillOf(level), x.Fills[(4 + i, 13)]);
            }
        }
    }
}

public sealed class SqliteLedgerExportTests(SqliteFixture app) : LedgerExportTestsBase(() => app), IClassFixture<SqliteFixture>;

public sealed class PostgresLedgerExportTests(PostgresFixture app) : LedgerExportTestsBase(() => app.Factory), IClassFixture<PostgresFixture>;
