using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace Bihuan.BrowserTests;

/// Org maintenance through the plain forms, as the admin (changes data: an app of its own).
public sealed class AdminOrgTests(BrowserApp app, ITestOutputHelper output) : IClassFixture<BrowserApp>
{
    static ILocator MainArea(IPage page) => page.Locator("main");

    async Task<int> CountOrgsNamed(string name)
    {
        var (db, scope) = app.Factory.SystemDb();
        using (scope) return await db.Orgs.IgnoreQueryFilters().CountAsync(o => o.Name == name);
    }

    [SkippableFact]
    public async Task NewSubOrg_ValidForm_AppearsUnderParent()
    {
        var page = await app.NewPageAsync();
        await BrowserApp.SignInAsync(page, "admin");
        var parentId = await app.Factory.OrgId("GZ-YX-BJJ");
        await page.GotoAsync($"/orgs/{parentId}");
        await Assertions.Expect(MainArea(page).GetByRole(AriaRole.Heading, new() { Name = "修改基本信息" })).ToBeVisibleAsync();

        await MainArea(page).GetByRole(AriaRole.Link, new() { Name = "新建下级组织" }).ClickAsync();
        await page.WaitForURLAsync($"**/orgs/new?parent={parentId}");
        await Assertions.Expect(MainArea(page).GetByRole(AriaRole.Link, new() { Name = "越秀区北京街道党工委" })).ToBeVisibleAsync();
        await page.Locator("input[name='Input.Name']").FillAsync("北京街测试社区党支部");
        await page.Locator("input[name='Input.Code']").FillAsync("GZ-YX-BJJ-T1");
        await page.Locator("select[name='Input.Type']").SelectOptionAsync("Branch");
        await BrowserApp.ScreenshotAsync(page, "admin-new-org-form", output);
        await MainArea(page).GetByRole(AriaRole.Button, new() { Name = "创建" }).ClickAsync();

        // lands on the new org's page, under its parent in the crumbs
        await page.WaitForURLAsync(u => System.Text.RegularExpressions.Regex.IsMatch(new Uri(u).AbsolutePath, @"^/orgs/\d+$"));
        await Assertions.Expect(MainArea(page).Locator("h1")).ToContainTextAsync("北京街测试社区党支部");
        await Assertions.Expect(MainArea(page).Locator("nav.crumbs")).ToContainTextAsync("越秀区北京街道党工委");
        await Assertions.Expect(MainArea(page).Locator("dd.code")).ToHaveTextAsync("GZ-YX-BJJ-T1");
        Assert.Equal(1, await CountOrgsNamed("北京街测试社区党支部"));

        await page.GotoAsync($"/orgs/{parentId}");
        var row = MainArea(page).Locator("table.grid tr", new() { HasText = "北京街测试社区党支部" });
        await Assertions.Expect(row).ToHaveCountAsync(1);
        await Assertions.Expect(row.Locator("td.code")).ToHaveTextAsync("GZ-YX-BJJ-T1");
        await BrowserApp.ScreenshotAsync(page, "admin-parent-with-new-child", output);
    }

    [SkippableFact]
    public async Task NewSubOrg_EmptyCode_ShowsFieldMessageAndCreatesNothing()
    {
        var page = await app.NewPageAsync();
        await BrowserApp.SignInAsync(page, "admin");
        var parentId = await app.Factory.OrgId("GZ-YX-NLJ");
        await page.GotoAsync($"/orgs/new?parent={parentId}");
        await page.Locator("input[name='Input.Name']").FillAsync("农林街无编码党支部");
        await page.Locator("input[name='Input.Code']").FillAsync("   ");
        var response = await page.RunAndWaitForResponseAsync(
            () => MainArea(page).GetByRole(AriaRole.Button, new() { Name = "创建" }).ClickAsync(),
            r => r.Request.Method == "POST" && new Uri(r.Url).AbsolutePath == "/orgs/new");
        await page.WaitForLoadStateAsync(LoadState.Load);

        Assert.Equal(400, response.Status);
        Assert.Equal("/orgs/new", new Uri(page.Url).AbsolutePath);
        await Assertions.Expect(MainArea(page).Locator(".field-error")).ToHaveTextAsync("组织编码不能为空");
        // the field message sits right under the code field, and the typed name is kept
        await Assertions.Expect(page.Locator("label:has(input[name='Input.Code']) + .field-error")).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator("input[name='Input.Name']")).ToHaveValueAsync("农林街无编码党支部");
        await BrowserApp.ScreenshotAsync(page, "admin-new-org-empty-code", output);

        Assert.Equal(0, await CountOrgsNamed("农林街无编码党支部"));
        await page.GotoAsync($"/orgs/{parentId}");
        await Assertions.Expect(MainArea(page).GetByText("农林街无编码党支部")).ToHaveCountAsync(0);
    }
}
