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

    static async Task<Results<Ok<List<AuditEntryDto>>, ForbidHttpResult>> List(BihuanDb db, string? entityType,
        string? entityId, long? beforeSeq, int? take, CancellationToken ct)
    {
        if (!db.Access.CanAnywhere(Permission.ViewAudit)) return TypedResults.Forbid();
        var q = Query(db, entityType, entityId);
        if (beforeSeq is { } b) q = q.Where(e => e.Seq < b);
        var list = await q.OrderByDescending(e => e.Seq).Take(Math.Clamp(take ?? 50, 1, 500))
            .Select(e => new AuditEntryDto(e.Seq, e.At, e.Actor, e.EntityType, e.EntityId, e.Action, e.Before, e.After, e.Note, e.Hash))
            .ToListAsync(ct);
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
