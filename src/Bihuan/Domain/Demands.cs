using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace Bihuan.Domain;

/// 诉求类型 (开门教育). Each maps to an Open311 service.
public enum DemandType { Consult, Help, Complaint, Suggestion, Praise, EducationOpinion }

/// 工单状态 (12345 practice). Terminal: Rejected, Closed, Merged.
public enum OrderStatus
{
    Received,        // 待受理
    Rejected,        // 不予受理
    Accepted,        // 已受理（待派单；退单后也回到这里）
    Dispatched,      // 已派单
    Signed,          // 已签收
    Handling,        // 办理中
    AwaitingSignoff, // 答复待签发（投诉：须主要负责人签发）
    Replied,         // 已答复（待回访）
    Closed,          // 已办结
    Merged,          // 已合并（并入主工单）
}

public enum OrderAction
{
    Accept, Reject, Dispatch, Sign, SendBack, Start, Reply, SubmitReply, SignOff, ReturnDraft,
    RequestExtension, ApproveExtension, RefuseExtension, Rate, Redo, CloseUnrated, Urge, Supervise, Merge, Escalate, Publish,
    Withdraw,
}

/// Who may take an order action: the dispatch desk, the handling unit, its head, or the citizen (ticket + code).
public enum OrderParty { Dispatch, Unit, UnitHead, Citizen }

/// 退单理由
public enum SendBackReason { WrongPlace, UnclearOwnership, OverlappingDuty }

public enum Rating { Satisfied, Basic, Dissatisfied }

/// Where a demand came in.
public enum DemandChannel { Portal, Open311 }

public static class DemandLabels
{
    public static string Label(this DemandType t) => !Enum.IsDefined(t) ? StoredValues.Invalid("取值", t) : t switch
    {
        DemandType.Consult => "咨询",
        DemandType.Help => "求助",
        DemandType.Complaint => "投诉",
        DemandType.Suggestion => "建议",
        DemandType.Praise => "表扬",
        DemandType.EducationOpinion => "对学习教育的意见",
    };

    public static string Label(this OrderStatus s) => !Enum.IsDefined(s) ? StoredValues.Invalid("取值", s) : s switch
    {
        OrderStatus.Received => "待受理",
        OrderStatus.Rejected => "不予受理",
        OrderStatus.Accepted => "已受理",
        OrderStatus.Dispatched => "已派单",
        OrderStatus.Signed => "已签收",
        OrderStatus.Handling => "办理中",
        OrderStatus.AwaitingSignoff => "答复待签发",
        OrderStatus.Replied => "已答复",
        OrderStatus.Closed => "已办结",
        OrderStatus.Merged => "已合并",
    };

    public static string Label(this OrderAction a) => !Enum.IsDefined(a) ? StoredValues.Invalid("取值", a) : a switch
    {
        OrderAction.Accept => "受理",
        OrderAction.Reject => "不予受理",
        OrderAction.Dispatch => "派单",
        OrderAction.Sign => "签收",
        OrderAction.SendBack => "退单",
        OrderAction.Start => "开始办理",
        OrderAction.Reply => "答复",
        OrderAction.SubmitReply => "提交答复待签发",
        OrderAction.SignOff => "签发答复",
        OrderAction.ReturnDraft => "退回答复稿",
        OrderAction.RequestExtension => "申请延期",
        OrderAction.ApproveExtension => "批准延期",
        OrderAction.RefuseExtension => "不予延期",
        OrderAction.Rate => "回访评价",
        OrderAction.Redo => "不满意重办",
        OrderAction.CloseUnrated => "回访办结",
        OrderAction.Urge => "催办",
        OrderAction.Supervise => "督办",
        OrderAction.Merge => "合并",
        OrderAction.Escalate => "转为问题",
        OrderAction.Publish => "公开答复",
        OrderAction.Withdraw => "撤回公开",
    };

    public static string Label(this SendBackReason r) => !Enum.IsDefined(r) ? StoredValues.Invalid("取值", r) : r switch
    {
        SendBackReason.WrongPlace => "属地不符",
        SendBackReason.UnclearOwnership => "权属不清",
        SendBackReason.OverlappingDuty => "职能交叉",
    };

    public static string Label(this Rating r) => !Enum.IsDefined(r) ? StoredValues.Invalid("取值", r) : r switch
    {
        Rating.Satisfied => "满意",
        Rating.Basic => "基本满意",
        Rating.Dissatisfied => "不满意",
    };

