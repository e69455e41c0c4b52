using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Bihuan.Domain;
using Bihuan.Infrastructure;
using Bihuan.Tests.Builders;

namespace Bihuan.IntegrationTests;

/// Every import endpoint refuses a hostile file early, over HTTP, with a 400 whose title names the limit, and
/// stores nothing (no problem, no org, no article, no audit entry): shared-string bombs, a zip that understates a
/// part, too many rows, a value past the last column, a giant cell, an oversized upload. The limits are the defaults.
public abstract class ImportBombTestsBase(Func<BihuanFactory> factory)
{
    protected BihuanFactory App => factory();
    static ImportLimits Limits => ImportLimits.Default;
    const string User = "yx.fgj.liaison", Unit = "GZ-YX-FGJ";

    static string Refusal(string format, params object[] args) => new Phrase(format, args).ToString();

    static MultipartFormDataContent Form(byte[] bytes, string name)
    {
        var file = new ByteArrayContent(bytes);
        file.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        return new MultipartFormDataContent { { file, "file", name } };
    }

    async Task<HttpResponseMessage> LedgerImport(byte[] bytes, string name = "台账.xlsx")
    {
        var client = await App.ClientFor(User);
        client.Timeout = TimeSpan.FromMinutes(5);
        using var form = Form(bytes, name);
        return await client.PostAsync($"/api/v1/rectifications/import?orgId={await App.OrgId(Unit)}&commit=true", form);
    }

    async Task<(int Problems, int Items, int Orgs, int Articles, int Entries)> Stored() =>
        (await App.Count<Problem>(), await App.Count<RectItem>(), await App.Count<Org>(), await App.Count<StudyArticle>(),
            await App.Count<AuditEntry>());

    public static TheoryData<string> Bombs() =>
        ["shared-count", "shared-count-undeclared", "shared-chars", "shared-100mb", "size-lie", "rows", "columns", "giant-cell",
         "zip-entries", "csv-giant-cell"];

    static (byte[] Bytes, string Name, string Message) Bomb(string kind) => kind switch
    {
        "shared-count" => (XlsxBuilder.SharedStringsBomb(Limits.MaxSharedStrings + 1, 12), "a.xlsx",
            Refusal(Sheets.TooManySharedStrings, Limits.MaxSharedStrings)),
        "shared-count-undeclared" => (XlsxBuilder.SharedStringsBomb(Limits.MaxSharedStrings + 1, 12, declareCount: false), "a.xlsx",
            Refusal(Sheets.TooManySharedStrings, Limits.MaxSharedStrings)),
        "shared-chars" => (XlsxBuilder.SharedStringsBomb((int)(Limits.MaxSharedStringChars / 20_000) + 1, 20_000), "a.xlsx",
            Refusal(Sheets.TooMuchSharedText, Limits.MaxSharedStringChars)),
        "shared-100mb" => (XlsxBuilder.SharedStringsBomb(1, 34_000_000), "a.xlsx", Refusal(Sheets.SharedStringTooLong, Limits.MaxCellChars)),
        "size-lie" => (XlsxBuilder.DeclaredSizeLie(Limits.MaxDecompressedBytes + 16L * 1024 * 1024), "a.xlsx", Sheets.Corrupt),
        "rows" => (XlsxBuilder.ManyRows(Limits.MaxRows + 1), "a.xlsx", Refusal(Sheets.TooManyRows, Limits.MaxRows)),
        "columns" => (FarColumn(), "a.xlsx", Refusal(Sheets.TooManyColumns, 2, Sheets.ColumnName(Limits.MaxColumns), Limits.MaxColumns)),
        "giant-cell" => (XlsxBuilder.GiantCell(Limits.MaxCellChars + 1), "a.xlsx", Refusal(Sheets.CellTooLong, 2, "B", Limits.MaxCellChars)),
        "zip-entries" => (XlsxBuilder.Raw(_ => { }, extraEntries: 10_001), "a.xlsx", Refusal(Sheets.TooManyParts, 10_000)),
        _ => (System.Text.Encoding.UTF8.GetBytes("问题描述,整改措施,整改时限\n" + new string('长', Limits.MaxCellChars + 1) + ",措施,2026-12-31\n"),
            "a.csv", Refusal(Sheets.CellTooLong, 2, "A", Limits.MaxCellChars)),
    };

    /// A ledger header, then a row with a value one column past the limit.
    static byte[] FarColumn()
    {
        var cells = new object?[Limits.MaxColumns + 1];
        cells[0] = "越秀区发改局 问题";
        cells[^1] = "多余的列";
        return new XlsxBuilder().Row(1, "问题描述", "整改措施", "整改时限").Row(2, cells).Build("整改台账");
    }

