using System.Security.Claims;
using Bihuan.Data;
using Bihuan.Domain;
using Bihuan.Features.Notifications;
using Bihuan.Features.Rectification;
using Bihuan.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Bihuan.Features.Demands;

/// Title: for publish, the public title (Text is then the public reply); both default to the redacted proposal.
public sealed record WorkOrderActionInput(string? Text, int? OrgId = null, DateOnly? NewDeadline = null, SendBackReason? Reason = null,
    int? MasterId = null, string? Title = null);

/// The texts the public would read if the order were published now: the demand and the reply, redacted.
public sealed record PublicProposal(string Title, string Reply);

public sealed record EscalateInput(List<int>? OrderIds, int? OrgId, string? Description);

public sealed record ContactView(string? Name, string? Phone, string? Email, bool Masked);

/// Staff acts on work orders: the lifecycle (Domain/Demands.cs holds the rules), merging, escalation into a ledger
/// problem, and the audited unmasked view of a submitter's contact.
public static class WorkOrderCommands
{
    public static readonly Dictionary<string, OrderAction> ActionRoutes = new()
    {
        ["accept"] = OrderAction.Accept, ["reject"] = OrderAction.Reject, ["dispatch"] = OrderAction.Dispatch,
        ["sign"] = OrderAction.Sign, ["send-back"] = OrderAction.SendBack, ["start"] = OrderAction.Start,
        ["reply"] = OrderAction.Reply, ["submit-reply"] = OrderAction.SubmitReply, ["sign-off"] = OrderAction.SignOff,
        ["return-draft"] = OrderAction.ReturnDraft, ["request-extension"] = OrderAction.RequestExtension,
        ["approve-extension"] = OrderAction.ApproveExtension, ["refuse-extension"] = OrderAction.RefuseExtension,
        ["close-unrated"] = OrderAction.CloseUnrated, ["urge"] = OrderAction.Urge, ["supervise"] = OrderAction.Supervise,
        ["merge"] = OrderAction.Merge, ["publish"] = OrderAction.Publish, ["withdraw"] = OrderAction.Withdraw,
    };

    public static string RouteOf(OrderAction a) => ActionRoutes.FirstOrDefault(kv => kv.Value == a).Key ?? a.ToString().ToLowerInvariant();

    public static async Task<OrderActor> ActorAsync(BihuanDb db, ClaimsPrincipal user, CancellationToken ct)
    {
        var id = user.FindFirstValue(ClaimTypes.NameIdentifier) ?? throw new DomainException(new Forbidden("请先登录"));
        var name = await db.Users.Where(u => u.Id == id).Select(u => u.DisplayName).FirstOrDefaultAsync(ct) ?? id;
        return new OrderActor(id, name, db.Access);
    }

    public static async Task<(Org Org, Org DispatchOrg)> OrgsOfAsync(BihuanDb db, WorkOrder o, CancellationToken ct)
    {
        var orgs = await db.OrgDirectory().Where(x => x.Id == o.OrgId || x.Id == o.DispatchOrgId).ToListAsync(ct);
        return (orgs.First(x => x.Id == o.OrgId), orgs.First(x => x.Id == o.DispatchOrgId));
    }

