using Bihuan.Infrastructure;

namespace Bihuan.Features.Audit;

/// The Audit feature's entry points — 审计日志 (the audit trail and its verification).
/// BihuanHost calls AddAudit and Program.cs calls MapAudit; the router finds its pages in Pages/.
public static class AuditModule
{
    public static IServiceCollection AddAudit(this IServiceCollection services, IConfiguration config)
    {
        // The chain's keys and the anchors' signing key, from outside the database (ADR 0018).
        services.AddSingleton(sp => new AuditKeys(config, sp.GetRequiredService<IHostEnvironment>()));
        services.AddSingleton(sp => sp.GetRequiredService<AuditKeys>().Ring);
        // The chain head, signed, to the append-only anchor directory every AnchorMinutes and once a day.
        services.AddSingleton<AuditAnchors>();
        services.AddSingleton<IBihuanJob, AuditAnchorJob>();
        services.AddSingleton<IBihuanJob, AuditDailyAnchorJob>();
        return services;
    }

    public static WebApplication MapAudit(this WebApplication app, RouteGroupBuilder api)
    {
        api.MapAuditApi();
        return app;
    }
}
