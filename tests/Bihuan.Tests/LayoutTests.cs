using System.Reflection;
using Bihuan.Domain;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;

namespace Bihuan.Tests;

/// The feature-folder layout (docs/adr/0014-feature-folders.md): a feature is one folder holding its pages, use
/// cases, API and jobs, entered through one {Area}Module; Components holds only the app shell and shared widgets.
public sealed class LayoutTests
{
    static readonly Assembly App = typeof(Org).Assembly;

    static string Src()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Bihuan.slnx"))) dir = dir.Parent;
        return Path.Combine(dir?.FullName ?? throw new InvalidOperationException("repository root not found"), "src", "Bihuan");
    }

    static IEnumerable<string> Areas() =>
        Directory.EnumerateDirectories(Path.Combine(Src(), "Features")).Select(Path.GetFileName).OfType<string>();

    public static TheoryData<string> AreaNames => new(Areas());

    [Fact]
    public void Features_AreTheFoldersExpected_NoneMissingOrVanished()
    {
        // Written out by hand: a feature folder appearing or vanishing is a decision for docs/architecture.md.
        string[] expected = ["Accounts", "Audit", "Calendar", "Demands", "Duties", "Files", "Notifications", "Organizations",
            "People", "Rectification", "Repair", "Rules", "Study", "Supervision", "Todo"];
        Assert.Equal(expected, Areas().Order(StringComparer.Ordinal));
    }

    [Fact]
    public void PublicTypeNames_AreUniqueAcrossTheApp()
    {
        // One name, one thing: two features naming a type alike (OrderRow of a work order and of a 督办单) make every
        // reader ask which one, and the OpenAPI schemas of the two would share one id.
        var shared = App.GetTypes()
            .Where(t => t.IsPublic && t.Namespace?.StartsWith("Bihuan", StringComparison.Ordinal) == true
                && !t.Namespace.StartsWith("Bihuan.Data.Migrations", StringComparison.Ordinal))   // generated, one per engine
            .GroupBy(t => t.Name).Where(g => g.Count() > 1)
            .Select(g => $"{g.Key}: {string.Join(", ", g.Select(t => t.Namespace))}").ToList();
        Assert.True(shared.Count == 0, "public types named alike: " + string.Join("; ", shared));
    }

    [Theory]
    [MemberData(nameof(AreaNames))]
    public void EveryFeature_HasOneModule_AddedByTheHostAndMappedByProgram(string area)
    {
        var module = App.GetType($"Bihuan.Features.{area}.{area}Module");
        Assert.True(module is not null, $"Features/{area}/{area}Module.cs with class {area}Module is missing");
        Assert.True(File.Exists(Path.Combine(Src(), "Features", area, $"{area}Module.cs")));
        var add = module.GetMethod($"Add{area}", BindingFlags.Public | BindingFlags.Static);
        var map = module.GetMethod($"Map{area}", BindingFlags.Public | BindingFlags.Static);
        Assert.NotNull(add);
        Assert.NotNull(map);
        Assert.Equal(typeof(IServiceCollection), add.GetParameters()[0].ParameterType);
        Assert.Equal(typeof(WebApplication), map.GetParameters()[0].ParameterType);
        Assert.Contains($".Add{area}(config)", File.ReadAllText(Path.Combine(Src(), "Infrastructure", "BihuanHost.cs")));
        Assert.Contains($"app.Map{area}(api);", File.ReadAllText(Path.Combine(Src(), "Program.cs")));
    }

    [Fact]
    public void RoutablePages_LiveInTheirFeaturesPagesFolder()
    {
        var pages = App.GetTypes().Where(t => t.GetCustomAttributes<RouteAttribute>().Any()).ToList();
        Assert.True(pages.Count > 30, $"only {pages.Count} routable pages found: the check would pass vacuously");
        var misplaced = pages.Where(t => t.FullName != "Bihuan.Components.NotFoundPage"
                && !(t.Namespace is { } ns && ns.StartsWith("Bihuan.Features.", StringComparison.Ordinal) && ns.EndsWith(".Pages", StringComparison.Ordinal)))
            .Select(t => t.FullName).ToList();
        Assert.True(misplaced.Count == 0, "pages outside Features/<Area>/Pages: " + string.Join(", ", misplaced));
    }

    [Fact]
    public void Components_HoldsOnlyTheShellAndSharedWidgets()
    {
        string[] shell = ["App.razor", "DueDate.razor", "ErrorDocument.razor", "FieldError.razor", "IgnoredQuery.razor",
            "Layout/MainLayout.razor", "Layout/PublicLayout.razor", "NotFoundPage.razor", "Notice.razor", "Routes.razor",
            "StaffPage.cs"];
        var dir = Path.Combine(Src(), "Components");
        var files = Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(dir, f).Replace('\\', '/')).Order(StringComparer.Ordinal);
        Assert.Equal(shell, files);
    }
}
