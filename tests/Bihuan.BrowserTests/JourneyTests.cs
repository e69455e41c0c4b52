using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace Bihuan.BrowserTests;

/// Read-only journeys through the pages in a real browser: what each persona sees, sign-in/out, language.
public sealed class JourneyTests(BrowserApp app, ITestOutputHelper output) : IClassFixture<BrowserApp>
{
    static ILocator MainArea(IPage page) => page.Locator("main");
    static ILocator OrgLink(IPage page, string name) => MainArea(page).GetByRole(AriaRole.Link, new() { Name = name, Exact = true });

    [SkippableFact]
    public async Task Liaison_BrowsesOrgs_SeesOwnUnitOnly()
    {
        var page = await app.NewPageAsync();
        await BrowserApp.SignInAsync(page, "yx.fgj.liaison");
        Assert.EndsWith("/", page.Url);
        Assert.Equal("yx.fgj.liaison", await page.Locator("header .who .user").InnerTextAsync());
        Assert.Contains("越秀区发展和改革局", await page.Locator("header .scope").InnerTextAsync());

        await page.GotoAsync("/orgs");
        await Assertions.Expect(OrgLink(page, "越秀区发展和改革局")).ToBeVisibleAsync();
        var main = await MainArea(page).InnerTextAsync();
        Assert.DoesNotContain("越秀区教育局", main);
        Assert.DoesNotContain("黄埔区", main);
        Assert.DoesNotContain("中共广州市越秀区委员会", main);
        Assert.DoesNotContain("机关党支部", main);   // its child branch is not in a liaison's (own unit) scope
        // a liaison neither manages roles nor reads the audit log
        var menu = page.Locator("nav.menu");
        await Assertions.Expect(menu.GetByRole(AriaRole.Link, new() { Name = "审计日志" })).ToHaveCountAsync(0);
        await Assertions.Expect(menu.GetByRole(AriaRole.Link, new() { Name = "账号与角色" })).ToHaveCountAsync(0);
        await BrowserApp.ScreenshotAsync(page, "liaison-orgs", output);

        // a sibling unit is out of scope: the page says 未找到 with a real 404
        var otherId = await app.Factory.OrgId("GZ-YX-JYJ");
        var res = await page.GotoAsync($"/orgs/{otherId}");
        Assert.Equal(404, res!.Status);
        await Assertions.Expect(MainArea(page).Locator("h1")).ToHaveTextAsync("未找到");
        await Assertions.Expect(MainArea(page)).ToContainTextAsync("不在您的权限范围内");
        Assert.DoesNotContain("越秀区教育局", await page.ContentAsync());
        // the layout (menu, top bar) is still there around the message
        await Assertions.Expect(page.Locator("nav.menu")).ToBeVisibleAsync();
        await BrowserApp.ScreenshotAsync(page, "liaison-out-of-scope-404", output);

        // the top-bar search finds nothing outside the scope
        await page.Locator("header form.search input[name=q]").FillAsync("教育局");
        await page.Locator("header form.search input[name=q]").PressAsync("Enter");
        await page.WaitForURLAsync(new Regex(@"/orgs\?q="));
        await Assertions.Expect(MainArea(page).Locator("p.empty")).ToHaveTextAsync("没有可显示的组织。");
        await Assertions.Expect(MainArea(page).Locator("table.grid tbody tr")).ToHaveCountAsync(0);
        await BrowserApp.ScreenshotAsync(page, "liaison-search-empty", output);

        // while its own unit is found by the same search box
        await page.GotoAsync("/orgs?q=" + Uri.EscapeDataString("发展和改革"));
        await Assertions.Expect(OrgLink(page, "越秀区发展和改革局")).ToBeVisibleAsync();
        await Assertions.Expect(OrgLink(page, "黄埔区发展和改革局")).ToHaveCountAsync(0);
    }

