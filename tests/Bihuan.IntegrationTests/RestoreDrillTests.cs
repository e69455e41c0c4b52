using System.Data.Common;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Bihuan.Data;
using Bihuan.Domain;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Bihuan.IntegrationTests;

/// The restore drill of docs/deployment.md, run for real on both engines: records with evidence files and public
/// demands, `bihuan backup` while citizens keep submitting, `bihuan restore` into an empty folder / a new database,
/// the restored data checked by this test's own reading (row counts per table, files by SHA-256, `bihuan audit
/// verify`) against the backup's manifest and against what the citizens were told, then the app started on the
/// restored data: a new demand's ticket is none given out before, the ones after the backup point included.
public abstract class RestoreDrillTestsBase(DatabaseEngine engine)
{
    sealed record Issued(string Ticket, bool BeforeBackup, bool AfterBackup);

    /// Citizens submit (each with a photo of its own) until told to stop; the phase is read when a request starts
    /// and when its answer arrives (a ticket answered before the backup began is in it; one asked after it ended is not).
    sealed class Citizens(BihuanFactory app)
    {
        public readonly List<Issued> Tickets = [];
        public volatile int Phase;   // 0 before the backup, 1 during, 2 after
        volatile bool stop;
        readonly List<(int Count, TaskCompletionSource Done)> waits = [];
        Task? loop;

        public void Start() => loop = Task.Run(async () =>
        {
            var n = 0;
            while (!stop)
            {
                var asked = Phase;
                var ticket = await Drill.SubmitAsync(app, $"恢复演练第{++n}件：路口信号灯夜间不亮", TestFiles.Png());
                lock (Tickets)
                {
                    Tickets.Add(new(ticket, Phase == 0, asked == 2));
                    foreach (var w in waits.Where(w => Tickets.Count(t => Matches(t, w.Count)) >= Math.Abs(w.Count)).ToList())
                    {
                        w.Done.TrySetResult();
                        waits.Remove(w);
                    }
                }
            }
        });

        // A positive count waits for that many answered before the backup, a negative one for that many asked after it.
        static bool Matches(Issued t, int count) => count > 0 ? t.BeforeBackup : t.AfterBackup;

        public Task WaitFor(int count)
        {
            lock (Tickets)
            {
                if (Tickets.Count(t => Matches(t, count)) >= Math.Abs(count)) return Task.CompletedTask;
                var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                waits.Add((count, done));
                return done.Task.WaitAsync(TimeSpan.FromMinutes(5));
            }
        }

        public async Task StopAsync()
        {
            stop = true;
            await loop!;
        }
    }

    static readonly string Work = Path.Combine(Path.GetTempPath(), "bihuan-drill");

    [SkippableFact]
    public async Task BackupDuringWrites_RestoreIntoEmptyTarget_IdenticalToManifest_AndNoTicketIsIssuedAgain()
    {
        SkipWithoutTools();
        var id = Guid.NewGuid().ToString("N")[..12];
        var folder = Path.Combine(Work, id, "backup");
        var targetFiles = Path.Combine(Work, id, "restored-files");
        var targetDb = engine == DatabaseEngine.Sqlite
            ? $"Data Source={Path.Combine(Work, id, "restored.db")};Pooling=False"
            : new NpgsqlConnectionStringBuilder(Postgres.ServerConnectionString) { Database = $"bihuan_restored_{id}" }.ToString();
        Directory.CreateDirectory(Path.Combine(Work, id));
        using var app = new BihuanFactory(engine);
        BihuanFactory? restoredApp = null;
        try
        {
            // Records with evidence: a ledger item with a progress report and its file, and citizens' demands with photos.
            var liaison = await app.ClientFor("yx.fgj.liaison");
            var itemId = await NewItemWithEvidenceAsync(app, liaison);
            var citizens = new Citizens(app);
            citizens.Start();
            await citizens.WaitFor(4);

            citizens.Phase = 1;
            var backup = await Drill.BihuanAsync(Drill.EnvFor(app), "backup", folder);
            citizens.Phase = 2;
            Assert.True(backup.ExitCode == 0, backup.Output);
            await citizens.WaitFor(-3);
            await citizens.StopAsync();
            var manifest = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(folder, "manifest.json"))).RootElement;

            var restore = await Drill.BihuanAsync(Drill.EnvFor(engine, targetDb, targetFiles, app), "restore", folder, "--tickets-from", app.FilesRoot);
            Assert.True(restore.ExitCode == 0, restore.Output);
            // A second restore into the now filled target is refused, and changes nothing.
            var again = await Drill.BihuanAsync(Drill.EnvFor(engine, targetDb, targetFiles, app), "restore", folder);
            Assert.True(again.ExitCode == 2, again.Output);