    public static async Task<WorkOrder> ApplyAsync(BihuanDb db, TimeProvider clock, WorkingCalendar cal, PortalOptions options,
        ClaimsPrincipal user, int id, OrderAction action, WorkOrderActionInput input, CancellationToken ct)
    {
        new List<Invalid>().Date("newDeadline", input.NewDeadline).Defined("reason", input.Reason, "未知的退单原因").ThrowIfAny();
        var order = await db.WorkOrders.FirstOrDefaultAsync(o => o.Id == id, ct) ?? throw new DomainException(new RecordNotFound("工单"));
        var actor = await ActorAsync(db, user, ct);
        var (org, dispatchOrg) = await OrgsOfAsync(db, order, ct);
        Org? to = null;
        if (action == OrderAction.Dispatch && input.OrgId is { } oid)
            to = await db.OrgDirectory().FirstOrDefaultAsync(o => o.Id == oid, ct)
                 ?? throw new DomainException(new Invalid("orgId", "承办单位不存在"));
        if (action == OrderAction.Merge && input.MasterId is { } mid)
        {
            var master = await db.WorkOrders.FirstOrDefaultAsync(o => o.Id == mid, ct)
                         ?? throw new DomainException(new Invalid("masterId", "主工单不存在或不在您的权限范围内"));
            if (master.Id == order.Id || master.Status is OrderStatus.Merged or OrderStatus.Rejected)
                throw new DomainException(new Invalid("masterId", "主工单须是另一件未合并、已受理的工单"));
        }
        var args = new OrderArgs(input.Text, to, null, input.NewDeadline, input.Reason, input.MasterId);
        if (action == OrderAction.Publish) args = await PublishArgsAsync(db, order, input, ct);
        await ApplyLoadedAsync(db, clock, cal, options, actor, order, org, dispatchOrg, action, args, ct);
        if (Handoffs.TryGetValue(action, out var told))
        {
            // The org the order is with now: the unit it was dispatched to, the desk after 退单, else unchanged.
            var with = order.OrgId == dispatchOrg.Id ? dispatchOrg : order.OrgId == org.Id ? org : to!;
            await new Handoff
            {
                Kind = told.Kind, Title = $"{order.Ticket} {order.Content}", Link = $"/workorders/{order.Id}",
                Key = $"order:{order.Id}:{action}:{order.UpdatedAt.Ticks}", OrgIds = [order.OrgId, order.DispatchOrgId],
                ActorId = actor.Id,
                CanAct = s => order.AllowedFor(new OrderActor(s.AccountId!, "", s), with, dispatchOrg).Any(
                    told.Next.Contains),
            }.StageAsync(db, order.UpdatedAt, ct);
        }
        await db.SaveChangesAsync(ct);
        return order;
    }

    /// Each staff handoff and the next act whose parties are told (the citizen's 不满意 comes through the portal).
    static readonly Dictionary<OrderAction, (NotificationKind Kind, OrderAction[] Next)> Handoffs = new()
    {
        [OrderAction.Dispatch] = (NotificationKind.OrderDispatched, [OrderAction.Sign]),
        [OrderAction.SendBack] = (NotificationKind.OrderSentBack, [OrderAction.Dispatch]),
        [OrderAction.Sign] = (NotificationKind.OrderSigned, [OrderAction.Reply, OrderAction.SubmitReply]),
        [OrderAction.SubmitReply] = (NotificationKind.OrderReplyDraft, [OrderAction.SignOff]),
        [OrderAction.ReturnDraft] = (NotificationKind.OrderDraftReturned, [OrderAction.Reply, OrderAction.SubmitReply]),
        [OrderAction.Reply] = (NotificationKind.OrderReplied, [OrderAction.CloseUnrated]),
        [OrderAction.SignOff] = (NotificationKind.OrderReplied, [OrderAction.CloseUnrated]),
        [OrderAction.RequestExtension] = (NotificationKind.OrderExtensionRequested, [OrderAction.ApproveExtension]),
        [OrderAction.ApproveExtension] = (NotificationKind.OrderExtensionDecided, [OrderAction.Reply,
            OrderAction.SubmitReply]),
        [OrderAction.RefuseExtension] = (NotificationKind.OrderExtensionDecided, [OrderAction.Reply,
            OrderAction.SubmitReply]),
    };

    /// What publishing would show: the demand and the reply through the redaction, with the submitter's name.
    public static async Task<PublicProposal> ProposalAsync(BihuanDb db, WorkOrder order, CancellationToken ct)
    {
        var name = await SubmitterNameAsync(db, order, ct);
        return new(Redaction.Redact(order.Content, name), Redaction.Redact(order.Reply, name));
    }

