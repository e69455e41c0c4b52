using System.Globalization;
using System.Security.Claims;
using Bihuan.Data;
using Bihuan.Domain;
using Bihuan.Features.Files;
using Bihuan.Features.Notifications;
using Bihuan.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace Bihuan.Features.Supervision;

public sealed record SupervisionOrderRow(int Id, string Title, int OrgId, string OrgName, string Status, string StatusLabel, DateOnly DueOn,
    bool Overdue, int RemindCount, string IssuedByName, DateTime IssuedAt, int ItemCount);
/// Evidence: the files a response cited (empty for other steps).
public sealed record OrderEventDto(int Id, string Action, string From, string To, string Actor, DateTime At, string? Text, DateOnly? DueOn,
    List<FileRef> Evidence);
public sealed record InterviewDto(int Id, string Interviewees, string Interviewers, DateOnly HeldOn, string Outcome, string RecordedBy);
public sealed record OrderItemRef(int Id, string Problem, string OrgName, string StatusLabel, DateOnly? Deadline);
public sealed record SupervisionOrderDetail(SupervisionOrderRow Order, string Requirements, string? Response, DateTime? RespondedAt, List<FileRef> Evidence,
    List<OrderItemRef> Items, List<string> AllowedActions, List<OrderEventDto> Events, List<InterviewDto> Interviews);
public sealed record SupervisionFilter(int? OrgId, string? Status, bool? Open, bool? Overdue, int? ItemId);

/// 监督检查 over HTTP: the dashboard, 督办单 and the briefing. Dashboards and exports read through the ReadDb context.
public static class SupervisionApi
{
    /// A dashboard section kept as roll-ups: one instance serves the dashboard and the RollupStore.
    public static IServiceCollection AddRolledUpSection<T>(this IServiceCollection services) where T : class, IDashboardSection, IRollup
    {
        services.AddSingleton<T>();
        services.AddSingleton<IDashboardSection>(sp => sp.GetRequiredService<T>());
        services.AddSingleton<IRollup>(sp => sp.GetRequiredService<T>());
        return services;
    }

    public static RouteGroupBuilder MapSupervisionApi(this RouteGroupBuilder api)
    {
        var g = api.MapGroup("/supervision").WithTags("监督检查 Supervision");
        g.MapGet("/dashboard", Dashboard)
            .WithSummary("Figures for an org's subtree (default: the top of your scope); every figure carries its drill-down link");
        g.MapGet("/dashboard.xlsx", DashboardXlsx).Produces(200, typeof(byte[]), Features.Rectification.LedgerExportApi.ContentType).WithSummary("Every dashboard table as an .xlsx workbook");
        g.MapGet("/briefing.docx", BriefingDocx)
            .Produces(200, typeof(byte[]), "application/vnd.openxmlformats-officedocument.wordprocessingml.document").WithSummary("工作简报 for a scope and period (from, to: yyyy-MM-dd) as .docx");
        g.MapGet("/orders", Orders).WithSummary("督办单 list: orgId (subtree), status, open, overdue, itemId");
        g.MapPost("/orders", Issue).WithSummary("Issue a 督办单 about rectification items (纪检监督 supervisor)");
        g.MapGet("/orders/{id:int}", Order);
        g.MapPost("/orders/{id:int}/{action}", Act)
            .WithSummary("respond | remind (催办: new due) | escalate (约谈 record) | close; illegal transitions 409, wrong party 403");
        return api;
    }

    static async Task<Ok<DashboardDto>> Dashboard([FromKeyedServices(ReadDb.Key)] BihuanDb db, SupervisionDashboard dash,
        TimeProvider clock, int? orgId, CancellationToken ct) =>
        TypedResults.Ok(await dash.BuildAsync(db, orgId, ChinaTime.Today(clock), ct));

    static async Task<IResult> DashboardXlsx([FromKeyedServices(ReadDb.Key)] BihuanDb db, SupervisionDashboard dash,
        TimeProvider clock, int? orgId, CancellationToken ct)
    {
        var d = await dash.BuildAsync(db, orgId, ChinaTime.Today(clock), ct);
        var bytes = DashboardExport.Xlsx(d);
        return TypedResults.File(bytes, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            $"{d.Org.Name}监督检查-{d.Today:yyyyMMdd}.xlsx");
    }

