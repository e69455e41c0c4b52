using Bihuan.Data;
using Bihuan.Domain;
using Microsoft.EntityFrameworkCore;

namespace Bihuan.Features.Supervision;

/// 建章立制 on the dashboard: rules registered by the org that issued them, by status; 出台制度 are those in force
/// (已印发, 已修订 — RuleLabels.InForce, as the rules page's loop counts them), also by the deviation category they
/// guard against (a rule guarding several counts once for each). Own counts: total, status.{Status}, inForce, cat.{id}.
public sealed class RulesSection : IDashboardSection, IRollup
{
    public string Key => "rules";
    public int Order => 70;
    public bool Daily => false;
    public IReadOnlyCollection<Type> Sources { get; } = [typeof(Rule)];

    public async Task<Dictionary<int, Counts>> OwnAsync(BihuanDb db, IReadOnlyCollection<int>? orgs, DateOnly today, CancellationToken ct)
    {
        var own = new Dictionary<int, Counts>();
        var rules = db.RollupSource<Rule>();
        if (orgs?.ToList() is { } ids) rules = rules.Where(r => ids.Contains(r.OrgId));
        foreach (var r in await rules.GroupBy(r => new { r.OrgId, r.Status }).Select(g => new { g.Key.OrgId, g.Key.Status, N = g.Count() }).ToListAsync(ct))
        {
            var c = own.Of(r.OrgId);
            c.Add("total", r.N);
            c.Add("status." + r.Status, r.N);
            if (r.Status.InForce()) c.Add("inForce", r.N);
        }
        // Categories × rules in force with “category ∈ CategoryIds” (SQLite cannot unnest per row — APPLY).
        var inForce = rules.Where(r => r.Status == RuleStatus.Issued || r.Status == RuleStatus.Revised);
        foreach (var r in await db.RollupSource<DeviationCategory>().SelectMany(c => inForce, (c, r) => new { r.OrgId, CategoryId = c.Id, r.CategoryIds })
                     .Where(x => x.CategoryIds.Contains(x.CategoryId))
                     .GroupBy(x => new { x.OrgId, x.CategoryId }).Select(g => new { g.Key.OrgId, g.Key.CategoryId, N = g.Count() })
                     .ToListAsync(ct))
            own.Of(r.OrgId).Add("cat." + SectionKit.Id(r.CategoryId), r.N);
        return own;
    }

    public async Task<SectionResult> ComputeAsync(DashboardScope s, CancellationToken ct)
    {
        var rolled = await s.RolledAsync(Key, ct);
        var root = s.Root.Id;
        // The rules list filters a subtree: no link for the root's own records (本级).
        static string? List(int org, bool self, params (string, string)[] f) => self ? null : SectionKit.Link("/rules", org, f);
        List<Figure> Headline(int org, Counts t, bool self) =>
        [
            new("rulesTotal", "登记制度", t.Of("total"), List(org, self)),
            new("rulesInForce", "出台制度", t.Of("inForce"), List(org, self, ("inForce", "true"))),
            new("rulesAbolished", "已废止", t.Of("status." + RuleStatus.Abolished), List(org, self, ("status", nameof(RuleStatus.Abolished)))),
        ];
        var total = rolled.Total;
        var categories = await s.Db.Categories.AsNoTracking().OrderBy(c => c.SortOrder).ThenBy(c => c.Id)
            .Select(c => new { c.Id, c.Name, c.Group }).ToListAsync(ct);
        var groups = new List<FigureGroup>
        {
            new("rules", "建章立制", Headline(root, total, false), Cards: true),
            new("ruleStatus", "制度状态", Enum.GetValues<RuleStatus>().Select(x => new Figure("rules.status." + x, x.Label(),
                total.Of("status." + x), List(root, false, ("status", x.ToString())))).ToList()),
            new("ruleCategory", "出台制度防范的问题类别", categories
                .Select(c => new Figure("rules.cat." + SectionKit.Id(c.Id), c.Group is null ? c.Name : $"{c.Group}：{c.Name}",
                    total.Of("cat." + SectionKit.Id(c.Id)), List(root, false, ("categoryId", SectionKit.Id(c.Id)), ("inForce", "true"))))
                .Where(f => f.Value > 0).ToList()),
        };
        var units = rolled.Units.Select(kv => new UnitFigures(kv.Key, Headline(kv.Key, kv.Value, kv.Key == root)[..2], 0, [])).ToList();
        return new SectionResult(Key, "建章立制", groups, units, "出台制度 = 已印发 + 已修订（与“建章立制”页的闭环统计一致）。");
    }
}
