using System.Collections.Concurrent;
using System.Globalization;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using Bihuan.Domain;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Endpoints;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Primitives;

namespace Bihuan.Infrastructure;

/// Request-level robustness, once for every endpoint (the values themselves are bounded by the use cases, Domain/Check):
/// a body in a charset other than UTF-8 is refused (415); text in query strings and JSON bodies loses control
/// characters and non-characters (Domain/InputText); a page's typed query value that does not parse is dropped and
/// named on the page, instead of failing the render; on the API an undefined enum value or a date outside the window,
/// in the query or the body, is a 400 naming the field.
public static class RequestInput
{
    public const string IgnoredKey = "bihuan.ignored-query";

    /// JSON (RFC 8259) and forms are UTF-8; a body that declares another charset (or an unknown one) is refused.
    public static bool IsUtf8(string? contentType)
    {
        if (string.IsNullOrEmpty(contentType)) return true;
        if (!Microsoft.Net.Http.Headers.MediaTypeHeaderValue.TryParse(contentType, out var mt)) return false;
        var cs = mt.Charset.Value?.Trim('"');
        return string.IsNullOrEmpty(cs) || cs.Equals("utf-8", StringComparison.OrdinalIgnoreCase) || cs.Equals("utf8", StringComparison.OrdinalIgnoreCase);
    }

    /// A path to redirect to after an action: local, absolute, no "//" or "\" (browsers treat both as another host),
    /// no control characters.
    public static bool IsLocalPath(string? path) =>
        path is { Length: > 0 and < 2000 } p && p[0] == '/' && !p.StartsWith("//", StringComparison.Ordinal)
        && !p.Contains('\\') && !p.Any(char.IsControl);

    public static IServiceCollection AddRequestInput(this IServiceCollection services)
    {
        services.ConfigureHttpJsonOptions(o => o.SerializerOptions.Converters.Add(new CleanStrings()));
        return services;
    }

