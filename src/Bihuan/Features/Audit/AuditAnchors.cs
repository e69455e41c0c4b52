using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Bihuan.Data;
using Bihuan.Domain;
using Bihuan.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Bihuan.Features.Audit;

/// One anchor: the chain head (seq, hash) at a time, signed with the anchor key. One JSON line in the anchor directory.
public sealed class AuditAnchor
{
    [JsonPropertyName("seq")] public long Seq { get; init; }
    [JsonPropertyName("hash")] public string Hash { get; init; } = "";
    [JsonPropertyName("at")] public DateTime At { get; init; }
    [JsonPropertyName("suite")] public string Suite { get; init; } = "";
    [JsonPropertyName("alg")] public string Algorithm { get; init; } = "";
    /// Which signing key (the first 16 hex digits of the digest of its public PEM).
    [JsonPropertyName("key")] public string Key { get; init; } = "";
    [JsonPropertyName("node")] public string Node { get; init; } = "";
    [JsonPropertyName("sig")] public string Signature { get; init; } = "";

    /// The signed text: seq, hash and time, nothing a reader could shift between fields.
    public byte[] SignedBytes() => Encoding.UTF8.GetBytes(
        $"bihuan-audit-anchor\n{Seq.ToString(CultureInfo.InvariantCulture)}\n{Hash}\n" +
        At.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ss.ffffffZ", CultureInfo.InvariantCulture));

    public static string KeyIdOf(IChainCrypto crypto, string publicPem) =>
        Convert.ToHexStringLower(crypto.Digest(Encoding.UTF8.GetBytes(publicPem.Trim())))[..16];
}

/// Writes anchors of the chain head to the append-only anchor directory (Bihuan:Audit:AnchorDir) and checks a
/// directory of anchors against the chain: a chain shorter than an anchor was truncated at its tail; an anchored seq
/// whose hash differs belongs to a rebuilt chain (ADR 0018).
public sealed class AuditAnchors(AuditKeys keys, TimeProvider clock)
{
    static readonly JsonSerializerOptions Json = new() { WriteIndented = false };

