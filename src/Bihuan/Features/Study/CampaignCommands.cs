using System.Security.Claims;
using Bihuan.Data;
using Bihuan.Domain;
using Bihuan.Features.Organizations;
using Bihuan.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Bihuan.Features.Study;

public sealed record PhaseInput(string? Name, DateOnly? StartsOn, DateOnly? EndsOn);

public sealed record CampaignInput(string? Name, string? GeneralRequirement, List<string>? KeyTasks, List<PhaseInput>? Phases,
    int? RootOrgId, DateOnly? StartsOn, DateOnly? EndsOn, List<int>? StudyMaterialIds);

public sealed record CampaignDto(int Id, string Name, string GeneralRequirement, List<string> KeyTasks, List<PhaseInput> Phases,
    int? RootOrgId, string? RootOrgName, bool IsTemplate, DateOnly? StartsOn, DateOnly? EndsOn, bool Published,
    DateTime? PublishedAt, int? CopiedFromId, List<int> StudyMaterialIds);

public sealed record CampaignNotEditable(string Why) : Error("campaign_not_editable", Why, ErrorKind.Conflict);

/// Campaigns (学习教育): copied from a template for a subtree, adjusted while a draft, published by the campaign office.
/// Campaigns are reference data every signed-in user may read (like the deviation categories); what is done under
/// them (plans, meetings, study, rules) is scoped by org.
public static class CampaignCommands
{
    // Mapped in memory: the phases are a JSON column and SQLite cannot translate a projection over them (APPLY).
    static async Task<List<CampaignDto>> ProjectAsync(BihuanDb db, IQueryable<Campaign> q, CancellationToken ct)
    {
        var list = await q.AsNoTracking().ToListAsync(ct);
        var rootIds = list.Where(c => c.RootOrgId is not null).Select(c => c.RootOrgId!.Value).Distinct().ToList();
        var names = await db.OrgDirectory().Where(o => rootIds.Contains(o.Id)).ToDictionaryAsync(o => o.Id, o => o.Name, ct);
        return list.ConvertAll(c => new CampaignDto(c.Id, c.Name, c.GeneralRequirement, c.KeyTasks,
            c.Phases.Select(p => new PhaseInput(p.Name, p.StartsOn, p.EndsOn)).ToList(), c.RootOrgId,
            c.RootOrgId is { } r ? names.GetValueOrDefault(r) : null, c.IsTemplate, c.StartsOn, c.EndsOn, c.PublishedAt != null,
            c.PublishedAt, c.CopiedFromId, c.StudyMaterialIds));
    }

    public static async Task<CampaignDto?> GetAsync(BihuanDb db, int id, CancellationToken ct) =>
        (await ProjectAsync(db, db.Campaigns.Where(c => c.Id == id), ct)).FirstOrDefault();

    public static async Task<List<CampaignDto>> ListAsync(BihuanDb db, CancellationToken ct) =>
        await ProjectAsync(db, db.Campaigns.OrderByDescending(c => c.IsTemplate).ThenByDescending(c => c.Id), ct);

    /// Sets up campaigns for an org: a campaign office whose grant covers it (templates are the administrator's).
    public static bool MayRun(AccessScope s, Org org) => s.Can(Permission.RunCampaign, org);

    public static async Task<Campaign> CopyAsync(BihuanDb db, TimeProvider clock, int sourceId, CampaignInput input, CancellationToken ct)
    {
        var source = await db.Campaigns.AsNoTracking().FirstOrDefaultAsync(c => c.Id == sourceId, ct)
            ?? throw new DomainException(new RecordNotFound("学习教育模板"));
        CheckInput(input);
        if (input.RootOrgId is null) throw new DomainException(new Invalid("rootOrgId", "请选择开展学习教育的组织（其下级全部参加）"));
        var root = await OrgCommands.FindAsync(db, input.RootOrgId.Value, ct);
        if (!MayRun(db.Access, root)) throw new DomainException(new Forbidden("只有该组织的学习教育办公室可以设立学习教育"));
        var copy = new Campaign
        {
            Name = string.IsNullOrWhiteSpace(input.Name) ? source.Name : input.Name.Trim(),
            GeneralRequirement = string.IsNullOrWhiteSpace(input.GeneralRequirement) ? source.GeneralRequirement : input.GeneralRequirement.Trim(),
            KeyTasks = input.KeyTasks is { Count: > 0 } k ? k : [.. source.KeyTasks],
            Phases = input.Phases is { Count: > 0 } ? ToPhases(input.Phases)
                : source.Phases.Select(p => new CampaignPhase { Name = p.Name, StartsOn = p.StartsOn, EndsOn = p.EndsOn }).ToList(),
            RootOrgId = root.Id, StartsOn = input.StartsOn ?? source.StartsOn, EndsOn = input.EndsOn ?? source.EndsOn,
            StudyMaterialIds = input.StudyMaterialIds ?? [.. source.StudyMaterialIds],
            CopiedFromId = source.Id, CreatedAt = ChinaTime.Now(clock),
        };
        await ValidateAsync(db, copy, ct);
        db.Campaigns.Add(copy);
        await db.SaveChangesAsync(ct);
        return copy;
    }

