using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Bihuan.Data;
using Bihuan.Features.Rectification;
using Bihuan.Infrastructure;
using Bihuan.Tests.Builders;

namespace Bihuan.Bench;

/// The memory one ledger import costs, for the worst file shapes ImportLimits accepts (each at a limit) and for the
/// bombs it refuses. Each shape runs in a fresh child process with the server's GC settings (Server GC, as the web
/// app runs): a warm-up import first (JIT, EF model), a full GC, then the import through LedgerImport.RunAsync
/// (read, check every row, commit). Peak extra RSS = the process's high-water mark (VmHWM, reset just before the
/// import) minus its RSS before; peak managed heap is sampled every millisecond; "kept" is the RSS after the import
/// and a full GC, minus the RSS before. Goal: ≤ 200 MB extra for any accepted file. Every figure is also given as a
/// ratio to the baseline — a normal small import (1,000 rows) measured the same way in the same run, always first.
static class ImportMemoryBench
{
    static ImportLimits L => ImportLimits.Default;

    sealed record Shape(string Name, string What, bool Accepted, Func<string, string> Write);

    static readonly Shape Baseline = new("baseline", "normal small ledger, 1,000 rows (office layout, 7 columns)", true,
        f => Ledger(f, 1_000));

    static readonly Shape[] Shapes =
    [
        new("ledger-20k", "real ledger, 20,000 rows (office layout, 7 columns)", true, f => Ledger(f, 20_000)),
        new("ledger-100k", "real ledger, 100,000 rows", true, f => Ledger(f, 100_000)),
        new("rows-full",
            $"{L.MaxRows:N0} rows (= MaxRows) × 14 ledger columns, every cell distinct inline text (≈ MaxTextChars)",
            true, FullRows),
        new("shared-strings", $"{L.MaxSharedStrings:N0} distinct shared strings, {L.MaxSharedStringChars:N0} characters " +
            "(both limits), 100,000 rows citing them", true, SharedAtLimit),
        new("wide", $"{L.MaxCells / L.MaxColumns:N0} rows × {L.MaxColumns} columns of distinct numbers " +
            "(= MaxCells, MaxColumns)", true, Wide),
        new("long-texts", "12,000 rows, problem and measures 1,000 characters each (≈ MaxTextChars)", true, LongTexts),
        new("huge-cells", $"cells of {L.MaxCellChars:N0} characters (= MaxCellChars) up to MaxTextChars; " +
            "rows refused by the ledger's 2,000-character field check", true, HugeCells),
        new("bomb-shared-100mb", "the issue's bomb: 3,200 shared strings of 32,000 ASCII characters, a part inflating to 100 MB", false,
            f => Save(f, XlsxBuilder.SharedStringsBomb(3_200, 32_000, pad: 'A'))),
        new("bomb-shared-one", "one shared string of 34,000,000 characters (a part inflating to 100 MB)", false,
            f => Save(f, XlsxBuilder.SharedStringsBomb(1, 34_000_000))),
        new("bomb-shared-count", $"{L.MaxSharedStrings + 1:N0} shared strings, count not declared", false,
            f => Save(f, XlsxBuilder.SharedStringsBomb(L.MaxSharedStrings + 1, 12, declareCount: false))),
        new("bomb-size-lie", "sheet inflating to 272 MB while the zip declares 1 KB", false,
            f => Save(f, XlsxBuilder.DeclaredSizeLie(L.MaxDecompressedBytes + 16L * 1024 * 1024))),
        new("bomb-zip", "sheet of zeros inflating past MaxDecompressedBytes (declared)", false,
            f => Save(f, XlsxBuilder.ZipBomb(L.MaxDecompressedBytes + 10L * 1024 * 1024))),
        new("bomb-rows", $"{L.MaxRows + 1:N0} rows", false, f => Save(f, XlsxBuilder.ManyRows(L.MaxRows + 1))),
        new("bomb-cell", $"one cell of {L.MaxCellChars + 1:N0} characters", false,
            f => Save(f, XlsxBuilder.GiantCell(L.MaxCellChars + 1))),
    ];

    sealed record Figures(string Outcome, double Seconds, double PeakRssMb, double PeakManagedMb, double KeptMb, double ManagedKeptMb,
        double FileMb);

