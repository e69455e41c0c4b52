using System.Security.Claims;
using Bihuan.Data;
using Bihuan.Domain;
using Bihuan.Features.Organizations;
using Bihuan.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Bihuan.Features.Rectification;

/// One cell of the 对照查摆 sheet: problems registered for (category, aspect), and the 无 mark if it was examined and
/// nothing found. A cell is examined when it has a problem or a mark.
public sealed record InspectionCell(Aspect Aspect, string AspectLabel, int Problems, InspectionMark? Mark)
{
    public bool Examined => Problems > 0 || Mark is not null;
}

public sealed record InspectionMark(string? Note, string CheckedBy, DateTime CheckedAt);

public sealed record InspectionRow(int CategoryId, string Category, string? Group, List<InspectionCell> Cells);

/// CanMark: the caller may record problems for the org, so may mark a cell 无.
public sealed record InspectionSheet(int OrgId, string OrgName, List<InspectionRow> Rows, int Examined, int Total,
    bool CanMark);

/// Mark one cell 无 (examined, nothing found). Note defaults to 经查摆未发现问题.
public sealed record InspectionMarkInput(int? CategoryId, Aspect? Aspect, string? Note = null);

/// 对照查摆: an org examines itself against every deviation category from three aspects (个人、职责、工作). The page
/// /orgs/{id}/inspect and /api/v1/orgs/{id}/inspection call these.
public sealed class Inspection(BihuanDb db, TimeProvider clock)
{
    public const string NothingFound = "经查摆未发现问题";
    const int NoteMax = 500;

    /// The sheet over the live categories; 404 when the org is not in the caller's scope.
    public async Task<InspectionSheet> SheetAsync(int orgId, CancellationToken ct)
    {
        var org = await OrgCommands.FindAsync(db, orgId, ct);
        var categories = await db.Categories.Where(c => !c.Archived).OrderBy(c => c.SortOrder).ThenBy(c => c.Id)
            .AsNoTracking().ToListAsync(ct);
        var counts = (await db.Problems.Where(p => p.OrgId == orgId && p.CategoryId != null)
                .GroupBy(p => new { p.CategoryId, p.Aspect })
                .Select(g => new { g.Key.CategoryId, g.Key.Aspect, N = g.Count() }).ToListAsync(ct))
            .ToDictionary(x => (x.CategoryId!.Value, x.Aspect), x => x.N);
        var marks = (await db.InspectionChecks.Where(c => c.OrgId == orgId).AsNoTracking().ToListAsync(ct))
            .ToDictionary(c => (c.CategoryId, c.Aspect), c => new InspectionMark(c.Note, c.CheckedBy, c.CheckedAt));
        var aspects = Enum.GetValues<Aspect>();
        var rows = categories.ConvertAll(c => new InspectionRow(c.Id, c.Name, c.Group, [.. aspects.Select(a =>
            new InspectionCell(a, a.Label(), counts.GetValueOrDefault((c.Id, a)), marks.GetValueOrDefault((c.Id, a))))]));
        return new InspectionSheet(org.Id, org.Name, rows, rows.Sum(r => r.Cells.Count(x => x.Examined)),
            rows.Count * aspects.Length, db.Access.Can(Permission.RecordProblems, org));
    }

    /// Marks the cell 无; marking it again changes nothing (the first mark stands). Refused for an archived or
    /// unknown category, an unknown aspect, or a caller who may not record problems for the org.
    public async Task<InspectionSheet> MarkAsync(ClaimsPrincipal user, int orgId, InspectionMarkInput input,
        CancellationToken ct)
    {
        var errors = new List<Invalid>();
        if (input.CategoryId is null) errors.Add(new("categoryId", "请选择偏差类别"));
        if (input.Aspect is null) errors.Add(new("aspect", "请选择查摆方面（个人、职责、工作）"));
        else errors.Defined("aspect", input.Aspect, "未知的查摆方面");
        errors.Text("note", input.Note, NoteMax, "说明").ThrowIfAny();
        var org = await OrgCommands.FindForAsync(db, orgId, Permission.RecordProblems, ct);
        int category = input.CategoryId!.Value;
        var aspect = input.Aspect!.Value;
        if (!await db.Categories.AnyAsync(c => c.Id == category && !c.Archived, ct))
            throw new DomainException(new Invalid("categoryId", "问题类别不存在"));
        if (!await db.InspectionChecks.AnyAsync(c => c.OrgId == org.Id && c.CategoryId == category && c.Aspect == aspect, ct))
        {
            var note = string.IsNullOrWhiteSpace(input.Note) ? NothingFound : input.Note.Trim();
            db.InspectionChecks.Add(new InspectionCheck { OrgId = org.Id, CategoryId = category, Aspect = aspect,
                Note = note, CheckedBy = user.Identity?.Name ?? "?", CheckedAt = ChinaTime.Now(clock) });
            await db.SaveChangesAsync(ct);
        }
        return await SheetAsync(orgId, ct);
    }
}

public static class InspectionApi
{
    public static RouteGroupBuilder MapInspectionApi(this RouteGroupBuilder api)
    {
        var g = api.MapGroup("/orgs/{id:int}/inspection").WithTags("问题清单 Problems");
        g.MapGet("/", async Task<Ok<InspectionSheet>> (Inspection inspection, int id, CancellationToken ct) =>
                TypedResults.Ok(await inspection.SheetAsync(id, ct)))
            .WithSummary("对照查摆: problems per deviation category and aspect, the cells marked 无, how many are examined");
        g.MapPost("/marks", async Task<Ok<InspectionSheet>> (Inspection inspection, ClaimsPrincipal user, int id,
                InspectionMarkInput input, CancellationToken ct) => TypedResults.Ok(await inspection.MarkAsync(user, id, input, ct)))
            .WithSummary("Mark one cell 无 (examined, nothing found); again changes nothing");
        return api;
    }
}
