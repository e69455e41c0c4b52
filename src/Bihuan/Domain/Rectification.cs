using System.Linq.Expressions;

namespace Bihuan.Domain;

/// 问题来源渠道
public enum SourceChannel
{
    SelfInspection,      // 自查自纠
    PublicOpinion,       // 征求意见/群众反映
    InspectionFeedback,  // 巡视巡察反馈
    SupervisionCheck,    // 监督检查
    AuditFinding,        // 审计发现
    Hotline,             // 12345热线/信访
    AssignedByUpper,     // 上级交办
    LifeMeeting,         // 民主生活会/组织生活会
}

/// "把自己、职责、工作摆进去"
public enum Aspect { Personal, Duty, Work }

/// The four phrases of the general requirement (总要求).
public enum Dimension { ForTheParty, ForThePeople, SoundDecisions, RealWork }

public enum Severity { General, Significant, Serious }

/// How a rectification item is bounded in time.
public enum DeadlineKind { Dated, Immediate, Ongoing }   // 有时限 / 立行立改 / 长期坚持

public enum RectStatus
{
    Pending,            // 待整改
    InProgress,         // 整改中
    ClosureRequested,   // 申请销号
    Returned,           // 已退回
    Closed,             // 已销号（待成效确认）
    Confirmed,          // 成效确认
}

public static class RectStatuses
{
    /// 未销号, the one spelling of the rule: an item is open until it is closed (已销号) or its effect confirmed
    /// (成效确认); a reopen (重新整改) makes it open again. As an expression so queries run it in SQL (RectItem.Open).
    static readonly Expression<Func<RectStatus, bool>> OpenRule =
        s => s != RectStatus.Closed && s != RectStatus.Confirmed;
    static readonly Func<RectStatus, bool> IsOpenRule = OpenRule.Compile();

    public static bool IsOpen(this RectStatus s) => IsOpenRule(s);

    /// The rule over a field of T that holds the status (RectItem.Status, a projection's Status), for queries.
    public static Expression<Func<T, bool>> OpenOver<T>(Expression<Func<T, RectStatus>> status) =>
        Expression.Lambda<Func<T, bool>>(
            new Substitute(OpenRule.Parameters[0], status.Body).Visit(OpenRule.Body), status.Parameters);

    public static Expression<Func<T, bool>> ClosedOver<T>(Expression<Func<T, RectStatus>> status)
    {
        var open = OpenOver(status);
        return Expression.Lambda<Func<T, bool>>(Expression.Not(open.Body), open.Parameters);
    }

    sealed class Substitute(ParameterExpression from, Expression to) : ExpressionVisitor
    {
        protected override Expression VisitParameter(ParameterExpression node) =>
            node == from ? to : base.VisitParameter(node);
    }
}

public enum RectAction { Start, ReportProgress, RequestClosure, Return, Verify, ConfirmEffect, Reopen, RequestExtension, ApproveExtension, RefuseExtension, Review, Assign }

/// 对账销号: review stages a closure request passes before the final verification (验收), configurable per source.
public enum ClosureStage
{
    UnitSelfCheck,   // 单位自验: the unit's 主要负责人 (not the requester)
    LeadReview,      // 牵头部门审核: a superior campaign office (granted on a strict ancestor) or a supervisor
}

/// Who may take an action on an item, relative to the item's org.
public enum Party
{
    Owner,      // the responsible unit: its 主要负责人, 班子成员, 联络员
    Verifier,   // a superior campaign office or a supervisor with authority over the org (serious items: supervisor)
    Reviewer,   // whoever the closure request's next review stage (对账销号) names
}

public static class RectLabels
{
    public static string Label(this SourceChannel s) => !Enum.IsDefined(s) ? StoredValues.Invalid("取值", s) : s switch
    {
        SourceChannel.SelfInspection => "自查自纠",
        SourceChannel.PublicOpinion => "征求意见/群众反映",
        SourceChannel.InspectionFeedback => "巡视巡察反馈",
        SourceChannel.SupervisionCheck => "监督检查",
        SourceChannel.AuditFinding => "审计发现",
        SourceChannel.Hotline => "12345热线/信访",
        SourceChannel.AssignedByUpper => "上级交办",
        SourceChannel.LifeMeeting => "民主生活会/组织生活会",
    };

