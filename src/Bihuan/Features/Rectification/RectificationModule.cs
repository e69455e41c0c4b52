using Bihuan.Infrastructure;
namespace Bihuan.Features.Rectification;

/// The Rectification feature's entry points — 问题整改：问题清单、整改台账、导入导出 (problems, the ledger, import/export).
/// BihuanHost calls AddRectification and Program.cs calls MapRectification; the router finds its pages in Pages/.
public static class RectificationModule
{
    public static IServiceCollection AddRectification(this IServiceCollection services, IConfiguration config)
    {
        services.AddSingleton<IBihuanJob, LightSnapshotJob>();
        services.AddRectificationUseCases();   // RectItems, Inspection, ClosureChains: shared by pages and API
        return services;
    }

    public static WebApplication MapRectification(this WebApplication app, RouteGroupBuilder api)
    {
        api.MapRectApi();
        api.MapInspectionApi();
        api.MapLedgerExportApi();
        api.MapLedgerImportApi();
        return app;
    }
}
