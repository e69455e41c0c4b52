using System.IO.Compression;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Xml.Linq;
using Bihuan.Data;
using Bihuan.Domain;
using Bihuan.Features.Rectification;
using Bihuan.Features.Repair;
using Microsoft.EntityFrameworkCore;

namespace Bihuan.IntegrationTests;

/// A value stored before the input bounds (or behind the application's back) is shown as invalid, in words, on every
/// read that meets it — never a 500, never a normal light — and can be set right through the repair path.
public abstract class InvalidValueTestsBase(Func<BihuanFactory> factory)
{
    BihuanFactory App => factory();
    static DateOnly Today => ChinaTime.Today(TimeProvider.System);

    /// An open item of 越秀区发改局, saved as it is (no input check at the database): deadline as given.
    async Task<(int Id, string Tag)> ItemAsync(DateOnly deadline, RectStatus status = RectStatus.InProgress)
    {
        var tag = Http.Unique("INV");
        var (db, scope) = App.SystemDb();
        using (scope)
        {
            var org = await App.OrgId("GZ-YX-FGJ");
            var p = new Problem { OrgId = org, Description = $"{tag} 无效时限问题", CreatedAt = DateTime.UtcNow };
            db.Problems.Add(p);
            await db.SaveChangesAsync();
            var i = new RectItem
            {
                ProblemId = p.Id, OrgId = org, Measures = $"{tag} 措施", StartOn = Today.AddDays(-5), Deadline = deadline, Status = status,
                CreatedAt = DateTime.UtcNow,
            };
            db.RectItems.Add(i);
            await db.SaveChangesAsync();
            return (i.Id, tag);
        }
    }

    async Task<string> Html(string user, string url)
    {
        var res = await (await App.ClientFor(user)).GetAsync(url);
        await res.Expect(HttpStatusCode.OK);
        return await res.Content.ReadAsStringAsync();
    }

    [SkippableFact]
    public async Task Item99991231_ShowsDeadlineInvalid_InLedgerDetailExportAndDashboards()
    {
        var (id, tag) = await ItemAsync(DateOnly.MaxValue);
        var office = await App.ClientFor("yx.office");

        var row = await (await office.GetAsync($"/api/v1/rectifications/{id}")).Expect<ItemDetail>(HttpStatusCode.OK);
        Assert.Equal(LightLevel.Invalid, row.Item.Light);
        Assert.Equal("整改时限无效（9999-12-31）", row.Item.LightReason);
        Assert.Contains("整改时限无效（9999-12-31）", row.Item.InvalidValues);
        Assert.False(row.Item.DeadlineUsable);
        Assert.Contains(row.Unusable, v => v is { Type: "RectItem", Field: "Deadline", Value: "9999-12-31" });

        var list = await Html("yx.fgj.liaison", "/ledger?q=" + Uri.EscapeDataString(tag));
        Assert.Contains("时限无效", list);
        Assert.Contains("light invalid", list);
        Assert.DoesNotContain("9999-12-31</td>", list);   // never shown as if it were a date
        var detail = await Html("yx.office", $"/ledger/{id}");
        Assert.Contains("时限无效", detail);
        Assert.Contains("数据无效", detail);
        Assert.Contains("name=\"reason\"", detail);         // the office may repair it
        Assert.DoesNotContain("name=\"reason\"", await Html("yx.fgj.liaison", $"/ledger/{id}"));   // the unit may not
        Assert.Contains("Invalid deadline", await Html("yx.office", $"/ledger/{id}?culture=en"));

        var xlsx = await office.GetAsync("/api/v1/rectifications/export.xlsx?q=" + Uri.EscapeDataString(tag));
        await xlsx.Expect(HttpStatusCode.OK);
        using (var zip = new ZipArchive(await xlsx.Content.ReadAsStreamAsync()))
        {
            var sheet = zip.Entries.Single(e => e.FullName.StartsWith("xl/worksheets/", StringComparison.Ordinal));
            using var s = sheet.Open();
            var text = XDocument.Load(s).ToString();
            Assert.Contains("时限无效（9999-12-31）", text);
            Assert.Contains("数据无效：整改时限无效（9999-12-31）", text);
        }

        // The dashboards answer for every district and count it as invalid, with a drill-down that lists it.
        foreach (var user in new[] { "hp.office", "gz.jw", "yx.office" })
            await (await (await App.ClientFor(user)).GetAsync("/api/v1/supervision/dashboard")).Expect(HttpStatusCode.OK);
        var dash = await (await office.GetAsync("/api/v1/supervision/dashboard")).Expect<JsonElement>(HttpStatusCode.OK);
        var invalid = dash.GetProperty("sections").EnumerateArray().First(s => s.GetProperty("key").GetString() == "ledger")
            .GetProperty("groups").EnumerateArray().First(g => g.GetProperty("key").GetString() == "lights")
            .GetProperty("figures").EnumerateArray().First(f => f.GetProperty("key").GetString() == "invalid");
        Assert.True(invalid.GetProperty("value").GetInt32() >= 1);
        var drill = await (await office.GetAsync("/api/v1/rectifications?q=" + Uri.EscapeDataString(tag) + "&light=Invalid"))
            .Expect<LedgerPage>(HttpStatusCode.OK);
        Assert.Equal([id], drill.Rows.Select(r => r.Id));
        var red = await (await office.GetAsync("/api/v1/rectifications?q=" + Uri.EscapeDataString(tag) + "&light=Red"))
            .Expect<LedgerPage>(HttpStatusCode.OK);
        Assert.Empty(red.Rows);   // never passed off as another light
        foreach (var url in new[] { "/api/v1/supervision/briefing.docx", "/api/v1/supervision/dashboard.xlsx", "/supervision/briefing" })
            await (await (await App.ClientFor("gz.jw")).GetAsync(url)).Expect(HttpStatusCode.OK);
    }

