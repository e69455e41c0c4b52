using System.Data;
using System.Data.Common;
using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Bihuan.Data;
using Bihuan.Features.Demands;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Bihuan.Infrastructure;

/// What a backup folder holds, written last (a folder without it is an interrupted backup): the database copy and
/// its SHA-256, the row count of every table, the audit chain's head, every evidence file the copy references (with
/// SHA-256 and size), and the ticket counters — all read from the copy's own snapshot, so they describe exactly it.
public sealed class BackupManifest
{
    public const string CurrentFormat = "bihuan-backup/1";
    public string Format { get; init; } = CurrentFormat;
    public DateTime CreatedAt { get; init; }
    public string Engine { get; init; } = "";
    /// The database copy's file name in the folder: bihuan.db (SQLite) or bihuan.dump (pg_dump -Fc).
    public string Database { get; init; } = "";
    public string DatabaseSha256 { get; set; } = "";
    public string? Migration { get; init; }
    public SortedDictionary<string, long> Tables { get; init; } = new(StringComparer.Ordinal);
    public long AuditSeq { get; init; }
    public string? AuditHash { get; init; }
    public List<BackupFile> Files { get; init; } = [];
    /// Files the copy references that the files root lacked or held with other bytes (reported, not copied).
    public List<string> MissingFiles { get; init; } = [];
    public SortedDictionary<string, int> TicketCounters { get; init; } = new(StringComparer.Ordinal);
}

public sealed record BackupFile(string Sha256, long Size);

/// `bihuan backup` and `bihuan restore` (docs/deployment.md, "Backup and restore"). A backup is one folder: a consistent
/// copy of the database (SQLite: VACUUM INTO, a read transaction; PostgreSQL: pg_dump -Fc on a snapshot exported by
/// the transaction that also reads the manifest), then the evidence files that copy references. Files are
/// content-addressed and written before the row citing them commits, and never change, so copying them after the
/// snapshot is consistent. The ticket journal (numbers given to citizens) is copied too. A restore goes into an empty
/// target only, verifies the folder first (database and every file by SHA-256), and the result after (row counts,
/// files, `audit verify`), then moves the ticket counters past every number the journal holds.
public static class Backup
{
    static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public sealed record Outcome(int ExitCode, string Message);

    /// The tables of the model (and the migrations history), the ones the manifest counts.
    static List<string> Tables(BihuanDb db) => db.Model.GetEntityTypes().Select(e => e.GetTableName()).OfType<string>()
        .Append("__EFMigrationsHistory").Distinct().Order(StringComparer.Ordinal).ToList();

