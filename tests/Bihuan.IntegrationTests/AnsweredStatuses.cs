using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Bihuan.IntegrationTests;

/// Records, in every test app of the suite, each (method, route, status) an API or Open311 endpoint answered; a
/// factory compares what it recorded with /openapi/v1.json when it is disposed and fails (the test that owned it, or
/// the class fixture's cleanup) when the document lacks one: the document then lies about that endpoint.
/// 500 is not recorded (a bug, which the test that met it reports); 503 is (a fault: every operation declares it).
public sealed class AnsweredStatuses
{
    public sealed record Answer(string Method, string Route, int Status);

    readonly ConcurrentDictionary<Answer, string> _seen = new();
    public IReadOnlyCollection<Answer> Seen => [.. _seen.Keys];

    public void Add(Answer a, string example) => _seen.TryAdd(a, example);
    public string? ExampleOf(Answer a) => _seen.TryGetValue(a, out var e) ? e : null;

    /// The middleware, outermost (so the status is the one the client got).
    public sealed class Filter(AnsweredStatuses into) : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use(async (ctx, go) =>
            {
                await go();
                // The exception handler clears the endpoint before it answers; its feature keeps the original.
                var endpoint = ctx.GetEndpoint() ?? ctx.Features.Get<IExceptionHandlerFeature>()?.Endpoint;
                if (endpoint is not RouteEndpoint r || ctx.Response.StatusCode == StatusCodes.Status500InternalServerError) return;
                var route = Normalize("/" + r.RoutePattern.RawText?.TrimStart('/'));
                if (!IsChecked(route)) return;
                into.Add(new(ctx.Request.Method.ToUpperInvariant(), route, ctx.Response.StatusCode),
                    ctx.Request.Path + ctx.Request.QueryString);
            });
            next(app);
        };
    }

    public static bool IsChecked(string route) =>
        (route.StartsWith("/api/", StringComparison.Ordinal) && !route.StartsWith("/api/docs", StringComparison.Ordinal))
        || route.StartsWith("/open311/", StringComparison.Ordinal);   // /api/docs is the reference's page and assets

    /// A route template as the document writes its path: constraints gone, no trailing slash, lower case.
    public static string Normalize(string route) =>
        Regex.Replace(route, @"\{([^}:?=]+)[^}]*\}", "{$1}").TrimEnd('/').ToLowerInvariant();

    /// (METHOD, path) → the statuses the document declares for it.
    public static Dictionary<(string Method, string Route), HashSet<int>> Declared(JsonElement doc)
    {
        var declared = new Dictionary<(string, string), HashSet<int>>();
        foreach (var path in doc.GetProperty("paths").EnumerateObject())
            foreach (var op in path.Value.EnumerateObject())
            {
                if (!op.Value.TryGetProperty("responses", out var responses)) continue;
                declared[(op.Name.ToUpperInvariant(), Normalize(path.Name))] = responses.EnumerateObject()
                    .Select(r => int.TryParse(r.Name, out var s) ? s : 0).ToHashSet();
            }
        return declared;
    }

    /// The answers the document does not declare, each as a line naming an example request.
    public static List<string> Undeclared(JsonElement doc, IEnumerable<Answer> seen, Func<Answer, string?> example)
    {
        var declared = Declared(doc);
        return seen.Where(a => !declared.TryGetValue((a.Method, a.Route), out var s) || !s.Contains(a.Status))
            .OrderBy(a => a.Route, StringComparer.Ordinal).ThenBy(a => a.Method).ThenBy(a => a.Status)
            .Select(a => declared.ContainsKey((a.Method, a.Route))
                ? $"{a.Method} {a.Route} answered {a.Status}, not declared (e.g. {example(a)})"
                : $"{a.Method} {a.Route} answered {a.Status} but is not in the document (e.g. {example(a)})")
            .ToList();
    }
}
