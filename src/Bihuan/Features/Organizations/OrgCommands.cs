using Bihuan.Data;
using Bihuan.Domain;
using Bihuan.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Bihuan.Features.Organizations;

public sealed record OrgInput(string? Name, string? Code, OrgType? Type, int? ParentId, int? SortOrder);
public sealed record OrgChange(string? Name, string? Code, OrgType? Type, int? SortOrder);

/// The org use cases shared by pages, API, import and CLI. Scope: an org outside the caller's scope is NotFound;
/// one inside it that the caller may not change is Forbidden.
public static class OrgCommands
{
    public static async Task<Org> FindAsync(BihuanDb db, int id, CancellationToken ct) =>
        await db.Orgs.FirstOrDefaultAsync(o => o.Id == id, ct) ?? throw new DomainException(new RecordNotFound("组织"));

    public static async Task<Org> FindForAsync(BihuanDb db, int id, Permission permission, CancellationToken ct)
    {
        var org = await FindAsync(db, id, ct);
        if (!db.Access.Can(permission, org)) throw new DomainException(new Forbidden("您对该组织只有查看权限"));
        return org;
    }

    /// JSON accepts any number for an enum: an undefined org type must be refused here, or it is stored and every
    /// later read of the org fails when labelling it.
    static IEnumerable<Invalid> ValidateType(OrgType? type) => type is { } t && !Enum.IsDefined(t)
        ? [new Invalid("type", $"未知的组织类型（可用：{OrgTypes.KnownLabels}）")]
        : [];

    static List<Invalid> SortBound(int? sortOrder) =>
        new List<Invalid>().Range("sortOrder", sortOrder, -InputBounds.OrderMax, InputBounds.OrderMax, "排序号");

    public static async Task<Org> CreateAsync(BihuanDb db, OrgInput input, TimeProvider clock, CancellationToken ct)
    {
        ErrorMapping.ThrowIfAny(Org.Validate(input.Name, input.Code).Concat(ValidateType(input.Type)).Concat(SortBound(input.SortOrder)));
        Org? parent = null;
        if (input.ParentId is { } pid)
            parent = await FindForAsync(db, pid, Permission.ManageOrgs, ct);
        else if (!db.Access.CanAnywhere(Permission.ManageOrgs))
            throw new DomainException(new Invalid("parentId", "请选择上级组织"));
        else if (await db.ForIntegrity<Org>().AnyAsync(o => o.ParentId == null, ct))
            throw new DomainException(new RootAlreadyExists());
        var code = input.Code!.Trim();
        if (await db.ForIntegrity<Org>().AnyAsync(o => o.Code == code, ct))
            throw new DomainException(new DuplicateOrgCode(code));
        var org = new Org
        {
            Name = input.Name!.Trim(),
            Code = code,
            Type = input.Type ?? OrgType.Other,
            ParentId = parent?.Id,
            Path = parent?.SelfPath ?? "/",
            Depth = parent is null ? 0 : parent.Depth + 1,
            SortOrder = input.SortOrder ?? await NextSortAsync(db, parent?.Id, ct),
            CreatedAt = ChinaTime.Now(clock),
        };
        db.Orgs.Add(org);
        await db.SaveChangesAsync(ct);
        return org;
    }

    static async Task<int> NextSortAsync(BihuanDb db, int? parentId, CancellationToken ct) =>
        (await db.ForIntegrity<Org>().Where(o => o.ParentId == parentId).MaxAsync(o => (int?)o.SortOrder, ct) ?? 0) + 10;

    public static async Task<Org> UpdateAsync(BihuanDb db, int id, OrgChange change, CancellationToken ct)
    {
        var org = await FindForAsync(db, id, Permission.ManageOrgs, ct);
        ErrorMapping.ThrowIfAny(Org.Validate(change.Name ?? org.Name, change.Code ?? org.Code).Concat(ValidateType(change.Type))
            .Concat(SortBound(change.SortOrder)));
        if (change.Code is { } c && c.Trim() != org.Code)
        {
            var code = c.Trim();
            if (await db.ForIntegrity<Org>().AnyAsync(o => o.Code == code && o.Id != id, ct))
                throw new DomainException(new DuplicateOrgCode(code));
            org.Code = code;
        }
        if (change.Name is { } n) org.Name = n.Trim();
        if (change.Type is { } t) org.Type = t;
        if (change.SortOrder is { } s) org.SortOrder = s;
        await db.SaveChangesAsync(ct);
        return org;
    }

    public static async Task<Org> MoveAsync(BihuanDb db, int id, int newParentId, CancellationToken ct)
    {
        var org = await FindForAsync(db, id, Permission.ManageOrgs, ct);
        var parent = await FindForAsync(db, newParentId, Permission.ManageOrgs, ct);
        if (org.ParentId == parent.Id) return org;
        var descendants = await db.ForIntegrity<Org>().Where(OrgSubtree.Below(org)).ToListAsync(ct);
        org.MoveUnder(parent, descendants);
        org.SortOrder = await NextSortAsync(db, parent.Id, ct);
        await db.SaveChangesAsync(ct);
        return org;
    }

    /// Archiving (撤销) keeps the org and its history but takes it out of use; refused while it has live children.
    public static async Task<Org> ArchiveAsync(BihuanDb db, int id, bool archived, CancellationToken ct)
    {
        var org = await FindForAsync(db, id, Permission.ManageOrgs, ct);
        if (archived)
        {
            var live = await db.ForIntegrity<Org>().CountAsync(o => o.ParentId == id && !o.Archived, ct);
            if (live > 0) throw new DomainException(new OrgHasLiveChildren(org.Name, live));
        }
        else if (org.ParentId is { } pid && await db.ForIntegrity<Org>().AnyAsync(o => o.Id == pid && o.Archived, ct))
            throw new DomainException(new Invalid("archived", "上级组织已撤销，不能单独恢复下级组织"));
        org.Archived = archived;
        await db.SaveChangesAsync(ct);
        return org;
    }

    /// Deletion is for mistakes only: an org that has children or any record cannot be deleted (archive it).
    public static async Task DeleteAsync(BihuanDb db, int id, CancellationToken ct)
    {
        var org = await FindForAsync(db, id, Permission.ManageOrgs, ct);
        var children = await db.ForIntegrity<Org>().CountAsync(o => o.ParentId == id, ct);
        if (children > 0) throw new DomainException(new OrgHasLiveChildren(org.Name, children));
        foreach (var (what, any) in await RecordsOfAsync(db, id, ct))
            if (any) throw new DomainException(new OrgHasRecords(org.Name, what));
        db.Orgs.Remove(org);
        await db.SaveChangesAsync(ct);
    }

    static async Task<List<(string, bool)>> RecordsOfAsync(BihuanDb db, int id, CancellationToken ct) =>
    [
        ("人员", await db.ForIntegrity<Person>().AnyAsync(p => p.OrgId == id, ct)),
        ("角色授权", await db.ForIntegrity<RoleGrant>().AnyAsync(g => g.OrgId == id, ct)),
        ("学习教育", await db.Campaigns.AnyAsync(c => c.RootOrgId == id, ct)),
        ("问题", await db.ForIntegrity<Problem>().AnyAsync(p => p.OrgId == id, ct)),
        ("整改事项", await db.ForIntegrity<RectItem>().AnyAsync(i => i.OrgId == id, ct)),
        ("查摆记录", await db.ForIntegrity<InspectionCheck>().AnyAsync(i => i.OrgId == id, ct)),
    ];
}