            // Row counts per table, read here from the restored database, equal the manifest's.
            await using (var conn = Open(targetDb))
            {
                var tables = manifest.GetProperty("tables").EnumerateObject().ToList();
                Assert.True(tables.Count > 40, "the manifest should count every table");
                foreach (var t in tables)
                    Assert.True(t.Value.GetInt64() == await ScalarAsync(conn, $"SELECT COUNT(*) FROM \"{t.Name}\""), $"rows of {t.Name}");
                Assert.Equal(manifest.GetProperty("auditSeq").GetInt64(), await ScalarAsync(conn, "SELECT MAX(\"Seq\") FROM \"AuditEntries\""));

                // Every file the restored records cite is there, with the bytes its name promises.
                var shas = await StringsAsync(conn, "SELECT \"Sha256\" FROM \"Uploads\"");
                Assert.Equal(manifest.GetProperty("files").EnumerateArray().Select(f => f.GetProperty("sha256").GetString()!).Order(),
                    shas.Distinct().Order());
                Assert.True(shas.Count >= 5, $"only {shas.Count} files");
                foreach (var sha in shas)
                {
                    var path = Path.Combine(targetFiles, sha[..2], sha);
                    Assert.True(File.Exists(path), $"file {sha} missing after the restore");
                    Assert.Equal(sha, Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(path))));
                }

                // What the citizens were told: every ticket answered before the backup began is in it, none asked after.
                var restoredTickets = (await StringsAsync(conn, "SELECT \"Ticket\" FROM \"WorkOrders\"")).ToHashSet();
                Assert.All(citizens.Tickets.Where(t => t.BeforeBackup), t => Assert.Contains(t.Ticket, restoredTickets));
                Assert.All(citizens.Tickets.Where(t => t.AfterBackup), t => Assert.DoesNotContain(t.Ticket, restoredTickets));
                Assert.Equal(1, await ScalarAsync(conn, $"SELECT COUNT(*) FROM \"RectItems\" WHERE \"Id\" = {itemId}"));
            }
            var verify = await Drill.BihuanAsync(Drill.EnvFor(engine, targetDb, targetFiles, app), "audit", "verify");
            Assert.True(verify.ExitCode == 0, verify.Output);
            Assert.Contains(manifest.GetProperty("auditSeq").GetInt64().ToString(), verify.Output);

            // The app on the restored data: a new demand's ticket is none a citizen already holds.
            restoredApp = new BihuanFactory(engine, targetDb, targetFiles, new Dictionary<string, string?> { ["Bihuan:SeedDemo"] = "false" })
                { AuditDir = app.AuditDir };   // the installation's keys, kept outside the database
            var fresh = await Drill.SubmitAsync(restoredApp, "恢复之后的第一件诉求：人行道地砖松动", TestFiles.Png());
            Assert.DoesNotContain(fresh, citizens.Tickets.Select(t => t.Ticket));
            Assert.True(string.CompareOrdinal(fresh, citizens.Tickets.Max(t => t.Ticket)) > 0, $"{fresh} is not past every number given out");
            await (await restoredApp.Anonymous().GetAsync("/healthz/ready")).Expect(HttpStatusCode.OK);
        }
        finally
        {
            restoredApp?.Dispose();
            Cleanup(targetDb, Path.Combine(Work, id));
        }
    }

    /// An operator's point-in-time restore outside Bihuan (the database put back to an older copy while the files root
    /// stays, the app not even restarted): the journal in the files root keeps every number given out from recurring.
    [SkippableFact]
    public async Task DatabasePutBackOutsideBihuan_TheRunningAppNeverReissuesATicket()
    {
        SkipWithoutTools();
        var id = Guid.NewGuid().ToString("N")[..12];
        var folder = Path.Combine(Work, id, "backup");
        Directory.CreateDirectory(Path.Combine(Work, id));
        using var app = new BihuanFactory(engine);
        try
        {
            var before = await Drill.SubmitAsync(app, "时点恢复演练：垃圾清运不及时");
            var backup = await Drill.BihuanAsync(Drill.EnvFor(app), "backup", folder);
            Assert.True(backup.ExitCode == 0, backup.Output);
            var after = new List<string>();
            for (var i = 0; i < 3; i++) after.Add(await Drill.SubmitAsync(app, $"时点恢复演练：备份之后第{i + 1}件"));

            // The database goes back to the backup's copy behind the app's back.
            if (engine == DatabaseEngine.Sqlite)
            {
                var file = new SqliteConnectionStringBuilder(app.ConnectionString).DataSource;
                SqliteConnection.ClearAllPools();
                foreach (var f in new[] { file + "-wal", file + "-shm" }) File.Delete(f);
                File.Copy(Path.Combine(folder, "bihuan.db"), file, overwrite: true);
            }
            else
            {
                var db = new NpgsqlConnectionStringBuilder(app.ConnectionString).Database!;
                await ExecAsync(Postgres.ServerConnectionString!, $"DROP DATABASE {db} WITH (FORCE)", $"CREATE DATABASE {db}");
                // pg_restore as an operator runs it (found as `bihuan backup` finds pg_dump; missing: a clear failure).
                var tools = Infrastructure.PgTools.Find(new Microsoft.Extensions.Configuration.ConfigurationBuilder().Build());
                var run = await tools.RunAsync("pg_restore", app.ConnectionString,
                    ["--no-owner", "--exit-on-error", $"--dbname={db}", Path.Combine(folder, "bihuan.dump")], default);
                Assert.True(run.ExitCode == 0, run.Message);
                NpgsqlConnection.ClearAllPools();   // the app's connections to the dropped database are gone
            }
            Assert.DoesNotContain(after[0], await TicketsAsync(app));   // the database really is the older copy

            var next = await Drill.SubmitAsync(app, "时点恢复之后：路灯不亮");
            Assert.DoesNotContain(next, after.Append(before));
            Assert.True(string.CompareOrdinal(next, after.Max()) > 0, $"{next} is not past {after.Max()}");
        }
        finally
        {
            Cleanup(null, Path.Combine(Work, id));
        }
    }

    /// PostgreSQL needs its server and pg_dump / pg_restore (found as `bihuan backup` finds them); with
    /// BIHUAN_REQUIRE_POSTGRES=1 a missing tool fails the test, saying what is missing, instead of skipping it.
    void SkipWithoutTools()
    {
        if (engine != DatabaseEngine.Postgres) return;
        Postgres.SkipIfUnavailable();
        var tools = Infrastructure.PgTools.Find(new Microsoft.Extensions.Configuration.ConfigurationBuilder().Build());
        var missing = new[] { "pg_dump", "pg_restore" }.Where(t => !tools.Has(t)).ToList();
        if (missing.Count == 0) return;
        var why = $"{string.Join(", ", missing)} not found (PATH, /usr/lib/postgresql/*/bin): install the PostgreSQL client tools";
        if (Environment.GetEnvironmentVariable("BIHUAN_REQUIRE_POSTGRES") == "1") throw new InvalidOperationException(why);
        Skip.If(true, why);
    }

    static async Task<int> NewItemWithEvidenceAsync(BihuanFactory app, HttpClient liaison)
    {
        var p = await (await liaison.PostAsJsonAsync("/api/v1/problems", new
        {
            orgId = await app.OrgId("GZ-YX-FGJ"), description = "恢复演练：审批材料层层加码", source = SourceChannel.SelfInspection,
            aspect = Aspect.Duty, dimension = Dimension.RealWork, notDuplicate = true,
        })).Expect<JsonElement>(HttpStatusCode.Created);
        var item = await (await liaison.PostAsJsonAsync($"/api/v1/problems/{p.GetProperty("id").GetInt32()}/items", new
        {
            measures = "恢复演练：精简材料清单", handler = "张丽娟", deadlineKind = DeadlineKind.Dated,
            deadline = DateOnly.FromDateTime(DateTime.UtcNow).AddDays(30),
        })).Expect<JsonElement>(HttpStatusCode.Created);
        var itemId = item.GetProperty("id").GetInt32();
        var upload = await Drill.UploadAsync(liaison, TestFiles.Png());
        await (await liaison.PostAsJsonAsync($"/api/v1/rectifications/{itemId}/progress", new { text = "已梳理", percent = 40, evidence = new[] { upload } }))
            .Expect(HttpStatusCode.OK);
        return itemId;
    }

    async Task<List<string>> TicketsAsync(BihuanFactory app)
    {
        await using var conn = Open(app.ConnectionString);
        return await StringsAsync(conn, "SELECT \"Ticket\" FROM \"WorkOrders\"");
    }

    DbConnection Open(string cs)
    {
        DbConnection c = engine == DatabaseEngine.Sqlite ? new SqliteConnection(cs) : new NpgsqlConnection(cs);
        c.Open();
        return c;
    }

    static async Task<long> ScalarAsync(DbConnection c, string sql)
    {
        await using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        return Convert.ToInt64(await cmd.ExecuteScalarAsync());
    }

    static async Task<List<string>> StringsAsync(DbConnection c, string sql)
    {
        await using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        await using var r = await cmd.ExecuteReaderAsync();
        var list = new List<string>();
        while (await r.ReadAsync()) list.Add(r.GetString(0));
        return list;
    }

    static async Task ExecAsync(string cs, params string[] sqls)
    {
        await using var c = new NpgsqlConnection(cs);
        await c.OpenAsync();
        foreach (var sql in sqls)
        {
            await using var cmd = c.CreateCommand();
            cmd.CommandText = sql;
            await cmd.ExecuteNonQueryAsync();
        }
    }

    void Cleanup(string? targetDb, string dir)
    {
        if (engine == DatabaseEngine.Postgres && targetDb is not null && Postgres.ServerConnectionString is { } server)
        {
            NpgsqlConnection.ClearAllPools();
            ExecAsync(server, $"DROP DATABASE IF EXISTS {new NpgsqlConnectionStringBuilder(targetDb).Database} WITH (FORCE)").GetAwaiter().GetResult();
        }
        SqliteConnection.ClearAllPools();
        try { Directory.Delete(dir, recursive: true); } catch (IOException) { }
    }
}

public sealed class SqliteRestoreDrillTests() : RestoreDrillTestsBase(DatabaseEngine.Sqlite);
public sealed class PostgresRestoreDrillTests() : RestoreDrillTestsBase(DatabaseEngine.Postgres);