    public static string Label(this OrderParty p) => p switch
    {
        OrderParty.Dispatch => "派单席（热线派单员或学习教育办公室）",
        OrderParty.Unit => "承办单位（主要负责人、班子成员或联络员）",
        OrderParty.UnitHead => "承办单位主要负责人",
        OrderParty.Citizen => "诉求人",
    };

    /// The public face of a status: what a citizen's timeline shows (received, dispatched, replied, closed).
    public static string PublicLabel(this OrderStatus s) => !Enum.IsDefined(s) ? StoredValues.Invalid("取值", s) : s switch
    {
        OrderStatus.Received or OrderStatus.Accepted => "已受理",
        OrderStatus.Rejected => "不予受理",
        OrderStatus.Dispatched or OrderStatus.Signed or OrderStatus.Handling or OrderStatus.AwaitingSignoff => "办理中",
        OrderStatus.Replied => "已答复",
        OrderStatus.Closed => "已办结",
        OrderStatus.Merged => "已合并办理",
    };

    public static bool IsOpen(this OrderStatus s) => s is not (OrderStatus.Rejected or OrderStatus.Closed or OrderStatus.Merged);
}

/// 办理时限 in working days per type (configurable: Bihuan:Portal:TimeLimits:Complaint = 13 …).
public sealed class DemandTimeLimits
{
    public int Consult { get; set; } = 3;
    public int Help { get; set; } = 3;
    public int Complaint { get; set; } = 13;
    public int Suggestion { get; set; } = 13;
    public int Praise { get; set; } = 5;
    public int EducationOpinion { get; set; } = 13;
    /// 签收时限
    public int SignWithin { get; set; } = 1;

    public int For(DemandType t) => t switch
    {
        DemandType.Consult => Consult,
        DemandType.Help => Help,
        DemandType.Complaint => Complaint,
        DemandType.Suggestion => Suggestion,
        DemandType.Praise => Praise,
        DemandType.EducationOpinion => EducationOpinion,
    };
}

public sealed record OrderIllegalTransition(OrderStatus From, OrderAction Action)
    : Error("illegal_transition", $"工单“{From.Label()}”状态下不能“{Action.Label()}”", ErrorKind.Conflict);
public sealed record OrderNotYourParty(OrderAction Action, OrderParty Party)
    : Error("not_authorized_for_action", $"“{Action.Label()}”须由{Party.Label()}办理", ErrorKind.Forbidden);
public sealed record OrderReasonRequired(OrderAction Action)
    : Error("reason_required", $"“{Action.Label()}”须说明理由", ErrorKind.Invalid, "reason");
public sealed record OrderRule(string Field, string Why) : Error("order_rule", Why, ErrorKind.Conflict, Field);
public sealed record CannotSignOffOwnReply()
    : Error("cannot_sign_off_own_reply",
        "不能签发自己起草的答复：投诉件的答复须由起草人以外的承办单位主要负责人签发", ErrorKind.Forbidden);

/// The work-order lifecycle as data: from, action, to, party. Checked in one place (WorkOrderState.Apply).
public static class OrderLifecycle
{
    public sealed record Step(OrderStatus From, OrderAction Action, OrderStatus To, OrderParty Party);

    static readonly OrderStatus[] Working = [OrderStatus.Dispatched, OrderStatus.Signed, OrderStatus.Handling];
    static readonly OrderStatus[] Live = [OrderStatus.Received, OrderStatus.Accepted, OrderStatus.Dispatched, OrderStatus.Signed,
        OrderStatus.Handling, OrderStatus.AwaitingSignoff, OrderStatus.Replied];