    static Task<string?> SubmitterNameAsync(BihuanDb db, WorkOrder order, CancellationToken ct) =>
        db.DemandContacts.Where(c => c.WorkOrderId == order.Id).Select(c => c.Name).FirstOrDefaultAsync(ct);

    /// 公开答复 is a reviewed act: the desk sends the texts it read (the proposal, maybe edited); what it sends goes
    /// through the redaction once more, so an edit cannot put a phone number back, and that is what is stored.
    static async Task<OrderArgs> PublishArgsAsync(BihuanDb db, WorkOrder order, WorkOrderActionInput input,
        CancellationToken ct)
    {
        var name = await SubmitterNameAsync(db, order, ct);
        var proposal = await ProposalAsync(db, order, ct);
        string Public(string? edited, string proposed) =>
            Redaction.Redact(DemandPrivacy.Plain(string.IsNullOrWhiteSpace(edited) ? proposed : edited), name);
        return new OrderArgs(Public(input.Text, proposal.Reply)) { Title = Public(input.Title, proposal.Title) };
    }

    static async Task ApplyLoadedAsync(BihuanDb db, TimeProvider clock, WorkingCalendar cal, PortalOptions options, OrderActor actor,
        WorkOrder order, Org org, Org dispatchOrg, OrderAction action, OrderArgs args, CancellationToken ct)
    {
        var now = ChinaTime.Now(clock);
        var eventOrg = order.OrgId;
        var ev = order.Apply(action, actor, org, dispatchOrg, ChinaTime.Today(clock), now, args, options.TimeLimits,
            (d, n) => cal.EstimateDueDate(d, n, "deadline", "办理时限"));
        order.UpdatedAt = now;
        db.WorkOrderEvents.Add(new WorkOrderEvent
        {
            WorkOrderId = order.Id, OrgId = action == OrderAction.Dispatch ? order.OrgId : eventOrg, Action = ev.Action,
            FromStatus = ev.From, ToStatus = ev.To, ActorId = actor.Id, ActorName = actor.Name, At = now, Text = ev.Text,
        });
        // The master's reply goes to every order merged into it.
        if (action is OrderAction.Reply or OrderAction.SignOff)
        {
            var children = await db.OrderTrail<WorkOrder>().Where(o => o.MasterId == order.Id).ToListAsync(ct);
            foreach (var c in children)
            {
                c.Reply = order.Reply;
                c.RepliedOn = order.RepliedOn;
                c.UpdatedAt = now;
            }
        }
    }

    /// 转为问题: one or more orders become one ledger problem (source 12345热线/信访), linked both ways.
    public static async Task<Problem> EscalateAsync(BihuanDb db, TimeProvider clock, WorkingCalendar cal, PortalOptions options,
        ClaimsPrincipal user, EscalateInput input, CancellationToken ct)
    {
        new List<Invalid>().List("orderIds", input.OrderIds, 50, "工单").ThrowIfAny();
        var ids = (input.OrderIds ?? []).Distinct().ToList();
        if (ids.Count is 0 or > 50) throw new DomainException(new Invalid("orderIds", "请选择 1 至 50 件工单"));
        var orders = await db.WorkOrders.Where(o => ids.Contains(o.Id)).OrderBy(o => o.Id).ToListAsync(ct);
        if (orders.Count != ids.Count) throw new DomainException(new RecordNotFound("工单"));
        var actor = await ActorAsync(db, user, ct);
        var loaded = new List<(WorkOrder O, Org Org, Org Dispatch)>();
        foreach (var o in orders)
        {
            var (org, d) = await OrgsOfAsync(db, o, ct);
            if (!o.AllowedFor(actor, org, d).Contains(OrderAction.Escalate))
                throw OrderRefusal(o, actor, org, d, OrderAction.Escalate);
            loaded.Add((o, org, d));
        }
        var contacts = await db.DemandContacts.Where(c => ids.Contains(c.WorkOrderId)).Select(c => c.Name).ToListAsync(ct);
        var description = DemandPrivacy.Plain(input.Description);
        if (description.Length == 0)
            description = $"群众诉求（{string.Join("、", orders.Select(o => o.Ticket))}）反映：{orders[0].Content}";
        description = DemandPrivacy.Redact(description, [.. contacts]);
        if (description.Length > Problem.DescriptionMax) description = description[..Problem.DescriptionMax];
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var problem = await RectCommands.CreateProblemAsync(db, clock, new ProblemInput(input.OrgId ?? orders[0].OrgId, description,
            SourceChannel.Hotline, Aspect.Work, null, Dimension.ForThePeople, Severity.General, null, null,
            "群众诉求 " + string.Join("、", orders.Select(o => o.Ticket)), NotDuplicate: true), ct, Permission.DispatchDemands);
        foreach (var (o, org, d) in loaded)
            await ApplyLoadedAsync(db, clock, cal, options, actor, o, org, d, OrderAction.Escalate, new OrderArgs(ProblemId: problem.Id), ct);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return problem;
    }

