using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Bihuan.Data;
using Bihuan.Domain;
using Bihuan.Features.Rectification;
using Bihuan.Features.Supervision;
using Microsoft.AspNetCore.Routing;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Bihuan.IntegrationTests;

/// A demo database with records of every kind a dashboard counts, rolled up once and changed after (so marks are
/// pending), then opened read-only: on SQLite a copy through `Mode=ReadOnly`; on PostgreSQL the same database
/// through a role that holds only SELECT and has default_transaction_read_only=on.
public class ReadOnlyFixture(DatabaseEngine engine) : IDisposable
{
    readonly SemaphoreSlim _gate = new(1, 1);
    BihuanFactory? _writable, _readOnly;
    string? _copy, _role;
    public Dictionary<string, int> Ids { get; } = [];

    public BihuanFactory Writable => _writable!;
    public BihuanFactory ReadOnly => _readOnly!;

    public async Task EnsureAsync()
    {
        if (engine == DatabaseEngine.Postgres) Postgres.SkipIfUnavailable();
        await _gate.WaitAsync();
        try
        {
            if (_readOnly is not null) return;
            _writable = new BihuanFactory(engine, new Dictionary<string, string?> { ["Bihuan:DemoLedger"] = "true" });
            await ArrangeAsync(_writable);
            var settings = new Dictionary<string, string?>
            {
                ["Bihuan:MigrateOnStart"] = "false", ["Bihuan:SeedDemo"] = "false",
            };
            if (engine == DatabaseEngine.Sqlite)
            {
                _copy = Path.Combine(Path.GetTempPath(), $"bihuan-readonly-{Guid.NewGuid():N}.db");
                await using (var from = new SqliteConnection(_writable.ConnectionString))
                await using (var to = new SqliteConnection($"Data Source={_copy};Pooling=False"))
                {
                    await from.OpenAsync();
                    from.BackupDatabase(to);
                }
                settings["Bihuan:Database:ConnectionString"] = $"Data Source={_copy};Mode=ReadOnly;Pooling=False";
            }
            else
            {
                var db = new NpgsqlConnectionStringBuilder(_writable.ConnectionString).Database!;
                _role = $"bihuan_ro_{Guid.NewGuid():N}"[..24];
                await using (var c = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(_writable.ConnectionString).ToString()))
                {
                    await c.OpenAsync();
                    foreach (var sql in new[]
                    {
                        $"CREATE ROLE {_role} LOGIN", $"GRANT CONNECT ON DATABASE {db} TO {_role}",
                        $"GRANT USAGE ON SCHEMA public TO {_role}", $"GRANT SELECT ON ALL TABLES IN SCHEMA public TO {_role}",
                        $"ALTER ROLE {_role} SET default_transaction_read_only = on",
                    })
                    {
                        await using var cmd = c.CreateCommand();
                        cmd.CommandText = sql;
                        await cmd.ExecuteNonQueryAsync();
                    }
                }
                settings["Bihuan:Database:ConnectionString"] =
                    new NpgsqlConnectionStringBuilder(_writable.ConnectionString) { Username = _role, Password = null }.ToString();
            }
            _readOnly = new BihuanFactory(engine, settings["Bihuan:Database:ConnectionString"]!, _writable.FilesRoot, settings)
                { AuditDir = _writable.AuditDir };
        }
        finally { _gate.Release(); }
    }

    /// Records for every section (the demo holds plans, meetings, study and rules): ledger items with evidence, a
    /// 督办单, public demands; one refresh; then more changes, left pending.
    async Task ArrangeAsync(BihuanFactory app)
    {
        var liaison = await app.ClientFor("yx.fgj.liaison");
        var fgj = await app.OrgId("GZ-YX-FGJ");
        Ids["org"] = fgj;
        Ids["district"] = await app.OrgId("GZ-YX");
        async Task<int> Item(string text)
        {
            var p = await (await liaison.PostAsJsonAsync("/api/v1/problems", new
            {
                orgId = fgj, description = $"只读库测试：{text}，材料层层加码", source = SourceChannel.SelfInspection,
                aspect = Aspect.Duty, dimension = Dimension.RealWork, notDuplicate = true,
            })).Expect<JsonElement>(HttpStatusCode.Created);
            Ids["problem"] = p.GetProperty("id").GetInt32();
            var i = await (await liaison.PostAsJsonAsync($"/api/v1/problems/{Ids["problem"]}/items", new
            {
                measures = $"{text}：精简材料清单", handler = "张丽娟", deadlineKind = DeadlineKind.Dated,
                deadline = DateOnly.FromDateTime(DateTime.UtcNow).AddDays(30),
            })).Expect<LedgerEntry>(HttpStatusCode.Created);
            return i.Id;
        }
        var first = await Item("第一项");
        Ids["item"] = first;
        var upload = Upload = await Drill.UploadAsync(liaison, TestFiles.Png());
        await (await liaison.PostAsJsonAsync($"/api/v1/rectifications/{first}/progress", new { text = "已梳理", percent = 40, evidence = new[] { upload } }))
            .Expect(HttpStatusCode.OK);
        var jw = await app.ClientFor("gz.jw");
        var order = await (await jw.PostAsJsonAsync("/api/v1/supervision/orders", new
        {
            orgId = fgj, title = "只读库测试督办", requirements = "请按期整改", dueOn = DateOnly.FromDateTime(DateTime.UtcNow).AddDays(10),
            itemIds = new[] { first },
        })).Expect<JsonElement>(HttpStatusCode.Created);
        Ids["order"] = order.GetProperty("order").GetProperty("id").GetInt32();
        var ticket = Ticket = await Drill.SubmitAsync(app, "只读库测试：路灯坏了", TestFiles.Png());
        Ids["workorder"] = await Drill.WorkOrderIdAsync(app, ticket);

        var (db, scope) = app.SystemDb();
        using (scope)
        {
            await scope.ServiceProvider.GetRequiredService<RollupStore>().RefreshAsync(db, ChinaTime.Today(TimeProvider.System), default);
            Ids["campaign"] = await db.Campaigns.IgnoreQueryFilters().Select(c => c.Id).FirstAsync();
            Ids["plan"] = await db.Plans.IgnoreQueryFilters().Select(c => c.Id).FirstAsync();
            Ids["meeting"] = await db.Meetings.IgnoreQueryFilters().Select(c => c.Id).FirstAsync();
            Ids["rule"] = await db.Rules.IgnoreQueryFilters().Select(c => c.Id).FirstAsync();
            Ids["person"] = await db.People.IgnoreQueryFilters().Select(c => c.Id).FirstAsync();
        }
        // Changes after the refresh: their marks stay pending in the read-only database.
        await Item("第二项");
        await Drill.SubmitAsync(app, "只读库测试：井盖松动");
        foreach (var u in Users) await app.TokenFor(u);
    }

    public static readonly string[] Users = ["admin", "gz.jw", "yx.fgj.liaison", "yx.fgj.member"];
    /// An evidence file and a public ticket of the arrangement.
    public string Upload { get; private set; } = "";
    public string Ticket { get; private set; } = "";

    /// A client of the read-only app signed in with a token made on the writable one (the read-only app cannot).
    public async Task<HttpClient> ReadOnlyClientFor(string user)
    {
        var c = ReadOnly.CreateClient(new() { AllowAutoRedirect = false });
        c.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await Writable.TokenFor(user));
        return c;
    }

    public void Dispose()
    {
        _readOnly?.Dispose();
        _writable?.Dispose();
        if (_copy is not null)
            foreach (var f in new[] { _copy, _copy + "-wal", _copy + "-shm" })
                try { File.Delete(f); } catch (IOException) { }
        if (_role is not null && Postgres.ServerConnectionString is { } server)
        {
            NpgsqlConnection.ClearAllPools();
            using var c = new NpgsqlConnection(server);
            c.Open();
            using var cmd = c.CreateCommand();
            cmd.CommandText = $"DROP ROLE IF EXISTS {_role}";
            cmd.ExecuteNonQuery();
        }
    }
}

