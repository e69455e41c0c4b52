using Bihuan.Domain;

namespace Bihuan.Tests;

public sealed class ScopeTests
{
    [Fact]
    public void Covers_LiaisonGrant_OwnOrgOnly()
    {
        var g = new Grant(Role.Liaison, 7, "/1/5/7/");
        Assert.True(g.Covers("/1/5/7/"));
        Assert.False(g.Covers("/1/5/7/9/"));
        Assert.False(g.Covers("/1/5/"));
    }

    [Fact]
    public void Covers_SupervisorGrant_WholeSubtreeReadOnly()
    {
        var scope = AccessScope.For("a", [new Grant(Role.Supervisor, 5, "/1/5/")]);
        var inside = new Org { Id = 9, Name = "x", Code = "x", Path = "/1/5/7/" };
        var sibling = new Org { Id = 6, Name = "y", Code = "y", Path = "/1/" };
        Assert.True(scope.Sees(inside));
        Assert.False(scope.Sees(sibling));
        Assert.False(scope.Can(Permission.ManageOrgs, inside));
        Assert.True(scope.Can(Permission.Read, inside));
    }
}
