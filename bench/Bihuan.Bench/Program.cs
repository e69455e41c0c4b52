using System.Diagnostics;
using System.Globalization;
using System.Text;
using Bihuan.Bench;

// Bihuan benchmarks: figures are ratios to a baseline measured in the same run (never absolute targets in tests).
//   dotnet run -c Release --project bench/Bihuan.Bench -- ledger [--items 500000] [--engine sqlite|postgres|both]
//   dotnet run -c Release --project bench/Bihuan.Bench -- dashboard [--scale city] [--engine sqlite|postgres|both]
//   dotnet run -c Release --project bench/Bihuan.Bench -- import [--items 100000] [--engine sqlite|postgres|both]
//   dotnet run -c Release --project bench/Bihuan.Bench -- importmem [--shape NAME] [--engine sqlite|postgres|both]
//   dotnet run -c Release --project bench/Bihuan.Bench -- scale [--scales small,district,city] [--runs 400]
//   dotnet run -c Release --project bench/Bihuan.Bench -- all [--items 500000] [--scale city] [--engine both] [--scales small,district,city]
//   dotnet run -c Release --project bench/Bihuan.Bench -- portal [--seconds 30] [--clients 8] [--engine sqlite|postgres]
//   PostgreSQL: BIHUAN_BENCH_POSTGRES="Host=127.0.0.1;Port=5432;Username=postgres;Database=postgres"
// Results are appended to docs/benchmarks.md (or --out FILE).
if (args is ["importmem-child", var childFile, var childEngine]) return await ImportMemoryBench.MeasureAsync(childFile, childEngine);
var opts = Options.Parse(args);
var report = new StringBuilder();
foreach (var engine in opts.Engines)
{
    switch (opts.Suite)
    {
        case "ledger":
            report.Append(await LedgerBench.RunAsync(engine, opts.Items, opts.Runs));
            break;
        case "portal":
            report.Append(await PortalBench.RunAsync(engine, opts.Seconds, opts.Clients));
            break;
        case "scale":
            report.Append(await ScaleBench.RunAsync(opts.Scales, opts.RunsGiven ? opts.Runs : 400));
            break;
        case "dashboard":
            report.Append(await DashboardBench.RunAsync(engine, opts.Scale, opts.Runs));
            break;
        case "import":
            report.Append(await ImportBench.RunAsync(engine, opts.ItemsGiven ? opts.Items : 100_000));
            break;
        case "importmem":
            report.Append(await ImportMemoryBench.RunAsync(engine, opts.Shape));
            break;
        case "all":
            // Every suite once on this engine at --items (default 500,000 for the list queries; imports a fifth of it),
            // then (once, SQLite) the growth suite over --scales.
            report.Append(await LedgerBench.RunAsync(engine, opts.Items, opts.Runs));
            report.Append(await DashboardBench.RunAsync(engine, opts.Scale, opts.Runs));
            report.Append(await ImportBench.RunAsync(engine, Math.Max(1_000, opts.Items / 5)));
            report.Append(await PortalBench.RunAsync(engine, opts.Seconds, opts.Clients));
            if (engine == opts.Engines[^1]) report.Append(await ScaleBench.RunAsync(opts.Scales, 400));
            break;
        default:
            Console.Error.WriteLine($"unknown suite {opts.Suite}; suites: all, ledger, dashboard, import, importmem, portal, scale");
            return 2;
    }
}
var header = $"""

## {opts.Suite} — {DateTime.UtcNow.AddHours(8):yyyy-MM-dd HH:mm} (UTC+8)

Machine: {Environment.ProcessorCount} cores, {Machine.Cpu()}, .NET {Environment.Version}, Release build.
Rerun: `dotnet run -c Release --project bench/Bihuan.Bench -- {string.Join(' ', args)}`

""";
var text = header + report;
Console.WriteLine(text);
File.AppendAllText(opts.Out, text);
return 0;

namespace Bihuan.Bench
{
    sealed record Options(string Suite, int Items, int Runs, string[] Engines, string Out, bool ItemsGiven, string[] Scales, bool RunsGiven,
        int Seconds = 30, int Clients = 8, string Scale = "city", string? Shape = null)
    {
        public static Options Parse(string[] a)
        {
            string Get(string name, string fallback) =>
                Array.IndexOf(a, name) is var i and >= 0 && i + 1 < a.Length ? a[i + 1] : fallback;
            var engine = Get("--engine", "sqlite");
            return new Options(a.FirstOrDefault(x => !x.StartsWith("--", StringComparison.Ordinal)) ?? "ledger",
                int.Parse(Get("--items", "500000"), CultureInfo.InvariantCulture),
                int.Parse(Get("--runs", "30"), CultureInfo.InvariantCulture),
                engine == "both" ? ["sqlite", "postgres"] : [engine],
                Get("--out", Path.Combine(Machine.RepoRoot(), "docs", "benchmarks.md")), a.Contains("--items"),
                Get("--scales", "small,district").Split(',', StringSplitOptions.RemoveEmptyEntries), a.Contains("--runs"),
                int.Parse(Get("--seconds", "30"), CultureInfo.InvariantCulture),
                int.Parse(Get("--clients", "8"), CultureInfo.InvariantCulture), Get("--scale", "city"),
                a.Contains("--shape") ? Get("--shape", "") : null);
        }
    }

    static class Machine
    {
        public static string Cpu() =>
            File.Exists("/proc/cpuinfo")
                ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':')[1].Trim() ?? "?"
                : "?";

        public static string RepoRoot()
        {
            var d = new DirectoryInfo(AppContext.BaseDirectory);
            while (d is not null && !File.Exists(Path.Combine(d.FullName, "Bihuan.slnx"))) d = d.Parent;
            return d?.FullName ?? Directory.GetCurrentDirectory();
        }
    }

    static class Stats
    {
        public static (double P50, double P95) Measure(int runs, Func<Task> action)
        {
            for (var i = 0; i < 3; i++) action().GetAwaiter().GetResult();   // warm-up: plans, caches, JIT
            var times = new List<double>();
            for (var i = 0; i < runs; i++)
            {
                var sw = Stopwatch.StartNew();
                action().GetAwaiter().GetResult();
                times.Add(sw.Elapsed.TotalMilliseconds);
            }
            times.Sort();
            return (times[(int)(0.50 * (times.Count - 1))], times[(int)Math.Ceiling(0.95 * (times.Count - 1))]);
        }

        public static string Ms(double v) => v.ToString(v < 10 ? "0.00" : "0.0", CultureInfo.InvariantCulture);
    }
}
