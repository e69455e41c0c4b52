using System.Security.Claims;
using Bihuan.Data;
using Bihuan.Domain;
using Bihuan.Features.Files;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Bihuan.Features.Demands;

/// 群众诉求 work orders over HTTP for staff (/api/v1/workorders). Scope comes from the DbContext.
public static class DemandApi
{
    public static RouteGroupBuilder MapDemandApi(this RouteGroupBuilder api)
    {
        var g = api.MapGroup("/workorders").WithTags("群众诉求 Work orders");
        g.MapGet("/", (BihuanDb db, TimeProvider clock, WorkingCalendar cal, LightRules rules,
            [AsParameters] OrderFilter f, CancellationToken ct) => WorkOrderQueries.ListAsync(db, clock, cal, rules, f, ct));
        g.MapGet("/{id:int}", Detail);
        g.MapGet("/{id:int}/contact", async (BihuanDb db, int id, bool? reveal, CancellationToken ct) =>
            TypedResults.Ok(await WorkOrderCommands.ContactAsync(db, id, reveal == true, ct)))
            .WithSummary("The submitter's contact, masked; ?reveal=true (handling unit only) unmasks it and is audited");
        g.MapGet("/{id:int}/images/{n:int}", Image)
            .Produces(StatusCodes.Status200OK, null, "image/jpeg", "image/png", "image/gif", "image/webp")
            .WithSummary("The n-th photo of a work order (1-based), for those who see the order");
        g.MapPost("/{id:int}/{action}", Act)
            .WithSummary("accept | reject | dispatch | sign | send-back | start | reply | submit-reply | sign-off | return-draft | request-extension | approve-extension | refuse-extension | close-unrated | urge | supervise | merge | publish");
        g.MapPost("/escalate", async (BihuanDb db, TimeProvider clock, WorkingCalendar cal, PortalOptions options, ClaimsPrincipal user,
            EscalateInput input, CancellationToken ct) =>
        {
            var p = await WorkOrderCommands.EscalateAsync(db, clock, cal, options, user, input, ct);
            return TypedResults.Created($"/api/v1/problems/{p.Id}", new { problemId = p.Id });
        }).WithSummary("Escalate work orders into one ledger problem (source 12345热线/信访)");
        g.MapGet("/kpi", async (BihuanDb db, WorkingCalendar cal, int orgId, bool? subtree, CancellationToken ct) =>
            TypedResults.Ok(await WorkOrderQueries.KpiAsync(db, cal, orgId, subtree ?? true, ct)));
        api.MapGet("/orgs/{id:int}/duties", async (BihuanDb db, TimeProvider clock, WorkingCalendar cal, LightRules rules, int id,
            CancellationToken ct) => TypedResults.Ok(await WorkOrderQueries.DutiesAsync(db, clock, cal, rules, id, ct)))
            .WithTags("履职清单 Duties");
        api.MapPost("/open311/keys", async (BihuanDb db, TimeProvider clock, KeyInput input, CancellationToken ct) =>
        {
            var (key, row) = await WorkOrderCommands.IssueKeyAsync(db, clock, input.OrgId ?? 0, input.Name, ct);
            return TypedResults.Created($"/api/v1/open311/keys/{row.Id}", new { row.Id, row.Name, row.Prefix, apiKey = key });
        }).WithTags("Open311").WithSummary("Issue an Open311 api_key to an org's app (shown once; stored hashed)");
        return api;
    }

    public sealed record KeyInput(int? OrgId, string? Name);

    /// Through the order: the citation filter follows the order's scope (it moves when dispatched or sent back).
    static async Task<IResult> Image(BihuanDb db, Infrastructure.FileStore files, int id, int n, CancellationToken ct)
    {
        if (n < 1 || n > Uploads.MaxPerRecord) return TypedResults.NotFound();
        var u = await db.FileCitations.Where(c => c.WorkOrderId == id).OrderBy(c => c.Id).Skip(n - 1)
            .Join(db.Uploads, c => c.UploadId, x => x.Id, (c, x) => x).AsNoTracking().FirstOrDefaultAsync(ct);
        var path = u is null ? null : files.PathOf(u.Sha256);
        return u is null || !File.Exists(path) ? TypedResults.NotFound() : new Infrastructure.FileDownload(path, u);
    }

    static async Task<Results<Ok<WorkOrderDetail>, NotFound>> Detail(BihuanDb db, TimeProvider clock, WorkingCalendar cal, LightRules rules,
        ClaimsPrincipal user, int id, CancellationToken ct)
    {
        var actor = await WorkOrderCommands.ActorAsync(db, user, ct);
        return await WorkOrderQueries.DetailAsync(db, clock, cal, rules, actor.Id, actor.Name, id, ct) is { } d
            ? TypedResults.Ok(d) : TypedResults.NotFound();
    }

    /// After an action that takes the order out of the caller's scope (退单), there is no detail to show them.
    public sealed record OrderMoved(int Id, OrderStatus Status, string StatusLabel);

    static async Task<Results<Ok<WorkOrderDetail>, Ok<OrderMoved>, NotFound>> Act(BihuanDb db, TimeProvider clock,
        WorkingCalendar cal, LightRules rules, PortalOptions options, Notifications.Notifier notifier, ClaimsPrincipal user,
        int id, string action, WorkOrderActionInput input, CancellationToken ct)
    {
        if (!WorkOrderCommands.ActionRoutes.TryGetValue(action, out var a)) return TypedResults.NotFound();
        var order = await WorkOrderCommands.ApplyAsync(db, clock, cal, options, user, id, a, input, ct);
        await notifier.MailStagedAsync(db, ct);
        var actor = await WorkOrderCommands.ActorAsync(db, user, ct);
        return await WorkOrderQueries.DetailAsync(db, clock, cal, rules, actor.Id, actor.Name, id, ct) is { } d
            ? TypedResults.Ok(d)
            : TypedResults.Ok(new OrderMoved(order.Id, order.Status, order.Status.Label()));
    }
}
