using Bihuan.Data;
using Bihuan.Data.Dataset;
using Bihuan.Domain;
using Bihuan.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Bihuan.IntegrationTests;

/// `bihuan bench seed`: the generator fills an empty database through the model, deterministically, with every
/// state present; the audit chain covers every generated row (a batch entry with a digest) so `audit verify` is
/// intact after generation and catches a generated row changed behind the app's back.
public abstract class DatasetTestsBase(Func<BihuanFactory> factory)
{
    protected BihuanFactory App => factory();

    [SkippableFact]
    public async Task SmallScale_IsComplete_Deterministic_AndCoveredByTheAuditChain()
    {
        var (db, scope) = App.SystemDb();
        using (scope)
        {
            // The demo has loaded orgs into this database: the generator refuses a database that is not empty.
            await Assert.ThrowsAsync<DomainException>(() => new DatasetGenerator(db, DatasetScale.Small, 42).RunAsync());

            await using var empty = await EmptyDatabase();
            var tables = await new DatasetGenerator(empty.Db, DatasetScale.Small, 42).RunAsync();
            Assert.All(tables, t => Assert.True(t.Rows > 0, t.Table));
            var s = DatasetScale.Small;
            var districts = s.DistrictsPerCity;
            var expectedOrgs = 1 + s.CityDepartments * (1 + s.BranchesPerDepartment)
                + districts * (1 + s.DepartmentsPerDistrict * (1 + s.BranchesPerDepartment) + s.StreetsPerDistrict
                    * (1 + s.CommunitiesPerStreet * (1 + s.BranchesPerCommunity)));
            Assert.Equal(expectedOrgs, await empty.Db.Orgs.CountAsync());
            Assert.Equal(s.Problems, await empty.Db.Problems.CountAsync());
            Assert.Equal(Enum.GetValues<RectStatus>().Order(), (await empty.Db.RectItems.Select(i => i.Status).Distinct().ToListAsync()).Order());
            Assert.Equal(Enum.GetValues<DeadlineKind>().Order(), (await empty.Db.RectItems.Select(i => i.DeadlineKind).Distinct().ToListAsync()).Order());
            // every org's path agrees with its parent's
            var orgs = await empty.Db.Orgs.ToDictionaryAsync(o => o.Id);
            Assert.All(orgs.Values.Where(o => o.ParentId is not null), o => Assert.Equal(orgs[o.ParentId!.Value].SelfPath, o.Path));

            var report = await AuditTrail.VerifyAsync(empty.Db);
            Assert.True(report.Intact, report.Message);
            Assert.True(await empty.Db.AuditEntries.CountAsync(e => e.Action == AuditAction.Generated) >= 5);

            // Same seed, same rows.
            await using var again = await EmptyDatabase();
            await new DatasetGenerator(again.Db, DatasetScale.Small, 42).RunAsync();
            Assert.Equal(await empty.Db.Orgs.OrderBy(o => o.Id).Select(o => o.Name + o.Code).ToListAsync(),
                await again.Db.Orgs.OrderBy(o => o.Id).Select(o => o.Name + o.Code).ToListAsync());
            Assert.Equal(await empty.Db.Problems.OrderBy(p => p.Id).Select(p => p.Description).ToListAsync(),
                await again.Db.Problems.OrderBy(p => p.Id).Select(p => p.Description).ToListAsync());

            // A generated row changed behind the app's back breaks the batch digest.
            var victim = await empty.Db.RectItems.OrderBy(i => i.Id).Skip(7).Select(i => i.Id).FirstAsync();
            await empty.Db.RectItems.Where(i => i.Id == victim).ExecuteUpdateAsync(u => u.SetProperty(i => i.Percent, i => 100 - i.Percent + 1));
            var broken = await AuditTrail.VerifyAsync(empty.Db);
            Assert.False(broken.Intact);
            Assert.Contains("RectItem", broken.Message);
        }
    }

