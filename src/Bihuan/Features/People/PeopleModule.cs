namespace Bihuan.Features.People;

/// The People feature's entry points — 人员和角色授予 (people and role grants).
/// BihuanHost calls AddPeople and Program.cs calls MapPeople; the router finds its pages in Pages/.
public static class PeopleModule
{
    public static IServiceCollection AddPeople(this IServiceCollection services, IConfiguration config)
    {
        return services;
    }

    public static WebApplication MapPeople(this WebApplication app, RouteGroupBuilder api)
    {
        api.MapPeopleApi();
        return app;
    }
}
