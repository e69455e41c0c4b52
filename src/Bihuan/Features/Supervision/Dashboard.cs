using System.Globalization;
using Bihuan.Data;
using Bihuan.Domain;
using Bihuan.Features.Rectification;
using Microsoft.EntityFrameworkCore;

namespace Bihuan.Features.Supervision;

/// One number on the dashboard and the list that reproduces it (drill-down, scope kept: the list filters again).
/// Text: how to show it when it is not a plain count — a rate ("93.5%", "—" without a denominator); Value then holds
/// the rate rounded to a whole percent. No Href when no list reproduces the number.
public sealed record Figure(string Key, string Label, int Value, string? Href, string? Text = null)
{
    public string Shown => Text ?? Value.ToString(CultureInfo.InvariantCulture);
}

/// Cards: shown as figure cards at the head of its section (otherwise as a two-column table).
public sealed record FigureGroup(string Key, string Title, List<Figure> Figures, bool Cards = false);

/// One direct sub-unit's figures from one section. Weight orders the lagging-units list (bigger = worse);
/// Reasons say why in words ("逾期 5 项"). Lights: the sub-unit's light counts, when the section has lights.
public sealed record UnitFigures(int OrgId, List<Figure> Figures, long Weight, List<string> Reasons,
    Dictionary<LightLevel, int>? Lights = null);

/// Note: a line under the section's title (what the figures are counted over, e.g. the campaign).
public sealed record SectionResult(string Key, string Title, List<FigureGroup> Groups, List<UnitFigures> Units, string? Note = null);

/// A part of the supervision dashboard. Work orders, plans and study add theirs by implementing this and registering
/// it (AddSupervision); the page, API, briefing and Excel export show every section they are given.
public interface IDashboardSection
{
    string Key { get; }
    int Order { get; }
    Task<SectionResult> ComputeAsync(DashboardScope scope, CancellationToken ct);
}

/// The subtree a dashboard is computed for: its root and its direct sub-units. Rolled-up sections read their counts
/// with RolledAsync (the root's and the sub-units' roll-ups as of this read: RollupStore.ViewAsync).
public sealed class DashboardScope
{
    public required BihuanDb Db { get; init; }
    public required Org Root { get; init; }
    /// Direct sub-units shown (not archived), in their order.
    public required List<Org> Children { get; init; }
    /// Every direct sub-unit, archived ones too (their records count in the total, not as a row).
    public required List<int> AllChildIds { get; init; }
    public required DateOnly Today { get; init; }
    public required RollupView Rollups { get; init; }

    /// A rolled-up section's counts for the root's subtree and per direct sub-unit (本级 under the root's id).
    public Task<RolledUp> RolledAsync(string section, CancellationToken ct) =>
        Rollups.ReadAsync(Db, section, Root.Id, Children.Select(c => c.Id).ToList(), AllChildIds, ct);

    public static string Ledger(int orgId, params (string Key, string Value)[] filters) =>
        "/ledger?orgId=" + orgId.ToString(CultureInfo.InvariantCulture)
        + string.Concat(filters.Select(f => "&" + f.Key + "=" + Uri.EscapeDataString(f.Value)));

    public static async Task<DashboardScope> ForAsync(BihuanDb db, Org root, DateOnly today, RollupView rollups, CancellationToken ct)
    {
        var children = await db.RollupSource<Org>().Where(o => o.ParentId == root.Id).OrderBy(o => o.SortOrder).ThenBy(o => o.Id)
            .AsNoTracking().ToListAsync(ct);
        return new DashboardScope
        {
            Db = db, Root = root, Today = today, Rollups = rollups, Children = children.Where(c => !c.Archived).ToList(),
            AllChildIds = children.Select(c => c.Id).ToList(),
        };
    }
}

/// 整改台账 on the dashboard: counts by status, source, category, dimension and aspect, the four lights and 序时进度
/// lag, from the roll-ups. Own counts per org: the items streamed as small tuples with their problem's attributes,
/// each light computed with the same Lights.Of the ledger shows (so every figure equals its drill-down's count).
public sealed class LedgerSection(WorkingCalendar cal, LightRules rules) : IDashboardSection, IRollup
{
    public string Key => "ledger";
    public int Order => 10;
    public bool Daily => true;
    public IReadOnlyCollection<Type> Sources { get; } = [typeof(RectItem)];

