using Bihuan.Data;
using Bihuan.Domain;
using Bihuan.Features.Organizations;
using Bihuan.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace Bihuan.Features.People;

public sealed record PersonInput(string? Name, int? OrgId, string? Position, bool? IsLeadership, string? Phone);
/// Phone is masked for everyone but the person's own unit managers (PhoneMasked = true means Phone is masked).
public sealed record PersonDto(int Id, string Name, int OrgId, string OrgName, string? Position, bool IsLeadership,
    string Phone, bool Archived);
public sealed record GrantInput(string? AccountId, int? OrgId, Role? Role);
public sealed record GrantDto(int Id, string AccountId, string UserName, string DisplayName, int OrgId, string OrgName,
    Role Role, string RoleLabel, string Reach);
public sealed record AccountDto(string Id, string UserName, string DisplayName, int? PersonId, bool LockedOut, List<GrantDto> Grants);
public sealed record AccountInput(string? UserName, string? DisplayName, string? Password, int? PersonId);

/// People (人员), accounts and their roles on orgs.
public static class PeopleApi
{
    public static RouteGroupBuilder MapPeopleApi(this RouteGroupBuilder api)
    {
        var people = api.MapGroup("/people").WithTags("人员 People");
        people.MapGet("/", ListPeople);
        people.MapGet("/{id:int}", GetPerson);
        people.MapPost("/", CreatePerson);
        people.MapPut("/{id:int}", UpdatePerson);

        var roles = api.MapGroup("/roles").WithTags("角色 Roles");
        roles.MapGet("/", ListGrants).WithSummary("Role grants visible to the caller (filter by orgId or accountId)");
        roles.MapPost("/", Grant).WithSummary("Grant a role on an org (admin)");
        roles.MapDelete("/{id:int}", Revoke);

        var accounts = api.MapGroup("/accounts").WithTags("账号 Accounts");
        accounts.MapGet("/", ListAccounts).WithSummary("Accounts holding a role in the caller's scope");
        accounts.MapPost("/", CreateAccount).WithSummary("Create a sign-in account (admin)");
        return api;
    }

    static IQueryable<PersonDto> Project(IQueryable<Person> q, BihuanDb db, bool unmasked) => q.Select(p => new PersonDto(
        p.Id, p.Name, p.OrgId, p.Org!.Name, p.Position, p.IsLeadership, p.Phone ?? "", p.Archived));

    static PersonDto Mask(PersonDto p, BihuanDb db, Org? org) =>
        org is not null && db.Access.Can(Permission.ReadPersonalData, org) ? p : p with { Phone = Person.Mask(p.Phone) };

    static async Task<Ok<List<PersonDto>>> ListPeople(BihuanDb db, int? orgId, string? q, int? skip, int? take, CancellationToken ct)
    {
        var query = db.People.Where(p => !p.Archived);
        if (orgId is { } oid) query = query.Where(p => p.OrgId == oid);
        if (!string.IsNullOrWhiteSpace(q)) query = query.Where(p => p.Name.Contains(q.Trim()));
        var list = await Project(query.OrderBy(p => p.OrgId).ThenBy(p => p.Id), db, false)
            .Skip(Math.Max(0, skip ?? 0)).Take(Math.Clamp(take ?? 100, 1, 500)).ToListAsync(ct);
        var orgs = await db.Orgs.Where(o => list.Select(p => p.OrgId).Contains(o.Id)).ToDictionaryAsync(o => o.Id, ct);
        return TypedResults.Ok(list.ConvertAll(p => Mask(p, db, orgs.GetValueOrDefault(p.OrgId))));
    }

    static async Task<Results<Ok<PersonDto>, NotFound>> GetPerson(BihuanDb db, int id, CancellationToken ct)
    {
        var p = await Project(db.People.Where(x => x.Id == id), db, false).FirstOrDefaultAsync(ct);
        if (p is null) return TypedResults.NotFound();
        return TypedResults.Ok(Mask(p, db, await db.Orgs.FirstOrDefaultAsync(o => o.Id == p.OrgId, ct)));
    }

    static async Task<Created<PersonDto>> CreatePerson(BihuanDb db, TimeProvider clock, PersonInput input, CancellationToken ct)
    {
        var person = await CreatePersonAsync(db, clock, input, ct);
        return TypedResults.Created($"/api/v1/people/{person.Id}", new PersonDto(person.Id, person.Name, person.OrgId,
            person.Org!.Name, person.Position, person.IsLeadership, person.Phone ?? "", false));
    }

