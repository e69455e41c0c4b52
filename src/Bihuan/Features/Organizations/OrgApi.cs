using Bihuan.Infrastructure;
using Bihuan.Data;
using Bihuan.Domain;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Bihuan.Features.Organizations;

public sealed record MoveRequest(int ParentId);
public sealed record ArchiveRequest(bool Archived = true);

public static class OrgApi
{
    public static RouteGroupBuilder MapOrgApi(this RouteGroupBuilder api)
    {
        var g = api.MapGroup("/orgs").WithTags("组织 Organizations");
        g.MapGet("/", List).WithSummary("Top of the caller's visible tree, or search by name/code (q)");
        g.MapGet("/{id:int}", Get);
        g.MapGet("/{id:int}/children", Children);
        g.MapPost("/", Create);
        g.MapPatch("/{id:int}", Update).WithSummary("Rename, change code, type or sort order");
        g.MapPost("/{id:int}/move", Move).WithSummary("Move under another org; cycles are refused (409)");
        g.MapPost("/{id:int}/archive", Archive).WithSummary("Archive (撤销) or restore; refused while live children remain");
        g.MapDelete("/{id:int}", Delete).WithSummary("Delete an org created by mistake; refused if it has children or records");
        g.MapPost("/import", Import).DisableAntiforgery().WithUploadLimit()
            .WithSummary("Import a tree from .xlsx/.csv: preview (commit=false) or commit a clean file atomically");
        g.MapGet("/export.xlsx", Export).Produces(200, typeof(byte[]), Features.Rectification.LedgerExportApi.ContentType).WithSummary("The visible tree as .xlsx (same columns as the import)");
        return api;
    }

    static async Task<Ok<List<OrgDto>>> List(BihuanDb db, string? q, bool? includeArchived, int? limit, CancellationToken ct) =>
        TypedResults.Ok(string.IsNullOrWhiteSpace(q)
            ? await OrgQueries.RootsAsync(db, includeArchived ?? false, ct)
            : await OrgQueries.SearchAsync(db, q, limit ?? 50, ct));

    static async Task<Results<Ok<OrgDto>, NotFound>> Get(BihuanDb db, int id, CancellationToken ct) =>
        await OrgQueries.GetAsync(db, id, ct) is { } d ? TypedResults.Ok(d) : TypedResults.NotFound();

    static async Task<Ok<List<OrgDto>>> Children(BihuanDb db, int id, bool? includeArchived, CancellationToken ct)
    {
        await OrgCommands.FindAsync(db, id, ct);
        return TypedResults.Ok(await OrgQueries.ChildrenAsync(db, id, includeArchived ?? false, ct));
    }

    static async Task<Created<OrgDto>> Create(BihuanDb db, TimeProvider clock, OrgInput input, CancellationToken ct)
    {
        var org = await OrgCommands.CreateAsync(db, input, clock, ct);
        return TypedResults.Created($"/api/v1/orgs/{org.Id}", (await OrgQueries.GetAsync(db, org.Id, ct))!);
    }

    static async Task<Ok<OrgDto>> Update(BihuanDb db, int id, OrgChange change, CancellationToken ct)
    {
        await OrgCommands.UpdateAsync(db, id, change, ct);
        return TypedResults.Ok((await OrgQueries.GetAsync(db, id, ct))!);
    }

    static async Task<Ok<OrgDto>> Move(BihuanDb db, int id, MoveRequest req, CancellationToken ct)
    {
        await OrgCommands.MoveAsync(db, id, req.ParentId, ct);
        return TypedResults.Ok((await OrgQueries.GetAsync(db, id, ct))!);
    }

    static async Task<Ok<OrgDto>> Archive(BihuanDb db, int id, ArchiveRequest? req, CancellationToken ct)
    {
        await OrgCommands.ArchiveAsync(db, id, req?.Archived ?? true, ct);
        return TypedResults.Ok((await OrgQueries.GetAsync(db, id, ct))!);
    }

    static async Task<NoContent> Delete(BihuanDb db, int id, CancellationToken ct)
    {
        await OrgCommands.DeleteAsync(db, id, ct);
        return TypedResults.NoContent();
    }

    static async Task<Ok<OrgImportResult>> Import(
        BihuanDb db, TimeProvider clock, ImportLimits limits, IFormFile file, bool? commit, CancellationToken ct)
    {
        await using var stream = file.OpenReadStream();
        var result = await OrgImport.RunAsync(db, clock, limits, stream, file.FileName, file.Length, commit ?? false, ct);
        if (!result.Ok)
            throw new DomainException(new ImportRefused(result.Message, new Dictionary<string, object?> { ["rows"] = result.Errors }));
        return TypedResults.Ok(result);
    }

    static async Task<FileContentHttpResult> Export(BihuanDb db, CancellationToken ct)
    {
        var bytes = await OrgImport.ExportAsync(db, ct);
        return TypedResults.File(bytes, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            $"组织架构-{DateTime.UtcNow.AddHours(8):yyyyMMdd}.xlsx");
    }
}
