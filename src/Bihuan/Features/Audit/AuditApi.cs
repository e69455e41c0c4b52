using Bihuan.Data;
using Bihuan.Domain;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Bihuan.Features.Audit;

public sealed record AuditEntryDto(long Seq, DateTime At, string Actor, string EntityType, string EntityId,
    AuditAction Action, string? Before, string? After, string? Note, string Hash);

/// The audit trail: entries of records in the caller's scope; verification of the whole chain (admin/supervisor).
public static class AuditApi
{
    public static RouteGroupBuilder MapAuditApi(this RouteGroupBuilder api)
    {
        var g = api.MapGroup("/audit").WithTags("审计 Audit");
        g.MapGet("/", List).WithSummary("Audit entries in the caller's scope, newest first");
        g.MapGet("/verify", Verify).WithSummary("Check the hash chain and every audited record against it");
        return api;
    }

    public static IQueryable<AuditEntry> Query(BihuanDb db, string? entityType, string? entityId) =>
        db.AuditEntries.Where(e => (entityType == null || e.EntityType == entityType) && (entityId == null || e.EntityId == entityId));

    /// Entries newest first; personal data masked (AuditMasking) unless `unmasked` is asked for by a holder of
    /// ViewAuditPersonalData — a read recorded in the chain with what it covered.
    static async Task<Results<Ok<List<AuditEntryDto>>, ForbidHttpResult>> List(BihuanDb db, string? entityType,
        string? entityId, long? beforeSeq, int? take, bool? unmasked, CancellationToken ct)
    {
        if (!db.Access.CanAnywhere(Permission.ViewAudit)) return TypedResults.Forbid();
        var plain = unmasked == true;
        if (plain && !db.Access.CanAnywhere(Permission.ViewAuditPersonalData)) return TypedResults.Forbid();
        var q = Query(db, entityType, entityId);
        if (beforeSeq is { } b) q = q.Where(e => e.Seq < b);
        var list = await q.OrderByDescending(e => e.Seq).Take(Math.Clamp(take ?? 50, 1, 500))
            .Select(e => new AuditEntryDto(e.Seq, e.At, e.Actor, e.EntityType, e.EntityId, e.Action, e.Before, e.After, e.Note, e.Hash))
            .ToListAsync(ct);
        if (!plain)
            return TypedResults.Ok(list.Select(e => e with
                {
                    Before = AuditMasking.Mask(e.EntityType, e.Before), After = AuditMasking.Mask(e.EntityType, e.After),
                }).ToList());
        if (list.Count > 0)
        {
            db.RecordEvent("AuditRead", $"{list[^1].Seq}..{list[0].Seq}",
                $"查看审计日志个人信息（unmasked read）：第 {list[^1].Seq}–{list[0].Seq} 条，{list.Count} 条" +
                (entityType is null ? "" : $"，类型 {entityType}") + (entityId is null ? "" : $" #{entityId}"));
            await db.SaveChangesAsync(ct);
        }
        return TypedResults.Ok(list);
    }

    static async Task<Results<Ok<AuditReport>, ForbidHttpResult>> Verify(BihuanDb db, CancellationToken ct)
    {
        // The whole chain is checked (a link cannot be verified without its predecessors); only the verdict and
        // the position of the first break leave the server.
        if (!db.Access.CanAnywhere(Permission.ViewAudit)) return TypedResults.Forbid();
        return TypedResults.Ok(await AuditTrail.VerifyAsync(db, ct));
    }
}
