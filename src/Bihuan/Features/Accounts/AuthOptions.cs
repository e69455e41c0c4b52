namespace Bihuan.Features.Accounts;

/// `Bihuan:Auth` — sign-in, sessions and passwords (defaults in README.md; the design in docs/adr/0017).
public sealed class AuthOptions
{
    /// Days a password stays valid; past it the next sign-in must choose a new one. 0: passwords do not expire.
    public int PasswordMaxAgeDays { get; set; }
    /// A browser session left untouched this long is over (sliding: each request renews it once half is used).
    public int IdleMinutes { get; set; } = 30;
    /// Wrong passwords in a row that lock an account (kept in the database: holds across nodes).
    public int LockoutFailures { get; set; } = 5;
    public int LockoutMinutes { get; set; } = 15;
    public ThrottleOptions Throttle { get; set; } = new();
}

/// Back-off after failed sign-ins, per typed user name and per client address (in memory, per node): the first
/// `Free…` failures cost nothing, each one after doubles the wait (from BaseDelaySeconds up to MaxDelaySeconds).
/// A key with no failure for ForgetAfterMinutes starts afresh.
public sealed class ThrottleOptions
{
    public int AccountFreeFailures { get; set; } = 3;
    public int AddressFreeFailures { get; set; } = 10;
    public double BaseDelaySeconds { get; set; } = 1;
    public double MaxDelaySeconds { get; set; } = 900;
    public int ForgetAfterMinutes { get; set; } = 60;
    /// Keys kept at most (an attacker typing endless user names must not exhaust memory).
    public int MaxKeys { get; set; } = 100_000;
}