public sealed class SqliteReadOnlyFixture() : ReadOnlyFixture(DatabaseEngine.Sqlite);
public sealed class PostgresReadOnlyFixture() : ReadOnlyFixture(DatabaseEngine.Postgres);

/// Reads never write: every GET of the app (API, pages, exports, Open311) answers 200 on a database that cannot be
/// written, the dashboards included (their pending roll-up changes summed in memory, equal to what the refresh writes
/// later), while readiness says why the node cannot take writes and liveness stays up.
public abstract class ReadOnlyTestsBase(ReadOnlyFixture fx)
{
    /// GET routes that do not answer 200 by design, with the reason.
    static readonly Dictionary<string, HttpStatusCode> NotOk = new()
    {
        ["/healthz/ready"] = HttpStatusCode.ServiceUnavailable,   // this node cannot take writes: that is its answer
        ["/culture"] = HttpStatusCode.BadRequest,                 // needs ?c=
    };

    /// Query values a route requires (its handler binds them as required parameters).
    Dictionary<string, string> Queries => new()
    {
        ["/api/v1/campaigns/{id:int}/plan-status"] = $"orgId={fx.Ids["district"]}",
        ["/api/v1/campaigns/{id:int}/progress"] = $"orgId={fx.Ids["district"]}",
        ["/api/v1/meetings/counts"] = $"orgId={fx.Ids["district"]}",
        ["/api/v1/workorders/kpi"] = $"orgId={fx.Ids["district"]}",
        ["/api/v1/plans/{id:int}/diff"] = "from=1",
        ["/api/v1/study/records"] = $"personId={fx.Ids["person"]}",
    };

