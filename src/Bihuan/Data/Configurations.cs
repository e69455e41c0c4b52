using Bihuan.Domain;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Bihuan.Data;

sealed class OrgConfiguration : IEntityTypeConfiguration<Org>
{
    public void Configure(EntityTypeBuilder<Org> b)
    {
        b.Property(x => x.Name).HasMaxLength(Org.NameMax);
        b.Property(x => x.Code).HasMaxLength(Org.CodeMax);
        b.Property(x => x.Path).HasMaxLength(400);
        b.Property(x => x.Type).HasConversion<string>().HasMaxLength(30);
        b.HasIndex(x => x.Code).IsUnique();
        b.HasIndex(x => x.Path);
        b.HasIndex(x => new { x.ParentId, x.SortOrder });
        b.HasIndex(x => x.Name);
        b.HasOne(x => x.Parent).WithMany().HasForeignKey(x => x.ParentId).OnDelete(DeleteBehavior.Restrict);
    }
}

sealed class PersonConfiguration : IEntityTypeConfiguration<Person>
{
    public void Configure(EntityTypeBuilder<Person> b)
    {
        b.Property(x => x.Name).HasMaxLength(Person.NameMax);
        b.Property(x => x.Position).HasMaxLength(50);
        b.Property(x => x.Phone).HasMaxLength(20);
        b.HasOne(x => x.Org).WithMany().HasForeignKey(x => x.OrgId).OnDelete(DeleteBehavior.Restrict);
        b.HasIndex(x => new { x.OrgId, x.Name });
    }
}

