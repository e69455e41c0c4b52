using System.Security.Claims;
using Bihuan.Data;
using Bihuan.Domain;
using Bihuan.Features.Files;
using Bihuan.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Bihuan.Features.Rectification;

public sealed record LedgerEntry(int Id, int ProblemId, string Problem, string Source, int OrgId, string OrgName,
    string Measures, string? Target, string? Leader, string? Handler, string DeadlineKind, DateOnly? Deadline,
    RectStatus Status, string StatusLabel, int Percent, int ReopenCount, LightLevel Light, string LightLabel, string LightReason,
    string? InvalidValues = null)
{
    /// The deadline can be shown and counted with (a stored 9999-12-31 cannot: its cell says 时限无效).
    public bool DeadlineUsable => StoredValues.Usable(Deadline);
}

public sealed record LedgerPage(int Total, int Page, int PageSize, List<LedgerEntry> Rows);

public sealed record TimelineEntry(int Id, string Action, string From, string To, string Actor, DateTime At, string? Text,
    int? Percent, List<FileRef> Evidence);

/// AllowedActions: what the caller may do now (status and party) as the action routes of POST …/{id}/{action};
/// Allowed: the same actions typed, for the item page's forms (never a label or a route compared in a page).
/// Unusable: the stored values no read can use (shown as invalid); CanRepair: the caller may set them right;
/// CanIssueOrder: the caller may issue a 督办单 on the item.
public sealed record ItemDetail(LedgerEntry Item, string? CoUnits, DateOnly StartOn, DateOnly? RecheckDue, int ReturnCount,
    DateOnly? ExtensionRequestedTo, int ExtensionCount,
    List<string> AllowedActions, List<TimelineEntry> Timeline, List<string>? PendingReviews = null)
{
    [System.Text.Json.Serialization.JsonIgnore] public IReadOnlyList<RectAction> Allowed { get; init; } = [];
    public List<UnusableValue> Unusable { get; init; } = [];
    public bool CanRepair { get; init; }
    public bool CanIssueOrder { get; init; }
}

public sealed record ProblemDto(int Id, int OrgId, string OrgName, string Description, string Source, string Aspect,
    string? Category, string Dimension, string Severity, string? Batch, DateTime CreatedAt, int? RecurrenceOfId = null);

public sealed record LedgerFilter
{
    public int? OrgId { get; init; }                // the org and its subtree (within the caller's scope)
    public RectStatus? Status { get; init; }
    public SourceChannel? Source { get; init; }
    public string? Q { get; init; }                 // words in the problem, the measures or the org's name
    public bool? Overdue { get; init; }
    public bool? Mine { get; init; }                // items the caller handles
    public int? Page { get; init; }
    public int? PageSize { get; init; }
    public int? CategoryId { get; init; }
    public Dimension? Dimension { get; init; }
    public int? LeaderId { get; init; }
    public DateOnly? DueFrom { get; init; }
    public DateOnly? DueTo { get; init; }
    public LedgerSort? Sort { get; init; }
    public int? CampaignId { get; init; }
    public LightLevel? Light { get; init; }
    public bool? Closed { get; init; }
    public bool? OnTime { get; init; }
    public Aspect? Aspect { get; init; }
    public bool? Reopened { get; init; }
    public bool? Extended { get; init; }
    public bool? Lagging { get; init; }
    public bool? Invalid { get; init; }             // items holding a stored value no read can use
    public bool? RecheckDue { get; init; }          // 回头看到期: closed items whose re-check date has come
}

/// Ledger orderings: by deadline (default, undated last), latest deadline first, newest first, least progress first.
public enum LedgerSort { Deadline, DeadlineDesc, Newest, Progress }

