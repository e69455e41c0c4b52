using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Bihuan.Domain;
using Bihuan.Features.Rectification;
using Bihuan.IntegrationTests;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace Bihuan.BrowserTests;

/// 监督检查 in a real browser: the 市纪委 supervisor sees a red district on the dashboard, drills down to its overdue
/// item, issues a 督办单; the unit's liaison finds it in the notification centre and responds; the supervisor closes it.
public sealed class SupervisionJourneyTests(BrowserApp app, ITestOutputHelper output) : IClassFixture<BrowserApp>
{
    static ILocator MainArea(IPage page) => page.Locator("main");

    static ILocator Form(IPage page, string title) => MainArea(page).Locator("form.box")
        .Filter(new() { Has = page.GetByRole(AriaRole.Heading, new() { Name = title, Exact = true }) });

    static async Task Submit(ILocator form)
    {
        await form.Locator("button[type=submit]").ClickAsync();
        await form.Page.WaitForLoadStateAsync(LoadState.Load);
    }

    [SkippableFact]
    public async Task Supervisor_DrillsDownFromRedDistrict_IssuesOrder_UnitResponds_SupervisorCloses()
    {
        app.RequireBrowser();
        var tag = "督办" + Guid.NewGuid().ToString("N")[..6];
        // Arrange: an overdue item of 越秀区发展和改革局 (registered through the API, its deadline then moved back).
        using var liaisonApi = new HttpClient { BaseAddress = new Uri(app.BaseUrl) };
        liaisonApi.DefaultRequestHeaders.Authorization =
            new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", await app.Factory.TokenFor("yx.fgj.liaison"));
        var p = await (await liaisonApi.PostAsJsonAsync("/api/v1/problems", new
        {
            orgId = await app.Factory.OrgId("GZ-YX-FGJ"), description = $"{tag}：重大项目审批前置评估层层加码", source = SourceChannel.SupervisionCheck,
            aspect = Aspect.Duty, dimension = Dimension.SoundDecisions, notDuplicate = true,
        })).Content.ReadFromJsonAsync<ProblemDto>();
        var item = await (await liaisonApi.PostAsJsonAsync($"/api/v1/problems/{p!.Id}/items", new
        {
            measures = $"{tag} 清理前置评估事项，推行并联审批", deadlineKind = DeadlineKind.Dated,
            deadline = ChinaTime.Today(TimeProvider.System).AddDays(20),
        })).Content.ReadFromJsonAsync<LedgerEntry>();
        await app.Factory.Sql("UPDATE \"RectItems\" SET \"Deadline\" = {0} WHERE \"Id\" = {1}", ChinaTime.Today(TimeProvider.System).AddDays(-8), item!.Id);

        // 1. the city supervisor's dashboard: 越秀区 is red, its reason says why
        var jw = await app.NewPageAsync();
        await BrowserApp.SignInAsync(jw, "gz.jw");
        await jw.GotoAsync("/supervision");
        var row = MainArea(jw).Locator("#units tbody tr").Filter(new() { HasText = "越秀区" });
        await Assertions.Expect(row.Locator("span.light.red")).ToBeVisibleAsync();
        await Assertions.Expect(MainArea(jw).Locator("ol.lagging")).ToContainTextAsync("逾期");
        await Assertions.Expect(MainArea(jw).Locator("svg.chart").First).ToBeVisibleAsync();
        await BrowserApp.ScreenshotAsync(jw, "supervision-1-dashboard", output);

        // 2. drill down: the district's overdue figure → the ledger list (same filters) → the item
        var overdueCell = row.Locator("a[href^='/ledger'][href*='overdue=true']");
        await overdueCell.ClickAsync();
        await jw.WaitForURLAsync(new Regex(@"/ledger\?orgId=\d+&overdue=true"), new() { Timeout = 60_000 });
        await MainArea(jw).GetByRole(AriaRole.Link, new() { Name = tag }).First.ClickAsync();
        await jw.WaitForURLAsync(new Regex($@"/ledger/{item.Id}$"));
        await Assertions.Expect(MainArea(jw).Locator("p.light-reason")).ToContainTextAsync("已逾期");

        // 3. issue a 督办单 from the item page
        var issue = Form(jw, "下发督办单");
        await issue.Locator("textarea[name=requirements]").FillAsync("请于3个工作日内书面报告逾期原因、整改进展和下一步措施");
        await issue.Locator("input[name=dueWorkingDays]").FillAsync("3");
        await Submit(issue);
        await jw.WaitForURLAsync(new Regex(@"/supervision/orders/\d+$"));
        var orderUrl = new Uri(jw.Url).AbsolutePath;
        await Assertions.Expect(MainArea(jw).Locator("#order-status")).ToContainTextAsync("待回复");
        await BrowserApp.ScreenshotAsync(jw, "supervision-2-order-issued", output);

        // 4. the unit's liaison: unread count in the top bar, the notification, the reply
        var li = await app.NewPageAsync();
        await BrowserApp.SignInAsync(li, "yx.fgj.liaison");
        await Assertions.Expect(li.Locator("#unread-count")).ToBeVisibleAsync();
        await li.GotoAsync("/notifications");
        await MainArea(li).GetByRole(AriaRole.Link, new() { Name = "收到督办单", Exact = false }).First.ClickAsync();
        await li.WaitForURLAsync(new Regex(Regex.Escape(orderUrl) + "$"));
        var respond = Form(li, "回复督办");
        await respond.Locator("textarea[name=text]").FillAsync("逾期系跨部门协调所致。已召开专题会，前置评估事项由23项压减至9项，预计两周内完成。");
        await Submit(respond);
        await Assertions.Expect(MainArea(li).Locator("#order-status")).ToContainTextAsync("已回复");
        await Assertions.Expect(li.Locator("#unread-count")).ToBeHiddenAsync();   // opening the order read its notification
        await BrowserApp.ScreenshotAsync(li, "supervision-3-responded", output);

        // 5. the supervisor closes it; the item page lists the order
        await jw.GotoAsync(orderUrl);
        var close = Form(jw, "办结");
        await close.Locator("textarea[name=text]").FillAsync("回复属实，予以办结，继续跟踪整改");
        await Submit(close);
        await Assertions.Expect(MainArea(jw).Locator("#order-status")).ToContainTextAsync("已办结");
        await Assertions.Expect(MainArea(jw).Locator("ol.timeline")).ToContainTextAsync("办结");
        await BrowserApp.ScreenshotAsync(jw, "supervision-4-closed", output);
        await jw.GotoAsync($"/ledger/{item.Id}");
        await Assertions.Expect(MainArea(jw).Locator("#orders + table")).ToContainTextAsync("已办结");
    }
}
