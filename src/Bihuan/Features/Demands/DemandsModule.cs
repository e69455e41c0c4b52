using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace Bihuan.Features.Demands;

/// The Demands feature's entry points — 群众诉求：门户、工单、Open311 (public demands: portal, work orders, Open311).
/// BihuanHost calls AddDemands and Program.cs calls MapDemands; the router finds its pages in Pages/.
public static class DemandsModule
{
    public static IServiceCollection AddDemands(this IServiceCollection services, IConfiguration config)
    {
        services.Configure<PortalOptions>(config.GetSection("Bihuan:Portal"));
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<PortalOptions>>().Value);
        services.AddSingleton<PublicChallenge>();
        services.AddSingleton<TicketJournal>();
        // Public POSTs (submit, look up, rate, Open311) are limited per client address; staff pages are not.
        services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(ctx =>
            {
                var p = ctx.Request.Path;
                if (!HttpMethods.IsPost(ctx.Request.Method) || !(p.StartsWithSegments("/public") || p.StartsWithSegments("/open311")))
                    return RateLimitPartition.GetNoLimiter("");
                var o = ctx.RequestServices.GetRequiredService<PortalOptions>();
                var open311 = p.StartsWithSegments("/open311");
                var permit = open311 ? o.Open311.PostsPerMinutePerIp ?? o.PostsPerMinutePerIp : o.PostsPerMinutePerIp;
                var address = ctx.Connection.RemoteIpAddress?.ToString() ?? "unknown";
                return RateLimitPartition.GetFixedWindowLimiter((open311 ? "open311:" : "public:") + address,
                    _ => new FixedWindowRateLimiterOptions { PermitLimit = Math.Max(1, permit), Window = TimeSpan.FromMinutes(1) });
            });
            o.OnRejected = async (c, ct) =>
            {
                c.HttpContext.Response.Headers.RetryAfter = "60";
                // An Open311 client gets the spec's errors document, in the format its path asks for.
                if (c.HttpContext.Request.Path.StartsWithSegments("/open311"))
                {
                    await Open311Api.WriteErrorAsync(c.HttpContext, StatusCodes.Status429TooManyRequests,
                        "too many requests from this address; try again in a minute (提交过于频繁，请一分钟后再试)");
                    return;
                }
                c.HttpContext.Response.ContentType = "text/plain; charset=utf-8";
                await c.HttpContext.Response.WriteAsync("提交过于频繁，请一分钟后再试。Too many requests, try again in a minute.", ct);
            };
        });
        return services;
    }

    public static WebApplication MapDemands(this WebApplication app, RouteGroupBuilder api)
    {
        api.MapDemandApi();
        app.MapOpen311Api();
        return app;
    }
}
