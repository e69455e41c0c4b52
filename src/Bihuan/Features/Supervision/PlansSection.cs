using Bihuan.Data;
using Bihuan.Domain;
using Microsoft.EntityFrameworkCore;

namespace Bihuan.Features.Supervision;

/// 实施方案 on the dashboard, for the campaign the root takes part in (LiveCampaign.For). As the campaign page's
/// “未报送” list counts them: every org of the campaign's subtree that is not archived is expected to submit, and has
/// submitted when its plan is 已报送 or 已审核通过. Plans by status besides. Own counts per org and campaign:
/// c{id}.expected (0/1), c{id}.submitted (0/1), c{id}.plan.{Status}.
/// An org's expectation also changes when it is archived or added, or a campaign is published: RollupMarks marks those.
public sealed class PlansSection : IDashboardSection, IRollup
{
    public string Key => "plans";
    public int Order => 30;
    public bool Daily => false;
    public IReadOnlyCollection<Type> Sources { get; } = [typeof(Plan)];

    public async Task<Dictionary<int, Counts>> OwnAsync(BihuanDb db, IReadOnlyCollection<int>? orgs, DateOnly today, CancellationToken ct)
    {
        var own = new Dictionary<int, Counts>();
        var campaigns = await LiveCampaign.AllAsync(db, ct);
        if (campaigns.Count == 0) return own;
        var ids = orgs?.ToList();
        foreach (var c in campaigns)
        {
            var (rootId, prefix) = (c.RootId, c.RootSelfPath);
            var expected = db.RollupSource<Org>().Where(OrgSubtree.Of(rootId, prefix)).Where(o => !o.Archived);
            if (ids is not null) expected = expected.Where(o => ids.Contains(o.Id));
            await foreach (var id in expected.Select(o => o.Id).AsAsyncEnumerable().WithCancellation(ct)) own.Of(id).Add(c.P + "expected");
        }
        var plans = db.RollupSource<Plan>();
        if (ids is not null) plans = plans.Where(p => ids.Contains(p.OrgId));
        // One row per org, campaign and status (a plan is unique per campaign and org): small.
        var rows = await plans.GroupBy(p => new { p.OrgId, p.CampaignId, p.Status, p.Org!.Archived, p.Org.Path })
            .Select(g => new { g.Key.OrgId, g.Key.CampaignId, g.Key.Status, g.Key.Archived, g.Key.Path, N = g.Count() })
            .ToListAsync(ct);
        var live = campaigns.ToDictionary(c => c.Id);
        foreach (var r in rows)
        {
            if (!live.TryGetValue(r.CampaignId, out var c)) continue;
            var counts = own.Of(r.OrgId);
            counts.Add(c.P + "plan." + r.Status, r.N);
            var covered = r.OrgId == c.RootId || r.Path.StartsWith(c.RootSelfPath, StringComparison.Ordinal);
            if (covered && !r.Archived && r.Status is PlanStatus.Submitted or PlanStatus.Approved) counts.Add(c.P + "submitted", r.N);
        }
        return own;
    }

    static string StatusLabel(PlanStatus s) => s == PlanStatus.Submitted ? "已报送待审核" : s.Label();

    public async Task<SectionResult> ComputeAsync(DashboardScope s, CancellationToken ct)
    {
        var rolled = await s.RolledAsync(Key, ct);
        var campaign = LiveCampaign.For(await LiveCampaign.AllAsync(s.Db, ct), s.Root);
        if (campaign is null) return new SectionResult(Key, "实施方案", [], [], "本级及下级尚无已发布的学习教育。");
        var p = campaign.P;
        // No list page reproduces these counts over a subtree (the campaign page lists one level): no links.
        List<Figure> Headline(Counts t) =>
        [
            new("plansExpected", "应报送方案单位", t.Of(p + "expected"), null),
            new("plansSubmitted", "已报送方案单位", t.Of(p + "submitted"), null),
            new("plansNotSubmitted", "未报送方案单位", t.Of(p + "expected") - t.Of(p + "submitted"), null),
            new("plansApproved", "方案审核通过", t.Of(p + "plan." + PlanStatus.Approved), null),
            new("plansReturned", "方案退回修改", t.Of(p + "plan." + PlanStatus.Returned), null),
        ];
        var total = rolled.Total;
        var groups = new List<FigureGroup>
        {
            new("plans", "实施方案报送", Headline(total), Cards: true),
            new("planStatus", "方案状态", Enum.GetValues<PlanStatus>()
                .Select(x => new Figure("plans." + x, StatusLabel(x), total.Of(p + "plan." + x), null)).ToList()),
        };
        // Each row's own plan (the campaign page's “未报送” per unit): a handful of rows by the (CampaignId, OrgId) index.
        var rowIds = rolled.Units.Keys.ToList();
        var cid = campaign.Id;
        var ownPlans = await s.Db.Plans.Where(x => x.CampaignId == cid && rowIds.Contains(x.OrgId))
            .Select(x => new { x.OrgId, x.Id, x.Status }).ToDictionaryAsync(x => x.OrgId, ct);
        var orgs = SectionKit.Orgs(s);
        var units = rolled.Units.Where(kv => orgs.ContainsKey(kv.Key)).Select(kv =>
        {
            var org = orgs[kv.Key];
            Figure mine;
            var reasons = new List<string>();
            if (!campaign.Covers(org) || org.Archived) mine = new("plansOwn", "本单位方案", 0, null, "—");
            else if (ownPlans.GetValueOrDefault(kv.Key) is { } plan)
            {
                var submitted = plan.Status is PlanStatus.Submitted or PlanStatus.Approved;
                mine = new("plansOwn", "本单位方案", submitted ? 1 : 0, "/plans/" + SectionKit.Id(plan.Id), StatusLabel(plan.Status));
                if (!submitted) reasons.Add($"实施方案未报送（{plan.Status.Label()}）");
            }
            else
            {
                mine = new("plansOwn", "本单位方案", 0, null, "未起草");
                reasons.Add("实施方案未报送（未起草）");
            }
            return new UnitFigures(kv.Key, [mine, .. Headline(kv.Value)[..3]], reasons.Count > 0 ? 20 : 0, reasons);
        }).ToList();
        return new SectionResult(Key, "实施方案", groups, units,
            $"{campaign.Name}：范围内未撤销的单位均应报送实施方案，已报送含审核通过。");
    }
}
