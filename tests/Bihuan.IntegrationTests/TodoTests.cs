using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;
using Bihuan.Data;
using Bihuan.Domain;
using Bihuan.Features.Todo;
using Microsoft.EntityFrameworkCore;

namespace Bihuan.IntegrationTests;

/// 待办 (GET /api/v1/me/todo): per persona exactly what the account can act on — checked against a hand-written table
/// of the arranged records and, independently, against what each record's own detail endpoint offers the account
/// (the lifecycles' AllowedFor), including another district's records and separation of duties; 回头看 early refusal.
public abstract class TodoTestsBase(Func<BihuanFactory> factory)
{
    protected BihuanFactory App => factory();
    static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };
    static DateOnly Today => ChinaTime.Today(TimeProvider.System);

    static readonly string[] Personas = ["admin", "gz.office", "gz.jw", "yx.office", "yx.jw", "yx.fgj.head", "yx.fgj.leader",
        "yx.fgj.liaison", "yx.fgj.member", "hp.office", "hp.fgj.liaison", "gz.hotline"];

    const string Fgj = "yx.fgj.head,yx.fgj.leader,yx.fgj.liaison";
    const string YxVerifiers = "yx.office,yx.jw,gz.office,gz.jw";

    sealed record Arranged(Dictionary<(TodoKind Kind, int Id), string[]> Expected, List<int> Items, List<int> Plans,
        List<int> Orders, List<int> Supervision);

    /// Records in every state a 待办 kind lists (and some that list nothing), straight into the database.
    async Task<Arranged> Arrange()
    {
        var (db, scope) = App.SystemDb();
        using (scope)
        {
            var users = await db.Users.ToDictionaryAsync(u => u.UserName!, u => u.Id);
            var org = await db.Orgs.IgnoreQueryFilters().ToDictionaryAsync(o => o.Code!, o => o.Id);
            var tag = Guid.NewGuid().ToString("N")[..8];
            var expected = new Dictionary<(TodoKind, int), string[]>();
            var now = DateTime.UtcNow;

            async Task<int> Item(string orgCode, TodoKind? kind, string who, Action<RectItem> set, Severity severity = Severity.General)
            {
                var p = new Problem
                {
                    OrgId = org[orgCode], Description = $"待办测试 {tag}", Source = SourceChannel.SelfInspection, Aspect = Aspect.Duty,
                    Dimension = Dimension.RealWork, Severity = severity, CreatedAt = now,
                };
                db.Problems.Add(p);
                await db.SaveChangesAsync();
                var i = new RectItem
                {
                    ProblemId = p.Id, OrgId = p.OrgId, Measures = $"待办测试措施 {tag}", Severity = severity, Source = p.Source,
                    DeadlineKind = DeadlineKind.Dated, StartOn = Today.AddDays(-5), Deadline = Today.AddDays(30),
                    LastProgressOn = Today.AddDays(-1), Status = RectStatus.InProgress, CreatedAt = now,
                };
                set(i);
                db.RectItems.Add(i);
                await db.SaveChangesAsync();
                if (kind is { } k) expected[(k, i.Id)] = who.Split(',', StringSplitOptions.RemoveEmptyEntries);
                return i.Id;
            }

            var items = new List<int>
            {
                await Item("GZ-YX-FGJ", TodoKind.ClosureVerify, YxVerifiers, i =>
                    { i.Status = RectStatus.ClosureRequested; i.ClosureRequestedBy = users["yx.fgj.liaison"]; }),
                // Serious: the supervisors only.
                await Item("GZ-YX-FGJ", TodoKind.ClosureVerify, "yx.jw,gz.jw", i =>
                    { i.Status = RectStatus.ClosureRequested; i.ClosureRequestedBy = users["yx.fgj.liaison"]; }, Severity.Serious),
                // 单位自验 requested by the head himself: the only holder of SignOff there may not review it.
                await Item("GZ-YX-FGJ", TodoKind.ClosureReview, "", i =>
                {
                    i.Status = RectStatus.ClosureRequested; i.ClosureRequestedBy = users["yx.fgj.head"];
                    i.PendingReviews = [ClosureStage.UnitSelfCheck, ClosureStage.LeadReview];
                }),
                await Item("GZ-YX-FGJ", TodoKind.ClosureReview, "yx.fgj.head", i =>
                {
                    i.Status = RectStatus.ClosureRequested; i.ClosureRequestedBy = users["yx.fgj.liaison"];
                    i.PendingReviews = [ClosureStage.UnitSelfCheck];
                }),
                await Item("GZ-YX-FGJ", TodoKind.ClosureReview, YxVerifiers, i =>
                {
                    i.Status = RectStatus.ClosureRequested; i.ClosureRequestedBy = users["yx.fgj.liaison"];
                    i.PendingReviews = [ClosureStage.LeadReview];
                }),
                await Item("GZ-YX-FGJ", TodoKind.ExtensionDecide, YxVerifiers, i =>
                    { i.ExtensionRequestedTo = Today.AddDays(60); i.ExtensionRequestedBy = users["yx.fgj.liaison"]; }),
                await Item("GZ-YX-FGJ", TodoKind.RecheckDue, YxVerifiers, i =>
                    { i.Status = RectStatus.Closed; i.RecheckDue = Today.AddDays(-1); i.ClosedAt = now; i.Percent = 100; }),
                await Item("GZ-YX-FGJ", TodoKind.RecheckDue, "", i =>
                    { i.Status = RectStatus.Closed; i.RecheckDue = Today.AddDays(30); i.ClosedAt = now; i.Percent = 100; }),
                await Item("GZ-YX-FGJ", TodoKind.ClosureReturned, Fgj, i => { i.Status = RectStatus.Returned; i.ReturnCount = 1; }),
                await Item("GZ-YX-FGJ", TodoKind.NoProgress, Fgj, i => { i.LastProgressOn = Today.AddDays(-40); i.StartOn = Today.AddDays(-60); }),
                // Another district: its office and the city's; never 越秀's.
                await Item("GZ-HP-FGJ", TodoKind.ClosureVerify, "hp.office,gz.office,gz.jw", i =>
                    { i.Status = RectStatus.ClosureRequested; i.ClosureRequestedBy = users["hp.fgj.liaison"]; }),
                await Item("GZ-YX-FGJ", null, "", _ => { }),   // on track: nobody's 待办
            };

            var campaign = new Campaign { Name = $"待办测试 {tag}", GeneralRequirement = "立党为公、为民造福、科学决策、真抓实干" };
            db.Campaigns.Add(campaign);
            await db.SaveChangesAsync();
            async Task<int> PlanAt(string orgCode, PlanStatus status, string drafter, TodoKind kind, string who)
            {
                var p = new Plan
                {
                    CampaignId = campaign.Id, OrgId = org[orgCode], Title = $"实施方案 {tag}", Text = "<p>方案正文</p>", Status = status,
                    DraftedBy = users[drafter], CreatedAt = now, UpdatedAt = now,
                };
                db.Plans.Add(p);
                await db.SaveChangesAsync();
                db.DutyTasks.Add(new DutyTask
                {
                    OrgId = p.OrgId, Source = DutySource.PlanTask, PlanId = p.Id, Title = "开展专题学习", DueOn = Today.AddDays(90), CreatedAt = now,
                });
                await db.SaveChangesAsync();
                expected[(kind, p.Id)] = who.Split(',', StringSplitOptions.RemoveEmptyEntries);
                return p.Id;
            }
            var plans = new List<int>
            {
                // Drafted by the head: he may not sign off his own draft, and nobody else there holds SignOff.
                await PlanAt("GZ-YX-FGJ", PlanStatus.Draft, "yx.fgj.head", TodoKind.PlanSignOff, ""),
                await PlanAt("GZ-HP-FGJ", PlanStatus.Submitted, "hp.fgj.liaison", TodoKind.PlanApprove, "hp.office,gz.office"),
                await PlanAt("GZ-YX-JYJ", PlanStatus.SignedOff, "yx.fgj.head", TodoKind.PlanSubmit, ""),
            };

            async Task<int> Order(OrderStatus status, string orgCode, TodoKind kind, string who, Action<WorkOrder>? set = null)
            {
                var o = new WorkOrder
                {
                    Ticket = ("T" + Guid.NewGuid().ToString("N"))[..18], CodeHash = "x", Content = $"待办测试诉求 {tag}", Type = DemandType.Help,
                    Status = status, OrgId = org[orgCode], DispatchOrgId = org["GZ"], CreatedAt = now, UpdatedAt = now,
                };
                if (orgCode != "GZ")
                {
                    o.DispatchedOn = Today; o.SignDue = Today.AddDays(1); o.Deadline = Today.AddDays(5); o.DispatchCount = 1;
                }
                set?.Invoke(o);
                db.WorkOrders.Add(o);
                await db.SaveChangesAsync();
                expected[(kind, o.Id)] = who.Split(',', StringSplitOptions.RemoveEmptyEntries);
                return o.Id;
            }
            var orders = new List<int>
            {
                await Order(OrderStatus.Received, "GZ", TodoKind.OrderAccept, "gz.office,gz.hotline"),
                await Order(OrderStatus.Dispatched, "GZ-YX-FGJ", TodoKind.OrderSign, Fgj),
                await Order(OrderStatus.AwaitingSignoff, "GZ-YX-FGJ", TodoKind.OrderSignOff, "yx.fgj.head", o =>
                {
                    o.Type = DemandType.Complaint; o.SignedOn = Today; o.ReplyDraft = "答复稿"; o.ReplyDraftedBy = users["yx.fgj.liaison"];
                }),
                await Order(OrderStatus.Handling, "GZ-YX-FGJ", TodoKind.OrderExtension, "gz.office,gz.hotline", o =>
                {
                    o.SignedOn = Today; o.ExtensionRequestedTo = Today.AddDays(20); o.ExtensionRequestedBy = users["yx.fgj.liaison"];
                }),
            };
            // The handling order also waits for the unit's reply.
            expected[(TodoKind.OrderReply, orders[3])] = Fgj.Split(',');

            async Task<int> Sup(SupervisionStatus status, TodoKind kind, string who)
            {
                var s = new SupervisionOrder
                {
                    OrgId = org["GZ-YX-FGJ"], Title = $"督办单 {tag}", Requirements = "限期整改", Status = status,
                    IssuedBy = users["yx.jw"], IssuedByName = "监督员", IssuedAt = now, DueOn = Today.AddDays(5),
                };
                db.SupervisionOrders.Add(s);
                await db.SaveChangesAsync();
                expected[(kind, s.Id)] = who.Split(',');
                return s.Id;
            }
            var sups = new List<int>
            {
                await Sup(SupervisionStatus.Issued, TodoKind.SupervisionAnswer, Fgj),
                await Sup(SupervisionStatus.Responded, TodoKind.SupervisionClose, "yx.jw,gz.jw"),
            };

            var duty = new DutyTask
            {
                OrgId = org["GZ-YX-FGJ"], Source = DutySource.MeetingDecision, Title = $"会议决定 {tag}", DueOn = Today, CreatedAt = now,
            };
            db.DutyTasks.Add(duty);
            await db.SaveChangesAsync();
            expected[(TodoKind.DutyDue, duty.Id)] = Fgj.Split(',');
            return new Arranged(expected, items, plans, orders, sups);
        }
    }

    async Task<TodoList> Todo(string user, string query = "")
    {
        var r = await (await App.ClientFor(user)).GetAsync("/api/v1/me/todo" + query);
        await r.Expect(HttpStatusCode.OK);
        return (await r.Content.ReadFromJsonAsync<TodoList>(Json))!;
    }

    static IEnumerable<string> Strings(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.String => [e.GetString()!],
        JsonValueKind.Object => e.EnumerateObject().SelectMany(p => Strings(p.Value)),
        JsonValueKind.Array => e.EnumerateArray().SelectMany(Strings),
        _ => [],
    };

    [SkippableFact]
    public async Task MyTodo_PerPersona_ListsExactlyWhatTheAccountCanActOn()
    {
        var a = await Arrange();
        var mine = a.Expected.Keys.ToHashSet();
        foreach (var user in Personas)
        {
            var todo = await Todo(user);
            var got = todo.Entries.Select(e => (e.Kind, e.RecordId)).Where(mine.Contains).Order().ToList();
            var want = a.Expected.Where(kv => kv.Value.Contains(user)).Select(kv => kv.Key).Order().ToList();
            Assert.True(want.SequenceEqual(got), $"{user}: expected [{string.Join(", ", want)}], got [{string.Join(", ", got)}]");
            // Counts are exact and agree with the entries (nothing here passes the per-kind limit).
            foreach (var c in todo.Counts) Assert.Equal(c.Count, todo.Entries.Count(e => e.Kind == c.Kind));
            Assert.Equal(todo.Total, todo.Entries.Count);
            // Sorted by urgency: worst light first.
            Assert.Equal(todo.Entries.OrderByDescending(e => e.Light).Select(e => e.Light), todo.Entries.Select(e => e.Light));
        }
        // Not vacuous: the table does name people for most records.
        Assert.True(a.Expected.Count(kv => kv.Value.Length > 0) >= 15);
    }

    /// The independent oracle: each arranged record's detail endpoint says what the account may do (AllowedFor);
    /// an action the 待办 lists for it must be offered there, and an offered action of a listed kind must be listed.
    [SkippableFact]
    public async Task MyTodo_AgreesWithEachRecordsAllowedActions()
    {
        var a = await Arrange();
        foreach (var user in Personas)
        {
            var c = await App.ClientFor(user);
            var todo = (await Todo(user)).Entries.Select(e => (e.Kind, e.RecordId)).ToHashSet();
            async Task<List<string>> Allowed(string url)
            {
                var r = await c.GetAsync(url);
                if (r.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Forbidden) return [];
                var d = await r.Expect<JsonElement>(HttpStatusCode.OK);
                return d.GetProperty("allowedActions").EnumerateArray().Select(x => x.GetString()!).ToList();
            }
            void Check(bool offered, TodoKind kind, int id) =>
                Assert.True(offered == todo.Contains((kind, id)), $"{user} {kind} #{id}: offered {offered}, listed {!offered}");
            foreach (var id in a.Items)
            {
                var allowed = await Allowed($"/api/v1/rectifications/{id}");
                Check(allowed.Contains("review"), TodoKind.ClosureReview, id);
                Check(allowed.Contains("verify"), TodoKind.ClosureVerify, id);
                Check(allowed.Contains("approve-extension"), TodoKind.ExtensionDecide, id);
                Check(allowed.Contains("confirm") && a.Expected.TryGetValue((TodoKind.RecheckDue, id), out var r) && r.Length > 0,
                    TodoKind.RecheckDue, id);
            }
            foreach (var id in a.Plans)
            {
                var allowed = await Allowed($"/api/v1/plans/{id}");
                Check(allowed.Contains("sign-off"), TodoKind.PlanSignOff, id);
                Check(allowed.Contains("submit"), TodoKind.PlanSubmit, id);
                Check(allowed.Contains("approve"), TodoKind.PlanApprove, id);
            }
            foreach (var id in a.Orders)
            {
                var allowed = await Allowed($"/api/v1/workorders/{id}");
                Check(allowed.Contains("accept"), TodoKind.OrderAccept, id);
                Check(allowed.Contains("sign"), TodoKind.OrderSign, id);
                Check(allowed.Contains("sign-off"), TodoKind.OrderSignOff, id);
                Check(allowed.Contains("approve-extension"), TodoKind.OrderExtension, id);
                Check(allowed.Contains("reply") || allowed.Contains("submit-reply"), TodoKind.OrderReply, id);
            }
            foreach (var id in a.Supervision)
            {
                var allowed = await Allowed($"/api/v1/supervision/orders/{id}");
                Check(allowed.Contains("respond"), TodoKind.SupervisionAnswer, id);
                Check(allowed.Contains("close"), TodoKind.SupervisionClose, id);
            }
        }
    }

    [SkippableFact]
    public async Task MyTodo_KindFilter_ListsOneKind_CountsStayComplete_OneClickActionWorks()
    {
        var a = await Arrange();
        var all = await Todo("yx.office");
        var only = await Todo("yx.office", "?kind=RecheckDue");
        Assert.Equal(all.Counts, only.Counts);
        Assert.All(only.Entries, e => Assert.Equal(TodoKind.RecheckDue, e.Kind));
        var due = a.Expected.Single(kv => kv.Key.Kind == TodoKind.RecheckDue && kv.Value.Length > 0).Key.Id;
        var entry = only.Entries.Single(e => e.RecordId == due);
        Assert.Equal($"/api/v1/rectifications/{due}/confirm", entry.Action!.Href);
        Assert.Equal($"/ledger/{due}", entry.Link);
        Assert.True(entry.WorkingDaysLeft <= 0);
        // The one action needs no more input: posting to it takes the item out of everyone's 待办.
        await (await (await App.ClientFor("yx.office")).PostAsJsonAsync(entry.Action.Href, new { })).Expect(HttpStatusCode.OK);
        Assert.DoesNotContain((await Todo("gz.jw")).Entries, e => e.RecordId == due && e.Kind == TodoKind.RecheckDue);
        await (await (await App.ClientFor("yx.office")).GetAsync("/api/v1/me/todo?kind=Nonsense")).Expect(HttpStatusCode.BadRequest);
    }

    [SkippableFact]
    public async Task ConfirmEffect_BeforeRecheckDate_RefusedWithoutReason_AcceptedAndAuditedWithOne()
    {
        var a = await Arrange();
        var early = a.Expected.Single(kv => kv.Key.Kind == TodoKind.RecheckDue && kv.Value.Length == 0).Key.Id;
        var office = await App.ClientFor("yx.office");
        await (await office.PostAsJsonAsync($"/api/v1/rectifications/{early}/confirm", new { text = "  " }))
            .ExpectProblem(HttpStatusCode.BadRequest, "reason");
        var d = await (await office.PostAsJsonAsync($"/api/v1/rectifications/{early}/confirm",
            new { text = "专项检查已见实效，提前确认" })).Expect<JsonElement>(HttpStatusCode.OK);
        Assert.Equal((int)RectStatus.Confirmed, d.GetProperty("item").GetProperty("status").GetInt32());
        var last = d.GetProperty("timeline").EnumerateArray().Last();
        Assert.Contains("提前成效确认", last.GetProperty("text").GetString());
        Assert.Contains("专项检查已见实效", last.GetProperty("text").GetString());
        var audit = await (await (await App.ClientFor("admin")).GetAsync(
            $"/api/v1/audit?entityType=RectUpdate&entityId={last.GetProperty("id").GetInt32()}&take=50")).Expect<JsonElement>(HttpStatusCode.OK);
        Assert.Contains(Strings(audit), t => t.Contains("提前成效确认"));
        // The ledger's 回头看到期 filter lists the due one and not the early one.
        var ledger = await (await office.GetAsync("/api/v1/rectifications?recheckDue=true&pageSize=200")).Expect<JsonElement>(HttpStatusCode.OK);
        var ids = ledger.GetProperty("rows").EnumerateArray().Select(r => r.GetProperty("id").GetInt32()).ToList();
        Assert.Contains(a.Expected.Single(kv => kv.Key.Kind == TodoKind.RecheckDue && kv.Value.Length > 0).Key.Id, ids);
        Assert.DoesNotContain(early, ids);
    }
}

public sealed class SqliteTodoTests(SqliteFixture app) : TodoTestsBase(() => app), IClassFixture<SqliteFixture>;

public sealed class PostgresTodoTests(PostgresFixture app) : TodoTestsBase(() => app.Factory), IClassFixture<PostgresFixture>;
