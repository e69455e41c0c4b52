using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Bihuan.Domain;
using Bihuan.Features.Rectification;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;

namespace Bihuan.IntegrationTests;

/// Every date a user enters is inside Domain/Bounds (2000-01-01..2100-12-31 here): outside it the write is refused
/// with 400 naming the field and nothing is stored; a staff form shows the message under the field and keeps what
/// was typed. The far ends (9999-12-31, 1900-01-01) and the first day past each end of the window.
public abstract class BoundsTestsBase(Func<BihuanFactory> factory)
{
    protected BihuanFactory App => factory();
    static DateOnly Today => ChinaTime.Today(TimeProvider.System);

    public static readonly string[] OutOfWindow = ["9999-12-31", "1900-01-01", "2101-01-01", "1999-12-31"];

    /// caller, method url, body (DATE = the date under test; ORG, PROBLEM, ITEM, TYPE, TEMPLATE, YX, CAMPAIGN, TODAY
    /// are filled in), the field named in errors, the table that must not grow.
    public static readonly (string Caller, string Url, string Body, string Field, string Table)[] DateFields =
    [
        ("yx.fgj.liaison", "/api/v1/problems/PROBLEM/items", """{"measures":"界外","deadlineKind":0,"deadline":"DATE"}""", "deadline", "items"),
        ("yx.fgj.liaison", "/api/v1/rectifications/ITEM/request-extension", """{"text":"延期","newDeadline":"DATE"}""", "newDeadline", "updates"),
        ("yx.fgj.liaison", "/api/v1/meetings", """{"orgId":ORG,"title":"界外会议","typeIds":[TYPE],"heldOn":"DATE"}""", "heldOn", "meetings"),
        ("yx.fgj.liaison", "/api/v1/meetings",
            """{"orgId":ORG,"title":"界外决定","typeIds":[TYPE],"heldOn":"TODAY","decisions":[{"title":"决定","dueOn":"DATE"}]}""", "decisions", "meetings"),
        ("yx.fgj.liaison", "/api/v1/rules", """{"orgId":ORG,"title":"界外制度","issuedOn":"DATE"}""", "issuedOn", "rules"),
        ("yx.fgj.liaison", "/api/v1/rules", """{"orgId":ORG,"title":"界外制度","nextReviewOn":"DATE"}""", "nextReviewOn", "rules"),
        ("yx.fgj.liaison", "/api/v1/plans",
            """{"campaignId":CAMPAIGN,"orgId":ORG,"text":"界外","tasks":[{"title":"任务","dueOn":"DATE"}]}""", "tasks", "plans"),
        ("yx.fgj.member", "/api/v1/study/records", """{"articleId":1,"studiedOn":"DATE"}""", "studiedOn", "study"),
        ("gz.jw", "/api/v1/supervision/orders", """{"itemIds":[ITEM],"requirements":"界外督办","dueOn":"DATE"}""", "dueOn", "orders"),
        ("admin", "/api/v1/campaigns/TEMPLATE/copy", """{"rootOrgId":YX,"startsOn":"DATE"}""", "startsOn", "campaigns"),
        ("admin", "/api/v1/campaigns/TEMPLATE/copy", """{"rootOrgId":YX,"endsOn":"DATE"}""", "endsOn", "campaigns"),
        ("admin", "/api/v1/campaigns/TEMPLATE/copy", """{"rootOrgId":YX,"phases":[{"name":"阶段","startsOn":"DATE"}]}""", "phases", "campaigns"),
    ];

    public static TheoryData<int, string> Cases()
    {
        var data = new TheoryData<int, string>();
        for (var i = 0; i < DateFields.Length; i++)
            foreach (var d in OutOfWindow) data.Add(i, d);
        return data;
    }

    [SkippableTheory]
    [MemberData(nameof(Cases))]
    public async Task DateField_OutsideWindow_Refused400WithFieldAndNothingStored(int field, string date)
    {
        var (caller, url, body, name, table) = DateFields[field];
        var ids = await IdsAsync();
        string Fill(string s) => ids.Aggregate(s.Replace("DATE", date), (acc, kv) => acc.Replace(kv.Key, kv.Value));
        var before = await CountAsync(table);
        var res = await (await App.ClientFor(caller)).PostRaw(Fill(url), Fill(body));
        var problem = await res.ExpectProblem(HttpStatusCode.BadRequest, name);
        Assert.Contains(problem.GetProperty("errors").GetProperty(name).EnumerateArray(), m => m.GetString() == Bounds.OutOfWindowText);
        Assert.Equal(before, await CountAsync(table));
    }

    /// The same body with a date inside the window is accepted: the refusal above is the date's, not the body's.
    [SkippableFact]
    public async Task DateField_InsideWindow_Accepted()
    {
        var ids = await IdsAsync();
        var liaison = await App.ClientFor("yx.fgj.liaison");
        var (_, url, body, _, _) = DateFields[0];
        string Fill(string s) => ids.Aggregate(s.Replace("DATE", Today.AddDays(10).ToString("yyyy-MM-dd")), (acc, kv) => acc.Replace(kv.Key, kv.Value));
        await (await liaison.PostRaw(Fill(url), Fill(body))).Expect(HttpStatusCode.Created);
        (_, url, body, _, _) = DateFields[4];
        await (await liaison.PostRaw(Fill(url), Fill(body))).Expect(HttpStatusCode.Created);
    }

