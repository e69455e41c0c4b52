using Bihuan.Domain;

namespace Bihuan.Tests;

public sealed class DeadlineTextTests
{
    static readonly DateOnly Ref = D("2026-03-01");
    static DateOnly D(string s) => DateOnly.Parse(s, System.Globalization.CultureInfo.InvariantCulture);

    static void AssertDated(DeadlineParse p, string expected)
    {
        Assert.True(p.Ok, p.Error);
        Assert.Equal(DeadlineKind.Dated, p.Kind);
        Assert.Equal(D(expected), p.Date);
        Assert.Null(p.Error);
    }

    static void AssertFails(DeadlineParse p, string message)
    {
        Assert.False(p.Ok);
        Assert.Null(p.Date);
        Assert.Equal(message, p.Error);
    }

    [Theory]
    [InlineData("2026年6月30日", "2026-06-30")]
    [InlineData("2026年6月30号", "2026-06-30")]
    [InlineData("2026年6月30", "2026-06-30")]
    [InlineData("2026.6.30", "2026-06-30")]
    [InlineData("2026/6/30", "2026-06-30")]
    [InlineData("2026-06-30", "2026-06-30")]
    [InlineData("2026-6-30", "2026-06-30")]
    [InlineData("2026-06-30 00:00:00", "2026-06-30")]
    [InlineData("20260630", "2026-06-30")]
    [InlineData("26年6月30日", "2026-06-30")]
    [InlineData(" 2026年 6月 30日 ", "2026-06-30")]
    [InlineData("２０２６年６月３０日", "2026-06-30")]
    [InlineData("２０２６．６．３０", "2026-06-30")]
    [InlineData("２０２６－０６－３０", "2026-06-30")]
    [InlineData("二〇二六年六月三十日", "2026-06-30")]
    [InlineData("2026年十二月三十一日", "2026-12-31")]
    [InlineData("6月30日", "2026-06-30")]
    [InlineData("6月30号", "2026-06-30")]
    [InlineData("6月底", "2026-06-30")]
    [InlineData("6月末", "2026-06-30")]
    [InlineData("六月底", "2026-06-30")]
    [InlineData("2026年6月底", "2026-06-30")]
    [InlineData("2026年6月末", "2026-06-30")]
    [InlineData("2026年6月", "2026-06-30")]
    [InlineData("2026年6月份", "2026-06-30")]
    [InlineData("2026-06", "2026-06-30")]
    [InlineData("2026年2月底", "2026-02-28")]
    [InlineData("2028年2月底", "2028-02-29")]
    [InlineData("2026年6月上旬", "2026-06-10")]
    [InlineData("2026年6月中旬", "2026-06-20")]
    [InlineData("2026年6月下旬", "2026-06-30")]
    [InlineData("2026年底", "2026-12-31")]
    [InlineData("2026年末", "2026-12-31")]
    [InlineData("2026年内", "2026-12-31")]
    [InlineData("2026年", "2026-12-31")]
    [InlineData("年底", "2026-12-31")]
    [InlineData("年底前", "2026-12-31")]
    [InlineData("今年底", "2026-12-31")]
    [InlineData("明年底", "2027-12-31")]
    [InlineData("2026年第三季度", "2026-09-30")]
    [InlineData("2026年第3季度", "2026-09-30")]
    [InlineData("第三季度", "2026-09-30")]
    [InlineData("三季度末", "2026-09-30")]
    [InlineData("2026年Q3", "2026-09-30")]
    [InlineData("2026Q3", "2026-09-30")]
    [InlineData("2026年q3", "2026-09-30")]
    [InlineData("Q3", "2026-09-30")]
    [InlineData("2026年第一季度", "2026-03-31")]
    [InlineData("2026年二季度末", "2026-06-30")]
    [InlineData("第四季度", "2026-12-31")]
    [InlineData("2026年上半年", "2026-06-30")]
    [InlineData("2026年下半年", "2026-12-31")]
    [InlineData("上半年", "2026-06-30")]
    [InlineData("下半年", "2026-12-31")]
    [InlineData("2026年6月30日前", "2026-06-30")]
    [InlineData("2026年6月30日之前完成", "2026-06-30")]
    [InlineData("于2026年6月底前完成", "2026-06-30")]
    [InlineData("2026年6月底前完成并长期坚持", "2026-06-30")]
    [InlineData("2026年6月底前完成阶段性整改，12月底前全面完成", "2026-12-31")]
    [InlineData("2026年3月起至6月底", "2026-06-30")]
    [InlineData("2027年3月至6月底", "2027-06-30")]
    public void Parse_AcceptedText_GivesDate(string text, string expected) =>
        AssertDated(DeadlineText.Parse(text, Ref), expected);

    [Theory]
    [InlineData("长期坚持", DeadlineKind.Ongoing)]
    [InlineData("长期", DeadlineKind.Ongoing)]
    [InlineData("持续推进", DeadlineKind.Ongoing)]
    [InlineData("常态化", DeadlineKind.Ongoing)]
    [InlineData("常态化推进", DeadlineKind.Ongoing)]
    [InlineData("长期坚持、久久为功", DeadlineKind.Ongoing)]
    [InlineData("2026年6月起长期坚持", DeadlineKind.Ongoing)]
    [InlineData("立行立改", DeadlineKind.Immediate)]
    [InlineData("立即整改", DeadlineKind.Immediate)]
    [InlineData("即知即改", DeadlineKind.Immediate)]
    [InlineData(" 立行立改 ", DeadlineKind.Immediate)]
    [InlineData("立行立改、长期坚持", DeadlineKind.Immediate)]
    public void Parse_KindWords_GivesKindWithoutDate(string text, DeadlineKind kind)
    {
        var p = DeadlineText.Parse(text, Ref);

        Assert.True(p.Ok, p.Error);
        Assert.Equal(kind, p.Kind);
        Assert.Null(p.Date);
        Assert.Null(p.Error);
    }