    public async Task<Dictionary<int, Counts>> OwnAsync(BihuanDb db, IReadOnlyCollection<int>? orgs, DateOnly today, CancellationToken ct)
    {
        var items = db.RollupSource<RectItem>().AsNoTracking();
        if (orgs is not null)
        {
            var ids = orgs.ToList();
            items = items.Where(i => ids.Contains(i.OrgId));
        }
        var own = new Dictionary<int, Counts>();
        await foreach (var x in items.Select(i => new
            {
                i.OrgId, i.Status, i.Source, i.DeadlineKind, i.StartOn, i.Deadline, i.Percent, i.LastProgressOn, i.ReturnCount,
                i.ReopenCount, i.ExtensionCount, i.Problem!.CategoryId, i.Problem.Dimension, i.Problem.Aspect,
            }).AsAsyncEnumerable().WithCancellation(ct))
        {
            if (!own.TryGetValue(x.OrgId, out var c)) own[x.OrgId] = c = new Counts();
            c.Add("total");
            c.Add("src." + x.Source);
            c.Add(x.CategoryId is { } cat ? "cat." + cat.ToString(CultureInfo.InvariantCulture) : "cat.none");
            c.Add("dim." + x.Dimension);
            c.Add("asp." + x.Aspect);
            if (x.ReopenCount > 0) c.Add("reopened");
            if (x.ExtensionCount > 0) c.Add("extended");
            if (!x.Status.IsOpen()) { c.Add("closed"); continue; }
            c.Add("open");
            if (x.Deadline is { } d && Bounds.InWindow(d) && d < today) c.Add("overdue");   // as the ledger's overdue filter
            var level = Lights.Of(new LightInput(x.Status, x.DeadlineKind, x.StartOn, x.Deadline, x.Percent, x.LastProgressOn,
                x.ReturnCount, x.ReopenCount, 0, today), rules, cal).Level;
            c.Add("light." + level);
            if (Lights.IsLagging(LedgerLights.LagInput(x.Status, x.DeadlineKind, x.StartOn, x.Deadline, x.Percent, today),
                    rules, cal)) c.Add("lagging");
        }
        return own;
    }

