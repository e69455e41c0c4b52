using Bihuan.Data;
using Bihuan.Domain;
using Bihuan.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Bihuan.Features.Calendar;

public sealed record CalendarYearDto(int Year, string Source, string? ImportedBy, DateTime? ImportedAt);
public sealed record CalendarImport(string? Text);

/// The working-day calendar: which years it knows, and an admin's import of a year's holiday file.
public static class CalendarApi
{
    public static RouteGroupBuilder MapCalendarApi(this RouteGroupBuilder api)
    {
        var g = api.MapGroup("/calendar").WithTags("工作日历 Calendar");
        g.MapGet("/", List).WithSummary("Years the working-day calendar knows (shipped or imported)");
        g.MapPost("/", Import).WithSummary("Import one year's holiday file (admin): lines like \"2027-10-01..2027-10-07 休 国庆节\"");
        return api;
    }

    static async Task<Ok<List<CalendarYearDto>>> List(BihuanDb db, WorkingCalendar cal, CancellationToken ct)
    {
        var imported = await db.CalendarYears.AsNoTracking().ToDictionaryAsync(y => y.Year, ct);
        return TypedResults.Ok(cal.Years.Select(y => imported.TryGetValue(y, out var i)
            ? new CalendarYearDto(y, "imported", i.ImportedBy, i.ImportedAt) : new CalendarYearDto(y, "shipped", null, null)).ToList());
    }

    static async Task<Ok<CalendarYearDto>> Import(BihuanDb db, WorkingCalendar cal, TimeProvider clock, CalendarImport input,
        CancellationToken ct)
    {
        if (!db.Access.CanAnywhere(Permission.ManageSettings))
            throw new DomainException(new Forbidden("只有系统管理员可以导入节假日安排"));
        var year = await ImportAsync(db, cal, clock, input.Text, ct);
        return TypedResults.Ok(new CalendarYearDto(year.Year, "imported", year.ImportedBy, year.ImportedAt));
    }

    /// Validates the file (one year per file), stores it (audited) and applies it to the running calendar.
    public static async Task<CalendarYear> ImportAsync(BihuanDb db, WorkingCalendar cal, TimeProvider clock, string? text, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(text)) throw new DomainException(new Invalid("text", "节假日文件是空的"));
        if (text.Length > 20000) throw new DomainException(new Invalid("text", "节假日文件过长"));
        var years = WorkingCalendar.Validate(text);
        if (years.Count != 1) throw new DomainException(new Invalid("text", $"一个文件只能包含一个年份（此文件包含 {string.Join("、", years)}）"));
        var y = years.Single();
        var row = await db.CalendarYears.FirstOrDefaultAsync(c => c.Year == y, ct);
        if (row is null) db.CalendarYears.Add(row = new CalendarYear { Year = y, Text = text, ImportedBy = db.Actor, ImportedAt = ChinaTime.Now(clock) });
        else { row.Text = text; row.ImportedBy = db.Actor; row.ImportedAt = ChinaTime.Now(clock); }
        await db.SaveChangesAsync(ct);
        cal.Add(text);
        return row;
    }

    /// At start-up: imported years override the shipped ones.
    public static async Task LoadImportedAsync(BihuanDb db, WorkingCalendar cal, CancellationToken ct = default)
    {
        foreach (var y in await db.CalendarYears.AsNoTracking().OrderBy(y => y.Year).ToListAsync(ct)) cal.Add(y.Text);
    }
}
