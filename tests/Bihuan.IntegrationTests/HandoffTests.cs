using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Bihuan.Data;
using Bihuan.Domain;
using Microsoft.EntityFrameworkCore;

namespace Bihuan.IntegrationTests;

/// Every handoff tells exactly the accounts that act next (Features/Notifications/NextActors): driven over HTTP as the
/// personas would, each expected set written out from the permission table by hand (the actor never included).
public abstract class HandoffTestsBase(Func<BihuanFactory> factory)
{
    protected BihuanFactory App => factory();
    static DateOnly Today => ChinaTime.Today(TimeProvider.System);
    const string Unit = "yx.fgj.head,yx.fgj.leader,yx.fgj.liaison";
    const string Verifiers = "gz.jw,gz.office,yx.jw,yx.office";
    const string Desk = "gz.hotline,gz.office";

    /// Who was told of the last handoff of this kind on the record (key "{prefix}:{id}:{action}:…"), as user names.
    async Task<string> Told(string prefix, int id, string action, NotificationKind kind)
    {
        var (db, scope) = App.SystemDb();
        using (scope)
        {
            var key = $"{prefix}:{id}:{action}:";
            var rows = await db.Notifications.IgnoreQueryFilters().Where(n => n.Key.StartsWith(key))
                .Select(n => new { n.AccountId, n.Kind, n.Key, n.Link }).ToListAsync();
            Assert.All(rows, r => Assert.Equal(kind, r.Kind));
            var last = rows.Select(r => r.Key).Order(StringComparer.Ordinal).LastOrDefault();
            var accounts = rows.Where(r => r.Key == last).Select(r => r.AccountId).ToList();
            var names = await db.Users.Where(u => accounts.Contains(u.Id)).Select(u => u.UserName!).ToListAsync();
            return string.Join(",", names.Order(StringComparer.Ordinal));
        }
    }

    static async Task Ok(HttpClient c, string url, object body) => await (await c.PostAsJsonAsync(url, body)).Expect(HttpStatusCode.OK);

    [SkippableFact]
    public async Task Rectification_EachHandoff_TellsExactlyTheNextActors()
    {
        var liaison = await App.ClientFor("yx.fgj.liaison");
        var office = await App.ClientFor("yx.office");
        var jw = await App.ClientFor("yx.jw");
        var problem = await (await liaison.PostAsJsonAsync("/api/v1/problems", new
        {
            orgId = await App.OrgId("GZ-YX-FGJ"), description = $"交接通知测试 {Guid.NewGuid():N}", source = SourceChannel.SelfInspection,
            aspect = Aspect.Duty, dimension = Dimension.RealWork, notDuplicate = true,
        })).Expect<JsonElement>(HttpStatusCode.Created);
        var item = await (await liaison.PostAsJsonAsync($"/api/v1/problems/{problem.GetProperty("id").GetInt32()}/items",
            new { measures = "精简审批材料", deadlineKind = DeadlineKind.Dated, deadline = Today.AddDays(40) }))
            .Expect<JsonElement>(HttpStatusCode.Created);
        var id = item.GetProperty("id").GetInt32();
        var url = $"/api/v1/rectifications/{id}";

        var upload = await liaison.PostAsync("/api/v1/files", Png());
        var file = (await upload.Expect<JsonElement>(HttpStatusCode.Created)).GetProperty("id").GetString();
        await Ok(liaison, $"{url}/progress", new { text = "已梳理", percent = 50, evidence = new[] { file } });
        Assert.Equal("", await Told("rect", id, "ReportProgress", NotificationKind.RectClosureRequested));   // hands nothing on

        await Ok(liaison, $"{url}/request-closure", new { text = "已精简为 9 项" });
        Assert.Equal(Verifiers, await Told("rect", id, "RequestClosure", NotificationKind.RectClosureRequested));
        await Ok(office, $"{url}/return", new { text = "佐证不足" });
        Assert.Equal(Unit, await Told("rect", id, "Return", NotificationKind.RectReturned));
        await Ok(liaison, $"{url}/request-extension", new { text = "需协调", newDeadline = Today.AddDays(80) });
        Assert.Equal(Verifiers, await Told("rect", id, "RequestExtension", NotificationKind.RectExtensionRequested));
        await Ok(jw, $"{url}/approve-extension", new { text = "同意" });
        Assert.Equal(Unit, await Told("rect", id, "ApproveExtension", NotificationKind.RectExtensionDecided));
        await Ok(liaison, $"{url}/request-closure", new { text = "已补充佐证" });
        await Ok(office, $"{url}/verify", new { text = "属实" });
        Assert.Equal(Unit, await Told("rect", id, "Verify", NotificationKind.RectVerified));
        await Ok(jw, $"{url}/reopen", new { text = "群众反映问题反弹" });
        Assert.Equal(Unit, await Told("rect", id, "Reopen", NotificationKind.RectReopened));

        // A refused handoff tells nobody (the notification is in the action's transaction).
        await (await liaison.PostAsJsonAsync($"{url}/request-closure", new { text = "" })).Expect(HttpStatusCode.BadRequest);
        var (db, scope) = App.SystemDb();
        using (scope)
        {
            var closures = await db.Notifications.IgnoreQueryFilters()
                .Where(n => n.Key.StartsWith($"rect:{id}:RequestClosure:")).Select(n => n.Key).Distinct().CountAsync();
            Assert.Equal(2, closures);
        }
    }

