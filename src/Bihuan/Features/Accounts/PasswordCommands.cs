using System.Security.Claims;
using Bihuan.Data;
using Bihuan.Domain;
using Bihuan.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace Bihuan.Features.Accounts;

public sealed record ChangePasswordInput(string? CurrentPassword, string? NewPassword);
public sealed record ResetPasswordInput(string? NewPassword);

/// Changing one's own password and an administrator's reset; both go through PasswordPolicy (Identity's validator)
/// and renew the security stamp, which ends every cookie and every token of the account made before.
public sealed class PasswordCommands(
    BihuanDb db, UserManager<Account> users, SignInManager<Account> signIn, TimeProvider clock)
{
    public async Task ChangeAsync(string accountId, ChangePasswordInput input, CancellationToken ct)
    {
        var errors = new List<Invalid>();
        if (string.IsNullOrEmpty(input.CurrentPassword)) errors.Add(new("currentPassword", "请输入当前密码"));
        if (string.IsNullOrEmpty(input.NewPassword)) errors.Add(new("newPassword", "请输入新密码"));
        else if (input.NewPassword == input.CurrentPassword) errors.Add(new("newPassword", "新密码不能与当前密码相同"));
        ErrorMapping.ThrowIfAny(errors);
        var user = await db.Users.FirstOrDefaultAsync(u => u.Id == accountId, ct)
            ?? throw new DomainException(new RecordNotFound("账号"));
        if (!await users.CheckPasswordAsync(user, input.CurrentPassword!))
            throw new DomainException(new Invalid("currentPassword", "当前密码不正确"));
        var result = await users.ChangePasswordAsync(user, input.CurrentPassword!, input.NewPassword!);
        ThrowIfFailed(result, "newPassword");
        await FinishAsync(user, mustChange: false, "修改密码 password changed", ct);
    }

    /// The page's twin of ChangeAsync: the browser that changed the password stays signed in (a new cookie with
    /// the new stamps); every other session and token of the account has ended.
    public async Task ChangeInBrowserAsync(ClaimsPrincipal caller, ChangePasswordInput input, CancellationToken ct)
    {
        var id = caller.FindFirstValue(ClaimTypes.NameIdentifier) ?? throw new DomainException(new Forbidden("请先登录"));
        await ChangeAsync(id, input, ct);
        var user = await users.FindByIdAsync(id) ?? throw new DomainException(new RecordNotFound("账号"));
        await signIn.SignInWithClaimsAsync(user, isPersistent: false,
            [new Claim(PasswordSignIn.SessionClaim, user.SessionStamp!)]);
    }

    public async Task ResetAsync(string accountId, ResetPasswordInput input, CancellationToken ct)
    {
        if (!db.Access.CanAnywhere(Permission.ManageRoles))
            throw new DomainException(new Forbidden("只有系统管理员可以重置密码"));
        if (string.IsNullOrEmpty(input.NewPassword)) throw new DomainException(new Invalid("newPassword", "请输入新密码"));
        var user = await db.Users.FirstOrDefaultAsync(u => u.Id == accountId, ct)
            ?? throw new DomainException(new RecordNotFound("账号"));
        // Checked before the old password goes: a refused new one leaves the account as it was.
        var errors = PasswordPolicy.Check(user.UserName, input.NewPassword);
        if (errors.Count > 0)
            throw new DomainException(new ValidationFailed([.. errors.Select(e => new Invalid("newPassword", e))]));
        var token = await users.GeneratePasswordResetTokenAsync(user);
        ThrowIfFailed(await users.ResetPasswordAsync(user, token, input.NewPassword), "newPassword");
        await users.SetLockoutEndDateAsync(user, null);
        await users.ResetAccessFailedCountAsync(user);
        await FinishAsync(user, mustChange: true, "管理员重置密码，下次登录须修改 password reset by an administrator", ct);
    }

    async Task FinishAsync(Account user, bool mustChange, string note, CancellationToken ct)
    {
        user.MustChangePassword = mustChange;
        user.PasswordChangedAt = clock.GetUtcNow().UtcDateTime;
        user.SessionStamp = PasswordSignIn.NewStamp();
        db.RecordEvent(PasswordSignIn.AuditType, user.Id, $"{note} · {user.UserName}");
        await db.SaveChangesAsync(ct);
    }

    static void ThrowIfFailed(IdentityResult result, string field)
    {
        if (!result.Succeeded)
            throw new DomainException(new ValidationFailed(
                [.. result.Errors.Select(e => new Invalid(field, e.Description))]));
    }
}
