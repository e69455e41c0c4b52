using System.Net;
using System.Net.Http.Json;
using Bihuan.Data;
using Bihuan.Features.Calendar;

namespace Bihuan.IntegrationTests;

public abstract class CalendarTestsBase(Func<BihuanFactory> app)
{
    BihuanFactory App => app();

    [SkippableFact]
    public async Task Import_ByAdmin_AddsYearAudited_RefusedForOthersAndBadFiles()
    {
        var admin = await App.ClientFor("admin");
        var before = await admin.GetFromJsonAsync<List<CalendarYearDto>>("/api/v1/calendar");
        Assert.Contains(before!, y => y.Year == 2026 && y.Source == "shipped");

        var office = await App.ClientFor("yx.office");
        Assert.Equal(HttpStatusCode.Forbidden,
            (await office.PostAsJsonAsync("/api/v1/calendar", new { text = "2027-10-01 休 国庆节" })).StatusCode);

        var bad = await admin.PostAsJsonAsync("/api/v1/calendar", new { text = "2027-10-12 班 周二" });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("不是周末", await bad.Content.ReadAsStringAsync());
        var two = await admin.PostAsJsonAsync("/api/v1/calendar", new { text = "2027-01-01 休 元旦\n2028-01-01 休 元旦" });
        Assert.Equal(HttpStatusCode.BadRequest, two.StatusCode);

        var ok = await admin.PostAsJsonAsync("/api/v1/calendar", new { text = "2027-01-01..2027-01-03 休 元旦\n2027-10-01..2027-10-07 休 国庆节" });
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        var after = await admin.GetFromJsonAsync<List<CalendarYearDto>>("/api/v1/calendar");
        Assert.Contains(after!, y => y.Year == 2027 && y.Source == "imported");
        var audit = await admin.GetStringAsync("/api/v1/audit?entityType=CalendarYear&entityId=2027");
        Assert.Contains("2027", audit);
    }
}

public sealed class SqliteCalendarTests(SqliteFixture f) : CalendarTestsBase(() => f), IClassFixture<SqliteFixture>;

public sealed class PostgresCalendarTests(PostgresFixture f) : CalendarTestsBase(() => f.Factory), IClassFixture<PostgresFixture>;
