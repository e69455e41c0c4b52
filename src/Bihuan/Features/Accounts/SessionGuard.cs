using System.Security.Claims;
using Bihuan.Data;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace Bihuan.Features.Accounts;

/// Server-side sessions for the sign-in cookie (ADR 0017). On every request the cookie's security stamp and session
/// stamp must equal the account's: a password change or reset renews the security stamp (ending every cookie and
/// every token), a sign-out renews the session stamp (ending every cookie of the account, tokens untouched). An
/// account that must choose a new password is marked for MustChangeGate.
public static class SessionGuard
{
    const string MustChangeKey = "bihuan.must-change-password";

    /// This request's session must choose a new password (set by ValidateAsync; cleared once it has).
    public static bool MustChangeNow(HttpContext ctx) => ctx.Items.ContainsKey(MustChangeKey);
    public static void Changed(HttpContext ctx) => ctx.Items.Remove(MustChangeKey);
    public const string ChangePath = "/account/password";

    public static async Task ValidateAsync(CookieValidatePrincipalContext ctx)
    {
        var id = ctx.Principal?.FindFirstValue(ClaimTypes.NameIdentifier);
        var stampType = ctx.HttpContext.RequestServices
            .GetRequiredService<Microsoft.Extensions.Options.IOptions<IdentityOptions>>()
            .Value.ClaimsIdentity.SecurityStampClaimType;
        var db = ctx.HttpContext.RequestServices.GetRequiredService<BihuanDb>();
        var row = id is null ? null : await db.Users.AsNoTracking().Where(u => u.Id == id)
            .Select(u => new { u.SecurityStamp, u.SessionStamp, u.MustChangePassword, u.PasswordChangedAt })
            .FirstOrDefaultAsync(ctx.HttpContext.RequestAborted);
        if (row is null || row.SecurityStamp is null || row.SessionStamp is null
            || ctx.Principal?.FindFirstValue(stampType) != row.SecurityStamp
            || ctx.Principal?.FindFirstValue(PasswordSignIn.SessionClaim) != row.SessionStamp)
        {
            ctx.RejectPrincipal();
            await ctx.HttpContext.SignOutAsync(IdentityConstants.ApplicationScheme);
            return;
        }
        var options = ctx.HttpContext.RequestServices.GetRequiredService<AuthOptions>();
        var clock = ctx.HttpContext.RequestServices.GetRequiredService<TimeProvider>();
        var account = new Account
        {
            MustChangePassword = row.MustChangePassword, PasswordChangedAt = row.PasswordChangedAt,
        };
        if (PasswordSignIn.MustChange(account, options, clock.GetUtcNow().UtcDateTime))
            ctx.HttpContext.Items[MustChangeKey] = true;
    }

    /// A browser session that must choose a new password reaches only the change page, sign-out and the language
    /// switch; its API calls are refused (403). Tokens are not affected: an admin reset ended them already.
    public static IApplicationBuilder UseMustChangeGate(this IApplicationBuilder app) => app.Use(async (ctx, next) =>
    {
        if (ctx.Items.ContainsKey(MustChangeKey) && !IsAllowed(ctx.Request.Path))
        {
            if (ctx.Request.Path.StartsWithSegments("/api"))
            {
                ctx.Response.StatusCode = StatusCodes.Status403Forbidden;
                await ctx.Response.WriteAsJsonAsync(new Microsoft.AspNetCore.Mvc.ProblemDetails
                {
                    Status = 403, Title = MustChangeText,
                }, options: null, contentType: "application/problem+json", ctx.RequestAborted);
                return;
            }
            ctx.Response.Redirect(ChangePath);
            return;
        }
        await next();
    });

    public const string MustChangeText = "请先修改密码（管理员已重置密码或密码已过期）";

    static bool IsAllowed(PathString p) => p.StartsWithSegments(ChangePath) || p.StartsWithSegments("/logout")
        || p.StartsWithSegments("/culture") || p.StartsWithSegments("/api/v1/me/password")
        || p.StartsWithSegments("/_content")
        || (!p.StartsWithSegments("/api") && Path.HasExtension(p.Value));

    /// Sign-out: the session stamp is renewed (every copy of every cookie of this account is refused from now on),
    /// the cookie removed, and the act audited.
    public static async Task SignOutAsync(HttpContext ctx, BihuanDb db, SignInManager<Account> signIn,
        CancellationToken ct)
    {
        var id = ctx.User.FindFirstValue(ClaimTypes.NameIdentifier);
        if (id is not null && await db.Users.FirstOrDefaultAsync(u => u.Id == id, ct) is { } user)
        {
            user.SessionStamp = PasswordSignIn.NewStamp();
            db.RecordEvent(PasswordSignIn.AuditType, user.Id, $"退出登录 signed out · {Address(ctx)}");
            await db.SaveChangesAsync(ct);
        }
        await signIn.SignOutAsync();
    }

    /// The client's address as the app sees it (behind configured proxies: the forwarded one; Bihuan:Proxy).
    public static string Address(HttpContext ctx) => ctx.Connection.RemoteIpAddress?.ToString() ?? "unknown";
}