    public static readonly IReadOnlyList<Step> Table =
    [
        new(OrderStatus.Received, OrderAction.Accept, OrderStatus.Accepted, OrderParty.Dispatch),
        new(OrderStatus.Received, OrderAction.Reject, OrderStatus.Rejected, OrderParty.Dispatch),
        new(OrderStatus.Received, OrderAction.Dispatch, OrderStatus.Dispatched, OrderParty.Dispatch),   // 受理并派单
        new(OrderStatus.Accepted, OrderAction.Dispatch, OrderStatus.Dispatched, OrderParty.Dispatch),   // also re-dispatch after 退单
        new(OrderStatus.Accepted, OrderAction.Reject, OrderStatus.Rejected, OrderParty.Dispatch),
        new(OrderStatus.Received, OrderAction.Merge, OrderStatus.Merged, OrderParty.Dispatch),
        new(OrderStatus.Accepted, OrderAction.Merge, OrderStatus.Merged, OrderParty.Dispatch),
        new(OrderStatus.Dispatched, OrderAction.Sign, OrderStatus.Signed, OrderParty.Unit),
        new(OrderStatus.Dispatched, OrderAction.SendBack, OrderStatus.Accepted, OrderParty.Unit),
        new(OrderStatus.Signed, OrderAction.SendBack, OrderStatus.Accepted, OrderParty.Unit),
        new(OrderStatus.Signed, OrderAction.Start, OrderStatus.Handling, OrderParty.Unit),
        new(OrderStatus.Signed, OrderAction.Reply, OrderStatus.Replied, OrderParty.Unit),
        new(OrderStatus.Handling, OrderAction.Reply, OrderStatus.Replied, OrderParty.Unit),
        new(OrderStatus.Signed, OrderAction.SubmitReply, OrderStatus.AwaitingSignoff, OrderParty.Unit),
        new(OrderStatus.Handling, OrderAction.SubmitReply, OrderStatus.AwaitingSignoff, OrderParty.Unit),
        new(OrderStatus.AwaitingSignoff, OrderAction.SignOff, OrderStatus.Replied, OrderParty.UnitHead),
        new(OrderStatus.AwaitingSignoff, OrderAction.ReturnDraft, OrderStatus.Handling, OrderParty.UnitHead),
        new(OrderStatus.Signed, OrderAction.RequestExtension, OrderStatus.Signed, OrderParty.Unit),
        new(OrderStatus.Handling, OrderAction.RequestExtension, OrderStatus.Handling, OrderParty.Unit),
        new(OrderStatus.Signed, OrderAction.ApproveExtension, OrderStatus.Signed, OrderParty.Dispatch),
        new(OrderStatus.Handling, OrderAction.ApproveExtension, OrderStatus.Handling, OrderParty.Dispatch),
        new(OrderStatus.Signed, OrderAction.RefuseExtension, OrderStatus.Signed, OrderParty.Dispatch),
        new(OrderStatus.Handling, OrderAction.RefuseExtension, OrderStatus.Handling, OrderParty.Dispatch),
        new(OrderStatus.Replied, OrderAction.Rate, OrderStatus.Closed, OrderParty.Citizen),
        new(OrderStatus.Replied, OrderAction.Redo, OrderStatus.Handling, OrderParty.Citizen),
        new(OrderStatus.Replied, OrderAction.CloseUnrated, OrderStatus.Closed, OrderParty.Dispatch),
        .. Working.Select(s => new Step(s, OrderAction.Urge, s, OrderParty.Dispatch)),
        .. Working.Select(s => new Step(s, OrderAction.Supervise, s, OrderParty.Dispatch)),
        .. Live.Concat([OrderStatus.Closed]).Select(s => new Step(s, OrderAction.Escalate, s, OrderParty.Dispatch)),
        new(OrderStatus.Replied, OrderAction.Publish, OrderStatus.Replied, OrderParty.Dispatch),
        new(OrderStatus.Closed, OrderAction.Publish, OrderStatus.Closed, OrderParty.Dispatch),
        // What was published stays until withdrawn, also while a redo is handled.
        .. Live.Concat([OrderStatus.Closed]).Select(s => new Step(s, OrderAction.Withdraw, s, OrderParty.Dispatch)),
    ];

    public static Step? Find(OrderStatus from, OrderAction action) =>
        Table.FirstOrDefault(s => s.From == from && s.Action == action);
}

/// Who acts: a staff account (with its scope) or the citizen who holds the ticket and its query code.
public sealed record OrderActor(string Id, string Name, AccessScope Scope, bool IsCitizen = false)
{
    public static OrderActor Citizen { get; } = new("public", "诉求人", AccessScope.Nobody, true);
}

/// What an action brings besides who: a text (reply, reason), the org to dispatch to, a rating, …; for 公开答复 the
/// reviewed public texts (Text is the public reply, Title the public title, both already redacted).
public sealed record OrderArgs(string? Text = null, Org? ToOrg = null, Rating? Rating = null, DateOnly? NewDeadline = null,
    SendBackReason? Reason = null, int? MasterId = null, int? ProblemId = null)
{
    public string? Title { get; init; }
}

public sealed record OrderEventData(OrderAction Action, OrderStatus From, OrderStatus To, string? Text);

