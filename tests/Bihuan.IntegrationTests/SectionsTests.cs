using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.Json.Serialization;
using Bihuan.Domain;
using Bihuan.Features.Supervision;
using Bihuan.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Bihuan.IntegrationTests;

/// The dashboard's 实施方案, 会议活动, 学习情况, 群众诉求 and 建章立制 sections against counts done the slow way over every
/// row (random records over the whole tree, an archived org, a moved member), for the city and a district: the total,
/// each direct sub-unit and 本级 — before and after more changes (so the incremental refresh is checked too). Every
/// link those figures carry opens a list or page that shows the same number.
public abstract class SectionsTestsBase(Func<BihuanFactory> factory)
{
    BihuanFactory App => factory();
    static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };
    static DateOnly Today => ChinaTime.Today(TimeProvider.System);
    static readonly string[] Keys = ["plans", "meetings", "study", "workorders", "rules"];

    /// Random records of every kind the sections count, straight into the database (through SaveChanges: marks written).
    async Task Seed(int seed)
    {
        var (db, scope) = App.SystemDb();
        using (scope)
        {
            var rnd = new Random(seed);
            T Pick<T>(IReadOnlyList<T> xs) => xs[rnd.Next(xs.Count)];
            List<T> Some<T>(IEnumerable<T> xs, int min, int max) => xs.OrderBy(_ => rnd.Next()).Take(rnd.Next(min, max + 1)).ToList();
            var now = DateTime.UtcNow;
            var orgs = await db.Orgs.IgnoreQueryFilters().ToListAsync();
            var desk = orgs.Single(o => o.Code == "GZ").Id;
            var campaign = await db.Campaigns.Where(c => c.PublishedAt != null && !c.IsTemplate).OrderByDescending(c => c.Id).FirstAsync();
            var articles = await db.StudyArticles.Where(a => campaign.StudyMaterialIds.Contains(a.MaterialId)).Select(a => a.Id).ToListAsync();
            // An article of a material outside the campaign: studying it does not start the campaign's study. (Made once:
            // a catalog change rebuilds the roll-ups whole, and the second round should be an incremental refresh.)
            var strayId = await db.StudyArticles.Where(a => !campaign.StudyMaterialIds.Contains(a.MaterialId)).Select(a => (int?)a.Id).FirstOrDefaultAsync();
            if (strayId is null)
            {
                var other = new StudyMaterial { Title = "其他学习材料", Kind = MaterialKind.Document };
                db.StudyMaterials.Add(other);
                await db.SaveChangesAsync();
                var article = new StudyArticle { MaterialId = other.Id, Title = "其他篇目", IsCore = true };
                db.StudyArticles.Add(article);
                await db.SaveChangesAsync();
                strayId = article.Id;
            }
            var stray = strayId.Value;

            foreach (var o in orgs)
                for (var k = rnd.Next(0, 5); k > 0; k--)
                    db.People.Add(new Person
                    {
                        Name = $"党员{seed}-{o.Id}-{k}", OrgId = o.Id, IsLeadership = rnd.Next(4) == 0, Archived = rnd.Next(9) == 0, CreatedAt = now,
                    });
            await db.SaveChangesAsync();
            var people = await db.People.IgnoreQueryFilters().ToListAsync();
            void Study(Person p, int article) => db.StudyRecords.Add(new StudyRecord
            {
                OrgId = p.OrgId, PersonId = p.Id, ArticleId = article, StudiedOn = Today.AddDays(-rnd.Next(0, 60)),
                Way = Pick(Enum.GetValues<StudyWay>()), RecordedBy = "tests", CreatedAt = now,
            });
            for (var k = 0; k < 220; k++) Study(Pick(people), rnd.Next(10) == 0 ? stray : Pick(articles));
            // Leaders who studied everything, members who studied every core article: some are done.
            var core = await db.StudyArticles.Where(a => articles.Contains(a.Id) && a.IsCore).Select(a => a.Id).ToListAsync();
            foreach (var p in Some(people, 4, 8)) foreach (var a in p.IsLeadership ? articles : core) Study(p, a);
            await db.SaveChangesAsync();

            var types = await db.MeetingTypes.Select(t => t.Id).ToListAsync();
            for (var k = 0; k < 40; k++)
            {
                var host = Pick(orgs);
                var m = new Meeting
                {
                    OrgId = host.Id, Title = $"学习会 {seed}-{k}", TypeIds = Some(types, 1, 3), HeldOn = Today.AddDays(-rnd.Next(1, 90)),
                    RecordedBy = "tests", CreatedAt = now,
                };
                db.Meetings.Add(m);
                await db.SaveChangesAsync();
                foreach (var p in people.Where(p => p.OrgId == host.Id && !p.Archived && rnd.Next(4) > 0))
                {
                    var status = Pick(Enum.GetValues<AttendanceStatus>());
                    db.Attendance.Add(new MeetingAttendance
                    {
                        MeetingId = m.Id, OrgId = host.Id, PersonId = p.Id, Status = status, Reason = status == AttendanceStatus.Leave ? "出差" : null,
                        Spoke = rnd.Next(3) == 0,
                    });
                    if (status == AttendanceStatus.Present) continue;
                    var owed = Some(articles, 1, 3);
                    db.MakeUpTasks.Add(new MakeUpTask
                    {
                        OrgId = p.OrgId, PersonId = p.Id, MeetingId = m.Id, ArticleIds = owed, DueOn = Today.AddDays(rnd.Next(-10, 10)), CreatedAt = now,
                    });
                    if (rnd.Next(2) == 0) foreach (var a in owed.Skip(rnd.Next(3) == 0 ? 1 : 0)) Study(p, a);
                }
                await db.SaveChangesAsync();
            }

            var planned = await db.Plans.Where(p => p.CampaignId == campaign.Id).Select(p => p.OrgId).ToListAsync();
            foreach (var o in orgs.Where(o => !planned.Contains(o.Id) && rnd.Next(3) == 0))
                db.Plans.Add(new Plan
                {
                    CampaignId = campaign.Id, OrgId = o.Id, Title = $"{o.Name}实施方案", Status = Pick(Enum.GetValues<PlanStatus>()),
                    CreatedAt = now, UpdatedAt = now,
                });

            var cats = await db.Categories.Select(c => c.Id).ToListAsync();
            for (var k = 0; k < 40; k++)
            {
                var status = Pick(Enum.GetValues<RuleStatus>());
                db.Rules.Add(new Rule
                {
                    OrgId = Pick(orgs).Id, Title = $"制度 {seed}-{k}", Status = status,
                    IssuedOn = status is RuleStatus.Issued or RuleStatus.Revised ? Today.AddDays(-rnd.Next(1, 100)) : null,
                    CategoryIds = Some(cats, 0, 3), RecordedBy = "tests", CreatedAt = now,
                });
            }

            var units = orgs.Where(o => o.Id != desk).ToList();
            var orders = new List<WorkOrder>();
            for (var k = 0; k < 160; k++)
            {
                var status = Pick(Enum.GetValues<OrderStatus>());
                var withUnit = status is not (OrderStatus.Received or OrderStatus.Accepted or OrderStatus.Rejected or OrderStatus.Merged);
                var sentBack = !withUnit && rnd.Next(3) == 0;   // dispatched once, back at the desk
                var dispatched = withUnit || sentBack ? Today.AddDays(-rnd.Next(0, 30)) : (DateOnly?)null;
                var signed = status is OrderStatus.Signed or OrderStatus.Handling or OrderStatus.AwaitingSignoff or OrderStatus.Replied or OrderStatus.Closed
                    && rnd.Next(6) > 0;
                var replied = status is OrderStatus.Replied || status == OrderStatus.Closed && rnd.Next(4) > 0;
                var o = new WorkOrder
                {
                    Ticket = $"GZT{seed:D3}{k:D6}", CodeHash = "tests", Content = $"诉求 {seed}-{k}", Type = Pick(Enum.GetValues<DemandType>()),
                    Status = status, OrgId = withUnit ? Pick(units).Id : desk, DispatchOrgId = desk, DispatchedOn = dispatched,
                    // Dates around today often: the day itself is neither overdue nor in time.
                    SignDue = dispatched is null ? null : rnd.Next(2) == 0 ? Today.AddDays(rnd.Next(-2, 3)) : dispatched.Value.AddDays(1),
                    Deadline = dispatched is not { } d || rnd.Next(8) == 0 ? null : rnd.Next(2) == 0 ? Today.AddDays(rnd.Next(-2, 3)) : d.AddDays(rnd.Next(1, 25)),
                    SignedOn = signed ? dispatched?.AddDays(rnd.Next(0, 3)) : null, SignedLate = signed && rnd.Next(4) == 0,
                    RepliedOn = replied ? dispatched?.AddDays(rnd.Next(1, 30)) : null,
                    Rating = status == OrderStatus.Closed && rnd.Next(3) > 0 ? Pick(Enum.GetValues<Rating>()) : rnd.Next(10) == 0 ? Rating.Basic : null,
                    RedoCount = replied && rnd.Next(5) == 0 ? 1 : 0, CreatedAt = now, UpdatedAt = now,
                };
                orders.Add(o);
                db.WorkOrders.Add(o);
            }
            await db.SaveChangesAsync();
            for (var k = 0; k < 90; k++)
            {
                var action = Pick(new[] { OrderAction.Dispatch, OrderAction.Dispatch, OrderAction.SendBack, OrderAction.Sign });
                db.WorkOrderEvents.Add(new WorkOrderEvent
                {
                    WorkOrderId = Pick(orders).Id, OrgId = Pick(orgs).Id, Action = action, FromStatus = OrderStatus.Accepted,
                    ToStatus = OrderStatus.Dispatched, ActorId = "tests", ActorName = "测试", At = now,
                });
            }
            await db.SaveChangesAsync();
        }
    }

    /// After the first look: a member moves to another org (their records stay where they were made), an org is
    /// archived (no longer expected to submit a plan; its records still count), a plan is approved, orders close.
    async Task Change()
    {
        var (db, scope) = App.SystemDb();
        using (scope)
        {
            var orgs = await db.Orgs.IgnoreQueryFilters().ToListAsync();
            // A member with a 补学 still open (so that completing it at the new org changes the old org's figures).
            var studied = (await db.StudyRecords.IgnoreQueryFilters().Select(r => new { r.PersonId, r.ArticleId }).ToListAsync())
                .Select(r => (r.PersonId, r.ArticleId)).ToHashSet();
            var open = (await db.MakeUpTasks.IgnoreQueryFilters().ToListAsync()).Where(m => !m.ArticleIds.All(a => studied.Contains((m.PersonId, a))))
                .Select(m => m.PersonId).ToHashSet();
            var mover = await db.People.IgnoreQueryFilters().Where(p => !p.Archived && open.Contains(p.Id)).OrderBy(p => p.Id).FirstAsync();
            mover.OrgId = orgs.Where(o => o.Id != mover.OrgId && o.Code.StartsWith("GZ-HP")).OrderBy(o => o.Id).First().Id;
            await db.SaveChangesAsync();
            // The mover completes every 补学 now, at the new org: the old org's 补学 turn done.
            foreach (var m in await db.MakeUpTasks.IgnoreQueryFilters().Where(m => m.PersonId == mover.Id).ToListAsync())
                foreach (var a in m.ArticleIds)
                    db.StudyRecords.Add(new StudyRecord
                    {
                        OrgId = mover.OrgId, PersonId = mover.Id, ArticleId = a, StudiedOn = Today, Way = StudyWay.Self, RecordedBy = "tests",
                        CreatedAt = DateTime.UtcNow,
                    });
            await db.SaveChangesAsync();
            var leaf = orgs.Single(o => o.Code == "GZ-YX-BJJ-BH");
            leaf.Archived = true;
            foreach (var p in await db.Plans.IgnoreQueryFilters().Where(p => p.Status == PlanStatus.Submitted).Take(2).ToListAsync())
                p.Status = PlanStatus.Approved;
            foreach (var o in await db.WorkOrders.IgnoreQueryFilters().Where(o => o.Status == OrderStatus.Replied).Take(3).ToListAsync())
            {
                o.Status = OrderStatus.Closed;
                o.Rating = Rating.Dissatisfied;
            }
            foreach (var r in await db.Rules.IgnoreQueryFilters().Where(r => r.Status == RuleStatus.Issued).Take(2).ToListAsync())
                r.Status = RuleStatus.Abolished;
            await db.SaveChangesAsync();
        }
    }

    static string Percent(long n, long d) => d == 0 ? "—" : (Math.Round((double)n / d, 4) * 100).ToString("0.0", CultureInfo.InvariantCulture) + "%";
    static string N(long n) => n.ToString(CultureInfo.InvariantCulture);

    /// Every figure of the five sections, counted from all rows of one bucket of orgs (keys as the sections name them).
    sealed record Rows(List<Org> Orgs, List<Plan> Plans, List<Meeting> Meetings, List<MeetingAttendance> Attendance, List<MakeUpTask> MakeUps,
        List<Person> People, List<StudyRecord> Records, List<Rule> Rules, List<WorkOrder> Orders, List<WorkOrderEvent> Events);

    async Task<(Rows All, Campaign Campaign, List<int> Articles, List<int> Core, List<MeetingType> Types)> LoadAsync()
    {
        var (db, scope) = App.SystemDb();
        using (scope)
        {
            var campaign = await db.Campaigns.AsNoTracking().Where(c => c.PublishedAt != null && !c.IsTemplate).OrderByDescending(c => c.Id).FirstAsync();
            var articles = await db.StudyArticles.Where(a => campaign.StudyMaterialIds.Contains(a.MaterialId)).Select(a => new { a.Id, a.IsCore }).ToListAsync();
            var rows = new Rows(await db.Orgs.IgnoreQueryFilters().AsNoTracking().ToListAsync(),
                await db.Plans.IgnoreQueryFilters().AsNoTracking().ToListAsync(), await db.Meetings.IgnoreQueryFilters().AsNoTracking().ToListAsync(),
                await db.Attendance.IgnoreQueryFilters().AsNoTracking().ToListAsync(), await db.MakeUpTasks.IgnoreQueryFilters().AsNoTracking().ToListAsync(),
                await db.People.IgnoreQueryFilters().AsNoTracking().ToListAsync(), await db.StudyRecords.IgnoreQueryFilters().AsNoTracking().ToListAsync(),
                await db.Rules.IgnoreQueryFilters().AsNoTracking().ToListAsync(), await db.WorkOrders.IgnoreQueryFilters().AsNoTracking().ToListAsync(),
                await db.WorkOrderEvents.IgnoreQueryFilters().AsNoTracking().ToListAsync());
            return (rows, campaign, articles.Select(a => a.Id).ToList(), articles.Where(a => a.IsCore).Select(a => a.Id).ToList(),
                await db.MeetingTypes.AsNoTracking().ToListAsync());
        }
    }

    /// The figures of the orgs in `inBucket`, counted one row at a time.
    static Dictionary<string, string> Expected(Rows all, Func<int, bool> inBucket, Campaign campaign, List<int> articles, List<int> core,
        List<MeetingType> types, string campaignRootSelfPath)
    {
        var f = new Dictionary<string, string>();
        var orgs = all.Orgs.ToDictionary(o => o.Id);
        bool Covered(int orgId) => orgs[orgId].SelfPath.StartsWith(campaignRootSelfPath, StringComparison.Ordinal);

        var plans = all.Plans.Where(p => p.CampaignId == campaign.Id && inBucket(p.OrgId)).ToList();
        var expected = all.Orgs.Where(o => inBucket(o.Id) && !o.Archived && Covered(o.Id)).Select(o => o.Id).ToHashSet();
        var submitted = plans.Count(p => expected.Contains(p.OrgId) && p.Status is PlanStatus.Submitted or PlanStatus.Approved);
        f["plansExpected"] = N(expected.Count);
        f["plansSubmitted"] = N(submitted);
        f["plansNotSubmitted"] = N(expected.Count - submitted);
        f["plansApproved"] = N(plans.Count(p => p.Status == PlanStatus.Approved));
        f["plansReturned"] = N(plans.Count(p => p.Status == PlanStatus.Returned));
        foreach (var s in Enum.GetValues<PlanStatus>()) f["plans." + s] = N(plans.Count(p => p.Status == s));

        var meetings = all.Meetings.Where(m => inBucket(m.OrgId)).ToList();
        var attendance = all.Attendance.Where(a => inBucket(a.OrgId)).ToList();
        var studied = all.Records.Select(r => (r.PersonId, r.ArticleId)).ToHashSet();
        var makeUps = all.MakeUps.Where(m => inBucket(m.OrgId)).Select(m => (m, Done: m.ArticleIds.All(a => studied.Contains((m.PersonId, a))))).ToList();
        int present = attendance.Count(a => a.Status == AttendanceStatus.Present);
        f["meetingsTotal"] = N(meetings.Count);
        f["meetingsPresent"] = N(present);
        f["meetingsLeave"] = N(attendance.Count(a => a.Status == AttendanceStatus.Leave));
        f["meetingsAbsent"] = N(attendance.Count(a => a.Status == AttendanceStatus.Absent));
        f["meetingsAttendance"] = Percent(present, attendance.Count);
        f["meetingsSpoke"] = N(attendance.Count(a => a.Spoke));
        f["makeUps"] = N(makeUps.Count);
        f["makeUpsOpen"] = N(makeUps.Count(x => !x.Done));
        f["makeUpsOverdue"] = N(makeUps.Count(x => !x.Done && x.m.DueOn < Today));
        foreach (var t in types) f["meetings.type." + N(t.Id)] = N(meetings.Count(m => m.TypeIds.Contains(t.Id)));

        // 逐篇学 as the progress page defines it: members of the bucket's orgs, required articles by leadership.
        var members = all.People.Where(p => !p.Archived && inBucket(p.OrgId) && Covered(p.OrgId)).ToList();
        long required = 0, completed = 0;
        int notStarted = 0, done = 0;
        foreach (var p in members)
        {
            var mine = all.Records.Where(r => r.PersonId == p.Id).Select(r => r.ArticleId).ToHashSet();
            var need = p.IsLeadership ? articles : core;
            var c = need.Count(mine.Contains);
            required += need.Count;
            completed += c;
            if (!articles.Any(mine.Contains)) notStarted++;
            if (need.Count > 0 && c >= need.Count) done++;
        }
        var records = all.Records.Where(r => inBucket(r.OrgId)).ToList();
        f["studyMembers"] = N(members.Count);
        f["studyNotStarted"] = N(notStarted);
        f["studyDone"] = N(done);
        f["studyRate"] = required == 0 ? "—" : $"{(int)Math.Round(100.0 * completed / required)}%";
        f["studyRecords"] = N(records.Count);
        foreach (var w in Enum.GetValues<StudyWay>()) f["study.way." + w] = N(records.Count(r => r.Way == w));

        var orders = all.Orders.Where(o => inBucket(o.OrgId)).ToList();
        var assigned = orders.Where(o => o.DispatchedOn is not null && o.OrgId != o.DispatchOrgId).ToList();
        var signedOrders = assigned.Where(o => o.SignedOn is not null).ToList();
        var replied = assigned.Where(o => o.RepliedOn is not null || o.Status == OrderStatus.Closed).ToList();
        var dated = assigned.Where(o => o.RepliedOn is not null).ToList();
        var rated = assigned.Where(o => o.Rating is not null && o.Status == OrderStatus.Closed).ToList();
        var events = all.Events.Where(e => inBucket(e.OrgId)).ToList();
        int dispatched = events.Count(e => e.Action == OrderAction.Dispatch), sentBack = events.Count(e => e.Action == OrderAction.SendBack);
        f["woTotal"] = N(orders.Count);
        f["woAssigned"] = N(assigned.Count);
        f["woOpen"] = N(assigned.Count(o => o.Status.IsOpen()));
        f["woSignOverdue"] = N(assigned.Count(o => o.Status == OrderStatus.Dispatched && o.SignDue < Today));
        f["woOverdue"] = N(assigned.Count(o => o.Status is OrderStatus.Dispatched or OrderStatus.Signed or OrderStatus.Handling
            or OrderStatus.AwaitingSignoff && o.Deadline < Today));
        f["woDispatched"] = N(dispatched);
        f["woSignRate"] = Percent(signedOrders.Count(o => !o.SignedLate), signedOrders.Count);
        f["woOnTimeRate"] = Percent(dated.Count(o => o.RepliedOn <= o.Deadline), dated.Count);
        f["woSatisfaction"] = Percent(rated.Count(o => o.Rating is Rating.Satisfied or Rating.Basic), rated.Count);
        f["woRedoRate"] = Percent(replied.Count(o => o.RedoCount > 0), replied.Count);
        f["woSendBackRate"] = Percent(sentBack, dispatched);

        var rules = all.Rules.Where(r => inBucket(r.OrgId)).ToList();
        var inForce = rules.Where(r => r.Status is RuleStatus.Issued or RuleStatus.Revised).ToList();
        f["rulesTotal"] = N(rules.Count);
        f["rulesInForce"] = N(inForce.Count);
        f["rulesAbolished"] = N(rules.Count(r => r.Status == RuleStatus.Abolished));
        foreach (var s in Enum.GetValues<RuleStatus>()) f["rules.status." + s] = N(rules.Count(r => r.Status == s));
        foreach (var c in inForce.SelectMany(r => r.CategoryIds).Distinct()) f["rules.cat." + N(c)] = N(inForce.Count(r => r.CategoryIds.Contains(c)));
        return f;
    }

    async Task<DashboardDto> Dashboard(HttpClient c, int orgId) =>
        (await (await c.GetAsync($"/api/v1/supervision/dashboard?orgId={orgId}")).Expect<JsonElement>(HttpStatusCode.OK)).Deserialize<DashboardDto>(Json)!;

    async Task CheckAsync(string user, string rootCode)
    {
        var c = await App.ClientFor(user);
        var rootId = await App.OrgId(rootCode);
        var d = await Dashboard(c, rootId);
        var (all, campaign, articles, core, types) = await LoadAsync();
        var orgs = all.Orgs.ToDictionary(o => o.Id);
        var root = orgs[rootId];
        var campaignRoot = orgs[campaign.RootOrgId!.Value].SelfPath;
        bool InTree(int id, Org top) => orgs[id].SelfPath.StartsWith(top.SelfPath, StringComparison.Ordinal);
        var sections = Keys.Select(k => d.Sections.Single(s => s.Key == k)).ToList();

        // The root: every figure of every group.
        var total = Expected(all, id => InTree(id, root), campaign, articles, core, types, campaignRoot);
        var shown = sections.SelectMany(s => s.Groups).SelectMany(g => g.Figures).ToList();
        foreach (var f in shown)
        {
            Assert.True(total.TryGetValue(f.Key, out var want), $"{user}: unexpected figure {f.Key} ({f.Label})");
            Assert.True(want == f.Shown, $"{user} {rootCode} {f.Key} {f.Label}: shown {f.Shown}, counted {want}");
        }
        foreach (var (k, v) in total.Where(kv => kv.Key.StartsWith("rules.cat.", StringComparison.Ordinal)))
            Assert.Contains(shown, f => f.Key == k && f.Shown == v);
        if (rootCode == "GZ")
            Assert.True(total["studyMembers"] != "0" && total["woAssigned"] != "0" && total["makeUpsOverdue"] != "0" && total["plansSubmitted"] != "0"
                && total["studyDone"] != "0" && total["woSignOverdue"] != "0", "the seed should leave something to count");

        // Each direct sub-unit (its subtree) and 本级 (the root's own records).
        var children = all.Orgs.Where(o => o.ParentId == rootId && !o.Archived).Select(o => o.Id).ToHashSet();
        foreach (var u in sections.SelectMany(s => s.Units))
        {
            Func<int, bool> bucket = u.OrgId == rootId ? id => id == rootId : id => InTree(id, orgs[u.OrgId]);
            Assert.True(u.OrgId == rootId || children.Contains(u.OrgId), $"{u.OrgId} is no row of {rootCode}");
            var want = Expected(all, bucket, campaign, articles, core, types, campaignRoot);
            foreach (var f in u.Figures.Where(f => f.Key != "plansOwn"))
                Assert.True(want[f.Key] == f.Shown, $"{user} unit {orgs[u.OrgId].Name} {f.Key} {f.Label}: shown {f.Shown}, counted {want[f.Key]}");
            if (u.Figures.SingleOrDefault(f => f.Key == "plansOwn") is { } own)
            {
                var plan = all.Plans.SingleOrDefault(p => p.CampaignId == campaign.Id && p.OrgId == u.OrgId);
                var late = !(plan?.Status is PlanStatus.Submitted or PlanStatus.Approved) && !orgs[u.OrgId].Archived;
                Assert.Equal(late, u.Reasons.Any(r => r.StartsWith("实施方案未报送", StringComparison.Ordinal)));
                Assert.Equal(plan is null ? "未起草" : plan.Status == PlanStatus.Submitted ? "已报送待审核" : plan.Status.Label(), own.Shown);
            }
        }
        foreach (var k in Keys)
            Assert.Equal(children.Order(), sections.Single(s => s.Key == k).Units.Select(u => u.OrgId).Where(id => id != rootId).Order());

        // Drill-downs: the list (or page) each link opens shows the same number.
        var links = shown.Concat(sections.SelectMany(s => s.Units).SelectMany(u => u.Figures)).Where(f => f.Href is not null).ToList();
        Assert.True(links.Count > 60, $"only {links.Count} links");
        foreach (var f in links) await FollowAsync(c, f, orgs, user);
        // The Excel export and the briefing carry the sections.
        await (await c.GetAsync($"/api/v1/supervision/dashboard.xlsx?orgId={rootId}")).Expect(HttpStatusCode.OK);
        var page = await (await c.GetAsync($"/supervision?orgId={rootId}")).Content.ReadAsStringAsync();
        foreach (var k in Keys) Assert.Contains($"data-units=\"{k}\"", page);
    }

    async Task FollowAsync(HttpClient c, Figure f, Dictionary<int, Org> orgs, string user)
    {
        var href = f.Href!;
        var where = $"{user} {f.Key} {f.Label} ({href})";
        if (href.StartsWith("/workorders/kpi?org=", StringComparison.Ordinal))
        {
            var q = System.Web.HttpUtility.ParseQueryString(href[(href.IndexOf('?') + 1)..]);
            var id = orgs.Values.Single(o => o.Code == q["org"]).Id;
            var kpi = await (await c.GetAsync($"/api/v1/workorders/kpi?orgId={id}&subtree={q["own"] != "true"}")).Expect<JsonElement>(HttpStatusCode.OK);
            string Rate(string p) => kpi.GetProperty(p).ValueKind == JsonValueKind.Null ? "—"
                : (kpi.GetProperty(p).GetDouble() * 100).ToString("0.0", CultureInfo.InvariantCulture) + "%";
            var want = f.Key switch
            {
                "woDispatched" => N(kpi.GetProperty("dispatched").GetInt32()),
                "woSignRate" => Rate("signOnTimeRate"),
                "woOnTimeRate" => Rate("onTimeRate"),
                "woSatisfaction" => Rate("satisfactionRate"),
                "woRedoRate" => Rate("redoRate"),
                "woSendBackRate" => Rate("sendBackRate"),
                _ => throw new InvalidOperationException(where),
            };
            Assert.True(want == f.Shown, $"{where}: KPI page {want}");
        }
        else if (href.StartsWith("/workorders?", StringComparison.Ordinal))
        {
            var list = await (await c.GetAsync(href.Replace("/workorders?", "/api/v1/workorders?") + "&pageSize=1")).Expect<JsonElement>(HttpStatusCode.OK);
            Assert.True(list.GetProperty("total").GetInt32() == f.Value, $"{where}: list {list.GetProperty("total").GetInt32()}");
        }
        else if (href.StartsWith("/meetings?", StringComparison.Ordinal) || href.StartsWith("/rules?", StringComparison.Ordinal))
        {
            var list = await (await c.GetAsync("/api/v1" + href)).Expect<JsonElement>(HttpStatusCode.OK);
            Assert.True(list.GetArrayLength() == f.Value, $"{where}: list {list.GetArrayLength()}");
        }
        else if (href.StartsWith("/study?campaignId=", StringComparison.Ordinal))
        {
            var q = System.Web.HttpUtility.ParseQueryString(href[(href.IndexOf('?') + 1)..]);
            var p = (await (await c.GetAsync($"/api/v1/campaigns/{q["campaignId"]}/progress?orgId={q["orgId"]}")).Expect<JsonElement>(HttpStatusCode.OK))
                .GetProperty("total");
            var want = f.Key switch
            {
                "studyMembers" => N(p.GetProperty("members").GetInt32()),
                "studyNotStarted" => N(p.GetProperty("notStarted").GetInt32()),
                "studyDone" => N(p.GetProperty("done").GetInt32()),
                "studyRate" => p.GetProperty("required").GetInt32() == 0 ? "—" : N(p.GetProperty("percent").GetInt32()) + "%",
                _ => throw new InvalidOperationException(where),
            };
            Assert.True(want == f.Shown, $"{where}: progress page {want}");
        }
        else if (href.StartsWith("/plans/", StringComparison.Ordinal))
        {
            var plan = await (await c.GetAsync("/api/v1" + href)).Expect<JsonElement>(HttpStatusCode.OK);
            Assert.Equal(f.Shown == "已报送待审核" ? "已报送" : f.Shown, plan.GetProperty("statusLabel").GetString());
        }
        else Assert.Fail($"{where}: no list to check this link against");
        // The page itself opens.
        Assert.Equal(HttpStatusCode.OK, (await c.GetAsync(href)).StatusCode);
    }

    [SkippableFact]
    public async Task Sections_CityAndDistrict_EqualBruteForceCounts_BeforeAndAfterChanges_AndLinksShowAsMany()
    {
        await Seed(21);
        await CheckAsync("gz.jw", "GZ");
        await CheckAsync("yx.office", "GZ-YX");
        await Change();
        await CheckAsync("gz.jw", "GZ");
        await Seed(22);
        await CheckAsync("gz.jw", "GZ");
        await CheckAsync("yx.office", "GZ-YX");
        await CheckAsync("hp.office", "GZ-HP");
    }

    [SkippableFact]
    public async Task Sections_AnotherDistrictsLinks_ListNothing_ForTheDistrictOffice()
    {
        await Seed(31);
        var hp = await App.ClientFor("hp.office");
        var d = await Dashboard(hp, await App.OrgId("GZ-HP"));
        var yx = await App.ClientFor("yx.office");
        var lists = d.Sections.Where(s => Keys.Contains(s.Key)).SelectMany(s => s.Groups).SelectMany(g => g.Figures)
            .Where(f => f.Href is { } h && (h.StartsWith("/workorders?") || h.StartsWith("/meetings?") || h.StartsWith("/rules?")) && f.Value > 0).ToList();
        Assert.NotEmpty(lists);
        foreach (var f in lists)
        {
            var res = await yx.GetAsync(f.Href!.StartsWith("/workorders?") ? f.Href.Replace("/workorders?", "/api/v1/workorders?") : "/api/v1" + f.Href);
            // The org is not in the Yuexiu office's scope: 404, or an empty list.
            if (res.StatusCode == HttpStatusCode.NotFound) continue;
            var body = await res.Expect<JsonElement>(HttpStatusCode.OK);
            Assert.Equal(0, body.ValueKind == JsonValueKind.Array ? body.GetArrayLength() : body.GetProperty("total").GetInt32());
        }
    }
}

public sealed class SqliteSectionsTests(SqliteFixture app) : SectionsTestsBase(() => app), IClassFixture<SqliteFixture>;

public sealed class PostgresSectionsTests(PostgresFixture app) : SectionsTestsBase(() => app.Factory), IClassFixture<PostgresFixture>;
