using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Bihuan.Domain;
using Bihuan.Features.Demands;
using Bihuan.Features.Rectification;
using Microsoft.EntityFrameworkCore;

namespace Bihuan.IntegrationTests;

/// 开门教育 over HTTP: the public portal's plain forms (submit, look up, rate), the staff work-order lifecycle with
/// 退单, 延期, 重办, 合并 and escalation into the ledger, scope, privacy, and the 200-submission ticket race.
/// Every test submits its own demands, tagged with unique Chinese text, so tests share one database.
public abstract partial class PortalHelpers(Func<BihuanFactory> factory)
{
    protected BihuanFactory App => factory();

    protected static string Tag() => new(Guid.NewGuid().ToString("N")[..10].Select(c => "零一二三四五六七八九甲乙丙丁戊己"[Convert.ToInt32(c.ToString(), 16)]).ToArray());

    static int _phone = Random.Shared.Next(0, 9_000_000);
    protected static string Phone() => $"137{Interlocked.Increment(ref _phone) % 100_000_000:D8}";

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex Antiforgery();
    [GeneratedRegex("name=\"Input.ChallengeToken\" value=\"([^\"]+)\"")]
    private static partial Regex ChallengeToken();
    [GeneratedRegex(@"id=""question"">(\d+) \+ (\d+) = \?")]
    private static partial Regex Question();
    [GeneratedRegex("id=\"ticket\">([^<]+)<")]
    internal static partial Regex TicketOut();
    [GeneratedRegex("id=\"code\">([^<]+)<")]
    internal static partial Regex CodeOut();

    public sealed record Form(string Token, string Challenge, int Answer);

    internal static async Task<Form> GetForm(HttpClient c)
    {
        var html = WebUtility.HtmlDecode(await (await c.GetAsync("/public/submit")).Content.ReadAsStringAsync());
        var q = Question().Match(html);
        Assert.True(q.Success, "no challenge on the form");
        return new(Antiforgery().Match(html).Groups[1].Value, ChallengeToken().Match(html).Groups[1].Value,
            int.Parse(q.Groups[1].Value) + int.Parse(q.Groups[2].Value));
    }

    internal static async Task<HttpResponseMessage> PostSubmit(HttpClient c, Form f, Dictionary<string, string?> fields,
        params (byte[] Bytes, string Name, string Type)[] images)
    {
        var content = new MultipartFormDataContent
        {
            { new StringContent("submit"), "_handler" },
            { new StringContent(f.Token), "__RequestVerificationToken" },
            { new StringContent(f.Challenge), "Input.ChallengeToken" },
        };
        if (!fields.ContainsKey("Input.Answer")) content.Add(new StringContent(f.Answer.ToString()), "Input.Answer");
        foreach (var (k, v) in fields) if (v is not null) content.Add(new StringContent(v), k);
        foreach (var (bytes, name, type) in images)
        {
            var file = new ByteArrayContent(bytes);
            file.Headers.ContentType = new MediaTypeHeaderValue(type);
            content.Add(file, "images", name);
        }
        return await c.PostAsync("/public/submit", content);
    }

    internal static Dictionary<string, string?> Fields(DemandType type, string content, string? phone, string? name = null,
        int? orgId = null, string? location = null, bool anonymous = false) => new()
    {
        ["Input.Type"] = type.ToString(), ["Input.Content"] = content, ["Input.Phone"] = phone, ["Input.Name"] = name,
        ["Input.OrgId"] = orgId?.ToString() ?? "", ["Input.Location"] = location, ["Input.Anonymous"] = anonymous ? "true" : null,
    };

    /// A citizen submits through the public form (no account): returns ticket and query code.
    protected async Task<(string Ticket, string Code)> Submit(DemandType type, string content, string? phone = null, string? name = null,
        int? orgId = null, string? location = null, bool anonymous = false)
    {
        var c = App.Anonymous();
        var res = await PostSubmit(c, await GetForm(c), Fields(type, content, anonymous ? null : phone ?? Phone(), name, orgId, location, anonymous));
        var html = await res.Content.ReadAsStringAsync();
        Assert.True(res.StatusCode == HttpStatusCode.OK && TicketOut().IsMatch(html), await res.Describe());
        return (TicketOut().Match(html).Groups[1].Value, CodeOut().Match(html).Groups[1].Value);
    }

