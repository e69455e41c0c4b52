using System.Data.Common;
using System.Globalization;
using System.Text;
using Microsoft.Data.Sqlite;
using SQLitePCL;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;

namespace Bihuan.Data;

/// Inserts many rows of a mapped entity in one transaction (SQLite: multi-row prepared INSERTs; PostgreSQL: binary
/// COPY), reading columns and value conversions from the EF model (so the rows are exactly what SaveChanges would write). It bypasses change
/// tracking and the audit trail: for generated datasets and benchmarks, never for user input.
public static class BulkInsert
{
    /// Rows get consecutive ids after the table's current maximum (assigned to the entities).
    public static async Task InsertAsync<T>(BihuanDb db, IReadOnlyList<T> rows, CancellationToken ct = default) where T : class
    {
        await AssignIdsAsync(db, rows, ct);
        await WriteAsync(db, rows, ct);
    }

    /// Gives the rows consecutive ids after the table's current maximum (int keys; other keys are the caller's).
    public static async Task AssignIdsAsync<T>(BihuanDb db, IReadOnlyList<T> rows, CancellationToken ct = default) where T : class
    {
        if (rows.Count == 0) return;
        var type = db.Model.FindEntityType(typeof(T)) ?? throw new InvalidOperationException($"{typeof(T).Name} is not mapped");
        var key = type.FindPrimaryKey()!.Properties.Single();
        if (key.ClrType != typeof(int)) return;
        var conn = db.Database.GetDbConnection();
        if (conn.State != System.Data.ConnectionState.Open) await db.Database.OpenConnectionAsync(ct);
        await using var max = conn.CreateCommand();
        max.CommandText = $"SELECT COALESCE(MAX(\"{key.GetColumnName()}\"), 0) FROM \"{type.GetTableName()}\"";
        max.Transaction = db.Database.CurrentTransaction?.GetDbTransaction();
        var next = Convert.ToInt32(await max.ExecuteScalarAsync(ct)) + 1;
        foreach (var r in rows) key.PropertyInfo!.SetValue(r, next++);
    }

    /// Writes rows whose keys are set (AssignIdsAsync).
    public static async Task WriteAsync<T>(BihuanDb db, IReadOnlyList<T> rows, CancellationToken ct = default) where T : class
    {
        if (rows.Count == 0) return;
        var type = db.Model.FindEntityType(typeof(T)) ?? throw new InvalidOperationException($"{typeof(T).Name} is not mapped");
        var table = type.GetTableName()!;
        var key = type.FindPrimaryKey()!.Properties.Single();
        var props = type.GetProperties().Where(p => p.GetColumnName() is not null).ToList();
        var conn = db.Database.GetDbConnection();
        if (conn.State != System.Data.ConnectionState.Open) await db.Database.OpenConnectionAsync(ct);
        var q = (string s) => $"\"{s}\"";

        if (db.Engine == DatabaseEngine.Postgres && conn is NpgsqlConnection npg)
        {
            await CopyAsync(npg, q(table), props, rows, ct);
            if (key.ClrType == typeof(int))
            {
                await using var seq = conn.CreateCommand();
                seq.Transaction = db.Database.CurrentTransaction?.GetDbTransaction();
                seq.CommandText = $"SELECT setval(pg_get_serial_sequence('{q(table)}', '{key.GetColumnName()}'), " +
                                  $"(SELECT MAX({q(key.GetColumnName())}) FROM {q(table)}))";
                await seq.ExecuteScalarAsync(ct);
            }
            return;
        }

        var ownTx = db.Database.CurrentTransaction is null ? await db.Database.BeginTransactionAsync(ct) : null;
        try
        {
            if (conn is SqliteConnection sqlite && props.All(p => SqliteBindable(ProviderType(p))))
                InsertSqlite(sqlite, q(table), props, rows);
            else
                InsertPrepared(db, conn, q(table), props, rows);
            if (ownTx is not null) await ownTx.CommitAsync(ct);
        }
        finally
        {
            if (ownTx is not null) await ownTx.DisposeAsync();
        }
    }

