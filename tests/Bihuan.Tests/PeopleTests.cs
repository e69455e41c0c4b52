using Bihuan.Domain;

namespace Bihuan.Tests;

public sealed class PeopleTests
{
    [Theory]
    [InlineData("13800138000", true)]
    [InlineData("19912345678", true)]
    [InlineData(" 13800138000 ", true)]
    [InlineData("12345678901", false)]
    [InlineData("10012345678", false)]
    [InlineData("1380013800", false)]
    [InlineData("138001380001", false)]
    [InlineData("1380013800a", false)]
    [InlineData("abcdefghijk", false)]
    [InlineData("+8613800138000", false)]
    [InlineData("138-0013-800", false)]
    [InlineData("１３８００１３８０００", false)] // full-width digits
    [InlineData("23800138000", false)]
    public void IsMainlandMobile_Text_Expected(string phone, bool expected)
    {
        Assert.Equal(expected, Person.IsMainlandMobile(phone));
    }

    [Theory]
    [InlineData("13800138000")]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public void Validate_ValidOrMissingPhone_NoPhoneError(string? phone)
    {
        Assert.Empty(Person.Validate("张三", "局长", phone));
    }

    [Theory]
    [InlineData("12345678901")]
    [InlineData("+8613800138000")]
    [InlineData("1380013800")]
    public void Validate_InvalidPhone_PhoneFieldError(string phone)
    {
        var error = Assert.Single(Person.Validate("张三", null, phone));
        Assert.Equal("phone", error.Field);
        Assert.Contains("11 位", error.Text);
    }

    [Fact]
    public void Validate_NameMissingOrTooLongPositionTooLong_FieldErrors()
    {
        Assert.Equal("name", Assert.Single(Person.Validate(" ", null, null)).Field);
        Assert.Equal("name", Assert.Single(Person.Validate(new string('张', Person.NameMax + 1), null, null)).Field);
        Assert.Empty(Person.Validate(new string('张', Person.NameMax), new string('长', 50), null));
        Assert.Equal("position", Assert.Single(Person.Validate("张三", new string('长', 51), null)).Field);
    }

    [Theory]
    [InlineData("13800005678", "138****5678")]
    [InlineData("19912345678", "199****5678")]
    [InlineData(null, "")]
    [InlineData("", "")]
    [InlineData("12345", "****")]
    [InlineData("138001380001", "****")]
    public void Mask_Phone_Expected(string? phone, string expected)
    {
        Assert.Equal(expected, Person.Mask(phone));
    }

    [Fact]
    public void Generate_Token_PrefixedPrefixOfTokenHashMatches()
    {
        var (token, prefix, hash) = AccessToken.Generate();

        Assert.StartsWith(AccessToken.Marker, token);
        Assert.Equal("bh_", AccessToken.Marker);
        Assert.Matches("^bh_[0-9a-f]{48}$", token);
        Assert.StartsWith(prefix, token);
        Assert.Equal(10, prefix.Length);
        Assert.Matches("^[0-9a-f]{64}$", hash);
        Assert.Equal(AccessToken.HashOf(token), hash);
        Assert.DoesNotContain(token[3..], hash);
    }

    [Fact]
    public void Generate_ManyTimes_AllDistinct()
    {
        var tokens = Enumerable.Range(0, 500).Select(_ => AccessToken.Generate()).ToList();

        Assert.Equal(500, tokens.Select(t => t.Token).Distinct().Count());
        Assert.Equal(500, tokens.Select(t => t.Hash).Distinct().Count());
    }

    [Fact]
    public void HashOf_KnownInput_Sha256LowerHex()
    {
        // SHA-256("abc")
        Assert.Equal("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", AccessToken.HashOf("abc"));
        Assert.NotEqual(AccessToken.HashOf("bh_a"), AccessToken.HashOf("bh_b"));
    }

    static readonly DateTime Now = new(2026, 11, 27, 12, 0, 0, DateTimeKind.Utc);

    static AccessToken Token(DateTime? expires, DateTime? revoked) => new()
    {
        AccountId = "a", Name = "n", Prefix = "bh_0123456", SecretHash = new string('0', 64),
        ExpiresAt = expires, RevokedAt = revoked,
    };

    [Fact]
    public void IsUsable_NoExpiryNotRevoked_True() => Assert.True(Token(null, null).IsUsable(Now));

    [Fact]
    public void IsUsable_ExpiresLater_True() => Assert.True(Token(Now.AddSeconds(1), null).IsUsable(Now));

    [Fact]
    public void IsUsable_ExpiresExactlyNow_False() => Assert.False(Token(Now, null).IsUsable(Now));

    [Fact]
    public void IsUsable_Expired_False() => Assert.False(Token(Now.AddDays(-1), null).IsUsable(Now));

    [Fact]
    public void IsUsable_Revoked_False() => Assert.False(Token(Now.AddDays(30), Now.AddDays(-1)).IsUsable(Now));

    [Fact]
    public void IsUsable_RevokedNoExpiry_False() => Assert.False(Token(null, Now.AddDays(-1)).IsUsable(Now));
}
