namespace Bihuan.Data;

/// The fixed date texts that bulk paths write for every row, without the custom-format parser (which costs more than
/// the rest of a row's formatting). Equal to ToString with the format named on each (tested).
static class DateText
{
    /// "yyyy-MM-ddTHH:mm:ss.ffffffZ" (the audit snapshot's form; the caller passes UTC).
    public static int Snapshot(DateTime d, Span<char> c)
    {
        Stamp(d, c, 'T');
        c[19] = '.';
        Digits(c.Slice(20, 6), (int)(d.Ticks % TimeSpan.TicksPerSecond / 10));
        c[26] = 'Z';
        return 27;
    }

    /// "yyyy-MM-dd HH:mm:ss.FFFFFFF" (how Microsoft.Data.Sqlite stores a DateTime): no trailing zeros, no point when
    /// the fraction is zero.
    public static int Sqlite(DateTime d, Span<char> c)
    {
        Stamp(d, c, ' ');
        var fraction = (int)(d.Ticks % TimeSpan.TicksPerSecond);
        if (fraction == 0) return 19;
        c[19] = '.';
        Digits(c.Slice(20, 7), fraction);
        var n = 27;
        while (c[n - 1] == '0') n--;
        return n;
    }

    /// "yyyy-MM-dd".
    public static int Date(DateOnly d, Span<char> c)
    {
        d.Deconstruct(out var year, out var month, out var day);
        Digits(c[..4], year);
        c[4] = '-';
        Digits(c.Slice(5, 2), month);
        c[7] = '-';
        Digits(c.Slice(8, 2), day);
        return 10;
    }

    static void Stamp(DateTime d, Span<char> c, char separator)
    {
        Date(DateOnly.FromDateTime(d), c);
        c[10] = separator;
        Digits(c.Slice(11, 2), d.Hour);
        c[13] = ':';
        Digits(c.Slice(14, 2), d.Minute);
        c[16] = ':';
        Digits(c.Slice(17, 2), d.Second);
    }

    static void Digits(Span<char> c, int value)
    {
        for (var i = c.Length - 1; i >= 0; i--, value /= 10) c[i] = (char)('0' + value % 10);
    }
}
