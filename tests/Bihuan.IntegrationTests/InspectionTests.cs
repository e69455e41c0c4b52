using System.Net;
using System.Net.Http.Json;
using Bihuan.Domain;
using Bihuan.Features.Rectification;
using Microsoft.EntityFrameworkCore;

namespace Bihuan.IntegrationTests;

/// 对照查摆 (/api/v1/orgs/{id}/inspection and the page /orgs/{id}/inspect): one use case behind both. The sheet counts
/// problems per category × aspect, a 无 mark counts a cell as examined, marking twice changes nothing, and only who may
/// record problems for the org may mark. Each test uses its own org, so the shared database does not couple them.
public abstract class InspectionTestsBase(Func<BihuanFactory> factory)
{
    protected BihuanFactory App => factory();

    static int Aspects => Enum.GetValues<Aspect>().Length;

    async Task<List<int>> LiveCategories()
    {
        var (db, scope) = App.SystemDb();
        using (scope)
            return await db.Categories.Where(c => !c.Archived).OrderBy(c => c.SortOrder).ThenBy(c => c.Id)
                .Select(c => c.Id).ToListAsync();
    }

    static InspectionCell Cell(InspectionSheet s, int category, Aspect a) =>
        s.Rows.Single(r => r.CategoryId == category).Cells.Single(c => c.Aspect == a);

    async Task<InspectionSheet> Sheet(HttpClient c, int org) =>
        await (await c.GetAsync($"/api/v1/orgs/{org}/inspection")).Expect<InspectionSheet>(HttpStatusCode.OK);

    [SkippableFact]
    public async Task Sheet_CountsProblemsAndMarks_MarkingTwiceChangesNothing()
    {
        var liaison = await App.ClientFor("yx.fgj.liaison");
        var org = await App.OrgId("GZ-YX-FGJ");
        var cats = await LiveCategories();
        Assert.True(cats.Count >= 2, "the seed has deviation categories");
        var before = await Sheet(liaison, org);
        Assert.Equal(cats.Count * Aspects, before.Total);
        Assert.Equal(cats, before.Rows.Select(r => r.CategoryId).ToList());
        Assert.True(before.CanMark);

        // a cell nobody has touched: no problem and no mark for (category, Personal)
        var free = cats.First(c => !Cell(before, c, Aspect.Personal).Examined);
        var problemCat = cats.First(c => c != free && Cell(before, c, Aspect.Work).Problems == 0);
        var problemsBefore = Cell(before, problemCat, Aspect.Work);
        await (await liaison.PostAsJsonAsync("/api/v1/problems", new
        {
            orgId = org, description = "对照查摆测试：台账更新不及时" + Guid.NewGuid().ToString("N")[..6],
            source = SourceChannel.SelfInspection, aspect = Aspect.Work, categoryId = problemCat,
            dimension = Dimension.RealWork, notDuplicate = true,
        })).Expect(HttpStatusCode.Created);

        var marked = await (await liaison.PostAsJsonAsync($"/api/v1/orgs/{org}/inspection/marks",
            new { categoryId = free, aspect = Aspect.Personal })).Expect<InspectionSheet>(HttpStatusCode.OK);
        var cell = Cell(marked, free, Aspect.Personal);
        Assert.Equal(0, cell.Problems);
        Assert.Equal(Inspection.NothingFound, cell.Mark?.Note);
        Assert.Equal("yx.fgj.liaison", cell.Mark?.CheckedBy);
        Assert.Equal(1, Cell(marked, problemCat, Aspect.Work).Problems);
        var newlyExamined = (problemsBefore.Examined ? 0 : 1) + 1;
        Assert.Equal(before.Examined + newlyExamined, marked.Examined);

        var again = await (await liaison.PostAsJsonAsync($"/api/v1/orgs/{org}/inspection/marks",
            new { categoryId = free, aspect = Aspect.Personal, note = "第二次" })).Expect<InspectionSheet>(HttpStatusCode.OK);
        Assert.Equal(marked.Examined, again.Examined);
        Assert.Equal(Inspection.NothingFound, Cell(again, free, Aspect.Personal).Mark?.Note);
        var (db, scope) = App.SystemDb();
        using (scope)
            Assert.Equal(1, await db.InspectionChecks.CountAsync(c => c.OrgId == org && c.CategoryId == free && c.Aspect == Aspect.Personal));

        // a mark is one cell: the other aspects of that category are as they were
        Assert.Equal(Cell(before, free, Aspect.Duty), Cell(again, free, Aspect.Duty));
    }