    /// On SQLite the load drops the secondary indexes of the tables it fills and relaxes the connection's settings;
    /// afterwards the schema is the migrated one, byte for byte, and the settings are the app's again.
    [SkippableFact]
    public async Task SqliteLoad_LeavesTheMigratedSchema_Settings_AndReferencesIntact()
    {
        Skip.If(App.Engine != DatabaseEngine.Sqlite, "SQLite only: PostgreSQL loads with COPY and keeps its indexes");
        await using var fresh = await EmptyDatabase();
        await using var generated = await EmptyDatabase();
        var schema = await Schema(fresh.Db);
        await generated.Db.Database.OpenConnectionAsync();
        var settings = await Pragmas(generated.Db);
        await new DatasetGenerator(generated.Db, DatasetScale.Small, 7).RunAsync();

        Assert.Contains(schema, s => s.StartsWith("index|IX_StudyRecords_PersonId_ArticleId|", StringComparison.Ordinal));
        Assert.Equal(schema, await Schema(generated.Db));
        Assert.Equal(settings, await Pragmas(generated.Db));
        Assert.Equal("wal", settings[0]);
        // Foreign keys are off during the load: every generated reference must still resolve.
        Assert.Empty(await Rows(generated.Db, "PRAGMA foreign_key_check"));
        Assert.Equal(["ok"], await Rows(generated.Db, "PRAGMA integrity_check"));
    }

    static async Task<List<string>> Schema(BihuanDb db) =>
        (await Rows(db, "SELECT type || '|' || name || '|' || tbl_name || '|' || COALESCE(sql, '') FROM sqlite_master ORDER BY type, name")).ToList();

    static async Task<List<string>> Pragmas(BihuanDb db)
    {
        var values = new List<string>();
        foreach (var p in new[] { "journal_mode", "synchronous", "foreign_keys", "cache_size", "temp_store" })
            values.Add((await Rows(db, "PRAGMA " + p)).Single());
        return values;
    }

    static async Task<List<string>> Rows(BihuanDb db, string sql)
    {
        var conn = db.Database.GetDbConnection();
        if (conn.State != System.Data.ConnectionState.Open) await db.Database.OpenConnectionAsync();
        await using var cmd = conn.CreateCommand();
        cmd.CommandText = sql;
        await using var r = await cmd.ExecuteReaderAsync();
        var rows = new List<string>();
        while (await r.ReadAsync()) rows.Add(Convert.ToString(r.GetValue(0), System.Globalization.CultureInfo.InvariantCulture)!);
        return rows;
    }

    /// A fresh, migrated database on the same engine, with the System scope.
    async Task<TempDb> EmptyDatabase()
    {
        var temp = await TempDb.CreateAsync(App);
        await DatabaseSetup.MigrateAsync(temp.Db);
        return temp;
    }
}

/// A throwaway database next to the factory's (same engine), dropped on dispose.
public sealed class TempDb : IAsyncDisposable
{
    public required BihuanDb Db { get; init; }
    public required Func<Task> Drop { get; init; }

    public static async Task<TempDb> CreateAsync(BihuanFactory app)
    {
        var holder = ScopeHolder.ForSystem("tests");
        if (app.Engine == DatabaseEngine.Sqlite)
        {
            var file = Path.Combine(Path.GetTempPath(), $"bihuan-temp-{Guid.NewGuid():N}.db");
            var options = new DbContextOptionsBuilder<SqliteBihuanDb>().UseSqlite($"Data Source={file};Pooling=False").Options;
            return new TempDb
            {
                Db = new SqliteBihuanDb(options, holder),
                Drop = () => { foreach (var f in new[] { file, file + "-wal", file + "-shm" }) File.Delete(f); return Task.CompletedTask; },
            };
        }
        var server = Postgres.ServerConnectionString!;
        var name = $"bihuan_temp_{Guid.NewGuid():N}";
        await using (var c = new Npgsql.NpgsqlConnection(server))
        {
            await c.OpenAsync();
            await using var cmd = c.CreateCommand();
            cmd.CommandText = $"CREATE DATABASE {name}";
            await cmd.ExecuteNonQueryAsync();
        }
        var cs = new Npgsql.NpgsqlConnectionStringBuilder(server) { Database = name }.ToString();
        return new TempDb
        {
            Db = new PostgresBihuanDb(new DbContextOptionsBuilder<PostgresBihuanDb>().UseNpgsql(cs).Options, holder),
            Drop = async () =>
            {
                Npgsql.NpgsqlConnection.ClearAllPools();
                await using var c = new Npgsql.NpgsqlConnection(server);
                await c.OpenAsync();
                await using var cmd = c.CreateCommand();
                cmd.CommandText = $"DROP DATABASE IF EXISTS {name} WITH (FORCE)";
                await cmd.ExecuteNonQueryAsync();
            },
        };
    }

    public async ValueTask DisposeAsync()
    {
        await Db.DisposeAsync();
        await Drop();
    }
}

public sealed class SqliteDatasetTests(SqliteFixture app) : DatasetTestsBase(() => app), IClassFixture<SqliteFixture>;

public sealed class PostgresDatasetTests(PostgresFixture app) : DatasetTestsBase(() => app.Factory), IClassFixture<PostgresFixture>;
