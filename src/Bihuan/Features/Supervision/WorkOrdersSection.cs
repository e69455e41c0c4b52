using Bihuan.Data;
using Bihuan.Domain;
using Bihuan.Features.Demands;
using Microsoft.EntityFrameworkCore;

namespace Bihuan.Features.Supervision;

/// 群众诉求工单 (12345) on the dashboard, by the org an order is with now. The KPIs are WorkOrderQueries.KpiAsync's,
/// kept as numerator and denominator so that a subtree's rate is Σn/Σd and equals the KPI page's: orders with a unit
/// (dispatched, not at the desk); 签收及时率 = signed in time / signed; 按时办结率 = replied by the deadline / replied
/// (with a date); 满意率 = 满意 + 基本满意 / rated and closed; 重办率 = redone / replied or closed; 退单率 = 退单 events /
/// 派单 events (counted at the org they happened at). Overdue counts depend on the day: rebuilt daily.
public sealed class WorkOrdersSection : IDashboardSection, IRollup
{
    public string Key => "workorders";
    public int Order => 60;
    public bool Daily => true;
    public IReadOnlyCollection<Type> Sources { get; } = [typeof(WorkOrder), typeof(WorkOrderEvent)];

    public async Task<Dictionary<int, Counts>> OwnAsync(BihuanDb db, IReadOnlyCollection<int>? orgs, DateOnly today, CancellationToken ct)
    {
        var min = Bounds.MinDate;   // overdue: past a usable date (a stored 0001-01-01 is no date to be past)
        var own = new Dictionary<int, Counts>();
        var ids = orgs?.ToList();
        var orders = db.RollupSource<WorkOrder>();
        var events = db.RollupSource<WorkOrderEvent>().Where(e => e.Action == OrderAction.Dispatch || e.Action == OrderAction.SendBack);
        if (ids is not null)
        {
            orders = orders.Where(o => ids.Contains(o.OrgId));
            events = events.Where(e => ids.Contains(e.OrgId));
        }
        // One pass over the orders, one GROUP BY org: the conditions are WorkOrderQueries' (KpiAsync, Filter).
        var rows = await orders.GroupBy(o => o.OrgId).Select(g => new
        {
            OrgId = g.Key,
            Total = g.Count(),
            Assigned = g.Sum(o => o.DispatchedOn != null && o.OrgId != o.DispatchOrgId ? 1 : 0),
            Open = g.Sum(o => o.DispatchedOn != null && o.OrgId != o.DispatchOrgId
                && o.Status != OrderStatus.Closed && o.Status != OrderStatus.Rejected && o.Status != OrderStatus.Merged ? 1 : 0),
            Signed = g.Sum(o => o.DispatchedOn != null && o.OrgId != o.DispatchOrgId && o.SignedOn != null ? 1 : 0),
            SignedOnTime = g.Sum(o => o.DispatchedOn != null && o.OrgId != o.DispatchOrgId && o.SignedOn != null && !o.SignedLate ? 1 : 0),
            Replied = g.Sum(o => o.DispatchedOn != null && o.OrgId != o.DispatchOrgId && (o.RepliedOn != null || o.Status == OrderStatus.Closed) ? 1 : 0),
            RepliedDated = g.Sum(o => o.DispatchedOn != null && o.OrgId != o.DispatchOrgId && o.RepliedOn != null ? 1 : 0),
            RepliedOnTime = g.Sum(o => o.DispatchedOn != null && o.OrgId != o.DispatchOrgId && o.RepliedOn != null && o.RepliedOn <= o.Deadline ? 1 : 0),
            Rated = g.Sum(o => o.DispatchedOn != null && o.OrgId != o.DispatchOrgId && o.Rating != null && o.Status == OrderStatus.Closed ? 1 : 0),
            Satisfied = g.Sum(o => o.DispatchedOn != null && o.OrgId != o.DispatchOrgId && o.Status == OrderStatus.Closed
                && (o.Rating == Rating.Satisfied || o.Rating == Rating.Basic) ? 1 : 0),
            Redone = g.Sum(o => o.DispatchedOn != null && o.OrgId != o.DispatchOrgId && (o.RepliedOn != null || o.Status == OrderStatus.Closed)
                && o.RedoCount > 0 ? 1 : 0),
            SignOverdue = g.Sum(o => o.DispatchedOn != null && o.OrgId != o.DispatchOrgId && o.Status == OrderStatus.Dispatched
                && o.SignDue >= min && o.SignDue < today ? 1 : 0),
            Overdue = g.Sum(o => o.DispatchedOn != null && o.OrgId != o.DispatchOrgId
                && (o.Status == OrderStatus.Dispatched || o.Status == OrderStatus.Signed || o.Status == OrderStatus.Handling
                    || o.Status == OrderStatus.AwaitingSignoff) && o.Deadline >= min && o.Deadline < today ? 1 : 0),
        }).ToListAsync(ct);
        foreach (var r in rows)
        {
            var c = own.Of(r.OrgId);
            c.Add("total", r.Total);
            c.Add("assigned", r.Assigned);
            c.Add("open", r.Open);
            c.Add("signed", r.Signed);
            c.Add("signedOnTime", r.SignedOnTime);
            c.Add("replied", r.Replied);
            c.Add("repliedDated", r.RepliedDated);
            c.Add("repliedOnTime", r.RepliedOnTime);
            c.Add("rated", r.Rated);
            c.Add("satisfied", r.Satisfied);
            c.Add("redone", r.Redone);
            c.Add("signOverdue", r.SignOverdue);
            c.Add("overdue", r.Overdue);
        }
        foreach (var r in await events.GroupBy(e => new { e.OrgId, e.Action }).Select(g => new { g.Key.OrgId, g.Key.Action, N = g.Count() }).ToListAsync(ct))
            own.Of(r.OrgId).Add(r.Action == OrderAction.Dispatch ? "dispatched" : "sentBack", r.N);
        return own;
    }

