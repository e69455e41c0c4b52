using Bihuan.Data;
using Bihuan.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace Bihuan.Features.Files;

/// /api/v1/files: upload a file of one's own, read a file through the record that cites it.
public static class FilesApi
{
    public static RouteGroupBuilder MapFilesApi(this RouteGroupBuilder api)
    {
        var g = api.MapGroup("/files").WithTags("文件 Files");
        g.MapPost("/", Upload).DisableAntiforgery()
            .WithSummary("Upload a file (PDF, image, Office; type checked by content): a new upload of your own, to cite by its id")
            .WithDescription("orgId (form field, optional): the org the file is for, in your scope. Identical bytes uploaded "
                + "earlier by anyone make no difference: every upload gets its own id and keeps your file name.");
        g.MapGet("/{id:guid}", Download)
            .WithSummary("A file: readable through a record you can see that cites it, or as your own upload until it is attached; 404 otherwise")
            .Produces(StatusCodes.Status200OK, contentType: "application/octet-stream")
            .Produces(StatusCodes.Status404NotFound);
        return api;
    }

    static async Task<Created<FileRef>> Upload(BihuanDb db, FileStore files, TimeProvider clock, IFormFile file,
        [FromForm] int? orgId, CancellationToken ct)
    {
        await using var s = file.OpenReadStream();
        var u = await Uploads.AddAsync(db, files, clock, s, file.FileName, file.Length, orgId, ct);
        await db.SaveChangesAsync(ct);
        return TypedResults.Created(Uploads.UrlOf(u.Id), Uploads.RefOf(u));
    }

    /// The query filter on Uploads decides: a visible citing record, or the caller's own unattached upload.
    static async Task<IResult> Download(BihuanDb db, FileStore files, Guid id, CancellationToken ct)
    {
        var u = await db.Uploads.AsNoTracking().FirstOrDefaultAsync(x => x.Id == id, ct);
        if (u is null) return TypedResults.NotFound();
        var path = files.PathOf(u.Sha256);
        return File.Exists(path) ? new FileDownload(path, u) : TypedResults.NotFound();
    }
}