/// The lifecycle state of one work order and the rules that move it. WorkOrder (the stored order) is one.
public class WorkOrderState
{
    public DemandType Type { get; set; }
    public OrderStatus Status { get; set; } = OrderStatus.Received;
    /// The org the order belongs to now: the dispatch desk's org until dispatched (and after a 退单), then the unit.
    public int OrgId { get; set; }
    public int DispatchOrgId { get; set; }
    public DateOnly? DispatchedOn { get; set; }
    public DateOnly? SignDue { get; set; }
    public DateOnly? Deadline { get; set; }
    public DateOnly? SignedOn { get; set; }
    public DateOnly? RepliedOn { get; set; }
    public DateTime? ClosedAt { get; set; }
    public string? Reply { get; set; }
    public string? ReplyDraft { get; set; }
    /// The account that submitted the draft (承办人): the head who signs it off must be someone else.
    public string? ReplyDraftedBy { get; set; }
    public Rating? Rating { get; set; }
    public string? RatingComment { get; set; }
    public int RedoCount { get; set; }
    public int DissatisfiedCount { get; set; }
    public int SendBackCount { get; set; }
    public int DispatchCount { get; set; }
    public bool SignedLate { get; set; }
    public DateOnly? ExtensionRequestedTo { get; set; }
    public string? ExtensionRequestedBy { get; set; }
    public int ExtensionCount { get; set; }
    public int UrgeCount { get; set; }
    public bool Supervised { get; set; }
    public int? MasterId { get; set; }
    public int? ProblemId { get; set; }
    public bool Published { get; set; }
    /// What the public reads, reviewed by the desk when it published (redacted, maybe edited): the demand's title and
    /// the reply. Public surfaces show these and never Content or Reply; withdrawing clears them.
    public string? PublicTitle { get; set; }
    public string? PublicReply { get; set; }
    public string? RejectReason { get; set; }

    public const int TextMax = 2000;
    public const int TitleMax = 1000;

    public static bool IsDispatcher(AccessScope s, Org dispatchOrg) => s.Can(Permission.DispatchDemands, dispatchOrg);

    public static bool IsUnit(AccessScope s, Org org) => s.Can(Permission.HandleOrders, org);

    public static bool IsUnitHead(AccessScope s, Org org) => s.Can(Permission.SignOff, org);

    /// Whether the order is with a unit now (dispatched and not sent back): only then does a "handling unit" exist.
    public bool WithUnit => Status is OrderStatus.Dispatched or OrderStatus.Signed or OrderStatus.Handling
        or OrderStatus.AwaitingSignoff or OrderStatus.Replied or OrderStatus.Closed && DispatchedOn is not null && OrgId != DispatchOrgId;

    /// Who may read the submitter's contact unmasked: the handling unit, while the order is with it.
    public bool MayRevealContact(AccessScope s, Org org) => WithUnit && s.Can(Permission.RevealSubmitter, org);

    public bool IsParty(OrderParty p, OrderActor actor, Org org, Org dispatchOrg) => p switch
    {
        OrderParty.Dispatch => !actor.IsCitizen && IsDispatcher(actor.Scope, dispatchOrg),
        OrderParty.Unit => !actor.IsCitizen && IsUnit(actor.Scope, org),
        OrderParty.UnitHead => !actor.IsCitizen && IsUnitHead(actor.Scope, org),
        OrderParty.Citizen => actor.IsCitizen,
    };

    /// The actions this actor may take now (what the order page offers). Texts and guards are still checked by Apply.
    public IEnumerable<OrderAction> AllowedFor(OrderActor actor, Org org, Org dispatchOrg) => OrderLifecycle.Table
        .Where(t => t.From == Status && IsParty(t.Party, actor, org, dispatchOrg))
        .Select(t => t.Action).Distinct()
        .Where(a => Guard(a) is null && !IsOwnSecondStep(a, actor));

    /// Separation of duties: the second step of a two-person act is never taken by the first person.
    bool IsOwnSecondStep(OrderAction a, OrderActor actor) => a switch
    {
        OrderAction.SignOff => actor.Id == ReplyDraftedBy,
        OrderAction.ApproveExtension or OrderAction.RefuseExtension => actor.Id == ExtensionRequestedBy,
        _ => false,
    };