    public async Task<SectionResult> ComputeAsync(DashboardScope s, CancellationToken ct)
    {
        var rolled = await s.RolledAsync(Key, ct);
        var total = rolled.Total;
        var root = s.Root.Id;
        List<Figure> Status(int org, Counts t) =>
        [
            new("total", "整改事项", t.Of("total"), DashboardScope.Ledger(org)),
            new("open", "未销号", t.Of("open"), DashboardScope.Ledger(org, ("closed", "false"))),
            new("onTime", "按期推进", t.Of("open") - t.Of("overdue"), DashboardScope.Ledger(org, ("onTime", "true"))),
            new("overdue", "逾期", t.Of("overdue"), DashboardScope.Ledger(org, ("overdue", "true"))),
            new("closed", "已销号", t.Of("closed"), DashboardScope.Ledger(org, ("closed", "true"))),
            new("reopened", "重新整改", t.Of("reopened"), DashboardScope.Ledger(org, ("reopened", "true"))),
            new("extended", "延期", t.Of("extended"), DashboardScope.Ledger(org, ("extended", "true"))),
            new("lagging", "序时进度滞后", t.Of("lagging"), DashboardScope.Ledger(org, ("lagging", "true"))),
        ];
        List<Figure> LightFigures(int org, Counts t) =>
        [
            new("red", "红灯", t.Of("light.Red"), DashboardScope.Ledger(org, ("light", "Red"))),
            new("yellow", "黄灯", t.Of("light.Yellow"), DashboardScope.Ledger(org, ("light", "Yellow"), ("closed", "false"))),
            new("blue", "蓝灯", t.Of("light.Blue"), DashboardScope.Ledger(org, ("light", "Blue"), ("closed", "false"))),
            new("green", "绿灯", t.Of("light.Green"), DashboardScope.Ledger(org, ("light", "Green"), ("closed", "false"))),
            new("invalid", "数据无效", t.Of("light.Invalid"), DashboardScope.Ledger(org, ("light", "Invalid"))),
        ];

        var categories = await s.Db.Categories.OrderBy(c => c.SortOrder).Select(c => new { c.Id, c.Name }).ToListAsync(ct);
        var groups = new List<FigureGroup>
        {
            new("status", "整改情况", Status(root, total), Cards: true),
            new("lights", "预警", LightFigures(root, total), Cards: true),
            new("source", "问题来源", Enum.GetValues<SourceChannel>().Select(x => new Figure(x.ToString(), x.Label(),
                total.Of("src." + x), DashboardScope.Ledger(root, ("source", x.ToString())))).ToList()),
            new("category", "问题类别", categories.Select(c => new Figure(c.Id.ToString(CultureInfo.InvariantCulture), c.Name,
                    total.Of("cat." + c.Id.ToString(CultureInfo.InvariantCulture)),
                    DashboardScope.Ledger(root, ("categoryId", c.Id.ToString(CultureInfo.InvariantCulture)))))
                .Where(f => f.Value > 0)
                .Append(new Figure("none", "未分类", total.Of("cat.none"), null))
                .Where(f => f.Value > 0 || f.Key != "none").ToList()),
            new("dimension", "总要求方面", Enum.GetValues<Dimension>().Select(x => new Figure(x.ToString(), x.Label(),
                total.Of("dim." + x), DashboardScope.Ledger(root, ("dimension", x.ToString())))).ToList()),
            new("aspect", "查摆方面", Enum.GetValues<Aspect>().Select(x => new Figure(x.ToString(), x.Label(),
                total.Of("asp." + x), DashboardScope.Ledger(root, ("aspect", x.ToString())))).ToList()),
        };

        var units = rolled.Units.Where(kv => kv.Key != root || !kv.Value.IsZero).Select(kv =>
        {
            var t = kv.Value;
            int overdue = t.Of("overdue"), red = t.Of("light.Red"), lagging = t.Of("lagging"), yellow = t.Of("light.Yellow"), reopened = t.Of("reopened");
            var invalid = t.Of("light.Invalid");
            var reasons = new List<string>();
            if (invalid > 0) reasons.Add($"数据无效 {invalid} 项");
            if (overdue > 0) reasons.Add($"逾期 {overdue} 项");
            if (red > 0) reasons.Add($"红灯 {red} 项");
            if (lagging > 0) reasons.Add($"序时进度滞后 {lagging} 项");
            if (yellow > 0) reasons.Add($"黄灯 {yellow} 项");
            if (reopened > 0) reasons.Add($"重新整改 {reopened} 项");
            var weight = (red + invalid) * 1_000_000L + overdue * 10_000L + yellow * 100L + reopened;
            return new UnitFigures(kv.Key, [.. Status(kv.Key, t), .. LightFigures(kv.Key, t)], weight, reasons,
                Enum.GetValues<LightLevel>().ToDictionary(l => l, l => t.Of("light." + l)));
        }).ToList();
        return new SectionResult(Key, "整改台账", groups, units);
    }
}

/// 督办单 on the dashboard: open and overdue (issued, past the response date, no reply yet).
public sealed class OrdersSection : IDashboardSection, IRollup
{
    public string Key => "orders";
    public int Order => 20;
    public bool Daily => true;
    public IReadOnlyCollection<Type> Sources { get; } = [typeof(SupervisionOrder)];

    public async Task<Dictionary<int, Counts>> OwnAsync(BihuanDb db, IReadOnlyCollection<int>? orgs, DateOnly today, CancellationToken ct)
    {
        var min = Bounds.MinDate;   // as SupervisionOrder.IsOverdue
        var q = db.RollupSource<SupervisionOrder>();
        if (orgs is not null)
        {
            var ids = orgs.ToList();
            q = q.Where(o => ids.Contains(o.OrgId));
        }
        var rows = await q.GroupBy(o => new { o.OrgId, o.Status })
            .Select(g => new { g.Key.OrgId, g.Key.Status, N = g.Count(), Overdue = g.Sum(o => o.DueOn >= min && o.DueOn < today ? 1 : 0) })
            .ToListAsync(ct);
        var own = new Dictionary<int, Counts>();
        foreach (var r in rows)
        {
            if (!own.TryGetValue(r.OrgId, out var c)) own[r.OrgId] = c = new Counts();
            c.Add("total", r.N);
            if (r.Status == SupervisionStatus.Closed) c.Add("closed", r.N);
            else c.Add("open", r.N);
            if (r.Status == SupervisionStatus.Issued) c.Add("overdue", r.Overdue);
        }
        return own;
    }

