namespace Bihuan.Features.Rules;

/// The Rules feature's entry points — 建章立制 (rules).
/// BihuanHost calls AddRules and Program.cs calls MapRules; the router finds its pages in Pages/.
public static class RulesModule
{
    public static IServiceCollection AddRules(this IServiceCollection services, IConfiguration config)
    {
        return services;
    }

    public static WebApplication MapRules(this WebApplication app, RouteGroupBuilder api)
    {
        api.MapRuleApi();
        return app;
    }
}
