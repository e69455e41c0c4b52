using System.Security.Cryptography;

namespace Bihuan.Domain;

/// The cryptography behind the audit chain and its anchors, as one suite (Bihuan:Crypto:Suite, ADR 0018): a keyed
/// MAC for the chain links, a digest, and signatures for the anchors. A suite is named in every key line and every
/// anchor it makes, so a chain may change suites at a key rotation and stay verifiable. Standard is built on .NET
/// alone; a Guomi suite (HMAC-SM3, SM3, SM2 via BouncyCastle) registers itself in ChainSuites beside it.
public interface IChainCrypto
{
    /// The name written with keys and anchors ("Standard").
    string Suite { get; }
    /// The algorithms, as the audit entries and docs name them (e.g. "HMAC-SHA256", "ECDSA-P256-SHA256").
    string MacName { get; }
    string SignatureName { get; }
    byte[] Mac(byte[] key, ReadOnlySpan<byte> data);
    byte[] Digest(ReadOnlySpan<byte> data);
    /// A new signing key as PEM text (the private key; keep it outside the database).
    string NewSigningKey();
    /// The public half of a signing key, as PEM text (for auditors who verify anchors without the private key).
    string PublicKeyOf(string privateKeyPem);
    byte[] Sign(string privateKeyPem, ReadOnlySpan<byte> data);
    /// Whether `signature` over `data` was made by the key whose public (or private) PEM is `keyPem`.
    bool VerifySignature(string keyPem, ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature);
}

/// HMAC-SHA256 links, SHA-256 digests, ECDSA P-256 (SHA-256, IEEE P1363 signatures) anchors: .NET built-ins only.
public sealed class StandardChainCrypto : IChainCrypto
{
    public string Suite => "Standard";
    public string MacName => "HMAC-SHA256";
    public string SignatureName => "ECDSA-P256-SHA256";

    public byte[] Mac(byte[] key, ReadOnlySpan<byte> data) => HMACSHA256.HashData(key, data);

    public byte[] Digest(ReadOnlySpan<byte> data) => SHA256.HashData(data);

    public string NewSigningKey()
    {
        using var k = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        return k.ExportPkcs8PrivateKeyPem();
    }

    public string PublicKeyOf(string privateKeyPem)
    {
        using var k = ECDsa.Create();
        k.ImportFromPem(privateKeyPem);
        return k.ExportSubjectPublicKeyInfoPem();
    }

    public byte[] Sign(string privateKeyPem, ReadOnlySpan<byte> data)
    {
        using var k = ECDsa.Create();
        k.ImportFromPem(privateKeyPem);
        return k.SignData(data, HashAlgorithmName.SHA256);
    }

    public bool VerifySignature(string keyPem, ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature)
    {
        using var k = ECDsa.Create();
        try { k.ImportFromPem(keyPem); }
        catch (ArgumentException) { return false; }
        catch (CryptographicException) { return false; }
        return k.VerifyData(data, signature, HashAlgorithmName.SHA256);
    }
}

/// The suites this build knows, by name (Bihuan:Crypto:Suite picks the one new keys are made with).
public static class ChainSuites
{
    static readonly Dictionary<string, IChainCrypto> Known = new(StringComparer.OrdinalIgnoreCase)
    {
        ["Standard"] = new StandardChainCrypto(),
    };

    public static IChainCrypto? Find(string? name) =>
        Known.GetValueOrDefault(string.IsNullOrWhiteSpace(name) ? "Standard" : name);

    public static IReadOnlyCollection<string> Names => Known.Keys;

    /// A later suite (Guomi) adds itself here at start-up.
    public static void Register(IChainCrypto suite) => Known[suite.Suite] = suite;
}

/// One chain key: its suite, its secret and an id derived from both (MAC of a fixed text), so an entry can name the
/// key that made it without revealing anything that helps forge one.
public sealed class ChainKey
{
    public IChainCrypto Crypto { get; }
    public string Id { get; }
    readonly byte[] _secret;

