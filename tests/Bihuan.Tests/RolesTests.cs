using Bihuan.Domain;

namespace Bihuan.Tests;

/// The role × permission table (Domain/Roles.cs, Permissions.Table) against an expectation written out here by hand
/// from DESIGN.md's persona table — never computed from the production table.
public sealed class RolesTests
{
    // Columns: Admin, CampaignOffice, Supervisor, UnitHead, LeadershipMember, Liaison, Member, Hotline.
    // Y: wherever the grant reaches; o: the granted org only; b: strictly below the granted org; .: not held.
    static readonly Dictionary<Permission, string> Expected = new()
    {
        [Permission.Read] = "YYYYYYYY",
        [Permission.ReadRecords] = "YYYYYYY.",          // the 12345 desk reads orders, not the units' records
        [Permission.ReadPersonalData] = "YY.Y....",
        [Permission.ManageOrgs] = "Y.......",
        [Permission.ManageRoles] = "Y.......",
        [Permission.ManagePeople] = "YY.Y....",
        [Permission.ManageSettings] = "Y.......",
        [Permission.ManageTemplates] = "Y.......",
        [Permission.ManageStudyCatalog] = "Y.......",
        [Permission.ViewAudit] = "Y.Y.....",
        [Permission.ViewAuditPersonalData] = "..Y.....",
        [Permission.RunCampaign] = ".Y......",
        [Permission.ApprovePlans] = ".b......",         // sub-units' plans, never its own org's
        [Permission.DraftPlans] = "...YYY..",
        [Permission.SignOff] = "...Y....",
        [Permission.RecordProblems] = ".Y.YYY..",
        [Permission.ReportProgress] = "...YYY..",
        [Permission.VerifyClosures] = ".bY.....",
        [Permission.VerifySeriousClosures] = "..Y.....",
        [Permission.CompleteDuties] = ".o.YYY..",
        [Permission.ManageMeetings] = ".o.YYY..",
        [Permission.ManageRules] = ".o.YYY..",
        [Permission.IssueSupervision] = "..Y.....",
        [Permission.AnswerSupervision] = "...YYY..",
        [Permission.DispatchDemands] = ".Y.....Y",
        [Permission.HandleOrders] = "...YYY..",
        [Permission.RevealSubmitter] = "...YYY..",
        [Permission.RepairValues] = "YY......",          // values no read can use, over the record's org
    };

    static readonly Role[] Columns =
    [
        Role.Admin, Role.CampaignOffice, Role.Supervisor, Role.UnitHead, Role.LeadershipMember, Role.Liaison, Role.Member,
        Role.Hotline,
    ];

    // 1 市委 ─┬─ 5 区委 ── 7 局
    //         └─ 6 区委
    static readonly Org District = new() { Id = 5, Name = "区委", Code = "D", Path = "/1/" };
    static readonly Org Bureau = new() { Id = 7, Name = "局", Code = "B", Path = "/1/5/" };
    static readonly Org Elsewhere = new() { Id = 6, Name = "另一区委", Code = "E", Path = "/1/" };

    public static TheoryData<Role, Permission, char> Cells()
    {
        var data = new TheoryData<Role, Permission, char>();
        foreach (var (p, row) in Expected)
            for (var i = 0; i < Columns.Length; i++) data.Add(Columns[i], p, row[i]);
        return data;
    }

    /// Granted on the district: what the grant may do on the district itself, on a bureau below it, and elsewhere.
    [Theory]
    [MemberData(nameof(Cells))]
    public void Can_RoleGrantedOnDistrict_MatchesHandWrittenTable(Role role, Permission p, char cell)
    {
        var scope = AccessScope.For("a", [new Grant(role, District.Id, District.SelfPath)]);
        var subtree = role.ReachOf() == Reach.Subtree;
        var (own, below) = cell switch
        {
            'Y' => (true, subtree),
            'o' => (true, false),
            'b' => (false, subtree),
            _ => (false, false),
        };
        Assert.Equal(own, scope.Can(p, District));
        Assert.Equal(below, scope.Can(p, Bureau));
        Assert.False(scope.Can(p, Elsewhere));
        Assert.Equal(cell != '.', role.Allows(p));
        Assert.Equal(cell != '.', scope.CanAnywhere(p));
    }

    [Fact]
    public void Expectation_CoversEveryRoleAndPermission_NoneMissing()
    {
        Assert.Equal(Enum.GetValues<Role>().Order(), Columns.Order());
        Assert.Equal(Enum.GetValues<Permission>().Order(), Expected.Keys.Order());
    }