    public static async Task<Person> CreatePersonAsync(BihuanDb db, TimeProvider clock, PersonInput input, CancellationToken ct)
    {
        ErrorMapping.ThrowIfAny(Person.Validate(input.Name, input.Position, input.Phone));
        if (input.OrgId is not { } orgId) throw new DomainException(new Invalid("orgId", "请选择所在组织"));
        var org = await OrgCommands.FindForAsync(db, orgId, Permission.ManagePeople, ct);
        var person = new Person
        {
            Name = input.Name!.Trim(), Org = org, OrgId = org.Id, Position = input.Position?.Trim(),
            IsLeadership = input.IsLeadership ?? false,
            Phone = string.IsNullOrWhiteSpace(input.Phone) ? null : input.Phone.Trim(), CreatedAt = ChinaTime.Now(clock),
        };
        db.People.Add(person);
        await db.SaveChangesAsync(ct);
        return person;
    }

    static async Task<Ok<PersonDto>> UpdatePerson(BihuanDb db, int id, PersonInput input, CancellationToken ct)
    {
        var person = await db.People.Include(p => p.Org).FirstOrDefaultAsync(p => p.Id == id, ct)
            ?? throw new DomainException(new RecordNotFound("人员"));
        if (!db.Access.Can(Permission.ManagePeople, person.Org!)) throw new DomainException(new Forbidden("您对该人员只有查看权限"));
        ErrorMapping.ThrowIfAny(Person.Validate(input.Name ?? person.Name, input.Position, input.Phone));
        if (input.OrgId is { } orgId && orgId != person.OrgId)
            person.Org = await OrgCommands.FindForAsync(db, orgId, Permission.ManagePeople, ct);
        if (input.Name is { } n) person.Name = n.Trim();
        person.Position = input.Position?.Trim() ?? person.Position;
        person.IsLeadership = input.IsLeadership ?? person.IsLeadership;
        if (input.Phone is not null) person.Phone = input.Phone.Trim().Length == 0 ? null : input.Phone.Trim();
        await db.SaveChangesAsync(ct);
        return TypedResults.Ok(new PersonDto(person.Id, person.Name, person.Org!.Id, person.Org.Name, person.Position,
            person.IsLeadership, person.Phone ?? "", person.Archived));
    }

    public static IQueryable<GrantDto> ProjectGrants(IQueryable<RoleGrant> q, BihuanDb db) =>
        q.Join(db.Users, g => g.AccountId, u => u.Id, (g, u) => new GrantDto(g.Id, g.AccountId, u.UserName ?? "",
            u.DisplayName, g.OrgId, g.Org!.Name, g.Role, "", ""));

    public static GrantDto Label(GrantDto g) => g with
    {
        RoleLabel = g.Role.Label(), Reach = g.Role.ReachOf() == Domain.Reach.Subtree ? "本组织及下级" : "本组织",
    };

    static async Task<Ok<List<GrantDto>>> ListGrants(BihuanDb db, int? orgId, string? accountId, CancellationToken ct)
    {
        var q = db.RoleGrants.AsQueryable();
        if (orgId is { } o) q = q.Where(g => g.OrgId == o);
        if (!string.IsNullOrEmpty(accountId)) q = q.Where(g => g.AccountId == accountId);
        return TypedResults.Ok((await ProjectGrants(q.OrderBy(g => g.OrgId).ThenBy(g => g.Id), db).Take(1000).ToListAsync(ct))
            .ConvertAll(Label));
    }

    public static async Task<GrantDto> GrantAsync(BihuanDb db, TimeProvider clock, GrantInput input, CancellationToken ct)
    {
        var errors = new List<Invalid>();
        if (string.IsNullOrWhiteSpace(input.AccountId)) errors.Add(new("accountId", "请选择账号"));
        if (input.OrgId is null) errors.Add(new("orgId", "请选择组织"));
        if (input.Role is null) errors.Add(new("role", "请选择角色"));
        else if (!Enum.IsDefined(input.Role.Value)) errors.Add(new("role", "未知的角色"));
        ErrorMapping.ThrowIfAny(errors);
        var org = await OrgCommands.FindForAsync(db, input.OrgId!.Value, Permission.ManageRoles, ct);
        if (!await db.Users.AnyAsync(u => u.Id == input.AccountId, ct)) throw new DomainException(new Invalid("accountId", "账号不存在"));
        if (await db.ForIntegrity<RoleGrant>().AnyAsync(g => g.AccountId == input.AccountId && g.OrgId == org.Id && g.Role == input.Role, ct))
            throw new DomainException(new Invalid("role", "该账号在此组织已有这个角色"));
        var grant = new RoleGrant { AccountId = input.AccountId!, OrgId = org.Id, Role = input.Role!.Value, CreatedAt = ChinaTime.Now(clock) };
        db.RoleGrants.Add(grant);
        await db.SaveChangesAsync(ct);
        return Label((await ProjectGrants(db.RoleGrants.Where(g => g.Id == grant.Id), db).FirstAsync(ct)));
    }

