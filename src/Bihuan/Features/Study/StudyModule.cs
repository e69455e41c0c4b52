namespace Bihuan.Features.Study;

/// The Study feature's entry points — 学习教育：学习教育、实施方案、会议、学习记录 (campaigns, plans, meetings, study).
/// BihuanHost calls AddStudy and Program.cs calls MapStudy; the router finds its pages in Pages/.
public static class StudyModule
{
    public static IServiceCollection AddStudy(this IServiceCollection services, IConfiguration config)
    {
        return services;
    }

    public static WebApplication MapStudy(this WebApplication app, RouteGroupBuilder api)
    {
        api.MapStudyApi();
        return app;
    }
}
