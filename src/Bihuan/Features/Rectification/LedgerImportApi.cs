using Bihuan.Data;
using Bihuan.Domain;
using Bihuan.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Bihuan.Features.Rectification;

/// POST /api/v1/rectifications/import: a 整改台账 (.xlsx/.csv) into one unit's ledger (LedgerImport).
public static class LedgerImportApi
{
    public static RouteGroupBuilder MapLedgerImportApi(this RouteGroupBuilder api)
    {
        api.MapPost("/rectifications/import", Import).DisableAntiforgery().WithUploadLimit().WithTags("整改台账 Rectification")
            .WithSummary("Import a ledger (.xlsx/.csv, multipart `file`) into orgId: preview (commit=false) or commit a clean file "
                         + "atomically; correct the column mapping with map.<Field>=<letter> (e.g. map.Problem=C, map.Progress=-) "
                         + "and the header row with headerRow=<n>");
        return api;
    }

    static async Task<Ok<LedgerImportResult>> Import(BihuanDb db, TimeProvider clock,
        ImportLimits limits, HttpRequest request, IFormFile file, int? orgId, bool? commit, int? headerRow, CancellationToken ct)
    {
        var errors = new List<Invalid>();
        if (orgId is null) errors.Add(new("orgId", "请指定台账所属单位（orgId）"));
        LedgerImport.TryParseOverrides(request.Query.Select(q => new KeyValuePair<string, string?>(q.Key, q.Value.ToString())),
            out var overrides, out var mapErrors);
        errors.AddRange(mapErrors);
        ErrorMapping.ThrowIfAny(errors);

        await using var stream = file.OpenReadStream();
        var result = await LedgerImport.RunAsync(db, clock, limits, stream, file.FileName, file.Length, orgId!.Value, overrides,
            commit ?? false, ct, headerRow);
        if (!result.Ok)
            throw new DomainException(new ImportRefused(result.Message, new Dictionary<string, object?>
            {
                ["rows"] = result.Errors, ["errorCount"] = result.ErrorCount, ["headerRow"] = result.HeaderRow,
                ["mapping"] = result.Mapping, ["columns"] = result.Columns, ["preview"] = result.Preview,
            }));
        return TypedResults.Ok(result);
    }
}
