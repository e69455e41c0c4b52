using Bihuan.Components;
using Bihuan.Features.Demands;
using Bihuan.Features.Rectification;

namespace Bihuan.Infrastructure;

public static class BihuanHost
{
    /// The services of the web app; the CLI builds the same ones so both act through the same use cases.
    public static WebApplicationBuilder CreateBuilder(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.WebHost.UseSetting(WebHostDefaults.ServerUrlsKey,
            builder.Configuration["urls"] ?? builder.Configuration["ASPNETCORE_URLS"] ?? "http://127.0.0.1:5080");
        // The one date window (Domain/Bounds.cs) for every input and every read of a stored date; a bad window stops
        // start-up rather than accepting dates the reads cannot compute with.
        var bounds = builder.Configuration.GetSection("Bihuan:Bounds");
        Domain.Bounds.Configure(bounds.GetValue("MinYear", 2000), bounds.GetValue("MaxYear", 2100));
        builder.Services
            .AddBihuanDatabase(builder.Configuration, builder.Environment.ContentRootPath)
            .AddBihuanAuth()
            .AddBihuanWeb()
            .AddBihuanJobs(builder.Configuration)
            .AddPortal(builder.Configuration)
            .AddImportLimits(builder.Configuration)
            .AddRectificationUseCases();
        return builder;
    }

    /// Background jobs: one JobHost (a hosted service in the web app; `bihuan jobs run` in the CLI) and its jobs.
    public static IServiceCollection AddBihuanJobs(this IServiceCollection services, IConfiguration config)
    {
        services.AddSingleton(config.GetSection("Bihuan:Jobs").Get<JobOptions>() ?? new JobOptions());
        services.AddSingleton<IBihuanJob, Features.Rectification.LightSnapshotJob>();
        Features.Supervision.SupervisionApi.AddSupervision(services);   // dashboard sections, notifications, the daily reminder job
        services.AddSingleton<JobHost>();
        services.AddHostedService(sp => sp.GetRequiredService<JobHost>());
        return services;
    }

    public static WebApplication MapStaffPages(this WebApplication app)
    {
        app.MapRazorComponents<App>().WithUploadLimits(app.Services.GetRequiredService<ImportLimits>());
        app.MapAccountEndpoints();
        return app;
    }
}
