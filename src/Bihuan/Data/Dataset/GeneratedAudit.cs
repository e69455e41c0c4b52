using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Bihuan.Domain;
using Microsoft.EntityFrameworkCore.Metadata;

namespace Bihuan.Data.Dataset;

/// A batch in the audit chain: one entry for many rows instead of one per row — a generated dataset's batch
/// (Generated) or the rows of one import (Imported). EntityId is the id range "first..last"; After is a digest of the
/// rows as written — the sum modulo 2^256 of SHA-256(id, canonical snapshot) over the rows (the same snapshots
/// per-row entries hold). A sum does not depend on order, so AuditTrail.VerifyAsync can check it while streaming the
/// table in any order.
public static class GeneratedAudit
{
    public const string RangeSeparator = "..";

    public static void Record<T>(BihuanDb db, IReadOnlyList<T> rows, string note) where T : class =>
        db.PendingEvents.Add(Entry(db.Model.FindEntityType(typeof(T))!, db.Actor, rows, note));

    /// Writes rows set-based (BulkInsert: consecutive ids after the table's maximum) and queues their batch entry, to
    /// be appended by the next SaveChanges, in the caller's transaction, which must already hold the audit lock
    /// (AuditTrail.LockAsync): under it the ids cannot interleave with another writer's, so the range is the batch's.
    /// The digest runs on the other core while the engine writes the rows.
    public static async Task InsertAsync<T>(BihuanDb db, IReadOnlyList<T> rows, AuditAction action, string note,
        string? orgPath, CancellationToken ct) where T : class
    {
        if (rows.Count == 0) return;
        await BulkInsert.AssignIdsAsync(db, rows, ct);
        var (type, actor) = (db.Model.FindEntityType(typeof(T))!, db.Actor);
        var entry = rows[0] is IAudited ? Task.Run(() => Entry(type, actor, rows, note, action, orgPath), ct) : null;
        await BulkInsert.WriteAsync(db, rows, ct);
        if (entry is not null) db.PendingEvents.Add(await entry);
    }

    /// The batch's entry (to append through PendingEvents). Reads only the rows and the model: it may run on another
    /// thread while the rows are written.
    public static AuditEntry Entry<T>(IEntityType type, string actor, IReadOnlyList<T> rows, string note,
        AuditAction action = AuditAction.Generated, string? orgPath = null) where T : class
    {
        var getter = type.FindPrimaryKey()!.Properties.Single().GetGetter();
        var digest = new Digest();
        var writer = new SnapshotWriter();
        Span<byte> prefix = stackalloc byte[16];
        int first = int.MaxValue, last = int.MinValue;
        foreach (var r in rows)
        {
            var id = (int)getter.GetClrValue(r)!;
            first = Math.Min(first, id);
            last = Math.Max(last, id);
            // key "\n" snapshot, as Digest.Add(key, snapshot) hashes it, without the strings
            id.TryFormat(prefix, out var n, default, System.Globalization.CultureInfo.InvariantCulture);
            prefix[n++] = (byte)'\n';
            digest.Add(writer.Entity(type, prefix[..n], r));
        }
        return new AuditEntry
        {
            Actor = actor, EntityType = AuditTrail.TypeName(type), EntityId = $"{first}{RangeSeparator}{last}",
            Action = action, After = digest.Hex(), Note = $"{note}：{rows.Count} 行", PrevHash = "", OrgPath = orgPath,
        };
    }

    public static bool TryRange(string entityId, out int first, out int last)
    {
        first = last = 0;
        var i = entityId.IndexOf(RangeSeparator, StringComparison.Ordinal);
        return i > 0 && int.TryParse(entityId[..i], out first) && int.TryParse(entityId[(i + 2)..], out last) && first <= last;
    }

    /// Σ SHA-256(key ‖ "\n" ‖ snapshot) mod 2^256, as four 64-bit limbs.
    public sealed class Digest
    {
        readonly ulong[] limbs = new ulong[4];

        public void Add(string key, string? snapshot) => Add(Encoding.UTF8.GetBytes(key + "\n" + snapshot));

        /// The UTF-8 of key ‖ "\n" ‖ snapshot.
        public void Add(ReadOnlySpan<byte> keyAndSnapshot)
        {
            Span<byte> h = stackalloc byte[32];
            SHA256.HashData(keyAndSnapshot, h);
            ulong carry = 0;
            for (var i = 0; i < 4; i++)
            {
                var x = BinaryPrimitives.ReadUInt64LittleEndian(h[(i * 8)..]);
                var sum = limbs[i] + x;
                var c1 = sum < x ? 1UL : 0UL;
                var sum2 = sum + carry;
                var c2 = sum2 < sum ? 1UL : 0UL;
                limbs[i] = sum2;
                carry = c1 | c2;
            }
        }

        public string Hex()
        {
            Span<byte> b = stackalloc byte[32];
            for (var i = 0; i < 4; i++) BinaryPrimitives.WriteUInt64LittleEndian(b[(i * 8)..], limbs[i]);
            return Convert.ToHexStringLower(b);
        }
    }
}
