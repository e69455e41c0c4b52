using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Bihuan.Domain;
using Bihuan.Features.Study;
using Microsoft.EntityFrameworkCore;

namespace Bihuan.IntegrationTests;

/// Least privilege, persona × action: every state-changing endpoint family tried by every demo persona against
/// 越秀区发改局 (GZ-YX-FGJ) and its district, each on a record arranged afresh. The expectations are written out below
/// from DESIGN.md's persona table — independent of Domain/Roles.cs. A = 2xx, F = 403 (with a message), N = 404 (the
/// record or org is outside the persona's scope).
public abstract class PersonaMatrixTestsBase(Func<BihuanFactory> factory)
{
    protected BihuanFactory App => factory();

    static readonly string[] Personas =
    [
        "admin", "gz.office", "gz.jw", "yx.office", "yx.jw", "yx.fgj.head", "yx.fgj.leader", "yx.fgj.liaison", "yx.fgj.member",
        "hp.office", "hp.fgj.liaison", "gz.hotline",
    ];

    // Columns: admin gz.office gz.jw yx.office yx.jw yx.fgj.head yx.fgj.leader yx.fgj.liaison yx.fgj.member hp.office
    //          hp.fgj.liaison gz.hotline
    public static TheoryData<string, string> Rows => new()
    {
        // 问题整改: the unit (and the offices over it, for 上级交办) enters problems; only the unit reports progress.
        { "problems.create", "FAFAFAAAFNNF" },
        { "problems.add-item", "FAFAFAAAFNNN" },
        { "rectifications.progress", "FFFFFAAAFNNN" },
        // verified by a superior office or a supervisor; serious items by a supervisor only
        { "rectifications.verify", "FAAAAFFFFNNN" },
        { "rectifications.verify-serious", "FFAFAFFFFNNN" },
        // 学习研讨: the unit keeps its meetings, study records, rules and duties; an office only its own org's
        { "meetings.create", "FFFFFAAAFNNF" },
        { "meetings.create-district", "FFFAFNNNNNNF" },
        { "study.record-for-colleague", "FFFFFAAAFNNN" },
        { "rules.create", "FFFFFAAAFNNF" },
        { "duties.done", "FFFFFAAAFNNN" },
        // 实施方案: the unit drafts, the head signs off, the superior office approves
        { "plans.create", "FFFFFAAAFNNF" },
        { "plans.sign-off", "FFFFFAFFFNNN" },
        { "plans.approve", "FAFAFFFFFNNN" },
        { "campaigns.copy", "FAFAFNNNNNNF" },
        // 督办单: a supervisor issues, the unit answers
        { "supervision.issue", "FFAFAFFFFNNF" },
        { "supervision.respond", "FFFFFAAAFNNN" },
        // 群众诉求: the desk (12345 or the city office) dispatches and escalates; the unit handles; the head signs off
        { "workorders.dispatch", "FAFNNNNNNNNA" },
        { "workorders.sign", "FFFFFAAAFNNF" },
        { "workorders.sign-off", "FFFFFAFFFNNF" },
        { "workorders.reveal-contact", "FFFFFAAAFNNF" },
        { "workorders.escalate", "FAFFFFFFFNNA" },
        { "open311.keys", "FAFNNNNNNNNA" },
        // 系统管理: the administrator (people also by the offices and the unit head)
        { "people.create", "AAFAFAFFFNNF" },
        { "roles.grant", "AFFFFFFFFNNF" },
        { "orgs.create", "AFFFFFFFFNNF" },
        { "calendar.import", "AFFFFFFFFFFF" },
        { "meeting-types.create", "AFFFFFFFFFFF" },
        { "closure-chains.set", "AFFFFFFFFFFF" },
        { "study.catalog-import", "AFFFFFFFFFFF" },
        { "campaigns.edit-template", "AFFFFFFFFFFF" },
    };

    static string Tag() => "矩" + Guid.NewGuid().ToString("N")[..8];
    static DateOnly Today => ChinaTime.Today(TimeProvider.System);
    static int _phone = Random.Shared.Next(1_000_000);
    static string Phone() => $"136{Interlocked.Increment(ref _phone) % 100_000_000:D8}";

