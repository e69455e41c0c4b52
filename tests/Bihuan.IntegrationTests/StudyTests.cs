using System.Net;
using System.Net.Http.Json;
using System.Text;
using Bihuan.Domain;
using Bihuan.Features.Duties;
using Bihuan.Features.Files;
using Bihuan.Features.Rules;
using Bihuan.Features.Study;
using Microsoft.EntityFrameworkCore;

namespace Bihuan.IntegrationTests;

/// 学习研讨 and 建章立制 over HTTP: campaigns copied and published, plans through sign-off, submission, return and
/// approval (separation of duties, scope), meetings whose attendance records study and 补学, progress figures, rules
/// linked to ledger items and the closed-loop counts. Each test sets up its own campaign (and, where figures are
/// asserted, its own catalog or category), so the tests share one database without seeing each other's numbers.
public abstract class StudyTestsBase(Func<BihuanFactory> factory)
{
    protected BihuanFactory App => factory();

    const string Fgj = "GZ-YX-FGJ";
    static string Tag() => "测" + Guid.NewGuid().ToString("N")[..8];
    static DateOnly Today => ChinaTime.Today(TimeProvider.System);

    /// The 2026 template copied for 越秀区委 and published by the district office.
    async Task<CampaignDto> NewCampaign(List<int>? materials = null)
    {
        var office = await App.ClientFor("yx.office");
        var template = (await office.GetFromJsonAsync<List<CampaignDto>>("/api/v1/campaigns", Http.Json))!.First(c => c.IsTemplate);
        var copy = await (await office.PostAsJsonAsync($"/api/v1/campaigns/{template.Id}/copy", new
        {
            name = "越秀区" + Tag() + "学习教育", rootOrgId = await App.OrgId("GZ-YX"), studyMaterialIds = materials,
        })).Expect<CampaignDto>(HttpStatusCode.Created);
        Assert.False(copy.Published);
        Assert.Equal(template.KeyTasks, copy.KeyTasks);
        return await (await office.PostAsync($"/api/v1/campaigns/{copy.Id}/publish", null)).Expect<CampaignDto>(HttpStatusCode.OK);
    }

    async Task<Dictionary<string, int>> People(string orgCode)
    {
        var (db, scope) = App.SystemDb();
        using (scope)
        {
            var orgId = await App.OrgId(orgCode);
            return await db.People.IgnoreQueryFilters().Where(p => p.OrgId == orgId).ToDictionaryAsync(p => p.Name, p => p.Id);
        }
    }

    static object Tasks(string tag) => new[]
    {
        new { title = tag + " 班子成员逐篇学习《摘编》", owner = "陈志明", dueOn = Today.AddDays(30), keyTask = "学习研讨" },
        new { title = tag + " 建立项目审批一次性告知制度", owner = "张丽娟", dueOn = Today.AddDays(60), keyTask = "建章立制" },
    };

    static async Task<PlanDto> Act(HttpClient c, int planId, string action, string? comment = null) =>
        await (await c.PostAsJsonAsync($"/api/v1/plans/{planId}/{action}", new { comment })).Expect<PlanDto>(HttpStatusCode.OK);

