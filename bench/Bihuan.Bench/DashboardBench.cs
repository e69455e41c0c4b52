using System.Data.Common;
using System.Diagnostics;
using System.Text;
using Bihuan.Data;
using Bihuan.Data.Dataset;
using Bihuan.Domain;
using Bihuan.Features.Supervision;
using Bihuan.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Bihuan.Bench;

/// The supervision dashboard on a generated dataset (`bihuan bench seed`, default city scale) through the app's own
/// services (DI, scope filters, the read context, every registered section): the whole city as the 市纪委监委
/// supervisor and one district as its 学习教育办公室. Baselines in the same run: hand-written SQL reading the same
/// roll-up rows (what the app does, without the app), and hand-written SQL counting the records themselves (what a
/// dashboard costs without roll-ups). Also: the whole rebuild (the daily job) and a read right after a change.
static class DashboardBench
{
    public static async Task<string> RunAsync(string engine, string scaleName, int runs)
    {
        var scale = DatasetScale.Find(scaleName) ?? throw new ArgumentException($"unknown scale {scaleName}");
        var (cs, provider, cleanup) = Database(engine);
        var sb = new StringBuilder();
        try
        {
            Environment.SetEnvironmentVariable("Bihuan__Database__Provider", provider);
            Environment.SetEnvironmentVariable("Bihuan__Database__ConnectionString", cs);
            Environment.SetEnvironmentVariable("Bihuan__Jobs__Enabled", "false");
            var builder = BihuanHost.CreateBuilder([]);
            builder.Logging.SetMinimumLevel(LogLevel.Warning);
            await using var app = builder.Build();
            var sw = Stopwatch.StartNew();
            using (var scope = SystemScope(app.Services))
            {
                var db = scope.ServiceProvider.GetRequiredService<BihuanDb>();
                await DatabaseSetup.MigrateAsync(db);
                await new DatasetGenerator(db, scale, 42, m => Console.WriteLine($"  {sw.Elapsed:mm\\:ss} {m}")).RunAsync();
            }
            var generated = sw.Elapsed.TotalSeconds;
            var today = ChinaTime.Today(TimeProvider.System);
            var store = app.Services.GetRequiredService<RollupStore>();
            sw.Restart();
            await store.RefreshAsync(today, default);
            var rebuild = sw.Elapsed.TotalSeconds;

            Org root, district;
            int items, orgs;
            long rollupRows;
            using (var scope = SystemScope(app.Services))
            {
                var db = scope.ServiceProvider.GetRequiredService<BihuanDb>();
                root = await db.Orgs.SingleAsync(o => o.ParentId == null);
                district = await db.Orgs.Where(o => o.ParentId == root.Id && o.Type == OrgType.PartyCommittee).OrderBy(o => o.Id).FirstAsync();
                items = await db.RectItems.CountAsync();
                orgs = await db.Orgs.CountAsync();
                rollupRows = await db.Rollups.LongCountAsync();
            }

            sb.AppendLine($"### Supervision dashboard — {engine}, {scale.Name} scale: {orgs:N0} orgs, {items:N0} rectification items");
            sb.AppendLine();
            sb.AppendLine($"Generated in {generated:0} s. Roll-ups built whole (what the daily job does) in {rebuild:0.0} s: {rollupRows:N0} rows " +
                          $"({store.All.Count} sections).");
            sb.AppendLine();
            sb.AppendLine("| dashboard | items in scope | app p50 ms | app p95 ms | after a change p50 / p95 ms | SQL on roll-ups p50 / p95 ms | ratio p50 | SQL counting records p50 / p95 ms | ratio p50 |");
            sb.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
            var dash = app.Services.GetRequiredService<SupervisionDashboard>();
            var cases = new (string Name, AccessScope Scope, Org Root)[]
            {
                ("全市看板（市纪委监委）", AccessScope.For("jw", [new Grant(Role.Supervisor, root.Id, root.SelfPath)]), root),
                ("区级看板（区学习教育办公室）", AccessScope.For("office", [new Grant(Role.CampaignOffice, district.Id, district.SelfPath)]), district),
            };
            foreach (var c in cases)
            {
                using var scope = app.Services.CreateScope();
                var holder = scope.ServiceProvider.GetRequiredService<ScopeHolder>();
                holder.Current = c.Scope;
                var read = scope.ServiceProvider.GetRequiredKeyedService<BihuanDb>(ReadDb.Key);
                DashboardDto? d = null;
                var appTimes = Stats.Measure(runs, async () => d = await dash.BuildAsync(read, c.Root.Id, today, default));

                // A change (one item's progress in the scope) before each read: marks → incremental refresh → read.
                using var writeScope = SystemScope(app.Services);
                var write = writeScope.ServiceProvider.GetRequiredService<BihuanDb>();
                var rootPath = c.Root.SelfPath;
                var item = await write.RectItems.Where(i => write.Orgs.Where(o => o.Path.StartsWith(rootPath)).Select(o => o.Id).Contains(i.OrgId)
                    && i.Status == RectStatus.InProgress).OrderBy(i => i.Id).FirstAsync();
                var changed = Stats.Measure(runs, async () =>
                {
                    item.Percent = (item.Percent + 1) % 100;
                    await write.SaveChangesAsync();
                    d = await dash.BuildAsync(read, c.Root.Id, today, default);
                });

                var conn = read.Database.GetDbConnection();
                if (conn.State != global::System.Data.ConnectionState.Open) await conn.OpenAsync();
                var children = await read.Orgs.Where(o => o.ParentId == c.Root.Id).Select(o => o.Id).ToListAsync();
                var onRollups = Stats.Measure(runs, () => RollupSqlAsync(conn, c.Root, children, today));
                var counting = Stats.Measure(Math.Max(3, runs / 3), () => RecordsSqlAsync(conn, c.Root, today));
                var total = d!.Sections.Single(s => s.Key == "ledger").Groups[0].Figures[0].Value;
                sb.AppendLine($"| {c.Name} | {total:N0} | {Stats.Ms(appTimes.P50)} | {Stats.Ms(appTimes.P95)} | {Stats.Ms(changed.P50)} / {Stats.Ms(changed.P95)} | " +
                              $"{Stats.Ms(onRollups.P50)} / {Stats.Ms(onRollups.P95)} | {appTimes.P50 / onRollups.P50:0.0} | " +
                              $"{Stats.Ms(counting.P50)} / {Stats.Ms(counting.P95)} | {appTimes.P50 / counting.P50:0.00} |");
            }
            sb.AppendLine();
            sb.AppendLine("App = SupervisionDashboard.BuildAsync through the app's services with the caller's scope: the root checked " +
                          "through the scope filters, the roll-ups' freshness check (marks, days), every section's rows for the root and " +
                          "its direct sub-units, categories, names, the weekly trend from the root's history. After a change = one item's " +
                          "progress saved (its org marked in the same transaction) and then the dashboard read, which first recomputes " +
                          "that org and its ancestors. SQL on roll-ups = the same rows read by hand. SQL counting records = the " +
                          "dashboard's ledger and 督办单 figures counted from the records themselves (GROUP BYs over the subtree's items " +
                          "and the open items' tuples for the lights, no lights computed), i.e. what each view would cost without roll-ups.");
            sb.AppendLine();
        }
        finally
        {
            foreach (var k in new[] { "Provider", "ConnectionString" }) Environment.SetEnvironmentVariable($"Bihuan__Database__{k}", null);
            await cleanup();
        }
        return sb.ToString();
    }