    protected async Task<int> IdOf(string ticket)
    {
        var page = await (await App.ClientFor("gz.hotline")).GetFromJsonAsync<WorkOrderListPage>($"/api/v1/workorders?q={ticket}", Http.Json);
        return Assert.Single(page!.Rows).Id;
    }

    protected static async Task<WorkOrderDetail> Act(HttpClient c, int id, string action, object? body = null)
    {
        var res = await c.PostAsJsonAsync($"/api/v1/workorders/{id}/{action}", body ?? new { text = "说明" });
        return await res.Expect<WorkOrderDetail>(HttpStatusCode.OK);
    }

    /// The public status page (POST ticket + code), as the citizen sees it.
    protected async Task<string> Status(string ticket, string code)
    {
        var c = App.Anonymous();
        var token = Antiforgery().Match(await (await c.GetAsync("/public/status")).Content.ReadAsStringAsync()).Groups[1].Value;
        var res = await c.PostAsync("/public/status", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "lookup", ["__RequestVerificationToken"] = token, ["Lookup.Ticket"] = ticket, ["Lookup.Code"] = code,
        }));
        return await res.Content.ReadAsStringAsync();
    }

    protected async Task<HttpResponseMessage> Rate(string ticket, string code, Rating rating, string comment = "")
    {
        var c = App.Anonymous();
        var token = Antiforgery().Match(await (await c.GetAsync("/public/status")).Content.ReadAsStringAsync()).Groups[1].Value;
        return await c.PostAsync("/public/status", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "rate", ["__RequestVerificationToken"] = token, ["Rate.Ticket"] = ticket, ["Rate.Code"] = code,
            ["Rate.Rating"] = rating.ToString(), ["Rate.Comment"] = comment,
        }));
    }

}

