using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Unicode;
using Bihuan.Data;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Localization;
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

    static readonly Lazy<HashSet<string>> AmbiguousNames = new(() => typeof(WebSetup).Assembly.GetTypes()
        .Where(t => t.Namespace?.StartsWith("Bihuan.Features", StringComparison.Ordinal) == true && t.IsPublic)
        .GroupBy(t => t.Name).Where(g => g.Count() > 1).Select(g => g.Key).ToHashSet());

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
            // Two input records share a simple name (Demands' and Supervision's OrderActionInput): such schemas are
            // named by their area, or the document describes one body for both and clients send the wrong one.
            o.CreateSchemaReferenceId = t =>
            {
                var id = Microsoft.AspNetCore.OpenApi.OpenApiOptions.CreateDefaultSchemaReferenceId(t);
                return id is not null && AmbiguousNames.Value.Contains(t.Type.Name) ? t.Type.Namespace?.Split('.')[^1] + id : id;
            };
            o.AddDocumentTransformer((doc, _, _) =>
            {
                doc.Info.Title = "Bihuan 闭环 API";
                doc.Info.Description = "学查改一体推进 — organizations, people, roles, audit. Authenticate with a personal access token: Authorization: Bearer bh_…";
                return Task.CompletedTask;
            });
        });
        services.AddAntiforgery();
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
        app.UseExceptionHandler();
        app.UseStatusCodePages();
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
        app.Use(async (ctx, next) =>
        {
            var h = ctx.Response.Headers;
            h.XContentTypeOptions = "nosniff";
            h.XFrameOptions = "DENY";
            h["Referrer-Policy"] = "same-origin";
            await next();
        });
        return app;
    }

    public static WebApplication MapHealth(this WebApplication app)
    {
        app.MapGet("/healthz", async (BihuanDb db, CancellationToken ct) =>
        {
            var ok = await db.Database.CanConnectAsync(ct);
            var pending = ok ? (await db.Database.GetPendingMigrationsAsync(ct)).Count() : -1;
            var body = new { status = ok && pending == 0 ? "healthy" : "unhealthy", database = ok ? "reachable" : "unreachable",
                engine = db.Engine.ToString(), pendingMigrations = pending };
            return ok && pending == 0 ? Results.Ok(body) : Results.Json(body, statusCode: 503);
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
                new CookieOptions { Expires = DateTimeOffset.UtcNow.AddYears(1), IsEssential = true, SameSite = SameSiteMode.Lax, HttpOnly = true });
            return Results.LocalRedirect(RequestInput.IsLocalPath(back) ? back! : "/");
        }).AllowAnonymous().ExcludeFromDescription();
        return app;
    }
}