    [SkippableFact]
    public async Task ItemDeadlineInTheYear0001_IsInvalid_NotOverdue()
    {
        var (id, tag) = await ItemAsync(DateOnly.MinValue);
        var office = await App.ClientFor("yx.office");
        var q = "/api/v1/rectifications?q=" + Uri.EscapeDataString(tag);
        Assert.Empty((await (await office.GetAsync(q + "&overdue=true")).Expect<LedgerPage>(HttpStatusCode.OK)).Rows);
        Assert.Equal([id], (await (await office.GetAsync(q + "&invalid=true")).Expect<LedgerPage>(HttpStatusCode.OK)).Rows.Select(r => r.Id));
        Assert.Equal([id], (await (await office.GetAsync(q + "&light=Invalid")).Expect<LedgerPage>(HttpStatusCode.OK)).Rows.Select(r => r.Id));
    }

    [SkippableFact]
    public async Task Repair_ItemDeadline_OnlyTheOfficeOverIt_WithAReason_Audited()
    {
        var (id, tag) = await ItemAsync(new DateOnly(9999, 12, 31));
        RepairInput Input(string? value = "2026-12-31", string? reason = "录入错误，按整改方案应为年底") => new("RectItem", id, "Deadline", value, reason);

        // Found by the scan in scope, not outside it.
        var found = await (await (await App.ClientFor("yx.office")).GetAsync("/api/v1/repairs")).Expect<List<UnusableValue>>(HttpStatusCode.OK);
        Assert.Contains(found, v => v.Type == "RectItem" && v.Id == id.ToString() && v.Field == "Deadline");
        var hpFound = await (await (await App.ClientFor("hp.office")).GetAsync("/api/v1/repairs")).Expect<List<UnusableValue>>(HttpStatusCode.OK);
        Assert.DoesNotContain(hpFound, v => v.Type == "RectItem" && v.Id == id.ToString());
        await (await (await App.ClientFor("yx.fgj.liaison")).GetAsync("/api/v1/repairs")).Expect(HttpStatusCode.Forbidden);

        await (await (await App.ClientFor("yx.fgj.liaison")).PostAsJsonAsync("/api/v1/repairs", Input())).ExpectProblem(HttpStatusCode.Forbidden);
        await (await (await App.ClientFor("yx.jw")).PostAsJsonAsync("/api/v1/repairs", Input())).ExpectProblem(HttpStatusCode.Forbidden);
        await (await (await App.ClientFor("hp.office")).PostAsJsonAsync("/api/v1/repairs", Input())).ExpectProblem(HttpStatusCode.NotFound);
        var office = await App.ClientFor("yx.office");
        await (await office.PostAsJsonAsync("/api/v1/repairs", Input(reason: " "))).ExpectProblem(HttpStatusCode.BadRequest, "reason");
        await (await office.PostAsJsonAsync("/api/v1/repairs", Input(value: "9000-01-01"))).ExpectProblem(HttpStatusCode.BadRequest, "value");
        await (await office.PostAsJsonAsync("/api/v1/repairs", Input(value: "明年"))).ExpectProblem(HttpStatusCode.BadRequest, "value");
        await (await office.PostAsJsonAsync("/api/v1/repairs", Input() with { Field = "Measures" })).ExpectProblem(HttpStatusCode.BadRequest, "field");

        var done = await (await office.PostAsJsonAsync("/api/v1/repairs", Input())).Expect<RepairResult>(HttpStatusCode.OK);
        Assert.Equal(("9999-12-31", "2026-12-31"), (done.Before, done.After));
        Assert.Empty(done.Remaining);
        var row = await (await office.GetAsync($"/api/v1/rectifications/{id}")).Expect<ItemDetail>(HttpStatusCode.OK);
        Assert.NotEqual(LightLevel.Invalid, row.Item.Light);
        Assert.Equal(new DateOnly(2026, 12, 31), row.Item.Deadline);
        Assert.Null(row.Item.InvalidValues);
        // A usable value is not repaired this way: it goes through the item's own actions (extensions …).
        await (await office.PostAsJsonAsync("/api/v1/repairs", Input("2027-01-31"))).ExpectProblem(HttpStatusCode.Conflict);

        var (db, scope) = App.SystemDb();
        using (scope)
        {
            var idText = id.ToString();
            var trail = await db.AuditEntries.Where(e => e.EntityType == "RectItem" && e.EntityId == idText).OrderBy(e => e.Seq).ToListAsync();
            Assert.Contains(trail, e => e.Action == AuditAction.Update && e.Actor == "yx.office" && e.After!.Contains("2026-12-31"));
            Assert.Contains(trail, e => e.Action == AuditAction.Event && e.Note!.Contains("9999-12-31 → 2026-12-31")
                && e.Note.Contains("录入错误") && e.OrgPath != null);
        }
    }

