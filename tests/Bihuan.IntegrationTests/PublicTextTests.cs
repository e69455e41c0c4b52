using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Bihuan.Domain;
using Bihuan.Features.Demands;
using Microsoft.Extensions.DependencyInjection;

namespace Bihuan.IntegrationTests;

/// Issue 15: publishing is a reviewed act (the desk reads and may edit the redacted public text; it is stored, audited
/// and withdrawable), Open311 to spec (discovery URL, media_url, updated_after, per-key limits), and a crawl of every
/// anonymous page and Open311 format after demands and replies full of personal data in many written forms.
public abstract partial class PublicTextTestsBase(Func<BihuanFactory> factory) : PortalHelpers(factory)
{
    const string Base = "/open311/v2";

    async Task<(string Key, string Prefix)> ApiKey()
    {
        var res = await (await App.ClientFor("gz.hotline")).PostAsJsonAsync("/api/v1/open311/keys",
            new { orgId = await App.OrgId("GZ"), name = "城市 App " + Tag() });
        var j = await res.Expect<JsonElement>(HttpStatusCode.Created);
        return (j.GetProperty("apiKey").GetString()!, j.GetProperty("prefix").GetString()!);
    }

    static FormUrlEncodedContent Encoded(params (string K, string V)[] fields) =>
        new(fields.Select(f => new KeyValuePair<string, string>(f.K, f.V)));

    static async Task<JsonElement> Json(HttpResponseMessage r, HttpStatusCode status)
    {
        await r.Expect(status);
        Assert.Equal("application/json", r.Content.Headers.ContentType?.MediaType);
        return JsonDocument.Parse(await r.Content.ReadAsStringAsync()).RootElement;
    }

    static async Task<XElement> Xml(HttpResponseMessage r, HttpStatusCode status)
    {
        await r.Expect(status);
        Assert.Equal("text/xml", r.Content.Headers.ContentType?.MediaType);
        return XDocument.Parse(await r.Content.ReadAsStringAsync()).Root!;
    }

    /// Dispatched to 越秀区发改局, signed and replied with `reply`.
    async Task<int> Replied(string ticket, string reply)
    {
        var id = await IdOf(ticket);
        await Act(await App.ClientFor("gz.hotline"), id, "dispatch", new { orgId = await App.OrgId("GZ-YX-FGJ") });
        var liaison = await App.ClientFor("yx.fgj.liaison");
        await Act(liaison, id, "sign");
        await Act(liaison, id, "reply", new { text = reply });
        return id;
    }

