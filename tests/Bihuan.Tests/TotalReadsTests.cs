using System.Globalization;
using System.Xml;
using Bihuan.Domain;
using FsCheck.Xunit;

namespace Bihuan.Tests;

/// The read computations are total: any stored value gives an answer, never an exception or a walk day by day.
public sealed class TotalCalendarTests
{
    static readonly WorkingCalendar Cal = WorkingCalendar.Shipped();
    static DateOnly D(string s) => DateOnly.Parse(s, CultureInfo.InvariantCulture);

    // The oracle: a walk day by day, with the data for covered years and Monday–Friday for the others.
    internal static bool Working(DateOnly d) => Cal.Covers(d.Year) ? Cal.IsWorkingDay(d) : d.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday);

    internal static int Walk(DateOnly from, DateOnly to)
    {
        var n = 0;
        for (var d = from.AddDays(1); d <= to; d = d.AddDays(1)) if (Working(d)) n++;
        return n;
    }

    [Fact]
    public void WorkingDaysBetween_FarDate_IsCannotCompute()
    {
        // The year 9000 is outside Bounds' window: a defined "cannot compute" answer, whatever the calendar holds.
        Assert.Null(Cal.WorkingDaysBetween(D("2026-01-01"), D("9000-01-01")));
        Assert.Null(Cal.EstimateWorkingDaysBetween(D("2026-01-01"), D("9000-01-01")));
        Assert.False(Cal.TryWorkingDaysBetween(D("2026-01-01"), D("9999-12-31"), out _));
        Assert.Null(Cal.EstimateWorkingDaysBetween(DateOnly.MinValue, D("2026-01-01")));
        Assert.Null(Cal.AddWorkingDays(D("9999-12-30"), 5));
        Assert.Null(Cal.EstimateAddWorkingDays(DateOnly.MaxValue, 1));
        Assert.Null(Cal.EstimateAddWorkingDays(D("2026-01-01"), int.MaxValue));   // past the window: null, no long loop
        Assert.Null(Cal.EstimateAddWorkingDays(D("2026-01-01"), -1));
    }

    [Fact]
    public void WorkingDaysBetween_YearWithoutData_IsCannotComputeStrict_AndNamedWhenEstimated()
    {
        Assert.Null(Cal.WorkingDaysBetween(D("2026-12-01"), D("2027-01-29")));
        Assert.Null(Cal.AddWorkingDays(D("2026-12-30"), 5));
        var missing = new List<int>();
        Assert.Equal(Walk(D("2026-12-01"), D("2031-06-30")), Cal.EstimateWorkingDaysBetween(D("2026-12-01"), D("2031-06-30"), missing));
        Assert.Equal([2027, 2028, 2029, 2030, 2031], missing.Order());
    }

    /// Any two dates of the window: the running totals agree with the walk (estimate), and the strict form answers
    /// exactly when every year between is covered.
    [Property(MaxTest = 300)]
    public void EstimateWorkingDaysBetween_AnyDatesInWindow_EqualsTheWalk(ushort a, ushort b)
    {
        var from = new DateOnly(2024, 1, 1).AddDays(a % 3000);
        var to = from.AddDays(b % 1500);
        Assert.Equal(Walk(from, to), Cal.EstimateWorkingDaysBetween(from, to));
        var covered = Enumerable.Range(from.Year, to.Year - from.Year + 1).All(Cal.Covers);
        Assert.Equal(covered || to <= from ? Walk(from, to) : null, Cal.WorkingDaysBetween(from, to));
    }

    [Property(MaxTest = 300)]
    public void EstimateAddWorkingDays_AnyStartInWindow_EqualsTheWalk(ushort a, byte n)
    {
        var start = new DateOnly(2024, 1, 1).AddDays(a % 3000);
        var d = start;
        for (var k = 0; k < n;) { d = d.AddDays(1); if (Working(d)) k++; }
        Assert.Equal(d, Cal.EstimateAddWorkingDays(start, n));
    }

    [Fact]
    public void AddWorkingDays_LastDaysOfTheWindow_NullPastIt()
    {
        Assert.Equal(D("2100-12-31"), Cal.EstimateAddWorkingDays(D("2100-12-30"), 1));   // a Friday
        Assert.Null(Cal.EstimateAddWorkingDays(D("2100-12-31"), 1));
    }
}

public sealed class TotalLightsTests
{
    static readonly WorkingCalendar Cal = WorkingCalendar.Shipped();
    static DateOnly D(string s) => DateOnly.Parse(s, CultureInfo.InvariantCulture);
    static readonly DateOnly Today = D("2026-06-10");

    static LightInput Open(DateOnly? deadline, int percent = 30, RectStatus status = RectStatus.InProgress, DateOnly? start = null,
        DeadlineKind kind = DeadlineKind.Dated) =>
        new(status, kind, start ?? D("2026-06-01"), deadline, percent, Today, 0, 0, 0, Today);

