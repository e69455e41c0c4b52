namespace Bihuan.Domain;

/// One upload: who put a file in, when, under which name, for which org. The bytes are a blob in the file store,
/// addressed by their SHA-256 and kept once however often they are uploaded — that de-duplication is storage only:
/// two uploads of the same bytes are two rows that know nothing of each other, and a hash opens nothing.
/// A file is readable only through a record that cites the upload (FileCitation) and that the caller can see; the
/// uploader may read it until it is attached (BihuanDb's query filters say both).
public sealed class Upload : IAudited, IOrgOwned
{
    public Guid Id { get; set; }                     // random: an id tells nothing about other uploads
    public required string Sha256 { get; set; }      // the blob
    public required string FileName { get; set; }    // as the uploader named it (the served name takes its extension from ContentType)
    public required string ContentType { get; set; } // sniffed from the bytes, never taken from the name
    public long Size { get; set; }
    public string? UploadedById { get; set; }        // account id; null for the public portal
    public DateTime UploadedAt { get; set; }
    public int OrgId { get; set; }                   // the org it was uploaded for, in the uploader's scope at the time

    public const int FileNameMax = 200;
}

/// A record's citation of an upload: exactly one of the record ids is set. A citation is visible exactly when its
/// record is (BihuanDb), so whoever reads a record reads its files and nobody else does. To add a kind of record that
/// cites files, add its id here, one line to the citation filter, and its column to the check constraint.
public sealed class FileCitation : IAudited, IOrgOwned
{
    public int Id { get; set; }
    public Guid UploadId { get; set; }
    public Upload? Upload { get; set; }
    public int? RectUpdateId { get; set; }         // progress, closure request … on a rectification item's timeline
    public RectUpdate? RectUpdate { get; set; }
    public int? MeetingId { get; set; }            // meeting attachments
    public Meeting? Meeting { get; set; }
    public int? SupervisionEventId { get; set; }   // a 督办单 response
    public SupervisionEvent? SupervisionEvent { get; set; }
    public int? WorkOrderId { get; set; }          // a public demand's photos
    public WorkOrder? WorkOrder { get; set; }
    /// The citing record's org when it cited the file: where the audit trail files the entry. Visibility follows
    /// the record itself (a work order moves between orgs), never this column.
    public int OrgId { get; set; }
}

/// A cited file the caller may not attach: no such upload, or neither their own (uploaded in their scope) nor cited
/// by a record they can see. One message for every case, so the answer tells nothing about other people's files.
public sealed record FileNotAttachable(string Field)
    : Error("file_not_attachable", "文件不存在，或既不是您上传的、也不在您能查看的记录中，请重新上传", ErrorKind.Invalid, Field);