    public static async Task<Outcome> CreateAsync(BihuanDb db, DatabaseOptions options, FileStore files, IConfiguration config,
        DirectoryInfo folder, Action<string> say, CancellationToken ct)
    {
        if (folder.Exists && folder.EnumerateFileSystemInfos().Any())
            return new(2, $"{folder.FullName} 已存在且不是空的，不会覆盖 (not empty)");
        folder.Create();
        var tables = Tables(db);
        BackupManifest manifest;
        if (db.Engine == DatabaseEngine.Sqlite)
        {
            var copy = Path.Combine(folder.FullName, "bihuan.db");
            await db.Database.OpenConnectionAsync(ct);
            try
            {
                await using var cmd = db.Database.GetDbConnection().CreateCommand();
                cmd.CommandText = "VACUUM INTO $path";   // one read transaction: a consistent copy while writers go on
                cmd.Parameters.Add(new SqliteParameter("$path", copy));
                await cmd.ExecuteNonQueryAsync(ct);
            }
            finally { await db.Database.CloseConnectionAsync(); }
            await using var conn = new SqliteConnection(new SqliteConnectionStringBuilder
                { DataSource = copy, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
            await conn.OpenAsync(ct);
            manifest = await ReadManifestAsync(conn, null, tables, "Sqlite", "bihuan.db", ct);
        }
        else
        {
            var tools = PgTools.Find(config);
            await using var conn = new NpgsqlConnection(options.ConnectionString);
            await conn.OpenAsync(ct);
            await using var tx = await conn.BeginTransactionAsync(IsolationLevel.RepeatableRead, ct);
            string snapshot;
            await using (var cmd = new NpgsqlCommand("SELECT pg_export_snapshot()", conn, tx))
                snapshot = (string)(await cmd.ExecuteScalarAsync(ct))!;
            // pg_dump reads the snapshot this transaction exported (held open until it is done): the dump and the
            // manifest below describe the same instant.
            var dump = Path.Combine(folder.FullName, "bihuan.dump");
            var run = await tools.RunAsync("pg_dump", options.ConnectionString!,
                ["--format=custom", "--no-owner", "--no-privileges", $"--snapshot={snapshot}", $"--file={dump}"], ct);
            if (run.ExitCode != 0) return new(4, "pg_dump 失败 failed: " + run.Message);
            manifest = await ReadManifestAsync(conn, tx, tables, "Postgres", "bihuan.dump", ct);
            await tx.CommitAsync(ct);
        }
        manifest.DatabaseSha256 = await Sha256Async(Path.Combine(folder.FullName, manifest.Database), ct);

        foreach (var f in manifest.Files.ToList())
        {
            var to = Path.Combine(folder.FullName, "files", f.Sha256[..2], f.Sha256);
            Directory.CreateDirectory(Path.GetDirectoryName(to)!);
            var from = files.PathOf(f.Sha256);
            if (!File.Exists(from)) { manifest.MissingFiles.Add(f.Sha256); continue; }
            File.Copy(from, to);
            if (await Sha256Async(to, ct) != f.Sha256)
            {
                File.Delete(to);
                manifest.MissingFiles.Add(f.Sha256);
            }
        }
        manifest.Files.RemoveAll(f => manifest.MissingFiles.Contains(f.Sha256));
        CopyJournal(Path.Combine(files.Root, "tickets"), Path.Combine(folder.FullName, "tickets"));
        await File.WriteAllTextAsync(Path.Combine(folder.FullName, "manifest.json"), JsonSerializer.Serialize(manifest, Json), ct);

        say($"已备份到 backed up to {folder.FullName}: {manifest.Engine}, {manifest.Tables.Values.Sum():N0} 行 rows in " +
            $"{manifest.Tables.Count} 张表 tables, 审计链 audit head #{manifest.AuditSeq}, {manifest.Files.Count} 个文件 files " +
            $"({manifest.Files.Sum(f => f.Size) / 1024.0 / 1024.0:0.0} MB)");
        if (manifest.MissingFiles.Count == 0) return new(0, "");
        return new(5, $"警告 warning: {manifest.MissingFiles.Count} 个被引用的文件在文件目录中缺失或内容不符，未备份 " +
                      $"(files referenced but missing or altered in the files root): {string.Join(", ", manifest.MissingFiles)}");
    }

    /// Counts, audit head, referenced files and ticket counters, through one connection (and, on PostgreSQL, the
    /// snapshot's transaction).
    static async Task<BackupManifest> ReadManifestAsync(DbConnection conn, DbTransaction? tx, List<string> tables, string engine,
        string database, CancellationToken ct)
    {
        async Task<List<object[]>> Rows(string sql)
        {
            await using var cmd = conn.CreateCommand();
            cmd.Transaction = tx;
            cmd.CommandText = sql;
            await using var r = await cmd.ExecuteReaderAsync(ct);
            var rows = new List<object[]>();
            while (await r.ReadAsync(ct))
            {
                var values = new object[r.FieldCount];
                r.GetValues(values);
                rows.Add(values);
            }
            return rows;
        }
        var counts = new SortedDictionary<string, long>(StringComparer.Ordinal);
        foreach (var t in tables) counts[t] = Convert.ToInt64((await Rows($"SELECT COUNT(*) FROM \"{t}\""))[0][0], CultureInfo.InvariantCulture);
        var head = (await Rows("SELECT \"Seq\", \"Hash\" FROM \"AuditEntries\" ORDER BY \"Seq\" DESC LIMIT 1")).FirstOrDefault();
        var migration = (await Rows("SELECT \"MigrationId\" FROM \"__EFMigrationsHistory\" ORDER BY \"MigrationId\" DESC LIMIT 1"))
            .FirstOrDefault()?[0] as string;
        var fileRows = await Rows("SELECT \"Sha256\", \"Size\" FROM \"Uploads\" ORDER BY \"Sha256\"");
        var counters = await Rows("SELECT \"Day\", \"Last\" FROM \"TicketCounters\"");
        return new BackupManifest
        {
            CreatedAt = DateTime.UtcNow, Engine = engine, Database = database, Migration = migration, Tables = counts,
            AuditSeq = head is null ? 0 : Convert.ToInt64(head[0], CultureInfo.InvariantCulture), AuditHash = head?[1] as string,
            Files = fileRows.Select(r => new BackupFile((string)r[0], Convert.ToInt64(r[1], CultureInfo.InvariantCulture)))
                .DistinctBy(f => f.Sha256).ToList(),
            TicketCounters = new(counters.ToDictionary(r => (string)r[0], r => Convert.ToInt32(r[1], CultureInfo.InvariantCulture)),
                StringComparer.Ordinal),
        };
    }

    public static async Task<Outcome> RestoreAsync(BihuanDb db, DatabaseOptions options, FileStore files, IConfiguration config,
        DirectoryInfo folder, IReadOnlyList<DirectoryInfo> ticketsFrom, Action<string> say, CancellationToken ct)
    {
        // 1. The folder is whole: its manifest, the database copy and every file by SHA-256.
        var manifestPath = Path.Combine(folder.FullName, "manifest.json");
        if (!File.Exists(manifestPath)) return new(2, $"{folder.FullName} 中没有 manifest.json：不是完整的备份 (not a complete backup)");
        var manifest = JsonSerializer.Deserialize<BackupManifest>(await File.ReadAllTextAsync(manifestPath, ct), Json)!;
        if (manifest.Format != BackupManifest.CurrentFormat) return new(2, $"不认识的备份格式 unknown format {manifest.Format}");
        if (manifest.Engine != db.Engine.ToString())
            return new(2, $"备份来自 {manifest.Engine}，当前配置的是 {db.Engine}：请设置 Bihuan__Database__Provider (engine mismatch)");
        var copy = Path.Combine(folder.FullName, manifest.Database);
        if (!File.Exists(copy) || await Sha256Async(copy, ct) != manifest.DatabaseSha256)
            return new(3, $"备份中的数据库文件缺失或已损坏 database copy missing or altered: {copy}");
        foreach (var f in manifest.Files)
        {
            var p = Path.Combine(folder.FullName, "files", f.Sha256[..2], f.Sha256);
            if (!File.Exists(p) || await Sha256Async(p, ct) != f.Sha256) return new(3, $"备份中的文件缺失或已损坏 file missing or altered: {p}");
        }

        // 2. Only into an empty target: nothing is overwritten.
        if (Directory.Exists(files.Root) && Directory.EnumerateFiles(files.Root, "*", SearchOption.AllDirectories).Any())
            return new(2, $"文件目录 {files.Root} 不是空的，拒绝恢复 (files root not empty)");
        if (db.Engine == DatabaseEngine.Sqlite)
        {
            var target = new SqliteConnectionStringBuilder(db.Database.GetConnectionString()).DataSource;
            if (new FileInfo(target) is { Exists: true, Length: > 0 } || File.Exists(target + "-wal"))
                return new(2, $"数据库文件 {target} 已存在且不是空的，拒绝恢复 (database not empty)");
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(target))!);
            File.Copy(copy, target, overwrite: true);
            await db.Database.OpenConnectionAsync(ct);
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", ct);
            await db.Database.CloseConnectionAsync();
        }
        else
        {
            if (await PostgresTargetAsync(options.ConnectionString!, ct) is { } refused) return new(2, refused);
            var run = await PgTools.Find(config).RunAsync("pg_restore", options.ConnectionString!,
                ["--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction", $"--dbname={new NpgsqlConnectionStringBuilder(options.ConnectionString).Database}", copy], ct);
            if (run.ExitCode != 0) return new(4, "pg_restore 失败 failed: " + run.Message);
        }
        foreach (var f in manifest.Files)
        {
            var to = files.PathOf(f.Sha256);
            Directory.CreateDirectory(Path.GetDirectoryName(to)!);
            File.Copy(Path.Combine(folder.FullName, "files", f.Sha256[..2], f.Sha256), to);
        }
        var journal = Path.Combine(files.Root, "tickets");
        CopyJournal(Path.Combine(folder.FullName, "tickets"), journal);
        foreach (var d in ticketsFrom)
            CopyJournal(Directory.Exists(Path.Combine(d.FullName, "tickets")) ? Path.Combine(d.FullName, "tickets") : d.FullName, journal);

        // 3. What was restored is what was backed up: counts, files, the audit chain.
        var problems = new List<string>();
        var conn = db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync(ct);
        BackupManifest restored;
        try { restored = await ReadManifestAsync(conn, null, Tables(db), manifest.Engine, manifest.Database, ct); }
        finally { await db.Database.CloseConnectionAsync(); }
        foreach (var (t, n) in manifest.Tables)
            if (restored.Tables.GetValueOrDefault(t, -1) != n) problems.Add($"{t}: 备份 {n} 行，恢复后 {restored.Tables.GetValueOrDefault(t, -1)} 行");
        if (restored.AuditSeq != manifest.AuditSeq || restored.AuditHash != manifest.AuditHash)
            problems.Add($"审计链头 audit head #{restored.AuditSeq} ≠ #{manifest.AuditSeq}");
        foreach (var f in manifest.Files)
            if (!File.Exists(files.PathOf(f.Sha256)) || await Sha256Async(files.PathOf(f.Sha256), ct) != f.Sha256)
                problems.Add($"文件 file {f.Sha256}");
        var audit = await AuditTrail.VerifyAsync(db, ct);
        if (!audit.Intact) problems.Add("audit verify: " + audit.Message);
        if (problems.Count > 0) return new(3, "恢复后校验不一致 verification failed:\n  " + string.Join("\n  ", problems));

        // 4. No ticket number given out before (after the backup point too, when the journal has it) is given again.
        var moved = new List<string>();
        foreach (var (day, highest) in TicketJournal.HighestPerDay(journal))
        {
            var had = restored.TicketCounters.GetValueOrDefault(day);
            if (highest <= had) continue;
            await PortalCommands.CounterAsync(db, day, highest, ct);
            moved.Add($"{day}: {had} → {highest}");
        }
        say($"已恢复 restored {manifest.Tables.Values.Sum():N0} 行 rows, {manifest.Files.Count} 个文件 files from {folder.FullName} " +
            $"(backup of {manifest.CreatedAt:yyyy-MM-dd HH:mm:ss} UTC); 行数、文件 SHA-256 与 {audit.Message} 均与备份一致 (verified).");
        say(moved.Count == 0
            ? "票号计数器无需调整 ticket counters: no number was given out after the backup point (as far as the journal knows)."
            : "以下日期在备份之后发出过受理编号，这些群众诉求不在恢复的数据中，请与 12345 核对；计数器已调到其后，不会重号 " +
              "(numbers issued after the backup point; counters moved past them): " + string.Join("; ", moved));
        return new(0, "");
    }

