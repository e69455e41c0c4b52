using Bihuan.Domain;

namespace Bihuan.Tests;

public sealed class RolesTests
{
    // Columns: Read, ManageOrgs, ManagePeople, ManageRoles, ViewAudit, EditRecords, Dispatch, RepairValues. Supervisors read
    // and audit only; the campaign office manages people and records but not the org tree or roles; only Admin manages
    // orgs/roles; stored values no read can use are repaired by the campaign office over the record's org, or an admin.
    static readonly Dictionary<Role, string> Table = new()
    {
        [Role.Admin] = "YYYYYYYY",
        [Role.CampaignOffice] = "YNYNNYYY",
        [Role.Supervisor] = "YNNNYNNN",
        [Role.UnitHead] = "YNYNNYNN",
        [Role.LeadershipMember] = "YNNNNYNN",
        [Role.Liaison] = "YNNNNYNN",
        [Role.Member] = "YNNNNNNN",
        [Role.Hotline] = "YNNNNYYN",
    };

    static readonly Permission[] Columns =
    [
        Permission.Read, Permission.ManageOrgs, Permission.ManagePeople,
        Permission.ManageRoles, Permission.ViewAudit, Permission.EditRecords, Permission.Dispatch,
        Permission.RepairValues,
    ];

    public static TheoryData<Role, Permission, bool> AllowsCases()
    {
        var data = new TheoryData<Role, Permission, bool>();
        foreach (var (role, row) in Table)
            for (var i = 0; i < Columns.Length; i++) data.Add(role, Columns[i], row[i] == 'Y');
        return data;
    }

    [Theory]
    [MemberData(nameof(AllowsCases))]
    public void Allows_RoleAndPermission_MatchesTable(Role role, Permission permission, bool expected)
    {
        Assert.Equal(expected, role.Allows(permission));
    }

    [Fact]
    public void AllowsTable_CoversEveryRoleAndPermission_NoneMissing()
    {
        Assert.Equal(Enum.GetValues<Role>().Order(), Table.Keys.Order());
        Assert.Equal(Enum.GetValues<Permission>().Order(), Columns.Order());
    }

    [Theory]
    [InlineData(Role.Admin, Reach.Subtree)]
    [InlineData(Role.CampaignOffice, Reach.Subtree)]
    [InlineData(Role.Supervisor, Reach.Subtree)]
    [InlineData(Role.UnitHead, Reach.OwnOrg)]
    [InlineData(Role.LeadershipMember, Reach.OwnOrg)]
    [InlineData(Role.Liaison, Reach.OwnOrg)]
    [InlineData(Role.Member, Reach.OwnOrg)]
    [InlineData(Role.Hotline, Reach.Subtree)]
    public void ReachOf_Role_Expected(Role role, Reach expected)
    {
        Assert.Equal(expected, role.ReachOf());
    }

    [Fact]
    public void Label_EveryRole_DistinctNonEmpty()
    {
        var labels = Enum.GetValues<Role>().Select(r => r.Label()).ToList();
        Assert.All(labels, l => Assert.False(string.IsNullOrWhiteSpace(l)));
        Assert.Equal(labels.Count, labels.Distinct().Count());
    }
}