/// 问题清单 and 整改台账 over HTTP. Scope comes from the DbContext; lifecycle rules from Domain/Rectification.cs.
public static class RectApi
{
    public static readonly Dictionary<string, RectAction> ActionRoutes = new()
    {
        ["start"] = RectAction.Start, ["progress"] = RectAction.ReportProgress, ["request-closure"] = RectAction.RequestClosure,
        ["return"] = RectAction.Return, ["verify"] = RectAction.Verify, ["confirm"] = RectAction.ConfirmEffect,
        ["reopen"] = RectAction.Reopen, ["request-extension"] = RectAction.RequestExtension,
        ["approve-extension"] = RectAction.ApproveExtension, ["refuse-extension"] = RectAction.RefuseExtension,
        ["review"] = RectAction.Review, ["assign"] = RectAction.Assign,
    };

    /// The route (and the item page's form name) of an action.
    public static string RouteOf(RectAction a) => ActionRoutes.First(kv => kv.Value == a).Key;

    public static RouteGroupBuilder MapRectApi(this RouteGroupBuilder api)
    {
        api.MapGet("/categories", async (BihuanDb db, CancellationToken ct) => TypedResults.Ok(await db.Categories
            .Where(c => !c.Archived).OrderBy(c => c.SortOrder).Select(c => new { c.Id, c.Name, c.Group, c.RecheckDays })
            .ToListAsync(ct))).WithTags("问题清单 Problems");

        var problems = api.MapGroup("/problems").WithTags("问题清单 Problems");
        problems.MapGet("/", ListProblems);
        problems.MapPost("/", CreateProblem);
        problems.MapGet("/{id:int}", GetProblem);
        problems.MapPost("/{id:int}/items", AddItem).WithSummary("Add a rectification item (整改事项) to a problem");

        var items = api.MapGroup("/rectifications").WithTags("整改台账 Rectification");
        items.MapGet("/", Ledger).WithSummary("The ledger: filter by org subtree, status, source, text, overdue; paged");
        items.MapPost("/bulk", Bulk).WithSummary("One action on many items (assign | request-extension | approve-extension | refuse-extension); all or nothing");
        items.MapGet("/{id:int}", Detail).WithSummary("One item with its light and timeline");
        items.MapPost("/{id:int}/{action}", Act)
            .WithSummary("start | progress | request-closure | review | assign | return | verify | confirm | reopen | request-extension | approve-extension | refuse-extension (illegal transitions: 409)");

        var chains = api.MapGroup("/closure-chains").WithTags("整改台账 Rectification");
        chains.MapGet("/", ListClosureChains).WithSummary("对账销号: the review stages each source's closure requests pass before verification");
        chains.MapPut("/{source}", SetClosureChain).WithSummary("Set a source's review stages (admin): UnitSelfCheck, LeadReview; [] = verification only");

        return api;
    }

    public sealed record ClosureChainDto(string Source, string SourceLabel, List<string> Stages, List<string> StageLabels);
    /// Stage names (UnitSelfCheck, LeadReview), in any order.
    public sealed record ClosureChainInput(List<string>? Stages);

    static async Task<Ok<List<ClosureChainDto>>> ListClosureChains(ClosureChains chains, CancellationToken ct) =>
        TypedResults.Ok((await chains.ListAsync(ct)).Chains.ConvertAll(ToDto));

    static ClosureChainDto ToDto(ClosureChain c) =>
        new(c.Source.ToString(), c.Source.Label(), c.Stages.ConvertAll(x => x.ToString()), c.Stages.ConvertAll(x => x.Label()));

    static async Task<Ok<ClosureChainDto>> SetClosureChain(ClosureChains chains, string source, ClosureChainInput input,
        CancellationToken ct) => TypedResults.Ok(ToDto(await chains.SetAsync(source, input.Stages, ct)));

    static async Task<Ok<List<ProblemDto>>> ListProblems(BihuanDb db, int? orgId, string? q, CancellationToken ct)
    {
        var query = db.Problems.AsQueryable();
        if (orgId is { } o) query = query.Where(p => p.OrgId == o);
        if (!string.IsNullOrWhiteSpace(q)) query = query.Where(p => p.Description.Contains(q.Trim()));
        var list = await query.OrderByDescending(p => p.Id).Take(500)
            .Select(p => new { p, OrgName = p.Org!.Name, Category = p.Category!.Name }).ToListAsync(ct);
        return TypedResults.Ok(list.ConvertAll(x => ToDto(x.p, x.OrgName, x.Category)));
    }