    public ChainKey(IChainCrypto crypto, byte[] secret)
    {
        if (secret.Length < 32) throw new ArgumentException("an audit chain key has at least 32 bytes", nameof(secret));
        Crypto = crypto;
        _secret = secret;
        Id = Convert.ToHexStringLower(crypto.Mac(secret, "bihuan audit chain key id"u8))[..16];
    }

    /// How an entry names its key: "Standard:3fa9…".
    public string Name => $"{Crypto.Suite}:{Id}";

    public string Mac(ReadOnlySpan<byte> data) => Convert.ToHexStringLower(Crypto.Mac(_secret, data));

    public static ChainKey New(IChainCrypto crypto) => new(crypto, RandomNumberGenerator.GetBytes(32));

    /// One line of a key file: "Standard base64secret".
    public string ToLine() => $"{Crypto.Suite} {Convert.ToBase64String(_secret)}";

    /// A key line (or a bare base64 secret, Standard) read back; null when it is not one.
    public static ChainKey? Parse(string line)
    {
        var parts = line.Trim().Split(' ', 2, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (parts.Length == 0 || parts[0].StartsWith('#')) return null;
        var (suite, secret) = parts.Length == 2
            ? (ChainSuites.Find(parts[0]), parts[1]) : (ChainSuites.Find(null), parts[0]);
        if (suite is null)
            throw new FormatException($"unknown crypto suite '{parts[0]}' " +
                $"(known: {string.Join(", ", ChainSuites.Names)})");
        var bytes = new byte[secret.Length];
        if (!Convert.TryFromBase64String(secret, bytes, out var n) || n < 32)
            throw new FormatException("an audit chain key is base64 of at least 32 bytes");
        return new ChainKey(suite, bytes[..n]);
    }
}

/// The chain keys this process holds (the last one is current), loaded from outside the database and reloaded when
/// another process (a `bihuan audit rotate-key`) may have added one. Unkeyed: a context built without the app's
/// services (benchmarks, tools) — it writes the legacy plain SHA-256 links and cannot verify keyed ones.
public sealed class ChainKeyRing
{
    readonly Func<IReadOnlyList<ChainKey>> _load;
    readonly Lock _lock = new();
    IReadOnlyList<ChainKey> _keys;

    public ChainKeyRing(Func<IReadOnlyList<ChainKey>> load, string source)
    {
        _load = load;
        _keys = load();
        Source = source;
    }

    public static readonly ChainKeyRing Unkeyed = new(() => [], "none");

    /// Where the keys come from (a file path or "environment BIHUAN_AUDIT_KEY"), for messages.
    public string Source { get; }
    public IReadOnlyList<ChainKey> Keys { get { lock (_lock) return _keys; } }
    public ChainKey? Current => Keys.Count == 0 ? null : Keys[^1];
    public ChainKey? Find(string id) => Keys.FirstOrDefault(k => k.Id == id);

    sealed record Head(long Seq, string Hash, ChainKey Key);
    volatile Head? _appended;

    /// The head this process last appended with the current key: the next append need not read that entry again.
    public void MarkAppended(long seq, string hash)
    {
        if (Current is { } k) _appended = new Head(seq, hash, k);
    }

    public bool IsLastAppended(long seq, string hash) =>
        _appended is { } h && h.Seq == seq && h.Hash == hash && ReferenceEquals(h.Key, Current);

    public void Reload()
    {
        var keys = _load();
        lock (_lock) _keys = keys;
    }

    /// The "key introduced / rotated" entry's EntityType; its EntityId is the key's Name.
    public const string KeyEntryType = "AuditKey";

    /// Parses a key entry's EntityId ("Standard:3fa9…") into its suite and id.
    public static bool TryKeyName(string entityId, out string suite, out string id)
    {
        var i = entityId.IndexOf(':');
        (suite, id) = i > 0 ? (entityId[..i], entityId[(i + 1)..]) : ("", "");
        return i > 0;
    }
}
