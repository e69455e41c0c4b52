using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Bihuan.Domain;
using Bihuan.Features.Audit;
using Bihuan.Features.People;
using Bihuan.Features.Rectification;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Bihuan.IntegrationTests;

/// The rectification ledger (整改台账) over HTTP: problems and items, the lifecycle with its separation of duties,
/// validation, the ledger's filters and scope, and evidence files. Every test records its own problems, marked with
/// a unique Chinese tag, so the tests share one database without seeing each other's rows.
public abstract class RectificationTestsBase(Func<BihuanFactory> factory)
{
    protected BihuanFactory App => factory();

    const string Fgj = "GZ-YX-FGJ";

    /// A unique run of Chinese characters (the ledger's text search is exercised in Chinese).
    static string Tag() => new(Guid.NewGuid().ToString("N")[..10].Select(c => "零一二三四五六七八九甲乙丙丁戊己"[Convert.ToInt32(c.ToString(), 16)]).ToArray());

    DateOnly Today => ChinaTime.Today(TimeProvider.System);

    /// A working day about three weeks ahead.
    DateOnly Deadline()
    {
        var cal = App.Services.GetRequiredService<WorkingCalendar>();
        var d = Today.AddDays(21);
        while (!cal.EstimateIsWorkingDay(d)) d = d.AddDays(1);
        return d;
    }

    async Task<ProblemDto> CreateProblem(HttpClient c, string description, string orgCode = Fgj,
        SourceChannel source = SourceChannel.SelfInspection, Severity severity = Severity.General)
    {
        var res = await c.PostAsJsonAsync("/api/v1/problems", new
        {
            orgId = await App.OrgId(orgCode), description, source, aspect = Aspect.Duty, dimension = Dimension.RealWork, severity,
            notDuplicate = true,   // these tests file many alike problems on purpose; duplicates are tested below
        });
        return await res.Expect<ProblemDto>(HttpStatusCode.Created);
    }

    [SkippableFact]
    public async Task Extension_RequestedByLiaison_ApprovedByDistrictOffice_MovesDeadlineOnTimeline()
    {
        var liaison = await App.ClientFor("yx.fgj.liaison");
        var office = await App.ClientFor("yx.office");
        var item = await NewItem(Tag());
        var later = item.Deadline!.Value.AddDays(30);
        var noReason = await liaison.PostAsJsonAsync($"/api/v1/rectifications/{item.Id}/request-extension", new { newDeadline = later });
        await noReason.ExpectProblem(HttpStatusCode.BadRequest, "reason");
        var earlier = await liaison.PostAsJsonAsync($"/api/v1/rectifications/{item.Id}/request-extension",
            new { text = "需跨部门协调", newDeadline = item.Deadline.Value.AddDays(-1) });
        Assert.Equal(HttpStatusCode.Conflict, earlier.StatusCode);
        var asked = await (await liaison.PostAsJsonAsync($"/api/v1/rectifications/{item.Id}/request-extension",
            new { text = "涉及跨部门数据共享，需延期", newDeadline = later })).Expect<ItemDetail>(HttpStatusCode.OK);
        Assert.Equal(later, asked.ExtensionRequestedTo);
        Assert.Equal(item.Deadline, asked.Item.Deadline);                   // unchanged until approved
        Assert.Equal(HttpStatusCode.Forbidden,
            (await liaison.PostAsJsonAsync($"/api/v1/rectifications/{item.Id}/approve-extension", new { text = "同意" })).StatusCode);
        var approved = await (await office.PostAsJsonAsync($"/api/v1/rectifications/{item.Id}/approve-extension",
            new { text = "同意延期" })).Expect<ItemDetail>(HttpStatusCode.OK);
        Assert.Equal(later, approved.Item.Deadline);
        Assert.Equal(1, approved.ExtensionCount);
        Assert.Null(approved.ExtensionRequestedTo);
        Assert.Equal(["申请延期", "批准延期"], approved.Timeline.Select(t => t.Action).TakeLast(2));
        Assert.Contains("→", approved.Timeline[^1].Text);
    }

    [SkippableFact]
    public async Task Recurrence_OfClosedProblem_ReportedByOffice_ReopensItAndLinksBothWays()
    {
        var office = await App.ClientFor("yx.office");
        var item = await ItemAwaitingVerification(Tag());
        await ActOk(office, item.Id, "verify", "核验通过");
        var orgId = await App.OrgId(Fgj);
        // The similar text of a closed problem is offered as a possible recurrence.
        var similar = await office.PostAsJsonAsync("/api/v1/problems", new
        {
            orgId, description = item.Problem, source = SourceChannel.PublicOpinion, aspect = Aspect.Duty, dimension = Dimension.ForThePeople,
        });
        Assert.Equal(HttpStatusCode.Conflict, similar.StatusCode);
        Assert.Contains("\"closed\":true", await similar.Content.ReadAsStringAsync());
        var report = await (await office.PostAsJsonAsync("/api/v1/problems", new
        {
            orgId, description = "群众再次反映：" + item.Problem, source = SourceChannel.PublicOpinion, aspect = Aspect.Duty,
            dimension = Dimension.ForThePeople, recurrenceOfId = item.ProblemId,
        })).Expect<ProblemDto>(HttpStatusCode.Created);
        Assert.Equal(item.ProblemId, report.RecurrenceOfId);
        var reopened = await Detail(office, item.Id);
        Assert.Equal(RectStatus.InProgress, reopened.Item.Status);
        Assert.Equal(1, reopened.Item.ReopenCount);
        Assert.Contains($"#{report.Id}", reopened.Timeline[^1].Text);
        // An open problem cannot be "recurred": add a measure to it instead.
        var again = await office.PostAsJsonAsync("/api/v1/problems", new
        {
            orgId, description = "第三次反映", source = SourceChannel.PublicOpinion, aspect = Aspect.Duty,
            dimension = Dimension.ForThePeople, recurrenceOfId = item.ProblemId,
        });
        await again.ExpectProblem(HttpStatusCode.BadRequest, "recurrenceOfId");
    }

    [SkippableFact]
    public async Task Ledger_Mine_MatchesHandlerByTheAccountsPersonName()
    {
        var item = await NewItem(Tag());                              // handler "张丽娟" = yx.fgj.liaison's person
        var liaison = await App.ClientFor("yx.fgj.liaison");
        var head = await App.ClientFor("yx.fgj.head");
        var mine = await liaison.GetFromJsonAsync<LedgerPage>("/api/v1/rectifications?mine=true&pageSize=500");
        Assert.Contains(mine!.Rows, r => r.Id == item.Id);
        var notMine = await head.GetFromJsonAsync<LedgerPage>("/api/v1/rectifications?mine=true&pageSize=500");
        Assert.DoesNotContain(notMine!.Rows, r => r.Id == item.Id);
    }