    static Type ProviderType(IProperty p)
    {
        var t = p.GetTypeMapping().Converter?.ProviderClrType ?? p.ClrType;
        return Nullable.GetUnderlyingType(t) ?? t;
    }

    static bool SqliteBindable(Type t) =>
        t == typeof(string) || t == typeof(int) || t == typeof(long) || t == typeof(short) || t == typeof(byte) || t == typeof(bool)
        || t == typeof(double) || t == typeof(float) || t == typeof(DateTime) || t == typeof(DateOnly) || t == typeof(byte[]);

    /// SQLite's limit on variables in one statement (SQLITE_MAX_VARIABLE_NUMBER since 3.32).
    const int MaxVariables = 32_766;
    const int RowsPerStatement = 256;

    /// SQLite: multi-row INSERTs (up to 256 rows a statement) prepared once and bound by position on the raw handle.
    /// Microsoft.Data.Sqlite looks every named parameter up by name on each execution, which costs more than the
    /// insert itself at thousands of parameters. Values are bound as Microsoft.Data.Sqlite binds them (DateTime as
    /// "yyyy-MM-dd HH:mm:ss.FFFFFFF", DateOnly as "yyyy-MM-dd", bool as 0/1), after the model's conversions.
    static void InsertSqlite<T>(SqliteConnection conn, string table, List<IProperty> props, IReadOnlyList<T> rows) where T : class
    {
        var handle = conn.Handle!;
        var columns = props.Select(p => (Getter: p.GetGetter(), Convert: p.GetTypeMapping().Converter)).ToArray();
        var perStatement = Math.Clamp(MaxVariables / columns.Length, 1, RowsPerStatement);
        var head = $"INSERT INTO {table} ({string.Join(", ", props.Select(p => $"\"{p.GetColumnName()}\""))}) VALUES ";
        var tuple = "(" + string.Join(",", Enumerable.Repeat("?", columns.Length)) + ")";
        sqlite3_stmt Prepare(int n)
        {
            Check(raw.sqlite3_prepare_v2(handle, head + string.Join(",", Enumerable.Repeat(tuple, n)), out var stmt), handle);
            return stmt;
        }
        var binder = new SqliteBinder();
        sqlite3_stmt? full = null;
        try
        {
            for (var start = 0; start < rows.Count; start += perStatement)
            {
                var n = Math.Min(perStatement, rows.Count - start);
                var stmt = n == perStatement ? full ??= Prepare(n) : Prepare(n);
                try
                {
                    var index = 1;
                    for (var r = start; r < start + n; r++)
                    {
                        var row = rows[r];
                        foreach (var (getter, convert) in columns)
                        {
                            var v = getter.GetClrValue(row);
                            if (convert is not null && v is not null) v = convert.ConvertToProvider(v);
                            binder.Bind(stmt, index++, v, handle);
                        }
                    }
                    var rc = raw.sqlite3_step(stmt);
                    if (rc != raw.SQLITE_DONE) Check(rc, handle);
                }
                finally
                {
                    raw.sqlite3_reset(stmt);
                    if (stmt != full) stmt.Dispose();
                }
            }
        }
        finally
        {
            full?.Dispose();
        }
    }

    static void Check(int rc, sqlite3 handle)
    {
        if (rc != raw.SQLITE_OK) SqliteException.ThrowExceptionForRC(rc, handle);
    }

    sealed class SqliteBinder
    {
        byte[] utf8 = new byte[1024];
        readonly char[] chars = new char[64];

        public void Bind(sqlite3_stmt stmt, int i, object? v, sqlite3 handle)
        {
            var rc = v switch
            {
                null => raw.sqlite3_bind_null(stmt, i),
                string s => Text(stmt, i, s),
                int x => raw.sqlite3_bind_int64(stmt, i, x),
                long x => raw.sqlite3_bind_int64(stmt, i, x),
                bool x => raw.sqlite3_bind_int64(stmt, i, x ? 1 : 0),
                short x => raw.sqlite3_bind_int64(stmt, i, x),
                byte x => raw.sqlite3_bind_int64(stmt, i, x),
                double x => raw.sqlite3_bind_double(stmt, i, x),
                float x => raw.sqlite3_bind_double(stmt, i, x),
                DateTime d => Text(stmt, i, chars.AsSpan(0, DateText.Sqlite(d, chars))),
                DateOnly d => Text(stmt, i, chars.AsSpan(0, DateText.Date(d, chars))),
                byte[] b => raw.sqlite3_bind_blob(stmt, i, b),
                _ => throw new NotSupportedException($"BulkInsert cannot bind {v.GetType().Name} on SQLite"),
            };
            Check(rc, handle);
        }

        int Text(sqlite3_stmt stmt, int i, ReadOnlySpan<char> s)
        {
            var max = Encoding.UTF8.GetMaxByteCount(s.Length);
            if (max > utf8.Length) utf8 = new byte[Math.Max(max, utf8.Length * 2)];
            var n = Encoding.UTF8.GetBytes(s, utf8);
            return raw.sqlite3_bind_text(stmt, i, utf8.AsSpan(0, n));
        }
    }

    /// Any other provider: one prepared statement, executed per row.
    static void InsertPrepared<T>(BihuanDb db, DbConnection conn, string table, List<IProperty> props, IReadOnlyList<T> rows) where T : class
    {
        using var cmd = conn.CreateCommand();
        cmd.Transaction = db.Database.CurrentTransaction!.GetDbTransaction();
        cmd.CommandText = $"INSERT INTO {table} ({string.Join(", ", props.Select(p => $"\"{p.GetColumnName()}\""))}) " +
                          $"VALUES ({string.Join(", ", props.Select((_, i) => "@p" + i))})";
        var parameters = props.Select((p, i) =>
        {
            var dp = cmd.CreateParameter();
            dp.ParameterName = "@p" + i;
            cmd.Parameters.Add(dp);
            return (Prop: p, Param: dp, Convert: p.GetTypeMapping().Converter);
        }).ToList();
        cmd.Prepare();
        var getters = parameters.Select(p => p.Prop.GetGetter()).ToArray();
        foreach (var row in rows)
        {
            for (var i = 0; i < parameters.Count; i++)
            {
                var v = getters[i].GetClrValue(row);
                if (parameters[i].Convert is { } convert && v is not null) v = convert.ConvertToProvider(v);
                parameters[i].Param.Value = v ?? DBNull.Value;
            }
            cmd.ExecuteNonQuery();
        }
    }

    /// PostgreSQL: binary COPY, the engine's bulk path (one round trip for the whole batch).
    static async Task CopyAsync<T>(NpgsqlConnection conn, string table, List<IProperty> props, IReadOnlyList<T> rows,
        CancellationToken ct) where T : class
    {
        var columns = props.Select(p => (Getter: p.GetGetter(), Convert: p.GetTypeMapping().Converter,
            Type: System.Text.RegularExpressions.Regex.Replace(p.GetRelationalTypeMapping().StoreType, @"\(\d+(,\d+)?\)", ""))).ToArray();
        await using var copy = await conn.BeginBinaryImportAsync(
            $"COPY {table} ({string.Join(", ", props.Select(p => $"\"{p.GetColumnName()}\""))}) FROM STDIN (FORMAT BINARY)", ct);
        foreach (var row in rows)
        {
            await copy.StartRowAsync(ct);
            foreach (var (getter, convert, type) in columns)
            {
                var v = getter.GetClrValue(row);
                if (convert is not null && v is not null) v = convert.ConvertToProvider(v);
                if (v is null) await copy.WriteNullAsync(ct);
                else await copy.WriteAsync(v, type, ct);
            }
        }
        await copy.CompleteAsync(ct);
    }
}
