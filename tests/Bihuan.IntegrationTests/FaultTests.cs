using System.Net;
using System.Text.Json;
using Bihuan.Data;
using Bihuan.Domain;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Bihuan.IntegrationTests;

/// The database goes away under a running app (SQLite: its file removed and the path made unopenable; PostgreSQL: the
/// database dropped): every kind of caller gets a clear answer in its own format, never an empty 500 — the citizen
/// the portal's 系统繁忙 page with what they typed still in the form, staff the page with the request id, the API
/// ProblemDetails with traceId and Retry-After, Open311 its errors document — and liveness stays up while readiness
/// says why the node cannot take requests.
public abstract class FaultTestsBase(DatabaseEngine engine)
{
    [SkippableFact]
    public async Task DatabaseGone_EveryCallerGetsAClearAnswer_LivenessUp_ReadinessDown()
    {
        if (engine == DatabaseEngine.Postgres) Postgres.SkipIfUnavailable();
        using var app = new BihuanFactory(engine);
        var api = await app.ClientFor("yx.fgj.liaison");
        var staff = await app.ClientFor("gz.hotline");
        var citizen = app.Anonymous();
        var form = await PortalHelpers.GetForm(citizen);   // the citizen opened the form while the database was there
        await (await app.Anonymous().GetAsync("/healthz/ready")).Expect(HttpStatusCode.OK);

        await LoseDatabaseAsync(app);
        try { await AnswersAsync(api, staff, citizen, form); }
        finally
        {
            if (engine == DatabaseEngine.Sqlite) Directory.Delete(new SqliteConnectionStringBuilder(app.ConnectionString).DataSource);
        }
    }

    static async Task AnswersAsync(HttpClient api, HttpClient staff, HttpClient citizen, PortalHelpers.Form form)
    {

        var problem = await api.GetAsync("/api/v1/problems");
        var p = await problem.ExpectProblem(HttpStatusCode.ServiceUnavailable);
        Assert.False(string.IsNullOrEmpty(p.GetProperty("traceId").GetString()));
        Assert.Equal("fault", p.GetProperty("code").GetString());
        Assert.NotNull(problem.Headers.RetryAfter);   // a lost connection may come back by itself

        await (await citizen.GetAsync("/public")).Expect(HttpStatusCode.OK);   // the portal's home needs no database
        var publicPage = await citizen.GetAsync("/public/results");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, publicPage.StatusCode);
        var publicHtml = WebUtility.HtmlDecode(await publicPage.Content.ReadAsStringAsync());
        Assert.Contains("系统繁忙，请稍后再试；紧急事项请拨打 12345", publicHtml);
        Assert.Contains("id=\"trace-id\"", publicHtml);
        Assert.DoesNotContain("Exception", publicHtml);   // nothing of the server's insides on a public page

        var staffPage = await staff.GetAsync("/workorders");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, staffPage.StatusCode);
        var staffHtml = WebUtility.HtmlDecode(await staffPage.Content.ReadAsStringAsync());
        Assert.Contains("数据库暂时无法连接，请稍后再试。", staffHtml);
        Assert.Matches("<code id=\"trace-id\">[^<]+</code>", staffHtml);

        var open311 = await citizen.GetAsync("/open311/v2/services.json?jurisdiction_id=GZ");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, open311.StatusCode);
        var errors = JsonDocument.Parse(await open311.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(503, errors[0].GetProperty("code").GetInt32());
        Assert.Contains("traceId", errors[0].GetProperty("description").GetString());

        var (status, html) = await SubmitAsync(citizen, form, "数据库断开时提交：菜市场门口积水严重", "13698765432");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Contains("系统繁忙，请稍后再试；紧急事项请拨打 12345", html);
        Assert.Contains("数据库断开时提交：菜市场门口积水严重", html);   // what the citizen typed is still in the form
        Assert.Contains("13698765432", html);
        Assert.DoesNotMatch("id=\"ticket\">", html);   // no ticket shown for a demand that was not stored

        var live = await (await citizen.GetAsync("/healthz/live")).Expect<JsonElement>(HttpStatusCode.OK);
        Assert.Equal("live", live.GetProperty("status").GetString());
        var ready = await (await citizen.GetAsync("/healthz/ready")).Expect<JsonElement>(HttpStatusCode.ServiceUnavailable);
        var database = ready.GetProperty("checks").EnumerateArray().Single(c => c.GetProperty("name").GetString() == "database");
        Assert.False(database.GetProperty("ok").GetBoolean());
        Assert.Contains(nameof(Infrastructure.FaultKind.Unreachable), database.GetProperty("detail").GetString());
    }

    static async Task<(HttpStatusCode, string)> SubmitAsync(HttpClient c, PortalHelpers.Form form, string content, string phone)
    {
        var res = await PortalHelpers.PostSubmit(c, form, PortalHelpers.Fields(DemandType.Help, content, phone));
        return (res.StatusCode, WebUtility.HtmlDecode(await res.Content.ReadAsStringAsync()));
    }

    /// The database disappears behind the app's back (the SQLite path is freed again by the test).
    async Task LoseDatabaseAsync(BihuanFactory app)
    {
        if (engine == DatabaseEngine.Sqlite)
        {
            var file = new SqliteConnectionStringBuilder(app.ConnectionString).DataSource;
            SqliteConnection.ClearAllPools();
            foreach (var f in new[] { file, file + "-wal", file + "-shm" }) File.Delete(f);
            // A directory where the file was: SQLite cannot open (or create) the database there.
            Directory.CreateDirectory(file);
            return;
        }
        var db = new NpgsqlConnectionStringBuilder(app.ConnectionString).Database;
        await using var c = new NpgsqlConnection(Postgres.ServerConnectionString);
        await c.OpenAsync();
        await using var cmd = c.CreateCommand();
        cmd.CommandText = $"DROP DATABASE {db} WITH (FORCE)";
        await cmd.ExecuteNonQueryAsync();
        NpgsqlConnection.ClearAllPools();
    }
}

public sealed class SqliteFaultTests() : FaultTestsBase(DatabaseEngine.Sqlite);
public sealed class PostgresFaultTests() : FaultTestsBase(DatabaseEngine.Postgres);
