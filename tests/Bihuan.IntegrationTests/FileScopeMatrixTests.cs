using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Bihuan.Data;
using Bihuan.Domain;
using Bihuan.Features.Demands;
using Bihuan.Features.People;
using Bihuan.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Bihuan.IntegrationTests;

/// Files are records' children (ADR 0008). Every persona against files attached in records of five orgs — the city
/// committee, the 越秀 district committee (an ancestor), 越秀区发改局 (the unit of the 越秀 unit accounts), 越秀区教育局 (a
/// sibling) and 黄埔区发改局 (another district) — by every kind of record that cites files: a progress report, a closure
/// request, a meeting, a 督办单 response and a citizen's demand photo. Expected: readable exactly where the persona sees
/// the org, 404 elsewhere, by a rule written out below (not by calling AccessScope). Then the attacks: citing a file
/// one cannot see, uploading identical bytes, a PDF/HTML polyglot.
public abstract class FileScopeMatrixTestsBase(Func<BihuanFactory> factory)
{
    protected BihuanFactory App => factory();

    const string City = "GZ", Ancestor = "GZ-YX", Own = "GZ-YX-FGJ", Sibling = "GZ-YX-JYJ", Other = "GZ-HP-FGJ";
    static readonly string[] Targets = [City, Ancestor, Own, Sibling, Other];
    static readonly string[] Kinds = ["progress", "closure", "meeting", "order-response", "demand-photo"];

    /// Who sees which org's records, from the persona table in README.md: city-wide roles everything, the 越秀 district
    /// roles the 越秀 subtree, unit accounts their unit only, the 黄埔 accounts their side only.
    static readonly Dictionary<string, string[]> Sees = new()
    {
        ["admin"] = Targets,
        ["gz.office"] = Targets,
        ["gz.jw"] = Targets,
        ["gz.hotline"] = Targets,
        ["yx.office"] = [Ancestor, Own, Sibling],
        ["yx.jw"] = [Ancestor, Own, Sibling],
        ["yx.fgj.head"] = [Own],
        ["yx.fgj.liaison"] = [Own],
        ["yx.fgj.member"] = [Own],
        ["hp.office"] = [Other],
        ["hp.fgj.liaison"] = [Other],
    };

    /// The units' own records (rectification, meetings, 督办单) follow the grants that read records: the 12345 desk sees
    /// the city's work orders and their photos, none of the units' records or their files (docs/permissions.md).
    static bool SeesFile(string persona, string kind, string org) =>
        Sees[persona].Contains(org) && (kind == "demand-photo" || persona != "gz.hotline");

    public static TheoryData<string> Personas => new(Sees.Keys);

    static DateOnly Today => ChinaTime.Today(TimeProvider.System);

    /// What the arrangement left: per (kind, org) the upload a record of that org cites; per org its work order and its
    /// rectification item; the writer account per org.
    sealed record Arranged(Dictionary<(string Kind, string Org), string> Files, Dictionary<string, int> WorkOrders,
        Dictionary<string, int> Items, Dictionary<string, string> Writers);

    static readonly ConcurrentDictionary<BihuanFactory, Lazy<Task<Arranged>>> Arrangements = new();

    Task<Arranged> ArrangeAsync() => Arrangements.GetOrAdd(App, app => new(() => ArrangeOnceAsync(app))).Value;

    static string WriterOf(string org) => "files." + org.ToLowerInvariant();

