using Bihuan.Domain;
using Microsoft.EntityFrameworkCore;

namespace Bihuan.Data;

/// Every way past the caller's scope, named (ADR 0002, docs/architecture.md "Scope exits"). BihuanDb's query filters
/// are the one place scope is enforced; a query that must see rows outside the caller's scope calls one of these
/// methods instead of IgnoreQueryFilters(), so the reason is stated once and a reviewer reads the list here.
/// ScopeExitTests fails when IgnoreQueryFilters() appears anywhere else in src/ (the filters' own definitions in
/// BihuanDb.OwnedByOrg and FileFilters excepted), or when a method here is added without its listed reason.
///
/// Mind EF Core's rule: IgnoreQueryFilters() switches off EVERY filter of the query it ends up in, not only those of
/// the set it is called on — a filtered set joined to an exit is unfiltered too. Keep an exit's query to the rows
/// the reason covers, and answer the caller with what the reason allows (a yes/no, a name, a count).
public static class ScopeExits
{
    /// Org names, codes and paths are directory data, not records: a visible record, grant or campaign names orgs
    /// beyond the caller's subtree (a dispatch target, the org a demand asked for, the office over a unit, a
    /// campaign's root, the org of the caller's own grant), and a code typed by the caller resolves against the whole
    /// tree. Callers read names, codes and paths of orgs so named; an org's records stay behind their filters.
    public static IQueryable<Org> OrgDirectory(this BihuanDb db) => db.Orgs.IgnoreQueryFilters();

    /// The org tree's invariants hold for the whole city, whatever the administrator's scope: codes are unique, there
    /// is one root, siblings' sort order, archiving and moving a subtree, "the database is still empty" (seed,
    /// dataset), an org that is still referred to is not deleted, a grant or an import key is not stored twice.
    /// Callers answer yes/no or a count, or rewrite the tree they were allowed to change.
    public static IQueryable<T> ForIntegrity<T>(this BihuanDb db) where T : class => db.Set<T>().IgnoreQueryFilters();

    /// The audit chain is one sequence over all records (AuditTrail): appending needs the last entry and the path of
    /// the changed record's org whoever the writer is; verifying reads every entry and row. Never shown to a caller.
    public static IQueryable<T> AuditChain<T>(this BihuanDb db) where T : class => db.Set<T>().IgnoreQueryFilters();

    /// The same, for the audited entity types the chain walks by their model type (verification, added columns).
    public static IQueryable<object> AuditChainRows(this BihuanDb db, Type clrType) =>
        ((IQueryable<object>)typeof(DbContext).GetMethod(nameof(DbContext.Set), Type.EmptyTypes)!
            .MakeGenericMethod(clrType).Invoke(db, null)!).IgnoreQueryFilters();

    /// Signing in builds the scope, so it runs before there is one: the account's grants (by account id) and a bearer
    /// token (by its hash).
    public static IQueryable<T> SignIn<T>(this BihuanDb db) where T : class => db.Set<T>().IgnoreQueryFilters();

    /// The public portal and Open311 answer anonymous callers (scope Nobody) by ticket, phone limit or published
    /// flag (ADR 0005): only the fields the public may see, texts redacted (DemandPrivacy), contacts never shown.
    public static IQueryable<T> PublicDemands<T>(this BihuanDb db) where T : class => db.Set<T>().IgnoreQueryFilters();

    /// A work order moves between orgs (dispatched, sent back, merged), and its filter follows its current org. From a
    /// visible order the caller reads the tickets of its master and merged orders and its earlier orders of the same
    /// submitter, and merging updates the children; a unit's KPIs count the events that happened at it after the
    /// order left.
    public static IQueryable<T> OrderTrail<T>(this BihuanDb db) where T : class => db.Set<T>().IgnoreQueryFilters();

    /// A notification is delivered to other accounts than the writer's: their preferences, their earlier
    /// notifications with the same key (sent once), and the grants that say who is told.
    public static IQueryable<T> Delivery<T>(this BihuanDb db) where T : class => db.Set<T>().IgnoreQueryFilters();

    /// Roll-ups are computed once over the whole tree and shared by every reader (ADR 0007); the dashboard reads
    /// only the rows of a root in the caller's scope and its direct sub-units (even of a scope of own orgs only).
    public static IQueryable<T> RollupSource<T>(this BihuanDb db) where T : class => db.Set<T>().IgnoreQueryFilters();

    /// A change makes every org's roll-up stale that it touches, also those outside the writer's scope (a problem's
    /// items in other orgs, a person's make-up tasks): RollupMarks marks them in the writer's transaction.
    public static IQueryable<T> StaleMarks<T>(this BihuanDb db) where T : class => db.Set<T>().IgnoreQueryFilters();

    /// The caller's own person record ("mine" in the ledger), which their record scope need not include.
    public static IQueryable<Person> OwnPerson(this BihuanDb db) => db.People.IgnoreQueryFilters();

    /// The caller's own grants (the "me" endpoint), wherever they are.
    public static IQueryable<RoleGrant> OwnGrants(this BihuanDb db) => db.RoleGrants.IgnoreQueryFilters();

    /// The caller's own uploads among ids, attached or not, for orgs the caller still sees (the upload filter shows an
    /// uploader only unattached uploads; forwarding one's own attached file is allowed). The scope is applied again
    /// by hand (AccessScope.Sees) because the exit switched the filters off.
    public static async Task<List<Upload>> OwnUploadsAsync(this BihuanDb db, List<Guid> ids, CancellationToken ct)
    {
        var me = db.Access.AccountId;
        if (me is null) return [];
        var rows = await db.Uploads.IgnoreQueryFilters().Where(u => ids.Contains(u.Id) && u.UploadedById == me)
            .Join(db.Orgs.IgnoreQueryFilters(), u => u.OrgId, o => o.Id, (u, o) => new { u, o }).ToListAsync(ct);
        return rows.Where(x => db.Access.Sees(x.o)).Select(x => x.u).ToList();
    }

    /// Files cited by hash before ADR 0008 are moved while migrating, before any request and whatever the migrating
    /// process's scope: every record that cited one.
    public static IQueryable<T> LegacyFileOwners<T>(this BihuanDb db) where T : class =>
        db.Set<T>().IgnoreQueryFilters();

    /// Not an exit: the filter restated for speed, never wider. An account holding only own-org grants (a 联络员)
    /// sees exactly those orgs' items; the query filter says so as an IN-subquery over the org table, which PostgreSQL
    /// plans as a scan of the whole ledger, while OrgId = ANY(@ids) uses the OrgId index.
    public static IQueryable<RectItem> NarrowToOwnOrgs(this BihuanDb db, IQueryable<RectItem> q)
    {
        if (db.Access is not { IsSystem: false, RecordPaths.Count: 0, RecordOrgIds.Count: > 0 } own) return q;
        var ids = own.RecordOrgIds;
        return q.Where(i => ids.Contains(i.OrgId));
    }
}
