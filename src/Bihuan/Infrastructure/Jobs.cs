using Bihuan.Data;
using Bihuan.Domain;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Bihuan.Infrastructure;

/// A background job that runs once per period (e.g. once a day, China time). RunAsync must be idempotent: it may be
/// run again for the same period after a node died mid-run.
public interface IBihuanJob
{
    string Name { get; }
    /// The period `nowCst` falls in (e.g. "2026-11-27"); one run per period.
    string PeriodOf(DateTime nowCst);
    Task<string> RunAsync(BihuanDb db, string period, CancellationToken ct);
}

/// Bihuan:Jobs settings.
public sealed class JobOptions
{
    public bool Enabled { get; set; } = true;
    public int PollSeconds { get; set; } = 60;
    /// How often pending dashboard roll-up changes are written (RollupRefresher); 0: never (dashboards stay right,
    /// summing the pending changes on each read).
    public int RollupSeconds { get; set; } = 10;
    /// A claim older than this that never finished is taken over (its node is presumed dead).
    public int StaleClaimMinutes { get; set; } = 30;
    /// This node's name in JobRun rows (default: host name and process id).
    public string? Node { get; set; }
}

/// Runs the due jobs, once per period across all web nodes. Two guards: on PostgreSQL only the node holding a
/// session advisory lock (the leader) runs jobs at all; on every engine, a period's run is claimed by inserting its
/// unique JobRun row, so even two leaders (or a CLI run beside the server) cannot run a period twice.
public sealed class JobHost(IServiceScopeFactory scopes, IEnumerable<IBihuanJob> jobs, JobOptions options,
    DatabaseOptions database, TimeProvider clock, ILogger<JobHost> log) : BackgroundService
{
    const long LeaderLockKey = 0x6269_6875_616A; // "bihuaj"
    NpgsqlConnection? leader;

    public string Node { get; } = options.Node ?? $"{Environment.MachineName}:{Environment.ProcessId}";

    protected override async Task ExecuteAsync(CancellationToken ct)
    {
        if (!options.Enabled) return;
        await Task.Yield();
        while (!ct.IsCancellationRequested)
        {
            try { await RunDueAsync(ct); }
            catch (OperationCanceledException) when (ct.IsCancellationRequested) { break; }
            catch (Exception e) { log.LogError(e, "background jobs failed; retrying at the next poll"); }
            try { await Task.Delay(TimeSpan.FromSeconds(Math.Max(1, options.PollSeconds)), clock, ct); }
            catch (OperationCanceledException) { break; }
        }
    }

    public override async Task StopAsync(CancellationToken ct)
    {
        await base.StopAsync(ct);
        if (leader is not null) await leader.DisposeAsync();   // closing the session releases the advisory lock
    }

    /// Runs every job whose current period has no claimed run yet. Returns the names of the jobs this node ran.
    public async Task<List<string>> RunDueAsync(CancellationToken ct)
    {
        var ran = new List<string>();
        if (!await IsLeaderAsync(ct)) return ran;
        var now = ChinaTime.ToCst(clock.GetUtcNow().UtcDateTime);
        foreach (var job in jobs)
        {
            var period = job.PeriodOf(now);
            using var scope = scopes.CreateScope();
            var holder = scope.ServiceProvider.GetRequiredService<ScopeHolder>();
            holder.Current = AccessScope.System;
            holder.Actor = $"job:{job.Name}";
            var db = scope.ServiceProvider.GetRequiredService<BihuanDb>();
            if (await TryClaimAsync(db, job.Name, period, ct) is not { } run) continue;
            log.LogInformation("job {Job} for {Period} started on {Node}", job.Name, period, Node);
            var outcome = await job.RunAsync(db, period, ct);
            db.ChangeTracker.Clear();
            await db.JobRuns.Where(r => r.Id == run).ExecuteUpdateAsync(s => s
                .SetProperty(r => r.FinishedAt, clock.GetUtcNow().UtcDateTime)
                .SetProperty(r => r.Outcome, outcome.Length > 400 ? outcome[..400] : outcome), ct);
            log.LogInformation("job {Job} for {Period} finished: {Outcome}", job.Name, period, outcome);
            ran.Add(job.Name);
        }
        return ran;
    }

    async Task<bool> IsLeaderAsync(CancellationToken ct)
    {
        if (!database.IsPostgres) return true;   // SQLite is one machine; the JobRun claim still guards each period
        if (leader is { State: System.Data.ConnectionState.Open }) return true;
        if (leader is not null) await leader.DisposeAsync();
        // Its own session, never pooled: the lock lives as long as this connection, and closing it must end the session.
        leader = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(database.ConnectionString) { Pooling = false }.ToString());
        await leader.OpenAsync(ct);
        await using var cmd = leader.CreateCommand();
        cmd.CommandText = $"SELECT pg_try_advisory_lock({LeaderLockKey})";
        if (await cmd.ExecuteScalarAsync(ct) is true) return true;
        await leader.DisposeAsync();
        leader = null;
        return false;
    }

    /// Claims (job, period) by inserting its row; a stale unfinished claim is taken over. Returns the run's id.
    async Task<long?> TryClaimAsync(BihuanDb db, string name, string period, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var stale = now.AddMinutes(-options.StaleClaimMinutes);
        // The usual case (already run, or running elsewhere) is answered by a read: no failed insert to log each poll.
        if (await db.JobRuns.AnyAsync(r => r.Name == name && r.Period == period && (r.FinishedAt != null || r.ClaimedAt >= stale), ct))
            return null;
        var run = new JobRun { Name = name, Period = period, Node = Node, ClaimedAt = now };
        db.JobRuns.Add(run);
        try
        {
            await db.SaveChangesAsync(ct);
            return run.Id;
        }
        catch (DbUpdateException)
        {
            db.ChangeTracker.Clear();
            var taken = await db.JobRuns
                .Where(r => r.Name == name && r.Period == period && r.FinishedAt == null && r.ClaimedAt < stale)
                .ExecuteUpdateAsync(s => s.SetProperty(r => r.Node, Node).SetProperty(r => r.ClaimedAt, now), ct);
            if (taken == 0) return null;
            return await db.JobRuns.Where(r => r.Name == name && r.Period == period).Select(r => r.Id).FirstAsync(ct);
        }
    }
}