    /// One liaison per target org (the demo has none at the committees), then through the API: a problem and an item
    /// with evidence on a progress report and on a closure request, a meeting with an attachment, a 督办单 answered
    /// with evidence; and a citizen's demand with a photo, dispatched to the org (the city's stays at the desk).
    static async Task<Arranged> ArrangeOnceAsync(BihuanFactory app)
    {
        var writers = new Dictionary<string, string>();
        var (db, scope) = app.SystemDb();
        using (scope)
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<Account>>();
            foreach (var code in Targets)
            {
                var account = await AccountCommands.CreateAsync(db, users, TimeProvider.System, WriterOf(code), $"文件测试联络员{code}",
                    "Files@2026bh", null, default);
                var org = await db.Orgs.SingleAsync(o => o.Code == code);
                await PeopleApi.GrantAsync(db, TimeProvider.System, new GrantInput(account.Id, org.Id, Role.Liaison), default);
                writers[code] = WriterOf(code);
            }
        }
        var files = new Dictionary<(string, string), string>();
        var workOrders = new Dictionary<string, int>();
        var items = new Dictionary<string, int>();
        var jw = await app.ClientFor("gz.jw");
        var hotline = await app.ClientFor("gz.hotline");
        var types = await (await jw.GetAsync("/api/v1/meeting-types")).Expect<JsonElement>(HttpStatusCode.OK);
        var typeId = types[0].GetProperty("id").GetInt32();
        foreach (var code in Targets)
        {
            var writer = await app.ClientFor(writers[code]);
            var orgId = await app.OrgId(code);
            var itemId = await NewItemAsync(writer, orgId, $"文件矩阵 {code}");
            items[code] = itemId;
            files[("progress", code)] = await UploadAsync(writer, TestFiles.Png(), $"{code}-进展.png");
            await (await writer.PostAsJsonAsync($"/api/v1/rectifications/{itemId}/progress",
                new { text = "已推进", percent = 60, evidence = new[] { files[("progress", code)] } })).Expect(HttpStatusCode.OK);
            files[("closure", code)] = await UploadAsync(writer, TestFiles.Png(), $"{code}-销号.png");
            await (await writer.PostAsJsonAsync($"/api/v1/rectifications/{itemId}/request-closure",
                new { text = "已整改完成", evidence = new[] { files[("closure", code)] } })).Expect(HttpStatusCode.OK);

            files[("meeting", code)] = await UploadAsync(writer, TestFiles.Png(), $"{code}-会议.png");
            await (await writer.PostAsJsonAsync("/api/v1/meetings", new
            {
                orgId, title = $"文件矩阵 {code} 专题会", typeIds = new[] { typeId }, heldOn = Today,
                attachments = new[] { files[("meeting", code)] },
            })).Expect(HttpStatusCode.Created);

            var order = await (await jw.PostAsJsonAsync("/api/v1/supervision/orders",
                new { itemIds = new[] { itemId }, requirements = "请报告整改情况" })).Expect<JsonElement>(HttpStatusCode.Created);
            var orderId = order.GetProperty("order").GetProperty("id").GetInt32();
            files[("order-response", code)] = await UploadAsync(writer, TestFiles.Png(), $"{code}-回复.png");
            await (await writer.PostAsJsonAsync($"/api/v1/supervision/orders/{orderId}/respond",
                new { text = "已按要求整改", evidence = new[] { files[("order-response", code)] } })).Expect(HttpStatusCode.OK);

            var (woId, photo) = await SubmitDemandAsync(app, $"文件矩阵 {code} 的群众诉求：窗口材料要求不一致");
            if (code != City)
                await (await hotline.PostAsJsonAsync($"/api/v1/workorders/{woId}/dispatch", new { orgId })).Expect(HttpStatusCode.OK);
            workOrders[code] = woId;
            files[("demand-photo", code)] = photo;
        }
        return new Arranged(files, workOrders, items, writers);
    }

    static async Task<int> NewItemAsync(HttpClient c, int orgId, string tag)
    {
        var p = await (await c.PostAsJsonAsync("/api/v1/problems", new
        {
            orgId, description = $"{tag}：审批材料层层加码，企业反映跑多次", source = SourceChannel.SelfInspection,
            aspect = Aspect.Duty, dimension = Dimension.RealWork, notDuplicate = true,
        })).Expect<JsonElement>(HttpStatusCode.Created);
        var item = await (await c.PostAsJsonAsync($"/api/v1/problems/{p.GetProperty("id").GetInt32()}/items", new
        {
            measures = $"{tag} 精简材料，一次告知", deadlineKind = DeadlineKind.Immediate,
        })).Expect<JsonElement>(HttpStatusCode.Created);
        return item.GetProperty("id").GetInt32();
    }

    static async Task<string> UploadAsync(HttpClient c, byte[] bytes, string name, string type = "image/png")
    {
        var (res, body) = await PostFileAsync(c, bytes, name, type);
        await res.Expect(HttpStatusCode.Created);
        return body.GetProperty("id").GetString()!;
    }

    static async Task<(HttpResponseMessage, JsonElement)> PostFileAsync(HttpClient c, byte[] bytes, string name, string type)
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue(type);
        var res = await c.PostAsync("/api/v1/files", new MultipartFormDataContent { { content, "file", name } });
        var body = res.IsSuccessStatusCode ? await res.Content.ReadFromJsonAsync<JsonElement>(Http.Json) : default;
        return (res, body);
    }

    /// A citizen's demand with one photo, through the portal's own use case (as the submit page calls it).
    static async Task<(int Order, string Photo)> SubmitDemandAsync(BihuanFactory app, string content)
    {
        var (db, scope) = app.SystemDb();
        using (scope)
        {
            var sp = scope.ServiceProvider;
            var done = await PortalCommands.SubmitAsync(db, TimeProvider.System, sp.GetRequiredService<PortalOptions>(), sp.GetRequiredService<TicketJournal>(),
                new SubmitInput(DemandType.Consult, null, content, null, "王女士", "13800138000", false),
                [PortalCommands.CheckImage(TestFiles.Png(), "现场.png")], default, sp.GetRequiredService<FileStore>());
            var photo = await db.FileCitations.IgnoreQueryFilters().Where(c => c.WorkOrderId == done.Id).Select(c => c.UploadId).SingleAsync();
            return (done.Id, photo.ToString());
        }
    }

    [SkippableTheory]
    [MemberData(nameof(Personas))]
    public async Task FileRead_ThroughTheCitingRecord_ReadableExactlyWhereThePersonaSeesTheOrg(string persona)
    {
        var a = await ArrangeAsync();
        var c = await App.ClientFor(persona);
        var wrong = new List<string>();
        foreach (var kind in Kinds)
            foreach (var org in Targets)
            {
                var expected = SeesFile(persona, kind, org) ? HttpStatusCode.OK : HttpStatusCode.NotFound;
                var got = (await c.GetAsync($"/api/v1/files/{a.Files[(kind, org)]}")).StatusCode;
                if (got != expected) wrong.Add($"{persona} × {kind} of {org}: expected {(int)expected}, got {(int)got}");
            }
        foreach (var org in Targets)
        {
            // the same photos through the work order's own link
            var expected = Sees[persona].Contains(org) ? HttpStatusCode.OK : HttpStatusCode.NotFound;
            var got = (await c.GetAsync($"/api/v1/workorders/{a.WorkOrders[org]}/images/1")).StatusCode;
            if (got != expected) wrong.Add($"{persona} × work order photo of {org}: expected {(int)expected}, got {(int)got}");
        }
        Assert.True(wrong.Count == 0, string.Join("\n", wrong));
    }

    [SkippableFact]
    public async Task FileRead_Anonymous_Is401AndTheHashOpensNothing()
    {
        var a = await ArrangeAsync();
        var admin = await App.ClientFor("admin");
        foreach (var kind in Kinds)
        {
            var id = a.Files[(kind, Own)];
            await (await App.Anonymous().GetAsync($"/api/v1/files/{id}")).Expect(HttpStatusCode.Unauthorized);
            var (db, scope) = App.SystemDb();
            string sha;
            using (scope) sha = await db.Uploads.Where(u => u.Id == Guid.Parse(id)).Select(u => u.Sha256).SingleAsync();
            await (await admin.GetAsync($"/api/v1/files/{sha}")).Expect(HttpStatusCode.NotFound);
        }
    }

    [SkippableFact]
    public async Task RecordDetails_ListTheirFiles_WithTheDownloadUrl()
    {
        var a = await ArrangeAsync();
        var head = await App.ClientFor("yx.fgj.head");
        var item = await (await head.GetAsync($"/api/v1/rectifications/{a.Items[Own]}")).Expect<JsonElement>(HttpStatusCode.OK);
        var urls = item.GetProperty("timeline").EnumerateArray()
            .SelectMany(t => t.GetProperty("evidence").EnumerateArray()).Select(f => f.GetProperty("url").GetString()).ToList();
        Assert.Equal([$"/api/v1/files/{a.Files[("progress", Own)]}", $"/api/v1/files/{a.Files[("closure", Own)]}"], urls);
        var orders = await (await head.GetAsync($"/api/v1/supervision/orders?itemId={a.Items[Own]}")).Expect<JsonElement>(HttpStatusCode.OK);
        var order = await (await head.GetAsync($"/api/v1/supervision/orders/{orders[0].GetProperty("id").GetInt32()}"))
            .Expect<JsonElement>(HttpStatusCode.OK);
        Assert.Equal(a.Files[("order-response", Own)], order.GetProperty("evidence")[0].GetProperty("id").GetString());
        var wo = await (await head.GetAsync($"/api/v1/workorders/{a.WorkOrders[Own]}")).Expect<JsonElement>(HttpStatusCode.OK);
        Assert.Equal(a.Files[("demand-photo", Own)], wo.GetProperty("images")[0].GetProperty("id").GetString());
        // the item page links the file by its upload id, under the name it was uploaded with
        var page = await (await head.GetAsync($"/ledger/{a.Items[Own]}")).Content.ReadAsStringAsync();
        Assert.Contains($"href=\"/api/v1/files/{a.Files[("progress", Own)]}\"", page);
        Assert.Contains($"{Own}-进展.png", page);
    }

    [SkippableFact]
    public async Task Cite_AnotherDistrictsFile_IsRefusedAndNothingStored()
    {
        var a = await ArrangeAsync();
        var hp = await App.ClientFor("hp.fgj.liaison");
        var jw = await App.ClientFor("gz.jw");
        var hpOrg = await App.OrgId(Other);
        var item = await NewItemAsync(hp, hpOrg, "黄埔引用越秀文件");
        var order = (await (await jw.PostAsJsonAsync("/api/v1/supervision/orders",
            new { itemIds = new[] { item }, requirements = "请报告" })).Expect<JsonElement>(HttpStatusCode.Created))
            .GetProperty("order").GetProperty("id").GetInt32();
        var yxFile = a.Files[("progress", Own)];
        var (db, scope) = App.SystemDb();
        string yxSha;
        using (scope) yxSha = await db.Uploads.Where(u => u.Id == Guid.Parse(yxFile)).Select(u => u.Sha256).SingleAsync();
        // besides a file cited in a 越秀 record: another district's unattached upload, a citizen's photo, the hash itself
        var yxUnattached = await UploadAsync(await App.ClientFor("yx.fgj.liaison"), TestFiles.Png(), "未引用.png");
        var stolen = new[] { yxFile, a.Files[("meeting", Sibling)], a.Files[("demand-photo", City)], yxUnattached };

        var before = await CountsAsync();
        foreach (var id in stolen)
        {
            await (await hp.PostAsJsonAsync($"/api/v1/rectifications/{item}/progress", new { text = "进展", percent = 50, evidence = new[] { id } }))
                .ExpectProblem(HttpStatusCode.BadRequest, "evidence");
            await (await hp.PostAsJsonAsync("/api/v1/meetings", new
            {
                orgId = hpOrg, title = "黄埔专题会", typeIds = new[] { await TypeIdAsync(hp) }, heldOn = Today, attachments = new[] { id },
            })).ExpectProblem(HttpStatusCode.BadRequest, "attachments");
            await (await hp.PostAsJsonAsync($"/api/v1/supervision/orders/{order}/respond", new { text = "已整改", evidence = new[] { id } }))
                .ExpectProblem(HttpStatusCode.BadRequest, "evidence");
        }
        await (await hp.PostAsJsonAsync($"/api/v1/rectifications/{item}/progress", new { text = "进展", evidence = new[] { yxSha } }))
            .ExpectProblem(HttpStatusCode.BadRequest);
        Assert.Equal(before, await CountsAsync());
        // a closure request backed by another district's file: refused, the item stays in progress
        await (await hp.PostAsJsonAsync($"/api/v1/rectifications/{item}/progress", new { text = "推进中", percent = 80 })).Expect(HttpStatusCode.OK);
        await (await hp.PostAsJsonAsync($"/api/v1/rectifications/{item}/request-closure", new { text = "已完成", evidence = new[] { yxFile } }))
            .ExpectProblem(HttpStatusCode.BadRequest, "evidence");
        var detail = await (await hp.GetAsync($"/api/v1/rectifications/{item}")).Expect<JsonElement>(HttpStatusCode.OK);
        Assert.Equal("整改中", detail.GetProperty("item").GetProperty("statusLabel").GetString());
        Assert.All(detail.GetProperty("timeline").EnumerateArray(), t => Assert.Equal(0, t.GetProperty("evidence").GetArrayLength()));
        // and the file is still nothing to them
        foreach (var id in stolen) await (await hp.GetAsync($"/api/v1/files/{id}")).Expect(HttpStatusCode.NotFound);
    }

    [SkippableFact]
    public async Task Cite_ColleaguesUnattachedUpload_IsRefused_ButAFileCitedInAVisibleRecordForwards()
    {
        var a = await ArrangeAsync();
        var head = await App.ClientFor("yx.fgj.head");
        var fgj = await App.OrgId(Own);
        var item = await NewItemAsync(head, fgj, "转引佐证");
        // the liaison's upload is theirs until they attach it: the head (same unit) can neither read nor cite it
        var liaisons = await UploadAsync(await App.ClientFor("yx.fgj.liaison"), TestFiles.Png(), "联络员草稿.png");
        await (await head.GetAsync($"/api/v1/files/{liaisons}")).Expect(HttpStatusCode.NotFound);
        await (await head.PostAsJsonAsync($"/api/v1/rectifications/{item}/progress", new { text = "x", evidence = new[] { liaisons } }))
            .ExpectProblem(HttpStatusCode.BadRequest, "evidence");
        // a file a record the head sees already cites may be cited again (forwarded within scope)
        var forwarded = a.Files[("progress", Own)];
        var d = await (await head.PostAsJsonAsync($"/api/v1/rectifications/{item}/progress",
            new { text = "引用已报送的佐证", percent = 30, evidence = new[] { forwarded } })).Expect<JsonElement>(HttpStatusCode.OK);
        Assert.Equal(forwarded, d.GetProperty("timeline")[0].GetProperty("evidence")[0].GetProperty("id").GetString());
        await (await (await App.ClientFor("yx.fgj.member")).GetAsync($"/api/v1/files/{forwarded}")).Expect(HttpStatusCode.OK);
        await (await (await App.ClientFor("hp.office")).GetAsync($"/api/v1/files/{forwarded}")).Expect(HttpStatusCode.NotFound);
    }

    [SkippableFact]
    public async Task OwnUpload_ReadableUntilAttached_ThenOnlyThroughTheRecord_CitableOnlyInScope()
    {
        var a = await ArrangeAsync();
        var writer = await App.ClientFor(a.Writers[Sibling]);
        var attached = await UploadAsync(writer, TestFiles.Png(), "已引用.png");
        var item = await NewItemAsync(writer, await App.OrgId(Sibling), "撤权后的文件");
        await (await writer.PostAsJsonAsync($"/api/v1/rectifications/{item}/progress",
            new { text = "x", evidence = new[] { attached } })).Expect(HttpStatusCode.OK);
        var loose = await UploadAsync(writer, TestFiles.Png(), "未引用.png");
        await (await writer.GetAsync($"/api/v1/files/{attached}")).Expect(HttpStatusCode.OK);

        // the writer loses the unit: the attached file went with the record; the loose one is still theirs to read,
        // but no longer theirs to cite (their upload was for an org they no longer hold)
        var admin = await App.ClientFor("admin");
        var grants = await (await admin.GetAsync($"/api/v1/roles?orgId={await App.OrgId(Sibling)}")).Expect<JsonElement>(HttpStatusCode.OK);
        var grant = grants.EnumerateArray().Single(g => g.GetProperty("userName").GetString() == a.Writers[Sibling]);
        await (await admin.DeleteAsync($"/api/v1/roles/{grant.GetProperty("id").GetInt32()}")).Expect(HttpStatusCode.NoContent);
        await (await writer.GetAsync($"/api/v1/files/{attached}")).Expect(HttpStatusCode.NotFound);
        await (await writer.GetAsync($"/api/v1/files/{loose}")).Expect(HttpStatusCode.OK);
        var (db, scope) = App.SystemDb();
        using (scope)
        {
            var account = await db.Users.SingleAsync(u => u.UserName == a.Writers[Sibling]);
            var hpItemOrg = await db.Orgs.SingleAsync(o => o.Code == Other);
            await PeopleApi.GrantAsync(db, TimeProvider.System, new GrantInput(account.Id, hpItemOrg.Id, Role.Liaison), default);
        }
        var hpItem = await NewItemAsync(writer, await App.OrgId(Other), "换单位后引用旧文件");
        await (await writer.PostAsJsonAsync($"/api/v1/rectifications/{hpItem}/progress", new { text = "x", evidence = new[] { loose } }))
            .ExpectProblem(HttpStatusCode.BadRequest, "evidence");
    }

    [SkippableFact]
    public async Task Upload_IdenticalBytesByTwoAccounts_TheSecondLearnsNothingOfTheFirst()
    {
        var bytes = Encoding.UTF8.GetBytes($"%PDF-1.4\n% 越秀区发改局内部材料 {Guid.NewGuid():N}\n%%EOF\n");
        var yx = await App.ClientFor("yx.fgj.liaison");
        var hp = await App.ClientFor("hp.fgj.liaison");
        var (r1, first) = await PostFileAsync(yx, bytes, "越秀区发改局内部材料.pdf", "application/pdf");
        await r1.Expect(HttpStatusCode.Created);
        var (r2, second) = await PostFileAsync(hp, bytes, "黄埔自查.pdf", "application/pdf");
        await r2.Expect(HttpStatusCode.Created);
        var (r3, fresh) = await PostFileAsync(hp, Encoding.UTF8.GetBytes($"%PDF-1.4\n% {Guid.NewGuid():N}\n%%EOF\n"), "另一份.pdf", "application/pdf");
        await r3.Expect(HttpStatusCode.Created);

        // an upload of the caller's own: its own id and name, the same fields as for never-seen bytes, nothing else
        var secondId = second.GetProperty("id").GetString();
        Assert.NotEqual(first.GetProperty("id").GetString(), secondId);
        Assert.Equal("黄埔自查.pdf", second.GetProperty("name").GetString());
        Assert.Equal($"/api/v1/files/{secondId}", r2.Headers.Location?.OriginalString);
        Assert.Equal(Names(fresh), Names(second));
        Assert.Equal(["contentType", "id", "name", "sha256", "size", "url"], Names(second));
        var text = await r2.Content.ReadAsStringAsync();
        foreach (var leak in new[] { "越秀", "yx.fgj", "张丽娟", first.GetProperty("id").GetString()! })
            Assert.DoesNotContain(leak, text);
        // each reads their own; neither reads the other's
        await (await hp.GetAsync($"/api/v1/files/{secondId}")).Expect(HttpStatusCode.OK);
        await (await hp.GetAsync($"/api/v1/files/{first.GetProperty("id").GetString()}")).Expect(HttpStatusCode.NotFound);
        await (await yx.GetAsync($"/api/v1/files/{secondId}")).Expect(HttpStatusCode.NotFound);
        var down = await hp.GetAsync($"/api/v1/files/{secondId}");
        Assert.Equal("黄埔自查.pdf", down.Content.Headers.ContentDisposition?.FileNameStar);
        Assert.Equal(bytes, await down.Content.ReadAsByteArrayAsync());

        static List<string> Names(JsonElement e) => e.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal).ToList();
    }

    [SkippableTheory]
    [InlineData("evil.html", "text/html")]
    [InlineData("evil.pdf.html", "application/pdf")]
    [InlineData("evil", "application/octet-stream")]
    public async Task Download_PdfHtmlPolyglot_ServedAsPdfAttachment(string name, string declared)
    {
        var bytes = Encoding.UTF8.GetBytes($"%PDF-1.4\n<html><body><script>alert(document.domain)</script>{Guid.NewGuid():N}</body></html>\n%%EOF\n");
        var liaison = await App.ClientFor("yx.fgj.liaison");
        var (res, up) = await PostFileAsync(liaison, bytes, name, declared);
        await res.Expect(HttpStatusCode.Created);
        Assert.Equal("application/pdf", up.GetProperty("contentType").GetString());
        Assert.EndsWith(".pdf", up.GetProperty("name").GetString());
        var id = up.GetProperty("id").GetString()!;
        var item = await NewItemAsync(liaison, await App.OrgId(Own), "多格式文件");
        await (await liaison.PostAsJsonAsync($"/api/v1/rectifications/{item}/progress", new { text = "x", evidence = new[] { id } }))
            .Expect(HttpStatusCode.OK);
        foreach (var reader in new[] { "yx.fgj.liaison", "yx.office" })
        {
            var down = await (await App.ClientFor(reader)).GetAsync($"/api/v1/files/{id}");
            await down.Expect(HttpStatusCode.OK);
            Assert.Equal("application/pdf", down.Content.Headers.ContentType?.MediaType);
            var cd = down.Content.Headers.ContentDisposition!;
            Assert.Equal("attachment", cd.DispositionType);
            Assert.EndsWith(".pdf", cd.FileName!.Trim('"'));
            Assert.EndsWith(".pdf", cd.FileNameStar);
            Assert.DoesNotContain(".html", cd.FileNameStar, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain(".html", cd.FileName, StringComparison.OrdinalIgnoreCase);
            Assert.Equal("nosniff", string.Join(",", down.Headers.GetValues("X-Content-Type-Options")));
            Assert.Contains("sandbox", string.Join(",", down.Headers.GetValues("Content-Security-Policy")));
        }
    }

    [SkippableFact]
    public async Task Download_ImageUnderAnotherName_InlineWithItsOwnExtension()
    {
        var liaison = await App.ClientFor("yx.fgj.liaison");
        var id = await UploadAsync(liaison, TestFiles.Png(), "现场.html", "text/html");
        var down = await liaison.GetAsync($"/api/v1/files/{id}");
        await down.Expect(HttpStatusCode.OK);
        Assert.Equal("image/png", down.Content.Headers.ContentType?.MediaType);
        Assert.Equal("inline", down.Content.Headers.ContentDisposition?.DispositionType);
        Assert.Equal("现场.png", down.Content.Headers.ContentDisposition?.FileNameStar);
    }

    /// Files are cited by upload id everywhere the API takes them. The 督办单's WorkOrderActionInput shares its name with the
    /// work order's: each keeps a schema of its own (one standing for both would hide the 督办单's evidence field).
    [SkippableFact]
    public async Task OpenApi_DescribesUploadsAndCitationsByUploadId()
    {
        var doc = await (await App.Anonymous().GetAsync("/openapi/v1.json")).Expect<JsonElement>(HttpStatusCode.OK);
        var paths = doc.GetProperty("paths");
        var post = paths.GetProperty("/api/v1/files").GetProperty("post");
        Assert.True(post.GetProperty("requestBody").GetProperty("content").TryGetProperty("multipart/form-data", out _));
        Assert.True(post.GetProperty("responses").TryGetProperty("201", out _));
        var get = paths.GetProperty("/api/v1/files/{id}").GetProperty("get");
        Assert.Equal("uuid", get.GetProperty("parameters")[0].GetProperty("schema").GetProperty("format").GetString());
        Assert.True(get.GetProperty("responses").TryGetProperty("404", out _));
        var schemas = doc.GetProperty("components").GetProperty("schemas");
        (string Schema, string Field)[] citing =
            [("ActionInput", "evidence"), ("SupervisionOrderActionInput", "evidence"), ("MeetingInput", "attachments")];
        foreach (var (schema, field) in citing)
        {
            var items = schemas.GetProperty(schema).GetProperty("properties").GetProperty(field).GetProperty("items");
            Assert.Equal("uuid", items.GetProperty("format").GetString());
        }
        var workOrderAction = schemas.GetProperty("WorkOrderActionInput").GetProperty("properties");
        Assert.False(workOrderAction.TryGetProperty("evidence", out _));
        Assert.True(workOrderAction.TryGetProperty("orgId", out _));
        Assert.False(schemas.TryGetProperty("OrderActionInput", out _));   // no schema one name for two types
        Assert.True(schemas.TryGetProperty("FileRef", out _));
    }

    async Task<int> TypeIdAsync(HttpClient c) =>
        (await (await c.GetAsync("/api/v1/meeting-types")).Expect<JsonElement>(HttpStatusCode.OK))[0].GetProperty("id").GetInt32();

    async Task<(int, int, int, int, int)> CountsAsync() => (await App.Count<RectUpdate>(), await App.Count<FileCitation>(),
        await App.Count<Meeting>(), await App.Count<SupervisionEvent>(), await App.Count<Upload>());
}

public sealed class SqliteFileScopeMatrixTests(SqliteFixture app) : FileScopeMatrixTestsBase(() => app), IClassFixture<SqliteFixture>;

public sealed class PostgresFileScopeMatrixTests(PostgresFixture app)
    : FileScopeMatrixTestsBase(() => app.Factory), IClassFixture<PostgresFixture>;