    [SkippableTheory]
    [MemberData(nameof(Bombs))]
    public async Task LedgerImport_Bomb_Refused400NamingTheLimitAndNothingStored(string kind)
    {
        var (bytes, name, message) = Bomb(kind);
        await App.ClientFor(User);
        var before = await Stored();

        var p = await (await LedgerImport(bytes, name)).ExpectProblem(HttpStatusCode.BadRequest);

        Assert.Equal(message, p.GetProperty("title").GetString());
        Assert.Equal("import_invalid", p.GetProperty("code").GetString());
        Assert.Equal(before, await Stored());
    }

    [SkippableFact]
    public async Task LedgerImport_UploadPastTheLimit_RefusedAndNothingStored()
    {
        await App.ClientFor(User);
        var before = await Stored();
        var big = new byte[Limits.MaxUploadBytes + 1];
        "PK\x03\x04"u8.CopyTo(big);

        var p = await (await LedgerImport(big)).ExpectProblem(HttpStatusCode.BadRequest);
        Assert.Equal(Refusal(Sheets.TooLarge, Limits.UploadMegabytes), p.GetProperty("title").GetString());

        // past the request bound itself: the form reader stops; a 4xx, never a 500
        var huge = await LedgerImport(new byte[Limits.MaxRequestBytes + 1024 * 1024]);
        Assert.True((int)huge.StatusCode is >= 400 and < 500, await huge.Describe());
        Assert.Equal(before, await Stored());
    }

    [SkippableFact]
    public async Task OrgAndStudyImports_SharedStringBomb_Refused400AndNothingStored()
    {
        var (bytes, _, message) = Bomb("shared-100mb");
        var admin = await App.ClientFor("admin");
        admin.Timeout = TimeSpan.FromMinutes(5);
        var before = await Stored();

        using (var form = Form(bytes, "组织.xlsx"))
        {
            var p = await (await admin.PostAsync("/api/v1/orgs/import?commit=true", form)).ExpectProblem(HttpStatusCode.BadRequest);
            Assert.Equal(message, p.GetProperty("title").GetString());
        }
        using (var form = Form(bytes, "目录.xlsx"))
        {
            var p = await (await admin.PostAsync("/api/v1/study/materials/import?commit=true", form))
                .ExpectProblem(HttpStatusCode.BadRequest, "file");
            Assert.Equal(message, p.GetProperty("errors").GetProperty("file")[0].GetString());
        }
        Assert.Equal(before, await Stored());
    }

    [SkippableFact]
    public async Task LedgerImportPage_Bomb_ShowsTheLimitInTheReadersLanguage()
    {
        var (bytes, _, message) = Bomb("rows");
        var english = Refusal("The sheet has more than {0:N0} rows; split it and import the parts", Limits.MaxRows);
        foreach (var (culture, expected) in new[] { ("zh-CN", message), ("en", english) })
        {
            var browser = await StaffBrowser.SignIn(App, User);
            var url = $"/ledger/import?culture={culture}&ui-culture={culture}";
            var page = await browser.GetStringAsync(url);
            using var upload = new MultipartFormDataContent
            {
                { new StringContent("upload"), "_handler" }, { new StringContent(StaffBrowser.Token(page)), "__RequestVerificationToken" },
                { new StringContent(Unit), "orgCode" }, { new ByteArrayContent(bytes), "file", "台账.xlsx" },
            };
            var html = WebUtility.HtmlDecode(await (await browser.PostAsync(url, upload)).Content.ReadAsStringAsync());
            Assert.True(html.Contains(expected, StringComparison.Ordinal), $"{culture}: no “{expected}” in the page");
        }
    }
}

/// A signed-in browser session for the plain-form pages (cookie and antiforgery token as a browser keeps them).
static class StaffBrowser
{
    public static async Task<HttpClient> SignIn(BihuanFactory app, string user)
    {
        var browser = app.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions
        {
            AllowAutoRedirect = false, HandleCookies = true,
        });
        browser.Timeout = TimeSpan.FromMinutes(5);
        var login = await (await browser.GetAsync("/login")).Content.ReadAsStringAsync();
        await (await browser.PostAsync("/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "login", ["__RequestVerificationToken"] = Token(login),
            ["Input.UserName"] = user, ["Input.Password"] = "Demo@2026bh",
        }))).Expect(HttpStatusCode.Found);
        return browser;
    }

    public static string Token(string html) => WebUtility.HtmlDecode(System.Text.RegularExpressions.Regex
        .Match(html, "name=\"__RequestVerificationToken\"[^>]*value=\"([^\"]+)\"").Groups[1].Value);
}

public sealed class SqliteImportBombTests(SqliteFixture app) : ImportBombTestsBase(() => app), IClassFixture<SqliteFixture>;

public sealed class PostgresImportBombTests(PostgresFixture app) : ImportBombTestsBase(() => app.Factory), IClassFixture<PostgresFixture>;
