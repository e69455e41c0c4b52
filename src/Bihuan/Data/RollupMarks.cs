using Bihuan.Domain;
using Microsoft.EntityFrameworkCore;

namespace Bihuan.Data;

/// Before every save: one RollupMark per (org, kind) whose own records of a rolled-up kind are added, changed or
/// deleted, so the dashboards' roll-ups are brought up to date for exactly those orgs (and their ancestors) before
/// they are next read. A moved or deleted org marks the tree ("Org"): its sections are rebuilt whole.
/// Some sections count beyond records an org owns: the plans section counts the orgs expected to submit (an org added
/// or archived, a campaign published), the study section a campaign's articles (catalog changed) — those mark the tree
/// too, or the archived org for plans; a study record also changes its person's org (where the person counts) and
/// the orgs of the person's 补学 (done once every article has a record), which may differ after the person moved.
/// Bulk writes that bypass SaveChanges (BulkInsert for generated datasets) leave no marks: the generator writes
/// into an empty database, whose roll-ups do not exist yet and are built whole on first read.
public static class RollupMarks
{
    public const string Tree = "Org";

    /// The record types dashboard sections count (IRollup.Sources must be among these; a test checks it).
    public static readonly IReadOnlySet<Type> Tracked = new HashSet<Type>
    {
        typeof(RectItem), typeof(SupervisionOrder), typeof(WorkOrder), typeof(Plan), typeof(Meeting),
        typeof(MeetingAttendance), typeof(MakeUpTask), typeof(StudyRecord), typeof(Rule), typeof(Person), typeof(WorkOrderEvent),
    };

    public static async Task AddAsync(BihuanDb db, CancellationToken ct)
    {
        HashSet<(int, string)>? marks = null;
        HashSet<int>? studied = null;
        void Mark(int orgId, string kind) => (marks ??= []).Add((orgId, kind));
        foreach (var e in db.ChangeTracker.Entries())
        {
            if (e.State is not (EntityState.Added or EntityState.Modified or EntityState.Deleted)) continue;
            if (e.Entity is StudyRecord record)
            {
                (studied ??= []).Add(record.PersonId);
                if (e.State == EntityState.Modified && e.Property(nameof(StudyRecord.PersonId)).OriginalValue is int was) studied.Add(was);
            }
            switch (e.Entity)
            {
                case Org org when e.State is EntityState.Deleted or EntityState.Added
                                  || (e.State == EntityState.Modified && (e.Property(nameof(Org.Path)).IsModified || e.Property(nameof(Org.ParentId)).IsModified)):
                    Mark(e.State == EntityState.Added ? org.ParentId ?? 0 : org.Id, Tree);
                    break;
                case Org org when e.State == EntityState.Modified && e.Property(nameof(Org.Archived)).IsModified:
                    Mark(org.Id, nameof(Plan));
                    break;
                case Campaign c when c.PublishedAt is not null || e.Property(nameof(Campaign.PublishedAt)).OriginalValue is not null:
                    Mark(c.RootOrgId ?? 0, Tree);
                    break;
                case StudyArticle when e.State != EntityState.Modified
                                       || e.Property(nameof(StudyArticle.IsCore)).IsModified || e.Property(nameof(StudyArticle.MaterialId)).IsModified:
                    Mark(0, Tree);
                    break;
                case Problem p when e.State == EntityState.Modified
                                    && (e.Property(nameof(Problem.CategoryId)).IsModified || e.Property(nameof(Problem.Dimension)).IsModified
                                        || e.Property(nameof(Problem.Aspect)).IsModified):
                    // Items are counted by their problem's attributes: the orgs of its items.
                    var id = p.Id;
                    foreach (var orgId in await db.StaleMarks<RectItem>().Where(i => i.ProblemId == id).Select(i => i.OrgId)
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
        if (studied is not null)
        {
            var ids = studied.ToList();
            foreach (var orgId in await db.StaleMarks<Person>().Where(p => ids.Contains(p.Id)).Select(p => p.OrgId)
                         .Union(db.StaleMarks<MakeUpTask>().Where(m => ids.Contains(m.PersonId)).Select(m => m.OrgId)).ToListAsync(ct))
                Mark(orgId, nameof(StudyRecord));
        }
        if (marks is null) return;
        foreach (var (orgId, kind) in marks) db.RollupMarks.Add(new RollupMark { OrgId = orgId, Kind = kind });
    }
}
