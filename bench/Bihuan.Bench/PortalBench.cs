using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Bihuan.Data;
using Bihuan.Domain;
using Bihuan.Features.Demands;
using Bihuan.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Bihuan.Bench;

/// Sustained public submissions over HTTP (the real app on Kestrel: GET the form, POST it with the arithmetic answer;
/// validation, rate checks, ticket upsert, order + contact + audit chain) against a bare insert of the same order
/// row (BulkInsert: one prepared INSERT, no audit) on the same database in the same run.
static partial class PortalBench
{
    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex Antiforgery();
    [GeneratedRegex("name=\"Input.ChallengeToken\" value=\"([^\"]+)\"")]
    private static partial Regex Challenge();
    [GeneratedRegex(@"id=""question"">(\d+) \+ (\d+) = \?")]
    private static partial Regex Question();

    public static async Task<string> RunAsync(string engine, int seconds, int clients)
    {
        string cs;
        Func<Task> cleanup;
        if (engine == "postgres")
        {
            var server = Environment.GetEnvironmentVariable("BIHUAN_BENCH_POSTGRES")
                ?? throw new InvalidOperationException("set BIHUAN_BENCH_POSTGRES to a PostgreSQL server connection string");
            var name = $"bihuan_bench_{Guid.NewGuid():N}";
            await using (var c = new NpgsqlConnection(server)) { await c.OpenAsync(); await using var cmd = c.CreateCommand(); cmd.CommandText = $"CREATE DATABASE {name}"; await cmd.ExecuteNonQueryAsync(); }
            cs = new NpgsqlConnectionStringBuilder(server) { Database = name }.ToString();
            cleanup = async () =>
            {
                NpgsqlConnection.ClearAllPools();
                await using var c = new NpgsqlConnection(server);
                await c.OpenAsync();
                await using var cmd = c.CreateCommand();
                cmd.CommandText = $"DROP DATABASE IF EXISTS {name} WITH (FORCE)";
                await cmd.ExecuteNonQueryAsync();
            };
        }
        else
        {
            var file = Path.Combine(Path.GetTempPath(), $"bihuan-bench-portal-{Guid.NewGuid():N}.db");
            cs = $"Data Source={file}";
            cleanup = () =>
            {
                Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
                foreach (var f in new[] { file, file + "-wal", file + "-shm" }) File.Delete(f);
                return Task.CompletedTask;
            };
        }

        Environment.SetEnvironmentVariable("ASPNETCORE_ENVIRONMENT", "Production");
        // Settings as command-line arguments: CreateBuilder registers the database from configuration right away.
        var builder = BihuanHost.CreateBuilder([
            "--urls=http://127.0.0.1:0",
            $"--Bihuan:Database:Provider={(engine == "postgres" ? "Postgres" : "Sqlite")}",
            $"--Bihuan:Database:ConnectionString={cs}",
            "--Bihuan:MigrateOnStart=true", "--Bihuan:SeedDemo=true", "--Bihuan:DemoLedger=false",
            "--Bihuan:Portal:PostsPerMinutePerIp=100000000", "--Bihuan:Portal:MaxPerSourcePerHour=100000000",
            $"--Bihuan:Files:Root={Path.Combine(Path.GetTempPath(), "bihuan-bench-files")}",
        ]);
        builder.Logging.SetMinimumLevel(Microsoft.Extensions.Logging.LogLevel.Warning);
        var app = builder.Build();
        await app.PrepareDatabaseAsync();
        app.UseBihuanPipeline();
        app.MapStaffPages();
        await app.StartAsync();
        var sb = new StringBuilder();
        try
        {
            var url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            var latencies = new List<double>();
            var failures = 0;
            var phone = 0;
            var stop = Stopwatch.StartNew();
            async Task Client()
            {
                using var http = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer() }) { BaseAddress = new Uri(url) };
                while (stop.Elapsed.TotalSeconds < seconds)
                {
                    var html = WebUtility.HtmlDecode(await http.GetStringAsync("/public/submit"));
                    var q = Question().Match(html);
                    var n = Interlocked.Increment(ref phone);
                    var form = new FormUrlEncodedContent(new Dictionary<string, string>
                    {
                        ["_handler"] = "submit", ["__RequestVerificationToken"] = Antiforgery().Match(html).Groups[1].Value,
                        ["Input.ChallengeToken"] = Challenge().Match(html).Groups[1].Value,
                        ["Input.Answer"] = (int.Parse(q.Groups[1].Value) + int.Parse(q.Groups[2].Value)).ToString(),
                        ["Input.Type"] = "Suggestion", ["Input.OrgId"] = "", ["Input.Content"] = $"压测建议第 {n} 条：建议延长政务服务中心周末办理时间",
                        ["Input.Phone"] = $"139{n:D8}", ["Input.Name"] = "压测",
                    });
                    var sw = Stopwatch.StartNew();
                    var res = await http.PostAsync("/public/submit", form);
                    var body = await res.Content.ReadAsStringAsync();
                    lock (latencies)
                    {
                        if (res.IsSuccessStatusCode && body.Contains("id=\"ticket\"")) latencies.Add(sw.Elapsed.TotalMilliseconds);
                        else failures++;
                    }
                }
            }
            await Task.WhenAll(Enumerable.Range(0, clients).Select(_ => Task.Run(Client)));
            var elapsed = stop.Elapsed.TotalSeconds;
            latencies.Sort();

