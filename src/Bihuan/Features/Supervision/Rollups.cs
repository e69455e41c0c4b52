using System.Data.Common;
using System.Globalization;
using Bihuan.Data;
using Bihuan.Domain;
using Bihuan.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;

namespace Bihuan.Features.Supervision;

/// A dashboard section whose figures are sums of per-org counts, kept as subtree roll-ups (Rollup rows) instead of
/// being counted over every record of the subtree on each view.
public interface IRollup
{
    /// Rollup.Section (also the dashboard section's Key).
    string Key { get; }
    /// The counts depend on the day (deadlines, lights): rebuilt whole each day. Otherwise they are carried forward
    /// and updated for the orgs whose records changed.
    bool Daily { get; }
    /// The record types whose changes make an org's own counts stale (each must be in RollupMarks.Tracked).
    IReadOnlyCollection<Type> Sources { get; }
    /// Each org's own counts (the records it owns itself, not its subtree's) for the given orgs, or for every org
    /// when orgs is null. Read with the System scope.
    Task<Dictionary<int, Counts>> OwnAsync(BihuanDb db, IReadOnlyCollection<int>? orgs, DateOnly today, CancellationToken ct);
}

/// Keeps the Rollup rows true: before a dashboard is read (cheap when nothing changed: two tiny queries) and by the
/// daily job. A section is rebuilt whole when it has no rows yet, when the org tree changed, or (Daily sections) on a
/// new day; otherwise the orgs marked since the last refresh and their ancestors are recomputed from their own records
/// and their other sub-units' stored rows, so the work is O(changed orgs × depth), not O(records).
/// One refresher at a time: a lock in this process and, on PostgreSQL, a transaction-scoped advisory lock.
public sealed class RollupStore
{
    const long PostgresLockKey = 0x6269_6875_6172; // "bihuar"
    static readonly SemaphoreSlim Gate = new(1, 1);
    readonly Func<Func<BihuanDb, Task>, Task> withPrimary;

    public IReadOnlyList<IRollup> All { get; }

    /// withPrimary runs a callback with a context on the primary database that sees every org (System scope).
    public RollupStore(IEnumerable<IRollup> rollups, Func<Func<BihuanDb, Task>, Task> withPrimary)
    {
        All = rollups.ToList();
        this.withPrimary = withPrimary;
        foreach (var r in All)
            if (r.Sources.FirstOrDefault(t => !RollupMarks.Tracked.Contains(t)) is { } t)
                throw new InvalidOperationException($"{r.Key}: {t.Name} is not in RollupMarks.Tracked");
    }

    /// The store of a web app: refreshes through a service scope of its own on the primary database.
    public static RollupStore For(IServiceProvider sp) => new(sp.GetServices<IRollup>(), async f =>
    {
        using var scope = sp.GetRequiredService<IServiceScopeFactory>().CreateScope();
        var holder = scope.ServiceProvider.GetRequiredService<ScopeHolder>();
        holder.Current = AccessScope.System;
        holder.Actor = "rollup";
        await f(scope.ServiceProvider.GetRequiredService<BihuanDb>());
    });

    /// Brings every section up to date on the primary database.
    public Task RefreshAsync(DateOnly today, CancellationToken ct) => withPrimary(db => RefreshAsync(db, today, ct));

    /// Brings every section up to date through db (which must see every org: the System scope). Returns what was done.
    public async Task<string> RefreshAsync(BihuanDb db, DateOnly today, CancellationToken ct)
    {
        if (!await NeedsAsync(db, today, ct)) return "无变化";
        await Gate.WaitAsync(ct);
        try { return await RefreshCoreAsync(db, today, ct); }
        finally { Gate.Release(); }
    }

    async Task<bool> NeedsAsync(BihuanDb db, DateOnly today, CancellationToken ct)
    {
        if (await db.RollupMarks.AnyAsync(ct)) return true;
        var days = await db.RollupDays.AsNoTracking().ToDictionaryAsync(d => d.Section, d => d.Day, ct);
        return All.Any(r => !days.TryGetValue(r.Key, out var d) || d != today);
    }

