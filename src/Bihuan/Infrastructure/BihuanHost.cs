using Bihuan.Components;
using Bihuan.Features.Accounts;
using Bihuan.Features.Audit;
using Bihuan.Features.Calendar;
using Bihuan.Features.Demands;
using Bihuan.Features.Duties;
using Bihuan.Features.Files;
using Bihuan.Features.Notifications;
using Bihuan.Features.Organizations;
using Bihuan.Features.People;
using Bihuan.Features.Rectification;
using Bihuan.Features.Repair;
using Bihuan.Features.Rules;
using Bihuan.Features.Study;
using Bihuan.Features.Supervision;
using Bihuan.Features.Todo;

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
            .AddImportLimits(builder.Configuration)
            .AddFeatures(builder.Configuration);
        return builder;
    }

    /// Background jobs: one JobHost (a hosted service in the web app; `bihuan jobs run` in the CLI) and its jobs.
    public static IServiceCollection AddBihuanJobs(this IServiceCollection services, IConfiguration config)
    {
        services.AddSingleton(config.GetSection("Bihuan:Jobs").Get<JobOptions>() ?? new JobOptions());
        services.AddSingleton<JobHost>();
        services.AddHostedService(sp => sp.GetRequiredService<JobHost>());
        return services;
    }

    /// Each feature's services (Features/<Area>/<Area>Module.cs), in the order of Program.cs's Map calls.
    public static IServiceCollection AddFeatures(this IServiceCollection services, IConfiguration config) => services
        .AddOrganizations(config).AddPeople(config).AddAccounts(config).AddAudit(config).AddCalendar(config)
        .AddFiles(config).AddRectification(config).AddStudy(config).AddDuties(config).AddRules(config)
        .AddSupervision(config).AddNotifications(config).AddDemands(config).AddRepair(config)
        .AddTodo(config);

    public static WebApplication MapStaffPages(this WebApplication app)
    {
        app.MapRazorComponents<App>().WithUploadLimits(app.Services.GetRequiredService<ImportLimits>());
        return app;
    }
}
