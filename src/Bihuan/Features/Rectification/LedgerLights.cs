using System.Linq.Expressions;
using Bihuan.Data;
using Bihuan.Domain;
using Microsoft.EntityFrameworkCore;

namespace Bihuan.Features.Rectification;

/// The ledger's light filter. Lights are computed, never stored (Domain/Lights.cs), so the filter works in two parts:
/// Invalid (an open item holding a value the light cannot use, UnusableValues in SQL) and red's rules are calendar
/// facts and counters and run in SQL exactly (past the deadline while open; returned too often; reopened). Blue and yellow count working days, so the open items that are not red are read as small tuples
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
            var rows = await q.Where(RectItem.Open)
                .Select(i => new { i.Id, i.Status, i.DeadlineKind, i.StartOn, i.Deadline, i.Percent })
                .AsNoTracking().ToListAsync(ct);
            var lagging = rows
                .Where(x => Lights.IsLagging(LagInput(x.Status, x.DeadlineKind, x.StartOn, x.Deadline, x.Percent, today),
                    rules, cal))
                .Select(x => x.Id).ToList();
            q = q.Where(i => lagging.Contains(i.Id));
        }
        if (f.Light is not { } level) return q;
        if (!Enum.IsDefined(level)) throw new DomainException(new Invalid("light", "未知的预警等级"));
        var red = Red(db, today, rules);
        if (level == LightLevel.Red) return q.Where(red);
        var invalid = Invalid(db);
        if (level == LightLevel.Invalid) return q.Where(invalid);

        var open = await q.Where(Not(red)).Where(Not(invalid))
            .Where(RectItem.Open)
            .Select(i => new
            {
                i.Id, i.Status, i.DeadlineKind, i.StartOn, i.Deadline, i.Percent, i.LastProgressOn, i.ReturnCount, i.ReopenCount,
            })
            .AsNoTracking().ToListAsync(ct);
        var ids = open.Where(x => Lights.Of(new LightInput(x.Status, x.DeadlineKind, x.StartOn, x.Deadline, x.Percent,
                x.LastProgressOn, x.ReturnCount, x.ReopenCount, 0, today), rules, cal).Level == level)
            .Select(x => x.Id).ToList();
        return level == LightLevel.Green
            ? q.Where(Or(RectItem.Closed, i => ids.Contains(i.Id)))
            : q.Where(i => ids.Contains(i.Id));
    }

    /// What Lights.IsLagging reads of an item (the lag rule needs no progress date or counters).
    public static LightInput LagInput(RectStatus status, DeadlineKind kind, DateOnly start, DateOnly? deadline,
        int percent, DateOnly today) => new(status, kind, start, deadline, percent, null, 0, 0, 0, today);

    /// The inputs Lights.Unusable tests, as an item's fields.
    static readonly string[] LightInputs =
        [nameof(RectItem.Status), nameof(RectItem.DeadlineKind), nameof(RectItem.Deadline), nameof(RectItem.StartOn),
         nameof(RectItem.LastProgressOn), nameof(RectItem.Percent)];

    /// Lights.Of's Invalid light, as SQL: open (its status is neither closed one) and an input it cannot use.
    public static Expression<Func<RectItem, bool>> Invalid(BihuanDb db) =>
        And(RectItem.Open, UnusableValues.Where<RectItem>(db.Model, LightInputs));

    /// Lights.Of's red rules for a rectification item, as SQL: open, every light input usable, and past its deadline
    /// (立行立改 without a date is due on its start day), or returned at least RedAfterReturns times, or reopened (when
    /// RedOnReopen).
    public static Expression<Func<RectItem, bool>> Red(BihuanDb db, DateOnly today, LightRules rules)
    {
        var minReturns = rules.RedAfterReturns is { } r ? Math.Max(1, r) : int.MaxValue;
        var minReopens = rules.RedOnReopen ? 1 : int.MaxValue;
        return And(And(Not(Invalid(db)), RectItem.Open),
            i => (i.DeadlineKind == DeadlineKind.Dated && i.Deadline < today)
                || (i.DeadlineKind == DeadlineKind.Immediate && (i.Deadline ?? i.StartOn) < today)
                || i.ReturnCount >= minReturns
                || i.ReopenCount >= minReopens);
    }

    static Expression<Func<RectItem, bool>> Not(Expression<Func<RectItem, bool>> a) =>
        Expression.Lambda<Func<RectItem, bool>>(Expression.Not(a.Body), a.Parameters);

    static Expression<Func<RectItem, bool>> Or(Expression<Func<RectItem, bool>> a,
        Expression<Func<RectItem, bool>> b) => Expression.Lambda<Func<RectItem, bool>>(
            Expression.OrElse(a.Body, new Rebind(b.Parameters[0], a.Parameters[0]).Visit(b.Body)), a.Parameters);

    static Expression<Func<RectItem, bool>> And(Expression<Func<RectItem, bool>> a, Expression<Func<RectItem, bool>> b) =>
        Expression.Lambda<Func<RectItem, bool>>(Expression.AndAlso(a.Body, new Rebind(b.Parameters[0], a.Parameters[0]).Visit(b.Body)),
            a.Parameters);

    sealed class Rebind(ParameterExpression from, ParameterExpression to) : ExpressionVisitor
    {
        protected override Expression VisitParameter(ParameterExpression node) => node == from ? to : base.VisitParameter(node);
    }
}
