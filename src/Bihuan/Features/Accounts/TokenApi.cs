using System.Security.Claims;
using Bihuan.Data;
using Bihuan.Domain;
using Bihuan.Features.People;
using Bihuan.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Bihuan.Features.Accounts;

public sealed record TokenInput(string? Name, int? ExpiresInDays);
public sealed record TokenDto(int Id, string Name, string Prefix, DateTime CreatedAt, DateTime? ExpiresAt, DateTime? RevokedAt);
public sealed record NewTokenDto(int Id, string Name, string Token, DateTime? ExpiresAt);
public sealed record MeDto(string Id, string UserName, string DisplayName, List<GrantDto> Grants);

/// Personal access tokens: an account creates them (the secret is shown once) and revokes them.
public static class TokenApi
{
    public static RouteGroupBuilder MapAccountApi(this RouteGroupBuilder api)
    {
        api.MapGet("/me", Me).WithTags("账号 Accounts");
        var g = api.MapGroup("/tokens").WithTags("访问令牌 Tokens");
        g.MapGet("/", List);
        g.MapPost("/", Create).WithSummary("Create a token; the secret is in the response and never again");
        g.MapDelete("/{id:int}", Revoke);
        return api;
    }

    static async Task<Ok<MeDto>> Me(BihuanDb db, ClaimsPrincipal user, CancellationToken ct)
    {
        var id = user.FindFirstValue(ClaimTypes.NameIdentifier)!;
        var account = await db.Users.FirstAsync(u => u.Id == id, ct);
        var grants = (await PeopleApi.ProjectGrants(db.OwnGrants().Where(g => g.AccountId == id), db)
            .ToListAsync(ct)).ConvertAll(PeopleApi.Label);
        return TypedResults.Ok(new MeDto(id, account.UserName ?? "", account.DisplayName, grants));
    }

    public static async Task<List<TokenDto>> ListAsync(BihuanDb db, CancellationToken ct) =>
        await db.AccessTokens.OrderByDescending(t => t.Id)
            .Select(t => new TokenDto(t.Id, t.Name, t.Prefix, t.CreatedAt, t.ExpiresAt, t.RevokedAt)).ToListAsync(ct);

    static async Task<Ok<List<TokenDto>>> List(BihuanDb db, CancellationToken ct) => TypedResults.Ok(await ListAsync(db, ct));

    public static async Task<NewTokenDto> CreateAsync(BihuanDb db, TimeProvider clock, string accountId, TokenInput input, CancellationToken ct)
    {
        var errors = new List<Invalid>();
        if (string.IsNullOrWhiteSpace(input.Name)) errors.Add(new("name", "请填写令牌用途，如“数据对接”"));
        else if (input.Name.Trim().Length > 100) errors.Add(new("name", "名称不能超过 100 个字"));
        if (input.ExpiresInDays is < 1 or > 366) errors.Add(new("expiresInDays", "有效期须在 1 到 366 天之间"));
        ErrorMapping.ThrowIfAny(errors);
        var stamp = await db.Users.Where(u => u.Id == accountId).Select(u => u.SecurityStamp).FirstOrDefaultAsync(ct);
        var (token, prefix, hash) = AccessToken.Generate();
        var now = ChinaTime.Now(clock);
        var t = new AccessToken
        {
            AccountId = accountId, Name = input.Name!.Trim(), Prefix = prefix, SecretHash = hash, CreatedAt = now,
            ExpiresAt = now.AddDays(input.ExpiresInDays ?? 90), StampHash = AccessToken.HashOf(stamp ?? ""),
        };
        db.AccessTokens.Add(t);
        await db.SaveChangesAsync(ct);
        return new NewTokenDto(t.Id, t.Name, token, t.ExpiresAt);
    }

    static async Task<Created<NewTokenDto>> Create(BihuanDb db, TimeProvider clock, ClaimsPrincipal user, TokenInput input, CancellationToken ct)
    {
        var t = await CreateAsync(db, clock, user.FindFirstValue(ClaimTypes.NameIdentifier)!, input, ct);
        return TypedResults.Created($"/api/v1/tokens/{t.Id}", t);
    }

    public static async Task RevokeAsync(BihuanDb db, TimeProvider clock, int id, CancellationToken ct)
    {
        // The query filter shows an account only its own tokens: someone else's is simply not found.
        var t = await db.AccessTokens.FirstOrDefaultAsync(x => x.Id == id, ct) ?? throw new DomainException(new RecordNotFound("令牌"));
        t.RevokedAt ??= ChinaTime.Now(clock);
        await db.SaveChangesAsync(ct);
    }

    static async Task<NoContent> Revoke(BihuanDb db, TimeProvider clock, int id, CancellationToken ct)
    {
        await RevokeAsync(db, clock, id, ct);
        return TypedResults.NoContent();
    }
}
