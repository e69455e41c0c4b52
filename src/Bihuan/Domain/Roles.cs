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

/// One act a persona performs. Who holds which is Permissions.Table (the one place); the comments name the act.
public enum Permission
{
    Read,                   // the org tree and the public demands (work orders) in scope
    ReadRecords,            // the units' own records in scope: ledger, plans, meetings, study, rules, 督办单, people
    ReadPersonalData,       // people's phone numbers unmasked
    ManageOrgs,             // create, rename, move, archive, import orgs
    ManageRoles,            // accounts and role grants
    ManagePeople,           // add and edit people records
    ManageSettings,         // holiday calendar, meeting types, 对账销号 chains
    ManageTemplates,        // campaign templates
    ManageStudyCatalog,     // the 学习材料 catalog (titles only)
    ViewAudit,              // read and verify the audit trail
    ViewAuditPersonalData,  // read the audit trail's personal data unmasked (each such read is itself audited)
    RunCampaign,            // copy a template for a subtree, adjust it, publish it
    ApprovePlans,           // approve or return a sub-unit's 实施方案
    DraftPlans,             // write, edit and submit the unit's 实施方案
    SignOff,                // 主要负责人 sign-off: the unit's plan, closure requests (单位自验), complaint replies
    RecordProblems,         // problems and their rectification measures (incl. ledger import, 对照查摆)
    ReportProgress,         // 整改 progress, evidence, closure requests, extension requests, handlers
    VerifyClosures,         // verify, return and reopen closure requests; approve extensions; 牵头部门审核
    VerifySeriousClosures,  // the same for serious items and items from 巡视巡察 / 监督检查
    CompleteDuties,         // mark plan tasks and meeting decisions done
    ManageMeetings,         // meetings (agenda, attendance, decisions) and study records of the unit's people
    ManageRules,            // register and edit the rules (制度) an org issued
    IssueSupervision,       // issue 督办单, 催办, 约谈, close them
    AnswerSupervision,      // answer a 督办单 addressed to the unit
    DispatchDemands,        // accept, reject, dispatch, arbitrate 退单, approve 延期, 催办/督办, merge, publish, escalate
    HandleOrders,           // 承办: sign for, handle, send back, draft the reply, request 延期
    RevealSubmitter,        // read a work order's submitter contact unmasked (audited)
    RepairValues,           // correct a stored value no read can use (a deadline of 9999-12-31 from before the bounds)
}

/// Where a grant holds a permission, relative to the org it is granted on.
public enum Extent
{
    Granted,     // wherever the grant reaches (its org, or its subtree for subtree roles)
    GrantedOrg,  // the granted org itself only, not its sub-units (an office keeps its own org's records)
    Below,       // strictly below the granted org: a superior acting on sub-units, never on its own org
}

/// A role holding a permission over an extent. A bare Role converts to Extent.Granted.
public readonly record struct Holder(Role Role, Extent Extent = Extent.Granted)
{
    public static implicit operator Holder(Role r) => new(r);
}

/// One row of the table: the permission, its label (UI, zh-CN key), the persona act in DESIGN.md's words, who holds it.
public sealed record PermissionRule(Permission Permission, string Label, string Act, IReadOnlyList<Holder> Holders);

/// The role × permission table: the ONE place that says who may do what (docs/permissions.md is rendered from it and a
/// test keeps the two equal). Lifecycles name parties by permission (RectState, PlanState, WorkOrderState,
/// SupervisionLifecycle); use cases and pages ask AccessScope.Can for the permission of the act they perform.
public static class Permissions
{
    static Holder At(Role r) => new(r, Extent.GrantedOrg);
    static Holder Below(Role r) => new(r, Extent.Below);

    const Role Admin = Role.Admin, Office = Role.CampaignOffice, Supervisor = Role.Supervisor, Head = Role.UnitHead,
        Leader = Role.LeadershipMember, Liaison = Role.Liaison, Member = Role.Member, Hotline = Role.Hotline;