    static async Task<IResult> BriefingDocx([FromKeyedServices(ReadDb.Key)] BihuanDb db, SupervisionDashboard dash,
        TimeProvider clock, WorkingCalendar cal, LightRules rules, ClaimsPrincipal user, int? orgId, string? from, string? to, CancellationToken ct)
    {
        var b = await Briefing.BuildAsync(db, dash, clock, cal, rules, orgId, from, to, ct);
        var bytes = Briefing.Docx(b, user.Identity?.Name ?? "");
        return TypedResults.File(bytes, "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            $"{b.Dashboard.Org.Name}工作简报-{b.To:yyyyMMdd}.docx");
    }

    public static IQueryable<SupervisionOrder> Filter(BihuanDb db, SupervisionFilter f, DateOnly today)
    {
        var q = db.SupervisionOrders.AsQueryable();
        if (f.OrgId is { } orgId)
        {
            var prefix = db.Orgs.Where(o => o.Id == orgId).Select(o => o.Path + o.Id.ToString() + "/");
            q = q.Where(o => o.OrgId == orgId || prefix.Any(p => o.Org!.Path.StartsWith(p)));
        }
        if (Enum.TryParse<SupervisionStatus>(f.Status, true, out var s) && Enum.IsDefined(s) && !int.TryParse(f.Status, out _))
            q = q.Where(o => o.Status == s);
        else if (!string.IsNullOrEmpty(f.Status)) throw new DomainException(new Invalid("status", "未知的督办单状态"));
        if (f.Open == true) q = q.Where(o => o.Status != SupervisionStatus.Closed);
        var min = Bounds.MinDate;   // as SupervisionOrder.IsOverdue
        if (f.Overdue == true) q = q.Where(o => o.Status == SupervisionStatus.Issued && o.DueOn >= min && o.DueOn < today);
        if (f.ItemId is { } item) q = q.Where(o => o.ItemIds.Contains(item));
        return q;
    }

    public static async Task<List<SupervisionOrderRow>> RowsAsync(IQueryable<SupervisionOrder> q, DateOnly today, CancellationToken ct) =>
        (await q.OrderByDescending(o => o.Id).Take(500)
            .Select(o => new { o, OrgName = o.Org!.Name }).AsNoTracking().ToListAsync(ct))
        .ConvertAll(x => Row(x.o, x.OrgName, today));

    static SupervisionOrderRow Row(SupervisionOrder o, string orgName, DateOnly today) => new(o.Id, o.Title, o.OrgId, orgName, o.Status.ToString(),
        o.Status.Label(), o.DueOn, o.IsOverdue(today), o.RemindCount, o.IssuedByName, o.IssuedAt, o.ItemIds.Count);

    static async Task<Ok<List<SupervisionOrderRow>>> Orders(BihuanDb db, TimeProvider clock, [AsParameters] SupervisionFilter f, CancellationToken ct)
    {
        var today = ChinaTime.Today(clock);
        return TypedResults.Ok(await RowsAsync(Filter(db, f, today), today, ct));
    }

    public static async Task<SupervisionOrderDetail?> DetailAsync(BihuanDb db, TimeProvider clock, int id, CancellationToken ct)
    {
        var o = await db.SupervisionOrders.Include(x => x.Org).AsNoTracking().FirstOrDefaultAsync(x => x.Id == id, ct);
        if (o is null) return null;
        var today = ChinaTime.Today(clock);
        var items = await db.RectItems.Where(i => o.ItemIds.Contains(i.Id))
            .Select(i => new { i.Id, Problem = i.Problem!.Description, OrgName = i.Org!.Name, i.Status, i.Deadline }).ToListAsync(ct);
        var events = await db.SupervisionEvents.Where(e => e.OrderId == id).OrderBy(e => e.At).ThenBy(e => e.Id).AsNoTracking().ToListAsync(ct);
        var interviews = await db.Interviews.Where(i => i.OrderId == id).OrderBy(i => i.Id).AsNoTracking().ToListAsync(ct);
        var eventIds = events.ConvertAll(e => (int?)e.Id);
        var files = await Uploads.OfAsync(db, c => eventIds.Contains(c.SupervisionEventId), c => c.SupervisionEventId, ct);
        List<FileRef> FilesOf(int? eventId) => eventId is { } e ? files.GetValueOrDefault(e) ?? [] : [];
        var evidence = FilesOf(events.LastOrDefault(e => e.Action == SupervisionAction.Respond)?.Id);
        return new SupervisionOrderDetail(Row(o, o.Org!.Name, today), o.Requirements, o.Response, o.RespondedAt, evidence,
            items.ConvertAll(i => new OrderItemRef(i.Id, i.Problem, i.OrgName, i.Status.Label(), i.Deadline)),
            SupervisionLifecycle.AllowedFor(o.Status, db.Access, o.Org!).Select(a => Routes(a)).ToList(),
            events.ConvertAll(e => new OrderEventDto(e.Id, e.Action.Label(), e.FromStatus.Label(), e.ToStatus.Label(), e.ActorName, e.At, e.Text, e.DueOn,
                FilesOf(e.Id))),
            interviews.ConvertAll(i => new InterviewDto(i.Id, i.Interviewees, i.Interviewers, i.HeldOn, i.Outcome, i.RecordedBy)));
    }

    static string Routes(SupervisionAction a) => OrderCommands.Routes.First(kv => kv.Value == a).Key;

    static async Task<Results<Ok<SupervisionOrderDetail>, NotFound>> Order(BihuanDb db, TimeProvider clock, int id, CancellationToken ct) =>
        await DetailAsync(db, clock, id, ct) is { } d ? TypedResults.Ok(d) : TypedResults.NotFound();

    static async Task<Created<SupervisionOrderDetail>> Issue(BihuanDb db, TimeProvider clock, WorkingCalendar cal, Notifier notifier,
        ClaimsPrincipal user, OrderInput input, CancellationToken ct)
    {
        var o = await OrderCommands.IssueAsync(db, clock, cal, notifier, user, input, ct);
        return TypedResults.Created($"/api/v1/supervision/orders/{o.Id}", (await DetailAsync(db, clock, o.Id, ct))!);
    }

    static async Task<Results<Ok<SupervisionOrderDetail>, NotFound>> Act(BihuanDb db, TimeProvider clock, WorkingCalendar cal, Notifier notifier,
        ClaimsPrincipal user, int id, string action, SupervisionOrderActionInput? input, CancellationToken ct)
    {
        if (!OrderCommands.Routes.TryGetValue(action, out var a)) return TypedResults.NotFound();
        await OrderCommands.ApplyAsync(db, clock, cal, notifier, user, id, a, input ?? new SupervisionOrderActionInput(null), ct);
        return TypedResults.Ok((await DetailAsync(db, clock, id, ct))!);
    }

    public static string Num(int n) => n.ToString(CultureInfo.InvariantCulture);
}
