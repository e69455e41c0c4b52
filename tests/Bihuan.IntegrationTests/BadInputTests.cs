using System.Net;
using System.Net.Http.Headers;

namespace Bihuan.IntegrationTests;

/// Bad input is the client's fault: a 4xx ProblemDetails, never a 500 and never a redirect to the sign-in page.
public abstract class BadInputTestsBase(Func<BihuanFactory> factory)
{
    protected BihuanFactory App => factory();

    public static TheoryData<string, string, string, string?> BadBodies => new()
    {
        // method, url (ORG = GZ-YX-FGJ's id, PARENT = GZ-YX's id), body, field expected in errors (null: any 400)
        { "POST", "/api/v1/orgs", "{\"name\": \"x\", ", null },                                  // malformed JSON
        { "POST", "/api/v1/orgs", "not json at all", null },
        { "POST", "/api/v1/orgs", "", null },                                                     // empty body
        { "POST", "/api/v1/orgs", "[1,2,3]", null },                                              // wrong shape
        { "POST", "/api/v1/orgs", "{\"name\": 123, \"code\": \"X1\", \"parentId\": PARENT}", null }, // wrong type
        { "POST", "/api/v1/orgs", "{\"name\": \"x\", \"code\": \"X2\", \"parentId\": \"abc\"}", null },
        { "POST", "/api/v1/orgs", "{\"name\": \"x\", \"code\": \"X3\", \"parentId\": 99999999999999}", null }, // int overflow
        { "POST", "/api/v1/orgs", "{\"name\": \"x\", \"code\": \"X4\", \"type\": \"Nonsense\", \"parentId\": PARENT}", null }, // unknown enum name
        { "POST", "/api/v1/orgs", "{\"name\": \"x\", \"code\": \"X5\", \"type\": 99, \"parentId\": PARENT}", "type" },          // unknown enum value
        { "POST", "/api/v1/orgs", "{\"name\": \"HUGE\", \"code\": \"X6\", \"parentId\": PARENT}", "name" },                    // huge string
        { "POST", "/api/v1/orgs", "{\"name\": \"x\", \"code\": \"HUGE\", \"parentId\": PARENT}", "code" },
        { "POST", "/api/v1/orgs", "{\"name\": \"x\", \"code\": \"A B\", \"parentId\": PARENT}", "code" },                      // space in code
        { "PATCH", "/api/v1/orgs/ORG", "{\"name\": \"\"}", "name" },
        { "PATCH", "/api/v1/orgs/ORG", "{\"name\": \"HUGE\"}", "name" },
        { "PATCH", "/api/v1/orgs/ORG", "{\"type\": 42}", "type" },
        { "PATCH", "/api/v1/orgs/ORG", "{\"sortOrder\": \"first\"}", null },
        { "PATCH", "/api/v1/orgs/ORG", "", null },
        { "POST", "/api/v1/orgs/ORG/move", "{\"parentId\": null}", null },
        { "POST", "/api/v1/orgs/ORG/move", "{{{", null },
        { "POST", "/api/v1/orgs/ORG/archive", "{\"archived\": \"yes\"}", null },
        { "POST", "/api/v1/people", "{\"name\": \"HUGE\", \"orgId\": ORG}", "name" },
        { "POST", "/api/v1/people", "{\"name\": \"x\", \"orgId\": ORG, \"position\": \"HUGE\"}", "position" },
        { "POST", "/api/v1/people", "{\"name\": \"x\", \"orgId\": ORG, \"phone\": \"HUGE\"}", "phone" },
        { "POST", "/api/v1/people", "{\"name\": \"x\", \"orgId\": ORG, \"isLeadership\": \"maybe\"}", null },
        { "POST", "/api/v1/roles", "{\"accountId\": \"x\", \"orgId\": ORG, \"role\": \"Emperor\"}", null },
        { "POST", "/api/v1/roles", "{\"accountId\": \"ACCOUNT\", \"orgId\": ORG, \"role\": 99}", "role" },
        { "POST", "/api/v1/roles", "{\"accountId\": \"ACCOUNT\", \"orgId\": ORG, \"role\": -1}", "role" },
        { "POST", "/api/v1/accounts", "{\"userName\": \"ASCII\", \"displayName\": \"x\", \"password\": \"Strong@2026abc\"}", "userName" },
        { "POST", "/api/v1/accounts", "{\"userName\": \"long.display\", \"displayName\": \"HUGE\", \"password\": \"Strong@2026abc\"}", "displayName" },
        { "POST", "/api/v1/accounts", "{\"userName\": \"bad name!\", \"displayName\": \"x\", \"password\": \"Strong@2026abc\"}", "userName" },
        { "POST", "/api/v1/tokens", "{\"name\": \"x\", \"expiresInDays\": 1e10}", null },
        { "POST", "/api/v1/tokens", "null", null },
    };

