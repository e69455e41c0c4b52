using Bihuan.Data;
using Bihuan.Domain;
using Microsoft.EntityFrameworkCore;

namespace Bihuan.Features.Organizations;

public sealed record OrgDto(int Id, string Name, string Code, OrgType Type, string TypeLabel, int? ParentId,
    int Depth, int SortOrder, bool Archived, int ChildCount);

public sealed record Crumb(int Id, string Name);

/// Reads of the org tree. Every query goes through the scoped BihuanDb, so the caller sees only its scope.
public static class OrgQueries
{
    public static IQueryable<OrgDto> Project(IQueryable<Org> q, BihuanDb db) => q.Select(o => new OrgDto(
        o.Id, o.Name, o.Code, o.Type, "", o.ParentId, o.Depth, o.SortOrder, o.Archived,
        db.Orgs.Count(c => c.ParentId == o.Id)));

    static OrgDto Label(OrgDto d) => d with { TypeLabel = d.Type.Label() };

    /// The top of the caller's visible tree: orgs whose parent the caller cannot see.
    public static async Task<List<OrgDto>> RootsAsync(BihuanDb db, bool includeArchived, CancellationToken ct)
    {
        var visible = db.Orgs.Where(o => includeArchived || !o.Archived);
        var roots = visible.Where(o => o.ParentId == null || !db.Orgs.Any(p => p.Id == o.ParentId));
        return (await Project(roots.OrderBy(o => o.Depth).ThenBy(o => o.SortOrder).ThenBy(o => o.Id), db)
            .ToListAsync(ct)).ConvertAll(Label);
    }

    public static async Task<List<OrgDto>> ChildrenAsync(BihuanDb db, int parentId, bool includeArchived, CancellationToken ct) =>
        (await Project(db.Orgs.Where(o => o.ParentId == parentId && (includeArchived || !o.Archived))
            .OrderBy(o => o.SortOrder).ThenBy(o => o.Id), db).ToListAsync(ct)).ConvertAll(Label);

    public static async Task<List<OrgDto>> SearchAsync(BihuanDb db, string text, int limit, CancellationToken ct)
    {
        var t = text.Trim();
        if (t.Length == 0) return [];
        return (await Project(db.Orgs.Where(o => o.Name.Contains(t) || o.Code == t)
            .OrderBy(o => o.Archived).ThenBy(o => o.Depth).ThenBy(o => o.SortOrder)
            .Take(Math.Clamp(limit, 1, 200)), db).ToListAsync(ct)).ConvertAll(Label);
    }

    public static async Task<OrgDto?> GetAsync(BihuanDb db, int id, CancellationToken ct) =>
        await Project(db.Orgs.Where(o => o.Id == id), db).FirstOrDefaultAsync(ct) is { } d ? Label(d) : null;

    /// Ancestors the caller can see, root first (a liaison sees only its own unit, so the trail starts there).
    public static async Task<List<Crumb>> CrumbsAsync(BihuanDb db, Org org, CancellationToken ct)
    {
        var ids = org.Path.Split('/', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse).ToList();
        var names = await db.Orgs.Where(o => ids.Contains(o.Id)).Select(o => new Crumb(o.Id, o.Name)).ToListAsync(ct);
        return ids.Select(i => names.FirstOrDefault(n => n.Id == i)).OfType<Crumb>().ToList();
    }

    /// Every visible org in tree order (for exports and pickers).
    public static async Task<List<Org>> AllVisibleAsync(BihuanDb db, CancellationToken ct)
    {
        var all = await db.Orgs.AsNoTracking().ToListAsync(ct);
        var byId = all.ToDictionary(x => x.Id);
        string Key(Org o) => string.Join('/', o.SelfPath.Split('/', StringSplitOptions.RemoveEmptyEntries)
            .Select(s => int.Parse(s, System.Globalization.CultureInfo.InvariantCulture))
            .Select(id => byId.TryGetValue(id, out var a) ? $"{a.SortOrder:D6}{a.Id:D9}" : $"{0:D6}{id:D9}"));
        return all.OrderBy(Key, StringComparer.Ordinal).ToList();
    }
}
