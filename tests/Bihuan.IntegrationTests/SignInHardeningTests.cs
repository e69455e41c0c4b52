using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Bihuan.Features.Accounts;
using Bihuan.Features.People;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Bihuan.IntegrationTests;

/// The attacks of issue 14 on sign-in, each as a test (ADR 0017): guessing (throttling per name and per address),
/// enumeration (one answer, one cost), a copied cookie after sign-out, a token after a password change, weak
/// passwords, unaudited sign-ins, no CSP, cookies not Secure behind the TLS proxy, one rate-limit bucket for all
/// citizens behind the proxy, cookie writes to the API without an antiforgery token.
public abstract partial class SignInHardeningTestsBase(Func<BihuanFactory> factory)
{
    /// Reachable limits, and the app behind a proxy at 127.0.0.1 (the test server's connection has no peer address:
    /// the filter gives it the proxy's, so X-Forwarded-For names the client as a real proxy would).
    public static readonly IReadOnlyDictionary<string, string?> Settings = new Dictionary<string, string?>
    {
        ["Bihuan:Auth:Throttle:AccountFreeFailures"] = "3",
        ["Bihuan:Auth:Throttle:AddressFreeFailures"] = "6",
        ["Bihuan:Auth:Throttle:BaseDelaySeconds"] = "120",
        ["Bihuan:Proxy:KnownProxies"] = "127.0.0.1",
        ["Bihuan:Portal:PostsPerMinutePerIp"] = "3",
    };

