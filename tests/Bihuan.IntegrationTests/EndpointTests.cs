using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Bihuan.Data;
using Bihuan.Domain;
using Bihuan.Features.Accounts;
using Bihuan.Features.Audit;
using Bihuan.Features.Organizations;
using Bihuan.Features.People;

namespace Bihuan.IntegrationTests;

/// Each endpoint's contract over HTTP: success shapes, the domain refusals (409/400 with the field) and who may call.
/// Tests create their own orgs/people with unique codes, so they share one database without stepping on each other.
public abstract class EndpointTestsBase(Func<BihuanFactory> factory)
{
    protected BihuanFactory App => factory();

    async Task<OrgDto> CreateOrg(HttpClient admin, int parentId, string? name = null)
    {
        var code = Http.Unique("T");
        var res = await admin.PostAsJsonAsync("/api/v1/orgs", new { name = name ?? $"测试组织{code}", code, type = OrgType.Agency, parentId });
        return await res.Expect<OrgDto>(HttpStatusCode.Created);
    }

    // ---- orgs ----

    [SkippableFact]
    public async Task CreateOrg_AsAdmin_Returns201AndIsReadableAndListedAsChild()
    {
        var admin = await App.ClientFor("admin");
        var parent = await App.OrgId("GZ-YX");
        var res = await admin.PostAsJsonAsync("/api/v1/orgs", new { name = "越秀区测试局", code = Http.Unique("C"), type = OrgType.Agency, parentId = parent });
        var created = await res.Expect<OrgDto>(HttpStatusCode.Created);
        Assert.Equal($"/api/v1/orgs/{created.Id}", res.Headers.Location?.OriginalString);
        Assert.Equal(parent, created.ParentId);
        Assert.Equal(2, created.Depth);
        Assert.Equal("机关单位", created.TypeLabel);
        var read = await (await admin.GetAsync($"/api/v1/orgs/{created.Id}")).Expect<OrgDto>(HttpStatusCode.OK);
        Assert.Equal("越秀区测试局", read.Name);
        var children = await (await admin.GetAsync($"/api/v1/orgs/{parent}/children")).Expect<List<OrgDto>>(HttpStatusCode.OK);
        Assert.Contains(children, c => c.Id == created.Id);
        // A subtree role of the district sees it at once; another district's does not.
        await (await (await App.ClientFor("yx.office")).GetAsync($"/api/v1/orgs/{created.Id}")).Expect(HttpStatusCode.OK);
        await (await (await App.ClientFor("hp.office")).GetAsync($"/api/v1/orgs/{created.Id}")).Expect(HttpStatusCode.NotFound);
    }

    [SkippableFact]
    public async Task CreateOrg_DuplicateCode_Returns409WithFieldCode()
    {
        var admin = await App.ClientFor("admin");
        var res = await admin.PostAsJsonAsync("/api/v1/orgs", new { name = "重复", code = "GZ-YX-FGJ", type = OrgType.Agency, parentId = await App.OrgId("GZ-YX") });
        await res.ExpectProblem(HttpStatusCode.Conflict, "code");
    }

    [SkippableFact]
    public async Task CreateOrg_EmptyNameAndCode_Returns400WithBothFields()
    {
        var admin = await App.ClientFor("admin");
        var res = await admin.PostAsJsonAsync("/api/v1/orgs", new { name = " ", code = "", parentId = await App.OrgId("GZ-YX") });
        var p = await res.ExpectProblem(HttpStatusCode.BadRequest, "name");
        Assert.True(p.GetProperty("errors").TryGetProperty("code", out _), p.ToString());
    }

    [SkippableFact]
    public async Task CreateOrg_SecondRoot_Returns409WithFieldParentId()
    {
        var admin = await App.ClientFor("admin");
        var res = await admin.PostAsJsonAsync("/api/v1/orgs", new { name = "另一个根", code = Http.Unique("R") });
        await res.ExpectProblem(HttpStatusCode.Conflict, "parentId");
    }

