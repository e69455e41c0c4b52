namespace Bihuan.Domain;

/// A study-education campaign (学习教育). Campaigns recur; the 2026 one ships as a template and nothing in code
/// depends on it.
public sealed class Campaign : IAudited
{
    public int Id { get; set; }
    public required string Name { get; set; }
    public required string GeneralRequirement { get; set; }
    public List<string> KeyTasks { get; set; } = [];
    public List<CampaignPhase> Phases { get; set; } = [];
    public int? RootOrgId { get; set; }
    public bool IsTemplate { get; set; }
    public DateOnly? StartsOn { get; set; }
    public DateOnly? EndsOn { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime? PublishedAt { get; set; }       // 印发: the campaign is live for its subtree
    public string? PublishedBy { get; set; }
    public int? CopiedFromId { get; set; }           // the template (or campaign) it was copied from
    /// Materials studied article by article (逐篇学): leadership members must complete every article of them, all
    /// members the core articles.
    public List<int> StudyMaterialIds { get; set; } = [];

    public bool IsPublished => PublishedAt is not null;

    public static readonly string[] DefaultKeyTasks = ["学习研讨", "问题查摆", "整改整治", "建章立制", "开门教育"];
}

public sealed class CampaignPhase
{
    public required string Name { get; set; }
    public DateOnly? StartsOn { get; set; }
    public DateOnly? EndsOn { get; set; }
}
