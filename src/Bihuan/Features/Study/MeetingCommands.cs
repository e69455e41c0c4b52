using System.Security.Claims;
using Bihuan.Data;
using Bihuan.Domain;
using Bihuan.Features.Files;
using Bihuan.Features.Organizations;
using Bihuan.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Bihuan.Features.Study;

public sealed record AgendaInput(AgendaKind? Kind, string? Title, int? ArticleId, int? PlanId);
public sealed record DecisionInput(string? Title, string? Owner, DateOnly? DueOn);
public sealed record AttendanceInput(int PersonId, AttendanceStatus? Status, string? Reason, bool Spoke = false);

public sealed record MeetingInput(int? OrgId, int? CampaignId, string? Title, List<int>? TypeIds, DateOnly? HeldOn, string? Place,
    string? Chair, string? Minutes, List<AgendaInput>? Items, List<DecisionInput>? Decisions, List<AttendanceInput>? Attendance,
    List<Guid>? Attachments);

public sealed record AgendaDto(string Kind, string Title, int? ArticleId, string? Article, int? PlanId);
public sealed record AttendanceDto(int PersonId, string Name, string Status, string? Reason, bool Spoke);
public sealed record MeetingRow(int Id, int OrgId, string OrgName, string Title, DateOnly HeldOn, List<string> Types, int Present, int Total);
public sealed record MeetingDto(int Id, int OrgId, string OrgName, int? CampaignId, string Title, List<string> Types, DateOnly HeldOn,
    string? Place, string? Chair, string? Minutes, List<AgendaDto> Items, List<PlanTaskDto> Decisions,
    List<AttendanceDto> Attendance, List<FileRef> Attachments, int StudyRecords, int MakeUps);
public sealed record MeetingCount(int OrgId, string OrgName, string Type, int Count);

/// 会议/学习活动: recording a sitting with its agenda, decisions (→ duties), attendance (→ study records for those
/// present, 补学 for those absent). Rules: Domain/Study.cs (MeetingRules).
public static class MeetingCommands
{
    /// 补学 is due this many working days after the session.
    public const int MakeUpWorkingDays = 10;