            // The bare insert of the same row, one at a time, for the same time.
            var holder = ScopeHolder.ForSystem("bench");
            int bare;
            double bareSeconds;
            using (var scope = app.Services.CreateScope())
            {
                scope.ServiceProvider.GetRequiredService<ScopeHolder>().Current = AccessScope.System;
                var db = scope.ServiceProvider.GetRequiredService<BihuanDb>();
                var root = db.Orgs.First(o => o.ParentId == null);
                var sw = Stopwatch.StartNew();
                bare = 0;
                while (sw.Elapsed.TotalSeconds < Math.Min(seconds, 10))
                {
                    bare++;
                    var now = DateTime.UtcNow;
                    await BulkInsert.InsertAsync(db, [new WorkOrder
                    {
                        Ticket = $"BX{bare:D14}", CodeHash = new string('0', 64), Type = DemandType.Suggestion, OrgId = root.Id,
                        DispatchOrgId = root.Id, Content = $"压测建议第 {bare} 条：建议延长政务服务中心周末办理时间", CreatedAt = now, UpdatedAt = now,
                    }]);
                }
                bareSeconds = sw.Elapsed.TotalSeconds;
            }
            double P(double p) => latencies.Count == 0 ? double.NaN : latencies[(int)Math.Min(latencies.Count - 1, p * latencies.Count)];
            var rate = latencies.Count / elapsed;
            var bareRate = bare / bareSeconds;
            sb.AppendLine($"### Public submissions — {engine}, {clients} clients, {elapsed:0} s");
            sb.AppendLine();
            sb.AppendLine("| path | submissions | per second | POST p50 ms | POST p95 ms | failed |");
            sb.AppendLine("|---|---:|---:|---:|---:|---:|");
            sb.AppendLine($"| HTTP: GET form + POST (validation, limits, ticket, order + contact + audit) | {latencies.Count:N0} | {rate:0.0} | {P(0.5):0.0} | {P(0.95):0.0} | {failures} |");
            sb.AppendLine($"| bare INSERT of the order row (BulkInsert, no audit), sequential | {bare:N0} | {bareRate:0.0} | | | |");
            sb.AppendLine();
            sb.AppendLine($"Ratio (HTTP / bare): {rate / bareRate:0.00}. The HTTP figure includes rendering two pages per submission and the client on the same 2 cores.");
            sb.AppendLine();
        }
        finally
        {
            await app.StopAsync();
            await app.DisposeAsync();
            await cleanup();
        }
        return sb.ToString();
    }
}
