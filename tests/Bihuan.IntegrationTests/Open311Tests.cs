using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Xml.Linq;
using Bihuan.Domain;
using Bihuan.Features.Demands;

namespace Bihuan.IntegrationTests;

/// Open311 GeoReport v2 contract (http://wiki.open311.org/GeoReport_v2), in XML and JSON, following the spec's
/// examples; and the privacy crawl: no public page and no Open311 response carries a stored name or phone.
public abstract class Open311TestsBase(Func<BihuanFactory> factory) : PortalHelpers(factory)
{
    const string Base = "/open311/v2";

    async Task<string> ApiKey()
    {
        var res = await (await App.ClientFor("gz.hotline")).PostAsJsonAsync("/api/v1/open311/keys", new { orgId = await App.OrgId("GZ"), name = "穗好办 App" });
        return (await res.Expect<JsonElement>(HttpStatusCode.Created)).GetProperty("apiKey").GetString()!;
    }

    static FormUrlEncodedContent Encoded(params (string K, string V)[] fields) =>
        new(fields.Select(f => new KeyValuePair<string, string>(f.K, f.V)));

    static async Task<XElement> Xml(HttpResponseMessage r, HttpStatusCode status)
    {
        await r.Expect(status);
        Assert.Equal("text/xml", r.Content.Headers.ContentType?.MediaType);
        return XDocument.Parse(await r.Content.ReadAsStringAsync()).Root!;
    }

    static async Task<JsonElement> Json(HttpResponseMessage r, HttpStatusCode status)
    {
        await r.Expect(status);
        Assert.Equal("application/json", r.Content.Headers.ContentType?.MediaType);
        return JsonDocument.Parse(await r.Content.ReadAsStringAsync()).RootElement;
    }

    static async Task ExpectXmlError(HttpResponseMessage r, HttpStatusCode status)
    {
        var root = await Xml(r, status);
        Assert.Equal("errors", root.Name.LocalName);
        var e = Assert.Single(root.Elements("error"));
        Assert.Equal(((int)status).ToString(), e.Element("code")!.Value);
        Assert.False(string.IsNullOrWhiteSpace(e.Element("description")!.Value));
    }

    static async Task ExpectJsonError(HttpResponseMessage r, HttpStatusCode status)
    {
        var root = await Json(r, status);
        var e = Assert.Single(root.EnumerateArray());
        Assert.Equal((int)status, e.GetProperty("code").GetInt32());
        Assert.False(string.IsNullOrWhiteSpace(e.GetProperty("description").GetString()));
    }

    [SkippableFact]
    public async Task Discovery_And_Services_XmlAndJson()
    {
        var c = App.Anonymous();
        var d = await Xml(await c.GetAsync($"{Base}/discovery.xml"), HttpStatusCode.OK);
        Assert.Equal("discovery", d.Name.LocalName);
        Assert.Equal("http://wiki.open311.org/GeoReport_v2", d.Element("endpoints")!.Element("endpoint")!.Element("specification")!.Value);

        var xml = await Xml(await c.GetAsync($"{Base}/services.xml"), HttpStatusCode.OK);
        Assert.Equal("services", xml.Name.LocalName);
        var services = xml.Elements("service").ToList();
        Assert.Equal(Enum.GetValues<DemandType>().Length, services.Count);
        foreach (var s in services)
            foreach (var field in new[] { "service_code", "service_name", "description", "metadata", "type", "keywords", "group" })
                Assert.NotNull(s.Element(field));
        Assert.Contains(services, s => s.Element("service_code")!.Value == "complaint" && s.Element("service_name")!.Value == "投诉");

        var json = await Json(await c.GetAsync($"{Base}/services.json?jurisdiction_id=GZ"), HttpStatusCode.OK);
        Assert.Equal(JsonValueKind.Array, json.ValueKind);
        var complaint = json.EnumerateArray().Single(s => s.GetProperty("service_code").GetString() == "complaint");
        Assert.True(complaint.GetProperty("metadata").GetBoolean());
        Assert.Equal("realtime", complaint.GetProperty("type").GetString());
        await ExpectJsonError(await c.GetAsync($"{Base}/services.json?jurisdiction_id=SZ"), HttpStatusCode.NotFound);
    }

