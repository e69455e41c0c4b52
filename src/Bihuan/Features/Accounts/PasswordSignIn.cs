using System.Security.Claims;
using Bihuan.Data;
using Microsoft.AspNetCore.Identity;

namespace Bihuan.Features.Accounts;

public enum SignInOutcome { SignedIn, MustChangePassword, Refused, Throttled }

/// What a sign-in answered. Refused carries one message whatever the cause (unknown name, wrong password, locked),
/// so the answer never tells whether an account exists; Throttled carries the wait.
public sealed record SignInResult(SignInOutcome Outcome, TimeSpan? RetryAfter = null)
{
    public const string RefusedText = "用户名或密码不正确；连续多次输错的账号会被暂时锁定";
    public const string ThrottledText = "尝试次数过多，请稍后再试";
}

/// Password sign-in for the /login page (ADR 0017): throttle first (per typed name and per address, before any
/// password is hashed), then one password hash on every path — the account's, or a dummy one for an unknown or
/// locked account — so that the time does not tell them apart either; every outcome is audited (name, address,
/// never the password). The cookie carries the account's session stamp (SessionGuard checks it on each request).
public sealed class PasswordSignIn(
    BihuanDb db, ScopeHolder scope, UserManager<Account> users, SignInManager<Account> signIn,
    IPasswordHasher<Account> hasher, SignInThrottle throttle, AuthOptions options, TimeProvider clock)
{
    public const string SessionClaim = "bihuan:session";

    // One hash made at start-up from a random secret: verifying against it costs what a real verification costs.
    static string? s_dummyHash;

    public async Task<SignInResult> RunAsync(string userName, string password, string address, CancellationToken ct)
    {
        userName = userName.Trim();
        var keys = new[] { SignInThrottle.UserKey(userName), SignInThrottle.AddressKey(address) };
        scope.Actor = AuditName(userName);
        if (throttle.RetryAfter(keys) is { } wait) return new(SignInOutcome.Throttled, wait);

        var user = await users.FindByNameAsync(userName);
        var dummy = s_dummyHash ??= hasher.HashPassword(new Account(), Convert.ToBase64String(
            System.Security.Cryptography.RandomNumberGenerator.GetBytes(24)));
        if (user is null || await users.IsLockedOutAsync(user))
        {
            hasher.VerifyHashedPassword(user ?? new Account(), user?.PasswordHash ?? dummy, password);
            return await FailAsync(user, keys, address, user is null ? "账号不存在 unknown account" : "账号已锁定 locked", ct);
        }
        var check = await signIn.CheckPasswordSignInAsync(user, password, lockoutOnFailure: true);
        if (!check.Succeeded)
            return await FailAsync(user, keys, address, check.IsLockedOut ? "密码错误，账号被锁定 wrong password, locked now"
                : "密码错误 wrong password", ct);

        throttle.Succeeded(keys[0]);   // the address keeps its count: one known password must not clear it
        var now = clock.GetUtcNow().UtcDateTime;
        user.SessionStamp ??= NewStamp();
        user.PasswordChangedAt ??= now;   // an account from before ages were kept: its age starts now
        await users.UpdateAsync(user);
        await signIn.SignInWithClaimsAsync(user, isPersistent: false, [new Claim(SessionClaim, user.SessionStamp)]);
        var mustChange = MustChange(user, options, now);
        Record(user.Id, $"登录成功 signed in · {address}" + (mustChange ? " · 须修改密码 must change password" : ""));
        await db.SaveChangesAsync(ct);
        return new(mustChange ? SignInOutcome.MustChangePassword : SignInOutcome.SignedIn);
    }

    async Task<SignInResult> FailAsync(Account? user, string[] keys, string address, string why, CancellationToken ct)
    {
        var t = options.Throttle;
        var waitUser = throttle.Failed(keys[0], t.AccountFreeFailures);
        var waitAddress = throttle.Failed(keys[1], t.AddressFreeFailures);
        var note = $"登录失败 sign-in failed ({why}) · {address}";
        if ((waitUser ?? waitAddress) is { } w) note += $" · 限制重试 throttled {w.TotalSeconds:0} s";
        Record(user?.Id ?? "-", note);
        await db.SaveChangesAsync(ct);
        return new(SignInOutcome.Refused);
    }

    void Record(string accountId, string note) => db.RecordEvent(AuditType, accountId, note);

    public const string AuditType = "SignIn";

    /// The typed name as the audit's actor: bounded, no control characters (it is whatever a stranger typed).
    public static string AuditName(string userName)
    {
        var clean = new string([.. userName.Where(c => !char.IsControl(c))]);
        return clean.Length == 0 ? "anonymous" : clean.Length > 64 ? clean[..64] + "…" : clean;
    }

    public static string NewStamp() =>
        Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));

    /// Reset by an administrator, or older than Bihuan:Auth:PasswordMaxAgeDays (0: never).
    public static bool MustChange(Account user, AuthOptions options, DateTime nowUtc) => user.MustChangePassword
        || (options.PasswordMaxAgeDays > 0 && user.PasswordChangedAt is { } at
            && at.AddDays(options.PasswordMaxAgeDays) < nowUtc);
}
