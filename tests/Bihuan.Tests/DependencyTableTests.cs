using Bihuan.Domain;
using NetArchTest.Rules;

namespace Bihuan.Tests;

/// The dependency table of docs/architecture.md ("Layers inside the one project"), one test per row. Domain's row is
/// ArchitectureTests.Domain_Dependencies_NoInfrastructureWebDataOrFeatures.
public sealed class DependencyTableTests
{
    static void Holds(string ns, params string[] forbidden)
    {
        var types = Types.InAssembly(typeof(Org).Assembly).That().ResideInNamespace(ns);
        Assert.NotEmpty(types.GetTypes());
        var result = types.ShouldNot().HaveDependencyOnAny(forbidden).GetResult();
        Assert.True(result.IsSuccessful, $"{ns} types with a dependency the table forbids ({string.Join(", ", forbidden)}): "
            + string.Join(", ", result.FailingTypeNames ?? []));
    }

    [Fact]
    public void Data_UsesDomainAndEfCore_NotFeaturesInfrastructureOrPages() =>
        Holds("Bihuan.Data", "Bihuan.Features", "Bihuan.Infrastructure", "Bihuan.Components", "Microsoft.AspNetCore.Components");

    // The one exit: the layout's header shows the caller's unread notifications (Notifications' query).
    [Fact]
    public void Components_TheShell_DoesNotReachIntoFeatures_ButTheUnreadCount() =>
        Holds("Bihuan.Components", "Bihuan.Features.Accounts", "Bihuan.Features.Audit", "Bihuan.Features.Calendar",
            "Bihuan.Features.Demands", "Bihuan.Features.Duties", "Bihuan.Features.Files", "Bihuan.Features.Organizations",
            "Bihuan.Features.People", "Bihuan.Features.Rectification", "Bihuan.Features.Repair", "Bihuan.Features.Rules",
            "Bihuan.Features.Study", "Bihuan.Features.Supervision", "Bihuan.Features.Todo", "Bihuan.Features.Notifications.Pages");

    [Fact]
    public void Infrastructure_DoesNotUsePages() =>
        Holds("Bihuan.Infrastructure", "Bihuan.Features.Accounts.Pages", "Bihuan.Features.Rectification.Pages",
            "Bihuan.Features.Study.Pages", "Bihuan.Features.Supervision.Pages", "Bihuan.Features.Demands.Pages");
}
