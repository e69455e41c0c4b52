using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Bihuan.Data;
using Bihuan.Domain;
using Bihuan.Features.Rectification;
using Bihuan.Features.Supervision;
using Bihuan.Infrastructure;
using DocumentFormat.OpenXml.Packaging;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace Bihuan.IntegrationTests;

/// 监督检查: the dashboard against brute-force counts over every row, the scope of every figure and drill-down, the
/// 督办单 lifecycle over HTTP, notifications (in-app, the reminder job run by two nodes, e-mail to an SMTP sink), the
/// briefing .docx and the dashboard .xlsx.
public abstract class SupervisionTestsBase(Func<BihuanFactory> factory)
{
    protected BihuanFactory App => factory();
    static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };
    static DateOnly Today => ChinaTime.Today(TimeProvider.System);

    /// A random ledger straight into the database: every status, deadlines past and future, returns, reopenings,
    /// extensions, progress, spread over the whole org tree.
    async Task SeedLedger(int n, int seed)
    {
        var (db, scope) = App.SystemDb();
        using (scope)
        {
            var orgs = await db.Orgs.IgnoreQueryFilters().Select(o => o.Id).ToListAsync();
            var cats = await db.Categories.Select(c => c.Id).ToListAsync();
            var rnd = new Random(seed);
            T Pick<T>(IReadOnlyList<T> xs) => xs[rnd.Next(xs.Count)];
            for (var k = 0; k < n; k++)
            {
                var org = Pick(orgs);
                var p = new Problem
                {
                    OrgId = org, Description = $"生成问题 {seed}-{k}", Source = Pick(Enum.GetValues<SourceChannel>()),
                    Aspect = Pick(Enum.GetValues<Aspect>()), Dimension = Pick(Enum.GetValues<Dimension>()),
                    CategoryId = rnd.Next(5) == 0 ? null : Pick(cats), CreatedAt = DateTime.UtcNow,
                };
                db.Problems.Add(p);
                await db.SaveChangesAsync();
                var kind = Pick(Enum.GetValues<DeadlineKind>());
                var start = Today.AddDays(-rnd.Next(5, 120));
                db.RectItems.Add(new RectItem
                {
                    ProblemId = p.Id, OrgId = org, Measures = $"生成措施 {k}", Source = p.Source, Status = Pick(Enum.GetValues<RectStatus>()),
                    DeadlineKind = kind, StartOn = start, Deadline = kind == DeadlineKind.Ongoing ? null : rnd.Next(4) == 0 && kind == DeadlineKind.Immediate ? null : Today.AddDays(rnd.Next(-40, 60)),
                    Percent = rnd.Next(0, 101), ReturnCount = rnd.Next(4) == 0 ? rnd.Next(1, 3) : 0, ReopenCount = rnd.Next(6) == 0 ? 1 : 0,
                    ExtensionCount = rnd.Next(5) == 0 ? 1 : 0, LastProgressOn = rnd.Next(3) == 0 ? null : Today.AddDays(-rnd.Next(0, 30)),
                    CreatedAt = DateTime.UtcNow,
                });
            }
            await db.SaveChangesAsync();
        }
    }

    sealed record Brute(int Total, int Open, int Closed, int Overdue, int OnTime, int Reopened, int Extended, int Red, int Yellow, int Blue,
        int Green, int Lagging, Dictionary<SourceChannel, int> Sources);

    /// Counts done the slow way: every item of the subtree loaded, its light computed one by one.
    async Task<Dictionary<int, Brute>> BruteForce(int rootId)
    {
        var (db, scope) = App.SystemDb();
        using (scope)
        {
            var cal = scope.ServiceProvider.GetRequiredService<WorkingCalendar>();
            var rules = scope.ServiceProvider.GetRequiredService<LightRules>();
            var root = await db.Orgs.IgnoreQueryFilters().SingleAsync(o => o.Id == rootId);
            var orgs = await db.Orgs.IgnoreQueryFilters().ToListAsync();
            var items = await db.RectItems.IgnoreQueryFilters().AsNoTracking().ToListAsync();
            int? Bucket(int orgId)
            {
                var o = orgs.Single(x => x.Id == orgId);
                if (o.Id == root.Id) return root.Id;
                if (!o.SelfPath.StartsWith(root.SelfPath, StringComparison.Ordinal)) return null;
                return int.Parse(o.SelfPath[root.SelfPath.Length..].Split('/')[0]);
            }
            var result = new Dictionary<int, Brute>();
            foreach (var g in items.Select(i => (i, b: Bucket(i.OrgId))).Where(x => x.b is not null).GroupBy(x => x.b!.Value)
                         .Append(items.Select(i => (i, b: Bucket(i.OrgId))).Where(x => x.b is not null).GroupBy(_ => 0).FirstOrDefault()!)
                         .Where(g => g is not null))
            {
                var xs = g.Select(x => x.i).ToList();
                bool closed(RectItem i) => i.Status is RectStatus.Closed or RectStatus.Confirmed;
                var open = xs.Where(i => !closed(i)).ToList();
                // 滞后 as Lights.Of names it: with every other rule switched off, a yellow light is the lag rule alone
                // (overdue items are red, and the lag rule never applies to them).
                var lagOnly = new LightRules { BlueWithinWorkingDays = null, StaleAfterWorkingDays = null,
                    RedAfterReturns = null, RedAfterDissatisfied = null, RedOnReopen = false,
                    LagPercentPoints = rules.LagPercentPoints };
                var lights = open.Select(i => Lights.Of(LightInput.Of(i, i.StartOn, i.Deadline, i.LastProgressOn, Today), rules, cal).Level).ToList();
                result[g.Key] = new Brute(xs.Count, open.Count, xs.Count - open.Count, open.Count(i => i.Deadline < Today),
                    open.Count(i => !(i.Deadline < Today)), xs.Count(i => i.ReopenCount > 0), xs.Count(i => i.ExtensionCount > 0),
                    lights.Count(l => l == LightLevel.Red), lights.Count(l => l == LightLevel.Yellow), lights.Count(l => l == LightLevel.Blue),
                    lights.Count(l => l == LightLevel.Green),
                    open.Count(i => Lights.Of(LightInput.Of(i, i.StartOn, i.Deadline, i.LastProgressOn, Today), lagOnly, cal).Level
                        == LightLevel.Yellow),
                    xs.GroupBy(i => i.Source).ToDictionary(s => s.Key, s => s.Count()));
            }
            return result;
        }
    }

    async Task<DashboardDto> Dashboard(HttpClient c, int? orgId = null) =>
        (await (await c.GetAsync("/api/v1/supervision/dashboard" + (orgId is null ? "" : $"?orgId={orgId}"))).Expect<JsonElement>(HttpStatusCode.OK))
        .Deserialize<DashboardDto>(Json)!;

    static Dictionary<string, int> Figures(DashboardDto d, string group) =>
        d.Sections.SelectMany(s => s.Groups).Single(g => g.Key == group).Figures.ToDictionary(f => f.Key, f => f.Value);

    static void AssertMatches(Brute b, IReadOnlyDictionary<string, int> f, string where)
    {
        var expected = new Dictionary<string, int>
        {
            ["total"] = b.Total, ["open"] = b.Open, ["closed"] = b.Closed, ["overdue"] = b.Overdue, ["onTime"] = b.OnTime,
            ["reopened"] = b.Reopened, ["extended"] = b.Extended, ["red"] = b.Red, ["yellow"] = b.Yellow, ["blue"] = b.Blue,
            ["green"] = b.Green, ["lagging"] = b.Lagging,
        };
        foreach (var (k, v) in expected) Assert.True(f[k] == v, $"{where}: {k} is {f[k]}, counted {v}");
    }

    [SkippableFact]
    public async Task Dashboard_CityAndDistrict_EqualBruteForceCounts_AndEveryFigureDrillsDownToAsManyItems()
    {
        await SeedLedger(160, 7);
        var city = await App.OrgId("GZ");
        var yx = await App.OrgId("GZ-YX");
        foreach (var (user, rootId) in new[] { ("gz.jw", city), ("yx.office", yx) })
        {
            var c = await App.ClientFor(user);
            var d = await Dashboard(c, rootId);
            var brute = await BruteForce(rootId);
            var all = Figures(d, "status").Concat(Figures(d, "lights")).ToDictionary();
            AssertMatches(brute[0], all, $"{user} total");
            var sources = Figures(d, "source");
            foreach (var s in Enum.GetValues<SourceChannel>())
                Assert.Equal(brute[0].Sources.GetValueOrDefault(s), sources[s.ToString()]);
            foreach (var u in d.Units)
            {
                var b = brute.GetValueOrDefault(u.OrgId) ?? new Brute(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, []);
                AssertMatches(b, u.Figures.ToDictionary(kv => kv.Key, kv => kv.Value.Value), $"{user} unit {u.Name}");
            }
            // Every figure of the root and of one sub-unit: the ledger list its link opens holds exactly that many items.
            // (the other sections' links are followed by SectionsTests)
            var worst = d.Units.OrderByDescending(u => u.Weight).First().OrgId;
            var figures = d.Sections.Single(s => s.Key == "ledger").Groups.SelectMany(g => g.Figures)
                .Concat(d.Sections.Where(s => s.Key is "ledger" or "orders").SelectMany(s => s.Units).Where(u => u.OrgId == worst).SelectMany(u => u.Figures))
                .Where(f => f.Href is not null).ToList();
            Assert.True(figures.Count > 30);
            foreach (var f in figures)
            {
                if (f.Href!.StartsWith("/supervision/orders?", StringComparison.Ordinal))
                {
                    var orders = await (await c.GetAsync(f.Href.Replace("/supervision/orders?", "/api/v1/supervision/orders?")))
                        .Expect<List<SupervisionOrderRow>>(HttpStatusCode.OK);
                    Assert.Equal(f.Value, orders.Count);
                    continue;
                }
                Assert.StartsWith("/ledger?orgId=", f.Href);
                var page = await (await c.GetAsync(f.Href!.Replace("/ledger?", "/api/v1/rectifications?") + "&pageSize=1"))
                    .Expect<LedgerPage>(HttpStatusCode.OK);
                Assert.True(page.Total == f.Value, $"{user} {f.Key} {f.Label}: figure {f.Value}, list {page.Total} ({f.Href})");
            }
            // Lagging units: worst first, each with its reasons in words.
            Assert.Equal(d.Lagging.OrderByDescending(u => u.Weight).Select(u => u.OrgId), d.Lagging.Select(u => u.OrgId));
            Assert.All(d.Lagging, u => Assert.Matches("(逾期|红灯|黄灯|序时进度滞后|重新整改|督办|签收超时|补学).* [0-9]+ [项件次]|实施方案未报送（.+）", u.Reason));
        }
    }

    [SkippableFact]
    public async Task Dashboard_DistrictOffice_SeesOnlyItsDistrict_OtherDistrictIs404()
    {
        await SeedLedger(40, 11);
        var yx = await App.OrgId("GZ-YX");
        var hp = await App.OrgId("GZ-HP");
        var office = await App.ClientFor("yx.office");
        var d = await Dashboard(office);   // default: the top of the caller's scope
        Assert.Equal(yx, d.Org.Id);
        AssertMatches((await BruteForce(yx))[0], Figures(d, "status").Concat(Figures(d, "lights")).ToDictionary(), "yx default");
        await (await office.GetAsync($"/api/v1/supervision/dashboard?orgId={hp}")).ExpectProblem(HttpStatusCode.NotFound);
        await (await office.GetAsync($"/api/v1/supervision/dashboard.xlsx?orgId={hp}")).ExpectProblem(HttpStatusCode.NotFound);
        await (await office.GetAsync($"/api/v1/supervision/briefing.docx?orgId={hp}")).ExpectProblem(HttpStatusCode.NotFound);
        await (await office.GetAsync($"/api/v1/supervision/dashboard?orgId={await App.OrgId("GZ")}")).ExpectProblem(HttpStatusCode.NotFound);
        // A Huangpu drill-down link followed by the Yuexiu office lists nothing.
        var hpDash = await Dashboard(await App.ClientFor("hp.office"));
        Assert.Equal(hp, hpDash.Org.Id);
        var href = hpDash.Sections.Single(s => s.Key == "ledger").Groups.Single(g => g.Key == "status").Figures.Single(f => f.Key == "total").Href!;
        var seen = await (await office.GetAsync(href.Replace("/ledger?", "/api/v1/rectifications?"))).Expect<LedgerPage>(HttpStatusCode.OK);
        Assert.Equal(0, seen.Total);
        Assert.DoesNotContain(d.Units, u => u.OrgId == hp);
        await (await App.Anonymous().GetAsync("/api/v1/supervision/dashboard")).Expect(HttpStatusCode.Unauthorized);
        await (await office.GetAsync("/api/v1/supervision/briefing.docx?from=2026-13-01")).ExpectProblem(HttpStatusCode.BadRequest, "from");
    }

    async Task<int> OverdueItem(string orgCode = "GZ-YX-FGJ")
    {
        var liaison = await App.ClientFor(orgCode == "GZ-YX-FGJ" ? "yx.fgj.liaison" : "hp.fgj.liaison");
        var p = await (await liaison.PostAsJsonAsync("/api/v1/problems", new
        {
            orgId = await App.OrgId(orgCode), description = $"督办测试问题 {Guid.NewGuid():N}", source = SourceChannel.SupervisionCheck,
            aspect = Aspect.Duty, dimension = Dimension.RealWork, notDuplicate = true,
        })).Expect<ProblemDto>(HttpStatusCode.Created);
        var item = await (await liaison.PostAsJsonAsync($"/api/v1/problems/{p.Id}/items", new
        {
            measures = "压减审批环节", deadlineKind = DeadlineKind.Dated, deadline = Today.AddDays(20),
        })).Expect<LedgerEntry>(HttpStatusCode.Created);
        await App.Sql("UPDATE \"RectItems\" SET \"Deadline\" = {0} WHERE \"Id\" = {1}", Today.AddDays(-5), item.Id);
        return item.Id;
    }

    [SkippableFact]
    public async Task Order_IssueRespondRemindEscalateClose_FollowsTheTable_NotifiesAndShowsOnTheItem()
    {
        var itemId = await OverdueItem();
        var jw = await App.ClientFor("gz.jw");
        var liaison = await App.ClientFor("yx.fgj.liaison");
        var head = await App.ClientFor("yx.fgj.head");
        var before = await Unread(liaison);

        await (await jw.PostAsJsonAsync("/api/v1/supervision/orders", new { itemIds = new[] { itemId } }))
            .ExpectProblem(HttpStatusCode.BadRequest, "requirements");
        await (await liaison.PostAsJsonAsync("/api/v1/supervision/orders", new { itemIds = new[] { itemId }, requirements = "自己督办自己" }))
            .ExpectProblem(HttpStatusCode.Forbidden);
        await (await jw.PostAsJsonAsync("/api/v1/supervision/orders", new { itemIds = new[] { 999999 }, requirements = "x" }))
            .ExpectProblem(HttpStatusCode.BadRequest, "itemIds");

        var issued = await (await jw.PostAsJsonAsync("/api/v1/supervision/orders", new
        {
            itemIds = new[] { itemId }, requirements = "请于3个工作日内报告逾期原因和整改措施", dueWorkingDays = 3,
        })).Expect<SupervisionOrderDetail>(HttpStatusCode.Created);
        var id = issued.Order.Id;
        Assert.Equal("Issued", issued.Order.Status);
        Assert.True(issued.Order.DueOn > Today);
        Assert.Equal(["remind", "escalate"], issued.AllowedActions.Order().Reverse().ToList());
        Assert.Equal(before + 1, await Unread(liaison));

        await (await jw.PostAsJsonAsync($"/api/v1/supervision/orders/{id}/close", new { })).ExpectProblem(HttpStatusCode.Conflict);
        await (await jw.PostAsJsonAsync($"/api/v1/supervision/orders/{id}/respond", new { text = "代答" })).ExpectProblem(HttpStatusCode.Forbidden);
        await (await liaison.PostAsJsonAsync($"/api/v1/supervision/orders/{id}/respond", new { text = "" })).ExpectProblem(HttpStatusCode.BadRequest, "text");
        await (await liaison.PostAsJsonAsync($"/api/v1/supervision/orders/{id}/nonsense", new { })).Expect(HttpStatusCode.NotFound);
        await (await (await App.ClientFor("hp.office")).GetAsync($"/api/v1/supervision/orders/{id}")).Expect(HttpStatusCode.NotFound);
        await (await (await App.ClientFor("hp.office")).PostAsJsonAsync($"/api/v1/supervision/orders/{id}/close", new { })).ExpectProblem(HttpStatusCode.NotFound);

        var jwUnread = await Unread(jw);
        var responded = await (await liaison.PostAsJsonAsync($"/api/v1/supervision/orders/{id}/respond",
            new { text = "逾期系跨部门协调所致，已召开专题会，预计两周内完成" })).Expect<SupervisionOrderDetail>(HttpStatusCode.OK);
        Assert.Equal("Responded", responded.Order.Status);
        Assert.Equal(jwUnread + 1, await Unread(jw));
        await (await liaison.PostAsJsonAsync($"/api/v1/supervision/orders/{id}/close", new { })).ExpectProblem(HttpStatusCode.Forbidden);

        var reminded = await (await jw.PostAsJsonAsync($"/api/v1/supervision/orders/{id}/remind",
            new { text = "回复未说明具体完成时间，请补充", dueWorkingDays = 2 })).Expect<SupervisionOrderDetail>(HttpStatusCode.OK);
        Assert.Equal(("Issued", 1), (reminded.Order.Status, reminded.Order.RemindCount));
        await (await head.PostAsJsonAsync($"/api/v1/supervision/orders/{id}/respond", new { text = "将于本月底前完成" })).Expect(HttpStatusCode.OK);
        await (await jw.PostAsJsonAsync($"/api/v1/supervision/orders/{id}/escalate", new { interview = new { interviewees = "局长" } }))
            .ExpectProblem(HttpStatusCode.BadRequest, "interviewers");
        var escalated = await (await jw.PostAsJsonAsync($"/api/v1/supervision/orders/{id}/escalate", new
        {
            interview = new { interviewees = "越秀区发改局局长", interviewers = "市纪委监委第一监督检查室", heldOn = Today, outcome = "要求10个工作日内整改到位" },
        })).Expect<SupervisionOrderDetail>(HttpStatusCode.OK);
        Assert.Equal("Escalated", escalated.Order.Status);
        Assert.Single(escalated.Interviews);
        var closed = await (await jw.PostAsJsonAsync($"/api/v1/supervision/orders/{id}/close", new { text = "已整改" })).Expect<SupervisionOrderDetail>(HttpStatusCode.OK);
        Assert.Equal("Closed", closed.Order.Status);
        Assert.Empty(closed.AllowedActions);
        Assert.Equal(["下发督办", "回复督办", "催办", "回复督办", "约谈", "办结"], closed.Events.Select(e => e.Action));

        var forItem = await (await liaison.GetAsync($"/api/v1/supervision/orders?itemId={itemId}")).Expect<List<SupervisionOrderRow>>(HttpStatusCode.OK);
        Assert.Equal(id, Assert.Single(forItem).Id);
        var page = await (await liaison.GetAsync($"/ledger/{itemId}")).Content.ReadAsStringAsync();
        Assert.Contains($"/supervision/orders/{id}", page);
        // The audit chain holds the order and its history.
        var (db, scope) = App.SystemDb();
        using (scope)
        {
            Assert.True(await db.AuditEntries.IgnoreQueryFilters().AnyAsync(e => e.EntityType == nameof(SupervisionOrder) && e.EntityId == id.ToString()));
            Assert.True(await db.AuditEntries.IgnoreQueryFilters().AnyAsync(e => e.EntityType == nameof(Interview)));
        }
    }

    static async Task<int> Unread(HttpClient c) =>
        (await (await c.GetAsync("/api/v1/notifications")).Expect<JsonElement>(HttpStatusCode.OK)).GetProperty("unread").GetInt32();

    [SkippableFact]
    public async Task Notifications_MarkReadAndAll_ArePersonal()
    {
        var itemId = await OverdueItem();
        var jw = await App.ClientFor("gz.jw");
        await (await jw.PostAsJsonAsync("/api/v1/supervision/orders", new { itemIds = new[] { itemId }, requirements = "请报告" })).Expect(HttpStatusCode.Created);
        var head = await App.ClientFor("yx.fgj.head");
        var list = await (await head.GetAsync("/api/v1/notifications")).Expect<JsonElement>(HttpStatusCode.OK);
        var first = list.GetProperty("items")[0].GetProperty("id").GetInt64();
        var unread = list.GetProperty("unread").GetInt32();
        Assert.True(unread >= 1);
        await (await (await App.ClientFor("yx.fgj.liaison")).PostAsync($"/api/v1/notifications/{first}/read", null)).Expect(HttpStatusCode.NotFound);
        await (await head.PostAsync($"/api/v1/notifications/{first}/read", null)).Expect(HttpStatusCode.NoContent);
        Assert.Equal(unread - 1, await Unread(head));
        await (await head.PostAsync("/api/v1/notifications/read-all", null)).Expect(HttpStatusCode.OK);
        Assert.Equal(0, await Unread(head));
        await (await head.PutAsJsonAsync("/api/v1/notifications/preferences", new { email = true, emailAddress = "" }))
            .ExpectProblem(HttpStatusCode.BadRequest, "emailAddress");
        await (await head.PutAsJsonAsync("/api/v1/notifications/preferences", new { muted = new[] { "Nope" } }))
            .ExpectProblem(HttpStatusCode.BadRequest, "muted");
    }

    sealed class At(DateTime utc) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => new(utc, TimeSpan.Zero);
    }

    JobHost Node(string name, DateTime utc) => new(
        App.Services.GetRequiredService<IServiceScopeFactory>(), App.Services.GetServices<IBihuanJob>(),
        new JobOptions { Node = name }, App.Services.GetRequiredService<DatabaseOptions>(), new At(utc), NullLogger<JobHost>.Instance);

    [SkippableFact]
    public async Task ReminderJob_TwoRunners_RemindOnceEach_AndTellSupervisorsOfNewReds()
    {
        // Period 2026-12-14 (a Monday): an item due the next day, and a Huangpu item that turned red since the 13th.
        var day = new DateOnly(2026, 12, 14);
        var liaison = await App.ClientFor("yx.fgj.liaison");
        var p = await (await liaison.PostAsJsonAsync("/api/v1/problems", new
        {
            orgId = await App.OrgId("GZ-YX-FGJ"), description = $"临期提醒测试 {Guid.NewGuid():N}", source = SourceChannel.SelfInspection,
            aspect = Aspect.Work, dimension = Dimension.RealWork, notDuplicate = true,
        })).Expect<ProblemDto>(HttpStatusCode.Created);
        var due = await (await liaison.PostAsJsonAsync($"/api/v1/problems/{p.Id}/items",
            new { measures = "按期完成", deadlineKind = DeadlineKind.Dated, deadline = day.AddDays(1) })).Expect<LedgerEntry>(HttpStatusCode.Created);
        var red = await OverdueItem("GZ-HP-FGJ");
        var hpFgj = await App.OrgId("GZ-HP-FGJ");
        var (db, scope) = App.SystemDb();
        using (scope)
        {
            db.LightSnapshots.Add(new LightSnapshot { Day = day.AddDays(-1), OrgId = hpFgj, Red = 0, Open = 1 });
            await db.SaveChangesAsync();
        }
        var utc = new DateTime(2026, 12, 14, 1, 0, 0, DateTimeKind.Utc);
        var a = Node("node-a", utc);
        var b = Node("node-b", utc);
        var ran = await Task.WhenAll(a.RunDueAsync(default), b.RunDueAsync(default));
        Assert.Equal(1, ran.Count(r => r.Contains("reminders")));
        Assert.Empty(await a.RunDueAsync(default));
        // And the job's own rerun of the same day (a taken-over claim) adds nothing either.
        using (var s2 = App.Services.CreateScope())
        {
            var holder = s2.ServiceProvider.GetRequiredService<ScopeHolder>();
            holder.Current = AccessScope.System;
            var job = App.Services.GetServices<IBihuanJob>().Single(j => j.Name == "reminders");
            await job.RunAsync(s2.ServiceProvider.GetRequiredService<BihuanDb>(), "2026-12-14", default);
        }
        var (db2, scope2) = App.SystemDb();
        using (scope2)
        {
            var reminders = await db2.Notifications.IgnoreQueryFilters().Where(n => n.Key == $"due:2026-12-14:{due.Id}").ToListAsync();
            var owners = await db2.RoleGrants.IgnoreQueryFilters().Where(g => g.OrgId == due.OrgId && (g.Role == Role.UnitHead || g.Role == Role.Liaison))
                .Select(g => g.AccountId).Distinct().ToListAsync();
            Assert.Equal(owners.Order(), reminders.Select(r => r.AccountId).Order());
            var jwId = await db2.Users.Where(u => u.UserName == "gz.jw").Select(u => u.Id).SingleAsync();
            var reds = await db2.Notifications.IgnoreQueryFilters().Where(n => n.Key == $"red:2026-12-14:{hpFgj}").ToListAsync();
            Assert.Contains(reds, n => n.AccountId == jwId && n.Kind == NotificationKind.NewRed);
            var yxJw = await db2.Users.Where(u => u.UserName == "yx.jw").Select(u => u.Id).SingleAsync();
            Assert.DoesNotContain(reds, n => n.AccountId == yxJw);   // Huangpu is not in Yuexiu's supervisor's subtree
        }
        _ = red;
        await a.StopAsync(default);
        await b.StopAsync(default);
    }

    [SkippableFact]
    public async Task Email_WhenAskedFor_ReachesTheSmtpSink()
    {
        using var sink = new SmtpSink();
        using var mailing = App.WithWebHostBuilder(b =>
        {
            b.UseSetting("Bihuan:Smtp:Host", "127.0.0.1");
            b.UseSetting("Bihuan:Smtp:Port", sink.Port.ToString());
            b.UseSetting("Bihuan:Smtp:From", "bihuan@example.cn");
        });
        HttpClient As(string token)
        {
            var c = mailing.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
            c.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
            return c;
        }
        var liaison = As(await App.TokenFor("yx.fgj.liaison"));
        await (await liaison.PutAsJsonAsync("/api/v1/notifications/preferences", new { email = true, emailAddress = "liaison@yx.example.cn" }))
            .Expect(HttpStatusCode.OK);
        var itemId = await OverdueItem();
        await (await As(await App.TokenFor("gz.jw")).PostAsJsonAsync("/api/v1/supervision/orders",
            new { itemIds = new[] { itemId }, title = "邮件督办测试", requirements = "请报告" })).Expect(HttpStatusCode.Created);
        var mail = Assert.Single(sink.Messages, m => m.To.Contains("liaison@yx.example.cn"));
        Assert.Contains("收到督办单：邮件督办测试", mail.Subject);
        await (await liaison.PutAsJsonAsync("/api/v1/notifications/preferences", new { email = false })).Expect(HttpStatusCode.OK);
    }

    [SkippableFact]
    public async Task Briefing_Docx_OpensAndStatesTheFigures_XlsxHasEveryTable()
    {
        await OverdueItem();
        var jw = await App.ClientFor("gz.jw");
        var res = await jw.GetAsync($"/api/v1/supervision/briefing.docx?from={Today.AddDays(-6):yyyy-MM-dd}&to={Today:yyyy-MM-dd}");
        await res.Expect(HttpStatusCode.OK);
        using (var doc = WordprocessingDocument.Open(new MemoryStream(await res.Content.ReadAsByteArrayAsync()), false))
        {
            var text = doc.MainDocumentPart!.Document.Body!.InnerText;
            Assert.Contains("工 作 简 报", text);
            Assert.Contains("中共广州市委员会", text);
            Assert.Contains("工作滞后单位", text);
            Assert.Contains("学习教育其他工作情况", text);
            Assert.Matches("群众诉求：诉求工单 [0-9]+", text);
            Assert.Contains("典型案例", text);
            Assert.Matches("逾期 [1-9][0-9]* 项", text);
            var fonts = doc.MainDocumentPart.Document.Descendants<DocumentFormat.OpenXml.Wordprocessing.RunFonts>();
            Assert.All(fonts, f => Assert.False(string.IsNullOrEmpty(f.EastAsia)));
        }
        var x = await jw.GetAsync("/api/v1/supervision/dashboard.xlsx");
        await x.Expect(HttpStatusCode.OK);
        using var book = SpreadsheetDocument.Open(new MemoryStream(await x.Content.ReadAsByteArrayAsync()), false);
        var names = book.WorkbookPart!.Workbook.Sheets!.Elements<DocumentFormat.OpenXml.Spreadsheet.Sheet>().Select(s => s.Name!.Value).ToList();
        Assert.Contains("整改情况", names);
        Assert.Contains("下级单位对比", names);
        Assert.Contains("工作滞后单位", names);
        Assert.Contains("实施方案报送", names);
        Assert.Contains("工单指标", names);
        Assert.Contains("预警趋势", names);
        // The pages render (static SSR) for a supervisor.
        foreach (var url in new[] { "/supervision", "/supervision/orders", "/supervision/briefing", "/notifications" })
            Assert.Equal(HttpStatusCode.OK, (await jw.GetAsync(url)).StatusCode);
    }
}

