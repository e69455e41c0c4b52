namespace Bihuan.Domain;

/// Times are stored in UTC and shown in China Standard Time (UTC+8, no daylight saving).
public static class ChinaTime
{
    public static readonly TimeSpan Offset = TimeSpan.FromHours(8);

    public static DateTime ToCst(DateTime utc) => DateTime.SpecifyKind(
        (utc.Kind == DateTimeKind.Unspecified ? DateTime.SpecifyKind(utc, DateTimeKind.Utc) : utc.ToUniversalTime()) + Offset,
        DateTimeKind.Unspecified);

    public static string Format(DateTime utc) => ToCst(utc).ToString("yyyy-MM-dd HH:mm", System.Globalization.CultureInfo.InvariantCulture);

    public static DateOnly Today(TimeProvider clock) => DateOnly.FromDateTime(ToCst(clock.GetUtcNow().UtcDateTime));

    /// Storage keeps microseconds (PostgreSQL's precision), so values compare equal after a round trip on both engines.
    public static DateTime Now(TimeProvider clock)
    {
        var t = clock.GetUtcNow().UtcDateTime;
        return new DateTime(t.Ticks - t.Ticks % 10, DateTimeKind.Utc);
    }
}
