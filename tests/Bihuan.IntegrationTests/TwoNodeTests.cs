using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Bihuan.Domain;
using Npgsql;

namespace Bihuan.IntegrationTests;

/// A city deployment in miniature: two Bihuan web processes (the real executable) on two loopback ports against one
/// PostgreSQL database, sharing an upload directory. A sign-in made on one node opens the other and survives a
/// restart (data-protection keys live in the database); a record written through one is read through the other;
/// the daily job runs once although both nodes poll for it every second.
public sealed partial class TwoNodeTests : IDisposable
{
    readonly List<Process> _nodes = [];
    readonly StringBuilder _log = new();
    string? _database;
    readonly string _files = Path.Combine(Path.GetTempPath(), $"bihuan-shared-files-{Guid.NewGuid():N}");

    [GeneratedRegex("name=\"__RequestVerificationToken\"[^>]*value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryToken();

    static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    async Task<Uri> StartNode(string name, string connectionString, bool prepare)
    {
        var port = FreePort();
        var exe = Path.Combine(AppContext.BaseDirectory, OperatingSystem.IsWindows() ? "bihuan.exe" : "bihuan");
        var psi = new ProcessStartInfo(exe, ["--urls", $"http://127.0.0.1:{port}"])
        {
            WorkingDirectory = AppContext.BaseDirectory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        psi.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        psi.Environment["Bihuan__Database__Provider"] = "Postgres";
        psi.Environment["Bihuan__Database__ConnectionString"] = connectionString;
        psi.Environment["Bihuan__MigrateOnStart"] = prepare ? "true" : "false";
        psi.Environment["Bihuan__SeedDemo"] = prepare ? "true" : "false";
        psi.Environment["Bihuan__DemoLedger"] = "false";
        psi.Environment["Bihuan__Files__Root"] = _files;
        psi.Environment["Bihuan__Jobs__PollSeconds"] = "1";
        psi.Environment["Bihuan__Jobs__Node"] = name;
        var p = Process.Start(psi)!;
        p.OutputDataReceived += (_, e) => { lock (_log) _log.AppendLine($"[{name}] {e.Data}"); };
        p.ErrorDataReceived += (_, e) => { lock (_log) _log.AppendLine($"[{name}!] {e.Data}"); };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        _nodes.Add(p);
        var url = new Uri($"http://127.0.0.1:{port}");
        using var probe = new HttpClient { BaseAddress = url, Timeout = TimeSpan.FromSeconds(5) };
        for (var i = 0; i < 240; i++)
        {
            if (p.HasExited) break;
            try { if ((await probe.GetAsync("/healthz")).IsSuccessStatusCode) return url; }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) { }
            await Task.Delay(250);
        }
        throw new InvalidOperationException($"node {name} did not start:\n{_log}");
    }

    static HttpClient Client(Uri node, CookieContainer cookies) =>
        new(new HttpClientHandler { CookieContainer = cookies, AllowAutoRedirect = false }) { BaseAddress = node };

    static async Task SignIn(HttpClient browser, string user)
    {
        var html = await (await browser.GetAsync("/login")).Content.ReadAsStringAsync();
        var token = AntiforgeryToken().Match(html);
        Assert.True(token.Success, "no antiforgery token on /login");
        var res = await browser.PostAsync("/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "login", ["__RequestVerificationToken"] = WebUtility.HtmlDecode(token.Groups[1].Value),
            ["Input.UserName"] = user, ["Input.Password"] = "Demo@2026bh",
        }));
        Assert.Equal(HttpStatusCode.Redirect, res.StatusCode);
        // API writes with the cookie carry the signed-in page's antiforgery token in the header (ADR 0017).
        var page = AntiforgeryToken().Match(await (await browser.GetAsync("/")).Content.ReadAsStringAsync());
        Assert.True(page.Success, "no antiforgery token on /");
        browser.DefaultRequestHeaders.Add("RequestVerificationToken", WebUtility.HtmlDecode(page.Groups[1].Value));
    }

