using System.Security.Claims;
using Bihuan.Data;
using Bihuan.Domain;
using Bihuan.Features.Notifications;
using Bihuan.Features.Organizations;
using Bihuan.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Bihuan.Features.Study;

public sealed record PlanTaskInput(string? Title, string? Owner, DateOnly? DueOn, string? KeyTask);

/// Text: HTML (sanitized on the way in) or plain text (one paragraph per line).
public sealed record PlanInput(int? CampaignId, int? OrgId, string? Title, string? Text, List<PlanTaskInput>? Tasks);

public sealed record PlanTaskDto(int Id, string Title, string? Owner, DateOnly? DueOn, string? KeyTask, DateOnly? DoneOn);

public sealed record PlanEventDto(string Action, string From, string To, string Actor, DateTime At, string? Comment);

public sealed record PlanDto(int Id, int CampaignId, string CampaignName, int OrgId, string OrgName, string Title, string Text,
    PlanStatus Status, string StatusLabel, int Version, int ReturnCount, string? LastComment, bool SignedOff,
    List<PlanTaskDto> Tasks, List<string> AllowedActions, List<PlanEventDto> Timeline, List<int> Versions);

public sealed record PlanRow(int Id, int CampaignId, int OrgId, string OrgName, string Title, PlanStatus Status, string StatusLabel,
    int Version, int ReturnCount, DateTime UpdatedAt);

public sealed record SubUnitPlan(int OrgId, string OrgName, int? PlanId, PlanStatus? Status, string StatusLabel, bool Submitted);

public sealed record PlanExists(int PlanId)
    : Error("plan_exists", "本单位已有该学习教育的实施方案，请打开修改", ErrorKind.Conflict);

/// 实施方案: drafting, sign-off, submission, approval or return (rules: Domain/Plans.cs), versions and their diff.
public static class PlanCommands
{
    public static readonly Dictionary<string, PlanAction> ActionRoutes = new()
    {
        ["sign-off"] = PlanAction.SignOff, ["submit"] = PlanAction.Submit, ["return"] = PlanAction.Return, ["approve"] = PlanAction.Approve,
    };

    public static string Route(PlanAction a) => ActionRoutes.FirstOrDefault(kv => kv.Value == a).Key ?? "edit";

    static async Task<List<DutyTask>> ValidateAsync(BihuanDb db, Campaign campaign, Org org, PlanInput input, TimeProvider clock,
        CancellationToken ct)
    {
        var errors = new List<Invalid>().List("tasks", input.Tasks, 200, "任务");
        if (input.Title is { Length: > 200 }) errors.Add(new("title", "方案标题不能超过 200 字"));
        if (input.Text is { Length: > Plan.TextMax }) errors.Add(new("text", $"方案正文不能超过 {Plan.TextMax} 字"));
        errors.ThrowIfAny();
        var tasks = new List<DutyTask>();
        var n = 0;
        foreach (var t in input.Tasks ?? [])
        {
            n++;
            errors.Date("tasks", t!.DueOn, $"第 {n} 项任务：");
            if (string.IsNullOrWhiteSpace(t.Title) && string.IsNullOrWhiteSpace(t.Owner) && t.DueOn is null) continue;
            if (string.IsNullOrWhiteSpace(t.Title) || t.Title.Length > 500) errors.Add(new("tasks", $"第 {n} 项任务：请填写任务内容（不超过 500 字）"));
            if (t.Owner is { Length: > 100 }) errors.Add(new("tasks", $"第 {n} 项任务：责任人不能超过 100 字"));
            if (t.DueOn is null) errors.Add(new("tasks", $"第 {n} 项任务：请填写完成时限"));
            if (!string.IsNullOrWhiteSpace(t.KeyTask) && !campaign.KeyTasks.Contains(t.KeyTask.Trim()))
                errors.Add(new("tasks", $"第 {n} 项任务：“{t.KeyTask}”不是本次学习教育的重点任务（{string.Join("、", campaign.KeyTasks)}）"));
            tasks.Add(new DutyTask
            {
                OrgId = org.Id, Source = DutySource.PlanTask, Title = t.Title?.Trim() ?? "", Owner = t.Owner?.Trim(), DueOn = t.DueOn,
                KeyTask = string.IsNullOrWhiteSpace(t.KeyTask) ? null : t.KeyTask.Trim(), SortOrder = n, CreatedAt = ChinaTime.Now(clock),
            });
        }
        if (tasks.Count > 200) errors.Add(new("tasks", "任务不能超过 200 项"));
        // Sanitizing re-encodes text ("<" → "&lt;"), so the stored length is checked after cleaning.
        if (input.Text is { Length: <= Plan.TextMax } raw && CleanText(raw).Length > Plan.TextMax)
            errors.Add(new("text", $"方案正文不能超过 {Plan.TextMax} 字"));
        ErrorMapping.ThrowIfAny(errors);
        return tasks;
    }

