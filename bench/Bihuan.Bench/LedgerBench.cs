using System.Data.Common;
using System.Diagnostics;
using System.Text;
using Bihuan.Data;
using Bihuan.Domain;
using Bihuan.Features.Rectification;
using Bihuan.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Bihuan.Bench;

/// The ledger list over N items: each query through the app's own path (scoped DbContext, RectApi.LedgerAsync with
/// lights) against the equivalent hand-written SQL on the same database in the same run.
static class LedgerBench
{
    sealed record Case(string Name, AccessScope Scope, LedgerFilter Filter, string Where, Dictionary<string, object> Args);

    public static async Task<string> RunAsync(string engine, int items, int runs)
    {
        var (make, cleanup) = Connect(engine);
        var holder = ScopeHolder.ForSystem("bench");
        var sb = new StringBuilder();
        try
        {
            await using (var db = make(holder))
                await DatabaseSetup.MigrateAsync(db);
            var sw = Stopwatch.StartNew();
            var (root, districts, units) = await SeedAsync(make, holder, items);
            var seedSeconds = sw.Elapsed.TotalSeconds;

            var district = districts[0];
            var unit = units.First(u => u.Path.StartsWith(district.SelfPath, StringComparison.Ordinal));
            var office = AccessScope.For("office", [new Grant(Role.CampaignOffice, district.Id, district.SelfPath)]);
            var city = AccessScope.For("jw", [new Grant(Role.Supervisor, root.Id, root.SelfPath)]);
            var liaison = AccessScope.For("liaison", [new Grant(Role.Liaison, unit.Id, unit.SelfPath)]);
            var today = DateOnly.FromDateTime(DateTime.UtcNow.AddHours(8));
            var inDistrict = "(o.\"Path\" LIKE @prefix || '%' OR i.\"OrgId\" = @orgId)";
            Dictionary<string, object> D() => new() { ["prefix"] = district.SelfPath, ["orgId"] = district.Id };
            var cases = new List<Case>
            {
                new("区级台账首页（区学习教育办公室）", office, new() { Page = 1, PageSize = 50 }, inDistrict, D()),
                new("区级逾期事项", office, new() { Overdue = true, Page = 1, PageSize = 50 },
                    inDistrict + " AND i.\"Deadline\" IS NOT NULL AND i.\"Deadline\" < @today AND i.\"Status\" NOT IN ('Closed','Confirmed')",
                    new(D()) { ["today"] = today }),
                new("区级全文检索“电梯”", office, new() { Q = "电梯", Page = 1, PageSize = 50 },
                    inDistrict + " AND (i.\"Measures\" LIKE '%电梯%' OR p.\"Description\" LIKE '%电梯%' OR i.\"Handler\" LIKE '%电梯%')", D()),
                new("单位台账（联络员）", liaison, new() { Page = 1, PageSize = 50 },
                    "i.\"OrgId\" = @orgId", new() { ["orgId"] = unit.Id }),
                new("全市整改中事项（市纪委监委）", city, new() { Status = RectStatus.InProgress, Page = 1, PageSize = 50 },
                    "(o.\"Path\" LIKE @prefix || '%' OR i.\"OrgId\" = @orgId) AND i.\"Status\" = 'InProgress'",
                    new() { ["prefix"] = root.SelfPath, ["orgId"] = root.Id }),
            };

            sb.AppendLine($"### Ledger list — {engine}, {items:N0} items, {units.Count * 4 + districts.Count + 1:N0} orgs");
            sb.AppendLine();
            sb.AppendLine($"Seeded (orgs through the model; problems + items with BulkInsert) in {seedSeconds:0.0} s: " +
                          $"{items * 2 / seedSeconds:N0} records/s.");
            sb.AppendLine();
            sb.AppendLine("| query | matched | app p50 ms | app p95 ms | SQL p50 ms | SQL p95 ms | ratio p50 |");
            sb.AppendLine("|---|---:|---:|---:|---:|---:|---:|");
            var clock = TimeProvider.System;
            var cal = WorkingCalendar.Shipped();
            foreach (var c in cases)
            {
                holder.Current = c.Scope;
                await using var db = make(holder);
                LedgerPage? page = null;
                var app = Stats.Measure(runs, async () =>
                    page = await RectApi.LedgerAsync(db, clock, cal, LightRules.Default, null, c.Filter, default));
                if (Environment.GetEnvironmentVariable("BIHUAN_BENCH_SQL") == "1")
                    Console.WriteLine(RectApi.Filter(db, c.Filter, today, null).OrderBy(i => i.Id).Take(50)
                        .Select(i => new { i.Id, i.Problem!.Description, i.Org!.Name }).ToQueryString());
                var conn = db.Database.GetDbConnection();
                if (conn.State != System.Data.ConnectionState.Open) await conn.OpenAsync();
                long matched = 0;
                var sql = Stats.Measure(runs, async () => matched = await RawAsync(conn, c));
                sb.AppendLine($"| {c.Name} | {page!.Total:N0} | {Stats.Ms(app.P50)} | {Stats.Ms(app.P95)} | {Stats.Ms(sql.P50)} | " +
                              $"{Stats.Ms(sql.P95)} | {app.P50 / sql.P50:0.00} |");
                if (matched != page.Total) sb.AppendLine($"| ⚠ SQL matched {matched:N0}, app {page.Total:N0} | | | | | | |");
            }
            sb.AppendLine();
            sb.AppendLine("App = the ledger page's own path (scope query filters, joins to problem/org/leader, 50-row page, " +
                          "warning lights computed for the page). SQL = the same count and page written by hand, no lights.");
            sb.AppendLine();
        }
        finally { await cleanup(); }
        return sb.ToString();
    }

