using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using Bihuan.Data;
using Bihuan.Data.Dataset;
using Bihuan.Domain;
using FsCheck;
using FsCheck.Xunit;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;

namespace Bihuan.Tests;

/// The audit snapshot is written by SnapshotWriter (UTF-8 straight into a buffer, for generated batches of millions
/// of rows). It must stay byte for byte what the trail stored before — a SortedDictionary serialized with
/// JsonSerializer — or every existing entry would stop matching its record.
public sealed class AuditSnapshotTests
{
    static readonly BihuanDb Db = new SqliteBihuanDb(
        new DbContextOptionsBuilder<SqliteBihuanDb>().UseSqlite("Data Source=:memory:").Options, ScopeHolder.ForSystem("tests"));

    static readonly JsonSerializerOptions Json = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// The format as first written (AuditTrail before SnapshotWriter).
    static string Reference(IEntityType type, object entity)
    {
        var map = new SortedDictionary<string, string?>(StringComparer.Ordinal);
        foreach (var p in type.GetProperties()) map[p.Name] = Format(p.GetGetter().GetClrValue(entity));
        return JsonSerializer.Serialize(map, Json);
    }

    static string? Format(object? v) => v switch
    {
        null => null,
        DateTime d => DateTime.SpecifyKind(d, d.Kind == DateTimeKind.Unspecified ? DateTimeKind.Utc : d.Kind)
            .ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ss.ffffffZ", CultureInfo.InvariantCulture),
        DateOnly d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        bool b => b ? "true" : "false",
        Enum e => e.ToString(),
        string s => s,
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        System.Collections.IEnumerable list => JsonSerializer.Serialize(list.Cast<object?>().Select(Format), Json),
        _ => v.ToString(),
    };

    static WorkOrder Order(string text) => new()
    {
        Id = 12345, Ticket = "GZ20261127000001", CodeHash = "ab" + text, Content = text, Location = null, Lat = 23.1291, Long = -113.264385,
        Channel = DemandChannel.Open311, Type = DemandType.Complaint, Status = OrderStatus.Replied,
        RequestedOrgId = null, OrgId = 7, DispatchedOn = new DateOnly(2026, 1, 2), Rating = Rating.Dissatisfied, Anonymous = true,
        CreatedAt = new DateTime(2026, 11, 27, 8, 30, 15, DateTimeKind.Utc).AddTicks(1234567),
        UpdatedAt = new DateTime(2026, 11, 27, 16, 30, 15, DateTimeKind.Unspecified),
        ClosedAt = new DateTime(2026, 11, 27, 16, 30, 15, DateTimeKind.Local),
    };

    public static TheoryData<string> Texts() => [.. Samples];

    static readonly string[] Samples =
        ["", "普通文本", "quote \" backslash \\ slash / <script>&amp;'", "tab\tnew\nline\r\u0001\u001f\u007f\u0085", "emoji 😀 𠀀",
         "lone \ud800 surrogate", "\u2028\u2029\u00a0\ufeff", "+-*/=?^`{|}~"];

    [Theory]
    [MemberData(nameof(Texts))]
    public void Snapshot_IsTheReferenceFormat(string text)
    {
        var orders = Db.Model.FindEntityType(typeof(WorkOrder))!;
        var order = Order(text);
        Assert.Equal(Reference(orders, order), AuditTrail.Snapshot(orders, order));
        Assert.Equal(Reference(orders, order), AuditTrail.Snapshot(Db.Entry(order).CurrentValues));
        Db.ChangeTracker.Clear();

        var meetings = Db.Model.FindEntityType(typeof(Meeting))!;
        var meeting = new Meeting { Id = 3, OrgId = 4, Title = text, TypeIds = [1, 22], RecordedBy = "x", HeldOn = DateOnly.MaxValue };
        Assert.Equal(Reference(meetings, meeting), AuditTrail.Snapshot(meetings, meeting));

        // a list of strings (the record's text inside a JSON list)
        var campaigns = Db.Model.FindEntityType(typeof(Campaign))!;
        var campaign = new Campaign { Id = 5, Name = text, GeneralRequirement = "x", KeyTasks = [text, "b\"c"] };
        Assert.Equal(Reference(campaigns, campaign), AuditTrail.Snapshot(campaigns, campaign));
    }

    [Property(MaxTest = 300)]
    public void Snapshot_IsTheReferenceFormat_ForAnyText(NonNull<string> text, int id, double lat, bool anonymous)
    {
        var orders = Db.Model.FindEntityType(typeof(WorkOrder))!;
        var order = Order(text.Get);
        order.Id = id;
        order.Lat = lat;
        order.Anonymous = anonymous;
        Assert.Equal(Reference(orders, order), AuditTrail.Snapshot(orders, order));
    }

    /// A generated batch's digest (hashed from the writer's bytes) is what the verifier sums from snapshot strings.
    [Fact]
    public void GeneratedDigest_IsTheVerifiersDigest()
    {
        var orders = Db.Model.FindEntityType(typeof(WorkOrder))!;
        var rows = Samples.Select((t, i) => { var o = Order(t); o.Id = 100 + i; return o; }).ToList();
        GeneratedAudit.Record(Db, rows, "test");
        var entry = Db.PendingEvents.Single();
        Db.PendingEvents.Clear();
        var digest = new GeneratedAudit.Digest();
        foreach (var o in rows) digest.Add(o.Id.ToString(CultureInfo.InvariantCulture), Reference(orders, o));
        Assert.Equal(digest.Hex(), entry.After);
        Assert.Equal("100..107", entry.EntityId);
    }

    [Property(MaxTest = 500)]
    public void DateText_IsTheFormattedText(long seed, bool wholeSecond)
    {
        var ticks = (long)((ulong)seed % (ulong)DateTime.MaxValue.Ticks);
        if (wholeSecond) ticks -= ticks % TimeSpan.TicksPerSecond;
        foreach (var d in new[] { new DateTime(ticks, DateTimeKind.Utc), new DateTime(ticks % (TimeSpan.TicksPerDay * 400)), new DateTime(ticks - ticks % 10) })
        {
            var c = new char[64];
            Assert.Equal(d.ToString(@"yyyy\-MM\-dd HH\:mm\:ss.FFFFFFF", CultureInfo.InvariantCulture), new string(c, 0, DateText.Sqlite(d, c)));
            Assert.Equal(d.ToString("yyyy-MM-ddTHH:mm:ss.ffffffZ", CultureInfo.InvariantCulture), new string(c, 0, DateText.Snapshot(d, c)));
            var day = DateOnly.FromDateTime(d);
            Assert.Equal(day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), new string(c, 0, DateText.Date(day, c)));
        }
    }
}
