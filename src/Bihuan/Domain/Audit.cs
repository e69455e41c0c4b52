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

/// One link of the append-only chain. Hash = HMAC under the chain key (SHA-256 before the chain's first key entry)
/// over the previous hash and this entry's content, so editing, deleting or reordering any entry breaks every hash
/// after it, and only a holder of the key can compute a new one.
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
    public byte[] CanonicalBytes()
    {
        var at = DateTime.SpecifyKind(At, At.Kind == DateTimeKind.Unspecified ? DateTimeKind.Utc : At.Kind).ToUniversalTime();
        string?[] fields =
        [
            PrevHash, Seq.ToString(System.Globalization.CultureInfo.InvariantCulture),
            at.ToString("yyyy-MM-ddTHH:mm:ss.ffffffZ", System.Globalization.CultureInfo.InvariantCulture),
            Actor, EntityType, EntityId, Action.ToString(), Before, After, Note, OrgPath,
        ];
        return Encoding.UTF8.GetBytes(System.Text.Json.JsonSerializer.Serialize(fields));
    }

    /// The legacy link: plain SHA-256 of the canonical text (entries before the chain's first key entry).
    public string ComputeHash() => Convert.ToHexStringLower(SHA256.HashData(CanonicalBytes()));

    /// The link under a chain key (HMAC of the canonical text, ADR 0018); the plain link without one. Whoever can
    /// write the database but does not hold the key cannot recompute it.
    public string ComputeHash(ChainKey? key) => key is null ? ComputeHash() : key.Mac(CanonicalBytes());

    /// Whether this entry introduces (or rotates to) a chain key: from it on, links are keyed with that key.
    public bool IsKeyEntry => Action == AuditAction.Event && EntityType == ChainKeyRing.KeyEntryType;
}

/// The outcome of checking the chain and the audited records against it.
public sealed record AuditReport(bool Intact, long Entries, long? FirstBrokenSeq, string Message)
{
    public static AuditReport Ok(long n) => new(true, n, null, $"审计链完整（chain intact），共 {n} 条记录");
}