/// The portal and the work-order lifecycle (see PortalHelpers for how a citizen and staff are driven).
public abstract class PortalTestsBase(Func<BihuanFactory> factory) : PortalHelpers(factory)
{
    [SkippableFact]
    public async Task Complaint_FullLifecycle_SendBackExtensionSignOffRedoAndKpis()
    {
        var tag = Tag();
        var fgj = await App.OrgId("GZ-YX-FGJ");
        var hpFgj = await App.OrgId("GZ-HP-FGJ");
        var (ticket, code) = await Submit(DemandType.Complaint, $"{tag} 窗口工作人员态度生硬，材料一次说不清，跑了三趟", orgId: fgj);
        Assert.Matches(DemandPrivacy.TicketFormat(), ticket);
        var id = await IdOf(ticket);
        var hotline = await App.ClientFor("gz.hotline");
        var hp = await App.ClientFor("hp.fgj.liaison");
        var liaison = await App.ClientFor("yx.fgj.liaison");
        var head = await App.ClientFor("yx.fgj.head");

        // before dispatch, the unit does not see it
        await (await liaison.GetAsync($"/api/v1/workorders/{id}")).Expect(HttpStatusCode.NotFound);
        var detail = await (await hotline.GetAsync($"/api/v1/workorders/{id}")).Expect<WorkOrderDetail>(HttpStatusCode.OK);
        Assert.Equal(fgj, detail.Suggestions[0].OrgId);                       // the unit the citizen named comes first

        // dispatched to the wrong district, sent back (属地不符), re-dispatched
        await Act(hotline, id, "dispatch", new { orgId = hpFgj });
        var noReason = await hp.PostAsJsonAsync($"/api/v1/workorders/{id}/send-back", new { text = "非本区事项" });
        await noReason.ExpectProblem(HttpStatusCode.BadRequest, "reason");
        await (await hp.PostAsJsonAsync($"/api/v1/workorders/{id}/send-back",
            new { text = "非本区事项", reason = SendBackReason.WrongPlace })).Expect(HttpStatusCode.OK);
        await (await hp.GetAsync($"/api/v1/workorders/{id}")).Expect(HttpStatusCode.NotFound);   // gone from their scope
        var back = await (await hotline.GetAsync($"/api/v1/workorders/{id}")).Expect<WorkOrderDetail>(HttpStatusCode.OK);
        Assert.Equal(OrderStatus.Accepted, back.Row.Status);
        Assert.Equal(1, back.SendBackCount);
        await Act(hotline, id, "dispatch", new { orgId = fgj, text = "请越秀区发改局办理" });

        // signed, extension requested and approved by dispatch
        var signed = await Act(liaison, id, "sign");
        Assert.Equal(OrderStatus.Signed, signed.Row.Status);
        var deadline = signed.Row.Deadline!.Value;
        await Act(liaison, id, "start");
        await Act(liaison, id, "request-extension", new { text = "需调取监控核实", newDeadline = deadline.AddDays(7) });
        await (await liaison.PostAsJsonAsync($"/api/v1/workorders/{id}/approve-extension", new { text = "同意" })).Expect(HttpStatusCode.Forbidden);
        var extended = await Act(hotline, id, "approve-extension", new { text = "同意延期" });
        Assert.Equal(deadline.AddDays(7), extended.Row.Deadline);

        // a complaint's reply goes out only when the unit head signs it off
        await (await liaison.PostAsJsonAsync($"/api/v1/workorders/{id}/reply", new { text = "已处理" })).Expect(HttpStatusCode.Conflict);
        await Act(liaison, id, "submit-reply", new { text = "经调查，已对相关工作人员批评教育，并推行一次性告知。" });
        await (await liaison.PostAsJsonAsync($"/api/v1/workorders/{id}/sign-off", new { })).Expect(HttpStatusCode.Forbidden);
        var replied = await Act(head, id, "sign-off", new { });
        Assert.Equal(OrderStatus.Replied, replied.Row.Status);

        // the citizen is not satisfied: redone once
        Assert.Contains("已答复", await Status(ticket, code));
        await (await Rate(ticket, code, Rating.Dissatisfied, "没有解决问题")).Expect(HttpStatusCode.OK);
        var redo = await (await liaison.GetAsync($"/api/v1/workorders/{id}")).Expect<WorkOrderDetail>(HttpStatusCode.OK);
        Assert.Equal((OrderStatus.Handling, 1), (redo.Row.Status, redo.RedoCount));
        await Act(liaison, id, "submit-reply", new { text = "再次核查后，已调整窗口人员并设立帮办专岗。" });
        await Act(head, id, "sign-off", new { });
        // dissatisfied again: closes, rating kept
        await (await Rate(ticket, code, Rating.Dissatisfied, "仍不满意")).Expect(HttpStatusCode.OK);
        var closed = await (await liaison.GetAsync($"/api/v1/workorders/{id}")).Expect<WorkOrderDetail>(HttpStatusCode.OK);
        Assert.Equal(OrderStatus.Closed, closed.Row.Status);
        Assert.Equal("不满意", closed.Rating);
        var page = await Status(ticket, code);
        Assert.Contains("已办结", page);
        Assert.Contains("帮办专岗", page);
        Assert.DoesNotContain("Rate.Rating", page);                            // no second rating
        Assert.Equal(["派单", "退单", "派单", "签收", "开始办理", "申请延期", "批准延期", "提交答复待签发", "签发答复", "不满意重办",
            "提交答复待签发", "签发答复", "回访评价"], closed.Timeline.Skip(1).Select(t => t.Action));

        // every transition went to the audit chain
        var (db, scope) = App.SystemDb();
        using (scope)
            Assert.True(await db.AuditEntries.CountAsync(e => e.EntityType == nameof(WorkOrderEvent)) >= 13);

        var kpi = await (await liaison.GetAsync($"/api/v1/workorders/kpi?orgId={fgj}&subtree=false")).Expect<OrderKpi>(HttpStatusCode.OK);
        Assert.True(kpi.Replied >= 1);
        Assert.True(kpi.RedoRate > 0);
        var hpKpi = await (await hp.GetAsync($"/api/v1/workorders/kpi?orgId={hpFgj}&subtree=false")).Expect<OrderKpi>(HttpStatusCode.OK);
        Assert.True(hpKpi.SentBack >= 1 && hpKpi.SendBackRate > 0);
    }

