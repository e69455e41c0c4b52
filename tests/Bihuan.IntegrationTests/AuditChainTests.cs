using System.Net;
using System.Net.Http.Json;
using Bihuan.Data;
using Bihuan.Domain;
using Bihuan.Features.Audit;
using Bihuan.Features.Organizations;
using Bihuan.Infrastructure;
using Bihuan.Features.People;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Bihuan.IntegrationTests;

/// The audit chain against an attacker with write access to the database but not the key (ADR 0018): an edited record
/// with its entry edited to match and every later link recomputed, a chain rebuilt without its key entries, a key
/// rotation (which must keep verifying), and the anchors outside the database against tail truncation and rebuilds.
/// Tampering ruins a database, so every test runs on a fresh one of its own.
public abstract class AuditChainTestsBase
{
    protected abstract BihuanFactory NewFactory();

    sealed record Arranged(BihuanFactory App, HttpClient Admin, OrgDto Org, PersonDto Person);

    async Task<Arranged> ArrangeAsync()
    {
        var app = NewFactory();
        var admin = await app.ClientFor("admin");
        var org = await (await admin.PostAsJsonAsync("/api/v1/orgs", new
            {
                name = "密钥链测试局", code = "CHAIN-T", type = OrgType.Agency, parentId = await app.OrgId("GZ-YX"),
            }))
            .Expect<OrgDto>(HttpStatusCode.Created);
        var person = await (await admin.PostAsJsonAsync("/api/v1/people", new { name = "链上人员", orgId = org.Id, phone = "13600136001" }))
            .Expect<PersonDto>(HttpStatusCode.Created);
        await (await admin.PatchJson($"/api/v1/orgs/{org.Id}", new { name = "密钥链测试局（更名）" })).Expect<OrgDto>(HttpStatusCode.OK);
        Assert.True((await Verify(admin)).Intact);
        return new Arranged(app, admin, org, person);
    }

    static async Task<AuditReport> Verify(HttpClient admin) =>
        await (await admin.GetAsync("/api/v1/audit/verify")).Expect<AuditReport>(HttpStatusCode.OK);

    static async Task<List<AuditEntry>> EntriesAsync(BihuanFactory app)
    {
        var (db, scope) = app.SystemDb();
        using (scope) return await db.AuditEntries.IgnoreQueryFilters().AsNoTracking().OrderBy(e => e.Seq).ToListAsync();
    }

    /// What an insider with the database but not the key can do: write entries and links with the published
    /// (plain SHA-256) link rule, every link from `fromSeq` on, straight into the table.
    static async Task RelinkAsync(BihuanFactory app, long fromSeq, Action<AuditEntry>? edit = null, ChainKey? key = null)
    {
        var (db, scope) = app.SystemDb();
        using (scope)
        {
            var prev = await db.AuditEntries.IgnoreQueryFilters().Where(e => e.Seq < fromSeq).OrderByDescending(e => e.Seq)
                .Select(e => e.Hash).FirstOrDefaultAsync() ?? AuditEntry.Genesis;
            foreach (var e in await db.AuditEntries.IgnoreQueryFilters().Where(e => e.Seq >= fromSeq).OrderBy(e => e.Seq).ToListAsync())
            {
                edit?.Invoke(e);
                e.PrevHash = prev;
                e.Hash = prev = e.ComputeHash(key);
            }
            await db.SaveChangesAsync();   // AuditEntry is not an audited record: a plain UPDATE of the rows
        }
    }

    [SkippableFact]
    public async Task Verify_FreshChain_StartsWithAKeyEntry()
    {
        var a = await ArrangeAsync();
        using (a.App)
        {
            var first = (await EntriesAsync(a.App))[0];
            Assert.Equal(ChainKeyRing.KeyEntryType, first.EntityType);
            Assert.Contains("key introduced", first.Note);
            // The link is not the plain SHA-256 of the entry: it needs the key, which is in a file, not the database.
            Assert.NotEqual(first.ComputeHash(), first.Hash);
            Assert.True(File.Exists(a.App.KeyFile));
            Assert.DoesNotContain(await File.ReadAllTextAsync(a.App.KeyFile), string.Join("", (await EntriesAsync(a.App)).Select(e => e.Note)));
        }
    }