    static ProblemDto ToDto(Problem p, string orgName, string? category) => new(p.Id, p.OrgId, orgName, p.Description,
        p.Source.Label(), p.Aspect.Label(), category, p.Dimension.Label(), p.Severity.Label(), p.Batch, p.CreatedAt, p.RecurrenceOfId);

    static async Task<Created<ProblemDto>> CreateProblem(BihuanDb db, TimeProvider clock, ClaimsPrincipal user, ProblemInput input,
        CancellationToken ct)
    {
        var p = await RectCommands.CreateProblemAsync(db, clock, input, ct);
        await RectCommands.ReopenForRecurrenceAsync(db, clock, user, p, ct);
        var org = await db.Orgs.Where(o => o.Id == p.OrgId).Select(o => o.Name).FirstAsync(ct);
        var cat = p.CategoryId is { } c ? await db.Categories.Where(x => x.Id == c).Select(x => x.Name).FirstAsync(ct) : null;
        return TypedResults.Created($"/api/v1/problems/{p.Id}", ToDto(p, org, cat));
    }

    static async Task<Results<Ok<ProblemDto>, NotFound>> GetProblem(BihuanDb db, int id, CancellationToken ct)
    {
        var x = await db.Problems.Where(p => p.Id == id)
            .Select(p => new { p, OrgName = p.Org!.Name, Category = p.Category!.Name }).FirstOrDefaultAsync(ct);
        return x is null ? TypedResults.NotFound() : TypedResults.Ok(ToDto(x.p, x.OrgName, x.Category));
    }

    static async Task<Created<LedgerEntry>> AddItem(BihuanDb db, TimeProvider clock, WorkingCalendar cal, LightRules rules,
        int id, ItemInput input, CancellationToken ct)
    {
        var item = await RectCommands.AddItemAsync(db, clock, id, input, ct);
        var row = (await RowsAsync(db, db.RectItems.Where(i => i.Id == item.Id), clock, cal, rules, ct)).Single();
        return TypedResults.Created($"/api/v1/rectifications/{item.Id}", row);
    }

