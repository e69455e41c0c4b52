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
        if (sp.GetRequiredService<IConfiguration>().GetValue("Bihuan:DemoLedger", true))
            await DemoLedgerAsync(sp, db, holder, clock, codes, ct);
        return true;
    }

    /// A few plausible ledger items in every state, entered through the real commands by the demo accounts, so
    /// the ledger, its lights and timelines have something to show. (Integration tests turn this off.)
    static async Task DemoLedgerAsync(IServiceProvider sp, BihuanDb db, ScopeHolder holder, TimeProvider clock,
        Dictionary<string, Org> codes, CancellationToken ct)
    {
        var users = sp.GetRequiredService<UserManager<Account>>();
        foreach (var (user, name, role, org) in LedgerAccounts)
        {
            holder.Current = AccessScope.System;
            var account = await AccountCommands.CreateAsync(db, users, clock, user, name, Password, null, ct);
            await PeopleApi.GrantAsync(db, clock, new GrantInput(account.Id, codes[org].Id, role), ct);
        }
        async Task<System.Security.Claims.ClaimsPrincipal> As(string user)
        {
            holder.Current = AccessScope.System;
            var id = await db.Users.Where(u => u.UserName == user).Select(u => u.Id).SingleAsync(ct);
            holder.Current = await Infrastructure.AuthSetup.LoadScopeAsync(db, id, ct);
            holder.Actor = user;
            return new(new System.Security.Claims.ClaimsIdentity(
                [new(System.Security.Claims.ClaimTypes.NameIdentifier, id), new(System.Security.Claims.ClaimTypes.Name, user)], "demo"));
        }
        var today = ChinaTime.Today(clock);
        var files = sp.GetRequiredService<Infrastructure.FileStore>();
        holder.Current = AccessScope.System;
        var photo = (await files.SaveAsync(db, new MemoryStream(DemoPng), "整改现场照片.png", DemoPng.Length, "seed", clock, ct)).Sha256;

        async Task<RectItem> Item(string user, string org, string problem, SourceChannel source, Aspect aspect, string category,
            Dimension dim, Severity sev, string measures, DeadlineKind kind, DateOnly? deadline, string? batch = null)
        {
            var me = await As(user);
            var cat = await db.Categories.Where(c => c.Name == category).Select(c => (int?)c.Id).FirstOrDefaultAsync(ct);
            var p = await Features.Rectification.RectCommands.CreateProblemAsync(db, clock, new Features.Rectification.ProblemInput(
                codes[org].Id, problem, source, aspect, cat, dim, sev, null, null, batch, true), ct);
            return await Features.Rectification.RectCommands.AddItemAsync(db, clock, p.Id, new Features.Rectification.ItemInput(
                measures, null, null, null, null, null, kind, deadline, kind == DeadlineKind.Ongoing ? 30 : null), ct);
        }
        async Task Act(string user, RectItem item, RectAction action, string? text = null, int? percent = null, bool withPhoto = false) =>
            await Features.Rectification.RectCommands.ApplyAsync(db, clock, await As(user), item.Id, action,
                new Features.Rectification.ActionInput(text, percent, withPhoto ? [photo] : null), ct);

        var refund = await Item("yx.jyj.liaison", "GZ-YX-JYJ", "校外培训机构监管“重审批、轻监管”，群众反映预收费退费难、投诉处置慢",
            SourceChannel.PublicOpinion, Aspect.Duty, "损害群众利益/急难愁盼解决不力", Dimension.ForThePeople, Severity.Significant,
            "建立预收费资金监管专户；开通退费投诉快速处置通道，5个工作日内答复", DeadlineKind.Dated, today.AddDays(45));
        await Act("yx.jyj.liaison", refund, RectAction.ReportProgress, "已与3家银行签订资金监管协议，覆盖全区62家机构", 40, true);

        var forms = await Item("yx.jyj.liaison", "GZ-YX-JYJ", "对学校督查检查考核过多，迎检材料层层加码，教师负担重",
            SourceChannel.SelfInspection, Aspect.Work, "督查检查考核过多", Dimension.RealWork, Severity.General,
            "全面清理面向学校的检查评比事项，保留事项统一纳入年度计划，一律不得要求学校另行报送材料", DeadlineKind.Dated, today.AddDays(20));
        await Act("yx.jyj.liaison", forms, RectAction.ReportProgress, "清理检查评比事项41项，保留9项", 80, true);
        await Act("yx.jyj.liaison", forms, RectAction.RequestClosure, "检查评比事项由41项压减至9项，已印发年度计划并公开", null, true);
        await Act("yx.office", forms, RectAction.Verify, "经核查，压减情况属实，予以销号");

        await Item("yx.fgj.liaison", "GZ-YX-FGJ", "项目申报材料要求重复提交，同一数据多头报送、过度留痕",
            SourceChannel.SelfInspection, Aspect.Work, "过度留痕", Dimension.RealWork, Severity.General,
            "梳理申报材料清单，同一数据只报一次，推行电子证照共享", DeadlineKind.Immediate, null);

        var street = await Item("yx.bjj.liaison", "GZ-YX-BJJ", "老旧小区加装电梯协调不力，部分项目停滞超过一年，群众多次拨打12345反映",
            SourceChannel.Hotline, Aspect.Duty, "损害群众利益/急难愁盼解决不力", Dimension.ForThePeople, Severity.Significant,
            "建立加装电梯“一梯一策”协调台账，每月召开协调会，定期向居民通报进展", DeadlineKind.Ongoing, null);
        await Act("yx.bjj.liaison", street, RectAction.ReportProgress, "本月协调会推动2台电梯开工", 30);

        var funds = await Item("hp.kjj.liaison", "GZ-HP-KJJ", "科技企业扶持资金兑现慢、审核环节多，企业反映“跑多次”",
            SourceChannel.InspectionFeedback, Aspect.Duty, "不作为慢作为乱作为", Dimension.ForThePeople, Severity.Serious,
            "审核环节由7个压减至3个，资金兑现时限压缩至20个工作日，推行“免申即享”", DeadlineKind.Dated, today.AddDays(60),
            "区委第二巡察组反馈");
        await Act("hp.kjj.liaison", funds, RectAction.ReportProgress, "已修订资金管理办法，审核环节压减至3个", 70, true);
        await Act("hp.kjj.liaison", funds, RectAction.RequestClosure, "办法已印发实施，首批12家企业20个工作日内兑现", null, true);

        // An overdue item (its dates moved back, as if registered two months ago), so 越秀区 shows red on the supervision
        // dashboard, and the 市纪委 supervisor's 督办单 about it (which notifies the unit's head and liaison).
        var approval = await Item("yx.fgj.liaison", "GZ-YX-FGJ", "重大项目审批“体外循环”，前置评估层层加码，企业反映审批周期长",
            SourceChannel.SupervisionCheck, Aspect.Duty, "层层加码", Dimension.SoundDecisions, Severity.Significant,
            "清理审批前置评估事项，公布审批事项清单和办理时限，推行并联审批", DeadlineKind.Dated, today.AddDays(10));
        await Act("yx.fgj.liaison", approval, RectAction.ReportProgress, "已梳理前置评估事项23项", 20);
        holder.Current = AccessScope.System;
        var tracked = await db.RectItems.FirstAsync(i => i.Id == approval.Id, ct);
        tracked.StartOn = today.AddDays(-60);
        tracked.Deadline = today.AddDays(-12);
        tracked.LastProgressOn = today.AddDays(-30);
        await db.SaveChangesAsync(ct);
        var cal = sp.GetRequiredService<WorkingCalendar>();
        var notifier = sp.GetRequiredService<Features.Notifications.Notifier>();
        await Features.Supervision.OrderCommands.IssueAsync(db, clock, cal, notifier, await As("gz.jw"),
            new Features.Supervision.OrderInput(null, [approval.Id], "关于越秀区发展和改革局重大项目审批整改逾期的督办单",
                "该事项已超过整改时限。请于回复时限前书面报告整改进展、逾期原因和下一步措施，并附佐证材料。", 5, null), ct);

        holder.Current = AccessScope.System;
        holder.Actor = "seed";
    }

    static readonly (string User, string Name, Role Role, string OrgCode)[] LedgerAccounts =
    [
        ("yx.jyj.liaison", "越秀区教育局联络员（赵雅琴）", Role.Liaison, "GZ-YX-JYJ"),
        ("yx.bjj.liaison", "北京街道联络员（冯子健）", Role.Liaison, "GZ-YX-BJJ"),
        ("hp.kjj.liaison", "黄埔区科技局联络员（邓慧敏）", Role.Liaison, "GZ-HP-KJJ"),
    ];

    // A 1×1 PNG (a stand-in photo for the demo's evidence).
    static readonly byte[] DemoPng = Convert.FromBase64String(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==");

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
