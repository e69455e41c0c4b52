using Bihuan.Domain;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Bihuan.Data;

sealed class WorkOrderConfiguration : IEntityTypeConfiguration<WorkOrder>
{
    public void Configure(EntityTypeBuilder<WorkOrder> b)
    {
        b.Property(x => x.Ticket).HasMaxLength(20);
        b.Property(x => x.CodeHash).HasMaxLength(64);
        b.Property(x => x.SourceHash).HasMaxLength(64);
        b.Property(x => x.Content).HasMaxLength(WorkOrder.ContentMax);
        b.Property(x => x.Location).HasMaxLength(WorkOrder.LocationMax);
        b.Property(x => x.Reply).HasMaxLength(WorkOrderState.TextMax);
        b.Property(x => x.ReplyDraft).HasMaxLength(WorkOrderState.TextMax);
        b.Property(x => x.RatingComment).HasMaxLength(WorkOrderState.TextMax);
        b.Property(x => x.RejectReason).HasMaxLength(WorkOrderState.TextMax);
        b.Property(x => x.PublicTitle).HasMaxLength(WorkOrderState.TitleMax);
        b.Property(x => x.PublicReply).HasMaxLength(WorkOrderState.TextMax);
        b.Property(x => x.MediaUrl).HasMaxLength(WorkOrder.MediaUrlMax);
        b.Property(x => x.ExtensionRequestedBy).HasMaxLength(64);
        b.Property(x => x.ReplyDraftedBy).HasMaxLength(64);
        b.Property(x => x.Type).HasConversion<string>().HasMaxLength(20);
        b.Property(x => x.Status).HasConversion<string>().HasMaxLength(20);
        b.Property(x => x.Channel).HasConversion<string>().HasMaxLength(20);
        b.Property(x => x.Rating).HasConversion<string>().HasMaxLength(20);
        b.HasIndex(x => x.Ticket).IsUnique();
        b.HasIndex(x => new { x.OrgId, x.Status });
        b.HasIndex(x => x.CreatedAt);
        b.HasIndex(x => x.ProblemId);
        b.HasIndex(x => x.MasterId);
        b.HasIndex(x => new { x.SourceHash, x.CreatedAt });
        b.HasOne<Org>().WithMany().HasForeignKey(x => x.OrgId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<Org>().WithMany().HasForeignKey(x => x.DispatchOrgId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<Org>().WithMany().HasForeignKey(x => x.RequestedOrgId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<Problem>().WithMany().HasForeignKey(x => x.ProblemId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<WorkOrder>().WithMany().HasForeignKey(x => x.MasterId).OnDelete(DeleteBehavior.Restrict);
    }
}

sealed class WorkOrderEventConfiguration : IEntityTypeConfiguration<WorkOrderEvent>
{
    public void Configure(EntityTypeBuilder<WorkOrderEvent> b)
    {
        b.Property(x => x.Action).HasConversion<string>().HasMaxLength(20);
        b.Property(x => x.FromStatus).HasConversion<string>().HasMaxLength(20);
        b.Property(x => x.ToStatus).HasConversion<string>().HasMaxLength(20);
        b.Property(x => x.ActorId).HasMaxLength(64);
        b.Property(x => x.ActorName).HasMaxLength(100);
        b.Property(x => x.Text).HasMaxLength(2500);
        b.HasOne<WorkOrder>().WithMany().HasForeignKey(x => x.WorkOrderId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<Org>().WithMany().HasForeignKey(x => x.OrgId).OnDelete(DeleteBehavior.Restrict);
        b.HasIndex(x => x.WorkOrderId);
        b.HasIndex(x => new { x.OrgId, x.Action });
    }
}

sealed class DemandContactConfiguration : IEntityTypeConfiguration<DemandContact>
{
    public void Configure(EntityTypeBuilder<DemandContact> b)
    {
        b.HasKey(x => x.WorkOrderId);
        b.Property(x => x.WorkOrderId).ValueGeneratedNever();
        b.Property(x => x.Name).HasMaxLength(50);
        b.Property(x => x.Phone).HasMaxLength(20);
        b.Property(x => x.Email).HasMaxLength(200);
        b.HasOne(x => x.Order).WithOne().HasForeignKey<DemandContact>(x => x.WorkOrderId).OnDelete(DeleteBehavior.Cascade);
        b.HasIndex(x => x.Phone);
    }
}

sealed class TicketCounterConfiguration : IEntityTypeConfiguration<TicketCounter>
{
    public void Configure(EntityTypeBuilder<TicketCounter> b)
    {
        b.HasKey(x => x.Day);
        b.Property(x => x.Day).HasMaxLength(8);
    }
}

sealed class Open311KeyConfiguration : IEntityTypeConfiguration<Open311Key>
{
    public void Configure(EntityTypeBuilder<Open311Key> b)
    {
        b.Property(x => x.Name).HasMaxLength(100);
        b.Property(x => x.Prefix).HasMaxLength(16);
        b.Property(x => x.KeyHash).HasMaxLength(64);
        b.HasIndex(x => x.KeyHash).IsUnique();
        b.HasOne<Org>().WithMany().HasForeignKey(x => x.OrgId).OnDelete(DeleteBehavior.Restrict);
    }
}
