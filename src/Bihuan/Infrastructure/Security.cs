using System.Net;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace Bihuan.Infrastructure;

/// Transport and browser protections (ADR 0017, docs/security.md): the real client behind configured proxies, a
/// strict Content-Security-Policy and HSTS, and antiforgery on cookie-authenticated API writes.
public static class SecuritySetup
{
    /// No script and no inline style on any page (there are none: static SSR, plain forms — ADR 0001).
    public const string PagePolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        + "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
        + "frame-ancestors 'none'";

    /// The API reference (/api/docs, Scalar) is a script application that writes inline scripts and styles: it alone
    /// gets them, and no form may post anywhere from it.
    public const string DocsPolicy = "default-src 'self'; script-src 'self' 'unsafe-inline'; "
        + "style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data: https://fonts.scalar.com; "
        + "connect-src 'self'; object-src 'none'; "
        + "base-uri 'self'; form-action 'none'; frame-ancestors 'none'";

    public const string HstsValue = "max-age=31536000";

    /// `Bihuan:Proxy:KnownProxies`: the addresses (or CIDR networks) of the reverse proxies whose X-Forwarded-For and
    /// X-Forwarded-Proto are believed. Empty (the default): none are, and the connection's peer is the client.
    public static ForwardedHeadersOptions? ProxyOptions(IConfiguration config)
    {
        var section = config.GetSection("Bihuan:Proxy:KnownProxies");
        var entries = (section.Get<string[]>() ?? [])
            .Concat((section.Value ?? "").Split(',',
                StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .Where(e => e.Length > 0).Distinct().ToList();
        if (entries.Count == 0) return null;
        var o = new ForwardedHeadersOptions
        {
            ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto,
            // Walk back through every known proxy to the first address that is not one: that is the client.
            ForwardLimit = null,
        };
        o.KnownProxies.Clear();
        o.KnownIPNetworks.Clear();
        foreach (var e in entries)
        {
            if (e.Contains('/') && System.Net.IPNetwork.TryParse(e, out var net)) o.KnownIPNetworks.Add(net);
            else if (IPAddress.TryParse(e, out var ip)) o.KnownProxies.Add(ip);
            else throw new InvalidOperationException(
                $"Bihuan:Proxy:KnownProxies: “{e}” is not an IP address or CIDR network");
        }
        return o;
    }

    /// First in the pipeline, so that everything after it (rate limits, sign-in throttling, audit, Secure cookies,
    /// HSTS) sees the real client address and scheme.
    public static IApplicationBuilder UseForwardedClient(this IApplicationBuilder app, IConfiguration config) =>
        ProxyOptions(config) is { } o ? app.UseForwardedHeaders(o) : app;

    /// On every response, error pages included (set as the response starts: the exception handler clears headers).
    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app) => app.Use(async (ctx, next) =>
    {
        ctx.Response.OnStarting(() =>
        {
            var h = ctx.Response.Headers;
            h.XContentTypeOptions = "nosniff";
            h.XFrameOptions = "DENY";
            h["Referrer-Policy"] = "same-origin";
            // A file download has set its own (sandboxed) policy: it stays.
            if (h.ContentSecurityPolicy.Count == 0)
                h.ContentSecurityPolicy = ctx.Request.Path.StartsWithSegments("/api/docs") ? DocsPolicy : PagePolicy;
            if (ctx.Request.IsHttps) h.StrictTransportSecurity = HstsValue;
            return Task.CompletedTask;
        });
        await next();
    });

    /// A state change on the API made with the sign-in cookie must carry the antiforgery token in the
    /// RequestVerificationToken header (a page's token): a cross-site form cannot send that header. Bearer-token
    /// calls are exempt — a browser never attaches a token by itself. Pages' own forms are checked by UseAntiforgery.
    public static IApplicationBuilder UseCookieApiAntiforgery(this IApplicationBuilder app) =>
        app.Use(CheckCookieWriteAsync);

    static async Task CheckCookieWriteAsync(HttpContext ctx, RequestDelegate next)
    {
        var m = ctx.Request.Method;
        var cookie = ctx.User.Identity is { IsAuthenticated: true } id
            && id.AuthenticationType == IdentityConstants.ApplicationScheme;
        if (cookie && ctx.Request.Path.StartsWithSegments("/api")
            && !(HttpMethods.IsGet(m) || HttpMethods.IsHead(m) || HttpMethods.IsOptions(m) || HttpMethods.IsTrace(m)))
        {
            var header = ctx.RequestServices.GetRequiredService<IOptions<AntiforgeryOptions>>().Value.HeaderName;
            var antiforgery = ctx.RequestServices.GetRequiredService<IAntiforgery>();
            if (header is null || !ctx.Request.Headers.ContainsKey(header)
                || !await antiforgery.IsRequestValidAsync(ctx))
            {
                ctx.Response.StatusCode = StatusCodes.Status400BadRequest;
                await ctx.Response.WriteAsJsonAsync(new ProblemDetails { Status = 400, Title = MissingTokenText },
                    options: null, contentType: "application/problem+json", ctx.RequestAborted);
                return;
            }
        }
        await next(ctx);
    }

    public const string MissingTokenText = "以登录 Cookie 调用接口修改数据时须带防伪令牌（RequestVerificationToken 请求头）；接口客户端请使用访问令牌";
}
