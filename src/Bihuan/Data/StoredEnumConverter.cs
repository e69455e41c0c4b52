using Bihuan.Domain;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Bihuan.Data;

/// Enums are stored as their names. EF's own converter (Enum.Parse) throws on a text that names no member, and one
/// such row would fail every query that reads it — a whole ledger page or dashboard for every user. This one reads
/// such a text as StoredValues.Unreadable (a number stays the number it is, "42" → 42), so the read can say the value
/// is invalid (StoredValues.Invalid) and the rest of the page is served.
public sealed class StoredEnumConverter<T>() : ValueConverter<T, string>(v => v.ToString(), s => Read(s))
    where T : struct, Enum
{
    static T Read(string s) => Enum.TryParse<T>(s, ignoreCase: false, out var v) ? v : StoredValues.Unreadable<T>();
}

public static class StoredEnums
{
    /// Replaces EF's enum-to-string converter on every enum column (and enum element of a primitive collection) of
    /// the model with StoredEnumConverter. Same column type, so no migration.
    public static void UseStoredEnumConverters(this ModelBuilder b)
    {
        foreach (var p in b.Model.GetEntityTypes().SelectMany(t => t.GetDeclaredProperties()))
        {
            // HasConversion<string>() records the provider type; EF picks its converter only when the model is finalized.
            if (EnumOf(p.ClrType) is { } e
                && (p.GetValueConverter()?.ProviderClrType ?? p.GetProviderClrType()) == typeof(string))
                p.SetValueConverter(For(e));
            if (p.GetElementType() is { } el && EnumOf(el.ClrType) is { } ee
                && (el.GetValueConverter()?.ProviderClrType ?? el.GetProviderClrType()) == typeof(string))
                el.SetValueConverter(For(ee));
        }
    }

    static Type? EnumOf(Type t) => (Nullable.GetUnderlyingType(t) ?? t) is { IsEnum: true } e ? e : null;

    static ValueConverter For(Type e) =>
        (ValueConverter)Activator.CreateInstance(typeof(StoredEnumConverter<>).MakeGenericType(e))!;
}