    async Task<string> RefreshCoreAsync(BihuanDb db, DateOnly today, CancellationToken ct)
    {
        var marks = await db.RollupMarks.AsNoTracking().Select(m => new { m.Id, m.OrgId, m.Kind }).ToListAsync(ct);
        var days = await db.RollupDays.AsNoTracking().ToDictionaryAsync(d => d.Section, d => d.Day, ct);
        var treeChanged = marks.Any(m => m.Kind == RollupMarks.Tree);
        var whole = All.Where(r => treeChanged || !days.TryGetValue(r.Key, out var d) || d > today || (r.Daily && d < today)).ToList();

        // Whole rebuilds are computed before the write transaction (seconds at city scale; writers are not held up).
        var rebuilt = new List<(IRollup Rollup, Dictionary<int, Counts> Rows)>();
        if (whole.Count > 0)
        {
            var tree = await db.Orgs.AsNoTracking()   // the refresh runs as System: every org is in its scope
                .Select(o => new TreeNode(o.Id, o.ParentId, o.Depth)).ToListAsync(ct);
            foreach (var r in whole) rebuilt.Add((r, RollUp(tree, await r.OwnAsync(db, null, today, ct))));
        }

        var done = new List<string>();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        if (db.Engine == DatabaseEngine.Postgres)
            await db.Database.ExecuteSqlRawAsync($"SELECT pg_advisory_xact_lock({PostgresLockKey})", ct);
        foreach (var (r, rows) in rebuilt)
        {
            await db.Rollups.Where(x => x.Section == r.Key && x.Day == today).ExecuteDeleteAsync(ct);
            await WriteAsync(db, r.Key, today, rows, ct);
            done.Add($"{r.Key} 重算 {rows.Count} 个组织");
        }
        foreach (var r in All.Except(whole))
        {
            var day = days[r.Key];
            if (day < today)
            {
                // Not day-dependent: yesterday's rows hold; carry them to today (the old day stays as history). Rows
                // already there for today are from an earlier run that went past today and came back: replaced.
                await db.Rollups.Where(x => x.Section == r.Key && x.Day == today).ExecuteDeleteAsync(ct);
                await db.Database.ExecuteSqlRawAsync(
                    "INSERT INTO \"Rollups\" (\"Section\", \"Day\", \"OrgId\", \"Counts\") SELECT \"Section\", {0}, \"OrgId\", \"Counts\" " +
                    "FROM \"Rollups\" WHERE \"Section\" = {1} AND \"Day\" = {2}", [today, r.Key, day], ct);
            }
            var kinds = r.Sources.Select(t => t.Name).ToHashSet();
            var dirty = marks.Where(m => kinds.Contains(m.Kind)).Select(m => m.OrgId).ToHashSet();
            if (dirty.Count > 0) done.Add($"{r.Key} 更新 {await UpdateAsync(db, r, dirty, today, ct)} 个组织");
        }
        foreach (var r in All)
        {
            var key = r.Key;
            var n = await db.RollupDays.Where(d => d.Section == key).ExecuteUpdateAsync(s => s.SetProperty(d => d.Day, today), ct);
            if (n == 0)
            {
                db.RollupDays.Add(new RollupDay { Section = key, Day = today });
                await db.SaveChangesAsync(ct);
            }
        }
        var ids = marks.Select(m => m.Id).ToList();
        for (var i = 0; i < ids.Count; i += 10_000)
        {
            var chunk = ids.GetRange(i, Math.Min(10_000, ids.Count - i));
            await db.RollupMarks.Where(m => chunk.Contains(m.Id)).ExecuteDeleteAsync(ct);
        }
        await tx.CommitAsync(ct);
        return done.Count == 0 ? "无变化" : string.Join("；", done);
    }

    sealed record TreeNode(int Id, int? ParentId, int Depth);