    /// A rule beyond the table (null: allowed).
    string? Guard(OrderAction a) => a switch
    {
        OrderAction.Reply when Type == DemandType.Complaint => "投诉件的答复须经承办单位主要负责人签发：请提交答复待签发",
        OrderAction.SubmitReply when Type != DemandType.Complaint => "非投诉件可直接答复",
        OrderAction.RequestExtension when ExtensionRequestedTo is not null => "已有一项延期申请待审批",
        OrderAction.ApproveExtension or OrderAction.RefuseExtension when ExtensionRequestedTo is null => "没有待审批的延期申请",
        OrderAction.Redo when RedoCount > 0 => "已重办过一次：再次评价后办结，评价保留",
        OrderAction.Supervise when Supervised => "已在督办中",
        OrderAction.Escalate when ProblemId is not null => "已转为问题",
        OrderAction.Publish when Published => "已公开",
        OrderAction.Publish when Reply is null => "没有可公开的答复",
        OrderAction.Withdraw when !Published => "尚未公开",
        _ => null,
    };

    /// Applies one action or throws a typed error; the order is unchanged when it throws.
    public OrderEventData Apply(OrderAction action, OrderActor actor, Org org, Org dispatchOrg, DateOnly today, DateTime now,
        OrderArgs args, DemandTimeLimits limits, Func<DateOnly, int, DateOnly> addWorkingDays)
    {
        var step = OrderLifecycle.Find(Status, action) ?? throw new DomainException(new OrderIllegalTransition(Status, action));
        if (!IsParty(step.Party, actor, org, dispatchOrg)) throw new DomainException(new OrderNotYourParty(action, step.Party));
        if (Guard(action) is { } why) throw new DomainException(new OrderRule(action == OrderAction.Reply ? "text" : "action", why));
        var text = string.IsNullOrWhiteSpace(args.Text) ? null : args.Text.Trim();
        if (text is { Length: > TextMax }) throw new DomainException(new Invalid("text", $"说明不能超过 {TextMax} 字"));
        switch (action)
        {
            case OrderAction.Reject or OrderAction.SendBack or OrderAction.RequestExtension or OrderAction.RefuseExtension
                or OrderAction.ReturnDraft or OrderAction.Urge or OrderAction.Supervise or OrderAction.Withdraw
                when text is null:
                throw new DomainException(new OrderReasonRequired(action));
            case OrderAction.Reply or OrderAction.SubmitReply when text is null:
                throw new DomainException(new Invalid("text", "请填写答复内容"));
            case OrderAction.SendBack when args.Reason is null || !Enum.IsDefined(args.Reason.Value):
                throw new DomainException(new Invalid("reason", "请选择退单理由（属地不符、权属不清、职能交叉）"));
            case OrderAction.Dispatch when args.ToOrg is null:
                throw new DomainException(new Invalid("orgId", "请选择承办单位"));
            case OrderAction.Dispatch when args.ToOrg!.Id == dispatchOrg.Id || !args.ToOrg.IsInSubtreeOf(dispatchOrg) || args.ToOrg.Archived:
                throw new DomainException(new Invalid("orgId", "承办单位须是派单范围内的下级单位"));
            case OrderAction.Rate or OrderAction.Redo when args.Rating is null || !Enum.IsDefined(args.Rating.Value):
                throw new DomainException(new Invalid("rating", "请选择满意、基本满意或不满意"));
            case OrderAction.Redo when args.Rating != Domain.Rating.Dissatisfied:
                throw new DomainException(new Invalid("rating", "只有“不满意”才会重办"));
            case OrderAction.RequestExtension when Deadline is null || args.NewDeadline is null || args.NewDeadline <= Deadline:
                throw new DomainException(new OrderRule("deadline", "延期后的时限须晚于当前办理时限"));
            case OrderAction.RequestExtension when Deadline < today:
                throw new DomainException(new OrderRule("deadline", "已超过办理时限，不能再申请延期（须在期限前申请）"));
            case OrderAction.ApproveExtension or OrderAction.RefuseExtension when IsOwnSecondStep(action, actor):
                throw new DomainException(new OrderNotYourParty(action, OrderParty.Dispatch));
            case OrderAction.SignOff when IsOwnSecondStep(action, actor):
                throw new DomainException(new CannotSignOffOwnReply());
            // The head signs what the 承办人 drafted: a different text goes back to the drafter (退回答复稿).
            case OrderAction.SignOff when text is not null && text != ReplyDraft?.Trim():
                throw new DomainException(new OrderRule("text", "签发时不能改写答复稿：如需修改，请退回答复稿，由承办人修改后重新提交"));
            case OrderAction.Merge when args.MasterId is null:
                throw new DomainException(new Invalid("masterId", "请选择主工单"));
            case OrderAction.Escalate when args.ProblemId is null:
                throw new DomainException(new Invalid("problemId", "缺少问题"));
        }

        var from = Status;
        Status = step.To;
        switch (action)
        {
            case OrderAction.Reject:
                RejectReason = text;
                ClosedAt = now;
                break;
            case OrderAction.Dispatch:
                OrgId = args.ToOrg!.Id;
                DispatchedOn = today;
                SignDue = addWorkingDays(today, limits.SignWithin);
                Deadline = addWorkingDays(today, limits.For(Type));
                SignedOn = null;
                DispatchCount++;
                text = $"派至{args.ToOrg.Name}{(text is null ? "" : "：" + text)}（签收时限 {SignDue:yyyy-MM-dd}，办理时限 {Deadline:yyyy-MM-dd}）";
                break;
            case OrderAction.Sign:
                SignedOn = today;
                SignedLate = SignDue is { } due && today > due;
                break;
            case OrderAction.SendBack:
                OrgId = DispatchOrgId;
                SendBackCount++;
                ExtensionRequestedTo = null;
                ExtensionRequestedBy = null;
                text = $"{args.Reason!.Value.Label()}：{text}";
                break;
            case OrderAction.Reply:
                Reply = text;
                RepliedOn = today;
                break;
            case OrderAction.SubmitReply:
                ReplyDraft = text;
                ReplyDraftedBy = actor.Id;
                break;
            case OrderAction.SignOff:
                Reply = ReplyDraft;
                ReplyDraft = null;
                RepliedOn = today;
                text = Reply;
                break;
            case OrderAction.ReturnDraft:
                ReplyDraft = null;
                ReplyDraftedBy = null;
                break;
            case OrderAction.RequestExtension:
                ExtensionRequestedTo = args.NewDeadline;
                ExtensionRequestedBy = actor.Id;
                text = $"{text}（申请延期至 {args.NewDeadline:yyyy-MM-dd}）";
                break;
            case OrderAction.ApproveExtension:
                text = $"{text}（办理时限 {Deadline:yyyy-MM-dd} → {ExtensionRequestedTo:yyyy-MM-dd}）".TrimStart();
                Deadline = ExtensionRequestedTo;
                ExtensionRequestedTo = null;
                ExtensionRequestedBy = null;
                ExtensionCount++;
                break;
            case OrderAction.RefuseExtension:
                ExtensionRequestedTo = null;
                ExtensionRequestedBy = null;
                break;
            case OrderAction.Rate:
                Rating = args.Rating;
                RatingComment = text;
                if (args.Rating == Domain.Rating.Dissatisfied) DissatisfiedCount++;
                ClosedAt = now;
                text = $"{args.Rating!.Value.Label()}{(text is null ? "" : "：" + text)}";
                break;
            case OrderAction.Redo:
                Rating = args.Rating;
                RatingComment = text;
                DissatisfiedCount++;
                RedoCount++;
                Reply = null;
                RepliedOn = null;
                Deadline = addWorkingDays(today, limits.For(Type));
                text = $"不满意，重办{(text is null ? "" : "：" + text)}（新办理时限 {Deadline:yyyy-MM-dd}）";
                break;
            case OrderAction.CloseUnrated:
                ClosedAt = now;
                break;
            case OrderAction.Urge:
                UrgeCount++;
                break;
            case OrderAction.Supervise:
                Supervised = true;
                break;
            case OrderAction.Merge:
                MasterId = args.MasterId;
                ClosedAt = now;
                text = $"并入主工单 #{args.MasterId}{(text is null ? "" : "：" + text)}";
                break;
            case OrderAction.Escalate:
                ProblemId = args.ProblemId;
                text = $"转为问题清单 #{args.ProblemId}{(text is null ? "" : "：" + text)}";
                break;
            case OrderAction.Publish when text is null || string.IsNullOrWhiteSpace(args.Title):
                throw new DomainException(new Invalid(text is null ? "text" : "title", "请填写公开的标题和答复"));
            case OrderAction.Publish when args.Title!.Trim().Length > TitleMax:
                throw new DomainException(new Invalid("title", $"公开标题不能超过 {TitleMax} 字"));
            case OrderAction.Publish:
                Published = true;
                PublicTitle = args.Title!.Trim();
                PublicReply = text;
                break;
            case OrderAction.Withdraw:
                Published = false;
                PublicTitle = null;
                PublicReply = null;
                break;
            case OrderAction.Accept or OrderAction.Start:
                break;
        }
        return new OrderEventData(action, from, Status, text);
    }

