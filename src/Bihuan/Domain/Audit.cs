using System.Security.Cryptography;
using System.Text;

namespace Bihuan.Domain;

/// Marks an entity whose every create, update and delete is written to the hash-chained audit trail.
public interface IAudited
{
}

/// A record that belongs to one org: its scope is the org's.
public interface IOrgOwned
{
    int OrgId { get; }
}

/// Generated (a dataset's batch) and Imported (an import's rows) are chain steps for many rows at once: the id range
/// and an order-independent digest of the rows (Data/Dataset/GeneratedAudit), which `audit verify` recomputes.
public enum AuditAction { Create, Update, Delete, Event, Generated, Imported }

/// One link of the append-only chain. Hash = SHA-256 over the previous hash and this entry's content, so editing,
/// deleting or reordering any entry breaks every hash after it.
public sealed class AuditEntry
{
    public long Seq { get; set; }
    public DateTime At { get; set; }
    public required string Actor { get; set; }
    public required string EntityType { get; set; }
    public required string EntityId { get; set; }
    public AuditAction Action { get; set; }
    public string? Before { get; set; }
    public string? After { get; set; }
    public string? Note { get; set; }
    /// Path of the org the record belongs to, so the trail is scoped like the records (null: system-wide record).
    public string? OrgPath { get; set; }
    public required string PrevHash { get; set; }
    public string Hash { get; set; } = "";

    public const string Genesis = "0000000000000000000000000000000000000000000000000000000000000000";

    /// The hashed text is a JSON array of the fields (nulls stay null, strings are escaped), so no two different
    /// entries can produce the same text.
    public string ComputeHash()
    {
        var at = DateTime.SpecifyKind(At, At.Kind == DateTimeKind.Unspecified ? DateTimeKind.Utc : At.Kind).ToUniversalTime();
        string?[] fields =
        [
            PrevHash, Seq.ToString(System.Globalization.CultureInfo.InvariantCulture),
            at.ToString("yyyy-MM-ddTHH:mm:ss.ffffffZ", System.Globalization.CultureInfo.InvariantCulture),
            Actor, EntityType, EntityId, Action.ToString(), Before, After, Note, OrgPath,
        ];
        var text = System.Text.Json.JsonSerializer.Serialize(fields);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
    }
}

/// The outcome of checking the chain and the audited records against it.
public sealed record AuditReport(bool Intact, long Entries, long? FirstBrokenSeq, string Message)
{
    public static AuditReport Ok(long n) => new(true, n, null, $"审计链完整（chain intact），共 {n} 条记录");
}