    [SkippableFact]
    public async Task RuleForm_DateOutsideWindow_ShowsMessageUnderFieldAndKeepsTypedValues()
    {
        var browser = App.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
        var login = await (await browser.GetAsync("/login")).Content.ReadAsStringAsync();
        await (await browser.PostAsync("/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "login", ["__RequestVerificationToken"] = Token(login),
            ["Input.UserName"] = "yx.fgj.liaison", ["Input.Password"] = Infrastructure.DemoSeed.Password,
        }))).Expect(HttpStatusCode.Found);
        var page = await browser.GetStringAsync("/rules");
        var title = $"界外日期制度{Guid.NewGuid():N}"[..16];
        var before = await App.Count<Domain.Rule>();
        var res = await browser.PostAsync("/rules", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "new-rule", ["__RequestVerificationToken"] = Token(page),
            ["Input.Title"] = title, ["Input.DocNumber"] = "越发改〔2026〕99号", ["Input.OrgCode"] = "GZ-YX-FGJ",
            ["Input.Status"] = "Issued", ["Input.IssuedOn"] = "9999-12-31", ["Input.Summary"] = "保留所填内容",
        }));
        var html = WebUtility.HtmlDecode(await res.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.BadRequest, res.StatusCode);
        Assert.Contains(Bounds.OutOfWindowText, html);
        Assert.Contains($"value=\"{title}\"", html);
        Assert.Contains("越发改〔2026〕99号", html);
        Assert.Contains("保留所填内容", html);
        Assert.Equal(before, await App.Count<Domain.Rule>());
    }

    static string Token(string html) => WebUtility.HtmlDecode(Regex
        .Match(html, "name=\"__RequestVerificationToken\"[^>]*value=\"([^\"]+)\"").Groups[1].Value);

    async Task<int> CountAsync(string table)
    {
        var (db, scope) = App.SystemDb();
        using (scope)
            return table switch
            {
                "items" => await db.RectItems.IgnoreQueryFilters().CountAsync(),
                "updates" => await db.RectUpdates.IgnoreQueryFilters().CountAsync(),
                "meetings" => await db.Meetings.IgnoreQueryFilters().CountAsync(),
                "rules" => await db.Rules.IgnoreQueryFilters().CountAsync(),
                "plans" => await db.Plans.IgnoreQueryFilters().CountAsync(),
                "study" => await db.StudyRecords.IgnoreQueryFilters().CountAsync(),
                "orders" => await db.SupervisionOrders.IgnoreQueryFilters().CountAsync(),
                "campaigns" => await db.Campaigns.IgnoreQueryFilters().CountAsync(),
                _ => throw new ArgumentOutOfRangeException(nameof(table), table),
            };
    }

    /// A problem of the caller's unit with one item due in 30 days (the fuzz and bound tests act on it).
    public static async Task<(ProblemDto Problem, LedgerEntry Item)> DatedItemAsync(HttpClient liaison, int org, string description)
    {
        var problem = await (await liaison.PostAsJsonAsync("/api/v1/problems", new
        {
            orgId = org, description, source = SourceChannel.SelfInspection, aspect = Aspect.Work,
            dimension = Dimension.RealWork, notDuplicate = true,
        })).Expect<ProblemDto>(HttpStatusCode.Created);
        var item = await (await liaison.PostAsJsonAsync($"/api/v1/problems/{problem.Id}/items", new
        {
            measures = "措施：" + description, deadlineKind = DeadlineKind.Dated, deadline = Today.AddDays(30),
        })).Expect<LedgerEntry>(HttpStatusCode.Created);
        return (problem, item);
    }

    static readonly System.Runtime.CompilerServices.ConditionalWeakTable<BihuanFactory, Task<Dictionary<string, string>>> Arranged = new();

    Task<Dictionary<string, string>> IdsAsync()
    {
        lock (Arranged) return Arranged.GetValue(App, _ => ArrangeAsync());
    }

    /// One problem and a dated item of the liaison's unit, and the demo's ids the bodies name.
    async Task<Dictionary<string, string>> ArrangeAsync()
    {
        var org = await App.OrgId("GZ-YX-FGJ");
        var liaison = await App.ClientFor("yx.fgj.liaison");
        var (problem, item) = await DatedItemAsync(liaison, org, $"日期界限问题 {Guid.NewGuid():N}");
        var (db, scope) = App.SystemDb();
        using (scope)
            return new()
            {
                ["PROBLEM"] = problem.Id.ToString(), ["ITEM"] = item.Id.ToString(), ["ORG"] = org.ToString(),
                ["YX"] = (await App.OrgId("GZ-YX")).ToString(), ["TODAY"] = Today.ToString("yyyy-MM-dd"),
                ["TYPE"] = (await db.MeetingTypes.Select(t => t.Id).FirstAsync()).ToString(),
                ["TEMPLATE"] = (await db.Campaigns.Where(c => c.IsTemplate).Select(c => c.Id).FirstAsync()).ToString(),
                ["CAMPAIGN"] = (await db.Campaigns.Where(c => c.PublishedAt != null).Select(c => c.Id).FirstAsync()).ToString(),
            };
    }
}

public sealed class SqliteBoundsTests(SqliteFixture app) : BoundsTestsBase(() => app), IClassFixture<SqliteFixture>;

public sealed class PostgresBoundsTests(PostgresFixture app) : BoundsTestsBase(() => app.Factory), IClassFixture<PostgresFixture>;