    public async Task<SectionResult> ComputeAsync(DashboardScope s, CancellationToken ct)
    {
        var rolled = await s.RolledAsync(Key, ct);
        var orgs = SectionKit.Orgs(s);
        var root = s.Root.Id;
        // The work-order list filters a subtree (no link for 本级); the KPI page has “仅本单位” for it.
        static string? List(int org, bool self, params (string, string)[] f) => self ? null : SectionKit.Link("/workorders", org, f);
        string Kpi(int org, bool self) => "/workorders/kpi?org=" + Uri.EscapeDataString(orgs[org].Code) + (self ? "&own=true" : "");
        List<Figure> CountFigures(int org, Counts t, bool self) =>
        [
            new("woTotal", "诉求工单", t.Of("total"), List(org, self)),
            new("woAssigned", "派至承办单位", t.Of("assigned"), List(org, self, ("assigned", "true"))),
            new("woOpen", "承办未办结", t.Of("open"), List(org, self, ("assigned", "true"), ("open", "true"))),
            new("woSignOverdue", "超时未签收", t.Of("signOverdue"), List(org, self, ("signOverdue", "true"))),
            new("woOverdue", "超期未办结", t.Of("overdue"), List(org, self, ("overdue", "true"))),
        ];
        List<Figure> Kpis(int org, Counts t, bool self)
        {
            var kpi = Kpi(org, self);
            return
            [
                new("woDispatched", "派单", t.Of("dispatched"), kpi),
                SectionKit.Rate("woSignRate", "签收及时率", t.Of("signedOnTime"), t.Of("signed"), kpi),
                SectionKit.Rate("woOnTimeRate", "按时办结率", t.Of("repliedOnTime"), t.Of("repliedDated"), kpi),
                SectionKit.Rate("woSatisfaction", "满意率", t.Of("satisfied"), t.Of("rated"), kpi),
                SectionKit.Rate("woRedoRate", "重办率", t.Of("redone"), t.Of("replied"), kpi),
                SectionKit.Rate("woSendBackRate", "退单率", t.Of("sentBack"), t.Of("dispatched"), kpi),
            ];
        }
        var groups = new List<FigureGroup>
        {
            new("workorders", "群众诉求工单", CountFigures(root, rolled.Total, false), Cards: true),
            new("woKpi", "工单指标", Kpis(root, rolled.Total, false), Cards: true),
        };
        var units = rolled.Units.Where(kv => orgs.ContainsKey(kv.Key)).Select(kv =>
        {
            var self = kv.Key == root;
            var c = CountFigures(kv.Key, kv.Value, self);
            var k = Kpis(kv.Key, kv.Value, self);
            int signOverdue = kv.Value.Of("signOverdue"), overdue = kv.Value.Of("overdue");
            var reasons = new List<string>();
            if (signOverdue > 0) reasons.Add($"工单签收超时 {signOverdue} 件");
            if (overdue > 0) reasons.Add($"工单超期未办结 {overdue} 件");
            return new UnitFigures(kv.Key, [c[1], c[2], c[3], c[4], k[1], k[2], k[3]], Math.Min(signOverdue + overdue, 30), reasons);
        }).ToList();
        return new SectionResult(Key, "群众诉求", groups, units,
            "工单按当前所在单位计；指标同“工单指标”页：满意率 = (满意 + 基本满意) / 已评价，比率无分母时显示“—”。");
    }
}
