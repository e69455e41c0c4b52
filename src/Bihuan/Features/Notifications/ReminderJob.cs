using System.Globalization;
using Bihuan.Data;
using Bihuan.Domain;
using Bihuan.Features.Rectification;
using Bihuan.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Bihuan.Features.Notifications;

/// Daily (China time): reminds the owners of open items due within 3 working days, and tells supervisors of the
/// orgs whose red count rose since yesterday's LightSnapshot. Idempotent: every notification carries a key with the
/// day in it, so a rerun (or a second runner) adds nothing.
public sealed class ReminderJob(WorkingCalendar cal, LightRules rules, Notifier notifier) : IBihuanJob
{
    public const int DueWithinWorkingDays = 3;
    public string Name => "reminders";

    public string PeriodOf(DateTime nowCst) => DateOnly.FromDateTime(nowCst).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    public async Task<string> RunAsync(BihuanDb db, string period, CancellationToken ct)
    {
        var day = DateOnly.ParseExact(period, "yyyy-MM-dd", CultureInfo.InvariantCulture);
        var until = cal.EstimateAddWorkingDays(day, DueWithinWorkingDays) ?? day;
        var due = await db.RectItems.AsNoTracking()
            .Where(RectItem.Open)
            .Where(i => i.Status != RectStatus.ClosureRequested && i.Deadline != null && i.Deadline >= day && i.Deadline <= until)
            .Select(i => new { i.Id, i.OrgId, i.Deadline, i.Measures }).ToListAsync(ct);
        var orgs = due.Select(d => d.OrgId).Distinct().ToList();
        var owners = await db.RoleGrants
            .Where(g => orgs.Contains(g.OrgId) && (g.Role == Role.UnitHead || g.Role == Role.Liaison))
            .Select(g => new { g.OrgId, g.AccountId }).ToListAsync(ct);
        var list = new List<NewNotification>();
        foreach (var i in due)
            foreach (var o in owners.Where(o => o.OrgId == i.OrgId))
                list.Add(new(o.AccountId, NotificationKind.DueSoon, $"整改事项 #{i.Id} 将于 {i.Deadline:yyyy-MM-dd} 到期",
                    Short(i.Measures), $"/ledger/{i.Id}", $"due:{period}:{i.Id}"));

        // New reds: today's red count per org against yesterday's snapshot, told to supervisors whose subtree holds it.
        var yesterday = day.AddDays(-1);
        var before = await db.LightSnapshots.Where(s => s.Day == yesterday).ToDictionaryAsync(s => s.OrgId, s => s.Red, ct);
        var redNow = await db.RectItems.Where(LedgerLights.Red(db, day, rules)).GroupBy(i => i.OrgId)
            .Select(g => new { OrgId = g.Key, N = g.Count() }).ToListAsync(ct);
        var rising = before.Count == 0 ? [] : redNow.Where(r => r.N > before.GetValueOrDefault(r.OrgId)).ToList();
        if (rising.Count > 0)
        {
            var ids = rising.Select(r => r.OrgId).ToList();
            var paths = await db.Orgs.Where(o => ids.Contains(o.Id))
                .Select(o => new { o.Id, o.Name, o.Path }).ToListAsync(ct);
            var supervisors = await db.RoleGrants.Where(g => g.Role == Role.Supervisor)
                .Select(g => new { g.AccountId, Path = g.Org!.Path, g.OrgId }).ToListAsync(ct);
            foreach (var r in rising)
            {
                var org = paths.First(p => p.Id == r.OrgId);
                var self = $"{org.Path}{org.Id}/";
                var added = r.N - before.GetValueOrDefault(r.OrgId);
                foreach (var sup in supervisors.Where(s => self.StartsWith($"{s.Path}{s.OrgId}/", StringComparison.Ordinal)).Select(s => s.AccountId).Distinct())
                    list.Add(new(sup, NotificationKind.NewRed, $"{org.Name} 新增红灯 {added} 项（现 {r.N} 项）", null,
                        $"/ledger?orgId={org.Id}&light=Red", $"red:{period}:{org.Id}"));
            }
        }
        var sent = await notifier.SendAsync(db, list, ct);
        return $"临期提醒 {due.Count} 项，新增红灯单位 {rising.Count} 个，通知 {sent} 条";
    }

    static string Short(string s) => s.Length <= 80 ? s : s[..80] + "…";
}
