namespace Bihuan.Domain;

/// Times are stored in UTC and shown in China Standard Time (UTC+8, no daylight saving).
public static class ChinaTime
{
    public static readonly TimeSpan Offset = TimeSpan.FromHours(8);

    /// Total: a stored time within 8 hours of DateTime.MaxValue (it cannot be a real one) shows as MaxValue instead of
    /// overflowing; Bounds.InWindow tells a read whether the time is usable at all.
    public static DateTime ToCst(DateTime utc)
    {
        var u = utc.Kind == DateTimeKind.Unspecified ? DateTime.SpecifyKind(utc, DateTimeKind.Utc) : utc.ToUniversalTime();
        var cst = u.Ticks <= DateTime.MaxValue.Ticks - Offset.Ticks ? u.Ticks + Offset.Ticks : DateTime.MaxValue.Ticks;
        return new DateTime(cst, DateTimeKind.Unspecified);
    }

    public static string Format(DateTime utc) => ToCst(utc).ToString("yyyy-MM-dd HH:mm", System.Globalization.CultureInfo.InvariantCulture);

    public static DateOnly Today(TimeProvider clock) => DateOnly.FromDateTime(ToCst(clock.GetUtcNow().UtcDateTime));

    /// Storage keeps microseconds (PostgreSQL's precision), so values compare equal after a round trip on both engines.
    public static DateTime Now(TimeProvider clock)
    {
        var t = clock.GetUtcNow().UtcDateTime;
        return new DateTime(t.Ticks - t.Ticks % 10, DateTimeKind.Utc);
    }
}
