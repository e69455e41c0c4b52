namespace Bihuan.Domain;

public enum NotificationKind
{
    OrderIssued,     // 收到督办单
    OrderResponded,  // 督办单已回复
    OrderReminded,   // 督办催办
    DueSoon,         // 整改事项临期
    NewRed,          // 新增红灯
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