sealed class RoleGrantConfiguration : IEntityTypeConfiguration<RoleGrant>
{
    public void Configure(EntityTypeBuilder<RoleGrant> b)
    {
        b.Property(x => x.Role).HasConversion<string>().HasMaxLength(30);
        b.Property(x => x.AccountId).HasMaxLength(64);
        b.HasOne(x => x.Org).WithMany().HasForeignKey(x => x.OrgId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<Account>().WithMany().HasForeignKey(x => x.AccountId).OnDelete(DeleteBehavior.Cascade);
        b.HasIndex(x => new { x.AccountId, x.OrgId, x.Role }).IsUnique();
    }
}

sealed class AccessTokenConfiguration : IEntityTypeConfiguration<AccessToken>
{
    public void Configure(EntityTypeBuilder<AccessToken> b)
    {
        b.Property(x => x.AccountId).HasMaxLength(64);
        b.Property(x => x.Name).HasMaxLength(100);
        b.Property(x => x.Prefix).HasMaxLength(16);
        b.Property(x => x.SecretHash).HasMaxLength(64);
        b.Property(x => x.StampHash).HasMaxLength(64);
        b.HasIndex(x => x.SecretHash).IsUnique();
        b.HasOne<Account>().WithMany().HasForeignKey(x => x.AccountId).OnDelete(DeleteBehavior.Cascade);
    }
}

sealed class CampaignConfiguration : IEntityTypeConfiguration<Campaign>
{
    public void Configure(EntityTypeBuilder<Campaign> b)
    {
        b.Property(x => x.Name).HasMaxLength(200);
        b.Property(x => x.GeneralRequirement).HasMaxLength(500);
        b.OwnsMany(x => x.Phases, p => p.ToJson());
        b.Property(x => x.PublishedBy).HasMaxLength(100);
        b.HasOne<Campaign>().WithMany().HasForeignKey(x => x.CopiedFromId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<Org>().WithMany().HasForeignKey(x => x.RootOrgId).OnDelete(DeleteBehavior.Restrict);
    }
}

sealed class AuditEntryConfiguration : IEntityTypeConfiguration<AuditEntry>
{
    public void Configure(EntityTypeBuilder<AuditEntry> b)
    {
        b.HasKey(x => x.Seq);
        b.Property(x => x.Seq).ValueGeneratedNever();
        b.Property(x => x.Action).HasConversion<string>().HasMaxLength(16);
        b.Property(x => x.Actor).HasMaxLength(100);
        b.Property(x => x.EntityType).HasMaxLength(60);
        b.Property(x => x.EntityId).HasMaxLength(64);
        b.Property(x => x.OrgPath).HasMaxLength(400);
        b.Property(x => x.Before).HasMaxLength(int.MaxValue);
        b.Property(x => x.After).HasMaxLength(int.MaxValue);
        b.Property(x => x.PrevHash).HasMaxLength(64);
        b.Property(x => x.Hash).HasMaxLength(64);
        b.HasIndex(x => new { x.EntityType, x.EntityId });
        b.HasIndex(x => x.OrgPath);
    }
}

sealed class AccountConfiguration : IEntityTypeConfiguration<Account>
{
    public void Configure(EntityTypeBuilder<Account> b)
    {
        b.Property(x => x.DisplayName).HasMaxLength(50);
        b.Property(x => x.PreferredCulture).HasMaxLength(10);
        b.Property(x => x.SessionStamp).HasMaxLength(64);
        b.HasOne<Person>().WithMany().HasForeignKey(x => x.PersonId).OnDelete(DeleteBehavior.SetNull);
    }
}

sealed class DeviationCategoryConfiguration : IEntityTypeConfiguration<DeviationCategory>
{
    public void Configure(EntityTypeBuilder<DeviationCategory> b)
    {
        b.Property(x => x.Name).HasMaxLength(100);
        b.Property(x => x.Group).HasMaxLength(100);
    }
}

sealed class ProblemConfiguration : IEntityTypeConfiguration<Problem>
{
    public void Configure(EntityTypeBuilder<Problem> b)
    {
        b.Property(x => x.Description).HasMaxLength(Problem.DescriptionMax);
        b.Property(x => x.Source).HasConversion<string>().HasMaxLength(30);
        b.Property(x => x.Aspect).HasConversion<string>().HasMaxLength(20);
        b.Property(x => x.Dimension).HasConversion<string>().HasMaxLength(20);
        b.Property(x => x.Severity).HasConversion<string>().HasMaxLength(20);
        b.Property(x => x.Batch).HasMaxLength(200);
        b.Property(x => x.ImportKey).HasMaxLength(64);
        b.HasOne(x => x.Org).WithMany().HasForeignKey(x => x.OrgId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne(x => x.Category).WithMany().HasForeignKey(x => x.CategoryId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne(x => x.Leader).WithMany().HasForeignKey(x => x.LeaderId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<Campaign>().WithMany().HasForeignKey(x => x.CampaignId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<Problem>().WithMany().HasForeignKey(x => x.RecurrenceOfId).OnDelete(DeleteBehavior.Restrict);
        b.HasIndex(x => new { x.OrgId, x.Source });
        b.HasIndex(x => x.ImportKey);
    }
}

sealed class RectItemConfiguration : IEntityTypeConfiguration<RectItem>
{
    public void Configure(EntityTypeBuilder<RectItem> b)
    {
        b.Property(x => x.Measures).HasMaxLength(2000);
        b.Property(x => x.Target).HasMaxLength(1000);
        b.Property(x => x.CoUnits).HasMaxLength(500);
        b.Property(x => x.Handler).HasMaxLength(100);
        b.Property(x => x.Status).HasConversion<string>().HasMaxLength(20);
        b.Property(x => x.DeadlineKind).HasConversion<string>().HasMaxLength(20);
        b.Property(x => x.Severity).HasConversion<string>().HasMaxLength(20);
        b.Property(x => x.Source).HasConversion<string>().HasMaxLength(30);
        b.Property(x => x.ClosureRequestedBy).HasMaxLength(64);
        b.Property(x => x.VerifiedBy).HasMaxLength(64);
        b.Property(x => x.ClosureSummary).HasMaxLength(2000);
        b.PrimitiveCollection(x => x.PendingReviews).ElementType().HasConversion<string>();
        b.HasOne(x => x.Problem).WithMany().HasForeignKey(x => x.ProblemId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne(x => x.Org).WithMany().HasForeignKey(x => x.OrgId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne(x => x.Leader).WithMany().HasForeignKey(x => x.LeaderId).OnDelete(DeleteBehavior.Restrict);
        b.HasIndex(x => new { x.OrgId, x.Status });
        b.HasIndex(x => x.Deadline);
    }
}

sealed class RectUpdateConfiguration : IEntityTypeConfiguration<RectUpdate>
{
    public void Configure(EntityTypeBuilder<RectUpdate> b)
    {
        b.Property(x => x.Action).HasConversion<string>().HasMaxLength(20);
        b.Property(x => x.FromStatus).HasConversion<string>().HasMaxLength(20);
        b.Property(x => x.ToStatus).HasConversion<string>().HasMaxLength(20);
        b.Property(x => x.ActorId).HasMaxLength(64);
        b.Property(x => x.ActorName).HasMaxLength(100);
        b.Property(x => x.Text).HasMaxLength(2000);
        b.HasOne<RectItem>().WithMany().HasForeignKey(x => x.RectItemId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne(x => x.Org).WithMany().HasForeignKey(x => x.OrgId).OnDelete(DeleteBehavior.Restrict);
        b.HasIndex(x => x.RectItemId);
    }
}

sealed class UploadConfiguration : IEntityTypeConfiguration<Upload>
{
    public void Configure(EntityTypeBuilder<Upload> b)
    {
        b.Property(x => x.Id).ValueGeneratedNever();
        b.Property(x => x.Sha256).HasMaxLength(64);
        b.Property(x => x.FileName).HasMaxLength(Upload.FileNameMax);
        b.Property(x => x.ContentType).HasMaxLength(100);
        b.Property(x => x.UploadedById).HasMaxLength(64);
        b.HasOne<Org>().WithMany().HasForeignKey(x => x.OrgId).OnDelete(DeleteBehavior.Restrict);
        b.HasIndex(x => x.UploadedById);
        b.HasIndex(x => x.Sha256);   // storage only: which uploads share a blob (backups, clean-up), never who can read it
    }
}

sealed class FileCitationConfiguration : IEntityTypeConfiguration<FileCitation>
{
    public void Configure(EntityTypeBuilder<FileCitation> b)
    {
        b.HasOne(x => x.Upload).WithMany().HasForeignKey(x => x.UploadId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne(x => x.RectUpdate).WithMany().HasForeignKey(x => x.RectUpdateId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne(x => x.Meeting).WithMany().HasForeignKey(x => x.MeetingId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne(x => x.SupervisionEvent).WithMany().HasForeignKey(x => x.SupervisionEventId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne(x => x.WorkOrder).WithMany().HasForeignKey(x => x.WorkOrderId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<Org>().WithMany().HasForeignKey(x => x.OrgId).OnDelete(DeleteBehavior.Restrict);
        b.HasIndex(x => x.UploadId);
        b.HasIndex(x => x.RectUpdateId);
        b.HasIndex(x => x.MeetingId);
        b.HasIndex(x => x.SupervisionEventId);
        b.HasIndex(x => x.WorkOrderId);
        // A citation belongs to exactly one record.
        b.ToTable(t => t.HasCheckConstraint("CK_FileCitations_OneRecord",
            """(CASE WHEN "RectUpdateId" IS NULL THEN 0 ELSE 1 END) + (CASE WHEN "MeetingId" IS NULL THEN 0 ELSE 1 END)"""
            + """ + (CASE WHEN "SupervisionEventId" IS NULL THEN 0 ELSE 1 END) + (CASE WHEN "WorkOrderId" IS NULL THEN 0 ELSE 1 END) = 1"""));
    }
}

sealed class InspectionCheckConfiguration : IEntityTypeConfiguration<InspectionCheck>
{
    public void Configure(EntityTypeBuilder<InspectionCheck> b)
    {
        b.Property(x => x.Aspect).HasConversion<string>().HasMaxLength(20);
        b.Property(x => x.Note).HasMaxLength(500);
        b.Property(x => x.CheckedBy).HasMaxLength(100);
        b.HasOne(x => x.Org).WithMany().HasForeignKey(x => x.OrgId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<DeviationCategory>().WithMany().HasForeignKey(x => x.CategoryId).OnDelete(DeleteBehavior.Restrict);
        b.HasIndex(x => new { x.OrgId, x.CategoryId, x.Aspect }).IsUnique();
    }
}

sealed class CalendarYearConfiguration : IEntityTypeConfiguration<CalendarYear>
{
    public void Configure(EntityTypeBuilder<CalendarYear> b)
    {
        b.HasKey(x => x.Year);
        b.Property(x => x.Year).ValueGeneratedNever();
        b.Property(x => x.Text).HasMaxLength(20000);
        b.Property(x => x.ImportedBy).HasMaxLength(100);
    }
}

sealed class ClosureChainRuleConfiguration : IEntityTypeConfiguration<ClosureChainRule>
{
    public void Configure(EntityTypeBuilder<ClosureChainRule> b)
    {
        b.HasKey(x => x.Source);
        b.Property(x => x.Source).HasConversion<string>().HasMaxLength(30).ValueGeneratedNever();
        b.PrimitiveCollection(x => x.Stages).ElementType().HasConversion<string>();
    }
}

sealed class JobRunConfiguration : IEntityTypeConfiguration<JobRun>
{
    public void Configure(EntityTypeBuilder<JobRun> b)
    {
        b.Property(x => x.Name).HasMaxLength(60);
        b.Property(x => x.Period).HasMaxLength(30);
        b.Property(x => x.Node).HasMaxLength(120);
        b.Property(x => x.Outcome).HasMaxLength(400);
        b.HasIndex(x => new { x.Name, x.Period }).IsUnique();
    }
}

sealed class HealthProbeConfiguration : IEntityTypeConfiguration<HealthProbe>
{
    public void Configure(EntityTypeBuilder<HealthProbe> b)
    {
        b.HasKey(x => x.Node);
        b.Property(x => x.Node).HasMaxLength(120);
    }
}

sealed class RollupConfiguration : IEntityTypeConfiguration<Rollup>
{
    public void Configure(EntityTypeBuilder<Rollup> b)
    {
        b.HasKey(x => new { x.Section, x.Day, x.OrgId });
        b.Property(x => x.Section).HasMaxLength(Rollup.SectionMax);
    }
}

sealed class RollupDayConfiguration : IEntityTypeConfiguration<RollupDay>
{
    public void Configure(EntityTypeBuilder<RollupDay> b)
    {
        b.HasKey(x => x.Section);
        b.Property(x => x.Section).HasMaxLength(Rollup.SectionMax);
    }
}

sealed class RollupMarkConfiguration : IEntityTypeConfiguration<RollupMark>
{
    public void Configure(EntityTypeBuilder<RollupMark> b) => b.Property(x => x.Kind).HasMaxLength(RollupMark.KindMax);
}

sealed class LightSnapshotConfiguration : IEntityTypeConfiguration<LightSnapshot>
{
    public void Configure(EntityTypeBuilder<LightSnapshot> b)
    {
        b.HasOne<Org>().WithMany().HasForeignKey(x => x.OrgId).OnDelete(DeleteBehavior.Cascade);
        b.HasIndex(x => new { x.Day, x.OrgId }).IsUnique();
        b.HasIndex(x => x.OrgId);
    }
}

sealed class PlanConfiguration : IEntityTypeConfiguration<Plan>
{
    public void Configure(EntityTypeBuilder<Plan> b)
    {
        b.Property(x => x.Title).HasMaxLength(200);
        b.Property(x => x.Text).HasMaxLength(Plan.TextMax);
        b.Property(x => x.Status).HasConversion<string>().HasMaxLength(20);
        b.Property(x => x.DraftedBy).HasMaxLength(64);
        b.Property(x => x.SignedOffBy).HasMaxLength(64);
        b.Property(x => x.SubmittedBy).HasMaxLength(64);
        b.Property(x => x.ApprovedBy).HasMaxLength(64);
        b.Property(x => x.LastComment).HasMaxLength(2000);
        b.HasOne(x => x.Org).WithMany().HasForeignKey(x => x.OrgId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne(x => x.Campaign).WithMany().HasForeignKey(x => x.CampaignId).OnDelete(DeleteBehavior.Restrict);
        b.HasIndex(x => new { x.CampaignId, x.OrgId }).IsUnique();
        b.HasIndex(x => new { x.OrgId, x.Status });
    }
}

sealed class PlanVersionConfiguration : IEntityTypeConfiguration<PlanVersion>
{
    public void Configure(EntityTypeBuilder<PlanVersion> b)
    {
        b.Property(x => x.Text).HasMaxLength(Plan.TextMax);
        b.Property(x => x.TasksText).HasMaxLength(20000);
        b.Property(x => x.SubmittedBy).HasMaxLength(64);
        b.HasOne<Plan>().WithMany().HasForeignKey(x => x.PlanId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<Org>().WithMany().HasForeignKey(x => x.OrgId).OnDelete(DeleteBehavior.Restrict);
        b.HasIndex(x => new { x.PlanId, x.Version }).IsUnique();
    }
}

sealed class PlanEventConfiguration : IEntityTypeConfiguration<PlanEvent>
{
    public void Configure(EntityTypeBuilder<PlanEvent> b)
    {
        b.Property(x => x.Action).HasConversion<string>().HasMaxLength(20);
        b.Property(x => x.FromStatus).HasConversion<string>().HasMaxLength(20);
        b.Property(x => x.ToStatus).HasConversion<string>().HasMaxLength(20);
        b.Property(x => x.ActorId).HasMaxLength(64);
        b.Property(x => x.ActorName).HasMaxLength(100);
        b.Property(x => x.Comment).HasMaxLength(2000);
        b.HasOne<Plan>().WithMany().HasForeignKey(x => x.PlanId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<Org>().WithMany().HasForeignKey(x => x.OrgId).OnDelete(DeleteBehavior.Restrict);
        b.HasIndex(x => x.PlanId);
    }
}

sealed class DutyTaskConfiguration : IEntityTypeConfiguration<DutyTask>
{
    public void Configure(EntityTypeBuilder<DutyTask> b)
    {
        b.Property(x => x.Source).HasConversion<string>().HasMaxLength(20);
        b.Property(x => x.Title).HasMaxLength(500);
        b.Property(x => x.Owner).HasMaxLength(100);
        b.Property(x => x.KeyTask).HasMaxLength(50);
        b.HasOne(x => x.Org).WithMany().HasForeignKey(x => x.OrgId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<Plan>().WithMany().HasForeignKey(x => x.PlanId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<Meeting>().WithMany().HasForeignKey(x => x.MeetingId).OnDelete(DeleteBehavior.Restrict);
        b.HasIndex(x => new { x.OrgId, x.DueOn });
        b.HasIndex(x => x.PlanId);
        b.HasIndex(x => x.MeetingId);
    }
}

sealed class MeetingTypeConfiguration : IEntityTypeConfiguration<MeetingType>
{
    public void Configure(EntityTypeBuilder<MeetingType> b) => b.Property(x => x.Name).HasMaxLength(100);
}

sealed class MeetingConfiguration : IEntityTypeConfiguration<Meeting>
{
    public void Configure(EntityTypeBuilder<Meeting> b)
    {
        b.Property(x => x.Title).HasMaxLength(200);
        b.Property(x => x.Place).HasMaxLength(200);
        b.Property(x => x.Chair).HasMaxLength(100);
        b.Property(x => x.Minutes).HasMaxLength(20000);
        b.Property(x => x.RecordedBy).HasMaxLength(100);
        b.HasOne(x => x.Org).WithMany().HasForeignKey(x => x.OrgId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<Campaign>().WithMany().HasForeignKey(x => x.CampaignId).OnDelete(DeleteBehavior.Restrict);
        b.HasIndex(x => new { x.OrgId, x.HeldOn });
    }
}

sealed class MeetingItemConfiguration : IEntityTypeConfiguration<MeetingItem>
{
    public void Configure(EntityTypeBuilder<MeetingItem> b)
    {
        b.Property(x => x.Kind).HasConversion<string>().HasMaxLength(20);
        b.Property(x => x.Title).HasMaxLength(500);
        b.HasOne<Meeting>().WithMany().HasForeignKey(x => x.MeetingId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<Org>().WithMany().HasForeignKey(x => x.OrgId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<StudyArticle>().WithMany().HasForeignKey(x => x.ArticleId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<Plan>().WithMany().HasForeignKey(x => x.PlanId).OnDelete(DeleteBehavior.Restrict);
        b.HasIndex(x => x.MeetingId);
    }
}

sealed class MeetingAttendanceConfiguration : IEntityTypeConfiguration<MeetingAttendance>
{
    public void Configure(EntityTypeBuilder<MeetingAttendance> b)
    {
        b.Property(x => x.Status).HasConversion<string>().HasMaxLength(20);
        b.Property(x => x.Reason).HasMaxLength(200);
        b.HasOne<Meeting>().WithMany().HasForeignKey(x => x.MeetingId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<Org>().WithMany().HasForeignKey(x => x.OrgId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne(x => x.Person).WithMany().HasForeignKey(x => x.PersonId).OnDelete(DeleteBehavior.Restrict);
        b.HasIndex(x => new { x.MeetingId, x.PersonId }).IsUnique();
        b.HasIndex(x => x.PersonId);
    }
}

sealed class MakeUpTaskConfiguration : IEntityTypeConfiguration<MakeUpTask>
{
    public void Configure(EntityTypeBuilder<MakeUpTask> b)
    {
        b.HasOne<Org>().WithMany().HasForeignKey(x => x.OrgId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne(x => x.Person).WithMany().HasForeignKey(x => x.PersonId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<Meeting>().WithMany().HasForeignKey(x => x.MeetingId).OnDelete(DeleteBehavior.Restrict);
        b.HasIndex(x => new { x.OrgId, x.DueOn });
        b.HasIndex(x => x.PersonId);
    }
}

sealed class StudyMaterialConfiguration : IEntityTypeConfiguration<StudyMaterial>
{
    public void Configure(EntityTypeBuilder<StudyMaterial> b)
    {
        b.Property(x => x.Title).HasMaxLength(200);
        b.Property(x => x.Issuer).HasMaxLength(100);
        b.Property(x => x.Kind).HasConversion<string>().HasMaxLength(20);
        b.HasIndex(x => x.Title).IsUnique();
    }
}

sealed class StudyArticleConfiguration : IEntityTypeConfiguration<StudyArticle>
{
    public void Configure(EntityTypeBuilder<StudyArticle> b)
    {
        b.Property(x => x.Title).HasMaxLength(300);
        b.Property(x => x.Chapter).HasMaxLength(200);
        b.HasOne<StudyMaterial>().WithMany().HasForeignKey(x => x.MaterialId).OnDelete(DeleteBehavior.Restrict);
        b.HasIndex(x => new { x.MaterialId, x.SortOrder });
    }
}

sealed class StudyRecordConfiguration : IEntityTypeConfiguration<StudyRecord>
{
    public void Configure(EntityTypeBuilder<StudyRecord> b)
    {
        b.Property(x => x.Way).HasConversion<string>().HasMaxLength(20);
        b.Property(x => x.Notes).HasMaxLength(StudyRecord.NotesMax);
        b.Property(x => x.RecordedBy).HasMaxLength(100);
        b.HasOne<Org>().WithMany().HasForeignKey(x => x.OrgId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne(x => x.Person).WithMany().HasForeignKey(x => x.PersonId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne(x => x.Article).WithMany().HasForeignKey(x => x.ArticleId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<Meeting>().WithMany().HasForeignKey(x => x.MeetingId).OnDelete(DeleteBehavior.Restrict);
        b.HasIndex(x => new { x.PersonId, x.ArticleId });
        b.HasIndex(x => x.OrgId);
    }
}

sealed class RuleConfiguration : IEntityTypeConfiguration<Rule>
{
    public void Configure(EntityTypeBuilder<Rule> b)
    {
        b.Property(x => x.Title).HasMaxLength(200);
        b.Property(x => x.DocNumber).HasMaxLength(100);
        b.Property(x => x.Summary).HasMaxLength(2000);
        b.Property(x => x.Status).HasConversion<string>().HasMaxLength(20);
        b.Property(x => x.RecordedBy).HasMaxLength(100);
        b.HasOne(x => x.Org).WithMany().HasForeignKey(x => x.OrgId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<Campaign>().WithMany().HasForeignKey(x => x.CampaignId).OnDelete(DeleteBehavior.Restrict);
        b.HasIndex(x => x.OrgId);
    }
}

sealed class SupervisionOrderConfiguration : IEntityTypeConfiguration<SupervisionOrder>
{
    public void Configure(EntityTypeBuilder<SupervisionOrder> b)
    {
        b.Property(x => x.Title).HasMaxLength(SupervisionOrder.TitleMax);
        b.Property(x => x.Status).HasConversion<string>().HasMaxLength(20);
        b.Property(x => x.IssuedBy).HasMaxLength(64);
        b.Property(x => x.IssuedByName).HasMaxLength(200);
        b.Property(x => x.RespondedBy).HasMaxLength(64);
        b.HasOne(x => x.Org).WithMany().HasForeignKey(x => x.OrgId).OnDelete(DeleteBehavior.Restrict);
        b.HasIndex(x => new { x.OrgId, x.Status });
    }
}

sealed class SupervisionEventConfiguration : IEntityTypeConfiguration<SupervisionEvent>
{
    public void Configure(EntityTypeBuilder<SupervisionEvent> b)
    {
        b.Property(x => x.Action).HasConversion<string>().HasMaxLength(20);
        b.Property(x => x.FromStatus).HasConversion<string>().HasMaxLength(20);
        b.Property(x => x.ToStatus).HasConversion<string>().HasMaxLength(20);
        b.Property(x => x.ActorId).HasMaxLength(64);
        b.Property(x => x.ActorName).HasMaxLength(200);
        b.HasOne<SupervisionOrder>().WithMany().HasForeignKey(x => x.OrderId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<Org>().WithMany().HasForeignKey(x => x.OrgId).OnDelete(DeleteBehavior.Restrict);
        b.HasIndex(x => x.OrderId);
    }
}

sealed class InterviewConfiguration : IEntityTypeConfiguration<Interview>
{
    public void Configure(EntityTypeBuilder<Interview> b)
    {
        b.Property(x => x.Interviewees).HasMaxLength(500);
        b.Property(x => x.Interviewers).HasMaxLength(500);
        b.Property(x => x.RecordedBy).HasMaxLength(200);
        b.HasOne<SupervisionOrder>().WithMany().HasForeignKey(x => x.OrderId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<Org>().WithMany().HasForeignKey(x => x.OrgId).OnDelete(DeleteBehavior.Restrict);
        b.HasIndex(x => x.OrderId);
    }
}

sealed class NotificationConfiguration : IEntityTypeConfiguration<Notification>
{
    public void Configure(EntityTypeBuilder<Notification> b)
    {
        b.Property(x => x.AccountId).HasMaxLength(64);
        b.Property(x => x.Kind).HasConversion<string>().HasMaxLength(30);
        b.Property(x => x.Title).HasMaxLength(300);
        b.Property(x => x.Link).HasMaxLength(400);
        b.Property(x => x.Key).HasMaxLength(200);
        b.HasOne<Account>().WithMany().HasForeignKey(x => x.AccountId).OnDelete(DeleteBehavior.Cascade);
        b.HasIndex(x => new { x.AccountId, x.Key }).IsUnique();
        b.HasIndex(x => new { x.AccountId, x.ReadAt });
    }
}

sealed class NotificationPreferenceConfiguration : IEntityTypeConfiguration<NotificationPreference>
{
    public void Configure(EntityTypeBuilder<NotificationPreference> b)
    {
        b.HasKey(x => x.AccountId);
        b.Property(x => x.AccountId).HasMaxLength(64);
        b.PrimitiveCollection(x => x.Muted).ElementType().HasConversion<string>();
        b.HasOne<Account>().WithMany().HasForeignKey(x => x.AccountId).OnDelete(DeleteBehavior.Cascade);
    }
}
