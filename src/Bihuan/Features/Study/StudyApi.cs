using System.Security.Claims;
using Bihuan.Data;
using Bihuan.Domain;
using Bihuan.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Bihuan.Features.Study;

public sealed record PlanActionInput(string? Comment);
public sealed record MeetingTypeInput(string? Name, bool? IsStudy, bool? Archived);

/// 学习研讨 over HTTP: campaigns, plans, meetings, the study catalog, records and progress, open duties.
public static class StudyApi
{
    public static RouteGroupBuilder MapStudyApi(this RouteGroupBuilder api)
    {
        var campaigns = api.MapGroup("/campaigns").WithTags("学习教育 Campaigns");
        campaigns.MapGet("/", async (BihuanDb db, CancellationToken ct) => TypedResults.Ok(await CampaignCommands.ListAsync(db, ct)));
        campaigns.MapGet("/{id:int}", async Task<Results<Ok<CampaignDto>, NotFound>> (BihuanDb db, int id, CancellationToken ct) =>
            await CampaignCommands.GetAsync(db, id, ct) is { } c ? TypedResults.Ok(c) : TypedResults.NotFound());
        campaigns.MapPost("/{id:int}/copy", async (BihuanDb db, TimeProvider clock, int id, CampaignInput input, CancellationToken ct) =>
        {
            var c = await CampaignCommands.CopyAsync(db, clock, id, input, ct);
            return TypedResults.Created($"/api/v1/campaigns/{c.Id}", await CampaignCommands.GetAsync(db, c.Id, ct));
        }).WithSummary("Copy a template (or campaign) for an org subtree; the copy is a draft until published");
        campaigns.MapPut("/{id:int}", async (BihuanDb db, int id, CampaignInput input, CancellationToken ct) =>
        {
            await CampaignCommands.UpdateAsync(db, id, input, ct);
            return TypedResults.Ok(await CampaignCommands.GetAsync(db, id, ct));
        }).WithSummary("Adjust a draft campaign (name, 总要求, key tasks, phases, study materials)");
        campaigns.MapPost("/{id:int}/publish", async (BihuanDb db, TimeProvider clock, ClaimsPrincipal user, int id, CancellationToken ct) =>
        {
            await CampaignCommands.PublishAsync(db, clock, user, id, ct);
            return TypedResults.Ok(await CampaignCommands.GetAsync(db, id, ct));
        }).WithSummary("The campaign office publishes the campaign to its subtree");
        campaigns.MapGet("/{id:int}/plan-status", async (BihuanDb db, int id, int orgId, CancellationToken ct) =>
            TypedResults.Ok(await PlanCommands.SubUnitsAsync(db, id, orgId, ct)))
            .WithSummary("An org and its direct sub-units with their plan status (who has not submitted)");
        campaigns.MapGet("/{id:int}/progress", async (BihuanDb db, int id, int orgId, CancellationToken ct) =>
            TypedResults.Ok(await StudyCommands.ProgressAsync(db, id, orgId, ct)))
            .WithSummary("Study progress of an org's subtree: per person, per direct sub-unit, total");

        var plans = api.MapGroup("/plans").WithTags("实施方案 Plans");
        plans.MapGet("/", async (BihuanDb db, int? campaignId, int? orgId, CancellationToken ct) =>
            TypedResults.Ok(await PlanCommands.ListAsync(db, campaignId, orgId, ct)));
        plans.MapPost("/", async (BihuanDb db, TimeProvider clock, ClaimsPrincipal user, PlanInput input, CancellationToken ct) =>
        {
            var p = await PlanCommands.CreateAsync(db, clock, user, input, ct);
            return TypedResults.Created($"/api/v1/plans/{p.Id}", await PlanCommands.GetAsync(db, p.Id, ct));
        }).WithSummary("Draft the org's plan (text: HTML, sanitized; tasks with owner, due date, key task)");
        plans.MapGet("/{id:int}", async Task<Results<Ok<PlanDto>, NotFound>> (BihuanDb db, int id, CancellationToken ct) =>
            await PlanCommands.GetAsync(db, id, ct) is { } p ? TypedResults.Ok(p) : TypedResults.NotFound());
        plans.MapPut("/{id:int}", async (BihuanDb db, TimeProvider clock, ClaimsPrincipal user, int id, PlanInput input, CancellationToken ct) =>
        {
            await PlanCommands.UpdateAsync(db, clock, user, id, input, ct);
            return TypedResults.Ok((await PlanCommands.GetAsync(db, id, ct))!);
        }).WithSummary("Edit text and tasks (voids a sign-off; a returned plan becomes a draft again)");
        plans.MapPost("/{id:int}/{action}", async Task<Results<Ok<PlanDto>, NotFound>> (BihuanDb db, TimeProvider clock,
            Notifications.Notifier notifier, ClaimsPrincipal user, int id, string action, PlanActionInput? input,
                CancellationToken ct) =>
        {
            if (!PlanCommands.ActionRoutes.TryGetValue(action, out var a)) return TypedResults.NotFound();
            await PlanCommands.ActAsync(db, clock, user, id, a, input?.Comment, ct);
            await notifier.MailStagedAsync(db, ct);
            return TypedResults.Ok((await PlanCommands.GetAsync(db, id, ct))!);
        }).WithSummary("sign-off (unit head) | submit | return (comment required) | approve (superior office, not the drafter); illegal: 409");
        plans.MapGet("/{id:int}/diff", async Task<Results<Ok<List<TextDiff.Row>>, NotFound>> (BihuanDb db, int id, int from, int? to, CancellationToken ct) =>
            await db.Plans.AnyAsync(p => p.Id == id, ct) ? TypedResults.Ok(await PlanCommands.DiffAsync(db, id, from, to, ct)) : TypedResults.NotFound())
            .WithSummary("Side-by-side paragraph diff of version `from` against version `to` (omitted: the current text)");

        api.MapGet("/meeting-types", async (BihuanDb db, CancellationToken ct) => TypedResults.Ok(await db.MeetingTypes
            .Where(t => !t.Archived).OrderBy(t => t.SortOrder).Select(t => new { t.Id, t.Name, t.IsStudy }).ToListAsync(ct)))
            .WithTags("会议活动 Meetings");
        api.MapPost("/meeting-types", async (BihuanDb db, MeetingTypeInput input, CancellationToken ct) =>
        {
            var t = await SaveTypeAsync(db, null, input, ct);
            return TypedResults.Created($"/api/v1/meeting-types/{t.Id}", new { t.Id, t.Name, t.IsStudy, t.Archived });
        }).WithTags("会议活动 Meetings").WithSummary("Add a meeting type (administrators)");
        api.MapPatch("/meeting-types/{id:int}", async (BihuanDb db, int id, MeetingTypeInput input, CancellationToken ct) =>
        {
            var t = await SaveTypeAsync(db, id, input, ct);
            return TypedResults.Ok(new { t.Id, t.Name, t.IsStudy, t.Archived });
        }).WithTags("会议活动 Meetings").WithSummary("Rename, mark as study session, or archive a meeting type (administrators)");
        var meetings = api.MapGroup("/meetings").WithTags("会议活动 Meetings");
        meetings.MapGet("/", async (BihuanDb db, int? orgId, string? month, int? typeId, CancellationToken ct) =>
            TypedResults.Ok(await MeetingCommands.ListAsync(db, orgId, ParseMonth(month), ct, typeId)))
            .WithSummary("Meetings of an org subtree; month=2026-11 for one month; typeId for one type (套开 included)");
        meetings.MapPost("/", async (BihuanDb db, TimeProvider clock, WorkingCalendar cal, ClaimsPrincipal user, MeetingInput input, CancellationToken ct) =>
        {
            var m = await MeetingCommands.CreateAsync(db, clock, cal, user, input, ct);
            return TypedResults.Created($"/api/v1/meetings/{m.Id}", await MeetingCommands.GetAsync(db, m.Id, ct));
        }).WithSummary("Record a sitting: types (套开), agenda, decisions (→ duties), attendance (→ study records, 补学)");
        meetings.MapGet("/{id:int}", async Task<Results<Ok<MeetingDto>, NotFound>> (BihuanDb db, int id, CancellationToken ct) =>
            await MeetingCommands.GetAsync(db, id, ct) is { } m ? TypedResults.Ok(m) : TypedResults.NotFound());
        meetings.MapGet("/counts", async (BihuanDb db, int orgId, CancellationToken ct) =>
            TypedResults.Ok(await MeetingCommands.CountsAsync(db, orgId, ct))).WithSummary("Meetings per direct sub-unit and type");

        var study = api.MapGroup("/study").WithTags("逐篇学 Study");
        study.MapGet("/materials", async (BihuanDb db, CancellationToken ct) => TypedResults.Ok(await StudyCommands.MaterialsAsync(db, ct)));
        study.MapPost("/materials/import", async (BihuanDb db, ImportLimits limits, IFormFile file, bool? commit, CancellationToken ct) =>
        {
            await using var s = file.OpenReadStream();
            var report = await StudyCommands.ImportAsync(db, limits, s, file.FileName, file.Length, commit == true, ct);
            return report.Errors.Count > 0
                ? Results.Problem(ErrorMapping.ToProblem(new ValidationFailed(report.Errors.ConvertAll(e => new Invalid("file", e)))))
                : Results.Ok(report);
        }).Produces<ImportReport>().DisableAntiforgery().WithUploadLimit().WithSummary("Catalog from .xlsx/.csv (材料 | 章节 | 篇目 | 核心), titles only; checked first, commit=true writes");
        study.MapPost("/records", async (BihuanDb db, TimeProvider clock, ClaimsPrincipal user, StudyInput input, CancellationToken ct) =>
        {
            var r = await StudyCommands.RecordAsync(db, clock, user, input, ct);
            return TypedResults.Created($"/api/v1/study/records/{r.Id}", new StudyRecordDto(r.Id, r.PersonId, r.ArticleId,
                await db.StudyArticles.Where(a => a.Id == r.ArticleId).Select(a => a.Title).FirstAsync(ct), r.StudiedOn, r.Way.Label(), r.MeetingId, r.Notes));
        }).WithSummary("Record studying an article (个人自学); by default for the caller's own person");
        study.MapGet("/records", async (BihuanDb db, int personId, CancellationToken ct) => TypedResults.Ok(await db.StudyRecords
            .Where(r => r.PersonId == personId).OrderBy(r => r.StudiedOn)
            .Select(r => new StudyRecordDto(r.Id, r.PersonId, r.ArticleId, r.Article!.Title, r.StudiedOn, r.Way == StudyWay.Self ? "个人自学" : "集中学习", r.MeetingId, r.Notes))
            .ToListAsync(ct)));
        study.MapGet("/mine", async Task<Results<Ok<MyStudy>, NotFound>> (BihuanDb db, ClaimsPrincipal user, CancellationToken ct) =>
            await StudyCommands.MineAsync(db, user, ct) is { } m ? TypedResults.Ok(m) : TypedResults.NotFound())
            .WithSummary("我的学习: the caller's progress, articles and 补学");

        return api;
    }