    [SkippableFact]
    public async Task TwoNodes_ShareSessionsRecordsFilesAndRunTheDailyJobOnce()
    {
        Postgres.SkipIfUnavailable();
        var server = Postgres.ServerConnectionString!;
        _database = $"bihuan_nodes_{Guid.NewGuid():N}";
        await using (var c = new NpgsqlConnection(server))
        {
            await c.OpenAsync();
            await using var cmd = c.CreateCommand();
            cmd.CommandText = $"CREATE DATABASE {_database}";
            await cmd.ExecuteNonQueryAsync();
        }
        var cs = new NpgsqlConnectionStringBuilder(server) { Database = _database }.ToString();
        var a = await StartNode("node-a", cs, prepare: true);
        var b = await StartNode("node-b", cs, prepare: false);

        // One sign-in (on A) opens B: the cookie is protected with keys both nodes read from the database.
        var cookies = new CookieContainer();
        var onA = Client(a, cookies);
        var onB = Client(b, cookies);
        await SignIn(onA, "yx.fgj.liaison");
        var me = await (await onB.GetAsync("/api/v1/me")).Expect<JsonElement>(HttpStatusCode.OK);
        Assert.Equal("yx.fgj.liaison", me.GetProperty("userName").GetString());

        // A record written through A is read through B; a file uploaded to A is served by B (shared directory).
        var fgj = (await (await onA.GetAsync("/api/v1/orgs?q=GZ-YX-FGJ")).Expect<JsonElement>(HttpStatusCode.OK));
        var orgId = FindOrg(fgj, "GZ-YX-FGJ");
        var created = await (await onA.PostAsJsonAsync("/api/v1/problems", new
        {
            orgId, description = "两节点测试：审批材料层层加码，企业反映“跑多次”", source = SourceChannel.SelfInspection,
            aspect = Aspect.Duty, dimension = Dimension.RealWork, notDuplicate = true,
        })).Expect<JsonElement>(HttpStatusCode.Created);
        var id = created.GetProperty("id").GetInt32();
        var read = await (await onB.GetAsync($"/api/v1/problems/{id}")).Expect<JsonElement>(HttpStatusCode.OK);
        Assert.Contains("两节点测试", read.GetProperty("description").GetString());
        var png = TestFiles.Png("两节点");
        var file = new ByteArrayContent(png);
        file.Headers.ContentType = new MediaTypeHeaderValue("image/png");
        var up = await (await onA.PostAsync("/api/v1/files", new MultipartFormDataContent { { file, "file", "现场.png" } }))
            .Expect<JsonElement>(HttpStatusCode.Created);
        var down = await onB.GetAsync(up.GetProperty("url").GetString());
        Assert.Equal(HttpStatusCode.OK, down.StatusCode);
        Assert.Equal(png, await down.Content.ReadAsByteArrayAsync());

        // The daily job: both nodes poll every second; exactly one runs today's period.
        var today = ChinaTime.Today(TimeProvider.System).ToString("yyyy-MM-dd");
        async Task<List<(string Node, bool Finished)>> Runs()
        {
            await using var c = new NpgsqlConnection(cs);
            await c.OpenAsync();
            await using var cmd = c.CreateCommand();
            cmd.CommandText = "SELECT \"Node\", \"FinishedAt\" IS NOT NULL FROM \"JobRuns\" WHERE \"Name\" = 'light-snapshot' AND \"Period\" = @p";
            cmd.Parameters.AddWithValue("p", today);
            var list = new List<(string, bool)>();
            await using var r = await cmd.ExecuteReaderAsync();
            while (await r.ReadAsync()) list.Add((r.GetString(0), r.GetBoolean(1)));
            return list;
        }
        for (var i = 0; i < 80 && !(await Runs()).Any(r => r.Finished); i++) await Task.Delay(250);
        await Task.Delay(3000);   // both nodes have polled again several times since
        var run = Assert.Single(await Runs());
        Assert.True(run.Finished, _log.ToString());
        Assert.Contains(run.Node, new[] { "node-a", "node-b" });

        // Restart B: the same cookie still opens it.
        _nodes[1].Kill(entireProcessTree: true);
        await _nodes[1].WaitForExitAsync();
        var b2 = await StartNode("node-b", cs, prepare: false);
        var again = Client(b2, cookies);
        await (await again.GetAsync("/api/v1/me")).Expect(HttpStatusCode.OK);
        Assert.Single(await Runs());
    }

    static int FindOrg(JsonElement list, string code)
    {
        foreach (var o in list.ValueKind == JsonValueKind.Array ? list.EnumerateArray() : list.GetProperty("items").EnumerateArray())
            if (o.GetProperty("code").GetString() == code) return o.GetProperty("id").GetInt32();
        throw new InvalidOperationException($"org {code} not found in {list}");
    }

    public void Dispose()
    {
        foreach (var p in _nodes)
        {
            try { if (!p.HasExited) { p.Kill(entireProcessTree: true); p.WaitForExit(10_000); } } catch (InvalidOperationException) { }
            p.Dispose();
        }
        try { if (Directory.Exists(_files)) Directory.Delete(_files, recursive: true); } catch (IOException) { }
        if (_database is null || Postgres.ServerConnectionString is not { } server) return;
        NpgsqlConnection.ClearAllPools();
        using var c = new NpgsqlConnection(server);
        c.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = $"DROP DATABASE IF EXISTS {_database} WITH (FORCE)";
        cmd.ExecuteNonQuery();
    }
}
