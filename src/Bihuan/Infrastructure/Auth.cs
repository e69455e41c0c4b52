using System.Security.Claims;
using System.Text.Encodings.Web;
using Bihuan.Data;
using Bihuan.Domain;
using Bihuan.Features.Accounts;
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
            // Secure whenever the request is HTTPS — directly or as a configured proxy forwarded it (Security.cs).
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            o.SlidingExpiration = true;
            // Every request: the cookie's security and session stamps against the account's (server-side logout).
            o.Events.OnValidatePrincipal = SessionGuard.ValidateAsync;
            // An API call answers 401/403, never a redirect to the sign-in page.
            o.Events.OnRedirectToLogin = ctx => ApiAware(ctx, StatusCodes.Status401Unauthorized);
            o.Events.OnRedirectToAccessDenied = ctx => ApiAware(ctx, StatusCodes.Status403Forbidden);
        });

        // The idle timeout: a sliding expiry (Bihuan:Auth:IdleMinutes).
        services.AddOptions<Microsoft.AspNetCore.Authentication.Cookies.CookieAuthenticationOptions>(
                IdentityConstants.ApplicationScheme)
            .Configure<AuthOptions>((o, a) =>
                o.ExpireTimeSpan = TimeSpan.FromMinutes(Math.Clamp(a.IdleMinutes, 1, 24 * 60)));
        services.AddOptions<IdentityOptions>().Configure<AuthOptions>((o, a) =>
        {
            o.Lockout.MaxFailedAccessAttempts = Math.Max(1, a.LockoutFailures);
            o.Lockout.DefaultLockoutTimeSpan = TimeSpan.FromMinutes(Math.Max(1, a.LockoutMinutes));
        });
        services.AddIdentityCore<Account>(o =>
            {
                // The rule is PasswordPolicy's alone (one set of messages); Identity's own checks are off.
                o.Password.RequiredLength = PasswordPolicy.MinLength;
                o.Password.RequireDigit = false;
                o.Password.RequireLowercase = false;
                o.Password.RequireUppercase = false;
                o.Password.RequireNonAlphanumeric = false;
                o.Password.RequiredUniqueChars = 1;
                o.Lockout.AllowedForNewUsers = true;
                o.User.RequireUniqueEmail = false;
            })
            .AddSignInManager()
            .AddEntityFrameworkStores<BihuanDb>()
            .AddDefaultTokenProviders()
            .AddPasswordValidator<PasswordPolicy>()
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

/// Authenticates "Authorization: Bearer bh_…" personal access tokens. Only the SHA-256 of a token is stored. A token
/// holds while its account's security stamp is the one it was made under (a password change or reset ends it); an
/// account's lockout does not end it (ADR 0017: anyone knowing a user name can cause a lockout). Failed tokens count
/// per client address; past the free ones the address waits (429 with Retry-After), as at /login.
sealed class TokenAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder,
    BihuanDb db, TimeProvider clock, SignInThrottle throttle, AuthOptions auth)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    const string ThrottledKey = "bihuan.token-throttled";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) return AuthenticateResult.NoResult();
        var key = SignInThrottle.TokenKey(SessionGuard.Address(Context));
        if (throttle.RetryAfter(key) is { } wait)
        {
            Context.Items[ThrottledKey] = wait;
            return AuthenticateResult.Fail("too many failed tokens from this address");
        }
        var token = header["Bearer ".Length..].Trim();
        if (!token.StartsWith(AccessToken.Marker, StringComparison.Ordinal) || token.Length > 100)
            return Failed(key, "malformed token");
        var hash = AccessToken.HashOf(token);
        var now = clock.GetUtcNow().UtcDateTime;
        var found = await db.SignIn<AccessToken>().AsNoTracking()
            .Where(t => t.SecretHash == hash)
            .Join(db.Users, t => t.AccountId, u => u.Id, (t, u) => new { Token = t, u.UserName, u.SecurityStamp })
            .FirstOrDefaultAsync(Context.RequestAborted);
        if (found is null || !found.Token.IsUsable(now)) return Failed(key, "invalid or revoked token");
        if (found.Token.StampHash is null || found.Token.StampHash != AccessToken.HashOf(found.SecurityStamp ?? ""))
            return Failed(key, "token made before the account's last password change");
        var identity = new ClaimsIdentity(
            [new Claim(ClaimTypes.NameIdentifier, found.Token.AccountId), new Claim(ClaimTypes.Name, found.UserName ?? "")],
            Scheme.Name);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), Scheme.Name));
    }

    AuthenticateResult Failed(string key, string why)
    {
        throttle.Failed(key, auth.Throttle.AddressFreeFailures);
        return AuthenticateResult.Fail(why);
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        if (Context.Items[ThrottledKey] is not TimeSpan wait) return base.HandleChallengeAsync(properties);
        Response.StatusCode = StatusCodes.Status429TooManyRequests;
        Response.Headers.RetryAfter = Math.Ceiling(wait.TotalSeconds)
            .ToString(System.Globalization.CultureInfo.InvariantCulture);
        return Task.CompletedTask;
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
