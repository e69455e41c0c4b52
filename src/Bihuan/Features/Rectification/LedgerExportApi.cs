using System.Security.Claims;
using Bihuan.Data;
using Bihuan.Domain;
using Bihuan.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Bihuan.Features.Rectification;

/// GET /api/v1/rectifications/export.xlsx: the ledger list's filter (org subtree, status, source, text, overdue, mine)
/// as a printable .xlsx (LedgerExport). Scoped like the page: an org outside the caller's scope does not exist (404).
public static class LedgerExportApi
{
    public const string ContentType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

    public static RouteGroupBuilder MapLedgerExportApi(this RouteGroupBuilder api)
    {
        // A literal segment: "/rectifications/{id:int}" cannot capture it (not an int, and literals outrank parameters).
        api.MapGet("/rectifications/export.xlsx", Export).Produces(200, typeof(byte[]), ContentType).WithTags("整改台账 Rectification")
            .WithSummary("The ledger as .xlsx (same filters as the list, page/pageSize ignored), stamped with who exported it and when");
        return api;
    }

    /// Reads from the replica when one is configured (ReadDb): an export is a large read that may lag a little.
    static async Task<Results<FileContentHttpResult, NotFound>> Export([FromKeyedServices(ReadDb.Key)] BihuanDb db, TimeProvider clock, WorkingCalendar cal,
        LightRules rules, ClaimsPrincipal user, [AsParameters] LedgerFilter f, CancellationToken ct)
    {
        string? orgName = null;
        if (f.OrgId is { } orgId)
        {
            orgName = await db.Orgs.Where(o => o.Id == orgId).Select(o => o.Name).FirstOrDefaultAsync(ct);
            if (orgName is null) return TypedResults.NotFound();
        }
        var accountId = user.FindFirstValue(ClaimTypes.NameIdentifier);
        var userName = user.Identity?.Name;
        var display = accountId is null ? null
            : await db.Users.Where(u => u.Id == accountId).Select(u => u.DisplayName).FirstOrDefaultAsync(ct);
        var exportedBy = (display, userName) switch
        {
            ({ Length: > 0 } d, { Length: > 0 } u) => $"{d} {u}",
            ({ Length: > 0 } d, _) => d,
            (_, { Length: > 0 } u) => u,
            _ => accountId ?? "?",
        };
        var now = clock.GetUtcNow().UtcDateTime;
        var title = LedgerExport.Title(orgName);
        var bytes = await LedgerExport.BuildAsync(db, clock, cal, rules, accountId, f, title, exportedBy, now, ct);
        return TypedResults.File(bytes, ContentType, LedgerExport.FileName(title, now));
    }
}
