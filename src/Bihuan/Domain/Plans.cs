namespace Bihuan.Domain;

/// 实施方案 status: drafted by the unit, signed off by its 主要负责人, submitted, then approved or returned by the
/// superior campaign office.
public enum PlanStatus { Draft, SignedOff, Submitted, Returned, Approved }

public enum PlanAction { Edit, SignOff, Submit, Return, Approve }

/// Who may take a plan action, relative to the plan's org.
public enum PlanParty
{
    Unit,       // the unit's 主要负责人, 班子成员 or 联络员
    Head,       // the unit's 主要负责人
    Superior,   // a campaign office granted on a strict ancestor of the unit
}

public static class PlanLabels
{
    public static string Label(this PlanStatus s) => !Enum.IsDefined(s) ? StoredValues.Invalid("取值", s) : s switch
    {
        PlanStatus.Draft => "起草中",
        PlanStatus.SignedOff => "已签批",
        PlanStatus.Submitted => "已报送",
        PlanStatus.Returned => "已退回修改",
        PlanStatus.Approved => "已审核通过",
    };

    public static string Label(this PlanAction a) => !Enum.IsDefined(a) ? StoredValues.Invalid("取值", a) : a switch
    {
        PlanAction.Edit => "修改方案",
        PlanAction.SignOff => "主要负责人签批",
        PlanAction.Submit => "报送上级",
        PlanAction.Return => "退回修改",
        PlanAction.Approve => "审核通过",
    };
}

public sealed record IllegalPlanTransition(PlanStatus From, PlanAction Action)
    : Error("illegal_transition", $"方案“{From.Label()}”时不能“{Action.Label()}”", ErrorKind.Conflict);
public sealed record NotPlanParty(PlanAction Action, string Who)
    : Error("not_authorized_for_action", $"“{Action.Label()}”须由{Who}办理", ErrorKind.Forbidden);
public sealed record CannotApproveOwnPlan()
    : Error("cannot_approve_own_plan", "不能审核自己起草的方案（须由起草人以外的上级学习教育办公室审核）", ErrorKind.Forbidden);
public sealed record CannotSignOffOwnDraft()
    : Error("cannot_sign_off_own_draft",
        "不能签批自己起草的方案：须由起草人以外的主要负责人签批（请联络员或班子成员起草）", ErrorKind.Forbidden);
public sealed record CommentRequired()
    : Error("comment_required", "退回修改须填写修改意见", ErrorKind.Invalid, "comment");
public sealed record PlanNeedsTasks()
    : Error("plan_needs_tasks", "方案须有正文和至少一项任务（任务、责任人、完成时限）才能签批报送", ErrorKind.Invalid, "tasks");

/// One plan transition as it happened (goes to the plan's timeline).
public sealed record PlanChange(PlanAction Action, PlanStatus From, PlanStatus To, string ActorId, string ActorName,
    DateTime At, string? Comment);

/// The plan lifecycle as data, checked in one Apply (STYLE: lifecycles as a transition table).
public static class PlanLifecycle
{
    public sealed record Step(PlanStatus From, PlanAction Action, PlanStatus To, PlanParty Party);

    public static readonly IReadOnlyList<Step> Table =
    [
        new(PlanStatus.Draft, PlanAction.Edit, PlanStatus.Draft, PlanParty.Unit),
        new(PlanStatus.SignedOff, PlanAction.Edit, PlanStatus.Draft, PlanParty.Unit),     // an edit voids the sign-off
        new(PlanStatus.Returned, PlanAction.Edit, PlanStatus.Draft, PlanParty.Unit),
        new(PlanStatus.Draft, PlanAction.SignOff, PlanStatus.SignedOff, PlanParty.Head),
        new(PlanStatus.SignedOff, PlanAction.Submit, PlanStatus.Submitted, PlanParty.Unit),
        new(PlanStatus.Submitted, PlanAction.Return, PlanStatus.Returned, PlanParty.Superior),
        new(PlanStatus.Submitted, PlanAction.Approve, PlanStatus.Approved, PlanParty.Superior),
    ];

    public static Step? Find(PlanStatus from, PlanAction action) =>
        Table.FirstOrDefault(s => s.From == from && s.Action == action);
}

/// The lifecycle state of a plan; Plan (the stored record) is one.
public class PlanState
{
    public PlanStatus Status { get; set; } = PlanStatus.Draft;
    public int Version { get; set; }             // submissions so far; each submission keeps a PlanVersion
    public string? DraftedBy { get; set; }       // account that last wrote the text
    public string? SignedOffBy { get; set; }
    public string? SubmittedBy { get; set; }
    public string? ApprovedBy { get; set; }
    public DateTime? ApprovedAt { get; set; }
    public int ReturnCount { get; set; }
    public string? LastComment { get; set; }

    public static bool IsUnit(AccessScope s, Org org) => s.Can(Permission.DraftPlans, org);

    public static bool IsHead(AccessScope s, Org org) => s.Can(Permission.SignOff, org);

    /// A campaign office granted on a strict ancestor: never the unit itself (Permissions.Table: ApprovePlans, Below).
    public static bool IsSuperior(AccessScope s, Org org) => s.Can(Permission.ApprovePlans, org);

    static bool Holds(PlanParty p, AccessScope s, Org org) => p switch
    {
        PlanParty.Unit => IsUnit(s, org),
        PlanParty.Head => IsHead(s, org),
        PlanParty.Superior => IsSuperior(s, org),
    };

