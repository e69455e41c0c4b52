using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Bihuan.Domain;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Metadata;

namespace Bihuan.Data;

/// Appends the hash-chained audit entries in the same transaction as the change they describe, and verifies the
/// chain and the audited records against it.
public static class AuditTrail
{
    // The lock order, the same on every engine: an audited write takes the engine's write lock for the audit chain
    // FIRST (before it writes a row) and keeps it until its transaction ends; no other lock is taken after it and
    // nothing in this process is held beside it. SQLite: every transaction begins IMMEDIATE (Microsoft.Data.Sqlite's
    // default), so the database write lock is that lock and is held from BEGIN. PostgreSQL: the transaction-scoped
    // advisory lock below, released by COMMIT or ROLLBACK. (An in-process semaphore released between the batches of
    // a transaction that kept the advisory lock inverted this order: a deadlock the database could not see.)
    // Seq is the primary key, so an append that raced anyway fails, never forks.
    const long PostgresLockKey = 0x6269_6875_616E; // "bihuan"

    sealed record Pending(EntityEntry Entry, AuditAction Action, string? Before);

    /// Takes the audit chain's lock for the current transaction (until it commits or rolls back): on PostgreSQL the
    /// advisory lock; on SQLite the transaction's BEGIN IMMEDIATE already holds the write lock. Re-entrant. A use
    /// case that writes rows outside SaveChanges (a bulk import) calls it before its first write.
    public static async Task LockAsync(BihuanDb db, CancellationToken ct)
    {
        if (db.Database.CurrentTransaction is null)
            throw new InvalidOperationException("AuditTrail.LockAsync needs the transaction the lock belongs to");
        if (db.Engine == DatabaseEngine.Postgres)
            await db.Database.ExecuteSqlRawAsync($"SELECT pg_advisory_xact_lock({PostgresLockKey})", ct);
    }

    internal static async Task<int> SaveWithAuditAsync(BihuanDb db, Func<Task<int>> save, CancellationToken ct)
    {
        var pending = db.ChangeTracker.Entries()
            .Where(e => e.Entity is IAudited && e.State is EntityState.Added or EntityState.Modified or EntityState.Deleted)
            .Select(e => new Pending(e, e.State switch
            {
                EntityState.Added => AuditAction.Create,
                EntityState.Deleted => AuditAction.Delete,
                _ => AuditAction.Update,
            }, e.State == EntityState.Added ? null : Snapshot(e.OriginalValues)))
            .ToList();
        if (pending.Count == 0 && db.PendingEvents.Count == 0) return await save();

        var ownTx = db.Database.CurrentTransaction is null ? await db.Database.BeginTransactionAsync(ct) : null;
        try
        {
            await LockAsync(db, ct);   // before the rows: see the lock order above
            var written = await save();
            var now = DateTime.UtcNow;
            var entries = new List<AuditEntry>();
            var paths = new Dictionary<int, string?>();
            foreach (var p in pending)
            {
                var after = p.Action == AuditAction.Delete ? null : Snapshot(p.Entry.CurrentValues);
                if (p.Action == AuditAction.Update && after == p.Before) continue; // touched, not changed
                entries.Add(new AuditEntry
                {
                    Actor = db.Actor, At = now, EntityType = TypeName(p.Entry.Metadata), EntityId = KeyOf(p.Entry),
                    Action = p.Action, Before = p.Before, After = after, PrevHash = "",
                    OrgPath = await OrgPathOf(db, p.Entry.Entity, paths, ct),
                });
            }
            foreach (var e in db.PendingEvents) { e.At = now; entries.Add(e); }
            db.PendingEvents.Clear();
            if (entries.Count > 0) await AppendAsync(db, entries, ct);
            if (ownTx is not null) await ownTx.CommitAsync(ct);
            return written;
        }
        finally
        {
            if (ownTx is not null) await ownTx.DisposeAsync();
        }
    }

    /// Appends entries after the chain's head, in the caller's transaction under the chain lock. Links are keyed with
    /// the ring's current key; when the head was not made with it (a chain from before keys, or a key added to the
    /// ring since), a key entry goes first: "key introduced" or "key rotated", itself keyed with the new key.
    static async Task AppendAsync(BihuanDb db, List<AuditEntry> entries, CancellationToken ct)
    {
        var last = await db.AuditChain<AuditEntry>().OrderByDescending(e => e.Seq)
            .Select(e => new { e.Seq, e.Hash }).FirstOrDefaultAsync(ct);
        var (seq, prev) = last is null ? (0L, AuditEntry.Genesis) : (last.Seq, last.Hash);
        var (key, keyEntry) = await NextKeyAsync(db, seq, prev, ct);
        if (keyEntry is not null)
        {
            keyEntry.At = entries.Count > 0 ? entries[0].At : DateTime.UtcNow;
            entries.Insert(0, keyEntry);
        }
        foreach (var e in entries)
        {
            e.Seq = ++seq;
            e.PrevHash = prev;
            e.Hash = prev = e.ComputeHash(key);
        }
        db.AuditEntries.AddRange(entries);
        await db.SaveWithoutAuditAsync(ct);
        db.ChainKeys.MarkAppended(seq, prev);
    }

