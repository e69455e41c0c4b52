using Bihuan.Infrastructure;

namespace Bihuan.Features.Notifications;

/// The Notifications feature's entry points — 消息通知 (notifications, the mailer, the reminder job).
/// BihuanHost calls AddNotifications and Program.cs calls MapNotifications; the router finds its pages in Pages/.
public static class NotificationsModule
{
    public static IServiceCollection AddNotifications(this IServiceCollection services, IConfiguration config)
    {
        services.AddSingleton(config.GetSection("Bihuan:Smtp").Get<SmtpOptions>() ?? new SmtpOptions());
        services.AddSingleton<Mailer>();
        services.AddSingleton<Notifier>();
        services.AddSingleton<IBihuanJob, ReminderJob>();   // the daily reminder of what waits for each account
        return services;
    }

    public static WebApplication MapNotifications(this WebApplication app, RouteGroupBuilder api)
    {
        api.MapNotificationApi();
        return app;
    }
}