    [SkippableFact]
    public async Task Plan_SignOffSubmitReturnApprove_SeparatesDutiesAndKeepsVersions()
    {
        var campaign = await NewCampaign();
        var tag = Tag();
        var liaison = await App.ClientFor("yx.fgj.liaison");
        var head = await App.ClientFor("yx.fgj.head");
        var office = await App.ClientFor("yx.office");
        var fgj = await App.OrgId(Fgj);

        var plan = await (await liaison.PostAsJsonAsync("/api/v1/plans", new
        {
            campaignId = campaign.Id, orgId = fgj,
            text = "<h3 onclick=\"alert(1)\">一、总体要求</h3><p>一体推进学查改</p><script>alert(1)</script><img src=x onerror=alert(2)>",
            tasks = Tasks(tag),
        })).Expect<PlanDto>(HttpStatusCode.Created);
        Assert.Equal("<h3>一、总体要求</h3><p>一体推进学查改</p>", plan.Text);
        Assert.Equal(PlanStatus.Draft, plan.Status);
        Assert.Equal(["edit"], plan.AllowedActions);
        // one plan per unit and campaign; a task must serve one of the campaign's key tasks
        await (await liaison.PostAsJsonAsync("/api/v1/plans", new { campaignId = campaign.Id, orgId = fgj })).ExpectProblem(HttpStatusCode.Conflict);
        await (await liaison.PutAsJsonAsync($"/api/v1/plans/{plan.Id}", new { tasks = new[] { new { title = "x", dueOn = Today, keyTask = "招商引资" } } }))
            .ExpectProblem(HttpStatusCode.BadRequest, "tasks");

        // the head signs off before submission; nobody else may
        await (await liaison.PostAsJsonAsync($"/api/v1/plans/{plan.Id}/submit", new { })).ExpectProblem(HttpStatusCode.Conflict);
        await (await liaison.PostAsJsonAsync($"/api/v1/plans/{plan.Id}/sign-off", new { })).ExpectProblem(HttpStatusCode.Forbidden);
        Assert.True((await Act(head, plan.Id, "sign-off")).SignedOff);
        var submitted = await Act(liaison, plan.Id, "submit");
        Assert.Equal((PlanStatus.Submitted, 1), (submitted.Status, submitted.Version));

        // the superior office decides; the unit cannot approve its own plan; a return needs comments
        await (await head.PostAsJsonAsync($"/api/v1/plans/{plan.Id}/approve", new { })).ExpectProblem(HttpStatusCode.Forbidden);
        await (await office.PostAsJsonAsync($"/api/v1/plans/{plan.Id}/return", new { comment = " " })).ExpectProblem(HttpStatusCode.BadRequest, "comment");
        var returned = await Act(office, plan.Id, "return", "请补充开门教育的安排");
        Assert.Equal((PlanStatus.Returned, "请补充开门教育的安排", 1), (returned.Status, returned.LastComment, returned.ReturnCount));

        // another district never sees it
        var hp = await App.ClientFor("hp.office");
        Assert.Equal(HttpStatusCode.NotFound, (await hp.GetAsync($"/api/v1/plans/{plan.Id}")).StatusCode);
        await (await hp.PostAsJsonAsync($"/api/v1/plans/{plan.Id}/approve", new { })).Expect(HttpStatusCode.NotFound);
        Assert.DoesNotContain((await hp.GetFromJsonAsync<List<PlanRow>>($"/api/v1/plans?campaignId={campaign.Id}", Http.Json))!, p => p.Id == plan.Id);
        Assert.Contains((await office.GetFromJsonAsync<List<PlanRow>>($"/api/v1/plans?campaignId={campaign.Id}&orgId={await App.OrgId("GZ-YX")}", Http.Json))!,
            p => p.Id == plan.Id && p.Status == PlanStatus.Returned && p.ReturnCount == 1);
        // and a unit outside the campaign's subtree cannot draft one
        await (await (await App.ClientFor("hp.fgj.liaison")).PostAsJsonAsync("/api/v1/plans", new { campaignId = campaign.Id, orgId = await App.OrgId("GZ-HP-FGJ") }))
            .ExpectProblem(HttpStatusCode.BadRequest, "campaignId");

        // revised, signed off again, resubmitted: version 2, compared side by side with version 1
        var edited = await (await liaison.PutAsJsonAsync($"/api/v1/plans/{plan.Id}", new
        {
            text = "<h3>一、总体要求</h3><p>一体推进学查改，突出开门教育</p>",
            tasks = new[] { new { title = tag + " 走访辖区重点企业", owner = "李晓华", dueOn = Today.AddDays(20), keyTask = "开门教育" } },
        })).Expect<PlanDto>(HttpStatusCode.OK);
        Assert.Equal(PlanStatus.Draft, edited.Status);
        await Act(head, plan.Id, "sign-off");
        await Act(liaison, plan.Id, "submit");
        var diff = await liaison.GetFromJsonAsync<List<TextDiff.Row>>($"/api/v1/plans/{plan.Id}/diff?from=1&to=2", Http.Json);
        Assert.Contains(diff!, r => r.Kind == TextDiff.Kind.Same && r.Left == "一、总体要求");
        Assert.Contains(diff!, r => r.Kind == TextDiff.Kind.Changed && r.Left == "一体推进学查改" && r.Right == "一体推进学查改，突出开门教育");
        Assert.Contains(diff!, r => r.Right is { } right && right.Contains("走访辖区重点企业"));

        // plan tasks are duties only once approved
        var duties = $"/api/v1/duties?orgId={fgj}";
        Assert.DoesNotContain((await liaison.GetFromJsonAsync<List<DutyRow>>(duties, Http.Json))!, d => d.Title.Contains(tag));
        var approved = await Act(office, plan.Id, "approve", "同意");
        Assert.Equal(PlanStatus.Approved, approved.Status);
        Assert.Equal(["修改方案", "主要负责人签批", "报送上级", "退回修改", "修改方案", "主要负责人签批", "报送上级", "审核通过"],
            approved.Timeline.Select(t => t.Action));
        var open = (await liaison.GetFromJsonAsync<List<DutyRow>>(duties, Http.Json))!.Where(d => d.Title.Contains(tag)).ToList();
        var duty = Assert.Single(open);
        Assert.Equal(("方案任务", $"/plans/{plan.Id}", Today.AddDays(20)), (duty.Kind, duty.Link, duty.DueOn));
        Assert.False(string.IsNullOrEmpty(duty.LightReason));
        // duties are scoped like everything else
        Assert.Empty((await hp.GetFromJsonAsync<List<DutyRow>>(duties, Http.Json))!);
        // done: no longer open
        var taskId = approved.Tasks.Single().Id;
        await (await hp.PostAsync($"/api/v1/duties/tasks/{taskId}/done", null)).Expect(HttpStatusCode.NotFound);
        await (await (await App.ClientFor("yx.fgj.member")).PostAsync($"/api/v1/duties/tasks/{taskId}/done", null)).ExpectProblem(HttpStatusCode.Forbidden);
        Assert.Equal(Today, (await (await liaison.PostAsync($"/api/v1/duties/tasks/{taskId}/done", null)).Expect<PlanTaskDto>(HttpStatusCode.OK)).DoneOn);
        Assert.DoesNotContain((await liaison.GetFromJsonAsync<List<DutyRow>>(duties, Http.Json))!, d => d.Title.Contains(tag));

        // the office sees which sub-units have not submitted
        var status = await office.GetFromJsonAsync<List<SubUnitPlan>>($"/api/v1/campaigns/{campaign.Id}/plan-status?orgId={await App.OrgId("GZ-YX")}", Http.Json);
        Assert.Contains(status!, s => s.OrgId == fgj && s.Submitted && s.PlanId == plan.Id);
        var jyj = await App.OrgId("GZ-YX-JYJ");
        Assert.Contains(status!, s => s.OrgId == jyj && !s.Submitted && s.StatusLabel == "未起草");
    }

