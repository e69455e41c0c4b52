using Bihuan.Data;
using Bihuan.Domain;
using Bihuan.Features.Organizations;
using Bihuan.Features.Study;
using Bihuan.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Bihuan.Features.Rules;

public sealed record RuleInput(int? OrgId, string? Title, string? DocNumber, DateOnly? IssuedOn, RuleStatus? Status,
    DateOnly? NextReviewOn, string? Summary, List<int>? CategoryIds, List<int>? ProblemIds, List<int>? RectItemIds, int? CampaignId);

public sealed record RuleDto(int Id, int OrgId, string OrgName, string Title, string? DocNumber, DateOnly? IssuedOn, RuleStatus Status,
    string StatusLabel, DateOnly? NextReviewOn, string? Summary, List<string> Categories, List<int> CategoryIds, List<int> ProblemIds,
    List<int> RectItemIds, bool ReviewDue);

public sealed record LoopRow(int? CategoryId, string Category, LoopCounts Counts);

/// 建章立制: rules made from rectifications, and the closed-loop view (防范、发现、纠治) in numbers.
public static class RuleCommands
{
    public static async Task<Rule> CreateAsync(BihuanDb db, TimeProvider clock, string who, RuleInput input, CancellationToken ct)
    {
        ErrorMapping.ThrowIfAny(Rule.Validate(input.Title, input.DocNumber, input.Status, input.IssuedOn, input.NextReviewOn)
            .Concat(Bounded(input)));
        if (input.OrgId is null) throw new DomainException(new Invalid("orgId", "请选择印发单位"));
        var org = await OrgCommands.FindForAsync(db, input.OrgId.Value, Permission.ManageRules, ct);
        var rule = new Rule
        {
            OrgId = org.Id, Title = input.Title!.Trim(), RecordedBy = who, CreatedAt = ChinaTime.Now(clock),
        };
        await FillAsync(db, rule, input, ct);
        db.Rules.Add(rule);
        await db.SaveChangesAsync(ct);
        return rule;
    }

    static List<Invalid> Bounded(RuleInput input) => new List<Invalid>().Text("summary", input.Summary, 2000, "简介")
        .Date("issuedOn", input.IssuedOn).Date("nextReviewOn", input.NextReviewOn)
        .List("categoryIds", input.CategoryIds, 50, "问题类别").List("problemIds", input.ProblemIds, 500, "关联的问题")
        .List("rectItemIds", input.RectItemIds, 500, "关联的整改事项");

    static async Task FillAsync(BihuanDb db, Rule rule, RuleInput input, CancellationToken ct)
    {
        var cats = (input.CategoryIds ?? rule.CategoryIds).Distinct().ToList();
        var problems = (input.ProblemIds ?? rule.ProblemIds).Distinct().ToList();
        var items = (input.RectItemIds ?? rule.RectItemIds).Distinct().ToList();
        // Linked problems and items must be visible to the caller: the filtered sets answer that.
        if (await db.Categories.CountAsync(c => cats.Contains(c.Id), ct) != cats.Count)
            throw new DomainException(new Invalid("categoryIds", "问题类别不存在"));
        if (await db.Problems.CountAsync(p => problems.Contains(p.Id), ct) != problems.Count)
            throw new DomainException(new Invalid("problemIds", "关联的问题不存在或不在您的权限范围内"));
        if (await db.RectItems.CountAsync(i => items.Contains(i.Id), ct) != items.Count)
            throw new DomainException(new Invalid("rectItemIds", "关联的整改事项不存在或不在您的权限范围内"));
        // An item's problem is a source too, and its category is guarded against unless said otherwise.
        var itemProblems = await db.RectItems.Where(i => items.Contains(i.Id)).Select(i => i.ProblemId).ToListAsync(ct);
        problems = problems.Union(itemProblems).ToList();
        if (input.CategoryIds is null && cats.Count == 0)
            cats = await db.Problems.Where(p => problems.Contains(p.Id) && p.CategoryId != null).Select(p => p.CategoryId!.Value).Distinct().ToListAsync(ct);
        if (input.CampaignId is { } cid && !await db.Campaigns.AnyAsync(c => c.Id == cid, ct))
            throw new DomainException(new Invalid("campaignId", "学习教育不存在"));
        if (input.Title is not null) rule.Title = input.Title.Trim();
        if (input.DocNumber is not null) rule.DocNumber = input.DocNumber.Trim().Length == 0 ? null : input.DocNumber.Trim();
        if (input.IssuedOn is not null) rule.IssuedOn = input.IssuedOn;
        if (input.Status is { } s) rule.Status = s;
        if (input.NextReviewOn is not null) rule.NextReviewOn = input.NextReviewOn;
        if (input.Summary is not null) rule.Summary = input.Summary.Trim();
        if (input.CampaignId is not null) rule.CampaignId = input.CampaignId;
        rule.CategoryIds = cats;
        rule.ProblemIds = problems;
        rule.RectItemIds = items;
    }

