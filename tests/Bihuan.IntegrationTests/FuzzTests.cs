using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Reflection;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Bihuan.Domain;
using Bihuan.Features.Rectification;
using Bihuan.Features.Study;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Xunit.Abstractions;

namespace Bihuan.IntegrationTests;

/// A bounded, deterministic fuzz: every POST/PUT/PATCH of /openapi/v1.json gets a corpus of malformed and hostile
/// bodies (as the administrator and as a liaison), every page route garbage query values (signed in; the public ones
/// anonymously), Open311 hostile values. Bad input is the client's fault: a 4xx, never a 5xx. Afterwards the shared
/// reads still answer 200. The corpus is built from the document, so a new endpoint is fuzzed without a new line here.
public abstract partial class FuzzTestsBase(Func<BihuanFactory> factory, ITestOutputHelper output)
{
    protected BihuanFactory App => factory();
    const int Seed = 20261127;
    const int Sampled = 5;
    static DateOnly Today => ChinaTime.Today(TimeProvider.System);
    const string Lone = "LONE_SURROGATE";   // replaced by \ud800 in the serialized JSON (a lone surrogate)

    sealed record Probe(string Method, string Url, string Body, int Status, string Response);

    /// What the corpus needs to reach past "not found": a record of each kind in the liaison's unit.
    sealed class Arranged
    {
        public Dictionary<string, int> ByArea { get; } = [];
        public required int Org { get; init; }
        public required int OtherDistrictOrg { get; init; }
        public required string ApiKey { get; init; }
    }

    [SkippableFact]
    public async Task ApiWrites_FuzzCorpus_NeverAnswer5xx()
    {
        var arranged = await ArrangeAsync();
        var anon = App.Anonymous();
        var doc = JsonDocument.Parse(await (await anon.GetAsync("/openapi/v1.json")).Content.ReadAsStringAsync()).RootElement;
        var schemas = new Schemas(doc);
        var callers = new[] { await App.ClientFor("admin"), await App.ClientFor("yx.fgj.liaison") };
        var failures = new List<Probe>();
        var sent = 0;
        var operations = 0;
        foreach (var (method, template, op) in Writes(doc).OrderBy(o => o.Path, StringComparer.Ordinal).ThenBy(o => o.Method))
        {
            foreach (var url in Urls(template, op, arranged))
            {
                operations++;
                var rnd = new Random(Seed ^ StableHash(method + url));
                var corpus = Corpus(schemas, op, arranged, rnd).ToList();
                // The administrator gets the whole corpus on each operation; each action of an {action} route and the
                // liaison a seeded sample of it (the bound on the run's length), always with the plausible body.
                var sample = corpus.Take(corpus.Count - 1).OrderBy(_ => rnd.Next()).Take(Sampled).Append(corpus[^1]).ToList();
                var action = template.Contains("{action}", StringComparison.Ordinal);
                foreach (var (caller, n) in callers.Select((c, n) => (c, n)))
                    foreach (var (body, contentType) in n == 0 && !action ? corpus : sample)
                    {
                        sent++;
                        var probe = await SendAsync(caller, method, url, body, contentType);
                        if (probe.Status >= 500) failures.Add(probe);
                    }
            }
        }
        Assert.True(operations >= 40, $"only {operations} write operations found in /openapi/v1.json");
        output.WriteLine($"{operations} write operations (incl. each action of an {{action}} route), {sent} bodies sent");
        Report(failures, sent);

        // The corpus changed nothing the shared reads cannot show, for the unit and for another district.
        foreach (var user in new[] { "admin", "yx.fgj.liaison", "hp.office", "gz.jw" })
        {
            var c = await App.ClientFor(user);
            await (await c.GetAsync("/api/v1/rectifications?pageSize=500")).Expect(HttpStatusCode.OK);
            await (await c.GetAsync("/api/v1/supervision/dashboard")).Expect(HttpStatusCode.OK);
        }
    }

