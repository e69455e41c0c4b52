using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace Bihuan.BrowserTests;

/// 开门教育 in a real browser: a citizen on a phone with JavaScript switched off submits a demand, the 12345 desk
/// dispatches it, the unit's liaison signs for it and replies, and the citizen looks it up and rates the reply.
public sealed partial class PortalJourneyTests(BrowserApp app, ITestOutputHelper output) : IClassFixture<BrowserApp>
{
    static ILocator Form(IPage page, string title) => page.Locator("main form.box")
        .Filter(new() { Has = page.GetByRole(AriaRole.Heading, new() { Name = title, Exact = true }) });

    static async Task Click(IPage page, ILocator button)
    {
        await button.ClickAsync();
        await page.WaitForLoadStateAsync(LoadState.Load);
    }

    [GeneratedRegex(@"(\d+) \+ (\d+) = \?")]
    private static partial Regex Sum();

    [SkippableFact]
    public async Task Citizen_PhoneWithoutJavaScript_SubmitsFollowsAndRates_StaffDispatchSignReply()
    {
        var tag = "旅" + Guid.NewGuid().ToString("N")[..6];
        var phone = await app.NewPhonePageAsync();

        // 1. the citizen finds the unit (a GET search, no script) and submits
        await phone.GotoAsync("/public/submit");
        await phone.Locator("#unitq").FillAsync("越秀区发展");
        await Click(phone, phone.GetByRole(AriaRole.Button, new() { Name = "查找", Exact = true }));
        await phone.GetByLabel("越秀区发展和改革局").CheckAsync();
        await phone.Locator("select[name='Input.Type']").SelectOptionAsync("Consult");
        await phone.Locator("#content").FillAsync($"{tag}：请问小微企业申请越秀区产业扶持资金需要哪些材料？");
        await phone.Locator("#location").FillAsync("越秀区政务服务中心");
        await phone.Locator("#name").FillAsync("梁嘉欣");
        await phone.Locator("#phone").FillAsync("13512340000");
        var q = Sum().Match(await phone.Locator("#question").InnerTextAsync());
        await phone.Locator("#answer").FillAsync((int.Parse(q.Groups[1].Value) + int.Parse(q.Groups[2].Value)).ToString());
        await BrowserApp.ScreenshotAsync(phone, "portal-1-submit-phone", output);
        await Click(phone, phone.GetByRole(AriaRole.Button, new() { Name = "提交", Exact = true }));
        var ticket = (await phone.Locator("#ticket").InnerTextAsync()).Trim();
        var code = (await phone.Locator("#code").InnerTextAsync()).Trim();
        Assert.Matches("^GZ\\d{14}$", ticket);
        await BrowserApp.ScreenshotAsync(phone, "portal-2-submitted-phone", output);

        // 2. the 12345 desk dispatches it to the unit the citizen chose (offered first)
        var desk = await app.NewPageAsync();
        await BrowserApp.SignInAsync(desk, "gz.hotline");
        await desk.GotoAsync($"/workorders?q={ticket}");
        await Click(desk, desk.GetByRole(AriaRole.Link, new() { Name = ticket }));
        var workOrderUrl = new Uri(desk.Url).AbsolutePath;
        await Assertions.Expect(desk.Locator("#contact")).ToContainTextAsync("135****0000");   // masked for the desk
        await Assertions.Expect(Form(desk, "派单").GetByLabel("越秀区发展和改革局")).ToBeCheckedAsync();
        await Click(desk, Form(desk, "派单").Locator("button[type=submit]"));
        await Assertions.Expect(desk.Locator("#order-status")).ToContainTextAsync("已派单");
        await BrowserApp.ScreenshotAsync(desk, "portal-3-dispatched-staff", output);

        // 3. the liaison signs for it, sees the contact in full (audited) and replies
        var liaison = await app.NewPageAsync();
        await BrowserApp.SignInAsync(liaison, "yx.fgj.liaison");
        await liaison.GotoAsync(workOrderUrl);
        await Click(liaison, Form(liaison, "签收").Locator("button[type=submit]"));
        await Assertions.Expect(liaison.Locator("#order-status")).ToContainTextAsync("已签收");
        await Click(liaison, liaison.GetByRole(AriaRole.Button, new() { Name = "查看完整联系方式（将记入审计）" }));
        await Assertions.Expect(liaison.Locator("#contact")).ToContainTextAsync("13512340000");
        await Form(liaison, "答复").Locator("textarea").FillAsync("您好！需营业执照、上年度财务报表和项目说明，可在区政务服务中心或“穗好办”申报。");
        await Click(liaison, Form(liaison, "答复").Locator("button[type=submit]"));
        await Assertions.Expect(liaison.Locator("#order-status")).ToContainTextAsync("已答复");
        await BrowserApp.ScreenshotAsync(liaison, "portal-4-replied-staff", output);

        // the unit's duty list and the KPI page
        await liaison.GotoAsync($"/orgs/{await app.Factory.OrgId("GZ-YX-FGJ")}/duties");
        await Assertions.Expect(liaison.Locator("main h1")).ToContainTextAsync("履职清单");
        await BrowserApp.ScreenshotAsync(liaison, "portal-7-duties-staff", output);
        await liaison.GotoAsync("/workorders/kpi");
        await Assertions.Expect(liaison.Locator("main table.grid")).ToContainTextAsync("越秀区发展和改革局");
        await BrowserApp.ScreenshotAsync(liaison, "portal-8-kpi-staff", output);

        // 4. the citizen looks it up (ticket + code) and rates the reply
        await phone.GotoAsync($"/public/status?ticket={ticket}");
        await phone.Locator("#code").FillAsync(code);
        await Click(phone, phone.GetByRole(AriaRole.Button, new() { Name = "查询", Exact = true }));
        await Assertions.Expect(phone.Locator("#reply")).ToContainTextAsync("穗好办");
        await Assertions.Expect(phone.Locator("#status")).ToContainTextAsync("已答复");
        await Assertions.Expect(phone.Locator("main")).Not.ToContainTextAsync("梁嘉欣");
        await BrowserApp.ScreenshotAsync(phone, "portal-5-status-phone", output);
        await phone.GetByLabel("满意", new() { Exact = true }).CheckAsync();
        await phone.Locator("#comment").FillAsync("答复清楚，谢谢");
        await Click(phone, phone.GetByRole(AriaRole.Button, new() { Name = "提交评价" }));
        await Assertions.Expect(phone.Locator(".notice.ok")).ToHaveTextAsync("感谢您的评价");
        await Assertions.Expect(phone.Locator("#status")).ToContainTextAsync("已办结");
        await BrowserApp.ScreenshotAsync(phone, "portal-6-rated-phone", output);

        await phone.GotoAsync("/public/results");
        await BrowserApp.ScreenshotAsync(phone, "portal-9-results-phone", output);

        // the page fits the phone: nothing wider than the viewport
        var width = await phone.EvaluateAsync<int>("() => document.documentElement.scrollWidth");
        Assert.True(width <= 390, $"page is {width}px wide on a 390px phone");
    }
}