    [SkippableFact]
    public async Task CreateOrg_AsCampaignOffice_Returns403AndWritesNothing()
    {
        var before = await App.Count<Org>();
        var office = await App.ClientFor("yx.office");
        var res = await office.PostAsJsonAsync("/api/v1/orgs", new { name = "越权", code = Http.Unique("F"), parentId = await App.OrgId("GZ-YX") });
        await res.ExpectProblem(HttpStatusCode.Forbidden);
        Assert.Equal(before, await App.Count<Org>());
    }

    [SkippableFact]
    public async Task UpdateOrg_Rename_Returns200AndAuditsBeforeAndAfter()
    {
        var admin = await App.ClientFor("admin");
        var org = await CreateOrg(admin, await App.OrgId("GZ-HP"), "改名前");
        var res = await admin.PatchJson($"/api/v1/orgs/{org.Id}", new { name = "  改名后  ", sortOrder = 77 });
        var updated = await res.Expect<OrgDto>(HttpStatusCode.OK);
        Assert.Equal("改名后", updated.Name);
        Assert.Equal(77, updated.SortOrder);
        Assert.Equal(org.Code, updated.Code);
        var audit = await (await admin.GetAsync($"/api/v1/audit?entityType=Org&entityId={org.Id}"))
            .Expect<List<AuditEntryDto>>(HttpStatusCode.OK);
        var last = audit.First();
        Assert.Equal(AuditAction.Update, last.Action);
        Assert.Equal("admin", last.Actor);
        Assert.Contains("改名前", last.Before);
        Assert.Contains("改名后", last.After);
    }

    [SkippableFact]
    public async Task UpdateOrg_CodeTakenByAnother_Returns409WithFieldCode()
    {
        var admin = await App.ClientFor("admin");
        var org = await CreateOrg(admin, await App.OrgId("GZ-HP"));
        await (await admin.PatchJson($"/api/v1/orgs/{org.Id}", new { code = "GZ-HP-FGJ" })).ExpectProblem(HttpStatusCode.Conflict, "code");
    }

    [SkippableFact]
    public async Task MoveOrg_UnderOwnDescendantOrItself_Returns409WithFieldParentId()
    {
        var admin = await App.ClientFor("admin");
        var a = await CreateOrg(admin, await App.OrgId("GZ-YX"));
        var b = await CreateOrg(admin, a.Id);
        var c = await CreateOrg(admin, b.Id);
        var p = await (await admin.PostAsJsonAsync($"/api/v1/orgs/{a.Id}/move", new { parentId = c.Id })).ExpectProblem(HttpStatusCode.Conflict, "parentId");
        Assert.Equal("org_cycle", p.GetProperty("code").GetString());
        await (await admin.PostAsJsonAsync($"/api/v1/orgs/{a.Id}/move", new { parentId = a.Id })).ExpectProblem(HttpStatusCode.Conflict, "parentId");
        // Nothing moved.
        Assert.Equal(a.ParentId, (await (await admin.GetAsync($"/api/v1/orgs/{a.Id}")).Expect<OrgDto>(HttpStatusCode.OK)).ParentId);
    }

    [SkippableFact]
    public async Task MoveOrg_ToOtherDistrict_RewritesSubtreeAndScopeFollows()
    {
        var admin = await App.ClientFor("admin");
        var a = await CreateOrg(admin, await App.OrgId("GZ-YX"));
        var b = await CreateOrg(admin, a.Id);
        var hp = await App.OrgId("GZ-HP-FGJ");
        var moved = await (await admin.PostAsJsonAsync($"/api/v1/orgs/{a.Id}/move", new { parentId = hp })).Expect<OrgDto>(HttpStatusCode.OK);
        Assert.Equal(hp, moved.ParentId);
        Assert.Equal(3, moved.Depth);
        var child = await (await admin.GetAsync($"/api/v1/orgs/{b.Id}")).Expect<OrgDto>(HttpStatusCode.OK);
        Assert.Equal(4, child.Depth);
        // The grandchild's materialized path moved too: the old district no longer sees it, the new one does.
        await (await (await App.ClientFor("yx.office")).GetAsync($"/api/v1/orgs/{b.Id}")).Expect(HttpStatusCode.NotFound);
        await (await (await App.ClientFor("hp.office")).GetAsync($"/api/v1/orgs/{b.Id}")).Expect(HttpStatusCode.OK);
    }

