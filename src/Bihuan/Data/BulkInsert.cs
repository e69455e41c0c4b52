using System.Data.Common;
using Microsoft.EntityFrameworkCore;
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
            foreach (var row in rows)
            {
                foreach (var (prop, param, convert) in parameters)
                {
                    var v = prop.GetGetter().GetClrValue(row);
                    if (convert is not null && v is not null) v = convert.ConvertToProvider(v);
                    param.Value = v ?? DBNull.Value;
                }
                await cmd.ExecuteNonQueryAsync(ct);
            }
            if (db.Engine == DatabaseEngine.Postgres && key.ClrType == typeof(int))
            {
                await using var seq = conn.CreateCommand();
                seq.Transaction = cmd.Transaction;
                seq.CommandText = $"SELECT setval(pg_get_serial_sequence('{q(table)}', '{key.GetColumnName()}'), " +
                                  $"(SELECT MAX({q(key.GetColumnName())}) FROM {q(table)}))";
                await seq.ExecuteScalarAsync(ct);
            }
            if (ownTx is not null) await ownTx.CommitAsync(ct);
        }
        finally
        {
            if (ownTx is not null) await ownTx.DisposeAsync();
        }
    }
}
