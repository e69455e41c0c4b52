using System.Globalization;
using Bihuan.Data;
using Bihuan.Domain;
using Bihuan.Features.Rectification;
using Microsoft.EntityFrameworkCore;

namespace Bihuan.Features.Supervision;

/// One number on the dashboard and the list that reproduces it (drill-down, scope kept: the list filters again).
public sealed record Figure(string Key, string Label, int Value, string? Href);
public sealed record FigureGroup(string Key, string Title, List<Figure> Figures);

/// One direct sub-unit's figures from one section. Weight orders the lagging-units list (bigger = worse);
/// Reasons say why in words ("逾期 5 项"). Lights: the sub-unit's light counts, when the section has lights.
public sealed record UnitFigures(int OrgId, List<Figure> Figures, long Weight, List<string> Reasons,
    Dictionary<LightLevel, int>? Lights = null);

public sealed record SectionResult(string Key, string Title, List<FigureGroup> Groups, List<UnitFigures> Units);

/// A part of the supervision dashboard. Work orders, plans and study add theirs by implementing this and registering
/// it (AddSupervision); the page, API, briefing and Excel export show every section they are given.
public interface IDashboardSection
{
    string Key { get; }
    int Order { get; }
    Task<SectionResult> ComputeAsync(DashboardScope scope, CancellationToken ct);
}

/// The subtree a dashboard is computed for: its root, the direct sub-units, and which sub-unit each org of the
/// subtree rolls up into (by materialized path, read once as small tuples).
public sealed class DashboardScope
{
    public required BihuanDb Db { get; init; }
    public required Org Root { get; init; }
    public required List<Org> Children { get; init; }
    public required DateOnly Today { get; init; }
    /// org id → the direct sub-unit it rolls up into (the root's own records: the root's id).
    public required Dictionary<int, int> BucketOf { get; init; }

    /// Ids of the orgs in the subtree, as a subquery (never materialized): records filter with OrgIds.Contains(x.OrgId).
    public IQueryable<int> OrgIds
    {
        get
        {
            var prefix = Root.SelfPath;
            var id = Root.Id;
            return Db.Orgs.Where(o => o.Id == id || o.Path.StartsWith(prefix)).Select(o => o.Id);
        }
    }

    public static string Ledger(int orgId, params (string Key, string Value)[] filters) =>
        "/ledger?orgId=" + orgId.ToString(CultureInfo.InvariantCulture)
        + string.Concat(filters.Select(f => "&" + f.Key + "=" + Uri.EscapeDataString(f.Value)));

    public static async Task<DashboardScope> ForAsync(BihuanDb db, Org root, DateOnly today, CancellationToken ct)
    {
        var prefix = root.SelfPath;
        var orgs = await db.Orgs.Where(o => o.Path.StartsWith(prefix)).Select(o => new { o.Id, o.Path }).AsNoTracking().ToListAsync(ct);
        var bucket = new Dictionary<int, int>(orgs.Count + 1) { [root.Id] = root.Id };
        foreach (var o in orgs)
        {
            var rest = o.Path.AsSpan(prefix.Length);
            bucket[o.Id] = rest.Length == 0 ? o.Id : int.Parse(rest[..rest.IndexOf('/')], CultureInfo.InvariantCulture);
        }
        var children = await db.Orgs.Where(o => o.ParentId == root.Id && !o.Archived).OrderBy(o => o.SortOrder).ThenBy(o => o.Id)
            .AsNoTracking().ToListAsync(ct);
        return new DashboardScope { Db = db, Root = root, Children = children, Today = today, BucketOf = bucket };
    }
}

/// 整改台账 on the dashboard: counts by status, source, category, dimension and aspect (GROUP BY per org, rolled
/// up by path), red from SQL (LedgerLights.Red), the other lights and 序时进度 lag from small tuples of the open
/// items that are not red, computed with the same Lights.Of the ledger shows.
public sealed class LedgerSection(WorkingCalendar cal, LightRules rules) : IDashboardSection
{
    public string Key => "ledger";
    public int Order => 10;

    sealed class Tally
    {
        public int Total, Open, Closed, Overdue, Reopened, Extended, Red, Yellow, Blue, Green, Lagging;
    }