    [SkippableFact]
    public async Task ArchiveOrg_WithLiveChildren_Returns409ThenSucceedsOnceChildrenAreArchived()
    {
        var admin = await App.ClientFor("admin");
        var a = await CreateOrg(admin, await App.OrgId("GZ-YX"));
        var b = await CreateOrg(admin, a.Id);
        var p = await (await admin.PostAsJsonAsync($"/api/v1/orgs/{a.Id}/archive", new { archived = true })).ExpectProblem(HttpStatusCode.Conflict);
        Assert.Equal("org_has_children", p.GetProperty("code").GetString());
        Assert.True((await admin.PostAsync($"/api/v1/orgs/{b.Id}/archive", null)).IsSuccessStatusCode);
        var archived = await (await admin.PostAsJsonAsync($"/api/v1/orgs/{a.Id}/archive", new { archived = true })).Expect<OrgDto>(HttpStatusCode.OK);
        Assert.True(archived.Archived);
        var parentChildren = await (await admin.GetAsync($"/api/v1/orgs/{await App.OrgId("GZ-YX")}/children")).Expect<List<OrgDto>>(HttpStatusCode.OK);
        Assert.DoesNotContain(parentChildren, c => c.Id == a.Id);
        var withArchived = await (await admin.GetAsync($"/api/v1/orgs/{await App.OrgId("GZ-YX")}/children?includeArchived=true")).Expect<List<OrgDto>>(HttpStatusCode.OK);
        Assert.Contains(withArchived, c => c.Id == a.Id);
        // A child cannot be restored under an archived parent; the parent can.
        await (await admin.PostAsJsonAsync($"/api/v1/orgs/{b.Id}/archive", new { archived = false })).ExpectProblem(HttpStatusCode.BadRequest, "archived");
        Assert.False((await (await admin.PostAsJsonAsync($"/api/v1/orgs/{a.Id}/archive", new { archived = false })).Expect<OrgDto>(HttpStatusCode.OK)).Archived);
    }

    [SkippableFact]
    public async Task DeleteOrg_WithPeople_Returns409SayingWhy()
    {
        var admin = await App.ClientFor("admin");
        var org = await CreateOrg(admin, await App.OrgId("GZ-YX"));
        await (await admin.PostAsJsonAsync("/api/v1/people", new { name = "王五", orgId = org.Id })).Expect(HttpStatusCode.Created);
        var p = await (await admin.DeleteAsync($"/api/v1/orgs/{org.Id}")).ExpectProblem(HttpStatusCode.Conflict);
        Assert.Equal("org_has_records", p.GetProperty("code").GetString());
        Assert.Contains("人员", p.GetProperty("title").GetString());
        await (await admin.GetAsync($"/api/v1/orgs/{org.Id}")).Expect(HttpStatusCode.OK);
    }

    [SkippableFact]
    public async Task DeleteOrg_WithChildren_Returns409AndEmptyOrgIsDeleted()
    {
        var admin = await App.ClientFor("admin");
        var a = await CreateOrg(admin, await App.OrgId("GZ-YX"));
        var b = await CreateOrg(admin, a.Id);
        await (await admin.DeleteAsync($"/api/v1/orgs/{a.Id}")).ExpectProblem(HttpStatusCode.Conflict);
        await (await admin.DeleteAsync($"/api/v1/orgs/{b.Id}")).Expect(HttpStatusCode.NoContent);
        await (await admin.GetAsync($"/api/v1/orgs/{b.Id}")).Expect(HttpStatusCode.NotFound);
        var audit = await (await admin.GetAsync($"/api/v1/audit?entityType=Org&entityId={b.Id}")).Expect<List<AuditEntryDto>>(HttpStatusCode.OK);
        Assert.Equal(AuditAction.Delete, audit.First().Action);
    }

