using System.Data.Common;
using System.Diagnostics;
using System.Text;
using Bihuan.Data;
using Bihuan.Domain;
using Bihuan.Features.Supervision;
using Bihuan.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Bihuan.Bench;

/// The supervision dashboard (city and district) over the generated ledger: the app's own path (scoped DbContext,
/// SupervisionDashboard with the ledger and 督办单 sections, lights computed) against hand-written SQL reading the
/// same aggregates and the same tuples (no lights computed) on the same database in the same run.
static class DashboardBench
{
    public static async Task<string> RunAsync(string engine, int items, int runs)
    {
        var (make, cleanup) = LedgerBench.Connect(engine);
        var holder = ScopeHolder.ForSystem("bench");
        var sb = new StringBuilder();
        try
        {
            await using (var db = make(holder))
                await DatabaseSetup.MigrateAsync(db);
            var sw = Stopwatch.StartNew();
            var (root, districts, units) = await LedgerBench.SeedAsync(make, holder, items);
            var seedSeconds = sw.Elapsed.TotalSeconds;
            var district = districts[0];
            var cal = WorkingCalendar.Shipped();
            var rules = LightRules.Default;
            var ledger = new LedgerSection(cal, rules);
            var orders = new OrdersSection();
            var store = new RollupStore([ledger, orders], async f =>
            {
                await using var sdb = make(ScopeHolder.ForSystem("bench"));
                await f(sdb);
            });
            var dash = new SupervisionDashboard([ledger, orders], store);
            var today = DateOnly.FromDateTime(DateTime.UtcNow.AddHours(8));
            var cases = new (string Name, AccessScope Scope, Org Root)[]
            {
                ("全市看板（市纪委监委）", AccessScope.For("jw", [new Grant(Role.Supervisor, root.Id, root.SelfPath)]), root),
                ("区级看板（区学习教育办公室）", AccessScope.For("office", [new Grant(Role.CampaignOffice, district.Id, district.SelfPath)]), district),
            };
            sb.AppendLine($"### Supervision dashboard — {engine}, {items:N0} items, {units.Count * 4 + districts.Count + 1:N0} orgs");
            sb.AppendLine();
            sb.AppendLine($"Seeded in {seedSeconds:0.0} s.");
            sb.AppendLine();
            sb.AppendLine("| dashboard | items in scope | app p50 ms | app p95 ms | SQL p50 ms | SQL p95 ms | ratio p50 |");
            sb.AppendLine("|---|---:|---:|---:|---:|---:|---:|");
            foreach (var c in cases)
            {
                holder.Current = c.Scope;
                await using var db = make(holder);
                DashboardDto? d = null;
                var app = Stats.Measure(runs, async () => d = await dash.BuildAsync(db, c.Root.Id, today, default));
                var conn = db.Database.GetDbConnection();
                if (conn.State != System.Data.ConnectionState.Open) await conn.OpenAsync();
                var sql = Stats.Measure(runs, () => RawAsync(conn, c.Root, today));
                var total = d!.Sections[0].Groups[0].Figures[0].Value;
                sb.AppendLine($"| {c.Name} | {total:N0} | {Stats.Ms(app.P50)} | {Stats.Ms(app.P95)} | {Stats.Ms(sql.P50)} | {Stats.Ms(sql.P95)} | {app.P50 / sql.P50:0.00} |");
            }
            sb.AppendLine();
            sb.AppendLine("App = SupervisionDashboard.BuildAsync: per-org GROUP BY of status (with overdue, reopened, extended), red in " +
                          "SQL, source/category/dimension/aspect GROUP BYs, 督办单 GROUP BY, weekly trend from LightSnapshot, and the " +
                          "open items not past their deadline streamed as tuples for Lights.Of (blue, yellow, green, 序时进度 lag). " +
                          "SQL = the same aggregates and tuple stream by hand, rows read but no lights computed.");
            sb.AppendLine();
        }
        finally { await cleanup(); }
        return sb.ToString();
    }

    static async Task RawAsync(DbConnection conn, Org root, DateOnly today)
    {
        var sub = "i.\"OrgId\" IN (SELECT \"Id\" FROM \"Orgs\" WHERE \"Id\" = @id OR \"Path\" LIKE @prefix || '%')";
        string[] queries =
        [
            $"SELECT i.\"OrgId\", i.\"Status\", i.\"Source\", COUNT(*), SUM(CASE WHEN i.\"Deadline\" < @today THEN 1 ELSE 0 END), SUM(CASE WHEN i.\"ReopenCount\" > 0 THEN 1 ELSE 0 END), SUM(CASE WHEN i.\"ExtensionCount\" > 0 THEN 1 ELSE 0 END) FROM \"RectItems\" i WHERE {sub} GROUP BY i.\"OrgId\", i.\"Status\", i.\"Source\"",
            $"SELECT i.\"OrgId\", COUNT(*) FROM \"RectItems\" i WHERE {sub} AND i.\"Status\" NOT IN ('Closed','Confirmed') AND ((i.\"DeadlineKind\" = 'Dated' AND i.\"Deadline\" < @today) OR i.\"ReturnCount\" >= 2 OR i.\"ReopenCount\" >= 1) GROUP BY i.\"OrgId\"",
            $"SELECT i.\"OrgId\", i.\"Status\", i.\"DeadlineKind\", i.\"StartOn\", i.\"Deadline\", i.\"Percent\", i.\"LastProgressOn\", i.\"ReturnCount\", i.\"ReopenCount\" FROM \"RectItems\" i WHERE {sub} AND i.\"Status\" NOT IN ('Closed','Confirmed') AND NOT (i.\"DeadlineKind\" = 'Dated' AND i.\"Deadline\" < @today)",
            $"SELECT p.\"CategoryId\", p.\"Dimension\", p.\"Aspect\", COUNT(*) FROM \"RectItems\" i JOIN \"Problems\" p ON p.\"Id\" = i.\"ProblemId\" WHERE {sub} GROUP BY p.\"CategoryId\", p.\"Dimension\", p.\"Aspect\"",
            "SELECT \"Id\", \"Path\" FROM \"Orgs\" WHERE \"Path\" LIKE @prefix || '%'",
        ];
        foreach (var q in queries)
        {
            await using var cmd = conn.CreateCommand();
            cmd.CommandText = q;
            foreach (var (k, v) in new (string, object)[] { ("id", root.Id), ("prefix", root.SelfPath), ("today", today) })
            {
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