    [SkippableFact]
    public async Task Pages_GarbageQueryValues_NeverAnswer5xx()
    {
        var arranged = await ArrangeAsync();
        var routes = typeof(Program).Assembly.GetTypes()
            .SelectMany(t => t.GetCustomAttributes<RouteAttribute>().Select(r => r.Template))
            .Distinct().OrderBy(r => r, StringComparer.Ordinal).ToList();
        Assert.True(routes.Count >= 30, $"only {routes.Count} page routes");
        var queries = new[]
        {
            "?OrgId=abc&Sort=99&Status=x&page=-1&CampaignId=abc&TypeId=x&month=2026-13&From=abc&To=abc&before=abc" +
            "&Open=maybe&archived=maybe&InForce=maybe&parent=abc&dueFrom=0001-01-01&dueTo=9999-12-31&light=99" +
            "&aspect=99&dimension=99&source=99&type=99&ItemId=abc&Own=maybe&Mine=perhaps&Overdue=1&Closed=x",
            $"?OrgId={arranged.OtherDistrictOrg}&orgId={arranged.OtherDistrictOrg}&page=2147483647&Sort=1&status=42&month=9999-12" +
            "&From=0001-01-01&To=9999-12-31&q=%00%01%EF%BF%BF&ticket=%00&unit=%00&id=%00&Org=%00&type=Praise%00&unitq=%00",
            "?OrgId=99999999999&CampaignId=-1&page=0&Sort=-1&month=0001-01&From=2026-02-30&To=2026-13-01&before=-1" +
            "&ReturnUrl=//evil.example&back=/%5Cevil",
        };
        var failures = new List<Probe>();
        var sent = 0;
        var staff = new[] { await BrowserFor("admin"), await BrowserFor("yx.fgj.liaison") };
        var anon = App.Anonymous();
        foreach (var route in routes)
        {
            var path = Fill(route, arranged);
            var isPublic = path.StartsWith("/public", StringComparison.Ordinal) || path is "/login" or "/not-found";
            foreach (var q in queries)
                foreach (var client in isPublic ? [anon, staff[1]] : staff)
                {
                    sent++;
                    var probe = await SendAsync(client, "GET", path + q, "", null, html: true);
                    if (probe.Status >= 500) failures.Add(probe);
                }
        }
        foreach (var back in new[] { "/%5Cevil", "//evil.example", "/%09/evil", "/%0d%0aSet-Cookie:x=1", "https://evil.example", "/ok%00" })
        {
            sent++;
            var probe = await SendAsync(anon, "GET", $"/culture?c=en&back={back}", "", null);
            if (probe.Status >= 500) failures.Add(probe);
        }
        Report(failures, sent);
    }