    readonly Dictionary<string, int> _orgs = [];
    /// The org ids the rows use, looked up once per test class (before any attempt).
    async Task OrgsAsync()
    {
        foreach (var code in new[] { "GZ", "GZ-YX", "GZ-YX-FGJ", "GZ-HP-FGJ" })
            if (!_orgs.ContainsKey(code)) _orgs[code] = await App.OrgId(code);
    }
    int Fgj => _orgs["GZ-YX-FGJ"];
    int OrgIdSync(string code) => _orgs[code];
    Task<HttpClient> As(string user) => App.ClientFor(user);

    [SkippableTheory]
    [MemberData(nameof(Rows))]
    public async Task Action_ByEveryPersona_AllowedOrRefusedAsThePersonaTableSays(string action, string expected)
    {
        Assert.Equal(Personas.Length, expected.Length);
        await OrgsAsync();
        var wrong = new List<string>();
        for (var i = 0; i < Personas.Length; i++)
        {
            var persona = Personas[i];
            var res = await Attempt(action, persona, await As(persona));
            var actual = (int)res.StatusCode switch
            {
                >= 200 and < 300 => 'A',
                403 => 'F',
                404 => 'N',
                _ => '?',
            };
            if (actual != expected[i]) wrong.Add($"{action} × {persona}: expected {expected[i]}, got {await res.Describe()}");
            else if (actual == 'F' && !await SaysWhy(res)) wrong.Add($"{action} × {persona}: 403 without a message: {await res.Describe()}");
        }
        Assert.True(wrong.Count == 0, string.Join("\n", wrong));
    }

    /// A refusal says why: a ProblemDetails whose title is a sentence.
    static async Task<bool> SaysWhy(HttpResponseMessage r)
    {
        if (r.Content.Headers.ContentType?.MediaType != "application/problem+json") return false;
        var p = await r.Content.ReadFromJsonAsync<JsonElement>(Http.Json);
        return p.TryGetProperty("title", out var t) && t.GetString() is { Length: > 4 };
    }