    public static async Task<Rule> UpdateAsync(BihuanDb db, int id, RuleInput input, CancellationToken ct)
    {
        var rule = await db.Rules.Include(r => r.Org).FirstOrDefaultAsync(r => r.Id == id, ct) ?? throw new DomainException(new RecordNotFound("制度"));
        if (!db.Access.Can(Permission.ManageRules, rule.Org!)) throw new DomainException(new Forbidden("您对该制度只有查看权限"));
        ErrorMapping.ThrowIfAny(Rule.Validate(input.Title ?? rule.Title, input.DocNumber, input.Status ?? rule.Status,
            input.IssuedOn ?? rule.IssuedOn, input.NextReviewOn ?? rule.NextReviewOn).Concat(Bounded(input)));
        await FillAsync(db, rule, input, ct);
        await db.SaveChangesAsync(ct);
        return rule;
    }

    /// Rules in scope, newest first; inForce: 已印发 or 已修订 (出台 in the loop).
    public static async Task<List<RuleDto>> ListAsync(BihuanDb db, DateOnly today, int? orgId, int? rectItemId, int? problemId,
        int? categoryId, CancellationToken ct, int? id = null, RuleStatus? status = null, bool? inForce = null)
    {
        var q = db.Rules.AsQueryable();
        if (id is { } one) q = q.Where(r => r.Id == one);
        if (orgId is { } o)
        {
            var org = await OrgCommands.FindAsync(db, o, ct);
            var ids = db.Orgs.Subtree(org).Select(o => o.Id);
            q = q.Where(r => ids.Contains(r.OrgId));
        }
        if (rectItemId is { } item) q = q.Where(r => r.RectItemIds.Contains(item));
        if (problemId is { } p) q = q.Where(r => r.ProblemIds.Contains(p));
        if (categoryId is { } c) q = q.Where(r => r.CategoryIds.Contains(c));
        if (status is { } st) q = q.Where(r => r.Status == st);
        if (inForce == true) q = q.Where(r => r.Status == RuleStatus.Issued || r.Status == RuleStatus.Revised);
        var rows = await q.OrderByDescending(r => r.IssuedOn).ThenByDescending(r => r.Id).Take(500)
            .Select(r => new { r, OrgName = r.Org!.Name }).AsNoTracking().ToListAsync(ct);
        var cats = await db.Categories.ToDictionaryAsync(x => x.Id, x => x.Name, ct);
        return rows.ConvertAll(x => new RuleDto(x.r.Id, x.r.OrgId, x.OrgName, x.r.Title, x.r.DocNumber, x.r.IssuedOn, x.r.Status,
            x.r.Status.Label(), x.r.NextReviewOn, x.r.Summary, x.r.CategoryIds.Select(i => cats.GetValueOrDefault(i) ?? "?").ToList(),
            x.r.CategoryIds, x.r.ProblemIds, x.r.RectItemIds,
            x.r.Status.InForce() && x.r.NextReviewOn is { } n && n <= today));
    }

