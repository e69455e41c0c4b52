using System.Net.Http.Headers;
using System.Text.Json;
using Bihuan.Data;
using Bihuan.Domain;
using Bihuan.Features.Accounts;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Bihuan.IntegrationTests;

/// The real app over HTTP on a database of its own, with the demo loaded (orgs, persona accounts).
/// SQLite: a temp file. PostgreSQL: a fresh database on the server named by BIHUAN_TEST_POSTGRES.
public class BihuanFactory : WebApplicationFactory<Program>
{
    public DatabaseEngine Engine { get; }
    public string ConnectionString { get; }
    readonly string? _sqliteFile;
    readonly string? _pgDatabase;
    /// Evidence files go to a temp directory of this factory's own (not src/Bihuan/data/files).
    public string FilesRoot { get; } = Path.Combine(Path.GetTempPath(), $"bihuan-test-files-{Guid.NewGuid():N}");
    /// The audit chain key, the anchor signing key and the anchors (outside the database): a temp directory of this
    /// factory's own, made on first start.
    public string AuditDir { get; init; } = Path.Combine(Path.GetTempPath(), $"bihuan-test-audit-{Guid.NewGuid():N}");
    public string KeyFile => Path.Combine(AuditDir, "chain.key");
    public string AnchorDir => Path.Combine(AuditDir, "anchors");
    /// Settings applied after the defaults (e.g. a read-only connection, no migration, no demo).
    readonly IReadOnlyDictionary<string, string?> _settings = new Dictionary<string, string?>();
    readonly bool _owned = true;

    /// A factory on a database and a files root that exist already (a copy, a restore): neither is created nor
    /// removed here. The settings override the defaults.
    public BihuanFactory(DatabaseEngine engine, string connectionString, string filesRoot, IReadOnlyDictionary<string, string?> settings)
    {
        Engine = engine;
        ConnectionString = connectionString;
        FilesRoot = filesRoot;
        _settings = settings;
        _owned = false;
    }

    public BihuanFactory(DatabaseEngine engine, IReadOnlyDictionary<string, string?>? settings = null)
    {
        Engine = engine;
        _settings = settings ?? _settings;
        if (engine == DatabaseEngine.Sqlite)
        {
            _sqliteFile = Path.Combine(Path.GetTempPath(), $"bihuan-test-{Guid.NewGuid():N}.db");
            ConnectionString = $"Data Source={_sqliteFile};Pooling=False";
        }
        else
        {
            var server = Postgres.ServerConnectionString ?? throw new InvalidOperationException("BIHUAN_TEST_POSTGRES is not set");
            _pgDatabase = $"bihuan_test_{Guid.NewGuid():N}";
            using (var c = new NpgsqlConnection(server))
            {
                c.Open();
                using var cmd = c.CreateCommand();
                cmd.CommandText = $"CREATE DATABASE {_pgDatabase}";
                cmd.ExecuteNonQuery();
            }
            ConnectionString = new NpgsqlConnectionStringBuilder(server) { Database = _pgDatabase }.ToString();
        }
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Development");
        builder.UseSetting("Bihuan:Database:Provider", Engine.ToString());
        builder.UseSetting("Bihuan:Database:ConnectionString", ConnectionString);
        builder.UseSetting("Bihuan:MigrateOnStart", "true");
        builder.UseSetting("Bihuan:SeedDemo", "true");
        builder.UseSetting("Bihuan:DemoLedger", "false");   // tests arrange their own ledger items
        builder.UseSetting("Bihuan:Files:Root", FilesRoot);
        builder.UseSetting("Bihuan:Audit:KeyFile", KeyFile);
        builder.UseSetting("Bihuan:Audit:AnchorKeyFile", Path.Combine(AuditDir, "anchor-signing.pem"));
        builder.UseSetting("Bihuan:Audit:AnchorDir", AnchorDir);
        builder.UseSetting("Bihuan:Jobs:Enabled", "false");   // tests run jobs explicitly (JobHost.RunDueAsync)
        // Every test client comes from the same (unknown) address: the per-address limits would throttle the suites.
        builder.UseSetting("Bihuan:Portal:PostsPerMinutePerIp", "1000000");
        builder.UseSetting("Bihuan:Portal:MaxPerSourcePerHour", "1000000");
        // ... and the sign-in back-off (SignInHardeningTests sets its own, reachable, limits).
        builder.UseSetting("Bihuan:Auth:Throttle:AddressFreeFailures", "1000000");
        builder.UseSetting("Bihuan:Auth:Throttle:AccountFreeFailures", "1000000");
        foreach (var (k, v) in _settings) builder.UseSetting(k, v);
        builder.ConfigureServices(s => s.AddSingleton<IStartupFilter>(new AnsweredStatuses.Filter(Answered)));
    }

