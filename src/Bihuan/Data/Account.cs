using Microsoft.AspNetCore.Identity;

namespace Bihuan.Data;

/// A sign-in account (ASP.NET Core Identity). Roles are not Identity roles: they are RoleGrants on orgs.
public sealed class Account : IdentityUser
{
    public string DisplayName { get; set; } = "";
    public int? PersonId { get; set; }
    public string? PreferredCulture { get; set; }
    public DateTime CreatedAt { get; set; }
}
