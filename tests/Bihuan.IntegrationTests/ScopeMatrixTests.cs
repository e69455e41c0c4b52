using System.Net;
using System.Net.Http.Json;
using Bihuan.Data;
using Bihuan.Domain;
using Bihuan.Features.Organizations;
using Bihuan.Features.People;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MiniExcelLibs;

namespace Bihuan.IntegrationTests;

/// Every persona against records of its own org, a sibling, the parent, another district and its own child branch:
/// what it can see it reads (200), what it cannot see does not exist (404, never 403), and what it sees but may not
/// change is refused (403). The same matrix through every read surface: GET by id, PATCH, people, roles, search,
/// children and the .xlsx export.
public abstract class ScopeMatrixTestsBase(Func<BihuanFactory> factory)
{
    protected BihuanFactory App => factory();

    static readonly Dictionary<string, string> Targets = new()
    {
        ["own"] = "GZ-YX-FGJ",
        ["sibling"] = "GZ-YX-JYJ",
        ["parent"] = "GZ-YX",
        ["other"] = "GZ-HP-FGJ",
        ["child"] = "GZ-YX-FGJ-ZB",
    };

    const string All = "own sibling parent other child";

    public static TheoryData<string, string> Personas => new()
    {
        { "admin", All },
        { "gz.office", All },
        { "gz.jw", All },
        { "yx.office", "own sibling parent child" },
        { "yx.jw", "own sibling parent child" },
        { "yx.fgj.head", "own" },
        { "yx.fgj.leader", "own" },
        { "yx.fgj.liaison", "own" },
        { "yx.fgj.member", "own" },
        { "hp.office", "other" },
        { "hp.fgj.liaison", "other" },
    };

    static readonly SemaphoreSlim ArrangeLock = new(1, 1);

    /// Every target org gets a person and a role grant (the demo leaves some empty), so that an empty list can only
    /// mean "not in scope". Done once per database.
    async Task ArrangeAsync()
    {
        await ArrangeLock.WaitAsync();
        try
        {
            var (db, scope) = App.SystemDb();
            using (scope)
            {
                if (await db.Users.AnyAsync(u => u.UserName == "scope.probe")) return;
                var users = scope.ServiceProvider.GetRequiredService<UserManager<Account>>();
                var probe = await AccountCommands.CreateAsync(db, users, TimeProvider.System, "scope.probe", "范围探针",
                    "Probe@2026bh", null, default);
                foreach (var code in Targets.Values)
                {
                    var org = await db.Orgs.SingleAsync(o => o.Code == code);
                    if (!await db.People.AnyAsync(p => p.OrgId == org.Id))
                        db.People.Add(new Person { Name = $"探针{code}", OrgId = org.Id, CreatedAt = DateTime.UtcNow });
                    await db.SaveChangesAsync();
                    if (!await db.RoleGrants.AnyAsync(g => g.OrgId == org.Id))
                        await PeopleApi.GrantAsync(db, TimeProvider.System, new GrantInput(probe.Id, org.Id, Role.Member), default);
                }
            }
        }
        finally { ArrangeLock.Release(); }
    }

    async Task<List<string>> Check(string persona, string visible, Func<HttpClient, string, int, bool, Task<string?>> probe)
    {
        var client = await App.ClientFor(persona);
        var sees = visible.Split(' ');
        var wrong = new List<string>();
        foreach (var (name, code) in Targets)
        {
            var id = await App.OrgId(code);
            if (await probe(client, code, id, sees.Contains(name)) is { } problem)
                wrong.Add($"{persona} × {name} ({code}): {problem}");
        }
        return wrong;
    }

    static void AssertNone(List<string> wrong) => Assert.True(wrong.Count == 0, string.Join("\n", wrong));