    [SkippableFact]
    public async Task Campaign_CopyAndPublish_OnlyByAnOfficeOverTheRoot()
    {
        var liaison = await App.ClientFor("yx.fgj.liaison");
        var template = (await liaison.GetFromJsonAsync<List<CampaignDto>>("/api/v1/campaigns", Http.Json))!.First(c => c.IsTemplate);
        await (await liaison.PostAsJsonAsync($"/api/v1/campaigns/{template.Id}/copy", new { rootOrgId = await App.OrgId(Fgj) }))
            .ExpectProblem(HttpStatusCode.Forbidden);
        var hp = await App.ClientFor("hp.office");
        await (await hp.PostAsJsonAsync($"/api/v1/campaigns/{template.Id}/copy", new { rootOrgId = await App.OrgId("GZ-YX") }))
            .ExpectProblem(HttpStatusCode.NotFound);
        await (await hp.PostAsync($"/api/v1/campaigns/{template.Id}/publish", null)).ExpectProblem(HttpStatusCode.Conflict);
        var campaign = await NewCampaign();
        Assert.True(campaign.Published);
        await (await (await App.ClientFor("yx.office")).PutAsJsonAsync($"/api/v1/campaigns/{campaign.Id}", new { name = "改名" }))
            .ExpectProblem(HttpStatusCode.Conflict);
        await (await hp.PostAsJsonAsync($"/api/v1/campaigns/{template.Id}/copy", new { rootOrgId = await App.OrgId("GZ-HP"), keyTasks = new[] { "学习研讨" }, endsOn = "2026-01-01", startsOn = "2026-02-01" }))
            .ExpectProblem(HttpStatusCode.BadRequest, "endsOn");
    }

