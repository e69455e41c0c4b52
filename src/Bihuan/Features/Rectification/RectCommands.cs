using System.Security.Claims;
using Bihuan.Data;
using Bihuan.Domain;
using Bihuan.Features.Files;
using Bihuan.Features.Notifications;
using Bihuan.Features.Organizations;
using Bihuan.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Bihuan.Features.Rectification;

public sealed record ProblemInput(int? OrgId, string? Description, SourceChannel? Source, Aspect? Aspect, int? CategoryId,
    Dimension? Dimension, Severity? Severity, int? LeaderId, int? CampaignId, string? Batch, bool? NotDuplicate = null,
    int? RecurrenceOfId = null);


public sealed record ItemInput(string? Measures, string? Target, int? LeadOrgId, string? CoUnits, int? LeaderId,
    string? Handler, DeadlineKind? DeadlineKind, DateOnly? Deadline, int? ReportEveryDays);

/// One action on many items: Handler for assign, NewDeadline and Text (the reason) for request-extension.
public sealed record BulkInput(List<int>? Ids, string? Action, string? Handler, string? Text, DateOnly? NewDeadline);
public sealed record BulkResult(int Done, string Action);

/// Evidence: ids of uploads to cite (your own, or already cited by a record you can see) — never hashes.
public sealed record ActionInput(string? Text, int? Percent, List<Guid>? Evidence, DateOnly? NewDeadline = null);

/// Problems and their rectification items: recording them and moving items through the lifecycle
/// (Domain/Rectification.cs holds the rules; this file loads, checks scope, applies, records the timeline).
public static class RectCommands
{
    /// `act`: the permission the caller records the problem under — RecordProblems for the unit or its office,
    /// DispatchDemands when the dispatch desk escalates public demands into the problem list.
    public static async Task<Problem> CreateProblemAsync(BihuanDb db, TimeProvider clock, ProblemInput input, CancellationToken ct,
        Permission act = Permission.RecordProblems)
    {
        var errors = new List<Invalid>();
        if (input.OrgId is null) errors.Add(new("orgId", "请选择问题所在单位"));
        if (string.IsNullOrWhiteSpace(input.Description)) errors.Add(new("description", "问题描述不能为空"));
        else if (input.Description.Trim().Length > Problem.DescriptionMax)
            errors.Add(new("description", $"问题描述不能超过 {Problem.DescriptionMax} 字"));
        if (input.Source is null) errors.Add(new("source", "请选择问题来源"));
        else errors.Defined("source", input.Source, "未知的问题来源");
        if (input.Aspect is null) errors.Add(new("aspect", "请选择查摆方面（个人、职责、工作）"));
        else errors.Defined("aspect", input.Aspect, "未知的查摆方面");
        if (input.Dimension is null) errors.Add(new("dimension", "请选择对应的总要求方面"));
        else errors.Defined("dimension", input.Dimension, "未知的总要求方面");
        errors.Defined("severity", input.Severity, "未知的严重程度").Text("batch", input.Batch, 200, "批次");
        ErrorMapping.ThrowIfAny(errors);
        var org = await OrgCommands.FindForAsync(db, input.OrgId!.Value, act, ct);
        if (input.CategoryId is { } cid && !await db.Categories.AnyAsync(c => c.Id == cid && !c.Archived, ct))
            throw new DomainException(new Invalid("categoryId", "问题类别不存在"));
        if (input.LeaderId is { } lid && !await db.People.AnyAsync(p => p.Id == lid && p.OrgId == org.Id && p.IsLeadership, ct))
            throw new DomainException(new Invalid("leaderId", "责任领导须是本单位班子成员"));
        if (input.CampaignId is { } camp && !await db.Campaigns.AnyAsync(c => c.Id == camp, ct))
            throw new DomainException(new Invalid("campaignId", "学习教育不存在"));
        if (input.RecurrenceOfId is { } rid)
        {
            var old = await db.Problems.FirstOrDefaultAsync(p => p.Id == rid, ct)
                ?? throw new DomainException(new Invalid("recurrenceOfId", "原问题不存在或不在您的权限范围内"));
            if (await db.RectItems.Where(RectItem.Open).AnyAsync(i => i.ProblemId == old.Id, ct)
                || !await db.RectItems.AnyAsync(i => i.ProblemId == old.Id, ct))
                throw new DomainException(new Invalid("recurrenceOfId", "原问题尚未销号：请在原问题下增加整改措施，而不是登记复发"));
        }
        else if (input.NotDuplicate != true)
        {
            var similar = await SimilarOpenProblemsAsync(db, org, input.Description!, ct);
            if (similar.Count > 0) throw new DomainException(new PossibleDuplicate(similar));
        }
        var problem = new Problem
        {
            OrgId = org.Id, Description = input.Description!.Trim(), Source = input.Source!.Value, Aspect = input.Aspect!.Value,
            CategoryId = input.CategoryId, Dimension = input.Dimension!.Value, Severity = input.Severity ?? Severity.General,
            LeaderId = input.LeaderId, CampaignId = input.CampaignId, Batch = input.Batch?.Trim(), CreatedAt = ChinaTime.Now(clock),
            RecurrenceOfId = input.RecurrenceOfId,
        };
        db.Problems.Add(problem);
        await db.SaveChangesAsync(ct);
        return problem;
    }

