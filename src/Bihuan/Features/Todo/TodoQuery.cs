using Bihuan.Data;
using Bihuan.Domain;
using Bihuan.Features.Duties;
using Microsoft.EntityFrameworkCore;

namespace Bihuan.Features.Todo;

/// What waits for someone: one kind per act a lifecycle hands to a party (docs/glossary.md: 待办).
public enum TodoKind
{
    ClosureReview, ClosureVerify, ClosureReturned, ExtensionDecide, RecheckDue, NoProgress,
    PlanSignOff, PlanSubmit, PlanApprove, PlanRevise,
    OrderAccept, OrderDispatch, OrderSign, OrderReply, OrderSignOff, OrderFollowUp, OrderExtension,
    SupervisionAnswer, SupervisionClose,
    DutyDue, MakeUpStudy,
}

public static class TodoLabels
{
    public static string Label(this TodoKind k) => k switch
    {
        TodoKind.ClosureReview => "对账销号待审核",
        TodoKind.ClosureVerify => "销号待核验",
        TodoKind.ClosureReturned => "销号被退回",
        TodoKind.ExtensionDecide => "整改延期待审批",
        TodoKind.RecheckDue => "回头看到期",
        TodoKind.NoProgress => "长期未报送进展",
        TodoKind.PlanSignOff => "方案待签批",
        TodoKind.PlanSubmit => "方案待报送",
        TodoKind.PlanApprove => "方案待审核",
        TodoKind.PlanRevise => "方案待修改",
        TodoKind.OrderAccept => "工单待受理",
        TodoKind.OrderDispatch => "工单待派单",
        TodoKind.OrderSign => "工单待签收",
        TodoKind.OrderReply => "工单待答复",
        TodoKind.OrderSignOff => "答复待签发",
        TodoKind.OrderFollowUp => "工单待回访",
        TodoKind.OrderExtension => "工单延期待审批",
        TodoKind.SupervisionAnswer => "督办单待回复",
        TodoKind.SupervisionClose => "督办单待办结",
        TodoKind.DutyDue => "任务临期或逾期",
        TodoKind.MakeUpStudy => "补学待完成",
        _ => StoredValues.Invalid("取值", k),
    };
}

/// The one action of an entry that needs no more input (POST to Href, the API twin of the button on 工作台).
public sealed record TodoAction(string Name, string Label, string Href);

public sealed record TodoEntry
{
    public required TodoKind Kind { get; init; }
    public required string KindLabel { get; init; }
    public required int RecordId { get; init; }
    public required string Title { get; init; }
    public string? OrgName { get; init; }
    public required LightLevel Light { get; init; }
    public required string LightReason { get; init; }
    public DateOnly? Due { get; init; }
    /// Working days from today to Due (negative when past it); null without a due date or when it cannot be counted.
    public int? WorkingDaysLeft { get; init; }
    public required string Link { get; init; }
    public TodoAction? Action { get; init; }
}

public sealed record TodoCount(TodoKind Kind, string Label, int Count);

/// Counts are exact (COUNT per kind); Entries hold at most TakePerKind per kind, most urgent first.
public sealed record TodoList(int Total, int TakePerKind, List<TodoCount> Counts, List<TodoEntry> Entries);

/// Bihuan:Todo settings.
public sealed class TodoOptions
{
    /// An open item with no progress reported for this many working days is listed for its unit (长期未报送进展).
    public int StaleAfterWorkingDays { get; set; } = 10;
    /// Plan tasks and meeting decisions are listed from this many working days before they fall due.
    public int DutyWithinWorkingDays { get; set; } = 3;
    public int TakePerKind { get; set; } = 50;
}