    /// The bounds of what a campaign accepts, before anything is read from the lists (they may hold null).
    static void CheckInput(CampaignInput input)
    {
        var errors = new List<Invalid>()
            .Text("name", input.Name, 200, "学习教育名称").Text("generalRequirement", input.GeneralRequirement, 500, "总要求")
            .List("keyTasks", input.KeyTasks, 20, "重点任务").List("phases", input.Phases, 20, "阶段")
            .List("studyMaterialIds", input.StudyMaterialIds, 100, "学习材料")
            .Date("startsOn", input.StartsOn).DateFrom("endsOn", input.EndsOn, input.StartsOn, "结束日期不能早于开始日期");
        foreach (var p in input.Phases ?? [])
            if (p is not null)
                errors.Text("phases", p.Name, 50, "阶段名称").Date("phases", p.StartsOn, $"阶段“{p.Name}”：")
                    .DateFrom("phases", p.EndsOn, p.StartsOn, $"阶段“{p.Name}”的结束日期早于开始日期", $"阶段“{p.Name}”：");
        errors.DistinctBy(e => (e.Field, e.Text)).ToList().ThrowIfAny();
    }

    static List<CampaignPhase> ToPhases(List<PhaseInput> phases) =>
        phases.Where(p => !string.IsNullOrWhiteSpace(p.Name))
            .Select(p => new CampaignPhase { Name = p.Name!.Trim(), StartsOn = p.StartsOn, EndsOn = p.EndsOn }).ToList();

    static async Task ValidateAsync(BihuanDb db, Campaign c, CancellationToken ct)
    {
        var errors = new List<Invalid>();
        if (c.Name.Length is 0 or > 200) errors.Add(new("name", "学习教育名称须为 1 至 200 字"));
        if (c.GeneralRequirement.Length is 0 or > 500) errors.Add(new("generalRequirement", "总要求须为 1 至 500 字"));
        c.KeyTasks = c.KeyTasks.Select(t => t.Trim()).Where(t => t.Length > 0).Distinct().ToList();
        if (c.KeyTasks.Count == 0 || c.KeyTasks.Any(t => t.Length > 50)) errors.Add(new("keyTasks", "请列出重点任务（每项不超过 50 字）"));
        if (c.StartsOn is { } s && c.EndsOn is { } e && e < s) errors.Add(new("endsOn", "结束日期不能早于开始日期"));
        foreach (var p in c.Phases)
            if (p.StartsOn is { } ps && p.EndsOn is { } pe && pe < ps) errors.Add(new("phases", $"阶段“{p.Name}”的结束日期早于开始日期"));
        var ids = c.StudyMaterialIds.Distinct().ToList();
        if (ids.Count > 0 && await db.StudyMaterials.CountAsync(m => ids.Contains(m.Id), ct) != ids.Count)
            errors.Add(new("studyMaterialIds", "学习材料不存在"));
        ErrorMapping.ThrowIfAny(errors);
    }

