using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;

namespace Bihuan.Data;

/// Inserts many rows of a mapped entity with one prepared statement in one transaction, reading columns and value
/// conversions from the EF model (so the rows are exactly what SaveChanges would write). It bypasses change
/// tracking and the audit trail: for generated datasets and benchmarks, never for user input.
public static class BulkInsert
{
    /// Rows get consecutive ids after the table's current maximum (assigned to the entities).
    public static async Task InsertAsync<T>(BihuanDb db, IReadOnlyList<T> rows, CancellationToken ct = default) where T : class
    {
        if (rows.Count == 0) return;
        var type = db.Model.FindEntityType(typeof(T)) ?? throw new InvalidOperationException($"{typeof(T).Name} is not mapped");
        var table = type.GetTableName()!;
        var key = type.FindPrimaryKey()!.Properties.Single();
        var props = type.GetProperties().Where(p => p.GetColumnName() is not null).ToList();
        var conn = db.Database.GetDbConnection();
        if (conn.State != System.Data.ConnectionState.Open) await db.Database.OpenConnectionAsync(ct);
        var q = (string s) => $"\"{s}\"";

        if (key.ClrType == typeof(int))
        {
            await using var max = conn.CreateCommand();
            max.CommandText = $"SELECT COALESCE(MAX({q(key.GetColumnName())}), 0) FROM {q(table)}";
            max.Transaction = db.Database.CurrentTransaction?.GetDbTransaction();
            var next = Convert.ToInt32(await max.ExecuteScalarAsync(ct)) + 1;
            foreach (var r in rows) key.PropertyInfo!.SetValue(r, next++);
        }

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
            await using var cmd = conn.CreateCommand();
            cmd.Transaction = db.Database.CurrentTransaction!.GetDbTransaction();
            cmd.CommandText = $"INSERT INTO {q(table)} ({string.Join(", ", props.Select(p => q(p.GetColumnName())))}) " +
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
                // SQLite's async calls complete synchronously anyway; the sync call saves a state machine per row.
                cmd.ExecuteNonQuery();
            }
            if (ownTx is not null) await ownTx.CommitAsync(ct);
        }
        finally
        {
            if (ownTx is not null) await ownTx.DisposeAsync();
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