    public static string CleanText(string? text) =>
        string.IsNullOrWhiteSpace(text) ? "" : text.Contains('<') ? HtmlSanitizer.Sanitize(text) : HtmlSanitizer.FromPlainText(text);

    public static async Task<Plan> CreateAsync(BihuanDb db, TimeProvider clock, ClaimsPrincipal user, PlanInput input, CancellationToken ct)
    {
        if (input.CampaignId is null) throw new DomainException(new Invalid("campaignId", "请选择学习教育"));
        if (input.OrgId is null) throw new DomainException(new Invalid("orgId", "请选择单位"));
        var campaign = await db.Campaigns.AsNoTracking().FirstOrDefaultAsync(c => c.Id == input.CampaignId, ct)
            ?? throw new DomainException(new Invalid("campaignId", "学习教育不存在"));
        var org = await OrgCommands.FindAsync(db, input.OrgId.Value, ct);
        if (!campaign.IsPublished || !await CampaignCommands.ParticipatesAsync(db, campaign, org, ct))
            throw new DomainException(new Invalid("campaignId", "该单位不在这次学习教育的范围内，或学习教育尚未发布"));
        if (!PlanState.IsUnit(db.Access, org)) throw new DomainException(new Forbidden("实施方案由本单位主要负责人、班子成员或联络员起草"));
        if (await db.Plans.Where(p => p.CampaignId == campaign.Id && p.OrgId == org.Id).Select(p => (int?)p.Id).FirstOrDefaultAsync(ct) is { } existing)
            throw new DomainException(new PlanExists(existing));
        var tasks = await ValidateAsync(db, campaign, org, input, clock, ct);
        var actor = await Callers.ActorAsync(db, user, ct);
        var now = ChinaTime.Now(clock);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var plan = new Plan
        {
            CampaignId = campaign.Id, OrgId = org.Id, Title = string.IsNullOrWhiteSpace(input.Title) ? $"{org.Name}{campaign.Name}实施方案" : input.Title.Trim(),
            Text = CleanText(input.Text), DraftedBy = actor.AccountId, CreatedAt = now, UpdatedAt = now,
        };
        db.Plans.Add(plan);
        await db.SaveChangesAsync(ct);
        foreach (var t in tasks) t.PlanId = plan.Id;
        db.DutyTasks.AddRange(tasks);
        db.PlanEvents.Add(new PlanEvent
        {
            PlanId = plan.Id, OrgId = org.Id, Action = PlanAction.Edit, FromStatus = PlanStatus.Draft, ToStatus = PlanStatus.Draft,
            ActorId = actor.AccountId, ActorName = actor.Name, At = now, Comment = "起草",
        });
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return plan;
    }

    static async Task<Plan> LoadAsync(BihuanDb db, int id, CancellationToken ct) =>
        await db.Plans.Include(p => p.Org).Include(p => p.Campaign).FirstOrDefaultAsync(p => p.Id == id, ct)
        ?? throw new DomainException(new RecordNotFound("实施方案"));

    public static async Task<Plan> UpdateAsync(BihuanDb db, TimeProvider clock, ClaimsPrincipal user, int id, PlanInput input, CancellationToken ct)
    {
        var plan = await LoadAsync(db, id, ct);
        var tasks = await ValidateAsync(db, plan.Campaign!, plan.Org!, input, clock, ct);
        var actor = await Callers.ActorAsync(db, user, ct);
        var now = ChinaTime.Now(clock);
        var change = plan.Apply(PlanAction.Edit, actor, plan.Org!, now);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        if (input.Title is { } title && title.Trim().Length > 0) plan.Title = title.Trim();
        if (input.Text is not null) plan.Text = CleanText(input.Text);
        plan.UpdatedAt = now;
        if (input.Tasks is not null)
        {
            db.DutyTasks.RemoveRange(await db.DutyTasks.Where(t => t.PlanId == plan.Id).ToListAsync(ct));
            foreach (var t in tasks) t.PlanId = plan.Id;
            db.DutyTasks.AddRange(tasks);
        }
        AddEvent(db, plan, change);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return plan;
    }

