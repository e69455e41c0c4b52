using System.Net;
using Bihuan.Data;
using Bihuan.Domain;
using Bihuan.Features.Rectification;
using Bihuan.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace Bihuan.IntegrationTests;

/// Background jobs: a period runs once however many nodes try (the JobRun claim; on PostgreSQL also the leader
/// lock), a dead node's claim is taken over, and the daily light snapshot agrees with the ledger's own lights.
public abstract class JobTestsBase(Func<BihuanFactory> factory)
{
    protected BihuanFactory App => factory();

    sealed class At(DateTime utc) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => new(utc, TimeSpan.Zero);
    }

    /// A job host as a separate node would have it, at a given time (each test its own day: periods never collide).
    /// Only the light snapshot job: these tests are about the JobHost's claims (the reminder job has its own test).
    JobHost Node(string name, DateTime utc, int staleMinutes = 30) => new(
        App.Services.GetRequiredService<IServiceScopeFactory>(), App.Services.GetServices<IBihuanJob>().OfType<LightSnapshotJob>(),
        new JobOptions { Node = name, StaleClaimMinutes = staleMinutes }, App.Services.GetRequiredService<DatabaseOptions>(),
        new At(utc), NullLogger<JobHost>.Instance);

    // Far from the real clock: the app's own job node claims today's period, which a fixed date near today collides with.
    static DateTime Day(int offset) => new DateTime(2031, 12, 1, 4, 0, 0, DateTimeKind.Utc).AddDays(offset);

    async Task<List<JobRun>> Runs(string period)
    {
        var (db, scope) = App.SystemDb();
        using (scope) return await db.JobRuns.Where(r => r.Period == period).ToListAsync();
    }

    [SkippableFact]
    public async Task TwoNodesAtOnce_RunThePeriodOnce_AndAgainNothing()
    {
        var a = Node("node-a", Day(1));
        var b = Node("node-b", Day(1));
        var results = await Task.WhenAll(a.RunDueAsync(default), b.RunDueAsync(default));
        Assert.Equal(1, results.Count(r => r.Contains("light-snapshot")));
        var run = Assert.Single(await Runs("2031-12-02"));
        Assert.NotNull(run.FinishedAt);
        Assert.Contains(run.Node, new[] { "node-a", "node-b" });
        Assert.Empty(await a.RunDueAsync(default));
        Assert.Empty(await b.RunDueAsync(default));
        await a.StopAsync(default);
        await b.StopAsync(default);
    }

    [SkippableFact]
    public async Task DeadNodesClaim_IsTakenOverOnlyWhenStale()
    {
        var (db, scope) = App.SystemDb();
        using (scope)
        {
            db.JobRuns.Add(new JobRun { Name = "light-snapshot", Period = "2031-12-04", Node = "dead", ClaimedAt = Day(3).AddMinutes(-5) });
            await db.SaveChangesAsync();
        }
        var fresh = Node("node-a", Day(3));
        Assert.Empty(await fresh.RunDueAsync(default));               // claimed 5 minutes ago: still someone's
        await fresh.StopAsync(default);
        var later = Node("node-a", Day(3).AddMinutes(40));
        Assert.Equal(["light-snapshot"], await later.RunDueAsync(default));
        await later.StopAsync(default);
        var run = Assert.Single(await Runs("2031-12-04"));
        Assert.Equal("node-a", run.Node);
        Assert.NotNull(run.FinishedAt);
    }

    [SkippableFact]
    public async Task LightSnapshot_CountsAgreeWithTheLedgersLights_AndRerunReplacesTheDay()
    {
        var office = await App.ClientFor("yx.office");
        var node = Node("node-a", DateTime.UtcNow);
        await node.RunDueAsync(default);
        await node.StopAsync(default);
        var today = ChinaTime.Today(TimeProvider.System);
        var (db, scope) = App.SystemDb();
        using (scope)
        {
            var snaps = await db.LightSnapshots.Where(s => s.Day == today).ToListAsync();
            var yx = await App.OrgId("GZ-YX");
            var yxPath = (await db.Orgs.SingleAsync(o => o.Id == yx)).SelfPath;
            var inYx = await db.Orgs.Where(o => o.Id == yx || o.Path.StartsWith(yxPath)).Select(o => o.Id).ToListAsync();
            foreach (var level in Enum.GetValues<LightLevel>())
            {
                var page = await (await office.GetAsync($"/api/v1/rectifications?orgId={yx}&light={level}&pageSize=1"))
                    .Expect<LedgerPage>(HttpStatusCode.OK);
                var closed = level == LightLevel.Green
                    ? await db.RectItems.CountAsync(i => inYx.Contains(i.OrgId) && (i.Status == RectStatus.Closed || i.Status == RectStatus.Confirmed))
                    : 0;
                var snap = snaps.Where(s => inYx.Contains(s.OrgId)).Sum(s => level switch
                {
                    LightLevel.Red => s.Red, LightLevel.Yellow => s.Yellow, LightLevel.Blue => s.Blue, LightLevel.Green => s.Green,
                    // open, in no level: the snapshot has no column for a light that cannot be computed
                    LightLevel.Invalid => s.Open - s.Red - s.Yellow - s.Blue - s.Green,
                });
                Assert.Equal(page.Total, snap + closed);
            }
            // the same day again (a rerun after a crash): replaced, not doubled
            var job = App.Services.GetServices<IBihuanJob>().OfType<LightSnapshotJob>().Single();
            var before = await db.LightSnapshots.CountAsync(s => s.Day == today);
            await job.RunAsync(db, today.ToString("yyyy-MM-dd"), default);
            Assert.Equal(before, await db.LightSnapshots.CountAsync(s => s.Day == today));
        }
    }
}

public sealed class SqliteJobTests(SqliteJobFixture app) : JobTestsBase(() => app), IClassFixture<SqliteJobFixture>;

public sealed class PostgresJobTests(PostgresFixture app) : JobTestsBase(() => app.Factory), IClassFixture<PostgresFixture>;

/// With the demo ledger, so the snapshot has items in several lights to count.
public sealed class SqliteJobFixture : BihuanFactory
{
    public SqliteJobFixture() : base(DatabaseEngine.Sqlite) { }

    protected override void ConfigureWebHost(Microsoft.AspNetCore.Hosting.IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Bihuan:DemoLedger", "true");
    }
}