/// Enough SMTP for System.Net.Mail on a loopback port: greets, says 250 to everything, takes DATA, records the message.
public sealed class SmtpSink : IDisposable
{
    public sealed record Mail(List<string> To, string Subject, string Raw);
    readonly TcpListener listener = new(IPAddress.Loopback, 0);
    readonly CancellationTokenSource stop = new();
    public List<Mail> Messages { get; } = [];
    public int Port { get; }

    public SmtpSink()
    {
        listener.Start();
        Port = ((IPEndPoint)listener.LocalEndpoint).Port;
        _ = Task.Run(AcceptAsync);
    }

    async Task AcceptAsync()
    {
        while (!stop.IsCancellationRequested)
        {
            TcpClient client;
            try { client = await listener.AcceptTcpClientAsync(stop.Token); } catch (Exception) { return; }
            _ = Task.Run(() => ServeAsync(client));
        }
    }

    async Task ServeAsync(TcpClient client)
    {
        using var _ = client;
        var stream = client.GetStream();
        using var reader = new StreamReader(stream, Encoding.ASCII);
        using var writer = new StreamWriter(stream, Encoding.ASCII) { NewLine = "\r\n", AutoFlush = true };
        await writer.WriteLineAsync("220 sink ESMTP");
        var to = new List<string>();
        while (await reader.ReadLineAsync() is { } line)
        {
            var cmd = line.ToUpperInvariant();
            if (cmd.StartsWith("EHLO")) { await writer.WriteLineAsync("250-sink"); await writer.WriteLineAsync("250 OK"); }
            else if (cmd.StartsWith("RCPT TO:")) { to.Add(line[8..].Trim().Trim('<', '>')); await writer.WriteLineAsync("250 OK"); }
            else if (cmd == "DATA")
            {
                await writer.WriteLineAsync("354 go ahead");
                var data = new StringBuilder();
                while (await reader.ReadLineAsync() is { } l && l != ".") data.AppendLine(l);
                var raw = data.ToString();
                lock (Messages) Messages.Add(new Mail([.. to], DecodeSubject(raw), raw));
                to.Clear();
                await writer.WriteLineAsync("250 queued");
            }
            else if (cmd == "QUIT") { await writer.WriteLineAsync("221 bye"); return; }
            else await writer.WriteLineAsync("250 OK");
        }
    }

