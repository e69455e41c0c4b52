using System.Text;

namespace Bihuan.Domain;

/// The bounds every value a user enters must keep, checked where the use case accepts it. Each method adds an
/// Invalid (field + message) to the use case's list, which the use case throws at once (ErrorMapping.ThrowIfAny), so a
/// form shows every message under its field and the API answers 400 with errors.<field>. A value outside these
/// bounds must never reach a read: a deadline in 9999 or a list holding null takes shared pages down.
public static class InputBounds
{
    /// Items in one list input (ids, tasks, phases, attendance …) unless the use case says fewer.
    public const int ListMax = 1000;
    /// Sort orders and similar free integers.
    public const int OrderMax = 1_000_000;
    /// Page numbers of a list (a page past this is no one's intent and overflows an offset).
    public const int PageMax = 100_000;

    /// A date inside the window (Domain/Bounds.cs); `what` prefixes the message ("第 2 项任务：").
    public static List<Invalid> Date(this List<Invalid> errors, string field, DateOnly? value, string? what = null)
    {
        if (value is { } d && !Bounds.InWindow(d)) errors.Add(new(field, what + Bounds.OutOfWindowText));
        return errors;
    }

    /// A date inside the window and not before the record's start (a deadline before the item began, an end before
    /// the beginning).
    public static List<Invalid> DateFrom(this List<Invalid> errors, string field, DateOnly? value, DateOnly? start, string message,
        string? what = null)
    {
        if (value is not { } d) return errors;
        if (!Bounds.InWindow(d)) errors.Add(new(field, what + Bounds.OutOfWindowText));
        else if (start is { } s && d < s) errors.Add(new(field, message));
        return errors;
    }

    public static List<Invalid> Range(this List<Invalid> errors, string field, long? value, long min, long max, string what)
    {
        if (value is { } v && (v < min || v > max)) errors.Add(new(field, $"{what}须在 {min} 至 {max} 之间"));
        return errors;
    }

    public static List<Invalid> Percent(this List<Invalid> errors, string field, int? value) =>
        errors.Range(field, value, 0, 100, "进度（%）");

    /// A finite number in [min, max] (NaN and ±Infinity are refused: they cannot be stored or written as JSON).
    public static List<Invalid> Finite(this List<Invalid> errors, string field, double? value, double min, double max, string what)
    {
        if (value is { } v && (!double.IsFinite(v) || v < min || v > max)) errors.Add(new(field, $"{what}须在 {min} 至 {max} 之间"));
        return errors;
    }

    /// At most `max` characters after trimming; required when `required`.
    public static List<Invalid> Text(this List<Invalid> errors, string field, string? value, int max, string what, bool required = false)
    {
        if (string.IsNullOrWhiteSpace(value)) { if (required) errors.Add(new(field, $"请填写{what}")); }
        else if (value.Trim().Length > max) errors.Add(new(field, $"{what}不能超过 {max} 字"));
        return errors;
    }

    /// A list of at most `max` items none of which is null (JSON lets a client send [null]).
    public static List<Invalid> List<T>(this List<Invalid> errors, string field, IReadOnlyCollection<T?>? list, int max, string what)
    {
        if (list is null) return errors;
        if (list.Count > max) errors.Add(new(field, $"{what}最多 {max} 项"));
        else if (list.Any(x => x is null)) errors.Add(new(field, $"{what}中有空项"));
        return errors;
    }

    /// JSON and form binding take any number for an enum: only a defined value is accepted.
    public static List<Invalid> Defined<T>(this List<Invalid> errors, string field, T? value, string message) where T : struct, Enum
    {
        if (value is { } v && !Enum.IsDefined(v)) errors.Add(new(field, message));
        return errors;
    }

    /// Throws the collected errors (the same as ErrorMapping.ThrowIfAny, for code that has only the domain).
    public static void ThrowIfAny(this List<Invalid> errors)
    {
        if (errors.Count > 0) throw new DomainException(new ValidationFailed(errors));
    }
}

/// Thrown by use cases when input fails validation: every field message at once.
public sealed record ValidationFailed(IReadOnlyList<Invalid> Errors)
    : Error("validation", "提交的内容有误，请按提示修改", ErrorKind.Invalid);

/// Text as users may enter it: control characters other than tab, line feed and carriage return, Unicode
/// non-characters (U+FFFE, U+FFFF, U+FDD0…U+FDEF …) and lone surrogates are removed wherever text comes in
/// (JSON bodies, query strings, stored rows). They are never meant, break XML and PostgreSQL, and hide text.
public static class InputText
{
    public static bool IsClean(string s)
    {
        for (var i = 0; i < s.Length; i++)
        {
            var c = s[i];
            if (c < ' ' ? c is not ('\t' or '\n' or '\r') : c is >= '\u007f' and <= '\u009f' || IsNonCharacter(c)) return false;
            if (char.IsHighSurrogate(c))
            {
                if (i + 1 >= s.Length || !char.IsLowSurrogate(s[i + 1])) return false;
                if ((char.ConvertToUtf32(c, s[i + 1]) & 0xFFFE) == 0xFFFE) return false;
                i++;
            }
            else if (char.IsLowSurrogate(c)) return false;
        }
        return true;
    }

    public static string Clean(string s)
    {
        if (IsClean(s)) return s;
        var sb = new StringBuilder(s.Length);
        for (var i = 0; i < s.Length; i++)
        {
            var c = s[i];
            if (char.IsHighSurrogate(c) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]))
            {
                if ((char.ConvertToUtf32(c, s[i + 1]) & 0xFFFE) != 0xFFFE) sb.Append(c).Append(s[i + 1]);
                i++;
                continue;
            }
            if (char.IsSurrogate(c) || IsNonCharacter(c)) continue;
            if (c < ' ' ? c is '\t' or '\n' or '\r' : c is < '\u007f' or > '\u009f') sb.Append(c);
        }
        return sb.ToString();
    }

    public static string? CleanOrNull(string? s) => s is null ? null : Clean(s);

    static bool IsNonCharacter(char c) => c is >= '\uFDD0' and <= '\uFDEF' or '\uFFFE' or '\uFFFF';
}