    [SkippableFact]
    public async Task ServiceDefinition_AttributesXmlAndJson_UnknownCode404()
    {
        var c = App.Anonymous();
        var xml = await Xml(await c.GetAsync($"{Base}/services/suggestion.xml"), HttpStatusCode.OK);
        Assert.Equal("service_definition", xml.Name.LocalName);
        Assert.Equal("suggestion", xml.Element("service_code")!.Value);
        var attrs = xml.Element("attributes")!.Elements("attribute").ToList();
        foreach (var a in attrs)
            foreach (var field in new[] { "variable", "code", "datatype", "required", "datatype_description", "order", "description" })
                Assert.NotNull(a.Element(field));
        var anon = attrs.Single(a => a.Element("code")!.Value == "anonymous");
        Assert.Equal("singlevaluelist", anon.Element("datatype")!.Value);
        Assert.Equal(["true", "false"], anon.Element("values")!.Elements("value").Select(v => v.Element("key")!.Value));

        var json = await Json(await c.GetAsync($"{Base}/services/complaint.json"), HttpStatusCode.OK);
        Assert.Equal("complaint", json.GetProperty("service_code").GetString());
        var unit = json.GetProperty("attributes").EnumerateArray().Single();
        Assert.Equal("unit_code", unit.GetProperty("code").GetString());
        Assert.False(unit.GetProperty("required").GetBoolean());
        await ExpectXmlError(await c.GetAsync($"{Base}/services/potholes.xml"), HttpStatusCode.NotFound);
        await ExpectJsonError(await c.GetAsync($"{Base}/services/potholes.json"), HttpStatusCode.NotFound);
    }

    [SkippableFact]
    public async Task PostRequest_ApiKeyRequired_ValidatesAndReturnsServiceRequestId()
    {
        var c = App.Anonymous();
        var key = await ApiKey();
        var tag = Tag();
        var phone = Phone();
        (string, string)[] Valid(string k) =>
        [
            ("api_key", k), ("service_code", "help"), ("lat", "23.1291"), ("long", "113.2644"), ("address_string", "越秀区北京路"),
            ("description", $"{tag} 北京路步行街井盖缺失"), ("first_name", "建国"), ("last_name", "诸葛"), ("phone", phone),
            ("attribute[unit_code]", "GZ-YX-BJJ"),
        ];
        await ExpectJsonError(await c.PostAsync($"{Base}/requests.json", Encoded(Valid("")[1..])), HttpStatusCode.Forbidden);
        await ExpectXmlError(await c.PostAsync($"{Base}/requests.xml", Encoded(Valid("o311_wrong"))), HttpStatusCode.Forbidden);
        await ExpectJsonError(await c.PostAsync($"{Base}/requests.json",
            Encoded([.. Valid(key).Where(f => f.Item1 != "service_code"), ("service_code", "potholes")])), HttpStatusCode.BadRequest);
        await ExpectJsonError(await c.PostAsync($"{Base}/requests.json",
            Encoded([.. Valid(key).Where(f => f.Item1 is not ("lat" or "long" or "address_string"))])), HttpStatusCode.BadRequest);
        await ExpectXmlError(await c.PostAsync($"{Base}/requests.xml",
            Encoded([.. Valid(key).Where(f => f.Item1 != "phone"), ("phone", "12345")])), HttpStatusCode.BadRequest);
        // the staff side refuses keys to units that are not a dispatch desk
        await (await (await App.ClientFor("yx.fgj.liaison")).PostAsJsonAsync("/api/v1/open311/keys",
            new { orgId = await App.OrgId("GZ-YX-FGJ"), name = "x" })).Expect(HttpStatusCode.Forbidden);

        var created = await Json(await c.PostAsync($"{Base}/requests.json", Encoded(Valid(key))), HttpStatusCode.Created);
        var r = Assert.Single(created.EnumerateArray());
        var id = r.GetProperty("service_request_id").GetString()!;
        Assert.Matches(DemandPrivacy.TicketFormat(), id);
        Assert.True(r.TryGetProperty("service_notice", out _));
        Assert.Equal(JsonValueKind.Null, r.GetProperty("account_id").ValueKind);

        var xmlCreated = await Xml(await c.PostAsync($"{Base}/requests.xml",
            Encoded([.. Valid(key).Where(f => f.Item1 != "phone"), ("phone", Phone())])), HttpStatusCode.Created);
        Assert.Equal("service_requests", xmlCreated.Name.LocalName);
        var xmlId = xmlCreated.Element("request")!.Element("service_request_id")!.Value;

        // read back: one, a list, as XML and JSON; open; no personal data
        var one = await Json(await c.GetAsync($"{Base}/requests/{id}.json"), HttpStatusCode.OK);
        var req = Assert.Single(one.EnumerateArray());
        Assert.Equal("open", req.GetProperty("status").GetString());
        Assert.Equal("help", req.GetProperty("service_code").GetString());
        foreach (var field in new[] { "service_request_id", "status_notes", "service_name", "description", "agency_responsible",
                     "service_notice", "requested_datetime", "updated_datetime", "expected_datetime", "address", "address_id",
                     "zipcode", "lat", "long", "media_url" })
            Assert.True(req.TryGetProperty(field, out _), field);
        Assert.DoesNotContain(phone, one.GetRawText());
        Assert.DoesNotContain("诸葛", one.GetRawText());
        var list = await Xml(await c.GetAsync($"{Base}/requests.xml?service_request_id={id},{xmlId}"), HttpStatusCode.OK);
        Assert.Equal(new[] { id, xmlId }.Order(), list.Elements("request").Select(e => e.Element("service_request_id")!.Value).Order());
        var token = await Json(await c.GetAsync($"{Base}/tokens/{id}.json"), HttpStatusCode.OK);
        Assert.Equal(id, token[0].GetProperty("service_request_id").GetString());
        await ExpectXmlError(await c.GetAsync($"{Base}/requests/GZ20200101999999.xml"), HttpStatusCode.NotFound);
        await ExpectJsonError(await c.GetAsync($"{Base}/tokens/nope.json"), HttpStatusCode.NotFound);
    }