    [SkippableFact]
    public async Task DeleteOrg_AsSupervisor_Returns403AndInvisibleIs404()
    {
        var jw = await App.ClientFor("yx.jw");
        await (await jw.DeleteAsync($"/api/v1/orgs/{await App.OrgId("GZ-YX-FGJ-ZB")}")).ExpectProblem(HttpStatusCode.Forbidden);
        await (await jw.DeleteAsync($"/api/v1/orgs/{await App.OrgId("GZ-HP-FGJ-ZB")}")).ExpectProblem(HttpStatusCode.NotFound);
    }

    [SkippableFact]
    public async Task Children_OfBureau_ReturnsItsBranch()
    {
        var admin = await App.ClientFor("admin");
        var children = await (await admin.GetAsync($"/api/v1/orgs/{await App.OrgId("GZ-YX-FGJ")}/children")).Expect<List<OrgDto>>(HttpStatusCode.OK);
        Assert.Equal(["GZ-YX-FGJ-ZB"], children.Select(c => c.Code));
        await (await admin.GetAsync("/api/v1/orgs/999999/children")).ExpectProblem(HttpStatusCode.NotFound);
    }

    // ---- people ----

    [SkippableFact]
    public async Task CreatePerson_BadPhone_Returns400WithErrorsPhone()
    {
        var head = await App.ClientFor("yx.fgj.head");
        var res = await head.PostAsJsonAsync("/api/v1/people", new { name = "赵六", orgId = await App.OrgId("GZ-YX-FGJ"), phone = "12345" });
        await res.ExpectProblem(HttpStatusCode.BadRequest, "phone");
    }

    [SkippableFact]
    public async Task CreatePerson_AsUnitHead_Returns201InOwnOrgOnly()
    {
        var head = await App.ClientFor("yx.fgj.head");
        var own = await App.OrgId("GZ-YX-FGJ");
        var res = await head.PostAsJsonAsync("/api/v1/people", new { name = " 赵六 ", orgId = own, position = "科员", phone = "13900139000", isLeadership = false });
        var p = await res.Expect<PersonDto>(HttpStatusCode.Created);
        Assert.Equal("赵六", p.Name);
        Assert.Equal("13900139000", p.Phone);
        var read = await (await head.GetAsync($"/api/v1/people/{p.Id}")).Expect<PersonDto>(HttpStatusCode.OK);
        Assert.Equal("越秀区发展和改革局", read.OrgName);
        // The sibling bureau is out of the head's scope; the liaison of the same bureau may read but not add.
        await (await head.PostAsJsonAsync("/api/v1/people", new { name = "越界", orgId = await App.OrgId("GZ-YX-JYJ") })).ExpectProblem(HttpStatusCode.NotFound);
        var liaison = await App.ClientFor("yx.fgj.liaison");
        await (await liaison.PostAsJsonAsync("/api/v1/people", new { name = "越权", orgId = own })).ExpectProblem(HttpStatusCode.Forbidden);
        await (await (await App.ClientFor("hp.office")).GetAsync($"/api/v1/people/{p.Id}")).Expect(HttpStatusCode.NotFound);
    }

    [SkippableFact]
    public async Task CreatePerson_WithoutOrg_Returns400WithErrorsOrgId()
    {
        var admin = await App.ClientFor("admin");
        await (await admin.PostAsJsonAsync("/api/v1/people", new { name = "无组织" })).ExpectProblem(HttpStatusCode.BadRequest, "orgId");
    }