    /// Subtree sums from own counts: deepest orgs first, each adds its sum into its parent's.
    static Dictionary<int, Counts> RollUp(List<TreeNode> tree, Dictionary<int, Counts> own)
    {
        var sub = new Dictionary<int, Counts>();
        foreach (var o in tree.OrderByDescending(o => o.Depth))
        {
            own.TryGetValue(o.Id, out var mine);
            if (!sub.TryGetValue(o.Id, out var acc))
            {
                if (mine is null) continue;
                sub[o.Id] = acc = new Counts();
            }
            if (mine is not null) acc.AddAll(mine);
            if (o.ParentId is { } p)
            {
                if (!sub.TryGetValue(p, out var parent)) sub[p] = parent = new Counts();
                parent.AddAll(acc);
            }
        }
        foreach (var k in sub.Where(kv => kv.Value.IsZero).Select(kv => kv.Key).ToList()) sub.Remove(k);
        return sub;
    }

    /// Recomputes the dirty orgs and their ancestors and writes their rows. Returns how many orgs were recomputed.
    static async Task<int> UpdateAsync(BihuanDb db, IRollup r, HashSet<int> dirty, DateOnly today, CancellationToken ct)
    {
        var sub = await RecomputeAsync(db, r, dirty, today, today, ct);
        var affected = sub.Keys.ToList();
        var section = r.Key;
        await db.Rollups.Where(x => x.Section == section && x.Day == today && affected.Contains(x.OrgId)).ExecuteDeleteAsync(ct);
        await WriteAsync(db, section, today, sub.Where(kv => !kv.Value.IsZero).ToDictionary(), ct);
        return sub.Count;
    }

    /// The subtree sums of the dirty orgs and their ancestors (every one of them a key, zero included): own counts
    /// from records, plus the rows stored for storedDay of their sub-units that did not change. Reads only.
    static async Task<Dictionary<int, Counts>> RecomputeAsync(BihuanDb db, IRollup r, HashSet<int> dirty, DateOnly storedDay,
        DateOnly today, CancellationToken ct)
    {
        var dirtyIds = dirty.ToList();
        var paths = await db.RollupSource<Org>().Where(o => dirtyIds.Contains(o.Id)).Select(o => o.Path + o.Id.ToString() + "/")
            .ToListAsync(ct);
        var affected = paths.SelectMany(p => p.Split('/', StringSplitOptions.RemoveEmptyEntries))
            .Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToHashSet().ToList();
        var nodes = await db.RollupSource<Org>().Where(o => affected.Contains(o.Id))
            .Select(o => new TreeNode(o.Id, o.ParentId, o.Depth)).ToListAsync(ct);
        var kids = await db.RollupSource<Org>().Where(o => o.ParentId != null && affected.Contains(o.ParentId.Value) && !affected.Contains(o.Id))
            .Select(o => new { o.Id, Parent = o.ParentId!.Value }).ToListAsync(ct);
        var kidIds = kids.Select(k => k.Id).ToList();
        var section = r.Key;
        var stored = (await db.Rollups.AsNoTracking().Where(x => x.Section == section && x.Day == storedDay && kidIds.Contains(x.OrgId))
            .Select(x => new { x.OrgId, x.Counts }).ToListAsync(ct)).ToDictionary(x => x.OrgId, x => Counts.Decode(x.Counts));

        var own = await r.OwnAsync(db, affected, today, ct);
        var sub = nodes.ToDictionary(n => n.Id, n => own.TryGetValue(n.Id, out var c) ? c : new Counts());
        foreach (var k in kids)
            if (stored.TryGetValue(k.Id, out var c)) sub[k.Parent].AddAll(c);
        foreach (var n in nodes.OrderByDescending(n => n.Depth))
            if (n.ParentId is { } p && sub.TryGetValue(p, out var parent)) parent.AddAll(sub[n.Id]);
        return sub;
    }