/// 待办: everything the signed-in account can act on now, derived at read time from the records (ADR 0020) — no task
/// table. Who can act is the permission table's (ActingOrgs) and the lifecycles' separation-of-duties rules; the
/// records' query filters keep it inside the caller's scope. Each kind is one bounded, indexed query and one COUNT.
public sealed class TodoQuery(BihuanDb db, TimeProvider clock, WorkingCalendar cal, LightRules rules,
    TodoOptions options)
{
    BihuanDb Db { get; } = db;
    WorkingCalendar Cal { get; } = cal;
    LightRules Rules { get; } = rules;
    TodoOptions Options { get; } = options;

    public async Task<TodoList> ForMeAsync(TodoKind? only, CancellationToken ct)
    {
        if (only is { } k && !Enum.IsDefined(k)) throw new DomainException(new Invalid("kind", "未知的待办类型"));
        var run = new Run(this, only, ChinaTime.Today(clock), Db.Access.AccountId ?? "", ct);
        await run.RectificationAsync();
        await run.PlansAsync();
        await run.WorkOrdersAsync();
        await run.SupervisionAsync();
        await run.DutiesAsync();
        var entries = run.Entries
            .OrderByDescending(e => e.Light).ThenBy(e => e.Due ?? DateOnly.MaxValue).ThenBy(e => e.Kind).ThenBy(e
                => e.RecordId)
            .ToList();
        var counts = run.Counts.Select(c => new TodoCount(c.Key, c.Key.Label(), c.Value)).ToList();
        return new TodoList(counts.Sum(c => c.Count), Options.TakePerKind, counts, entries);
    }

    sealed class Run(TodoQuery q, TodoKind? only, DateOnly today, string me, CancellationToken ct)
    {
        public SortedDictionary<TodoKind, int> Counts { get; } = [];
        public List<TodoEntry> Entries { get; } = [];
        readonly BihuanDb db = q.Db;
        int Take => q.Options.TakePerKind;

        /// One kind: its exact count, and (when listed) its first rows in the given order, mapped to entries.
        async Task Kind<T>(TodoKind kind, IQueryable<T> rows, Func<IQueryable<T>, IQueryable<T>> order, Func<T,
            TodoEntry> map)
            where T : class
        {
            var n = await rows.CountAsync(ct);
            Counts[kind] = Counts.GetValueOrDefault(kind) + n;
            if (n == 0 || (only is { } k && k != kind)) return;
            var list = await order(rows).Take(Take).AsNoTracking().ToListAsync(ct);
            Entries.AddRange(list.Select(map));
        }

        int? DaysLeft(DateOnly? due) => due is not { } d || !Bounds.InWindow(d) ? null
            : d >= today ? q.Cal.EstimateWorkingDaysBetween(today, d) : -q.Cal.EstimateWorkingDaysBetween(d, today);

        TodoEntry Entry(TodoKind kind, int id, string title, string? org, Light light, DateOnly? due, string link,
            TodoAction? action = null) => new()
        {
            Kind = kind, KindLabel = kind.Label(), RecordId = id, Title = Short(title), OrgName = org,
                Light = light.Level,
            LightReason = light.Reason, Due = due, WorkingDaysLeft = DaysLeft(due), Link = link, Action = action,
        };

        static string Short(string s) => s.Length <= 80 ? s : s[..80] + "…";

        public async Task RectificationAsync()
        {
            var items = db.NarrowToOwnOrgs(db.RectItems);
            static IQueryable<RectItem> Rows(IQueryable<RectItem> x) => x.Include(i => i.Org);
            static IQueryable<RectItem> ByDeadline(IQueryable<RectItem> x) =>
                x.OrderBy(i => i.Deadline == null).ThenBy(i => i.Deadline).ThenBy(i => i.Id);
            TodoEntry Map(TodoKind kind, RectItem i, DateOnly? due, string? action) => Entry(kind, i.Id, i.Measures,
                i.Org?.Name, Lights.Of(LightInput.Of(i, i.StartOn, i.Deadline, i.LastProgressOn, today), q.Rules,
                    q.Cal), due,
                $"/ledger/{i.Id}",
                action is null ? null : new(action, RectActionLabel(action),
                    $"/api/v1/rectifications/{i.Id}/{action}"));

            // 对账销号: the stage waiting names its reviewer (RectState.IsReviewer); never the requester
            // (CannotVerifyOwnClosure).
            var signOff = ActingOrgs.Of(db, Permission.SignOff);
            var lead = ActingOrgs.Of(db, Permission.VerifyClosures);
            var requested = items.Where(i => i.Status == RectStatus.ClosureRequested && i.ClosureRequestedBy != me);
            var review = requested.Where(i => i.PendingReviews.Count > 0
                && ((i.PendingReviews[0] == ClosureStage.UnitSelfCheck && signOff.Contains(i.OrgId))
                    || (i.PendingReviews[0] == ClosureStage.LeadReview && lead.Contains(i.OrgId))));
            await Kind(TodoKind.ClosureReview, Rows(review), ByDeadline, i => Map(TodoKind.ClosureReview, i,
                i.Deadline, "review"));

            // The verifier: serious items and those from 巡视巡察 / 监督检查 the supervisor's, the others the office's too.
            foreach (var verifier in Verifiers(requested.Where(i => i.PendingReviews.Count == 0)))
                await Kind(TodoKind.ClosureVerify, Rows(verifier), ByDeadline, i => Map(TodoKind.ClosureVerify, i,
                    i.Deadline, "verify"));

            var open = items.Where(i => i.Status == RectStatus.Pending || i.Status == RectStatus.InProgress
                || i.Status == RectStatus.Returned);
            foreach (var verifier in Verifiers(open.Where(i => i.ExtensionRequestedTo != null
                && i.ExtensionRequestedBy != me)))
                await Kind(TodoKind.ExtensionDecide, Rows(verifier), ByDeadline,
                    i => Map(TodoKind.ExtensionDecide, i, i.Deadline, "approve-extension"));

            // 回头看: a closed item whose re-check date has come; confirming it then needs no more input.
            foreach (var verifier in Verifiers(items.Where(i => i.Status == RectStatus.Closed && i.RecheckDue != null
                         && i.RecheckDue <= today)))
                await Kind(TodoKind.RecheckDue, Rows(verifier), x => x.OrderBy(i => i.RecheckDue).ThenBy(i => i.Id),
                    i => Map(TodoKind.RecheckDue, i, i.RecheckDue, "confirm"));

            var owner = ActingOrgs.Of(db, Permission.ReportProgress);
            await Kind(TodoKind.ClosureReturned, Rows(items.Where(i => i.Status == RectStatus.Returned
                && owner.Contains(i.OrgId))),
                ByDeadline, i => Map(TodoKind.ClosureReturned, i, i.Deadline, null));

            if (StaleCutoff() is { } cutoff)
            {
                var stale = open.Where(i => owner.Contains(i.OrgId)
                    && (i.LastProgressOn != null ? i.LastProgressOn <= cutoff : i.StartOn <= cutoff));
                await Kind(TodoKind.NoProgress, Rows(stale),
                    x => x.OrderBy(i => i.LastProgressOn ?? i.StartOn).ThenBy(i => i.Id),
                    i => Map(TodoKind.NoProgress, i, i.Deadline, null));
            }
        }

        /// The items of `q` the caller verifies, as two queries (RectState.IsVerifier: NeedsSupervisor decides the
        /// permission).
        IEnumerable<IQueryable<RectItem>> Verifiers(IQueryable<RectItem> items)
        {
            var serious = ActingOrgs.Of(db, Permission.VerifySeriousClosures);
            var general = ActingOrgs.Of(db, Permission.VerifyClosures);
            var needs = RectState.NeedsSupervisorWhere<RectItem>();
            yield return items.Where(needs).Where(i => serious.Contains(i.OrgId));
            yield return items.Where(System.Linq.Expressions.Expression.Lambda<Func<RectItem, bool>>(
                System.Linq.Expressions.Expression.Not(needs.Body), needs.Parameters)).Where(i => general.Contains(
                    i.OrgId));
        }

        /// The latest day from which `StaleAfterWorkingDays` working days have passed by today (Lights.Of's stale rule:
        /// working days in (since, today] ≥ N), found with the same calendar count; null when the rule is off.
        DateOnly? StaleCutoff()
        {
            var n = q.Options.StaleAfterWorkingDays;
            if (n <= 0) return null;
            var d = today.AddDays(-n);
            // At most a few weeks of holidays lie between: step back until the count reaches n.
            for (var i = 0; i < 60 && (q.Cal.EstimateWorkingDaysBetween(d, today) ?? n) < n; i++) d = d.AddDays(-1);
            while (q.Cal.EstimateWorkingDaysBetween(d.AddDays(1), today) >= n) d = d.AddDays(1);
            return d;
        }

        static string RectActionLabel(string route) => Rectification.RectApi.ActionRoutes[route].Label();

        public async Task PlansAsync()
        {
            var green = new Light(LightLevel.Green, "");
            TodoEntry Map(TodoKind kind, Plan p, string? route, string? label) => Entry(kind, p.Id, p.Title, null,
                green with { Reason = p.Status.Label() }, null, $"/plans/{p.Id}",
                route is null ? null : new(route, label!, $"/api/v1/plans/{p.Id}/{route}"));
            static IQueryable<Plan> Order(IQueryable<Plan> x) => x.OrderBy(p => p.UpdatedAt).ThenBy(p => p.Id);
            // The last writer of the text never signs it off, approves or returns it (PlanState.AllowedFor).
            var heads = ActingOrgs.Of(db, Permission.SignOff);
            // Sign-off needs text and a task (PlanNeedsTasks): an empty draft waits for its writer, not the head.
            await Kind(TodoKind.PlanSignOff, db.Plans.Where(p => p.Status == PlanStatus.Draft && p.DraftedBy != me
                && p.Text != "" && db.DutyTasks.Any(t => t.PlanId == p.Id) && heads.Contains(p.OrgId)), Order, p
                    => Map(TodoKind.PlanSignOff, p, "sign-off",
                PlanAction.SignOff.Label()));
            var unit = ActingOrgs.Of(db, Permission.DraftPlans);
            await Kind(TodoKind.PlanSubmit, db.Plans.Where(p => p.Status == PlanStatus.SignedOff && unit.Contains(
                p.OrgId)), Order,
                p => Map(TodoKind.PlanSubmit, p, "submit", PlanAction.Submit.Label()));
            await Kind(TodoKind.PlanRevise, db.Plans.Where(p => p.Status == PlanStatus.Returned && unit.Contains(
                p.OrgId)), Order,
                p => Map(TodoKind.PlanRevise, p, null, null));
            var superior = ActingOrgs.Of(db, Permission.ApprovePlans);
            await Kind(TodoKind.PlanApprove, db.Plans.Where(p => p.Status == PlanStatus.Submitted && p.DraftedBy != me
                && superior.Contains(p.OrgId)), Order, p => Map(TodoKind.PlanApprove, p, "approve",
                    PlanAction.Approve.Label()));
        }

        public async Task WorkOrdersAsync()
        {
            TodoEntry Map(TodoKind kind, WorkOrder o, DateOnly? due, OrderAction? action) => Entry(kind, o.Id,
                $"{o.Ticket} {o.Content}", null, o.LightOf(today, q.Rules, q.Cal), due, $"/workorders/{o.Id}",
                action is { } a ? new(Demands.WorkOrderCommands.RouteOf(a), a.Label(),
                    $"/api/v1/workorders/{o.Id}/{Demands.WorkOrderCommands.RouteOf(a)}") : null);
            static IQueryable<WorkOrder> ByDeadline(IQueryable<WorkOrder> x) =>
                x.OrderBy(o => o.Deadline == null).ThenBy(o => o.Deadline).ThenBy(o => o.Id);
            var desk = ActingOrgs.Of(db, Permission.DispatchDemands);
            var unit = ActingOrgs.Of(db, Permission.HandleOrders);
            var head = ActingOrgs.Of(db, Permission.SignOff);
            var orders = db.WorkOrders;
            await Kind(TodoKind.OrderAccept, orders.Where(o => o.Status == OrderStatus.Received && desk.Contains(
                o.DispatchOrgId)),
                x => x.OrderBy(o => o.CreatedAt).ThenBy(o => o.Id), o => Map(TodoKind.OrderAccept, o, null,
                    OrderAction.Accept));
            await Kind(TodoKind.OrderDispatch, orders.Where(o => o.Status == OrderStatus.Accepted && desk.Contains(
                o.DispatchOrgId)),
                x => x.OrderBy(o => o.UpdatedAt).ThenBy(o => o.Id), o => Map(TodoKind.OrderDispatch, o, null, null));
            await Kind(TodoKind.OrderSign, orders.Where(o => o.Status == OrderStatus.Dispatched && unit.Contains(
                o.OrgId)),
                x => x.OrderBy(o => o.SignDue).ThenBy(o => o.Id), o => Map(TodoKind.OrderSign, o, o.SignDue,
                    OrderAction.Sign));
            await Kind(TodoKind.OrderReply, orders.Where(o => (o.Status == OrderStatus.Signed
                || o.Status == OrderStatus.Handling)
                && unit.Contains(o.OrgId)), ByDeadline, o => Map(TodoKind.OrderReply, o, o.Deadline, null));
            await Kind(TodoKind.OrderSignOff, orders.Where(o => o.Status == OrderStatus.AwaitingSignoff
                && o.ReplyDraftedBy != me
                && head.Contains(o.OrgId)), ByDeadline, o => Map(TodoKind.OrderSignOff, o, o.Deadline,
                    OrderAction.SignOff));
            await Kind(TodoKind.OrderFollowUp, orders.Where(o => o.Status == OrderStatus.Replied && desk.Contains(
                o.DispatchOrgId)),
                x => x.OrderBy(o => o.RepliedOn).ThenBy(o => o.Id), o => Map(TodoKind.OrderFollowUp, o, null, null));
            await Kind(TodoKind.OrderExtension, orders.Where(o => (o.Status == OrderStatus.Signed
                || o.Status == OrderStatus.Handling)
                && o.ExtensionRequestedTo != null && o.ExtensionRequestedBy != me && desk.Contains(o.DispatchOrgId)),
                    ByDeadline,
                o => Map(TodoKind.OrderExtension, o, o.Deadline, OrderAction.ApproveExtension));
        }

        public async Task SupervisionAsync()
        {
            TodoEntry Map(TodoKind kind, SupervisionOrder o, string? route) => Entry(kind, o.Id, o.Title, null,
                o.DutyLight(today), o.DueOn, $"/supervision/orders/{o.Id}",
                route is null ? null : new(route, Supervision.OrderCommands.Routes[route].Label(),
                    $"/api/v1/supervision/orders/{o.Id}/{route}"));
            static IQueryable<SupervisionOrder> Order(IQueryable<SupervisionOrder> x) => x.OrderBy(o
                => o.DueOn).ThenBy(o => o.Id);
            var owner = ActingOrgs.Of(db, Permission.AnswerSupervision);
            await Kind(TodoKind.SupervisionAnswer, db.SupervisionOrders.Where(o => (o.Status == SupervisionStatus.Issued
                || o.Status == SupervisionStatus.Escalated) && owner.Contains(o.OrgId)), Order,
                o => Map(TodoKind.SupervisionAnswer, o, null));
            var issuer = ActingOrgs.Of(db, Permission.IssueSupervision);
            await Kind(TodoKind.SupervisionClose, db.SupervisionOrders.Where(o
                => o.Status == SupervisionStatus.Responded
                && issuer.Contains(o.OrgId)), Order, o => Map(TodoKind.SupervisionClose, o, "close"));
        }

        public async Task DutiesAsync()
        {
            // Plan tasks (of approved plans) and meeting decisions falling due soon or overdue, for those who mark
            // them done.
            var until = q.Cal.EstimateAddWorkingDays(today, Math.Max(0, q.Options.DutyWithinWorkingDays)) ?? today;
            var doers = ActingOrgs.Of(db, Permission.CompleteDuties);
            var duties = db.DutyTasks.Where(t => t.DoneOn == null && t.DueOn != null && t.DueOn <= until
                && doers.Contains(t.OrgId)
                && (t.Source == DutySource.MeetingDecision || db.Plans.Any(p => p.Id == t.PlanId
                    && p.Status == PlanStatus.Approved)));
            await Kind(TodoKind.DutyDue, duties, x => x.OrderBy(t => t.DueOn).ThenBy(t => t.Id), t => Entry(
                TodoKind.DutyDue, t.Id,
                t.Title, t.Owner, StudyDuties.DeadlineLight(DateOnly.FromDateTime(ChinaTime.ToCst(t.CreatedAt)),
                    t.DueOn, today,
                    q.Cal, q.Rules), t.DueOn, t.PlanId is { } p ? $"/plans/{p}" : $"/meetings/{t.MeetingId}",
                new("done", "标记完成", $"/api/v1/duties/tasks/{t.Id}/done")));

            // 补学: the caller's own (their person record's), until every article of it has a study record.
            var person = db.Users.Where(u => u.Id == me).Select(u => u.PersonId);
            var mine = await db.MakeUpTasks.Where(m => person.Contains(m.PersonId)).OrderBy(m => m.DueOn).Take(200)
                .AsNoTracking().ToListAsync(ct);
            if (mine.Count == 0) return;
            var pid = mine[0].PersonId;
            var studied = (await db.StudyRecords.Where(r => r.PersonId == pid).Select(r => r.ArticleId).ToListAsync(
                ct)).ToHashSet();
            var owed = mine.Where(m => !m.ArticleIds.All(studied.Contains)).ToList();
            Counts[TodoKind.MakeUpStudy] = owed.Count;
            if (only is { } k && k != TodoKind.MakeUpStudy) return;
            Entries.AddRange(owed.Take(Take).Select(m => Entry(TodoKind.MakeUpStudy, m.Id,
                $"补学（{m.ArticleIds.Count(a => !studied.Contains(a))} 篇未学）", null,
                StudyDuties.DeadlineLight(DateOnly.FromDateTime(ChinaTime.ToCst(m.CreatedAt)), m.DueOn, today, q.Cal,
                    q.Rules),
                m.DueOn, "/me/study")));
        }
    }
}
