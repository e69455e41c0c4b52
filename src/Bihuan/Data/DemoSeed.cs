using Bihuan.Domain;
using Bihuan.Features.Organizations;
using Bihuan.Features.People;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace Bihuan.Data;

/// The demo: a Guangzhou-like org tree (real unit names, fictional people), one account per persona and the 2026
/// campaign template. Loaded through the same use cases as real input, so it is audited like everything else.
/// Development only; never in production.
public static class DemoSeed
{
    public const string Password = "Demo@2026bh";

    // (name, code, type, children)
    sealed record N(string Name, string Code, OrgType Type, params N[] Children);

    static N Branch(string parentCode, string name, string suffix) => new(name, $"{parentCode}-{suffix}", OrgType.Branch);
    static N Bureau(string code, string name, OrgType type = OrgType.Agency) =>
        new(name, code, type, Branch(code, "机关党支部", "ZB"));

    static readonly N Tree = new N("中共广州市委员会", "GZ", OrgType.PartyCommittee,
        new N("广州市纪委监委", "GZ-JW", OrgType.Discipline,
            new N("市纪委监委机关党委", "GZ-JW-JGDW", OrgType.PartyCommittee,
                new N("第一纪检监察室党支部", "GZ-JW-JGDW-01", OrgType.Branch),
                new N("党风政风监督室党支部", "GZ-JW-JGDW-02", OrgType.Branch))),
        new N("市委办公厅", "GZ-BGT", OrgType.Agency,
            new N("市委办公厅机关党委", "GZ-BGT-JGDW", OrgType.PartyCommittee,
                new N("秘书一处党支部", "GZ-BGT-JGDW-01", OrgType.Branch),
                new N("综合一处党支部", "GZ-BGT-JGDW-02", OrgType.Branch))),
        new N("市委组织部", "GZ-ZZB", OrgType.Agency,
            new N("市委组织部机关党委", "GZ-ZZB-JGDW", OrgType.PartyCommittee,
                new N("组织一处党支部", "GZ-ZZB-JGDW-01", OrgType.Branch),
                new N("干部一处党支部", "GZ-ZZB-JGDW-02", OrgType.Branch))),
        new N("市委政法委", "GZ-ZFW", OrgType.Agency, Branch("GZ-ZFW", "市委政法委机关党支部", "ZB")),
        new N("中共广州市越秀区委员会", "GZ-YX", OrgType.PartyCommittee,
            new N("越秀区纪委监委", "GZ-YX-JW", OrgType.Discipline),
            new N("越秀区委办公室", "GZ-YX-BGS", OrgType.Agency),
            new N("越秀区委组织部", "GZ-YX-ZZB", OrgType.Agency),
            Bureau("GZ-YX-FGJ", "越秀区发展和改革局"),
            Bureau("GZ-YX-JYJ", "越秀区教育局"),
            Bureau("GZ-YX-WJJ", "越秀区卫生健康局"),
            Bureau("GZ-YX-ZJJ", "越秀区住房建设和交通局"),
            new N("越秀区北京街道党工委", "GZ-YX-BJJ", OrgType.WorkingCommittee,
                new N("北京街机关党支部", "GZ-YX-BJJ-ZB", OrgType.Branch),
                new N("北京街西湖社区党委", "GZ-YX-BJJ-XH", OrgType.PartyCommittee),
                new N("北京街北横社区党支部", "GZ-YX-BJJ-BH", OrgType.Branch)),
            new N("越秀区农林街道党工委", "GZ-YX-NLJ", OrgType.WorkingCommittee,
                new N("农林街机关党支部", "GZ-YX-NLJ-ZB", OrgType.Branch),
                new N("农林街东湖社区党委", "GZ-YX-NLJ-DH", OrgType.PartyCommittee))),
        new N("中共广州开发区工作委员会/中共广州市黄埔区委员会", "GZ-HP", OrgType.WorkingCommittee,
            new N("黄埔区纪委监委", "GZ-HP-JW", OrgType.Discipline),
            new N("黄埔区委办公室", "GZ-HP-BGS", OrgType.Agency),
            Bureau("GZ-HP-FGJ", "黄埔区发展和改革局"),
            Bureau("GZ-HP-KJJ", "黄埔区科学技术局"),
            Bureau("GZ-HP-JYJ", "黄埔区教育局"),
            new N("黄埔区大沙街道党工委", "GZ-HP-DSJ", OrgType.WorkingCommittee,
                new N("大沙街机关党支部", "GZ-HP-DSJ-ZB", OrgType.Branch),
                new N("大沙街横沙社区党委", "GZ-HP-DSJ-HS", OrgType.PartyCommittee)),
            new N("黄埔区长洲街道党工委", "GZ-HP-CZJ", OrgType.WorkingCommittee,
                new N("长洲街机关党支部", "GZ-HP-CZJ-ZB", OrgType.Branch))));

