using System.Text.RegularExpressions;
using Bihuan.Domain;
using Bihuan.IntegrationTests;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace Bihuan.BrowserTests;

/// The rectification ledger in a real browser: a 联络员 registers a problem, reports progress with a photo and asks
/// for closure; the district office returns it once, then verifies it, and later reopens it (重新整改).
public sealed class LedgerJourneyTests(BrowserApp app, ITestOutputHelper output) : IClassFixture<BrowserApp>
{
    static ILocator MainArea(IPage page) => page.Locator("main");

    /// The lifecycle form whose heading is exactly `title`.
    static ILocator Form(IPage page, string title) => MainArea(page).Locator("form.box")
        .Filter(new() { Has = page.GetByRole(AriaRole.Heading, new() { Name = title, Exact = true }) });

    static ILocator Status(IPage page) => MainArea(page).Locator("dl.facts dt:text-is('状态') + dd");

    static FilePayload Photo(string name) => new() { Name = name, MimeType = "image/png", Buffer = TestFiles.Png(width: 320, height: 200) };

    DateOnly Deadline()
    {
        var cal = app.Factory.Services.GetRequiredService<WorkingCalendar>();
        var d = ChinaTime.Today(TimeProvider.System).AddDays(21);
        while (!cal.EstimateIsWorkingDay(d)) d = d.AddDays(1);
        return d;
    }

    static async Task Submit(ILocator form)
    {
        await form.Locator("button[type=submit]").ClickAsync();
        await form.Page.WaitForLoadStateAsync(LoadState.Load);
    }

