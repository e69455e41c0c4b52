using System.Reflection;
using Bihuan.Domain;

namespace Bihuan.Tests;

/// No positional record over six parameters (STYLE.md, issue 13): past that, a call site is a row of nulls nobody can
/// read (LedgerFilter had 22; it has named init properties now). The records below predate the rule; the list may
/// only shrink — a new wide record, or a listed one growing, fails here.
public sealed class PositionalRecordTests
{
    const int Max = 6;

    static readonly Dictionary<string, int> NotYetConverted = new()
    {
        ["Bihuan.Data.Dataset.DatasetScale"] = 16,
        ["Bihuan.Domain.DutyEntry"] = 9,
        ["Bihuan.Domain.LightInput"] = 11,
        ["Bihuan.Domain.OrderArgs"] = 7,
        ["Bihuan.Domain.PlanChange"] = 7,
        ["Bihuan.Domain.RectEvent"] = 9,
        ["Bihuan.Domain.StudyProgress+PersonProgress"] = 8,
        ["Bihuan.Features.Audit.AuditEntryDto"] = 10,
        ["Bihuan.Features.Demands.WorkOrderDetail"] = 27,
        ["Bihuan.Features.Demands.OrderFilter"] = 10,
        ["Bihuan.Features.Demands.OrderKpi"] = 15,
        ["Bihuan.Features.Demands.WorkOrderRow"] = 16,
        ["Bihuan.Features.Demands.PublicStatusView"] = 14,
        ["Bihuan.Features.Demands.SubmitInput"] = 14,
        ["Bihuan.Features.Duties.DutyRow"] = 9,
        ["Bihuan.Features.Notifications.NotificationDto"] = 8,
        ["Bihuan.Features.Organizations.OrgDto"] = 10,
        ["Bihuan.Features.Organizations.OrgImport+Line"] = 7,
        ["Bihuan.Features.Organizations.OrgImportResult"] = 8,
        ["Bihuan.Features.People.GrantDto"] = 9,
        ["Bihuan.Features.People.PersonDto"] = 8,
        ["Bihuan.Features.Rectification.ItemDetail"] = 10,
        ["Bihuan.Features.Rectification.ItemInput"] = 9,
        ["Bihuan.Features.Rectification.LedgerEntry"] = 20,
        ["Bihuan.Features.Rectification.LedgerImport+Plan"] = 9,
        ["Bihuan.Features.Rectification.LedgerImportResult"] = 15,
        ["Bihuan.Features.Rectification.LedgerPreviewRow"] = 10,
        ["Bihuan.Features.Rectification.ProblemDto"] = 12,
        ["Bihuan.Features.Rectification.ProblemInput"] = 12,
        ["Bihuan.Features.Rectification.TimelineEntry"] = 9,
        ["Bihuan.Features.Rules.RuleDto"] = 15,
        ["Bihuan.Features.Rules.RuleInput"] = 11,
        ["Bihuan.Features.Study.CampaignDto"] = 14,
        ["Bihuan.Features.Study.CampaignInput"] = 8,
        ["Bihuan.Features.Study.MeetingDto"] = 16,
        ["Bihuan.Features.Study.MeetingInput"] = 12,
        ["Bihuan.Features.Study.MeetingRow"] = 8,
        ["Bihuan.Features.Study.MyArticle"] = 7,
        ["Bihuan.Features.Study.MyStudy"] = 7,
        ["Bihuan.Features.Study.PlanDto"] = 17,
        ["Bihuan.Features.Study.PlanRow"] = 10,
        ["Bihuan.Features.Study.StudyRecordDto"] = 8,
        ["Bihuan.Features.Supervision.BriefingData"] = 7,
        ["Bihuan.Features.Supervision.DashboardDto"] = 7,
        ["Bihuan.Features.Supervision.SupervisionOrderDetail"] = 9,
        ["Bihuan.Features.Supervision.OrderEventDto"] = 9,
        ["Bihuan.Features.Supervision.SupervisionOrderRow"] = 12,
        ["Bihuan.Features.Supervision.TrendPoint"] = 7,
        ["Bihuan.Features.Supervision.UnitRow"] = 8,
    };

    /// Positional records are the ones with a compiler-generated Deconstruct; its out parameters are the positions.
    // Our own code only: generated types (the OpenAPI XML-comment support) carry a hash of the build path in their names.
    static IEnumerable<(string Name, int Count)> WideRecords() => typeof(Org).Assembly.GetTypes()
        .Where(t => t.Namespace?.StartsWith("Bihuan", StringComparison.Ordinal) == true)
        .Where(t => t.GetMethod("<Clone>$") is not null || (t.IsValueType && t.GetMethod("PrintMembers",
            BindingFlags.NonPublic | BindingFlags.Instance) is not null))
        .Select(t => (t.FullName!, t.GetMethods().Where(m => m.Name == "Deconstruct" && m.DeclaringType == t)
            .Select(m => m.GetParameters().Length).DefaultIfEmpty(0).Max()))
        .Where(x => x.Item2 > Max);

    [Fact]
    public void PositionalRecords_AtMostSixParameters_OrListedAndNotGrowing()
    {
        var found = WideRecords().ToList();
        Assert.Contains(found, x => x.Name.EndsWith(".LedgerEntry", StringComparison.Ordinal));   // the scan sees them
        var wrong = found.Where(x => !NotYetConverted.TryGetValue(x.Name, out var allowed) || x.Count > allowed)
            .Select(x => $"[\"{x.Name}\"] = {x.Count},").ToList();
        Assert.True(wrong.Count == 0, "positional records over six parameters: use named init properties instead\n"
            + string.Join("\n", wrong));
    }

    [Fact]
    public void NotYetConverted_ListsOnlyRecordsThatStillExistAndAreWide()
    {
        var found = WideRecords().ToDictionary(x => x.Name, x => x.Count);
        var stale = NotYetConverted.Where(kv => !found.TryGetValue(kv.Key, out var n) || n < kv.Value).Select(kv => kv.Key).ToList();
        Assert.True(stale.Count == 0, "shrink the list (converted or narrowed): " + string.Join(", ", stale));
    }
}
