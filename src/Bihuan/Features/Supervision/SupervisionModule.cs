using Bihuan.Infrastructure;

namespace Bihuan.Features.Supervision;

/// The Supervision feature's entry points — 监督检查：看板、督办单、简报 (dashboards, supervision orders, briefings).
/// BihuanHost calls AddSupervision and Program.cs calls MapSupervision; the router finds its pages in Pages/.
public static class SupervisionModule
{
    public static IServiceCollection AddSupervision(this IServiceCollection services, IConfiguration config)
    {
        services.AddRolledUpSection<LedgerSection>();
        services.AddRolledUpSection<OrdersSection>();
        services.AddRolledUpSection<PlansSection>();
        services.AddRolledUpSection<MeetingsSection>();
        services.AddRolledUpSection<StudySection>();
        services.AddRolledUpSection<WorkOrdersSection>();
        services.AddRolledUpSection<RulesSection>();
        services.AddSingleton(RollupStore.For);
        services.AddSingleton<IBihuanJob, RollupJob>();
        services.AddHostedService<RollupRefresher>();
        services.AddSingleton<SupervisionDashboard>();
        return services;
    }

    public static WebApplication MapSupervision(this WebApplication app, RouteGroupBuilder api)
    {
        api.MapSupervisionApi();
        return app;
    }
}
