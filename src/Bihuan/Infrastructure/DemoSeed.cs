using Bihuan.Data;
using Bihuan.Domain;
using Bihuan.Features.Organizations;
using Bihuan.Features.People;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace Bihuan.Infrastructure;

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
        ("gz.hotline", "市12345热线派单员（罗嘉怡）", Role.Hotline, "GZ"),
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
        if (await db.Orgs.AnyAsync(ct)) return false;

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
            ("周建国", "GZ-YX", "区委书记", true, "13800138008"),
            ("吴丽萍", "GZ-YX", "区委副书记", true, "13800138009"),
            ("孙海燕", "GZ-YX", "区委常委、组织部部长", true, "13800138010"),
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

        var materialIds = await StudyCatalogAsync(db, ct);
        var template = Campaign2026Template(ChinaTime.Now(clock));
        template.StudyMaterialIds = materialIds;
        db.Campaigns.Add(template);
        await db.SaveChangesAsync(ct);
        // The city's campaign: the template copied for 广州市委's subtree and published by the city office.
        var today0 = ChinaTime.Today(clock);
        var city = await Features.Study.CampaignCommands.CopyAsync(db, clock, template.Id, new Features.Study.CampaignInput(
            null, null, null,
            [new("动员部署", today0.AddDays(-40), today0.AddDays(-26)), new("学习研讨", today0.AddDays(-25), today0.AddDays(35)),
             new("查摆整改", today0.AddDays(-10), today0.AddDays(90)), new("建章立制、总结评估", today0.AddDays(60), today0.AddDays(120))],
            codes["GZ"].Id, today0.AddDays(-40), today0.AddDays(120), null), ct);
        await Features.Study.CampaignCommands.PublishAsync(db, clock,
            new System.Security.Claims.ClaimsPrincipal(new System.Security.Claims.ClaimsIdentity([new(System.Security.Claims.ClaimTypes.Name, "gz.office")], "seed")),
            city.Id, ct);
        if (sp.GetRequiredService<IConfiguration>().GetValue("Bihuan:DemoLedger", true))
        {
            await DemoLedgerAsync(sp, db, holder, clock, codes, ct);
            await DemoDemandsAsync(sp, db, holder, clock, codes, ct);
        }
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
            holder.Current = await AuthSetup.LoadScopeAsync(db, id, ct);
            holder.Actor = user;
            return new(new System.Security.Claims.ClaimsIdentity(
                [new(System.Security.Claims.ClaimTypes.NameIdentifier, id), new(System.Security.Claims.ClaimTypes.Name, user)], "demo"));
        }
        var today = ChinaTime.Today(clock);
        var files = sp.GetRequiredService<FileStore>();
        holder.Current = AccessScope.System;

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
        // A photo is uploaded by the one who files it (an upload of their own; the bytes are stored once).
        async Task Act(string user, RectItem item, RectAction action, string? text = null, int? percent = null, bool withPhoto = false)
        {
            var me = await As(user);
            List<Guid>? photo = null;
            if (withPhoto)
            {
                var up = await Features.Files.Uploads.AddAsync(db, files, clock, new MemoryStream(DemoPng), "整改现场照片.png",
                    DemoPng.Length, item.OrgId, ct);
                await db.SaveChangesAsync(ct);
                photo = [up.Id];
            }
            await Features.Rectification.RectCommands.ApplyAsync(db, clock, me, item.Id, action,
                new Features.Rectification.ActionInput(text, percent, photo), ct);
        }

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

        await DemoStudyAsync(sp, db, holder, clock, codes, As, forms, funds, ct);
        holder.Current = AccessScope.System;
        holder.Actor = "seed";
    }

    /// A handful of public demands (fictional people and phones) in different states, moved by the demo accounts.
    static async Task DemoDemandsAsync(IServiceProvider sp, BihuanDb db, ScopeHolder holder, TimeProvider clock,
        Dictionary<string, Org> codes, CancellationToken ct)
    {
        var options = sp.GetRequiredService<Features.Demands.PortalOptions>();
        var cal = sp.GetRequiredService<WorkingCalendar>();
        async Task<System.Security.Claims.ClaimsPrincipal> As(string user)
        {
            holder.Current = AccessScope.System;
            var id = await db.Users.Where(u => u.UserName == user).Select(u => u.Id).SingleAsync(ct);
            holder.Current = await AuthSetup.LoadScopeAsync(db, id, ct);
            holder.Actor = user;
            return new(new System.Security.Claims.ClaimsIdentity([new(System.Security.Claims.ClaimTypes.NameIdentifier, id)], "seed"));
        }
        async Task<int> Submit(DemandType type, string? org, string content, string? location, string? name, string? phone, bool anonymous = false)
        {
            holder.Current = AccessScope.Nobody;
            holder.Actor = "public";
            var s = await Features.Demands.PortalCommands.SubmitAsync(db, clock, options,
                sp.GetRequiredService<Features.Demands.TicketJournal>(), new Features.Demands.SubmitInput(type,
                org is null ? null : codes[org].Id, content, location, name, phone, anonymous), [], ct);
            return s.Id;
        }
        async Task Act(string user, int id, OrderAction a, string? text = null, string? org = null)
        {
            var u = await As(user);
            await Features.Demands.WorkOrderCommands.ApplyAsync(db, clock, cal, options, u, id, a,
                new Features.Demands.WorkOrderActionInput(text, org is null ? null : codes[org].Id), ct);
        }

        var noise = await Submit(DemandType.Complaint, "GZ-YX-ZJJ", "东风中路某小区旧楼加装电梯工程晚上 11 点后仍在切割钢材，噪音扰民，希望规范施工时间。",
            "越秀区东风中路", "黄先生", "13800001234");
        await Act("gz.hotline", noise, OrderAction.Dispatch, "请核查夜间施工许可", "GZ-YX-ZJJ");

        var funds = await Submit(DemandType.Consult, "GZ-YX-FGJ", "想了解小微企业申报越秀区产业扶持资金需要准备哪些材料，在哪里办理？",
            null, "林女士", "13900005678");
        await Act("gz.hotline", funds, OrderAction.Dispatch, null, "GZ-YX-FGJ");
        await Act("yx.fgj.liaison", funds, OrderAction.Sign);
        await Act("yx.fgj.liaison", funds, OrderAction.Reply,
            "您好！申报需提供营业执照、上年度财务报表和项目说明，可在越秀区政务服务中心综合窗口或“穗好办”线上申报。");
        await Act("gz.hotline", funds, OrderAction.Publish);

        await Submit(DemandType.Help, null, "北京街西湖路人行道有一个井盖松动，老人小孩经过容易绊倒，请尽快处理。", "越秀区西湖路", "陈伯", "13700002468");

        var fees = await Submit(DemandType.Suggestion, "GZ-YX-JYJ", "建议区教育局公开各校课后服务收费标准和服务内容，方便家长监督。", null, null, null, anonymous: true);
        await Act("gz.hotline", fees, OrderAction.Accept);

        var meetings = await Submit(DemandType.EducationOpinion, null, "希望学习教育少开会、少留痕，多到社区听意见、解决实际问题。", null, "周小姐", "13600001357");
        await Act("gz.hotline", meetings, OrderAction.Dispatch, "请区委办公室研究", "GZ-YX-BGS");
        holder.Current = AccessScope.System;
        holder.Actor = "seed";
    }

    /// 《摘编》 and the 中办《通知》: titles and structure only (the demo's chapter and article titles are illustrative,
    /// drawn from the phrases the news report quotes; an administrator imports the real catalog from Excel).
    static async Task<List<int>> StudyCatalogAsync(BihuanDb db, CancellationToken ct)
    {
        var book = new StudyMaterial { Title = "习近平关于树立和践行正确政绩观论述摘编", Kind = MaterialKind.Book, SortOrder = 10 };
        var notice = new StudyMaterial
        {
            Title = "中共中央办公厅《关于在全党开展树立和践行正确政绩观学习教育的通知》", Kind = MaterialKind.Document,
            Issuer = "中共中央办公厅", SortOrder = 20,
        };
        db.StudyMaterials.AddRange(book, notice);
        await db.SaveChangesAsync(ct);
        (string Chapter, string Title, bool Core)[] articles =
        [
            ("一、树立和践行正确政绩观是重大政治问题", "党性是决定性因素", true),
            ("一、树立和践行正确政绩观是重大政治问题", "为谁创造业绩、创造什么样的业绩、怎样创造业绩", false),
            ("二、为民造福是最大政绩", "坚持以人民为中心的发展思想", true),
            ("二、为民造福是最大政绩", "为人民出政绩、以实干出政绩", true),
            ("三、功成不必在我，功成必定有我", "处理好显绩与潜绩的关系", false),
            ("三、功成不必在我，功成必定有我", "一张蓝图绘到底", false),
            ("四、科学决策、真抓实干", "坚持实事求是、尊重客观规律", false),
            ("四、科学决策、真抓实干", "力戒形式主义、官僚主义", true),
        ];
        var order = 0;
        foreach (var a in articles)
            db.StudyArticles.Add(new StudyArticle { MaterialId = book.Id, Chapter = a.Chapter, Title = a.Title, IsCore = a.Core, SortOrder = order += 10 });
        db.StudyArticles.Add(new StudyArticle { MaterialId = notice.Id, Title = "通知全文", IsCore = true, SortOrder = order += 10 });
        await db.SaveChangesAsync(ct);
        return [book.Id, notice.Id];
    }

    /// Plans in different states, meetings (one 套开), study records and two rules made from ledger items.
    static async Task DemoStudyAsync(IServiceProvider sp, BihuanDb db, ScopeHolder holder, TimeProvider clock,
        Dictionary<string, Org> codes, Func<string, Task<System.Security.Claims.ClaimsPrincipal>> As, RectItem forms,
        RectItem funds, CancellationToken ct)
    {
        holder.Current = AccessScope.System;
        var today = ChinaTime.Today(clock);
        var campaign = await db.Campaigns.Where(c => c.PublishedAt != null).OrderByDescending(c => c.Id).FirstAsync(ct);
        var articles = await db.StudyArticles.OrderBy(a => a.SortOrder).ToListAsync(ct);
        var noticeArticle = articles[^1];
        var types = await db.MeetingTypes.ToDictionaryAsync(t => t.Name, t => t.Id, ct);
        var people = await db.People.ToDictionaryAsync(p => p.Name, p => p.Id, ct);
        var cal = sp.GetRequiredService<WorkingCalendar>();
        List<Features.Study.PlanTaskInput> Tasks(string owner) =>
        [
            new("班子成员逐篇学习《摘编》，开展专题研讨", owner, today.AddDays(30), "学习研讨"),
            new("对照“四个方面”查摆问题，形成问题清单", owner, today.AddDays(45), "问题查摆"),
            new("建立项目审批“一次性告知”制度", owner, today.AddDays(80), "建章立制"),
        ];
        const string text = "<h3>一、总体要求</h3><p>按照“立党为公、为民造福、科学决策、真抓实干”总要求，一体推进学查改。</p><h3>二、主要任务</h3><ul><li>深学细悟，逐篇学习《摘编》</li><li>真查实改，聚焦群众急难愁盼</li></ul>";

        // 越秀区发改局: drafted, signed off, submitted, returned once, resubmitted, approved.
        var liaison = await As("yx.fgj.liaison");
        var fgj = await Features.Study.PlanCommands.CreateAsync(db, clock, liaison,
            new(campaign.Id, codes["GZ-YX-FGJ"].Id, null, text, Tasks("张丽娟")), ct);
        await Features.Study.PlanCommands.ActAsync(db, clock, await As("yx.fgj.head"), fgj.Id, PlanAction.SignOff, null, ct);
        await Features.Study.PlanCommands.ActAsync(db, clock, await As("yx.fgj.liaison"), fgj.Id, PlanAction.Submit, null, ct);
        await Features.Study.PlanCommands.ActAsync(db, clock, await As("yx.office"), fgj.Id, PlanAction.Return, "任务时限不够具体，请补充开门教育的安排", ct);
        await Features.Study.PlanCommands.UpdateAsync(db, clock, await As("yx.fgj.liaison"), fgj.Id, new(null, null, null,
            text + "<h3>三、开门教育</h3><p>走访辖区重点企业，听取意见建议。</p>",
            [.. Tasks("张丽娟"), new("走访辖区重点企业不少于20家，建立意见台账", "李晓华", today.AddDays(40), "开门教育")]), ct);
        await Features.Study.PlanCommands.ActAsync(db, clock, await As("yx.fgj.head"), fgj.Id, PlanAction.SignOff, null, ct);
        await Features.Study.PlanCommands.ActAsync(db, clock, await As("yx.fgj.liaison"), fgj.Id, PlanAction.Submit, null, ct);
        await Features.Study.PlanCommands.ActAsync(db, clock, await As("yx.office"), fgj.Id, PlanAction.Approve, "同意", ct);
        // 越秀区教育局: a draft; 黄埔区发改局: a draft.
        await Features.Study.PlanCommands.CreateAsync(db, clock, await As("yx.jyj.liaison"),
            new(campaign.Id, codes["GZ-YX-JYJ"].Id, null, text, Tasks("赵雅琴")), ct);
        await Features.Study.PlanCommands.CreateAsync(db, clock, await As("hp.fgj.liaison"),
            new(campaign.Id, codes["GZ-HP-FGJ"].Id, null, "<p>（起草中）</p>", []), ct);

        // 越秀区委常委会会议 套开 区委党的建设工作领导小组会议, 传达学习 the 通知.
        await Features.Study.MeetingCommands.CreateAsync(db, clock, cal, await As("yx.office"), new(codes["GZ-YX"].Id, campaign.Id,
            "区委常委会会议（套开区委党的建设工作领导小组会议）", [types["常委会会议"], types["党的建设工作领导小组会议"]],
            today.AddDays(-20), "区委第一会议室", "周建国", "会议传达学习中央党的建设工作领导小组会议精神和中办《通知》，研究部署全区学习教育。",
            [new(AgendaKind.Convey, "传达学习中共中央办公厅《关于在全党开展树立和践行正确政绩观学习教育的通知》", noticeArticle.Id, null),
             new(AgendaKind.Deploy, "部署全区树立和践行正确政绩观学习教育", null, null)],
            [new("制定全区学习教育实施方案并报市学习教育办公室", "孙海燕", today.AddDays(5))],
            [new(people["周建国"], AttendanceStatus.Present, null), new(people["吴丽萍"], AttendanceStatus.Present, null),
             new(people["孙海燕"], AttendanceStatus.Present, null)], []), ct);
        // 越秀区发改局 理论学习中心组学习会: two articles; one member on leave owes a 补学.
        await Features.Study.MeetingCommands.CreateAsync(db, clock, cal, await As("yx.fgj.liaison"), new(codes["GZ-YX-FGJ"].Id, campaign.Id,
            "局党组理论学习中心组专题学习会", [types["理论学习中心组学习会"], types["研讨交流"]], today.AddDays(-7), "局三楼会议室", "陈志明",
            "围绕“为民造福是最大政绩”交流研讨，班子成员逐一发言。",
            [new(AgendaKind.Convey, "集中学习《摘编》", articles[0].Id, null), new(AgendaKind.Convey, "集中学习《摘编》", articles[2].Id, null),
             new(AgendaKind.Review, "审议局学习教育实施方案", null, fgj.Id)],
            [new("梳理项目审批事项清单，提出精简意见", "李晓华", today.AddDays(14))],
            [new(people["陈志明"], AttendanceStatus.Present, null, true), new(people["李晓华"], AttendanceStatus.Present, null, true),
             new(people["张丽娟"], AttendanceStatus.Present, null), new(people["刘伟"], AttendanceStatus.Leave, "外出参加培训")], []), ct);
        await Features.Study.StudyCommands.RecordAsync(db, clock, await As("yx.fgj.member"),
            new(articles[3].Id, today.AddDays(-3), "为人民出政绩，就是要把群众满意不满意作为检验工作的标准。"), ct);

        // Rules made from rectifications.
        await As("yx.jyj.liaison");
        await Features.Rules.RuleCommands.CreateAsync(db, clock, "yx.jyj.liaison", new(codes["GZ-YX-JYJ"].Id,
            "越秀区教育局关于规范面向学校检查评比事项的若干规定", "越教〔2026〕15号", today.AddDays(-5), RuleStatus.Issued,
            today.AddDays(360), "面向学校的检查评比事项实行年度计划管理，计划外一律不得开展。", null, null, [forms.Id], campaign.Id), ct);
        await As("hp.kjj.liaison");
        await Features.Rules.RuleCommands.CreateAsync(db, clock, "hp.kjj.liaison", new(codes["GZ-HP-KJJ"].Id,
            "黄埔区科技企业扶持资金管理办法（修订）", "穗埔科〔2026〕8号", today.AddDays(-12), RuleStatus.Revised,
            today.AddDays(170), "审核环节压减至3个，兑现时限20个工作日。", null, null, [funds.Id], campaign.Id), ct);
        holder.Current = AccessScope.System;
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