    public static async Task<string> RunAsync(string engine, string? only)
    {
        var sb = new StringBuilder();
        sb.AppendLine($"### Import memory — {engine}, one LedgerImport.RunAsync(commit) per fresh process, Server GC");
        sb.AppendLine();
        sb.AppendLine("| shape | file MB | outcome | seconds (× baseline) | peak extra RSS MB (× baseline) | " +
                      "peak extra managed heap MB | RSS / managed kept after GC MB |");
        sb.AppendLine("|---|---:|---|---:|---:|---:|---:|");
        var baseline = await MeasureShapeAsync(Baseline, engine);
        double worst = 0;
        string worstShape = "";
        foreach (var shape in Shapes.Where(s => only is null || s.Name == only).Prepend(Baseline))
        {
            var f = shape == Baseline ? baseline : await MeasureShapeAsync(shape, engine);
            sb.AppendLine($"| {shape.Name}: {shape.What} | {f.FileMb:0.00} | {f.Outcome} | " +
                          $"{f.Seconds:0.000} ({f.Seconds / baseline.Seconds:0.00}×) | " +
                          $"{f.PeakRssMb:0.0} ({f.PeakRssMb / Math.Max(1, baseline.PeakRssMb):0.00}×) | " +
                          $"{f.PeakManagedMb:0.0} | {f.KeptMb:0.0} / {f.ManagedKeptMb:0.0} |");
            if (shape.Accepted && f.PeakRssMb > worst) (worst, worstShape) = (f.PeakRssMb, shape.Name);
        }
        sb.AppendLine();
        sb.AppendLine($"Worst accepted shape: **{worstShape}, {worst:0} MB** peak extra RSS (goal ≤ 200 MB).");
        sb.AppendLine();
        return sb.ToString();
    }

    static async Task<Figures> MeasureShapeAsync(Shape shape, string engine)
    {
        var file = Path.Combine(Path.GetTempPath(), $"bihuan-mem-{shape.Name}-{Guid.NewGuid():N}.xlsx");
        try
        {
            file = shape.Write(file);
            var f = await ChildAsync(file, engine);
            Console.Error.WriteLine($"{shape.Name}: {f}");
            return f;
        }
        finally
        {
            File.Delete(file);
        }
    }

    static async Task<Figures> ChildAsync(string file, string engine)
    {
        // the same executable again: the apphost (dotnet run) or `dotnet Bihuan.Bench.dll`
        var host = Environment.ProcessPath!;
        string[] args = Path.GetFileNameWithoutExtension(host) == "dotnet"
            ? [typeof(ImportMemoryBench).Assembly.Location, "importmem-child", file, engine]
            : ["importmem-child", file, engine];
        var psi = new ProcessStartInfo(host, args)
        {
            RedirectStandardOutput = true, UseShellExecute = false,
        };
        psi.Environment["DOTNET_gcServer"] = "1";   // as the web app runs (Microsoft.NET.Sdk.Web's default)
        using var p = Process.Start(psi)!;
        var output = await p.StandardOutput.ReadToEndAsync();
        await p.WaitForExitAsync();
        var line = output.Split('\n').LastOrDefault(l => l.StartsWith('{'))
            ?? throw new InvalidOperationException($"child failed ({p.ExitCode}): {output}");
        return JsonSerializer.Deserialize<Figures>(line)!;
    }

    /// In the child: arrange, warm up, measure one import, print the figures as one JSON line.
    public static async Task<int> MeasureAsync(string file, string engine)
    {
        var (make, cleanup) = LedgerBench.Connect(engine);
        try
        {
            var holder = ScopeHolder.ForSystem("bench");
            var orgId = await ImportBench.ArrangeUnitAsync(make, holder);
            int rootId;
            await using (var db = make(holder)) rootId = db.Orgs.Single(o => o.ParentId == null).Id;
            var warm = Path.Combine(Path.GetTempPath(), $"bihuan-mem-warm-{Guid.NewGuid():N}.xlsx");
            ImportBench.Write(warm, 200);
            await ImportAsync(make, holder, rootId, warm);   // JIT and EF model, into another unit: the file stays new
            File.Delete(warm);

            for (var i = 0; i < 2; i++) GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
            var rss = Status("VmRSS");
            var managed = GC.GetTotalMemory(true);
            File.WriteAllText("/proc/self/clear_refs", "5");   // resets VmHWM to the current RSS
            long peakManaged = managed;
            using var stop = new CancellationTokenSource();
            var sampler = new Thread(() =>
            {
                while (!stop.IsCancellationRequested)
                {
                    peakManaged = Math.Max(peakManaged, GC.GetTotalMemory(false));
                    Thread.Sleep(1);
                }
            }) { IsBackground = true };
            sampler.Start();
            var watch = Stopwatch.StartNew();
            var result = await ImportAsync(make, holder, orgId, file);
            var seconds = watch.Elapsed.TotalSeconds;
            stop.Cancel();
            sampler.Join();
            var peak = Status("VmHWM");
            for (var i = 0; i < 2; i++) GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
            var after = Status("VmRSS");
            var managedAfter = GC.GetTotalMemory(true);
            var outcome = result.Committed ? $"imported {result.Created:N0}"
                : result.HeaderRow > 0 ? $"checked, {result.ErrorCount:N0} row errors" : $"refused: {result.Message}";
            Console.WriteLine(JsonSerializer.Serialize(new Figures(outcome, seconds, (peak - rss) / 1024d / 1024,
                (peakManaged - managed) / 1024d / 1024, (after - rss) / 1024d / 1024, (managedAfter - managed) / 1024d / 1024,
                new FileInfo(file).Length / 1024d / 1024)));
            return 0;
        }
        finally
        {
            await cleanup();
        }
    }

