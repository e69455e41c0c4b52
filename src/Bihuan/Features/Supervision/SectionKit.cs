using System.Globalization;
using Bihuan.Data;
using Bihuan.Domain;
using Microsoft.EntityFrameworkCore;

namespace Bihuan.Features.Supervision;

/// What the rolled-up sections share: own counts keyed by org, rates shown from a numerator and a denominator (a rate
/// over a subtree is Σnumerators / Σdenominators, so only the two counters are stored), list links, the sub-units.
static class SectionKit
{
    public static Counts Of(this Dictionary<int, Counts> own, int orgId) =>
        own.TryGetValue(orgId, out var c) ? c : own[orgId] = new Counts();

    /// A rate as the work-order KPIs compute and show it: n/d rounded to 4 places, shown as a percent with one decimal;
    /// "—" without a denominator (a rate of nothing is not 0%).
    public static string Percent(long n, long d) => d == 0 ? "—"
        : (Math.Round((double)n / d, 4) * 100).ToString("0.0", CultureInfo.InvariantCulture) + "%";

    public static Figure Rate(string key, string label, long n, long d, string? href) =>
        new(key, label, d == 0 ? 0 : (int)Math.Round(100.0 * n / d), href, Percent(n, d));

    /// path?orgId=…&k=v… (values escaped).
    public static string Link(string path, int orgId, params (string Key, string Value)[] filters) =>
        path + "?orgId=" + orgId.ToString(CultureInfo.InvariantCulture)
        + string.Concat(filters.Select(f => "&" + f.Key + "=" + Uri.EscapeDataString(f.Value)));

    public static string Id(int id) => id.ToString(CultureInfo.InvariantCulture);

    /// The orgs shown as rows (the root's direct sub-units, and 本级 under the root's id): their Org records.
    public static Dictionary<int, Org> Orgs(DashboardScope s)
    {
        var map = s.Children.ToDictionary(c => c.Id);
        map[s.Root.Id] = s.Root;
        return map;
    }
}

/// A published campaign (学习教育) as the plans and study sections count it: its subtree (the org it was published for
/// and everything under it takes part) and the articles of its study materials (all: required of 班子成员; core: of
/// everyone else), as StudyCommands.RequiredAsync reads them.
public sealed record LiveCampaign(int Id, string Name, int RootId, string RootSelfPath, List<int> Articles, List<int> Core)
{
    /// Counter prefix: each campaign's counters stand apart ("c3.expected").
    public string P => "c" + Id.ToString(CultureInfo.InvariantCulture) + ".";

    public bool Covers(Org o) => o.Id == RootId || o.SelfPath.StartsWith(RootSelfPath, StringComparison.Ordinal);

    /// Published, for an org (templates are never published for an org). Few rows: read whole.
    public static async Task<List<LiveCampaign>> AllAsync(BihuanDb db, CancellationToken ct)
    {
        var campaigns = await db.Campaigns.AsNoTracking().Where(c => c.PublishedAt != null && c.RootOrgId != null && !c.IsTemplate)
            .OrderBy(c => c.Id).ToListAsync(ct);
        if (campaigns.Count == 0) return [];
        var rootIds = campaigns.Select(c => c.RootOrgId!.Value).Distinct().ToList();
        var roots = await db.RollupSource<Org>().Where(o => rootIds.Contains(o.Id))
            .Select(o => new { o.Id, o.Path }).ToDictionaryAsync(o => o.Id, o => o.Path, ct);
        var materials = campaigns.SelectMany(c => c.StudyMaterialIds).Distinct().ToList();
        var articles = await db.StudyArticles.AsNoTracking().Where(a => materials.Contains(a.MaterialId))
            .Select(a => new { a.Id, a.MaterialId, a.IsCore }).ToListAsync(ct);
        return campaigns.Where(c => roots.ContainsKey(c.RootOrgId!.Value)).Select(c =>
        {
            var mine = articles.Where(a => c.StudyMaterialIds.Contains(a.MaterialId)).ToList();
            var root = c.RootOrgId!.Value;
            return new LiveCampaign(c.Id, c.Name, root, roots[root] + root.ToString(CultureInfo.InvariantCulture) + "/",
                mine.Select(a => a.Id).Order().ToList(), mine.Where(a => a.IsCore).Select(a => a.Id).Order().ToList());
        }).ToList();
    }

    /// The campaign a dashboard shows: the newest one its root takes part in (as 我的学习 picks the newest of a
    /// person's org), otherwise the newest one published for an org inside the root's subtree; null when none.
    public static LiveCampaign? For(IReadOnlyList<LiveCampaign> all, Org root) =>
        all.Where(c => c.Covers(root)).MaxBy(c => c.Id)
        ?? all.Where(c => c.RootSelfPath.StartsWith(root.SelfPath, StringComparison.Ordinal)).MaxBy(c => c.Id);
}
