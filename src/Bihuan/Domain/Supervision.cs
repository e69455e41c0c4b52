namespace Bihuan.Domain;

/// 督办单 status: issued to an org → the org responds → the supervisor closes it, re-issues it (催办) or escalates it
/// to a 约谈 (interview with the unit's leaders), after which it is closed.
public enum OrderStatus
{
    Issued,      // 待回复
    Responded,   // 已回复
    Escalated,   // 已约谈
    Closed,      // 已办结
}

public enum OrderAction { Issue, Respond, Remind, Close, Escalate }

/// Who acts on a 督办单, relative to the order's org.
public enum OrderParty
{
    Issuer,  // a supervisor (纪检监督) or campaign office whose subtree holds the org
    Owner,   // the unit: its 主要负责人, 班子成员 or 联络员
}

public static class SupervisionLabels
{
    public static string Label(this OrderStatus s) => s switch
    {
        OrderStatus.Issued => "待回复",
        OrderStatus.Responded => "已回复",
        OrderStatus.Escalated => "已约谈",
        OrderStatus.Closed => "已办结",
    };

    public static string Label(this OrderAction a) => a switch
    {
        OrderAction.Issue => "下发督办",
        OrderAction.Respond => "回复督办",
        OrderAction.Remind => "催办",
        OrderAction.Close => "办结",
        OrderAction.Escalate => "约谈",
    };
}

public sealed record OrderIllegalTransition(OrderStatus From, OrderAction Action)
    : Error("illegal_transition", $"督办单“{From.Label()}”时不能“{Action.Label()}”", ErrorKind.Conflict);
public sealed record OrderNotYourParty(OrderAction Action, string Who)
    : Error("not_authorized_for_action", $"“{Action.Label()}”须由{Who}办理", ErrorKind.Forbidden);

/// The 督办单 lifecycle as data: (from, action, to, party), checked in one Apply.
public static class OrderLifecycle
{
    public static readonly (OrderStatus From, OrderAction Action, OrderStatus To, OrderParty Party)[] Table =
    [
        (OrderStatus.Issued, OrderAction.Respond, OrderStatus.Responded, OrderParty.Owner),
        (OrderStatus.Issued, OrderAction.Remind, OrderStatus.Issued, OrderParty.Issuer),
        (OrderStatus.Issued, OrderAction.Escalate, OrderStatus.Escalated, OrderParty.Issuer),
        (OrderStatus.Responded, OrderAction.Close, OrderStatus.Closed, OrderParty.Issuer),
        (OrderStatus.Responded, OrderAction.Remind, OrderStatus.Issued, OrderParty.Issuer),     // reply not enough: 再次督办
        (OrderStatus.Responded, OrderAction.Escalate, OrderStatus.Escalated, OrderParty.Issuer),
        (OrderStatus.Escalated, OrderAction.Respond, OrderStatus.Escalated, OrderParty.Owner),  // 约谈后的整改报告
        (OrderStatus.Escalated, OrderAction.Close, OrderStatus.Closed, OrderParty.Issuer),
    ];

    public static bool IsIssuer(AccessScope s, Org org) => s.IsSystem || s.Grants.Any(g =>
        g.Role is Role.Supervisor or Role.CampaignOffice && g.Covers(org.SelfPath));

    public static bool IsOwner(AccessScope s, Org org) => s.Grants.Any(g =>
        g.Role is Role.UnitHead or Role.LeadershipMember or Role.Liaison && g.Covers(org.SelfPath));

    public static bool Holds(OrderParty p, AccessScope s, Org org) => p switch
    {
        OrderParty.Issuer => IsIssuer(s, org),
        OrderParty.Owner => IsOwner(s, org),
    };

    public static IEnumerable<OrderAction> AllowedFor(OrderStatus status, AccessScope s, Org org) =>
        Table.Where(t => t.From == status && Holds(t.Party, s, org)).Select(t => t.Action).Distinct();

    public static bool IsOpen(OrderStatus s) => s != OrderStatus.Closed;
}