    /// The roll-ups as they are now, for a dashboard to read, without writing anything (reads never write: the
    /// dashboard works on a read-only database or replica). Each section: the rows of its last refreshed day, with
    /// the orgs marked since (and their ancestors) recomputed in memory exactly as the next refresh will write them;
    /// a section the next refresh rebuilds whole (no rows yet, the org tree changed, a new day for Daily sections) is
    /// computed whole in memory. The background refresher (RollupRefresher) keeps the marks few, so this stays small.
    public async Task<RollupView> ViewAsync(BihuanDb db, DateOnly today, CancellationToken ct)
    {
        var marks = await db.RollupMarks.AsNoTracking().Select(m => new { m.OrgId, m.Kind }).Distinct().ToListAsync(ct);
        var days = await db.RollupDays.AsNoTracking().ToDictionaryAsync(d => d.Section, d => d.Day, ct);
        var treeChanged = marks.Any(m => m.Kind == RollupMarks.Tree);
        List<TreeNode>? tree = null;
        var sections = new Dictionary<string, RollupView.Section>();
        foreach (var r in All)
        {
            if (treeChanged || !days.TryGetValue(r.Key, out var day) || day > today || (r.Daily && day < today))
            {
                tree ??= await db.RollupSource<Org>().AsNoTracking().Select(o => new TreeNode(o.Id, o.ParentId, o.Depth)).ToListAsync(ct);
                sections[r.Key] = new(null, RollUp(tree, await r.OwnAsync(db, null, today, ct)));
                continue;
            }
            var kinds = r.Sources.Select(t => t.Name).ToHashSet();
            var dirty = marks.Where(m => kinds.Contains(m.Kind)).Select(m => m.OrgId).ToHashSet();
            sections[r.Key] = new(day, dirty.Count == 0 ? [] : await RecomputeAsync(db, r, dirty, day, today, ct));
        }
        return new RollupView(sections);
    }

    /// Inserts the rows in the current transaction: one statement of arrays on PostgreSQL, a prepared insert on SQLite.
    static async Task WriteAsync(BihuanDb db, string section, DateOnly day, Dictionary<int, Counts> rows, CancellationToken ct)
    {
        if (rows.Count == 0) return;
        var conn = db.Database.GetDbConnection();
        await using var cmd = conn.CreateCommand();
        cmd.Transaction = db.Database.CurrentTransaction?.GetDbTransaction();
        DbParameter P(string name, object value)
        {
            var p = cmd.CreateParameter();
            p.ParameterName = name;
            p.Value = value;
            cmd.Parameters.Add(p);
            return p;
        }
        if (cmd is NpgsqlCommand)
        {
            cmd.CommandText = "INSERT INTO \"Rollups\" (\"Section\", \"Day\", \"OrgId\", \"Counts\") " +
                              "SELECT @s, @d, unnest(@ids), unnest(@counts)";
            P("s", section);
            P("d", day);
            P("ids", rows.Keys.ToArray());
            P("counts", rows.Values.Select(c => c.Encode()).ToArray());
            await cmd.ExecuteNonQueryAsync(ct);
            return;
        }
        cmd.CommandText = "INSERT INTO \"Rollups\" (\"Section\", \"Day\", \"OrgId\", \"Counts\") VALUES (@s, @d, @id, @c)";
        P("@s", section);
        P("@d", day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        var id = P("@id", 0);
        var counts = P("@c", "");
        cmd.Prepare();
        foreach (var (org, c) in rows)
        {
            id.Value = org;
            counts.Value = c.Encode();
            cmd.ExecuteNonQuery();
        }
    }

    /// History: the rows of the last 14 days, then of one day a week (Sundays) for a year; older days are removed.
    public static async Task<int> PruneAsync(BihuanDb db, DateOnly today, CancellationToken ct)
    {
        var recent = today.AddDays(-14);
        var yearAgo = today.AddDays(-371);
        var days = await db.Rollups.Where(x => x.Day < recent).Select(x => x.Day).Distinct().ToListAsync(ct);
        var drop = days.Where(d => d < yearAgo || d.DayOfWeek != DayOfWeek.Sunday).ToList();
        return drop.Count == 0 ? 0 : await db.Rollups.Where(x => drop.Contains(x.Day)).ExecuteDeleteAsync(ct);
    }

    /// The root's rows of past days (history kept by PruneAsync), oldest first.
    public static async Task<List<(DateOnly Day, Counts Counts)>> HistoryAsync(BihuanDb db, string section, int orgId, DateOnly from,
        CancellationToken ct) =>
        (await db.Rollups.AsNoTracking().Where(x => x.Section == section && x.OrgId == orgId && x.Day >= from)
            .Select(x => new { x.Day, x.Counts }).ToListAsync(ct))
        .OrderBy(x => x.Day).Select(x => (x.Day, Counts.Decode(x.Counts))).ToList();
}

/// A section's counts over the root's subtree, and per direct sub-unit (and 本级 under the root's own id).
public sealed record RolledUp(Counts Total, Dictionary<int, Counts> Units);

/// The roll-ups as of one read (RollupStore.ViewAsync): per section, the stored day whose rows hold where nothing is
/// pending, and the rows recomputed in memory (for the orgs pending, or every org when StoredDay is null).
public sealed class RollupView(Dictionary<string, RollupView.Section> sections)
{
    public sealed record Section(DateOnly? StoredDay, Dictionary<int, Counts> Computed);

