using System.Globalization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace Bihuan.Infrastructure;

/// Bihuan:Imports — the bounds every uploaded sheet (.xlsx/.csv: 整改台账, org tree, study catalog) is read within.
/// Sheets.Read counts while it reads (bytes actually inflated, never the sizes a zip declares) and refuses a file the
/// moment it passes one, naming the limit, so a bomb costs next to nothing (bench `importmem`, docs/benchmarks.md;
/// README lists the defaults). A file accepted at the limits still costs up to ≈500 MB for one ledger import there,
/// above the 200 MB goal: the import holds every row in several forms at once (benchmarks, "What falls short").
public sealed class ImportLimits
{
    /// The uploaded file itself; the import endpoints and pages also cap the request body a little above it.
    public long MaxUploadBytes { get; set; } = 30L * 1024 * 1024;
    /// Every part read, inflated, together (counted while inflating).
    public long MaxDecompressedBytes { get; set; } = 256L * 1024 * 1024;
    /// Entries of the shared-string table (.xlsx).
    public int MaxSharedStrings { get; set; } = 500_000;
    /// Characters of the shared-string table together.
    public long MaxSharedStringChars { get; set; } = 16_000_000;
    /// Rows holding a value (.xlsx) or lines (.csv): 100,000 data rows with room for titles, headers and notes.
    public int MaxRows { get; set; } = 101_000;
    /// Columns: a value right of the last one is refused (an empty, formatted cell there is ignored).
    public int MaxColumns { get; set; } = 200;
    /// Cells held: per row, every column up to its last value, summed over the rows.
    public long MaxCells { get; set; } = 2_000_000;
    /// Characters of one cell (or one shared string): Excel's own cell limit.
    public int MaxCellChars { get; set; } = 32_767;
    /// All text held: the shared-string table plus every cell's own text (inline strings, CSV fields).
    public long MaxTextChars { get; set; } = 24_000_000;
    /// Wall-clock time for reading the file.
    public int MaxSeconds { get; set; } = 60;

    public static ImportLimits Default { get; } = new();

    /// The request body an import endpoint or page accepts: the file plus the multipart framing and form fields.
    public long MaxRequestBytes => MaxUploadBytes + 1024 * 1024;

    /// "30 MB" — the upload limit as the messages name it.
    public string UploadMegabytes => (MaxUploadBytes / 1024d / 1024).ToString("0.#", CultureInfo.InvariantCulture);
}

public static class ImportLimitsSetup
{
    public static IServiceCollection AddImportLimits(this IServiceCollection services, IConfiguration config)
    {
        services.Configure<ImportLimits>(config.GetSection("Bihuan:Imports"));
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<ImportLimits>>().Value);
        return services;
    }

    /// Pages marked [UploadPage] get the same bound as the import endpoints (their limit is configured, so it
    /// cannot be an attribute argument; component endpoints are built without the app's services, hence `limits`).
    public static RazorComponentsEndpointConventionBuilder WithUploadLimits(this RazorComponentsEndpointConventionBuilder pages,
        ImportLimits limits)
    {
        pages.Add(e =>
        {
            if (e.Metadata.OfType<UploadPageAttribute>().Any()) AddUploadLimit(e.Metadata, limits);
        });
        return pages;
    }

    /// The import endpoints' bound on the request body (Kestrel refuses more with 413 before it is read) and on the
    /// multipart form (the form reader stops there on any server, the test host included).
    public static TBuilder WithUploadLimit<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder
    {
        builder.Add(e => AddUploadLimit(e.Metadata, e.ApplicationServices.GetRequiredService<ImportLimits>()));
        return builder;
    }

    static void AddUploadLimit(IList<object> metadata, ImportLimits limits)
    {
        metadata.Add(new RequestSizeLimitAttribute(limits.MaxRequestBytes));
        metadata.Add(new RequestFormLimitsAttribute { MultipartBodyLengthLimit = limits.MaxRequestBytes });
    }
}

/// A page whose form uploads a sheet to import: its request body is bounded like the import endpoints'.
[AttributeUsage(AttributeTargets.Class)]
public sealed class UploadPageAttribute : Attribute;
