namespace Bihuan.Domain;

/// 督办单 status: issued to an org → the org responds → the supervisor closes it, re-issues it (催办) or escalates it
/// to a 约谈 (interview with the unit's leaders), after which it is closed.
public enum SupervisionStatus
{
    Issued,      // 待回复
    Responded,   // 已回复
    Escalated,   // 已约谈
    Closed,      // 已办结
}

public enum SupervisionAction { Issue, Respond, Remind, Close, Escalate }

/// Who acts on a 督办单, relative to the order's org.
public enum SupervisionParty
{
    Issuer,  // a supervisor (纪检监督) whose subtree holds the org (Permission.IssueSupervision)
    Owner,   // the unit: its 主要负责人, 班子成员 or 联络员 (Permission.AnswerSupervision)
}

public static class SupervisionLabels
{
    public static string Label(this SupervisionStatus s) => !Enum.IsDefined(s) ? StoredValues.Invalid("取值", s) : s switch
    {
        SupervisionStatus.Issued => "待回复",
        SupervisionStatus.Responded => "已回复",
        SupervisionStatus.Escalated => "已约谈",
        SupervisionStatus.Closed => "已办结",
    };

    public static string Label(this SupervisionAction a) => !Enum.IsDefined(a) ? StoredValues.Invalid("取值", a) : a switch
    {
        SupervisionAction.Issue => "下发督办",
        SupervisionAction.Respond => "回复督办",
        SupervisionAction.Remind => "催办",
        SupervisionAction.Close => "办结",
        SupervisionAction.Escalate => "约谈",
    };
}

public sealed record SupervisionIllegalTransition(SupervisionStatus From, SupervisionAction Action)
    : Error("illegal_transition", $"督办单“{From.Label()}”时不能“{Action.Label()}”", ErrorKind.Conflict);
public sealed record SupervisionNotYourParty(SupervisionAction Action, string Who)
    : Error("not_authorized_for_action", $"“{Action.Label()}”须由{Who}办理", ErrorKind.Forbidden);

/// The 督办单 lifecycle as data: (from, action, to, party), checked in one Apply.
public static class SupervisionLifecycle
{
    public static readonly (SupervisionStatus From, SupervisionAction Action, SupervisionStatus To, SupervisionParty Party)[] Table =
    [
        (SupervisionStatus.Issued, SupervisionAction.Respond, SupervisionStatus.Responded, SupervisionParty.Owner),
        (SupervisionStatus.Issued, SupervisionAction.Remind, SupervisionStatus.Issued, SupervisionParty.Issuer),
        (SupervisionStatus.Issued, SupervisionAction.Escalate, SupervisionStatus.Escalated, SupervisionParty.Issuer),
        (SupervisionStatus.Responded, SupervisionAction.Close, SupervisionStatus.Closed, SupervisionParty.Issuer),
        (SupervisionStatus.Responded, SupervisionAction.Remind, SupervisionStatus.Issued, SupervisionParty.Issuer),     // reply not enough: 再次督办
        (SupervisionStatus.Responded, SupervisionAction.Escalate, SupervisionStatus.Escalated, SupervisionParty.Issuer),
        (SupervisionStatus.Escalated, SupervisionAction.Respond, SupervisionStatus.Escalated, SupervisionParty.Owner),  // 约谈后的整改报告
        (SupervisionStatus.Escalated, SupervisionAction.Close, SupervisionStatus.Closed, SupervisionParty.Issuer),
    ];

    public static bool IsIssuer(AccessScope s, Org org) => s.Can(Permission.IssueSupervision, org);

    public static bool IsOwner(AccessScope s, Org org) => s.Can(Permission.AnswerSupervision, org);

    public static bool Holds(SupervisionParty p, AccessScope s, Org org) => p switch
    {
        SupervisionParty.Issuer => IsIssuer(s, org),
        SupervisionParty.Owner => IsOwner(s, org),
    };

    public static IEnumerable<SupervisionAction> AllowedFor(SupervisionStatus status, AccessScope s, Org org) =>
        Table.Where(t => t.From == status && Holds(t.Party, s, org)).Select(t => t.Action).Distinct();

