using System.Text.Json;
using Bihuan.Domain;
using Microsoft.EntityFrameworkCore;

namespace Bihuan.Data;

/// Brings a database made before ADR 0008 — records citing files by hash (RectUpdates.Evidence, Meetings.Attachments,
/// SupervisionOrders.Evidence, WorkOrders.Images) and one shared Attachments row per hash — into uploads and
/// citations. The generated migration drops those columns and that table, so their citations are first copied into a
/// scratch table (StageAsync, before migrating), then turned into one upload per citation — for the citing record's
/// org, owned by the original uploader's account when it still exists — through the audited path (MoveAsync, after
/// migrating, in one transaction). Both do nothing on a database that never had the old shape.
static class LegacyFiles
{
    const string Scratch = "LegacyFileCitations";
    const string DropScratch = $"""DROP TABLE IF EXISTS "{Scratch}" """;
    const string SelectScratch = $"""
        SELECT "Kind", CAST("RecordId" AS INTEGER) AS "RecordId", CAST("Pos" AS BIGINT) AS "Pos", "Sha256", "FileName",
               "ContentType", "Size", "UploadedBy", "UploadedAt" FROM "{Scratch}"
        """;
    internal const string Note = "佐证材料改为上传记录引用（数据迁移，ADR 0008）";

    public static async Task StageAsync(BihuanDb db, CancellationToken ct)
    {
        if (!await TableExistsAsync(db, "Attachments", ct)) return;
        // The old shape is still there, so the migration has not run: (re)copy the citations as they are now.
        await db.Database.ExecuteSqlRawAsync(DropScratch, ct);
        string Each(string alias, string column) => db.Engine == DatabaseEngine.Sqlite
            ? $"""FROM "{column.Split('.')[0]}" {alias}, json_each({alias}."{column.Split('.')[1]}") j"""
            : $"""FROM "{column.Split('.')[0]}" {alias}, unnest({alias}."{column.Split('.')[1]}") WITH ORDINALITY AS j(value, key)""";
        // Only constant identifiers are spliced into this SQL (no user value).
        var create = $"""
            CREATE TABLE "{Scratch}" AS
            SELECT c."Kind", c."RecordId", c."Pos", c."Sha256", a."FileName", a."ContentType", a."Size", a."UploadedBy", a."UploadedAt"
            FROM (
                SELECT 'RectUpdate' AS "Kind", r."Id" AS "RecordId", j.key AS "Pos", j.value AS "Sha256" {Each("r", "RectUpdates.Evidence")}
                UNION ALL SELECT 'Meeting', m."Id", j.key, j.value {Each("m", "Meetings.Attachments")}
                UNION ALL SELECT 'SupervisionOrder', o."Id", j.key, j.value {Each("o", "SupervisionOrders.Evidence")}
                UNION ALL SELECT 'WorkOrder', w."Id", j.key, j.value {Each("w", "WorkOrders.Images")}
            ) c LEFT JOIN "Attachments" a ON a."Sha256" = c."Sha256"
            """;
        await db.Database.ExecuteSqlRawAsync(create, ct);
    }

    sealed class Row
    {
        public string Kind { get; set; } = "";
        public int RecordId { get; set; }
        public long Pos { get; set; }
        public string Sha256 { get; set; } = "";
        public string? FileName { get; set; }
        public string? ContentType { get; set; }
        public long? Size { get; set; }
        public string? UploadedBy { get; set; }
        public DateTime? UploadedAt { get; set; }
    }

