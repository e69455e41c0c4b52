using Bihuan.Data;
using Bihuan.Domain;
using Microsoft.EntityFrameworkCore;

namespace Bihuan.Features.Supervision;

/// 逐篇学 on the dashboard, for the campaign the root takes part in (LiveCampaign.For), counted as the study progress
/// page counts it (StudyProgress): members are the people of the org who are not archived; a member has started once
/// they have a record of any article of the campaign's materials; completed = distinct required articles with a record
/// (班子成员: every article; others: the core ones); done = every required article completed; 完成率 =
/// Σcompleted / Σrequired. Members count at their own org, whichever org their records were made at.
/// Own counts per campaign (orgs of its subtree only): c{id}.members, .notStarted, .required, .completed, .done; and
/// study records by the org they were made at: records, records.{Way}.
public sealed class StudySection : IDashboardSection, IRollup
{
    public string Key => "study";
    public int Order => 50;
    public bool Daily => false;
    public IReadOnlyCollection<Type> Sources { get; } = [typeof(Person), typeof(StudyRecord)];

    public async Task<Dictionary<int, Counts>> OwnAsync(BihuanDb db, IReadOnlyCollection<int>? orgs, DateOnly today, CancellationToken ct)
    {
        var own = new Dictionary<int, Counts>();
        var ids = orgs?.ToList();
        var records = db.RollupSource<StudyRecord>();
        var mine = ids is null ? records : records.Where(r => ids.Contains(r.OrgId));
        foreach (var r in await mine.GroupBy(r => new { r.OrgId, r.Way }).Select(g => new { g.Key.OrgId, g.Key.Way, N = g.Count() }).ToListAsync(ct))
        {
            own.Of(r.OrgId).Add("records", r.N);
            own.Of(r.OrgId).Add("records." + r.Way, r.N);
        }
        foreach (var c in await LiveCampaign.AllAsync(db, ct))
        {
            var (rootId, prefix, all, core) = (c.RootId, c.RootSelfPath, c.Articles, c.Core);
            var people = db.RollupSource<Person>().InSubtree(p => p.Org, rootId, prefix).Where(p => !p.Archived);
            if (ids is not null) people = people.Where(p => ids.Contains(p.OrgId));
            // Per person two lookups on the (PersonId, ArticleId) index, then one GROUP BY org, leadership, started and
            // completed count: a few rows per org leave SQL (each person's subqueries are evaluated once).
            var rows = await people
                .Select(p => new
                {
                    p.OrgId, p.IsLeadership,
                    Started = records.Any(r => r.PersonId == p.Id && all.Contains(r.ArticleId)),
                    Completed = records.Where(r => r.PersonId == p.Id && (p.IsLeadership ? all.Contains(r.ArticleId) : core.Contains(r.ArticleId)))
                        .Select(r => r.ArticleId).Distinct().Count(),
                })
                .GroupBy(x => new { x.OrgId, x.IsLeadership, x.Started, x.Completed })
                .Select(g => new { g.Key.OrgId, g.Key.IsLeadership, g.Key.Started, g.Key.Completed, N = g.Count() })
                .ToListAsync(ct);
            foreach (var r in rows)
            {
                var counts = own.Of(r.OrgId);
                var required = r.IsLeadership ? all.Count : core.Count;
                counts.Add(c.P + "members", r.N);
                if (!r.Started) counts.Add(c.P + "notStarted", r.N);
                counts.Add(c.P + "required", (long)required * r.N);
                counts.Add(c.P + "completed", (long)r.Completed * r.N);
                if (required > 0 && r.Completed >= required) counts.Add(c.P + "done", r.N);
            }
        }
        return own;
    }

    public async Task<SectionResult> ComputeAsync(DashboardScope s, CancellationToken ct)
    {
        var rolled = await s.RolledAsync(Key, ct);
        var campaign = LiveCampaign.For(await LiveCampaign.AllAsync(s.Db, ct), s.Root);
        var orgs = SectionKit.Orgs(s);
        var root = s.Root.Id;
        var p = campaign?.P ?? "none.";
        // The progress page of the campaign shows these numbers for an org's subtree — only for orgs taking part, and
        // not for the root's own records (本级).
        string? Progress(int org, bool self) => campaign is null || self || !campaign.Covers(orgs[org]) ? null
            : $"/study?campaignId={SectionKit.Id(campaign.Id)}&orgId={SectionKit.Id(org)}";
        List<Figure> Headline(int org, Counts t, bool self)
        {
            var href = Progress(org, self);
            long completed = t.Of(p + "completed"), required = t.Of(p + "required");
            return
            [
                new("studyMembers", "参学党员干部", t.Of(p + "members"), href),
                new("studyNotStarted", "未开始学习", t.Of(p + "notStarted"), href),
                new("studyDone", "完成全部必学篇目", t.Of(p + "done"), href),
                new("studyRate", "必学篇目完成率", required == 0 ? 0 : (int)Math.Round(100.0 * completed / required), href,
                    required == 0 ? "—" : $"{(int)Math.Round(100.0 * completed / required)}%"),
                new("studyRecords", "学习记录", t.Of("records"), null),
            ];
        }
        var total = rolled.Total;
        var groups = new List<FigureGroup>
        {
            new("study", "逐篇学", Headline(root, total, false), Cards: true),
            new("studyWay", "学习记录（按方式）", Enum.GetValues<StudyWay>()
                .Select(w => new Figure("study.way." + w, w.Label(), total.Of("records." + w), null)).ToList()),
        };
        var units = rolled.Units.Where(kv => orgs.ContainsKey(kv.Key))
            .Select(kv => new UnitFigures(kv.Key, Headline(kv.Key, kv.Value, kv.Key == root), 0, [])).ToList();
        return new SectionResult(Key, "学习情况", groups, units, campaign is null
            ? "本级及下级尚无已发布的学习教育：只计学习记录。"
            : $"{campaign.Name}：班子成员须学全部篇目，其他党员干部学核心篇目；完成率 = 已学必学篇目 / 应学必学篇目。学习记录按登记单位计。");
    }
}
