using System.Text;
using Bihuan.Domain;

namespace Bihuan.Features.Audit;

/// Bihuan:Audit settings (ADR 0018). Every key lives outside the database: whoever can write the database must not
/// also hold what the chain is keyed with or what the anchors are signed with.
public sealed class AuditOptions
{
    /// The chain key file: one key per line ("Standard base64", the last is current). BIHUAN_AUDIT_KEY (the same
    /// lines, comma-separated) takes its place when set. Development default: data/audit/chain.key.
    public string? KeyFile { get; set; }
    /// The anchor signing key (PEM); BIHUAN_AUDIT_ANCHOR_KEY (PEM text) takes its place when set.
    /// Development default: data/audit/anchor-signing.pem (its public half beside it, anchor-public.pem).
    public string? AnchorKeyFile { get; set; }
    /// The append-only directory the anchors go to (one JSON line per anchor). Development default:
    /// data/audit/anchors; elsewhere no anchors until it is set (a warning at start).
    public string? AnchorDir { get; set; }
    /// How often the chain head is anchored (the anchor job's period), besides once a day.
    public int AnchorMinutes { get; set; } = 15;
}

/// The chain keys and the anchor signing key of this installation, loaded (and, on first start, made) from files or
/// environment variables, never from the database.
public sealed class AuditKeys
{
    public const string KeyVariable = "BIHUAN_AUDIT_KEY";
    public const string AnchorKeyVariable = "BIHUAN_AUDIT_ANCHOR_KEY";

    public AuditOptions Options { get; }
    public IChainCrypto Suite { get; }
    public ChainKeyRing Ring { get; }
    /// The key file, or null when the keys come from BIHUAN_AUDIT_KEY (a rotation is then the operator's).
    public string? KeyFile { get; }
    /// The anchor signing key (PEM), or null when anchors are off.
    public string? AnchorKey { get; }
    public string? AnchorDir { get; }

    public AuditKeys(IConfiguration config, IHostEnvironment env)
    {
        Options = config.GetSection("Bihuan:Audit").Get<AuditOptions>() ?? new AuditOptions();
        var suiteName = config["Bihuan:Crypto:Suite"];
        Suite = ChainSuites.Find(suiteName) ?? throw new InvalidOperationException(
            $"Bihuan:Crypto:Suite '{suiteName}' is not a suite of this build " +
            $"(known: {string.Join(", ", ChainSuites.Names)})");
        var dev = env.IsDevelopment();
        var dataDir = Path.Combine(env.ContentRootPath, "data", "audit");

        if (Environment.GetEnvironmentVariable(KeyVariable) is { Length: > 0 } fromEnv)
            Ring = new ChainKeyRing(() => ParseKeys(fromEnv.Split(',')), $"environment {KeyVariable}");
        else
        {
            KeyFile = Options.KeyFile is { Length: > 0 } f ? f : dev ? Path.Combine(dataDir, "chain.key")
                : throw new InvalidOperationException(
                    $"审计链密钥未配置 (audit chain key not configured): set Bihuan:Audit:KeyFile (Bihuan__Audit__KeyFile) " +
                    $"to a file outside the database, or {KeyVariable}. A missing file is created with a new key.");
            CreateOnce(KeyFile, () => ChainKey.New(Suite).ToLine() + "\n");
            var file = KeyFile;
            Ring = new ChainKeyRing(() => ParseKeys(File.ReadAllLines(file)), file);
        }

        AnchorDir = Options.AnchorDir is { Length: > 0 } d ? d : dev ? Path.Combine(dataDir, "anchors") : null;
        if (AnchorDir is null) return;
        Directory.CreateDirectory(AnchorDir);
        if (Environment.GetEnvironmentVariable(AnchorKeyVariable) is { Length: > 0 } pem) AnchorKey = pem;
        else
        {
            var keyFile = Options.AnchorKeyFile is { Length: > 0 } k ? k
                : dev ? Path.Combine(dataDir, "anchor-signing.pem")
                : throw new InvalidOperationException(
                    $"锚点签名密钥未配置 (anchor signing key not configured): " +
                    $"set Bihuan:Audit:AnchorKeyFile or {AnchorKeyVariable}");
            CreateOnce(keyFile, Suite.NewSigningKey);
            AnchorKey = File.ReadAllText(keyFile);
            var pub = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(keyFile))!, "anchor-public.pem");
            CreateOnce(pub, () => Suite.PublicKeyOf(AnchorKey));
        }
    }

    static List<ChainKey> ParseKeys(IEnumerable<string> lines) =>
        [.. lines.Select(ChainKey.Parse).OfType<ChainKey>()];

    /// Adds a new current key to the key file (the chain records the rotation at its next write, or at once through
    /// AuditTrail.EnsureKeyedAsync). Refused when the keys come from the environment: the operator appends one there.
    public ChainKey Rotate()
    {
        if (KeyFile is null)
            throw new InvalidOperationException($"密钥来自环境变量 {KeyVariable}：请把新密钥（`Standard` 与 32 字节 base64）" +
                "以逗号追加到该变量并重启各节点；应用在下一次写入时记录轮换 (keys come from the environment: append one there)");
        var key = ChainKey.New(Suite);
        File.AppendAllText(KeyFile, key.ToLine() + "\n");
        Ring.Reload();
        return key;
    }

    /// Writes a new file (owner-only on Unix) unless it exists; two processes starting at once keep the first one's.
    static void CreateOnce(string path, Func<string> content)
    {
        if (File.Exists(path)) return;
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var temp = $"{path}.{Guid.NewGuid():N}.tmp";
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using (var s = new FileStream(temp, options))
            s.Write(Encoding.UTF8.GetBytes(content()));
        try { File.Move(temp, path, overwrite: false); }
        catch (IOException) when (File.Exists(path)) { File.Delete(temp); }
    }
}
