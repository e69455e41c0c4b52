using System.Globalization;
using Bihuan.Domain;
using FsCheck.Xunit;

namespace Bihuan.Tests;

public sealed class LightsTests
{
    static readonly WorkingCalendar Cal = WorkingCalendar.Shipped();
    static readonly LightRules Rules = LightRules.Default;
    static DateOnly D(string s) => DateOnly.Parse(s, CultureInfo.InvariantCulture);

    /// An item in progress, assigned 2026-06-01 (Mon), due 2026-06-30 (Tue), reported today at a pace that's on track.
    static LightInput Item(string today, string deadline = "2026-06-30", string start = "2026-06-01", int percent = 0,
        string? lastProgress = null, RectStatus status = RectStatus.InProgress, DeadlineKind kind = DeadlineKind.Dated,
        int returns = 0, int reopens = 0, int dissatisfied = 0) =>
        new(status, kind, D(start), D(deadline), percent, D(lastProgress ?? today), returns, reopens, dissatisfied, D(today));

    static Light Of(LightInput x, LightRules? rules = null) => Lights.Of(x, rules ?? Rules, Cal);

    // ---- overdue (red) ----

    [Theory]
    [InlineData("2026-07-01", "已逾期 1 个工作日（整改时限 2026-06-30）")]
    [InlineData("2026-07-03", "已逾期 3 个工作日（整改时限 2026-06-30）")]
    [InlineData("2026-07-06", "已逾期 4 个工作日（整改时限 2026-06-30）")]   // the weekend doesn't count
    public void Of_PastDeadline_IsRedWithWorkingDaysOverdue(string today, string reason)
    {
        var light = Of(Item(today, percent: 90));
        Assert.Equal(LightLevel.Red, light.Level);
        Assert.Equal(reason, light.Reason);
    }

    [Fact]
    public void Of_DeadlineFridaySeenOnSaturday_IsRedButNotYetAWorkingDayOverdue()
    {
        var light = Of(Item("2026-07-04", deadline: "2026-07-03", percent: 90));
        Assert.Equal(LightLevel.Red, light.Level);
        Assert.Equal("已过整改时限（2026-07-03），逾期未满 1 个工作日", light.Reason);
    }

    [Fact]
    public void Of_OverdueAcrossNationalDay_CountsOnlyWorkingDays()
    {
        // 09-30 deadline; 10-01..07 are holidays; 10-08, 10-09 working → 2 working days overdue on 10-09.
        var light = Of(Item("2026-10-09", deadline: "2026-09-30", start: "2026-09-01", percent: 80));
        Assert.Equal(new Light(LightLevel.Red, "已逾期 2 个工作日（整改时限 2026-09-30）"), light);
    }

    [Fact]
    public void Of_OverdueWhileClosureAwaitsVerifier_IsRedAndSaysSo()
    {
        var light = Of(Item("2026-07-02", percent: 100, status: RectStatus.ClosureRequested, lastProgress: "2026-06-20"));
        Assert.Equal(LightLevel.Red, light.Level);
        Assert.Equal("已逾期 2 个工作日（整改时限 2026-06-30，已申请销号待核验）", light.Reason);
    }

    // ---- blue ----

    [Theory]
    [InlineData("2026-09-30", "2026-10-09", "距整改时限还有 2 个工作日（2026-10-09）")]   // 国庆 10-01..07 off
    [InlineData("2026-06-25", "2026-06-30", "距整改时限还有 3 个工作日（2026-06-30）")]
    [InlineData("2026-06-30", "2026-06-30", "今日到期（整改时限 2026-06-30）")]
    [InlineData("2026-09-30", "2026-10-05", "整改时限（2026-10-05）前已无工作日")]   // due inside the holiday
    public void Of_NearDeadline_BlueWithinThreeWorkingDays(string today, string deadline, string reason) =>
        Assert.Equal(new Light(LightLevel.Blue, reason), Of(Item(today, deadline: deadline, start: today)));