    [SkippableFact]
    public async Task Merge_DuplicateIntoMaster_MasterReplyReachesBoth()
    {
        var tag = Tag();
        var fgj = await App.OrgId("GZ-YX-FGJ");
        var (t1, c1) = await Submit(DemandType.Help, $"{tag}：解放北路公交站旁的路灯已经坏了一个多星期，晚上很黑", location: "越秀区解放北路公交站");
        var (t2, c2) = await Submit(DemandType.Help, $"{tag}：解放北路公交站旁边路灯坏了一个多星期，晚上太黑了", location: "越秀区 解放北路公交站");
        var (id1, id2) = (await IdOf(t1), await IdOf(t2));
        var hotline = await App.ClientFor("gz.hotline");
        var d2 = await (await hotline.GetAsync($"/api/v1/workorders/{id2}")).Expect<WorkOrderDetail>(HttpStatusCode.OK);
        Assert.Contains(d2.MergeCandidates, m => m.Id == id1);
        var merged = await Act(hotline, id2, "merge", new { masterId = id1, text = "同一路灯" });
        Assert.Equal(OrderStatus.Merged, merged.Row.Status);
        Assert.Equal(t1, merged.MasterTicket);
        await Act(hotline, id1, "dispatch", new { orgId = fgj });
        var liaison = await App.ClientFor("yx.fgj.liaison");
        await Act(liaison, id1, "sign");
        await Act(liaison, id1, "reply", new { text = "已通知路灯管护单位，路灯已于今日修复。" });
        var s2 = await Status(t2, c2);
        Assert.Contains("路灯已于今日修复", s2);
        Assert.Contains("已合并办理", s2);
        Assert.Contains("路灯已于今日修复", await Status(t1, c1));
        // a merged order cannot be dispatched any more
        await (await hotline.PostAsJsonAsync($"/api/v1/workorders/{id2}/dispatch", new { orgId = fgj })).Expect(HttpStatusCode.Conflict);
    }

    [SkippableFact]
    public async Task Escalate_TwoOrders_BecomeOneProblem_ClosedRectificationShowsOnStatus()
    {
        var tag = Tag();
        var fgj = await App.OrgId("GZ-YX-FGJ");
        var (t1, c1) = await Submit(DemandType.Complaint, $"{tag} 项目审批要求重复提交同一份材料");
        var (t2, _) = await Submit(DemandType.Suggestion, $"{tag} 建议审批材料一次告知、只交一次");
        var (id1, id2) = (await IdOf(t1), await IdOf(t2));
        var hotline = await App.ClientFor("gz.hotline");
        await Act(hotline, id1, "dispatch", new { orgId = fgj });
        await (await (await App.ClientFor("yx.fgj.liaison")).PostAsJsonAsync("/api/v1/workorders/escalate",
            new { orderIds = new[] { id1 }, orgId = fgj })).Expect(HttpStatusCode.Forbidden);
        var res = await hotline.PostAsJsonAsync("/api/v1/workorders/escalate", new { orderIds = new[] { id1, id2 }, orgId = fgj });
        var problemId = (await res.Expect<JsonElement>(HttpStatusCode.Created)).GetProperty("problemId").GetInt32();
        // The desk escalates but does not read the units' records (least privilege): the unit reads its problem.
        await (await hotline.GetAsync($"/api/v1/problems/{problemId}")).Expect(HttpStatusCode.NotFound);
        var problem = await (await App.ClientFor("yx.fgj.liaison")).GetFromJsonAsync<ProblemDto>($"/api/v1/problems/{problemId}", Http.Json);
        Assert.Equal(SourceChannel.Hotline.Label(), problem!.Source);
        Assert.Contains(t1, problem.Batch);
        Assert.Equal(problemId, (await (await hotline.GetAsync($"/api/v1/workorders/{id2}")).Expect<WorkOrderDetail>(HttpStatusCode.OK)).Row.ProblemId);
        Assert.Contains("已纳入问题清单", await Status(t1, c1));
        var (db, scope) = App.SystemDb();
        using (scope)
            Assert.Equal([id1, id2], await db.WorkOrders.IgnoreQueryFilters().Where(o => o.ProblemId == problemId).OrderBy(o => o.Id).Select(o => o.Id).ToListAsync());

        // the unit rectifies it through the ledger; the district office verifies
        var liaison = await App.ClientFor("yx.fgj.liaison");
        var item = await (await liaison.PostAsJsonAsync($"/api/v1/problems/{problemId}/items", new
        {
            measures = "梳理审批材料清单，推行一次告知、一次提交", deadlineKind = DeadlineKind.Immediate,
        })).Expect<LedgerEntry>(HttpStatusCode.Created);
        var file = new MultipartFormDataContent();
        var png = new ByteArrayContent(TestFiles.Png());
        png.Headers.ContentType = new MediaTypeHeaderValue("image/png");
        file.Add(png, "file", "清单.png");
        var upload = (await (await liaison.PostAsync("/api/v1/files", file)).Expect<JsonElement>(HttpStatusCode.Created)).GetProperty("id").GetString();
        await (await liaison.PostAsJsonAsync($"/api/v1/rectifications/{item.Id}/progress",
            new { text = "已完成清单梳理", percent = 100, evidence = new[] { upload } })).Expect(HttpStatusCode.OK);
        await (await liaison.PostAsJsonAsync($"/api/v1/rectifications/{item.Id}/request-closure",
            new { text = "材料清单已精简并公开" })).Expect(HttpStatusCode.OK);
        Assert.Contains("已完成 0 项", await Status(t1, c1));
        await (await (await App.ClientFor("yx.office")).PostAsJsonAsync($"/api/v1/rectifications/{item.Id}/verify",
            new { text = "核验通过" })).Expect(HttpStatusCode.OK);
        Assert.Contains("已全部整改完成", await Status(t1, c1));
    }