    [SkippableFact]
    public async Task UpdatePerson_AsOffice_ChangesFieldsAndLiaisonIsForbidden()
    {
        var office = await App.ClientFor("yx.office");
        var p = await (await office.PostAsJsonAsync("/api/v1/people", new { name = "钱七", orgId = await App.OrgId("GZ-YX-FGJ") })).Expect<PersonDto>(HttpStatusCode.Created);
        var jyj = await App.OrgId("GZ-YX-JYJ");
        var updated = await (await office.PutAsJsonAsync($"/api/v1/people/{p.Id}", new { name = "钱七七", orgId = jyj, position = "副科长", phone = "13700137000", isLeadership = true }))
            .Expect<PersonDto>(HttpStatusCode.OK);
        Assert.Equal(("钱七七", jyj, "副科长", "13700137000", true), (updated.Name, updated.OrgId, updated.Position, updated.Phone, updated.IsLeadership));
        var read = await (await office.GetAsync($"/api/v1/people/{p.Id}")).Expect<PersonDto>(HttpStatusCode.OK);
        Assert.Equal(jyj, read.OrgId);
        await (await office.PutAsJsonAsync($"/api/v1/people/{p.Id}", new { phone = "1" })).ExpectProblem(HttpStatusCode.BadRequest, "phone");
        // Moved to the education bureau: the development bureau's liaison no longer sees the person at all.
        var liaison = await App.ClientFor("yx.fgj.liaison");
        await (await liaison.PutAsJsonAsync($"/api/v1/people/{p.Id}", new { name = "x" })).ExpectProblem(HttpStatusCode.NotFound);
        var own = await (await liaison.GetAsync("/api/v1/people")).Expect<List<PersonDto>>(HttpStatusCode.OK);
        await (await liaison.PutAsJsonAsync($"/api/v1/people/{own[0].Id}", new { name = "x" })).ExpectProblem(HttpStatusCode.Forbidden);
    }

    // ---- roles and accounts ----

    [SkippableFact]
    public async Task GrantAndRevokeRole_AsAdmin_ChangesWhatTheAccountSees()
    {
        var admin = await App.ClientFor("admin");
        var user = "t." + Guid.NewGuid().ToString("N")[..8];
        var account = await (await admin.PostAsJsonAsync("/api/v1/accounts", new { userName = user, displayName = "测试账号", password = "Test@2026xyz" }))
            .Expect<AccountDto>(HttpStatusCode.Created);
        var jyj = await App.OrgId("GZ-YX-JYJ");
        var client = await App.ClientFor(user);
        await (await client.GetAsync($"/api/v1/orgs/{jyj}")).Expect(HttpStatusCode.NotFound);

        var grant = await (await admin.PostAsJsonAsync("/api/v1/roles", new { accountId = account.Id, orgId = jyj, role = Role.Liaison }))
            .Expect<GrantDto>(HttpStatusCode.Created);
        Assert.Equal(("联络员", "本组织", user), (grant.RoleLabel, grant.Reach, grant.UserName));
        await (await client.GetAsync($"/api/v1/orgs/{jyj}")).Expect(HttpStatusCode.OK);
        var me = await (await client.GetAsync("/api/v1/me")).Expect<MeDto>(HttpStatusCode.OK);
        Assert.Equal([jyj], me.Grants.Select(g => g.OrgId));
        await (await admin.PostAsJsonAsync("/api/v1/roles", new { accountId = account.Id, orgId = jyj, role = Role.Liaison }))
            .ExpectProblem(HttpStatusCode.BadRequest, "role");

        await (await admin.DeleteAsync($"/api/v1/roles/{grant.Id}")).Expect(HttpStatusCode.NoContent);
        await (await client.GetAsync($"/api/v1/orgs/{jyj}")).Expect(HttpStatusCode.NotFound);
        Assert.Empty((await (await client.GetAsync("/api/v1/me")).Expect<MeDto>(HttpStatusCode.OK)).Grants);
        await (await admin.DeleteAsync($"/api/v1/roles/{grant.Id}")).ExpectProblem(HttpStatusCode.NotFound);
    }

