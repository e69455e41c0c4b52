using System.Buffers;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Metadata;

namespace Bihuan.Data;

/// The audit trail's canonical snapshot of a record, written as UTF-8 straight into a reused buffer: one JSON object,
/// property names in ordinal order, every value a string (or null) in one invariant format (AuditTrail.Format), times
/// at microsecond precision. The only implementation of the format: AuditTrail.Snapshot returns its text, and
/// generated batches hash its bytes without building a dictionary and strings for every row.
public sealed class SnapshotWriter
{
    static readonly JsonWriterOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, SkipValidation = true };
    static readonly ConditionalWeakTable<IEntityType, Column[]> Plans = new();
    [ThreadStatic] static SnapshotWriter? cached;

    /// A stored property in snapshot order: its encoded name, how to read it from an entity, and whether it is a
    /// secret the snapshot holds only as a digest.
    public sealed record Column(IProperty Property, JsonEncodedText Name, IClrPropertyGetter? Getter, bool Secret);

    /// Columns that never enter a snapshot as they are (password hashes, security stamps, token secrets' hashes):
    /// the snapshot holds "sha256:" and the SHA-256 of the value, which tells that it changed and nothing that helps
    /// guess it (ADR 0018). A new secret column of an audited type is added here.
    public static readonly IReadOnlySet<string> Secrets = new HashSet<string>(StringComparer.Ordinal)
    {
        "Account.PasswordHash", "Account.SecurityStamp", "Account.SessionStamp", "AccessToken.SecretHash",
        "AccessToken.StampHash",
    };

    public const string SecretPrefix = "sha256:";

    public static bool IsSecret(IReadOnlyProperty p) => Secrets.Contains($"{p.DeclaringType.ClrType.Name}.{p.Name}");

    /// A secret value as snapshots hold it.
    public static string? SecretDigest(object? v) => Format(v) is { } s
        ? SecretPrefix
          + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(s)))
        : null;

    readonly ArrayBufferWriter<byte> buffer = new(1024);
    readonly Utf8JsonWriter json;
    readonly char[] chars = new char[64];

    public SnapshotWriter() => json = new Utf8JsonWriter(buffer, Options);

    /// The type's properties in snapshot order (cached per model type).
    public static Column[] ColumnsOf(IEntityType type) => Plans.GetValue(type, t => t.GetProperties()
        .OrderBy(p => p.Name, StringComparer.Ordinal)
        .Select(p => new Column(p, JsonEncodedText.Encode(p.Name, JavaScriptEncoder.UnsafeRelaxedJsonEscaping),
            p.IsShadowProperty() ? null : p.GetGetter(), IsSecret(p)))
        .ToArray());

    /// The snapshot text of tracked values (what audit entries hold).
    public static string Of(PropertyValues values)
    {
        var w = cached ??= new SnapshotWriter();
        w.Start(default);
        if (values.StructuralType is IEntityType type && ColumnsOf(type) is var columns && columns.Length == values.Properties.Count)
            foreach (var c in columns)
                w.Value(c.Name, c.Secret ? SecretDigest(values[c.Property]) : values[c.Property]);
        else // values of a base type: its own properties, in the same order
            foreach (var p in values.Properties.OrderBy(p => p.Name, StringComparer.Ordinal))
                w.Value(JsonEncodedText.Encode(p.Name, JavaScriptEncoder.UnsafeRelaxedJsonEscaping),
                    IsSecret(p) ? SecretDigest(values[p]) : values[p]);
        return Encoding.UTF8.GetString(w.End());
    }

    /// The snapshot text read straight from an entity's properties (no change-tracking entry). Only for types
    /// without shadow properties (their values live in the tracker only).
    public static string Of(IEntityType type, object entity)
    {
        var w = cached ??= new SnapshotWriter();
        return Encoding.UTF8.GetString(w.Entity(type, default, entity));
    }

    /// prefix ‖ snapshot of the entity as UTF-8, valid until the next call.
    public ReadOnlySpan<byte> Entity(IEntityType type, ReadOnlySpan<byte> prefix, object entity)
    {
        Start(prefix);
        foreach (var c in ColumnsOf(type))
        {
            var v = (c.Getter
                     ?? throw new InvalidOperationException($"{type.ClrType.Name}.{c.Property.Name} is a shadow property"))
                .GetClrValue(entity);
            Value(c.Name, c.Secret ? SecretDigest(v) : v);
        }
        return End();
    }

    void Start(ReadOnlySpan<byte> prefix)
    {
        buffer.ResetWrittenCount();
        buffer.Write(prefix);
        json.Reset(buffer);
        json.WriteStartObject();
    }

    ReadOnlySpan<byte> End()
    {
        json.WriteEndObject();
        json.Flush();
        return buffer.WrittenSpan;
    }

    /// One value, formatted as AuditTrail.Format does (the cases it has, in its order), without a string where a
    /// span will do.
    void Value(JsonEncodedText name, object? v)
    {
        int n;
        switch (v)
        {
            case null:
                json.WriteNull(name);
                return;
            case DateTime d:
                json.WriteString(name, chars.AsSpan(0, DateText.Snapshot(Utc(d), chars)));
                return;
            case DateOnly d:
                json.WriteString(name, chars.AsSpan(0, DateText.Date(d, chars)));
                return;
            case bool b:
                json.WriteString(name, b ? "true" : "false");
                return;
            case Enum e:
                json.WriteString(name, e.ToString());
                return;
            case string s:
                json.WriteString(name, s);
                return;
            case ISpanFormattable f:
                if (!f.TryFormat(chars, out n, default, CultureInfo.InvariantCulture)) break;
                json.WriteString(name, chars.AsSpan(0, n));
                return;
        }
        if (Format(v) is { } text) json.WriteString(name, text);
        else json.WriteNull(name);
    }

    internal const string DateTimeFormat = "yyyy-MM-ddTHH:mm:ss.ffffffZ";
    internal const string DateOnlyFormat = "yyyy-MM-dd";
    static readonly JsonSerializerOptions ListJson = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// Unspecified counts as UTC (what the engines give back).
    static DateTime Utc(DateTime d) =>
        DateTime.SpecifyKind(d, d.Kind == DateTimeKind.Unspecified ? DateTimeKind.Utc : d.Kind).ToUniversalTime();

    /// A value in the snapshot's invariant format.
    public static string? Format(object? v) => v switch
    {
        null => null,
        DateTime d => Utc(d).ToString(DateTimeFormat, CultureInfo.InvariantCulture),
        DateOnly d => d.ToString(DateOnlyFormat, CultureInfo.InvariantCulture),
        bool b => b ? "true" : "false",
        Enum e => e.ToString(),
        string s => s,
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        System.Collections.IEnumerable list => JsonSerializer.Serialize(list.Cast<object?>().Select(Format), ListJson),
        _ => v.ToString(),
    };
}
