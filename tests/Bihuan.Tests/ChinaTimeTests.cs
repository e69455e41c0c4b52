using System.Globalization;
using Bihuan.Domain;
using Microsoft.Extensions.Time.Testing;

namespace Bihuan.Tests;

public sealed class ChinaTimeTests
{
    [Fact]
    public void Format_UtcAfternoon_NextDayInChina()
    {
        Assert.Equal("2026-11-28 00:30", ChinaTime.Format(new DateTime(2026, 11, 27, 16, 30, 0, DateTimeKind.Utc)));
    }

    [Fact]
    public void Format_UnspecifiedKind_TreatedAsUtc()
    {
        Assert.Equal("2026-11-28 00:30", ChinaTime.Format(new DateTime(2026, 11, 27, 16, 30, 0, DateTimeKind.Unspecified)));
    }

    [Fact]
    public void Format_CultureWithDotTimeSeparator_StillColon()
    {
        var culture = (CultureInfo)CultureInfo.InvariantCulture.Clone();
        culture.DateTimeFormat.TimeSeparator = ".";
        var saved = CultureInfo.CurrentCulture;
        try
        {
            CultureInfo.CurrentCulture = culture;
            Assert.Equal("2026-11-28 00:30", ChinaTime.Format(new DateTime(2026, 11, 27, 16, 30, 0, DateTimeKind.Utc)));
        }
        finally { CultureInfo.CurrentCulture = saved; }
    }

    [Fact]
    public void ToCst_Utc_PlusEightUnspecifiedKind()
    {
        var cst = ChinaTime.ToCst(new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc));

        Assert.Equal(new DateTime(2026, 1, 1, 8, 0, 0), cst);
        Assert.Equal(DateTimeKind.Unspecified, cst.Kind);
    }

    [Fact]
    public void ToCst_LocalKind_ConvertedFromSameInstant()
    {
        var utc = new DateTime(2026, 6, 1, 3, 0, 0, DateTimeKind.Utc);

        Assert.Equal(ChinaTime.ToCst(utc), ChinaTime.ToCst(utc.ToLocalTime()));
    }

    [Theory]
    [InlineData("2026-11-27T15:59:59Z", "2026-11-27")]
    [InlineData("2026-11-27T16:00:00Z", "2026-11-28")]
    [InlineData("2026-11-27T23:59:59Z", "2026-11-28")]
    [InlineData("2026-11-28T00:00:00Z", "2026-11-28")]
    [InlineData("2026-12-31T16:00:00Z", "2027-01-01")]
    public void Today_AroundMidnights_ChinaCalendarDate(string utc, string expected)
    {
        var clock = new FakeTimeProvider(DateTimeOffset.Parse(utc, CultureInfo.InvariantCulture));

        Assert.Equal(DateOnly.Parse(expected, CultureInfo.InvariantCulture), ChinaTime.Today(clock));
    }

    [Fact]
    public void Today_ClockAdvancesPastUtcMidnight_ChinaDateUnchanged()
    {
        // 23:30Z → 00:30Z crosses the UTC date line but both are the same morning in China.
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 27, 23, 30, 0, TimeSpan.Zero));
        var before = ChinaTime.Today(clock);

        clock.Advance(TimeSpan.FromHours(1));

        Assert.Equal(new DateOnly(2026, 11, 28), before);
        Assert.Equal(before, ChinaTime.Today(clock));
    }

    [Fact]
    public void Now_SubMicrosecondTicks_TruncatedUtc()
    {
        var t = new DateTimeOffset(2026, 11, 27, 8, 0, 0, TimeSpan.Zero).AddTicks(1234567);
        var now = ChinaTime.Now(new FakeTimeProvider(t));

        Assert.Equal(DateTimeKind.Utc, now.Kind);
        Assert.Equal(t.UtcTicks - 7, now.Ticks);
    }
}