    [SkippableFact]
    public async Task RectificationReview_SeriousItem_TellsTheReviewerThenOnlySupervisors()
    {
        var admin = await App.ClientFor("admin");
        await (await admin.PutAsJsonAsync("/api/v1/closure-chains/AuditFinding", new { stages = new[] { "UnitSelfCheck" } })).Expect(HttpStatusCode.OK);
        var liaison = await App.ClientFor("yx.fgj.liaison");
        var problem = await (await liaison.PostAsJsonAsync("/api/v1/problems", new
        {
            orgId = await App.OrgId("GZ-YX-FGJ"), description = $"交接通知测试重大 {Guid.NewGuid():N}", source = SourceChannel.AuditFinding,
            aspect = Aspect.Duty, dimension = Dimension.RealWork, severity = Severity.Serious, notDuplicate = true,
        })).Expect<JsonElement>(HttpStatusCode.Created);
        var item = await (await liaison.PostAsJsonAsync($"/api/v1/problems/{problem.GetProperty("id").GetInt32()}/items",
            new { measures = "整改审计问题", deadlineKind = DeadlineKind.Dated, deadline = Today.AddDays(40) }))
            .Expect<JsonElement>(HttpStatusCode.Created);
        var id = item.GetProperty("id").GetInt32();
        var file = (await (await liaison.PostAsync("/api/v1/files", Png())).Expect<JsonElement>(HttpStatusCode.Created))
            .GetProperty("id").GetString();
        await Ok(liaison, $"/api/v1/rectifications/{id}/progress", new { text = "已整改", percent = 100, evidence = new[] { file } });
        await Ok(liaison, $"/api/v1/rectifications/{id}/request-closure", new { text = "已整改" });
        Assert.Equal("yx.fgj.head", await Told("rect", id, "RequestClosure", NotificationKind.RectClosureRequested));
        await Ok(await App.ClientFor("yx.fgj.head"), $"/api/v1/rectifications/{id}/review", new { text = "自验通过" });
        Assert.Equal("gz.jw,yx.jw", await Told("rect", id, "Review", NotificationKind.RectClosureRequested));
        await (await admin.PutAsJsonAsync("/api/v1/closure-chains/AuditFinding", new { stages = Array.Empty<string>() })).Expect(HttpStatusCode.OK);
    }

    async Task<int> NewOrder(DemandType type)
    {
        var (db, scope) = App.SystemDb();
        using (scope)
        {
            var gz = await App.OrgId("GZ");
            var o = new WorkOrder
            {
                Ticket = ("H" + Guid.NewGuid().ToString("N"))[..18], CodeHash = "x", Content = "交接通知测试诉求", Type = type,
                Status = OrderStatus.Received, OrgId = gz, DispatchOrgId = gz, CreatedAt = DateTime.UtcNow, UpdatedAt = DateTime.UtcNow,
            };
            db.WorkOrders.Add(o);
            await db.SaveChangesAsync();
            return o.Id;
        }
    }

    [SkippableFact]
    public async Task WorkOrder_EachStaffHandoff_TellsExactlyTheNextActors()
    {
        var desk = await App.ClientFor("gz.hotline");
        var liaison = await App.ClientFor("yx.fgj.liaison");
        var head = await App.ClientFor("yx.fgj.head");
        var fgj = await App.OrgId("GZ-YX-FGJ");

        var help = await NewOrder(DemandType.Help);
        var url = $"/api/v1/workorders/{help}";
        await Ok(desk, $"{url}/dispatch", new { orgId = fgj });
        Assert.Equal(Unit, await Told("order", help, "Dispatch", NotificationKind.OrderDispatched));
        await Ok(liaison, $"{url}/sign", new { });
        Assert.Equal("yx.fgj.head,yx.fgj.leader", await Told("order", help, "Sign", NotificationKind.OrderSigned));
        await Ok(liaison, $"{url}/request-extension", new { text = "需现场核查", newDeadline = Today.AddDays(30) });
        Assert.Equal(Desk, await Told("order", help, "RequestExtension", NotificationKind.OrderExtensionRequested));
        await Ok(desk, $"{url}/approve-extension", new { text = "同意" });
        Assert.Equal(Unit, await Told("order", help, "ApproveExtension", NotificationKind.OrderExtensionDecided));
        await Ok(liaison, $"{url}/reply", new { text = "已协调解决" });
        Assert.Equal(Desk, await Told("order", help, "Reply", NotificationKind.OrderReplied));

        var complaint = await NewOrder(DemandType.Complaint);
        url = $"/api/v1/workorders/{complaint}";
        await Ok(desk, $"{url}/dispatch", new { orgId = fgj });
        await Ok(liaison, $"{url}/sign", new { });
        await Ok(liaison, $"{url}/submit-reply", new { text = "答复稿" });
        Assert.Equal("yx.fgj.head", await Told("order", complaint, "SubmitReply", NotificationKind.OrderReplyDraft));
        await Ok(head, $"{url}/return-draft", new { text = "请补充处理结果" });
        Assert.Equal("yx.fgj.leader,yx.fgj.liaison", await Told("order", complaint, "ReturnDraft", NotificationKind.OrderDraftReturned));

        var wrong = await NewOrder(DemandType.Consult);
        url = $"/api/v1/workorders/{wrong}";
        await Ok(desk, $"{url}/dispatch", new { orgId = fgj });
        await Ok(liaison, $"{url}/send-back", new { text = "不属本单位职责", reason = SendBackReason.WrongPlace });
        Assert.Equal(Desk, await Told("order", wrong, "SendBack", NotificationKind.OrderSentBack));
    }

    static MultipartFormDataContent Png()
    {
        var file = new ByteArrayContent(TestFiles.Png());
        file.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("image/png");
        return new MultipartFormDataContent { { file, "file", "现场照片.png" } };
    }
}

public sealed class SqliteHandoffTests(SqliteFixture app) : HandoffTestsBase(() => app), IClassFixture<SqliteFixture>;

public sealed class PostgresHandoffTests(PostgresFixture app) : HandoffTestsBase(() => app.Factory), IClassFixture<PostgresFixture>;