    /// Open problems (an item not yet closed, or no item yet) of the org's subtree whose text is close to `text`.
    public static async Task<List<SimilarProblem>> SimilarOpenProblemsAsync(BihuanDb db, Org org, string text, CancellationToken ct)
    {
        var candidates = await db.Problems.InSubtree(p => p.Org, org)
            .OrderByDescending(p => p.Id).Take(5000)
            .Select(p => new
            {
                p.Id, p.Description, OrgName = p.Org!.Name,
                Closed = db.RectItems.Any(i => i.ProblemId == p.Id)
                    && !db.RectItems.Where(RectItem.Open).Any(i => i.ProblemId == p.Id),
            }).ToListAsync(ct);
        var mine = TextSimilarity.Bigrams(text);
        // Open ones are duplicates (link instead); closed ones may be a recurrence (report it as such: it reopens them).
        return candidates.Select(p => new SimilarProblem(p.Id, p.OrgName, p.Description,
                Math.Round(TextSimilarity.Dice(mine, TextSimilarity.Bigrams(p.Description)), 2), p.Closed))
            .Where(p => p.Score >= TextSimilarity.DuplicateThreshold).OrderByDescending(p => p.Score).Take(5).ToList();
    }

    /// A closed problem came back: reopen its closed items (where the caller may reopen), citing the new report.
    /// Returns how many were reopened; items the caller may not reopen stay closed and the link remains for verifiers.
    public static async Task<int> ReopenForRecurrenceAsync(BihuanDb db, TimeProvider clock, ClaimsPrincipal user, Problem report,
        CancellationToken ct)
    {
        if (report.RecurrenceOfId is not { } oldId) return 0;
        var items = await db.RectItems.Include(i => i.Org)
            .Where(RectItem.Closed).Where(i => i.ProblemId == oldId).ToListAsync(ct);
        var n = 0;
        foreach (var item in items.Where(i => i.AllowedFor(db.Access, i.Org!).Contains(RectAction.Reopen)))
        {
            await ApplyAsync(db, clock, user, item.Id, RectAction.Reopen, new ActionInput($"问题复发：见问题 #{report.Id}", null, null), ct);
            n++;
        }
        return n;
    }

    public static async Task<RectItem> AddItemAsync(BihuanDb db, TimeProvider clock, int problemId, ItemInput input, CancellationToken ct)
    {
        var problem = await db.Problems.Include(p => p.Org).FirstOrDefaultAsync(p => p.Id == problemId, ct)
            ?? throw new DomainException(new RecordNotFound("问题"));
        if (!db.Access.Can(Permission.RecordProblems, problem.Org!)) throw new DomainException(new Forbidden("您对该问题只有查看权限"));
        var errors = new List<Invalid>();
        if (string.IsNullOrWhiteSpace(input.Measures)) errors.Add(new("measures", "整改措施不能为空"));
        else if (input.Measures.Length > 2000) errors.Add(new("measures", "整改措施不能超过 2000 字"));
        var kind = input.DeadlineKind ?? DeadlineKind.Dated;
        var today = ChinaTime.Today(clock);
        // The item starts today: its deadline may not be before that, nor outside the date window.
        errors.Text("target", input.Target, 1000, "整改目标").Text("coUnits", input.CoUnits, 500, "配合单位")
            .Text("handler", input.Handler, 100, "责任人")
            .Defined("deadlineKind", input.DeadlineKind, "未知的时限类型（有时限、立行立改、长期坚持）")
            .DateFrom("deadline", kind == DeadlineKind.Dated ? input.Deadline : null, today, "整改时限不能早于今天");
        if (kind == DeadlineKind.Dated && input.Deadline is null) errors.Add(new("deadline", "请填写整改时限，或选择立行立改、长期坚持"));
        if (kind == DeadlineKind.Ongoing && input.ReportEveryDays is not (>= 7 and <= 366))
            errors.Add(new("reportEveryDays", "长期坚持的事项须设定报送周期（7 至 366 天）"));
        ErrorMapping.ThrowIfAny(errors);
        var lead = input.LeadOrgId is { } oid && oid != problem.OrgId
            ? await OrgCommands.FindForAsync(db, oid, Permission.Read, ct) : problem.Org!;
        if (input.LeaderId is { } lid && !await db.People.AnyAsync(p => p.Id == lid && p.IsLeadership, ct))
            throw new DomainException(new Invalid("leaderId", "责任领导须是班子成员"));
        var item = new RectItem
        {
            ProblemId = problem.Id, OrgId = lead.Id, Measures = input.Measures!.Trim(), Target = input.Target?.Trim(),
            CoUnits = input.CoUnits?.Trim(), LeaderId = input.LeaderId ?? problem.LeaderId, Handler = input.Handler?.Trim(),
            DeadlineKind = kind, StartOn = today,
            Deadline = kind switch { DeadlineKind.Dated => input.Deadline, DeadlineKind.Immediate => today, DeadlineKind.Ongoing => null },
            ReportEveryDays = kind == DeadlineKind.Ongoing ? input.ReportEveryDays : null,
            Severity = problem.Severity, Source = problem.Source, CreatedAt = ChinaTime.Now(clock),
        };
        db.RectItems.Add(item);
        await db.SaveChangesAsync(ct);
        return item;
    }

