using System.Globalization;
using System.Text;

namespace Bihuan.Domain;

/// How reads treat a stored value they cannot use. A column may hold anything its type allows — a 9999-12-31 that
/// got in before the input bounds, a percent of 900, U+FFFF pasted from another system, a status text no version of
/// the code ever wrote — so every read that computes over stored values tests them first and shows what it cannot
/// use as such ("时限无效（9999-12-31）"): it never throws and never passes the value off as a normal one.
/// Bounds.InWindow is the one test of a usable date.
public static class StoredValues
{
    public static string Iso(DateOnly d) => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// "时限无效（9999-12-31）": what the value is, that it cannot be used, and the value itself.
    public static string Invalid(string what, string shown) => $"{what}无效（{shown}）";

    public static string Invalid(string what, DateOnly d) => Invalid(what, Iso(d));

    /// "状态无效（42）" for an enum value that names no member (a stored "42", or a text EF read as Unreadable).
    public static string Invalid<T>(string what, T value) where T : struct, Enum => Invalid(what, Shown(value));

    /// A date a computation may use (inside Bounds' window); null counts as usable (it is "no date", not a bad one).
    public static bool Usable(DateOnly? d) => d is not { } x || Bounds.InWindow(x);

    /// The enum value a stored text that names no member reads as: EF's converter maps it here instead of failing the
    /// whole query (Data/StoredEnumConverter), so the read can say the value is invalid.
    public static T Unreadable<T>() where T : struct, Enum => (T)Enum.ToObject(typeof(T), int.MinValue);

    static string Shown<T>(T value) where T : struct, Enum
    {
        var n = Convert.ToInt64(value, CultureInfo.InvariantCulture);
        return n == int.MinValue ? "无法识别" : n.ToString(CultureInfo.InvariantCulture);
    }

    /// True for a character XML 1.0 can carry (tab, LF, CR, U+0020–U+D7FF, U+E000–U+FFFD; surrogates only in pairs).
    static bool IsXmlChar(char c) => c is '\t' or '\n' or '\r' or (>= '\u0020' and <= '\uD7FF') or (>= '\uE000' and <= '\uFFFD');

    /// Text an XML 1.0 writer can carry: every character XML cannot hold (control characters, U+FFFE, U+FFFF, an
    /// unpaired surrogate) becomes U+FFFD, so the place shows something was there. Writers call this once, where
    /// they write text, not per field.
    public static string ForXml(string? s)
    {
        if (string.IsNullOrEmpty(s)) return "";
        var i = 0;
        while (i < s.Length && (IsXmlChar(s[i]) || IsPair(s, i))) i += char.IsHighSurrogate(s[i]) ? 2 : 1;
        if (i >= s.Length) return s;
        var sb = new StringBuilder(s.Length).Append(s, 0, i);
        while (i < s.Length)
        {
            if (IsPair(s, i)) { sb.Append(s, i, 2); i += 2; continue; }
            sb.Append(IsXmlChar(s[i]) ? s[i] : '\uFFFD');
            i++;
        }
        return sb.ToString();
    }

    static bool IsPair(string s, int i) => char.IsHighSurrogate(s[i]) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]);
}