    public static async Task<Meeting> CreateAsync(BihuanDb db, TimeProvider clock, WorkingCalendar cal, ClaimsPrincipal user,
        MeetingInput input, CancellationToken ct)
    {
        if (input.OrgId is null) throw new DomainException(new Invalid("orgId", "请选择主办单位"));
        // The lists may hold null (JSON lets a client send [null]) and dates anything: bounded before anything reads them.
        new List<Invalid>().List("items", input.Items, 50, "议程").List("decisions", input.Decisions, 50, "决定事项")
            .List("attendance", input.Attendance, 1000, "出勤人员").List("typeIds", input.TypeIds, 10, "会议类型")
            .List("attachments", input.Attachments, 20, "附件").Date("heldOn", input.HeldOn).ThrowIfAny();
        var org = await OrgCommands.FindForAsync(db, input.OrgId.Value, Permission.ManageMeetings, ct);
        var typeIds = (input.TypeIds ?? []).Distinct().ToList();
        var attendance = (input.Attendance ?? []).Where(a => a.Status is not null)
            .Select(a => new MeetingRules.Attendee(a.PersonId, a.Status!.Value, a.Reason?.Trim())).ToList();
        var today = ChinaTime.Today(clock);
        var errors = MeetingRules.Validate(typeIds, attendance, input.Title, input.HeldOn, today).ToList();
        if (input.Place is { Length: > 200 }) errors.Add(new("place", "地点不能超过 200 字"));
        if (input.Chair is { Length: > 100 }) errors.Add(new("chair", "主持人不能超过 100 字"));
        if (input.Minutes is { Length: > 20000 }) errors.Add(new("minutes", "纪要不能超过 20000 字"));
        if (attendance.Any(a => !Enum.IsDefined(a.Status))) errors.Add(new("attendance", "未知的出勤状态"));
        if (attendance.Any(a => a.Reason is { Length: > 200 })) errors.Add(new("attendance", "请假事由不能超过 200 字"));
        if (typeIds.Count > 10) errors.Add(new("typeIds", "一次会议最多套开 10 种会议"));
        if ((input.Items?.Count ?? 0) > 50 || (input.Decisions?.Count ?? 0) > 50 || attendance.Count > 1000)
            errors.Add(new("items", "议程、决定事项或出勤人员过多"));
        var items = (input.Items ?? []).Where(i => !string.IsNullOrWhiteSpace(i.Title) || i.ArticleId is not null || i.PlanId is not null).ToList();
        foreach (var (i, n) in items.Select((i, n) => (i, n + 1)))
        {
            if (i.Kind is null || !Enum.IsDefined(i.Kind.Value)) errors.Add(new("items", $"第 {n} 项议程：请选择传达学习、审议或部署"));
            if (i.Title is { Length: > 500 }) errors.Add(new("items", $"第 {n} 项议程：内容不能超过 500 字"));
        }
        var decisions = (input.Decisions ?? []).Where(d => !string.IsNullOrWhiteSpace(d.Title)).ToList();
        foreach (var (d, n) in decisions.Select((d, n) => (d, n + 1)))
        {
            if (d.Title!.Length > 500) errors.Add(new("decisions", $"第 {n} 项决定：不能超过 500 字"));
            if (d.DueOn is null) errors.Add(new("decisions", $"第 {n} 项决定：请填写完成时限"));
            errors.DateFrom("decisions", d.DueOn, input.HeldOn, $"第 {n} 项决定：完成时限不能早于会议日期", $"第 {n} 项决定：");
            if (d.Owner is { Length: > 100 }) errors.Add(new("decisions", $"第 {n} 项决定：责任人不能超过 100 字"));
        }
        ErrorMapping.ThrowIfAny(errors);

        if (await db.MeetingTypes.CountAsync(t => typeIds.Contains(t.Id) && !t.Archived, ct) != typeIds.Count)
            throw new DomainException(new Invalid("typeIds", "会议类型不存在"));
        var articleIds = items.Where(i => i.ArticleId is not null).Select(i => i.ArticleId!.Value).Distinct().ToList();
        if (await db.StudyArticles.CountAsync(a => articleIds.Contains(a.Id), ct) != articleIds.Count)
            throw new DomainException(new Invalid("items", "学习篇目不存在"));
        var planIds = items.Where(i => i.PlanId is not null).Select(i => i.PlanId!.Value).Distinct().ToList();
        if (await db.Plans.CountAsync(p => planIds.Contains(p.Id), ct) != planIds.Count)
            throw new DomainException(new Invalid("items", "审议的方案不存在或不在您的权限范围内"));
        var personIds = attendance.Select(a => a.PersonId).ToList();
        if (await db.People.CountAsync(p => personIds.Contains(p.Id) && p.OrgId == org.Id, ct) != personIds.Count)
            throw new DomainException(new Invalid("attendance", "出勤人员须是主办单位的人员"));
        var files = await Uploads.CitableAsync(db, input.Attachments, "attachments", ct);
        if (input.CampaignId is { } cid && !await db.Campaigns.AnyAsync(c => c.Id == cid, ct))
            throw new DomainException(new Invalid("campaignId", "学习教育不存在"));

        var who = user.Identity?.Name ?? "?";
        var now = ChinaTime.Now(clock);
        var heldOn = input.HeldOn!.Value;
        var ownTx = db.Database.CurrentTransaction is null ? await db.Database.BeginTransactionAsync(ct) : null;
        var meeting = new Meeting
        {
            OrgId = org.Id, CampaignId = input.CampaignId, Title = input.Title!.Trim(), TypeIds = typeIds, HeldOn = heldOn,
            Place = input.Place?.Trim(), Chair = input.Chair?.Trim(), Minutes = input.Minutes?.Trim(),
            RecordedBy = who, CreatedAt = now,
        };
        db.Meetings.Add(meeting);
        Uploads.Cite(db, files, org.Id, c => c.Meeting = meeting);
        await db.SaveChangesAsync(ct);
        var order = 0;
        foreach (var i in items)
            db.MeetingItems.Add(new MeetingItem
            {
                MeetingId = meeting.Id, OrgId = org.Id, Kind = i.Kind!.Value, Title = i.Title?.Trim() ?? "", ArticleId = i.ArticleId,
                PlanId = i.PlanId, SortOrder = order += 10,
            });
        foreach (var d in decisions)
            db.DutyTasks.Add(new DutyTask
            {
                OrgId = org.Id, Source = DutySource.MeetingDecision, MeetingId = meeting.Id, Title = d.Title!.Trim(),
                Owner = d.Owner?.Trim(), DueOn = d.DueOn, SortOrder = order += 10, CreatedAt = now,
            });
        var spoke = (input.Attendance ?? []).Where(a => a.Spoke).Select(a => a.PersonId).ToHashSet();
        foreach (var a in attendance)
            db.Attendance.Add(new MeetingAttendance
            {
                MeetingId = meeting.Id, OrgId = org.Id, PersonId = a.PersonId, Status = a.Status,
                Reason = a.Status == AttendanceStatus.Present ? null : a.Reason, Spoke = a.Status == AttendanceStatus.Present && spoke.Contains(a.PersonId),
            });
        var conveyed = items.Where(i => i.Kind == AgendaKind.Convey && i.ArticleId is not null).Select(i => i.ArticleId!.Value).ToList();
        var outcome = MeetingRules.Apply(attendance, conveyed);
        foreach (var (personId, articleId) in outcome.Studied)
            db.StudyRecords.Add(new StudyRecord
            {
                OrgId = org.Id, PersonId = personId, ArticleId = articleId, StudiedOn = heldOn, Way = StudyWay.Group,
                MeetingId = meeting.Id, RecordedBy = who, CreatedAt = now,
            });
        // Counted as every other due date is: Monday–Friday in a year without holiday data (the calendar's estimate).
        var due = cal.EstimateDueDate(heldOn, MakeUpWorkingDays, "heldOn", "补学时限");
        foreach (var personId in outcome.MakeUps)
            db.MakeUpTasks.Add(new MakeUpTask
            {
                OrgId = org.Id, PersonId = personId, MeetingId = meeting.Id, ArticleIds = conveyed.Distinct().ToList(), DueOn = due,
                CreatedAt = now,
            });
        await db.SaveChangesAsync(ct);
        if (ownTx is not null) { await ownTx.CommitAsync(ct); await ownTx.DisposeAsync(); }
        return meeting;
    }

