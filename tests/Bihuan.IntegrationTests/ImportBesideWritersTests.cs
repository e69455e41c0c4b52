using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Bihuan.Data;
using Bihuan.Domain;
using Bihuan.Features.Rectification;
using Microsoft.EntityFrameworkCore;

namespace Bihuan.IntegrationTests;

/// A long import lets other writers through and stays atomic: a 20,000-row ledger import runs while citizens keep
/// submitting demands on the public portal; every submission answers, the import lands whole, and `audit verify`
/// proves every imported row. A re-import changes nothing; a write that fails half-way leaves nothing; an imported
/// row changed behind the application's back is reported by `audit verify`.
public abstract class ImportBesideWritersTestsBase(Func<BihuanFactory> factory) : PortalHelpers(factory)
{
    const string User = "yx.fgj.liaison", Unit = "GZ-YX-FGJ";
    const int Rows = 20_000, Citizens = 3;

    /// A safety net against a hang (a lock-order deadlock answers only at the 30 s command timeout), not a performance
    /// claim: a submission that waited behind the whole import's write would still pass it.
    static readonly TimeSpan SubmissionBound = TimeSpan.FromSeconds(15);

    protected abstract BihuanFactory NewFactory();

    async Task<HttpResponseMessage> Import(BihuanFactory app, byte[] file)
    {
        var client = await app.ClientFor(User);
        client.Timeout = TimeSpan.FromMinutes(15);
        using var form = new MultipartFormDataContent { { new ByteArrayContent(file), "file", "台账.xlsx" } };
        return await client.PostAsync($"/api/v1/rectifications/import?orgId={await app.OrgId(Unit)}&commit=true", form);
    }

    static async Task<AuditReport> Verify(BihuanFactory app)
    {
        var admin = await app.ClientFor("admin");
        admin.Timeout = TimeSpan.FromMinutes(5);
        return await (await admin.GetAsync("/api/v1/audit/verify")).Expect<AuditReport>(HttpStatusCode.OK);
    }

    static async Task<int> Imported(BihuanFactory app, string tag)
    {
        var (db, scope) = app.SystemDb();
        using (scope)
            return await db.RectItems.IgnoreQueryFilters().CountAsync(i => i.Problem!.Description.StartsWith(tag));
    }

    /// One citizen: the form, then the submission, each request within the bound; the ticket comes back.
    async Task<TimeSpan> SubmitWithin(HttpClient citizen, string content)
    {
        var watch = Stopwatch.StartNew();
        var form = await GetForm(citizen);
        var res = await PostSubmit(citizen, form, Fields(DemandType.Suggestion, content, Phone()));
        var html = await res.Content.ReadAsStringAsync();
        Assert.True(res.StatusCode == HttpStatusCode.OK && TicketOut().IsMatch(html), await res.Describe());
        return watch.Elapsed;
    }

    [SkippableFact]
    public async Task LedgerImport20000Rows_BesideCitizensSubmitting_EverySubmissionAnswersAndAuditProvesTheRows()
    {
        var tag = Http.Unique("SIDE");
        var file = LedgerImportTestsBase.BigLedger(Rows, tag);
        var orders = await App.Count<WorkOrder>();
        var clients = Enumerable.Range(0, Citizens).Select(_ =>
        {
            var c = App.Anonymous();
            c.Timeout = SubmissionBound;   // a hung submission fails the test here
            return c;
        }).ToList();
        await SubmitWithin(clients[0], "预热 " + Tag());   // the portal's first request compiles its pages

        var import = Import(App, file);
        var times = new ConcurrentBag<TimeSpan>();
        var during = 0;
        var citizens = clients.Select(c => Task.Run(async () =>
        {
            // keep submitting while the import runs (its read, its check and its write), and once more after it
            while (!import.IsCompleted)
            {
                times.Add(await SubmitWithin(c, "学习教育意见 " + Tag()));
                if (!import.IsCompleted) Interlocked.Increment(ref during);
            }
            times.Add(await SubmitWithin(c, "学习教育意见 " + Tag()));
        })).ToList();

        var result = await (await import).Expect<LedgerImportResult>(HttpStatusCode.OK);
        await Task.WhenAll(citizens);

        Assert.True(result.Committed, result.Message);
        Assert.Equal(Rows, result.Created);
        Assert.Equal(Rows, await Imported(App, tag));
        Assert.True(during >= Citizens, $"only {during} submissions answered while the import ran");
        Assert.Equal(orders + times.Count + 1, await App.Count<WorkOrder>());
        var report = await Verify(App);
        Assert.True(report.Intact, report.Message);
    }