    public async Task<SectionResult> ComputeAsync(DashboardScope s, CancellationToken ct)
    {
        var db = s.Db;
        var today = s.Today;
        var ids = s.OrgIds;
        // The root of the whole tree holds every org: the scope filter alone bounds the rows (no subtree subquery).
        var items = s.Root.ParentId is null ? db.RectItems : db.RectItems.Where(i => ids.Contains(i.OrgId));

        // One scan for status, source, overdue, reopened and extended per org; one for the problem's attributes.
        var byStatus = await items.GroupBy(i => new { i.OrgId, i.Status, i.Source }).Select(g => new
        {
            g.Key.OrgId, g.Key.Status, g.Key.Source, N = g.Count(),
            Overdue = g.Sum(i => i.Deadline != null && i.Deadline < today ? 1 : 0),
            Reopened = g.Sum(i => i.ReopenCount > 0 ? 1 : 0),
            Extended = g.Sum(i => i.ExtensionCount > 0 ? 1 : 0),
        }).ToListAsync(ct);
        var reds = await items.Where(LedgerLights.Red(today, rules)).GroupBy(i => i.OrgId)
            .Select(g => new { OrgId = g.Key, N = g.Count() }).ToListAsync(ct);

        var tallies = new Dictionary<int, Tally>();
        Tally T(int orgId) => tallies.TryGetValue(s.BucketOf.GetValueOrDefault(orgId, s.Root.Id), out var t) ? t
            : tallies[s.BucketOf.GetValueOrDefault(orgId, s.Root.Id)] = new Tally();
        var total = new Tally();
        foreach (var r in byStatus)
        {
            var closed = r.Status is RectStatus.Closed or RectStatus.Confirmed;
            foreach (var t in new[] { T(r.OrgId), total })
            {
                t.Total += r.N;
                if (closed) t.Closed += r.N;
                else { t.Open += r.N; t.Overdue += r.Overdue; }
                t.Reopened += r.Reopened;
                t.Extended += r.Extended;
            }
        }
        foreach (var r in reds) { T(r.OrgId).Red += r.N; total.Red += r.N; }

        // Blue, yellow, green and lag count working days: stream the open items that are not past their deadline as
        // small tuples (every item that is not red is among them; so are the items red for returns or reopening, which
        // may still lag). Red itself was counted in SQL above.
        await foreach (var x in items.Where(i => i.Status != RectStatus.Closed && i.Status != RectStatus.Confirmed
                && !(i.DeadlineKind == DeadlineKind.Dated && i.Deadline < today)
                && !(i.DeadlineKind == DeadlineKind.Immediate && (i.Deadline ?? i.StartOn) < today))
            .Select(i => new { i.OrgId, i.Status, i.DeadlineKind, i.StartOn, i.Deadline, i.Percent, i.LastProgressOn, i.ReturnCount, i.ReopenCount })
            .AsNoTracking().AsAsyncEnumerable().WithCancellation(ct))
        {
            var level = Lights.Of(new LightInput(x.Status, x.DeadlineKind, x.StartOn, x.Deadline, x.Percent, x.LastProgressOn,
                x.ReturnCount, x.ReopenCount, 0, today), rules, cal).Level;
            var lag = LedgerLights.IsLagging(x.Status, x.DeadlineKind, x.StartOn, x.Deadline, x.Percent, today, rules, cal);
            foreach (var t in new[] { T(x.OrgId), total })
            {
                switch (level)
                {
                    case LightLevel.Yellow: t.Yellow++; break;
                    case LightLevel.Blue: t.Blue++; break;
                    case LightLevel.Green: t.Green++; break;
                    case LightLevel.Red: break;   // counted in SQL
                }
                if (lag) t.Lagging++;
            }
        }

        var root = s.Root.Id;
        List<Figure> Status(int org, Tally t) =>
        [
            new("total", "整改事项", t.Total, DashboardScope.Ledger(org)),
            new("open", "未销号", t.Open, DashboardScope.Ledger(org, ("closed", "false"))),
            new("onTime", "按期推进", t.Open - t.Overdue, DashboardScope.Ledger(org, ("onTime", "true"))),
            new("overdue", "逾期", t.Overdue, DashboardScope.Ledger(org, ("overdue", "true"))),
            new("closed", "已销号", t.Closed, DashboardScope.Ledger(org, ("closed", "true"))),
            new("reopened", "重新整改", t.Reopened, DashboardScope.Ledger(org, ("reopened", "true"))),
            new("extended", "延期", t.Extended, DashboardScope.Ledger(org, ("extended", "true"))),
            new("lagging", "序时进度滞后", t.Lagging, DashboardScope.Ledger(org, ("lagging", "true"))),
        ];
        List<Figure> LightFigures(int org, Tally t) =>
        [
            new("red", "红灯", t.Red, DashboardScope.Ledger(org, ("light", "Red"))),
            new("yellow", "黄灯", t.Yellow, DashboardScope.Ledger(org, ("light", "Yellow"), ("closed", "false"))),
            new("blue", "蓝灯", t.Blue, DashboardScope.Ledger(org, ("light", "Blue"), ("closed", "false"))),
            new("green", "绿灯", t.Green, DashboardScope.Ledger(org, ("light", "Green"), ("closed", "false"))),
        ];

        // By the problem's attributes (one GROUP BY each over the subtree's items; each figure drills down exactly).
        var bySource = byStatus.GroupBy(r => r.Source).Select(g => new { g.Key, N = g.Sum(r => r.N) }).ToList();
        var attrs = await items.GroupBy(i => new { i.Problem!.CategoryId, i.Problem.Dimension, i.Problem.Aspect })
            .Select(g => new { g.Key.CategoryId, g.Key.Dimension, g.Key.Aspect, N = g.Count() }).ToListAsync(ct);
        var byCategory = attrs.GroupBy(a => a.CategoryId).Select(g => new { g.Key, N = g.Sum(a => a.N) }).ToList();
        var byDimension = attrs.GroupBy(a => a.Dimension).Select(g => new { g.Key, N = g.Sum(a => a.N) }).ToList();
        var byAspect = attrs.GroupBy(a => a.Aspect).Select(g => new { g.Key, N = g.Sum(a => a.N) }).ToList();
        var categories = await db.Categories.OrderBy(c => c.SortOrder).Select(c => new { c.Id, c.Name }).ToListAsync(ct);

        var groups = new List<FigureGroup>
        {
            new("status", "整改情况", Status(root, total)),
            new("lights", "预警", LightFigures(root, total)),
            new("source", "问题来源", Enum.GetValues<SourceChannel>().Select(x => new Figure(x.ToString(), x.Label(),
                bySource.FirstOrDefault(b => b.Key == x)?.N ?? 0, DashboardScope.Ledger(root, ("source", x.ToString())))).ToList()),
            new("category", "问题类别", categories.Select(c => new Figure(c.Id.ToString(CultureInfo.InvariantCulture), c.Name,
                    byCategory.FirstOrDefault(b => b.Key == c.Id)?.N ?? 0,
                    DashboardScope.Ledger(root, ("categoryId", c.Id.ToString(CultureInfo.InvariantCulture)))))
                .Where(f => f.Value > 0)
                .Append(new Figure("none", "未分类", byCategory.FirstOrDefault(b => b.Key == null)?.N ?? 0, null))
                .Where(f => f.Value > 0 || f.Key != "none").ToList()),
            new("dimension", "总要求方面", Enum.GetValues<Dimension>().Select(x => new Figure(x.ToString(), x.Label(),
                byDimension.FirstOrDefault(b => b.Key == x)?.N ?? 0, DashboardScope.Ledger(root, ("dimension", x.ToString())))).ToList()),
            new("aspect", "查摆方面", Enum.GetValues<Aspect>().Select(x => new Figure(x.ToString(), x.Label(),
                byAspect.FirstOrDefault(b => b.Key == x)?.N ?? 0, DashboardScope.Ledger(root, ("aspect", x.ToString())))).ToList()),
        };

        var units = tallies.Select(kv =>
        {
            var t = kv.Value;
            var reasons = new List<string>();
            if (t.Overdue > 0) reasons.Add($"逾期 {t.Overdue} 项");
            if (t.Red > 0) reasons.Add($"红灯 {t.Red} 项");
            if (t.Lagging > 0) reasons.Add($"序时进度滞后 {t.Lagging} 项");
            if (t.Yellow > 0) reasons.Add($"黄灯 {t.Yellow} 项");
            if (t.Reopened > 0) reasons.Add($"重新整改 {t.Reopened} 项");
            var weight = t.Red * 1_000_000L + t.Overdue * 10_000L + t.Yellow * 100L + t.Reopened;
            return new UnitFigures(kv.Key, [.. Status(kv.Key, t), .. LightFigures(kv.Key, t)], weight, reasons,
                new() { [LightLevel.Red] = t.Red, [LightLevel.Yellow] = t.Yellow, [LightLevel.Blue] = t.Blue, [LightLevel.Green] = t.Green });
        }).ToList();
        return new SectionResult(Key, "整改台账", groups, units);
    }
}

