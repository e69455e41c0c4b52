using Bihuan.Domain;

namespace Bihuan.Tests;

public sealed class WorkingCalendarTests
{
    static readonly WorkingCalendar Cal = WorkingCalendar.Shipped();
    static DateOnly D(string s) => DateOnly.Parse(s, System.Globalization.CultureInfo.InvariantCulture);

    /// The cumulative index (two lookups) agrees with counting day by day, for any two dates of the shipped years.
    [FsCheck.Xunit.Property(MaxTest = 500)]
    public void WorkingDaysBetween_IndexedCount_EqualsDayByDayCount(ushort a, ushort b)
    {
        var cal = WorkingCalendar.Shipped();
        var first = new DateOnly(2025, 1, 1);
        var from = first.AddDays(a % 730);
        var to = first.AddDays(b % 730);
        var slow = 0;
        for (var d = from.AddDays(1); d <= to; d = d.AddDays(1)) if (cal.IsWorkingDay(d)) slow++;
        Assert.True(cal.TryWorkingDaysBetween(from, to, out var fast));
        Assert.Equal(slow, fast);
        Assert.False(cal.TryWorkingDaysBetween(from, new DateOnly(2027, 1, 5), out _));   // 2027 not shipped
    }

    [Fact]
    public void AddWorkingDays_AcrossNationalDay_SkipsHolidayAndCountsTiaoxiuSaturday()
    {
        // The worked example of shared/data/cn-holidays.md.
        var days = Enumerable.Range(1, 5).Select(n => Cal.AddWorkingDays(D("2026-09-30"), n)).ToList();
        Assert.Equal([D("2026-10-08"), D("2026-10-09"), D("2026-10-10"), D("2026-10-12"), D("2026-10-13")], days);
    }

    [Fact]
    public void AddWorkingDays_FridayBeforeSpringFestival_IsTiaoxiuSaturday()
    {
        Assert.Equal(D("2026-02-14"), Cal.AddWorkingDays(D("2026-02-13"), 1));
        Assert.Equal(D("2026-02-24"), Cal.AddWorkingDays(D("2026-02-14"), 1));
    }

    [Theory]
    [InlineData("2026-10-01", false)] // 国庆
    [InlineData("2026-10-10", true)]  // 调休 Saturday
    [InlineData("2026-10-11", false)] // ordinary Sunday
    [InlineData("2026-02-28", true)]  // 春节调休
    [InlineData("2025-01-26", true)]  // Sunday worked in 2025
    [InlineData("2025-05-05", false)]
    [InlineData("2026-11-27", true)]  // an ordinary Friday
    public void IsWorkingDay_KnownDates_FollowsStateCouncilNotice(string date, bool working) =>
        Assert.Equal(working, Cal.IsWorkingDay(D(date)));

    [Fact]
    public void IsWorkingDay_YearWithoutData_RefusesToGuess()
    {
        var e = Assert.Throws<DomainException>(() => Cal.IsWorkingDay(D("2027-03-01")));
        Assert.IsType<CalendarYearMissing>(e.Error);
        Assert.Contains("2027", e.Message);
    }

    [Fact]
    public void WorkingDaysBetween_SpringFestivalWeek_CountsOnlyWorkingDays()
    {
        // 2026-02-13 (Fri) → 2026-02-24 (Tue): 14th (调休 Sat) and 24th are the only working days.
        Assert.Equal(2, Cal.WorkingDaysBetween(D("2026-02-13"), D("2026-02-24")));
        Assert.Equal(0, Cal.WorkingDaysBetween(D("2026-02-24"), D("2026-02-13")));
    }

    [Theory]
    [InlineData("2026-13-01 休 x", "日期")]
    [InlineData("2026-10-12 班 周一", "不是周末")]
    [InlineData("2026-10-01 放假 国庆", "休")]
    [InlineData("# only a comment", "没有日期")]
    public void Parse_BadLine_NamesTheProblem(string text, string expected)
    {
        var e = Assert.Throws<DomainException>(() => WorkingCalendar.Parse(text));
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void Shipped_Covers2025And2026Only()
    {
        Assert.Equal([2025, 2026], Cal.Years);
    }
}

public sealed class WorkingCalendarImportTests
{
    const string Y2027 = """
        # 2027 (test data, not the official notice)
        2027-01-01..2027-01-03 休 元旦
        2027-10-01..2027-10-07 休 国庆节
        2027-10-09             班 国庆节调休
        """;

    [Fact]
    public void Add_NewYear_MakesItKnownWithoutTouchingOthers()
    {
        var cal = WorkingCalendar.Shipped();
        Assert.False(cal.Covers(2027));
        cal.Add(Y2027);
        Assert.True(cal.Covers(2027));
        Assert.False(cal.IsWorkingDay(new DateOnly(2027, 10, 4)));
        Assert.True(cal.IsWorkingDay(new DateOnly(2027, 10, 9)));     // Saturday worked
        Assert.True(cal.IsWorkingDay(new DateOnly(2026, 10, 10)));    // 2026 unchanged
    }

    [Fact]
    public void Add_SameYearAgain_ReplacesThatYear()
    {
        var cal = WorkingCalendar.Shipped();
        cal.Add("2026-11-27 休 测试假日");
        Assert.False(cal.IsWorkingDay(new DateOnly(2026, 11, 27)));
        Assert.True(cal.IsWorkingDay(new DateOnly(2026, 10, 8)));     // 国庆 no longer listed: an ordinary Thursday
        Assert.True(cal.IsWorkingDay(new DateOnly(2025, 5, 6)));
        Assert.False(cal.IsWorkingDay(new DateOnly(2025, 5, 5)));     // 2025 kept
    }

    [Fact]
    public void Validate_TwoYears_ReportsBoth() =>
        Assert.Equal([2026, 2027], WorkingCalendar.Validate("2026-12-31 休 x\n2027-01-01 休 y").Order());
}
