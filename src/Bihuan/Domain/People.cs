namespace Bihuan.Domain;

/// A person known to the system: a party member or cadre of an org. Not everybody signs in; an account links to
/// at most one person. Phone is personal data and never appears on a public page.
public sealed class Person : IAudited, IOrgOwned
{
    public int Id { get; set; }
    public required string Name { get; set; }
    public int OrgId { get; set; }
    public Org? Org { get; set; }
    public string? Position { get; set; }       // 职务, e.g. 局长、办公室主任
    public bool IsLeadership { get; set; }      // 班子成员
    public string? Phone { get; set; }
    public bool Archived { get; set; }
    public DateTime CreatedAt { get; set; }

    public const int NameMax = 50;

    public static IEnumerable<Invalid> Validate(string? name, string? position, string? phone)
    {
        if (string.IsNullOrWhiteSpace(name)) yield return new Invalid("name", "姓名不能为空");
        else if (name.Trim().Length > NameMax) yield return new Invalid("name", $"姓名不能超过 {NameMax} 个字");
        if (position is { Length: > 50 }) yield return new Invalid("position", "职务不能超过 50 个字");
        if (!string.IsNullOrWhiteSpace(phone) && !IsMainlandMobile(phone))
            yield return new Invalid("phone", "请填写 11 位中国大陆手机号码");
    }

    public static bool IsMainlandMobile(string phone)
    {
        var p = phone.Trim();
        return p.Length == 11 && p[0] == '1' && p[1] is >= '3' and <= '9' && p.All(char.IsAsciiDigit);
    }

    public static string Mask(string? phone) =>
        phone is { Length: 11 } p ? $"{p[..3]}****{p[7..]}" : string.IsNullOrEmpty(phone) ? "" : "****";
}

/// A role held by an account on an org (the org and, per role, its subtree).
public sealed class RoleGrant : IAudited, IOrgOwned
{
    public int Id { get; set; }
    public required string AccountId { get; set; }
    public int OrgId { get; set; }
    public Org? Org { get; set; }
    public Role Role { get; set; }
    public DateTime CreatedAt { get; set; }
}

/// A personal access token for API clients. Only a SHA-256 of the secret is stored; the secret is shown once.
public sealed class AccessToken : IAudited
{
    public int Id { get; set; }
    public required string AccountId { get; set; }
    public required string Name { get; set; }
    public required string Prefix { get; set; }
    public required string SecretHash { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime? ExpiresAt { get; set; }
    public DateTime? RevokedAt { get; set; }
    /// SHA-256 of the account's security stamp when the token was made: a password change or reset renews the stamp
    /// and so ends every token made before it (TokenAuthenticationHandler). Never the stamp itself (it is audited).
    public string? StampHash { get; set; }

    public const string Marker = "bh_";

    public bool IsUsable(DateTime now) => RevokedAt is null && (ExpiresAt is null || ExpiresAt > now);

    public static (string Token, string Prefix, string Hash) Generate()
    {
        var secret = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(24));
        var token = Marker + secret;
        return (token, token[..10], HashOf(token));
    }

    public static string HashOf(string token) =>
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(token)));
}