    async Task<HttpResponseMessage> Attempt(string action, string persona, HttpClient c)
    {
        var tag = Tag();
        switch (action)
        {
            case "problems.create":
                return await c.PostAsJsonAsync("/api/v1/problems", ProblemBody(Fgj, $"{tag} {persona} 登记的问题"));
            case "problems.add-item":
                return await c.PostAsJsonAsync($"/api/v1/problems/{await NewProblem(tag)}/items",
                    new { measures = $"{tag} 整改措施", deadlineKind = DeadlineKind.Immediate });
            case "rectifications.progress":
                return await c.PostAsJsonAsync($"/api/v1/rectifications/{await NewItem(tag)}/progress", new { text = "推进中", percent = 10 });
            case "rectifications.verify":
                return await c.PostAsJsonAsync($"/api/v1/rectifications/{await AwaitingVerification(tag, Severity.General)}/verify",
                    new { text = "核验通过" });
            case "rectifications.verify-serious":
                return await c.PostAsJsonAsync($"/api/v1/rectifications/{await AwaitingVerification(tag, Severity.Serious)}/verify",
                    new { text = "核验通过" });
            case "meetings.create":
                return await c.PostAsJsonAsync("/api/v1/meetings", await MeetingBody(Fgj, tag));
            case "meetings.create-district":
                return await c.PostAsJsonAsync("/api/v1/meetings", await MeetingBody(OrgIdSync("GZ-YX"), tag));
            case "study.record-for-colleague":
                return await c.PostAsJsonAsync("/api/v1/study/records",
                    new { articleId = await ArticleId(), studiedOn = Today, personId = await Colleague() });
            case "rules.create":
                return await c.PostAsJsonAsync("/api/v1/rules", new { orgId = Fgj, title = $"{tag} 制度", status = RuleStatus.Draft });
            case "duties.done":
                return await c.PostAsync($"/api/v1/duties/tasks/{await ApprovedPlanTask()}/done", null);
            case "plans.create":
                return await c.PostAsJsonAsync("/api/v1/plans", PlanBody((await NewCampaign()).Id, Fgj, tag));
            case "plans.sign-off":
                return await c.PostAsJsonAsync($"/api/v1/plans/{await DraftPlan(tag)}/sign-off", new { });
            case "plans.approve":
                return await c.PostAsJsonAsync($"/api/v1/plans/{await SubmittedPlan(tag)}/approve", new { comment = "同意" });
            case "campaigns.copy":
                return await c.PostAsJsonAsync($"/api/v1/campaigns/{await TemplateId()}/copy",
                    new { name = $"{tag} 学习教育", rootOrgId = OrgIdSync("GZ-YX") });
            case "supervision.issue":
                return await c.PostAsJsonAsync("/api/v1/supervision/orders", new { orgId = Fgj, requirements = $"{tag} 请报告整改进展" });
            case "supervision.respond":
                return await c.PostAsJsonAsync($"/api/v1/supervision/orders/{await SupervisionOrder(tag)}/respond", new { text = "已整改" });
            case "workorders.dispatch":
                return await c.PostAsJsonAsync($"/api/v1/workorders/{await NewOrder(tag, "help")}/dispatch", new { orgId = Fgj });
            case "workorders.sign":
                return await c.PostAsJsonAsync($"/api/v1/workorders/{await DispatchedOrder(tag, "help")}/sign", new { text = "签收" });
            case "workorders.sign-off":
                return await c.PostAsJsonAsync($"/api/v1/workorders/{await ComplaintAwaitingSignOff(tag, "yx.fgj.liaison")}/sign-off", new { });
            case "workorders.reveal-contact":
                return await c.GetAsync($"/api/v1/workorders/{await DispatchedOrder(tag, "help")}/contact?reveal=true");
            case "workorders.escalate":
                return await c.PostAsJsonAsync("/api/v1/workorders/escalate",
                    new { orderIds = new[] { await DispatchedOrder(tag, "complaint") }, orgId = Fgj });
            case "open311.keys":
                return await c.PostAsJsonAsync("/api/v1/open311/keys", new { orgId = OrgIdSync("GZ"), name = $"{tag} App" });
            case "people.create":
                return await c.PostAsJsonAsync("/api/v1/people", new { name = $"{tag}人员", orgId = Fgj });
            case "roles.grant":
                return await c.PostAsJsonAsync("/api/v1/roles", new { accountId = await NewAccount(tag), orgId = Fgj, role = Role.Member });
            case "orgs.create":
                return await c.PostAsJsonAsync("/api/v1/orgs", new { name = $"{tag}科", code = Http.Unique("MX"), type = OrgType.Agency, parentId = Fgj });
            case "calendar.import":
                return await c.PostAsJsonAsync("/api/v1/calendar", new { text = "2027-01-01..2027-01-03 休 元旦\n2027-10-01..2027-10-07 休 国庆节" });
            case "meeting-types.create":
                return await c.PostAsJsonAsync("/api/v1/meeting-types", new { name = $"{tag}会议" });
            case "closure-chains.set":
                return await c.PutAsJsonAsync("/api/v1/closure-chains/LifeMeeting", new { stages = Array.Empty<string>() });
            case "study.catalog-import":
                var csv = $"材料,章节,篇目,核心\n《{tag}》,第一章,{tag}第一篇,是\n";
                return await c.PostAsync("/api/v1/study/materials/import",
                    new MultipartFormDataContent { { new ByteArrayContent(Encoding.UTF8.GetBytes(csv)), "file", "catalog.csv" } });
            case "campaigns.edit-template":
                var template = (await (await As("admin")).GetFromJsonAsync<CampaignDto>($"/api/v1/campaigns/{await TemplateId()}", Http.Json))!;
                return await c.PutAsJsonAsync($"/api/v1/campaigns/{template.Id}", new { name = template.Name });
            default:
                throw new ArgumentOutOfRangeException(nameof(action), action, "no attempt written for this row");
        }
    }