    [SkippableFact]
    public async Task GrantRole_AsNonAdmin_Returns403OrNotFound()
    {
        var me = await (await (await App.ClientFor("yx.fgj.member")).GetAsync("/api/v1/me")).Expect<MeDto>(HttpStatusCode.OK);
        var office = await App.ClientFor("yx.office");
        await (await office.PostAsJsonAsync("/api/v1/roles", new { accountId = me.Id, orgId = await App.OrgId("GZ-YX-JYJ"), role = Role.Admin }))
            .ExpectProblem(HttpStatusCode.Forbidden);
        await (await office.PostAsJsonAsync("/api/v1/roles", new { accountId = me.Id, orgId = await App.OrgId("GZ-HP"), role = Role.Admin }))
            .ExpectProblem(HttpStatusCode.NotFound);
        var grants = await (await office.GetAsync($"/api/v1/roles?orgId={await App.OrgId("GZ-YX-FGJ")}")).Expect<List<GrantDto>>(HttpStatusCode.OK);
        await (await office.DeleteAsync($"/api/v1/roles/{grants[0].Id}")).ExpectProblem(HttpStatusCode.Forbidden);
        await (await office.PostAsJsonAsync("/api/v1/roles", new { })).ExpectProblem(HttpStatusCode.BadRequest, "accountId");
    }

    [SkippableFact]
    public async Task CreateAccount_WeakPassword_Returns400WithErrorsPassword()
    {
        var admin = await App.ClientFor("admin");
        var p = await (await admin.PostAsJsonAsync("/api/v1/accounts", new { userName = "weak.pw", displayName = "弱密码", password = "abc" }))
            .ExpectProblem(HttpStatusCode.BadRequest, "password");
        Assert.Contains("10", p.GetProperty("errors").GetProperty("password")[0].GetString());
        await (await admin.PostAsJsonAsync("/api/v1/accounts", new { userName = "admin", displayName = "重名", password = "Strong@2026abc" }))
            .ExpectProblem(HttpStatusCode.BadRequest, "userName");
        await (await admin.PostAsJsonAsync("/api/v1/accounts", new { })).ExpectProblem(HttpStatusCode.BadRequest, "userName");
        await (await (await App.ClientFor("yx.office")).PostAsJsonAsync("/api/v1/accounts", new { userName = "x.y", displayName = "x", password = "Strong@2026abc" }))
            .ExpectProblem(HttpStatusCode.Forbidden);
    }

    [SkippableFact]
    public async Task ListAccounts_AsLiaison_ShowsOnlyOwnUnitsAccounts()
    {
        var accounts = await (await (await App.ClientFor("yx.fgj.liaison")).GetAsync("/api/v1/accounts")).Expect<List<AccountDto>>(HttpStatusCode.OK);
        Assert.Contains(accounts, a => a.UserName == "yx.fgj.head");
        Assert.DoesNotContain(accounts, a => a.UserName is "admin" or "hp.fgj.liaison" or "yx.office");
    }

    // ---- tokens and /me ----

