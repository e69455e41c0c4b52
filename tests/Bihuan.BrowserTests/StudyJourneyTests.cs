using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace Bihuan.BrowserTests;

/// 学习研讨 in a real browser: the district office sets up and publishes a campaign; the 发改局 drafts its plan, the
/// head signs off, the liaison submits; the office returns it once, then approves the revision; the unit records a
/// 中心组 study session with attendance (the article counts as studied for those present, 补学 for the one on leave);
/// and that member records self-study of another article on a phone.
public sealed class StudyJourneyTests(BrowserApp app, ITestOutputHelper output) : IClassFixture<BrowserApp>
{
    static ILocator MainArea(IPage page) => page.Locator("main");

    static ILocator Form(IPage page, string title) => MainArea(page).Locator("form.box")
        .Filter(new() { Has = page.GetByRole(AriaRole.Heading, new() { Name = title, Exact = true }) });

    static ILocator PlanStatus(IPage page) => MainArea(page).Locator("dd.plan-status");

    static async Task Submit(ILocator form)
    {
        await form.Locator("button[type=submit]").ClickAsync();
        await form.Page.WaitForLoadStateAsync(LoadState.Load);
    }

    async Task<IPage> As(string user, bool phone = false)
    {
        var page = await app.NewPageAsync(phone);
        await BrowserApp.SignInAsync(page, user);
        return page;
    }

