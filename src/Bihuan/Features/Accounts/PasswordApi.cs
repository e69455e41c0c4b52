using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Bihuan.Features.Accounts;

/// Passwords over the API: one's own change, an administrator's reset (the account must change it at next sign-in).
public static class PasswordApi
{
    public static RouteGroupBuilder MapPasswordApi(this RouteGroupBuilder api)
    {
        api.MapPost("/me/password", Change).WithTags("账号 Accounts")
            .WithSummary("Change one's own password; every session and token of the account made before ends");
        api.MapPost("/accounts/{id}/password", Reset).WithTags("账号 Accounts")
            .WithSummary("Reset an account's password (admin); it must be changed at the next sign-in");
        return api;
    }

    static async Task<NoContent> Change(PasswordCommands commands, ClaimsPrincipal user, ChangePasswordInput input,
        CancellationToken ct)
    {
        await commands.ChangeAsync(user.FindFirstValue(ClaimTypes.NameIdentifier)!, input, ct);
        return TypedResults.NoContent();
    }

    static async Task<NoContent> Reset(PasswordCommands commands, string id, ResetPasswordInput input,
        CancellationToken ct)
    {
        await commands.ResetAsync(id, input, ct);
        return TypedResults.NoContent();
    }
}