    [SkippableFact]
    public async Task Supervisor_BrowsesDistrict_SeesSubtreeReadOnly()
    {
        var page = await app.NewPageAsync();
        await BrowserApp.SignInAsync(page, "yx.jw");
        var menu = page.Locator("nav.menu");
        await Assertions.Expect(menu.GetByRole(AriaRole.Link, new() { Name = "审计日志" })).ToBeVisibleAsync();
        await Assertions.Expect(menu.GetByRole(AriaRole.Link, new() { Name = "账号与角色" })).ToHaveCountAsync(0);

        await page.GotoAsync("/orgs");
        await Assertions.Expect(OrgLink(page, "中共广州市越秀区委员会")).ToBeVisibleAsync();
        await Assertions.Expect(OrgLink(page, "越秀区教育局")).ToBeVisibleAsync();
        await Assertions.Expect(OrgLink(page, "越秀区北京街道党工委")).ToBeVisibleAsync();
        var main = await MainArea(page).InnerTextAsync();
        Assert.DoesNotContain("黄埔区", main);
        Assert.DoesNotContain("市委办公厅", main);
        // read-only: no import button on the tree
        await Assertions.Expect(MainArea(page).GetByRole(AriaRole.Link, new() { Name = "导入组织架构" })).ToHaveCountAsync(0);

        // unfold the street committee: its branches appear
        var streetRow = MainArea(page).Locator("table.grid tbody tr")
            .Filter(new() { Has = page.GetByRole(AriaRole.Link, new() { Name = "越秀区北京街道党工委", Exact = true }) });
        await streetRow.Locator("a.twisty").ClickAsync();
        await Assertions.Expect(OrgLink(page, "北京街西湖社区党委")).ToBeVisibleAsync();
        await BrowserApp.ScreenshotAsync(page, "supervisor-orgs", output);

        await page.GotoAsync("/orgs?q=" + Uri.EscapeDataString("发展和改革局"));
        await Assertions.Expect(OrgLink(page, "越秀区发展和改革局")).ToBeVisibleAsync();
        await Assertions.Expect(OrgLink(page, "黄埔区发展和改革局")).ToHaveCountAsync(0);

        // an org page in scope: facts and people shown, no maintenance forms
        var res = await page.GotoAsync($"/orgs/{await app.Factory.OrgId("GZ-YX-JYJ")}");
        Assert.Equal(200, res!.Status);
        await Assertions.Expect(MainArea(page).Locator("h1")).ToContainTextAsync("越秀区教育局");
        await Assertions.Expect(MainArea(page).GetByText("林静")).ToBeVisibleAsync();
        await Assertions.Expect(MainArea(page).GetByText("修改基本信息")).ToHaveCountAsync(0);
        await Assertions.Expect(MainArea(page).GetByRole(AriaRole.Heading, new() { Name = "维护" })).ToHaveCountAsync(0);
        await Assertions.Expect(MainArea(page).GetByRole(AriaRole.Link, new() { Name = "新建下级组织" })).ToHaveCountAsync(0);
        await BrowserApp.ScreenshotAsync(page, "supervisor-org-page", output);

        // outside the district: 404
        res = await page.GotoAsync($"/orgs/{await app.Factory.OrgId("GZ-HP-FGJ")}");
        Assert.Equal(404, res!.Status);
        res = await page.GotoAsync($"/orgs/{await app.Factory.OrgId("GZ-BGT")}");
        Assert.Equal(404, res!.Status);
        await Assertions.Expect(MainArea(page).Locator("h1")).ToHaveTextAsync("未找到");

        // creating under an org outside the district: the form post answers 未找到 (404), not a blank page
        await page.GotoAsync($"/orgs/new?parent={await app.Factory.OrgId("GZ-HP-FGJ")}");
        await page.Locator("input[name='Input.Name']").FillAsync("越权测试支部");
        await page.Locator("input[name='Input.Code']").FillAsync("GZ-HP-FGJ-X1");
        var post = await page.RunAndWaitForResponseAsync(
            () => MainArea(page).GetByRole(AriaRole.Button, new() { Name = "创建" }).ClickAsync(),
            r => r.Request.Method == "POST");
        await page.WaitForLoadStateAsync(LoadState.Load);
        Assert.Equal(404, post.Status);
        await Assertions.Expect(MainArea(page).Locator("h1")).ToHaveTextAsync("未找到");
    }

    [SkippableFact]
    public async Task UnknownAddress_SignedIn_ShowsNotFoundPageWith404()
    {
        var page = await app.NewPageAsync();
        await BrowserApp.SignInAsync(page, "yx.fgj.member");
        var res = await page.GotoAsync("/no-such-page");
        Assert.Equal(404, res!.Status);
        await Assertions.Expect(MainArea(page).Locator("h1")).ToHaveTextAsync("未找到");
        await Assertions.Expect(MainArea(page).GetByRole(AriaRole.Link, new() { Name = "返回工作台" })).ToBeVisibleAsync();
    }