    [SkippableFact]
    public async Task CreateProblem_NearDuplicateOfOpenProblem_Returns409WithCandidates_ThenAcceptsWhenConfirmed()
    {
        var c = await App.ClientFor("yx.fgj.liaison");
        var orgId = await App.OrgId(Fgj);
        var first = await CreateProblem(c, "企业开办材料要求重复提交，同一证明多个窗口反复索要，群众跑腿多");
        var body = new { orgId, description = "同一证明多个窗口反复索要，企业开办材料要求重复提交，群众多次跑腿",
            source = SourceChannel.PublicOpinion, aspect = Aspect.Duty, dimension = Dimension.ForThePeople };
        var res = await c.PostAsJsonAsync("/api/v1/problems", body);
        Assert.Equal(HttpStatusCode.Conflict, res.StatusCode);
        var json = await res.Content.ReadAsStringAsync();
        Assert.Contains("possible_duplicate", json);
        Assert.Contains($"\"id\":{first.Id}", json);
        var other = await c.PostAsJsonAsync("/api/v1/problems", new
        {
            orgId, description = "老旧小区加装电梯审批慢，群众反映强烈", source = SourceChannel.Hotline, aspect = Aspect.Duty,
            dimension = Dimension.ForThePeople,
        });
        Assert.Equal(HttpStatusCode.Created, other.StatusCode);   // unrelated text is not held up
        var confirmed = await c.PostAsJsonAsync("/api/v1/problems", new
        {
            body.orgId, body.description, body.source, body.aspect, body.dimension, notDuplicate = true,
        });
        Assert.Equal(HttpStatusCode.Created, confirmed.StatusCode);
    }

    async Task<LedgerEntry> AddItem(HttpClient c, int problemId, string measures, DateOnly? deadline = null)
    {
        var res = await c.PostAsJsonAsync($"/api/v1/problems/{problemId}/items",
            new { measures, handler = "张丽娟", deadlineKind = DeadlineKind.Dated, deadline = deadline ?? Deadline() });
        return await res.Expect<LedgerEntry>(HttpStatusCode.Created);
    }

    /// A problem with one item at GZ-YX-FGJ, recorded by the liaison (or by `by`).
    async Task<LedgerEntry> NewItem(string tag, SourceChannel source = SourceChannel.SelfInspection,
        Severity severity = Severity.General, HttpClient? by = null, string orgCode = Fgj)
    {
        by ??= await App.ClientFor("yx.fgj.liaison");
        var p = await CreateProblem(by, $"{tag}：重部署轻落实，项目审批材料层层加码", orgCode, source, severity);
        return await AddItem(by, p.Id, $"{tag} 精简审批材料清单，建立一次性告知制度");
    }

    /// Uploads a file and returns the new upload's id (what a record cites).
    static async Task<string> Upload(HttpClient c, byte[] bytes, string fileName = "现场照片.png", string contentType = "image/png")
    {
        var res = await c.PostAsync("/api/v1/files", FileForm(bytes, fileName, contentType));
        var a = await res.Expect<JsonElement>(HttpStatusCode.Created);
        var id = a.GetProperty("id").GetString()!;
        Assert.Equal($"/api/v1/files/{id}", res.Headers.Location?.OriginalString);
        return id;
    }

    static MultipartFormDataContent FileForm(byte[] bytes, string fileName, string contentType)
    {
        var file = new ByteArrayContent(bytes);
        file.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        return new MultipartFormDataContent { { file, "file", fileName } };
    }

    static Task<HttpResponseMessage> Act(HttpClient c, int id, string action, string? text = null, int? percent = null,
        params string[] evidence) =>
        c.PostAsJsonAsync($"/api/v1/rectifications/{id}/{action}", new { text, percent, evidence });

    static async Task<ItemDetail> ActOk(HttpClient c, int id, string action, string? text = null, int? percent = null,
        params string[] evidence) =>
        await (await Act(c, id, action, text, percent, evidence)).Expect<ItemDetail>(HttpStatusCode.OK);

    static async Task<ItemDetail> Detail(HttpClient c, int id) =>
        await (await c.GetAsync($"/api/v1/rectifications/{id}")).Expect<ItemDetail>(HttpStatusCode.OK);

    /// Up to ClosureRequested with evidence: progress (with a PNG) then a closure request, by the liaison.
    async Task<LedgerEntry> ItemAwaitingVerification(string tag, SourceChannel source = SourceChannel.SelfInspection,
        Severity severity = Severity.General)
    {
        var liaison = await App.ClientFor("yx.fgj.liaison");
        var item = await NewItem(tag, source, severity);
        var file = await Upload(liaison, TestFiles.Png());
        await ActOk(liaison, item.Id, "progress", "已完成材料清单梳理", 80, file);
        var d = await ActOk(liaison, item.Id, "request-closure", "审批材料由 23 项精简为 9 项，已公开");
        Assert.Equal(RectStatus.ClosureRequested, d.Item.Status);
        return item;
    }

    async Task<List<AuditEntryDto>> Audit(string type, int id) =>
        await (await (await App.ClientFor("admin")).GetAsync($"/api/v1/audit?entityType={type}&entityId={id}&take=500"))
            .Expect<List<AuditEntryDto>>(HttpStatusCode.OK);

    async Task<LedgerPage> Ledger(HttpClient c, string query) =>
        await (await c.GetAsync("/api/v1/rectifications?" + query)).Expect<LedgerPage>(HttpStatusCode.OK);

    // ---- the lifecycle ----