    public static string Label(this Aspect a) => !Enum.IsDefined(a) ? StoredValues.Invalid("取值", a) : a switch
    {
        Aspect.Personal => "个人",
        Aspect.Duty => "职责",
        Aspect.Work => "工作",
    };

    public static string Label(this Dimension d) => !Enum.IsDefined(d) ? StoredValues.Invalid("取值", d) : d switch
    {
        Dimension.ForTheParty => "立党为公",
        Dimension.ForThePeople => "为民造福",
        Dimension.SoundDecisions => "科学决策",
        Dimension.RealWork => "真抓实干",
    };

    public static string Label(this Severity s) => !Enum.IsDefined(s) ? StoredValues.Invalid("取值", s) : s switch
    {
        Severity.General => "一般",
        Severity.Significant => "较重",
        Severity.Serious => "重大",
    };

    public static string Label(this RectStatus s) => !Enum.IsDefined(s) ? StoredValues.Invalid("取值", s) : s switch
    {
        RectStatus.Pending => "待整改",
        RectStatus.InProgress => "整改中",
        RectStatus.ClosureRequested => "申请销号",
        RectStatus.Returned => "已退回",
        RectStatus.Closed => "已销号",
        RectStatus.Confirmed => "成效确认",
    };

    public static string Label(this RectAction a) => !Enum.IsDefined(a) ? StoredValues.Invalid("取值", a) : a switch
    {
        RectAction.Start => "开始整改",
        RectAction.ReportProgress => "报送进展",
        RectAction.RequestClosure => "申请销号",
        RectAction.Return => "退回",
        RectAction.Verify => "核验销号",
        RectAction.ConfirmEffect => "成效确认",
        RectAction.Reopen => "重新整改",
        RectAction.RequestExtension => "申请延期",
        RectAction.ApproveExtension => "批准延期",
        RectAction.RefuseExtension => "不予延期",
        RectAction.Review => "审核通过",
        RectAction.Assign => "指定责任人",
    };

    public static string Label(this ClosureStage s) => !Enum.IsDefined(s) ? StoredValues.Invalid("取值", s) : s switch
    {
        ClosureStage.UnitSelfCheck => "单位自验",
        ClosureStage.LeadReview => "牵头部门审核",
    };
}

public sealed record IllegalTransition(RectStatus From, RectAction Action)
    : Error("illegal_transition", $"“{From.Label()}”状态下不能“{Action.Label()}”", ErrorKind.Conflict);
public sealed record NotYourParty(RectAction Action, string Who)
    : Error("not_authorized_for_action", $"“{Action.Label()}”须由{Who}办理", ErrorKind.Forbidden);
public sealed record CannotVerifyOwnClosure()
    : Error("cannot_verify_own_closure", "不能核验自己提交的销号申请（须由他人核验）", ErrorKind.Forbidden);
public sealed record ClosureNeedsEvidence()
    : Error("closure_needs_evidence", "申请销号须上传佐证材料并填写整改情况说明", ErrorKind.Invalid, "evidence");
public sealed record SimilarProblem(int Id, string OrgName, string Description, double Score, bool Closed = false);

/// A new problem reads like an open one in the same subtree: offered to link instead (409 with the candidates).
public sealed record PossibleDuplicate(IReadOnlyList<SimilarProblem> Candidates)
    : Error("possible_duplicate", "与已登记的未销号问题高度相似：可在原问题下增加整改措施，确认不是重复问题后再登记", ErrorKind.Conflict, "description");
public sealed record ExtensionNotApplicable(string Why)
    : Error("extension_not_applicable", Why, ErrorKind.Conflict, "deadline");

public sealed record ReviewsPending(ClosureStage Next)
    : Error("reviews_pending", $"销号申请须先经“{Next.Label()}”审核通过，才能核验销号", ErrorKind.Conflict);