    [SkippableFact]
    public async Task Publish_DeskReadsTheRedactedText_EditsIt_StoredAuditedAndWithdrawable()
    {
        var tag = Tag();
        var phone = Phone();
        var (ticket, _) = await Submit(DemandType.Consult, $"{tag} 我是欧阳锦程，电话 {phone[..3]}-{phone[3..7]}-{phone[7..]}，咨询加装电梯",
            phone, "欧阳锦程");
        var id = await Replied(ticket, $"欧阳先生您好，补贴标准见区住建局网站，经办人电话 020-8345 1234 转 806。{tag}答复");
        var hotline = await App.ClientFor("gz.hotline");
        // nothing is public by default
        Assert.DoesNotContain(tag, await App.Anonymous().GetStringAsync("/public/results"));
        var detail = await (await hotline.GetAsync($"/api/v1/workorders/{id}")).Expect<WorkOrderDetail>(HttpStatusCode.OK);
        Assert.False(detail.Published);
        var proposal = Assert.IsType<PublicProposal>(detail.Proposal);
        Assert.DoesNotContain("欧阳", proposal.Title + proposal.Reply);
        Assert.DoesNotContain(phone[7..], proposal.Title);
        Assert.DoesNotContain("8345", proposal.Reply);
        Assert.Contains("补贴标准见区住建局网站", proposal.Reply);
        // the order page shows the desk exactly that text, editable
        var page = System.Net.WebUtility.HtmlDecode(await hotline.GetStringAsync($"/workorders/{id}"));
        Assert.Contains(proposal.Reply, page);
        Assert.Contains("name=\"title\"", page);

        // an edit that puts a phone back in is redacted once more; the edited text is what is stored and shown
        var published = await Act(hotline, id, "publish", new
        {
            title = $"{tag} 咨询加装电梯补贴", text = $"{tag}已答复：补贴标准见区住建局网站，可致电 13912345678 咨询。",
        });
        Assert.True(published.Published);
        Assert.Equal($"{tag} 咨询加装电梯补贴", published.PublicTitle);
        Assert.DoesNotContain("13912345678", published.PublicReply);
        Assert.Contains("补贴标准见区住建局网站", published.PublicReply);
        var results = await App.Anonymous().GetStringAsync("/public/results");
        Assert.Contains($"{tag}已答复", results);
        Assert.DoesNotContain($"{tag}答复", results);   // the raw reply never
        Assert.DoesNotContain("13912345678", results);
        var o311 = await Json(await App.Anonymous().GetAsync($"{Base}/requests/{ticket}.json"), HttpStatusCode.OK);
        Assert.Equal($"{tag} 咨询加装电梯补贴", o311[0].GetProperty("description").GetString());
        Assert.Equal(published.PublicReply, o311[0].GetProperty("status_notes").GetString());
        // audited on the order's timeline; publishing twice is refused; withdrawing needs a reason
        Assert.Contains(published.Timeline, e => e.Action == "公开答复" && e.Text == published.PublicReply);
        await (await hotline.PostAsJsonAsync($"/api/v1/workorders/{id}/publish", new { })).ExpectProblem(HttpStatusCode.Conflict);
        await (await hotline.PostAsJsonAsync($"/api/v1/workorders/{id}/withdraw", new { })).ExpectProblem(HttpStatusCode.BadRequest);
        // the handling unit does not publish
        await (await (await App.ClientFor("yx.fgj.liaison")).PostAsJsonAsync($"/api/v1/workorders/{id}/withdraw",
            new { text = "x" })).ExpectProblem(HttpStatusCode.Forbidden);
        var withdrawn = await Act(hotline, id, "withdraw", new { text = "答复需更新" });
        Assert.False(withdrawn.Published);
        Assert.Null(withdrawn.PublicReply);
        Assert.Contains(withdrawn.Timeline, e => e.Action == "撤回公开" && e.Text == "答复需更新");
        Assert.DoesNotContain(tag, await App.Anonymous().GetStringAsync("/public/results"));
        var after = await Json(await App.Anonymous().GetAsync($"{Base}/requests/{ticket}.json"), HttpStatusCode.OK);
        Assert.Equal(JsonValueKind.Null, after[0].GetProperty("description").ValueKind);
        Assert.DoesNotContain(tag, after.GetRawText());
    }

    [SkippableFact]
    public async Task Open311_DiscoveryUrlsHaveNoDoubledSlash()
    {
        foreach (var fmt in new[] { "xml", "json" })
        {
            var body = await App.Anonymous().GetStringAsync($"{Base}/discovery.{fmt}");
            var url = fmt == "json"
                ? JsonDocument.Parse(body).RootElement.GetProperty("endpoints")[0].GetProperty("url").GetString()!
                : XDocument.Parse(body).Root!.Element("endpoints")!.Element("endpoint")!.Element("url")!.Value;
            Assert.EndsWith("/open311/v2", url);
            var services = url + "/services." + fmt;
            Assert.DoesNotContain("//", new Uri(services).AbsolutePath);
            await (await App.Anonymous().GetAsync(new Uri(services).PathAndQuery)).Expect(HttpStatusCode.OK);
        }
    }

