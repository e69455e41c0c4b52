using System.Linq.Expressions;
using Bihuan.Data;
using Bihuan.Domain;
using Bihuan.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Bihuan.Features.Files;

/// A file as a record shows it: the served name (extension from the sniffed type), its type, size, content hash
/// (for checking a copy) and the one URL it is read from.
public sealed record FileRef(Guid Id, string Name, string ContentType, long Size, string Sha256, string Url);

/// Uploads and citations (ADR 0008): storing an upload of one's own, checking what a caller may cite, citing, and
/// listing a record's files. Who may read a file is not decided here but by BihuanDb's query filters.
public static class Uploads
{
    public const int MaxPerRecord = 20;

    public static string UrlOf(Guid id) => $"/api/v1/files/{id}";

    public static FileRef RefOf(Upload u) =>
        new(u.Id, FileStore.ServedName(u.FileName, u.ContentType), u.ContentType, u.Size, u.Sha256, UrlOf(u.Id));

    /// A staff upload: always a new Upload of the caller's own — identical bytes uploaded before by anyone change
    /// nothing in the answer. OrgId: the org it is for (in the caller's scope); default the caller's first grant.
    /// Added to the context, not saved: the caller saves it (alone, or with the record citing it).
    public static async Task<Upload> AddAsync(BihuanDb db, FileStore files, TimeProvider clock, Stream input,
        string? fileName, long length, int? orgId, CancellationToken ct)
    {
        var me = db.Access.AccountId ?? throw new DomainException(new Forbidden("请先登录"));
        int org;
        if (orgId is { } id)
        {
            if (!await db.Orgs.AnyAsync(o => o.Id == id, ct)) throw new DomainException(new RecordNotFound("组织"));
            org = id;
        }
        else
        {
            org = db.Access.Grants.OrderBy(g => g.Role.Acts().Any() ? 0 : 1).ThenBy(g => g.OrgId)
                .Select(g => g.OrgId).FirstOrDefault();
            if (org == 0) throw new DomainException(new Forbidden("您没有任何单位的权限，不能上传文件"));
        }
        var (bytes, type) = await FileStore.ReadAsync(input, length, ct);
        return await AddAsync(db, files, clock, bytes, type, fileName, me, org, ct);
    }

    /// An upload through the public portal (no account): the org is the desk that receives the demand.
    public static Task<Upload> AddPublicAsync(BihuanDb db, FileStore files, TimeProvider clock, byte[] bytes,
        string? fileName, int orgId, CancellationToken ct) =>
        AddAsync(db, files, clock, bytes, FileStore.Sniff(bytes) ?? throw new DomainException(new UnsupportedFile("不支持的文件类型")),
            fileName, null, orgId, ct);

    static async Task<Upload> AddAsync(BihuanDb db, FileStore files, TimeProvider clock, byte[] bytes, string type,
        string? fileName, string? by, int orgId, CancellationToken ct)
    {
        var upload = new Upload
        {
            Id = Guid.NewGuid(), Sha256 = await files.PutAsync(bytes, ct), FileName = FileStore.CleanName(fileName),
            ContentType = type, Size = bytes.Length, UploadedById = by, UploadedAt = ChinaTime.Now(clock), OrgId = orgId,
        };
        db.Uploads.Add(upload);
        return upload;
    }

    /// The files of a posted page form (every non-empty file input), stored as the caller's own uploads for `orgId`
    /// and saved in the caller's transaction. Their ids, to cite.
    public static async Task<List<Guid>> AddFormFilesAsync(BihuanDb db, FileStore files, TimeProvider clock,
        IFormFileCollection form, int orgId, CancellationToken ct)
    {
        var ids = new List<Guid>();
        foreach (var f in form.Where(f => f.Length > 0))
        {
            await using var s = f.OpenReadStream();
            ids.Add((await AddAsync(db, files, clock, s, f.FileName, f.Length, orgId, ct)).Id);
        }
        if (ids.Count > 0) await db.SaveChangesAsync(ct);
        return ids;
    }

    /// The uploads the caller cites, in the order given (duplicates dropped), when every one is citable by them: their
    /// own upload for an org in their scope, or an upload that a record they can see already cites (forwarding within
    /// scope). Anything else — a hash, someone else's upload id, an id that does not exist — is refused as one case.
    public static async Task<List<Upload>> CitableAsync(BihuanDb db, IReadOnlyList<Guid>? ids, string field, CancellationToken ct)
    {
        var list = (ids ?? []).Distinct().ToList();
        if (list.Count == 0) return [];
        if (list.Count > MaxPerRecord) throw new DomainException(new Invalid(field, $"一次最多附 {MaxPerRecord} 个文件"));
        // Two queries, because a scope exit switches every filter of its query off: the caller's own uploads
        // (whatever their state) for orgs the caller still sees, and uploads cited by records the caller sees.
        var own = await db.OwnUploadsAsync(list, ct);
        var ownIds = own.Select(u => u.Id).ToList();
        var cited = await db.Uploads.Where(u => list.Contains(u.Id) && !ownIds.Contains(u.Id)
            && db.FileCitations.Any(c => c.UploadId == u.Id)).ToListAsync(ct);
        var found = own.Concat(cited).ToDictionary(u => u.Id);
        if (found.Count != list.Count) throw new DomainException(new FileNotAttachable(field));
        return list.ConvertAll(id => found[id]);
    }

    /// Cites each upload from one record (`set` names it, e.g. c => c.RectUpdate = update); saved with the record.
    public static void Cite(BihuanDb db, IEnumerable<Upload> uploads, int orgId, Action<FileCitation> set)
    {
        foreach (var u in uploads)
        {
            var c = new FileCitation { UploadId = u.Id, OrgId = orgId };
            set(c);
            db.FileCitations.Add(c);
        }
    }

    /// The files of the records the citations select (visible ones only: the citation filter applies), per record
    /// id, in the order they were cited.
    public static async Task<Dictionary<int, List<FileRef>>> OfAsync(BihuanDb db, Expression<Func<FileCitation, bool>> which,
        Func<FileCitation, int?> record, CancellationToken ct)
    {
        // Both sets filtered (IgnoreQueryFilters on either would switch the citation filter off too).
        var rows = await db.FileCitations.Where(which)
            .Join(db.Uploads, c => c.UploadId, u => u.Id, (c, u) => new { c, u })
            .OrderBy(x => x.c.Id).AsNoTracking().ToListAsync(ct);
        return rows.GroupBy(x => record(x.c) ?? 0).ToDictionary(g => g.Key, g => g.Select(x => RefOf(x.u)).ToList());
    }
}