    /// A catalog of its own (one core and one further article), imported by the administrator from a CSV.
    async Task<(int Material, int Core, int Extra)> NewCatalog(string tag)
    {
        var admin = await App.ClientFor("admin");
        var csv = $"材料,章节,篇目,核心\n《{tag}》,第一章,{tag}第一篇,是\n《{tag}》,第一章,{tag}第二篇,否\n";
        HttpContent File() => new MultipartFormDataContent { { new ByteArrayContent(Encoding.UTF8.GetBytes(csv)), "file", "catalog.csv" } };
        var check = await (await admin.PostAsync("/api/v1/study/materials/import", File())).Expect<ImportReport>(HttpStatusCode.OK);
        Assert.Equal((false, 2, 2), (check.Committed, check.Articles, check.New));
        await (await (await App.ClientFor("yx.office")).PostAsync("/api/v1/study/materials/import?commit=true", File())).ExpectProblem(HttpStatusCode.Forbidden);
        var done = await (await admin.PostAsync("/api/v1/study/materials/import?commit=true", File())).Expect<ImportReport>(HttpStatusCode.OK);
        Assert.True(done.Committed);
        var again = await (await admin.PostAsync("/api/v1/study/materials/import?commit=true", File())).Expect<ImportReport>(HttpStatusCode.OK);
        Assert.Equal(0, again.New);                                          // a re-import changes nothing
        var bad = new MultipartFormDataContent { { new ByteArrayContent(Encoding.UTF8.GetBytes("材料,篇目\n,无材料\n")), "file", "bad.csv" } };
        await (await admin.PostAsync("/api/v1/study/materials/import?commit=true", bad)).ExpectProblem(HttpStatusCode.BadRequest, "file");
        var m = (await admin.GetFromJsonAsync<List<MaterialDto>>("/api/v1/study/materials", Http.Json))!.Single(x => x.Title == $"《{tag}》");
        return (m.Id, m.Articles.Single(a => a.IsCore).Id, m.Articles.Single(a => !a.IsCore).Id);
    }