    [SkippableFact]
    public async Task Scope_OtherUnitsGet404_ContactMaskedExceptHandlingUnit_UnmaskedViewAudited()
    {
        var fgj = await App.OrgId("GZ-YX-FGJ");
        var phone = Phone();
        var (ticket, _) = await Submit(DemandType.Consult, $"{Tag()} 咨询企业开办一网通办的流程", phone, "司马明远", fgj);
        var id = await IdOf(ticket);
        await Act(await App.ClientFor("gz.hotline"), id, "dispatch", new { orgId = fgj });
        foreach (var user in new[] { "hp.fgj.liaison", "hp.office" })
        {
            var c = await App.ClientFor(user);
            await (await c.GetAsync($"/api/v1/workorders/{id}")).Expect(HttpStatusCode.NotFound);
            await (await c.PostAsJsonAsync($"/api/v1/workorders/{id}/sign", new { })).Expect(HttpStatusCode.NotFound);
            await (await c.GetAsync($"/api/v1/workorders/{id}/contact?reveal=true")).Expect(HttpStatusCode.NotFound);
            var list = await c.GetFromJsonAsync<WorkOrderListPage>($"/api/v1/workorders?q={ticket}", Http.Json);
            Assert.Empty(list!.Rows);
        }
        await (await (await App.ClientFor("hp.fgj.liaison")).GetAsync($"/workorders/{id}")).Expect(HttpStatusCode.NotFound);   // the page too

        // the district office (superior) sees the order, masked, and may not unmask
        var office = await App.ClientFor("yx.office");
        var seen = await (await office.GetAsync($"/api/v1/workorders/{id}")).Expect<WorkOrderDetail>(HttpStatusCode.OK);
        Assert.Equal(DemandPrivacy.MaskPhone(phone), seen.Contact.Phone);
        Assert.Equal("司***", seen.Contact.Name);
        Assert.DoesNotContain(phone, JsonSerializer.Serialize(seen));
        await (await office.GetAsync($"/api/v1/workorders/{id}/contact?reveal=true")).Expect(HttpStatusCode.Forbidden);

        // the handling unit unmasks it, and that view is in the audit chain
        var (db, scope) = App.SystemDb();
        int before;
        using (scope) before = await db.AuditEntries.CountAsync(e => e.EntityType == nameof(WorkOrder) && e.Action == AuditAction.Event);
        var contact = await (await (await App.ClientFor("yx.fgj.liaison")).GetAsync($"/api/v1/workorders/{id}/contact?reveal=true"))
            .Expect<ContactView>(HttpStatusCode.OK);
        Assert.Equal((phone, "司马明远", false), (contact.Phone, contact.Name, contact.Masked));
        (db, scope) = App.SystemDb();
        using (scope)
        {
            Assert.Equal(before + 1, await db.AuditEntries.CountAsync(e => e.EntityType == nameof(WorkOrder) && e.Action == AuditAction.Event));
            // the contact is kept out of the audited rows
            Assert.False(await db.AuditEntries.AnyAsync(e => (e.After != null && e.After.Contains(phone)) || (e.Before != null && e.Before.Contains(phone))));
        }
    }

