using System.Net;
using System.Net.Http.Json;
using Bihuan.Data;
using Bihuan.Domain;
using Bihuan.Features.Organizations;
using Bihuan.Features.People;
using Microsoft.EntityFrameworkCore;

namespace Bihuan.IntegrationTests;

/// The audit chain against tampering behind the application's back (raw SQL on the database): each kind of edit is
/// reported by GET /api/v1/audit/verify. Tampering ruins a database, so every test runs on a fresh one of its own.
public abstract class AuditTamperTestsBase
{
    protected abstract BihuanFactory NewFactory();

    sealed record Arranged(BihuanFactory App, HttpClient Admin, OrgDto Org, PersonDto Person, long Entries);

    /// A fresh app, some changes through the API (an org created and renamed, a person added), and an intact chain.
    async Task<Arranged> ArrangeAsync()
    {
        var app = NewFactory();
        var admin = await app.ClientFor("admin");
        var org = await (await admin.PostAsJsonAsync("/api/v1/orgs", new { name = "审计测试局", code = "AUDIT-T", type = OrgType.Agency, parentId = await app.OrgId("GZ-YX") }))
            .Expect<OrgDto>(HttpStatusCode.Created);
        var person = await (await admin.PostAsJsonAsync("/api/v1/people", new { name = "审计对象", orgId = org.Id, phone = "13600136000" }))
            .Expect<PersonDto>(HttpStatusCode.Created);
        org = await (await admin.PatchJson($"/api/v1/orgs/{org.Id}", new { name = "审计测试局（更名）" })).Expect<OrgDto>(HttpStatusCode.OK);
        var report = await Verify(admin);
        Assert.True(report.Intact, report.Message);
        Assert.Null(report.FirstBrokenSeq);
        Assert.Contains("chain intact", report.Message);
        Assert.Equal(await app.Count<AuditEntry>(), report.Entries);
        return new Arranged(app, admin, org, person, report.Entries);
    }

    static async Task<AuditReport> Verify(HttpClient admin) =>
        await (await admin.GetAsync("/api/v1/audit/verify")).Expect<AuditReport>(HttpStatusCode.OK);

    static async Task<long> LastSeqOf(BihuanFactory app, string type, int id)
    {
        var (db, scope) = app.SystemDb();
        using (scope)
            return await db.AuditEntries.IgnoreQueryFilters().Where(e => e.EntityType == type && e.EntityId == id.ToString())
                .MaxAsync(e => e.Seq);
    }

    static void AssertBroken(AuditReport r, long? firstBroken, string why)
    {
        Assert.False(r.Intact, r.Message);
        Assert.Equal(firstBroken, r.FirstBrokenSeq);
        Assert.Contains("chain broken", r.Message);
        Assert.Contains(why, r.Message);
    }

    [SkippableFact]
    public async Task Verify_AfterApiChanges_IsIntact()
    {
        var a = await ArrangeAsync();
        using (a.App)
        {
            // A supervisor's verdict is the same; the liaison may not ask.
            Assert.True((await Verify(await a.App.ClientFor("gz.jw"))).Intact);
            await (await (await a.App.ClientFor("yx.fgj.liaison")).GetAsync("/api/v1/audit/verify")).Expect(HttpStatusCode.Forbidden);
        }
    }

    [SkippableFact]
    public async Task Verify_EntryAfterTextEdited_ReportsThatEntry()
    {
        var a = await ArrangeAsync();
        using (a.App)
        {
            var seq = a.Entries / 2;
            Assert.Equal(1, await a.App.Sql("UPDATE \"AuditEntries\" SET \"After\" = {0} WHERE \"Seq\" = {1}", "{\"Name\":\"伪造\"}", seq));
            AssertBroken(await Verify(a.Admin), seq, "篡改");
        }
    }

    [SkippableFact]
    public async Task Verify_MiddleEntryDeleted_ReportsTheGap()
    {
        var a = await ArrangeAsync();
        using (a.App)
        {
            var seq = a.Entries / 2;
            Assert.Equal(1, await a.App.Sql("DELETE FROM \"AuditEntries\" WHERE \"Seq\" = {0}", seq));
            AssertBroken(await Verify(a.Admin), seq + 1, "缺失");
        }
    }