    [SkippableFact]
    public async Task SignIn_WrongPassword_ShowsErrorAndStaysOnLogin()
    {
        var page = await app.NewPageAsync();
        await BrowserApp.SignInAsync(page, "hp.office", "not-the-password");
        Assert.Equal("/login", new Uri(page.Url).AbsolutePath);
        await Assertions.Expect(page.Locator(".notice.error")).ToHaveTextAsync("用户名或密码不正确；连续多次输错的账号会被暂时锁定");
        await Assertions.Expect(page.Locator("header .who")).ToHaveCountAsync(0);
        // still anonymous: the dashboard sends us back to the login page
        await page.GotoAsync("/");
        Assert.Equal("/login", new Uri(page.Url).AbsolutePath);
        await BrowserApp.ScreenshotAsync(page, "login-wrong-password", output);

        // the page's stylesheet link resolves (a broken asset path would leave every page unstyled)
        var href = await page.Locator("link[rel=stylesheet]").First.GetAttributeAsync("href");
        Assert.False(string.IsNullOrEmpty(href));
        var css = await page.APIRequest.GetAsync(new Uri(new Uri(page.Url), href).ToString());
        Assert.Equal(200, css.Status);
        Assert.StartsWith("text/css", css.Headers["content-type"]);
    }

    [SkippableFact]
    public async Task SignOut_FromTopBar_ReturnsToLoginAndLocksPages()
    {
        var page = await app.NewPageAsync();
        await BrowserApp.SignInAsync(page, "yx.fgj.member");
        Assert.Equal("/", new Uri(page.Url).AbsolutePath);
        await Assertions.Expect(MainArea(page).Locator("h1")).ToHaveTextAsync("工作台");

        await page.Locator("header .who").GetByRole(AriaRole.Button, new() { Name = "退出" }).ClickAsync();
        await page.WaitForURLAsync(u => new Uri(u).AbsolutePath == "/login");
        await Assertions.Expect(page.Locator("header .who")).ToHaveCountAsync(0);

        await page.GotoAsync("/");
        Assert.Equal("/login", new Uri(page.Url).AbsolutePath);
        await page.GotoAsync("/orgs");
        Assert.Equal("/login", new Uri(page.Url).AbsolutePath);
        Assert.Contains("ReturnUrl=%2Forgs", page.Url);
    }

    [SkippableFact]
    public async Task Language_SwitchInTopBar_IsRememberedAndReversible()
    {
        var page = await app.NewPageAsync();
        await BrowserApp.SignInAsync(page, "yx.fgj.liaison");
        await page.GotoAsync("/orgs");
        var html = page.Locator("html");
        var lang = page.Locator("header nav.lang a");
        await Assertions.Expect(html).ToHaveAttributeAsync("lang", "zh-CN");
        await Assertions.Expect(lang).ToHaveTextAsync("English");

        await lang.ClickAsync();
        await page.WaitForURLAsync(u => new Uri(u).AbsolutePath == "/orgs");   // back where we were
        await Assertions.Expect(html).ToHaveAttributeAsync("lang", "en");
        await Assertions.Expect(lang).ToHaveTextAsync("中文");
        var cookies = await page.Context.CookiesAsync();
        Assert.Contains(cookies, c => c.Name == ".AspNetCore.Culture" && c.Value.Contains("en"));

        // remembered on a fresh load of another page
        await page.GotoAsync("/");
        await Assertions.Expect(html).ToHaveAttributeAsync("lang", "en");
        await Assertions.Expect(lang).ToHaveTextAsync("中文");
        await BrowserApp.ScreenshotAsync(page, "language-en", output);

        await lang.ClickAsync();
        await page.WaitForURLAsync(u => new Uri(u).AbsolutePath == "/");
        await Assertions.Expect(html).ToHaveAttributeAsync("lang", "zh-CN");
        await Assertions.Expect(lang).ToHaveTextAsync("English");
        await page.GotoAsync("/orgs");
        await Assertions.Expect(html).ToHaveAttributeAsync("lang", "zh-CN");
    }
}