    [SkippableFact]
    public async Task Lifecycle_ProgressReturnVerifyReopen_EveryStepOnTimelineAndAudited()
    {
        var tag = Tag();
        var liaison = await App.ClientFor("yx.fgj.liaison");
        var office = await App.ClientFor("yx.office");
        var deadline = Deadline();
        var problem = await CreateProblem(liaison, $"{tag}：窗口服务推诿扯皮，群众办事多头跑", source: SourceChannel.PublicOpinion);
        Assert.Equal("越秀区发展和改革局", problem.OrgName);
        Assert.Equal("征求意见/群众反映", problem.Source);
        Assert.Equal("职责", problem.Aspect);
        Assert.Equal("真抓实干", problem.Dimension);
        Assert.Equal("一般", problem.Severity);
        var item = await AddItem(liaison, problem.Id, $"{tag} 推行首问负责制", deadline);
        Assert.Equal(RectStatus.Pending, item.Status);
        Assert.Equal(deadline, item.Deadline);
        Assert.Equal(await App.OrgId(Fgj), item.OrgId);
        Assert.Equal(["assign", "progress", "request-extension", "start"], (await Detail(liaison, item.Id)).AllowedActions.Order().ToList());

        // progress with a photo
        var png = TestFiles.Png();
        var file = await Upload(liaison, png);
        var d = await ActOk(liaison, item.Id, "progress", "已制定首问负责制实施细则", 60, file);
        Assert.Equal(RectStatus.InProgress, d.Item.Status);
        Assert.Equal(60, d.Item.Percent);
        Assert.Equal([file], d.Timeline.Single().Evidence.Select(f => f.Id.ToString()));

        // closure requested (the photo filed with the progress report counts as evidence), then returned with a reason
        d = await ActOk(liaison, item.Id, "request-closure", "首问负责制已在全部窗口落实");
        Assert.Equal(RectStatus.ClosureRequested, d.Item.Status);
        d = await ActOk(office, item.Id, "return", "佐证材料不足，请补充群众回访记录");
        Assert.Equal(RectStatus.Returned, d.Item.Status);
        Assert.Equal("已退回", d.Item.StatusLabel);
        Assert.Equal(1, d.ReturnCount);

        // more evidence, requested again; the requester cannot verify, the superior office can
        var file2 = await Upload(liaison, TestFiles.Png());
        d = await ActOk(liaison, item.Id, "request-closure", "已补充回访记录 30 份", null, file2);
        Assert.Equal(RectStatus.ClosureRequested, d.Item.Status);
        var refused = await (await Act(liaison, item.Id, "verify")).ExpectProblem(HttpStatusCode.Forbidden);
        Assert.Equal("not_authorized_for_action", refused.GetProperty("code").GetString());
        Assert.Equal(RectStatus.ClosureRequested, (await Detail(liaison, item.Id)).Item.Status);
        d = await ActOk(office, item.Id, "verify", "核验属实");
        Assert.Equal(RectStatus.Closed, d.Item.Status);
        Assert.Equal("已销号", d.Item.StatusLabel);
        Assert.Equal(100, d.Item.Percent);
        Assert.Equal(Today.AddDays(90), d.RecheckDue);
        Assert.Equal(["confirm", "reopen"], d.AllowedActions.Order().ToList());

        // reopened by the office with a reason
        d = await ActOk(office, item.Id, "reopen", "回头看发现问题反弹");
        Assert.Equal(RectStatus.InProgress, d.Item.Status);
        Assert.Equal(1, d.Item.ReopenCount);
        Assert.Null(d.RecheckDue);
        Assert.Equal(LightLevel.Red, d.Item.Light);
        Assert.Contains("重新整改 1 次", d.Item.LightReason);
        // evidence filed before the reopen does not carry over to a new closure request
        await (await Act(liaison, item.Id, "request-closure", "已再次整改")).ExpectProblem(HttpStatusCode.BadRequest, "evidence");

        // the timeline: every transition in order, with who, what and the evidence
        var timeline = (await Detail(liaison, item.Id)).Timeline;
        Assert.Equal(["报送进展", "申请销号", "退回", "申请销号", "核验销号", "重新整改"], timeline.Select(t => t.Action).ToList());
        Assert.Equal(["待整改", "整改中", "申请销号", "已退回", "申请销号", "已销号"], timeline.Select(t => t.From).ToList());
        Assert.Equal(["整改中", "申请销号", "已退回", "申请销号", "已销号", "整改中"], timeline.Select(t => t.To).ToList());
        Assert.All(timeline.Take(2).Append(timeline[3]), t => Assert.Contains("张丽娟", t.Actor));
        Assert.All(new[] { timeline[2], timeline[4], timeline[5] }, t => Assert.Contains("何思远", t.Actor));
        Assert.Equal("佐证材料不足，请补充群众回访记录", timeline[2].Text);
        Assert.Equal("回头看发现问题反弹", timeline[5].Text);
        Assert.Equal([file2], timeline[3].Evidence.Select(f => f.Id.ToString()));

        // the audit trail: the item's creation and one update per transition, by the right accounts
        var audit = await Audit("RectItem", item.Id);
        Assert.Equal(7, audit.Count);
        audit.Reverse();
        Assert.Equal(AuditAction.Create, audit[0].Action);
        Assert.All(audit.Skip(1), e => Assert.Equal(AuditAction.Update, e.Action));
        Assert.Equal(["yx.fgj.liaison", "yx.fgj.liaison", "yx.fgj.liaison", "yx.office", "yx.fgj.liaison", "yx.office", "yx.office"],
            audit.Select(e => e.Actor).ToList());
        Assert.Equal(["Pending", "InProgress", "ClosureRequested", "Returned", "ClosureRequested", "Closed", "InProgress"],
            audit.Select(e => JsonDocument.Parse(e.After!).RootElement.GetProperty("Status").GetString()).ToList());
        // and each timeline entry is a record of its own in the chain
        foreach (var t in timeline)
        {
            var entries = await Audit("RectUpdate", t.Id);
            Assert.Equal(AuditAction.Create, Assert.Single(entries).Action);
        }
    }

    [SkippableFact]
    public async Task ClosureChain_SelfCheckThenLeadReview_BeforeVerification_ConfiguredByAdminOnly()
    {
        var admin = await App.ClientFor("admin");
        var office = await App.ClientFor("yx.office");
        var head = await App.ClientFor("yx.fgj.head");
        // Only an admin configures; stages come back in their fixed order whatever order they were sent in.
        Assert.Equal(HttpStatusCode.Forbidden, (await office.PutAsJsonAsync("/api/v1/closure-chains/LifeMeeting",
            new { stages = new[] { "UnitSelfCheck" } })).StatusCode);
        await (await admin.PutAsJsonAsync("/api/v1/closure-chains/NoSuchSource", new { stages = Array.Empty<string>() }))
            .ExpectProblem(HttpStatusCode.BadRequest, "source");
        var set = await (await admin.PutAsJsonAsync("/api/v1/closure-chains/LifeMeeting",
            new { stages = new[] { "LeadReview", "UnitSelfCheck" } })).Expect<RectApi.ClosureChainDto>(HttpStatusCode.OK);
        Assert.Equal(["单位自验", "牵头部门审核"], set.StageLabels);
        try
        {
            var item = await ItemAwaitingVerification(Tag(), SourceChannel.LifeMeeting);
            var d = await Detail(office, item.Id);
            Assert.Equal(["单位自验", "牵头部门审核"], d.PendingReviews);
            Assert.DoesNotContain("verify", d.AllowedActions);
            Assert.Equal(HttpStatusCode.Conflict, (await Act(office, item.Id, "verify", "核验")).StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, (await Act(office, item.Id, "review", "审核")).StatusCode);   // self-check first
            Assert.Contains("review", (await Detail(head, item.Id)).AllowedActions);
            await ActOk(head, item.Id, "review", "经局党组审核，整改到位");
            var reviewed = await ActOk(office, item.Id, "review", "牵头部门审核通过");
            Assert.Empty(reviewed.PendingReviews!);
            Assert.Equal(RectStatus.ClosureRequested, reviewed.Item.Status);
            var closed = await ActOk(office, item.Id, "verify", "核验通过");
            Assert.Equal(RectStatus.Closed, closed.Item.Status);
            Assert.Equal(["申请销号", "审核通过", "审核通过", "核验销号"], closed.Timeline.Select(t => t.Action).TakeLast(4));
            Assert.StartsWith("单位自验", closed.Timeline[^3].Text);
            Assert.Contains((await (await office.GetAsync("/api/v1/closure-chains")).Expect<List<RectApi.ClosureChainDto>>(HttpStatusCode.OK)),
                c => c.Source == "LifeMeeting" && c.Stages.Count == 2);
        }
        finally
        {
            await (await admin.PutAsJsonAsync("/api/v1/closure-chains/LifeMeeting", new { stages = Array.Empty<string>() }))
                .Expect<RectApi.ClosureChainDto>(HttpStatusCode.OK);
        }
        var after = await ItemAwaitingVerification(Tag(), SourceChannel.LifeMeeting);
        Assert.Contains("verify", (await Detail(office, after.Id)).AllowedActions);
    }