public sealed record RecheckNotDue(DateOnly Due)
    : Error("recheck_not_due", $"回头看日期为 {Due:yyyy-MM-dd}：此前确认整改成效须说明理由", ErrorKind.Invalid, "reason");

public sealed record ReasonRequired(RectAction Action)
    : Error("reason_required", $"“{Action.Label()}”须说明理由", ErrorKind.Invalid, "reason");

/// The rectification lifecycle as data (STYLE: a table, checked in one TryTransition). Never scatter status checks.
public static class RectLifecycle
{
    public sealed record Step(RectStatus From, RectAction Action, RectStatus To, Party Party);

    public static readonly IReadOnlyList<Step> Table =
    [
        new(RectStatus.Pending, RectAction.Start, RectStatus.InProgress, Party.Owner),
        new(RectStatus.Pending, RectAction.ReportProgress, RectStatus.InProgress, Party.Owner),
        new(RectStatus.InProgress, RectAction.ReportProgress, RectStatus.InProgress, Party.Owner),
        new(RectStatus.Returned, RectAction.ReportProgress, RectStatus.InProgress, Party.Owner),
        new(RectStatus.InProgress, RectAction.RequestClosure, RectStatus.ClosureRequested, Party.Owner),
        new(RectStatus.Returned, RectAction.RequestClosure, RectStatus.ClosureRequested, Party.Owner),
        new(RectStatus.ClosureRequested, RectAction.Return, RectStatus.Returned, Party.Verifier),
        new(RectStatus.ClosureRequested, RectAction.Return, RectStatus.Returned, Party.Reviewer),
        // 对账销号: each configured review stage passes the request on; the status stays until the final verification.
        new(RectStatus.ClosureRequested, RectAction.Review, RectStatus.ClosureRequested, Party.Reviewer),
        new(RectStatus.ClosureRequested, RectAction.Verify, RectStatus.Closed, Party.Verifier),
        new(RectStatus.Closed, RectAction.ConfirmEffect, RectStatus.Confirmed, Party.Verifier),
        new(RectStatus.Closed, RectAction.Reopen, RectStatus.InProgress, Party.Verifier),
        new(RectStatus.Confirmed, RectAction.Reopen, RectStatus.InProgress, Party.Verifier),
        // 延期: requested by the unit before closure, decided by a superior; the status does not change.
        new(RectStatus.Pending, RectAction.RequestExtension, RectStatus.Pending, Party.Owner),
        new(RectStatus.InProgress, RectAction.RequestExtension, RectStatus.InProgress, Party.Owner),
        new(RectStatus.Returned, RectAction.RequestExtension, RectStatus.Returned, Party.Owner),
        new(RectStatus.Pending, RectAction.ApproveExtension, RectStatus.Pending, Party.Verifier),
        new(RectStatus.InProgress, RectAction.ApproveExtension, RectStatus.InProgress, Party.Verifier),
        new(RectStatus.Returned, RectAction.ApproveExtension, RectStatus.Returned, Party.Verifier),
        new(RectStatus.Pending, RectAction.RefuseExtension, RectStatus.Pending, Party.Verifier),
        new(RectStatus.InProgress, RectAction.RefuseExtension, RectStatus.InProgress, Party.Verifier),
        new(RectStatus.Returned, RectAction.RefuseExtension, RectStatus.Returned, Party.Verifier),
        // 指定责任人: the unit names who handles an open item; the status does not change.
        new(RectStatus.Pending, RectAction.Assign, RectStatus.Pending, Party.Owner),
        new(RectStatus.InProgress, RectAction.Assign, RectStatus.InProgress, Party.Owner),
        new(RectStatus.Returned, RectAction.Assign, RectStatus.Returned, Party.Owner),
    ];

    public static Step? Find(RectStatus from, RectAction action) =>
        Table.FirstOrDefault(s => s.From == from && s.Action == action);

    /// Every row for (from, action): an action may be open to more than one party (退回 by a reviewer or the verifier).
    public static IEnumerable<Step> FindAll(RectStatus from, RectAction action) =>
        Table.Where(s => s.From == from && s.Action == action);
}

