using Bihuan.Data;
using Bihuan.Domain;
using Microsoft.EntityFrameworkCore;

namespace Bihuan.Features.Duties;

public sealed record PlanTaskNotYetDuty()
    : Error("plan_not_approved", "方案审核通过后，任务才能标记完成", ErrorKind.Conflict);

/// One open duty of an org, as the 履职清单 shows it: Kind is 方案任务 / 会议决定 / 补学.
public sealed record DutyRow(string Kind, int OrgId, string OrgName, string Title, string? Owner, DateOnly? DueOn, string Link,
    LightLevel Light, string LightReason);

/// The study side of an org's 履职清单: tasks of approved plans, meeting decisions and 补学, not yet done. Scope
/// applies (the query filters); orgs outside the caller's scope simply yield nothing.
public static class StudyDuties
{
    public static async Task<List<DutyRow>> OpenDutiesAsync(BihuanDb db, IReadOnlyCollection<int> orgIds, DateOnly today,
        WorkingCalendar cal, LightRules rules, CancellationToken ct)
    {
        var ids = orgIds.Distinct().ToList();
        var tasks = await db.DutyTasks.Where(t => ids.Contains(t.OrgId) && t.DoneOn == null
                && (t.Source == DutySource.MeetingDecision || db.Plans.Any(p => p.Id == t.PlanId && p.Status == PlanStatus.Approved)))
            .Select(t => new { t.Source, t.OrgId, OrgName = t.Org!.Name, t.Title, t.Owner, t.DueOn, t.PlanId, t.MeetingId, t.CreatedAt })
            .AsNoTracking().ToListAsync(ct);
        // Plan tasks have been duties since the plan was approved (their light starts then, not when drafted).
        var planIds = tasks.Where(t => t.PlanId is not null).Select(t => t.PlanId!.Value).Distinct().ToList();
        var approved = await db.Plans.Where(p => planIds.Contains(p.Id)).ToDictionaryAsync(p => p.Id, p => p.ApprovedAt, ct);
        var rows = tasks.ConvertAll(t =>
        {
            var start = t.PlanId is { } pid && approved.GetValueOrDefault(pid) is { } at ? DateOnly.FromDateTime(ChinaTime.ToCst(at))
                : DateOnly.FromDateTime(ChinaTime.ToCst(t.CreatedAt));
            var light = DeadlineLight(start, t.DueOn, today, cal, rules);
            return new DutyRow(t.Source == DutySource.PlanTask ? "方案任务" : "会议决定", t.OrgId, t.OrgName, t.Title, t.Owner, t.DueOn,
                t.PlanId is { } p ? $"/plans/{p}" : $"/meetings/{t.MeetingId}", light.Level, light.Reason);
        });
        var makeUps = await db.MakeUpTasks.Where(m => ids.Contains(m.OrgId))
            .Select(m => new { m.Id, m.OrgId, m.PersonId, Person = m.Person!.Name, m.MeetingId, m.ArticleIds, m.DueOn, m.CreatedAt,
                OrgName = db.Orgs.Where(o => o.Id == m.OrgId).Select(o => o.Name).FirstOrDefault() })
            .AsNoTracking().ToListAsync(ct);
        if (makeUps.Count > 0)
        {
            var people = makeUps.Select(m => m.PersonId).Distinct().ToList();
            var studied = (await db.StudyRecords.Where(r => people.Contains(r.PersonId)).Select(r => new { r.PersonId, r.ArticleId }).ToListAsync(ct))
                .Select(r => (r.PersonId, r.ArticleId)).ToHashSet();
            foreach (var m in makeUps.Where(m => !m.ArticleIds.All(a => studied.Contains((m.PersonId, a)))))
            {
                var light = DeadlineLight(DateOnly.FromDateTime(ChinaTime.ToCst(m.CreatedAt)), m.DueOn, today, cal,
                    rules);
                rows.Add(new DutyRow("补学", m.OrgId, m.OrgName ?? "", $"{m.Person}补学（{m.ArticleIds.Count} 篇）", m.Person, m.DueOn,
                    $"/meetings/{m.MeetingId}", light.Level, light.Reason));
            }
        }
        return rows.OrderBy(r => r.DueOn ?? DateOnly.MaxValue).ThenBy(r => r.OrgId).ToList();
    }

    /// Marks a plan task or meeting decision done (today) — or open again. The unit's editors and offices over it.
    public static async Task<DutyTask> CompleteAsync(BihuanDb db, TimeProvider clock, int id, bool done, CancellationToken ct)
    {
        var task = await db.DutyTasks.Include(t => t.Org).FirstOrDefaultAsync(t => t.Id == id, ct)
            ?? throw new DomainException(new RecordNotFound("任务"));
        if (!db.Access.Can(Permission.CompleteDuties, task.Org!)) throw new DomainException(new Forbidden("您对该任务只有查看权限"));
        if (task.PlanId is { } planId && !await db.Plans.AnyAsync(p => p.Id == planId && p.Status == PlanStatus.Approved, ct))
            throw new DomainException(new PlanTaskNotYetDuty());
        task.DoneOn = done ? ChinaTime.Today(clock) : null;
        await db.SaveChangesAsync(ct);
        return task;
    }

    /// The light of one task as the pages show it.
    public static Light LightOf(DutyTask t, DateOnly start, DateOnly today, WorkingCalendar cal, LightRules rules) =>
        t.DoneOn is { } d ? new Light(LightLevel.Green, $"已于 {d:yyyy-MM-dd} 完成") : DeadlineLight(start, t.DueOn,
            today, cal, rules);

    /// A duty has no reported progress: its light follows the deadline only (blue near it, red past it).
    public static Light DeadlineLight(DateOnly start, DateOnly? due, DateOnly today, WorkingCalendar cal,
        LightRules rules)
    {
        var light = Lights.Of(new LightInput(RectStatus.InProgress, DeadlineKind.Dated, start, due, 0, today, 0, 0, 0, today, "完成时限"),
            rules with { StaleAfterWorkingDays = null, LagPercentPoints = null }, cal);
        // The shared rules speak of rectification; a duty on track is simply not yet due.
        return light with { Reason = light.Reason.Replace("整改中，进度正常", "未到完成时限") };
    }
}