    /// The order's light, computed (never stored): unsigned past the sign-in limit is red; otherwise the ledger's rules
    /// on the handling deadline, with the order's status mapped onto the rectification states.
    public Light LightOf(DateOnly today, LightRules rules, WorkingCalendar cal)
    {
        // Total: the status and the sign-in limit are checked here; the handling deadline and dispatch day by Lights.Of.
        if (!Enum.IsDefined(Status)) return new(LightLevel.Invalid, StoredValues.Invalid("工单状态", Status));
        if (SignDue is { } bad && !Bounds.InWindow(bad) && Status == OrderStatus.Dispatched)
            return new(LightLevel.Invalid, StoredValues.Invalid("签收时限", bad));
        if (Status == OrderStatus.Dispatched && SignDue is { } sd && today > sd)
            return new(LightLevel.Red, $"超过签收时限（{sd:yyyy-MM-dd}）未签收");
        var mapped = Status switch
        {
            OrderStatus.Received or OrderStatus.Accepted => RectStatus.Pending,
            OrderStatus.Dispatched or OrderStatus.Signed or OrderStatus.Handling => RectStatus.InProgress,
            OrderStatus.AwaitingSignoff or OrderStatus.Replied => RectStatus.ClosureRequested,
            OrderStatus.Closed or OrderStatus.Rejected or OrderStatus.Merged => RectStatus.Closed,
        };
        if (mapped == RectStatus.Closed) return new(LightLevel.Green, Status.Label());
        if (Deadline is null) return new(LightLevel.Green, Status == OrderStatus.Received ? "待受理" : "待派单");
        // Orders report no percentages: the lag and staleness rules do not apply to them.
        var r = rules with { LagPercentPoints = null, StaleAfterWorkingDays = null };
        var light = Lights.Of(new LightInput(mapped, DeadlineKind.Dated, DispatchedOn, Deadline, 0, null, SendBackCount, RedoCount,
            DissatisfiedCount, today, "办理时限"), r, cal);
        // The ledger's words for a waiting closure request do not fit an order: say what it waits for.
        return light.Level == LightLevel.Green && mapped == RectStatus.ClosureRequested
            ? light with { Reason = Status == OrderStatus.Replied ? "已答复，待回访评价" : "答复待主要负责人签发" }
            : light;
    }
}