    public static IQueryable<RectItem> Filter(BihuanDb db, LedgerFilter f, DateOnly today, string? accountId)
    {
        var q = db.NarrowToOwnOrgs(db.RectItems);   // the query filter restated for the index, never wider
        if (f.OrgId is { } orgId)
        {
            // The org and its subtree (the query filter has already cut it to the caller's scope).
            var prefix = db.Orgs.Where(o => o.Id == orgId).Select(o => o.Path + o.Id.ToString() + "/");
            q = q.Where(i => i.OrgId == orgId || prefix.Any(p => i.Org!.Path.StartsWith(p)));
        }
        if (f.Status is { } s) q = q.Where(i => i.Status == s);
        if (f.Source is { } src) q = q.Where(i => i.Source == src);
        if (!string.IsNullOrWhiteSpace(f.Q))
        {
            var t = f.Q.Trim();
            q = q.Where(i => i.Measures.Contains(t) || i.Problem!.Description.Contains(t) || (i.Handler != null && i.Handler.Contains(t)));
        }
        if (f.CategoryId is { } cat) q = q.Where(i => i.Problem!.CategoryId == cat);
        if (f.CampaignId is { } camp) q = q.Where(i => i.Problem!.CampaignId == camp);
        if (f.Dimension is { } dim) q = q.Where(i => i.Problem!.Dimension == dim);
        if (f.LeaderId is { } leader) q = q.Where(i => i.LeaderId == leader);
        if (f.DueFrom is { } from) q = q.Where(i => i.Deadline != null && i.Deadline >= from);
        if (f.DueTo is { } to) q = q.Where(i => i.Deadline != null && i.Deadline <= to);
        // Overdue: open and past a usable deadline (a stored 0001-01-01 is no deadline: the item's light is Invalid).
        var min = Bounds.MinDate;
        if (f.Overdue == true)
            q = q.Where(RectItem.Open).Where(i => i.Deadline != null && i.Deadline >= min && i.Deadline < today);
        // The supervision dashboard's figures drill down with these (each reproduces one figure exactly).
        if (f.Closed is { } closed)
            q = q.Where(closed ? RectItem.Closed : RectItem.Open);
        if (f.OnTime == true)   // open and not past a deadline (按期推进)
            q = q.Where(RectItem.Open).Where(i => !(i.Deadline != null && i.Deadline >= min && i.Deadline < today));
        if (f.Aspect is { } aspect) q = q.Where(i => i.Problem!.Aspect == aspect);
        if (f.Reopened == true) q = q.Where(i => i.ReopenCount > 0);
        if (f.Extended == true) q = q.Where(i => i.ExtensionCount > 0);
        if (f.RecheckDue == true) q = q.Where(i => i.Status == RectStatus.Closed && i.RecheckDue != null
            && i.RecheckDue <= today);
        // 数据无效: any stored value no read can use, open or closed (the repair list).
        if (f.Invalid == true) q = q.Where(UnusableValues.Where<RectItem>(db.Model));
        if (f.Mine == true && accountId is not null)
        {
            // Mine: I am the item's responsible leader (my person record), or its handler by my person's name.
            var personId = db.Users.Where(u => u.Id == accountId).Select(u => u.PersonId);
            var name = db.OwnPerson().Where(p => personId.Contains(p.Id)).Select(p => p.Name);
            q = q.Where(i => personId.Contains(i.LeaderId) || name.Contains(i.Handler));
        }
        return q;
    }

    public static async Task<List<LedgerEntry>> RowsAsync(BihuanDb db, IQueryable<RectItem> q, TimeProvider clock,
        WorkingCalendar cal, LightRules rules, CancellationToken ct)
    {
        var today = ChinaTime.Today(clock);
        var raw = await q.Select(i => new { i, Problem = i.Problem!.Description, OrgName = i.Org!.Name, Leader = i.Leader!.Name })
            .AsNoTracking().ToListAsync(ct);
        return raw.ConvertAll(x =>
        {
            var light = Lights.Of(LightInput.Of(x.i, x.i.StartOn, x.i.Deadline, x.i.LastProgressOn, today), rules, cal);
            return new LedgerEntry(x.i.Id, x.i.ProblemId, x.Problem, x.i.Source.Label(), x.i.OrgId, x.OrgName, x.i.Measures,
                x.i.Target, x.Leader, x.i.Handler, DeadlineLabel(x.i.DeadlineKind), x.i.Deadline, x.i.Status, x.i.Status.Label(),
                x.i.Percent, x.i.ReopenCount, light.Level, light.Level.Label(), light.Reason, UnusableValues.Describe(db.Model, x.i));
        });
    }

    public static string DeadlineLabel(DeadlineKind k) => !Enum.IsDefined(k) ? StoredValues.Invalid("时限类型", k) : k switch
    {
        DeadlineKind.Dated => "限期整改",
        DeadlineKind.Immediate => "立行立改",
        DeadlineKind.Ongoing => "长期坚持",
    };

    static async Task<Ok<LedgerPage>> Ledger(BihuanDb db, TimeProvider clock, WorkingCalendar cal, LightRules rules,
        ClaimsPrincipal user, [Microsoft.AspNetCore.Http.AsParameters] LedgerFilter f, CancellationToken ct) =>
        TypedResults.Ok(await LedgerAsync(db, clock, cal, rules, user.FindFirstValue(ClaimTypes.NameIdentifier), f, ct));

