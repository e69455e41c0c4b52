using System.Net;
using Bihuan.Data;
using Bihuan.IntegrationTests;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace Bihuan.BrowserTests;

/// The real app (demo data on a temp SQLite file) listening on a loopback port, and one headless Debian chromium
/// driven by Playwright; shared by the tests of a class, each test getting a fresh browser context (own cookies).
/// Without /usr/bin/chromium the tests skip, unless BIHUAN_REQUIRE_BROWSER=1 (then they fail).
public sealed class BrowserApp : IAsyncLifetime
{
    public const string Password = "Demo@2026bh";
    public static string ChromiumPath =>
        Environment.GetEnvironmentVariable("BIHUAN_CHROMIUM") is { Length: > 0 } p ? p : "/usr/bin/chromium";
    static bool Required => Environment.GetEnvironmentVariable("BIHUAN_REQUIRE_BROWSER") == "1";

    static readonly string[] ChromiumArgs =
    [
        "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync",
    ];

    public LiveFactory Factory { get; } = new();
    public string BaseUrl { get; private set; } = "";
    public static string ScreenshotDir => Path.Combine(AppContext.BaseDirectory, "screenshots");

    IPlaywright? _playwright;
    IBrowser? _browser;

    public async Task InitializeAsync()
    {
        if (!File.Exists(ChromiumPath)) return;   // each test reports the skip (or the failure) itself
        Factory.StartServer();
        var addresses = Factory.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
        BaseUrl = addresses.First().TrimEnd('/');
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ChromiumArgs,
        });
    }

    /// Call first in every test: skips (or fails with BIHUAN_REQUIRE_BROWSER=1) when there is no browser to drive.
    public void RequireBrowser()
    {
        if (File.Exists(ChromiumPath)) return;
        var missing = $"no chromium at {ChromiumPath} (install Debian's chromium, or point BIHUAN_CHROMIUM at one; " +
                      "Playwright's own browser download is not used)";
        if (Required) throw new InvalidOperationException($"BIHUAN_REQUIRE_BROWSER=1 but {missing}");
        Skip.If(true, $"Browser tests skipped: {missing}. Set BIHUAN_REQUIRE_BROWSER=1 to make this a failure.");
    }

    /// A fresh context (no cookies) with the app as base URL, Chinese browser locale; desktop-sized unless a phone's
    /// viewport is asked for.
    public async Task<IPage> NewPageAsync(bool phone = false)
    {
        RequireBrowser();
        var context = await _browser!.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = BaseUrl,
            Locale = "zh-CN",
            ViewportSize = phone ? new ViewportSize { Width = 390, Height = 844 } : new ViewportSize { Width = 1280, Height = 800 },
            IsMobile = phone,
            HasTouch = phone,
        });
        context.SetDefaultTimeout(15_000);
        return await context.NewPageAsync();
    }

    /// A phone-sized context (390×844, touch) for the public portal; JavaScript off unless asked for.
    public async Task<IPage> NewPhonePageAsync(bool javaScript = false)
    {
        RequireBrowser();
        var context = await _browser!.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = BaseUrl,
            Locale = "zh-CN",
            ViewportSize = new ViewportSize { Width = 390, Height = 844 },
            DeviceScaleFactor = 2,
            IsMobile = true,
            HasTouch = true,
            JavaScriptEnabled = javaScript,
        });
        context.SetDefaultTimeout(15_000);
        return await context.NewPageAsync();
    }

    public static async Task SignInAsync(IPage page, string userName, string password = Password)
    {
        await page.GotoAsync("/login");
        await page.Locator("input[name='Input.UserName']").FillAsync(userName);
        await page.Locator("input[name='Input.Password']").FillAsync(password);
        await page.GetByRole(AriaRole.Button, new() { Name = "登录", Exact = true }).ClickAsync();
        await page.WaitForLoadStateAsync(LoadState.Load);
    }

    /// Full-page PNG under bin/.../screenshots; the path goes to the test output.
    public static async Task<string> ScreenshotAsync(IPage page, string name, ITestOutputHelper output)
    {
        Directory.CreateDirectory(ScreenshotDir);
        var path = Path.Combine(ScreenshotDir, name + ".png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
        output.WriteLine($"screenshot: {path}");
        return path;
    }

    public async Task DisposeAsync()
    {
        if (_browser is not null) await _browser.CloseAsync();
        _playwright?.Dispose();
        Factory.Dispose();
    }
}

/// BihuanFactory on Kestrel (an ephemeral loopback port) instead of the in-memory test server.
public sealed class LiveFactory : BihuanFactory
{
    public LiveFactory() : base(DatabaseEngine.Sqlite) =>
        UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
}
