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
                var permit = ctx.RequestServices.GetRequiredService<PortalOptions>().PostsPerMinutePerIp;
                return RateLimitPartition.GetFixedWindowLimiter(ctx.Connection.RemoteIpAddress?.ToString() ?? "unknown",
                    _ => new FixedWindowRateLimiterOptions { PermitLimit = Math.Max(1, permit), Window = TimeSpan.FromMinutes(1) });
            });
            o.OnRejected = async (c, ct) =>
            {
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