    [SkippableFact]
    public async Task Meeting_WithAttendance_RecordsStudyForPresent_MakeUpForAbsent_AndProgressAddsUp()
    {
        var tag = Tag();
        var (material, core, extra) = await NewCatalog(tag);
        var campaign = await NewCampaign([material]);
        var liaison = await App.ClientFor("yx.fgj.liaison");
        var people = await People(Fgj);
        var types = await liaison.GetFromJsonAsync<List<MeetingTypeRow>>("/api/v1/meeting-types", Http.Json);
        var group = types!.Single(t => t.Name == "理论学习中心组学习会").Id;
        var fgj = await App.OrgId(Fgj);
        object Meeting(object[] attendance) => new
        {
            orgId = fgj, campaignId = campaign.Id, title = tag + " 理论学习中心组学习会", typeIds = new[] { group, types!.Single(t => t.Name == "研讨交流").Id },
            heldOn = Today, place = "局三楼会议室", chair = "陈志明",
            items = new object[] { new { kind = AgendaKind.Convey, title = "集中学习", articleId = core }, new { kind = AgendaKind.Deploy, title = "部署查摆工作" } },
            decisions = new[] { new { title = tag + " 梳理审批事项清单", owner = "李晓华", dueOn = Today.AddDays(10) } },
            attendance,
        };
        // a leave needs its reason; only the host org's people can attend
        await (await liaison.PostAsJsonAsync("/api/v1/meetings", Meeting([new { personId = people["刘伟"], status = AttendanceStatus.Leave }])))
            .ExpectProblem(HttpStatusCode.BadRequest, "attendance");
        var outsider = (await People("GZ-YX-JYJ"))["林静"];
        await (await liaison.PostAsJsonAsync("/api/v1/meetings", Meeting([new { personId = outsider, status = AttendanceStatus.Present }])))
            .ExpectProblem(HttpStatusCode.BadRequest, "attendance");

        var meeting = await (await liaison.PostAsJsonAsync("/api/v1/meetings", Meeting(
        [
            new { personId = people["陈志明"], status = AttendanceStatus.Present, spoke = true },
            new { personId = people["李晓华"], status = AttendanceStatus.Present },
            new { personId = people["张丽娟"], status = AttendanceStatus.Present },
            new { personId = people["刘伟"], status = AttendanceStatus.Absent },
        ]))).Expect<MeetingDto>(HttpStatusCode.Created);
        Assert.Equal(2, meeting.Types.Count);                              // 套开
        Assert.Equal((3, 1), (meeting.StudyRecords, meeting.MakeUps));
        Assert.Equal("缺席", meeting.Attendance.Single(a => a.Name == "刘伟").Status);

        // 陈志明 and 李晓华 (leadership) owe both articles, the others the core one: 6 required, 3 done, 刘伟 not started
        var office = await App.ClientFor("yx.office");
        var progress = await office.GetFromJsonAsync<ProgressReport>($"/api/v1/campaigns/{campaign.Id}/progress?orgId={fgj}", Http.Json);
        Assert.Equal(new StudyProgress.Summary(4, 1, 1, 6, 3, 1), progress!.Total);
        var yx = await office.GetFromJsonAsync<ProgressReport>($"/api/v1/campaigns/{campaign.Id}/progress?orgId={await App.OrgId("GZ-YX")}", Http.Json);
        Assert.Equal(progress.Total, yx!.Units.Single(u => u.OrgId == fgj).Summary);

        // decisions and the 补学 are duties of the unit
        var duties = (await liaison.GetFromJsonAsync<List<DutyRow>>($"/api/v1/duties?orgId={fgj}", Http.Json))!;
        Assert.Contains(duties, d => d.Kind == "会议决定" && d.Title == tag + " 梳理审批事项清单" && d.Link == $"/meetings/{meeting.Id}");
        Assert.Contains(duties, d => d.Kind == "补学" && d.Owner == "刘伟" && d.Link == $"/meetings/{meeting.Id}");

        // 刘伟 makes it up by self-study (his account is linked to his person): the 补学 is done, progress moves
        var member = await App.ClientFor("yx.fgj.member");
        await (await member.PostAsJsonAsync("/api/v1/study/records", new { articleId = core, studiedOn = Today.AddDays(1) }))
            .ExpectProblem(HttpStatusCode.BadRequest, "studiedOn");
        await (await member.PostAsJsonAsync("/api/v1/study/records", new { articleId = core, studiedOn = Today, personId = people["张丽娟"] }))
            .ExpectProblem(HttpStatusCode.Forbidden);
        var rec = await (await member.PostAsJsonAsync("/api/v1/study/records", new { articleId = core, studiedOn = Today, notes = "心得：为民造福是最大政绩" }))
            .Expect<StudyRecordDto>(HttpStatusCode.Created);
        Assert.Equal((people["刘伟"], "个人自学"), (rec.PersonId, rec.Way));
        Assert.DoesNotContain((await liaison.GetFromJsonAsync<List<DutyRow>>($"/api/v1/duties?orgId={fgj}", Http.Json))!,
            d => d.Kind == "补学" && d.Owner == "刘伟" && d.Link == $"/meetings/{meeting.Id}");
        progress = await office.GetFromJsonAsync<ProgressReport>($"/api/v1/campaigns/{campaign.Id}/progress?orgId={fgj}", Http.Json);
        Assert.Equal(new StudyProgress.Summary(4, 0, 2, 6, 4, 1), progress!.Total);
        var mine = await member.GetFromJsonAsync<MyStudy>("/api/v1/study/mine", Http.Json);
        Assert.Equal(campaign.Id, mine!.CampaignId);
        Assert.Equal((1, 1), (mine.Progress!.Required, mine.Progress.Completed));
        Assert.Contains(mine.MakeUps, m => m.MeetingId == meeting.Id && m.Done);
        Assert.Contains(mine.Articles, a => a.Id == extra && a.StudiedOn is null && !a.Required);

        // scope: another district does not see the meeting
        Assert.Equal(HttpStatusCode.NotFound, (await (await App.ClientFor("hp.office")).GetAsync($"/api/v1/meetings/{meeting.Id}")).StatusCode);
        var counts = await office.GetFromJsonAsync<List<MeetingCount>>($"/api/v1/meetings/counts?orgId={await App.OrgId("GZ-YX")}", Http.Json);
        Assert.Contains(counts!, c => c.OrgId == fgj && c.Type == "理论学习中心组学习会" && c.Count >= 1);
    }

