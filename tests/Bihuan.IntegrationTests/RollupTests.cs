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
/// org, deleted; problems recategorised; 督办单 issued and closed; an org moved in the tree; days passing) with
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
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(12).WithStartSize(8).WithEndSize(40), prop);
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
                switch (Math.Abs(v % 10))
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