    static async Task<long> RawAsync(DbConnection conn, Case c)
    {
        var from = "FROM \"RectItems\" i JOIN \"Orgs\" o ON o.\"Id\" = i.\"OrgId\" JOIN \"Problems\" p ON p.\"Id\" = i.\"ProblemId\" " +
                   "LEFT JOIN \"People\" l ON l.\"Id\" = i.\"LeaderId\" WHERE " + c.Where;
        await using var count = conn.CreateCommand();
        count.CommandText = "SELECT COUNT(*) " + from;
        Bind(count, c.Args);
        var n = Convert.ToInt64(await count.ExecuteScalarAsync());
        await using var page = conn.CreateCommand();
        page.CommandText = "SELECT i.\"Id\", i.\"Measures\", i.\"Deadline\", i.\"Status\", i.\"Percent\", p.\"Description\", o.\"Name\", l.\"Name\" " +
                           from + " ORDER BY (i.\"Deadline\" IS NULL), i.\"Deadline\", i.\"Id\" LIMIT 50";
        Bind(page, c.Args);
        await using var r = await page.ExecuteReaderAsync();
        while (await r.ReadAsync()) { }
        return n;
    }

    static void Bind(DbCommand cmd, Dictionary<string, object> args)
    {
        foreach (var (k, v) in args)
        {
            var p = cmd.CreateParameter();
            p.ParameterName = k;
            p.Value = v is DateOnly d ? d.ToString("yyyy-MM-dd") : v;
            if (v is DateOnly dd && cmd is NpgsqlCommand) p.Value = dd;
            cmd.Parameters.Add(p);
        }
    }