    static IServiceScope SystemScope(IServiceProvider sp)
    {
        var scope = sp.CreateScope();
        var holder = scope.ServiceProvider.GetRequiredService<ScopeHolder>();
        holder.Current = AccessScope.System;
        holder.Actor = "bench";
        return scope;
    }

    static (string Cs, string Provider, Func<Task> Cleanup) Database(string engine)
    {
        if (engine == "postgres")
        {
            var server = Environment.GetEnvironmentVariable("BIHUAN_BENCH_POSTGRES")
                ?? throw new InvalidOperationException("set BIHUAN_BENCH_POSTGRES to a PostgreSQL server connection string");
            var name = $"bihuan_bench_{Guid.NewGuid():N}";
            using (var c = new NpgsqlConnection(server)) { c.Open(); using var cmd = c.CreateCommand(); cmd.CommandText = $"CREATE DATABASE {name}"; cmd.ExecuteNonQuery(); }
            return (new NpgsqlConnectionStringBuilder(server) { Database = name }.ToString(), "Postgres", async () =>
            {
                NpgsqlConnection.ClearAllPools();
                await using var c = new NpgsqlConnection(server);
                await c.OpenAsync();
                await using var cmd = c.CreateCommand();
                cmd.CommandText = $"DROP DATABASE IF EXISTS {name} WITH (FORCE)";
                await cmd.ExecuteNonQueryAsync();
            });
        }
        var file = Path.Combine(Path.GetTempPath(), $"bihuan-dash-{Guid.NewGuid():N}.db");
        return ($"Data Source={file}", "Sqlite", () =>
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            foreach (var f in new[] { file, file + "-wal", file + "-shm" }) File.Delete(f);
            return Task.CompletedTask;
        });
    }

    static async Task RollupSqlAsync(DbConnection conn, Org root, List<int> children, DateOnly today)
    {
        var ids = string.Join(",", children.Append(root.Id));
        string[] queries =
        [
            "SELECT \"Id\" FROM \"RollupMarks\" LIMIT 1",
            "SELECT \"Section\", \"Day\" FROM \"RollupDays\"",
            $"SELECT \"Section\", \"OrgId\", \"Counts\" FROM \"Rollups\" WHERE \"Day\" = @today AND \"OrgId\" IN ({ids})",
            "SELECT \"Id\", \"Name\" FROM \"Orgs\" WHERE \"ParentId\" = @id",
            "SELECT \"Id\", \"Name\" FROM \"Categories\"",
            "SELECT \"Day\", \"Counts\" FROM \"Rollups\" WHERE \"Section\" = 'ledger' AND \"OrgId\" = @id AND \"Day\" >= @from",
        ];
        await RunAsync(conn, queries, root, today);
    }

    static async Task RecordsSqlAsync(DbConnection conn, Org root, DateOnly today)
    {
        var sub = root.ParentId is null ? "1 = 1" : "i.\"OrgId\" IN (SELECT \"Id\" FROM \"Orgs\" WHERE \"Id\" = @id OR \"Path\" LIKE @prefix || '%')";
        string[] queries =
        [
            $"SELECT i.\"OrgId\", i.\"Status\", i.\"Source\", COUNT(*), SUM(CASE WHEN i.\"Deadline\" < @today THEN 1 ELSE 0 END), SUM(CASE WHEN i.\"ReopenCount\" > 0 THEN 1 ELSE 0 END), SUM(CASE WHEN i.\"ExtensionCount\" > 0 THEN 1 ELSE 0 END) FROM \"RectItems\" i WHERE {sub} GROUP BY i.\"OrgId\", i.\"Status\", i.\"Source\"",
            $"SELECT i.\"OrgId\", i.\"Status\", i.\"DeadlineKind\", i.\"StartOn\", i.\"Deadline\", i.\"Percent\", i.\"LastProgressOn\", i.\"ReturnCount\", i.\"ReopenCount\" FROM \"RectItems\" i WHERE {sub} AND i.\"Status\" NOT IN ('Closed','Confirmed')",
            $"SELECT p.\"CategoryId\", p.\"Dimension\", p.\"Aspect\", COUNT(*) FROM \"RectItems\" i JOIN \"Problems\" p ON p.\"Id\" = i.\"ProblemId\" WHERE {sub} GROUP BY p.\"CategoryId\", p.\"Dimension\", p.\"Aspect\"",
            $"SELECT i.\"OrgId\", i.\"Status\", COUNT(*) FROM \"SupervisionOrders\" i WHERE {sub} GROUP BY i.\"OrgId\", i.\"Status\"",
            "SELECT \"Id\", \"Path\" FROM \"Orgs\" WHERE \"Path\" LIKE @prefix || '%'",
        ];
        await RunAsync(conn, queries, root, today);
    }

    static async Task RunAsync(DbConnection conn, string[] queries, Org root, DateOnly today)
    {
        foreach (var q in queries)
        {
            await using var cmd = conn.CreateCommand();
            cmd.CommandText = q;
            foreach (var (k, v) in new (string, object)[] { ("id", root.Id), ("prefix", root.SelfPath), ("today", today), ("from", today.AddDays(-84)) })
            {
                if (!q.Contains("@" + k, StringComparison.Ordinal)) continue;
                var p = cmd.CreateParameter();
                p.ParameterName = k;
                p.Value = v is DateOnly d && cmd is not NpgsqlCommand ? d.ToString("yyyy-MM-dd") : v;
                cmd.Parameters.Add(p);
            }
            await using var r = await cmd.ExecuteReaderAsync();
            while (await r.ReadAsync()) { }
        }
    }
}
