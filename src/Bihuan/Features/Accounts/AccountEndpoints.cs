using Bihuan.Data;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;

namespace Bihuan.Features.Accounts;

public static class AccountEndpoints
{
    public static void MapAccountEndpoints(this WebApplication app)
    {
        // A form post (antiforgery-checked by the pipeline): signing out is never a GET a link could trigger.
        app.MapPost("/logout", async (HttpContext ctx, [FromServices] SignInManager<Account> signIn,
            [FromServices] BihuanDb db, [FromServices] Microsoft.AspNetCore.Antiforgery.IAntiforgery antiforgery,
            CancellationToken ct) =>
        {
            if (!await antiforgery.IsRequestValidAsync(ctx))
                return Results.Problem(statusCode: 400, title: "请求已过期，请刷新页面后重试");
            await SessionGuard.SignOutAsync(ctx, db, signIn, ct);
            return Results.LocalRedirect("/login");
        }).ExcludeFromDescription();
    }
}