    /// The second person of a two-person act: the last writer of the text may not sign it off, approve or return it.
    bool IsDrafter(string? accountId) => accountId is not null && accountId == DraftedBy;

    public IEnumerable<PlanAction> AllowedFor(AccessScope s, Org org) => PlanLifecycle.Table
        .Where(t => t.From == Status && Holds(t.Party, s, org)).Select(t => t.Action).Distinct()
        .Where(a => a is PlanAction.Edit or PlanAction.Submit || !IsDrafter(s.AccountId));

    /// Applies one action or throws a typed error; the state is unchanged when it throws. hasContent: the plan has
    /// text and at least one task (checked for sign-off and submission).
    public PlanChange Apply(PlanAction action, Actor actor, Org org, DateTime now, string? comment = null, bool hasContent = true)
    {
        var step = PlanLifecycle.Find(Status, action) ?? throw new DomainException(new IllegalPlanTransition(Status, action));
        if (!Holds(step.Party, actor.Scope, org))
            throw new DomainException(new NotPlanParty(action, step.Party switch
            {
                PlanParty.Unit => "本单位（主要负责人、班子成员或联络员）",
                PlanParty.Head => "本单位主要负责人",
                PlanParty.Superior => "上级学习教育办公室",
            }));
        switch (action)
        {
            case PlanAction.SignOff or PlanAction.Submit when !hasContent:
                throw new DomainException(new PlanNeedsTasks());
            case PlanAction.SignOff when IsDrafter(actor.AccountId):
                throw new DomainException(new CannotSignOffOwnDraft());
            case PlanAction.Approve or PlanAction.Return when IsDrafter(actor.AccountId):
                throw new DomainException(new CannotApproveOwnPlan());
            case PlanAction.Return when string.IsNullOrWhiteSpace(comment):
                throw new DomainException(new CommentRequired());
        }
        var from = Status;
        Status = step.To;
        switch (action)
        {
            case PlanAction.Edit:
                DraftedBy = actor.AccountId;
                SignedOffBy = null;
                break;
            case PlanAction.SignOff:
                SignedOffBy = actor.AccountId;
                break;
            case PlanAction.Submit:
                SubmittedBy = actor.AccountId;
                Version++;
                break;
            case PlanAction.Return:
                ReturnCount++;
                LastComment = comment!.Trim();
                SignedOffBy = null;
                break;
            case PlanAction.Approve:
                ApprovedBy = actor.AccountId;
                ApprovedAt = now;
                LastComment = string.IsNullOrWhiteSpace(comment) ? null : comment.Trim();
                break;
        }
        return new PlanChange(action, from, Status, actor.AccountId, actor.Name, now, comment?.Trim());
    }
}

/// 实施方案: one per org per campaign. Text is sanitized HTML (HtmlSanitizer) — never stored raw.
public sealed class Plan : PlanState, IAudited, IOrgOwned
{
    public int Id { get; set; }
    public int CampaignId { get; set; }
    public Campaign? Campaign { get; set; }
    public int OrgId { get; set; }
    public Org? Org { get; set; }
    public required string Title { get; set; }
    public string Text { get; set; } = "";
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }

    public const int TextMax = 60_000;
}

/// What a plan looked like when it was submitted (versions compared side by side).
public sealed class PlanVersion : IAudited, IOrgOwned
{
    public int Id { get; set; }
    public int PlanId { get; set; }
    public int OrgId { get; set; }
    public int Version { get; set; }
    public string Text { get; set; } = "";
    public string TasksText { get; set; } = "";
    public DateTime SubmittedAt { get; set; }
    public required string SubmittedBy { get; set; }
}

/// One transition on a plan's timeline.
public sealed class PlanEvent : IAudited, IOrgOwned
{
    public int Id { get; set; }
    public int PlanId { get; set; }
    public int OrgId { get; set; }
    public PlanAction Action { get; set; }
    public PlanStatus FromStatus { get; set; }
    public PlanStatus ToStatus { get; set; }
    public required string ActorId { get; set; }
    public required string ActorName { get; set; }
    public DateTime At { get; set; }
    public string? Comment { get; set; }
}

public enum DutySource { PlanTask, MeetingDecision }

/// A task an org owes: a task of its 实施方案 (a duty once the plan is approved) or a decision of one of its
/// meetings. Both appear in the org's 履职清单 with their deadline and light.
public sealed class DutyTask : IAudited, IOrgOwned
{
    public int Id { get; set; }
    public int OrgId { get; set; }
    public Org? Org { get; set; }
    public DutySource Source { get; set; }
    public int? PlanId { get; set; }
    public int? MeetingId { get; set; }
    public required string Title { get; set; }
    public string? Owner { get; set; }          // 责任人 / 责任部门
    public DateOnly? DueOn { get; set; }
    public string? KeyTask { get; set; }        // the campaign key task it serves (学习研讨 …)
    public int SortOrder { get; set; }
    public DateOnly? DoneOn { get; set; }
    public DateTime CreatedAt { get; set; }

    /// "任务|责任人|2026-12-31|学习研讨": the line form used by the plan editor, the versions and the diff.
    public string AsLine() => $"{Title}|{Owner}|{DueOn:yyyy-MM-dd}|{KeyTask}";
}