    public static async Task<Campaign> UpdateAsync(BihuanDb db, int id, CampaignInput input, CancellationToken ct)
    {
        var c = await db.Campaigns.FirstOrDefaultAsync(x => x.Id == id, ct) ?? throw new DomainException(new RecordNotFound("学习教育"));
        await RequireRunnerAsync(db, c, ct);
        if (c.IsPublished) throw new DomainException(new CampaignNotEditable("学习教育已发布，不能再修改总要求、重点任务和阶段"));
        CheckInput(input);
        if (input.Name is not null) c.Name = input.Name.Trim();
        if (input.GeneralRequirement is not null) c.GeneralRequirement = input.GeneralRequirement.Trim();
        if (input.KeyTasks is not null) c.KeyTasks = input.KeyTasks;
        if (input.Phases is not null) c.Phases = ToPhases(input.Phases);
        if (input.StartsOn is not null) c.StartsOn = input.StartsOn;
        if (input.EndsOn is not null) c.EndsOn = input.EndsOn;
        if (input.StudyMaterialIds is not null) c.StudyMaterialIds = input.StudyMaterialIds.Distinct().ToList();
        await ValidateAsync(db, c, ct);
        await db.SaveChangesAsync(ct);
        return c;
    }

    static async Task<Org> RequireRunnerAsync(BihuanDb db, Campaign c, CancellationToken ct)
    {
        if (c.IsTemplate || c.RootOrgId is null)
        {
            if (!db.Access.CanAnywhere(Permission.ManageTemplates)) throw new DomainException(new Forbidden("模板只能由系统管理员维护"));
            return await db.OrgDirectory().OrderBy(o => o.Id).FirstAsync(ct);
        }
        var root = await db.Orgs.FirstOrDefaultAsync(o => o.Id == c.RootOrgId, ct)
            ?? throw new DomainException(new Forbidden("只有该学习教育的学习教育办公室可以办理"));
        if (!MayRun(db.Access, root)) throw new DomainException(new Forbidden("只有该学习教育的学习教育办公室可以办理"));
        return root;
    }

    public static async Task<Campaign> PublishAsync(BihuanDb db, TimeProvider clock, ClaimsPrincipal user, int id, CancellationToken ct)
    {
        var c = await db.Campaigns.FirstOrDefaultAsync(x => x.Id == id, ct) ?? throw new DomainException(new RecordNotFound("学习教育"));
        if (c.IsTemplate) throw new DomainException(new CampaignNotEditable("模板不能发布：请先复制为本地区的学习教育"));
        await RequireRunnerAsync(db, c, ct);
        if (c.IsPublished) throw new DomainException(new CampaignNotEditable("学习教育已发布"));
        c.PublishedAt = ChinaTime.Now(clock);
        c.PublishedBy = user.Identity?.Name ?? "?";
        await db.SaveChangesAsync(ct);
        return c;
    }

    /// Whether an org takes part: it is the campaign's root or below it.
    public static async Task<bool> ParticipatesAsync(BihuanDb db, Campaign c, Org org, CancellationToken ct)
    {
        if (c.RootOrgId is not { } rootId) return false;
        var root = await db.OrgDirectory().FirstAsync(o => o.Id == rootId, ct);
        return org.IsInSubtreeOf(root);
    }

    /// The published campaigns an org takes part in, newest first.
    public static async Task<List<Campaign>> ForOrgAsync(BihuanDb db, Org org, CancellationToken ct)
    {
        var live = await db.Campaigns.Where(c => c.PublishedAt != null && c.RootOrgId != null).AsNoTracking().ToListAsync(ct);
        var rootIds = live.Select(c => c.RootOrgId!.Value).ToList();
        var roots = await db.OrgDirectory().Where(o => rootIds.Contains(o.Id)).ToDictionaryAsync(o => o.Id, ct);
        return live.Where(c => org.IsInSubtreeOf(roots[c.RootOrgId!.Value]))
            .OrderByDescending(c => c.Id).ToList();
    }
}

/// The caller as a lifecycle actor: account id, display name and scope.
public static class Callers
{
    public static async Task<Actor> ActorAsync(BihuanDb db, ClaimsPrincipal user, CancellationToken ct)
    {
        var id = user.FindFirstValue(ClaimTypes.NameIdentifier) ?? throw new DomainException(new Forbidden("请先登录"));
        var name = await db.Users.Where(u => u.Id == id).Select(u => u.DisplayName).FirstOrDefaultAsync(ct) ?? id;
        return new Actor(id, name, db.Access);
    }

    /// The person record an account is linked to (Account.PersonId), if any.
    public static async Task<int?> PersonIdAsync(BihuanDb db, ClaimsPrincipal user, CancellationToken ct)
    {
        var id = user.FindFirstValue(ClaimTypes.NameIdentifier);
        return id is null ? null : await db.Users.Where(u => u.Id == id).Select(u => u.PersonId).FirstOrDefaultAsync(ct);
    }

}
