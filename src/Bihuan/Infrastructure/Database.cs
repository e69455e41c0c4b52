using Bihuan.Data;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace Bihuan.Infrastructure;

/// Bihuan:Database settings. SQLite (a file under data/) by default; PostgreSQL when Provider=Postgres.
public sealed class DatabaseOptions
{
    public string Provider { get; set; } = "Sqlite";
    public string? ConnectionString { get; set; }
    /// PostgreSQL only: a read-only replica for dashboards and exports (they may lag the primary by the replication
    /// delay). Empty: they read the primary.
    public string? ReadConnectionString { get; set; }

    public bool IsPostgres => Provider.Equals("Postgres", StringComparison.OrdinalIgnoreCase)
        || Provider.Equals("PostgreSQL", StringComparison.OrdinalIgnoreCase);

    public string SqliteConnectionString(string contentRoot)
    {
        if (!string.IsNullOrWhiteSpace(ConnectionString)) return ConnectionString;
        var dir = Path.Combine(contentRoot, "data");
        Directory.CreateDirectory(dir);
        return new SqliteConnectionStringBuilder
        {
            DataSource = Path.Combine(dir, "bihuan.db"),
            Cache = SqliteCacheMode.Private,
            Pooling = true,
        }.ToString();
    }
}

/// The key of the read-side DbContext (dashboards, exports): `[FromKeyedServices(ReadDb.Key)] BihuanDb db`.
/// Same model and scope filters as the primary; on a replica when Bihuan:Database:ReadConnectionString is set.
public static class ReadDb
{
    public const string Key = "read";
}

public static class DatabaseSetup
{
    public static IServiceCollection AddBihuanDatabase(this IServiceCollection services, IConfiguration config, string contentRoot)
    {
        var options = config.GetSection("Bihuan:Database").Get<DatabaseOptions>() ?? new DatabaseOptions();
        services.AddSingleton(options);
        services.AddScoped<ScopeHolder>();
        if (options.IsPostgres)
        {
            if (string.IsNullOrWhiteSpace(options.ConnectionString))
                throw new InvalidOperationException(
                    "Bihuan:Database:Provider is Postgres but Bihuan:Database:ConnectionString is empty " +
                    "(set Bihuan__Database__ConnectionString).");
            services.AddDbContext<BihuanDb, PostgresBihuanDb>(o => o.UseNpgsql(options.ConnectionString,
                n => n.MigrationsHistoryTable("__EFMigrationsHistory")));
            if (!string.IsNullOrWhiteSpace(options.ReadConnectionString))
            {
                var read = new DbContextOptionsBuilder<PostgresBihuanDb>().UseNpgsql(options.ReadConnectionString)
                    .UseQueryTrackingBehavior(QueryTrackingBehavior.NoTracking).Options;
                services.AddKeyedScoped<BihuanDb>(ReadDb.Key, (sp, _) => new PostgresBihuanDb(read, sp.GetRequiredService<ScopeHolder>()));
            }
        }
        else
        {
            var cs = options.SqliteConnectionString(contentRoot);
            services.AddDbContext<BihuanDb, SqliteBihuanDb>(o => o.UseSqlite(cs)
                .AddInterceptors(new SqlitePragmas()));
        }
        // Without a replica, "read" is the request's own context (the same scope, the same transaction).
        if (!services.Any(d => d.IsKeyedService && Equals(d.ServiceKey, ReadDb.Key)))
            services.AddKeyedScoped<BihuanDb>(ReadDb.Key, (sp, _) => sp.GetRequiredService<BihuanDb>());
        return services;
    }

    /// Applies pending migrations, then the reference data every installation starts with (through the audited
    /// path, not HasData, so the audit chain describes every row). SQLite switches to WAL so readers never wait.
    public static async Task MigrateAsync(BihuanDb db, CancellationToken ct = default)
    {
        // Files cited by hash before ADR 0008 are copied aside before the migration drops them, and moved after.
        await LegacyFiles.StageAsync(db, ct);
        await db.Database.MigrateAsync(ct);
        if (db.Engine == DatabaseEngine.Sqlite)
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", ct);
        await LegacyFiles.MoveAsync(db, ct);
        if (!await db.Categories.AnyAsync(ct))
        {
            var order = 0;
            foreach (var (group, name) in Domain.DeviationCategory.Defaults)
                db.Categories.Add(new Domain.DeviationCategory { Name = name, Group = group.Length == 0 ? null : group, SortOrder = order += 10 });
            await db.SaveChangesAsync(ct);
        }
        if (!await db.MeetingTypes.AnyAsync(ct))
        {
            var order = 0;
            foreach (var (name, isStudy) in Domain.MeetingType.Defaults)
                db.MeetingTypes.Add(new Domain.MeetingType { Name = name, IsStudy = isStudy, SortOrder = order += 10 });
            await db.SaveChangesAsync(ct);
        }
        // A chain from before keys (or a key added to the ring) is keyed from here on, before anything else writes.
        await AuditTrail.EnsureKeyedAsync(db, ct);
        await AuditTrail.BaselineAsync(db, ct);
    }
}

/// Per-connection SQLite settings: enforce foreign keys, wait (not fail) when another writer holds the lock, and
/// synchronous=FULL: in WAL mode every commit is fsynced to the WAL before SaveChanges returns, so a demand whose
/// ticket a citizen was shown survives a power loss (NORMAL syncs only at checkpoints: the last commits could roll
/// back). The price is one fsync per commit (docs/deployment.md, "What a commit keeps").
sealed class SqlitePragmas : Microsoft.EntityFrameworkCore.Diagnostics.DbConnectionInterceptor
{
    public override void ConnectionOpened(System.Data.Common.DbConnection connection,
        Microsoft.EntityFrameworkCore.Diagnostics.ConnectionEndEventData eventData) => Apply(connection);

    public override Task ConnectionOpenedAsync(System.Data.Common.DbConnection connection,
        Microsoft.EntityFrameworkCore.Diagnostics.ConnectionEndEventData eventData, CancellationToken ct = default)
    {
        Apply(connection);
        return Task.CompletedTask;
    }

    static void Apply(System.Data.Common.DbConnection c)
    {
        using var cmd = c.CreateCommand();
        cmd.CommandText = "PRAGMA foreign_keys=ON; PRAGMA busy_timeout=10000; PRAGMA synchronous=FULL;";
        cmd.ExecuteNonQuery();
    }
}