    /// The key the next links are made with, and the key entry to write before them when the head was made otherwise.
    static async Task<(ChainKey? Key, AuditEntry? KeyEntry)> NextKeyAsync(BihuanDb db, long seq, string hash,
        CancellationToken ct)
    {
        var ring = db.ChainKeys;
        if (ring.Current is not { } current) return (null, null);
        if (ring.IsLastAppended(seq, hash)) return (current, null);
        string note;
        if (seq == 0) note = $"审计链密钥启用（key introduced）：{current.Crypto.MacName}，密钥 {current.Name}";
        else
        {
            var head = await db.AuditChain<AuditEntry>().AsNoTracking().FirstAsync(e => e.Seq == seq, ct);
            if (head.ComputeHash(current) == hash) return (current, null);
            ring.Reload();   // another process (bihuan audit rotate-key) may have added a key
            current = ring.Current!;
            if (head.ComputeHash(current) == hash) return (current, null);
            var prior = ring.Keys.FirstOrDefault(k => head.ComputeHash(k) == hash);
            note = prior is not null
                ? $"审计链密钥轮换（key rotated）：{prior.Name} → {current.Name}，{current.Crypto.MacName}"
                : head.ComputeHash() == hash
                    ? $"审计链密钥启用（key introduced）：第 {seq + 1} 条起使用 {current.Crypto.MacName}，密钥 {current.Name}"
                    : $"审计链密钥启用（key introduced）：第 {seq} 条的哈希不是本机任一密钥所算，第 {seq + 1} 条起使用密钥 {current.Name}";
        }
        return (current, new AuditEntry
        {
            Actor = db.Actor, EntityType = ChainKeyRing.KeyEntryType, EntityId = current.Name,
            Action = AuditAction.Event,
            Note = note, PrevHash = "",
        });
    }

    /// Writes the key entry now when the chain's head was not made with the current key (after a migration, after a
    /// key was added to the ring), so `verify` finds the chain keyed before the next change. True when one was written.
    public static async Task<bool> EnsureKeyedAsync(BihuanDb db, CancellationToken ct)
    {
        if (db.ChainKeys.Current is null) return false;
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await LockAsync(db, ct);
        var last = await db.AuditChain<AuditEntry>().OrderByDescending(e => e.Seq)
            .Select(e => new { e.Seq, e.Hash }).FirstOrDefaultAsync(ct);
        var (_, keyEntry) = await NextKeyAsync(db, last?.Seq ?? 0, last?.Hash ?? AuditEntry.Genesis, ct);
        if (keyEntry is null) return false;
        await AppendAsync(db, [], ct);
        await tx.CommitAsync(ct);
        return true;
    }

    static async Task<string?> OrgPathOf(BihuanDb db, object entity, Dictionary<int, string?> cache, CancellationToken ct)
    {
        switch (entity)
        {
            case Org o: return o.SelfPath;
            case IOrgOwned owned:
                if (!cache.TryGetValue(owned.OrgId, out var path))
                    cache[owned.OrgId] = path = await db.AuditChain<Org>().Where(o => o.Id == owned.OrgId)
                        .Select(o => o.Path + o.Id.ToString() + "/").FirstOrDefaultAsync(ct);
                return path;
            default: return null;
        }
    }

    public static string TypeName(IEntityType t) => t.ClrType.Name;

    static string KeyOf(EntityEntry e) =>
        string.Join(",", e.Metadata.FindPrimaryKey()!.Properties.Select(p => Format(e.CurrentValues[p])));

    /// A canonical snapshot of a record's stored columns: sorted names, values in one invariant format, times at
    /// microsecond precision (what both engines keep), so a snapshot taken now equals one taken from the row later.
    /// The format lives in SnapshotWriter (generated batches hash the same bytes).
    public static string Snapshot(PropertyValues values) => SnapshotWriter.Of(values);