    [SkippableFact]
    public async Task Tokens_CreateListRevoke_RevokedTokenIs401()
    {
        var admin = await App.ClientFor("admin");
        var created = await (await admin.PostAsJsonAsync("/api/v1/tokens", new { name = "数据对接", expiresInDays = 7 })).Expect<NewTokenDto>(HttpStatusCode.Created);
        Assert.StartsWith("bh_", created.Token);
        Assert.True(created.ExpiresAt > DateTime.UtcNow.AddDays(6) && created.ExpiresAt < DateTime.UtcNow.AddDays(8), $"{created.ExpiresAt}");

        var own = App.Anonymous();
        own.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", created.Token);
        Assert.Equal("admin", (await (await own.GetAsync("/api/v1/me")).Expect<MeDto>(HttpStatusCode.OK)).UserName);

        var list = await (await admin.GetAsync("/api/v1/tokens")).Expect<List<TokenDto>>(HttpStatusCode.OK);
        var listed = Assert.Single(list, t => t.Id == created.Id);
        Assert.Equal(created.Token[..10], listed.Prefix);
        Assert.Null(listed.RevokedAt);
        Assert.DoesNotContain(created.Token, await (await admin.GetAsync("/api/v1/tokens")).Content.ReadAsStringAsync());

        await (await admin.DeleteAsync($"/api/v1/tokens/{created.Id}")).Expect(HttpStatusCode.NoContent);
        await (await own.GetAsync("/api/v1/me")).Expect(HttpStatusCode.Unauthorized);
        list = await (await admin.GetAsync("/api/v1/tokens")).Expect<List<TokenDto>>(HttpStatusCode.OK);
        Assert.NotNull(Assert.Single(list, t => t.Id == created.Id).RevokedAt);
    }

    [SkippableFact]
    public async Task RevokeToken_SomeoneElses_Returns404AndTokenKeepsWorking()
    {
        var liaison = await App.ClientFor("yx.fgj.liaison");
        var theirs = await (await liaison.PostAsJsonAsync("/api/v1/tokens", new { name = "联络员令牌" })).Expect<NewTokenDto>(HttpStatusCode.Created);
        var admin = await App.ClientFor("admin");
        await (await admin.DeleteAsync($"/api/v1/tokens/{theirs.Id}")).ExpectProblem(HttpStatusCode.NotFound);
        Assert.DoesNotContain((await (await admin.GetAsync("/api/v1/tokens")).Expect<List<TokenDto>>(HttpStatusCode.OK)), t => t.Id == theirs.Id);
        var c = App.Anonymous();
        c.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", theirs.Token);
        Assert.Equal("yx.fgj.liaison", (await (await c.GetAsync("/api/v1/me")).Expect<MeDto>(HttpStatusCode.OK)).UserName);
    }

    [SkippableFact]
    public async Task CreateToken_BadInput_Returns400WithFields()
    {
        var admin = await App.ClientFor("admin");
        await (await admin.PostAsJsonAsync("/api/v1/tokens", new { name = "" })).ExpectProblem(HttpStatusCode.BadRequest, "name");
        await (await admin.PostAsJsonAsync("/api/v1/tokens", new { name = "x", expiresInDays = 0 })).ExpectProblem(HttpStatusCode.BadRequest, "expiresInDays");
        await (await admin.PostAsJsonAsync("/api/v1/tokens", new { name = new string('长', 101) })).ExpectProblem(HttpStatusCode.BadRequest, "name");
    }

    [SkippableFact]
    public async Task Me_AsLiaison_ReturnsAccountAndGrant()
    {
        var me = await (await (await App.ClientFor("yx.fgj.liaison")).GetAsync("/api/v1/me")).Expect<MeDto>(HttpStatusCode.OK);
        Assert.Equal("yx.fgj.liaison", me.UserName);
        Assert.Contains("张丽娟", me.DisplayName);
        var g = Assert.Single(me.Grants);
        Assert.Equal((Role.Liaison, await App.OrgId("GZ-YX-FGJ")), (g.Role, g.OrgId));
    }

    // ---- audit ----