/// 工单: one public demand and its handling. Personal data (name, phone) lives apart in DemandContact.
public sealed class WorkOrder : WorkOrderState, IAudited, IOrgOwned
{
    public int Id { get; set; }
    public required string Ticket { get; set; }
    public required string CodeHash { get; set; }
    public DemandChannel Channel { get; set; }
    public int? RequestedOrgId { get; set; }     // the unit the citizen named (null: 不清楚)
    public required string Content { get; set; }
    public string? Location { get; set; }
    public double? Lat { get; set; }
    public double? Long { get; set; }
    public bool Anonymous { get; set; }
    public string? SourceHash { get; set; }     // hashed client address (rate limits), never the address itself
    public int? ApiKeyId { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
    /// A photo link an Open311 app sent (media_url): kept as a link, never fetched by the server.
    public string? MediaUrl { get; set; }

    public const int ContentMax = 1000;
    public const int MediaUrlMax = 500;
    public const int LocationMax = 200;
}

/// Name and phone of a work order's submitter. Kept out of the audited order row (the audit log is read by admins
/// and supervisors) and shown masked to all but the handling unit; every unmasked view is an audit event.
public sealed class DemandContact
{
    public int WorkOrderId { get; set; }
    public WorkOrder? Order { get; set; }
    public string? Name { get; set; }
    public string? Phone { get; set; }
    public string? Email { get; set; }
}

/// One step on a work order's timeline (who, when, what).
public sealed class WorkOrderEvent : IAudited, IOrgOwned
{
    public int Id { get; set; }
    public int WorkOrderId { get; set; }
    public int OrgId { get; set; }
    public OrderAction Action { get; set; }
    public OrderStatus FromStatus { get; set; }
    public OrderStatus ToStatus { get; set; }
    public required string ActorId { get; set; }
    public required string ActorName { get; set; }
    public DateTime At { get; set; }
    public string? Text { get; set; }
}

/// The daily ticket sequence: one row per day, incremented in the submitting transaction.
public sealed class TicketCounter
{
    public required string Day { get; set; }   // yyyyMMdd (China time)
    public int Last { get; set; }
}

/// An Open311 API key issued to an org's app; only its SHA-256 is stored.
public sealed class Open311Key : IAudited, IOrgOwned
{
    public int Id { get; set; }
    public int OrgId { get; set; }
    public required string Name { get; set; }
    public required string Prefix { get; set; }
    public required string KeyHash { get; set; }
    public DateTime CreatedAt { get; set; }
    public bool Revoked { get; set; }