    /// Null when the PostgreSQL target is an empty database (created here when it does not exist), else why not.
    static async Task<string?> PostgresTargetAsync(string connectionString, CancellationToken ct)
    {
        var target = new NpgsqlConnectionStringBuilder(connectionString);
        try
        {
            await using var conn = new NpgsqlConnection(connectionString);
            await conn.OpenAsync(ct);
            await using var cmd = new NpgsqlCommand(
                "SELECT COUNT(*) FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')", conn);
            var n = Convert.ToInt64(await cmd.ExecuteScalarAsync(ct), CultureInfo.InvariantCulture);
            return n == 0 ? null : $"数据库 {target.Database} 已有 {n} 张表，拒绝恢复 (database not empty): 请恢复到新建的空库";
        }
        catch (PostgresException e) when (e.SqlState == "3D000")
        {
            await using var admin = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Database = "postgres" }.ToString());
            await admin.OpenAsync(ct);
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{target.Database!.Replace("\"", "\"\"", StringComparison.Ordinal)}\"", admin);
            await create.ExecuteNonQueryAsync(ct);
            NpgsqlConnection.ClearAllPools();
            return null;
        }
    }

    /// Copies a ticket journal's files (tickets/yyyyMMdd/*.log) into another; of two files with one name the longer
    /// is kept (a journal file only grows).
    static void CopyJournal(string from, string to)
    {
        if (!Directory.Exists(from)) return;
        foreach (var f in Directory.EnumerateFiles(from, "*.log", SearchOption.AllDirectories))
        {
            var dest = Path.Combine(to, Path.GetRelativePath(from, f));
            if (File.Exists(dest) && new FileInfo(dest).Length >= new FileInfo(f).Length) continue;
            Directory.CreateDirectory(Path.GetDirectoryName(dest)!);
            File.Copy(f, dest, overwrite: true);
        }
    }

    static async Task<string> Sha256Async(string path, CancellationToken ct)
    {
        await using var s = File.OpenRead(path);
        return Convert.ToHexStringLower(await SHA256.HashDataAsync(s, ct));
    }
}

