namespace Bihuan.Features.Accounts;

/// The Accounts feature's entry points — 账号、登录和访问令牌 (accounts, sign-in, access tokens).
/// BihuanHost calls AddAccounts and Program.cs calls MapAccounts; the router finds its pages in Pages/.
public static class AccountsModule
{
    public static IServiceCollection AddAccounts(this IServiceCollection services, IConfiguration config)
    {
        services.AddSingleton(config.GetSection("Bihuan:Auth").Get<AuthOptions>() ?? new AuthOptions());
        services.AddSingleton<SignInThrottle>();
        services.AddScoped<PasswordSignIn>();
        services.AddScoped<PasswordCommands>();
        return services;
    }

    public static WebApplication MapAccounts(this WebApplication app, RouteGroupBuilder api)
    {
        api.MapAccountApi();
        api.MapPasswordApi();
        app.MapAccountEndpoints();
        return app;
    }
}