    [Theory]
    [InlineData("6月30日", "2027-06-30")]     // already past in 2026: next year's
    [InlineData("12月31日", "2026-12-31")]
    [InlineData("11月27日", "2026-11-27")]    // on the reference date itself: this year's
    [InlineData("11月26日", "2027-11-26")]
    [InlineData("6月底", "2027-06-30")]
    [InlineData("11月底", "2026-11-30")]
    [InlineData("上半年", "2027-06-30")]
    [InlineData("下半年", "2026-12-31")]
    [InlineData("第三季度", "2027-09-30")]
    [InlineData("第四季度", "2026-12-31")]
    [InlineData("年底", "2026-12-31")]
    [InlineData("2026年6月30日", "2026-06-30")] // an explicit year is kept, even when past
    public void Parse_YearlessAfterReference_TakesFirstOccurrenceOnOrAfterReference(string text, string expected) =>
        AssertDated(DeadlineText.Parse(text, D("2026-11-27")), expected);

    [Fact]
    public void Parse_YearlessLeapDay_TakesNextLeapYear() =>
        AssertDated(DeadlineText.Parse("2月29日", D("2026-03-01")), "2028-02-29");

    [Fact]
    public void Parse_YearlessAfterExplicitYear_BorrowsThatYearNotReference() =>
        AssertDated(DeadlineText.Parse("2026年1月起，6月底前完成", D("2026-11-27")), "2026-06-30");

    public static TheoryData<object, string> Serials() => new()
    {
        { 46203d, "2026-06-30" },
        { 46203.75d, "2026-06-30" },   // a date with a time of day
        { 45658d, "2025-01-01" },
        { 46022d, "2025-12-31" },
        { 46203, "2026-06-30" },
        { 20260630d, "2026-06-30" },   // a number cell holding yyyymmdd
        { new DateTime(2026, 6, 30, 17, 0, 0), "2026-06-30" },
        { new DateOnly(2026, 6, 30), "2026-06-30" },
    };

    [Theory]
    [MemberData(nameof(Serials))]
    public void Parse_ExcelSerialOrDateValue_GivesDate(object cell, string expected) =>
        AssertDated(DeadlineText.Parse(cell, Ref), expected);

    [Theory]
    [InlineData("2026年2月30日", "整改时限“2026年2月30日”不是有效日期（2026年2月30日不存在）")]
    [InlineData("2026/2/29", "整改时限“2026/2/29”不是有效日期（2026年2月29日不存在）")]
    [InlineData("2026-04-31", "整改时限“2026-04-31”不是有效日期（2026年4月31日不存在）")]
    [InlineData("2026年13月", "整改时限“2026年13月”不是有效日期（2026年13月不存在）")]
    [InlineData("20261301", "整改时限“20261301”不是有效日期（2026年13月不存在）")]
    [InlineData("2月30日", "整改时限“2月30日”不是有效日期（2月30日不存在）")]
    [InlineData("13月底", "整改时限“13月底”不是有效日期（13月不存在）")]
    [InlineData("6月底前完成，2026年2月30日前验收", "整改时限“6月底前完成，2026年2月30日前验收”不是有效日期（2026年2月30日不存在）")]
    [InlineData("1926年6月30日", "整改时限“1926年6月30日”的年份 1926 不在 2000—2100 年之间")]
    [InlineData("下个月吧", "无法识别的整改时限“下个月吧”")]
    [InlineData("3个月内", "无法识别的整改时限“3个月内”")]
    [InlineData("已完成", "无法识别的整改时限“已完成”")]
    [InlineData("2026年起", "无法识别的整改时限“2026年起”")]
    [InlineData("", "整改时限为空")]
    [InlineData("   ", "整改时限为空")]
    [InlineData("\u3000", "整改时限为空")]
    public void Parse_InvalidText_FailsNamingTheText(string text, string message) =>
        AssertFails(DeadlineText.Parse(text, Ref), message);

    [Fact]
    public void Parse_Null_FailsAsEmpty() => AssertFails(DeadlineText.Parse(null, Ref), "整改时限为空");

    [Fact]
    public void Parse_LongUnknownText_QuotesItShortened()
    {
        var text = new string('改', 50);

        AssertFails(DeadlineText.Parse(text, Ref), $"无法识别的整改时限“{new string('改', 40)}…”");
    }

    public static TheoryData<object, string> BadValues() => new()
    {
        { 5d, "整改时限“1900年1月5日”的年份 1900 不在 2000—2100 年之间" },
        { 2026d, "整改时限“1905年7月18日”的年份 1905 不在 2000—2100 年之间" },   // a bare year typed as a number
        { 60d, "整改时限“60”不是有效日期（1900年2月29日不存在）" },
        { 0d, "无法识别的整改时限“0”" },
        { -3d, "无法识别的整改时限“-3”" },
        { 3e6, "无法识别的整改时限“3000000”" },
        { double.NaN, "无法识别的整改时限“NaN”" },
        { true, "无法识别的整改时限“TRUE”" },
    };

    [Theory]
    [MemberData(nameof(BadValues))]
    public void Parse_ImplausibleValue_FailsWithMessage(object cell, string message) =>
        AssertFails(DeadlineText.Parse(cell, Ref), message);
}
