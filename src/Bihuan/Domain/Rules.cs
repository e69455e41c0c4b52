namespace Bihuan.Domain;

public enum RuleStatus { Draft, Issued, Revised, Abolished }   // 起草 / 已印发 / 已修订 / 已废止

public static class RuleLabels
{
    public static string Label(this RuleStatus s) => !Enum.IsDefined(s) ? StoredValues.Invalid("取值", s) : s switch
    {
        RuleStatus.Draft => "起草",
        RuleStatus.Issued => "已印发",
        RuleStatus.Revised => "已修订",
        RuleStatus.Abolished => "已废止",
    };

    /// Rules that are in force count as "出台" in the closed-loop view.
    public static bool InForce(this RuleStatus s) => s is RuleStatus.Issued or RuleStatus.Revised;
}

/// 制度 (建章立制): a rule an org made, with the problems and rectification items it came from and the deviation
/// categories it guards against.
public sealed class Rule : IAudited, IOrgOwned
{
    public int Id { get; set; }
    public int OrgId { get; set; }              // 印发单位
    public Org? Org { get; set; }
    public int? CampaignId { get; set; }
    public required string Title { get; set; }
    public string? DocNumber { get; set; }      // 文号, e.g. 越发改〔2026〕12号
    public DateOnly? IssuedOn { get; set; }
    public RuleStatus Status { get; set; }
    public DateOnly? NextReviewOn { get; set; }
    public string? Summary { get; set; }
    public List<int> CategoryIds { get; set; } = [];
    public List<int> ProblemIds { get; set; } = [];
    public List<int> RectItemIds { get; set; } = [];
    public required string RecordedBy { get; set; }
    public DateTime CreatedAt { get; set; }

    public static IEnumerable<Invalid> Validate(string? title, string? docNumber, RuleStatus? status, DateOnly? issuedOn,
        DateOnly? nextReview)
    {
        if (string.IsNullOrWhiteSpace(title)) yield return new Invalid("title", "制度名称不能为空");
        else if (title.Trim().Length > 200) yield return new Invalid("title", "制度名称不能超过 200 字");
        if (docNumber is { Length: > 100 }) yield return new Invalid("docNumber", "文号不能超过 100 字");
        if (status is { } s && !Enum.IsDefined(s)) yield return new Invalid("status", "未知的制度状态");
        if (status is RuleStatus.Issued or RuleStatus.Revised && issuedOn is null)
            yield return new Invalid("issuedOn", "已印发的制度须填写印发日期");
        if (issuedOn is { } i && nextReview is { } n && n <= i) yield return new Invalid("nextReviewOn", "下次评估日期须晚于印发日期");
    }
}

/// 防范、发现、纠治: for one category or org, the loop in numbers.
public sealed record LoopCounts(int Found, int Rectified, int RulesMade, int Recurrences, int RecurrencesSinceRule)
{
    public string Summary => $"发现问题{Found}个，整改销号{Rectified}个，出台{RulesMade}项制度，复发{Recurrences}次";
}
