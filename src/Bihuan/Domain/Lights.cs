namespace Bihuan.Domain;

/// Warning-light levels (预警), ordered by severity: comparisons and Max() pick the worst. Invalid: a stored value the
/// light is computed from cannot be used (a deadline of 9999-12-31, a percent of 900), so there is no light to give;
/// it ranks worst because nobody can track the item until the value is repaired.
public enum LightLevel { Green, Blue, Yellow, Red, Invalid }

public static class LightLabels
{
    public static string Label(this LightLevel l) => !Enum.IsDefined(l) ? StoredValues.Invalid("预警", l) : l switch
    {
        LightLevel.Green => "绿灯",
        LightLevel.Blue => "蓝灯",
        LightLevel.Yellow => "黄灯",
        LightLevel.Red => "红灯",
        LightLevel.Invalid => "数据无效",
    };

    public static string Meaning(this LightLevel l) => !Enum.IsDefined(l) ? StoredValues.Invalid("预警", l) : l switch
    {
        LightLevel.Green => "正常",
        LightLevel.Blue => "临期",
        LightLevel.Yellow => "滞后",
        LightLevel.Red => "逾期或问题反复",
        LightLevel.Invalid => "存储的数值无法使用，须修正",
    };
}

/// Thresholds, configurable because local practice differs. A null threshold switches its rule off.
public sealed record LightRules
{
    /// Blue when the deadline is this many working days away or fewer (0 = due today).
    public int? BlueWithinWorkingDays { get; init; } = 3;
    /// Yellow when no progress has been reported for this many working days or more.
    public int? StaleAfterWorkingDays { get; init; } = 10;
    /// Yellow when reported progress lags the expected progress to date (序时进度) by more than this many points.
    public int? LagPercentPoints { get; init; } = 20;
    /// Red when a closure request has been returned this many times or more.
    public int? RedAfterReturns { get; init; } = 2;
    /// Red when rated 不满意 this many times or more.
    public int? RedAfterDissatisfied { get; init; } = 2;
    /// Red once an item has been reopened (重新整改) after closing.
    public bool RedOnReopen { get; init; } = true;

    public static LightRules Default { get; } = new();
}

/// What a light is computed from; nothing here is stored as a light. A work order maps its own status onto
/// RectStatus (办结 → Closed, 已答复/待回访 → ClosureRequested, …) and passes DeadlineTerm "办理时限".
/// Start: when the item was assigned (交办/派单). LastProgress: the last reported progress, null if none yet.
public sealed record LightInput(
    RectStatus Status,
    DeadlineKind DeadlineKind,
    DateOnly? Start,
    DateOnly? Deadline,
    int Percent,
    DateOnly? LastProgress,
    int ReturnCount,
    int ReopenCount,
    int DissatisfiedCount,
    DateOnly Today,
    string DeadlineTerm = "整改时限")
{
    public static LightInput Of(RectState s, DateOnly? start, DateOnly? deadline, DateOnly? lastProgress, DateOnly today,
        int dissatisfiedCount = 0) =>
        new(s.Status, s.DeadlineKind, start, deadline, s.Percent, lastProgress, s.ReturnCount, s.ReopenCount,
            dissatisfiedCount, today);
}

/// One item's light; Reason always says why, in words.
public sealed record Light(LightLevel Level, string Reason);

/// An org's light: its worst item's, with counts per level (every level present, zeros included).
public sealed record OrgLight(LightLevel Level, IReadOnlyDictionary<LightLevel, int> Counts, string Reason);