    internal static (Func<ScopeHolder, BihuanDb> Make, Func<Task> Cleanup) Connect(string engine)
    {
        if (engine == "postgres")
        {
            var server = Environment.GetEnvironmentVariable("BIHUAN_BENCH_POSTGRES")
                ?? throw new InvalidOperationException("set BIHUAN_BENCH_POSTGRES to a PostgreSQL server connection string");
            var name = $"bihuan_bench_{Guid.NewGuid():N}";
            using (var c = new NpgsqlConnection(server)) { c.Open(); using var cmd = c.CreateCommand(); cmd.CommandText = $"CREATE DATABASE {name}"; cmd.ExecuteNonQuery(); }
            var cs = new NpgsqlConnectionStringBuilder(server) { Database = name }.ToString();
            var options = new DbContextOptionsBuilder<PostgresBihuanDb>().UseNpgsql(cs).Options;
            return (h => new PostgresBihuanDb(options, h), async () =>
            {
                NpgsqlConnection.ClearAllPools();
                await using var c = new NpgsqlConnection(server);
                await c.OpenAsync();
                await using var cmd = c.CreateCommand();
                cmd.CommandText = $"DROP DATABASE IF EXISTS {name} WITH (FORCE)";
                await cmd.ExecuteNonQueryAsync();
            });
        }
        var file = Path.Combine(Path.GetTempPath(), $"bihuan-bench-{Guid.NewGuid():N}.db");
        var sqlite = new DbContextOptionsBuilder<SqliteBihuanDb>().UseSqlite($"Data Source={file}")
            .AddInterceptors(new SqlitePragmas()).Options;
        return (h => new SqliteBihuanDb(sqlite, h), () =>
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            foreach (var f in new[] { file, file + "-wal", file + "-shm" }) File.Delete(f);
            return Task.CompletedTask;
        });
    }

    static readonly string[] Districts = ["越秀区", "海珠区", "荔湾区", "天河区", "白云区", "黄埔区", "番禺区", "花都区", "南沙区", "从化区", "增城区"];
    static readonly string[] Bureaus = ["发展和改革局", "教育局", "科学技术局", "工业和信息化局", "民政局", "司法局", "财政局",
        "人力资源和社会保障局", "规划和自然资源局", "住房和城乡建设局", "交通运输局", "水务局", "农业农村局", "商务局",
        "文化广电旅游体育局", "卫生健康局", "退役军人事务局", "应急管理局", "审计局", "市场监督管理局"];
    static readonly string[] Problems =
    [
        "同一数据多头重复报送，基层报表负担重", "老旧小区加装电梯协调推进慢", "项目审批环节多、时限长，企业反映“跑多次”",
        "督查检查考核过多，迎检材料层层加码", "惠企资金兑现慢，政策落实“最后一公里”不畅", "群众投诉处置不及时，答复敷衍",
        "重大项目论证不充分，决策程序不规范", "工作落实重部署轻督促，以会议落实会议", "新官不理旧账，历史遗留问题久拖不决",
        "形象工程投入大、效益低", "政务服务事项网上办理深度不够", "违规设置“门槛”排斥外地企业",
    ];
    static readonly string[] Measures =
    [
        "梳理清单，明确责任分工和完成时限，每月调度", "建立“一件一策”台账，定期向群众通报进展", "压减审批环节，推行并联审批和容缺受理",
        "全面清理检查评比事项，统一纳入年度计划", "修订管理办法，建立健全长效机制", "开展专项督查，对问题线索逐一核查销号",
    ];

    internal static async Task<(Org Root, List<Org> Districts, List<Org> Units)> SeedAsync(Func<ScopeHolder, BihuanDb> make, ScopeHolder holder, int items)
    {
        var rng = new Random(42);
        var now = DateTime.UtcNow;
        await using var db = make(holder);
        var root = new Org { Name = "中共广州市委员会", Code = "GZ", Type = OrgType.PartyCommittee, Path = "/", CreatedAt = now };
        db.Orgs.Add(root);
        await db.SaveChangesAsync();
        var districts = Districts.Select((d, i) => new Org { Name = $"中共广州市{d}委员会", Code = $"D{i:D2}", Type = OrgType.PartyCommittee,
            ParentId = root.Id, Path = root.SelfPath, Depth = 1, CreatedAt = now }).ToList();
        db.Orgs.AddRange(districts);
        await db.SaveChangesAsync();
        var units = districts.SelectMany((d, i) => Bureaus.Select((b, j) => new Org { Name = d.Name[5..^5] + b, Code = $"D{i:D2}-{j:D2}",
            Type = OrgType.Agency, ParentId = d.Id, Path = d.SelfPath, Depth = 2, CreatedAt = now })).ToList();
        db.Orgs.AddRange(units);
        await db.SaveChangesAsync();
        var branches = units.SelectMany(u => Enumerable.Range(1, 3).Select(k => new Org { Name = $"{u.Name}第{k}党支部", Code = $"{u.Code}-{k}",
            Type = OrgType.Branch, ParentId = u.Id, Path = u.SelfPath, Depth = 3, CreatedAt = now })).ToList();
        db.Orgs.AddRange(branches);
        await db.SaveChangesAsync();
        db.ChangeTracker.Clear();
        if (Environment.GetEnvironmentVariable("BIHUAN_BENCH_SQL") == "1") Console.WriteLine($"orgs done");
        var today = DateOnly.FromDateTime(now.AddHours(8));
        var statuses = new (RectStatus S, int W)[] { (RectStatus.Pending, 10), (RectStatus.InProgress, 50), (RectStatus.ClosureRequested, 5),
            (RectStatus.Returned, 3), (RectStatus.Closed, 25), (RectStatus.Confirmed, 7) };
        RectStatus PickStatus() { var x = rng.Next(100); foreach (var (s, w) in statuses) { if (x < w) return s; x -= w; } return RectStatus.InProgress; }
        // Problems and items go in with BulkInsert (the model's own columns and conversions, no change tracking and
        // no audit trail): the benchmark measures reading the ledger, not entering it.
        const int batch = 50_000;
        for (var done = 0; done < items; done += batch)
        {
            await using var b = make(holder);
            var problems = new List<Problem>();
            var rects = new List<RectItem>();
            for (var k = 0; k < Math.Min(batch, items - done); k++)
            {
                var org = units[rng.Next(units.Count)];
                var source = (SourceChannel)rng.Next(8);
                var p = new Problem
                {
                    OrgId = org.Id, Description = $"{Problems[rng.Next(Problems.Length)]}（第{done + k + 1}号）", Source = source,
                    Aspect = (Aspect)rng.Next(3), Dimension = (Dimension)rng.Next(4), Severity = (Severity)(rng.Next(10) == 0 ? 2 : rng.Next(2)),
                    CreatedAt = now,
                };
                problems.Add(p);
                var status = PickStatus();
                var deadline = today.AddDays(rng.Next(-180, 180));
                rects.Add(new RectItem
                {
                    OrgId = org.Id, Measures = Measures[rng.Next(Measures.Length)], DeadlineKind = DeadlineKind.Dated,
                    Deadline = deadline, StartOn = deadline.AddDays(-90), Status = status, Source = source, Severity = p.Severity,
                    Percent = !status.IsOpen() ? 100 : rng.Next(0, 100),
                    LastProgressOn = today.AddDays(-rng.Next(0, 30)), CreatedAt = now,
                });
            }
            await BulkInsert.InsertAsync(b, problems);
            for (var k = 0; k < rects.Count; k++) rects[k].ProblemId = problems[k].Id;
            await BulkInsert.InsertAsync(b, rects);
        }
        await using (var a = make(holder))
            await a.Database.ExecuteSqlRawAsync(a.Engine == DatabaseEngine.Sqlite ? "ANALYZE" : "ANALYZE");
        return (root, districts, units);
    }
}