    static async Task<MeetingType> SaveTypeAsync(BihuanDb db, int? id, MeetingTypeInput input, CancellationToken ct)
    {
        if (!db.Access.CanAnywhere(Permission.ManageSettings)) throw new DomainException(new Forbidden("会议类型由系统管理员维护"));
        var t = id is { } i ? await db.MeetingTypes.FirstOrDefaultAsync(x => x.Id == i, ct) ?? throw new DomainException(new RecordNotFound("会议类型"))
            : null;
        var name = input.Name?.Trim();
        if (t is null && string.IsNullOrEmpty(name)) throw new DomainException(new Invalid("name", "会议类型名称不能为空"));
        if (name is { Length: > 100 }) throw new DomainException(new Invalid("name", "会议类型名称不能超过 100 字"));
        if (!string.IsNullOrEmpty(name) && await db.MeetingTypes.AnyAsync(x => x.Name == name && x.Id != (id ?? 0), ct))
            throw new DomainException(new Invalid("name", "已有同名的会议类型"));
        if (t is null)
        {
            t = new MeetingType { Name = name!, SortOrder = (await db.MeetingTypes.MaxAsync(x => (int?)x.SortOrder, ct) ?? 0) + 10 };
            db.MeetingTypes.Add(t);
        }
        if (!string.IsNullOrEmpty(name)) t.Name = name;
        if (input.IsStudy is { } s) t.IsStudy = s;
        if (input.Archived is { } a) t.Archived = a;
        await db.SaveChangesAsync(ct);
        return t;
    }

    /// "2026-11" as its first day; null for anything else, a month outside the date window included (the calendar
    /// steps a month either side of it: 9999-12 would overflow).
    public static DateOnly? ParseMonth(string? month) =>
        DateOnly.TryParseExact((month ?? "") + "-01", "yyyy-MM-dd", out var d) && Bounds.InWindow(d) ? d : null;
}
