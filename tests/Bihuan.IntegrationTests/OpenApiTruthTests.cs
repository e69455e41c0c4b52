using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Bihuan.Domain;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Bihuan.IntegrationTests;

/// /openapi/v1.json tells the truth: the Bearer scheme, enum values, the bodies the endpoints read, and — over a
/// sweep of every documented operation here, and over the whole suite through AnsweredStatuses — every status.
public abstract class OpenApiTruthTestsBase(Func<BihuanFactory> factory)
{
    BihuanFactory App => factory();

    static IEnumerable<(string Method, string Path, JsonElement Op)> Operations(JsonElement doc) =>
        doc.GetProperty("paths").EnumerateObject().SelectMany(p => p.Value.EnumerateObject()
            .Where(o => o.Value.ValueKind == JsonValueKind.Object && o.Value.TryGetProperty("responses", out _))
            .Select(o => (o.Name.ToUpperInvariant(), p.Name, o.Value)));

    [SkippableFact]
    public void Document_DeclaresTheBearerScheme_OnEveryApiOperation()
    {
        var doc = App.OpenApiDocument();
        var scheme = doc.GetProperty("components").GetProperty("securitySchemes").GetProperty("Bearer");
        Assert.Equal("http", scheme.GetProperty("type").GetString());
        Assert.Equal("bearer", scheme.GetProperty("scheme").GetString());
        var api = Operations(doc).Where(o => o.Path.StartsWith("/api/", StringComparison.Ordinal)).ToList();
        Assert.True(api.Count >= 80, $"only {api.Count} API operations");
        var unsecured = api.Where(o => !o.Op.TryGetProperty("security", out var s)
            || !s.EnumerateArray().Any(r => r.TryGetProperty("Bearer", out _))).Select(o => $"{o.Method} {o.Path}").ToList();
        Assert.Empty(unsecured);
        // Open311 is public (its api_key is a form field, not a bearer token).
        Assert.All(Operations(doc).Where(o => o.Path.StartsWith("/open311/", StringComparison.Ordinal)),
            o => Assert.False(o.Op.TryGetProperty("security", out _), $"{o.Method} {o.Path}"));
    }

    [SkippableFact]
    public void Document_EveryApiOperation_DeclaresTheRefusalsOfItsShape()
    {
        var missing = new List<string>();
        foreach (var (method, path, op) in Operations(App.OpenApiDocument()).Where(o => o.Path.StartsWith("/api/", StringComparison.Ordinal)))
        {
            var statuses = op.GetProperty("responses").EnumerateObject().Select(r => r.Name).ToHashSet();
            var expected = new List<string> { "400", "401", "403", "503" };
            if (path.Contains('{')) expected.Add("404");
            if (method is not "GET") expected.Add("409");
            if (op.TryGetProperty("requestBody", out _)) expected.Add("415");
            missing.AddRange(expected.Where(s => !statuses.Contains(s)).Select(s => $"{method} {path}: {s}"));
        }
        Assert.Empty(missing);
    }

    [SkippableFact]
    public void Document_Enums_ListTheirValuesAndNames()
    {
        var schemas = App.OpenApiDocument().GetProperty("components").GetProperty("schemas");
        foreach (var (name, values) in new (string, Array)[]
                 {
                     ("OrgType", Enum.GetValues<OrgType>()), ("OrderStatus", Enum.GetValues<OrderStatus>()),
                     ("SendBackReason", Enum.GetValues<SendBackReason>()),
                 })
        {
            Assert.True(schemas.TryGetProperty(name, out var s), $"no schema {name}");
            var documented = s.GetProperty("enum").EnumerateArray().Select(v => v.GetInt64()).ToList();
            Assert.Equal(values.Cast<object>().Select(Convert.ToInt64).ToList(), documented);
            foreach (var v in values) Assert.Contains($"= {v}", s.GetProperty("description").GetString());
        }
    }