    public static readonly IReadOnlyList<PermissionRule> Table =
    [
        new(Permission.Read, "查看组织架构和群众诉求工单",
            "everyone: \"Scope is the org subtree a role is granted on\"",
            [Admin, Office, Supervisor, Head, Leader, Liaison, Member, Hotline]),
        // The 12345 desk dispatches demands: it needs the org tree and the orders, not the units' records.
        new(Permission.ReadRecords, "查看本范围的业务记录",
            "supervisor: \"a subtree, read-all\"; the units read their own; not the dispatch desk",
            [Admin, Office, Supervisor, Head, Leader, Liaison, Member]),
        new(Permission.ReadPersonalData, "查看人员完整电话",
            "those who keep the people records (admin \"accounts\", the office, the unit head)",
            [Admin, Office, Head]),
        new(Permission.ManageOrgs, "维护组织架构", "admin: \"org tree\"", [Admin]),
        new(Permission.ManageRoles, "管理账号与角色", "admin: \"accounts\"", [Admin]),
        new(Permission.ManagePeople, "维护人员信息",
            "admin: \"accounts\"; the office and the unit head keep their people", [Admin, Office, Head]),
        new(Permission.ManageSettings, "维护节假日、会议类型和对账销号流程", "admin: \"holiday calendar\"", [Admin]),
        new(Permission.ManageTemplates, "维护学习教育模板", "admin: \"campaign templates\"", [Admin]),
        new(Permission.ManageStudyCatalog, "维护学习材料目录", "admin: the study catalog (titles only)", [Admin]),
        new(Permission.ViewAudit, "查看和核验审计日志", "admin; supervisor: \"a subtree, read-all\"", [Admin, Supervisor]),
        // Unmasked personal data in the trail is for investigating a case; each read of it is recorded in the chain.
        new(Permission.ViewAuditPersonalData, "查看审计日志中的个人信息（不打码，查看本身记入审计）",
            "supervisor: investigates a case (ADR 0018); asked for explicitly, never by default", [Supervisor]),
        new(Permission.RunCampaign, "设立和发布学习教育", "campaign office: \"sets up the campaign\"", [Office]),
        new(Permission.ApprovePlans, "审核下级实施方案",
            "campaign office: \"approves sub-units' plans\" (never its own org's)", [Below(Office)]),
        new(Permission.DraftPlans, "起草和报送实施方案",
            "the unit drafts its plan; the head \"signs off the unit's plan\"", [Head, Leader, Liaison]),
        new(Permission.SignOff, "主要负责人签批（方案、销号自验、投诉答复）",
            "unit head: \"signs off the unit's plan, closure requests and replies\"", [Head]),
        // 上级交办 / 征求意见: the office enters problems it assigns to or collects for the units of its subtree.
        new(Permission.RecordProblems, "登记问题和整改措施",
            "liaison: \"enters … problems\"; campaign office: problems it assigns (上级交办)", [Office, Head, Leader, Liaison]),
        new(Permission.ReportProgress, "报送整改进展、佐证和销号申请",
            "liaison: \"enters … progress, evidence\"; leadership member: \"responsible leader for items\"",
            [Head, Leader, Liaison]),
        new(Permission.VerifyClosures, "核验销号（一般事项）",
            "rectification: \"verified by … superior campaign office or supervisor\"", [Below(Office), Supervisor]),
        new(Permission.VerifySeriousClosures, "核验销号（重大、巡视巡察和监督检查事项）",
            "supervisor: \"verifies closure of serious items\"", [Supervisor]),
        new(Permission.CompleteDuties, "标记方案任务和会议决定完成",
            "member: \"own tasks\"; the unit (and an office for its own org) marks its duties done",
            [At(Office), Head, Leader, Liaison]),
        new(Permission.ManageMeetings, "登记会议活动和代登学习记录",
            "liaison: \"enters meetings\"; an office enters its own org's sittings", [At(Office), Head, Leader, Liaison]),
        new(Permission.ManageRules, "登记制度（建章立制）",
            "the unit registers the rules it issued; an office its own org's", [At(Office), Head, Leader, Liaison]),
        new(Permission.IssueSupervision, "下发督办单、催办、约谈",
            "supervisor: \"issues 督办单, records 约谈\"", [Supervisor]),
        new(Permission.AnswerSupervision, "回复督办单", "liaison: \"enters … replies\"", [Head, Leader, Liaison]),
        new(Permission.DispatchDemands, "受理、派发、仲裁群众诉求",
            "campaign office: \"dispatches public demands\"; 12345 desk: accepts and dispatches", [Office, Hotline]),
        new(Permission.HandleOrders, "承办工单（签收、办理、起草答复）",
            "the unit the order is dispatched to (liaison: \"enters … replies\")", [Head, Leader, Liaison]),
        new(Permission.RevealSubmitter, "查看诉求人完整联系方式",
            "the handling unit only (\"personal data is masked for all but the handling unit\")", [Head, Leader, Liaison]),
        new(Permission.RepairValues, "修正无法使用的存储数值",
            "admin and the campaign office over the record's org (with a reason, audited)", [Admin, Office]),
    ];

    static readonly Dictionary<Permission, PermissionRule> ByPermission = Table.ToDictionary(r => r.Permission);

    public static PermissionRule Of(Permission p) => ByPermission[p];

    /// The permissions a role holds anywhere (in the table's order).
    public static IEnumerable<Permission> HeldBy(Role r) =>
        Table.Where(t => t.Holders.Any(h => h.Role == r)).Select(t => t.Permission);

