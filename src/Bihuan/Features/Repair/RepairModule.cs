namespace Bihuan.Features.Repair;

/// The Repair feature's entry points — 修正无法使用的存储数值 (repairing stored values no read can use).
/// BihuanHost calls AddRepair and Program.cs calls MapRepair; the router finds its pages in Pages/.
public static class RepairModule
{
    public static IServiceCollection AddRepair(this IServiceCollection services, IConfiguration config)
    {
        return services;
    }

    public static WebApplication MapRepair(this WebApplication app, RouteGroupBuilder api)
    {
        api.MapRepairApi();
        return app;
    }
}