    [SkippableFact]
    public async Task Confirm_AfterVerify_ClearsRecheckAndStaysGreen()
    {
        var item = await ItemAwaitingVerification(Tag());
        var office = await App.ClientFor("yx.office");
        await ActOk(office, item.Id, "verify");
        var d = await ActOk(office, item.Id, "confirm", "回头看：群众满意");
        Assert.Equal(RectStatus.Confirmed, d.Item.Status);
        Assert.Null(d.RecheckDue);
        Assert.Equal(LightLevel.Green, d.Item.Light);
        Assert.Equal(["reopen"], d.AllowedActions);
    }

    // ---- separation of duties and scope ----

    [SkippableFact]
    public async Task Verify_OtherDistrictOffice_Returns404AndChangesNothing()
    {
        var item = await ItemAwaitingVerification(Tag());
        await (await Act(await App.ClientFor("hp.office"), item.Id, "verify")).ExpectProblem(HttpStatusCode.NotFound);
        await (await (await App.ClientFor("hp.office")).GetAsync($"/api/v1/rectifications/{item.Id}")).Expect(HttpStatusCode.NotFound);
        Assert.Equal(RectStatus.ClosureRequested, (await Detail(await App.ClientFor("yx.office"), item.Id)).Item.Status);
    }

    [SkippableFact]
    public async Task Verify_OwnUnitHead_Returns403()
    {
        // the unit's own head is an owner, not a verifier: a unit does not close its own items
        var item = await ItemAwaitingVerification(Tag());
        var p = await (await Act(await App.ClientFor("yx.fgj.head"), item.Id, "verify")).ExpectProblem(HttpStatusCode.Forbidden);
        Assert.Equal("not_authorized_for_action", p.GetProperty("code").GetString());
    }

    [SkippableFact]
    public async Task Verify_SeriousItem_OnlySupervisor()
    {
        var item = await ItemAwaitingVerification(Tag(), severity: Severity.Serious);
        var p = await (await Act(await App.ClientFor("yx.office"), item.Id, "verify")).ExpectProblem(HttpStatusCode.Forbidden);
        Assert.Equal("not_authorized_for_action", p.GetProperty("code").GetString());
        Assert.Contains("纪检监督", p.GetProperty("title").GetString());
        var d = await ActOk(await App.ClientFor("yx.jw"), item.Id, "verify", "核验属实");
        Assert.Equal(RectStatus.Closed, d.Item.Status);
        Assert.Contains("梁文博", d.Timeline.Last().Actor);
    }

    [SkippableFact]
    public async Task Verify_InspectionFeedbackItem_OfficeRefused_CitySupervisorAllowed()
    {
        var item = await ItemAwaitingVerification(Tag(), source: SourceChannel.InspectionFeedback);
        await (await Act(await App.ClientFor("yx.office"), item.Id, "return", "不同意")).ExpectProblem(HttpStatusCode.Forbidden);
        var d = await ActOk(await App.ClientFor("gz.jw"), item.Id, "return", "请补充巡察组意见");
        Assert.Equal(RectStatus.Returned, d.Item.Status);
    }

    [SkippableFact]
    public async Task Verify_ByTheAccountThatRequestedClosure_Returns403EvenForASupervisor()
    {
        // An account that is both the unit's liaison and a district supervisor: it may request closure, and it may
        // verify others' requests, but never its own.
        var admin = await App.ClientFor("admin");
        var userName = "rect.dual." + Guid.NewGuid().ToString("N")[..6];
        var account = await (await admin.PostAsJsonAsync("/api/v1/accounts",
            new { userName, displayName = "双重角色测试", password = "Strong@2026abc" })).Expect<AccountDto>(HttpStatusCode.Created);
        await (await admin.PostAsJsonAsync("/api/v1/roles", new { accountId = account.Id, orgId = await App.OrgId(Fgj), role = Role.Liaison }))
            .Expect(HttpStatusCode.Created);
        await (await admin.PostAsJsonAsync("/api/v1/roles", new { accountId = account.Id, orgId = await App.OrgId("GZ-YX"), role = Role.Supervisor }))
            .Expect(HttpStatusCode.Created);
        var dual = await App.ClientFor(userName);

        var item = await NewItem(Tag(), by: dual);
        var file = await Upload(dual, TestFiles.Png());
        await ActOk(dual, item.Id, "progress", "整改中", 90);
        await ActOk(dual, item.Id, "request-closure", "已整改完毕", null, file);
        var p = await (await Act(dual, item.Id, "verify")).ExpectProblem(HttpStatusCode.Forbidden);
        Assert.Equal("cannot_verify_own_closure", p.GetProperty("code").GetString());
        // someone else may
        Assert.Equal(RectStatus.Closed, (await ActOk(await App.ClientFor("yx.office"), item.Id, "verify")).Item.Status);
    }

    [SkippableFact]
    public async Task IllegalTransition_VerifyWhileInProgress_Returns409()
    {
        var liaison = await App.ClientFor("yx.fgj.liaison");
        var item = await NewItem(Tag());
        await ActOk(liaison, item.Id, "start");
        var p = await (await Act(await App.ClientFor("yx.office"), item.Id, "verify")).ExpectProblem(HttpStatusCode.Conflict);
        Assert.Equal("illegal_transition", p.GetProperty("code").GetString());
        await (await Act(liaison, item.Id, "reopen", "x")).ExpectProblem(HttpStatusCode.Conflict);
        await (await Act(liaison, item.Id, "start")).ExpectProblem(HttpStatusCode.Conflict);
        Assert.Equal(RectStatus.InProgress, (await Detail(liaison, item.Id)).Item.Status);
        Assert.Single((await Detail(liaison, item.Id)).Timeline);
    }

    [SkippableFact]
    public async Task UnknownAction_Returns404()
    {
        var item = await NewItem(Tag());
        await (await Act(await App.ClientFor("yx.fgj.liaison"), item.Id, "close-it")).Expect(HttpStatusCode.NotFound);
    }

    [SkippableFact]
    public async Task RequestClosure_WithoutEvidence_Returns400Evidence()
    {
        var liaison = await App.ClientFor("yx.fgj.liaison");
        var item = await NewItem(Tag());
        await ActOk(liaison, item.Id, "progress", "推进中", 50);
        var p = await (await Act(liaison, item.Id, "request-closure", "都改好了")).ExpectProblem(HttpStatusCode.BadRequest, "evidence");
        Assert.Equal("closure_needs_evidence", p.GetProperty("code").GetString());
        // evidence but no summary is refused as well
        var file = await Upload(liaison, TestFiles.Png());
        await (await Act(liaison, item.Id, "request-closure", " ", null, file)).ExpectProblem(HttpStatusCode.BadRequest, "evidence");
        // an upload id nobody has is not evidence, nor is a hash (even of a file the caller uploaded)
        await (await Act(liaison, item.Id, "request-closure", "都改好了", null, Guid.NewGuid().ToString()))
            .ExpectProblem(HttpStatusCode.BadRequest, "evidence");
        await (await Act(liaison, item.Id, "request-closure", "都改好了", null, new string('a', 64)))
            .ExpectProblem(HttpStatusCode.BadRequest);
        Assert.Equal(RectStatus.InProgress, (await Detail(liaison, item.Id)).Item.Status);
    }