    sealed record MeetingTypeRow(int Id, string Name, bool IsStudy);

    [SkippableFact]
    public async Task Meeting_Attachment_IsServedToThoseWhoSeeTheMeetingOnly()
    {
        var liaison = await App.ClientFor("yx.fgj.liaison");
        var png = TestFiles.Png(note: Tag());
        var upload = new MultipartFormDataContent { { new ByteArrayContent(png), "file", "会议照片.png" } };
        var file = await (await liaison.PostAsync("/api/v1/files", upload)).Expect<FileRef>(HttpStatusCode.Created);
        var types = await liaison.GetFromJsonAsync<List<MeetingTypeRow>>("/api/v1/meeting-types", Http.Json);
        await (await liaison.PostAsJsonAsync("/api/v1/meetings", new
        {
            orgId = await App.OrgId(Fgj), title = "部务会", typeIds = new[] { types![0].Id }, heldOn = Today, attachments = new[] { Guid.NewGuid() },
        })).ExpectProblem(HttpStatusCode.BadRequest, "attachments");
        var meeting = await (await liaison.PostAsJsonAsync("/api/v1/meetings", new
        {
            orgId = await App.OrgId(Fgj), title = "部务会", typeIds = new[] { types[0].Id }, heldOn = Today, minutes = "研究部署学习教育", attachments = new[] { file.Id },
        })).Expect<MeetingDto>(HttpStatusCode.Created);
        Assert.Equal([file.Id], meeting.Attachments.Select(a => a.Id));
        var head = await App.ClientFor("yx.fgj.head");                 // not the uploader, sees the meeting
        var got = await head.GetAsync(file.Url);
        await got.Expect(HttpStatusCode.OK);
        Assert.Equal(png, await got.Content.ReadAsByteArrayAsync());
        Assert.Equal(HttpStatusCode.NotFound, (await (await App.ClientFor("hp.office")).GetAsync(file.Url)).StatusCode);
    }