    public static async Task<MeetingDto?> GetAsync(BihuanDb db, int id, CancellationToken ct)
    {
        var m = await db.Meetings.Include(x => x.Org).AsNoTracking().FirstOrDefaultAsync(x => x.Id == id, ct);
        if (m is null) return null;
        var types = await TypeNamesAsync(db, ct);
        var items = await db.MeetingItems.Where(i => i.MeetingId == id).OrderBy(i => i.SortOrder)
            .Select(i => new { i.Kind, i.Title, i.ArticleId, Article = db.StudyArticles.Where(a => a.Id == i.ArticleId).Select(a => a.Title).FirstOrDefault(), i.PlanId })
            .ToListAsync(ct);
        var decisions = await db.DutyTasks.Where(t => t.MeetingId == id).OrderBy(t => t.SortOrder)
            .Select(t => new PlanTaskDto(t.Id, t.Title, t.Owner, t.DueOn, t.KeyTask, t.DoneOn)).ToListAsync(ct);
        var attendance = await db.Attendance.Where(a => a.MeetingId == id).OrderBy(a => a.PersonId)
            .Select(a => new { a.PersonId, a.Person!.Name, a.Status, a.Reason, a.Spoke }).ToListAsync(ct);
        var records = await db.StudyRecords.CountAsync(r => r.MeetingId == id, ct);
        var makeUps = await db.MakeUpTasks.CountAsync(r => r.MeetingId == id, ct);
        var files = await Uploads.OfAsync(db, c => c.MeetingId == id, c => c.MeetingId, ct);
        return new MeetingDto(m.Id, m.OrgId, m.Org!.Name, m.CampaignId, m.Title, m.TypeIds.Select(t => types.GetValueOrDefault(t) ?? "?").ToList(),
            m.HeldOn, m.Place, m.Chair, m.Minutes,
            items.ConvertAll(i => new AgendaDto(i.Kind.Label(), i.Title, i.ArticleId, i.Article, i.PlanId)), decisions,
            attendance.ConvertAll(a => new AttendanceDto(a.PersonId, a.Name, a.Status.Label(), a.Reason, a.Spoke)), files.GetValueOrDefault(id) ?? [],
            records, makeUps);
    }