    [SkippableFact]
    public async Task LedgerImport_SameFileAgainAndThenAnItemWorkedOn_NothingNewAndAuditStillProvesEveryRow()
    {
        var tag = Http.Unique("AGAIN");
        var file = LedgerImportTestsBase.BigLedger(300, tag);
        var first = await (await Import(App, file)).Expect<LedgerImportResult>(HttpStatusCode.OK);
        var entries = await App.Count<AuditEntry>();

        var again = await (await Import(App, file)).Expect<LedgerImportResult>(HttpStatusCode.OK);

        Assert.Equal((300, 0), (first.Created, again.Created));
        Assert.Equal(300, again.Unchanged);
        Assert.Equal(300, await Imported(App, tag));
        Assert.Equal(entries, await App.Count<AuditEntry>());   // not even a chain step for an import that adds nothing

        // the import is two chain steps (problems, items), each naming its id range; a later change to an imported
        // item goes into the chain as usual and verify still accounts for the row as imported
        var (db, scope) = App.SystemDb();
        int itemId;
        using (scope)
        {
            var steps = await db.AuditEntries.IgnoreQueryFilters().Where(e => e.Action == AuditAction.Imported)
                .OrderByDescending(e => e.Seq).Take(2).ToListAsync();
            Assert.Equal(["Problem", "RectItem"], steps.Select(s => s.EntityType).Order());
            Assert.All(steps, s => Assert.Contains("300 行", s.Note));
            itemId = await db.RectItems.IgnoreQueryFilters().Where(i => i.Problem!.Description.StartsWith(tag))
                .OrderBy(i => i.Id).Select(i => i.Id).FirstAsync();
        }
        var liaison = await App.ClientFor(User);
        await (await liaison.PostAsJsonAsync($"/api/v1/rectifications/{itemId}/progress",
            new { text = "已制定整改方案", percent = 20 })).Expect(HttpStatusCode.OK);
        var report = await Verify(App);
        Assert.True(report.Intact, report.Message);
    }

    [SkippableFact]
    public async Task LedgerImport_WriteFailsHalfWay_NothingOfTheImportStays()
    {
        using var app = NewFactory();
        var tag = Http.Unique("FAIL");
        // a fault injected into the write: the database refuses one item of the 2,000, after the problems went in
        if (app.Engine == DatabaseEngine.Sqlite)
            await app.Sql($"CREATE TRIGGER refuse_one BEFORE INSERT ON \"RectItems\" WHEN NEW.\"Measures\" = '整改措施1500' " +
                          "BEGIN SELECT RAISE(ABORT, 'injected fault'); END");
        else
        {
            await app.Sql("CREATE FUNCTION refuse_one() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN " +
                          "IF NEW.\"Measures\" = '整改措施1500' THEN RAISE EXCEPTION 'injected fault'; END IF; RETURN NEW; END $$");
            await app.Sql("CREATE TRIGGER refuse_one BEFORE INSERT ON \"RectItems\" FOR EACH ROW EXECUTE FUNCTION refuse_one()");
        }
        await app.ClientFor(User);
        var before = (await app.Count<Problem>(), await app.Count<RectItem>(), await app.Count<AuditEntry>(), await app.Count<RollupMark>());

        var res = await Import(app, LedgerImportTestsBase.BigLedger(2_000, tag));

        Assert.False(res.IsSuccessStatusCode, await res.Describe());
        Assert.Equal(before, (await app.Count<Problem>(), await app.Count<RectItem>(), await app.Count<AuditEntry>(),
            await app.Count<RollupMark>()));
        var report = await Verify(app);
        Assert.True(report.Intact, report.Message);
    }

    [SkippableFact]
    public async Task LedgerImport_ImportedRowChangedBehindTheApp_AuditVerifyNamesTheImport()
    {
        using var app = NewFactory();
        var tag = Http.Unique("TAMP");
        await (await Import(app, LedgerImportTestsBase.BigLedger(500, tag))).Expect<LedgerImportResult>(HttpStatusCode.OK);
        var intact = await Verify(app);
        Assert.True(intact.Intact, intact.Message);

        await app.Sql("UPDATE \"RectItems\" SET \"Measures\" = {0} WHERE \"Measures\" = {1}", "改过的措施", "整改措施250");

        var report = await Verify(app);
        Assert.False(report.Intact, report.Message);
        Assert.Contains("RectItem", report.Message);
        Assert.Contains("批量导入", report.Message);
    }
}

public sealed class SqliteImportBesideWritersTests(SqliteFixture app)
    : ImportBesideWritersTestsBase(() => app), IClassFixture<SqliteFixture>
{
    protected override BihuanFactory NewFactory() => new SqliteFixture();
}

public sealed class PostgresImportBesideWritersTests(PostgresFixture app)
    : ImportBesideWritersTestsBase(() => app.Factory), IClassFixture<PostgresFixture>
{
    protected override BihuanFactory NewFactory()
    {
        Postgres.SkipIfUnavailable();
        return new BihuanFactory(DatabaseEngine.Postgres);
    }
}