    /// The same canonical snapshot, read straight from an entity's properties (no change-tracking entry): for
    /// generated batches. Only for types without shadow properties (their values live in the tracker only).
    public static string Snapshot(IEntityType type, object entity) => SnapshotWriter.Of(type, entity);

    static string? Format(object? v) => SnapshotWriter.Format(v);

    /// Checks every link of the chain, then every audited record against the last entry that describes it: a row
    /// edited, inserted or deleted behind the application's back no longer matches the trail.
    public static async Task<AuditReport> VerifyAsync(BihuanDb db, CancellationToken ct = default)
    {
        var last = new Dictionary<(string, string), AuditEntry>();
        var generated = new Dictionary<string, List<GeneratedRange>>();
        long count = 0, expectedSeq = 1;
        var prev = AuditEntry.Genesis;
        var ring = db.ChainKeys;
        ChainKey? chainKey = null;
        const int batch = 5000;
        while (true)
        {
            var from = expectedSeq;
            var page = await db.AuditChain<AuditEntry>().AsNoTracking()
                .Where(e => e.Seq >= from).OrderBy(e => e.Seq).Take(batch).ToListAsync(ct);
            foreach (var e in page)
            {
                if (e.Seq != expectedSeq)
                    return Broken(e.Seq, count, $"第 {expectedSeq} 条记录缺失或顺序被打乱（下一条为第 {e.Seq} 条）");
                if (e.PrevHash != prev)
                    return Broken(e.Seq, count, $"第 {e.Seq} 条记录的前序哈希与上一条不符（记录被删除、插入或调换顺序）");
                if (e.IsKeyEntry)
                {
                    // From a key entry on (itself included) every link is keyed with the key it names.
                    if (!ChainKeyRing.TryKeyName(e.EntityId, out var suite, out var id) || ring.Find(id) is not { } k
                        || !string.Equals(k.Crypto.Suite, suite, StringComparison.OrdinalIgnoreCase))
                        return Broken(e.Seq, count, $"第 {e.Seq} 条起使用的审计链密钥 {e.EntityId} 不在本机的密钥中" +
                            $"（{ring.Source}）：无法校验，或该记录是伪造的");
                    chainKey = k;
                }
                if (e.ComputeHash(chainKey) != e.Hash)
                    return Broken(e.Seq, count, chainKey is null
                        ? $"第 {e.Seq} 条记录的内容与其哈希不符（记录被篡改）"
                        : $"第 {e.Seq} 条记录的内容与其密钥哈希不符（记录被篡改，或链被不持有密钥者重算）");
                prev = e.Hash;
                expectedSeq++;
                count++;
                if (e.Action is AuditAction.Generated or AuditAction.Imported && Dataset.GeneratedAudit.TryRange(e.EntityId, out var f, out var l))
                {
                    if (!generated.TryGetValue(e.EntityType, out var list)) generated[e.EntityType] = list = [];
                    list.Add(new GeneratedRange(f, l, e.After ?? "", e.Seq, new Dataset.GeneratedAudit.Digest(),
                        e.Action == AuditAction.Imported ? "批量导入" : "批量生成"));
                }
                else if (e.Action != AuditAction.Event)
                {
                    // The first change made through the app to a generated row: its Before is the row as generated.
                    if (generated.TryGetValue(e.EntityType, out var ranges) && int.TryParse(e.EntityId, out var id)
                        && RangeOf(ranges, id) is { } range
                        && !last.ContainsKey((e.EntityType, e.EntityId)))
                        range.Digest.Add(e.EntityId, e.Before);
                    last[(e.EntityType, e.EntityId)] = e;
                }
            }
            if (page.Count < batch) break;
        }
        // A chain rebuilt by someone without the key can only be plain: with keys held, a chain never keyed is not
        // the one this installation wrote (or the upgrade's `bihuan migrate` has not run yet).
        if (chainKey is null && count > 0 && ring.Current is not null)
            return Broken(null, count, "审计链中没有密钥启用记录，而本机持有审计链密钥：链可能被不持有密钥者整体重算" +
                "（若刚升级，请先运行 bihuan migrate）");

        foreach (var type in db.Model.GetEntityTypes().Where(t => typeof(IAudited).IsAssignableFrom(t.ClrType) && !t.IsOwned()))
        {
            var name = TypeName(type);
            var seen = new HashSet<string>();
            var ranges = generated.GetValueOrDefault(name);
            // db.Entry keeps every entity it is asked about (as detached) until the context goes: at millions of rows
            // that is gigabytes. Read keys and snapshots straight from the entity unless shadow values need the entry.
            var direct = !type.GetProperties().Any(p => p.IsShadowProperty());
            var keyGetters = type.FindPrimaryKey()!.Properties.Select(p => p.GetGetter()).ToArray();
            await foreach (var row in db.AuditChainRows(type.ClrType).AsNoTracking().AsAsyncEnumerable().WithCancellation(ct))
            {
                var entry = direct ? null : db.Entry(row);
                var key = entry is null ? KeyOf(keyGetters, row) : KeyOf(entry);
                if (!last.TryGetValue((name, key), out var e)
                    && ranges is not null && int.TryParse(key, out var id) && RangeOf(ranges, id) is { } range)
                {
                    // a generated row, unchanged since
                    range.Digest.Add(key, entry is null ? Snapshot(type, row) : Snapshot(entry.CurrentValues));
                    continue;
                }
                if (e is null || e.Action == AuditAction.Delete)
                    return Broken(null, count, $"{name} #{key} 没有对应的审计记录（在应用之外被插入）");
                seen.Add(key);
                var current = entry is null ? Snapshot(type, row) : Snapshot(entry.CurrentValues);
                if (current != e.After && !SameButAddedNulls(e.After, current)
                    && !SameButSecrets(type, e.After, current))
                    return Broken(e.Seq, count, $"{name} #{key} 的当前内容与第 {e.Seq} 条审计记录不符（在应用之外被修改）");
            }
            foreach (var ((t, key), e) in last)
                if (t == name && e.Action != AuditAction.Delete && !seen.Contains(key))
                    return Broken(e.Seq, count, $"{name} #{key} 已不存在，但审计记录中没有删除（在应用之外被删除）");
            foreach (var r in generated.GetValueOrDefault(name) ?? [])
                if (r.Digest.Hex() != r.Expected)
                    return Broken(r.Seq, count, $"{name} #{r.First}..{r.Last}（{r.How}）的内容与第 {r.Seq} 条审计记录不符（在应用之外被修改、插入或删除）");
        }
        return AuditReport.Ok(count);
    }