public static class Lights
{
    /// Total: any input gives a light. An open item whose inputs cannot be used (Unusable) gets the Invalid light with
    /// the reason in words; a closed item needs none of them.
    public static Light Of(LightInput x, LightRules rules, WorkingCalendar cal)
    {
        switch (x.Status)
        {
            // Closed items carry no light pressure; an ineffective fix is reopened and lights up again.
            case RectStatus.Closed: return new(LightLevel.Green, "已销号");
            case RectStatus.Confirmed: return new(LightLevel.Green, "已销号，成效已确认");
            case RectStatus.Pending or RectStatus.InProgress or RectStatus.Returned or RectStatus.ClosureRequested: break;
        }
        if (Unusable(x) is { } why) return new(LightLevel.Invalid, why);

        var days = new DayCounter(cal);
        var found = new List<(LightLevel Level, string Text)>();
        // While a closure request waits for the verifier, the owner has nothing to report: no lag, stale or blue
        // pressure on them. Overdue still shows (the deadline has passed all the same), as do the repeat-problem rules.
        var ownerActive = x.Status != RectStatus.ClosureRequested;
        var percent = x.Percent;
        var term = x.DeadlineTerm;

        // 立行立改 without an explicit deadline is due on the day it was assigned; 长期坚持 has no deadline at all.
        var deadline = DueOf(x.DeadlineKind, x.Deadline, x.Start);

        // Overdue is a calendar fact (any day after the deadline), so it never depends on holiday data; only the
        // count of overdue days does.
        var overdue = deadline < x.Today;   // false when there is no deadline
        if (overdue && deadline is { } dl)
        {
            var n = days.Between(dl, x.Today);
            var waiting = x.Status == RectStatus.ClosureRequested ? "，已申请销号待核验" : "";
            found.Add((LightLevel.Red, n > 0
                ? $"已逾期 {n} 个工作日（{term} {Iso(dl)}{waiting}）"
                : $"已过{term}（{Iso(dl)}{waiting}），逾期未满 1 个工作日"));
        }

        if (rules.RedAfterReturns is { } maxReturns && x.ReturnCount >= maxReturns && x.ReturnCount > 0)
            found.Add((LightLevel.Red, $"销号申请被退回 {x.ReturnCount} 次"));
        if (rules.RedOnReopen && x.ReopenCount > 0)
            found.Add((LightLevel.Red, $"已重新整改 {x.ReopenCount} 次"));
        if (rules.RedAfterDissatisfied is { } maxDissatisfied && x.DissatisfiedCount >= maxDissatisfied && x.DissatisfiedCount > 0)
            found.Add((LightLevel.Red, $"群众评价“不满意” {x.DissatisfiedCount} 次"));

        if (Lag(x, rules, days) is { } expected)
            found.Add((LightLevel.Yellow, $"序时进度应为 {expected}%，实际报送 {percent}%，滞后 {expected - percent} 个百分点"));

        if (ownerActive && rules.StaleAfterWorkingDays is { } maxStale && (x.LastProgress ?? x.Start) is { } since)
        {
            var n = days.Between(since, x.Today);
            if (n >= maxStale)
                found.Add((LightLevel.Yellow, x.LastProgress is { } last
                    ? $"已 {n} 个工作日未报送进展（最近报送 {Iso(last)}）"
                    : $"已 {n} 个工作日未报送进展（{Iso(since)} 交办以来未报送）"));
        }

        if (ownerActive && !overdue && deadline is { } soon && rules.BlueWithinWorkingDays is { } within)
        {
            var left = days.Between(x.Today, soon);
            if (left <= within)
                found.Add((LightLevel.Blue, (left, x.Today == soon) switch
                {
                    (_, true) => $"今日到期（{term} {Iso(soon)}）",
                    (0, false) => $"{term}（{Iso(soon)}）前已无工作日",
                    _ => $"距{term}还有 {left} 个工作日（{Iso(soon)}）",
                }));
        }

        string reason;
        LightLevel level;
        if (found.Count == 0)
        {
            level = LightLevel.Green;
            reason = (x.Status, x.DeadlineKind) switch
            {
                (RectStatus.ClosureRequested, _) => "已申请销号，待核验",
                (_, DeadlineKind.Ongoing) => "长期坚持，按期报送进展",
                (RectStatus.Pending, _) => "待整改，未到预警条件",
                (RectStatus.Returned, _) => "已退回，进度正常",
                _ => "整改中，进度正常",
            };
        }
        else
        {
            // Worst first; within a level, the order the rules were checked in (overdue before returns, …).
            var ordered = found.Select((f, i) => (f.Level, f.Text, i)).OrderByDescending(f => f.Level).ThenBy(f => f.i).ToList();
            level = ordered[0].Level;
            reason = string.Join("；", ordered.Select(f => f.Text));
        }
        if (days.Missing.Count > 0)
            reason += $"（未导入 {string.Join("、", days.Missing)} 年节假日安排，工作日按周一至周五估算）";
        return new(level, reason);
    }

    /// Why a light cannot be computed from these inputs, in words ("整改时限无效（9999-12-31）；进度无效（900%）"); null
    /// when every input is usable: defined status and kind, dates inside Bounds' window, a percent of 0–100.
    public static string? Unusable(LightInput x)
    {
        var why = new List<string>();
        if (!Enum.IsDefined(x.Status)) why.Add(StoredValues.Invalid("状态", x.Status));
        if (!Enum.IsDefined(x.DeadlineKind)) why.Add(StoredValues.Invalid("时限类型", x.DeadlineKind));
        if (x.Deadline is { } d && !Bounds.InWindow(d)) why.Add(StoredValues.Invalid(x.DeadlineTerm, d));
        if (x.Start is { } s && !Bounds.InWindow(s)) why.Add(StoredValues.Invalid("起始日期", s));
        if (x.LastProgress is { } p && !Bounds.InWindow(p)) why.Add(StoredValues.Invalid("最近报送日期", p));
        if (x.Percent is < 0 or > 100) why.Add(StoredValues.Invalid("进度", $"{x.Percent}%"));
        if (!Bounds.InWindow(x.Today)) why.Add(StoredValues.Invalid("当前日期", x.Today));
        return why.Count == 0 ? null : string.Join("；", why);
    }