    [SkippableFact]
    public async Task Open311_HostileValues_NeverAnswer5xx()
    {
        var arranged = await ArrangeAsync();
        var anon = App.Anonymous();
        var failures = new List<Probe>();
        var sent = 0;
        var gets = new[]
        {
            "/open311/v2/discovery.json", "/open311/v2/services.xml?jurisdiction_id=%00", "/open311/v2/services/%01.json",
            "/open311/v2/services/help.xml?jurisdiction_id=%EF%BF%BF", "/open311/v2/requests.json?start_date=0001-01-01",
            "/open311/v2/requests.xml?end_date=9999-12-31T23:59:59Z", "/open311/v2/requests.json?start_date=9999-12-31&end_date=9999-12-31",
            "/open311/v2/requests.json?status=%00", "/open311/v2/requests.xml?service_code=%00",
            "/open311/v2/requests.xml?service_request_id=%00,%01", "/open311/v2/requests/%01%EF%BF%BF.xml", "/open311/v2/tokens/%01.json",
            "/open311/v2/tokens/%EF%BF%BF.xml", "/open311/v2/requests.json?start_date=2026-02-30", "/open311/v2/requests.%01",
        };
        foreach (var g in gets)
        {
            sent++;
            var probe = await SendAsync(anon, "GET", g, "", null);
            if (probe.Status >= 500) failures.Add(probe);
        }
        var valid = new Dictionary<string, string>
        {
            ["api_key"] = arranged.ApiKey, ["service_code"] = "help", ["lat"] = "23.1291", ["long"] = "113.2644",
            ["address_string"] = "越秀区北京路", ["description"] = "模糊测试：路灯不亮", ["phone"] = "13800001111",
        };
        var mutations = new (string Key, string Value)[]
        {
            ("lat", "NaN"), ("long", "Infinity"), ("lat", "-Infinity"), ("lat", "1e308"), ("long", "-999"), ("lat", "91"),
            ("description", "路灯\0不亮"), ("service_code", "help\0"), ("address_string", "\0"), ("jurisdiction_id", "\0\uFFFF"),
            ("attribute[unit_code]", "\0"), ("first_name", "\uFFFE张"), ("email", "a\0@b.cn"), ("phone", "138\0"),
            ("description", new string('超', 100_000)), ("api_key", "\0"), ("attribute[anonymous]", "\0"),
        };
        foreach (var format in new[] { "json", "xml" })
            foreach (var (key, value) in mutations)
            {
                var form = new Dictionary<string, string>(valid) { [key] = value };
                sent++;
                var res = await Send(anon, () => new HttpRequestMessage(HttpMethod.Post, $"/open311/v2/requests.{format}")
                {
                    Content = new FormUrlEncodedContent(form),
                });
                if (res.Status >= 500) failures.Add(res with { Body = $"{key}={Shorten(value, 40)}" });
            }
        Report(failures, sent);
    }

    // ---- the corpus ----

    static IEnumerable<(string Method, string Path, JsonElement Op)> Writes(JsonElement doc)
    {
        foreach (var path in doc.GetProperty("paths").EnumerateObject())
            foreach (var op in path.Value.EnumerateObject())
                if (op.Name is "post" or "put" or "patch")
                    yield return (op.Name.ToUpperInvariant(), path.Name, op.Value);
    }

    /// The operation's URLs: path parameters filled with the arranged records; {action} expanded from the summary
    /// ("start | progress | …"), so every action is its own operation.
    static IEnumerable<string> Urls(string template, JsonElement op, Arranged a)
    {
        var path = Fill(template, a);
        if (!path.Contains("{action}", StringComparison.Ordinal)) { yield return path + GarbageQuery(op); yield break; }
        var summary = op.TryGetProperty("summary", out var s) ? s.GetString() ?? "" : "";
        var actions = summary.Split('|').Select(p => ActionName().Match(p.Trim())).Where(m => m.Success).Select(m => m.Value).ToList();
        Assert.True(actions.Count > 0, $"no actions in the summary of {template}");
        foreach (var action in actions) yield return path.Replace("{action}", action, StringComparison.Ordinal);
    }

    [GeneratedRegex("^[a-z]+(-[a-z]+)*")]
    private static partial Regex ActionName();

    /// Query parameters of a write (commit, orgId, headerRow …) get values that do not parse or are out of range.
    static string GarbageQuery(JsonElement op)
    {
        if (!op.TryGetProperty("parameters", out var ps)) return "";
        var q = ps.EnumerateArray().Where(p => p.GetProperty("in").GetString() == "query")
            .Select((p, n) => $"{p.GetProperty("name").GetString()}={(n % 2 == 0 ? "-1" : "maybe")}").ToList();
        return q.Count == 0 ? "" : "?" + string.Join("&", q);
    }