    [Fact]
    public void Of_FourWorkingDaysAcrossNationalDay_StaysGreen()
    {
        // 10-08, 10-09, 10-10 (调休 Saturday), 10-12: four working days.
        Assert.Equal(new Light(LightLevel.Green, "整改中，进度正常"), Of(Item("2026-09-30", deadline: "2026-10-12", start: "2026-09-30")));
    }

    [Fact]
    public void Of_NationalDayDeadlineFourCalendarDaysButTwoWorkingDays_IsBlue()
    {
        // Nine calendar days apart, yet only 10-08 and 10-09 are working days.
        var light = Of(Item("2026-09-30", deadline: "2026-10-09", start: "2026-09-30"));
        Assert.Equal(LightLevel.Blue, light.Level);
        Assert.Equal("距整改时限还有 2 个工作日（2026-10-09）", light.Reason);
    }

    // ---- yellow: lag against 序时进度 ----

    [Theory]
    [InlineData("2026-06-01", "2026-06-01", "2026-06-30", 0)]
    [InlineData("2026-06-01", "2026-06-30", "2026-06-30", 100)]
    [InlineData("2026-06-01", "2026-07-15", "2026-06-30", 100)]
    [InlineData("2026-06-01", "2026-05-20", "2026-06-30", 0)]
    [InlineData("2026-06-01", "2026-06-12", "2026-06-30", 45)]   // 9 of 20 working days (06-19 is 端午)
    [InlineData("2026-09-30", "2026-10-07", "2026-10-09", 0)]    // the whole holiday elapsed, no working day yet
    [InlineData("2026-09-30", "2026-10-08", "2026-10-09", 50)]
    public void ExpectedPercent_WorkingDaysElapsed_OverWorkingDaysTotal(string start, string today, string deadline, int expected) =>
        Assert.Equal(expected, Lights.ExpectedPercent(D(start), D(deadline), D(today), Cal));

    [Fact]
    public void Of_ProgressLagsExpectedByMoreThan20Points_IsYellowWithNumbers()
    {
        // 2026-06-01 → 06-30 has 20 working days; on 06-15 (Mon), 10 have elapsed: 50%.
        var light = Of(Item("2026-06-15", percent: 20));
        Assert.Equal(new Light(LightLevel.Yellow, "序时进度应为 50%，实际报送 20%，滞后 30 个百分点"), light);
    }

    [Fact]
    public void Of_ProgressLagsByExactly20Points_StaysGreen()
    {
        var light = Of(Item("2026-06-15", percent: 30));
        Assert.Equal(new Light(LightLevel.Green, "整改中，进度正常"), light);
    }

    // ---- yellow: no progress ----

    [Theory]
    [InlineData("2026-06-02", "2026-06-15", 9)]
    [InlineData("2026-06-01", "2026-06-15", 10)]
    [InlineData("2026-09-21", "2026-10-09", 8)]    // 中秋 09-25..27 and 国庆 10-01..07 don't count
    [InlineData("2026-09-18", "2026-10-09", 10)]   // …but the 调休 Sunday 09-20 does
    public void Of_NoProgressFor10WorkingDays_IsYellow(string last, string today, int quietDays)
    {
        var light = Of(Item(today, deadline: "2026-12-31", start: "2026-06-01", percent: 100, lastProgress: last));
        Assert.Equal(quietDays >= 10
            ? new Light(LightLevel.Yellow, $"已 {quietDays} 个工作日未报送进展（最近报送 {last}）")
            : new Light(LightLevel.Green, "整改中，进度正常"), light);
    }

    [Fact]
    public void Of_NeverReported_StaleCountsFromAssignment()
    {
        var x = Item("2026-06-15", deadline: "2026-12-31", percent: 100, status: RectStatus.Pending) with { LastProgress = null };
        Assert.Equal(new Light(LightLevel.Yellow, "已 10 个工作日未报送进展（2026-06-01 交办以来未报送）"), Of(x));
    }

    // ---- red: repeat problems ----