    /// What the API and Open311 endpoints of this app answered (checked against /openapi/v1.json on dispose).
    public AnsweredStatuses Answered { get; } = new();
    bool _answersChecked;
    static string? s_document;
    static readonly Lock DocumentLock = new();

    /// The app's OpenAPI document (the same for every test app: fetched once).
    public JsonElement OpenApiDocument()
    {
        lock (DocumentLock)
            s_document ??= Anonymous().GetStringAsync("/openapi/v1.json").GetAwaiter().GetResult();
        return JsonDocument.Parse(s_document).RootElement.Clone();
    }

    static readonly object ReportLock = new();

    static void Report(Exception? lie)
    {
        if (lie is null) return;
        Console.Error.WriteLine(lie.Message);
        lock (ReportLock)
            File.AppendAllText(Path.Combine(AppContext.BaseDirectory, "undeclared-statuses.txt"), lie.Message + "\n");
    }

    /// Fails when this app answered a (method, route, status) the OpenAPI document does not declare.
    public void CheckAnsweredStatuses()
    {
        if (_answersChecked || Answered.Seen.Count == 0) return;
        _answersChecked = true;
        var missing = AnsweredStatuses.Undeclared(OpenApiDocument(), Answered.Seen, Answered.ExampleOf);
        if (missing.Count > 0)
            throw new InvalidOperationException("/openapi/v1.json does not declare what the app answered:\n" + string.Join("\n", missing));
    }

    // The app and its database go in any case; the finding is thrown after.
    Exception? CheckBeforeDisposing()
    {
        try { CheckAnsweredStatuses(); return null; }
        catch (Exception e) when (e is InvalidOperationException or HttpRequestException) { return e; }   // a stopped server: nothing to compare
    }

    public override async ValueTask DisposeAsync()
    {
        // Reported, not thrown: a class fixture's dispose failure does not fail a test under xUnit 2, only the run's
        // exit code, without saying which test met the undeclared status. The findings go to the test output and to
        // undeclared-statuses.txt beside the test binaries; OpenApiTruthTests' sweep is the check that fails a test.
        var lie = CheckBeforeDisposing();
        await base.DisposeAsync();
        Report(lie);
    }