    [SkippableFact]
    public async Task Verify_RecordAndItsEntryEditedThenLaterLinksRecomputed_IsBroken()
    {
        var a = await ArrangeAsync();
        using (a.App)
        {
            var entries = await EntriesAsync(a.App);
            var target = entries.Last(e => e.EntityType == "Person" && e.EntityId == a.Person.Id.ToString());
            Assert.Equal(1, await a.App.Sql("UPDATE \"People\" SET \"Name\" = {0} WHERE \"Id\" = {1}", "顶替者", a.Person.Id));
            await RelinkAsync(a.App, target.Seq, e =>
            {
                if (e.Seq == target.Seq) e.After = e.After!.Replace("链上人员", "顶替者");
            });
            var r = await Verify(a.Admin);
            Assert.False(r.Intact, r.Message);
            Assert.Equal(target.Seq, r.FirstBrokenSeq);
            Assert.Contains("密钥哈希", r.Message);
        }
    }

    [SkippableFact]
    public async Task Verify_WholeChainRebuiltWithoutKeyEntries_IsBroken()
    {
        var a = await ArrangeAsync();
        using (a.App)
        {
            // Every key entry disguised as an ordinary event and the whole chain relinked with plain SHA-256.
            await RelinkAsync(a.App, 1, e =>
            {
                if (e.EntityType == ChainKeyRing.KeyEntryType) e.EntityType = "Campaign";
            });
            var r = await Verify(a.Admin);
            Assert.False(r.Intact, r.Message);
            Assert.Contains("没有密钥启用记录", r.Message);
        }
    }

    [SkippableFact]
    public async Task RotateKey_ByTheCli_ChainKeepsVerifyingAndOldLinksStayKeyed()
    {
        var a = await ArrangeAsync();
        using (a.App)
        {
            var rotated = await Drill.BihuanAsync(Drill.EnvFor(a.App), "audit", "rotate-key");
            Assert.True(rotated.ExitCode == 0, rotated.Output);
            Assert.Contains("key rotated", rotated.Output);
            Assert.Equal(2, (await File.ReadAllLinesAsync(a.App.KeyFile)).Count(l => l.Length > 0));
            // The running app (which loaded one key) keeps writing: it picks up the new key from the file.
            await (await a.Admin.PatchJson($"/api/v1/orgs/{a.Org.Id}", new { name = "轮换之后" })).Expect<OrgDto>(HttpStatusCode.OK);
            Assert.True((await Verify(a.Admin)).Intact);

            var entries = await EntriesAsync(a.App);
            var keyEntries = entries.Where(e => e.EntityType == ChainKeyRing.KeyEntryType).ToList();
            Assert.Equal(2, keyEntries.Count);
            Assert.Contains("key rotated", keyEntries[1].Note);
            Assert.NotEqual(keyEntries[0].EntityId, keyEntries[1].EntityId);
            // Exactly one rotation: the app did not rotate back to the key it started with.
            Assert.Equal("轮换之后", System.Text.Json.JsonDocument.Parse(entries[^1].After!).RootElement.GetProperty("Name").GetString());

            // A link made with the old key, edited and relinked by someone without either key, still breaks.
            var old = entries.First(e => e.EntityType == "Person");
            await RelinkAsync(a.App, old.Seq, e => { if (e.Seq == old.Seq) e.Note = "改写"; });
            Assert.Equal(old.Seq, (await Verify(a.Admin)).FirstBrokenSeq);
        }
    }

    /// Anchors the head now, as the anchor job does.
    static async Task<AuditAnchor> AnchorAsync(BihuanFactory app)
    {
        var (db, scope) = app.SystemDb();
        using (scope) return (await app.Services.GetRequiredService<AuditAnchors>().WriteAsync(db, "tests", default))!;
    }

    static async Task<Drill.Run> VerifyWithAnchorsAsync(BihuanFactory app) =>
        await Drill.BihuanAsync(Drill.EnvFor(app), "audit", "verify", "--anchors", app.AnchorDir);

    static async Task<PersonDto> NewPersonAsync(Arranged a, string name) =>
        await (await a.Admin.PostAsJsonAsync("/api/v1/people", new { name, orgId = a.Org.Id }))
            .Expect<PersonDto>(HttpStatusCode.Created);