    [Theory]
    [InlineData(1, 0, 0, LightLevel.Green, "整改中，进度正常")]
    [InlineData(2, 0, 0, LightLevel.Red, "销号申请被退回 2 次")]
    [InlineData(0, 1, 0, LightLevel.Red, "已重新整改 1 次")]
    [InlineData(0, 0, 1, LightLevel.Green, "整改中，进度正常")]
    [InlineData(0, 0, 2, LightLevel.Red, "群众评价“不满意” 2 次")]
    [InlineData(3, 1, 2, LightLevel.Red, "销号申请被退回 3 次；已重新整改 1 次；群众评价“不满意” 2 次")]
    public void Of_ReturnsReopensDissatisfied_RedAtThresholds(int returns, int reopens, int dissatisfied, LightLevel level, string reason)
    {
        var light = Of(Item("2026-06-15", percent: 60, returns: returns, reopens: reopens, dissatisfied: dissatisfied));
        Assert.Equal(new Light(level, reason), light);
    }

    // ---- precedence ----

    [Fact]
    public void Of_OverdueStaleAndReturned_RedNamesOverdueFirstThenTheRest()
    {
        var light = Of(Item("2026-07-15", percent: 10, lastProgress: "2026-06-01", returns: 2));
        Assert.Equal(LightLevel.Red, light.Level);
        Assert.Equal("已逾期 11 个工作日（整改时限 2026-06-30）；销号申请被退回 2 次；已 31 个工作日未报送进展（最近报送 2026-06-01）",
            light.Reason);
    }

    [Fact]
    public void Of_LaggingAndNearDeadline_YellowBeatsBlue()
    {
        // 06-26 (Fri): 2 working days to 06-30; expected 90%, reported 10%.
        var light = Of(Item("2026-06-26", percent: 10));
        Assert.Equal(LightLevel.Yellow, light.Level);
        Assert.Equal("序时进度应为 90%，实际报送 10%，滞后 80 个百分点；距整改时限还有 2 个工作日（2026-06-30）", light.Reason);
    }

    [Fact]
    public void Of_ReopenedAndNearDeadline_RedBeatsBlue()
    {
        var light = Of(Item("2026-06-29", percent: 95, reopens: 1));
        Assert.Equal(LightLevel.Red, light.Level);
        Assert.StartsWith("已重新整改 1 次；距整改时限还有 1 个工作日", light.Reason, StringComparison.Ordinal);
    }

    // ---- deadline kinds ----

    [Fact]
    public void Of_OngoingItemLongAfterAnyDate_NeverOverdueBlueOrLagging()
    {
        var x = Item("2026-12-01", deadline: "2026-06-30", percent: 0, kind: DeadlineKind.Ongoing, lastProgress: "2026-11-27");
        Assert.Equal(new Light(LightLevel.Green, "长期坚持，按期报送进展"), Of(x));
    }