    /// The URL for a route: each parameter filled with a record of the kind its path names (null: none known).
    string? Fill(string route)
    {
        var segments = route.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var unknown = false;
        for (var i = 0; i < segments.Length; i++)
        {
            var parent = i == 0 ? "" : segments[i - 1];
            segments[i] = System.Text.RegularExpressions.Regex.Replace(segments[i], @"\{([^}:?]+)[^}]*\}", m =>
            {
                var value = (m.Groups[1].Value, parent) switch
                {
                    ("format", _) => "json",
                    ("documentName", _) => "v1",
                    ("n", _) => "1",
                    ("code", "services") => "help",
                    ("id" or "token", "requests" or "tokens") => fx.Ticket,
                    ("id", "files") => fx.Upload,
                    ("id" or "Id", _) => parent switch
                    {
                        "orgs" => "org", "campaigns" => "campaign", "plans" => "plan", "meetings" => "meeting", "problems" => "problem",
                        "ledger" or "rectifications" => "item", "orders" => "order", "workorders" => "workorder", "rules" => "rule",
                        "people" => "person", _ => null,
                    } is { } k && fx.Ids.TryGetValue(k, out var id) ? id.ToString() : null,
                    _ => null,
                };
                unknown |= value is null;
                return value ?? "";
            });
        }
        if (unknown) return null;
        var url = "/" + string.Join('/', segments);
        if (Queries.TryGetValue(route, out var q)) url += "?" + q;
        if (route.StartsWith("/open311/v2/services") || route.StartsWith("/open311/v2/requests")) url += "?jurisdiction_id=GZ";
        return url;
    }