    [SkippableFact]
    public async Task ReturnAndReopen_WithoutReason_Return400Reason()
    {
        var office = await App.ClientFor("yx.office");
        var item = await ItemAwaitingVerification(Tag());
        await (await Act(office, item.Id, "return")).ExpectProblem(HttpStatusCode.BadRequest, "reason");
        await (await Act(office, item.Id, "return", "   ")).ExpectProblem(HttpStatusCode.BadRequest, "reason");
        Assert.Equal(RectStatus.ClosureRequested, (await Detail(office, item.Id)).Item.Status);
        await ActOk(office, item.Id, "verify");
        await (await Act(office, item.Id, "reopen")).ExpectProblem(HttpStatusCode.BadRequest, "reason");
        Assert.Equal(RectStatus.Closed, (await Detail(office, item.Id)).Item.Status);
    }

    [SkippableFact]
    public async Task Progress_PercentOutOfRange_Returns400()
    {
        var liaison = await App.ClientFor("yx.fgj.liaison");
        var item = await NewItem(Tag());
        await (await Act(liaison, item.Id, "progress", "x", 101)).ExpectProblem(HttpStatusCode.BadRequest, "percent");
        await (await Act(liaison, item.Id, "progress", "x", -1)).ExpectProblem(HttpStatusCode.BadRequest, "percent");
        Assert.Equal(RectStatus.Pending, (await Detail(liaison, item.Id)).Item.Status);
    }

    [SkippableFact]
    public async Task OtherUnitLiaison_CannotSeeOrActOnItem()
    {
        var item = await NewItem(Tag());
        var hp = await App.ClientFor("hp.fgj.liaison");
        await (await Act(hp, item.Id, "progress", "越权", 10)).ExpectProblem(HttpStatusCode.NotFound);
        // a member of the unit sees it but may not report
        var member = await App.ClientFor("yx.fgj.member");
        await Detail(member, item.Id);
        await (await Act(member, item.Id, "progress", "越权", 10)).ExpectProblem(HttpStatusCode.Forbidden);
        Assert.Empty((await Detail(member, item.Id)).Timeline);
    }

    // ---- validation ----

    [SkippableFact]
    public async Task CreateProblem_MissingDescriptionAndSource_Returns400WithFields()
    {
        var before = await App.Count<Problem>();
        var res = await (await App.ClientFor("yx.fgj.liaison")).PostAsJsonAsync("/api/v1/problems",
            new { orgId = await App.OrgId(Fgj), description = "  ", aspect = Aspect.Work, dimension = Dimension.ForThePeople });
        var p = await res.ExpectProblem(HttpStatusCode.BadRequest, "description");
        Assert.True(p.GetProperty("errors").TryGetProperty("source", out _), p.ToString());
        Assert.Equal(before, await App.Count<Problem>());
    }

    [SkippableFact]
    public async Task CreateProblem_OtherUnit_IsRefused()
    {
        var res = await (await App.ClientFor("yx.fgj.liaison")).PostAsJsonAsync("/api/v1/problems", new
        {
            orgId = await App.OrgId("GZ-HP-FGJ"), description = "越权登记", source = SourceChannel.SelfInspection,
            aspect = Aspect.Work, dimension = Dimension.RealWork,
        });
        Assert.True(res.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Forbidden, await res.Describe());
    }

    public static TheoryData<string, string> BadProblems => new()
    {
        { "{\"orgId\": ORG, \"description\": \"x\", \"source\": 99, \"aspect\": 0, \"dimension\": 0}", "source" },
        { "{\"orgId\": ORG, \"description\": \"x\", \"source\": 0, \"aspect\": 7, \"dimension\": 0}", "aspect" },
        { "{\"orgId\": ORG, \"description\": \"x\", \"source\": 0, \"aspect\": 0, \"dimension\": -1}", "dimension" },
        { "{\"orgId\": ORG, \"description\": \"x\", \"source\": 0, \"aspect\": 0, \"dimension\": 0, \"severity\": 5}", "severity" },
        { "{\"orgId\": ORG, \"description\": \"HUGE\", \"source\": 0, \"aspect\": 0, \"dimension\": 0}", "description" },
    };

    [SkippableTheory]
    [MemberData(nameof(BadProblems))]
    public async Task CreateProblem_BadValue_Returns400Field(string body, string field)
    {
        var before = await App.Count<Problem>();
        body = body.Replace("ORG", (await App.OrgId(Fgj)).ToString()).Replace("HUGE", new string('问', Problem.DescriptionMax + 1));
        await (await (await App.ClientFor("yx.fgj.liaison")).PostRaw("/api/v1/problems", body)).ExpectProblem(HttpStatusCode.BadRequest, field);
        Assert.Equal(before, await App.Count<Problem>());
    }

    public static TheoryData<string, string> BadItems => new()
    {
        { "{\"measures\": \"x\", \"deadlineKind\": 0}", "deadline" },
        { "{\"measures\": \"x\"}", "deadline" },                                           // dated is the default
        { "{\"measures\": \"x\", \"deadlineKind\": 0, \"deadline\": \"2020-01-06\"}", "deadline" },
        { "{\"measures\": \"x\", \"deadlineKind\": 0, \"deadline\": \"YESTERDAY\"}", "deadline" },
        { "{\"measures\": \"x\", \"deadlineKind\": 2}", "reportEveryDays" },
        { "{\"measures\": \"x\", \"deadlineKind\": 2, \"reportEveryDays\": 3}", "reportEveryDays" },
        { "{\"measures\": \" \", \"deadlineKind\": 1}", "measures" },
        { "{\"measures\": \"x\", \"deadlineKind\": 9, \"deadline\": \"TOMORROW\"}", "deadlineKind" },
    };

    [SkippableTheory]
    [MemberData(nameof(BadItems))]
    public async Task AddItem_BadValue_Returns400Field(string body, string field)
    {
        var liaison = await App.ClientFor("yx.fgj.liaison");
        var p = await CreateProblem(liaison, $"{Tag()} 校验用问题");
        var before = await App.Count<RectItem>();
        body = body.Replace("YESTERDAY", Today.AddDays(-1).ToString("yyyy-MM-dd")).Replace("TOMORROW", Today.AddDays(1).ToString("yyyy-MM-dd"));
        await (await liaison.PostRaw($"/api/v1/problems/{p.Id}/items", body)).ExpectProblem(HttpStatusCode.BadRequest, field);
        Assert.Equal(before, await App.Count<RectItem>());
    }

