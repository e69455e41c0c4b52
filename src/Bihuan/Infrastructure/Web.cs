using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Unicode;
using Bihuan.Data;
using Bihuan.Features.Accounts;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Localization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.EntityFrameworkCore;

namespace Bihuan.Infrastructure;

public sealed class BihuanOptions
{
    /// Apply migrations at start-up (default: in Development; in production run `bihuan migrate`).
    public bool? MigrateOnStart { get; set; }
    /// Load the demo when the database is empty (default: in Development only).
    public bool? SeedDemo { get; set; }
}

public static class WebSetup
{
    public static readonly CultureInfo[] Cultures = [new("zh-CN"), new("en")];

    public static IServiceCollection AddBihuanWeb(this IServiceCollection services)
    {
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(_ => Domain.WorkingCalendar.Shipped());
        services.AddSingleton(Domain.LightRules.Default);
        services.AddSingleton(sp => FileStore.For(sp.GetRequiredService<IConfiguration>(), sp.GetRequiredService<IWebHostEnvironment>()));
        // Pages carry real Chinese characters, not &#x...; escapes (smaller, searchable, testable).
        services.AddSingleton(HtmlEncoder.Create(UnicodeRanges.All));
        services.AddLocalization(o => o.ResourcesPath = "Resources");
        services.Configure<RequestLocalizationOptions>(o =>
        {
            o.DefaultRequestCulture = new RequestCulture("zh-CN");
            o.SupportedCultures = Cultures;
            o.SupportedUICultures = Cultures;
            // The remembered choice (cookie) wins; no guessing from the browser: Chinese first.
            o.RequestCultureProviders = [new CookieRequestCultureProvider(), new QueryStringRequestCultureProvider()];
        });
        services.AddRazorComponents();
        services.AddProblemDetails();
        services.AddExceptionHandler<DomainExceptionHandler>();
        // A "not found" refusal escaping a page (an org id out of the caller's scope in a query) answers 404, not 500.
        services.Configure<Microsoft.AspNetCore.Builder.ExceptionHandlerOptions>(o => o.AllowStatusCode404Response = true);
        services.AddRequestInput();
        services.AddOpenApi(o =>
        {
            o.AddDocumentTransformer((doc, _, _) =>
            {
                doc.Info.Title = "Bihuan 闭环 API";
                doc.Info.Description = "学查改一体推进 — organizations, people, roles, audit. Authenticate with a personal access token: Authorization: Bearer bh_…";
                return Task.CompletedTask;
            });
            o.DescribeApi();
        });
        services.AddAntiforgery(o => o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest);
        services.AddDataProtection().SetApplicationName("Bihuan").PersistKeysToDbContext<BihuanDb>();
        services.AddHttpContextAccessor();
        return services;
    }

    /// Migrates (when configured) and loads the demo into an empty database (Development only by default).
    public static async Task PrepareDatabaseAsync(this WebApplication app)
    {
        var options = app.Configuration.GetSection("Bihuan").Get<BihuanOptions>() ?? new BihuanOptions();
        using (var scope = app.Services.CreateScope())
        {
            var holder = scope.ServiceProvider.GetRequiredService<ScopeHolder>();
            holder.Current = Domain.AccessScope.System;
            var db = scope.ServiceProvider.GetRequiredService<BihuanDb>();
            if (options.MigrateOnStart ?? app.Environment.IsDevelopment())
                await DatabaseSetup.MigrateAsync(db);
            else if ((await db.Database.GetPendingMigrationsAsync()).Any())
                throw new InvalidOperationException("数据库尚未迁移到当前版本：请先运行 `bihuan migrate`。 The database needs `bihuan migrate`.");
            await Features.Calendar.CalendarApi.LoadImportedAsync(db, scope.ServiceProvider.GetRequiredService<Domain.WorkingCalendar>());
        }
        if ((options.SeedDemo ?? app.Environment.IsDevelopment()) && await DemoSeed.RunAsync(app.Services))
            app.Logger.LogInformation("已加载演示数据 Demo data loaded: accounts are listed in README.md (password {Password})", DemoSeed.Password);
    }

