using System.IO.Compression;
using System.Security.Cryptography;
using Bihuan.Data;
using Bihuan.Domain;
using Microsoft.EntityFrameworkCore;

namespace Bihuan.Infrastructure;

public sealed record UnsupportedFile(string Why) : Error("file_rejected", Why, ErrorKind.Invalid, "file");

/// Evidence files (佐证材料), stored once per content under their SHA-256 (data/files/ab/abcdef…). The type is
/// decided by the bytes, never by the name: only PDF, images and Office documents are accepted, so nothing a
/// browser would run (HTML, SVG, scripts) can be stored, and downloads carry nosniff.
public sealed class FileStore(string root)
{
    public const long MaxBytes = 20 * 1024 * 1024;

    /// The files root (evidence under ab/abcdef…; the ticket journal under tickets/).
    public string Root => root;

    public static FileStore For(IConfiguration config, IWebHostEnvironment env) =>
        new(config["Bihuan:Files:Root"] is { Length: > 0 } r ? r : Path.Combine(env.ContentRootPath, "data", "files"));

    public string PathOf(string sha) => Path.Combine(root, sha[..2], sha);

    public async Task<Attachment> SaveAsync(BihuanDb db, Stream input, string fileName, long length, string uploader,
        TimeProvider clock, CancellationToken ct)
    {
        if (length <= 0) throw new DomainException(new UnsupportedFile("文件是空的"));
        if (length > MaxBytes) throw new DomainException(new UnsupportedFile($"文件超过 {MaxBytes / 1024 / 1024} MB"));
        using var buffer = new MemoryStream();
        await input.CopyToAsync(buffer, ct);
        var bytes = buffer.ToArray();
        var type = Sniff(bytes) ?? throw new DomainException(new UnsupportedFile(
            "不支持的文件类型：只接受 PDF、图片（JPG、PNG、GIF、WEBP）和 Office 文档（Word、Excel、PowerPoint）"));
        var sha = Convert.ToHexStringLower(SHA256.HashData(bytes));
        var existing = await db.Attachments.FirstOrDefaultAsync(a => a.Sha256 == sha, ct);
        if (existing is not null) return existing;
        await WriteOnceAsync(sha, bytes, ct);
        var name = Path.GetFileName(fileName.Replace('\\', '/'));
        var attachment = new Attachment
        {
            Sha256 = sha, FileName = string.IsNullOrWhiteSpace(name) ? "file" : name[..Math.Min(name.Length, 200)],
            ContentType = type, Size = bytes.Length, UploadedBy = uploader, UploadedAt = ChinaTime.Now(clock),
        };
        db.Attachments.Add(attachment);
        await db.SaveChangesAsync(ct);
        return attachment;
    }

    /// Puts the bytes at their content address unless they are there: written to a temporary name and fsynced, then
    /// renamed into place, all before the caller commits the row citing them — a committed row never points at a file
    /// a crash left half-written or a power loss left empty (docs/deployment.md, "What a commit keeps").
    async Task WriteOnceAsync(string sha, byte[] bytes, CancellationToken ct)
    {
        var path = PathOf(sha);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        if (File.Exists(path)) return;
        var tmp = path + "." + Guid.NewGuid().ToString("N") + ".tmp";
        await using (var f = new FileStream(tmp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 4096, useAsync: true))
        {
            await f.WriteAsync(bytes, ct);
            f.Flush(flushToDisk: true);
        }
        File.Move(tmp, path, overwrite: true);
    }

    /// Stores the bytes and returns their Attachment, added to the context but not saved: the caller saves it together
    /// with the record that cites it (one SaveChanges, so one transaction). The type must already be known.
    public async Task<Attachment> PrepareAsync(BihuanDb db, byte[] bytes, string fileName, string uploader, TimeProvider clock,
        CancellationToken ct)
    {
        var type = Sniff(bytes) ?? throw new DomainException(new UnsupportedFile("不支持的文件类型"));
        var sha = Convert.ToHexStringLower(SHA256.HashData(bytes));
        var existing = db.Attachments.Local.FirstOrDefault(a => a.Sha256 == sha)
            ?? await db.Attachments.FirstOrDefaultAsync(a => a.Sha256 == sha, ct);
        if (existing is not null) return existing;
        await WriteOnceAsync(sha, bytes, ct);
        var name = Path.GetFileName(fileName.Replace('\\', '/'));
        var attachment = new Attachment
        {
            Sha256 = sha, FileName = string.IsNullOrWhiteSpace(name) ? "file" : name[..Math.Min(name.Length, 200)],
            ContentType = type, Size = bytes.Length, UploadedBy = uploader, UploadedAt = ChinaTime.Now(clock),
        };
        db.Attachments.Add(attachment);
        return attachment;
    }

    /// The content type proven by the file's own bytes, or null when it is not an accepted kind.
    public static string? Sniff(byte[] b)
    {
        bool At(int offset, params byte[] sig) => b.Length >= offset + sig.Length && b.AsSpan(offset, sig.Length).SequenceEqual(sig);
        if (At(0, "%PDF-"u8.ToArray())) return "application/pdf";
        if (At(0, 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A)) return "image/png";
        if (At(0, 0xFF, 0xD8, 0xFF)) return "image/jpeg";
        if (At(0, "GIF87a"u8.ToArray()) || At(0, "GIF89a"u8.ToArray())) return "image/gif";
        if (At(0, "RIFF"u8.ToArray()) && At(8, "WEBP"u8.ToArray())) return "image/webp";
        if (At(0, 0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1)) return "application/x-ole-storage"; // .doc/.xls/.ppt
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

    public static bool IsImage(string contentType) => contentType.StartsWith("image/", StringComparison.Ordinal);
}