    [SkippableFact]
    public async Task AddItem_ImmediateAndOngoing_GetTheirDeadlines()
    {
        var liaison = await App.ClientFor("yx.fgj.liaison");
        var p = await CreateProblem(liaison, $"{Tag()} 时限类型");
        var now = await (await liaison.PostAsJsonAsync($"/api/v1/problems/{p.Id}/items", new { measures = "立即整改", deadlineKind = DeadlineKind.Immediate }))
            .Expect<LedgerEntry>(HttpStatusCode.Created);
        Assert.Equal(Today, now.Deadline);
        Assert.Equal("立行立改", now.DeadlineKind);
        var ongoing = await (await liaison.PostAsJsonAsync($"/api/v1/problems/{p.Id}/items",
            new { measures = "长期坚持", deadlineKind = DeadlineKind.Ongoing, reportEveryDays = 30, deadline = Deadline() }))
            .Expect<LedgerEntry>(HttpStatusCode.Created);
        Assert.Null(ongoing.Deadline);
        Assert.Equal("长期坚持", ongoing.DeadlineKind);
    }

    // ---- the ledger list ----

    [SkippableFact]
    public async Task Ledger_Filters_StatusSourceTextOverdueAndOrgSubtree()
    {
        var tag = Tag();
        var liaison = await App.ClientFor("yx.fgj.liaison");
        var pending = await NewItem(tag);
        var audit = await NewItem(tag, SourceChannel.AuditFinding);
        var started = await NewItem(tag);
        await ActOk(liaison, started.Id, "progress", "推进", 10);
        // an item of another 越秀 unit, recorded by the district office
        var other = await NewItem(tag, by: await App.ClientFor("yx.office"), orgCode: "GZ-YX-JYJ");
        // one overdue: its deadline moved into the past behind the API (which refuses past deadlines)
        var overdue = await NewItem(tag);
        var (db, scope) = App.SystemDb();
        using (scope)
        {
            var row = await db.RectItems.SingleAsync(i => i.Id == overdue.Id);
            row.StartOn = Today.AddDays(-40);
            row.Deadline = Today.AddDays(-7);
            await db.SaveChangesAsync();
        }
        var office = await App.ClientFor("yx.office");
        var q = "q=" + Uri.EscapeDataString(tag);

        var all = await Ledger(office, q);
        Assert.Equal(5, all.Total);
        Assert.Equal([pending.Id, audit.Id, started.Id, other.Id, overdue.Id], all.Rows.Select(r => r.Id).Order().ToList());
        Assert.All(all.Rows, r => Assert.False(string.IsNullOrWhiteSpace(r.LightReason), $"#{r.Id} has no light reason"));
        Assert.All(all.Rows, r => Assert.False(string.IsNullOrWhiteSpace(r.LightLabel)));
        // ordered by deadline: the overdue one first
        Assert.Equal(overdue.Id, all.Rows[0].Id);

        Assert.Equal([started.Id], (await Ledger(office, q + "&status=InProgress")).Rows.Select(r => r.Id));
        Assert.Equal([started.Id], (await Ledger(office, q + $"&status={(int)RectStatus.InProgress}")).Rows.Select(r => r.Id));
        Assert.Equal([audit.Id], (await Ledger(office, q + "&source=AuditFinding")).Rows.Select(r => r.Id));
        Assert.Equal("审计发现", (await Ledger(office, q + "&source=AuditFinding")).Rows.Single().Source);

        var late = Assert.Single((await Ledger(office, q + "&overdue=true")).Rows);
        Assert.Equal(overdue.Id, late.Id);
        Assert.Equal(LightLevel.Red, late.Light);
        Assert.Contains("逾期", late.LightReason);

        // org subtree: the district includes its bureaus; a bureau only itself
        Assert.Equal(5, (await Ledger(office, q + $"&orgId={await App.OrgId("GZ-YX")}")).Total);
        Assert.Equal(4, (await Ledger(office, q + $"&orgId={await App.OrgId(Fgj)}")).Total);
        Assert.Equal([other.Id], (await Ledger(office, q + $"&orgId={await App.OrgId("GZ-YX-JYJ")}")).Rows.Select(r => r.Id));

        // the text search looks into measures and the handler too
        Assert.Equal(5, (await Ledger(office, "q=" + Uri.EscapeDataString(tag + " 精简审批材料"))).Total);
        Assert.Equal(0, (await Ledger(office, "q=" + Uri.EscapeDataString(tag + "不存在的词"))).Total);
    }