    [SkippableFact]
    public async Task EveryGet_OnAReadOnlyDatabase_Answers200()
    {
        await fx.EnsureAsync();
        var routes = fx.ReadOnly.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.HttpMethodMetadata>()?.HttpMethods.Contains("GET") == true)
            .Select(e => "/" + (e.RoutePattern.RawText ?? "").TrimStart('/')).Distinct().Order().ToList();
        Assert.True(routes.Count > 40, $"only {routes.Count} GET routes found");
        var admin = await fx.ReadOnlyClientFor("admin");
        var anonymous = fx.ReadOnly.CreateClient(new() { AllowAutoRedirect = false });
        var failures = new List<string>();
        var skipped = new List<string>();
        var asked = 0;
        var member = await fx.ReadOnlyClientFor("yx.fgj.member");
        foreach (var route in routes.Where(r => !r.StartsWith("/_framework")))
        {
            if (Fill(route) is not { } url) { skipped.Add(route); continue; }
            var expected = NotOk.GetValueOrDefault(route, HttpStatusCode.OK);
            var client = route.StartsWith("/public") || route.StartsWith("/open311") ? anonymous
                : route is "/api/v1/study/mine" or "/me/study" ? member : admin;   // a person's own study: a member's
            var res = await client.GetAsync(url);
            asked++;
            if (res.StatusCode != expected) failures.Add($"{await res.Describe()} (expected {(int)expected})");
        }
        // The ones with ids the route name does not tell: asked explicitly.
        foreach (var url in new[]
        {
            $"/supervision?orgId={fx.Ids["district"]}", $"/api/v1/supervision/dashboard?orgId={fx.Ids["district"]}",
            $"/api/v1/supervision/dashboard.xlsx?orgId={fx.Ids["district"]}", "/api/v1/supervision/briefing.docx",
            "/ledger?closed=false", $"/workorders/kpi?orgId={fx.Ids["district"]}", "/open311/v2/requests.xml?jurisdiction_id=GZ",
        })
        {
            var res = await admin.GetAsync(url);
            asked++;
            if (res.StatusCode != HttpStatusCode.OK) failures.Add(await res.Describe());
        }
        Assert.True(failures.Count == 0, $"{failures.Count} of {asked} GETs failed on a read-only database:\n" + string.Join("\n", failures)
            + "\nnot asked (no id known): " + string.Join(", ", skipped));
    }

    [SkippableFact]
    public async Task Dashboard_OnAReadOnlyDatabase_EqualsTheWritableOneAfterItsRefresh()
    {
        await fx.EnsureAsync();
        var district = fx.Ids["district"];
        var readOnly = await (await (await fx.ReadOnlyClientFor("gz.jw")).GetAsync($"/api/v1/supervision/dashboard?orgId={district}"))
            .Expect<JsonElement>(HttpStatusCode.OK);
        var (db, scope) = fx.Writable.SystemDb();
        using (scope)
        {
            Assert.True(await db.RollupMarks.AnyAsync(), "the arrangement should leave roll-up changes pending");
            await scope.ServiceProvider.GetRequiredService<RollupStore>().RefreshAsync(db, ChinaTime.Today(TimeProvider.System), default);
            Assert.False(await db.RollupMarks.AnyAsync());
        }
        var written = await (await (await fx.Writable.ClientFor("gz.jw")).GetAsync($"/api/v1/supervision/dashboard?orgId={district}"))
            .Expect<JsonElement>(HttpStatusCode.OK);
        Assert.Equal(written.GetProperty("sections").ToString(), readOnly.GetProperty("sections").ToString());
        Assert.Equal(written.GetProperty("units").ToString(), readOnly.GetProperty("units").ToString());
        // Both items of the arrangement are counted, the one added after the refresh too.
        var ledger = readOnly.GetProperty("sections").EnumerateArray().Single(s => s.GetProperty("key").GetString() == "ledger");
        var total = ledger.GetProperty("groups")[0].GetProperty("figures").EnumerateArray().Single(f => f.GetProperty("key").GetString() == "total");
        Assert.True(total.GetProperty("value").GetInt32() >= 2, total.ToString());
    }

    [SkippableFact]
    public async Task Readiness_OnAReadOnlyDatabase_Fails503SayingWhy_LivenessStaysUp()
    {
        await fx.EnsureAsync();
        var c = fx.ReadOnly.CreateClient();
        var live = await (await c.GetAsync("/healthz/live")).Expect<JsonElement>(HttpStatusCode.OK);
        Assert.Equal("live", live.GetProperty("status").GetString());
        await (await c.GetAsync("/healthz")).Expect(HttpStatusCode.OK);
        var ready = await (await c.GetAsync("/healthz/ready")).Expect<JsonElement>(HttpStatusCode.ServiceUnavailable);
        Assert.Equal("not ready", ready.GetProperty("status").GetString());
        var database = ready.GetProperty("checks").EnumerateArray().Single(x => x.GetProperty("name").GetString() == "database");
        Assert.False(database.GetProperty("ok").GetBoolean());
        Assert.Contains("ReadOnly", database.GetProperty("detail").GetString());
        // The writable app beside it is ready.
        await (await fx.Writable.CreateClient().GetAsync("/healthz/ready")).Expect(HttpStatusCode.OK);
    }

    [SkippableFact]
    public async Task Write_OnAReadOnlyDatabase_Answers503ProblemWithTraceId_AndThePublicFormKeepsTheInput()
    {
        await fx.EnsureAsync();
        var liaison = await fx.ReadOnlyClientFor("yx.fgj.liaison");
        var res = await liaison.PostAsJsonAsync("/api/v1/problems", new
        {
            orgId = fx.Ids["org"], description = "只读库上登记问题", source = SourceChannel.SelfInspection,
            aspect = Aspect.Duty, dimension = Dimension.RealWork, notDuplicate = true,
        });
        var p = await res.ExpectProblem(HttpStatusCode.ServiceUnavailable);
        Assert.False(string.IsNullOrEmpty(p.GetProperty("traceId").GetString()));
        Assert.Contains("只读", p.GetProperty("title").GetString());
        Assert.Null(res.Headers.RetryAfter);   // read-only is not transient: an operator must act

        var (status, html) = await Drill.TrySubmitAsync(fx.ReadOnly, "只读库上提交：小区路灯不亮已经一周", "13712345678");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Contains("系统繁忙，请稍后再试；紧急事项请拨打 12345", html);
        Assert.Contains("只读库上提交：小区路灯不亮已经一周", html);   // what the citizen typed is still in the form
        Assert.Contains("13712345678", html);
    }
}

public sealed class SqliteReadOnlyTests(SqliteReadOnlyFixture fx) : ReadOnlyTestsBase(fx), IClassFixture<SqliteReadOnlyFixture>;
public sealed class PostgresReadOnlyTests(PostgresReadOnlyFixture fx) : ReadOnlyTestsBase(fx), IClassFixture<PostgresReadOnlyFixture>;