/// What an actor brings to a transition: who they are and what they hold.
public sealed record Actor(string AccountId, string Name, AccessScope Scope);

/// One transition that happened (it goes to the item's timeline and, through the audit trail, to the chain).
public sealed record RectEvent(RectAction Action, RectStatus From, RectStatus To, string ActorId, string ActorName,
    DateTime At, string? Text, int? Percent, int EvidenceCount);

/// The lifecycle state of one rectification item and the rules that move it. RectItem (the stored item) is one.
public class RectState
{
    public RectStatus Status { get; set; } = RectStatus.Pending;
    public DeadlineKind DeadlineKind { get; set; }
    public Severity Severity { get; set; }
    public SourceChannel Source { get; set; }
    public int Percent { get; set; }
    public int ReturnCount { get; set; }
    public int ReopenCount { get; set; }
    public string? ClosureRequestedBy { get; set; }
    public string? ClosureSummary { get; set; }
    public int ClosureEvidenceCount { get; set; }
    public string? VerifiedBy { get; set; }
    public DateTime? ClosedAt { get; set; }
    public DateOnly? RecheckDue { get; set; }
    public DateOnly? Deadline { get; set; }
    public DateOnly? ExtensionRequestedTo { get; set; }
    public string? ExtensionRequestedBy { get; set; }
    public int ExtensionCount { get; set; }
    public string? Handler { get; set; }          // 责任人
    /// 对账销号: the review stages still to pass before the final verification, set from the source's chain when
    /// closure is requested (a later change of the configuration does not touch requests already under way).
    public List<ClosureStage> PendingReviews { get; set; } = [];

    /// 未销号 (RectStatuses.IsOpen; RectItem.Open in queries).
    public bool IsOpen => Status.IsOpen();

    /// Serious items and items from 巡视巡察 or 监督检查 are verified by the supervisor (纪检监督), not the office.
    /// One rule for memory and SQL: the 待办's queries filter with the expression, the property evaluates it.
    public static Expression<Func<T, bool>> NeedsSupervisorWhere<T>() where T : RectState => i =>
        i.Severity == Severity.Serious || i.Source == SourceChannel.InspectionFeedback
            || i.Source == SourceChannel.SupervisionCheck;

    static readonly Func<RectState, bool> NeedsSupervisorRule = NeedsSupervisorWhere<RectState>().Compile();

    public bool NeedsSupervisor => NeedsSupervisorRule(this);

    public static bool IsOwner(AccessScope s, Org org) => s.Can(Permission.ReportProgress, org);

    /// A superior campaign office (granted on a strict ancestor) or a supervisor whose subtree holds the org; for
    /// serious items a supervisor only (Permissions.Table: VerifyClosures, VerifySeriousClosures).
    public bool IsVerifier(AccessScope s, Org org) =>
        s.Can(NeedsSupervisor ? Permission.VerifySeriousClosures : Permission.VerifyClosures, org);

    /// The reviewer the next pending stage names: the unit's own 主要负责人 for 单位自验 (SignOff); a verifier of
    /// ordinary items for 牵头部门审核 (VerifyClosures). Nobody reviews when no stage is pending.
    public bool IsReviewer(AccessScope s, Org org) => PendingReviews.Count > 0 && Enum.IsDefined(PendingReviews[0])
        && PendingReviews[0] switch
    {
        ClosureStage.UnitSelfCheck => s.Can(Permission.SignOff, org),
        ClosureStage.LeadReview => s.Can(Permission.VerifyClosures, org),
    };

    bool Holds(Party p, AccessScope s, Org org) => p switch
    {
        Party.Owner => IsOwner(s, org),
        Party.Verifier => IsVerifier(s, org),
        Party.Reviewer => IsReviewer(s, org),
    };