    public static bool IsOpen(SupervisionStatus s) => s != SupervisionStatus.Closed;
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
    public SupervisionStatus Status { get; set; } = SupervisionStatus.Issued;
    public required string IssuedBy { get; set; }            // account id
    public required string IssuedByName { get; set; }
    public DateTime IssuedAt { get; set; }
    public DateOnly DueOn { get; set; }                      // 回复时限
    public int RemindCount { get; set; }                     // 催办次数
    public string? Response { get; set; }
    public string? RespondedBy { get; set; }
    public DateTime? RespondedAt { get; set; }
    public DateTime? ClosedAt { get; set; }

    public const int TitleMax = 200, TextMax = 4000;

    /// Past a usable response date with no reply (a stored 0001-01-01 is no date to be past: DutyLight says invalid).
    public bool IsOverdue(DateOnly today) => Status == SupervisionStatus.Issued && DueOn >= Bounds.MinDate && DueOn < today;

    /// The order's line in the 履职清单 while it waits for the org's reply.
    public Light DutyLight(DateOnly today) =>
        !Bounds.InWindow(DueOn) ? new(LightLevel.Invalid, StoredValues.Invalid("回复时限", DueOn))
        : IsOverdue(today) ? new(LightLevel.Red, $"督办单已超过回复时限（{StoredValues.Iso(DueOn)}）")
        : new(LightLevel.Yellow, $"督办单须于 {StoredValues.Iso(DueOn)} 前回复");

    /// Applies one action or throws a typed error; unchanged when it throws.
    public SupervisionEvent Apply(SupervisionAction action, Actor actor, Org org, DateTime now, string? text = null,
        DateOnly? newDue = null, int evidenceCount = 0)
    {
        var steps = SupervisionLifecycle.Table.Where(t => t.From == Status && t.Action == action).ToList();
        if (steps.Count == 0) throw new DomainException(new SupervisionIllegalTransition(Status, action));
        var step = steps.FirstOrDefault(t => SupervisionLifecycle.Holds(t.Party, actor.Scope, org));
        if (step == default)
            throw new DomainException(new SupervisionNotYourParty(action, steps[0].Party switch
            {
                SupervisionParty.Issuer => "纪检监督部门",
                SupervisionParty.Owner => "被督办单位（主要负责人、班子成员或联络员）",
            }));
        if (string.IsNullOrWhiteSpace(text) && action is SupervisionAction.Respond or SupervisionAction.Remind)
            throw new DomainException(new Invalid("text", action == SupervisionAction.Respond ? "请填写回复内容" : "请填写催办意见"));
        if (text is { Length: > TextMax }) throw new DomainException(new Invalid("text", $"内容不能超过 {TextMax} 字"));
        if (action == SupervisionAction.Remind && (newDue is null || newDue < DateOnly.FromDateTime(ChinaTime.ToCst(now))))
            throw new DomainException(new Invalid("dueOn", "催办须给出新的回复时限（不早于今天）"));
        var from = Status;
        Status = step.To;
        switch (action)
        {
            case SupervisionAction.Respond:
                Response = text!.Trim();
                RespondedBy = actor.AccountId;
                RespondedAt = now;
                break;
            case SupervisionAction.Remind:
                RemindCount++;
                DueOn = newDue!.Value;
                break;
            case SupervisionAction.Close:
                ClosedAt = now;
                break;
            case SupervisionAction.Issue or SupervisionAction.Escalate:
                break;
        }
        return new SupervisionEvent
        {
            OrderId = Id, OrgId = OrgId, Action = action, FromStatus = from, ToStatus = Status, ActorId = actor.AccountId,
            ActorName = actor.Name, At = now, Text = text?.Trim(), DueOn = action == SupervisionAction.Remind ? DueOn : null,
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
    public SupervisionAction Action { get; set; }
    public SupervisionStatus FromStatus { get; set; }
    public SupervisionStatus ToStatus { get; set; }
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
