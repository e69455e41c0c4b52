using System.IO.Compression;
using System.Net;
using System.Text.Json;
using Bihuan.Data;
using Bihuan.Domain;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace Bihuan.IntegrationTests;

/// A database made by the version before ADR 0008 (Fixtures/legacy-files, how it was made in make.sh) is upgraded on
/// start: every file a record cited by hash becomes an upload of its own cited by that record, the audit chain stays
/// intact, and the files are read through their records. SQLite only: the fixture is a database file (the same
/// upgrade was run by hand on PostgreSQL, see ADR 0008).
public sealed class LegacyFilesTests : IDisposable
{
    readonly BihuanFactory _app = new(DatabaseEngine.Sqlite);

    public LegacyFilesTests()
    {
        var fixture = Path.Combine(AppContext.BaseDirectory, "Fixtures", "legacy-files");
        var target = new SqliteConnectionStringBuilder(_app.ConnectionString).DataSource;
        using (var gz = new GZipStream(File.OpenRead(Path.Combine(fixture, "bihuan.db.gz")), CompressionMode.Decompress))
        using (var db = File.Create(target))
            gz.CopyTo(db);
        foreach (var f in Directory.GetFiles(Path.Combine(fixture, "files"), "*", SearchOption.AllDirectories))
        {
            var to = Path.Combine(_app.FilesRoot, Path.GetRelativePath(Path.Combine(fixture, "files"), f));
            Directory.CreateDirectory(Path.GetDirectoryName(to)!);
            File.Copy(f, to);
        }
    }

    public void Dispose() => _app.Dispose();

    [Fact]
    public async Task Start_OnAPreUploadsDatabase_MovesEveryCitationAndKeepsTheAuditChain()
    {
        var (db, scope) = _app.SystemDb();   // starts the app: stage, migrate, move
        using (scope)
        {
            var citations = await db.FileCitations.Include(c => c.Upload).OrderBy(c => c.Id).ToListAsync();
            Assert.Equal(8, citations.Count);                           // 6 progress reports, 1 meeting, 1 督办单 response
            Assert.Equal(citations.Count, citations.Select(c => c.UploadId).Distinct().Count());   // an upload per citation
            Assert.Equal(6, citations.Count(c => c.RectUpdateId is not null));
            Assert.Equal("越秀会议纪要.pdf", citations.Single(c => c.MeetingId is not null).Upload!.FileName);
            Assert.Equal("督办回复.pdf", citations.Single(c => c.SupervisionEventId is not null).Upload!.FileName);
            Assert.Equal(0, await db.Database.SqlQueryRaw<int>(
                """SELECT count(*) AS "Value" FROM sqlite_master WHERE name IN ('LegacyFileCitations', 'Attachments')""").SingleAsync());
            var report = await AuditTrail.VerifyAsync(db);
            Assert.True(report.Intact, report.Message);
        }

        // read through the records: 越秀's meeting file for 越秀, not for 黄埔
        var yx = await _app.ClientFor("yx.fgj.liaison");
        var hp = await _app.ClientFor("hp.fgj.liaison");
        var meetings = await (await yx.GetAsync("/api/v1/meetings")).Expect<JsonElement>(HttpStatusCode.OK);
        var meetingId = meetings.EnumerateArray().Single(m => m.GetProperty("title").GetString() == "遗留会议").GetProperty("id").GetInt32();
        var meeting = await (await yx.GetAsync($"/api/v1/meetings/{meetingId}")).Expect<JsonElement>(HttpStatusCode.OK);
        var url = meeting.GetProperty("attachments")[0].GetProperty("url").GetString()!;
        var down = await yx.GetAsync(url);
        await down.Expect(HttpStatusCode.OK);
        Assert.Equal("application/pdf", down.Content.Headers.ContentType?.MediaType);
        await (await hp.GetAsync(url)).Expect(HttpStatusCode.NotFound);
        // the hash the old version served the file under opens nothing now
        await (await yx.GetAsync("/api/v1/files/a05f604fd09cb61f1f9a8ddd09481ba4703346d0b92cc0ae313ea669798daf91"))
            .Expect(HttpStatusCode.NotFound);
    }
}