    [SkippableFact]
    public async Task Open311_MediaUrlKeptAsLink_ReturnedOncePublished_BadLinksRefused()
    {
        var (key, _) = await ApiKey();
        var c = App.Anonymous();
        (string, string)[] Post(string media) =>
        [
            ("api_key", key), ("service_code", "help"), ("address_string", "越秀区北京路"), ("description", $"{Tag()} 井盖缺失"),
            ("media_url", media),
        ];
        foreach (var bad in new[] { "ftp://example.cn/a.jpg", "javascript:alert(1)", "not a url", "https://user:pw@example.cn/a.jpg",
                     "https://example.cn/" + new string('a', 600) })
        {
            var err = await Json(await c.PostAsync($"{Base}/requests.json", Encoded(Post(bad))), HttpStatusCode.BadRequest);
            Assert.Equal(400, err[0].GetProperty("code").GetInt32());
        }
        // the host does not exist: the server never fetches it, so the post succeeds all the same
        var media = $"https://photos.invalid/{Guid.NewGuid():N}.jpg";
        var created = await Json(await c.PostAsync($"{Base}/requests.json", Encoded(Post(media))), HttpStatusCode.Created);
        var ticket = created[0].GetProperty("service_request_id").GetString()!;
        var before = await Json(await c.GetAsync($"{Base}/requests/{ticket}.json"), HttpStatusCode.OK);
        Assert.Equal(JsonValueKind.Null, before[0].GetProperty("media_url").ValueKind);   // nothing public before publication
        var id = await Replied(ticket, "已安排维修");
        var hotline = await App.ClientFor("gz.hotline");
        Assert.Equal(media, (await (await hotline.GetAsync($"/api/v1/workorders/{id}")).Expect<WorkOrderDetail>(HttpStatusCode.OK)).MediaUrl);
        await Act(hotline, id, "publish", new { });
        var json = await Json(await c.GetAsync($"{Base}/requests/{ticket}.json"), HttpStatusCode.OK);
        Assert.Equal(media, json[0].GetProperty("media_url").GetString());
        var xml = await Xml(await c.GetAsync($"{Base}/requests/{ticket}.xml"), HttpStatusCode.OK);
        Assert.Equal(media, xml.Element("request")!.Element("media_url")!.Value);
    }

    [SkippableFact]
    public async Task Open311_UpdatedAfter_ListsWhatChangedSince_OldestFirst_BadDates400()
    {
        var (key, _) = await ApiKey();
        var c = App.Anonymous();
        async Task<string> New() => (await Json(await c.PostAsync($"{Base}/requests.json", Encoded(("api_key", key),
            ("service_code", "consult"), ("address_string", "越秀区"), ("description", $"{Tag()} 咨询")
        )), HttpStatusCode.Created))[0].GetProperty("service_request_id").GetString()!;
        var (a, b) = (await New(), await New());
        // the app's last poll: after both were created (the test server runs on the system clock)
        var mark = DateTime.UtcNow.ToString("O");
        // a reply to a: it changed after b's last update; b did not
        var id = await Replied(a, "已答复");
        await Act(await App.ClientFor("gz.hotline"), id, "publish", new { });
        var changed = await Json(await c.GetAsync($"{Base}/requests.json?updated_after={Uri.EscapeDataString(mark)}"),
            HttpStatusCode.OK);
        var ids = changed.EnumerateArray().Select(r => r.GetProperty("service_request_id").GetString()).ToList();
        Assert.Contains(a, ids);
        Assert.DoesNotContain(b, ids);
        var row = changed.EnumerateArray().Single(r => r.GetProperty("service_request_id").GetString() == a);
        Assert.Equal("已答复", row.GetProperty("status_notes").GetString());
        var times = changed.EnumerateArray().Select(r => DateTimeOffset.Parse(r.GetProperty("updated_datetime").GetString()!))
            .ToList();
        Assert.Equal(times.Order(), times);
        var xml = await Xml(await c.GetAsync($"{Base}/requests.xml?updated_after={Uri.EscapeDataString(mark)}"), HttpStatusCode.OK);
        Assert.Contains(a, xml.Elements("request").Select(e => e.Element("service_request_id")!.Value));
        foreach (var bad in new[] { "yesterday", "1900-01-01T00:00:00Z" })
            await Json(await c.GetAsync($"{Base}/requests.json?updated_after={bad}"), HttpStatusCode.BadRequest);
        await Xml(await c.GetAsync($"{Base}/requests.xml?updated_after=2026-11-02T00:00:00Z&updated_before=2026-11-01T00:00:00Z"),
            HttpStatusCode.BadRequest);
    }