    /// A section's counts for a root and its direct sub-units. Units: each direct sub-unit given (zero when it has
    /// no row) and the root's own records (本级) when there are any.
    public async Task<RolledUp> ReadAsync(BihuanDb db, string section, int rootId, IReadOnlyCollection<int> childIds,
        IReadOnlyCollection<int> allChildIds, CancellationToken ct)
    {
        var ids = allChildIds.Append(rootId).ToList();
        var rows = new Dictionary<int, Counts>();
        if (sections.TryGetValue(section, out var s))
        {
            foreach (var id in ids)
                if (s.Computed.TryGetValue(id, out var c)) rows[id] = c;
            if (s.StoredDay is { } day)
            {
                var missing = ids.Where(id => !s.Computed.ContainsKey(id)).ToList();
                foreach (var x in await db.Rollups.AsNoTracking().Where(x => x.Section == section && x.Day == day && missing.Contains(x.OrgId))
                             .Select(x => new { x.OrgId, x.Counts }).ToListAsync(ct))
                    rows[x.OrgId] = Counts.Decode(x.Counts);
            }
        }
        var total = rows.GetValueOrDefault(rootId) ?? new Counts();
        var self = new Counts();
        self.AddAll(total);
        foreach (var c in allChildIds) if (rows.TryGetValue(c, out var x)) self.AddAll(x, -1);
        var units = childIds.ToDictionary(c => c, c => rows.GetValueOrDefault(c) ?? new Counts());
        if (!self.IsZero) units[rootId] = self;
        return new RolledUp(total, units);
    }
}

/// Daily (China time): brings the roll-ups to the new day (Daily sections rebuilt whole; others carried forward)
/// and prunes their history. Idempotent: a rerun finds them up to date.
public sealed class RollupJob(RollupStore store) : IBihuanJob
{
    public string Name => "rollups";

    public string PeriodOf(DateTime nowCst) => DateOnly.FromDateTime(nowCst).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    public async Task<string> RunAsync(BihuanDb db, string period, CancellationToken ct)
    {
        var day = DateOnly.ParseExact(period, "yyyy-MM-dd", CultureInfo.InvariantCulture);
        var outcome = await store.RefreshAsync(db, day, ct);
        var pruned = await RollupStore.PruneAsync(db, day, ct);
        return $"{outcome}；清理历史 {pruned} 行";
    }
}

/// Writes the pending roll-up changes every Bihuan:Jobs:RollupSeconds (10) on every node that runs jobs, so that a
/// dashboard read (which sums pending marks in memory and never writes) has few to sum. Off with the jobs; on
/// PostgreSQL two nodes refreshing at once queue on the refresh's advisory lock and the second finds little to do.
public sealed class RollupRefresher(RollupStore store, JobOptions options, TimeProvider clock, ILogger<RollupRefresher> log)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken ct)
    {
        if (!options.Enabled || options.RollupSeconds <= 0) return;
        var failing = false;
        while (!ct.IsCancellationRequested)
        {
            try { await Task.Delay(TimeSpan.FromSeconds(options.RollupSeconds), clock, ct); }
            catch (OperationCanceledException) { break; }
            try
            {
                await store.RefreshAsync(ChinaTime.Today(clock), ct);
                if (failing) log.LogInformation("roll-up refresh works again");
                failing = false;
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested) { break; }
            catch (Exception e)
            {
                // Dashboards stay right meanwhile (they sum the pending marks themselves): say it once, keep trying.
                if (!failing) log.LogWarning(e, "roll-up refresh failed (read-only or unavailable database?); retrying every {Seconds} s",
                    options.RollupSeconds);
                failing = true;
            }
        }
    }
}
