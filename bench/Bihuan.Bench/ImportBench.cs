using System.Diagnostics;
using System.Text;
using Bihuan.Data;
using Bihuan.Domain;
using Bihuan.Features.Rectification;
using Bihuan.Infrastructure;
using Microsoft.EntityFrameworkCore;
using MiniExcel = MiniExcelLibs.MiniExcel;

namespace Bihuan.Bench;

/// Importing an N-row 整改台账 in the office layout (merged title row, header variants, mixed deadline texts) through
/// the app's own use case (LedgerImport.RunAsync: read, validate every row, commit in one transaction with the audit
/// trail) against reading the same sheet with the Excel library alone, in the same run. A second import of the same
/// file (everything 不变) shows the idempotence check's cost.
static class ImportBench
{
    static readonly string[] Deadlines = ["2027年6月30日", "2027.3.31", "2027/9/30", "2027-12-31", "长期坚持", "立行立改", "2027年第三季度"];
    static readonly string[] Sources = ["省委第三巡视组反馈", "自查自纠", "征求意见", "审计发现", "12345热线"];

    public static async Task<string> RunAsync(string engine, int rows)
    {
        var file = Path.Combine(Path.GetTempPath(), $"bihuan-import-{Guid.NewGuid():N}.xlsx");
        var (make, cleanup) = LedgerBench.Connect(engine);
        var sb = new StringBuilder();
        try
        {
            var sw = Stopwatch.StartNew();
            Write(file, rows);
            var writeSeconds = sw.Elapsed.TotalSeconds;
            var size = new FileInfo(file).Length;

            // Baseline 1: the Excel library alone, every cell of every row touched.
            sw.Restart();
            long cells = 0;
            foreach (IDictionary<string, object?> r in MiniExcel.Query(file, useHeaderRow: false))
                foreach (var v in r.Values) if (v is not null) cells++;
            var libSeconds = sw.Elapsed.TotalSeconds;

            // Our own streaming reader (what the import uses to read the sheet).
            sw.Restart();
            await using (var s = File.OpenRead(file)) _ = Sheets.Read(s, "台账.xlsx").Count;
            var readerSeconds = sw.Elapsed.TotalSeconds;

            var holder = ScopeHolder.ForSystem("bench");
            var orgId = await ArrangeUnitAsync(make, holder);

            async Task<(double Seconds, LedgerImportResult Result)> Import()
            {
                await using var db = make(holder);
                await using var s = File.OpenRead(file);
                var t = Stopwatch.StartNew();
                var res = await LedgerImport.RunAsync(db, TimeProvider.System, ImportLimits.Default, s, "台账.xlsx", size, orgId, null, commit: true, default);
                return (t.Elapsed.TotalSeconds, res);
            }
            var (first, created) = await Import();
            var (second, again) = await Import();
            if (!created.Ok || created.Created != rows || again.Unchanged != rows)
                sb.AppendLine($"⚠ import result: ok={created.Ok} created={created.Created} unchanged={again.Unchanged} {created.Message}");

            // Export: the ledger export of the imported items (query, lights, styled sheet, streamed zip) against the
            // Excel library writing as many rows of the same 14 columns from memory.
            var exportFile = file + ".export.xlsx";
            double exportSeconds, libWriteSeconds;
            await using (var db = make(holder))
            await using (var output = File.Create(exportFile))
            {
                var t = Stopwatch.StartNew();
                await LedgerExport.WriteAsync(output, db, TimeProvider.System, WorkingCalendar.Shipped(), LightRules.Default, null,
                    new LedgerFilter { OrgId = orgId }, "广州市发展和改革委员会整改台账", "bench", DateTime.UtcNow, default);
                exportSeconds = t.Elapsed.TotalSeconds;
            }
            {
                var t = Stopwatch.StartNew();
                MiniExcel.SaveAs(exportFile, Enumerable.Range(1, rows).Select(i => LedgerExport.Headers.Select((h, k) => (h, k))
                    .ToDictionary(x => x.h, x => (object?)(x.k == 0 ? i : $"第{i}项 {x.h}：压减审批环节，推行并联审批和容缺受理"))),
                    overwriteFile: true);
                libWriteSeconds = t.Elapsed.TotalSeconds;
            }
            File.Delete(exportFile);

            sb.AppendLine($"### Ledger import — {engine}, {rows:N0} rows ({size / 1024.0 / 1024:0.0} MB .xlsx, written in {writeSeconds:0.0} s)");
            sb.AppendLine();
            sb.AppendLine("| step | seconds | rows/s | ratio to the Excel library reading the sheet |");
            sb.AppendLine("|---|---:|---:|---:|");
            void Row(string name, double secs) =>
                sb.AppendLine($"| {name} | {secs:0.00} | {rows / secs:N0} | {secs / libSeconds:0.0} |");
            Row($"MiniExcel reads every cell ({cells:N0} cells) — baseline", libSeconds);
            Row("Bihuan's streaming sheet reader (Sheets.Read)", readerSeconds);
            Row("import, first time: read + validate + commit problems, items and audit entries", first);
            Row("import, same file again: read + validate, every row 不变", second);
            sb.AppendLine();
            sb.AppendLine($"| export | seconds | rows/s | ratio to the Excel library writing the rows |");
            sb.AppendLine("|---|---:|---:|---:|");
            sb.AppendLine($"| MiniExcel writes {rows:N0} rows × {LedgerExport.Headers.Length} columns from memory — baseline | {libWriteSeconds:0.00} | {rows / libWriteSeconds:N0} | 1.0 |");
            sb.AppendLine($"| Bihuan's ledger export of those items (query, lights, styles, streamed) | {exportSeconds:0.00} | {rows / exportSeconds:N0} | {exportSeconds / libWriteSeconds:0.0} |");
            sb.AppendLine();
        }
        finally
        {
            File.Delete(file);
            await cleanup();
        }
        return sb.ToString();
    }