    /// For every endpoint that reads a JSON body, the documented request body has exactly the properties of the
    /// record the handler binds (read from the endpoint's own metadata, not from the document).
    [SkippableFact]
    public void Document_RequestBodies_AreTheRecordsTheEndpointsRead()
    {
        var doc = App.OpenApiDocument();
        var schemas = doc.GetProperty("components").GetProperty("schemas");
        var ops = Operations(doc).ToDictionary(o => (o.Method, AnsweredStatuses.Normalize(o.Path)), o => o.Op);
        var checkedBodies = 0;
        var wrong = new List<string>();
        foreach (var e in App.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>())
        {
            if (e.Metadata.GetMetadata<IAcceptsMetadata>() is not { RequestType: { } body } accepts
                || !accepts.ContentTypes.Contains("application/json")) continue;
            var route = AnsweredStatuses.Normalize("/" + e.RoutePattern.RawText!.TrimStart('/'));
            foreach (var method in e.Metadata.GetMetadata<IHttpMethodMetadata>()!.HttpMethods)
            {
                if (!ops.TryGetValue((method, route), out var op)) { wrong.Add($"{method} {route}: not documented"); continue; }
                if (!op.TryGetProperty("requestBody", out var rb) || !rb.GetProperty("content").TryGetProperty("application/json", out var json))
                {
                    wrong.Add($"{method} {route}: reads {body.Name}, documents no JSON body");
                    continue;
                }
                var schema = json.GetProperty("schema");
                // An optional body (T?) is oneOf null and the record.
                if (schema.TryGetProperty("oneOf", out var one)) schema = one.EnumerateArray().First(x => x.TryGetProperty("$ref", out _));
                if (schema.TryGetProperty("$ref", out var r)) schema = schemas.GetProperty(r.GetString()!.Split('/')[^1]);
                var documented = schema.GetProperty("properties").EnumerateObject().Select(p => p.Name).Order().ToList();
                var read = body.GetProperties().Select(p => JsonNamingPolicy.CamelCase.ConvertName(p.Name)).Order().ToList();
                if (!documented.SequenceEqual(read))
                    wrong.Add($"{method} {route}: documented [{string.Join(",", documented)}], reads {body.Name} [{string.Join(",", read)}]");
                checkedBodies++;
            }
        }
        Assert.True(wrong.Count == 0, string.Join("\n", wrong));
        Assert.True(checkedBodies >= 30, $"only {checkedBodies} JSON bodies");
    }

    /// Every documented operation called anonymously, then as the administrator with ids that do not exist and no
    /// body: each answer must be declared (the same check every test app makes on dispose).
    [SkippableFact]
    public async Task Sweep_EveryDocumentedOperation_AnswersOnlyDeclaredStatuses()
    {
        var doc = App.OpenApiDocument();
        var anon = App.Anonymous();
        var admin = await App.ClientFor("admin");
        var calls = 0;
        foreach (var (method, path, _) in Operations(doc))
        {
            var url = Regex.Replace(path, @"\{[^}]+\}", m => m.Value == "{format}" ? "json" : "999999");
            foreach (var client in new[] { anon, admin })
            {
                using var req = new HttpRequestMessage(new HttpMethod(method), url);
                if (method is not ("GET" or "DELETE")) req.Content = new StringContent("{}", System.Text.Encoding.UTF8, "application/json");
                using var res = await client.SendAsync(req);
                Assert.NotEqual(HttpStatusCode.InternalServerError, res.StatusCode);
                calls++;
            }
        }
        Assert.True(calls >= 160, $"only {calls} calls");
        var undeclared = AnsweredStatuses.Undeclared(doc, App.Answered.Seen, App.Answered.ExampleOf);
        Assert.True(undeclared.Count == 0, string.Join("\n", undeclared));
    }

    [SkippableFact]
    public void Undeclared_NamesAnAnswerTheDocumentLacks_AndARouteItDoesNotHave()
    {
        var doc = App.OpenApiDocument();
        var found = AnsweredStatuses.Undeclared(doc,
            [new("GET", "/api/v1/orgs", 200), new("GET", "/api/v1/orgs", 418), new("GET", "/api/v1/nowhere", 200)], _ => "x");
        Assert.Equal(2, found.Count);
        Assert.Contains(found, f => f.StartsWith("GET /api/v1/orgs answered 418, not declared", StringComparison.Ordinal));
        Assert.Contains(found, f => f.StartsWith("GET /api/v1/nowhere answered 200 but is not in the document", StringComparison.Ordinal));
    }
}

public sealed class SqliteOpenApiTruthTests(SqliteFixture app) : OpenApiTruthTestsBase(() => app), IClassFixture<SqliteFixture>;

public sealed class PostgresOpenApiTruthTests(PostgresFixture app) : OpenApiTruthTestsBase(() => app.Factory), IClassFixture<PostgresFixture>;
