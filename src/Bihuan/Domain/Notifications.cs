namespace Bihuan.Domain;

public enum NotificationKind
{
    OrderIssued,     // 收到督办单
    OrderResponded,  // 督办单已回复
    OrderReminded,   // 督办催办
    DueSoon,         // 整改事项临期
    NewRed,          // 新增红灯
    // Handoffs: told to the accounts that act next (Features/Notifications/NextActors), in the handoff's transaction.
    RectClosureRequested,     // 申请销号 / 对账销号审核通过: the next reviewer or the verifier
    RectReturned,             // 销号申请被退回: the unit
    RectVerified,             // 已核验销号: the unit
    RectReopened,             // 重新整改: the unit
    RectExtensionRequested,   // 整改延期申请: the verifiers
    RectExtensionDecided,     // 整改延期已审批: the unit
    OrderDispatched,          // 收到派单: the handling unit
    OrderSentBack,            // 退单: the dispatch desk
    OrderSigned,              // 已签收: the unit's other handlers
    OrderReplyDraft,          // 答复稿待签发: the unit head
    OrderDraftReturned,       // 答复稿被退回: the unit's handlers
    OrderReplied,             // 已答复，待回访: the dispatch desk
    OrderExtensionRequested,  // 工单延期申请: the dispatch desk
    OrderExtensionDecided,    // 工单延期已审批: the unit's handlers
    PlanSignedOff,            // 方案已签批: the unit (to submit)
    PlanSubmitted,            // 方案待审核: the superior office
    PlanReturned,             // 方案被退回: the unit
    PlanApproved,             // 方案已审核通过: the unit
}

public static class NotificationLabels
{
    public static string Label(this NotificationKind k) => !Enum.IsDefined(k) ? StoredValues.Invalid("取值", k) : k switch
    {
        NotificationKind.OrderIssued => "收到督办单",
        NotificationKind.OrderResponded => "督办单已回复",
        NotificationKind.OrderReminded => "督办催办",
        NotificationKind.DueSoon => "整改事项临期",
        NotificationKind.NewRed => "新增红灯",
        NotificationKind.RectClosureRequested => "整改事项申请销号待办理",
        NotificationKind.RectReturned => "销号申请被退回",
        NotificationKind.RectVerified => "整改事项已核验销号",
        NotificationKind.RectReopened => "整改事项重新整改",
        NotificationKind.RectExtensionRequested => "整改延期申请待审批",
        NotificationKind.RectExtensionDecided => "整改延期已审批",
        NotificationKind.OrderDispatched => "收到派单",
        NotificationKind.OrderSentBack => "工单退单待重新派单",
        NotificationKind.OrderSigned => "工单已签收待办理",
        NotificationKind.OrderReplyDraft => "答复稿待签发",
        NotificationKind.OrderDraftReturned => "答复稿被退回",
        NotificationKind.OrderReplied => "工单已答复待回访",
        NotificationKind.OrderExtensionRequested => "工单延期申请待审批",
        NotificationKind.OrderExtensionDecided => "工单延期已审批",
        NotificationKind.PlanSignedOff => "实施方案已签批待报送",
        NotificationKind.PlanSubmitted => "实施方案待审核",
        NotificationKind.PlanReturned => "实施方案被退回修改",
        NotificationKind.PlanApproved => "实施方案已审核通过",
    };
}

/// One message to one account. Key makes creation idempotent (a reminder job rerun for the same day adds nothing):
/// (AccountId, Key) is unique.
public sealed class Notification
{
    public long Id { get; set; }
    public required string AccountId { get; set; }
    public NotificationKind Kind { get; set; }
    public required string Title { get; set; }
    public string? Body { get; set; }
    public string? Link { get; set; }
    public required string Key { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime? ReadAt { get; set; }
    public DateTime? EmailedAt { get; set; }
}

/// An account's choices: e-mail as well as in-app, and which kinds it does not want at all.
public sealed class NotificationPreference
{
    public required string AccountId { get; set; }
    public bool Email { get; set; }
    public List<NotificationKind> Muted { get; set; } = [];
}