    [SkippableTheory]
    [MemberData(nameof(BadBodies))]
    public async Task Endpoint_BadBody_Returns400Problem(string method, string url, string body, string? field)
    {
        var admin = await App.ClientFor("admin");
        var org = (await App.OrgId("GZ-YX-FGJ")).ToString();
        var parent = (await App.OrgId("GZ-YX")).ToString();
        url = url.Replace("ORG", org);
        var account = (await (await (await App.ClientFor("yx.fgj.member")).GetAsync("/api/v1/me"))
            .Expect<Features.Accounts.MeDto>(HttpStatusCode.OK)).Id;
        body = body.Replace("ORG", org).Replace("PARENT", parent).Replace("ACCOUNT", account)
            .Replace("HUGE", new string('超', 100_000)).Replace("ASCII", new string('a', 300));
        var before = await App.Count<Domain.Org>();
        var req = new HttpRequestMessage(new HttpMethod(method), url)
        {
            Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json"),
        };
        var res = await admin.SendAsync(req);
        await res.ExpectProblem(HttpStatusCode.BadRequest, field);
        Assert.Equal(before, await App.Count<Domain.Org>());
    }

    [SkippableFact]
    public async Task CreateOrg_WrongContentType_Returns415Problem()
    {
        var admin = await App.ClientFor("admin");
        var res = await admin.PostRaw("/api/v1/orgs", "name=x&code=y", "application/x-www-form-urlencoded");
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, res.StatusCode);
    }

    [SkippableTheory]
    [InlineData("/api/v1/orgs/abc")]
    [InlineData("/api/v1/orgs/99999999999")]
    [InlineData("/api/v1/orgs/-1")]
    [InlineData("/api/v1/orgs/2147483647")]
    [InlineData("/api/v1/people/0")]
    [InlineData("/api/v1/nothing-here")]
    public async Task Get_UnknownOrMalformedId_Returns404(string url)
    {
        var res = await (await App.ClientFor("admin")).GetAsync(url);
        await res.Expect(HttpStatusCode.NotFound);
    }

    [SkippableTheory]
    [InlineData("/api/v1/orgs?limit=-5&q=区")]
    [InlineData("/api/v1/orgs?limit=abc")]
    [InlineData("/api/v1/people?take=100000&skip=-3")]
    [InlineData("/api/v1/audit?take=0&beforeSeq=-1")]
    [InlineData("/api/v1/orgs?includeArchived=perhaps")]
    public async Task Get_OddQueryValues_NeverFail(string url)
    {
        var res = await (await App.ClientFor("admin")).GetAsync(url);
        Assert.True((int)res.StatusCode is 200 or 400, await res.Describe());
        if (res.StatusCode == HttpStatusCode.BadRequest) await res.ExpectProblem(HttpStatusCode.BadRequest);
    }

    [SkippableFact]
    public async Task SearchOrgs_HugeQuery_ReturnsEmptyList()
    {
        var res = await (await App.ClientFor("admin")).GetAsync("/api/v1/orgs?q=" + Uri.EscapeDataString(new string('区', 3000) + "'\"%_;--"));
        Assert.Equal("[]", await res.Content.ReadAsStringAsync());
    }

    [SkippableTheory]
    [InlineData("GET", "/api/v1/orgs")]
    [InlineData("GET", "/api/v1/me")]
    [InlineData("GET", "/api/v1/audit/verify")]
    [InlineData("POST", "/api/v1/orgs")]
    [InlineData("GET", "/api/v1/orgs/export.xlsx")]
    [InlineData("POST", "/api/v1/orgs/import")]
    public async Task Api_Unauthenticated_Returns401NotRedirect(string method, string url)
    {
        var res = await App.Anonymous().SendAsync(new HttpRequestMessage(new HttpMethod(method), url));
        await res.Expect(HttpStatusCode.Unauthorized);
        Assert.Null(res.Headers.Location);
    }

    [SkippableTheory]
    [InlineData("bh_0000000000000000000000000000000000000000000000000")]
    [InlineData("not-a-bihuan-token")]
    [InlineData("")]
    public async Task Api_BadBearerToken_Returns401(string token)
    {
        var c = App.Anonymous();
        c.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", "Bearer " + token);
        await (await c.GetAsync("/api/v1/orgs")).Expect(HttpStatusCode.Unauthorized);
        var huge = App.Anonymous();
        huge.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "bh_" + new string('a', 5000));
        await (await huge.GetAsync("/api/v1/orgs")).Expect(HttpStatusCode.Unauthorized);
    }

    [SkippableFact]
    public async Task StaffPage_Unauthenticated_RedirectsToLogin()
    {
        var res = await App.Anonymous().GetAsync("/orgs");
        Assert.Equal(HttpStatusCode.Redirect, res.StatusCode);
        Assert.StartsWith("/login", res.Headers.Location?.PathAndQuery ?? res.Headers.Location?.OriginalString);
    }
}

public sealed class SqliteBadInputTests(SqliteFixture app) : BadInputTestsBase(() => app), IClassFixture<SqliteFixture>;

public sealed class PostgresBadInputTests(PostgresFixture app) : BadInputTestsBase(() => app.Factory), IClassFixture<PostgresFixture>;