/// pg_dump and pg_restore: from Bihuan:Backup:PgBin (a directory), else on PATH, else the newest
/// /usr/lib/postgresql/*/bin (Debian's postgresql packages). Connection settings go in PG* environment variables, never
/// on the command line (a password there would show in the process list).
public sealed class PgTools(string? bin)
{
    public static PgTools Find(IConfiguration config)
    {
        if (config["Bihuan:Backup:PgBin"] is { Length: > 0 } configured) return new(configured);
        var onPath = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
            .FirstOrDefault(d => d.Length > 0 && File.Exists(Path.Combine(d, "pg_dump")));
        if (onPath is not null) return new(onPath);
        var debian = Directory.Exists("/usr/lib/postgresql")
            ? Directory.EnumerateDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin"))
                .Where(d => File.Exists(Path.Combine(d, "pg_dump")))
                .OrderByDescending(d => int.TryParse(Path.GetFileName(Path.GetDirectoryName(d)), out var v) ? v : 0).FirstOrDefault()
            : null;
        return new(debian);
    }

    /// Whether the tool is there (a test without the PostgreSQL client tools skips, or fails when they are required).
    public bool Has(string tool) => bin is not null && File.Exists(Path.Combine(bin, tool));

    public async Task<Backup.Outcome> RunAsync(string tool, string connectionString, IEnumerable<string> args, CancellationToken ct)
    {
        if (!Has(tool))
            return new(127, $"找不到 {tool}：请安装 PostgreSQL 客户端（Debian: apt-get install postgresql-client），" +
                            $"或设置 Bihuan__Backup__PgBin 为其所在目录 ({tool} not found)");
        var cs = new NpgsqlConnectionStringBuilder(connectionString);
        var psi = new ProcessStartInfo(Path.Combine(bin!, tool), args)
            { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.Environment["PGHOST"] = cs.Host;
        psi.Environment["PGPORT"] = cs.Port.ToString(CultureInfo.InvariantCulture);
        psi.Environment["PGUSER"] = cs.Username;
        psi.Environment["PGDATABASE"] = cs.Database;
        if (cs.Password is { Length: > 0 } pw) psi.Environment["PGPASSWORD"] = pw;
        psi.Environment["PGSSLMODE"] = cs.SslMode switch
        {
            SslMode.Disable => "disable", SslMode.Allow => "allow", SslMode.Require => "require",
            SslMode.VerifyCA => "verify-ca", SslMode.VerifyFull => "verify-full", _ => "prefer",
        };
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync(ct);
        var stderr = p.StandardError.ReadToEndAsync(ct);
        await p.WaitForExitAsync(ct);
        return new(p.ExitCode, (await stdout + await stderr).Trim());
    }
}