    /// 序时进度滞后 (the ledger's 滞后 filter, the dashboard's lagging count): exactly when Of gives the lag reason.
    /// An item with an unusable input lags nothing (its light is Invalid); a closed one neither.
    public static bool IsLagging(LightInput x, LightRules rules, WorkingCalendar cal) =>
        Unusable(x) is null && Lag(x, rules, new DayCounter(cal)) is not null;

    /// The one lag rule: the owner is active (open, no closure request waiting), the deadline has not passed (after it,
    /// overdue says more), the span from start to due holds a working day, and reported progress trails the expected
    /// progress to date by more than LagPercentPoints. The expected percent when it lags; null otherwise.
    static int? Lag(LightInput x, LightRules rules, DayCounter days)
    {
        if (x.Status is not (RectStatus.Pending or RectStatus.InProgress or RectStatus.Returned)) return null;
        if (rules.LagPercentPoints is not { } maxLag || x.Start is not { } start) return null;
        if (DueOf(x.DeadlineKind, x.Deadline, x.Start) is not { } due || due < x.Today || days.Between(start, due) <= 0)
            return null;
        var expected = Expected(start, due, x.Today, days);
        return expected - x.Percent > maxLag ? expected : null;
    }

    /// 序时进度: working days elapsed since start (through the end of today) over working days from start to deadline,
    /// rounded down (in the owner's favour), clamped to 0..100. 100 from the deadline on.
    public static int ExpectedPercent(DateOnly start, DateOnly deadline, DateOnly today, WorkingCalendar cal) =>
        Expected(start, deadline, today, new DayCounter(cal));

    static int Expected(DateOnly start, DateOnly deadline, DateOnly today, DayCounter days)
    {
        if (today >= deadline) return 100;
        if (today <= start) return 0;
        var total = days.Between(start, deadline);
        if (total == 0) return 0;
        return Math.Clamp((int)((long)days.Between(start, today) * 100 / total), 0, 100);
    }

    /// The date an item is due: its deadline; 立行立改 without one is due on its start day; 长期坚持 never.
    /// A kind that names no member has no due date (Unusable reports it).
    public static DateOnly? DueOf(DeadlineKind kind, DateOnly? deadline, DateOnly? start) =>
        !Enum.IsDefined(kind) ? null : kind switch
        {
            DeadlineKind.Dated => deadline,
            DeadlineKind.Immediate => deadline ?? start,
            DeadlineKind.Ongoing => null,
        };

    public static OrgLight Rollup(IEnumerable<Light> lights)
    {
        var counts = Enum.GetValues<LightLevel>().ToDictionary(l => l, _ => 0);
        foreach (var l in lights) counts[l.Level]++;
        var total = counts.Values.Sum();
        var level = Enum.GetValues<LightLevel>().Where(l => counts[l] > 0).DefaultIfEmpty(LightLevel.Green).Max();
        var lit = Enum.GetValues<LightLevel>().Where(l => l != LightLevel.Green && counts[l] > 0).OrderDescending()
            .Select(l => $"{l.Label()} {counts[l]} 项").ToList();
        var reason = total == 0 ? "暂无事项"
            : lit.Count == 0 ? $"{total} 项均为绿灯"
            : string.Join("、", lit);
        return new(level, counts, reason);
    }

    static string Iso(DateOnly d) => d.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

    /// Counts working days without ever throwing CalendarYearMissing. A light must not fail a whole dashboard because
    /// next year's State Council notice isn't imported yet (it is published each November, and deadlines reach past
    /// it): the calendar's estimate counts Monday–Friday for a year without data, and the reason names the missing
    /// years. Of has checked every date against Bounds, so the estimate always answers (0 is never reached).
    sealed class DayCounter(WorkingCalendar cal)
    {
        public SortedSet<int> Missing { get; } = [];

        /// Working days in (from, to], as WorkingCalendar.EstimateWorkingDaysBetween.
        public int Between(DateOnly from, DateOnly to) => cal.EstimateWorkingDaysBetween(from, to, Missing) ?? 0;
    }
}
