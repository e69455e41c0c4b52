using System.Data.Common;
using System.Diagnostics;
using Microsoft.EntityFrameworkCore;

namespace Bihuan.Data.Dataset;

/// A bulk load into a fresh SQLite database that nobody else uses yet: for its length, no fsync, a large page cache
/// and temporary b-trees in memory, and the secondary indexes of the loaded tables dropped — then recreated from their
/// own CREATE INDEX text in sqlite_master (one sort each instead of a b-tree insert per row, and exactly the indexes
/// the migrations made). Finish restores both; a load that fails half-way leaves a database to delete anyway.
public sealed class SqliteLoad
{
    readonly DbConnection conn;
    readonly List<(string Table, string Name, string Sql)> dropped = [];
    readonly List<(string Pragma, string Value)> saved = [];

    SqliteLoad(DbConnection conn) => this.conn = conn;

    /// Settings that are only safe while nobody else reads or writes, and that a crash may not leave behind. A large
    /// page cache and temp_store=MEMORY were measured too and left out: the loaded tables only grow at their right
    /// edge, and both made CREATE INDEX 2–3× slower (one huge in-memory sort instead of sorted runs merged from temp
    /// files).
    static readonly (string Pragma, string Value)[] LoadPragmas =
    [
        ("journal_mode", "MEMORY"), // written once, not to the WAL and again at each checkpoint; rollback still works
        ("synchronous", "OFF"),
        // Generated rows refer only to rows generated before them (the dataset tests run foreign_key_check); a lookup
        // in each parent table for every row is a fifth of the insert time.
        ("foreign_keys", "OFF"),
    ];

    public static async Task<SqliteLoad> BeginAsync(BihuanDb db, IEnumerable<string> tables, CancellationToken ct)
    {
        await db.Database.OpenConnectionAsync(ct); // the settings belong to this connection: keep it for the load
        var load = new SqliteLoad(db.Database.GetDbConnection());
        foreach (var (pragma, value) in LoadPragmas)
        {
            load.saved.Add((pragma, Convert.ToString(await load.ScalarAsync($"PRAGMA {pragma}", ct), System.Globalization.CultureInfo.InvariantCulture)!));
            await load.ExecAsync($"PRAGMA {pragma}={value}", ct);
        }
        var names = tables.ToHashSet(StringComparer.Ordinal);
        await using (var cmd = load.conn.CreateCommand())
        {
            // sql is null for the indexes behind PRIMARY KEY / UNIQUE constraints: those stay.
            cmd.CommandText = "SELECT tbl_name, name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL ORDER BY rowid";
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct))
                if (names.Contains(r.GetString(0))) load.dropped.Add((r.GetString(0), r.GetString(1), r.GetString(2)));
        }
        foreach (var (_, name, _) in load.dropped) await load.ExecAsync($"DROP INDEX \"{name}\"", ct);
        return load;
    }

    /// Recreates the dropped indexes and restores the settings; returns the seconds spent on each table's indexes.
    public async Task<Dictionary<string, double>> FinishAsync(Action<string>? progress, CancellationToken ct)
    {
        var seconds = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var table in dropped.GroupBy(d => d.Table))
        {
            var sw = Stopwatch.StartNew();
            foreach (var (_, _, sql) in table) await ExecAsync(sql, ct);
            seconds[table.Key] = sw.Elapsed.TotalSeconds;
            progress?.Invoke($"索引 {table.Key}: {table.Count()} indexes rebuilt in {sw.Elapsed.TotalSeconds:0.0} s");
        }
        dropped.Clear();
        foreach (var (pragma, value) in saved) await ExecAsync($"PRAGMA {pragma}={value}", ct);
        saved.Clear();
        return seconds;
    }

    async Task ExecAsync(string sql, CancellationToken ct)
    {
        await using var cmd = conn.CreateCommand();
        cmd.CommandText = sql;
        cmd.CommandTimeout = 0;
        await cmd.ExecuteNonQueryAsync(ct);
    }

    async Task<object?> ScalarAsync(string sql, CancellationToken ct)
    {
        await using var cmd = conn.CreateCommand();
        cmd.CommandText = sql;
        return await cmd.ExecuteScalarAsync(ct);
    }
}