    [Fact]
    public void Table_EveryPermissionOnceAndHeldByAtLeastOneRole()
    {
        Assert.Equal(Enum.GetValues<Permission>().Order(), Permissions.Table.Select(r => r.Permission).Order());
        Assert.All(Permissions.Table, r =>
        {
            Assert.NotEmpty(r.Holders);
            Assert.Equal(r.Holders.Count, r.Holders.Select(h => h.Role).Distinct().Count());
            Assert.False(string.IsNullOrWhiteSpace(r.Label));
            Assert.False(string.IsNullOrWhiteSpace(r.Act));
        });
        var labels = Permissions.Table.Select(r => r.Label).ToList();
        Assert.Equal(labels.Count, labels.Distinct().Count());
    }

    [Fact]
    public void Admin_AdministersButNeverActsInTheCampaign()
    {
        // 系统管理员: "org tree, accounts, holiday calendar, campaign templates" — and reads what it administers. An
        // administrator who could also approve, verify or sign off would pass every separation of duties alone.
        var admin = AccessScope.For("admin", [new Grant(Role.Admin, 1, "/1/")]);
        foreach (var p in new[] { Permission.ManageOrgs, Permission.ManageRoles, Permission.ManagePeople, Permission.ManageSettings,
                     Permission.ManageTemplates, Permission.ManageStudyCatalog, Permission.ViewAudit, Permission.ReadRecords })
            Assert.True(admin.Can(p, Bureau), p.ToString());
        foreach (var p in new[] { Permission.RunCampaign, Permission.ApprovePlans, Permission.DraftPlans, Permission.SignOff,
                     Permission.RecordProblems, Permission.ReportProgress, Permission.VerifyClosures, Permission.VerifySeriousClosures,
                     Permission.IssueSupervision, Permission.DispatchDemands, Permission.HandleOrders, Permission.ManageMeetings })
            Assert.False(admin.CanAnywhere(p), p.ToString());
    }

    [Fact]
    public void Hotline_DispatchesDemandsAndReadsNoUnitRecords()
    {
        var desk = AccessScope.For("desk", [new Grant(Role.Hotline, 1, "/1/")]);
        Assert.Equal([Permission.Read, Permission.DispatchDemands], Permissions.HeldBy(Role.Hotline));
        Assert.True(desk.Can(Permission.DispatchDemands, Bureau));
        Assert.Equal(["/1/"], desk.SubtreePaths);       // orgs and orders: the whole city
        Assert.Empty(desk.RecordPaths);                 // problems, plans, meetings, study, rules, people: none
        Assert.Empty(desk.RecordOrgIds);
    }

    [Fact]
    public void RecordScope_TwoGrants_OnlyTheReadingGrantCounts()
    {
        var both = AccessScope.For("both", [new Grant(Role.Hotline, 1, "/1/"), new Grant(Role.Liaison, 7, "/1/5/7/")]);
        Assert.Equal(["/1/"], both.SubtreePaths);
        Assert.Empty(both.RecordPaths);
        Assert.Equal([7], both.RecordOrgIds);
        Assert.True(both.Can(Permission.RecordProblems, Bureau));
        Assert.False(both.Can(Permission.RecordProblems, District));
        Assert.Equal(["/"], AccessScope.System.RecordPaths);
    }

    [Fact]
    public void Supervisor_ReadsVerifiesAndSupervisesButEntersNoUnitRecord()
    {
        Assert.Equal(
            [Permission.Read, Permission.ReadRecords, Permission.ViewAudit, Permission.ViewAuditPersonalData,
             Permission.VerifyClosures, Permission.VerifySeriousClosures, Permission.IssueSupervision],
            Permissions.HeldBy(Role.Supervisor));
    }

    [Fact]
    public void Member_ReadsOwnOrgOnly_StudiesAsThemselves()
    {
        Assert.Equal([Permission.Read, Permission.ReadRecords], Permissions.HeldBy(Role.Member));
        Assert.Empty(Role.Member.Acts());
    }

    [Fact]
    public void Below_OwnOrgRole_NeverReachesAnything()
    {
        // An own-org role has no "below": Holds with Extent.Below is false for it whatever the paths.
        Assert.False(Permissions.Holds(Role.Liaison, Reach.OwnOrg, "/1/5/", Permission.ApprovePlans, "/1/5/7/"));
        Assert.True(Permissions.Holds(Role.CampaignOffice, Reach.Subtree, "/1/5/", Permission.ApprovePlans, "/1/5/7/"));
        Assert.False(Permissions.Holds(Role.CampaignOffice, Reach.Subtree, "/1/5/", Permission.ApprovePlans, "/1/5/"));
        Assert.False(Permissions.Holds(Role.CampaignOffice, Reach.Subtree, "/1/5/", Permission.ApprovePlans, "/1/50/"));
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
