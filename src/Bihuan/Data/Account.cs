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
}