    // ---- arrangement: each through the API as the persona whose act it is ----

    static object ProblemBody(int orgId, string description, Severity severity = Severity.General) => new
    {
        orgId, description, source = SourceChannel.SelfInspection, aspect = Aspect.Work, dimension = Dimension.RealWork, severity,
        notDuplicate = true,
    };

    async Task<int> NewProblem(string tag, Severity severity = Severity.General)
    {
        var res = await (await As("yx.fgj.liaison")).PostAsJsonAsync("/api/v1/problems", ProblemBody(Fgj, $"{tag} 审批材料层层加码", severity));
        return (await res.Expect<JsonElement>(HttpStatusCode.Created)).GetProperty("id").GetInt32();
    }

    async Task<int> NewItem(string tag, Severity severity = Severity.General)
    {
        var res = await (await As("yx.fgj.liaison")).PostAsJsonAsync($"/api/v1/problems/{await NewProblem(tag, severity)}/items",
            new { measures = $"{tag} 精简审批材料", deadlineKind = DeadlineKind.Immediate });
        return (await res.Expect<JsonElement>(HttpStatusCode.Created)).GetProperty("id").GetInt32();
    }

    async Task<int> AwaitingVerification(string tag, Severity severity)
    {
        var liaison = await As("yx.fgj.liaison");
        var id = await NewItem(tag, severity);
        var png = new ByteArrayContent(TestFiles.Png());
        png.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("image/png");
        var upload = (await (await liaison.PostAsync("/api/v1/files", new MultipartFormDataContent { { png, "file", "佐证.png" } }))
            .Expect<JsonElement>(HttpStatusCode.Created)).GetProperty("id").GetGuid();
        await (await liaison.PostAsJsonAsync($"/api/v1/rectifications/{id}/progress", new { text = "已完成", percent = 100, evidence = new[] { upload } }))
            .Expect(HttpStatusCode.OK);
        await (await liaison.PostAsJsonAsync($"/api/v1/rectifications/{id}/request-closure", new { text = "材料已精简并公开" }))
            .Expect(HttpStatusCode.OK);
        return id;
    }

    async Task<object> MeetingBody(int orgId, string tag)
    {
        var types = (await (await As("yx.fgj.liaison")).GetFromJsonAsync<List<JsonElement>>("/api/v1/meeting-types", Http.Json))!;
        return new { orgId, title = $"{tag} 理论学习中心组学习会", typeIds = new[] { types[0].GetProperty("id").GetInt32() }, heldOn = Today };
    }

    int? _article;
    async Task<int> ArticleId() => _article ??= (await (await As("yx.fgj.member"))
        .GetFromJsonAsync<List<MaterialDto>>("/api/v1/study/materials", Http.Json))!.SelectMany(m => m.Articles).First().Id;

    int? _colleague;
    /// A person of 越秀区发改局 with no account of their own: studying for them is "for a colleague" for every persona.
    async Task<int> Colleague()
    {
        if (_colleague is { } id) return id;
        var res = await (await As("admin")).PostAsJsonAsync("/api/v1/people", new { name = "矩阵同事", orgId = Fgj });
        return (_colleague = (await res.Expect<JsonElement>(HttpStatusCode.Created)).GetProperty("id").GetInt32()).Value;
    }

    int? _task;
    /// A task of 越秀区发改局's approved plan (the demo's).
    async Task<int> ApprovedPlanTask()
    {
        if (_task is { } t) return t;
        var (db, scope) = App.SystemDb();
        using (scope)
            return (_task = await db.DutyTasks.Where(x => x.OrgId == Fgj && x.PlanId != null
                && db.Plans.Any(p => p.Id == x.PlanId && p.Status == PlanStatus.Approved)).Select(x => x.Id).FirstAsync()).Value;
    }

    int? _template;
    async Task<int> TemplateId() => _template ??= (await (await As("yx.office"))
        .GetFromJsonAsync<List<CampaignDto>>("/api/v1/campaigns", Http.Json))!.First(c => c.IsTemplate).Id;

