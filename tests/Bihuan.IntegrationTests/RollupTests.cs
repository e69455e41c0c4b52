using Bihuan.Data;
using Bihuan.Domain;
using Bihuan.Features.Supervision;
using Bihuan.Infrastructure;
using FsCheck;
using FsCheck.Fluent;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Bihuan.IntegrationTests;

/// The dashboards' roll-ups, as a property: after any sequence of changes (items added, changed, moved to another
/// org, deleted; problems recategorised; 督办单 issued and closed; work orders received, dispatched, sent back and
/// closed; study records, 补学 and meetings; members moved or archived; plans and rules made and changed; orgs archived;
/// campaigns published; an article added to the catalog; an org moved in the tree; days passing) with
/// refreshes at random points, every stored subtree row equals the sum of its orgs' own counts computed from scratch
/// (brute force over the tree by path), for every section and every org — so incremental updates, carry-forward and
/// whole rebuilds agree with counting everything.
public abstract class RollupTestsBase(Func<BihuanFactory> factory)
{
    BihuanFactory App => factory();
    static DateOnly Today => ChinaTime.Today(TimeProvider.System);
    DateOnly day = Today;

    [SkippableFact]
    public void RollupRows_AfterAnyChangesAndRefreshes_EqualCountsFromScratch()
    {
        _ = App; // skips the PostgreSQL variant without a server
        var prop = Prop.ForAll(ArbMap.Default.ArbFor<int[]>(), ops => PlayAsync(ops).GetAwaiter().GetResult());
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(16).WithStartSize(8).WithEndSize(40), prop);
    }

    [SkippableFact]
    public async Task Refresh_WhenNothingChanged_WritesNothing_AndTheJobKeepsHistory()
    {
        var store = App.Services.GetRequiredService<RollupStore>();
        var (db, scope) = App.SystemDb();
        using (scope)
        {
            await store.RefreshAsync(db, Today, default);
            Assert.Equal("无变化", await store.RefreshAsync(db, Today, default));
            Assert.Equal(0, await db.RollupMarks.CountAsync());
            // A change marks its org in the same save; the next refresh consumes the mark.
            var org = await App.OrgId("GZ-YX-FGJ");
            var problem = new Problem { OrgId = org, Description = "电梯维保不到位", CreatedAt = DateTime.UtcNow };
            db.Problems.Add(problem);
            await db.SaveChangesAsync();
            await store.RefreshAsync(db, Today, default);
            var item = new RectItem
            {
                ProblemId = problem.Id, OrgId = org, Measures = "建立维保台账", StartOn = Today.AddDays(-10), Deadline = Today.AddDays(20),
                CreatedAt = DateTime.UtcNow,
            };
            db.RectItems.Add(item);
            await db.SaveChangesAsync();
            Assert.Equal([item.OrgId], await db.RollupMarks.Select(m => m.OrgId).ToListAsync());
            Assert.Contains("ledger 更新", await store.RefreshAsync(db, Today, default));
            Assert.Equal(0, await db.RollupMarks.CountAsync());

            // The daily job on the next day: ledger rebuilt for that day, yesterday's rows kept for the trend.
            var job = new RollupJob(store);
            var next = Today.AddDays(1);
            await job.RunAsync(db, next.ToString("yyyy-MM-dd"), default);
            var root = await App.OrgId("GZ");
            Assert.True(await db.Rollups.AnyAsync(r => r.Section == "ledger" && r.OrgId == root && r.Day == Today));
            Assert.True(await db.Rollups.AnyAsync(r => r.Section == "ledger" && r.OrgId == root && r.Day == next));
            Assert.True(await db.RollupDays.AllAsync(d => d.Day == next));
            await store.RefreshAsync(db, Today, default);   // back to today for the other tests of this class
        }
    }

    async Task<bool> PlayAsync(int[] ops)
    {
        var store = App.Services.GetRequiredService<RollupStore>();
        var (db, scope) = App.SystemDb();
        using (scope)
        {
            var cats = await db.Categories.Select(c => c.Id).ToListAsync();
            var types = await db.MeetingTypes.Select(t => t.Id).ToListAsync();
            var desk = await App.OrgId("GZ");
            foreach (var v in ops)
            {
                var rnd = new Random(v);
                db.ChangeTracker.Clear();
                var orgs = await db.Orgs.IgnoreQueryFilters().Select(o => o.Id).OrderBy(o => o).ToListAsync();
                T Pick<T>(IReadOnlyList<T> xs) => xs[rnd.Next(xs.Count)];
                async Task<RectItem?> AnyItem()
                {
                    var n = await db.RectItems.IgnoreQueryFilters().CountAsync();
                    return n == 0 ? null : await db.RectItems.IgnoreQueryFilters().Include(i => i.Problem).OrderBy(i => i.Id).Skip(rnd.Next(n)).FirstAsync();
                }
                async Task<T?> Any<T>(IQueryable<T> q) where T : class
                {
                    var n = await q.CountAsync();
                    return n == 0 ? null : await q.Skip(rnd.Next(n)).FirstAsync();
                }
                var people = db.People.IgnoreQueryFilters().OrderBy(p => p.Id);
                var live = db.Campaigns.Where(c => c.PublishedAt != null && !c.IsTemplate).OrderBy(c => c.Id);
                // Which change: uniform over the kinds for any int (FsCheck's early ints are small: v % 20 would never
                // reach the later kinds).
                switch (new Random(~v).Next(20))
                {
                    case 0 or 1:
                    {
                        var org = Pick(orgs);
                        var p = new Problem
                        {
                            OrgId = org, Description = $"属性测试问题 {v}", Source = Pick(Enum.GetValues<SourceChannel>()),
                            Aspect = Pick(Enum.GetValues<Aspect>()), Dimension = Pick(Enum.GetValues<Dimension>()),
                            CategoryId = rnd.Next(4) == 0 || cats.Count == 0 ? null : Pick(cats), CreatedAt = DateTime.UtcNow,
                        };
                        db.Problems.Add(p);
                        await db.SaveChangesAsync();
                        var kind = Pick(Enum.GetValues<DeadlineKind>());
                        db.RectItems.Add(new RectItem
                        {
                            ProblemId = p.Id, OrgId = org, Measures = $"属性测试措施 {v}", Source = p.Source, Status = Pick(Enum.GetValues<RectStatus>()),
                            DeadlineKind = kind, StartOn = day.AddDays(-rnd.Next(5, 90)),
                            Deadline = kind == DeadlineKind.Ongoing ? null : day.AddDays(rnd.Next(-20, 30)),
                            Percent = rnd.Next(0, 101), ReturnCount = rnd.Next(5) == 0 ? 2 : 0, ReopenCount = rnd.Next(6) == 0 ? 1 : 0,
                            ExtensionCount = rnd.Next(5) == 0 ? 1 : 0, CreatedAt = DateTime.UtcNow,
                        });
                        break;
                    }
                    case 2 when await AnyItem() is { } i:
                        i.Status = Pick(Enum.GetValues<RectStatus>());
                        i.Percent = rnd.Next(0, 101);
                        if (i.DeadlineKind != DeadlineKind.Ongoing) i.Deadline = day.AddDays(rnd.Next(-10, 10));
                        break;
                    case 3 when await AnyItem() is { } i:
                        i.OrgId = Pick(orgs);
                        break;
                    case 4 when await AnyItem() is { } i:
                        i.Problem!.CategoryId = cats.Count == 0 ? null : Pick(cats);
                        i.Problem.Dimension = Pick(Enum.GetValues<Dimension>());
                        i.Problem.Aspect = Pick(Enum.GetValues<Aspect>());
                        break;
                    case 5 when await AnyItem() is { } i:
                        db.RectItems.Remove(i);
                        break;
                    case 6:
                        db.SupervisionOrders.Add(new SupervisionOrder
                        {
                            OrgId = Pick(orgs), Title = $"属性测试督办 {v}", Requirements = "限期回复", IssuedBy = "tests", IssuedByName = "测试",
                            IssuedAt = DateTime.UtcNow, DueOn = day.AddDays(rnd.Next(-5, 5)),
                            Status = Pick(Enum.GetValues<SupervisionStatus>()),
                        });
                        break;
                    case 7:
                    {
                        // Move a leaf org (no sub-units) under another org: the tree changed.
                        var all = await db.Orgs.IgnoreQueryFilters().ToListAsync();
                        var leaves = all.Where(o => o.ParentId != null && all.All(c => c.ParentId != o.Id)).ToList();
                        var leaf = Pick(leaves);
                        var parent = Pick(all.Where(o => o.Id != leaf.Id).ToList());
                        leaf.MoveUnder(parent, []);
                        break;
                    }
                    case 10:
                    {
                        // A work order at the desk, or with a unit (signed or not, replied or not, rated or not).
                        var status = Pick(Enum.GetValues<OrderStatus>());
                        var withUnit = status is not (OrderStatus.Received or OrderStatus.Accepted or OrderStatus.Rejected or OrderStatus.Merged);
                        var on = day.AddDays(-rnd.Next(0, 20));
                        db.WorkOrders.Add(new WorkOrder
                        {
                            Ticket = $"P{Guid.NewGuid():N}"[..20], CodeHash = "tests", Content = $"属性测试诉求 {v}", Type = Pick(Enum.GetValues<DemandType>()),
                            Status = status, OrgId = withUnit ? Pick(orgs) : desk, DispatchOrgId = desk, DispatchedOn = withUnit ? on : null,
                            SignDue = withUnit ? day.AddDays(rnd.Next(-2, 3)) : null, Deadline = withUnit ? day.AddDays(rnd.Next(-3, 4)) : null,
                            SignedOn = withUnit && status != OrderStatus.Dispatched ? on : null, SignedLate = rnd.Next(3) == 0,
                            RepliedOn = status is OrderStatus.Replied or OrderStatus.Closed ? on.AddDays(rnd.Next(0, 20)) : null,
                            Rating = status == OrderStatus.Closed ? Pick(Enum.GetValues<Rating>()) : null, RedoCount = rnd.Next(4) == 0 ? 1 : 0,
                            CreatedAt = DateTime.UtcNow, UpdatedAt = DateTime.UtcNow,
                        });
                        break;
                    }
                    case 11 when await Any(db.WorkOrders.IgnoreQueryFilters().OrderBy(o => o.Id)) is { } o:
                        db.WorkOrderEvents.Add(new WorkOrderEvent
                        {
                            WorkOrderId = o.Id, OrgId = Pick(orgs), Action = rnd.Next(2) == 0 ? OrderAction.Dispatch : OrderAction.SendBack,
                            FromStatus = o.Status, ToStatus = o.Status, ActorId = "tests", ActorName = "测试", At = DateTime.UtcNow,
                        });
                        break;
                    case 12 when await Any(db.WorkOrders.IgnoreQueryFilters().OrderBy(o => o.Id)) is { } o:
                        // Dispatched to another unit, sent back to the desk, or closed.
                        if (rnd.Next(3) == 0) { o.OrgId = desk; o.Status = OrderStatus.Accepted; }
                        else if (rnd.Next(2) == 0) { o.OrgId = Pick(orgs); o.Status = OrderStatus.Dispatched; o.DispatchedOn = day; o.SignDue = day.AddDays(rnd.Next(-1, 2)); }
                        else { o.Status = OrderStatus.Closed; o.Rating = Pick(Enum.GetValues<Rating>()); }
                        break;
                    case 13 when await Any(people) is { } p:
                    {
                        // A record of one article, or of every article a 补学 owes (made at the member's org now, which
                        // may not be the 补学's org after a move).
                        var articles = await db.StudyArticles.Select(a => a.Id).ToListAsync();
                        var owed = rnd.Next(2) == 0 && await Any(db.MakeUpTasks.IgnoreQueryFilters().OrderBy(m => m.Id)) is { } m ? m : null;
                        if (owed is not null) p = await db.People.IgnoreQueryFilters().SingleAsync(x => x.Id == owed.PersonId);
                        foreach (var a in owed?.ArticleIds ?? [Pick(articles)])
                            db.StudyRecords.Add(new StudyRecord
                            {
                                OrgId = p.OrgId, PersonId = p.Id, ArticleId = a, StudiedOn = day, Way = Pick(Enum.GetValues<StudyWay>()),
                                RecordedBy = "tests", CreatedAt = DateTime.UtcNow,
                            });
                        break;
                    }
                    case 14:
                        if (rnd.Next(2) == 0 && await Any(db.Rules.IgnoreQueryFilters().OrderBy(r => r.Id)) is { } rule)
                        {
                            rule.Status = Pick(Enum.GetValues<RuleStatus>());
                            rule.CategoryIds = cats.Where(_ => rnd.Next(3) == 0).ToList();
                            if (rnd.Next(4) == 0) rule.OrgId = Pick(orgs);
                        }
                        else
                            db.Rules.Add(new Rule
                            {
                                OrgId = Pick(orgs), Title = $"属性测试制度 {v}", Status = Pick(Enum.GetValues<RuleStatus>()), IssuedOn = day,
                                CategoryIds = cats.Where(_ => rnd.Next(3) == 0).ToList(), RecordedBy = "tests", CreatedAt = DateTime.UtcNow,
                            });
                        break;
                    case 15 when await Any(live) is { } c:
                    {
                        var org = Pick(orgs);
                        if (await db.Plans.IgnoreQueryFilters().FirstOrDefaultAsync(x => x.CampaignId == c.Id && x.OrgId == org) is { } plan)
                            plan.Status = Pick(Enum.GetValues<PlanStatus>());
                        else
                            db.Plans.Add(new Plan
                            {
                                CampaignId = c.Id, OrgId = org, Title = $"属性测试方案 {v}", Status = Pick(Enum.GetValues<PlanStatus>()),
                                CreatedAt = DateTime.UtcNow, UpdatedAt = DateTime.UtcNow,
                            });
                        break;
                    }
                    case 16:
                    {
                        // A meeting (mostly of an org with members): attendance of the host's people, a 补学 for each one absent.
                        var staffed = await db.People.IgnoreQueryFilters().Select(p => p.OrgId).Distinct().OrderBy(o => o).ToListAsync();
                        var host = staffed.Count > 0 && rnd.Next(4) > 0 ? Pick(staffed) : Pick(orgs);
                        var m = new Meeting
                        {
                            OrgId = host, Title = $"属性测试会议 {v}", TypeIds = types.Where(_ => rnd.Next(4) == 0).DefaultIfEmpty(types[0]).ToList(),
                            HeldOn = day.AddDays(-1), RecordedBy = "tests", CreatedAt = DateTime.UtcNow,
                        };
                        db.Meetings.Add(m);
                        await db.SaveChangesAsync();
                        var articles = await db.StudyArticles.Select(a => a.Id).Take(4).ToListAsync();
                        foreach (var p in await db.People.IgnoreQueryFilters().Where(p => p.OrgId == host).ToListAsync())
                        {
                            var status = Pick(Enum.GetValues<AttendanceStatus>());
                            db.Attendance.Add(new MeetingAttendance { MeetingId = m.Id, OrgId = host, PersonId = p.Id, Status = status, Spoke = rnd.Next(2) == 0 });
                            if (status != AttendanceStatus.Present)
                                db.MakeUpTasks.Add(new MakeUpTask
                                {
                                    OrgId = p.OrgId, PersonId = p.Id, MeetingId = m.Id, ArticleIds = articles.Where(_ => rnd.Next(2) == 0).ToList(),
                                    DueOn = day.AddDays(rnd.Next(-2, 3)), CreatedAt = DateTime.UtcNow,
                                });
                        }
                        break;
                    }
                    case 17:
                        // A member added, moved to another org (records and 补学 stay where they were made), or archived.
                        var owing = db.People.IgnoreQueryFilters().Where(p => db.MakeUpTasks.Any(m => m.PersonId == p.Id)).OrderBy(p => p.Id);
                        if (rnd.Next(3) == 0 || await Any(rnd.Next(2) == 0 ? owing : people) is not { } person)
                            db.People.Add(new Person { Name = $"属性测试党员 {v}", OrgId = Pick(orgs), IsLeadership = rnd.Next(3) == 0, CreatedAt = DateTime.UtcNow });
                        else if (rnd.Next(3) == 0) person.Archived = !person.Archived;
                        else person.OrgId = Pick(orgs);
                        break;
                    case 18:
                    {
                        var id = Pick(orgs);
                        var org = await db.Orgs.IgnoreQueryFilters().SingleAsync(o => o.Id == id);
                        if (org.ParentId is not null) org.Archived = !org.Archived;
                        break;
                    }
                    case 19:
                        // Rare structural changes: a campaign published for an org, or an article added to a campaign's material.
                        if (rnd.Next(2) == 0 && await live.FirstOrDefaultAsync() is { } first)
                            db.Campaigns.Add(new Campaign
                            {
                                Name = $"属性测试学习教育 {v}", GeneralRequirement = "学查改", RootOrgId = Pick(orgs), PublishedAt = DateTime.UtcNow,
                                StudyMaterialIds = [.. first.StudyMaterialIds], CreatedAt = DateTime.UtcNow,
                            });
                        else if (await db.StudyMaterials.OrderBy(x => x.Id).FirstOrDefaultAsync() is { } material)
                            db.StudyArticles.Add(new StudyArticle { MaterialId = material.Id, Title = $"属性测试篇目 {v}", IsCore = rnd.Next(2) == 0 });
                        break;
                    case 8:
                        day = day.AddDays(rnd.Next(0, 2));
                        await store.RefreshAsync(db, day, default);
                        break;
                    default:
                        await store.RefreshAsync(db, day, default);
                        break;
                }
                await db.SaveChangesAsync();
            }
            await store.RefreshAsync(db, day, default);
            db.ChangeTracker.Clear();

            // From scratch: each org's own counts, summed over every org whose path lies under it.
            var tree = await db.Orgs.IgnoreQueryFilters().AsNoTracking().ToListAsync();
            foreach (var r in store.All)
            {
                var own = await r.OwnAsync(db, null, day, default);
                var stored = await db.Rollups.Where(x => x.Section == r.Key && x.Day == day).ToDictionaryAsync(x => x.OrgId, x => x.Counts);
                foreach (var o in tree)
                {
                    var expected = Counts.Sum(tree.Where(y => y.SelfPath.StartsWith(o.SelfPath, StringComparison.Ordinal))
                        .Select(y => own.GetValueOrDefault(y.Id) ?? new Counts())).Encode();
                    var actual = stored.GetValueOrDefault(o.Id) ?? "";
                    Assert.True(expected == actual, $"{r.Key} {o.Name} on {day}: stored [{actual}], from scratch [{expected}] (ops {string.Join(",", ops)})");
                }
            }
            return true;
        }
    }
}

public sealed class SqliteRollupTests(SqliteFixture app) : RollupTestsBase(() => app), IClassFixture<SqliteFixture>;

public sealed class PostgresRollupTests(PostgresFixture app) : RollupTestsBase(() => app.Factory), IClassFixture<PostgresFixture>;