    [SkippableFact]
    public async Task Audit_AsAdmin_ListsNewestFirstAndLiaisonIs403()
    {
        var admin = await App.ClientFor("admin");
        var entries = await (await admin.GetAsync("/api/v1/audit?take=20")).Expect<List<AuditEntryDto>>(HttpStatusCode.OK);
        Assert.Equal(20, entries.Count);
        Assert.Equal(entries.OrderByDescending(e => e.Seq).Select(e => e.Seq), entries.Select(e => e.Seq));
        Assert.All(entries, e => Assert.Equal(64, e.Hash.Length));
        var older = await (await admin.GetAsync($"/api/v1/audit?beforeSeq={entries[^1].Seq}&take=5")).Expect<List<AuditEntryDto>>(HttpStatusCode.OK);
        Assert.All(older, e => Assert.True(e.Seq < entries[^1].Seq));
        await (await (await App.ClientFor("yx.fgj.liaison")).GetAsync("/api/v1/audit")).Expect(HttpStatusCode.Forbidden);
        await (await (await App.ClientFor("yx.fgj.liaison")).GetAsync("/api/v1/audit/verify")).Expect(HttpStatusCode.Forbidden);
        await (await (await App.ClientFor("yx.office")).GetAsync("/api/v1/audit")).Expect(HttpStatusCode.Forbidden);
    }

    [SkippableFact]
    public async Task Audit_AsDistrictSupervisor_SeesOwnDistrictEntriesOnly()
    {
        var jw = await App.ClientFor("yx.jw");
        var yx = await App.OrgId("GZ-YX-FGJ");
        var hp = await App.OrgId("GZ-HP-FGJ");
        Assert.NotEmpty(await (await jw.GetAsync($"/api/v1/audit?entityType=Org&entityId={yx}")).Expect<List<AuditEntryDto>>(HttpStatusCode.OK));
        Assert.Empty(await (await jw.GetAsync($"/api/v1/audit?entityType=Org&entityId={hp}")).Expect<List<AuditEntryDto>>(HttpStatusCode.OK));
        var admin = await App.ClientFor("admin");
        Assert.NotEmpty(await (await admin.GetAsync($"/api/v1/audit?entityType=Org&entityId={hp}")).Expect<List<AuditEntryDto>>(HttpStatusCode.OK));
    }

    [SkippableFact]
    public async Task AuditVerify_AsAdminAndSupervisor_ReportsIntactChain()
    {
        foreach (var who in new[] { "admin", "yx.jw" })
        {
            var report = await (await (await App.ClientFor(who)).GetAsync("/api/v1/audit/verify")).Expect<AuditReport>(HttpStatusCode.OK);
            Assert.True(report.Intact, report.Message);
            Assert.Null(report.FirstBrokenSeq);
            Assert.Contains("chain intact", report.Message);
            Assert.True(report.Entries > 50, $"{report.Entries}");
        }
    }

    // ---- infrastructure ----

    [SkippableFact]
    public async Task Healthz_Anonymous_LiveAndReadyWithEngine()
    {
        var live = await (await App.Anonymous().GetAsync("/healthz")).Expect<JsonElement>(HttpStatusCode.OK);
        Assert.Equal("live", live.GetProperty("status").GetString());
        Assert.Equal(App.Engine.ToString(), live.GetProperty("engine").GetString());
        var ready = await (await App.Anonymous().GetAsync("/healthz/ready")).Expect<JsonElement>(HttpStatusCode.OK);
        Assert.Equal("ready", ready.GetProperty("status").GetString());
        Assert.All(ready.GetProperty("checks").EnumerateArray(), c => Assert.True(c.GetProperty("ok").GetBoolean(), c.ToString()));
    }

    [SkippableFact]
    public async Task OpenApi_Anonymous_ListsTheApi()
    {
        var doc = await (await App.Anonymous().GetAsync("/openapi/v1.json")).Expect<JsonElement>(HttpStatusCode.OK);
        var paths = doc.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToList();
        Assert.Contains("/api/v1/orgs", paths);
        Assert.Contains("/api/v1/orgs/{id}", paths);
        Assert.Contains("/api/v1/audit/verify", paths);
        Assert.DoesNotContain("/healthz", paths);
    }
}

public sealed class SqliteEndpointTests(SqliteFixture app) : EndpointTestsBase(() => app), IClassFixture<SqliteFixture>;

public sealed class PostgresEndpointTests(PostgresFixture app) : EndpointTestsBase(() => app.Factory), IClassFixture<PostgresFixture>;
