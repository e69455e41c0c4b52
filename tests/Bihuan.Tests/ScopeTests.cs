using Bihuan.Domain;
using Bihuan.Tests.Builders;

namespace Bihuan.Tests;

public sealed class ScopeTests
{
    // 1 市委 ─┬─ 5 区委 ─┬─ 7 局 ── 9 支部
    //         │          └─ 8 局
    //         ├─ 50 区委 ── 51 局
    //         └─ 6 区委
    static readonly Dictionary<int, Org> Tree = new TreeBuilder()
        .Root(1).Child(5, 1).Child(7, 5).Child(9, 7).Child(8, 5).Child(50, 1).Child(51, 50).Child(6, 1).Build();

    static Grant On(Role role, int orgId) => new(role, orgId, Tree[orgId].SelfPath);

    static int[] Visible(AccessScope scope) => Tree.Values.Where(scope.Sees).Select(o => o.Id).Order().ToArray();

    [Fact]
    public void Covers_LiaisonGrant_OwnOrgOnly()
    {
        var g = new Grant(Role.Liaison, 7, "/1/5/7/");
        Assert.True(g.Covers("/1/5/7/"));
        Assert.False(g.Covers("/1/5/7/9/"));
        Assert.False(g.Covers("/1/5/"));
    }

    [Fact]
    public void Covers_SubtreeGrant_NotSiblingWithSameDigitPrefix()
    {
        var g = On(Role.Supervisor, 5);
        Assert.True(g.Covers(Tree[9].SelfPath));
        Assert.False(g.Covers(Tree[50].SelfPath));
        Assert.False(g.Covers(Tree[51].SelfPath));
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

    [Fact]
    public void Sees_Liaison_OwnOrgOnly()
    {
        var scope = AccessScope.For("liaison", [On(Role.Liaison, 7)]);

        Assert.Equal([7], Visible(scope));
        Assert.True(scope.Can(Permission.RecordProblems, Tree[7]));
        Assert.False(scope.Can(Permission.RecordProblems, Tree[9]));
        Assert.False(scope.Can(Permission.ManagePeople, Tree[7]));
    }

    [Fact]
    public void Can_Supervisor_SubtreeReadAndAuditOnly()
    {
        var scope = AccessScope.For("sup", [On(Role.Supervisor, 5)]);

        Assert.Equal([5, 7, 8, 9], Visible(scope));
        foreach (var id in new[] { 5, 7, 8, 9 })
        {
            Assert.True(scope.Can(Permission.Read, Tree[id]));
            Assert.True(scope.Can(Permission.ViewAudit, Tree[id]));
            Assert.False(scope.Can(Permission.RecordProblems, Tree[id]));
            Assert.False(scope.Can(Permission.ManagePeople, Tree[id]));
            Assert.False(scope.Can(Permission.ManageOrgs, Tree[id]));
        }
        Assert.False(scope.Can(Permission.Read, Tree[1]));
    }

    [Fact]
    public void Can_CampaignOffice_ManagePeopleInSubtreeButNotOrgs()
    {
        var scope = AccessScope.For("office", [On(Role.CampaignOffice, 5)]);

        Assert.True(scope.Can(Permission.ManagePeople, Tree[5]));
        Assert.True(scope.Can(Permission.ManagePeople, Tree[9]));
        Assert.False(scope.Can(Permission.ManagePeople, Tree[6]));
        Assert.False(scope.Can(Permission.ManageOrgs, Tree[5]));
        Assert.False(scope.Can(Permission.ManageOrgs, Tree[9]));
        Assert.False(scope.Can(Permission.ManageRoles, Tree[9]));
        Assert.True(scope.CanAnywhere(Permission.ManagePeople));
        Assert.False(scope.CanAnywhere(Permission.ManageOrgs));
    }

    [Fact]
    public void For_TwoGrants_UnionOfReachesPermissionPerGrant()
    {
        // Supervisor over district 5 (read), liaison of bureau 51 (edit there only).
        var scope = AccessScope.For("two", [On(Role.Supervisor, 5), On(Role.Liaison, 51)]);

        Assert.Equal([5, 7, 8, 9, 51], Visible(scope));
        Assert.True(scope.Can(Permission.RecordProblems, Tree[51]));
        Assert.False(scope.Can(Permission.RecordProblems, Tree[7])); // supervisor's reach does not lend the liaison's right
        Assert.True(scope.Can(Permission.ViewAudit, Tree[7]));
        Assert.False(scope.Can(Permission.ViewAudit, Tree[51]));
        Assert.Equal(["/1/5/"], scope.SubtreePaths);
        Assert.Equal([5, 51], scope.OrgIds.Order());
        Assert.True(scope.Has(Role.Liaison));
        Assert.False(scope.Has(Role.Admin));
        Assert.Equal("two", scope.AccountId);
    }

    [Fact]
    public void For_DuplicateGrants_PathsAndIdsDistinct()
    {
        var scope = AccessScope.For("dup", [On(Role.Supervisor, 5), On(Role.CampaignOffice, 5), On(Role.Member, 5)]);

        Assert.Equal(["/1/5/"], scope.SubtreePaths);
        Assert.Equal([5], scope.OrgIds);
    }

    [Fact]
    public void Nobody_AnyOrg_SeesAndCanNothing()
    {
        var scope = AccessScope.Nobody;

        Assert.Empty(Visible(scope));
        Assert.All(Enum.GetValues<Permission>(), p => Assert.False(scope.CanAnywhere(p)));
        Assert.False(scope.Can(Permission.Read, Tree[1]));
        Assert.False(scope.IsSystem);
        Assert.Empty(scope.SubtreePaths);
        Assert.Empty(scope.OrgIds);
    }

    [Fact]
    public void System_AnyOrg_SeesAndCanEverything()
    {
        var scope = AccessScope.System;

        Assert.Equal(Tree.Keys.Order().ToArray(), Visible(scope));
        Assert.All(Enum.GetValues<Permission>(), p => Assert.True(scope.Can(p, Tree[9])));
        Assert.True(scope.CanAnywhere(Permission.ManageRoles));
    }

    [Fact]
    public void Sees_AdminOnDistrict_NotParentOrOtherDistrict()
    {
        var scope = AccessScope.For("admin5", [On(Role.Admin, 5)]);

        Assert.Equal([5, 7, 8, 9], Visible(scope));
        Assert.True(scope.Can(Permission.ManageOrgs, Tree[9]));
        Assert.False(scope.Can(Permission.ManageOrgs, Tree[1]));
    }
}