/// 督办单 on the dashboard: open and overdue (issued, past the response date, no reply yet).
public sealed class OrdersSection : IDashboardSection
{
    public string Key => "orders";
    public int Order => 20;

    public async Task<SectionResult> ComputeAsync(DashboardScope s, CancellationToken ct)
    {
        var ids = s.OrgIds;
        var today = s.Today;
        var rows = await s.Db.SupervisionOrders.Where(o => ids.Contains(o.OrgId)).GroupBy(o => new { o.OrgId, o.Status })
            .Select(g => new { g.Key.OrgId, g.Key.Status, N = g.Count(), Overdue = g.Sum(o => o.DueOn < today ? 1 : 0) })
            .ToListAsync(ct);
        var per = new Dictionary<int, (int Total, int Open, int Overdue, int Closed)>();
        (int Total, int Open, int Overdue, int Closed) all = default;
        foreach (var r in rows)
        {
            var b = s.BucketOf.GetValueOrDefault(r.OrgId, s.Root.Id);
            var t = per.GetValueOrDefault(b);
            var open = r.Status != SupervisionStatus.Closed ? r.N : 0;
            var overdue = r.Status == SupervisionStatus.Issued ? r.Overdue : 0;
            var closed = r.Status == SupervisionStatus.Closed ? r.N : 0;
            per[b] = (t.Total + r.N, t.Open + open, t.Overdue + overdue, t.Closed + closed);
            all = (all.Total + r.N, all.Open + open, all.Overdue + overdue, all.Closed + closed);
        }
        static string Href(int org, string? f = null) =>
            "/supervision/orders?orgId=" + org.ToString(CultureInfo.InvariantCulture) + (f is null ? "" : "&" + f);
        List<Figure> Figures(int org, (int Total, int Open, int Overdue, int Closed) t) =>
        [
            new("ordersTotal", "督办单", t.Total, Href(org)),
            new("ordersOpen", "督办未办结", t.Open, Href(org, "open=true")),
            new("ordersOverdue", "督办逾期未回复", t.Overdue, Href(org, "overdue=true")),
            new("ordersClosed", "督办已办结", t.Closed, Href(org, "status=Closed")),
        ];
        var units = per.Select(kv => new UnitFigures(kv.Key, Figures(kv.Key, kv.Value), kv.Value.Overdue * 50_000L + kv.Value.Open,
            kv.Value.Overdue > 0 ? [$"督办逾期未回复 {kv.Value.Overdue} 件"] : [])).ToList();
        return new SectionResult(Key, "督办单", [new("orders", "督办单", Figures(s.Root.Id, all))], units);
    }
}