    [Fact]
    public void Of_OngoingItemNotReported_GoesYellow()
    {
        var x = Item("2026-12-01", percent: 0, kind: DeadlineKind.Ongoing, lastProgress: "2026-11-01") with { Deadline = null };
        var light = Of(x);
        Assert.Equal(LightLevel.Yellow, light.Level);
        Assert.StartsWith("已 22 个工作日未报送进展", light.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Of_OngoingItemReopened_IsRed()
    {
        var x = Item("2026-12-01", percent: 0, kind: DeadlineKind.Ongoing, reopens: 1) with { Deadline = null };
        Assert.Equal(new Light(LightLevel.Red, "已重新整改 1 次"), Of(x));
    }

    [Theory]
    [InlineData("2026-06-01", LightLevel.Blue, "今日到期（整改时限 2026-06-01）")]
    [InlineData("2026-06-02", LightLevel.Red, "已逾期 1 个工作日（整改时限 2026-06-01）")]
    public void Of_ImmediateWithoutDeadline_DueOnTheDayAssigned(string today, LightLevel level, string reason)
    {
        var x = Item(today, percent: 0, kind: DeadlineKind.Immediate) with { Deadline = null };
        Assert.Equal(new Light(level, reason), Of(x));
    }

    // ---- status ----

    [Theory]
    [InlineData(RectStatus.Closed, "已销号")]
    [InlineData(RectStatus.Confirmed, "已销号，成效已确认")]
    public void Of_ClosedItem_GreenWhateverElseHolds(RectStatus status, string reason)
    {
        var light = Of(Item("2026-08-31", percent: 0, lastProgress: "2026-06-01", status: status, returns: 5, reopens: 2, dissatisfied: 3));
        Assert.Equal(new Light(LightLevel.Green, reason), light);
    }

    [Fact]
    public void Of_ClosureRequestedBeforeDeadline_NoStaleOrBluePressure()
    {
        var light = Of(Item("2026-06-29", percent: 100, lastProgress: "2026-06-01", status: RectStatus.ClosureRequested));
        Assert.Equal(new Light(LightLevel.Green, "已申请销号，待核验"), light);
    }

    [Fact]
    public void Of_WorkOrderTerm_ReasonSpeaksOfItsTimeLimit()
    {
        var light = Of(Item("2026-07-01", percent: 50) with { DeadlineTerm = "办理时限" });
        Assert.Equal("已逾期 1 个工作日（办理时限 2026-06-30）", light.Reason);
    }

    // ---- configurable thresholds ----

    [Fact]
    public void Of_BlueWithinOneWorkingDay_ThreeDaysOutIsGreen()
    {
        var x = Item("2026-06-25", percent: 90);
        Assert.Equal(LightLevel.Blue, Of(x).Level);
        Assert.Equal(LightLevel.Green, Of(x, Rules with { BlueWithinWorkingDays = 1 }).Level);
    }

    [Fact]
    public void Of_StricterLagAndStaleThresholds_ChangeTheOutcome()
    {
        var lagging = Item("2026-06-15", percent: 35);   // 15 points behind
        Assert.Equal(LightLevel.Green, Of(lagging).Level);
        Assert.Equal(LightLevel.Yellow, Of(lagging, Rules with { LagPercentPoints = 10 }).Level);

        var quiet = Item("2026-06-08", percent: 60, lastProgress: "2026-06-01");   // 5 working days quiet
        Assert.Equal(LightLevel.Green, Of(quiet).Level);
        Assert.Equal("已 5 个工作日未报送进展（最近报送 2026-06-01）", Of(quiet, Rules with { StaleAfterWorkingDays = 5 }).Reason);
    }

    [Fact]
    public void Of_RepeatRulesRelaxedOrOff_NoLongerRed()
    {
        var x = Item("2026-06-15", percent: 60, returns: 2, reopens: 1, dissatisfied: 2);
        Assert.Equal(LightLevel.Red, Of(x).Level);
        var relaxed = Rules with { RedAfterReturns = 3, RedOnReopen = false, RedAfterDissatisfied = null };
        Assert.Equal(new Light(LightLevel.Green, "整改中，进度正常"), Of(x, relaxed));
    }

    // ---- years without calendar data ----

    [Fact]
    public void Of_DeadlineInYearWithoutCalendar_EstimatesWeekdaysAndSaysSo()
    {
        // 2027 isn't shipped: 2027-01-04 (Mon) .. 01-08 (Fri) counted Monday–Friday, holidays unknown.
        var x = Item("2027-01-08", deadline: "2027-01-04", start: "2026-12-01", percent: 50);
        var light = Of(x);
        Assert.Equal(LightLevel.Red, light.Level);
        Assert.Equal("已逾期 4 个工作日（整改时限 2027-01-04）（未导入 2027 年节假日安排，工作日按周一至周五估算）", light.Reason);
    }

    [Fact]
    public void Of_AllWithinShippedYears_NoEstimateNote()
    {
        Assert.DoesNotContain("估算", Of(Item("2026-07-03", percent: 10)).Reason, StringComparison.Ordinal);
    }

    // ---- rollup ----

    [Fact]
    public void Rollup_MixedItems_WorstLevelWithCountsAndReason()
    {
        var org = Lights.Rollup([
            new(LightLevel.Green, "a"), new(LightLevel.Red, "b"), new(LightLevel.Yellow, "c"),
            new(LightLevel.Red, "d"), new(LightLevel.Green, "e"),
        ]);
        Assert.Equal(LightLevel.Red, org.Level);
        Assert.Equal(2, org.Counts[LightLevel.Red]);
        Assert.Equal(1, org.Counts[LightLevel.Yellow]);
        Assert.Equal(0, org.Counts[LightLevel.Blue]);
        Assert.Equal(2, org.Counts[LightLevel.Green]);
        Assert.Equal("红灯 2 项、黄灯 1 项", org.Reason);
    }

    [Fact]
    public void Rollup_AllGreen_SaysSo()
    {
        var org = Lights.Rollup([new(LightLevel.Green, "a"), new(LightLevel.Green, "b")]);
        Assert.Equal(new { Level = LightLevel.Green, Reason = "2 项均为绿灯" }, new { org.Level, org.Reason });
    }

    [Fact]
    public void Rollup_NoItems_GreenWithZeroCounts()
    {
        var org = Lights.Rollup([]);
        Assert.Equal(LightLevel.Green, org.Level);
        Assert.Equal("暂无事项", org.Reason);
        Assert.All(Enum.GetValues<LightLevel>(), l => Assert.Equal(0, org.Counts[l]));
    }

    [Theory]
    [InlineData(LightLevel.Green, "绿灯", "正常")]
    [InlineData(LightLevel.Blue, "蓝灯", "临期")]
    [InlineData(LightLevel.Yellow, "黄灯", "滞后")]
    [InlineData(LightLevel.Red, "红灯", "逾期或问题反复")]
    public void Label_EachLevel_ChineseNameAndMeaning(LightLevel level, string label, string meaning)
    {
        Assert.Equal(label, level.Label());
        Assert.Equal(meaning, level.Meaning());
    }

    // ---- properties ----

    static readonly DateOnly Origin = new(2025, 1, 1);

    /// Any item dated 2025-01-01 .. ~2027-06 (so years without calendar data are exercised too).
    static LightInput Arbitrary(int seed)
    {
        var r = new Random(seed);
        var start = Origin.AddDays(r.Next(0, 800));
        return new LightInput(
            (RectStatus)r.Next(0, 6), (DeadlineKind)r.Next(0, 3), r.Next(10) == 0 ? null : start,
            r.Next(10) == 0 ? null : start.AddDays(r.Next(-5, 120)), r.Next(0, 101),
            r.Next(4) == 0 ? null : start.AddDays(r.Next(0, 100)), r.Next(0, 4), r.Next(0, 3), r.Next(0, 4),
            start.AddDays(r.Next(-10, 200)));
    }

    [Property(MaxTest = 200)]
    public void Rollup_AnyItems_LevelIsMaxItemLevelAndCountsSumUp(int[] seeds)
    {
        var lights = seeds.Select(s => Of(Arbitrary(s))).ToList();
        var org = Lights.Rollup(lights);
        Assert.Equal(lights.Select(l => l.Level).DefaultIfEmpty(LightLevel.Green).Max(), org.Level);
        Assert.Equal(lights.Count, org.Counts.Values.Sum());
        Assert.All(lights, l => Assert.False(string.IsNullOrWhiteSpace(l.Reason)));
    }

    [Property(MaxTest = 300)]
    public void Of_PastDeadlineNotClosed_AlwaysRed(int seed, uint daysLate)
    {
        var x = Arbitrary(seed);
        var status = x.Status is RectStatus.Closed or RectStatus.Confirmed ? RectStatus.InProgress : x.Status;
        var deadline = x.Deadline ?? Origin.AddDays(400);
        x = x with
        {
            Status = status, DeadlineKind = x.DeadlineKind == DeadlineKind.Ongoing ? DeadlineKind.Dated : x.DeadlineKind,
            Deadline = deadline, Today = deadline.AddDays(1 + (int)(daysLate % 120)),
        };
        var light = Lights.Of(x, Rules, Cal);
        Assert.Equal(LightLevel.Red, light.Level);
        Assert.Matches("^(已逾期|已过)", light.Reason);   // overdue is named first
    }

    [Property(MaxTest = 300)]
    public void Of_ClosedItem_NeverRed(int seed, bool confirmed)
    {
        var x = Arbitrary(seed) with { Status = confirmed ? RectStatus.Confirmed : RectStatus.Closed };
        var light = Lights.Of(x, Rules, Cal);
        Assert.NotEqual(LightLevel.Red, light.Level);
        Assert.DoesNotContain("逾期", light.Reason, StringComparison.Ordinal);
    }

    [Property(MaxTest = 200)]
    public void Of_OngoingItem_NeverOverdueBlueOrLagging(int seed)
    {
        var x = Arbitrary(seed) with { DeadlineKind = DeadlineKind.Ongoing };
        var reason = Lights.Of(x, Rules, Cal).Reason;
        Assert.DoesNotContain("逾期", reason, StringComparison.Ordinal);
        Assert.DoesNotContain("序时进度", reason, StringComparison.Ordinal);
        Assert.DoesNotContain("时限", reason, StringComparison.Ordinal);
    }

    // ---- the lag rule (序时进度滞后), once: IsLagging ≡ Lights.Of's lag reason ≡ the rule walked day by day ----

    /// The rule in DESIGN's words, counted by walking the calendar (TotalCalendarTests' oracle), not by Lights: an open
    /// item whose owner is active (no closure request waiting), before its due date, over a span holding a working day,
    /// whose reported percent trails the expected percent (elapsed working days over all, rounded down) by more than
    /// the threshold.
    static bool LagsByWalk(LightInput x, LightRules rules)
    {
        if (x.Status is not (RectStatus.Pending or RectStatus.InProgress or RectStatus.Returned)) return false;
        if (rules.LagPercentPoints is not { } max || x.Start is not { } start) return false;
        DateOnly? due = x.DeadlineKind switch
        {
            DeadlineKind.Dated => x.Deadline,
            DeadlineKind.Immediate => x.Deadline ?? start,
            _ => null,
        };
        if (due is not { } d || d < x.Today) return false;
        var total = TotalCalendarTests.Walk(start, d);
        if (total == 0) return false;
        var expected = x.Today >= d ? 100 : x.Today <= start ? 0 : TotalCalendarTests.Walk(start, x.Today) * 100 / total;
        return expected - x.Percent > max;
    }

    static LightRules LagRules(byte points, bool off) => Rules with { LagPercentPoints = off ? null : points % 50 };

    [Property(MaxTest = 500)]
    public void IsLagging_AnyItem_EqualsOfsLagReasonAndTheWalkedRule(int seed, byte points, bool off)
    {
        var x = Arbitrary(seed);
        var rules = LagRules(points, off && points % 8 == 0);
        var lagging = Lights.IsLagging(x, rules, Cal);
        Assert.Equal(LagsByWalk(x, rules), lagging);
        Assert.Equal(lagging, Lights.Of(x, rules, Cal).Reason.Contains("序时进度应为", StringComparison.Ordinal));
    }

    [Fact]
    public void IsLagging_ManyItems_BothAnswersOccurAndMatchTheWalkedRule()
    {
        // Not vacuous: the arbitrary items hold lagging and non-lagging ones, and every one agrees with the walk.
        var answers = Enumerable.Range(0, 3000).Select(seed => Arbitrary(seed))
            .Select(x => (Walk: LagsByWalk(x, Rules), Prod: Lights.IsLagging(x, Rules, Cal))).ToList();
        Assert.All(answers, a => Assert.Equal(a.Walk, a.Prod));
        Assert.Contains(answers, a => a.Prod);
        Assert.Contains(answers, a => !a.Prod);
    }

    [Theory]
    [InlineData(RectStatus.ClosureRequested)]
    [InlineData((RectStatus)99)]
    public void IsLagging_ClosureWaitingOrUnusableStatus_NeverLags(RectStatus status)
    {
        var x = Item("2026-06-29", percent: 0) with { Status = status };   // 0% a day before the deadline
        Assert.True(Lights.IsLagging(x with { Status = RectStatus.InProgress }, Rules, Cal));
        Assert.False(Lights.IsLagging(x, Rules, Cal));
    }

    [Fact]
    public void IsLagging_UnusablePercent_LagsNothing() =>
        Assert.False(Lights.IsLagging(Item("2026-06-29", percent: -500), Rules, Cal));
}