    public static readonly string[] BulkActions = ["assign", "request-extension", "approve-extension", "refuse-extension"];
    public const int BulkMax = 200;

    /// Bulk assign / extend: the action is applied to every item in one transaction, or to none. Every refusal is
    /// reported against its item (errors["items[ID]"]), so the caller can drop those and try again.
    public static async Task<BulkResult> BulkAsync(BihuanDb db, TimeProvider clock, ClaimsPrincipal user, BulkInput input,
        CancellationToken ct)
    {
        var ids = (input.Ids ?? []).Distinct().ToList();
        var errors = new List<Invalid>();
        if (ids.Count == 0) errors.Add(new("ids", "请选择整改事项"));
        if (ids.Count > BulkMax) errors.Add(new("ids", $"一次最多办理 {BulkMax} 项"));
        if (input.Action is null || !BulkActions.Contains(input.Action))
            errors.Add(new("action", "请选择批量操作：指定责任人、申请延期、批准延期或不予延期"));
        errors.Text("handler", input.Handler, 100, "责任人").Text("text", input.Text, 2000, "说明").Date("newDeadline", input.NewDeadline);
        ErrorMapping.ThrowIfAny(errors);
        var action = RectApi.ActionRoutes[input.Action!];
        var text = action == RectAction.Assign ? input.Handler : input.Text;
        var own = db.Database.CurrentTransaction is null;
        await using var tx = own ? await db.Database.BeginTransactionAsync(ct) : null;
        foreach (var id in ids)
        {
            try
            {
                await ApplyAsync(db, clock, user, id, action, new ActionInput(text, null, null, input.NewDeadline), ct);
            }
            catch (DomainException e)
            {
                errors.Add(new($"items[{id}]", $"#{id}：{e.Error.Message}"));
                db.ChangeTracker.Clear();   // the refused item's state is not saved with the others
            }
        }
        if (errors.Count > 0)
        {
            if (tx is not null) await tx.RollbackAsync(ct);
            db.ChangeTracker.Clear();
            ErrorMapping.ThrowIfAny(errors);
        }
        if (tx is not null) await tx.CommitAsync(ct);
        return new BulkResult(ids.Count, action.Label());
    }

    /// 对账销号: sets the review stages closure requests from `source` pass before verification (admin only; an empty
    /// list means a single verification step). Requests already under way keep the stages they started with.
    public static async Task<ClosureChainRule> SetClosureChainAsync(BihuanDb db, SourceChannel source,
        IReadOnlyList<ClosureStage>? stages, CancellationToken ct)
    {
        if (!db.Access.CanAnywhere(Permission.ManageSettings)) throw new DomainException(new Forbidden("只有系统管理员可以配置对账销号流程"));
        if (!Enum.IsDefined(source)) throw new DomainException(new Invalid("source", "未知的问题来源"));
        var list = (stages ?? []).ToList();
        if (list.Count > 10 || list.Any(s => !Enum.IsDefined(s))) throw new DomainException(new Invalid("stages", "未知的审核环节"));
        if (list.Distinct().Count() != list.Count) throw new DomainException(new Invalid("stages", "审核环节不能重复"));
        // The unit checks its own work before the lead department reviews it, whatever order the stages were given in.
        list.Sort();
        var rule = await db.ClosureChains.FirstOrDefaultAsync(c => c.Source == source, ct);
        if (rule is null && list.Count == 0) return new ClosureChainRule { Source = source };
        if (rule is null) db.ClosureChains.Add(rule = new ClosureChainRule { Source = source, Stages = list });
        else if (list.Count == 0) db.ClosureChains.Remove(rule);
        else rule.Stages = list;
        await db.SaveChangesAsync(ct);
        return rule;
    }

