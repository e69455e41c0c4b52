namespace Bihuan.Features.Duties;

/// The Duties feature's entry points — 履职清单和工作台 (duties and the workbench).
/// BihuanHost calls AddDuties and Program.cs calls MapDuties; the router finds its pages in Pages/.
public static class DutiesModule
{
    public static IServiceCollection AddDuties(this IServiceCollection services, IConfiguration config)
    {
        return services;
    }

    public static WebApplication MapDuties(this WebApplication app, RouteGroupBuilder api)
    {
        api.MapDutiesApi();
        return app;
    }
}