    public static (string Key, string Prefix, string Hash) Generate()
    {
        var key = "o311_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(20));
        return (key, key[..10], Hash(key));
    }

    public static string Hash(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));
}

/// Ticket numbers, query codes, masking and redaction: the privacy rules of the portal in one place.
public static partial class DemandPrivacy
{
    /// GZ + yyyyMMdd + 6-digit daily sequence.
    public static string Ticket(DateOnly day, int seq)
    {
        if (seq is < 1 or > 999_999) throw new ArgumentOutOfRangeException(nameof(seq), "daily sequence is 1..999999");
        return $"GZ{day.ToString("yyyyMMdd", CultureInfo.InvariantCulture)}{seq.ToString("D6", CultureInfo.InvariantCulture)}";
    }

    [GeneratedRegex(@"^GZ\d{8}\d{6}$")]
    public static partial Regex TicketFormat();

    [GeneratedRegex(@"^1[3-9]\d{9}$")]
    public static partial Regex MobileFormat();

    const string CodeAlphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789";   // no 0/O, 1/I/L

    /// A random 8-character query code (about 40 bits).
    public static string NewCode() => string.Create(8, 0, (span, _) =>
    {
        for (var i = 0; i < span.Length; i++) span[i] = CodeAlphabet[RandomNumberGenerator.GetInt32(CodeAlphabet.Length)];
    });

    public static string HashCode(string ticket, string code) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{ticket}:{code.Trim().ToUpperInvariant()}")));

    /// Compares the code's hash with the stored one in constant time.
    public static bool CodeMatches(string ticket, string? code, string storedHash)
    {
        if (string.IsNullOrWhiteSpace(code) || code.Length > 32) return false;
        var a = Encoding.ASCII.GetBytes(HashCode(ticket, code));
        var b = Encoding.ASCII.GetBytes(storedHash);
        return CryptographicOperations.FixedTimeEquals(a, b);
    }

    /// 138****5678
    public static string MaskPhone(string? phone) => phone switch
    {
        null or "" => "",
        { Length: >= 7 } p => p[..3] + new string('*', p.Length - 7) + p[^4..],
        _ => "****",
    };

    /// 张** (the surname kept)
    public static string MaskName(string? name) => name switch
    {
        null or "" => "",
        { Length: 1 } => "*",
        var n => n[..1] + new string('*', n.Length - 1),
    };

    /// Text for a public page: personal data removed (Redaction, the one module every public surface uses).
    public static string Redact(string? text, params string?[] names) => Redaction.Redact(text, names);

    [GeneratedRegex("<[^>]*>")]
    private static partial Regex Tags();

    /// Plain text from user input: tags dropped, control characters removed, whitespace trimmed.
    public static string Plain(string? text)
    {
        if (string.IsNullOrEmpty(text)) return "";
        var t = Tags().Replace(text, "");
        t = new string(t.Where(c => !char.IsControl(c) || c is '\n').ToArray());
        return t.Trim();
    }
}

/// 履职清单: one line of everything an org owes, whatever it comes from (work orders, rectification items, plan tasks,
/// meeting decisions, 补学; more sources join by adding one to DutyList.Build).
public sealed record DutyEntry(string Kind, string Title, string Status, DateOnly? Due, LightLevel Light, string LightReason,
    string Link, int OrgId, string OrgName);

public static class DutyList
{
    /// One list from any number of sources: worst light first, then the nearest deadline.
    public static List<DutyEntry> Build(params IEnumerable<DutyEntry>[] sources) => sources.SelectMany(s => s)
        .OrderByDescending(e => e.Light).ThenBy(e => e.Due ?? DateOnly.MaxValue).ThenBy(e => e.Title, StringComparer.Ordinal)
        .ToList();
}
