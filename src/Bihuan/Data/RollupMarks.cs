using Bihuan.Domain;
using Microsoft.EntityFrameworkCore;

namespace Bihuan.Data;

/// Before every save: one RollupMark per (org, kind) whose own records of a rolled-up kind are added, changed or
/// deleted, so the dashboards' roll-ups are brought up to date for exactly those orgs (and their ancestors) before
/// they are next read. A moved or deleted org marks the tree ("Org"): its sections are rebuilt whole.
/// Bulk writes that bypass SaveChanges (BulkInsert for generated datasets) leave no marks: the generator writes
/// into an empty database, whose roll-ups do not exist yet and are built whole on first read.
public static class RollupMarks
{
    public const string Tree = "Org";

    /// The record types dashboard sections count (IRollup.Sources must be among these; a test checks it).
    public static readonly IReadOnlySet<Type> Tracked = new HashSet<Type>
    {
        typeof(RectItem), typeof(SupervisionOrder), typeof(WorkOrder), typeof(Plan), typeof(Meeting),
        typeof(MeetingAttendance), typeof(MakeUpTask), typeof(StudyRecord), typeof(Rule), typeof(Person),
    };

    public static async Task AddAsync(BihuanDb db, CancellationToken ct)
    {
        HashSet<(int, string)>? marks = null;
        void Mark(int orgId, string kind) => (marks ??= []).Add((orgId, kind));
        foreach (var e in db.ChangeTracker.Entries())
        {
            if (e.State is not (EntityState.Added or EntityState.Modified or EntityState.Deleted)) continue;
            switch (e.Entity)
            {
                case Org org when e.State == EntityState.Deleted
                                  || (e.State == EntityState.Modified && (e.Property(nameof(Org.Path)).IsModified || e.Property(nameof(Org.ParentId)).IsModified)):
                    Mark(org.Id, Tree);
                    break;
                case Problem p when e.State == EntityState.Modified
                                    && (e.Property(nameof(Problem.CategoryId)).IsModified || e.Property(nameof(Problem.Dimension)).IsModified
                                        || e.Property(nameof(Problem.Aspect)).IsModified):
                    // Items are counted by their problem's attributes: the orgs of its items.
                    var id = p.Id;
                    foreach (var orgId in await db.RectItems.IgnoreQueryFilters().Where(i => i.ProblemId == id).Select(i => i.OrgId)
                                 .Distinct().ToListAsync(ct))
                        Mark(orgId, nameof(RectItem));
                    break;
                case IOrgOwned owned when Tracked.Contains(e.Entity.GetType()):
                    var kind = e.Entity.GetType().Name;
                    Mark(owned.OrgId, kind);
                    if (e.State == EntityState.Modified && e.Property(nameof(IOrgOwned.OrgId)).OriginalValue is int before && before != owned.OrgId)
                        Mark(before, kind);
                    break;
            }
        }
        if (marks is null) return;
        foreach (var (orgId, kind) in marks) db.RollupMarks.Add(new RollupMark { OrgId = orgId, Kind = kind });
    }
}