    [SkippableTheory]
    [MemberData(nameof(Personas))]
    public async Task GetOrg_ByPersona_VisibleIs200AndInvisibleIs404(string persona, string visible) =>
        AssertNone(await Check(persona, visible, async (c, code, id, sees) =>
        {
            var res = await c.GetAsync($"/api/v1/orgs/{id}");
            var expected = sees ? HttpStatusCode.OK : HttpStatusCode.NotFound;
            if (res.StatusCode != expected) return $"expected {(int)expected}, got {await res.Describe()}";
            if (sees && (await res.Content.ReadFromJsonAsync<OrgDto>())!.Code != code) return "wrong org returned";
            return null;
        }));

    [SkippableTheory]
    [MemberData(nameof(Personas))]
    public async Task PatchOrg_ByPersona_AdminIs200VisibleIs403InvisibleIs404(string persona, string visible) =>
        AssertNone(await Check(persona, visible, async (c, code, id, sees) =>
        {
            string name;
            var (db, scope) = App.SystemDb();
            using (scope) name = await db.Orgs.Where(o => o.Id == id).Select(o => o.Name).SingleAsync();
            // Renaming to the current name: a real write path for the admin that leaves the shared tree as it was.
            var res = await c.PatchJson($"/api/v1/orgs/{id}", new { name });
            var expected = persona == "admin" ? HttpStatusCode.OK : sees ? HttpStatusCode.Forbidden : HttpStatusCode.NotFound;
            return res.StatusCode == expected ? null : $"expected {(int)expected}, got {await res.Describe()}";
        }));

    [SkippableTheory]
    [MemberData(nameof(Personas))]
    public async Task ListPeople_ByOrgAndPersona_OnlyVisibleOrgsHavePeople(string persona, string visible)
    {
        await ArrangeAsync();
        AssertNone(await Check(persona, visible, async (c, code, id, sees) =>
        {
            var res = await c.GetAsync($"/api/v1/people?orgId={id}");
            if (res.StatusCode != HttpStatusCode.OK) return await res.Describe();
            var people = (await res.Content.ReadFromJsonAsync<List<PersonDto>>())!;
            if (people.Any(p => p.OrgId != id)) return "people of another org returned";
            return sees == (people.Count > 0) ? null : $"expected {(sees ? "people" : "none")}, got {people.Count}";
        }));
    }

    [SkippableTheory]
    [MemberData(nameof(Personas))]
    public async Task ListRoles_ByOrgAndPersona_OnlyVisibleOrgsHaveGrants(string persona, string visible)
    {
        await ArrangeAsync();
        AssertNone(await Check(persona, visible, async (c, code, id, sees) =>
        {
            var res = await c.GetAsync($"/api/v1/roles?orgId={id}");
            if (res.StatusCode != HttpStatusCode.OK) return await res.Describe();
            var grants = (await res.Content.ReadFromJsonAsync<List<GrantDto>>())!;
            if (grants.Any(g => g.OrgId != id)) return "grants of another org returned";
            return sees == (grants.Count > 0) ? null : $"expected {(sees ? "grants" : "none")}, got {grants.Count}";
        }));
    }

    [SkippableTheory]
    [MemberData(nameof(Personas))]
    public async Task SearchOrgs_ByCodeAndPersona_FindsOnlyVisible(string persona, string visible) =>
        AssertNone(await Check(persona, visible, async (c, code, id, sees) =>
        {
            var res = await c.GetAsync($"/api/v1/orgs?q={Uri.EscapeDataString(code)}");
            if (res.StatusCode != HttpStatusCode.OK) return await res.Describe();
            var found = (await res.Content.ReadFromJsonAsync<List<OrgDto>>())!;
            return sees == found.Any(o => o.Id == id) ? null : $"search found {found.Count}: {string.Join(",", found.Select(o => o.Code))}";
        }));