    static string Fill(string template, Arranged a)
    {
        var area = template.Split('/', StringSplitOptions.RemoveEmptyEntries) switch
        {
            ["api", "v1", var x, ..] => x,
            [var x, ..] => x,
            _ => "",
        };
        var id = area switch
        {
            "orgs" => a.Org,
            "ledger" => a.ByArea["rectifications"],
            _ => a.ByArea.GetValueOrDefault(area, 1),
        };
        var filled = Regex.Replace(template, @"\{(id|Id)(:[a-z]+)?\??\}", id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        filled = filled.Replace("{source}", "Hotline", StringComparison.Ordinal).Replace("{format}", "json", StringComparison.Ordinal);
        filled = Regex.Replace(filled, @"\{(?!action\})[A-Za-z]+(:[a-z]+)?\??\}", "1");
        return Regex.Replace(filled, @"/\{\*[^}]+\}", "");
    }

    /// At most 15 bodies per operation: malformed, empty, null, wrong types, nulls, null list elements, huge strings,
    /// long lists, dates 0001 / 9999 / 2026-02-30, extreme and negative numbers, undefined enums, control characters
    /// and non-characters, a wrong charset, and one plausible body.
    static IEnumerable<(string Body, string ContentType)> Corpus(Schemas s, JsonElement op, Arranged a, Random rnd)
    {
        const string json = "application/json; charset=utf-8";
        var content = op.TryGetProperty("requestBody", out var rb) ? rb.GetProperty("content") : default;
        if (content.ValueKind == JsonValueKind.Object && content.TryGetProperty("multipart/form-data", out _))
        {
            foreach (var m in Multipart()) yield return m;
            yield break;
        }
        var schema = content.ValueKind == JsonValueKind.Object && content.TryGetProperty("application/json", out var j)
            ? j.GetProperty("schema") : default;
        yield return ("{\"x\": ", json);
        yield return ("", json);
        yield return ("null", json);
        if (schema.ValueKind != JsonValueKind.Object)
        {
            yield return ("{\"text\": \"\\u0000\"}", json);
            yield break;
        }
        string Make(Leaf leaf, Func<JsonArray, JsonNode?>? list = null) =>
            s.Make(schema, "", leaf, list, a, rnd, 0)?.ToJsonString() .Replace(Lone, "\\ud800", StringComparison.Ordinal) ?? "null";
        yield return (Make((k, _, v) => k switch
        {
            Kind.String => (JsonNode?)123, Kind.Integer => "abc", Kind.Number => "x", Kind.Boolean => "maybe", Kind.Date => "2026-02-30",
            Kind.DateTime => true, Kind.Enum => "Nonsense", _ => v,
        }), json);
        yield return (Make((_, _, _) => null, _ => null), json);
        yield return (Make((_, _, v) => v, l => new JsonArray(null, l.Count > 0 ? l[0]?.DeepClone() : null)), json);
        yield return (Make((k, _, v) => k == Kind.String ? (JsonNode?)new string('超', 20_000) : v), json);
        yield return (Make((_, _, v) => v, l => new JsonArray([.. Enumerable.Range(0, 1500).Select(_ => l.Count > 0 ? l[0]?.DeepClone() : 1)])), json);
        yield return (Make((k, _, v) => k switch { Kind.Date => (JsonNode?)"9999-12-31", Kind.DateTime => "9999-12-31T23:59:59Z", _ => v }), json);
        yield return (Make((k, _, v) => k switch { Kind.Date => (JsonNode?)"0001-01-01", Kind.DateTime => "0001-01-01T00:00:00Z", _ => v }), json);
        yield return (Make((k, _, v) => k switch { Kind.Integer => (JsonNode?)int.MaxValue, Kind.Number => 1e308, Kind.Enum => 99, _ => v }), json);
        yield return (Make((k, _, v) => k switch { Kind.Integer => (JsonNode?)int.MinValue, Kind.Number => -1e308, Kind.Enum => -1, _ => v }), json);
        yield return (Make((k, _, v) => k == Kind.String ? (JsonNode?)$"\u0000控制\u0007\u001b\uFFFF\uFFFE{Lone}x" : v), json);
        yield return (Make((_, _, v) => v), "application/json; charset=ebcdic");
        yield return (Make((_, _, v) => v), json);
    }

    static IEnumerable<(string Body, string ContentType)> Multipart()
    {
        yield return ("", "multipart/form-data; boundary=x");
        yield return ("--x\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.xlsx\"\r\n\r\nPK\u0003\u0004garbage\r\n--x--\r\n",
            "multipart/form-data; boundary=x");
        yield return ("--x\r\nContent-Disposition: form-data; name=\"file\"; filename=\"\u0000.csv\"\r\n\r\n名称,编码\r\n\u0000,\uFFFF\r\n--x--\r\n",
            "multipart/form-data; boundary=x");
        yield return ("--x\r\nContent-Disposition: form-data; name=\"other\"\r\n\r\nx\r\n--x--\r\n", "multipart/form-data; boundary=x");
        yield return ("--x\r\nbroken", "multipart/form-data; boundary=x");
        yield return ("{\"file\": 1}", "application/json");
    }

    enum Kind { String, Integer, Number, Boolean, Date, DateTime, Enum, Other }

    delegate JsonNode? Leaf(Kind kind, string name, JsonNode? plausible);

    /// Walks the document's JSON schemas; a plausible value per leaf (ids of the arranged records), then the leaf
    /// and list policies of the variant.
    sealed class Schemas(JsonElement doc)
    {
        readonly JsonElement _components = doc.GetProperty("components").GetProperty("schemas");

        (JsonElement Schema, bool IsEnum) Resolve(JsonElement s)
        {
            if (s.TryGetProperty("oneOf", out var one))
            {
                var x = one.EnumerateArray().FirstOrDefault(o => !(o.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String && t.GetString() == "null"));
                return Resolve(x);
            }
            if (s.TryGetProperty("$ref", out var r))
            {
                var target = _components.GetProperty(r.GetString()!.Split('/')[^1]);
                var isEnum = TypeOf(target) is "integer" or "string" && !target.TryGetProperty("properties", out _);
                return (target, isEnum);
            }
            return (s, false);
        }

        static string TypeOf(JsonElement s)
        {
            if (!s.TryGetProperty("type", out var t)) return s.TryGetProperty("properties", out _) ? "object" : "";
            if (t.ValueKind == JsonValueKind.String) return t.GetString()!;
            var types = t.EnumerateArray().Select(x => x.GetString()).Where(x => x != "null").ToList();
            foreach (var pref in new[] { "array", "object", "integer", "number", "boolean", "string" })
                if (types.Contains(pref)) return pref;
            return "";
        }

        public JsonNode? Make(JsonElement schema, string name, Leaf leaf, Func<JsonArray, JsonNode?>? list, Arranged a, Random rnd, int depth)
        {
            var (s, isEnum) = Resolve(schema);
            if (isEnum) return leaf(Kind.Enum, name, 0);
            var format = s.TryGetProperty("format", out var f) ? f.GetString() : null;
            switch (TypeOf(s))
            {
                case "object" when depth < 4:
                    var o = new JsonObject();
                    if (s.TryGetProperty("properties", out var props))
                        foreach (var p in props.EnumerateObject()) o[p.Name] = Make(p.Value, p.Name, leaf, list, a, rnd, depth + 1);
                    return o;
                case "array" when depth < 4:
                    var element = s.TryGetProperty("items", out var items) ? Make(items, name, leaf, list, a, rnd, depth + 1) : null;
                    var arr = new JsonArray(element);
                    return list is null ? arr : list(arr);
                case "integer": return leaf(Kind.Integer, name, Plausible(name, a, rnd));
                case "number": return leaf(Kind.Number, name, 23.1);
                case "boolean": return leaf(Kind.Boolean, name, rnd.Next(2) == 0);
                case "string" when format == "date": return leaf(Kind.Date, name, Today.AddDays(rnd.Next(1, 60)).ToString("yyyy-MM-dd"));
                case "string" when format == "date-time": return leaf(Kind.DateTime, name, DateTime.UtcNow.ToString("O"));
                case "string": return leaf(Kind.String, name, "模糊测试" + rnd.Next(1000));
                default: return leaf(Kind.Other, name, null);
            }
        }

        static JsonNode Plausible(string name, Arranged a, Random rnd)
        {
            var n = name.ToLowerInvariant();
            if (n.EndsWith("orgid", StringComparison.Ordinal) || n == "parentid") return a.Org;
            if (n == "percent") return rnd.Next(0, 101);
            foreach (var (area, id) in a.ByArea)
                if (n.StartsWith(area.TrimEnd('s').Replace("-", "", StringComparison.Ordinal), StringComparison.Ordinal)) return id;
            return n.Contains("days", StringComparison.Ordinal) ? rnd.Next(1, 30) : 1;
        }
    }

    // ---- arranging and sending ----

    static readonly System.Runtime.CompilerServices.ConditionalWeakTable<BihuanFactory, Task<Arranged>> Done = new();

    /// Once per database: the three tests share one factory.
    Task<Arranged> ArrangeAsync()
    {
        lock (Done) return Done.GetValue(App, _ => ArrangeOnceAsync());
    }

    async Task<Arranged> ArrangeOnceAsync()
    {
        var org = await App.OrgId("GZ-YX-FGJ");
        var liaison = await App.ClientFor("yx.fgj.liaison");
        var admin = await App.ClientFor("admin");
        var tag = Guid.NewGuid().ToString("N")[..8];
        var (problem, item) = await BoundsTestsBase.DatedItemAsync(liaison, org, $"模糊测试问题 {tag}");
        int campaign, template, person, meetingType;
        {
            var (db, scope) = App.SystemDb();
            using (scope)
            {
                campaign = await db.Campaigns.Where(c => c.PublishedAt != null).Select(c => c.Id).FirstAsync();
                template = await db.Campaigns.Where(c => c.IsTemplate).Select(c => c.Id).FirstAsync();
                person = await db.People.IgnoreQueryFilters().Where(p => p.OrgId == org).Select(p => p.Id).FirstAsync();
                meetingType = await db.MeetingTypes.Select(t => t.Id).FirstAsync();
            }
        }
        var plan = await Created<PlanDto>(liaison, "/api/v1/plans", new
        {
            campaignId = campaign, orgId = org, text = "模糊测试方案正文", tasks = new[] { new { title = "模糊测试任务", dueOn = Today.AddDays(20) } },
        });
        var draft = await Created<CampaignDto>(await App.ClientFor("gz.office"), $"/api/v1/campaigns/{template}/copy", new { rootOrgId = await App.OrgId("GZ-YX") });
        var meeting = await Created<MeetingDto>(liaison, "/api/v1/meetings", new
        {
            orgId = org, title = "模糊测试会议", typeIds = new[] { meetingType }, heldOn = Today,
        });
        var rule = await Created<Features.Rules.RuleDto>(liaison, "/api/v1/rules", new { orgId = org, title = "模糊测试制度" });
        var order = await Created<JsonElement>(await App.ClientFor("gz.jw"), "/api/v1/supervision/orders", new
        {
            itemIds = new[] { item.Id }, requirements = "模糊测试督办要求",
        });
        var key = await Created<JsonElement>(await App.ClientFor("gz.hotline"), "/api/v1/open311/keys", new
        {
            orgId = await App.OrgId("GZ"), name = "模糊测试",
        });
        var ticket = await (await App.Anonymous().PostAsync("/open311/v2/requests.json", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["api_key"] = key.GetProperty("apiKey").GetString()!, ["service_code"] = "help", ["address_string"] = "越秀区",
            ["description"] = "模糊测试诉求",
        }))).Content.ReadAsStringAsync();
        int workOrder, notification;
        {
            var (db, scope) = App.SystemDb();
            using (scope)
            {
                workOrder = await db.WorkOrders.OrderByDescending(o => o.Id).Select(o => o.Id).FirstAsync();
                notification = await db.Notifications.OrderBy(n => n.Id).Select(n => (int)n.Id).FirstOrDefaultAsync();
            }
        }
        Assert.Contains("service_request_id", ticket);
        var a = new Arranged
        {
            Org = org, OtherDistrictOrg = await App.OrgId("GZ-HP"), ApiKey = key.GetProperty("apiKey").GetString()!,
        };
        a.ByArea["problems"] = problem.Id;
        a.ByArea["rectifications"] = item.Id;
        a.ByArea["plans"] = plan.Id;
        a.ByArea["campaigns"] = draft.Id;
        a.ByArea["meetings"] = meeting.Id;
        a.ByArea["rules"] = rule.Id;
        a.ByArea["supervision"] = order.GetProperty("order").GetProperty("id").GetInt32();
        a.ByArea["workorders"] = workOrder;
        a.ByArea["people"] = person;
        a.ByArea["person"] = person;
        a.ByArea["meeting-types"] = meetingType;
        a.ByArea["duties"] = plan.Tasks[0].Id;
        a.ByArea["notifications"] = notification;
        a.ByArea["campaign"] = campaign;
        a.ByArea["article"] = 1;
        return a;
    }

    static async Task<T> Created<T>(HttpClient c, string url, object body) =>
        await (await c.PostAsJsonAsync(url, body)).Expect<T>(HttpStatusCode.Created);

    async Task<HttpClient> BrowserFor(string user)
    {
        var browser = App.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
        var login = await (await browser.GetAsync("/login")).Content.ReadAsStringAsync();
        var token = Regex.Match(login, "name=\"__RequestVerificationToken\"[^>]*value=\"([^\"]+)\"").Groups[1].Value;
        await (await browser.PostAsync("/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "login", ["__RequestVerificationToken"] = WebUtility.HtmlDecode(token),
            ["Input.UserName"] = user, ["Input.Password"] = Infrastructure.DemoSeed.Password,
        }))).Expect(HttpStatusCode.Found);
        return browser;
    }

    static Task<Probe> SendAsync(HttpClient c, string method, string url, string body, string? contentType, bool html = false) =>
        Send(c, () =>
        {
            var req = new HttpRequestMessage(new HttpMethod(method), url);
            if (html) req.Headers.Accept.ParseAdd("text/html");
            if (contentType is not null)
            {
                req.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
                req.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
            }
            return req;
        }, contentType is null ? body : $"[{contentType}] {body}");

    static async Task<Probe> Send(HttpClient c, Func<HttpRequestMessage> make, string body = "")
    {
        var req = make();
        try
        {
            using var res = await c.SendAsync(req);
            var text = await res.Content.ReadAsStringAsync();
            return new(req.Method.Method, req.RequestUri!.OriginalString, body, (int)res.StatusCode, text);
        }
        catch (Exception e) when (e is HttpRequestException or InvalidOperationException or IOException)
        {
            return new(req.Method.Method, req.RequestUri!.OriginalString, body, 599, e.ToString());
        }
    }

    void Report(List<Probe> failures, int sent)
    {
        output.WriteLine($"{sent} requests, {failures.Count} answered 5xx");
        if (failures.Count == 0) return;
        var lines = failures.Take(40).Select(f =>
            $"{f.Method} {f.Url}\n    body: {Shorten(f.Body, 300)}\n    → {f.Status}: {Shorten(f.Response, 600)}");
        Assert.Fail($"{failures.Count} of {sent} requests answered 5xx:\n{string.Join("\n", lines)}");
    }

    static string Shorten(string s, int n)
    {
        var clean = new string([.. s.Select(ch => char.IsControl(ch) && ch is not '\n' ? '·' : ch)]);
        return clean.Length <= n ? clean : clean[..n] + $"…({s.Length} chars)";
    }

    static int StableHash(string s)
    {
        var h = 17;
        foreach (var ch in s) h = unchecked(h * 31 + ch);
        return h;
    }
}

public sealed class SqliteFuzzTests(SqliteFixture app, ITestOutputHelper output) : FuzzTestsBase(() => app, output), IClassFixture<SqliteFixture>;

public sealed class PostgresFuzzTests(PostgresFixture app, ITestOutputHelper output) : FuzzTestsBase(() => app.Factory, output), IClassFixture<PostgresFixture>;