    /// The demo accounts (README lists them): user name, display name, role, org code.
    public static readonly (string User, string Name, Role Role, string OrgCode)[] Accounts =
    [
        ("admin", "系统管理员", Role.Admin, "GZ"),
        ("gz.office", "市学习教育办公室（周海涛）", Role.CampaignOffice, "GZ"),
        ("gz.jw", "市纪委监委监督员（吴敏）", Role.Supervisor, "GZ"),
        ("yx.office", "越秀区学习教育办公室（何思远）", Role.CampaignOffice, "GZ-YX"),
        ("yx.jw", "越秀区纪委监委监督员（梁文博）", Role.Supervisor, "GZ-YX"),
        ("yx.fgj.head", "越秀区发改局局长（陈志明）", Role.UnitHead, "GZ-YX-FGJ"),
        ("yx.fgj.leader", "越秀区发改局副局长（李晓华）", Role.LeadershipMember, "GZ-YX-FGJ"),
        ("yx.fgj.liaison", "越秀区发改局联络员（张丽娟）", Role.Liaison, "GZ-YX-FGJ"),
        ("yx.fgj.member", "越秀区发改局党员（刘伟）", Role.Member, "GZ-YX-FGJ"),
        ("hp.office", "黄埔区学习教育办公室（黄秀英）", Role.CampaignOffice, "GZ-HP"),
        ("hp.fgj.liaison", "黄埔区发改局联络员（郑家豪）", Role.Liaison, "GZ-HP-FGJ"),
    ];

    public static async Task<bool> RunAsync(IServiceProvider services, CancellationToken ct = default)
    {
        using var scope = services.CreateScope();
        var sp = scope.ServiceProvider;
        var holder = sp.GetRequiredService<ScopeHolder>();
        holder.Current = AccessScope.System;
        holder.Actor = "seed";
        var db = sp.GetRequiredService<BihuanDb>();
        var clock = sp.GetRequiredService<TimeProvider>();
        if (await db.Orgs.IgnoreQueryFilters().AnyAsync(ct)) return false;

        var codes = new Dictionary<string, Org>();
        async Task Add(N n, int? parentId)
        {
            var org = await OrgCommands.CreateAsync(db, new OrgInput(n.Name, n.Code, n.Type, parentId, null), clock, ct);
            codes[n.Code] = org;
            foreach (var c in n.Children) await Add(c, org.Id);
        }
        await Add(Tree, null);

        var people = new (string Name, string Org, string Position, bool Leader, string Phone)[]
        {
            ("陈志明", "GZ-YX-FGJ", "局长", true, "13800138001"),
            ("李晓华", "GZ-YX-FGJ", "副局长", true, "13800138002"),
            ("张丽娟", "GZ-YX-FGJ", "办公室主任", false, "13800138003"),
            ("刘伟", "GZ-YX-FGJ", "一级科员", false, "13800138004"),
            ("林静", "GZ-YX-JYJ", "局长", true, "13800138005"),
            ("郑家豪", "GZ-HP-FGJ", "办公室副主任", false, "13800138006"),
            ("黄秀英", "GZ-HP", "区委组织部副部长", true, "13800138007"),
        };
        var personIds = new Dictionary<string, int>();
        foreach (var p in people)
        {
            var person = new Person
            {
                Name = p.Name, OrgId = codes[p.Org].Id, Position = p.Position, IsLeadership = p.Leader, Phone = p.Phone,
                CreatedAt = ChinaTime.Now(clock),
            };
            db.People.Add(person);
            await db.SaveChangesAsync(ct);
            personIds[p.Name] = person.Id;
        }

        var users = sp.GetRequiredService<UserManager<Account>>();
        foreach (var a in Accounts)
        {
            var personName = a.Name.Contains('（') ? a.Name[(a.Name.IndexOf('（') + 1)..^1] : null;
            int? personId = personName is not null && personIds.TryGetValue(personName, out var pid) ? pid : null;
            var account = await AccountCommands.CreateAsync(db, users, clock, a.User, a.Name, Password, personId, ct);
            await PeopleApi.GrantAsync(db, clock, new GrantInput(account.Id, codes[a.OrgCode].Id, a.Role), ct);
        }

        db.Campaigns.Add(Campaign2026Template(ChinaTime.Now(clock)));
        await db.SaveChangesAsync(ct);
        return true;
    }

    public static Campaign Campaign2026Template(DateTime now) => new()
    {
        Name = "树立和践行正确政绩观学习教育",
        GeneralRequirement = "立党为公、为民造福、科学决策、真抓实干",
        KeyTasks = [.. Campaign.DefaultKeyTasks],
        Phases =
        [
            new CampaignPhase { Name = "动员部署" },
            new CampaignPhase { Name = "学习研讨" },
            new CampaignPhase { Name = "查摆整改" },
            new CampaignPhase { Name = "建章立制、总结评估" },
        ],
        IsTemplate = true,
        CreatedAt = now,
    };
}