    public static WebApplication UseBihuanPipeline(this WebApplication app)
    {
        app.UseForwardedClient(app.Configuration);
        app.UseSecurityHeaders();
        app.UseExceptionHandler();
        // A bodiless error status: problem details (as the default does), but a browser's 5xx gets the error page.
        app.UseStatusCodePages(async sc =>
        {
            var ctx = sc.HttpContext;
            if (ctx.Response.StatusCode >= 500 && !FaultResponse.IsApi(ctx.Request.Path))
            {
                await FaultResponse.WriteAsync(ctx, ctx.Response.StatusCode == 503 ? new Fault(FaultKind.Busy) : null, Faults.TraceId(ctx));
                return;
            }
            var problems = ctx.RequestServices.GetRequiredService<IProblemDetailsService>();
            if (!await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = ctx, ProblemDetails = { Status = ctx.Response.StatusCode } }))
                await ctx.Response.WriteAsync($"Status Code: {ctx.Response.StatusCode}");
        });
        // A browser asking for an unknown page gets the 未找到 page (with its 404) instead of a problem-details body;
        // the API, other methods and other statuses keep problem details (the middleware below switches the
        // re-execution off for them; the outer UseStatusCodePages then answers as before).
        app.UseStatusCodePagesWithReExecute("/not-found", createScopeForStatusCodePages: true);
        app.Use(async (ctx, next) =>
        {
            await next();
            var page = ctx.Response.StatusCode == StatusCodes.Status404NotFound && HttpMethods.IsGet(ctx.Request.Method)
                && !ctx.Request.Path.StartsWithSegments("/api")
                && ctx.Request.Headers.Accept.ToString().Contains("text/html", StringComparison.OrdinalIgnoreCase);
            if (!page && ctx.Features.Get<Microsoft.AspNetCore.Diagnostics.IStatusCodePagesFeature>() is { } f) f.Enabled = false;
        });
        app.UseRequestInput();
        app.UseRequestLocalization();
        app.UseStaticFiles();
        app.UseRateLimiter();
        app.UseAuthentication();
        app.UseAccessScope();
        app.UseAuthorization();
        app.UseAntiforgery();
        app.UseCookieApiAntiforgery();
        app.UseMustChangeGate();
        return app;
    }

    /// Liveness (`/healthz`, `/healthz/live`): the process is up and answering — no database, so a restart is never
    /// triggered by a database outage. Readiness (`/healthz/ready`): this node can take writes now — 503 with the
    /// reasons otherwise (see Readiness).
    public static WebApplication MapHealth(this WebApplication app)
    {
        foreach (var path in new[] { "/healthz", "/healthz/live" })
            app.MapGet(path, (DatabaseOptions db) => Results.Ok(new { status = "live", engine = db.IsPostgres ? "Postgres" : "Sqlite" }))
                .AllowAnonymous().ExcludeFromDescription();
        app.MapGet("/healthz/ready", async (BihuanDb db, FileStore files, JobHost jobs, TimeProvider clock, CancellationToken ct) =>
        {
            var checks = await Readiness.CheckAsync(db, files, jobs.Node, clock, ct);
            var ready = checks.All(c => c.Ok);
            var body = new { status = ready ? "ready" : "not ready", engine = db.Engine.ToString(), checks };
            return ready ? Results.Ok(body) : Results.Json(body, statusCode: StatusCodes.Status503ServiceUnavailable);
        }).AllowAnonymous().ExcludeFromDescription();
        return app;
    }

    /// Language switch: remembers the choice in the standard culture cookie for a year.
    public static WebApplication MapCulture(this WebApplication app)
    {
        app.MapGet("/culture", (HttpContext ctx, string c, string? back) =>
        {
            var culture = Cultures.FirstOrDefault(x => x.Name.Equals(c, StringComparison.OrdinalIgnoreCase))?.Name ?? "zh-CN";
            ctx.Response.Cookies.Append(CookieRequestCultureProvider.DefaultCookieName,
                CookieRequestCultureProvider.MakeCookieValue(new RequestCulture(culture)),
                new CookieOptions { Expires = DateTimeOffset.UtcNow.AddYears(1), IsEssential = true, SameSite = SameSiteMode.Lax, HttpOnly = true,
                    Secure = ctx.Request.IsHttps });
            return Results.LocalRedirect(RequestInput.IsLocalPath(back) ? back! : "/");
        }).AllowAnonymous().ExcludeFromDescription();
        return app;
    }
}