    [SkippableFact]
    public async Task Open311_PerKeyLimit_ConfigurablePerKey_429InTheRequestedFormat()
    {
        var (key, prefix) = await ApiKey();
        var (other, _) = await ApiKey();
        // Bihuan:Portal:Open311:PerKey:<prefix> — set here on the bound options, as the configuration would.
        App.Services.GetRequiredService<PortalOptions>().Open311.PerKey[prefix] = 2;
        var c = App.Anonymous();
        (string, string)[] Fields(string k) =>
            [("api_key", k), ("service_code", "consult"), ("address_string", "越秀区"), ("description", $"{Tag()} 咨询")];
        await Json(await c.PostAsync($"{Base}/requests.json", Encoded(Fields(key))), HttpStatusCode.Created);
        await Json(await c.PostAsync($"{Base}/requests.json", Encoded(Fields(key))), HttpStatusCode.Created);
        var json = await Json(await c.PostAsync($"{Base}/requests.json", Encoded(Fields(key))), HttpStatusCode.TooManyRequests);
        Assert.Equal(429, json[0].GetProperty("code").GetInt32());
        var xml = await Xml(await c.PostAsync($"{Base}/requests.xml", Encoded(Fields(key))), HttpStatusCode.TooManyRequests);
        Assert.Equal("429", xml.Element("error")!.Element("code")!.Value);
        // another key keeps the default (1000 an hour), well past the portal's 20 per source
        for (var i = 0; i < 25; i++)
            await Json(await c.PostAsync($"{Base}/requests.json", Encoded(Fields(other))), HttpStatusCode.Created);
    }

    // ---- the crawl ----

    [GeneratedRegex("href=\"(/public[^\"#]*)\"")]
    private static partial Regex PublicLink();