    [SkippableFact]
    public async Task GetRequests_FiltersByCodeDatesAndStatus_SpanAtMost90Days()
    {
        var c = App.Anonymous();
        var (open, _) = await Submit(DemandType.Praise, $"{Tag()} 表扬北京街工作人员耐心细致");
        var (rejected, _) = await Submit(DemandType.Praise, $"{Tag()} 重复提交");
        await (await (await App.ClientFor("gz.hotline")).PostAsJsonAsync($"/api/v1/workorders/{await IdOf(rejected)}/reject",
            new { text = "重复提交" })).Expect(HttpStatusCode.OK);
        var start = DateTime.UtcNow.AddDays(-1).ToString("yyyy-MM-ddTHH:mm:ssZ");
        var end = DateTime.UtcNow.AddDays(1).ToString("yyyy-MM-ddTHH:mm:ssZ");
        var praise = await Json(await c.GetAsync($"{Base}/requests.json?service_code=praise&start_date={start}&end_date={end}"), HttpStatusCode.OK);
        var ids = praise.EnumerateArray().Select(r => r.GetProperty("service_request_id").GetString()).ToList();
        Assert.Contains(open, ids);
        Assert.Contains(rejected, ids);
        Assert.All(praise.EnumerateArray(), r => Assert.Equal("praise", r.GetProperty("service_code").GetString()));
        var closed = await Xml(await c.GetAsync($"{Base}/requests.xml?service_code=praise&status=closed"), HttpStatusCode.OK);
        var closedIds = closed.Elements("request").Select(e => e.Element("service_request_id")!.Value).ToList();
        Assert.Contains(rejected, closedIds);
        Assert.DoesNotContain(open, closedIds);
        Assert.All(closed.Elements("request"), e => Assert.Equal("closed", e.Element("status")!.Value));
        var tooLong = DateTime.UtcNow.AddDays(-120).ToString("yyyy-MM-ddTHH:mm:ssZ");
        await ExpectJsonError(await c.GetAsync($"{Base}/requests.json?start_date={tooLong}&end_date={end}"), HttpStatusCode.BadRequest);
        await ExpectXmlError(await c.GetAsync($"{Base}/requests.xml?status=pending"), HttpStatusCode.BadRequest);
        await ExpectXmlError(await c.GetAsync($"{Base}/requests.xml?start_date=yesterday"), HttpStatusCode.BadRequest);
    }

