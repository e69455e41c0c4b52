using Bihuan.Data;
using Bihuan.Domain;
using Microsoft.EntityFrameworkCore;

namespace Bihuan.Features.Supervision;

/// 会议活动 on the dashboard: sittings held (by the host org), per type (a 套开 sitting counts once for each of its
/// types, as the meetings page's per-type counts do), attendance (出席 / 请假 / 缺席 by the meeting's org), and 补学
/// (by the member's org): open, done (a record of every article the session studied, as 我的学习 and the 履职清单
/// decide it) and overdue (open past its due date — counts depend on the day, so the section is rebuilt daily).
/// Own counts: meetings, type.{id}, att.{Status}, spoke, makeup, makeup.done, makeup.overdue.
public sealed class MeetingsSection : IDashboardSection, IRollup
{
    public string Key => "meetings";
    public int Order => 40;
    public bool Daily => true;
    public IReadOnlyCollection<Type> Sources { get; } = [typeof(Meeting), typeof(MeetingAttendance), typeof(MakeUpTask), typeof(StudyRecord)];

    public async Task<Dictionary<int, Counts>> OwnAsync(BihuanDb db, IReadOnlyCollection<int>? orgs, DateOnly today, CancellationToken ct)
    {
        var min = Bounds.MinDate;   // overdue: past a usable date (a stored 0001-01-01 is no date to be past)
        var own = new Dictionary<int, Counts>();
        var ids = orgs?.ToList();
        var meetings = db.RollupSource<Meeting>();
        var attendance = db.RollupSource<MeetingAttendance>();
        var makeUps = db.RollupSource<MakeUpTask>();
        if (ids is not null)
        {
            meetings = meetings.Where(m => ids.Contains(m.OrgId));
            attendance = attendance.Where(a => ids.Contains(a.OrgId));
            makeUps = makeUps.Where(m => ids.Contains(m.OrgId));
        }
        foreach (var r in await meetings.GroupBy(m => m.OrgId).Select(g => new { OrgId = g.Key, N = g.Count() }).ToListAsync(ct))
            own.Of(r.OrgId).Add("meetings", r.N);
        // Types × meetings with “type ∈ TypeIds” (a cross join over the dozen types: SQLite cannot unnest per row — APPLY).
        foreach (var r in await db.RollupSource<MeetingType>().SelectMany(t => meetings, (t, m) => new { m.OrgId, TypeId = t.Id, m.TypeIds })
                     .Where(x => x.TypeIds.Contains(x.TypeId))
                     .GroupBy(x => new { x.OrgId, x.TypeId }).Select(g => new { g.Key.OrgId, g.Key.TypeId, N = g.Count() }).ToListAsync(ct))
            own.Of(r.OrgId).Add("type." + SectionKit.Id(r.TypeId), r.N);
        foreach (var r in await attendance.GroupBy(a => new { a.OrgId, a.Status })
                     .Select(g => new { g.Key.OrgId, g.Key.Status, N = g.Count(), Spoke = g.Sum(a => a.Spoke ? 1 : 0) }).ToListAsync(ct))
        {
            own.Of(r.OrgId).Add("att." + r.Status, r.N);
            own.Of(r.OrgId).Add("spoke", r.Spoke);
        }
        var records = db.RollupSource<StudyRecord>();
        foreach (var r in await makeUps
                     .Select(m => new
                     {
                         m.OrgId, Overdue = m.DueOn >= min && m.DueOn < today,
                         Done = m.ArticleIds.All(a => records.Any(r => r.PersonId == m.PersonId && r.ArticleId == a)),
                     })
                     .GroupBy(x => new { x.OrgId, x.Done, x.Overdue })
                     .Select(g => new { g.Key.OrgId, g.Key.Done, g.Key.Overdue, N = g.Count() }).ToListAsync(ct))
        {
            var c = own.Of(r.OrgId);
            c.Add("makeup", r.N);
            if (r.Done) c.Add("makeup.done", r.N);
            else if (r.Overdue) c.Add("makeup.overdue", r.N);
        }
        return own;
    }

    public async Task<SectionResult> ComputeAsync(DashboardScope s, CancellationToken ct)
    {
        var rolled = await s.RolledAsync(Key, ct);
        var root = s.Root.Id;
        // The meetings list counts a subtree: no link for the root's own records (本级, self).
        static string? List(int org, bool self, params (string, string)[] f) => self ? null : SectionKit.Link("/meetings", org, f);
        List<Figure> Headline(int org, Counts t, bool self)
        {
            var present = t.Of("att." + AttendanceStatus.Present);
            var all = present + t.Of("att." + AttendanceStatus.Leave) + t.Of("att." + AttendanceStatus.Absent);
            return
            [
                new("meetingsTotal", "会议活动", t.Of("meetings"), List(org, self)),
                new("meetingsPresent", "出席人次", present, null),
                new("meetingsLeave", "请假人次", t.Of("att." + AttendanceStatus.Leave), null),
                new("meetingsAbsent", "缺席人次", t.Of("att." + AttendanceStatus.Absent), null),
                SectionKit.Rate("meetingsAttendance", "出席率", present, all, null),
                new("meetingsSpoke", "研讨发言人次", t.Of("spoke"), null),
                new("makeUps", "补学任务", t.Of("makeup"), null),
                new("makeUpsOpen", "补学未完成", t.Of("makeup") - t.Of("makeup.done"), null),
                new("makeUpsOverdue", "补学逾期", t.Of("makeup.overdue"), null),
            ];
        }
        var types = await s.Db.MeetingTypes.AsNoTracking().OrderBy(t => t.SortOrder).ThenBy(t => t.Id)
            .Select(t => new { t.Id, t.Name, t.Archived }).ToListAsync(ct);
        var total = rolled.Total;
        var groups = new List<FigureGroup>
        {
            new("meetings", "会议活动", Headline(root, total, false), Cards: true),
            new("meetingTypes", "会议类型（套开的会议每种类型各计一次）", types
                .Select(t => new Figure("meetings.type." + SectionKit.Id(t.Id), t.Name, total.Of("type." + SectionKit.Id(t.Id)),
                    List(root, false, ("typeId", SectionKit.Id(t.Id)))))
                .Where((f, i) => !types[i].Archived || f.Value > 0).ToList()),
        };
        var units = rolled.Units.Select(kv =>
        {
            var h = Headline(kv.Key, kv.Value, kv.Key == root);
            var overdue = kv.Value.Of("makeup.overdue");
            return new UnitFigures(kv.Key, [h[0], h[4], h[7], h[8]], Math.Min(overdue, 20), overdue > 0 ? [$"补学逾期 {overdue} 人次"] : []);
        }).ToList();
        return new SectionResult(Key, "会议活动", groups, units, "出勤按会议主办单位计，补学按党员所在单位计。");
    }
}
