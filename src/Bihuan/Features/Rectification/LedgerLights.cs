using System.Linq.Expressions;
using Bihuan.Data;
using Bihuan.Domain;
using Microsoft.EntityFrameworkCore;

namespace Bihuan.Features.Rectification;

/// The ledger's light filter. Lights are computed, never stored (Domain/Lights.cs), so the filter works in two parts:
/// red's rules are calendar facts and counters and run in SQL exactly (past the deadline while open; returned too
/// often; reopened). Blue and yellow count working days, so the open items that are not red are read as small tuples
/// and their light computed with the same Lights.Of the list shows; the matching ids go back to SQL as one array
/// parameter, so counting, sorting and paging stay in the database.
public static class LedgerLights
{
    public static async Task<IQueryable<RectItem>> FilterAsync(BihuanDb db, LedgerFilter f, DateOnly today, string? accountId,
        WorkingCalendar cal, LightRules rules, CancellationToken ct)
    {
        var q = RectApi.Filter(db, f, today, accountId);
        if (f.Lagging == true)
        {
            var rows = await q.Where(i => i.Status != RectStatus.Closed && i.Status != RectStatus.Confirmed)
                .Select(i => new { i.Id, i.Status, i.DeadlineKind, i.StartOn, i.Deadline, i.Percent })
                .AsNoTracking().ToListAsync(ct);
            var lagging = rows.Where(x => IsLagging(x.Status, x.DeadlineKind, x.StartOn, x.Deadline, x.Percent, today, rules, cal))
                .Select(x => x.Id).ToList();
            q = q.Where(i => lagging.Contains(i.Id));
        }
        if (f.Light is not { } level) return q;
        if (!Enum.IsDefined(level)) throw new DomainException(new Invalid("light", "未知的预警等级"));
        var red = Red(today, rules);
        if (level == LightLevel.Red) return q.Where(red);

        var notRed = Expression.Lambda<Func<RectItem, bool>>(Expression.Not(red.Body), red.Parameters);
        var open = await q.Where(notRed).Where(i => i.Status != RectStatus.Closed && i.Status != RectStatus.Confirmed)
            .Select(i => new
            {
                i.Id, i.Status, i.DeadlineKind, i.StartOn, i.Deadline, i.Percent, i.LastProgressOn, i.ReturnCount, i.ReopenCount,
            })
            .AsNoTracking().ToListAsync(ct);
        var ids = open.Where(x => Lights.Of(new LightInput(x.Status, x.DeadlineKind, x.StartOn, x.Deadline, x.Percent,
                x.LastProgressOn, x.ReturnCount, x.ReopenCount, 0, today), rules, cal).Level == level)
            .Select(x => x.Id).ToList();
        return level == LightLevel.Green
            ? q.Where(i => i.Status == RectStatus.Closed || i.Status == RectStatus.Confirmed || ids.Contains(i.Id))
            : q.Where(i => ids.Contains(i.Id));
    }

    /// 序时进度滞后: Lights.Of's lag rule alone (the owner is active, the deadline has not passed, and reported progress
    /// trails the expected progress to date by more than LagPercentPoints).
    public static bool IsLagging(RectStatus status, DeadlineKind kind, DateOnly start, DateOnly? deadline, int percent,
        DateOnly today, LightRules rules, WorkingCalendar cal)
    {
        if (status is RectStatus.Closed or RectStatus.Confirmed or RectStatus.ClosureRequested) return false;
        if (rules.LagPercentPoints is not { } maxLag) return false;
        var due = kind switch { DeadlineKind.Dated => deadline, DeadlineKind.Immediate => deadline ?? start, DeadlineKind.Ongoing => null };
        if (due is not { } d || d < today || d <= start) return false;
        return Lights.ExpectedPercent(start, d, today, cal) - Math.Clamp(percent, 0, 100) > maxLag;
    }

    /// Lights.Of's red rules for a rectification item, as SQL: open and past its deadline (立行立改 without a date is
    /// due on its start day), or returned at least RedAfterReturns times, or reopened (when RedOnReopen).
    public static Expression<Func<RectItem, bool>> Red(DateOnly today, LightRules rules)
    {
        var minReturns = rules.RedAfterReturns is { } r ? Math.Max(1, r) : int.MaxValue;
        var minReopens = rules.RedOnReopen ? 1 : int.MaxValue;
        return i => i.Status != RectStatus.Closed && i.Status != RectStatus.Confirmed
            && ((i.DeadlineKind == DeadlineKind.Dated && i.Deadline < today)
                || (i.DeadlineKind == DeadlineKind.Immediate && (i.Deadline ?? i.StartOn) < today)
                || i.ReturnCount >= minReturns
                || i.ReopenCount >= minReopens);
    }
}