    static async Task<LedgerImportResult> ImportAsync(Func<ScopeHolder, BihuanDb> make, ScopeHolder holder, int orgId, string file)
    {
        await using var db = make(holder);
        await using var s = File.OpenRead(file);
        return await LedgerImport.RunAsync(db, TimeProvider.System, ImportLimits.Default, s, "台账.xlsx", s.Length, orgId, null,
            commit: true, default);
    }

    /// Bytes of /proc/self/status's field (kB there).
    static long Status(string field) =>
        long.Parse(File.ReadLines("/proc/self/status").First(l => l.StartsWith(field + ":", StringComparison.Ordinal))
            .Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;

    // ---- the shapes ----

    static string Save(string file, byte[] bytes)
    {
        File.WriteAllBytes(file, bytes);
        return file;
    }

    static string Ledger(string file, int rows)
    {
        ImportBench.Write(file, rows);
        return file;
    }

    static readonly string[] Header = ["序号", "问题来源", "问题描述", "整改目标", "整改措施", "责任领导", "牵头单位", "配合单位", "责任人",
        "整改时限", "整改进展", "销号情况", "问题类别", "严重程度"];

    static void InlineRow(TextWriter w, int r, IEnumerable<string> cells)
    {
        w.Write($"<row r=\"{r}\">");
        var c = 0;
        foreach (var text in cells) w.Write($"<c r=\"{XlsxBuilder.Column(c++)}{r}\" t=\"inlineStr\"><is><t>{text}</t></is></c>");
        w.Write("</row>");
    }

    /// Every row full, every cell distinct: 100,000 × 14 cells of about 17 characters.
    static string FullRows(string file) => Save(file, XlsxBuilder.Raw(w =>
    {
        InlineRow(w, 1, Header);
        for (var i = 1; i < L.MaxRows; i++)
            InlineRow(w, i + 1, Header.Select((h, c) => c switch
            {
                0 => i.ToString(CultureInfo.InvariantCulture),
                9 => "2027年6月30日",
                _ => $"{h}第{i:D6}行的内容说明",
            }));
    }));

    /// The shared-string table at both its limits, cited by 100,000 rows of five shared cells and a deadline.
    static string SharedAtLimit(string file)
    {
        var length = (int)(L.MaxSharedStringChars / L.MaxSharedStrings);
        string Text(int i) => $"{i:D8}" + new string('问', length - 8);
        return Save(file, XlsxBuilder.Raw(w =>
            {
                InlineRow(w, 1, ["问题来源", "问题描述", "整改措施", "责任人", "整改目标", "整改时限"]);
                for (var r = 0; r < 100_000; r++)
                {
                    w.Write($"<row r=\"{r + 2}\">");
                    for (var c = 0; c < 5; c++)
                        w.Write($"<c r=\"{XlsxBuilder.Column(c)}{r + 2}\" t=\"s\"><v>{(r * 5 + c) % L.MaxSharedStrings}</v></c>");
                    w.Write($"<c r=\"F{r + 2}\" t=\"inlineStr\"><is><t>2027年6月30日</t></is></c></row>");
                }
            },
            w =>
            {
                for (var i = 0; i < L.MaxSharedStrings; i++) w.Write($"<si><t>{Text(i)}</t></si>");
            }));
    }

    /// MaxCells as numbers: a ledger's three columns, then distinct numbers out to the last column.
    static string Wide(string file)
    {
        var rows = (int)(L.MaxCells / L.MaxColumns) - 1;
        return Save(file, XlsxBuilder.Raw(w =>
        {
            InlineRow(w, 1, ["问题描述", "整改措施", "整改时限"]);
            for (var r = 2; r <= rows + 1; r++)
            {
                w.Write($"<row r=\"{r}\"><c r=\"A{r}\" t=\"inlineStr\"><is><t>宽表问题{r}</t></is></c>" +
                        $"<c r=\"B{r}\" t=\"inlineStr\"><is><t>宽表措施{r}</t></is></c><c r=\"C{r}\" t=\"inlineStr\"><is><t>2027-06-30</t></is></c>");
                for (var c = 3; c < L.MaxColumns; c++)
                    w.Write($"<c r=\"{XlsxBuilder.Column(c)}{r}\"><v>{r * 1000 + c}.5</v></c>");
                w.Write("</row>");
            }
        }));
    }

    static string LongTexts(string file) => Save(file, XlsxBuilder.Raw(w =>
    {
        InlineRow(w, 1, ["问题描述", "整改措施", "整改时限"]);
        var pad = new string('述', 980);
        for (var r = 2; r <= 12_001; r++) InlineRow(w, r, [$"问题{r:D8}{pad}", $"措施{r:D8}{pad}", "2027年6月30日"]);
    }));

    static string HugeCells(string file)
    {
        var cells = (int)(L.MaxTextChars / L.MaxCellChars) - 2;
        var huge = new string('长', L.MaxCellChars - 8);
        return Save(file, XlsxBuilder.Raw(w =>
        {
            InlineRow(w, 1, ["问题描述", "整改措施", "整改时限"]);
            for (var r = 2; r <= cells / 2 + 1; r++) InlineRow(w, r, [$"{r:D8}{huge}", $"{r:D8}{huge}", "2027年6月30日"]);
        }));
    }
}