public sealed record OrgRef(int Id, string Name);
/// One direct sub-unit across all sections: its figures by key, its light and why it lags, in words.
public sealed record UnitRow(int OrgId, string Name, string DashboardHref, LightLevel Light, Dictionary<string, Figure> Figures,
    Dictionary<LightLevel, int> Lights, long Weight, string Reason);
public sealed record TrendPoint(DateOnly Day, int Open, int Red, int Yellow, int Blue, int Green, int Overdue);
public sealed record DashboardDto(OrgRef Org, OrgRef? Parent, DateOnly Today, List<SectionResult> Sections, List<UnitRow> Units,
    List<UnitRow> Lagging, List<TrendPoint> Trend);

/// Builds the dashboard for an org the caller can see (any other org: 404), from every registered section.
public sealed class SupervisionDashboard(IEnumerable<IDashboardSection> sections)
{
    public const int TrendWeeks = 12;

    public async Task<DashboardDto> BuildAsync(BihuanDb db, int? orgId, DateOnly today, CancellationToken ct)
    {
        var root = await RootAsync(db, orgId, ct);
        var scope = await DashboardScope.ForAsync(db, root, today, ct);
        var results = new List<SectionResult>();
        foreach (var section in sections.OrderBy(x => x.Order)) results.Add(await section.ComputeAsync(scope, ct));

        var names = scope.Children.ToDictionary(c => c.Id, c => c.Name);
        names[root.Id] = root.Name + "（本级）";
        var unitIds = scope.Children.Select(c => c.Id).ToList();
        if (results.SelectMany(r => r.Units).Any(u => u.OrgId == root.Id && u.Figures.Any(f => f.Value > 0))) unitIds.Insert(0, root.Id);
        var units = unitIds.Select(id =>
        {
            var parts = results.SelectMany(r => r.Units).Where(u => u.OrgId == id).ToList();
            var lights = parts.Select(p => p.Lights).FirstOrDefault(l => l is not null)
                ?? Enum.GetValues<LightLevel>().ToDictionary(l => l, _ => 0);
            var light = Enum.GetValues<LightLevel>().Where(l => l != LightLevel.Green && lights.GetValueOrDefault(l) > 0)
                .DefaultIfEmpty(LightLevel.Green).Max();
            var reasons = parts.SelectMany(p => p.Reasons).ToList();
            return new UnitRow(id, names[id], id == root.Id ? "" : $"/supervision?orgId={id}", light,
                parts.SelectMany(p => p.Figures).GroupBy(f => f.Key).ToDictionary(g => g.Key, g => g.First()), lights,
                parts.Sum(p => p.Weight), reasons.Count == 0 ? "无逾期、红黄灯" : string.Join("、", reasons));
        }).ToList();
        var lagging = units.Where(u => u.Weight > 0 && u.Reason != "无逾期、红黄灯").OrderByDescending(u => u.Weight).ThenBy(u => u.Name).ToList();
        var trend = await TrendAsync(scope, ct);
        var parent = root.ParentId is { } pid ? await db.Orgs.Where(o => o.Id == pid).Select(o => new OrgRef(o.Id, o.Name)).FirstOrDefaultAsync(ct) : null;
        return new DashboardDto(new OrgRef(root.Id, root.Name), parent, today, results, units, lagging, trend);
    }