    /// A fresh campaign for 越秀区委's subtree, published by the district office (a unit has one plan per campaign).
    async Task<CampaignDto> NewCampaign()
    {
        var office = await As("yx.office");
        var copy = await (await office.PostAsJsonAsync($"/api/v1/campaigns/{await TemplateId()}/copy",
            new { name = Tag() + "学习教育", rootOrgId = OrgIdSync("GZ-YX") })).Expect<CampaignDto>(HttpStatusCode.Created);
        return await (await office.PostAsync($"/api/v1/campaigns/{copy.Id}/publish", null)).Expect<CampaignDto>(HttpStatusCode.OK);
    }

    static object PlanBody(int campaignId, int orgId, string tag) => new
    {
        campaignId, orgId, text = "<p>一体推进学查改。</p>",
        tasks = new[] { new { title = $"{tag} 逐篇学习《摘编》", owner = "张丽娟", dueOn = Today.AddDays(30), keyTask = "学习研讨" } },
    };

    async Task<int> DraftPlan(string tag, string drafter = "yx.fgj.liaison") =>
        (await (await (await As(drafter)).PostAsJsonAsync("/api/v1/plans", PlanBody((await NewCampaign()).Id, Fgj, tag)))
            .Expect<PlanDto>(HttpStatusCode.Created)).Id;

    async Task<int> SubmittedPlan(string tag)
    {
        var id = await DraftPlan(tag);
        await (await (await As("yx.fgj.head")).PostAsJsonAsync($"/api/v1/plans/{id}/sign-off", new { })).Expect(HttpStatusCode.OK);
        await (await (await As("yx.fgj.liaison")).PostAsJsonAsync($"/api/v1/plans/{id}/submit", new { })).Expect(HttpStatusCode.OK);
        return id;
    }

    async Task<int> SupervisionOrder(string tag) =>
        (await (await (await As("gz.jw")).PostAsJsonAsync("/api/v1/supervision/orders", new { orgId = Fgj, requirements = $"{tag} 请报告" }))
            .Expect<JsonElement>(HttpStatusCode.Created)).GetProperty("order").GetProperty("id").GetInt32();