    public static WebApplication UseRequestInput(this WebApplication app)
    {
        app.Use(async (ctx, next) =>
        {
            // Open311 answers in its own error format (Features/Demands/Open311Api checks the charset itself).
            if (!IsUtf8(ctx.Request.ContentType) && !ctx.Request.Path.StartsWithSegments("/open311"))
            {
                ctx.Response.StatusCode = StatusCodes.Status415UnsupportedMediaType;
                await ctx.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
                {
                    HttpContext = ctx,
                    ProblemDetails = new ProblemDetails
                    {
                        Status = StatusCodes.Status415UnsupportedMediaType,
                        Title = "请求内容须为 UTF-8 编码（Content-Type 的 charset 只能是 utf-8）",
                    },
                });
                return;
            }
            RepairQuery(ctx);
            await next();
        });
        return app;
    }

    /// Cleans the query's text, and on a page drops the typed values that would not parse (Blazor's query binding
    /// throws on "?OrgId=abc"); the dropped names are shown by the page (Components/IgnoredQuery.razor).
    static void RepairQuery(HttpContext ctx)
    {
        if (!ctx.Request.QueryString.HasValue) return;
        var query = ctx.Request.Query;
        var typed = ctx.GetEndpoint()?.Metadata.GetMetadata<ComponentTypeMetadata>() is { } page ? QueryTypes(page.Type) : null;
        List<string>? ignored = null;
        var changed = false;
        var kept = new List<KeyValuePair<string, string?>>();
        foreach (var (key, values) in query)
        {
            var k = InputText.Clean(key);
            changed |= k != key;
            if (typed is not null && typed.TryGetValue(k, out var type) && !values.All(v => Parses(v, type)))
            {
                (ignored ??= []).Add($"{k}={Shorten(values.ToString())}");
                changed = true;
                continue;
            }
            foreach (var v in values)
            {
                var clean = InputText.CleanOrNull(v);
                changed |= clean != v;
                kept.Add(new(k, clean));
            }
        }
        if (ignored is not null) ctx.Items[IgnoredKey] = ignored;
        if (changed) ctx.Request.QueryString = QueryString.Create(kept);
    }

    static string Shorten(string s)
    {
        var c = InputText.Clean(s);
        return c.Length <= 30 ? c : c[..30] + "…";
    }

    /// The names a page binds from the query (case-insensitive, as Blazor does) with their non-string types.
    static readonly ConcurrentDictionary<Type, Dictionary<string, Type>> PageQueries = new();

    static Dictionary<string, Type> QueryTypes(Type page) => PageQueries.GetOrAdd(page, t =>
        t.GetProperties(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic)
            .Select(p => (p, a: p.GetCustomAttribute<SupplyParameterFromQueryAttribute>()))
            .Where(x => x.a is not null && x.p.PropertyType != typeof(string))
            .GroupBy(x => x.a!.Name ?? x.p.Name, StringComparer.OrdinalIgnoreCase)
            .ToDictionary(g => g.Key, g => g.First().p.PropertyType, StringComparer.OrdinalIgnoreCase));

    /// Whether Blazor's query binding can read the value as the type (invariant culture, as it does).
    static bool Parses(string? value, Type type)
    {
        if (type.IsArray) type = type.GetElementType()!;
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (string.IsNullOrEmpty(value)) return false;
        var inv = CultureInfo.InvariantCulture;
        return type switch
        {
            _ when type == typeof(int) => int.TryParse(value, NumberStyles.Integer, inv, out _),
            _ when type == typeof(long) => long.TryParse(value, NumberStyles.Integer, inv, out _),
            _ when type == typeof(bool) => bool.TryParse(value, out _),
            _ when type == typeof(double) => double.TryParse(value, NumberStyles.Float, inv, out var d) && double.IsFinite(d),
            _ when type == typeof(decimal) => decimal.TryParse(value, NumberStyles.Number, inv, out _),
            _ when type == typeof(DateOnly) => DateOnly.TryParse(value, inv, DateTimeStyles.None, out var d) && Bounds.InWindow(d),
            _ when type == typeof(DateTime) => DateTime.TryParse(value, inv, DateTimeStyles.None, out var t) && Bounds.InWindow(t),
            _ when type == typeof(Guid) => Guid.TryParse(value, out _),
            _ => false,
        };
    }

    /// Strings read from JSON bodies lose control characters and non-characters.
    sealed class CleanStrings : JsonConverter<string>
    {
        public override bool HandleNull => false;

        public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            InputText.CleanOrNull(reader.GetString());

        public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WriteStringValue(value);
    }

    /// On every API endpoint: arguments (query values, route values, bodies and their nested records and lists) holding
    /// an enum value that is not defined, or a date outside Bounds, are refused with 400 naming the field, before
    /// the handler runs (JSON and query binding take "99" for any enum; a switch over it fails later as a 500).
    public static RouteGroupBuilder WithInputBounds(this RouteGroupBuilder api)
    {
        api.AddEndpointFilterFactory((factory, next) =>
        {
            // Only what the request supplies: services (the database, the calendar, options) are never walked.
            var isService = factory.ApplicationServices.GetRequiredService<IServiceProviderIsService>();
            var walked = factory.MethodInfo.GetParameters()
                .Select(p => IsWalked(p.ParameterType) && !isService.IsService(p.ParameterType)
                    && p.GetCustomAttribute<FromServicesAttribute>() is null && p.GetCustomAttribute<FromKeyedServicesAttribute>() is null
                    ? Camel(p.Name ?? "") : null).ToArray();
            if (walked.All(w => w is null)) return next;
            return async ctx =>
            {
                var errors = new List<Invalid>();
                for (var i = 0; i < ctx.Arguments.Count && i < walked.Length; i++)
                    if (walked[i] is { } name) Walk(ctx.Arguments[i], name, errors, 0);
                if (errors.Count == 0) return await next(ctx);
                return ErrorMapping.Result(new ValidationFailed(errors.DistinctBy(e => (e.Field, e.Text)).ToList()));
            };
        });
        return api;
    }

    /// Field names as the use cases give them: a body's property by its name, anything inside a list by the list's
    /// (errors.tasks for a task's date, as a form shows it under the list).
    static void Walk(object? value, string field, List<Invalid> errors, int depth, bool inList = false)
    {
        switch (value)
        {
            case null or string: return;
            case Enum e when !Enum.IsDefined(e.GetType(), e):
                errors.Add(new(field, $"未知的取值：{e}"));
                return;
            case DateOnly d:
                errors.Date(field, d);
                return;
            case System.Collections.IEnumerable list when depth < 4:
                foreach (var x in list.Cast<object?>().Take(InputBounds.ListMax)) Walk(x, field, errors, depth + 1, inList: true);
                return;
        }
        var type = value.GetType();
        if (depth >= 4 || !IsWalked(type)) return;
        foreach (var p in Readable(type)) Walk(p.GetValue(value), inList ? field : Camel(p.Name), errors, depth + 1, inList);
    }

    static readonly ConcurrentDictionary<Type, PropertyInfo[]> Props = new();

    static PropertyInfo[] Readable(Type t) => Props.GetOrAdd(t, x =>
        x.GetProperties(BindingFlags.Instance | BindingFlags.Public).Where(p => p.GetIndexParameters().Length == 0 && p.CanRead)
            .Where(p => IsWalked(p.PropertyType)).ToArray());

    static bool IsWalked(Type t)
    {
        var u = Nullable.GetUnderlyingType(t) ?? t;
        if (u.IsEnum || u == typeof(DateOnly)) return true;
        if (u == typeof(string) || typeof(Microsoft.EntityFrameworkCore.DbContext).IsAssignableFrom(u)) return false;
        if (u.IsArray) return IsWalked(u.GetElementType()!);
        if (u.IsGenericType && typeof(System.Collections.IEnumerable).IsAssignableFrom(u))
            return u.GetGenericArguments().Any(IsWalked);
        return u.IsClass && u.Namespace?.StartsWith("Bihuan.Features", StringComparison.Ordinal) == true;
    }

    static string Camel(string name) => name.Length == 0 ? name : char.ToLowerInvariant(name[0]) + name[1..];
}