    /// A client authenticated as a demo account through a personal access token (API calls).
    public async Task<HttpClient> ClientFor(string userName)
    {
        var token = await TokenFor(userName);
        var client = CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    readonly Dictionary<string, string> _tokens = [];

    public async Task<string> TokenFor(string userName)
    {
        if (_tokens.TryGetValue(userName, out var t)) return t;
        var (db, scope) = SystemDb();
        using (scope)
        {
            var account = await db.Users.SingleAsync(u => u.UserName == userName);
            var created = await TokenApi.CreateAsync(db, TimeProvider.System, account.Id, new TokenInput("tests", 30), default);
            return _tokens[userName] = created.Token;
        }
    }

    /// Direct database access with the System scope, for arranging data and for tampering behind the app's back.
    public (BihuanDb Db, IServiceScope Scope) SystemDb()
    {
        var scope = Services.CreateScope();
        var holder = scope.ServiceProvider.GetRequiredService<ScopeHolder>();
        holder.Current = AccessScope.System;
        holder.Actor = "tests";
        return (scope.ServiceProvider.GetRequiredService<BihuanDb>(), scope);
    }

    public async Task<int> OrgId(string code)
    {
        var (db, scope) = SystemDb();
        using (scope) return await db.Orgs.IgnoreQueryFilters().Where(o => o.Code == code).Select(o => o.Id).SingleAsync();
    }

    /// Rows of an entity, ignoring scope (for "nothing was written" checks).
    public async Task<int> Count<T>() where T : class
    {
        var (db, scope) = SystemDb();
        using (scope) return await db.Set<T>().IgnoreQueryFilters().CountAsync();
    }

    /// Raw SQL behind the application's back ({0}, {1}… become parameters). Identifiers must be quoted ("Orgs").
    public async Task<int> Sql(string sql, params object[] args)
    {
        var (db, scope) = SystemDb();
        using (scope) return await db.Database.ExecuteSqlRawAsync(sql, args);
    }

    /// A client with no credentials (and no automatic redirects).
    public HttpClient Anonymous() => CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

    protected override void Dispose(bool disposing)
    {
        var lie = disposing ? CheckBeforeDisposing() : null;
        base.Dispose(disposing);
        if (disposing && _owned) RemoveFiles();
        Report(lie);
    }

    void RemoveFiles()
    {
        try { if (Directory.Exists(FilesRoot)) Directory.Delete(FilesRoot, recursive: true); } catch (IOException) { }
        try { if (Directory.Exists(AuditDir)) Directory.Delete(AuditDir, recursive: true); } catch (IOException) { }
        if (_sqliteFile is not null)
            foreach (var f in new[] { _sqliteFile, _sqliteFile + "-wal", _sqliteFile + "-shm" })
                try { File.Delete(f); } catch (IOException) { }
        if (_pgDatabase is not null && Postgres.ServerConnectionString is { } server)
        {
            NpgsqlConnection.ClearAllPools();
            using var c = new NpgsqlConnection(server);
            c.Open();
            using var cmd = c.CreateCommand();
            cmd.CommandText = $"DROP DATABASE IF EXISTS {_pgDatabase} WITH (FORCE)";
            cmd.ExecuteNonQuery();
        }
    }
}

public static class Postgres
{
    /// e.g. Host=127.0.0.1;Port=5433;Username=postgres;Database=postgres (set by .ci/run).
    public static string? ServerConnectionString => Environment.GetEnvironmentVariable("BIHUAN_TEST_POSTGRES") is { Length: > 0 } s ? s : null;

    /// CI sets BIHUAN_REQUIRE_POSTGRES=1: then a missing server fails the run instead of skipping.
    public static void SkipIfUnavailable()
    {
        if (ServerConnectionString is not null) return;
        if (Environment.GetEnvironmentVariable("BIHUAN_REQUIRE_POSTGRES") == "1")
            throw new InvalidOperationException("BIHUAN_REQUIRE_POSTGRES=1 but BIHUAN_TEST_POSTGRES is not set");
        Skip.If(true, "PostgreSQL suite skipped: set BIHUAN_TEST_POSTGRES to a server connection string (.ci/run does)");
    }
}

public sealed class SqliteFixture() : BihuanFactory(DatabaseEngine.Sqlite);

/// Created lazily so that, without a server, constructing the fixture does not fail before the test can skip.
public sealed class PostgresFixture : IDisposable
{
    BihuanFactory? _factory;
    public BihuanFactory Factory
    {
        get
        {
            Postgres.SkipIfUnavailable();
            return _factory ??= new BihuanFactory(DatabaseEngine.Postgres);
        }
    }

    public void Dispose() => _factory?.Dispose();
}