/// 督办单: a supervisor's written order to an org about one or more rectification items (一事一单), with the actions
/// required and a response due date in working days. Open and overdue are computed from DueOn, never stored.
public sealed class SupervisionOrder : IAudited, IOrgOwned
{
    public int Id { get; set; }
    public int OrgId { get; set; }
    public Org? Org { get; set; }
    public required string Title { get; set; }
    public required string Requirements { get; set; }        // 督办要求
    public List<int> ItemIds { get; set; } = [];             // the rectification items it is about
    public OrderStatus Status { get; set; } = OrderStatus.Issued;
    public required string IssuedBy { get; set; }            // account id
    public required string IssuedByName { get; set; }
    public DateTime IssuedAt { get; set; }
    public DateOnly DueOn { get; set; }                      // 回复时限
    public int RemindCount { get; set; }                     // 催办次数
    public string? Response { get; set; }
    public string? RespondedBy { get; set; }
    public DateTime? RespondedAt { get; set; }
    public List<string> Evidence { get; set; } = [];         // SHA-256 of the response's attachments
    public DateTime? ClosedAt { get; set; }

    public const int TitleMax = 200, TextMax = 4000;

    public bool IsOverdue(DateOnly today) => Status == OrderStatus.Issued && DueOn < today;

    /// Applies one action or throws a typed error; unchanged when it throws.
    public SupervisionEvent Apply(OrderAction action, Actor actor, Org org, DateTime now, string? text = null,
        DateOnly? newDue = null, int evidenceCount = 0)
    {
        var steps = OrderLifecycle.Table.Where(t => t.From == Status && t.Action == action).ToList();
        if (steps.Count == 0) throw new DomainException(new OrderIllegalTransition(Status, action));
        var step = steps.FirstOrDefault(t => OrderLifecycle.Holds(t.Party, actor.Scope, org));
        if (step == default)
            throw new DomainException(new OrderNotYourParty(action, steps[0].Party switch
            {
                OrderParty.Issuer => "纪检监督部门或学习教育办公室",
                OrderParty.Owner => "被督办单位（主要负责人、班子成员或联络员）",
            }));
        if (string.IsNullOrWhiteSpace(text) && action is OrderAction.Respond or OrderAction.Remind)
            throw new DomainException(new Invalid("text", action == OrderAction.Respond ? "请填写回复内容" : "请填写催办意见"));
        if (text is { Length: > TextMax }) throw new DomainException(new Invalid("text", $"内容不能超过 {TextMax} 字"));
        if (action == OrderAction.Remind && (newDue is null || newDue < DateOnly.FromDateTime(ChinaTime.ToCst(now))))
            throw new DomainException(new Invalid("dueOn", "催办须给出新的回复时限（不早于今天）"));
        var from = Status;
        Status = step.To;
        switch (action)
        {
            case OrderAction.Respond:
                Response = text!.Trim();
                RespondedBy = actor.AccountId;
                RespondedAt = now;
                break;
            case OrderAction.Remind:
                RemindCount++;
                DueOn = newDue!.Value;
                break;
            case OrderAction.Close:
                ClosedAt = now;
                break;
            case OrderAction.Issue or OrderAction.Escalate:
                break;
        }
        return new SupervisionEvent
        {
            OrderId = Id, OrgId = OrgId, Action = action, FromStatus = from, ToStatus = Status, ActorId = actor.AccountId,
            ActorName = actor.Name, At = now, Text = text?.Trim(), DueOn = action == OrderAction.Remind ? DueOn : null,
            EvidenceCount = evidenceCount,
        };
    }
}

/// One step on a 督办单's history (issued, responded, 催办, 约谈, closed).
public sealed class SupervisionEvent : IAudited, IOrgOwned
{
    public int Id { get; set; }
    public int OrderId { get; set; }
    public int OrgId { get; set; }
    public OrderAction Action { get; set; }
    public OrderStatus FromStatus { get; set; }
    public OrderStatus ToStatus { get; set; }
    public required string ActorId { get; set; }
    public required string ActorName { get; set; }
    public DateTime At { get; set; }
    public string? Text { get; set; }
    public DateOnly? DueOn { get; set; }
    public int EvidenceCount { get; set; }
}

/// 约谈记录: the escalation of a 督办单 — who was talked to, when, by whom, and the outcome.
public sealed class Interview : IAudited, IOrgOwned
{
    public int Id { get; set; }
    public int OrderId { get; set; }
    public int OrgId { get; set; }
    public required string Interviewees { get; set; }   // 约谈对象
    public required string Interviewers { get; set; }   // 约谈人
    public DateOnly HeldOn { get; set; }
    public required string Outcome { get; set; }        // 约谈情况及要求
    public required string RecordedBy { get; set; }
    public DateTime RecordedAt { get; set; }
}