    /// Whether a role's grant on an org (grantedPath: that org's SelfPath) holds p over the org at selfPath.
    public static bool Holds(Role role, Reach reach, string grantedPath, Permission p, string selfPath) =>
        Of(p).Holders.Any(h => h.Role == role && h.Extent switch
        {
            Extent.Granted => reach == Reach.Subtree ? selfPath.StartsWith(grantedPath, StringComparison.Ordinal) : selfPath == grantedPath,
            Extent.GrantedOrg => selfPath == grantedPath,
            Extent.Below => reach == Reach.Subtree && selfPath.Length > grantedPath.Length
                && selfPath.StartsWith(grantedPath, StringComparison.Ordinal),
        });
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

    public static string Label(this Permission p) => Permissions.Of(p).Label;

    public static string Label(this Extent s) => s switch
    {
        Extent.Granted => "范围内",
        Extent.GrantedOrg => "仅本组织",
        Extent.Below => "仅下级",
    };

    public static Reach ReachOf(this Role r) => r switch
    {
        Role.Admin or Role.CampaignOffice or Role.Supervisor or Role.Hotline => Reach.Subtree,
        Role.UnitHead or Role.LeadershipMember or Role.Liaison or Role.Member => Reach.OwnOrg,
    };

    /// Whether the role holds the permission anywhere in its reach (Permissions.Table).
    public static bool Allows(this Role r, Permission p) => Permissions.Of(p).Holders.Any(h => h.Role == r);

    /// The acts a role performs beyond reading (the 工作台's role card lists them).
    public static IEnumerable<Permission> Acts(this Role r) =>
        Permissions.HeldBy(r).Where(p => p is not (Permission.Read or Permission.ReadRecords));
}

/// A role held by an account on an org, as the scope filter needs it. OrgSelfPath is the granted org's SelfPath,
/// resolved once per request.
public sealed record Grant(Role Role, int OrgId, string OrgSelfPath)
{
    /// Whether the grant reaches an org, given that org's SelfPath.
    public bool Covers(string selfPath) => Role.ReachOf() == Reach.Subtree
        ? selfPath.StartsWith(OrgSelfPath, StringComparison.Ordinal)
        : selfPath == OrgSelfPath;

    /// Whether this grant holds p over the org at selfPath (the table's extent decides how far).
    public bool Holds(Permission p, string selfPath) => Permissions.Holds(Role, Role.ReachOf(), OrgSelfPath, p, selfPath);
}

/// What one signed-in account may see and do. Built once per request from its grants; the DbContext's query filters
/// read SubtreePaths/OrgIds (orgs, work orders) and RecordPaths/RecordOrgIds (the units' records), so every page,
/// API, export and search sees the same scope.
public sealed class AccessScope
{
    /// Jobs, the CLI and the seed: every org (all paths start with "/").
    public static AccessScope System { get; } = new() { IsSystem = true, SubtreePaths = ["/"], RecordPaths = ["/"] };
    public static AccessScope Nobody => new();

    public bool IsSystem { get; private init; }
    public string? AccountId { get; private init; }
    public IReadOnlyList<Grant> Grants { get; private init; } = [];

    public List<string> SubtreePaths { get; private init; } = [];
    public List<int> OrgIds { get; private init; } = [];
    /// The same, from the grants that hold ReadRecords only.
    public List<string> RecordPaths { get; private init; } = [];
    public List<int> RecordOrgIds { get; private init; } = [];

    public static AccessScope For(string accountId, IEnumerable<Grant> grants)
    {
        var list = grants.ToList();
        var readers = list.Where(g => g.Role.Allows(Permission.ReadRecords)).ToList();
        return new AccessScope
        {
            AccountId = accountId,
            Grants = list,
            // A subtree grant reaches the org itself (by id) and every org whose ancestor path starts with its SelfPath.
            SubtreePaths = SubtreesOf(list),
            OrgIds = list.Select(g => g.OrgId).Distinct().ToList(),
            RecordPaths = SubtreesOf(readers),
            RecordOrgIds = readers.Select(g => g.OrgId).Distinct().ToList(),
        };
    }

    static List<string> SubtreesOf(List<Grant> grants) =>
        grants.Where(g => g.Role.ReachOf() == Reach.Subtree).Select(g => g.OrgSelfPath).Distinct().ToList();

    public bool Sees(Org org) => IsSystem || Grants.Any(g => g.Covers(org.SelfPath));

    public bool Can(Permission p, Org org) => IsSystem || Grants.Any(g => g.Holds(p, org.SelfPath));

    public bool CanAnywhere(Permission p) => IsSystem || Grants.Any(g => g.Role.Allows(p));

    public bool Has(Role r) => Grants.Any(g => g.Role == r);
}