    [SkippableFact]
    public async Task PrivacyCrawl_NoPublicPageOrOpen311Response_CarriesAStoredNameOrPhone()
    {
        var fgj = await App.OrgId("GZ-YX-FGJ");
        var hotline = await App.ClientFor("gz.hotline");
        var liaison = await App.ClientFor("yx.fgj.liaison");
        var people = new List<(string Name, string Phone, string Ticket, string Code)>();
        string[] names = ["欧阳锦程", "上官婉清", "司徒振华"];
        foreach (var name in names)
        {
            var phone = Phone();
            // the submitters also write their name and number into the text, as people do
            var (t, code) = await Submit(DemandType.Consult, $"我是{name}，电话{phone}，{Tag()} 咨询老旧小区加装电梯补贴", phone, name, fgj, $"{name}家楼下");
            people.Add((name, phone, t, code));
            var id = await IdOf(t);
            await Act(hotline, id, "dispatch", new { orgId = fgj });
            await Act(liaison, id, "sign");
            await Act(liaison, id, "reply", new { text = $"{name}您好，您的来电（{phone}）已收悉：补贴标准见区住建局网站。" });
            await Act(hotline, id, "publish", new { });
        }
        var key = await ApiKey();
        var o311Phone = Phone();
        await (await App.Anonymous().PostAsync($"{Base}/requests.json", Encoded(("api_key", key), ("service_code", "consult"),
            ("address_string", "越秀区"), ("description", "咨询 Open311"), ("first_name", "思远"), ("last_name", "慕容"), ("phone", o311Phone),
            ("email", "murong@example.cn")))).Expect(HttpStatusCode.Created);
        people.Add(("慕容思远", o311Phone, "", ""));

        var c = App.Anonymous();
        var bodies = new List<(string Url, string Body)>();
        async Task Get(string url)
        {
            var r = await c.GetAsync(url);
            Assert.True(r.IsSuccessStatusCode, await r.Describe());
            bodies.Add((url, await r.Content.ReadAsStringAsync()));
        }
        foreach (var url in new[] { "/public", "/public/submit", "/public/submit?unitq=发展", "/public/status", "/public/results",
                     "/public/results?unit=发展", "/public/results?type=Consult", "/login" })
            await Get(url);
        foreach (var fmt in new[] { "xml", "json" })
        {
            await Get($"{Base}/discovery.{fmt}");
            await Get($"{Base}/services.{fmt}");
            foreach (var s in new[] { "consult", "help", "complaint", "suggestion", "praise", "education-opinion" }) await Get($"{Base}/services/{s}.{fmt}");
            await Get($"{Base}/requests.{fmt}");
            foreach (var p in people.Where(p => p.Ticket.Length > 0))
            {
                await Get($"{Base}/requests/{p.Ticket}.{fmt}");
                await Get($"{Base}/tokens/{p.Ticket}.{fmt}");
            }
        }
        foreach (var p in people.Where(p => p.Ticket.Length > 0)) bodies.Add(($"status {p.Ticket}", await Status(p.Ticket, p.Code)));

        // the published replies are there, redacted
        var results = bodies.Single(b => b.Url == "/public/results").Body;
        Assert.Contains("补贴标准见区住建局网站", results);
        Assert.Contains("老旧小区加装电梯补贴", results);
        foreach (var (url, body) in bodies)
            foreach (var (name, phone, _, _) in people)
            {
                Assert.False(body.Contains(name), $"{url} shows the name {name}");
                Assert.False(body.Contains(phone), $"{url} shows the phone {phone}");
                Assert.False(body.Contains(phone[..3] + "****" + phone[^4..]), $"{url} shows a masked phone");
            }
        Assert.All(bodies, b => Assert.DoesNotContain("murong@example.cn", b.Body));
        // each public page stays light (HTML + its stylesheet < 150 KB)
        var css = (await (await c.GetAsync("/public.css")).Content.ReadAsByteArrayAsync()).Length;
        Assert.All(bodies.Where(b => b.Url.StartsWith("/public")), b => Assert.True(System.Text.Encoding.UTF8.GetByteCount(b.Body) + css < 150 * 1024, b.Url));
    }
}

public sealed class SqliteOpen311Tests(SqliteFixture app) : Open311TestsBase(() => app), IClassFixture<SqliteFixture>;

public sealed class PostgresOpen311Tests(PostgresFixture app) : Open311TestsBase(() => app.Factory), IClassFixture<PostgresFixture>;