    static void AddEvent(BihuanDb db, Plan plan, PlanChange c) => db.PlanEvents.Add(new PlanEvent
    {
        PlanId = plan.Id, OrgId = plan.OrgId, Action = c.Action, FromStatus = c.From, ToStatus = c.To, ActorId = c.ActorId,
        ActorName = c.ActorName, At = c.At, Comment = c.Comment,
    });

    public static async Task<Plan> ActAsync(BihuanDb db, TimeProvider clock, ClaimsPrincipal user, int id, PlanAction action,
        string? comment, CancellationToken ct)
    {
        if (comment is { Length: > 2000 }) throw new DomainException(new Invalid("comment", "意见不能超过 2000 字"));
        var plan = await LoadAsync(db, id, ct);
        var tasks = await db.DutyTasks.Where(t => t.PlanId == plan.Id).OrderBy(t => t.SortOrder).AsNoTracking().ToListAsync(ct);
        var actor = await Callers.ActorAsync(db, user, ct);
        var now = ChinaTime.Now(clock);
        var change = plan.Apply(action, actor, plan.Org!, now, comment, hasContent: plan.Text.Length > 0 && tasks.Count > 0);
        if (action == PlanAction.Submit)
            db.PlanVersions.Add(new PlanVersion
            {
                PlanId = plan.Id, OrgId = plan.OrgId, Version = plan.Version, Text = plan.Text,
                TasksText = string.Join("\n", tasks.Select(t => t.AsLine())), SubmittedAt = now, SubmittedBy = actor.AccountId,
            });
        AddEvent(db, plan, change);
        if (Handoffs.TryGetValue(action, out var told))
        {
            var org = plan.Org!;
            await new Handoff
            {
                Kind = told.Kind, Title = plan.Title, Link = $"/plans/{plan.Id}",
                    Key = $"plan:{plan.Id}:{action}:{now.Ticks}",
                OrgIds = [plan.OrgId], ActorId = actor.AccountId,
                CanAct = s => told.Next is { } next ? plan.AllowedFor(s, org).Any(next.Contains) : PlanState.IsUnit(
                    s, org),
            }.StageAsync(db, now, ct);
        }
        await db.SaveChangesAsync(ct);
        return plan;
    }

    /// Each handoff and who is told: the parties of the next act, or (Next null) the unit that drafts the plan.
    static readonly Dictionary<PlanAction, (NotificationKind Kind, PlanAction[]? Next)> Handoffs = new()
    {
        [PlanAction.SignOff] = (NotificationKind.PlanSignedOff, [PlanAction.Submit]),
        [PlanAction.Submit] = (NotificationKind.PlanSubmitted, [PlanAction.Approve]),
        [PlanAction.Return] = (NotificationKind.PlanReturned, [PlanAction.Edit]),
        [PlanAction.Approve] = (NotificationKind.PlanApproved, null),
    };

    public static async Task<PlanDto?> GetAsync(BihuanDb db, int id, CancellationToken ct)
    {
        var plan = await db.Plans.Include(p => p.Org).Include(p => p.Campaign).AsNoTracking().FirstOrDefaultAsync(p => p.Id == id, ct);
        if (plan is null) return null;
        var tasks = await db.DutyTasks.Where(t => t.PlanId == id).OrderBy(t => t.SortOrder).AsNoTracking()
            .Select(t => new PlanTaskDto(t.Id, t.Title, t.Owner, t.DueOn, t.KeyTask, t.DoneOn)).ToListAsync(ct);
        var events = (await db.PlanEvents.Where(e => e.PlanId == id).OrderBy(e => e.At).ThenBy(e => e.Id).AsNoTracking().ToListAsync(ct))
            .ConvertAll(e => new PlanEventDto(e.Action.Label(), e.FromStatus.Label(), e.ToStatus.Label(), e.ActorName, e.At, e.Comment));
        var versions = await db.PlanVersions.Where(v => v.PlanId == id).OrderBy(v => v.Version).Select(v => v.Version).ToListAsync(ct);
        return new PlanDto(plan.Id, plan.CampaignId, plan.Campaign!.Name, plan.OrgId, plan.Org!.Name, plan.Title,
            HtmlSanitizer.Sanitize(plan.Text), plan.Status, plan.Status.Label(), plan.Version, plan.ReturnCount, plan.LastComment,
            plan.SignedOffBy is not null, tasks, plan.AllowedFor(db.Access, plan.Org!).Select(Route).ToList(), events, versions);
    }

