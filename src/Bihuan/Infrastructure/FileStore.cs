using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using Bihuan.Domain;

namespace Bihuan.Infrastructure;

public sealed record UnsupportedFile(string Why) : Error("file_rejected", Why, ErrorKind.Invalid, "file");

/// The blob store: file contents kept once under their SHA-256 (data/files/ab/abcdef…). It knows bytes, not people —
/// who uploaded what and which record may show it live in the database (Upload, FileCitation; ADR 0008). The type is
/// decided by the bytes, never by the name: only PDF, images and Office documents are accepted, so nothing a
/// browser would run (HTML, SVG, scripts) is stored, and every download is served by FileDownload.
public sealed class FileStore(string root)
{
    public const long MaxBytes = 20 * 1024 * 1024;

    public string Root => root;

    public static FileStore For(IConfiguration config, IWebHostEnvironment env) =>
        new(config["Bihuan:Files:Root"] is { Length: > 0 } r ? r : Path.Combine(env.ContentRootPath, "data", "files"));

    public string PathOf(string sha) => Path.Combine(root, sha[..2], sha);

    /// Reads at most `max` bytes of an upload (refusing more without reading it all), checks its type by content.
    public static async Task<(byte[] Bytes, string Type)> ReadAsync(Stream input, long length, CancellationToken ct,
        long max = MaxBytes)
    {
        if (length <= 0) throw new DomainException(new UnsupportedFile("文件是空的"));
        if (length > max) throw new DomainException(new UnsupportedFile($"文件超过 {max / 1024 / 1024} MB"));
        using var buffer = new MemoryStream((int)length);
        var chunk = new byte[81920];
        int n;
        while ((n = await input.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + n > max) throw new DomainException(new UnsupportedFile($"文件超过 {max / 1024 / 1024} MB"));
            buffer.Write(chunk, 0, n);
        }
        var bytes = buffer.ToArray();
        if (bytes.Length == 0) throw new DomainException(new UnsupportedFile("文件是空的"));
        var type = Sniff(bytes) ?? throw new DomainException(new UnsupportedFile(
            "不支持的文件类型：只接受 PDF、图片（JPG、PNG、GIF、WEBP）和 Office 文档（Word、Excel、PowerPoint）"));
        return (bytes, type);
    }

    /// Writes the blob and returns its SHA-256. The bytes are written whether or not the blob is already there (the
    /// rename replaces it with identical content), so neither the answer nor its timing tells whether someone else
    /// uploaded the same file before. Written to a temporary name and fsynced, then renamed into place, all before the
    /// caller commits the row citing them — a committed row never points at a file a crash left half-written or a
    /// power loss left empty (docs/deployment.md, "What a commit keeps").
    public async Task<string> PutAsync(byte[] bytes, CancellationToken ct)
    {
        var sha = Convert.ToHexStringLower(SHA256.HashData(bytes));
        var path = PathOf(sha);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var tmp = path + "." + Guid.NewGuid().ToString("N") + ".tmp";
        await using (var f = new FileStream(tmp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 4096, useAsync: true))
        {
            await f.WriteAsync(bytes, ct);
            f.Flush(flushToDisk: true);
        }
        try { File.Move(tmp, path, overwrite: true); }
        catch (IOException) when (File.Exists(path)) { File.Delete(tmp); }   // held open elsewhere (Windows): same bytes
        return sha;
    }

    /// The content type proven by the file's own bytes, or null when it is not an accepted kind.
    public static string? Sniff(byte[] b)
    {
        bool At(int offset, params byte[] sig) => b.Length >= offset + sig.Length && b.AsSpan(offset, sig.Length).SequenceEqual(sig);
        if (At(0, "%PDF-"u8.ToArray())) return Pdf;
        if (At(0, 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A)) return "image/png";
        if (At(0, 0xFF, 0xD8, 0xFF)) return "image/jpeg";
        if (At(0, "GIF87a"u8.ToArray()) || At(0, "GIF89a"u8.ToArray())) return "image/gif";
        if (At(0, "RIFF"u8.ToArray()) && At(8, "WEBP"u8.ToArray())) return "image/webp";
        if (At(0, 0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1)) return OleKind(b);   // .doc/.xls/.ppt
        if (At(0, 0x50, 0x4B, 0x03, 0x04))
        {
            try
            {
                using var zip = new ZipArchive(new MemoryStream(b), ZipArchiveMode.Read);
                if (zip.GetEntry("[Content_Types].xml") is null) return null;
                if (zip.Entries.Any(e => e.FullName.StartsWith("word/", StringComparison.Ordinal)))
                    return "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
                if (zip.Entries.Any(e => e.FullName.StartsWith("xl/", StringComparison.Ordinal)))
                    return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
                if (zip.Entries.Any(e => e.FullName.StartsWith("ppt/", StringComparison.Ordinal)))
                    return "application/vnd.openxmlformats-officedocument.presentationml.presentation";
            }
            catch (InvalidDataException) { }
        }
        return null;
    }