    public sealed class PeerFilter : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((ctx, n) =>
            {
                // X-Test-Peer: a request arriving straight from another machine (not through the proxy).
                ctx.Connection.RemoteIpAddress ??= IPAddress.Parse(ctx.Request.Headers["X-Test-Peer"].FirstOrDefault() ?? "127.0.0.1");
                return n(ctx);
            });
            next(app);
        };
    }

    protected BihuanFactory App => factory();
    const string Demo = "Demo@2026bh";
    static int s_address;

    /// A browser at an address of its own (so that one test's failures do not throttle another's).
    HttpClient Browser(string? address = null)
    {
        var c = App.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
        c.DefaultRequestHeaders.Add("X-Forwarded-For", address ?? NewAddress());
        return c;
    }

    static string NewAddress() => $"198.51.{Interlocked.Increment(ref s_address) / 250}.{s_address % 250 + 1}";

    [GeneratedRegex("name=\"__RequestVerificationToken\"[^>]*value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryToken();

    static async Task<string> TokenOn(HttpClient browser, string page)
    {
        var html = await (await browser.GetAsync(page)).Content.ReadAsStringAsync();
        var m = AntiforgeryToken().Match(html);
        Assert.True(m.Success, $"no antiforgery token on {page}");
        return WebUtility.HtmlDecode(m.Groups[1].Value);
    }

    static async Task<HttpResponseMessage> SignIn(HttpClient browser, string user, string password) =>
        await browser.PostAsync("/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "login", ["__RequestVerificationToken"] = await TokenOn(browser, "/login"),
            ["Input.UserName"] = user, ["Input.Password"] = password,
        }));

    static async Task<string> Message(HttpResponseMessage res)
    {
        var html = await res.Content.ReadAsStringAsync();
        var m = Regex.Match(html, "<div class=\"notice error\" role=\"alert\">([^<]*)</div>");
        Assert.True(m.Success, "no message on the page: " + await res.Describe());
        return m.Groups[1].Value;
    }

    async Task<(string Id, string User, string Password)> NewAccount(string prefix = "sh")
    {
        var admin = await App.ClientFor("admin");
        var user = $"{prefix}.{Guid.NewGuid():N}"[..(prefix.Length + 9)];
        const string password = "Kite#2026river";
        var account = await (await admin.PostAsJsonAsync("/api/v1/accounts", new { userName = user, displayName = "加固测试", password }))
            .Expect<AccountDto>(HttpStatusCode.Created);
        await (await admin.PostAsJsonAsync("/api/v1/roles", new { accountId = account.Id, orgId = await App.OrgId("GZ-YX-JYJ"), role = Domain.Role.Member }))
            .Expect(HttpStatusCode.Created);
        return (account.Id, user, password);
    }

    async Task<List<Domain.AuditEntry>> SignInEntries()
    {
        var (db, scope) = App.SystemDb();
        using (scope) return await db.AuditEntries.IgnoreQueryFilters().Where(e => e.EntityType == PasswordSignIn.AuditType)
            .OrderBy(e => e.Seq).ToListAsync();
    }

    static bool Redirected(HttpResponseMessage r, string to) =>
        r.StatusCode is HttpStatusCode.Redirect or HttpStatusCode.Found
        && new Uri(new Uri("http://localhost"), r.Headers.Location!).AbsolutePath == to;

    [SkippableFact]
    public async Task Login_PastTheFreeFailures_SameNameWaits429_KnownOrUnknownAlike()
    {
        var (_, known, password) = await NewAccount();
        foreach (var name in new[] { known, "nobody." + Guid.NewGuid().ToString("N")[..8] })
        {
            var statuses = new List<HttpStatusCode>();
            // Each attempt from another address: the name alone is throttled.
            for (var i = 0; i < 4; i++) statuses.Add((await SignIn(Browser(), name, "Wrong#2026pass")).StatusCode);
            Assert.Equal([HttpStatusCode.BadRequest, HttpStatusCode.BadRequest, HttpStatusCode.BadRequest,
                HttpStatusCode.BadRequest], statuses);
            var throttled = await SignIn(Browser(), name, name == known ? password : "Wrong#2026pass");
            Assert.Equal(HttpStatusCode.TooManyRequests, throttled.StatusCode);
            Assert.True(throttled.Headers.RetryAfter?.Delta > TimeSpan.Zero, "no Retry-After");
            Assert.Contains("尝试次数过多", await Message(throttled));
            Assert.DoesNotContain(throttled.Headers, h => h.Key == "Set-Cookie" && h.Value.Any(v => v.StartsWith("bihuan.auth=")));
        }
    }

    [SkippableFact]
    public async Task Login_ManyNamesFromOneAddress_TheAddressWaits_AnotherAddressDoesNot()
    {
        var address = NewAddress();
        for (var i = 0; i < 6; i++)
            await (await SignIn(Browser(address), $"spray{i}.{Guid.NewGuid():N}"[..14], "Wrong#2026pass")).Expect(HttpStatusCode.BadRequest);
        await (await SignIn(Browser(address), "spray.x." + Guid.NewGuid().ToString("N")[..6], "Wrong#2026pass"))
            .Expect(HttpStatusCode.BadRequest);   // the 7th failure starts the wait…
        var blocked = await SignIn(Browser(address), "yx.fgj.member", Demo);
        Assert.Equal(HttpStatusCode.TooManyRequests, blocked.StatusCode);   // …even for a right password
        Assert.True(Redirected(await SignIn(Browser(), "yx.fgj.member", Demo), "/"));
    }

    [SkippableFact]
    public async Task Login_UnknownWrongOrLocked_OneStatusAndOneMessage_PasswordNeverEchoed()
    {
        var (id, known, _) = await NewAccount();
        var (lockedId, locked, lockedPassword) = await NewAccount();
        await App.Sql("UPDATE \"AspNetUsers\" SET \"LockoutEnd\" = {0} WHERE \"Id\" = {1}",
            DateTimeOffset.UtcNow.AddHours(1), lockedId);
        var typed = "Secret#" + Guid.NewGuid().ToString("N")[..10];
        var answers = new List<(HttpStatusCode, string, string)>();
        foreach (var (name, pw) in new[] { ("nobody." + Guid.NewGuid().ToString("N")[..8], typed), (known, typed), (locked, lockedPassword) })
        {
            var res = await SignIn(Browser(), name, pw);
            var html = await res.Content.ReadAsStringAsync();
            Assert.DoesNotContain(pw, html);
            answers.Add((res.StatusCode, await Message(res), Regex.Replace(html, "value=\"[^\"]*\"", "")
                .Replace(name, "NAME", StringComparison.Ordinal)));
        }
        Assert.Single(answers.Select(a => a.Item1).Distinct());
        Assert.Equal(HttpStatusCode.BadRequest, answers[0].Item1);
        Assert.Single(answers.Select(a => a.Item2).Distinct());
        Assert.Single(answers.Select(a => a.Item3).Distinct());   // the whole page alike, but for the name typed
        Assert.NotEqual(id, lockedId);
    }

    [SkippableFact]
    public async Task Login_UnknownWrongOrLocked_TakeAlikeTime_MediansWithinAFactorOfThree()
    {
        // Distinct names and addresses keep every attempt below the throttle; three accounts of each kind keep the
        // known ones below the lockout. Interleaved, so that a slow moment of the machine hits every kind.
        var normal = new List<string>();
        var locked = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            normal.Add((await NewAccount("tm")).User);
            var l = await NewAccount("tl");
            await App.Sql("UPDATE \"AspNetUsers\" SET \"LockoutEnd\" = {0} WHERE \"Id\" = {1}", DateTimeOffset.UtcNow.AddHours(1), l.Id);
            locked.Add(l.User);
        }
        var times = new Dictionary<string, List<double>> { ["unknown"] = [], ["wrong"] = [], ["locked"] = [] };
        async Task Time(string kind, string name)
        {
            var browser = Browser();
            var form = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["_handler"] = "login", ["__RequestVerificationToken"] = await TokenOn(browser, "/login"),
                ["Input.UserName"] = name, ["Input.Password"] = "Wrong#2026pass",
            });
            var watch = Stopwatch.StartNew();
            var res = await browser.PostAsync("/login", form);
            watch.Stop();
            await res.Expect(HttpStatusCode.BadRequest);
            times[kind].Add(watch.Elapsed.TotalMilliseconds);
        }
        await Time("unknown", "warm." + Guid.NewGuid().ToString("N")[..8]);
        times["unknown"].Clear();
        for (var round = 0; round < 9; round++)
        {
            await Time("unknown", "nobody." + Guid.NewGuid().ToString("N")[..8]);
            await Time("wrong", normal[round % 3]);
            await Time("locked", locked[round % 3]);
        }
        var medians = times.ToDictionary(t => t.Key, t => t.Value.Order().ElementAt(t.Value.Count / 2));
        var text = string.Join(", ", medians.Select(m => $"{m.Key} {m.Value:0.0} ms"));
        Assert.True(medians.Values.Max() <= 3 * medians.Values.Min(), "medians differ by more than 3×: " + text);
    }

    [SkippableFact]
    public async Task Cookie_CopiedBeforeSignOut_IsRefusedAfterIt()
    {
        var (_, user, password) = await NewAccount();
        var browser = Browser();
        var signedIn = await SignIn(browser, user, password);
        Assert.True(Redirected(signedIn, "/"), await signedIn.Describe());
        var cookie = signedIn.Headers.GetValues("Set-Cookie").Single(v => v.StartsWith("bihuan.auth=")).Split(';')[0];
        var thief = App.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });
        thief.DefaultRequestHeaders.Add("Cookie", cookie);
        await (await thief.GetAsync("/api/v1/me")).Expect(HttpStatusCode.OK);

        var logout = await browser.PostAsync("/logout", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = await TokenOn(browser, "/"),
        }));
        Assert.True(Redirected(logout, "/login"), await logout.Describe());
        await (await thief.GetAsync("/api/v1/me")).Expect(HttpStatusCode.Unauthorized);
        Assert.True(Redirected(await thief.GetAsync("/"), "/login"));
        Assert.Contains(await SignInEntries(), e => e.Note!.StartsWith("退出登录") && e.Actor == user);
    }

    [SkippableFact]
    public async Task PasswordChange_EndsTokensAndOtherCookies_TheNewPasswordSignsIn()
    {
        var (id, user, password) = await NewAccount();
        var other = Browser();
        Assert.True(Redirected(await SignIn(other, user, password), "/"));
        var token = await App.TokenFor(user);
        var api = App.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        api.DefaultRequestHeaders.Authorization = new("Bearer", token);
        await (await api.GetAsync("/api/v1/me")).Expect(HttpStatusCode.OK);

        await (await api.PostAsJsonAsync("/api/v1/me/password", new { currentPassword = password, newPassword = "Lantern#2027moss" }))
            .Expect(HttpStatusCode.NoContent);
        await (await api.GetAsync("/api/v1/me")).Expect(HttpStatusCode.Unauthorized);
        await (await other.GetAsync("/api/v1/me")).Expect(HttpStatusCode.Unauthorized);
        await (await SignIn(Browser(), user, password)).Expect(HttpStatusCode.BadRequest);
        Assert.True(Redirected(await SignIn(Browser(), user, "Lantern#2027moss"), "/"));
        Assert.Contains(await SignInEntries(), e => e.EntityId == id && e.Note!.StartsWith("修改密码"));
    }

    [SkippableFact]
    public async Task AdminReset_EndsTokens_NextSignInMustChangeFirst()
    {
        var (id, user, _) = await NewAccount();
        var token = await App.TokenFor(user);
        var admin = await App.ClientFor("admin");
        await (await (await App.ClientFor("yx.office")).PostAsJsonAsync($"/api/v1/accounts/{id}/password", new { newPassword = "Harbor#2026reset" }))
            .Expect(HttpStatusCode.Forbidden);
        await (await admin.PostAsJsonAsync($"/api/v1/accounts/{id}/password", new { newPassword = "password12" }))
            .ExpectProblem(HttpStatusCode.BadRequest, "newPassword");
        await (await admin.PostAsJsonAsync($"/api/v1/accounts/{id}/password", new { newPassword = "Harbor#2026reset" }))
            .Expect(HttpStatusCode.NoContent);
        var api = App.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        api.DefaultRequestHeaders.Authorization = new("Bearer", token);
        await (await api.GetAsync("/api/v1/me")).Expect(HttpStatusCode.Unauthorized);

        var browser = Browser();
        Assert.True(Redirected(await SignIn(browser, user, "Harbor#2026reset"), SessionGuard.ChangePath));
        Assert.True(Redirected(await browser.GetAsync("/ledger"), SessionGuard.ChangePath));
        await (await browser.GetAsync("/api/v1/me")).ExpectProblem(HttpStatusCode.Forbidden);
        var change = await browser.PostAsync(SessionGuard.ChangePath, new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "change-password", ["__RequestVerificationToken"] = await TokenOn(browser, SessionGuard.ChangePath),
            ["Input.Current"] = "Harbor#2026reset", ["Input.New"] = "Meadow#2026quiet", ["Input.Repeat"] = "Meadow#2026quiet",
        }));
        await change.Expect(HttpStatusCode.OK);
        Assert.DoesNotContain("Meadow#2026quiet", await change.Content.ReadAsStringAsync());
        await (await browser.GetAsync("/api/v1/me")).Expect(HttpStatusCode.OK);   // this browser stays signed in
        await (await browser.GetAsync("/ledger")).Expect(HttpStatusCode.OK);
    }

    [SkippableFact]
    public async Task Lockout_LeavesTokensWorking()
    {
        // ADR 0017: anyone who knows a user name can lock its account; the account's integrations must not stop.
        var (id, user, _) = await NewAccount();
        var token = await App.TokenFor(user);
        await App.Sql("UPDATE \"AspNetUsers\" SET \"LockoutEnd\" = {0} WHERE \"Id\" = {1}", DateTimeOffset.UtcNow.AddHours(1), id);
        var api = App.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        api.DefaultRequestHeaders.Authorization = new("Bearer", token);
        await (await api.GetAsync("/api/v1/me")).Expect(HttpStatusCode.OK);
    }

    public static TheoryData<string> Weak => new()
    {
        "password12", "guangzhou1", "woaini1314", "Aa123456789", "Guangzhou2026!", "Shenzhen@888", "P@ssw0rd",
        "Short#1a", "abcdefghij1", "ABCDEFGH1234", "1qaz2wsx3edc",
    };

    [SkippableTheory]
    [MemberData(nameof(Weak))]
    public async Task WeakPassword_IsRefused_OnCreateAndOnChange(string weak)
    {
        var admin = await App.ClientFor("admin");
        await (await admin.PostAsJsonAsync("/api/v1/accounts", new { userName = "weak." + Guid.NewGuid().ToString("N")[..8], displayName = "弱", password = weak }))
            .ExpectProblem(HttpStatusCode.BadRequest, "password");
        var (_, user, password) = await NewAccount();
        var api = App.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        api.DefaultRequestHeaders.Authorization = new("Bearer", await App.TokenFor(user));
        await (await api.PostAsJsonAsync("/api/v1/me/password", new { currentPassword = password, newPassword = weak }))
            .ExpectProblem(HttpStatusCode.BadRequest, "newPassword");
        await (await api.GetAsync("/api/v1/me")).Expect(HttpStatusCode.OK);   // nothing changed
    }

    [SkippableFact]
    public async Task Password_HoldingTheUserName_IsRefused()
    {
        var admin = await App.ClientFor("admin");
        var user = "kestrel" + Guid.NewGuid().ToString("N")[..4];
        var p = await (await admin.PostAsJsonAsync("/api/v1/accounts", new { userName = user, displayName = "名", password = $"X#{user.ToUpperInvariant()}2026" }))
            .ExpectProblem(HttpStatusCode.BadRequest, "password");
        Assert.Contains("用户名", p.GetProperty("errors").GetProperty("password")[0].GetString());
    }

    [SkippableFact]
    public async Task SignInFailureLockoutAndSignOut_AreAudited_WithNameAndAddress_NeverThePassword()
    {
        var (id, user, password) = await NewAccount();
        var address = "203.0.113." + Random.Shared.Next(1, 250);
        var wrong = "Wrong#" + Guid.NewGuid().ToString("N")[..10];
        var browser = Browser(address);
        Assert.True(Redirected(await SignIn(browser, user, password), "/"));
        await browser.PostAsync("/logout", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = await TokenOn(browser, "/"),
        }));
        // Five wrong passwords lock the account. The name's back-off would make the 4th wait (this factory's delay is
        // two minutes), so the test clears the name's count between attempts: the lockout is what is under test.
        for (var i = 0; i < 5; i++)
        {
            await SignIn(Browser(address), user, wrong);
            App.Services.GetRequiredService<SignInThrottle>().Succeeded(SignInThrottle.UserKey(user));
        }
        var mine = (await SignInEntries()).Where(e => e.Actor == user).ToList();
        Assert.Contains(mine, e => e.EntityId == id && e.Note!.StartsWith("登录成功") && e.Note.Contains(address));
        Assert.Contains(mine, e => e.EntityId == id && e.Note!.StartsWith("退出登录") && e.Note.Contains(address));
        Assert.True(mine.Count(e => e.Note!.StartsWith("登录失败")) >= 5, string.Join("\n", mine.Select(e => e.Note)));
        Assert.Contains(mine, e => e.Note!.Contains("账号被锁定"));
        Assert.All(mine, e => Assert.DoesNotContain(password, (e.Note ?? "") + e.Before + e.After));
        Assert.All(mine, e => Assert.DoesNotContain(wrong, (e.Note ?? "") + e.Before + e.After));
        // An unknown name is audited too, under the name typed.
        var stranger = "ghost." + Guid.NewGuid().ToString("N")[..8];
        await SignIn(Browser(address), stranger, wrong);
        Assert.Contains(await SignInEntries(), e => e.Actor == stranger && e.Note!.StartsWith("登录失败") && e.EntityId == "-");
    }

    [SkippableFact]
    public async Task EveryPage_CarriesAStrictCsp_NoInlineScriptOrStyle()
    {
        var browser = Browser();
        Assert.True(Redirected(await SignIn(browser, "gz.jw", Demo), "/"));
        foreach (var page in new[] { "/", "/orgs", "/ledger", "/supervision", "/me/study", "/audit", "/public", "/login", "/no-such-page" })
        {
            var res = await browser.GetAsync(page);
            var csp = string.Join(";", res.Headers.TryGetValues("Content-Security-Policy", out var v) ? v : []);
            Assert.True(csp.Contains("script-src 'self'") && csp.Contains("style-src 'self'") && csp.Contains("frame-ancestors 'none'")
                && !csp.Contains("unsafe-inline"), $"{page}: {csp}");
            var html = await res.Content.ReadAsStringAsync();
            Assert.DoesNotContain(" style=\"", html);
            Assert.DoesNotContain("<script>", html);
        }
        var docs = await browser.GetAsync("/api/docs");
        Assert.Contains("form-action 'none'", string.Join(";", docs.Headers.GetValues("Content-Security-Policy")));
    }

    [SkippableFact]
    public async Task Https_ViaTheKnownProxy_SecureCookiesAndHsts_PlainHttpNeither_UnknownProxyNotBelieved()
    {
        // The proxy ended TLS and says so. The client's cookie jar would not send Secure cookies over the test's
        // plain http, so this browser carries its cookies by hand.
        var tls = App.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });
        tls.DefaultRequestHeaders.Add("X-Forwarded-For", NewAddress());
        tls.DefaultRequestHeaders.Add("X-Forwarded-Proto", "https");
        var page = await tls.GetAsync("/login");
        Assert.True(page.Headers.TryGetValues("Strict-Transport-Security", out var hsts), await page.Describe());
        Assert.Equal("max-age=31536000", string.Join("", hsts));
        var antiforgery = page.Headers.GetValues("Set-Cookie").Single(v => v.StartsWith(".AspNetCore.Antiforgery."));
        Assert.Contains("secure", antiforgery, StringComparison.OrdinalIgnoreCase);
        var token = AntiforgeryToken().Match(await page.Content.ReadAsStringAsync()).Groups[1].Value;
        var post = new HttpRequestMessage(HttpMethod.Post, "/login")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["_handler"] = "login", ["__RequestVerificationToken"] = WebUtility.HtmlDecode(token),
                ["Input.UserName"] = "yx.fgj.member", ["Input.Password"] = Demo,
            }),
        };
        post.Headers.Add("Cookie", antiforgery.Split(';')[0]);
        var signedIn = await tls.SendAsync(post);
        Assert.True(Redirected(signedIn, "/"), await signedIn.Describe());
        var cookie = signedIn.Headers.GetValues("Set-Cookie").Single(v => v.StartsWith("bihuan.auth="));
        Assert.Contains("secure", cookie, StringComparison.OrdinalIgnoreCase);

        var plain = await SignIn(Browser(), "yx.fgj.member", Demo);
        Assert.False(plain.Headers.Contains("Strict-Transport-Security"));
        Assert.DoesNotContain("secure", plain.Headers.GetValues("Set-Cookie").Single(v => v.StartsWith("bihuan.auth=")),
            StringComparison.OrdinalIgnoreCase);

        // A client that is not a known proxy, claiming https and another address, is not believed.
        var spoof = App.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        spoof.DefaultRequestHeaders.Add("X-Test-Peer", "192.0.2.50");
        spoof.DefaultRequestHeaders.Add("X-Forwarded-For", "198.18.0.1");
        spoof.DefaultRequestHeaders.Add("X-Forwarded-Proto", "https");
        Assert.False((await spoof.GetAsync("/login")).Headers.Contains("Strict-Transport-Security"));
    }

    [SkippableFact]
    public async Task PortalRateLimit_KeyedByTheRealClientBehindTheProxy()
    {
        async Task<HttpStatusCode> Lookup(string address)
        {
            var c = App.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
            c.DefaultRequestHeaders.Add("X-Forwarded-For", address);
            return (await c.PostAsync("/public/status", new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["_handler"] = "lookup", ["Lookup.Ticket"] = "GZ20261127000001", ["Lookup.Code"] = "AAAAAAAA",
            }))).StatusCode;
        }
        var a = NewAddress();
        var first = new List<HttpStatusCode>();
        for (var i = 0; i < 3; i++) first.Add(await Lookup(a));
        Assert.DoesNotContain(HttpStatusCode.TooManyRequests, first);
        Assert.Equal(HttpStatusCode.TooManyRequests, await Lookup(a));
        Assert.NotEqual(HttpStatusCode.TooManyRequests, await Lookup(NewAddress()));   // another citizen, own bucket
    }

    [SkippableFact]
    public async Task CookieWritesToTheApi_NeedTheAntiforgeryHeader_TokensDoNot()
    {
        var (_, user, password) = await NewAccount();
        var browser = Browser();
        Assert.True(Redirected(await SignIn(browser, user, password), "/"));
        var refused = await browser.PostAsJsonAsync("/api/v1/tokens", new { name = "csrf", expiresInDays = 1 });
        await refused.ExpectProblem(HttpStatusCode.BadRequest);
        using (var upload = new MultipartFormDataContent { { new ByteArrayContent("%PDF-1.4\n%%EOF\n"u8.ToArray()), "file", "a.pdf" } })
            await (await browser.PostAsync("/api/v1/files", upload)).ExpectProblem(HttpStatusCode.BadRequest);
        using (var sheet = new MultipartFormDataContent { { new ByteArrayContent([1, 2, 3]), "file", "台账.xlsx" } })
            await (await browser.PostAsync($"/api/v1/rectifications/import?orgId={await App.OrgId("GZ-YX-JYJ")}", sheet))
                .ExpectProblem(HttpStatusCode.BadRequest);
        Assert.DoesNotContain(await (await App.ClientFor(user)).GetFromJsonAsync<List<TokenDto>>("/api/v1/tokens") ?? [],
            t => t.Name == "csrf");

        var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/tokens") { Content = JsonContent.Create(new { name = "csrf", expiresInDays = 1 }) };
        request.Headers.Add("RequestVerificationToken", await TokenOn(browser, "/"));
        await (await browser.SendAsync(request)).Expect(HttpStatusCode.Created);
        await (await (await App.ClientFor(user)).PostAsJsonAsync("/api/v1/tokens", new { name = "api", expiresInDays = 1 }))
            .Expect(HttpStatusCode.Created);
    }

    [SkippableFact]
    public async Task BadTokens_FromOneAddress_WaitAfterTheFreeOnes_429()
    {
        var address = NewAddress();
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 8; i++)
        {
            var c = App.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
            c.DefaultRequestHeaders.Add("X-Forwarded-For", address);
            c.DefaultRequestHeaders.Authorization = new("Bearer", "bh_" + Guid.NewGuid().ToString("N"));
            statuses.Add((await c.GetAsync("/api/v1/me")).StatusCode);
        }
        Assert.Equal(Enumerable.Repeat(HttpStatusCode.Unauthorized, 6), statuses.Take(6));
        Assert.Equal(HttpStatusCode.TooManyRequests, statuses[^1]);
    }
}

public sealed class SignInHardeningSqliteFixture() : BihuanFactory(Data.DatabaseEngine.Sqlite, SignInHardeningTestsBase.Settings)
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureServices(s => s.AddSingleton<IStartupFilter, SignInHardeningTestsBase.PeerFilter>());
    }
}

public sealed class SignInHardeningPostgresFixture : IDisposable
{
    sealed class Factory() : BihuanFactory(Data.DatabaseEngine.Postgres, SignInHardeningTestsBase.Settings)
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.ConfigureServices(s => s.AddSingleton<IStartupFilter, SignInHardeningTestsBase.PeerFilter>());
        }
    }

    BihuanFactory? _factory;
    public BihuanFactory App
    {
        get
        {
            Postgres.SkipIfUnavailable();
            return _factory ??= new Factory();
        }
    }

    public void Dispose() => _factory?.Dispose();
}

public sealed class SqliteSignInHardeningTests(SignInHardeningSqliteFixture app)
    : SignInHardeningTestsBase(() => app), IClassFixture<SignInHardeningSqliteFixture>;

public sealed class PostgresSignInHardeningTests(SignInHardeningPostgresFixture app)
    : SignInHardeningTestsBase(() => app.App), IClassFixture<SignInHardeningPostgresFixture>;