    /// Each handoff and who is told: the parties of the next act on the item's new state, or (Next null) the unit
    /// that owns the item. Progress reports, assignment and 成效确认 hand nothing on.
    static readonly Dictionary<RectAction, (NotificationKind Kind, RectAction[]? Next)> Handoffs = new()
    {
        [RectAction.RequestClosure] = (NotificationKind.RectClosureRequested, [RectAction.Review, RectAction.Verify]),
        [RectAction.Review] = (NotificationKind.RectClosureRequested, [RectAction.Review, RectAction.Verify]),
        [RectAction.Return] = (NotificationKind.RectReturned, null),
        [RectAction.Verify] = (NotificationKind.RectVerified, null),
        [RectAction.Reopen] = (NotificationKind.RectReopened, null),
        [RectAction.RequestExtension] = (NotificationKind.RectExtensionRequested, [RectAction.ApproveExtension]),
        [RectAction.ApproveExtension] = (NotificationKind.RectExtensionDecided, null),
        [RectAction.RefuseExtension] = (NotificationKind.RectExtensionDecided, null),
    };

    public static async Task<RectUpdate> ApplyAsync(BihuanDb db, TimeProvider clock, ClaimsPrincipal user, int itemId,
        RectAction action, ActionInput input, CancellationToken ct)
    {
        var item = await db.RectItems.Include(i => i.Org).Include(i => i.Problem).ThenInclude(p => p!.Category)
            .FirstOrDefaultAsync(i => i.Id == itemId, ct) ?? throw new DomainException(new RecordNotFound("整改事项"));
        var evidence = await Uploads.CitableAsync(db, input.Evidence, "evidence", ct);
        new List<Invalid>().Text("text", input.Text, 2000, "说明").Date("newDeadline", input.NewDeadline).ThrowIfAny();
        // Evidence counts for a closure request if it was filed since the item was last (re)opened.
        var sinceReopen = await db.RectUpdates.Where(u => u.RectItemId == itemId && u.Action == RectAction.Reopen)
            .MaxAsync(u => (DateTime?)u.At, ct) ?? DateTime.MinValue;
        var updatesSince = db.RectUpdates.Where(u => u.RectItemId == itemId && u.At >= sinceReopen).Select(u => (int?)u.Id);
        var earlier = await db.FileCitations.CountAsync(c => updatesSince.Contains(c.RectUpdateId), ct);
        var id = user.FindFirstValue(ClaimTypes.NameIdentifier) ?? throw new DomainException(new Forbidden("请先登录"));
        var name = await db.Users.Where(u => u.Id == id).Select(u => u.DisplayName).FirstOrDefaultAsync(ct) ?? id;
        var now = ChinaTime.Now(clock);
        var chain = action == RectAction.RequestClosure
            ? await db.ClosureChains.Where(c => c.Source == item.Source).Select(c => c.Stages).FirstOrDefaultAsync(ct)
            : null;
        var ev = item.Apply(action, new Actor(id, name, db.Access), item.Org!, now, input.Text?.Trim(), input.Percent,
            evidence.Count + (action == RectAction.RequestClosure ? earlier : 0), item.Problem?.Category?.RecheckDays ?? 90,
            input.NewDeadline, chain);
        if (action is RectAction.ReportProgress or RectAction.Start or RectAction.RequestClosure)
            item.LastProgressOn = ChinaTime.Today(clock);
        var update = new RectUpdate
        {
            RectItemId = item.Id, OrgId = item.OrgId, Action = ev.Action, FromStatus = ev.From, ToStatus = ev.To,
            ActorId = id, ActorName = name, At = now, Text = ev.Text, Percent = ev.Percent,
        };
        db.RectUpdates.Add(update);
        Uploads.Cite(db, evidence, item.OrgId, c => c.RectUpdate = update);
        if (Handoffs.TryGetValue(action, out var told))
        {
            var org = item.Org!;
            await new Handoff
            {
                Kind = told.Kind, Title = item.Measures, Link = $"/ledger/{item.Id}",
                    Key = $"rect:{item.Id}:{action}:{now.Ticks}",
                OrgIds = [item.OrgId], ActorId = id,
                CanAct = s => told.Next is { } next ? item.AllowedFor(s, org).Any(next.Contains) : RectState.IsOwner(
                    s, org),
            }.StageAsync(db, now, ct);
        }
        await db.SaveChangesAsync(ct);
        return update;
    }
}