    const string Pdf = "application/pdf";
    const string Ole = "application/x-ole-storage";

    /// An OLE compound file names its main stream in its directory (UTF-16): that tells Word, Excel and PowerPoint
    /// apart. Another compound file stays a generic one (served as .bin).
    static string OleKind(byte[] b)
    {
        static bool Has(byte[] b, string stream) => b.AsSpan().IndexOf(Encoding.Unicode.GetBytes(stream)) >= 0;
        if (Has(b, "WordDocument")) return "application/msword";
        if (Has(b, "Workbook") || Has(b, "Book\0")) return "application/vnd.ms-excel";
        if (Has(b, "PowerPoint Document")) return "application/vnd.ms-powerpoint";
        return Ole;
    }

    /// The extension a file of this (sniffed) type is served with, whatever name it was uploaded under.
    public static string ExtensionOf(string contentType) => contentType switch
    {
        Pdf => ".pdf",
        "image/png" => ".png",
        "image/jpeg" => ".jpg",
        "image/gif" => ".gif",
        "image/webp" => ".webp",
        "application/msword" => ".doc",
        "application/vnd.ms-excel" => ".xls",
        "application/vnd.ms-powerpoint" => ".ppt",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document" => ".docx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" => ".xlsx",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation" => ".pptx",
        _ => ".bin",
    };

    /// The raster images a browser may show inline (SVG is never accepted, so none of these can run script).
    public static bool IsImage(string contentType) => contentType is "image/png" or "image/jpeg" or "image/gif" or "image/webp";

    /// The name a file is served under: the uploader's name without its extension (control and path characters
    /// dropped), then the extension of its sniffed type.
    public static string ServedName(string fileName, string contentType)
    {
        var name = Path.GetFileName(fileName.Replace('\\', '/'));
        var stem = new string(Path.GetFileNameWithoutExtension(name)
            .Where(c => !char.IsControl(c) && c is not ('"' or '/' or '\\' or ':' or '*' or '?' or '<' or '>' or '|')).ToArray()).Trim();
        if (stem.Length > 100) stem = stem[..100];
        return (stem.Length == 0 ? "file" : stem) + ExtensionOf(contentType);
    }

    /// An uploader's file name as stored: the last path segment, trimmed, bounded.
    public static string CleanName(string? fileName)
    {
        var name = Path.GetFileName((fileName ?? "").Replace('\\', '/')).Trim();
        name = new string(name.Where(c => !char.IsControl(c)).ToArray());
        return name.Length == 0 ? "file" : name[..Math.Min(name.Length, Upload.FileNameMax)];
    }
}

/// Every stored file goes out through here: raster images inline, everything else as an attachment named with the
/// extension of its sniffed type; never sniffed by the browser (nosniff), never scripted (CSP sandbox), not cached
/// by shared caches.
public sealed class FileDownload(string path, Upload upload) : IResult
{
    public async Task ExecuteAsync(HttpContext ctx)
    {
        var h = ctx.Response.Headers;
        h.ContentSecurityPolicy = "default-src 'none'; sandbox";
        h.XContentTypeOptions = "nosniff";
        h.CacheControl = "private, no-store";
        h["Cross-Origin-Resource-Policy"] = "same-origin";
        var name = FileStore.ServedName(upload.FileName, upload.ContentType);
        var ascii = name.All(c => c is >= ' ' and < (char)127 && c is not ('"' or ';' or '%'))
            ? name : "file" + FileStore.ExtensionOf(upload.ContentType);
        h.ContentDisposition = $"{(FileStore.IsImage(upload.ContentType) ? "inline" : "attachment")}; filename=\"{ascii}\"; "
            + $"filename*=UTF-8''{Uri.EscapeDataString(name)}";
        await Results.File(path, upload.ContentType).ExecuteAsync(ctx);
    }
}
