using Bihuan.Data;
using Bihuan.Domain;
using Bihuan.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Bihuan.Features.Rectification;

/// Daily: records each org's light counts of its own items (LightSnapshot), the history trend charts are drawn
/// from. Idempotent: a rerun for the same day replaces that day's rows in one transaction. Total over the ledger:
/// Lights.Of answers for any stored row, so one bad row cannot stop the snapshot for the city.
public sealed class LightSnapshotJob(WorkingCalendar cal, LightRules rules) : IBihuanJob
{
    public string Name => "light-snapshot";

    public string PeriodOf(DateTime nowCst) => DateOnly.FromDateTime(nowCst).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

    public async Task<string> RunAsync(BihuanDb db, string period, CancellationToken ct)
    {
        var day = DateOnly.ParseExact(period, "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        var counts = new Dictionary<int, LightSnapshot>();
        // Streamed as small tuples: the whole ledger is never held as entities.
        await foreach (var x in db.RectItems.AsNoTracking().Select(i => new
        {
            i.OrgId, i.Status, i.DeadlineKind, i.StartOn, i.Deadline, i.Percent, i.LastProgressOn, i.ReturnCount, i.ReopenCount,
        }).AsAsyncEnumerable().WithCancellation(ct))
        {
            if (!counts.TryGetValue(x.OrgId, out var s)) counts[x.OrgId] = s = new LightSnapshot { Day = day, OrgId = x.OrgId };
            if (!x.Status.IsOpen()) { s.Closed++; continue; }
            s.Open++;
            var light = Lights.Of(new LightInput(x.Status, x.DeadlineKind, x.StartOn, x.Deadline, x.Percent, x.LastProgressOn,
                x.ReturnCount, x.ReopenCount, 0, day), rules, cal);
            switch (light.Level)
            {
                case LightLevel.Red: s.Red++; break;
                case LightLevel.Yellow: s.Yellow++; break;
                case LightLevel.Blue: s.Blue++; break;
                case LightLevel.Green: s.Green++; break;
                // An item whose light cannot be computed (a stored 9999-12-31) counts as open, in no level: the
                // snapshot has no column for it, and putting it in one would pass it off as that light.
                case LightLevel.Invalid: continue;
            }
            if (Lights.DueOf(x.DeadlineKind, x.Deadline, x.StartOn) < day) s.Overdue++;
        }
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await db.LightSnapshots.Where(s => s.Day == day).ExecuteDeleteAsync(ct);
        db.LightSnapshots.AddRange(counts.Values);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return $"{counts.Count} 个组织，{counts.Values.Sum(c => c.Open)} 项未销号，红灯 {counts.Values.Sum(c => c.Red)} 项";
    }
}