    [SkippableFact]
    public async Task Office_PublishesCampaign_UnitPlanReturnedThenApproved_StudySessionAndPhoneSelfStudy()
    {
        var tag = "测试" + Guid.NewGuid().ToString("N")[..6];

        // 1. the district office copies the template for 越秀区 and publishes it
        var office = await As("yx.office");
        await office.GotoAsync("/campaigns");
        var copy = MainArea(office).Locator("form.box");
        await Assertions.Expect(copy.Locator("input[name='Input.RootCode']")).ToHaveValueAsync("GZ-YX");
        await copy.Locator("input[name='Input.Name']").FillAsync($"越秀区{tag}学习教育");
        await Submit(copy);
        await office.WaitForURLAsync(new Regex(@"/campaigns/\d+$"));
        var campaignUrl = new Uri(office.Url).AbsolutePath;
        await Assertions.Expect(MainArea(office).Locator("h1")).ToContainTextAsync("草稿");
        await Assertions.Expect(MainArea(office).Locator("dl.facts")).ToContainTextAsync("立党为公、为民造福、科学决策、真抓实干");
        // phases get their dates before publication
        var adjust = Form(office, "调整学习教育");
        await adjust.Locator("textarea[name=phases]").FillAsync("动员部署|2026-11-01|2026-11-15\n学习研讨|2026-11-16|2027-01-31\n查摆整改|2026-12-01|2027-03-31");
        await Submit(adjust);
        await Assertions.Expect(MainArea(office).Locator(".notice.ok")).ToHaveTextAsync("已保存");
        await Assertions.Expect(MainArea(office).Locator("dl.facts")).ToContainTextAsync("学习研讨 2026-11-16 — 2027-01-31");
        await Submit(Form(office, "发布学习教育"));
        await Assertions.Expect(Form(office, "调整学习教育")).ToHaveCountAsync(0);
        await Assertions.Expect(MainArea(office).Locator(".notice.ok")).ToHaveTextAsync("已发布");
        await Assertions.Expect(MainArea(office).Locator("table.grid")).ToContainTextAsync("越秀区发展和改革局");
        await BrowserApp.ScreenshotAsync(office, "study-campaign-published", output);

        // 2. the 发改局 liaison drafts the plan from the campaign page
        var liaison = await As("yx.fgj.liaison");
        await liaison.GotoAsync(campaignUrl);
        await MainArea(liaison).Locator("tr", new() { HasText = "越秀区发展和改革局" }).GetByRole(AriaRole.Button, new() { Name = "起草实施方案" }).ClickAsync();
        await liaison.WaitForURLAsync(new Regex(@"/plans/\d+$"));
        var planUrl = new Uri(liaison.Url).AbsolutePath;
        var edit = Form(liaison, "修改方案");
        await edit.Locator("textarea[name=text]").FillAsync("一、总体要求：一体推进学查改\n二、主要任务：逐篇学习《摘编》<script>alert(1)</script>");
        await edit.Locator("textarea[name=tasks]").FillAsync($"{tag}班子成员逐篇学习|陈志明|2026-12-31|学习研讨\n{tag}查摆问题形成清单|张丽娟|2027-01-15|问题查摆");
        await Submit(edit);
        await Assertions.Expect(MainArea(liaison).Locator(".notice.ok")).ToHaveTextAsync("已保存");
        await Assertions.Expect(MainArea(liaison).Locator(".rich")).ToContainTextAsync("逐篇学习《摘编》");
        Assert.Equal(0, await MainArea(liaison).Locator(".rich script").CountAsync());
        await Assertions.Expect(MainArea(liaison).Locator("table.tasks tbody tr")).ToHaveCountAsync(2);
        // the liaison cannot submit before the head signs off
        await Assertions.Expect(Form(liaison, "报送上级")).ToHaveCountAsync(0);

        var head = await As("yx.fgj.head");
        await head.GotoAsync(planUrl);
        await Submit(Form(head, "主要负责人签批"));
        await Assertions.Expect(PlanStatus(head)).ToContainTextAsync("已签批");
        await liaison.GotoAsync(planUrl);
        await Submit(Form(liaison, "报送上级"));
        await Assertions.Expect(PlanStatus(liaison)).ToContainTextAsync("已报送");

        // 3. the office returns it (comments required), the unit revises and resubmits, the office approves
        await office.GotoAsync(planUrl);
        await Submit(Form(office, "退回修改"));
        await Assertions.Expect(Form(office, "退回修改").Locator(".field-error")).ToContainTextAsync("修改意见");
        await Form(office, "退回修改").Locator("textarea[name=comment]").FillAsync("请补充开门教育的具体安排");
        await Submit(Form(office, "退回修改"));
        await Assertions.Expect(PlanStatus(office)).ToContainTextAsync("已退回修改");

        await liaison.GotoAsync(planUrl);
        await Assertions.Expect(MainArea(liaison).Locator("dd.comment")).ToHaveTextAsync("请补充开门教育的具体安排");
        edit = Form(liaison, "修改方案");
        await edit.Locator("textarea[name=text]").FillAsync("一、总体要求：一体推进学查改\n二、主要任务：逐篇学习《摘编》\n三、开门教育：走访辖区重点企业");
        await edit.Locator("textarea[name=tasks]").FillAsync($"{tag}班子成员逐篇学习|陈志明|2026-12-31|学习研讨\n{tag}查摆问题形成清单|张丽娟|2027-01-15|问题查摆\n{tag}走访重点企业|李晓华|2027-01-10|开门教育");
        await Submit(edit);
        await head.GotoAsync(planUrl);
        await Submit(Form(head, "主要负责人签批"));
        await liaison.GotoAsync(planUrl);
        await Submit(Form(liaison, "报送上级"));
        await Assertions.Expect(MainArea(liaison).Locator("table.diff tr.added, table.diff tr.changed")).Not.ToHaveCountAsync(0);
        await Assertions.Expect(MainArea(liaison).Locator("table.diff")).ToContainTextAsync("三、开门教育：走访辖区重点企业");
        await BrowserApp.ScreenshotAsync(liaison, "study-plan-versions", output);

        await office.GotoAsync(planUrl);
        await Submit(Form(office, "审核通过"));
        await Assertions.Expect(PlanStatus(office)).ToContainTextAsync("已审核通过");
        await Assertions.Expect(MainArea(office).Locator("ol.timeline > li strong")).ToHaveTextAsync(
            ["修改方案", "修改方案", "主要负责人签批", "报送上级", "退回修改", "修改方案", "主要负责人签批", "报送上级", "审核通过"]);
        await BrowserApp.ScreenshotAsync(office, "study-plan-approved", output);

        // 4. the unit records a 中心组 study session: 刘伟 on leave, the others present
        await liaison.GotoAsync("/meetings/new");
        var m = MainArea(liaison).Locator("form.meeting-form");
        await m.Locator("input[name=title]").FillAsync($"{tag}局党组理论学习中心组学习会");
        await m.GetByLabel("理论学习中心组学习会", new() { Exact = true }).CheckAsync();
        await m.GetByLabel("研讨交流", new() { Exact = true }).CheckAsync();
        await m.Locator("select[name=kind0]").SelectOptionAsync("Convey");
        await m.Locator("input[name=itemTitle0]").FillAsync("集中学习《摘编》");
        await m.Locator("select[name=article0]").SelectOptionAsync(new SelectOptionValue { Label = "党性是决定性因素" });
        await m.Locator("input[name=decision0]").FillAsync($"{tag}梳理审批事项清单");
        await m.Locator("input[name=owner0]").FillAsync("李晓华");
        await m.Locator("input[name=due0]").FillAsync("2026-12-20");
        var liu = m.Locator("tr[data-person='刘伟']");
        await liu.Locator("input[value=Leave]").CheckAsync();
        await m.Locator("tr[data-person='陈志明'] input[type=checkbox]").CheckAsync();
        await Submit(m);
        // a leave needs its reason: refused, then fixed
        await Assertions.Expect(m.Locator(".field-error")).ToContainTextAsync("请假须填写事由");
        // what was entered is kept
        await Assertions.Expect(m.Locator("input[name=title]")).ToHaveValueAsync($"{tag}局党组理论学习中心组学习会");
        await Assertions.Expect(liu.Locator("input[value=Leave]")).ToBeCheckedAsync();
        await liu.Locator("input[name^=reason]").FillAsync("外出参加培训");
        await Submit(m);
        await liaison.WaitForURLAsync(new Regex(@"/meetings/\d+$"));
        await Assertions.Expect(MainArea(liaison).Locator("dl.facts")).ToContainTextAsync("为出席人员记录学习 3 篇次；补学任务 1 项");
        await Assertions.Expect(MainArea(liaison).Locator("table.attendance tr", new() { HasText = "刘伟" })).ToContainTextAsync("请假");
        await BrowserApp.ScreenshotAsync(liaison, "study-meeting", output);
        await liaison.GotoAsync("/meetings");
        await Assertions.Expect(MainArea(liaison).Locator("table.calendar .event", new() { HasText = tag })).ToHaveCountAsync(1);
        await BrowserApp.ScreenshotAsync(liaison, "study-meetings-calendar", output);

        // 5. 刘伟, on a phone, sees his 补学 and records self-study of another article
        var phone = await As("yx.fgj.member", phone: true);
        await phone.GotoAsync("/me/study");
        await Assertions.Expect(MainArea(phone).Locator(".notice.warn")).ToContainTextAsync("党性是决定性因素");
        await Assertions.Expect(MainArea(phone).Locator(".card .big")).ToHaveTextAsync("0 / 5");
        var self = MainArea(phone).Locator("form.box");
        await self.Locator("select[name='Input.ArticleId']").SelectOptionAsync(new SelectOptionValue { Label = "坚持以人民为中心的发展思想" });
        await self.Locator("textarea[name='Input.Notes']").FillAsync("为民造福是最大政绩，要把群众满意作为检验工作的标准。");
        await Submit(self);
        await Assertions.Expect(MainArea(phone).Locator(".notice.ok")).ToHaveTextAsync("已记录");
        await Assertions.Expect(MainArea(phone).Locator(".card .big")).ToHaveTextAsync("1 / 5");
        await Assertions.Expect(MainArea(phone).Locator("ul.articles li.done")).ToContainTextAsync("坚持以人民为中心的发展思想");
        await BrowserApp.ScreenshotAsync(phone, "study-me-phone", output);

        // the office sees the unit's figures
        await office.GotoAsync(campaignUrl);
        await MainArea(office).GetByRole(AriaRole.Link, new() { Name = "学习进度" }).ClickAsync();
        await office.WaitForLoadStateAsync(LoadState.Load);
        await Assertions.Expect(MainArea(office).Locator("table.grid tr", new() { HasText = "越秀区发展和改革局" })).ToBeVisibleAsync();
        await BrowserApp.ScreenshotAsync(office, "study-progress", output);
    }
}
