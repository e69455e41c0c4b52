using Microsoft.AspNetCore.Identity;

namespace Bihuan.Data;

/// A sign-in account (ASP.NET Core Identity). Roles are not Identity roles: they are RoleGrants on orgs. Audited: its
/// creation and every change are in the chain, its password hash and security stamp only as digests (SnapshotWriter).
public sealed class Account : IdentityUser, Domain.IAudited
{
    public string DisplayName { get; set; } = "";
    public int? PersonId { get; set; }
    public string? PreferredCulture { get; set; }
    public DateTime CreatedAt { get; set; }
    /// Bound into every sign-in cookie and renewed at sign-out: a cookie copied before the sign-out is refused
    /// (server-side logout). Not the security stamp, which also binds the API tokens (ADR 0017).
    public string? SessionStamp { get; set; }
    /// UTC; the start of the password's age (Bihuan:Auth:PasswordMaxAgeDays). Null: set before ages were kept.
    public DateTime? PasswordChangedAt { get; set; }
    /// Set by an administrator's reset: the next sign-in may do nothing but choose a new password.
    public bool MustChangePassword { get; set; }
}