    /// The actions this scope may take now: the status allows them and the scope is their party (what the item
    /// page offers as forms). Evidence, reasons and the requester rule are still checked by Apply.
    public IEnumerable<RectAction> AllowedFor(AccessScope s, Org org) => RectLifecycle.Table
        .Where(t => t.From == Status && Holds(t.Party, s, org))
        .Select(t => t.Action).Distinct()
        .Where(a => a switch
        {
            RectAction.RequestExtension => DeadlineKind == DeadlineKind.Dated && Deadline is not null && ExtensionRequestedTo is null,
            // Separation of duties (Apply refuses them too): never the second person of one's own request.
            RectAction.ApproveExtension or RectAction.RefuseExtension => ExtensionRequestedTo is not null
                && s.AccountId != ExtensionRequestedBy,
            RectAction.Verify => PendingReviews.Count == 0 && s.AccountId != ClosureRequestedBy,
            RectAction.Review => PendingReviews.Count > 0 && s.AccountId != ClosureRequestedBy,
            _ => true,
        });

    /// Applies one action or throws a typed error; the item is unchanged when it throws.
    /// `chain`: the review stages (对账销号) the item's source requires, used when closure is requested.
    public RectEvent Apply(RectAction action, Actor actor, Org org, DateTime now, string? text = null, int? percent = null,
        int evidenceCount = 0, int recheckDays = 90, DateOnly? newDeadline = null, IReadOnlyList<ClosureStage>? chain = null)
    {
        var steps = RectLifecycle.FindAll(Status, action).ToList();
        if (steps.Count == 0) throw new DomainException(new IllegalTransition(Status, action));
        var step = steps.FirstOrDefault(st => Holds(st.Party, actor.Scope, org));
        if (step is null)
            throw new DomainException(new NotYourParty(action, steps[0].Party switch
            {
                Party.Owner => "责任单位（主要负责人、班子成员或联络员）",
                Party.Verifier => NeedsSupervisor ? "纪检监督部门" : "上级学习教育办公室或纪检监督部门",
                Party.Reviewer => PendingReviews.Count > 0 ? ReviewerName(PendingReviews[0]) : "对账销号审核人",
            }));
        if (percent is < 0 or > 100) throw new DomainException(new Invalid("percent", "进度须在 0 到 100 之间"));
        switch (action)
        {
            case RectAction.RequestClosure when evidenceCount <= 0 || string.IsNullOrWhiteSpace(text):
                throw new DomainException(new ClosureNeedsEvidence());
            case RectAction.Verify or RectAction.Review when actor.AccountId == ClosureRequestedBy:
                throw new DomainException(new CannotVerifyOwnClosure());
            case RectAction.Verify when PendingReviews.Count > 0:
                throw new DomainException(new ReviewsPending(PendingReviews[0]));
            case RectAction.Return or RectAction.Reopen or RectAction.RequestExtension or RectAction.RefuseExtension
                when string.IsNullOrWhiteSpace(text):
                throw new DomainException(new ReasonRequired(action));
            case RectAction.RequestExtension when DeadlineKind != DeadlineKind.Dated || Deadline is null:
                throw new DomainException(new ExtensionNotApplicable("只有限期整改的事项可以申请延期"));
            case RectAction.RequestExtension when ExtensionRequestedTo is not null:
                throw new DomainException(new ExtensionNotApplicable("已有一项延期申请待审批"));
            case RectAction.RequestExtension when newDeadline is null || newDeadline <= Deadline:
                throw new DomainException(new ExtensionNotApplicable("延期后的时限须晚于当前整改时限"));
            case RectAction.ApproveExtension or RectAction.RefuseExtension when ExtensionRequestedTo is null:
                throw new DomainException(new ExtensionNotApplicable("没有待审批的延期申请"));
            case RectAction.Assign when string.IsNullOrWhiteSpace(text) || text.Trim().Length > 100:
                throw new DomainException(new Invalid("handler", "请填写责任人姓名（不超过 100 字）"));
            case RectAction.ApproveExtension or RectAction.RefuseExtension when actor.AccountId == ExtensionRequestedBy:
                throw new DomainException(new NotYourParty(action, "申请人以外的上级"));
            // 回头看: effectiveness is judged on the re-check date, not the day after closing; earlier only with a reason.
            case RectAction.ConfirmEffect when IsRecheckEarly(now) && string.IsNullOrWhiteSpace(text):
                throw new DomainException(new RecheckNotDue(RecheckDue!.Value));
        }

        var from = Status;
        var early = IsRecheckEarly(now);
        Status = step.To;
        switch (action)
        {
            case RectAction.ReportProgress when percent is { } p:
                Percent = p;
                break;
            case RectAction.RequestClosure:
                ClosureRequestedBy = actor.AccountId;
                ClosureSummary = text;
                ClosureEvidenceCount = evidenceCount;
                PendingReviews = [.. chain ?? []];
                break;
            case RectAction.Review:
                text = $"{PendingReviews[0].Label()}：{text}".TrimEnd('：');
                PendingReviews = PendingReviews.Skip(1).ToList();
                break;
            case RectAction.Return:
                ReturnCount++;
                PendingReviews = [];
                break;
            case RectAction.Verify:
                VerifiedBy = actor.AccountId;
                ClosedAt = now;
                Percent = 100;
                RecheckDue = DateOnly.FromDateTime(ChinaTime.ToCst(now)).AddDays(recheckDays);
                break;
            case RectAction.Reopen:
                // 重新整改 starts the rectification again: progress is reported afresh, so lag and staleness apply.
                Percent = 0;
                ReopenCount++;
                ClosureRequestedBy = null;
                ClosureSummary = null;
                ClosureEvidenceCount = 0;
                PendingReviews = [];
                VerifiedBy = null;
                ClosedAt = null;
                RecheckDue = null;
                break;
            case RectAction.ConfirmEffect:
                // The early reason goes to the timeline (and so to the audit chain) saying it was early and when due.
                if (early) text = $"提前成效确认（回头看日期 {RecheckDue:yyyy-MM-dd}）：{text}";
                RecheckDue = null;
                break;
            case RectAction.RequestExtension:
                ExtensionRequestedTo = newDeadline;
                ExtensionRequestedBy = actor.AccountId;
                break;
            case RectAction.ApproveExtension:
                text = $"{text}（整改时限 {Deadline:yyyy-MM-dd} → {ExtensionRequestedTo:yyyy-MM-dd}）".TrimStart();
                Deadline = ExtensionRequestedTo;
                ExtensionRequestedTo = null;
                ExtensionRequestedBy = null;
                ExtensionCount++;
                break;
            case RectAction.RefuseExtension:
                ExtensionRequestedTo = null;
                ExtensionRequestedBy = null;
                break;
            case RectAction.Assign:
                var was = Handler;
                Handler = text!.Trim();
                text = string.IsNullOrEmpty(was) ? $"责任人：{Handler}" : $"责任人：{was} → {Handler}";
                break;
        }
        return new RectEvent(action, from, Status, actor.AccountId, actor.Name, now, text, percent, evidenceCount);
    }

