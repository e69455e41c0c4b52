using Bihuan.Data;
using Microsoft.AspNetCore.Identity;

namespace Bihuan.Features.Accounts;

/// The one password rule (every account path: create, change, admin reset, the CLI's first admin): 10 to 128
/// characters of at least three classes (upper case, lower case, digit, symbol), not a common or pinyin/place-name
/// password from the bundled list (common-passwords.txt), and not holding the user name. Identity's own checks are
/// off (AuthSetup) so that the messages come from here only.
public sealed class PasswordPolicy : IPasswordValidator<Account>
{
    public const int MinLength = 10;
    public const int MaxLength = 128;

    // The messages are resource keys (zh-CN; English in Text.en.resx): pages show T[message].
    public const string TooShort = "密码至少 10 位";
    public const string TooLong = "密码不能超过 128 位";
    public const string TooFewClasses = "密码须包含大写字母、小写字母、数字、符号中的至少三类";
    public const string TooCommon = "该密码过于常见（常用密码、拼音或地名），请换一个";
    public const string HoldsUserName = "密码不能包含用户名";

    static readonly Lazy<HashSet<string>> Refused = new(Load);

    public static IReadOnlyList<string> Check(string? userName, string password)
    {
        var errors = new List<string>();
        if (password.Length < MinLength) errors.Add(TooShort);
        if (password.Length > MaxLength) errors.Add(TooLong);
        var classes = (password.Any(char.IsUpper) ? 1 : 0) + (password.Any(char.IsLower) ? 1 : 0)
            + (password.Any(char.IsDigit) ? 1 : 0) + (password.Any(c => !char.IsLetterOrDigit(c)) ? 1 : 0);
        if (classes < 3) errors.Add(TooFewClasses);
        if (IsCommon(password)) errors.Add(TooCommon);
        if (userName is { Length: >= 3 } && password.Contains(userName.Trim(), StringComparison.OrdinalIgnoreCase))
            errors.Add(HoldsUserName);
        return errors;
    }

    static bool IsCommon(string password)
    {
        var lower = password.ToLowerInvariant();
        var core = lower.Trim().TrimStart(Padding).TrimEnd(Padding);
        return Refused.Value.Contains(lower) || (core.Length >= 4 && Refused.Value.Contains(core));
    }

    static readonly char[] Padding = [.. "0123456789!@#$%^&*()_+-=.,;:?~`'\"[]{}<>/\\| "];

    static HashSet<string> Load()
    {
        using var stream = typeof(PasswordPolicy).Assembly.GetManifestResourceStream("Bihuan.common-passwords.txt")
            ?? throw new InvalidOperationException("common-passwords.txt is not embedded");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd().Split('\n').Select(l => l.Trim())
            .Where(l => l.Length > 0 && !l.StartsWith('#')).ToHashSet(StringComparer.Ordinal);
    }

    public Task<IdentityResult> ValidateAsync(UserManager<Account> manager, Account user, string? password)
    {
        var errors = Check(user.UserName, password ?? "");
        return Task.FromResult(errors.Count == 0 ? IdentityResult.Success
            : IdentityResult.Failed(
                [.. errors.Select(e => new IdentityError { Code = "PasswordPolicy", Description = e })]));
    }
}