    [Fact]
    public void Of_Deadline99991231_IsInvalidAndSaysSo()
    {
        var light = Lights.Of(Open(DateOnly.MaxValue), LightRules.Default, Cal);
        Assert.Equal(LightLevel.Invalid, light.Level);
        Assert.Equal("整改时限无效（9999-12-31）", light.Reason);
        Assert.Equal("数据无效", light.Level.Label());
    }

    [Theory]
    [InlineData(900, "进度无效（900%）")]
    [InlineData(-5, "进度无效（-5%）")]
    public void Of_PercentOutside0To100_IsInvalid(int percent, string reason) =>
        Assert.Equal(new Light(LightLevel.Invalid, reason), Lights.Of(Open(D("2026-06-30"), percent), LightRules.Default, Cal));

    [Fact]
    public void Of_UndefinedStatusOrKind_IsInvalid()
    {
        Assert.Equal(new Light(LightLevel.Invalid, "状态无效（42）"), Lights.Of(Open(D("2026-06-30"), status: (RectStatus)42), LightRules.Default, Cal));
        Assert.Equal(new Light(LightLevel.Invalid, "时限类型无效（无法识别）"),
            Lights.Of(Open(D("2026-06-30"), kind: StoredValues.Unreadable<DeadlineKind>()), LightRules.Default, Cal));
    }

    [Fact]
    public void Of_ClosedItemWithBadDeadline_NeedsNoneOfItsDates() =>
        Assert.Equal(LightLevel.Green, Lights.Of(Open(DateOnly.MaxValue, status: RectStatus.Closed), LightRules.Default, Cal).Level);

    [Fact]
    public void Of_DeadlineInTheYear2100_CountsWithoutData()
    {
        var light = Lights.Of(Open(D("2100-12-31"), start: D("2026-01-05")), LightRules.Default, Cal);
        Assert.NotEqual(LightLevel.Invalid, light.Level);
        Assert.Contains("未导入", light.Reason);   // the estimated years are named
    }

    /// Any inputs at all — dates over the whole DateOnly range, any percent and count, any enum number: a light with
    /// a reason, Invalid exactly when an open item's input is unusable.
    [Property(MaxTest = 500)]
    public void Of_AnyInputs_NeverThrows_InvalidIffUnusable(int status, int kind, int start, int deadline, int percent, int last,
        int counts, int today)
    {
        static DateOnly Day(int n) => DateOnly.FromDayNumber((int)((uint)n % (uint)(DateOnly.MaxValue.DayNumber + 1)));
        static DateOnly Near(int n) => D("2026-01-01").AddDays(n % 400);
        // Half the dates near today (so the usual rules run), half anywhere.
        DateOnly Pick(int n) => (n & 1) == 0 ? Near(n) : Day(n);
        var x = new LightInput((RectStatus)(status % 8), (DeadlineKind)(kind % 5), Pick(start), (deadline & 2) == 0 ? null : Pick(deadline),
            percent % 3 == 0 ? percent : Math.Abs(percent % 101), (last & 2) == 0 ? null : Pick(last), counts % 4, counts % 3, counts % 5,
            Near(Math.Abs(today)));
        var light = Lights.Of(x, LightRules.Default, Cal);
        Assert.False(string.IsNullOrWhiteSpace(light.Reason));
        var open = x.Status is not (RectStatus.Closed or RectStatus.Confirmed);
        Assert.Equal(open && Lights.Unusable(x) is not null, light.Level == LightLevel.Invalid);
    }
}

public sealed class StoredValuesTests
{
    [Property(MaxTest = 1000)]
    public void ForXml_AnyText_IsValidXml_AndKeepsValidText(string? s)
    {
        var clean = StoredValues.ForXml(s);
        Assert.Equal(clean.Length, XmlConvert.VerifyXmlChars(clean).Length);   // throws on any character XML cannot carry
        if (s is not null && IsValid(s)) Assert.Equal(s, clean);
    }

    static bool IsValid(string s)
    {
        try { XmlConvert.VerifyXmlChars(s); return true; }
        catch (XmlException) { return false; }
    }

    [Fact]
    public void ForXml_InvalidCharacters_BecomeReplacementCharacter() =>
        Assert.Equal("路灯\uFFFD不亮\uFFFD\uFFFD 😀\uFFFD", StoredValues.ForXml("路灯\u0001不亮\uFFFF\uFFFE 😀\uD800"));

    [Fact]
    public void Labels_UndefinedStoredChoice_SayInvalidInsteadOfThrowing()
    {
        Assert.Equal("取值无效（42）", ((RectStatus)42).Label());
        Assert.Equal("取值无效（无法识别）", StoredValues.Unreadable<OrderStatus>().Label());
        Assert.Null(Lights.DueOf((DeadlineKind)9, DateOnly.MaxValue, null));
    }
}