    /// Before the re-check date (China time) of a closed item: 成效确认 then needs a reason.
    public bool IsRecheckEarly(DateTime now) =>
        Status == RectStatus.Closed && RecheckDue is { } due && DateOnly.FromDateTime(ChinaTime.ToCst(now)) < due;

    static string ReviewerName(ClosureStage s) => s switch
    {
        ClosureStage.UnitSelfCheck => "本单位主要负责人（单位自验）",
        ClosureStage.LeadReview => "上级学习教育办公室或纪检监督部门（牵头部门审核）",
    };
}

/// 对账销号 configuration: the review stages a closure request from one source passes before verification.
/// No row for a source means a single verification step.
public sealed class ClosureChainRule : IAudited
{
    public SourceChannel Source { get; set; }
    public List<ClosureStage> Stages { get; set; } = [];
}

/// 政绩观偏差类别: an editable list seeded from DESIGN.md.
public sealed class DeviationCategory : IAudited
{
    public int Id { get; set; }
    public required string Name { get; set; }
    public string? Group { get; set; }
    public int SortOrder { get; set; }
    public int RecheckDays { get; set; } = 90;
    public bool Archived { get; set; }

    public static readonly (string Group, string Name)[] Defaults =
    [
        ("形式主义", "文山会海"), ("形式主义", "过度留痕"), ("形式主义", "层层加码"), ("形式主义", "督查检查考核过多"),
        ("官僚主义", "脱离群众"), ("官僚主义", "推诿扯皮"),
        ("", "不作为慢作为乱作为"), ("", "形象工程/政绩工程"), ("", "急功近利/重显绩轻潜绩"), ("", "数据造假/虚报浮夸"),
        ("", "违规举债/盲目铺摊子"), ("", "新官不理旧账"), ("", "决策不科学"), ("", "损害群众利益/急难愁盼解决不力"), ("", "其他"),
    ];
}

