namespace Bihuan.Features.Organizations;

/// The Organizations feature's entry points — 组织架构 (the org tree).
/// BihuanHost calls AddOrganizations and Program.cs calls MapOrganizations; the router finds its pages in Pages/.
public static class OrganizationsModule
{
    public static IServiceCollection AddOrganizations(this IServiceCollection services, IConfiguration config)
    {
        return services;
    }

    public static WebApplication MapOrganizations(this WebApplication app, RouteGroupBuilder api)
    {
        api.MapOrgApi();
        return app;
    }
}