    /// A migrated database with the city and one unit (广州市发展和改革委员会) to import into: the unit's id.
    internal static async Task<int> ArrangeUnitAsync(Func<ScopeHolder, BihuanDb> make, ScopeHolder holder)
    {
        await using var db = make(holder);
        await DatabaseSetup.MigrateAsync(db);
        var root = new Org { Name = "中共广州市委员会", Code = "GZ", Type = OrgType.PartyCommittee, Path = "/", CreatedAt = DateTime.UtcNow };
        db.Orgs.Add(root);
        await db.SaveChangesAsync();
        var unit = new Org { Name = "广州市发展和改革委员会", Code = "GZ-FGW", Type = OrgType.Agency, ParentId = root.Id,
            Path = root.SelfPath, Depth = 1, CreatedAt = DateTime.UtcNow };
        db.Orgs.Add(unit);
        await db.SaveChangesAsync();
        return unit.Id;
    }

    /// The office layout: a merged title row, a header row with common variants, then data rows.
    internal static void Write(string file, int rows)
    {
        var rng = new Random(7);
        IEnumerable<Dictionary<string, object?>> Rows()
        {
            yield return new() { ["A"] = "广州市发展和改革委员会整改台账", ["B"] = null, ["C"] = null, ["D"] = null, ["E"] = null, ["F"] = null, ["G"] = null };
            yield return new() { ["A"] = "序号", ["B"] = "问题来源", ["C"] = "存在问题", ["D"] = "整改措施", ["E"] = "责任单位", ["F"] = "完成时限", ["G"] = "责任人" };
            for (var i = 1; i <= rows; i++)
                yield return new()
                {
                    ["A"] = i, ["B"] = Sources[rng.Next(Sources.Length)],
                    ["C"] = $"项目审批环节多、材料重复提交，企业反映“跑多次”（第{i}项）",
                    ["D"] = "压减审批环节，推行并联审批和容缺受理，建立一次性告知制度",
                    ["E"] = "广州市发展和改革委员会", ["F"] = Deadlines[rng.Next(Deadlines.Length)], ["G"] = "张丽娟",
                };
        }
        MiniExcel.SaveAs(file, Rows(), printHeader: false);
    }
}