    static async Task<Dictionary<int, string>> TypeNamesAsync(BihuanDb db, CancellationToken ct) =>
        await db.MeetingTypes.ToDictionaryAsync(t => t.Id, t => t.Name, ct);

    /// Meetings of an org's subtree, optionally in one month (the calendar) and of one type (套开 sittings included), newest first.
    public static async Task<List<MeetingRow>> ListAsync(BihuanDb db, int? orgId, DateOnly? monthStart, CancellationToken ct,
        int? typeId = null)
    {
        var q = db.Meetings.AsQueryable();
        if (orgId is { } o)
        {
            var org = await OrgCommands.FindAsync(db, o, ct);
            var ids = db.Orgs.Subtree(org).Select(o => o.Id);
            q = q.Where(m => ids.Contains(m.OrgId));
        }
        if (monthStart is { } ms)
        {
            var next = ms.AddMonths(1);
            q = q.Where(m => m.HeldOn >= ms && m.HeldOn < next);
        }
        if (typeId is { } t) q = q.Where(m => m.TypeIds.Contains(t));
        var types = await TypeNamesAsync(db, ct);
        var rows = await q.OrderByDescending(m => m.HeldOn).ThenByDescending(m => m.Id).Take(500)
            .Select(m => new
            {
                m.Id, m.OrgId, OrgName = m.Org!.Name, m.Title, m.HeldOn, m.TypeIds,
                Present = db.Attendance.Count(a => a.MeetingId == m.Id && a.Status == AttendanceStatus.Present),
                Total = db.Attendance.Count(a => a.MeetingId == m.Id),
            }).AsNoTracking().ToListAsync(ct);
        return rows.ConvertAll(m => new MeetingRow(m.Id, m.OrgId, m.OrgName, m.Title, m.HeldOn,
            m.TypeIds.Select(t => types.GetValueOrDefault(t) ?? "?").ToList(), m.Present, m.Total));
    }

    /// For a superior: meetings per direct sub-unit (its whole subtree counted) and type.
    public static async Task<List<MeetingCount>> CountsAsync(BihuanDb db, int orgId, CancellationToken ct)
    {
        var org = await OrgCommands.FindAsync(db, orgId, ct);
        var units = await db.Orgs.Where(o => o.ParentId == org.Id && !o.Archived).OrderBy(o => o.SortOrder).ThenBy(o => o.Id).ToListAsync(ct);
        var types = await TypeNamesAsync(db, ct);
        var all = await db.Meetings.InSubtree(m => m.Org, org)
            .Select(m => new { m.TypeIds, Path = m.Org!.Path, m.OrgId }).AsNoTracking().ToListAsync(ct);
        var result = new List<MeetingCount>();
        foreach (var u in units)
        {
            var mine = all.Where(m => m.OrgId == u.Id || m.Path.StartsWith(u.SelfPath, StringComparison.Ordinal)).ToList();
            foreach (var g in mine.SelectMany(m => m.TypeIds).GroupBy(t => t).OrderBy(g => g.Key))
                result.Add(new MeetingCount(u.Id, u.Name, types.GetValueOrDefault(g.Key) ?? "?", g.Count()));
            if (mine.Count == 0) result.Add(new MeetingCount(u.Id, u.Name, "—", 0));
        }
        return result;
    }
}