    /// Appends an anchor of the current head; null when anchors are off or the chain is empty.
    public async Task<AuditAnchor?> WriteAsync(BihuanDb db, string node, CancellationToken ct)
    {
        if (keys.AnchorDir is not { } dir || keys.AnchorKey is not { } key) return null;
        var head = await db.AuditChain<AuditEntry>().AsNoTracking().OrderByDescending(e => e.Seq)
            .Select(e => new { e.Seq, e.Hash }).FirstOrDefaultAsync(ct);
        if (head is null) return null;
        var crypto = keys.Suite;
        var unsigned = new AuditAnchor
        {
            Seq = head.Seq, Hash = head.Hash, At = clock.GetUtcNow().UtcDateTime, Suite = crypto.Suite,
            Algorithm = crypto.SignatureName, Key = AuditAnchor.KeyIdOf(crypto, crypto.PublicKeyOf(key)), Node = node,
        };
        var anchor = new AuditAnchor
        {
            Seq = unsigned.Seq, Hash = unsigned.Hash, At = unsigned.At, Suite = unsigned.Suite,
            Algorithm = unsigned.Algorithm, Key = unsigned.Key, Node = node,
            Signature = Convert.ToBase64String(crypto.Sign(key, unsigned.SignedBytes())),
        };
        // One file per month, opened for append only and flushed to disk before the job reports it written.
        var path = Path.Combine(dir, $"anchors-{ChinaTime.ToCst(anchor.At):yyyy-MM}.jsonl");
        await using var s = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite);
        await s.WriteAsync(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(anchor, Json) + "\n"), ct);
        s.Flush(flushToDisk: true);
        return anchor;
    }

    /// The public keys anchors are checked with: the configured signing key's own, and any given (PEM files).
    public Dictionary<string, string> VerificationKeys(IEnumerable<string> publicKeyPems)
    {
        var crypto = keys.Suite;
        var pems = publicKeyPems.ToList();
        if (keys.AnchorKey is { } own) pems.Add(crypto.PublicKeyOf(own));
        return pems.DistinctBy(p => p.Trim()).ToDictionary(p => AuditAnchor.KeyIdOf(crypto, p), p => p);
    }

    /// Checks every anchor line in `dir` (its *.jsonl files) for its signature and against the chain. `entries`
    /// counts the chain (from the chain's own verification, for the report).
    public static async Task<AuditReport> VerifyAsync(BihuanDb db, string dir,
        IReadOnlyDictionary<string, string> publicKeys,
        long entries, CancellationToken ct)
    {
        if (!Directory.Exists(dir)) return Broken(entries, $"锚点目录 {dir} 不存在");
        var anchors = new List<(AuditAnchor Anchor, string Where)>();
        foreach (var file in Directory.GetFiles(dir, "*.jsonl").Order(StringComparer.Ordinal))
        {
            var n = 0;
            foreach (var line in await File.ReadAllLinesAsync(file, ct))
            {
                n++;
                if (line.Trim().Length == 0) continue;
                var where = $"{Path.GetFileName(file)} 第 {n} 行";
                AuditAnchor? a;
                try { a = JsonSerializer.Deserialize<AuditAnchor>(line, Json); }
                catch (JsonException) { a = null; }
                if (a is null) return Broken(entries, $"锚点 {where} 无法读取");
                if (ChainSuites.Find(a.Suite) is not { } crypto || !publicKeys.TryGetValue(a.Key, out var pem)
                    || !TryBase64(a.Signature, out var sig) || !crypto.VerifySignature(pem, a.SignedBytes(), sig))
                    return Broken(entries, $"锚点 {where} 的签名无效（锚点被伪造或改写，或签名公钥未提供：--public-key）");
                anchors.Add((a, where));
            }
        }
        if (anchors.Count == 0) return Broken(entries, $"锚点目录 {dir} 中没有锚点");

        var head = await db.AuditChain<AuditEntry>().AsNoTracking().MaxAsync(e => (long?)e.Seq, ct) ?? 0;
        var latest = anchors.MaxBy(a => a.Anchor.Seq);
        if (latest.Anchor.Seq > head)
            return Broken(entries, $"审计链尾部被截断（tail truncated）：锚点 {latest.Where} 记录了第 {latest.Anchor.Seq} 条" +
                $"（{ChinaTime.Format(latest.Anchor.At)}），链现在只到第 {head} 条");
        foreach (var chunk in anchors.Chunk(500))
        {
            var seqs = chunk.Select(a => a.Anchor.Seq).Distinct().ToList();
            var hashes = await db.AuditChain<AuditEntry>().AsNoTracking().Where(e => seqs.Contains(e.Seq))
                .ToDictionaryAsync(e => e.Seq, e => e.Hash, ct);
            foreach (var (a, where) in chunk)
                if (hashes.GetValueOrDefault(a.Seq) != a.Hash)
                    return Broken(entries, $"审计链被重建（chain rebuilt）：第 {a.Seq} 条的哈希与锚点 {where}" +
                        $"（{ChinaTime.Format(a.At)}）不符");
        }
        return new AuditReport(true, entries, null,
            $"审计链完整（chain intact），共 {entries} 条记录；{anchors.Count} 个锚点相符（anchors match），" +
            $"最近的锚点为第 {latest.Anchor.Seq} 条（{ChinaTime.Format(latest.Anchor.At)}）");
    }

    static bool TryBase64(string s, out byte[] bytes)
    {
        bytes = new byte[s.Length];
        if (!Convert.TryFromBase64String(s, bytes, out var n)) return false;
        bytes = bytes[..n];
        return true;
    }

    static AuditReport Broken(long entries, string why) => new(false, entries, null, $"审计链已被破坏（chain broken）：{why}");
}

/// Anchors the chain head every Bihuan:Audit:AnchorMinutes (the period is the slot of that many minutes, China time).
public sealed class AuditAnchorJob(AuditAnchors anchors, AuditKeys keys, JobOptions jobs) : IBihuanJob
{
    public string Name => "audit-anchor";

    public string PeriodOf(DateTime nowCst)
    {
        var minutes = Math.Clamp(keys.Options.AnchorMinutes, 1, 24 * 60);
        var slot = nowCst.Date.AddMinutes((int)nowCst.TimeOfDay.TotalMinutes / minutes * minutes);
        return slot.ToString("yyyy-MM-ddTHH:mm", CultureInfo.InvariantCulture);
    }

    public async Task<string> RunAsync(BihuanDb db, string period, CancellationToken ct) =>
        Outcome(await anchors.WriteAsync(db, jobs.Node ?? Environment.MachineName, ct));

    internal static string Outcome(AuditAnchor? a) =>
        a is null ? "未写锚点（未配置锚点目录，或审计链为空） no anchor" : $"anchored #{a.Seq} {a.Hash[..12]}";
}

/// The daily anchor, written with the other daily jobs whatever AnchorMinutes is.
public sealed class AuditDailyAnchorJob(AuditAnchors anchors, JobOptions jobs) : IBihuanJob
{
    public string Name => "audit-anchor-daily";

    public string PeriodOf(DateTime nowCst) => nowCst.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    public async Task<string> RunAsync(BihuanDb db, string period, CancellationToken ct) =>
        AuditAnchorJob.Outcome(await anchors.WriteAsync(db, jobs.Node ?? Environment.MachineName, ct));
}