/// 问题: one entry of an org's problem list, from any channel.
public sealed class Problem : IAudited, IOrgOwned
{
    public int Id { get; set; }
    public int OrgId { get; set; }
    public Org? Org { get; set; }
    public required string Description { get; set; }
    public SourceChannel Source { get; set; }
    public Aspect Aspect { get; set; }
    public int? CategoryId { get; set; }
    public DeviationCategory? Category { get; set; }
    public Dimension Dimension { get; set; }
    public Severity Severity { get; set; }
    public int? LeaderId { get; set; }            // 责任领导 (a 班子成员)
    public Person? Leader { get; set; }
    public int? CampaignId { get; set; }
    public string? Batch { get; set; }            // e.g. 省委第X巡视组反馈
    public int? RecurrenceOfId { get; set; }      // a closed problem that came back
    public string? ImportKey { get; set; }        // stable key of the ledger row it was imported from
    public DateTime CreatedAt { get; set; }

    public const int DescriptionMax = 2000;
}

/// 整改事项: one rectification item of a problem, owned by its lead unit (牵头单位).
public sealed class RectItem : RectState, IAudited, IOrgOwned
{
    /// IsOpen as a query filter (SQL: neither closed status); Closed is its negation (已销号 or 成效确认).
    public static readonly Expression<Func<RectItem, bool>> Open = RectStatuses.OpenOver<RectItem>(i => i.Status);
    public static readonly Expression<Func<RectItem, bool>> Closed = RectStatuses.ClosedOver<RectItem>(i => i.Status);

    public int Id { get; set; }
    public int ProblemId { get; set; }
    public Problem? Problem { get; set; }
    public int OrgId { get; set; }                // 牵头单位
    public Org? Org { get; set; }
    public string? CoUnits { get; set; }          // 配合单位
    public required string Measures { get; set; } // 整改措施
    public string? Target { get; set; }           // 整改目标
    public int? LeaderId { get; set; }            // 责任领导
    public Person? Leader { get; set; }
    public DateOnly StartOn { get; set; }
    public int? ReportEveryDays { get; set; }     // 长期坚持: reporting cycle
    public DateOnly? LastProgressOn { get; set; }
    public DateTime CreatedAt { get; set; }
}

/// One transition or progress report on an item's timeline (who, when, what; its evidence files are FileCitations).
public sealed class RectUpdate : IAudited, IOrgOwned
{
    public int Id { get; set; }
    public int RectItemId { get; set; }
    public int OrgId { get; set; }
    public Org? Org { get; set; }
    public RectAction Action { get; set; }
    public RectStatus FromStatus { get; set; }
    public RectStatus ToStatus { get; set; }
    public required string ActorId { get; set; }
    public required string ActorName { get; set; }
    public DateTime At { get; set; }
    public string? Text { get; set; }
    public int? Percent { get; set; }
}

/// 查摆记录: a unit states it examined one category under one aspect and found nothing to list (so the guided
/// self-inspection can tell "not examined" from "examined, nothing found").
public sealed class InspectionCheck : IAudited, IOrgOwned
{
    public int Id { get; set; }
    public int OrgId { get; set; }
    public Org? Org { get; set; }
    public int CategoryId { get; set; }
    public Aspect Aspect { get; set; }
    public string? Note { get; set; }
    public required string CheckedBy { get; set; }
    public DateTime CheckedAt { get; set; }
}