    /// Plans in scope as list rows (one query), optionally one campaign and/or an org's subtree.
    public static async Task<List<PlanRow>> ListAsync(BihuanDb db, int? campaignId, int? orgId, CancellationToken ct)
    {
        var q = db.Plans.AsQueryable();
        if (campaignId is { } c) q = q.Where(p => p.CampaignId == c);
        if (orgId is { } o)
        {
            var org = await OrgCommands.FindAsync(db, o, ct);
            var ids = db.Orgs.Subtree(org).Select(o => o.Id);
            q = q.Where(p => ids.Contains(p.OrgId));
        }
        var rows = await q.OrderBy(p => p.CampaignId).ThenBy(p => p.OrgId).Take(2000)
            .Select(p => new { p.Id, p.CampaignId, p.OrgId, OrgName = p.Org!.Name, p.Title, p.Status, p.Version, p.ReturnCount, p.UpdatedAt })
            .AsNoTracking().ToListAsync(ct);
        return rows.ConvertAll(p => new PlanRow(p.Id, p.CampaignId, p.OrgId, p.OrgName, p.Title, p.Status, p.Status.Label(), p.Version,
            p.ReturnCount, p.UpdatedAt));
    }

    /// A version's paragraphs and task lines, or the current draft's when version is null.
    public static async Task<List<string>?> LinesAsync(BihuanDb db, int planId, int? version, CancellationToken ct)
    {
        if (version is { } v)
        {
            var pv = await db.PlanVersions.AsNoTracking().FirstOrDefaultAsync(x => x.PlanId == planId && x.Version == v, ct);
            return pv is null ? null : [.. HtmlSanitizer.Paragraphs(pv.Text), .. pv.TasksText.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => "任务：" + l)];
        }
        var plan = await db.Plans.AsNoTracking().FirstOrDefaultAsync(p => p.Id == planId, ct);
        if (plan is null) return null;
        var tasks = await db.DutyTasks.Where(t => t.PlanId == planId).OrderBy(t => t.SortOrder).AsNoTracking().ToListAsync(ct);
        return [.. HtmlSanitizer.Paragraphs(plan.Text), .. tasks.Select(t => "任务：" + t.AsLine())];
    }

    /// Side by side: version `from` against version `to` (null: the current text).
    public static async Task<List<TextDiff.Row>> DiffAsync(BihuanDb db, int planId, int from, int? to, CancellationToken ct)
    {
        var left = await LinesAsync(db, planId, from, ct) ?? throw new DomainException(new RecordNotFound("方案版本"));
        var right = await LinesAsync(db, planId, to, ct) ?? throw new DomainException(new RecordNotFound("方案版本"));
        return TextDiff.Lines(left, right);
    }

    /// The direct sub-units of an org (and the org itself) with their plan for a campaign: who has not submitted.
    public static async Task<List<SubUnitPlan>> SubUnitsAsync(BihuanDb db, int campaignId, int orgId, CancellationToken ct)
    {
        var org = await OrgCommands.FindAsync(db, orgId, ct);
        var units = await db.Orgs.Where(o => (o.Id == org.Id || o.ParentId == org.Id) && !o.Archived)
            .OrderBy(o => o.Id == org.Id ? 0 : 1).ThenBy(o => o.SortOrder).ThenBy(o => o.Id)
            .Select(o => new { o.Id, o.Name }).ToListAsync(ct);
        var ids = units.Select(u => u.Id).ToList();
        var plans = await db.Plans.Where(p => p.CampaignId == campaignId && ids.Contains(p.OrgId))
            .Select(p => new { p.Id, p.OrgId, p.Status }).ToListAsync(ct);
        return units.ConvertAll(u =>
        {
            var p = plans.FirstOrDefault(x => x.OrgId == u.Id);
            var submitted = p is { Status: PlanStatus.Submitted or PlanStatus.Approved };
            return new SubUnitPlan(u.Id, u.Name, p?.Id, p?.Status, p is null ? "未起草" : p.Status.Label(), submitted);
        });
    }
}
