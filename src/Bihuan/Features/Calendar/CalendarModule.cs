namespace Bihuan.Features.Calendar;

/// The Calendar feature's entry points — 节假日和调休 (the working-day calendar).
/// BihuanHost calls AddCalendar and Program.cs calls MapCalendar; the router finds its pages in Pages/.
public static class CalendarModule
{
    public static IServiceCollection AddCalendar(this IServiceCollection services, IConfiguration config)
    {
        return services;
    }

    public static WebApplication MapCalendar(this WebApplication app, RouteGroupBuilder api)
    {
        api.MapCalendarApi();
        return app;
    }
}
