using Bihuan.Domain;
using NetArchTest.Rules;

namespace Bihuan.Tests;

public sealed class ArchitectureTests
{
    [Fact]
    public void Domain_Dependencies_NoInfrastructureWebDataOrFeatures()
    {
        var domain = Types.InAssembly(typeof(Org).Assembly).That().ResideInNamespace("Bihuan.Domain");
        Assert.Contains(typeof(Org), domain.GetTypes());

        var result = domain.ShouldNot().HaveDependencyOnAny(
            "Microsoft.EntityFrameworkCore", "Microsoft.AspNetCore", "Bihuan.Data", "Bihuan.Features", "Bihuan.Infrastructure")
            .GetResult();

        Assert.True(result.IsSuccessful,
            "Domain types with forbidden dependencies: " + string.Join(", ", result.FailingTypeNames ?? []));
    }

    [Fact]
    public void HaveDependencyOnAny_DataNamespace_DetectsEntityFramework()
    {
        // Guards the rule above against passing vacuously: the same check does see EF Core where it is used.
        var result = Types.InAssembly(typeof(Org).Assembly).That().ResideInNamespace("Bihuan.Data")
            .ShouldNot().HaveDependencyOnAny("Microsoft.EntityFrameworkCore").GetResult();

        Assert.False(result.IsSuccessful);
    }
}