    /// After a migration dropped columns of an audited type: a row whose last audited snapshot equals its current one
    /// but for keys the model no longer has — and whose recorded values of those keys `dropped` accepts (e.g. they are
    /// what the migration moved elsewhere) — gets an Update entry (Before: the recorded snapshot, After: the current
    /// one, with the note), so `verify` matches it again. Any other difference is left alone: verify reports it, as it
    /// should. Rows of generated batches (no entry of their own) are not covered.
    internal static async Task<int> RecordDroppedColumnsAsync(BihuanDb db, IEntityType type, string note,
        Func<string, JsonObject, bool> dropped, CancellationToken ct)
    {
        var name = TypeName(type);
        var last = new Dictionary<string, AuditEntry>();
        await foreach (var e in db.AuditChain<AuditEntry>().AsNoTracking()
                           .Where(e => e.EntityType == name && e.Action != AuditAction.Event && e.Action != AuditAction.Generated)
                           .OrderBy(e => e.Seq).AsAsyncEnumerable().WithCancellation(ct))
            last[e.EntityId] = e;
        var columns = type.GetProperties().Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
        var keyGetters = type.FindPrimaryKey()!.Properties.Select(p => p.GetGetter()).ToArray();
        var added = 0;
        await foreach (var row in db.AuditChainRows(type.ClrType).AsNoTracking().AsAsyncEnumerable().WithCancellation(ct))
        {
            if (!last.TryGetValue(KeyOf(keyGetters, row), out var e) || e.Action == AuditAction.Delete || e.After is null) continue;
            var now = Snapshot(type, row);
            var recorded = JsonNode.Parse(e.After)!.AsObject();
            if (now == e.After || !SameBut(recorded, now, columns) || !dropped(e.EntityId, recorded)) continue;
            db.PendingEvents.Add(new AuditEntry
            {
                Actor = db.Actor, EntityType = name, EntityId = e.EntityId, Action = AuditAction.Update, Before = e.After,
                After = now, Note = note, OrgPath = e.OrgPath, PrevHash = "",
            });
            if (++added % 1000 == 0) await db.SaveChangesAsync(ct);
        }
        await db.SaveChangesAsync(ct);
        return added;
    }

    /// Whether two snapshots hold the same values once keys outside `columns` are dropped from the recorded one.
    static bool SameBut(JsonObject recorded, string current, HashSet<string> columns) =>
        SameButAddedNulls(recorded.Where(kv => columns.Contains(kv.Key))
            .ToDictionary(kv => kv.Key, kv => kv.Value?.ToJsonString()), Values(current));