    [SkippableFact]
    public async Task Repair_OtherRecords_DutyTaskOrderAndWorkOrder_ThroughTheApi()
    {
        var (db, scope) = App.SystemDb();
        int task, order, wo;
        var org = await App.OrgId("GZ-YX-FGJ");
        using (scope)
        {
            var t = new DutyTask { OrgId = org, Source = DutySource.MeetingDecision, Title = "无效时限的会议决定", DueOn = DateOnly.MaxValue, CreatedAt = DateTime.UtcNow };
            var o = new SupervisionOrder
            {
                OrgId = org, Title = "无效时限的督办单", Requirements = "回复", IssuedBy = "tests", IssuedByName = "测试", IssuedAt = DateTime.UtcNow,
                DueOn = new DateOnly(1, 1, 1),
            };
            var ticket = DemandPrivacy.Ticket(Today, 998_000 + Random.Shared.Next(999));
            var w = new WorkOrder
            {
                Ticket = ticket, CodeHash = "x", Content = "路灯\uFFFF不亮", OrgId = org, DispatchOrgId = await App.OrgId("GZ"),
                Status = OrderStatus.Handling, DispatchedOn = Today.AddDays(-2), Deadline = new DateOnly(9000, 1, 1), Published = true,
                PublicTitle = "路灯\uFFFF不亮",   // Open311 shows the stored public title (ADR 0019)
                Reply = "已处理\u0001完毕", CreatedAt = DateTime.UtcNow, UpdatedAt = DateTime.UtcNow,
            };
            db.AddRange(t, o, w);
            await db.SaveChangesAsync();
            (task, order, wo) = (t.Id, o.Id, w.Id);
        }

        // 履职清单: answers, and says which deadline is invalid.
        var liaison = await App.ClientFor("yx.fgj.liaison");
        var duties = await (await liaison.GetAsync($"/api/v1/orgs/{org}/duties")).Expect<List<DutyEntry>>(HttpStatusCode.OK);
        Assert.Contains(duties, d => d.Light == LightLevel.Invalid && d.LightReason == "完成时限无效（9999-12-31）");
        Assert.Contains(duties, d => d.Light == LightLevel.Invalid && d.LightReason == "回复时限无效（0001-01-01）");
        Assert.Contains(duties, d => d.Light == LightLevel.Invalid && d.LightReason == "办理时限无效（9000-01-01）");
        Assert.Contains("完成时限无效", await Html("yx.fgj.liaison", $"/orgs/{org}/duties"));
        // Open311 XML stays well-formed for everyone, the character replaced.
        var xml = await App.Anonymous().GetAsync("/open311/v2/requests.xml");
        await xml.Expect(HttpStatusCode.OK);
        var feed = XDocument.Parse(await xml.Content.ReadAsStringAsync());
        // the non-character is stripped when saved (InputBounds) or replaced when read (Xml cleaning): never sent raw
        Assert.Contains(feed.Descendants("description"), d => d.Value is "路灯\uFFFD不亮" or "路灯不亮");
        await (await App.Anonymous().GetAsync("/open311/v2/requests.json")).Expect(HttpStatusCode.OK);

        var office = await App.ClientFor("yx.office");
        foreach (var (type, id, field, value) in new[]
                 { ("DutyTask", task, "DueOn", "2026-12-31"), ("SupervisionOrder", order, "DueOn", "2026-12-31"), ("WorkOrder", wo, "Deadline", "2026-12-31") })
        {
            var r = await (await office.PostAsJsonAsync("/api/v1/repairs", new RepairInput(type, id, field, value, "按原始记录更正")))
                .Expect<RepairResult>(HttpStatusCode.OK);
            Assert.Equal(value, r.After);
        }
        duties = await (await liaison.GetAsync($"/api/v1/orgs/{org}/duties")).Expect<List<DutyEntry>>(HttpStatusCode.OK);
        Assert.DoesNotContain(duties, d => d.Light == LightLevel.Invalid && d.Title.Contains("无效时限"));
    }
}

public sealed class SqliteInvalidValueTests(SqliteFixture app) : InvalidValueTestsBase(() => app), IClassFixture<SqliteFixture>;

public sealed class PostgresInvalidValueTests(PostgresFixture app) : InvalidValueTestsBase(() => app.Factory), IClassFixture<PostgresFixture>;
