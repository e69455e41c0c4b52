using System.Text.RegularExpressions;
using System.Xml.Linq;
using Bihuan.Domain;

namespace Bihuan.Tests;

public sealed partial class LocalizationTests
{
    internal static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Bihuan.slnx"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("repository root not found");
    }

    [GeneratedRegex("""T\["(?<k>[^"]+)"\]""")]
    private static partial Regex KeyUse();

    [Fact]
    public void EnglishResource_CoversEveryUiText_NoneMissing()
    {
        var src = Path.Combine(RepoRoot(), "src", "Bihuan");
        var used = Directory.EnumerateFiles(src, "*.razor", SearchOption.AllDirectories)   // shell and every feature's pages
            .SelectMany(f => KeyUse().Matches(File.ReadAllText(f)).Select(m => m.Groups["k"].Value))
            .Concat(Enum.GetValues<Role>().Select(r => r.Label()))
            .Concat(Enum.GetValues<Permission>().Select(p => p.Label()))
            .Concat(Enum.GetValues<Extent>().Select(x => x.Label()))
            .Concat(Enum.GetValues<OrgType>().Select(t => t.Label()))
            .Concat(Enum.GetValues<SourceChannel>().Select(x => x.Label()))
            .Concat(Enum.GetValues<Aspect>().Select(x => x.Label()))
            .Concat(Enum.GetValues<Dimension>().Select(x => x.Label()))
            .Concat(Enum.GetValues<Severity>().Select(x => x.Label()))
            .Concat(Enum.GetValues<RectStatus>().Select(x => x.Label()))
            .Concat(Enum.GetValues<RectAction>().Select(x => x.Label()))
            .Concat(Enum.GetValues<LightLevel>().Select(x => x.Label()))
            .Concat(Enum.GetValues<DemandType>().Select(x => x.Label()))
            .Concat(Enum.GetValues<OrderStatus>().Select(x => x.Label()))
            .Concat(Enum.GetValues<OrderStatus>().Select(x => x.PublicLabel()))
            .Concat(Enum.GetValues<OrderAction>().Select(x => x.Label()))
            .Concat(Enum.GetValues<SendBackReason>().Select(x => x.Label()))
            .Concat(Enum.GetValues<Rating>().Select(x => x.Label()))
            .Concat(Enum.GetValues<PlanStatus>().Select(x => x.Label()))
            .Concat(Enum.GetValues<PlanAction>().Select(x => x.Label()))
            .Concat(Enum.GetValues<AgendaKind>().Select(x => x.Label()))
            .Concat(Enum.GetValues<AttendanceStatus>().Select(x => x.Label()))
            .Concat(Enum.GetValues<StudyWay>().Select(x => x.Label()))
            .Concat(Enum.GetValues<MaterialKind>().Select(x => x.Label()))
            .Concat(Enum.GetValues<RuleStatus>().Select(x => x.Label()))
            .Concat(Enum.GetValues<SupervisionStatus>().Select(x => x.Label()))
            .Concat(Enum.GetValues<SupervisionAction>().Select(x => x.Label()))
            .Concat(Enum.GetValues<NotificationKind>().Select(x => x.Label()))
            .Concat(Enum.GetValues<Bihuan.Features.Todo.TodoKind>().Select(x => Bihuan.Features.Todo.TodoLabels.Label(x)))
            .ToHashSet();
        var translated = XDocument.Load(Path.Combine(src, "Resources", "Text.en.resx")).Root!
            .Elements("data").Select(d => (string)d.Attribute("name")!).ToHashSet();
        var missing = used.Where(k => !translated.Contains(k)).Order(StringComparer.Ordinal).ToList();
        Assert.True(missing.Count == 0, "No English for: " + string.Join(" | ", missing));
    }
}
