using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Bihuan.Features.People;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Bihuan.IntegrationTests;

/// The browser path: GET /login, post the form with its antiforgery token, carry the cookie.
public abstract partial class CookieSignInTestsBase(Func<BihuanFactory> factory)
{
    protected BihuanFactory App => factory();

    HttpClient Browser() => App.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });

    [GeneratedRegex("name=\"__RequestVerificationToken\"[^>]*value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryToken();

    static async Task<HttpResponseMessage> SignIn(HttpClient browser, string user, string password)
    {
        var page = await browser.GetAsync("/login");
        await page.Expect(HttpStatusCode.OK);
        var html = await page.Content.ReadAsStringAsync();
        var token = AntiforgeryToken().Match(html);
        Assert.True(token.Success, "no antiforgery token in /login: " + html[..Math.Min(html.Length, 1500)]);
        Assert.Contains("name=\"Input.UserName\"", html);
        Assert.Contains("name=\"Input.Password\"", html);
        return await browser.PostAsync("/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "login",
            ["__RequestVerificationToken"] = WebUtility.HtmlDecode(token.Groups[1].Value),
            ["Input.UserName"] = user,
            ["Input.Password"] = password,
        }));
    }

    [SkippableFact]
    public async Task Login_RightPassword_RedirectsAndShowsWorkbench()
    {
        var browser = Browser();
        var res = await SignIn(browser, "yx.fgj.head", "Demo@2026bh");
        Assert.True(res.StatusCode is HttpStatusCode.Redirect or HttpStatusCode.Found, await res.Describe());
        Assert.Equal("/", new Uri(new Uri("http://localhost"), res.Headers.Location!).AbsolutePath);
        var home = await browser.GetAsync("/");
        await home.Expect(HttpStatusCode.OK);
        var html = await home.Content.ReadAsStringAsync();
        Assert.Contains("工作台", html);
        Assert.Contains("越秀区发展和改革局", html);
        // The cookie also opens the API (no token needed in a browser).
        var me = await (await browser.GetAsync("/api/v1/me")).Expect<Features.Accounts.MeDto>(HttpStatusCode.OK);
        Assert.Equal("yx.fgj.head", me.UserName);
    }

    [SkippableFact]
    public async Task Login_WrongPassword_StaysOnPageWithMessage()
    {
        var res = await SignIn(Browser(), "yx.fgj.leader", "wrong-password-1");
        await res.Expect(HttpStatusCode.BadRequest);
        Assert.Contains("用户名或密码不正确", await res.Content.ReadAsStringAsync());
        Assert.Null(res.Headers.Location);
    }

    [SkippableFact]
    public async Task Login_WithoutAntiforgeryToken_IsRefused()
    {
        var res = await Browser().PostAsync("/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "login", ["Input.UserName"] = "yx.fgj.head", ["Input.Password"] = "Demo@2026bh",
        }));
        Assert.Equal(HttpStatusCode.BadRequest, res.StatusCode);
        Assert.DoesNotContain(res.Headers, h => h.Key == "Set-Cookie" && h.Value.Any(v => v.StartsWith("bihuan.auth=")));
    }

    [SkippableFact]
    public async Task Login_FiveWrongPasswords_LocksAccountEvenForTheRightPassword()
    {
        // A throwaway account, so that locking it cannot disturb other tests.
        var admin = await App.ClientFor("admin");
        var user = "lock." + Guid.NewGuid().ToString("N")[..8];
        var account = await (await admin.PostAsJsonAsync("/api/v1/accounts", new { userName = user, displayName = "锁定测试", password = "Lock@2026abc" }))
            .Expect<AccountDto>(HttpStatusCode.Created);
        await (await admin.PostAsJsonAsync("/api/v1/roles", new { accountId = account.Id, orgId = await App.OrgId("GZ-YX-JYJ"), role = Domain.Role.Member }))
            .Expect(HttpStatusCode.Created);
        var browser = Browser();
        string last = "";
        for (var i = 0; i < 5; i++) last = await (await SignIn(browser, user, "Wrong@2026abc")).Content.ReadAsStringAsync();
        Assert.Contains("锁定", last);
        var right = await SignIn(browser, user, "Lock@2026abc");
        Assert.Contains("锁定", await right.Content.ReadAsStringAsync());
        Assert.Null(right.Headers.Location);
        var accounts = await (await admin.GetAsync("/api/v1/accounts")).Expect<List<AccountDto>>(HttpStatusCode.OK);
        Assert.True(Assert.Single(accounts, a => a.UserName == user).LockedOut);
        Assert.False(Assert.Single(accounts, a => a.UserName == "yx.fgj.head").LockedOut);
    }
}

public sealed class SqliteCookieSignInTests(SqliteFixture app) : CookieSignInTestsBase(() => app), IClassFixture<SqliteFixture>;

public sealed class PostgresCookieSignInTests(PostgresFixture app) : CookieSignInTestsBase(() => app.Factory), IClassFixture<PostgresFixture>;
