using Bihuan.Data;
using Bihuan.Domain;
using Microsoft.EntityFrameworkCore;

namespace Bihuan.Features.Notifications;

/// Who acts next after a handoff: exactly the accounts for which the record's lifecycle (asked with the account's
/// own AccessScope, built from its grants as a request would) offers the next act. Only grants on the records' orgs or
/// their ancestors can reach them, so only those are read. The actor is never told of their own act.
public static class NextActors
{
    public static async Task<List<string>> AccountsAsync(BihuanDb db, IReadOnlyCollection<int> orgIds,
        Func<AccessScope, bool> canAct, string? actor, CancellationToken ct)
    {
        var paths = await db.Delivery<Org>().Where(o => orgIds.Contains(o.Id)).Select(o => new { o.Id,
            o.Path }).ToListAsync(ct);
        var reach = paths.SelectMany(o => o.Path.Split('/', StringSplitOptions.RemoveEmptyEntries)
            .Select(x => int.TryParse(x, out var i) ? i : 0).Append(o.Id)).Distinct().ToList();
        var grants = await db.Delivery<RoleGrant>().Where(g => reach.Contains(g.OrgId))
            .Select(g => new { g.AccountId, g.Role, g.OrgId, g.Org!.Path }).ToListAsync(ct);
        return grants.GroupBy(g => g.AccountId)
            .Where(a => a.Key != actor
                && canAct(AccessScope.For(a.Key, a.Select(g => new Grant(g.Role, g.OrgId, $"{g.Path}{g.OrgId}/")))))
            .Select(a => a.Key).Order(StringComparer.Ordinal).ToList();
    }
}

/// One handoff to tell of: what happened (Kind, Title, Link), on which orgs' records, and who can act next (CanAct).
public sealed record Handoff
{
    public required NotificationKind Kind { get; init; }
    public required string Title { get; init; }
    public required string Link { get; init; }
    /// Unique per handoff (the record, the act and its time): a retried request tells nobody twice.
    public required string Key { get; init; }
    public required IReadOnlyCollection<int> OrgIds { get; init; }
    public required Func<AccessScope, bool> CanAct { get; init; }
    public required string ActorId { get; init; }

    /// Stages one notification per next actor in the caller's context (saved with the handoff, mailed after commit).
    public async Task<List<string>> StageAsync(BihuanDb db, DateTime now, CancellationToken ct)
    {
        var to = await NextActors.AccountsAsync(db, OrgIds, CanAct, ActorId, ct);
        var title = Title.Length <= 60 ? Title : Title[..60] + "…";
        await Notifier.StageAsync(db, to.ConvertAll(a => new NewNotification(a, Kind, $"{Kind.Label()}：{title}",
            null, Link, Key)),
            now, ct);
        return to;
    }
}