    [SkippableFact]
    public async Task Ledger_LightFilter_AgreesWithEachRowsComputedLight_AndCampaignFilter()
    {
        var tag = Tag();
        var liaison = await App.ClientFor("yx.fgj.liaison");
        var office = await App.ClientFor("yx.office");
        var fresh = await NewItem(tag);                                  // green: just assigned
        var soon = await NewItem(tag);                                   // blue: due tomorrow-ish
        var stale = await NewItem(tag);                                  // yellow: nothing reported for weeks, lagging
        var late = await NewItem(tag);                                   // red: overdue
        var returned = await ItemAwaitingVerification(tag);              // red: returned twice
        await ActOk(office, returned.Id, "return", "佐证不足");
        await ActOk(liaison, returned.Id, "request-closure", "已补充佐证");
        await ActOk(office, returned.Id, "return", "仍不足");
        var closed = await ItemAwaitingVerification(tag);                // green: closed
        await ActOk(office, closed.Id, "verify", "核验通过");
        var campaignId = 0;
        var (db, scope) = App.SystemDb();
        using (scope)
        {
            var cal = App.Services.GetRequiredService<WorkingCalendar>();
            var next = Today.AddDays(1);
            while (!cal.EstimateIsWorkingDay(next)) next = next.AddDays(1);
            var s = await db.RectItems.SingleAsync(i => i.Id == soon.Id);
            s.Deadline = next;
            var st = await db.RectItems.SingleAsync(i => i.Id == stale.Id);
            st.StartOn = Today.AddDays(-60);
            st.Deadline = Today.AddDays(60);
            var l = await db.RectItems.SingleAsync(i => i.Id == late.Id);
            l.StartOn = Today.AddDays(-40);
            l.Deadline = Today.AddDays(-3);
            campaignId = await db.Campaigns.Select(c => c.Id).FirstAsync();
            var p = await db.Problems.SingleAsync(x => x.Id == fresh.ProblemId);
            p.CampaignId = campaignId;
            await db.SaveChangesAsync();
        }
        var q = "q=" + Uri.EscapeDataString(tag);
        var all = (await Ledger(office, q + "&pageSize=100")).Rows;
        Assert.Equal(6, all.Count);
        var expected = new Dictionary<int, LightLevel>
        {
            [fresh.Id] = LightLevel.Green, [soon.Id] = LightLevel.Blue, [stale.Id] = LightLevel.Yellow, [late.Id] = LightLevel.Red,
            [returned.Id] = LightLevel.Red, [closed.Id] = LightLevel.Green,
        };
        Assert.Equal(expected, all.ToDictionary(r => r.Id, r => r.Light));
        foreach (var level in Enum.GetValues<LightLevel>())
        {
            var page = await Ledger(office, q + $"&light={level}");
            Assert.Equal(all.Where(r => r.Light == level).Select(r => r.Id).Order(), page.Rows.Select(r => r.Id).Order());
            Assert.Equal(page.Rows.Count, page.Total);
        }
        Assert.Equal([fresh.Id], (await Ledger(office, q + $"&campaignId={campaignId}")).Rows.Select(r => r.Id));
        var red = await office.GetAsync("/api/v1/rectifications/export.xlsx?light=Red&" + q);
        Assert.Equal(HttpStatusCode.OK, red.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await office.GetAsync("/api/v1/rectifications?light=9")).StatusCode);
    }

    [SkippableFact]
    public async Task Bulk_AssignAndExtension_AllOrNothing_EachOnTheTimeline()
    {
        var tag = Tag();
        var liaison = await App.ClientFor("yx.fgj.liaison");
        var office = await App.ClientFor("yx.office");
        var a = await NewItem(tag);
        var b = await NewItem(tag);
        var foreign = await NewItem(tag, by: await App.ClientFor("hp.fgj.liaison"), orgCode: "GZ-HP-FGJ");
        Task<HttpResponseMessage> Bulk(HttpClient c, object body) => c.PostAsJsonAsync("/api/v1/rectifications/bulk", body);

        // One item outside the liaison's scope: nothing changes and the refusal names that item.
        var refused = await Bulk(liaison, new { ids = new[] { a.Id, b.Id, foreign.Id }, action = "assign", handler = "李思远" });
        await refused.ExpectProblem(HttpStatusCode.BadRequest, $"items[{foreign.Id}]");
        Assert.Equal("张丽娟", (await Detail(liaison, a.Id)).Item.Handler);
        await (await Bulk(liaison, new { ids = new[] { a.Id }, action = "delete" })).ExpectProblem(HttpStatusCode.BadRequest, "action");
        await (await Bulk(liaison, new { ids = Array.Empty<int>(), action = "assign", handler = "李思远" })).ExpectProblem(HttpStatusCode.BadRequest, "ids");

        var done = await (await Bulk(liaison, new { ids = new[] { a.Id, b.Id }, action = "assign", handler = "李思远" }))
            .Expect<BulkResult>(HttpStatusCode.OK);
        Assert.Equal(2, done.Done);
        var da = await Detail(liaison, a.Id);
        Assert.Equal("李思远", da.Item.Handler);
        Assert.Equal("责任人：张丽娟 → 李思远", da.Timeline[^1].Text);

        // Extension in bulk: requested by the unit, approved by the district office (the deadline moves for both).
        var later = a.Deadline!.Value.AddDays(30);
        await (await Bulk(liaison, new { ids = new[] { a.Id, b.Id }, action = "request-extension", newDeadline = later }))
            .ExpectProblem(HttpStatusCode.BadRequest, $"items[{a.Id}]");   // no reason
        await (await Bulk(liaison, new { ids = new[] { a.Id, b.Id }, action = "request-extension", newDeadline = later, text = "需市级部门统一部署" }))
            .Expect<BulkResult>(HttpStatusCode.OK);
        await (await Bulk(liaison, new { ids = new[] { a.Id, b.Id }, action = "approve-extension" }))
            .ExpectProblem(HttpStatusCode.BadRequest, $"items[{b.Id}]");   // not the liaison's to approve
        await (await Bulk(office, new { ids = new[] { a.Id, b.Id }, action = "approve-extension", text = "同意" }))
            .Expect<BulkResult>(HttpStatusCode.OK);
        Assert.Equal(later, (await Detail(office, a.Id)).Item.Deadline);
        Assert.Equal(later, (await Detail(office, b.Id)).Item.Deadline);
    }

    [SkippableFact]
    public async Task Ledger_Scope_OtherDistrictSeesNothing_SupervisorSeesAll()
    {
        var tag = Tag();
        await NewItem(tag);
        await NewItem(tag);
        var q = "q=" + Uri.EscapeDataString(tag);
        Assert.Equal(2, (await Ledger(await App.ClientFor("yx.fgj.liaison"), q)).Total);
        Assert.Equal(2, (await Ledger(await App.ClientFor("yx.jw"), q)).Total);
        Assert.Equal(2, (await Ledger(await App.ClientFor("gz.jw"), q)).Total);
        Assert.Equal(0, (await Ledger(await App.ClientFor("hp.fgj.liaison"), q)).Total);
        Assert.Equal(0, (await Ledger(await App.ClientFor("hp.office"), q)).Total);
        // and asking for the 越秀 subtree explicitly does not widen a 黄埔 scope
        var hp = await Ledger(await App.ClientFor("hp.office"), q + $"&orgId={await App.OrgId("GZ-YX")}");
        Assert.Equal(0, hp.Total);
        Assert.Empty(hp.Rows);
        // the problem list is scoped the same way
        var problems = await (await (await App.ClientFor("hp.office")).GetAsync("/api/v1/problems?q=" + Uri.EscapeDataString(tag)))
            .Expect<List<ProblemDto>>(HttpStatusCode.OK);
        Assert.Empty(problems);
    }

    [SkippableFact]
    public async Task Ledger_Paging_TotalsAndDisjointPages()
    {
        var tag = Tag();
        var ids = new List<int>();
        for (var i = 0; i < 3; i++) ids.Add((await NewItem(tag)).Id);
        var office = await App.ClientFor("yx.office");
        var q = "q=" + Uri.EscapeDataString(tag) + "&pageSize=2";
        var p1 = await Ledger(office, q + "&page=1");
        var p2 = await Ledger(office, q + "&page=2");
        var p3 = await Ledger(office, q + "&page=3");
        Assert.Equal((3, 1, 2), (p1.Total, p1.Page, p1.PageSize));
        Assert.Equal(3, p2.Total);
        Assert.Equal(2, p1.Rows.Count);
        Assert.Single(p2.Rows);
        Assert.Empty(p3.Rows);
        Assert.Equal(ids, p1.Rows.Concat(p2.Rows).Select(r => r.Id).Order().ToList());
        // out-of-range values are clamped, not errors
        var clamped = await Ledger(office, "q=" + Uri.EscapeDataString(tag) + "&page=0&pageSize=0");
        Assert.Equal((1, 1), (clamped.Page, clamped.PageSize));
    }

    [SkippableFact]
    public async Task Ledger_UnknownStatusOrSource_IsAClientErrorOrEmpty_NeverA500()
    {
        var office = await App.ClientFor("yx.office");
        foreach (var query in new[] { "status=Nonsense", "source=abc", "status=99", "source=-3", "page=abc", "overdue=maybe" })
        {
            var res = await office.GetAsync("/api/v1/rectifications?" + query);
            Assert.True(res.StatusCode is HttpStatusCode.OK or HttpStatusCode.BadRequest, await res.Describe());
            if (res.StatusCode == HttpStatusCode.OK) Assert.Equal(0, (await res.Content.ReadFromJsonAsync<LedgerPage>(Http.Json))!.Total);
        }
    }

    // ---- the pages (server-rendered) ----

    [SkippableFact]
    public async Task LedgerPage_RendersRowsAndHonoursStatusAndSourceFilters()
    {
        var tag = Tag();
        var item = await NewItem(tag, SourceChannel.AuditFinding);
        var office = await App.ClientFor("yx.office");
        async Task<string> Page(string query)
        {
            var res = await office.GetAsync("/ledger?q=" + Uri.EscapeDataString(tag) + query);
            await res.Expect(HttpStatusCode.OK);
            return await res.Content.ReadAsStringAsync();
        }
        Assert.Contains($"href=\"/ledger/{item.Id}\"", await Page(""));
        Assert.Contains($"href=\"/ledger/{item.Id}\"", await Page("&status=Pending&source=AuditFinding"));
        Assert.Contains("共 1 项", await Page("&status=Pending"));
        Assert.DoesNotContain($"href=\"/ledger/{item.Id}\"", await Page("&status=Closed"));
        Assert.DoesNotContain($"href=\"/ledger/{item.Id}\"", await Page("&source=Hotline"));
        // junk in the query is ignored, not a 500
        Assert.Contains($"href=\"/ledger/{item.Id}\"", await Page("&status=Nonsense&source=99"));
        // the selected filter is shown as selected
        Assert.Matches("<option value=\"AuditFinding\" selected", await Page("&source=AuditFinding"));
    }

    [SkippableFact]
    public async Task ItemPage_OffersEachPartyOnlyItsOwnForms()
    {
        var item = await ItemAwaitingVerification(Tag());
        async Task<string> Html(string user)
        {
            var res = await (await App.ClientFor(user)).GetAsync($"/ledger/{item.Id}");
            await res.Expect(HttpStatusCode.OK);
            return await res.Content.ReadAsStringAsync();
        }
        var owner = await Html("yx.fgj.liaison");
        Assert.Contains("申请销号", owner);
        Assert.DoesNotContain("核验通过，予以销号", owner);
        Assert.DoesNotContain("退回整改", owner);
        var office = await Html("yx.office");
        Assert.Contains("核验通过，予以销号", office);
        Assert.Contains("退回整改", office);
        Assert.DoesNotContain("name=\"files\"", office);
        var res = await (await App.ClientFor("hp.office")).GetAsync($"/ledger/{item.Id}");
        await res.Expect(HttpStatusCode.NotFound);
    }

    // ---- files ----

    public static TheoryData<string, string, string> RefusedFiles => new()
    {
        { "html", "index.html", "text/html" },
        { "html", "photo.png", "image/png" },       // the name and the declared type do not decide
        { "svg", "logo.svg", "image/svg+xml" },
        { "exe", "setup.exe", "application/octet-stream" },
        { "exe", "scan.pdf", "application/pdf" },
        { "zip", "report.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document" },
        { "empty", "empty.png", "image/png" },
    };

    [SkippableTheory]
    [MemberData(nameof(RefusedFiles))]
    public async Task Upload_NotAnAcceptedKind_Returns400File(string kind, string fileName, string contentType)
    {
        byte[] bytes = kind switch
        {
            "html" => TestFiles.Html,
            "svg" => TestFiles.Svg,
            "exe" => TestFiles.Exe,
            "zip" => PlainZip(),
            _ => [],
        };
        var before = await App.Count<Upload>();
        var res = await (await App.ClientFor("yx.fgj.liaison")).PostAsync("/api/v1/files", FileForm(bytes, fileName, contentType));
        await res.ExpectProblem(HttpStatusCode.BadRequest, "file");
        Assert.Equal(before, await App.Count<Upload>());
    }

    static byte[] PlainZip()
    {
        using var ms = new MemoryStream();
        using (var zip = new System.IO.Compression.ZipArchive(ms, System.IO.Compression.ZipArchiveMode.Create, leaveOpen: true))
        using (var w = new StreamWriter(zip.CreateEntry("index.html").Open())) w.Write("<script>alert(1)</script>");
        return ms.ToArray();
    }

    [SkippableFact]
    public async Task Upload_SameContentTwice_TwoUploadsOfOneBlob()
    {
        var liaison = await App.ClientFor("yx.fgj.liaison");
        var png = TestFiles.Png();
        var res = await liaison.PostAsync("/api/v1/files", FileForm(png, "整改前.png", "image/png"));
        var a = await res.Expect<JsonElement>(HttpStatusCode.Created);
        var sha = a.GetProperty("sha256").GetString()!;
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(png)), sha);
        Assert.Equal("image/png", a.GetProperty("contentType").GetString());
        Assert.Equal(png.Length, a.GetProperty("size").GetInt64());
        Assert.Equal("整改前.png", a.GetProperty("name").GetString());
        var count = await App.Count<Upload>();
        var again = await Upload(liaison, png, "再传一次.png");
        Assert.NotEqual(a.GetProperty("id").GetString(), again);       // an upload of its own …
        Assert.Equal(count + 1, await App.Count<Upload>());
        Assert.Single(Directory.GetFiles(App.FilesRoot, sha, SearchOption.AllDirectories));   // … of one stored blob
    }

    [SkippableFact]
    public async Task Download_Evidence_InScope200Nosniff_OtherDistrict404()
    {
        var liaison = await App.ClientFor("yx.fgj.liaison");
        var png = TestFiles.Png();
        var file = await Upload(liaison, png);
        var sha = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(png));
        // before it is cited, only the uploader can fetch it
        await (await liaison.GetAsync($"/api/v1/files/{file}")).Expect(HttpStatusCode.OK);
        await (await (await App.ClientFor("yx.office")).GetAsync($"/api/v1/files/{file}")).Expect(HttpStatusCode.NotFound);

        var item = await NewItem(Tag());
        await ActOk(liaison, item.Id, "progress", "整改现场照片", 30, file);

        var res = await (await App.ClientFor("yx.office")).GetAsync($"/api/v1/files/{file.ToUpperInvariant()}");
        await res.Expect(HttpStatusCode.OK);
        Assert.Equal(png, await res.Content.ReadAsByteArrayAsync());
        Assert.Equal("image/png", res.Content.Headers.ContentType?.MediaType);
        Assert.Equal("nosniff", string.Join(",", res.Headers.GetValues("X-Content-Type-Options")));
        Assert.Contains("sandbox", string.Join(",", res.Headers.GetValues("Content-Security-Policy")));
        Assert.Equal("inline", res.Content.Headers.ContentDisposition?.DispositionType);

        await (await (await App.ClientFor("hp.office")).GetAsync($"/api/v1/files/{file}")).Expect(HttpStatusCode.NotFound);
        await (await (await App.ClientFor("hp.fgj.liaison")).GetAsync($"/api/v1/files/{file}")).Expect(HttpStatusCode.NotFound);
        await (await App.Anonymous().GetAsync($"/api/v1/files/{file}")).Expect(HttpStatusCode.Unauthorized);
        // the hash names no file, for anyone
        await (await liaison.GetAsync($"/api/v1/files/{sha}")).Expect(HttpStatusCode.NotFound);
        await (await (await App.ClientFor("yx.office")).GetAsync($"/api/v1/files/{sha}")).Expect(HttpStatusCode.NotFound);
    }
}

public sealed class SqliteRectificationTests(SqliteFixture app) : RectificationTestsBase(() => app), IClassFixture<SqliteFixture>;

public sealed class PostgresRectificationTests(PostgresFixture app) : RectificationTestsBase(() => app.Factory), IClassFixture<PostgresFixture>;
