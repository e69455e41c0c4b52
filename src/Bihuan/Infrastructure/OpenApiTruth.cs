using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Bihuan.Infrastructure;

/// An extra status an endpoint answers beyond what its shape implies (Refusals.Declare), e.g. 429 of a rate limit.
public sealed record AnswersMetadata(params int[] Statuses);

/// What /openapi/v1.json says an endpoint can answer, derived from the endpoint's shape so that a new endpoint is
/// documented truthfully without anyone remembering to: the refusals come from the pipeline every API endpoint
/// passes (RequestInput's bounds and decoding: 400; the token: 401; permissions: 403; faults: 503), its route
/// (an id in the route, query or body names a record that may not exist or not be visible: 404), its method (a write can meet a state that
/// refuses it, ErrorMapping's Conflict: 409), its body (415 for the wrong content type, 413 past an upload limit).
/// The integration suite checks the result: every (method, route, status) answered in it is declared here
/// (tests/Bihuan.IntegrationTests/AnsweredStatuses.cs).
public static class Refusals
{
    public static TBuilder DeclareRefusals<TBuilder>(this TBuilder group, params string[] contentTypes)
        where TBuilder : IEndpointConventionBuilder
    {
        string[] types = contentTypes.Length > 0 ? contentTypes : ["application/problem+json"];
        // Open311 answers its errors document (XML or JSON), not ProblemDetails.
        var body = types.Contains("application/problem+json") ? typeof(ProblemDetails) : typeof(string);
        group.Finally(e =>
        {
            if (e is not RouteEndpointBuilder r) return;
            var declared = e.Metadata.OfType<IProducesResponseTypeMetadata>().Select(p => p.StatusCode).ToHashSet();
            // An endpoint writing its own documents (Open311) declares its success too: 201 for a POST, else 200.
            var methods = e.Metadata.OfType<IHttpMethodMetadata>().LastOrDefault()?.HttpMethods ?? [];
            if (body == typeof(string) && !declared.Any(s => s is >= 200 and < 300))
                e.Metadata.Add(new ProducesResponseTypeMetadata(methods.Any(HttpMethods.IsPost) ? 201 : 200, typeof(string), types));
            foreach (var status in Implied(r).Where(s => !declared.Contains(s)))
                e.Metadata.Add(new ProducesResponseTypeMetadata(status, body, types));
        });
        return group;
    }

    /// An endpoint answers these besides its own results.
    public static SortedSet<int> Implied(RouteEndpointBuilder e)
    {
        var methods = e.Metadata.OfType<IHttpMethodMetadata>().LastOrDefault()?.HttpMethods ?? [];
        var statuses = new SortedSet<int> { StatusCodes.Status400BadRequest, StatusCodes.Status503ServiceUnavailable };
        if (e.Metadata.OfType<IAuthorizeData>().Any() && !e.Metadata.OfType<IAllowAnonymous>().Any())
            // 429: the address sent too many failed tokens and must wait (TokenAuthenticationHandler).
            statuses.UnionWith([StatusCodes.Status401Unauthorized, StatusCodes.Status403Forbidden,
                StatusCodes.Status429TooManyRequests]);
        // A record named by the route, the query or the body may not exist or not be visible to the caller.
        if (e.RoutePattern.Parameters.Count > 0 || e.RoutePattern.RawText?.StartsWith("/api/", StringComparison.Ordinal) == true
            || e.RoutePattern.RawText?.StartsWith("api/", StringComparison.Ordinal) == true)
            statuses.Add(StatusCodes.Status404NotFound);
        if (methods.Any(m => !HttpMethods.IsGet(m) && !HttpMethods.IsHead(m))) statuses.Add(StatusCodes.Status409Conflict);
        if (e.Metadata.OfType<IAcceptsMetadata>().Any()) statuses.Add(StatusCodes.Status415UnsupportedMediaType);
        if (e.Metadata.OfType<IRequestSizeLimitMetadata>().Any()) statuses.Add(StatusCodes.Status413PayloadTooLarge);
        foreach (var a in e.Metadata.OfType<AnswersMetadata>()) statuses.UnionWith(a.Statuses);
        return statuses;
    }

    /// The Bearer scheme (personal access tokens, bh_…) and, on every operation that needs a caller, its requirement;
    /// enums with their values and names (they travel as numbers).
    public static void DescribeApi(this OpenApiOptions o)
    {
        o.AddDocumentTransformer((doc, _, _) =>
        {
            doc.Components ??= new OpenApiComponents();
            doc.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
            doc.Components.SecuritySchemes[Bearer] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http, Scheme = "bearer", BearerFormat = "bh_… (personal access token)",
                Description = "A personal access token (POST /api/v1/tokens, or the account page): Authorization: Bearer bh_…",
            };
            return Task.CompletedTask;
        });
        o.AddOperationTransformer((op, ctx, _) =>
        {
            var meta = ctx.Description.ActionDescriptor.EndpointMetadata;
            if (meta.OfType<IAuthorizeData>().Any() && !meta.OfType<IAllowAnonymous>().Any())
            {
                op.Security ??= [];
                op.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(Bearer, ctx.Document)] = [] });
            }
            return Task.CompletedTask;
        });
        o.AddSchemaTransformer((schema, ctx, _) =>
        {
            var t = Nullable.GetUnderlyingType(ctx.JsonTypeInfo.Type) ?? ctx.JsonTypeInfo.Type;
            if (!t.IsEnum) return Task.CompletedTask;
            var values = Enum.GetValues(t).Cast<object>().Select(v => (Name: v.ToString()!, Value: Convert.ToInt64(v,
                System.Globalization.CultureInfo.InvariantCulture))).ToList();
            schema.Enum = values.Select(v => (JsonNode)JsonValue.Create(v.Value)).ToList();
            schema.Description = string.Join(", ", values.Select(v => $"{v.Value} = {v.Name}"));
            return Task.CompletedTask;
        });
    }

    const string Bearer = "Bearer";
}