    /// Subject: =?utf-8?B?…?= (possibly folded over several encoded words).
    static string DecodeSubject(string raw)
    {
        var lines = raw.Split('\n').Select(l => l.TrimEnd('\r')).ToArray();
        var start = Array.FindIndex(lines, l => l.StartsWith("Subject:", StringComparison.OrdinalIgnoreCase));
        if (start < 0) return "";
        var header = lines[start][8..];
        for (var i = start + 1; i < lines.Length && (lines[i].StartsWith(' ') || lines[i].StartsWith('\t')); i++) header += lines[i];
        return string.Concat(System.Text.RegularExpressions.Regex.Matches(header, @"=\?utf-8\?B\?([^?]+)\?=", System.Text.RegularExpressions.RegexOptions.IgnoreCase)
            .Select(m => Encoding.UTF8.GetString(Convert.FromBase64String(m.Groups[1].Value))));
    }

    public void Dispose()
    {
        stop.Cancel();
        listener.Stop();
    }
}

public sealed class SqliteSupervisionTests(SqliteFixture app) : SupervisionTestsBase(() => app), IClassFixture<SqliteFixture>;

public sealed class PostgresSupervisionTests(PostgresFixture app) : SupervisionTestsBase(() => app.Factory), IClassFixture<PostgresFixture>;
