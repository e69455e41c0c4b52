using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Bihuan.Data;
using Bihuan.Domain;
using Bihuan.Features.Demands;

namespace Bihuan.IntegrationTests;

/// What the fault, read-only and restore tests do as users and as an operator: a citizen submits through the public
/// form, a liaison uploads evidence, the operator runs the real `bihuan` executable (backup, restore, audit verify).
public static class Drill
{
    /// A citizen's demand through the public form (with photos): its ticket.
    public static async Task<string> SubmitAsync(BihuanFactory app, string content, params byte[][] photos)
    {
        var c = app.Anonymous();
        var res = await PortalHelpers.PostSubmit(c, await PortalHelpers.GetForm(c),
            PortalHelpers.Fields(DemandType.Help, content, Phone()), photos.Select((b, i) => (b, $"现场{i + 1}.png", "image/png")).ToArray());
        var html = await res.Content.ReadAsStringAsync();
        var m = PortalHelpers.TicketOut().Match(html);
        Assert.True(res.StatusCode == HttpStatusCode.OK && m.Success, await res.Describe());
        return m.Groups[1].Value;
    }

    /// A submission that may fail: the status and the page the citizen gets back.
    public static async Task<(HttpStatusCode Status, string Html)> TrySubmitAsync(BihuanFactory app, string content, string phone)
    {
        var c = app.Anonymous();
        var res = await PortalHelpers.PostSubmit(c, await PortalHelpers.GetForm(c), PortalHelpers.Fields(DemandType.Help, content, phone));
        return (res.StatusCode, WebUtility.HtmlDecode(await res.Content.ReadAsStringAsync()));
    }

    static int _phone = Random.Shared.Next(0, 9_000_000);
    static string Phone() => $"139{Interlocked.Increment(ref _phone) % 100_000_000:D8}";

    public static async Task<int> WorkOrderIdAsync(BihuanFactory app, string ticket)
    {
        var page = await (await app.ClientFor("gz.hotline")).GetAsync($"/api/v1/workorders?q={ticket}");
        var json = await page.Expect<JsonElement>(HttpStatusCode.OK);
        return json.GetProperty("rows").EnumerateArray().Single().GetProperty("id").GetInt32();
    }

    /// An evidence file uploaded by a signed-in user: its SHA-256.
    public static async Task<string> UploadAsync(HttpClient c, byte[] bytes, string name = "现场照片.png")
    {
        var file = new ByteArrayContent(bytes);
        file.Headers.ContentType = new MediaTypeHeaderValue("image/png");
        var res = await c.PostAsync("/api/v1/files", new MultipartFormDataContent { { file, "file", name } });
        return (await res.Expect<JsonElement>(HttpStatusCode.Created)).GetProperty("id").GetString()!;   // the upload id a record cites (ADR 0008)
    }

    public sealed record Run(int ExitCode, string Output);

    /// Runs the real executable (the one the tests' bin folder holds) as an operator would, with the environment given.
    public static async Task<Run> BihuanAsync(IReadOnlyDictionary<string, string?> env, params string[] args)
    {
        var exe = Path.Combine(AppContext.BaseDirectory, OperatingSystem.IsWindows() ? "bihuan.exe" : "bihuan");
        var psi = new ProcessStartInfo(exe, args)
        {
            WorkingDirectory = AppContext.BaseDirectory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        psi.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        foreach (var (k, v) in env) psi.Environment[k] = v;
        using var p = Process.Start(psi)!;
        var output = new StringBuilder();
        p.OutputDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        p.ErrorDataReceived += (_, e) => { lock (output) output.AppendLine("! " + e.Data); };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(10));
        await p.WaitForExitAsync(cts.Token);
        p.WaitForExit();
        lock (output) return new(p.ExitCode, output.ToString());
    }

    /// The environment that points the executable at a factory's database and files root.
    public static Dictionary<string, string?> EnvFor(BihuanFactory app) =>
        EnvFor(app.Engine, app.ConnectionString, app.FilesRoot, app);

    /// `keys`: the factory whose audit chain key and anchors the executable uses (kept outside any database, so a
    /// restored copy is verified with the keys of the installation that wrote it).
    public static Dictionary<string, string?> EnvFor(DatabaseEngine engine, string connectionString, string filesRoot,
        BihuanFactory keys) => new()
    {
        ["Bihuan__Database__Provider"] = engine.ToString(), ["Bihuan__Database__ConnectionString"] = connectionString,
        ["Bihuan__Files__Root"] = filesRoot, ["Bihuan__Jobs__Enabled"] = "false",
        ["Bihuan__Audit__KeyFile"] = keys.KeyFile, ["Bihuan__Audit__AnchorDir"] = keys.AnchorDir,
        ["Bihuan__Audit__AnchorKeyFile"] = Path.Combine(keys.AuditDir, "anchor-signing.pem"),
    };
}