    [SkippableFact]
    public async Task Rule_LinkedToRectifiedItem_CountsInTheClosedLoop()
    {
        var tag = Tag();
        int category, closedItem, closedProblem;
        var (db, scope) = App.SystemDb();
        using (scope)
        {
            // A category of this test's own, with a problem rectified and closed, one still open, and one recurrence.
            var c = new DeviationCategory { Name = tag, SortOrder = 9000 };
            db.Categories.Add(c);
            await db.SaveChangesAsync();
            category = c.Id;
            var fgj = await App.OrgId(Fgj);
            Problem P(string d, int? recurrenceOf = null) => new()
            {
                OrgId = fgj, Description = tag + d, Source = SourceChannel.SelfInspection, Aspect = Aspect.Work, CategoryId = category,
                Dimension = Dimension.RealWork, CreatedAt = DateTime.UtcNow, RecurrenceOfId = recurrenceOf,
            };
            var p1 = P("审批材料重复提交");
            var p2 = P("检查考核过多");
            db.Problems.AddRange(p1, p2);
            await db.SaveChangesAsync();
            RectItem I(Problem p, RectStatus s) => new()
            {
                ProblemId = p.Id, OrgId = fgj, Measures = "精简", Status = s, StartOn = Today, Deadline = Today.AddDays(10), CreatedAt = DateTime.UtcNow,
            };
            var i1 = I(p1, RectStatus.Closed);
            db.RectItems.AddRange(i1, I(p2, RectStatus.InProgress));
            db.Problems.Add(P("审批材料又要求重复提交", p1.Id));
            await db.SaveChangesAsync();
            (closedItem, closedProblem) = (i1.Id, p1.Id);
        }
        var liaison = await App.ClientFor("yx.fgj.liaison");
        var fgjId = await App.OrgId(Fgj);
        await (await liaison.PostAsJsonAsync("/api/v1/rules", new { orgId = fgjId, title = tag, status = RuleStatus.Issued }))
            .ExpectProblem(HttpStatusCode.BadRequest, "issuedOn");
        await (await (await App.ClientFor("hp.fgj.liaison")).PostAsJsonAsync("/api/v1/rules", new
        {
            orgId = await App.OrgId("GZ-HP-FGJ"), title = tag, status = RuleStatus.Issued, issuedOn = Today, rectItemIds = new[] { closedItem },
        })).ExpectProblem(HttpStatusCode.BadRequest, "rectItemIds");
        var rule = await (await liaison.PostAsJsonAsync("/api/v1/rules", new
        {
            orgId = fgjId, title = tag + "项目审批一次性告知制度", docNumber = "越发改〔2026〕12号", status = RuleStatus.Issued,
            issuedOn = Today.AddDays(-1), nextReviewOn = Today.AddDays(365), rectItemIds = new[] { closedItem },
        })).Expect<RuleDto>(HttpStatusCode.Created);
        Assert.Equal([category], rule.CategoryIds);                        // taken from the source problem
        Assert.Equal([closedProblem], rule.ProblemIds);
        Assert.Equal("已印发", rule.StatusLabel);

        var linked = await liaison.GetFromJsonAsync<List<RuleDto>>($"/api/v1/rules?rectItemId={closedItem}", Http.Json);
        Assert.Equal(rule.Id, Assert.Single(linked!).Id);
        var loop = await liaison.GetFromJsonAsync<LoopCounts>($"/api/v1/rules/loop?categoryId={category}", Http.Json);
        Assert.Equal(new LoopCounts(3, 1, 1, 1, 1), loop);
        var byCat = await liaison.GetFromJsonAsync<List<LoopRow>>($"/api/v1/rules/loop/by-category?orgId={fgjId}", Http.Json);
        Assert.Equal(loop, byCat!.Single(r => r.CategoryId == category).Counts);

        // abolished rules no longer count; other districts see neither the rule nor the counts
        await (await liaison.PatchJson($"/api/v1/rules/{rule.Id}", new { status = RuleStatus.Abolished })).Expect(HttpStatusCode.OK);
        Assert.Equal(0, (await liaison.GetFromJsonAsync<LoopCounts>($"/api/v1/rules/loop?categoryId={category}", Http.Json))!.RulesMade);
        var hp = await App.ClientFor("hp.office");
        Assert.Equal(HttpStatusCode.NotFound, (await hp.GetAsync($"/api/v1/rules/{rule.Id}")).StatusCode);
        Assert.Equal(new LoopCounts(0, 0, 0, 0, 0), await hp.GetFromJsonAsync<LoopCounts>($"/api/v1/rules/loop?categoryId={category}", Http.Json));
        await (await liaison.PostRaw("/api/v1/rules", "{\"orgId\":" + fgjId + ",\"title\":\"x\",\"status\":42}")).ExpectProblem(HttpStatusCode.BadRequest, "status");
    }
}

public abstract class StudyInputTestsBase(Func<BihuanFactory> factory)
{
    BihuanFactory App => factory();