    /// Returns the number of citations moved.
    public static async Task<int> MoveAsync(BihuanDb db, CancellationToken ct)
    {
        if (!await TableExistsAsync(db, Scratch, ct)) return 0;
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var rows = await db.Database.SqlQueryRaw<Row>(SelectScratch).ToListAsync(ct);
        var accounts = await db.Users.Where(u => u.UserName != null).ToDictionaryAsync(u => u.UserName!, u => u.Id, ct);
        var updates = await Orgs(db.LegacyFileOwners<RectUpdate>().Select(x => new { x.Id, x.OrgId, x.At }), ct,
            x => x.Id, x => (x.OrgId, x.At));
        var meetings = await Orgs(db.LegacyFileOwners<Meeting>().Select(x => new { x.Id, x.OrgId, x.CreatedAt }), ct,
            x => x.Id, x => (x.OrgId, x.CreatedAt));
        var orders = await Orgs(db.LegacyFileOwners<WorkOrder>().Select(x => new { x.Id, x.OrgId, x.DispatchOrgId, x.CreatedAt }), ct,
            x => x.Id, x => (x.OrgId, x.DispatchOrgId, x.CreatedAt));
        // A 督办单's evidence belonged to its latest response; it is cited by that response now.
        var responses = (await db.LegacyFileOwners<SupervisionEvent>().Where(e => e.Action == SupervisionAction.Respond)
                .Select(e => new { e.Id, e.OrderId, e.OrgId, e.At }).ToListAsync(ct))
            .GroupBy(e => e.OrderId).ToDictionary(g => g.Key, g => g.MaxBy(e => e.Id)!);
        var moved = 0;
        foreach (var r in rows.OrderBy(r => r.Kind, StringComparer.Ordinal).ThenBy(r => r.RecordId).ThenBy(r => r.Pos))
        {
            var citation = new FileCitation();
            int uploadOrg;
            DateTime at;
            switch (r.Kind)
            {
                case "RectUpdate" when updates.TryGetValue(r.RecordId, out var u):
                    (citation.RectUpdateId, citation.OrgId, uploadOrg, at) = (r.RecordId, u.OrgId, u.OrgId, u.At);
                    break;
                case "Meeting" when meetings.TryGetValue(r.RecordId, out var m):
                    (citation.MeetingId, citation.OrgId, uploadOrg, at) = (r.RecordId, m.OrgId, m.OrgId, m.CreatedAt);
                    break;
                case "SupervisionOrder" when responses.TryGetValue(r.RecordId, out var e):
                    (citation.SupervisionEventId, citation.OrgId, uploadOrg, at) = (e.Id, e.OrgId, e.OrgId, e.At);
                    break;
                case "WorkOrder" when orders.TryGetValue(r.RecordId, out var w):   // the portal's photo, for the desk
                    (citation.WorkOrderId, citation.OrgId, uploadOrg, at) = (r.RecordId, w.OrgId, w.DispatchOrgId, w.CreatedAt);
                    break;
                default: continue;   // its record is gone (or a 督办单 never answered): nothing cites the file any more
            }
            var upload = new Upload
            {
                Id = Guid.NewGuid(), Sha256 = r.Sha256, FileName = r.FileName ?? r.Sha256[..Math.Min(8, r.Sha256.Length)],
                ContentType = r.ContentType ?? "application/octet-stream", Size = r.Size ?? 0, OrgId = uploadOrg,
                UploadedById = r.UploadedBy is { } by && accounts.TryGetValue(by, out var id) ? id : null,
                UploadedAt = DateTime.SpecifyKind(r.UploadedAt ?? at, DateTimeKind.Utc),
            };
            db.Uploads.Add(upload);
            citation.UploadId = upload.Id;
            db.FileCitations.Add(citation);
            if (++moved % 500 == 0) await db.SaveChangesAsync(ct);
        }
        await db.SaveChangesAsync(ct);
        // The records lost a column; their audit trail says so, so that `audit verify` still matches every row — where
        // the column's last audited value is exactly what was moved (a value changed behind the app's back stays
        // reported by verify).
        var staged = rows.GroupBy(r => (r.Kind, r.RecordId))
            .ToDictionary(g => g.Key, g => g.OrderBy(r => r.Pos).Select(r => r.Sha256).ToList());
        foreach (var (type, kind, column) in new[]
                 {
                     (typeof(RectUpdate), "RectUpdate", "Evidence"), (typeof(Meeting), "Meeting", "Attachments"),
                     (typeof(SupervisionOrder), "SupervisionOrder", "Evidence"), (typeof(WorkOrder), "WorkOrder", "Images"),
                 })
            await AuditTrail.RecordDroppedColumnsAsync(db, db.Model.FindEntityType(type)!, Note, (key, recorded) =>
                int.TryParse(key, out var id) && recorded[column]?.GetValue<string>() is { } list
                && (JsonSerializer.Deserialize<List<string>>(list) ?? []).SequenceEqual(staged.GetValueOrDefault((kind, id)) ?? []), ct);
        await db.Database.ExecuteSqlRawAsync(DropScratch, ct);
        await tx.CommitAsync(ct);
        return moved;
    }

    static async Task<Dictionary<int, TValue>> Orgs<T, TValue>(IQueryable<T> q, CancellationToken ct, Func<T, int> key,
        Func<T, TValue> value) => (await q.ToListAsync(ct)).ToDictionary(key, value);

    static async Task<bool> TableExistsAsync(BihuanDb db, string table, CancellationToken ct) =>
        await db.Database.SqlQueryRaw<int>(db.Engine == DatabaseEngine.Sqlite
            ? """SELECT count(*) AS "Value" FROM sqlite_master WHERE type = 'table' AND name = {0}"""
            : """SELECT CAST(count(*) AS integer) AS "Value" FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = {0}""",
            table).SingleAsync(ct) > 0;
}
