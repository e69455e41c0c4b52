namespace Bihuan.Features.Files;

/// The Files feature's entry points — 佐证材料和附件 (uploads cited by records).
/// BihuanHost calls AddFiles and Program.cs calls MapFiles; the router finds its pages in Pages/.
public static class FilesModule
{
    public static IServiceCollection AddFiles(this IServiceCollection services, IConfiguration config)
    {
        return services;
    }

    public static WebApplication MapFiles(this WebApplication app, RouteGroupBuilder api)
    {
        api.MapFilesApi();
        return app;
    }
}