    [SkippableFact]
    public async Task BadInput_IsAProblemNeverA500_AndMeetingTypesAreAdminEditable()
    {
        var office = await App.ClientFor("yx.office");
        var liaison = await App.ClientFor("yx.fgj.liaison");
        var admin = await App.ClientFor("admin");
        var template = (await office.GetFromJsonAsync<List<CampaignDto>>("/api/v1/campaigns", Http.Json))!.First(c => c.IsTemplate);
        await (await office.PostAsJsonAsync("/api/v1/campaigns/999999/copy", new { rootOrgId = await App.OrgId("GZ-YX") })).ExpectProblem(HttpStatusCode.NotFound);
        var copy = await (await office.PostAsJsonAsync($"/api/v1/campaigns/{template.Id}/copy", new { rootOrgId = await App.OrgId("GZ-YX") }))
            .Expect<CampaignDto>(HttpStatusCode.Created);
        await (await office.PostAsync($"/api/v1/campaigns/{copy.Id}/publish", null)).Expect(HttpStatusCode.OK);
        // text that grows when re-encoded ("<" → "&lt;") past the limit is refused, not truncated by the database
        await (await liaison.PostAsJsonAsync("/api/v1/plans", new { campaignId = copy.Id, orgId = await App.OrgId("GZ-YX-FGJ"), text = new string('<', 59_000) }))
            .ExpectProblem(HttpStatusCode.BadRequest, "text");
        await (await liaison.PostAsJsonAsync("/api/v1/plans", new { campaignId = copy.Id, orgId = await App.OrgId("GZ-YX-FGJ"), tasks = new[] { new { title = "x", dueOn = "2026-12-01", owner = new string('人', 101) } } }))
            .ExpectProblem(HttpStatusCode.BadRequest, "tasks");
        var fgj = await App.OrgId("GZ-YX-FGJ");
        var types = await liaison.GetFromJsonAsync<List<MeetingTypeDto>>("/api/v1/meeting-types", Http.Json);
        await (await liaison.PostAsJsonAsync("/api/v1/meetings", new
        {
            orgId = fgj, title = "部务会", typeIds = new[] { types![0].Id }, heldOn = ChinaTime.Today(TimeProvider.System),
            decisions = new[] { new { title = "落实", owner = new string('人', 101), dueOn = "2026-12-01" } },
        })).ExpectProblem(HttpStatusCode.BadRequest, "decisions");
        await (await liaison.PostRaw("/api/v1/meetings", "{\"orgId\":" + fgj + ",\"title\":\"x\",\"typeIds\":[" + types[0].Id + "],\"heldOn\":\"2026-11-01\",\"items\":[{\"kind\":9,\"title\":\"x\"}]}"))
            .ExpectProblem(HttpStatusCode.BadRequest, "items");
        await (await liaison.PostRaw("/api/v1/meetings", "{\"orgId\":\"abc\"}")).ExpectProblem(HttpStatusCode.BadRequest);
        Assert.Equal(HttpStatusCode.OK, (await liaison.GetAsync($"/api/v1/meetings?orgId={fgj}&month=garbage")).StatusCode);

        // meeting types: administrators add, rename and archive them
        await (await liaison.PostAsJsonAsync("/api/v1/meeting-types", new { name = "主题党日" })).ExpectProblem(HttpStatusCode.Forbidden);
        var name = "主题党日" + Guid.NewGuid().ToString("N")[..4];
        var added = await (await admin.PostAsJsonAsync("/api/v1/meeting-types", new { name, isStudy = true })).Expect<MeetingTypeDto>(HttpStatusCode.Created);
        await (await admin.PostAsJsonAsync("/api/v1/meeting-types", new { name })).ExpectProblem(HttpStatusCode.BadRequest, "name");
        Assert.Contains((await liaison.GetFromJsonAsync<List<MeetingTypeDto>>("/api/v1/meeting-types", Http.Json))!, t => t.Id == added.Id && t.IsStudy);
        await (await admin.PatchJson($"/api/v1/meeting-types/{added.Id}", new { archived = true })).Expect(HttpStatusCode.OK);
        Assert.DoesNotContain((await liaison.GetFromJsonAsync<List<MeetingTypeDto>>("/api/v1/meeting-types", Http.Json))!, t => t.Id == added.Id);
    }

    sealed record MeetingTypeDto(int Id, string Name, bool IsStudy);
}

public sealed class SqliteStudyInputTests(SqliteFixture app) : StudyInputTestsBase(() => app), IClassFixture<SqliteFixture>;

public sealed class PostgresStudyInputTests(PostgresFixture app) : StudyInputTestsBase(() => app.Factory), IClassFixture<PostgresFixture>;

public sealed class SqliteStudyTests(SqliteFixture app) : StudyTestsBase(() => app), IClassFixture<SqliteFixture>;

public sealed class PostgresStudyTests(PostgresFixture app) : StudyTestsBase(() => app.Factory), IClassFixture<PostgresFixture>;