    [SkippableTheory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task VerifyAnchors_LastEntriesDeletedWithTheRowsTheyCreated_ReportsTailTruncation(int deleted)
    {
        var a = await ArrangeAsync();
        using (a.App)
        {
            var made = new List<PersonDto>();
            for (var i = 0; i < deleted; i++) made.Add(await NewPersonAsync(a, $"尾部人员{i}"));
            // The anchor job, as the server runs it (every AnchorMinutes and daily).
            var ran = await a.App.Services.GetRequiredService<JobHost>().RunDueAsync(default);
            Assert.Contains("audit-anchor", ran);
            var intact = await VerifyWithAnchorsAsync(a.App);
            Assert.True(intact.ExitCode == 0, intact.Output);
            Assert.Contains("anchors match", intact.Output);

            var head = (await EntriesAsync(a.App))[^1].Seq;
            foreach (var p in made)
            {
                Assert.Equal(1, await a.App.Sql("DELETE FROM \"AuditEntries\" WHERE \"EntityType\" = 'Person' AND \"EntityId\" = {0}",
                    p.Id.ToString()));
                Assert.Equal(1, await a.App.Sql("DELETE FROM \"People\" WHERE \"Id\" = {0}", p.Id));
            }
            // The chain alone cannot tell: what is left is a consistent, shorter chain.
            Assert.True((await Verify(a.Admin)).Intact);
            var r = await VerifyWithAnchorsAsync(a.App);
            Assert.True(r.ExitCode == 3, r.Output);
            Assert.Contains("tail truncated", r.Output);
            Assert.Contains($"第 {head} 条", r.Output);
        }
    }

    [SkippableFact]
    public async Task VerifyAnchors_ChainRebuiltEvenWithTheChainKey_ReportsTheAnchoredEntry()
    {
        var a = await ArrangeAsync();
        using (a.App)
        {
            var anchor = await AnchorAsync(a.App);
            // Someone who stole the chain key (not the anchor key) rewrites a person and relinks every later entry.
            var key = a.App.Services.GetRequiredService<ChainKeyRing>().Current!;
            var target = (await EntriesAsync(a.App)).Last(e => e.EntityType == "Person");
            Assert.Equal(1, await a.App.Sql("UPDATE \"People\" SET \"Name\" = {0} WHERE \"Id\" = {1}", "顶替者", a.Person.Id));
            await RelinkAsync(a.App, target.Seq, e => { if (e.Seq == target.Seq) e.After = e.After!.Replace("链上人员", "顶替者"); }, key);
            Assert.True((await Verify(a.Admin)).Intact);
            var r = await VerifyWithAnchorsAsync(a.App);
            Assert.True(r.ExitCode == 3, r.Output);
            Assert.Contains("chain rebuilt", r.Output);
            Assert.Contains($"第 {anchor.Seq} 条", r.Output);
        }
    }

    [SkippableFact]
    public async Task VerifyAnchors_AnchorForgedWithAnotherKey_ReportsTheSignature()
    {
        var a = await ArrangeAsync();
        using (a.App)
        {
            var anchor = await AnchorAsync(a.App);
            // An anchor line made to fit a shortened chain, signed with a key of the forger's own.
            var crypto = new StandardChainCrypto();
            var forgerKey = crypto.NewSigningKey();
            var forged = new AuditAnchor
            {
                Seq = anchor.Seq - 1, Hash = anchor.Hash, At = anchor.At.AddMinutes(1), Suite = anchor.Suite,
                Algorithm = anchor.Algorithm, Key = anchor.Key, Node = "tests",
            };
            var signed = System.Text.Json.JsonSerializer.Serialize(new AuditAnchor
            {
                Seq = forged.Seq, Hash = forged.Hash, At = forged.At, Suite = forged.Suite, Algorithm = forged.Algorithm,
                Key = forged.Key, Node = forged.Node,
                Signature = Convert.ToBase64String(crypto.Sign(forgerKey, forged.SignedBytes())),
            });
            await File.AppendAllTextAsync(Path.Combine(a.App.AnchorDir, "anchors-forged.jsonl"), signed + "\n");
            var r = await VerifyWithAnchorsAsync(a.App);
            Assert.True(r.ExitCode == 3, r.Output);
            Assert.Contains("签名无效", r.Output);
        }
    }

    [SkippableFact]
    public async Task Accounts_GrantsAndTokens_AreInTheChainWithoutTheirSecrets()
    {
        var a = await ArrangeAsync();
        using (a.App)
        {
            const string password = "Chain@2026secret";
            var account = await (await a.Admin.PostAsJsonAsync("/api/v1/accounts", new
                { userName = "chain.user", displayName = "链上账号", password })).Expect<AccountDto>(HttpStatusCode.Created);
            var grant = await (await a.Admin.PostAsJsonAsync("/api/v1/roles", new { accountId = account.Id, orgId = a.Org.Id, role = Role.Liaison }))
                .Expect<GrantDto>(HttpStatusCode.Created);
            var token = await a.App.TokenFor("chain.user");
            Assert.True((await Verify(a.Admin)).Intact);

            var entries = await EntriesAsync(a.App);
            Assert.Contains(entries, e => e.EntityType == "Account" && e.EntityId == account.Id && e.Action == AuditAction.Create);
            Assert.Contains(entries, e => e.EntityType == "RoleGrant" && e.EntityId == grant.Id.ToString());
            Assert.Contains(entries, e => e.EntityType == "AccessToken" && e.After!.Contains(token[..10]));
            // Every demo account entered the chain when the demo created it.
            Assert.True(entries.Count(e => e.EntityType == "Account" && e.Action == AuditAction.Create) >= 12);

            string passwordHash, stamp, secretHash;
            var (db, scope) = a.App.SystemDb();
            using (scope)
            {
                var row = await db.Users.SingleAsync(u => u.Id == account.Id);
                (passwordHash, stamp) = (row.PasswordHash!, row.SecurityStamp!);
                secretHash = await db.AccessTokens.IgnoreQueryFilters().Where(t => t.AccountId == account.Id)
                    .Select(t => t.SecretHash).SingleAsync();
            }
            foreach (var secret in new[] { password, passwordHash, stamp, token, token[10..], secretHash })
                Assert.DoesNotContain(entries, e => (e.Before + e.After + e.Note).Contains(secret));

            // A password hash set behind the application's back (taking the account over) is reported.
            Assert.Equal(1, await a.App.Sql("UPDATE \"AspNetUsers\" SET \"PasswordHash\" = {0} WHERE \"Id\" = {1}",
                passwordHash[..^4] + "AAAA", account.Id));
            var r = await Verify(a.Admin);
            Assert.False(r.Intact, r.Message);
            Assert.Contains($"Account #{account.Id}", r.Message);
        }
    }

    [SkippableFact]
    public async Task AuditApi_PersonalData_MaskedUnlessAskedByAHolderAndThatReadIsAudited()
    {
        var a = await ArrangeAsync();
        using (a.App)
        {
            var supervisor = await a.App.ClientFor("gz.jw");
            var url = $"/api/v1/audit?entityType=Person&entityId={a.Person.Id}";
            var masked = await (await supervisor.GetAsync(url)).Expect<List<Features.Audit.AuditEntryDto>>(HttpStatusCode.OK);
            Assert.DoesNotContain("13600136001", masked.Single().After);
            Assert.Contains("136****6001", masked.Single().After);
            // The administrator reads the trail masked too, and may not ask for it unmasked.
            var admin = await (await a.Admin.GetAsync(url)).Expect<List<Features.Audit.AuditEntryDto>>(HttpStatusCode.OK);
            Assert.DoesNotContain("13600136001", admin.Single().After);
            await (await a.Admin.GetAsync(url + "&unmasked=true")).Expect(HttpStatusCode.Forbidden);

            var plain = await (await supervisor.GetAsync(url + "&unmasked=true")).Expect<List<Features.Audit.AuditEntryDto>>(HttpStatusCode.OK);
            Assert.Contains("13600136001", plain.Single().After);
            var read = (await EntriesAsync(a.App)).Last();
            Assert.Equal("AuditRead", read.EntityType);
            Assert.Equal("gz.jw", read.Actor);
            Assert.Contains($"#{a.Person.Id}", read.Note);
            Assert.True((await Verify(a.Admin)).Intact);
        }
    }
}

public sealed class SqliteAuditChainTests : AuditChainTestsBase
{
    protected override BihuanFactory NewFactory() => new SqliteFixture();
}

public sealed class PostgresAuditChainTests : AuditChainTestsBase
{
    protected override BihuanFactory NewFactory()
    {
        Postgres.SkipIfUnavailable();
        return new BihuanFactory(DatabaseEngine.Postgres);
    }
}
