namespace Bihuan.Domain;

/// The personas of DESIGN.md. A role is granted on an org; Reach says whether it covers the org's subtree.
public enum Role
{
    Admin,              // 系统管理员
    CampaignOffice,     // 学习教育办公室 / 工作专班
    Supervisor,         // 纪检监督
    UnitHead,           // 主要负责人
    LeadershipMember,   // 班子成员
    Liaison,            // 联络员
    Member,             // 党员干部
    Hotline,            // 热线派单员 (12345 dispatch desk)
}

public enum Reach { OwnOrg, Subtree }

public enum Permission
{
    Read,           // see records in the scope
    ManageOrgs,     // create, rename, move, archive, import orgs
    ManagePeople,   // add and edit people records
    ManageRoles,    // grant and revoke roles
    ViewAudit,      // read the audit trail and verify it
    EditRecords,    // enter meetings, problems, progress (later issues)
    Dispatch,       // accept, dispatch, arbitrate and escalate public demands (work orders)
    RepairValues,   // correct a stored value no read can use (a deadline of 9999-12-31 from before the input bounds)
}

public static class Roles
{
    public static string Label(this Role r) => !Enum.IsDefined(r) ? StoredValues.Invalid("取值", r) : r switch
    {
        Role.Admin => "系统管理员",
        Role.CampaignOffice => "学习教育办公室",
        Role.Supervisor => "纪检监督",
        Role.UnitHead => "主要负责人",
        Role.LeadershipMember => "班子成员",
        Role.Liaison => "联络员",
        Role.Member => "党员干部",
        Role.Hotline => "热线派单员",
    };

    public static Reach ReachOf(this Role r) => r switch
    {
        Role.Admin or Role.CampaignOffice or Role.Supervisor or Role.Hotline => Reach.Subtree,
        Role.UnitHead or Role.LeadershipMember or Role.Liaison or Role.Member => Reach.OwnOrg,
    };

    /// What each role may do inside its scope. Supervisors read everything in their subtree and write nothing here
    /// (their own acts — verification, 督办单 — come with the issues that add them).
    public static bool Allows(this Role r, Permission p) => (r, p) switch
    {
        (_, Permission.Read) => true,
        (Role.Admin, _) => true,
        (Role.CampaignOffice,
            Permission.ManagePeople or Permission.EditRecords or Permission.Dispatch or Permission.RepairValues) => true,
        (Role.Hotline, Permission.Dispatch or Permission.EditRecords) => true,
        (Role.Supervisor, Permission.ViewAudit) => true,
        (Role.UnitHead, Permission.ManagePeople or Permission.EditRecords) => true,
        (Role.LeadershipMember or Role.Liaison, Permission.EditRecords) => true,
        _ => false,
    };
}

/// A role held by an account on an org, as the scope filter needs it. OrgSelfPath is the granted org's SelfPath,
/// resolved once per request.
public sealed record Grant(Role Role, int OrgId, string OrgSelfPath)
{
    /// Whether the grant reaches an org, given that org's SelfPath.
    public bool Covers(string selfPath) => Role.ReachOf() == Reach.Subtree
        ? selfPath.StartsWith(OrgSelfPath, StringComparison.Ordinal)
        : selfPath == OrgSelfPath;
}

/// What one signed-in account may see and do. Built once per request from its grants; the DbContext's query filters
/// read SubtreePaths/OrgIds, so every page, API, export and search sees the same scope.
public sealed class AccessScope
{
    /// Jobs, the CLI and the seed: every org (all paths start with "/").
    public static AccessScope System { get; } = new() { IsSystem = true, SubtreePaths = ["/"] };
    public static AccessScope Nobody => new();

    public bool IsSystem { get; private init; }
    public string? AccountId { get; private init; }
    public IReadOnlyList<Grant> Grants { get; private init; } = [];

    public List<string> SubtreePaths { get; private init; } = [];
    public List<int> OrgIds { get; private init; } = [];

    public static AccessScope For(string accountId, IEnumerable<Grant> grants)
    {
        var list = grants.ToList();
        return new AccessScope
        {
            AccountId = accountId,
            Grants = list,
            // A subtree grant reaches the org itself (by id) and every org whose ancestor path starts with its SelfPath.
            SubtreePaths = list.Where(g => g.Role.ReachOf() == Reach.Subtree).Select(g => g.OrgSelfPath).Distinct().ToList(),
            OrgIds = list.Select(g => g.OrgId).Distinct().ToList(),
        };
    }

    public bool Sees(Org org) => IsSystem || Grants.Any(g => g.Covers(org.SelfPath));

    public bool Can(Permission p, Org org) => IsSystem || Grants.Any(g => g.Role.Allows(p) && g.Covers(org.SelfPath));

    public bool CanAnywhere(Permission p) => IsSystem || Grants.Any(g => g.Role.Allows(p));

    public bool Has(Role r) => Grants.Any(g => g.Role == r);
}
