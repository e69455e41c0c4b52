using System.Globalization;

namespace Bihuan.Domain;

public sealed record CalendarYearMissing(int Year)
    : Error("calendar_year_missing", $"尚未导入 {Year} 年的节假日安排，无法计算工作日（请管理员导入国务院办公厅当年的放假通知）", ErrorKind.Conflict);

public sealed record CalendarFileInvalid(int Line, string Why)
    : Error("calendar_invalid", $"节假日文件第 {Line} 行：{Why}", ErrorKind.Invalid, "file");

/// Working days under the Chinese public-holiday calendar: weekends are off unless a 调休 makes them working days;
/// listed holidays are off. A year without data is refused by the strict forms (the State Council publishes each
/// year's arrangement in the November before) and counted Monday–Friday by the Estimate forms, which name it.
/// Every computation is total and cheap: no walk day by day, a "cannot compute" (null) answer for a date outside
/// Bounds' window.
public sealed class WorkingCalendar
{
    // Readers take one immutable snapshot; Add builds a new one and swaps it in (an admin's import while requests run).
    sealed record State(HashSet<DateOnly> Off, HashSet<DateOnly> Work, Dictionary<DateOnly, string> Names, SortedSet<int> Years)
    {
        /// Per covered year, the running count of working days: Cumulative[y][i] = working days from 1 January through
        /// day i+1 of the year. Counting the working days between two dates is then two lookups (lights, dashboards
        /// and deadlines count them for every item on every read).
        public Dictionary<int, int[]> Cumulative { get; } = Years.ToDictionary(y => y, y =>
        {
            var days = DateTime.IsLeapYear(y) ? 366 : 365;
            var c = new int[days];
            var n = 0;
            for (var i = 0; i < days; i++)
            {
                var d = new DateOnly(y, 1, 1).AddDays(i);
                if (Work.Contains(d) || (!Off.Contains(d) && IsWeekday(d))) n++;
                c[i] = n;
            }
            return c;
        });
    }

    volatile State _state = new([], [], [], []);

    public IReadOnlyCollection<int> Years => _state.Years;

    /// Parses one year's file: "2026-10-01..2026-10-07 休 国庆节" or "2026-10-10 班 国庆节调休"; '#' starts a comment.
    public static WorkingCalendar Parse(params string[] files)
    {
        var cal = new WorkingCalendar();
        foreach (var text in files) cal.Add(text);
        return cal;
    }

    /// Checks a file without applying it; returns the years it covers (or throws CalendarFileInvalid).
    public static IReadOnlyCollection<int> Validate(string text) => Parse(text).Years;