    static DomainException OrderRefusal(WorkOrder o, OrderActor actor, Org org, Org d, OrderAction a)
    {
        var step = OrderLifecycle.Find(o.Status, a);
        if (step is null) return new DomainException(new OrderIllegalTransition(o.Status, a));
        if (!o.IsParty(step.Party, actor, org, d)) return new DomainException(new OrderNotYourParty(a, step.Party));
        return new DomainException(new OrderRule("action", $"工单 {o.Ticket} 已转为问题"));
    }

    /// The submitter's contact. Masked for all but the handling unit; an unmasked view is written to the audit chain.
    public static async Task<ContactView> ContactAsync(BihuanDb db, int id, bool reveal, CancellationToken ct)
    {
        var order = await db.WorkOrders.FirstOrDefaultAsync(o => o.Id == id, ct) ?? throw new DomainException(new RecordNotFound("工单"));
        var c = await db.DemandContacts.FirstOrDefaultAsync(x => x.WorkOrderId == id, ct);
        if (!reveal || c is null) return Masked(c);
        var (org, _) = await OrgsOfAsync(db, order, ct);
        if (!order.MayRevealContact(db.Access, org))
            throw new DomainException(new Forbidden("只有承办单位可以查看诉求人的完整联系方式"));
        db.RecordEvent(nameof(WorkOrder), id.ToString(System.Globalization.CultureInfo.InvariantCulture),
            $"查看诉求人联系方式（未脱敏）：{order.Ticket}", org.SelfPath);
        await db.SaveChangesAsync(ct);
        return new ContactView(c.Name, c.Phone, c.Email, false);
    }

    public static ContactView Masked(DemandContact? c) =>
        new(DemandPrivacy.MaskName(c?.Name), DemandPrivacy.MaskPhone(c?.Phone), c?.Email is null ? null : "***", true);

    public static async Task<(string Key, Open311Key Row)> IssueKeyAsync(BihuanDb db, TimeProvider clock, int orgId, string? name,
        CancellationToken ct)
    {
        var org = await Organizations.OrgCommands.FindAsync(db, orgId, ct);
        if (!db.Access.Can(Permission.DispatchDemands, org)) throw new DomainException(new Forbidden("只有派单席或学习教育办公室可以签发接口密钥"));
        var n = DemandPrivacy.Plain(name);
        if (n.Length is 0 or > 100) throw new DomainException(new Invalid("name", "请填写应用名称（100 字以内）"));
        var (key, prefix, hash) = Open311Key.Generate();
        var row = new Open311Key { OrgId = org.Id, Name = n, Prefix = prefix, KeyHash = hash, CreatedAt = ChinaTime.Now(clock) };
        db.Open311Keys.Add(row);
        await db.SaveChangesAsync(ct);
        return (key, row);
    }
}