    [SkippableFact]
    public async Task Crawl_PersonalDataInManyForms_NoAnonymousPageOrOpen311FormatShowsAny()
    {
        var tag = Tag();
        var phone = Phone();
        var hotline = await App.ClientFor("gz.hotline");
        // what must never appear, however it was written
        string[] secrets =
        [
            "欧阳锦程", "锦程", "张美兰", "王小明", "上官女士", "司马先生", "李阿姨",
            phone, $"{phone[..3]} {phone[3..7]} {phone[7..]}", "+8613987654321", "139-8765-4322", "１３９８７６５４３２３",
            "020-83451234", "(020)87654321", "8765 4321", "zhang.meilan@163.com", "440104199001011234", "440104 19900101 123X",
            "440104500203123", "6222 0212 3456 7890 123", "粤A·12345", "粤AD54321", "502室", "1203房", "5栋2单元",
        ];
        var demands = new (DemandType Type, string Content, string? Name, string? Location, bool Anonymous)[]
        {
            (DemandType.Consult, $"{tag}甲 我是欧阳锦程，电话+8613987654321，邻居张美兰（139-8765-4322）家漏水", "欧阳锦程",
                "越秀区北京路123号5栋2单元502室", false),
            (DemandType.Help, $"{tag}乙 联系人：王小明，座机020-83451234，邮箱zhang.meilan@163.com，手机１３９８７６５４３２３", "王小明",
                "海珠区江南大道中5号1203房", false),
            (DemandType.Complaint, $"{tag}丙 身份证440104199001011234和440104 19900101 123X，旧证440104500203123，" +
                $"工资卡6222 0212 3456 7890 123，锦程的电话 {phone[..3]} {phone[3..7]} {phone[7..]}", "欧阳锦程", null, false),
            (DemandType.Suggestion, $"{tag}丁 上官女士和司马先生建议：粤A·12345和粤AD54321天天占用消防通道，李阿姨也有意见", null,
                "天河区黄埔大道西100号", true),
        };
        var tickets = new List<(string Ticket, string Code)>();
        foreach (var d in demands)
        {
            var t = await Submit(d.Type, d.Content, d.Anonymous ? null : phone, d.Name, location: d.Location, anonymous: d.Anonymous);
            tickets.Add(t);
            var id = await IdOf(t.Ticket);
            await Act(hotline, id, "dispatch", new { orgId = await App.OrgId("GZ-YX-FGJ") });
            var liaison = await App.ClientFor("yx.fgj.liaison");
            await Act(liaison, id, "sign");
            var reply = $"{tag}答复 欧阳锦程您好，已联系张美兰和王小明（(020)87654321 / 8765 4321），到502室核查。";
            if (d.Type == DemandType.Complaint)
            {
                await Act(liaison, id, "submit-reply", new { text = reply });
                await Act(await App.ClientFor("yx.fgj.head"), id, "sign-off", new { });
            }
            else await Act(liaison, id, "reply", new { text = reply });
            await Act(hotline, id, "publish", new { });   // the proposal, as offered
        }
        // and through Open311, with the submitter's name and data in the description
        var (key, _) = await ApiKey();
        var o311 = await Json(await App.Anonymous().PostAsync($"{Base}/requests.json", Encoded(("api_key", key),
            ("service_code", "consult"), ("address_string", "白云区同和街丽江花园5栋2单元502室"),
            ("description", $"{tag}戊 欧阳锦程反映，电话+8613987654321"), ("first_name", "锦程"), ("last_name", "欧阳"),
            ("email", "zhang.meilan@163.com"), ("phone", phone))), HttpStatusCode.Created);
        var o311Ticket = o311[0].GetProperty("service_request_id").GetString()!;
        var o311Id = await Replied(o311Ticket, $"{tag}答复 欧阳先生，李阿姨已搬走，粤A·12345已拖移");
        await Act(hotline, o311Id, "publish", new { });

        // every anonymous page reachable from /public (following links), every Open311 format, every status page
        var c = App.Anonymous();
        var bodies = new List<(string Url, string Body)>();
        var queue = new Queue<string>(["/public", "/public/results", $"/public/results?unit=发展", "/public/results?type=Complaint"]);
        var seen = new HashSet<string>();
        while (queue.TryDequeue(out var url) && seen.Count < 60)
        {
            if (!seen.Add(url)) continue;
            var r = await c.GetAsync(url);
            if (r.StatusCode is HttpStatusCode.Redirect or HttpStatusCode.Found) continue;
            Assert.True(r.IsSuccessStatusCode, $"{url}: {await r.Describe()}");
            var body = System.Net.WebUtility.HtmlDecode(await r.Content.ReadAsStringAsync());
            bodies.Add((url, body));
            foreach (Match m in PublicLink().Matches(body)) queue.Enqueue(System.Net.WebUtility.HtmlDecode(m.Groups[1].Value));
        }
        foreach (var fmt in new[] { "xml", "json" })
        {
            foreach (var u in new[] { "requests", "requests?status=closed", "requests?service_code=consult,help,complaint,suggestion",
                         $"requests?updated_after={Uri.EscapeDataString(DateTime.UtcNow.AddHours(-1).ToString("O"))}" })
            {
                var path = u.Contains('?') ? u.Replace("?", $".{fmt}?") : $"{u}.{fmt}";
                bodies.Add((path, await c.GetStringAsync($"{Base}/{path}")));
            }
            foreach (var t in tickets.Select(t => t.Ticket).Append(o311Ticket))
                bodies.Add(($"{t}.{fmt}", await c.GetStringAsync($"{Base}/requests/{t}.{fmt}")));
        }
        foreach (var (t, code) in tickets) bodies.Add(($"status {t}", System.Net.WebUtility.HtmlDecode(await Status(t, code))));

        var results = bodies.First(b => b.Url == "/public/results").Body;
        Assert.Contains($"{tag}答复", results);   // the replies are published…
        Assert.Contains($"{tag}丁", results);
        foreach (var (url, body) in bodies)
            foreach (var s in secrets)
                Assert.False(body.Contains(s, StringComparison.Ordinal), $"{url} shows '{s}'");
        // …and so are the published Open311 texts, without the data
        var json = bodies.First(b => b.Url == $"{o311Ticket}.json").Body;
        Assert.Contains($"{tag}戊", json);
        Assert.Contains("丽江花园", json);
    }
}

public sealed class SqlitePublicTextTests(SqliteFixture app) : PublicTextTestsBase(() => app), IClassFixture<SqliteFixture>;

public sealed class PostgresPublicTextTests(PostgresFixture app) : PublicTextTestsBase(() => app.Factory),
    IClassFixture<PostgresFixture>;