    [SkippableFact]
    public async Task Verify_TwoEntriesSwapped_ReportsTheFirst()
    {
        var a = await ArrangeAsync();
        using (a.App)
        {
            var seq = a.Entries / 2;
            await a.App.Sql("UPDATE \"AuditEntries\" SET \"Seq\" = -1 WHERE \"Seq\" = {0}", seq);
            await a.App.Sql("UPDATE \"AuditEntries\" SET \"Seq\" = {0} WHERE \"Seq\" = {1}", seq, seq + 1);
            await a.App.Sql("UPDATE \"AuditEntries\" SET \"Seq\" = {0} WHERE \"Seq\" = -1", seq + 1);
            AssertBroken(await Verify(a.Admin), seq, "前序哈希");
        }
    }

    [SkippableFact]
    public async Task Verify_LastEntryDeleted_ReportsTheRecordItDescribed()
    {
        var a = await ArrangeAsync();
        using (a.App)
        {
            // The last entry is the rename: without it the org no longer matches what the trail last said of it.
            var last = await LastSeqOf(a.App, "Org", a.Org.Id);
            Assert.Equal(a.Entries, last);
            Assert.Equal(1, await a.App.Sql("DELETE FROM \"AuditEntries\" WHERE \"Seq\" = {0}", last));
            var r = await Verify(a.Admin);
            var create = await LastSeqOf(a.App, "Org", a.Org.Id);
            AssertBroken(r, create, $"Org #{a.Org.Id}");
            Assert.Equal(a.Entries - 1, r.Entries);
        }
    }

    [SkippableFact]
    public async Task Verify_OrgRenamedBySql_ReportsTheOrg()
    {
        var a = await ArrangeAsync();
        using (a.App)
        {
            Assert.Equal(1, await a.App.Sql("UPDATE \"Orgs\" SET \"Name\" = {0} WHERE \"Id\" = {1}", "暗改的名字", a.Org.Id));
            AssertBroken(await Verify(a.Admin), await LastSeqOf(a.App, "Org", a.Org.Id), "在应用之外被修改");
        }
    }

    [SkippableFact]
    public async Task Verify_PersonInsertedBySql_ReportsTheRow()
    {
        var a = await ArrangeAsync();
        using (a.App)
        {
            Assert.Equal(1, await a.App.Sql(
                "INSERT INTO \"People\" (\"Name\", \"OrgId\", \"IsLeadership\", \"Archived\", \"CreatedAt\") VALUES ({0}, {1}, {2}, {3}, {4})",
                "黑户", a.Org.Id, false, false, DateTime.UtcNow));
            // No entry describes the row, so there is no sequence number to point at: the message names the row.
            AssertBroken(await Verify(a.Admin), null, "在应用之外被插入");
        }
    }

    [SkippableFact]
    public async Task Verify_PersonDeletedBySql_ReportsThePerson()
    {
        var a = await ArrangeAsync();
        using (a.App)
        {
            Assert.Equal(1, await a.App.Sql("DELETE FROM \"People\" WHERE \"Id\" = {0}", a.Person.Id));
            AssertBroken(await Verify(a.Admin), await LastSeqOf(a.App, "Person", a.Person.Id), $"Person #{a.Person.Id} 已不存在");
        }
    }

    [SkippableFact]
    public async Task Verify_GrantEscalatedBySql_ReportsTheGrant()
    {
        var a = await ArrangeAsync();
        using (a.App)
        {
            // The classic insider move: turn one's own liaison grant into an admin grant.
            var me = await (await (await a.App.ClientFor("yx.fgj.liaison")).GetAsync("/api/v1/me")).Expect<Features.Accounts.MeDto>(HttpStatusCode.OK);
            var grant = Assert.Single(me.Grants);
            Assert.Equal(1, await a.App.Sql("UPDATE \"RoleGrants\" SET \"Role\" = 'Admin' WHERE \"Id\" = {0}", grant.Id));
            AssertBroken(await Verify(a.Admin), await LastSeqOf(a.App, "RoleGrant", grant.Id), $"RoleGrant #{grant.Id}");
        }
    }
}

public sealed class SqliteAuditTamperTests : AuditTamperTestsBase
{
    protected override BihuanFactory NewFactory() => new SqliteFixture();
}

public sealed class PostgresAuditTamperTests : AuditTamperTestsBase
{
    protected override BihuanFactory NewFactory()
    {
        Postgres.SkipIfUnavailable();
        return new BihuanFactory(DatabaseEngine.Postgres);
    }
}
