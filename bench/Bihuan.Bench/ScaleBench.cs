using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Bihuan.Data;
using Bihuan.Data.Dataset;
using Bihuan.Domain;
using Bihuan.Features.Accounts;
using Bihuan.Features.People;
using Bihuan.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Bihuan.Bench;

/// How costs grow with the data: for each scale, a fresh SQLite database is generated (`bihuan bench seed`, in
/// process: rows/s), the real server is started on it as a separate process, and over HTTP (loopback, bounded load)
/// a minimal endpoint (/healthz, the baseline), the ledger API and the ledger page of a district are measured; the
/// server's resident memory (RSS) is read after the load.
static class ScaleBench
{
    public static async Task<string> RunAsync(string[] scales, int requests)
    {
        var sb = new StringBuilder();
        sb.AppendLine("### Growth with scale — SQLite, real server process, HTTP over loopback (8 concurrent clients)");
        sb.AppendLine();
        sb.AppendLine("| scale | orgs | people | items | generated rows/s | /healthz p50 / p95 ms | ledger API (district) p50 / p95 ms | ratio p50 | ledger page (district) p50 / p95 ms | ratio p50 | 待办 /api/v1/me/todo p50 / p95 ms | ratio p50 | server RSS MB |");
        sb.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var name in scales)
        {
            var scale = DatasetScale.Find(name) ?? throw new ArgumentException($"unknown scale {name}");
            var dir = Directory.CreateTempSubdirectory("bihuan-scale-");
            var cs = $"Data Source={Path.Combine(dir.FullName, "bihuan.db")}";
            try
            {
                var (rowsPerSecond, orgs, people, items, token, districtId) = await GenerateAsync(cs, scale);
                var port = FreePort();
                using var server = StartServer(cs, port, dir.FullName);
                var url = new Uri($"http://127.0.0.1:{port}");
                await WaitUp(url, server);
                var limit = TimeSpan.FromSeconds(60);
                var health = await HttpLoad.RunAsync(url, "/healthz", null, 8, requests, limit);
                var api = await HttpLoad.RunAsync(url, $"/api/v1/rectifications?orgId={districtId}", token, 8, requests, limit);
                var page = await HttpLoad.RunAsync(url, $"/ledger?orgId={districtId}", token, 8, requests, limit);
                // 待办 of the same (district office) account: every kind's bounded list and exact count (Features/Todo).
                var todo = await HttpLoad.RunAsync(url, "/api/v1/me/todo", token, 8, requests, limit);
                server.Refresh();
                var rss = Rss(server.Id);
                sb.AppendLine($"| {scale.Name} | {orgs:N0} | {people:N0} | {items:N0} | {rowsPerSecond:N0} | {health.P50:0.0} / {health.P95:0.0} | " +
                              $"{api.P50:0.0} / {api.P95:0.0} | {api.P50 / health.P50:0.0} | {page.P50:0.0} / {page.P95:0.0} | {page.P50 / health.P50:0.0} | " +
                              $"{todo.P50:0.0} / {todo.P95:0.0} | {todo.P50 / health.P50:0.0} | {rss:N0} |");
                foreach (var (what, r) in new[] { ("healthz", health), ("ledger API", api), ("ledger page", page), ("todo API", todo) })
                    if (r.Failures > 0) sb.AppendLine($"| ⚠ {scale.Name} {what}: {r.Failures} of {r.Requests} requests failed | | | | | | | | | | | | |");
                server.Kill(entireProcessTree: true);
                await server.WaitForExitAsync();
            }
            finally
            {
                Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
                try { dir.Delete(recursive: true); } catch (IOException) { }
            }
        }
        sb.AppendLine();
        sb.AppendLine("Ratios are to `/healthz` (no database) measured against the same server in the same run.");
        sb.AppendLine();
        return sb.ToString();
    }

    static async Task<(double RowsPerSecond, int Orgs, int People, int Items, string Token, int DistrictId)> GenerateAsync(string cs, DatasetScale scale)
    {
        Environment.SetEnvironmentVariable("Bihuan__Database__ConnectionString", cs);
        Environment.SetEnvironmentVariable("Bihuan__Jobs__Enabled", "false");
        var builder = BihuanHost.CreateBuilder([]);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        await using var app = builder.Build();
        using var scope = app.Services.CreateScope();
        var holder = scope.ServiceProvider.GetRequiredService<ScopeHolder>();
        holder.Current = AccessScope.System;
        holder.Actor = "bench";
        var db = scope.ServiceProvider.GetRequiredService<BihuanDb>();
        await DatabaseSetup.MigrateAsync(db);
        var sw = Stopwatch.StartNew();
        var tables = await new DatasetGenerator(db, scale, 42).RunAsync();
        var rate = tables.Sum(t => t.Rows) / sw.Elapsed.TotalSeconds;
        var district = await db.Orgs.Where(o => o.Depth == (scale.Cities > 1 ? 2 : 1) && o.Type == OrgType.PartyCommittee).OrderBy(o => o.Id).FirstAsync();
        var clock = TimeProvider.System;
        var account = await AccountCommands.CreateAsync(db, scope.ServiceProvider.GetRequiredService<UserManager<Account>>(), clock,
            "bench.office", "区学习教育办公室（压测）", "Bench@2026bh", null, default);
        await PeopleApi.GrantAsync(db, clock, new GrantInput(account.Id, district.Id, Role.CampaignOffice), default);
        var token = await TokenApi.CreateAsync(db, clock, account.Id, new TokenInput("bench", 1), default);
        return (rate, await db.Orgs.CountAsync(), await db.People.CountAsync(), await db.RectItems.CountAsync(), token.Token, district.Id);
    }

    static Process StartServer(string cs, int port, string workDir)
    {
        var exe = Path.Combine(AppContext.BaseDirectory, OperatingSystem.IsWindows() ? "bihuan.exe" : "bihuan");
        var psi = new ProcessStartInfo(exe, ["--urls", $"http://127.0.0.1:{port}"])
        {
            WorkingDirectory = workDir, UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true,
        };
        psi.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        psi.Environment["Bihuan__Database__ConnectionString"] = cs;
        psi.Environment["Bihuan__Jobs__Enabled"] = "false";
        psi.Environment["Logging__LogLevel__Default"] = "Warning";
        var p = Process.Start(psi)!;
        p.OutputDataReceived += (_, _) => { };
        p.ErrorDataReceived += (_, e) => { if (e.Data is { Length: > 0 }) Console.Error.WriteLine($"[server] {e.Data}"); };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        return p;
    }

    static async Task WaitUp(Uri url, Process p)
    {
        using var c = new HttpClient { BaseAddress = url, Timeout = TimeSpan.FromSeconds(5) };
        for (var i = 0; i < 240 && !p.HasExited; i++)
        {
            try { if ((await c.GetAsync("/healthz")).IsSuccessStatusCode) return; }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) { }
            await Task.Delay(250);
        }
        throw new InvalidOperationException("server did not start");
    }

    static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    /// Resident set size in MB from /proc (Linux); the working set elsewhere.
    static double Rss(int pid)
    {
        var status = $"/proc/{pid}/status";
        if (File.Exists(status))
            foreach (var line in File.ReadLines(status))
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                    return double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) / 1024;
        return Process.GetProcessById(pid).WorkingSet64 / 1024.0 / 1024;
    }
}