    [SkippableTheory]
    [MemberData(nameof(Personas))]
    public async Task Children_ByPersona_InvisibleParentIs404AndInvisibleChildrenAreHidden(string persona, string visible) =>
        AssertNone(await Check(persona, visible, async (c, code, id, sees) =>
        {
            var res = await c.GetAsync($"/api/v1/orgs/{id}/children");
            var expected = sees ? HttpStatusCode.OK : HttpStatusCode.NotFound;
            if (res.StatusCode != expected) return $"expected {(int)expected}, got {await res.Describe()}";
            if (!sees) return null;
            var children = (await res.Content.ReadFromJsonAsync<List<OrgDto>>())!;
            // Own-org roles reach their org only, not even its child branch; subtree roles see every child.
            var subtree = persona is "admin" or "gz.office" or "gz.jw" or "yx.office" or "yx.jw" or "hp.office";
            int actual;
            var (db, scope) = App.SystemDb();
            using (scope) actual = await db.Orgs.CountAsync(o => o.ParentId == id && !o.Archived);
            var expectedCount = subtree ? actual : 0;
            return children.Count == expectedCount && children.All(x => x.ParentId == id) ? null
                : $"expected {expectedCount} children, got {string.Join(",", children.Select(o => o.Code))}";
        }));

    [SkippableTheory]
    [MemberData(nameof(Personas))]
    public async Task Export_ByPersona_ContainsExactlyTheVisibleOrgs(string persona, string visible)
    {
        var client = await App.ClientFor(persona);
        var res = await client.GetAsync("/api/v1/orgs/export.xlsx");
        await res.Expect(HttpStatusCode.OK);
        Assert.Equal("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", res.Content.Headers.ContentType?.MediaType);
        using var ms = new MemoryStream(await res.Content.ReadAsByteArrayAsync());
        var rows = ms.Query(useHeaderRow: false).Cast<IDictionary<string, object?>>().ToList();
        Assert.Equal("组织名称", rows[1]["A"]?.ToString());
        var codes = rows.Skip(2).Select(r => r["E"]?.ToString()).ToHashSet();
        var sees = visible.Split(' ');
        var wrong = Targets.Where(t => sees.Contains(t.Key) != codes.Contains(t.Value))
            .Select(t => $"{persona} × {t.Key} ({t.Value}): {(codes.Contains(t.Value) ? "exported but invisible" : "visible but missing")}")
            .ToList();
        if (persona == "admin") Assert.Equal(await App.Count<Org>(), codes.Count); // the whole tree, nothing else
        AssertNone(wrong);
    }

    [SkippableTheory]
    [InlineData("admin", "GZ")]
    [InlineData("yx.office", "GZ-YX")]
    [InlineData("yx.jw", "GZ-YX")]
    [InlineData("hp.office", "GZ-HP")]
    [InlineData("yx.fgj.liaison", "GZ-YX-FGJ")]
    [InlineData("hp.fgj.liaison", "GZ-HP-FGJ")]
    public async Task ListOrgs_ByPersona_RootIsTopOfVisibleTree(string persona, string rootCode)
    {
        var client = await App.ClientFor(persona);
        var roots = await (await client.GetAsync("/api/v1/orgs")).Expect<List<OrgDto>>(HttpStatusCode.OK);
        Assert.Equal([rootCode], roots.Select(r => r.Code));
    }

    [SkippableFact]
    public async Task ListPeople_Unfiltered_LiaisonSeesOwnUnitWithMaskedPhonesHeadSeesFullPhones()
    {
        var own = await App.OrgId("GZ-YX-FGJ");
        var liaison = await (await (await App.ClientFor("yx.fgj.liaison")).GetAsync("/api/v1/people"))
            .Expect<List<PersonDto>>(HttpStatusCode.OK);
        Assert.NotEmpty(liaison);
        Assert.All(liaison, p => Assert.Equal(own, p.OrgId));
        Assert.Contains(liaison, p => p.Name == "陈志明" && p.Phone == "138****8001");
        var head = await (await (await App.ClientFor("yx.fgj.head")).GetAsync("/api/v1/people"))
            .Expect<List<PersonDto>>(HttpStatusCode.OK);
        Assert.Contains(head, p => p.Name == "陈志明" && p.Phone == "13800138001");
    }
}

public sealed class SqliteScopeMatrixTests(SqliteFixture app) : ScopeMatrixTestsBase(() => app), IClassFixture<SqliteFixture>;

public sealed class PostgresScopeMatrixTests(PostgresFixture app) : ScopeMatrixTestsBase(() => app.Factory), IClassFixture<PostgresFixture>;
