using System.Security.Claims;
using System.Text.Encodings.Web;
using Bihuan.Data;
using Bihuan.Domain;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Bihuan.Infrastructure;

public static class AuthSetup
{
    public const string Combined = "BihuanAuth";
    public const string Bearer = "Bearer";

    public static IServiceCollection AddBihuanAuth(this IServiceCollection services)
    {
        services.AddAuthentication(o =>
            {
                o.DefaultScheme = Combined;
                o.DefaultChallengeScheme = Combined;
            })
            // API clients send "Authorization: Bearer bh_..."; browsers carry the Identity cookie.
            .AddPolicyScheme(Combined, "cookie or token", o => o.ForwardDefaultSelector = ctx =>
                ctx.Request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
                    ? Bearer : IdentityConstants.ApplicationScheme)
            .AddScheme<AuthenticationSchemeOptions, TokenAuthenticationHandler>(Bearer, null)
            .AddIdentityCookies();

        services.ConfigureApplicationCookie(o =>
        {
            o.LoginPath = "/login";
            o.LogoutPath = "/logout";
            o.AccessDeniedPath = "/login";
            o.Cookie.Name = "bihuan.auth";
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Lax;
            o.ExpireTimeSpan = TimeSpan.FromHours(8);
            o.SlidingExpiration = true;
            // An API call answers 401/403, never a redirect to the sign-in page.
            o.Events.OnRedirectToLogin = ctx => ApiAware(ctx, StatusCodes.Status401Unauthorized);
            o.Events.OnRedirectToAccessDenied = ctx => ApiAware(ctx, StatusCodes.Status403Forbidden);
        });

        services.AddIdentityCore<Account>(o =>
            {
                o.Password.RequiredLength = 10;
                o.Password.RequireDigit = true;
                o.Password.RequireLowercase = true;
                o.Password.RequireUppercase = false;
                o.Password.RequireNonAlphanumeric = false;
                o.Lockout.MaxFailedAccessAttempts = 5;
                o.Lockout.DefaultLockoutTimeSpan = TimeSpan.FromMinutes(15);
                o.Lockout.AllowedForNewUsers = true;
                o.User.RequireUniqueEmail = false;
            })
            .AddSignInManager()
            .AddEntityFrameworkStores<BihuanDb>()
            .AddDefaultTokenProviders()
            .AddErrorDescriber<ChineseIdentityErrors>();
        services.AddAuthorization();
        return services;
    }

    static Task ApiAware(RedirectContext<Microsoft.AspNetCore.Authentication.Cookies.CookieAuthenticationOptions> ctx, int status)
    {
        if (ctx.Request.Path.StartsWithSegments("/api"))
        {
            ctx.Response.StatusCode = status;
            return Task.CompletedTask;
        }
        ctx.Response.Redirect(ctx.RedirectUri);
        return Task.CompletedTask;
    }

    /// After authentication, resolves the caller's grants into the AccessScope that the DbContext filters read.
    public static IApplicationBuilder UseAccessScope(this IApplicationBuilder app) => app.Use(async (ctx, next) =>
    {
        var holder = ctx.RequestServices.GetRequiredService<ScopeHolder>();
        var id = ctx.User.FindFirstValue(ClaimTypes.NameIdentifier);
        if (id is not null)
        {
            var db = ctx.RequestServices.GetRequiredService<BihuanDb>();
            holder.Current = await LoadScopeAsync(db, id, ctx.RequestAborted);
            holder.Actor = ctx.User.Identity?.Name ?? id;
        }
        await next();
    });

    public static async Task<AccessScope> LoadScopeAsync(BihuanDb db, string accountId, CancellationToken ct)
    {
        var grants = await db.SignIn<RoleGrant>()
            .Where(g => g.AccountId == accountId && !g.Org!.Archived)
            .Select(g => new { g.Role, g.OrgId, g.Org!.Path })
            .ToListAsync(ct);
        return AccessScope.For(accountId, grants.Select(g => new Grant(g.Role, g.OrgId, $"{g.Path}{g.OrgId}/")));
    }
}

/// Authenticates "Authorization: Bearer bh_…" personal access tokens. Only the SHA-256 of a token is stored.
sealed class TokenAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder,
    BihuanDb db, TimeProvider clock)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) return AuthenticateResult.NoResult();
        var token = header["Bearer ".Length..].Trim();
        if (!token.StartsWith(AccessToken.Marker, StringComparison.Ordinal) || token.Length > 100)
            return AuthenticateResult.Fail("malformed token");
        var hash = AccessToken.HashOf(token);
        var now = clock.GetUtcNow().UtcDateTime;
        var found = await db.SignIn<AccessToken>().AsNoTracking()
            .Where(t => t.SecretHash == hash)
            .Join(db.Users, t => t.AccountId, u => u.Id, (t, u) => new { Token = t, u.UserName, u.LockoutEnd })
            .FirstOrDefaultAsync(Context.RequestAborted);
        if (found is null || !found.Token.IsUsable(now)) return AuthenticateResult.Fail("invalid or revoked token");
        if (found.LockoutEnd is { } end && end > clock.GetUtcNow()) return AuthenticateResult.Fail("account locked");
        var identity = new ClaimsIdentity(
            [new Claim(ClaimTypes.NameIdentifier, found.Token.AccountId), new Claim(ClaimTypes.Name, found.UserName ?? "")],
            Scheme.Name);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), Scheme.Name));
    }
}

/// Identity's messages in Chinese (the UI's default language).
sealed class ChineseIdentityErrors : IdentityErrorDescriber
{
    public override IdentityError PasswordTooShort(int length) => new() { Code = nameof(PasswordTooShort), Description = $"密码至少 {length} 位" };
    public override IdentityError PasswordRequiresDigit() => new() { Code = nameof(PasswordRequiresDigit), Description = "密码须包含数字" };
    public override IdentityError PasswordRequiresLower() => new() { Code = nameof(PasswordRequiresLower), Description = "密码须包含小写字母" };
    public override IdentityError DuplicateUserName(string userName) => new() { Code = nameof(DuplicateUserName), Description = $"用户名“{userName}”已被使用" };
    public override IdentityError InvalidUserName(string? userName) => new() { Code = nameof(InvalidUserName), Description = $"用户名“{userName}”无效：只能用字母、数字和 -._@+" };
}