    /// The org asked for, or the top of the caller's own scope. Out of scope (or unknown): 404.
    public static async Task<Org> RootAsync(BihuanDb db, int? orgId, CancellationToken ct)
    {
        if (orgId is { } id)
            return await db.Orgs.AsNoTracking().FirstOrDefaultAsync(o => o.Id == id, ct)
                ?? throw new DomainException(new RecordNotFound("组织"));
        var grants = db.Access.Grants.OrderBy(g => g.OrgSelfPath.Length).Select(g => g.OrgId).ToList();
        Org? top = grants.Count > 0
            ? await db.Orgs.AsNoTracking().FirstOrDefaultAsync(o => o.Id == grants[0], ct)
            : await db.Orgs.AsNoTracking().Where(o => o.ParentId == null).OrderBy(o => o.Id).FirstOrDefaultAsync(ct);
        return top ?? throw new DomainException(new RecordNotFound("组织"));
    }

    /// Weekly: the last recorded day of each of the last TrendWeeks weeks (LightSnapshot, summed over the subtree).
    static async Task<List<TrendPoint>> TrendAsync(DashboardScope s, CancellationToken ct)
    {
        var ids = s.OrgIds;
        var from = s.Today.AddDays(-7 * TrendWeeks);
        var days = await s.Db.LightSnapshots.Where(x => ids.Contains(x.OrgId) && x.Day >= from).GroupBy(x => x.Day)
            .Select(g => new TrendPoint(g.Key, g.Sum(x => x.Open), g.Sum(x => x.Red), g.Sum(x => x.Yellow), g.Sum(x => x.Blue),
                g.Sum(x => x.Green), g.Sum(x => x.Overdue)))
            .ToListAsync(ct);
        return days.GroupBy(d => (d.Day.DayNumber - from.DayNumber) / 7).Select(g => g.MaxBy(d => d.Day)!)
            .OrderBy(d => d.Day).ToList();
    }
}