/// One readiness check: its name, whether it passed, and in words what was found.
public sealed record ReadyCheck(string Name, bool Ok, string Detail);

/// Can this node take a citizen's submission now? Three checks, each answered in words:
/// - database: a committed write — the node's HealthProbes row upserted in a transaction of its own (a read-only
///   file, connection, role or standby, a full disk and a lost server all fail it, where a rolled-back write would
///   miss a full disk on PostgreSQL, which does not flush WAL for a transaction that never commits);
/// - migrations: none pending (this version's code would fail on an older schema);
/// - files: a small file written, flushed to disk and deleted under the files root (evidence uploads need it).
public static class Readiness
{
    public static async Task<List<ReadyCheck>> CheckAsync(BihuanDb db, FileStore files, string node, TimeProvider clock,
        CancellationToken ct)
    {
        var checks = new List<ReadyCheck> { await DatabaseAsync(db, node, clock, ct) };
        if (checks[0].Ok || await CanReadAsync(db, ct))
        {
            try
            {
                var pending = (await db.Database.GetPendingMigrationsAsync(ct)).ToList();
                checks.Add(new("migrations", pending.Count == 0, pending.Count == 0 ? "数据库结构是最新的 up to date"
                    : $"有 {pending.Count} 个迁移未执行，请运行 bihuan migrate: {string.Join(", ", pending)}"));
            }
            catch (Exception e) when (Faults.Classify(e) is not null)
            {
                checks.Add(new("migrations", false, "无法读取迁移记录 cannot read the migrations history: " + e.Message));
            }
        }
        else checks.Add(new("migrations", false, "数据库不可读，无法检查 database unreadable"));
        checks.Add(FilesCheck(files.Root, node));
        return checks;
    }

    static async Task<ReadyCheck> DatabaseAsync(BihuanDb db, string node, TimeProvider clock, CancellationToken ct)
    {
        try
        {
            db.Database.SetCommandTimeout(5);
            await db.Database.OpenConnectionAsync(ct);
            try
            {
                // Waiting out a long writer is not readiness: a short busy wait (the connection's own resets on reopen).
                if (db.Engine == DatabaseEngine.Sqlite) await db.Database.ExecuteSqlRawAsync("PRAGMA busy_timeout=2000;", ct);
                await using var tx = await db.Database.BeginTransactionAsync(ct);
                await db.Database.ExecuteSqlRawAsync(
                    "INSERT INTO \"HealthProbes\" (\"Node\", \"At\") VALUES ({0}, {1}) " +
                    "ON CONFLICT (\"Node\") DO UPDATE SET \"At\" = excluded.\"At\"", [node, clock.GetUtcNow().UtcDateTime], ct);
                await tx.CommitAsync(ct);
            }
            finally { await db.Database.CloseConnectionAsync(); }
            return new("database", true, "可以写入 a write committed");
        }
        catch (Exception e) when (Faults.Classify(e) is { } f)
        {
            return new("database", false, $"{f.Title} ({f.Kind}): {e.GetBaseException().Message}");
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            return new("database", false, "写入失败 the probe write failed: " + e.GetBaseException().Message);
        }
    }

    static async Task<bool> CanReadAsync(BihuanDb db, CancellationToken ct)
    {
        try { return await db.Database.CanConnectAsync(ct); }
        catch (Exception e) when (Faults.Classify(e) is not null) { return false; }
    }

    static ReadyCheck FilesCheck(string root, string node)
    {
        var probe = Path.Combine(root, $".ready-{string.Concat(node.Select(c => char.IsAsciiLetterOrDigit(c) ? c : '-'))}.tmp");
        try
        {
            Directory.CreateDirectory(root);
            using (var f = new FileStream(probe, FileMode.Create, FileAccess.Write, FileShare.None, 4096, FileOptions.WriteThrough))
            {
                f.Write(new byte[1024]);
                f.Flush(flushToDisk: true);
            }
            File.Delete(probe);
            return new("files", true, $"可以写入 writable: {root}");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new("files", false, $"文件目录不可写 files root not writable: {root}: {e.Message}");
        }
    }
}