    public static async Task<LedgerPage> LedgerAsync(BihuanDb db, TimeProvider clock, WorkingCalendar cal, LightRules rules,
        string? accountId, LedgerFilter f, CancellationToken ct)
    {
        var q = await LedgerLights.FilterAsync(db, f, ChinaTime.Today(clock), accountId, cal, rules, ct);
        var size = Math.Clamp(f.PageSize ?? 50, 1, 500);
        var page = Math.Clamp(f.Page ?? 1, 1, InputBounds.PageMax);   // a page past this overflows the offset
        var total = await q.CountAsync(ct);
        var ordered = (f.Sort ?? LedgerSort.Deadline) switch
        {
            LedgerSort.Deadline => q.OrderBy(i => i.Deadline == null).ThenBy(i => i.Deadline).ThenBy(i => i.Id),
            LedgerSort.DeadlineDesc => q.OrderBy(i => i.Deadline == null).ThenByDescending(i => i.Deadline).ThenByDescending(i => i.Id),
            LedgerSort.Newest => q.OrderByDescending(i => i.Id),
            LedgerSort.Progress => q.OrderBy(i => i.Percent).ThenBy(i => i.Deadline).ThenBy(i => i.Id),
        };
        var rows = await RowsAsync(db, ordered.Skip((page - 1) * size).Take(size), clock, cal, rules, ct);
        return new LedgerPage(total, page, size, rows);
    }

    public static async Task<ItemDetail?> DetailAsync(BihuanDb db, TimeProvider clock, WorkingCalendar cal, LightRules rules,
        int id, CancellationToken ct)
    {
        var row = (await RowsAsync(db, db.RectItems.Where(i => i.Id == id), clock, cal, rules, ct)).FirstOrDefault();
        if (row is null) return null;
        var item = await db.RectItems.Include(i => i.Org).AsNoTracking().FirstAsync(i => i.Id == id, ct);
        var updates = await db.RectUpdates.Where(u => u.RectItemId == id).OrderBy(u => u.At).ThenBy(u => u.Id)
            .AsNoTracking().ToListAsync(ct);
        var ids = updates.ConvertAll(u => (int?)u.Id);
        var files = await Uploads.OfAsync(db, c => ids.Contains(c.RectUpdateId), c => c.RectUpdateId, ct);
        var timeline = updates.ConvertAll(u => new TimelineEntry(u.Id, u.Action.Label(), u.FromStatus.Label(),
            u.ToStatus.Label(), u.ActorName, u.At, u.Text, u.Percent, files.GetValueOrDefault(u.Id) ?? []));
        var allowed = item.AllowedFor(db.Access, item.Org!).ToList();
        return new ItemDetail(row, item.CoUnits, item.StartOn, item.RecheckDue, item.ReturnCount, item.ExtensionRequestedTo, item.ExtensionCount,
            allowed.ConvertAll(RouteOf), timeline,
            item.PendingReviews.ConvertAll(x => x.Label()))
        {
            Allowed = allowed,
            Unusable = UnusableValues.Of(db.Model, item),
            CanRepair = db.Access.Can(Permission.RepairValues, item.Org!),
            CanIssueOrder = SupervisionLifecycle.IsIssuer(db.Access, item.Org!) && !db.Access.IsSystem,
        };
    }

    static async Task<Results<Ok<ItemDetail>, NotFound>> Detail(RectItems items, int id, CancellationToken ct) =>
        await items.DetailAsync(id, ct) is { } d ? TypedResults.Ok(d) : TypedResults.NotFound();

    static async Task<Ok<BulkResult>> Bulk(BihuanDb db, TimeProvider clock, ClaimsPrincipal user, BulkInput input,
        CancellationToken ct) => TypedResults.Ok(await RectCommands.BulkAsync(db, clock, user, input, ct));

    static async Task<Results<Ok<ItemDetail>, NotFound>> Act(RectItems items, ClaimsPrincipal user, int id, string action,
        ActionInput? input, CancellationToken ct) =>
        ActionRoutes.TryGetValue(action, out var a)
            ? TypedResults.Ok(await items.ActAsync(user, id, a, input ?? new ActionInput(null, null, null), null, ct))
            : TypedResults.NotFound();
}