    /// Whether the current snapshot differs from the recorded one only by keys the recorded one lacks and that are
    /// null now: columns a later migration added (nullable, null on the rows written before it). A column added with a
    /// non-null value on old rows needs an audited step of its own, like RecordDroppedColumnsAsync.
    internal static bool SameButAddedNulls(string? recorded, string current) =>
        recorded is not null && SameButAddedNulls(Values(recorded), Values(current));

    static bool SameButAddedNulls(Dictionary<string, string?> was, Dictionary<string, string?> now) =>
        was.All(kv => now.TryGetValue(kv.Key, out var v) && v == kv.Value)
        && now.All(kv => was.ContainsKey(kv.Key) || kv.Value is null);

    /// Whether a snapshot recorded before a column became secret (its raw value) equals the current one once that
    /// value is digested as snapshots now hold it.
    static bool SameButSecrets(IEntityType type, string? recorded, string current)
    {
        var secrets = SnapshotWriter.ColumnsOf(type).Where(c => c.Secret).Select(c => c.Property.Name).ToList();
        if (recorded is null || secrets.Count == 0) return false;
        var was = Values(recorded);
        foreach (var name in secrets)
            if (was.TryGetValue(name, out var v) && v is not null && JsonNode.Parse(v)?.GetValue<string>() is { } raw
                && !raw.StartsWith(SnapshotWriter.SecretPrefix, StringComparison.Ordinal))
                was[name] = JsonValue.Create(SnapshotWriter.SecretDigest(raw))!.ToJsonString();
        return SameButAddedNulls(was, Values(current));
    }

    /// Types that entered the chain after installations had rows of them (accounts, ADR 0018). The first migration
    /// that knows them records each existing row once, with a baseline event; rows added behind the application's
    /// back after that are reported as any other.
    static readonly string[] NewlyAudited = [nameof(Account)];
    public const string BaselineEntryType = "AuditBaseline";

    internal static async Task BaselineAsync(BihuanDb db, CancellationToken ct)
    {
        foreach (var type in db.Model.GetEntityTypes().Where(t => NewlyAudited.Contains(TypeName(t))))
        {
            var name = TypeName(type);
            // Events named after the type (e.g. "account created") were written before: only row entries count.
            if (await db.AuditChain<AuditEntry>().AnyAsync(e => (e.EntityType == name && e.Action != AuditAction.Event)
                    || (e.EntityType == BaselineEntryType && e.EntityId == name), ct))
                continue;
            var rows = 0;
            var all = db.AuditChainRows(type.ClrType).AsNoTracking().AsAsyncEnumerable();
            await foreach (var row in all.WithCancellation(ct))
            {
                var entry = db.Entry(row);
                db.PendingEvents.Add(new AuditEntry
                {
                    Actor = db.Actor, EntityType = name, EntityId = KeyOf(entry), Action = AuditAction.Create,
                    After = Snapshot(entry.CurrentValues), Note = "纳入审计链时已有（present when the type entered the chain）",
                    PrevHash = "",
                });
                rows++;
            }
            db.RecordEvent(BaselineEntryType, name,
                $"{name} 纳入审计链：已有 {rows} 条（{name} enters the chain with {rows} rows）");
            await db.SaveChangesAsync(ct);
        }
    }

    static Dictionary<string, string?> Values(string snapshot) =>
        JsonNode.Parse(snapshot)!.AsObject().ToDictionary(kv => kv.Key, kv => kv.Value?.ToJsonString());

    static string KeyOf(IClrPropertyGetter[] getters, object entity) => getters.Length == 1
        ? Format(getters[0].GetClrValue(entity))!
        : string.Join(",", getters.Select(g => Format(g.GetClrValue(entity))));

    /// The generated batch holding an id: batches of a type are appended in id order, so a binary search finds it.
    static GeneratedRange? RangeOf(List<GeneratedRange> ranges, int id)
    {
        int lo = 0, hi = ranges.Count - 1;
        while (lo <= hi)
        {
            var mid = (lo + hi) / 2;
            if (id < ranges[mid].First) hi = mid - 1;
            else if (id > ranges[mid].Last) lo = mid + 1;
            else return ranges[mid];
        }
        return ranges.FirstOrDefault(r => r.First <= id && id <= r.Last); // not in id order after all: look at each
    }

    sealed record GeneratedRange(int First, int Last, string Expected, long Seq, Dataset.GeneratedAudit.Digest Digest, string How);

    static AuditReport Broken(long? seq, long count, string why) =>
        new(false, count, seq, $"审计链已被破坏（chain broken）：{why}");
}