    [SkippableFact]
    public async Task Submit_BadInput_RefusedAndNothingStored()
    {
        var c = App.Anonymous();
        var before = await App.Count<WorkOrder>();
        var tag = Tag();
        // wrong arithmetic answer
        var f = await GetForm(c);
        var wrong = Fields(DemandType.Consult, tag, Phone());
        wrong["Input.Answer"] = (f.Answer + 1).ToString();
        Assert.Equal(HttpStatusCode.BadRequest, (await PostSubmit(c, f, wrong)).StatusCode);
        // a challenge is single use
        f = await GetForm(c);
        await (await PostSubmit(c, f, Fields(DemandType.Consult, tag + "一", Phone()))).Expect(HttpStatusCode.OK);
        Assert.Equal(HttpStatusCode.BadRequest, (await PostSubmit(c, f, Fields(DemandType.Consult, tag + "二", Phone()))).StatusCode);
        // honeypot
        var bot = Fields(DemandType.Consult, tag, Phone());
        bot["Input.Website"] = "http://spam.example";
        Assert.Equal(HttpStatusCode.BadRequest, (await PostSubmit(c, await GetForm(c), bot)).StatusCode);
        // not a mainland mobile; an anonymous complaint; a PDF passed off as a picture; four images; html only
        Assert.Contains("手机号", await (await PostSubmit(c, await GetForm(c), Fields(DemandType.Consult, tag, "12345678901"))).Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.BadRequest, (await PostSubmit(c, await GetForm(c), Fields(DemandType.Complaint, tag, null, anonymous: true))).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await PostSubmit(c, await GetForm(c), Fields(DemandType.Consult, tag, Phone()),
            ("%PDF-1.4 fake"u8.ToArray(), "photo.jpg", "image/jpeg"))).StatusCode);
        var png = TestFiles.Png();
        Assert.Equal(HttpStatusCode.BadRequest, (await PostSubmit(c, await GetForm(c), Fields(DemandType.Consult, tag, Phone()),
            (png, "1.png", "image/png"), (png, "2.png", "image/png"), (png, "3.png", "image/png"), (png, "4.png", "image/png"))).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await PostSubmit(c, await GetForm(c), Fields(DemandType.Consult, "<b></b>", Phone()))).StatusCode);
        Assert.Equal(before + 1, await App.Count<WorkOrder>());
        // an image by content is accepted; an anonymous suggestion keeps no contact
        await (await PostSubmit(c, await GetForm(c), Fields(DemandType.Consult, tag + "三", Phone()), (png, "现场.png", "image/png"))).Expect(HttpStatusCode.OK);
        var (ticket, _) = await Submit(DemandType.Suggestion, tag + "四", anonymous: true);
        var (db, scope) = App.SystemDb();
        using (scope)
        {
            var o = await db.WorkOrders.IgnoreQueryFilters().SingleAsync(x => x.Content == tag + "三");
            Assert.Single(await db.FileCitations.IgnoreQueryFilters().Where(c => c.WorkOrderId == o.Id).ToListAsync());
            // the desk sees the photo (nosniff, sandboxed); a unit outside the order's scope does not
            var photo = await (await App.ClientFor("gz.hotline")).GetAsync($"/api/v1/workorders/{o.Id}/images/1");
            await photo.Expect(HttpStatusCode.OK);
            Assert.Equal(png, await photo.Content.ReadAsByteArrayAsync());
            Assert.Equal("image/png", photo.Content.Headers.ContentType?.MediaType);
            Assert.Contains("sandbox", string.Join(",", photo.Headers.GetValues("Content-Security-Policy")));
            await (await (await App.ClientFor("hp.fgj.liaison")).GetAsync($"/api/v1/workorders/{o.Id}/images/1")).Expect(HttpStatusCode.NotFound);
            await (await App.Anonymous().GetAsync($"/api/v1/workorders/{o.Id}/images/1")).Expect(HttpStatusCode.Unauthorized);
            var anon = await db.WorkOrders.IgnoreQueryFilters().SingleAsync(x => x.Ticket == ticket);
            var contact = await db.DemandContacts.IgnoreQueryFilters().SingleAsync(x => x.WorkOrderId == anon.Id);
            Assert.True(anon.Anonymous);
            Assert.Null(contact.Phone);
        }
    }

    [SkippableFact]
    public async Task Duties_UnitListsItsOpenOrdersAndRectItems_WithLights_OtherUnit404()
    {
        var fgj = await App.OrgId("GZ-YX-FGJ");
        var tag = Tag();
        var (ticket, _) = await Submit(DemandType.Help, $"{tag} 小区门口消防通道被占用");
        var id = await IdOf(ticket);
        await Act(await App.ClientFor("gz.hotline"), id, "dispatch", new { orgId = fgj });
        var liaison = await App.ClientFor("yx.fgj.liaison");
        var problem = await (await liaison.PostAsJsonAsync("/api/v1/problems", new
        {
            orgId = fgj, description = $"{tag} 审批窗口材料要求不一致", source = SourceChannel.SelfInspection, aspect = Aspect.Duty,
            dimension = Dimension.ForThePeople, notDuplicate = true,
        })).Expect<ProblemDto>(HttpStatusCode.Created);
        await (await liaison.PostAsJsonAsync($"/api/v1/problems/{problem.Id}/items", new
        {
            measures = $"{tag} 统一材料清单", deadlineKind = DeadlineKind.Immediate,
        })).Expect(HttpStatusCode.Created);
        var duties = await (await liaison.GetAsync($"/api/v1/orgs/{fgj}/duties")).Expect<List<DutyEntry>>(HttpStatusCode.OK);
        var order = Assert.Single(duties, d => d.Title.Contains(tag) && d.Kind == "群众诉求");
        Assert.Equal($"/workorders/{id}", order.Link);
        Assert.NotNull(order.Due);
        Assert.False(string.IsNullOrEmpty(order.LightReason));
        Assert.Single(duties, d => d.Title.Contains(tag) && d.Kind == "整改事项");
        // worst light first
        Assert.Equal(duties.Select(d => d.Light).OrderDescending(), duties.Select(d => d.Light));
        await (await (await App.ClientFor("hp.fgj.liaison")).GetAsync($"/api/v1/orgs/{fgj}/duties")).Expect(HttpStatusCode.NotFound);
    }

    [SkippableFact]
    public async Task Submit_SamePhoneSixTimesInADay_SixthRefused()
    {
        var phone = Phone();
        for (var i = 0; i < 5; i++) await Submit(DemandType.Consult, $"{Tag()} 第{i}次咨询", phone);
        var c = App.Anonymous();
        var res = await PostSubmit(c, await GetForm(c), Fields(DemandType.Consult, Tag(), phone));
        Assert.Equal(HttpStatusCode.BadRequest, res.StatusCode);
        Assert.Contains("上限", await res.Content.ReadAsStringAsync());
    }

    [SkippableFact]
    public async Task Lookup_WrongCodeOrUnknownTicket_SameAnswer()
    {
        var (ticket, code) = await Submit(DemandType.Consult, Tag() + " 咨询");
        Assert.Contains(ticket, await Status(ticket, code.ToLowerInvariant()));
        var wrong = await Status(ticket, "AAAAAAAA");
        var unknown = await Status("GZ20200101000001", "AAAAAAAA");
        Assert.Contains("受理编号或查询码不正确", wrong);
        Assert.Contains("受理编号或查询码不正确", unknown);
        Assert.DoesNotContain(ticket, wrong.Replace($"value=\"{ticket}\"", ""));
    }

    [SkippableFact]
    public async Task Submit_200Concurrent_AllStoredWithUniqueTickets()
    {
        var tag = Tag();
        var c = App.Anonymous();
        await GetForm(c);                                                       // the antiforgery cookie first
        var forms = await Task.WhenAll(Enumerable.Range(0, 200).Select(_ => GetForm(c)));
        var responses = await Task.WhenAll(forms.Select((f, i) =>
            PostSubmit(c, f, Fields(DemandType.Suggestion, $"{tag} 第{i}号建议", Phone()))));
        var tickets = new List<string>();
        foreach (var r in responses)
        {
            var html = await r.Content.ReadAsStringAsync();
            Assert.True(r.StatusCode == HttpStatusCode.OK, await r.Describe());
            tickets.Add(TicketOut().Match(html).Groups[1].Value);
        }
        Assert.Equal(200, tickets.Distinct().Count());
        Assert.All(tickets, t => Assert.Matches(DemandPrivacy.TicketFormat(), t));
        var (db, scope) = App.SystemDb();
        using (scope)
        {
            var stored = await db.WorkOrders.IgnoreQueryFilters().Where(o => o.Content.StartsWith(tag)).Select(o => o.Ticket).ToListAsync();
            Assert.Equal(200, stored.Count);
            Assert.Equal(200, stored.Distinct().Count());
            Assert.Equal(tickets.Order(), stored.Order());
        }
    }
}

public sealed class SqlitePortalTests(SqliteFixture app) : PortalTestsBase(() => app), IClassFixture<SqliteFixture>;

public sealed class PostgresPortalTests(PostgresFixture app) : PortalTestsBase(() => app.Factory), IClassFixture<PostgresFixture>;