    string? _key;
    /// A public demand through Open311 (an app's key issued by the 12345 desk), with a contact.
    async Task<int> NewOrder(string tag, string service)
    {
        _key ??= (await (await (await As("gz.hotline")).PostAsJsonAsync("/api/v1/open311/keys", new { orgId = OrgIdSync("GZ"), name = "矩阵 App" }))
            .Expect<JsonElement>(HttpStatusCode.Created)).GetProperty("apiKey").GetString()!;
        var res = await App.Anonymous().PostAsync("/open311/v2/requests.json", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["api_key"] = _key, ["service_code"] = service, ["lat"] = "23.1291", ["long"] = "113.2644", ["address_string"] = "越秀区北京路",
            ["description"] = $"{tag} 办事窗口要求重复提交材料", ["first_name"] = "建国", ["last_name"] = "诸葛", ["phone"] = Phone(),
        }));
        var ticket = (await res.Expect<JsonElement>(HttpStatusCode.Created))[0].GetProperty("service_request_id").GetString();
        var (db, scope) = App.SystemDb();
        using (scope) return await db.WorkOrders.Where(o => o.Ticket == ticket).Select(o => o.Id).SingleAsync();
    }

    async Task<int> DispatchedOrder(string tag, string service)
    {
        var id = await NewOrder(tag, service);
        await (await (await As("gz.hotline")).PostAsJsonAsync($"/api/v1/workorders/{id}/dispatch", new { orgId = Fgj })).Expect(HttpStatusCode.OK);
        return id;
    }

    async Task<int> ComplaintAwaitingSignOff(string tag, string drafter)
    {
        var id = await DispatchedOrder(tag, "complaint");
        var unit = await As(drafter);
        await (await unit.PostAsJsonAsync($"/api/v1/workorders/{id}/sign", new { text = "签收" })).Expect(HttpStatusCode.OK);
        await (await unit.PostAsJsonAsync($"/api/v1/workorders/{id}/submit-reply", new { text = $"{tag} 经核查，已推行一次性告知" }))
            .Expect(HttpStatusCode.OK);
        return id;
    }

    async Task<string> NewAccount(string tag) =>
        (await (await (await As("admin")).PostAsJsonAsync("/api/v1/accounts",
            new { userName = "mx." + tag[1..], displayName = "矩阵账号", password = "Strong@2026abc" }))
            .Expect<JsonElement>(HttpStatusCode.Created)).GetProperty("id").GetString()!;

    // ---- the attacks of issue 12, named ----

    [SkippableFact]
    public async Task Hotline_RecordsOfAnyUnit_RefusedAndNothingWritten()
    {
        await OrgsAsync();
        var desk = await As("gz.hotline");
        var before = (await App.Count<Problem>(), await App.Count<Meeting>(), await App.Count<StudyRecord>(), await App.Count<Rule>(),
            await App.Count<Plan>());
        var campaign = await NewCampaign();
        foreach (var code in new[] { "GZ-YX-FGJ", "GZ-HP-FGJ", "GZ-YX", "GZ" })
        {
            var org = OrgIdSync(code);
            var tag = Tag();
            await (await desk.PostAsJsonAsync("/api/v1/problems", ProblemBody(org, $"{tag} 热线越权登记"))).ExpectProblem(HttpStatusCode.Forbidden);
            await (await desk.PostAsJsonAsync("/api/v1/meetings", await MeetingBody(org, tag))).ExpectProblem(HttpStatusCode.Forbidden);
            await (await desk.PostAsJsonAsync("/api/v1/rules", new { orgId = org, title = $"{tag} 制度", status = RuleStatus.Draft }))
                .ExpectProblem(HttpStatusCode.Forbidden);
            // a unit outside the campaign is refused as such (400) before anyone's right is asked
            var plan = await desk.PostAsJsonAsync("/api/v1/plans", PlanBody(campaign.Id, org, tag));
            Assert.True(plan.StatusCode == (code.StartsWith("GZ-YX", StringComparison.Ordinal) ? HttpStatusCode.Forbidden : HttpStatusCode.BadRequest),
                await plan.Describe());
        }
        // Study records for a colleague anywhere: the desk does not even see the people.
        var study = await desk.PostAsJsonAsync("/api/v1/study/records", new { articleId = await ArticleId(), studiedOn = Today, personId = await Colleague() });
        await study.ExpectProblem(HttpStatusCode.NotFound);
        Assert.Equal(before, (await App.Count<Problem>(), await App.Count<Meeting>(), await App.Count<StudyRecord>(),
            await App.Count<Rule>(), await App.Count<Plan>()));
    }

    [SkippableFact]
    public async Task Hotline_ReadsOrdersButNoUnitRecords_DashboardRefusedWithAReason()
    {
        await OrgsAsync();
        var desk = await As("gz.hotline");
        var tag = Tag();
        var item = await NewItem(tag);
        await (await desk.GetAsync($"/api/v1/rectifications/{item}")).Expect(HttpStatusCode.NotFound);
        var ledger = await (await desk.GetAsync("/api/v1/rectifications?q=" + Uri.EscapeDataString(tag))).Expect<JsonElement>(HttpStatusCode.OK);
        Assert.Equal(0, ledger.GetProperty("total").GetInt32());
        Assert.Empty(await (await desk.GetAsync($"/api/v1/people?orgId={Fgj}")).Expect<List<JsonElement>>(HttpStatusCode.OK));
        Assert.Empty(await (await desk.GetAsync($"/api/v1/meetings?orgId={Fgj}")).Expect<List<JsonElement>>(HttpStatusCode.OK));
        var p = await (await desk.GetAsync("/api/v1/supervision/dashboard")).ExpectProblem(HttpStatusCode.Forbidden);
        Assert.Contains("热线", p.GetProperty("title").GetString());
        // what it needs: the orders of the whole city and the org tree to dispatch them
        var order = await DispatchedOrder(tag, "help");
        await (await desk.GetAsync($"/api/v1/workorders/{order}")).Expect(HttpStatusCode.OK);
        await (await desk.GetAsync($"/api/v1/orgs/{OrgIdSync("GZ-HP-FGJ")}")).Expect(HttpStatusCode.OK);
    }

    [SkippableFact]
    public async Task Complaint_HeadDraftsAndSignsOwnReply_Refused403_AnotherHeadSigns()
    {
        await OrgsAsync();
        var head = await As("yx.fgj.head");
        var id = await ComplaintAwaitingSignOff(Tag(), "yx.fgj.head");
        var detail = await (await head.GetAsync($"/api/v1/workorders/{id}")).Expect<JsonElement>(HttpStatusCode.OK);
        Assert.DoesNotContain("sign-off", detail.GetProperty("allowedActions").EnumerateArray().Select(a => a.GetString()));
        var p = await (await head.PostAsJsonAsync($"/api/v1/workorders/{id}/sign-off", new { })).ExpectProblem(HttpStatusCode.Forbidden);
        Assert.Equal("cannot_sign_off_own_reply", p.GetProperty("code").GetString());
        Assert.Contains("起草人以外", p.GetProperty("title").GetString());
        Assert.Equal(OrderStatus.AwaitingSignoff, await StatusOf(id));
        // the leadership member has no sign-off authority; a second 主要负责人 of the unit has
        await (await (await As("yx.fgj.leader")).PostAsJsonAsync($"/api/v1/workorders/{id}/sign-off", new { })).ExpectProblem(HttpStatusCode.Forbidden);
        var second = await SecondHead();
        await (await second.PostAsJsonAsync($"/api/v1/workorders/{id}/sign-off", new { })).Expect(HttpStatusCode.OK);
        Assert.Equal(OrderStatus.Replied, await StatusOf(id));
    }

    [SkippableFact]
    public async Task Complaint_SignOffRewritingTheDraft_Refused409_AsDraftedSigns()
    {
        await OrgsAsync();
        var head = await As("yx.fgj.head");
        var id = await ComplaintAwaitingSignOff(Tag(), "yx.fgj.liaison");
        var p = await (await head.PostAsJsonAsync($"/api/v1/workorders/{id}/sign-off", new { text = "主要负责人另写的答复" }))
            .ExpectProblem(HttpStatusCode.Conflict, "text");
        Assert.Contains("退回答复稿", p.GetProperty("title").GetString());
        var done = await (await head.PostAsJsonAsync($"/api/v1/workorders/{id}/sign-off", new { })).Expect<JsonElement>(HttpStatusCode.OK);
        Assert.Contains("一次性告知", done.GetProperty("reply").GetString());
    }

    [SkippableFact]
    public async Task Plan_HeadDraftsAndSignsOwnPlan_Refused403_AfterTheLiaisonsEditTheHeadSigns()
    {
        await OrgsAsync();
        var head = await As("yx.fgj.head");
        var id = await DraftPlan(Tag(), drafter: "yx.fgj.head");
        var plan = await (await head.GetAsync($"/api/v1/plans/{id}")).Expect<PlanDto>(HttpStatusCode.OK);
        Assert.DoesNotContain("sign-off", plan.AllowedActions);
        var p = await (await head.PostAsJsonAsync($"/api/v1/plans/{id}/sign-off", new { })).ExpectProblem(HttpStatusCode.Forbidden);
        Assert.Equal("cannot_sign_off_own_draft", p.GetProperty("code").GetString());
        await (await (await As("yx.fgj.liaison")).PutAsJsonAsync($"/api/v1/plans/{id}", new { text = "<p>联络员修改后的方案。</p>" }))
            .Expect(HttpStatusCode.OK);
        Assert.True((await (await head.PostAsJsonAsync($"/api/v1/plans/{id}/sign-off", new { })).Expect<PlanDto>(HttpStatusCode.OK)).SignedOff);
    }

    async Task<string> Page(string user, string url)
    {
        var res = await (await As(user)).GetAsync(url);
        await res.Expect(HttpStatusCode.OK);
        return await res.Content.ReadAsStringAsync();
    }

    [SkippableFact]
    public async Task Pages_OfferOnlyWhatThePersonaMayDo_RoleCardSaysSo()
    {
        await OrgsAsync();
        // 工作台: the desk's card names its acts and that it reads no unit records; its menu has no ledger entries.
        var desk = await Page("gz.hotline", "/");
        Assert.Contains("受理、派发、仲裁群众诉求", desk);
        Assert.Contains("不查看各单位的业务记录", desk);
        Assert.DoesNotContain("登记问题", desk);
        Assert.DoesNotContain("href=\"/ledger\"", desk);
        Assert.DoesNotContain("href=\"/meetings\"", desk);
        // the member reads only; the district office's narrower acts say how far they reach
        var member = await Page("yx.fgj.member", "/");
        Assert.Contains("只读", member);
        Assert.DoesNotContain("可办理", member);
        var office = await Page("yx.office", "/");
        Assert.Contains("审核下级实施方案（仅下级）", office);
        Assert.Contains("登记会议活动和代登学习记录（仅本组织）", office);
        Assert.DoesNotContain("下发督办单", office);
        // the order page: no sign-off form for the head who drafted the reply; one for a second head
        var own = await ComplaintAwaitingSignOff(Tag(), "yx.fgj.head");
        Assert.DoesNotContain("name=\"_handler\" value=\"sign-off\"", await Page("yx.fgj.head", $"/workorders/{own}"));
        var theirs = await ComplaintAwaitingSignOff(Tag(), "yx.fgj.liaison");
        Assert.Contains("name=\"_handler\" value=\"sign-off\"", await Page("yx.fgj.head", $"/workorders/{theirs}"));
        Assert.DoesNotContain("name=\"_handler\" value=\"sign-off\"", await Page("yx.fgj.leader", $"/workorders/{theirs}"));
        // the ledger's bulk bar: the unit assigns and asks; a verifier approves or refuses extensions
        var item = await NewItem(Tag());
        var unitBulk = await Page("yx.fgj.liaison", "/ledger");
        Assert.Contains("value=\"request-extension\"", unitBulk);
        Assert.DoesNotContain("value=\"approve-extension\"", unitBulk);
        var verifierBulk = await Page("yx.jw", "/ledger");
        Assert.Contains("value=\"approve-extension\"", verifierBulk);
        Assert.DoesNotContain("value=\"request-extension\"", verifierBulk);
        // the 督办 form on an item: the supervisor's, not the district office's
        Assert.Contains("下发督办单", await Page("yx.jw", $"/ledger/{item}"));
        Assert.DoesNotContain("下发督办单", await Page("yx.office", $"/ledger/{item}"));
    }

    async Task<OrderStatus> StatusOf(int orderId)
    {
        var (db, scope) = App.SystemDb();
        using (scope) return await db.WorkOrders.IgnoreQueryFilters().Where(o => o.Id == orderId).Select(o => o.Status).SingleAsync();
    }

    HttpClient? _secondHead;
    /// A second 主要负责人 of 越秀区发改局 (e.g. the 党组书记 beside the 局长), granted by the administrator.
    async Task<HttpClient> SecondHead()
    {
        if (_secondHead is not null) return _secondHead;
        var tag = Tag();
        var account = await NewAccount(tag);
        await (await (await As("admin")).PostAsJsonAsync("/api/v1/roles", new { accountId = account, orgId = Fgj, role = Role.UnitHead }))
            .Expect(HttpStatusCode.Created);
        return _secondHead = await App.ClientFor("mx." + tag[1..]);
    }
}

public sealed class SqlitePersonaMatrixTests(SqliteFixture app) : PersonaMatrixTestsBase(() => app), IClassFixture<SqliteFixture>;

public sealed class PostgresPersonaMatrixTests(PostgresFixture app) : PersonaMatrixTestsBase(() => app.Factory), IClassFixture<PostgresFixture>;