    /// The loop for the caller's scope, optionally one org's subtree and/or one category: problems found, problems
    /// rectified (every item closed), rules in force, recurrences (and those reported after the first rule).
    public static async Task<LoopCounts> LoopAsync(BihuanDb db, int? orgId, int? categoryId, CancellationToken ct)
    {
        var problems = db.Problems.AsQueryable();
        var rules = db.Rules.Where(r => r.Status == RuleStatus.Issued || r.Status == RuleStatus.Revised);
        if (orgId is { } o)
        {
            var org = await OrgCommands.FindAsync(db, o, ct);
            var ids = db.Orgs.Subtree(org).Select(o => o.Id);
            problems = problems.Where(p => ids.Contains(p.OrgId));
            rules = rules.Where(r => ids.Contains(r.OrgId));
        }
        if (categoryId is { } c)
        {
            problems = problems.Where(p => p.CategoryId == c);
            rules = rules.Where(r => r.CategoryIds.Contains(c));
        }
        var found = await problems.CountAsync(ct);
        var rectified = await problems.CountAsync(p => db.RectItems.Any(i => i.ProblemId == p.Id)
            && !db.RectItems.Where(RectItem.Open).Any(i => i.ProblemId == p.Id), ct);
        var made = await rules.CountAsync(ct);
        var firstRule = await rules.MinAsync(r => r.IssuedOn, ct);
        var recurrences = await problems.Where(p => p.RecurrenceOfId != null).Select(p => p.CreatedAt).ToListAsync(ct);
        var since = firstRule is { } f ? recurrences.Count(at => DateOnly.FromDateTime(ChinaTime.ToCst(at)) >= f) : 0;
        return new LoopCounts(found, rectified, made, recurrences.Count, since);
    }

    public static async Task<List<LoopRow>> LoopByCategoryAsync(BihuanDb db, int? orgId, CancellationToken ct)
    {
        var cats = await db.Categories.Where(c => !c.Archived).OrderBy(c => c.SortOrder).AsNoTracking().ToListAsync(ct);
        var rows = new List<LoopRow>();
        foreach (var c in cats) rows.Add(new LoopRow(c.Id, c.Group is null ? c.Name : $"{c.Group}：{c.Name}", await LoopAsync(db, orgId, c.Id, ct)));
        return rows;
    }
}

public static class RuleApi
{
    public static RouteGroupBuilder MapRuleApi(this RouteGroupBuilder api)
    {
        var g = api.MapGroup("/rules").WithTags("建章立制 Rules");
        g.MapGet("/", async (BihuanDb db, TimeProvider clock, int? orgId, int? rectItemId, int? problemId, int? categoryId,
                RuleStatus? status, bool? inForce, CancellationToken ct) =>
            TypedResults.Ok(await RuleCommands.ListAsync(db, ChinaTime.Today(clock), orgId, rectItemId, problemId, categoryId, ct,
                status: status, inForce: inForce)))
            .WithSummary("Rules in scope; filter by org subtree, linked rectification item or problem, category, status, inForce (已印发 or 已修订)");
        g.MapPost("/", async Task<Created<RuleDto>> (BihuanDb db, TimeProvider clock, System.Security.Claims.ClaimsPrincipal user, RuleInput input, CancellationToken ct) =>
        {
            var r = await RuleCommands.CreateAsync(db, clock, user.Identity?.Name ?? "?", input, ct);
            return TypedResults.Created($"/api/v1/rules/{r.Id}", await GetAsync(db, clock, r.Id, ct));
        });
        g.MapGet("/{id:int}", async Task<Results<Ok<RuleDto>, NotFound>> (BihuanDb db, TimeProvider clock, int id, CancellationToken ct) =>
            await db.Rules.AnyAsync(r => r.Id == id, ct) ? TypedResults.Ok(await GetAsync(db, clock, id, ct)) : TypedResults.NotFound());
        g.MapPatch("/{id:int}", async (BihuanDb db, TimeProvider clock, int id, RuleInput input, CancellationToken ct) =>
        {
            await RuleCommands.UpdateAsync(db, id, input, ct);
            return TypedResults.Ok(await GetAsync(db, clock, id, ct));
        }).WithSummary("Change status (已修订 / 已废止), review date, links");
        g.MapGet("/loop", async (BihuanDb db, int? orgId, int? categoryId, CancellationToken ct) =>
            TypedResults.Ok(await RuleCommands.LoopAsync(db, orgId, categoryId, ct)))
            .WithSummary("防范、发现、纠治: problems found, rectified, rules made, recurrences");
        g.MapGet("/loop/by-category", async (BihuanDb db, int? orgId, CancellationToken ct) =>
            TypedResults.Ok(await RuleCommands.LoopByCategoryAsync(db, orgId, ct)));
        return api;
    }

    static async Task<RuleDto> GetAsync(BihuanDb db, TimeProvider clock, int id, CancellationToken ct)
    {
        var today = ChinaTime.Today(clock);
        var all = await RuleCommands.ListAsync(db, today, null, null, null, null, ct, id);
        return all.FirstOrDefault(r => r.Id == id) ?? throw new DomainException(new RecordNotFound("制度"));
    }
}