    [SkippableFact]
    public async Task Liaison_FilesProgressWithPhoto_OfficeReturnsVerifiesAndReopens()
    {
        var tag = "测试" + Guid.NewGuid().ToString("N")[..6];
        var liaison = await app.NewPageAsync();
        await BrowserApp.SignInAsync(liaison, "yx.fgj.liaison");

        // 1. the liaison registers a problem with its first measure
        await liaison.GotoAsync("/problems/new");
        await Assertions.Expect(liaison.Locator("input[name='Input.OrgCode']")).ToHaveValueAsync("GZ-YX-FGJ");
        await liaison.Locator("textarea[name='Input.Description']").FillAsync($"{tag}：项目审批材料层层加码，企业反映办事难");
        await liaison.Locator("select[name='Input.Source']").SelectOptionAsync(nameof(SourceChannel.PublicOpinion));
        await liaison.Locator("select[name='Input.Aspect']").SelectOptionAsync(nameof(Aspect.Duty));
        await liaison.Locator("select[name='Input.Dimension']").SelectOptionAsync(nameof(Dimension.ForThePeople));
        await liaison.Locator("textarea[name='Input.Measures']").FillAsync($"{tag} 精简审批材料清单，推行一次性告知");
        await liaison.Locator("input[name='Input.Handler']").FillAsync("张丽娟");
        await liaison.Locator("select[name='Input.Kind']").SelectOptionAsync(nameof(DeadlineKind.Dated));
        await liaison.Locator("input[name='Input.Deadline']").FillAsync(Deadline().ToString("yyyy-MM-dd"));
        await liaison.GetByRole(AriaRole.Button, new() { Name = "登记", Exact = true }).ClickAsync();
        await liaison.WaitForURLAsync(new Regex(@"/ledger/\d+$"));
        var itemUrl = new Uri(liaison.Url).AbsolutePath;
        await Assertions.Expect(MainArea(liaison).Locator("h1")).ToContainTextAsync(tag);
        await Assertions.Expect(Status(liaison)).ToContainTextAsync("待整改");

        // 2. progress with a photo
        var progress = Form(liaison, "报送进展");
        await progress.Locator("textarea[name=text]").FillAsync("已梳理审批事项 23 项，拟精简为 9 项");
        await progress.Locator("input[name=percent]").FillAsync("60");
        await progress.Locator("input[name=files]").SetInputFilesAsync(Photo("整改现场.png"));
        await Submit(progress);
        await Assertions.Expect(MainArea(liaison).Locator(".notice.ok")).ToHaveTextAsync("已办理");
        await Assertions.Expect(Status(liaison)).ToContainTextAsync("整改中（60%）");
        var photoLink = MainArea(liaison).Locator("ol.timeline .evidence a", new() { HasText = "整改现场.png" });
        await Assertions.Expect(photoLink).ToBeVisibleAsync();
        // the photo is served back as the same image, inline, never sniffed
        var photo = await liaison.Context.APIRequest.GetAsync(await photoLink.GetAttributeAsync("href") ?? "");
        Assert.Equal(200, photo.Status);
        Assert.Equal("image/png", photo.Headers["content-type"]);
        Assert.Equal("nosniff", photo.Headers["x-content-type-options"]);

        // 3. closure requested (the photo counts as evidence)
        var closure = Form(liaison, "申请销号");
        await closure.Locator("textarea[name=text]").FillAsync("审批材料已精简并在政务网公开");
        await Submit(closure);
        await Assertions.Expect(Status(liaison)).ToContainTextAsync("申请销号");
        // the owner is offered no verifier forms
        await Assertions.Expect(Form(liaison, "核验销号")).ToHaveCountAsync(0);

        // 4. the district office returns it once (a reason is required)
        var office = await app.NewPageAsync();
        await BrowserApp.SignInAsync(office, "yx.office");
        await office.GotoAsync(itemUrl);
        await Assertions.Expect(Status(office)).ToContainTextAsync("申请销号");
        await Submit(Form(office, "退回"));
        await Assertions.Expect(Form(office, "退回").Locator(".field-error")).ToContainTextAsync("须说明理由");
        await Assertions.Expect(Status(office)).ToContainTextAsync("申请销号");
        await Form(office, "退回").Locator("textarea[name=text]").FillAsync("缺少企业回访记录，请补充");
        await Submit(Form(office, "退回"));
        await Assertions.Expect(Status(office)).ToContainTextAsync("已退回");
        await Assertions.Expect(Status(office)).ToContainTextAsync("退回 1 次");

        // 5. more evidence, then a new request
        await liaison.GotoAsync(itemUrl);
        await Assertions.Expect(MainArea(liaison).Locator("ol.timeline")).ToContainTextAsync("缺少企业回访记录，请补充");
        await Assertions.Expect(Form(liaison, "报送进展")).ToBeVisibleAsync();
        await BrowserApp.ScreenshotAsync(liaison, "ledger-item-returned-liaison", output);
        closure = Form(liaison, "申请销号");
        await closure.Locator("textarea[name=text]").FillAsync("已补充企业回访记录 30 份");
        await closure.Locator("input[name=files]").SetInputFilesAsync(Photo("回访记录.png"));
        await Submit(closure);
        await Assertions.Expect(Status(liaison)).ToContainTextAsync("申请销号");
        await Assertions.Expect(MainArea(liaison).Locator("ol.timeline .evidence a", new() { HasText = "回访记录.png" })).ToBeVisibleAsync();

        // 6. the office verifies it: 已销号 on the item and in the ledger
        await office.GotoAsync(itemUrl);
        await Submit(Form(office, "核验销号"));
        await Assertions.Expect(Status(office)).ToContainTextAsync("已销号（100%）");
        await Assertions.Expect(MainArea(office).Locator("dl.facts")).ToContainTextAsync("回头看日期");
        await office.GotoAsync("/ledger?q=" + Uri.EscapeDataString(tag));
        var row = MainArea(office).Locator("table.grid tbody tr");
        await Assertions.Expect(row).ToHaveCountAsync(1);
        await Assertions.Expect(row).ToContainTextAsync("已销号");
        await Assertions.Expect(row).ToContainTextAsync("越秀区发展和改革局");
        await Assertions.Expect(row.Locator(".light.green")).ToHaveCountAsync(1);
        await BrowserApp.ScreenshotAsync(office, "ledger-list-closed", output);

        // 7. reopened with a reason (重新整改): back in progress, red, counted
        await row.GetByRole(AriaRole.Link).ClickAsync();
        await office.WaitForURLAsync(new Regex(Regex.Escape(itemUrl) + "$"));
        var reopen = Form(office, "重新整改");
        await reopen.Locator("textarea[name=text]").FillAsync("回头看发现材料要求又有反弹");
        await Submit(reopen);
        await Assertions.Expect(Status(office)).ToContainTextAsync("整改中");
        await Assertions.Expect(Status(office)).ToContainTextAsync("重新整改 1 次");
        await Assertions.Expect(MainArea(office).Locator("h1 .light.red")).ToHaveCountAsync(1);
        var steps = MainArea(office).Locator("ol.timeline > li strong");
        await Assertions.Expect(steps).ToHaveTextAsync(["报送进展", "申请销号", "退回", "申请销号", "核验销号", "重新整改"]);
        await BrowserApp.ScreenshotAsync(office, "ledger-item-reopened", output);

        await office.GotoAsync("/ledger?q=" + Uri.EscapeDataString(tag));
        await Assertions.Expect(MainArea(office).Locator("table.grid tbody tr")).ToContainTextAsync("重新整改 1 次");
        await BrowserApp.ScreenshotAsync(office, "ledger-list-reopened", output);

        // another district's office does not find it
        var hp = await app.NewPageAsync();
        await BrowserApp.SignInAsync(hp, "hp.office");
        await hp.GotoAsync("/ledger?q=" + Uri.EscapeDataString(tag));
        await Assertions.Expect(MainArea(hp).Locator("table.grid tbody tr")).ToHaveCountAsync(0);
        Assert.Equal(404, (await hp.GotoAsync(itemUrl))!.Status);
    }
}
