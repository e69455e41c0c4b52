using System.Linq.Expressions;
using Bihuan.Domain;
using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Bihuan.Data;

/// The database. It is the repository: features inject it and query it directly. Its query filters are the ONE
/// place where scope (the org subtree a signed-in account may see) is enforced, so pages, API, exports and search
/// cannot differ. A record outside the scope simply does not exist for the caller (404, never 403).
public abstract class BihuanDb(DbContextOptions options, ScopeHolder scope)
    : IdentityUserContext<Account>(options), IDataProtectionKeyContext
{
    readonly ScopeHolder _scope = scope;
    internal readonly List<AuditEntry> PendingEvents = [];

    ChainKeyRing? _chainKeys;

    /// The audit chain's keys, held outside the database (ADR 0018), from the app's services; a context made without
    /// them (benchmarks, tools) is unkeyed.
    public ChainKeyRing ChainKeys => _chainKeys ??= this.GetService<IDbContextOptions>()
        .FindExtension<CoreOptionsExtension>()?.ApplicationServiceProvider?.GetService<ChainKeyRing>()
        ?? ChainKeyRing.Unkeyed;

    public AccessScope Access => _scope.Current;
    public string Actor => _scope.Actor;

    // Read by the query filters on every query (EF parameterizes them per execution).
    internal bool ScopeAll => _scope.Current.IsSystem;
    internal List<string> ScopePaths => _scope.Current.SubtreePaths;
    internal List<int> ScopeOrgIds => _scope.Current.OrgIds;
    internal List<string> ScopeRecordPaths => _scope.Current.RecordPaths;
    internal List<int> ScopeRecordOrgIds => _scope.Current.RecordOrgIds;
    internal string? ScopeAccount => _scope.Current.AccountId;
    bool ScopeSystemRecords => _scope.Current.CanAnywhere(Permission.ManageSettings);

    public DbSet<Org> Orgs => Set<Org>();
    public DbSet<Person> People => Set<Person>();
    public DbSet<RoleGrant> RoleGrants => Set<RoleGrant>();
    public DbSet<AccessToken> AccessTokens => Set<AccessToken>();
    public DbSet<Campaign> Campaigns => Set<Campaign>();
    public DbSet<AuditEntry> AuditEntries => Set<AuditEntry>();
    public DbSet<DeviationCategory> Categories => Set<DeviationCategory>();
    public DbSet<Problem> Problems => Set<Problem>();
    public DbSet<RectItem> RectItems => Set<RectItem>();
    public DbSet<RectUpdate> RectUpdates => Set<RectUpdate>();
    public DbSet<Upload> Uploads => Set<Upload>();
    public DbSet<FileCitation> FileCitations => Set<FileCitation>();
    public DbSet<InspectionCheck> InspectionChecks => Set<InspectionCheck>();
    public DbSet<ClosureChainRule> ClosureChains => Set<ClosureChainRule>();
    public DbSet<JobRun> JobRuns => Set<JobRun>();
    public DbSet<HealthProbe> HealthProbes => Set<HealthProbe>();
    public DbSet<LightSnapshot> LightSnapshots => Set<LightSnapshot>();
    public DbSet<Rollup> Rollups => Set<Rollup>();
    public DbSet<RollupDay> RollupDays => Set<RollupDay>();
    public DbSet<RollupMark> RollupMarks => Set<RollupMark>();
    public DbSet<CalendarYear> CalendarYears => Set<CalendarYear>();
    public DbSet<Plan> Plans => Set<Plan>();
    public DbSet<PlanVersion> PlanVersions => Set<PlanVersion>();
    public DbSet<PlanEvent> PlanEvents => Set<PlanEvent>();
    public DbSet<DutyTask> DutyTasks => Set<DutyTask>();
    public DbSet<MeetingType> MeetingTypes => Set<MeetingType>();
    public DbSet<Meeting> Meetings => Set<Meeting>();
    public DbSet<MeetingItem> MeetingItems => Set<MeetingItem>();
    public DbSet<MeetingAttendance> Attendance => Set<MeetingAttendance>();
    public DbSet<MakeUpTask> MakeUpTasks => Set<MakeUpTask>();
    public DbSet<StudyMaterial> StudyMaterials => Set<StudyMaterial>();
    public DbSet<StudyArticle> StudyArticles => Set<StudyArticle>();
    public DbSet<StudyRecord> StudyRecords => Set<StudyRecord>();
    public DbSet<Rule> Rules => Set<Rule>();
    public DbSet<SupervisionOrder> SupervisionOrders => Set<SupervisionOrder>();
    public DbSet<SupervisionEvent> SupervisionEvents => Set<SupervisionEvent>();
    public DbSet<Interview> Interviews => Set<Interview>();
    public DbSet<Notification> Notifications => Set<Notification>();
    public DbSet<NotificationPreference> NotificationPreferences => Set<NotificationPreference>();
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();
    public DbSet<WorkOrder> WorkOrders => Set<WorkOrder>();
    public DbSet<WorkOrderEvent> WorkOrderEvents => Set<WorkOrderEvent>();
    public DbSet<DemandContact> DemandContacts => Set<DemandContact>();
    public DbSet<TicketCounter> TicketCounters => Set<TicketCounter>();
    public DbSet<Open311Key> Open311Keys => Set<Open311Key>();

    public abstract DatabaseEngine Engine { get; }

    protected override void ConfigureConventions(ModelConfigurationBuilder b)
    {
        b.Properties<DateTime>().HaveConversion<UtcConverter>();
        b.Properties<DateTime?>().HaveConversion<UtcConverter>();
        b.Properties<string>().HaveMaxLength(4000);
    }

    protected override void OnModelCreating(ModelBuilder b)
    {
        base.OnModelCreating(b);
        b.ApplyConfigurationsFromAssembly(typeof(BihuanDb).Assembly, t => t.Namespace == typeof(BihuanDb).Namespace);
        b.UseStoredEnumConverters();   // a stored enum text that names no member reads as invalid, not as an exception

        // No "ScopeAll OR …" here: an OR with a parameter stops the engines from using the OrgId index. The System
        // scope instead holds the path prefix "/", which every org has.
        b.Entity<Org>().HasQueryFilter(o => ScopePaths.Any(p => o.Path.StartsWith(p)) || ScopeOrgIds.Contains(o.Id));
        OwnedByOrg<Person>(b);
        OwnedByOrg<LightSnapshot>(b);
        OwnedByOrg<RoleGrant>(b);
        OwnedByOrg<Problem>(b);
        OwnedByOrg<RectItem>(b);
        OwnedByOrg<RectUpdate>(b);
        OwnedByOrg<InspectionCheck>(b);
        // Public demands are dispatched across the whole scope (the 12345 desk reads them, not the units' records).
        OwnedByOrg<WorkOrder>(b, records: false);
        OwnedByOrg<Open311Key>(b, records: false);
        // A work order's timeline and contact follow the order (it moves between orgs when dispatched or sent back).
        b.Entity<WorkOrderEvent>().HasQueryFilter(e => Set<WorkOrder>().Select(o => o.Id).Contains(e.WorkOrderId));
        b.Entity<DemandContact>().HasQueryFilter(c => Set<WorkOrder>().Select(o => o.Id).Contains(c.WorkOrderId));
        OwnedByOrg<Plan>(b);
        OwnedByOrg<PlanVersion>(b);
        OwnedByOrg<PlanEvent>(b);
        OwnedByOrg<DutyTask>(b);
        OwnedByOrg<Meeting>(b);
        OwnedByOrg<MeetingItem>(b);
        OwnedByOrg<MeetingAttendance>(b);
        OwnedByOrg<MakeUpTask>(b);
        OwnedByOrg<StudyRecord>(b);
        OwnedByOrg<Rule>(b);
        OwnedByOrg<SupervisionOrder>(b);
        OwnedByOrg<SupervisionEvent>(b);
        OwnedByOrg<Interview>(b);
        // Files are records' children (ADR 0008): a citation is visible exactly when the record citing it is, and an
        // upload when a visible citation names it — or, to its uploader, until it is attached. A hash opens nothing.
        b.Entity<FileCitation>().HasQueryFilter(FileFilters.Citation(this));
        b.Entity<Upload>().HasQueryFilter(FileFilters.Upload(this));
        // Notifications are personal: each account sees its own (jobs and the CLI see all).
        b.Entity<Notification>().HasQueryFilter(x => ScopeAll || x.AccountId == ScopeAccount);
        b.Entity<NotificationPreference>().HasQueryFilter(x => ScopeAll || x.AccountId == ScopeAccount);
        b.Entity<AccessToken>().HasQueryFilter(x => ScopeAll || x.AccountId == ScopeAccount);
        // Entries of records that belong to no org (accounts, campaigns, the calendar) are for administrators.
        b.Entity<AuditEntry>().HasQueryFilter(x => ScopeAll
            || (x.OrgPath == null ? ScopeSystemRecords : ScopePaths.Any(p => x.OrgPath.StartsWith(p))));
    }

    /// A record owned by an org is visible when its OrgId is among the orgs in scope — for a unit's records, the orgs
    /// of the grants that hold Permission.ReadRecords (AccessScope.RecordPaths). Written as an uncorrelated
    /// "OrgId IN (SELECT Id FROM Orgs WHERE …)" subquery inside the SQL (never materialized in .NET): the engine
    /// evaluates the small org set once and answers from the OrgId index instead of testing paths row by row.
    void OwnedByOrg<T>(ModelBuilder b, bool records = true) where T : class, IOrgOwned
    {
        var x = Expression.Parameter(typeof(T), "x");
        var org = Expression.Property(x, nameof(IOrgOwned.OrgId));
        b.Entity<T>().HasQueryFilter(Expression.Lambda<Func<T, bool>>(OrgInScope(records).Apply(org), x));
    }

    /// The one org-scope subquery: is this org id among the orgs in the caller's scope — the records' scope
    /// (grants holding ReadRecords) or the whole scope (work orders, keys). Shared by OwnedByOrg and FileFilters.
    internal Expression<Func<int, bool>> OrgInScope(bool records) => records
        ? id => Set<Org>().IgnoreQueryFilters()
            .Where(o => ScopeRecordPaths.Any(p => o.Path.StartsWith(p)) || ScopeRecordOrgIds.Contains(o.Id))
            .Select(o => o.Id).Contains(id)
        : id => Set<Org>().IgnoreQueryFilters()
            .Where(o => ScopePaths.Any(p => o.Path.StartsWith(p)) || ScopeOrgIds.Contains(o.Id))
            .Select(o => o.Id).Contains(id);

    public override int SaveChanges(bool acceptAllChangesOnSuccess) =>
        SaveChangesAsync(acceptAllChangesOnSuccess).GetAwaiter().GetResult();

    /// Saves the change and, in the same transaction, appends one chained audit entry per audited record changed.
    /// Marks the orgs whose dashboard roll-ups the change makes stale (RollupMarks), in the same transaction.
    public override async Task<int> SaveChangesAsync(bool acceptAllChangesOnSuccess, CancellationToken ct = default)
    {
        StoredText.Clean(ChangeTracker);
        await Data.RollupMarks.AddAsync(this, ct);
        return await AuditTrail.SaveWithAuditAsync(this, () => base.SaveChangesAsync(acceptAllChangesOnSuccess, ct), ct);
    }

    internal Task<int> SaveWithoutAuditAsync(CancellationToken ct) => base.SaveChangesAsync(true, ct);

    /// Records an event that is not a row change (an account created, a password reset) in the chain.
    public void RecordEvent(string entityType, string entityId, string note, string? orgPath = null) =>
        PendingEvents.Add(new AuditEntry
        {
            Actor = Actor, EntityType = entityType, EntityId = entityId, Action = AuditAction.Event,
            Note = note, OrgPath = orgPath, PrevHash = "",
        });

    sealed class UtcConverter() : ValueConverter<DateTime, DateTime>(
        v => v.Kind == DateTimeKind.Utc ? v : v.Kind == DateTimeKind.Local ? v.ToUniversalTime() : DateTime.SpecifyKind(v, DateTimeKind.Utc),
        v => DateTime.SpecifyKind(v, DateTimeKind.Utc));
}

public enum DatabaseEngine { Sqlite, Postgres }

/// The access scope of the current unit of work: set once per request by the scope middleware, System for the
/// CLI and background jobs, Nobody (sees nothing) until then.
public sealed class ScopeHolder
{
    public AccessScope Current { get; set; } = AccessScope.Nobody;
    public string Actor { get; set; } = "anonymous";

    public static ScopeHolder ForSystem(string actor = "system") => new() { Current = AccessScope.System, Actor = actor };
}

public sealed class SqliteBihuanDb(DbContextOptions<SqliteBihuanDb> options, ScopeHolder scope) : BihuanDb(options, scope)
{
    public override DatabaseEngine Engine => DatabaseEngine.Sqlite;
}

public sealed class PostgresBihuanDb(DbContextOptions<PostgresBihuanDb> options, ScopeHolder scope) : BihuanDb(options, scope)
{
    public override DatabaseEngine Engine => DatabaseEngine.Postgres;
}