    static async Task<Created<GrantDto>> Grant(BihuanDb db, TimeProvider clock, GrantInput input, CancellationToken ct)
    {
        var g = await GrantAsync(db, clock, input, ct);
        return TypedResults.Created($"/api/v1/roles/{g.Id}", g);
    }

    static async Task<NoContent> Revoke(BihuanDb db, int id, CancellationToken ct)
    {
        await RevokeAsync(db, id, ct);
        return TypedResults.NoContent();
    }

    public static async Task RevokeAsync(BihuanDb db, int id, CancellationToken ct)
    {
        var grant = await db.RoleGrants.Include(g => g.Org).FirstOrDefaultAsync(g => g.Id == id, ct)
            ?? throw new DomainException(new RecordNotFound("角色授权"));
        if (!db.Access.Can(Permission.ManageRoles, grant.Org!)) throw new DomainException(new Forbidden("您无权撤销该角色"));
        db.RoleGrants.Remove(grant);
        await db.SaveChangesAsync(ct);
    }

    static async Task<Ok<List<AccountDto>>> ListAccounts(BihuanDb db, TimeProvider clock, CancellationToken ct)
    {
        var grants = (await ProjectGrants(db.RoleGrants, db).ToListAsync(ct)).ConvertAll(Label);
        var ids = grants.Select(g => g.AccountId).Distinct().ToList();
        var now = clock.GetUtcNow();
        var users = await db.Users.Where(u => ids.Contains(u.Id)).OrderBy(u => u.UserName).ToListAsync(ct);
        return TypedResults.Ok(users.ConvertAll(u => new AccountDto(u.Id, u.UserName ?? "", u.DisplayName, u.PersonId,
            u.LockoutEnd > now, grants.Where(g => g.AccountId == u.Id).ToList())));
    }

    static async Task<Created<AccountDto>> CreateAccount(BihuanDb db, UserManager<Account> users, TimeProvider clock,
        AccountInput input, CancellationToken ct)
    {
        if (!db.Access.CanAnywhere(Permission.ManageRoles)) throw new DomainException(new Forbidden("只有系统管理员可以创建账号"));
        var account = await AccountCommands.CreateAsync(db, users, clock, input.UserName, input.DisplayName, input.Password, input.PersonId, ct);
        return TypedResults.Created($"/api/v1/accounts/{account.Id}",
            new AccountDto(account.Id, account.UserName!, account.DisplayName, account.PersonId, false, []));
    }
}

public static class AccountCommands
{
    // The column sizes (Identity's UserName, AccountConfiguration's DisplayName): longer input must be a 400, not a
    // database error (PostgreSQL refuses it; SQLite would silently store it).
    public const int UserNameMax = 256, DisplayNameMax = 50;

    public static async Task<Account> CreateAsync(BihuanDb db, UserManager<Account> users, TimeProvider clock,
        string? userName, string? displayName, string? password, int? personId, CancellationToken ct)
    {
        var errors = new List<Invalid>();
        if (string.IsNullOrWhiteSpace(userName)) errors.Add(new("userName", "用户名不能为空"));
        else if (userName.Trim().Length > UserNameMax) errors.Add(new("userName", $"用户名不能超过 {UserNameMax} 个字符"));
        if (string.IsNullOrWhiteSpace(displayName)) errors.Add(new("displayName", "姓名不能为空"));
        else if (displayName.Trim().Length > DisplayNameMax) errors.Add(new("displayName", $"姓名不能超过 {DisplayNameMax} 个字"));
        if (string.IsNullOrEmpty(password)) errors.Add(new("password", "密码不能为空"));
        ErrorMapping.ThrowIfAny(errors);
        if (personId is { } pid && !await db.People.AnyAsync(p => p.Id == pid, ct))
            throw new DomainException(new Invalid("personId", "人员不存在"));
        var account = new Account
        {
            UserName = userName!.Trim(), DisplayName = displayName!.Trim(), PersonId = personId,
            CreatedAt = ChinaTime.Now(clock), LockoutEnabled = true, PasswordChangedAt = clock.GetUtcNow().UtcDateTime,
        };
        var result = await users.CreateAsync(account, password!);
        if (!result.Succeeded)
            throw new DomainException(new ValidationFailed(result.Errors.Select(e => new Invalid(
                e.Code.StartsWith("Password", StringComparison.Ordinal) ? "password" : "userName", e.Description)).ToList()));
        db.RecordEvent(nameof(Account), account.Id, $"创建账号 {account.UserName}（{account.DisplayName}）");
        await db.SaveChangesAsync(ct);
        return account;
    }
}