    /// Adds a file; the years it names replace whatever the calendar held for them.
    public void Add(string text)
    {
        var off = new HashSet<DateOnly>();
        var work = new HashSet<DateOnly>();
        var names = new Dictionary<DateOnly, string>();
        var years = new HashSet<int>();
        var lineNo = 0;
        foreach (var raw in text.Split('\n'))
        {
            lineNo++;
            var line = raw.Split('#')[0].Trim();
            if (line.Length == 0) continue;
            var parts = line.Split((char[]?)null, 3, StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length < 2) throw new DomainException(new CalendarFileInvalid(lineNo, "格式应为“日期 休/班 名称”"));
            var range = parts[0].Split("..");
            if (!DateOnly.TryParseExact(range[0], "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var from)
                || !DateOnly.TryParseExact(range[^1], "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var to)
                || to < from || range.Length > 2 || to.DayNumber - from.DayNumber > 31 || !Bounds.InWindow(from) || !Bounds.InWindow(to))
                throw new DomainException(new CalendarFileInvalid(lineNo, $"日期“{parts[0]}”无效"));
            var isOff = parts[1] switch
            {
                "休" or "off" => true,
                "班" or "work" => false,
                _ => throw new DomainException(new CalendarFileInvalid(lineNo, $"“{parts[1]}”应为“休”或“班”")),
            };
            var name = parts.Length > 2 ? parts[2] : "";
            for (var d = from; d <= to; d = d.AddDays(1))
            {
                if (!isOff && IsWeekday(d))
                    throw new DomainException(new CalendarFileInvalid(lineNo, $"{d:yyyy-MM-dd} 不是周末，不需要调休上班"));
                (isOff ? off : work).Add(d);
                (isOff ? work : off).Remove(d);
                names[d] = name;
                years.Add(d.Year);
            }
        }
        if (years.Count == 0) throw new DomainException(new CalendarFileInvalid(lineNo, "文件中没有日期"));
        var old = _state;
        bool Keep(DateOnly d) => !years.Contains(d.Year);
        var next = new State(
            [.. old.Off.Where(Keep).Concat(off)], [.. old.Work.Where(Keep).Concat(work)],
            old.Names.Where(kv => Keep(kv.Key)).Concat(names).ToDictionary(kv => kv.Key, kv => kv.Value),
            [.. old.Years.Concat(years)]);
        _state = next;
    }

    public bool Covers(int year) => _state.Years.Contains(year);

    public bool IsWorkingDay(DateOnly d)
    {
        var s = _state;
        if (!s.Years.Contains(d.Year)) throw new DomainException(new CalendarYearMissing(d.Year));
        if (s.Work.Contains(d)) return true;
        if (s.Off.Contains(d)) return false;
        return IsWeekday(d);
    }

    /// The calendar's estimate: the day as the data says for a covered year, Monday–Friday for a year without data
    /// (closer to working days than calendar days; whoever shows a figure built on it names the missing year).
    /// The Estimate… members are the one lenient form of the calendar: every Mon–Fri fallback goes through them.
    public bool EstimateIsWorkingDay(DateOnly d) => Covers(d.Year) ? IsWorkingDay(d) : IsWeekday(d);

    public string? NameOf(DateOnly d) => _state.Names.GetValueOrDefault(d);

    // Every count below is answered from per-year running totals (one array per year, at most 366 entries): a span
    // costs a lookup per year it crosses, never a walk day by day. Dates outside Bounds' window are never counted to
    // (a stored 9999-12-31 is no deadline anyone can count towards): the answer is null, "cannot compute".

    /// The n-th working day after `start` (start itself not counted; n = 0 returns start), or null when it cannot be
    /// computed: n negative, start outside Bounds' window, a year without holiday data on the way, or past the window.
    public DateOnly? AddWorkingDays(DateOnly start, int n) => Add(start, n, strict: true, null);

    /// As AddWorkingDays, counting Monday–Friday in years without holiday data (each such year crossed is added to
    /// `estimated`); null only when n is negative or the day falls outside Bounds' window.
    public DateOnly? EstimateAddWorkingDays(DateOnly start, int n, ICollection<int>? estimated = null) =>
        Add(start, n, strict: false, estimated);

    /// A due date n working days after start (EstimateAddWorkingDays), for a write: a date Bounds' window cannot hold
    /// is refused as Invalid on `field`, naming the term ("办理时限", "回复时限"), never stored as a guess.
    public DateOnly EstimateDueDate(DateOnly start, int n, string field, string term) =>
        EstimateAddWorkingDays(start, n)
        ?? throw new DomainException(new Invalid(field, $"{term}超出可计算的范围（{Bounds.OutOfWindowText}）"));

    /// Working days in (from, to] (0 when to ≤ from); false when a date is outside Bounds' window or a year between
    /// them has no holiday data.
    public bool TryWorkingDaysBetween(DateOnly from, DateOnly to, out int count)
    {
        var n = Count(from, to, strict: true, null);
        count = n ?? 0;
        return n is not null;
    }

    /// Working days in (from, to] (0 when to ≤ from), or null when that cannot be computed: a date outside Bounds'
    /// window, or a year between them without holiday data.
    public int? WorkingDaysBetween(DateOnly from, DateOnly to) => Count(from, to, strict: true, null);

    /// As WorkingDaysBetween, counting Monday–Friday in years without holiday data (each such year is added to
    /// `estimated`); null only when a date is outside Bounds' window.
    public int? EstimateWorkingDaysBetween(DateOnly from, DateOnly to, ICollection<int>? estimated = null) =>
        Count(from, to, strict: false, estimated);

    static bool IsWeekday(DateOnly d) => d.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday);

    // Monday–Friday running totals of years without data, made once per year on first use (they depend on nothing
    // but the year). Only years inside Bounds' window are ever asked for.
    static readonly System.Collections.Concurrent.ConcurrentDictionary<int, int[]> Weekdays = new();

    static int[] WeekdayTotals(int year) => Weekdays.GetOrAdd(year, y =>
    {
        var c = new int[DateTime.IsLeapYear(y) ? 366 : 365];
        var n = 0;
        for (var i = 0; i < c.Length; i++) c[i] = IsWeekday(new DateOnly(y, 1, 1).AddDays(i)) ? ++n : n;
        return c;
    });

    /// The year's running totals; null when strict and the year has no data. A year estimated is added to `estimated`.
    static int[]? Totals(State s, int year, bool strict, ICollection<int>? estimated)
    {
        if (s.Cumulative.TryGetValue(year, out var c)) return c;
        if (strict) return null;
        if (estimated is not null && !estimated.Contains(year)) estimated.Add(year);
        return WeekdayTotals(year);
    }

    int? Count(DateOnly from, DateOnly to, bool strict, ICollection<int>? estimated)
    {
        if (!Bounds.InWindow(from) || !Bounds.InWindow(to)) return null;
        if (to <= from) return 0;
        var s = _state;
        // working days through `to` minus working days through `from`, plus the whole years in between
        if (Totals(s, from.Year, strict, estimated) is not { } first
            || Totals(s, to.Year, strict, estimated) is not { } last) return null;
        var n = last[to.DayOfYear - 1] - first[from.DayOfYear - 1];
        for (var y = from.Year; y < to.Year; y++)
        {
            if (Totals(s, y, strict, estimated) is not { } t) return null;
            n += t[^1];
        }
        return n;
    }

    DateOnly? Add(DateOnly start, int n, bool strict, ICollection<int>? estimated)
    {
        if (n < 0 || !Bounds.InWindow(start)) return null;
        if (n == 0) return start;
        var s = _state;
        if (Totals(s, start.Year, strict, estimated) is not { } t) return null;
        // The target as a running total of start's year; each year that cannot hold it passes its total on.
        long target = t[start.DayOfYear - 1] + (long)n;
        for (var y = start.Year; y <= Bounds.MaxDate.Year; y++)
        {
            if (y > start.Year)
            {
                if (Totals(s, y, strict, estimated) is not { } next) return null;
                t = next;
            }
            if (target <= t[^1])
            {
                // the first day of the year whose running total reaches the target
                int lo = 0, hi = t.Length - 1;
                while (lo < hi)
                {
                    var mid = (lo + hi) / 2;
                    if (t[mid] >= target) hi = mid; else lo = mid + 1;
                }
                var d = new DateOnly(y, 1, 1).AddDays(lo);
                return Bounds.InWindow(d) ? d : null;
            }
            target -= t[^1];
        }
        return null;
    }

    /// The calendar shipped with Bihuan (one file per year, the State Council's notices).
    public static WorkingCalendar Shipped()
    {
        var asm = typeof(WorkingCalendar).Assembly;
        var files = asm.GetManifestResourceNames().Where(n => n.Contains(".Calendar.", StringComparison.Ordinal)).Order()
            .Select(n => { using var s = new StreamReader(asm.GetManifestResourceStream(n)!); return s.ReadToEnd(); }).ToArray();
        return Parse(files);
    }
}

/// One year's holiday file imported by an admin (the State Council's notice for a year the shipped files lack, or a
/// correction). Applied over the shipped calendar at start-up and immediately on import.
public sealed class CalendarYear : IAudited
{
    public int Year { get; set; }
    public required string Text { get; set; }
    public required string ImportedBy { get; set; }
    public DateTime ImportedAt { get; set; }
}
