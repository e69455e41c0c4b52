namespace Bihuan.Features.Audit;

/// The Audit feature's entry points — 审计日志 (the audit trail and its verification).
/// BihuanHost calls AddAudit and Program.cs calls MapAudit; the router finds its pages in Pages/.
public static class AuditModule
{
    public static IServiceCollection AddAudit(this IServiceCollection services, IConfiguration config)
    {
        return services;
    }

    public static WebApplication MapAudit(this WebApplication app, RouteGroupBuilder api)
    {
        api.MapAuditApi();
        return app;
    }
}