    [SkippableFact]
    public async Task Mark_BadInput_Refused_NothingStored()
    {
        var org = await App.OrgId("GZ-YX-JYJ");
        var cats = await LiveCategories();
        var url = $"/api/v1/orgs/{org}/inspection/marks";
        var member = await App.ClientFor("yx.office");   // the district office records problems over JYJ
        await (await member.PostAsJsonAsync(url, new { aspect = Aspect.Duty })).ExpectProblem(HttpStatusCode.BadRequest, "categoryId");
        await (await member.PostAsJsonAsync(url, new { categoryId = cats[0] })).ExpectProblem(HttpStatusCode.BadRequest, "aspect");
        await (await member.PostAsJsonAsync(url, new { categoryId = cats[0], aspect = 7 })).ExpectProblem(HttpStatusCode.BadRequest, "aspect");
        await (await member.PostAsJsonAsync(url, new { categoryId = int.MaxValue, aspect = Aspect.Duty }))
            .ExpectProblem(HttpStatusCode.BadRequest, "categoryId");
        await (await member.PostAsJsonAsync(url, new { categoryId = cats[0], aspect = Aspect.Duty, note = new string('查', 501) }))
            .ExpectProblem(HttpStatusCode.BadRequest, "note");
        var (db, scope) = App.SystemDb();
        using (scope)
            Assert.Equal(0, await db.InspectionChecks.CountAsync(c => c.OrgId == org));
    }

    [SkippableFact]
    public async Task Mark_OnlyWhoRecordsProblems_OtherDistrictSeesNothing()
    {
        var org = await App.OrgId("GZ-YX-FGJ");
        var cats = await LiveCategories();
        var last = cats[^1];
        var body = new { categoryId = last, aspect = Aspect.Duty };
        // the district supervisor sees the sheet but records no problems: 403, and the sheet says so
        var jw = await App.ClientFor("yx.jw");
        Assert.False((await Sheet(jw, org)).CanMark);
        await (await jw.PostAsJsonAsync($"/api/v1/orgs/{org}/inspection/marks", body)).ExpectProblem(HttpStatusCode.Forbidden);
        // another district: the org is not in scope at all
        var hp = await App.ClientFor("hp.office");
        await (await hp.GetAsync($"/api/v1/orgs/{org}/inspection")).Expect(HttpStatusCode.NotFound);
        await (await hp.PostAsJsonAsync($"/api/v1/orgs/{org}/inspection/marks", body)).Expect(HttpStatusCode.NotFound);
        var (db, scope) = App.SystemDb();
        using (scope)
            Assert.False(await db.InspectionChecks.AnyAsync(c => c.OrgId == org && c.CategoryId == last && c.Aspect == Aspect.Duty));
    }

    [SkippableFact]
    public async Task Page_MarksThroughTheSameUseCase_ApiSeesIt()
    {
        var org = await App.OrgId("GZ-YX-FGJ");
        var cats = await LiveCategories();
        var browser = await StaffBrowser.SignIn(App, "yx.fgj.head");
        var page = await (await browser.GetAsync($"/orgs/{org}/inspect")).Content.ReadAsStringAsync();
        var api = await App.ClientFor("yx.fgj.head");
        var before = await Sheet(api, org);
        var free = cats.First(c => !Cell(before, c, Aspect.Duty).Examined);
        var form = $"none-{free}-{Aspect.Duty}";
        Assert.Contains($"value=\"{form}\"", page);
        var posted = await browser.PostAsync($"/orgs/{org}/inspect", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = form, ["__RequestVerificationToken"] = StaffBrowser.Token(page),
        }));
        await posted.Expect(HttpStatusCode.OK);
        Assert.Contains("已记录", await posted.Content.ReadAsStringAsync());
        var after = await Sheet(api, org);
        Assert.Equal("yx.fgj.head", Cell(after, free, Aspect.Duty).Mark?.CheckedBy);
        Assert.Equal(before.Examined + 1, after.Examined);
        // the supervisor's page offers no mark form
        var jw = await StaffBrowser.SignIn(App, "yx.jw");
        Assert.DoesNotContain("none-", await (await jw.GetAsync($"/orgs/{org}/inspect")).Content.ReadAsStringAsync());
    }
}

public sealed class SqliteInspectionTests(SqliteFixture app) : InspectionTestsBase(() => app), IClassFixture<SqliteFixture>;

public sealed class PostgresInspectionTests(PostgresFixture app) : InspectionTestsBase(() => app.Factory), IClassFixture<PostgresFixture>;