    public async Task<SectionResult> ComputeAsync(DashboardScope s, CancellationToken ct)
    {
        var rolled = await s.RolledAsync(Key, ct);
        static string Href(int org, string? f = null) =>
            "/supervision/orders?orgId=" + org.ToString(CultureInfo.InvariantCulture) + (f is null ? "" : "&" + f);
        List<Figure> Figures(int org, Counts t) =>
        [
            new("ordersTotal", "督办单", t.Of("total"), Href(org)),
            new("ordersOpen", "督办未办结", t.Of("open"), Href(org, "open=true")),
            new("ordersOverdue", "督办逾期未回复", t.Of("overdue"), Href(org, "overdue=true")),
            new("ordersClosed", "督办已办结", t.Of("closed"), Href(org, "status=Closed")),
        ];
        var units = rolled.Units.Select(kv => new UnitFigures(kv.Key, Figures(kv.Key, kv.Value), kv.Value.Of("overdue") * 50_000L + kv.Value.Of("open"),
            kv.Value.Of("overdue") > 0 ? [$"督办逾期未回复 {kv.Value.Of("overdue")} 件"] : [])).ToList();
        return new SectionResult(Key, "督办单", [new("orders", "督办单", Figures(s.Root.Id, rolled.Total), Cards: true)], units);
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
public sealed class SupervisionDashboard(IEnumerable<IDashboardSection> sections, RollupStore rollups)
{
    public const int TrendWeeks = 12;

    public async Task<DashboardDto> BuildAsync(BihuanDb db, int? orgId, DateOnly today, CancellationToken ct)
    {
        var root = await RootAsync(db, orgId, ct);
        // Reads only (on a replica too): pending changes are summed in memory, the refresher writes them later.
        var scope = await DashboardScope.ForAsync(db, root, today, await rollups.ViewAsync(db, today, ct), ct);
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

    /// The org asked for, or the top of the caller's own record scope. Out of scope (or unknown): 404. The figures
    /// sum the units' records, so an org the caller sees but whose records it may not read (the 12345 desk) is 403.
    public static async Task<Org> RootAsync(BihuanDb db, int? orgId, CancellationToken ct)
    {
        Org? root;
        if (orgId is { } id) root = await db.Orgs.AsNoTracking().FirstOrDefaultAsync(o => o.Id == id, ct);
        else
        {
            var grants = db.Access.Grants.Where(g => g.Role.Allows(Permission.ReadRecords))
                .OrderBy(g => g.OrgSelfPath.Length).Select(g => g.OrgId).ToList();
            root = grants.Count > 0
                ? await db.Orgs.AsNoTracking().FirstOrDefaultAsync(o => o.Id == grants[0], ct)
                : db.Access.Grants.Count > 0 ? await db.Orgs.AsNoTracking().FirstOrDefaultAsync(o => o.Id == db.Access.Grants[0].OrgId, ct)
                : await db.Orgs.AsNoTracking().Where(o => o.ParentId == null).OrderBy(o => o.Id).FirstOrDefaultAsync(ct);
        }
        if (root is null) throw new DomainException(new RecordNotFound("组织"));
        if (!db.Access.Can(Permission.ReadRecords, root))
            throw new DomainException(new Forbidden("监督看板汇总各单位的业务记录，您的角色无权查看（热线派单员请查看工单指标）"));
        return root;
    }

    /// Weekly: the last recorded day of each of the last TrendWeeks weeks (the ledger roll-up's history of the root),
    /// today's point as of this read.
    static async Task<List<TrendPoint>> TrendAsync(DashboardScope s, CancellationToken ct)
    {
        var from = s.Today.AddDays(-7 * TrendWeeks);
        var days = (await RollupStore.HistoryAsync(s.Db, "ledger", s.Root.Id, from, ct)).Where(d => d.Day < s.Today).ToList();
        var now = (await s.RolledAsync("ledger", ct)).Total;
        if (!now.IsZero) days.Add((s.Today, now));
        return days.GroupBy(d => (d.Day.DayNumber - from.DayNumber) / 7).Select(g => g.MaxBy(d => d.Day))
            .Select(d => new TrendPoint(d.Day, d.Counts.Of("open"), d.Counts.Of("light.Red"), d.Counts.Of("light.Yellow"),
                d.Counts.Of("light.Blue"), d.Counts.Of("light.Green"), d.Counts.Of("overdue")))
            .OrderBy(d => d.Day).ToList();
    }
}
