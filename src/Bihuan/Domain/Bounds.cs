namespace Bihuan.Domain;

/// The window every date a user enters must fall in, and the test every read applies to a stored date before it
/// computes with it (a date outside the window is shown as invalid, never used: a deadline in the year 9999 must not
/// take a shared page down). Configured once at start-up (Bihuan:Bounds:MinYear / MaxYear); 2000–2100 by default.
public static class Bounds
{
    public static DateOnly MinDate { get; private set; } = new(2000, 1, 1);
    public static DateOnly MaxDate { get; private set; } = new(2100, 12, 31);

    public static bool InWindow(DateOnly d) => d >= MinDate && d <= MaxDate;

    public static bool InWindow(DateTime t) => t.Year >= MinDate.Year && t.Year <= MaxDate.Year && InWindow(DateOnly.FromDateTime(t));

    /// "日期须在 2000-01-01 至 2100-12-31 之间" — the one message for a date outside the window.
    public static string OutOfWindowText => $"日期须在 {MinDate:yyyy-MM-dd} 至 {MaxDate:yyyy-MM-dd} 之间";

    public static void Configure(int minYear, int maxYear)
    {
        if (minYear < 1900 || maxYear > 9000 || minYear >= maxYear)
            throw new ArgumentOutOfRangeException(nameof(minYear), $"Bihuan:Bounds: {minYear}..{maxYear} is not a usable window");
        MinDate = new DateOnly(minYear, 1, 1);
        MaxDate = new DateOnly(maxYear, 12, 31);
    }
}
