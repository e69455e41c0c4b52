using Bihuan.Data;
using Bihuan.Domain;
using Bihuan.Features.Files;
using Bihuan.Features.Rectification;
using Microsoft.EntityFrameworkCore;

namespace Bihuan.Features.Demands;

public sealed record WorkOrderRow(int Id, string Ticket, string Type, OrderStatus Status, string StatusLabel, int OrgId, string OrgName,
    string Content, DateTime CreatedAt, DateOnly? Deadline, LightLevel Light, string LightLabel, string LightReason,
    int UrgeCount, bool Supervised, int? ProblemId);

public sealed record OrderTimelineEntry(string Action, string From, string To, string Actor, DateTime At, string? Text);

public sealed record Suggestion(int OrgId, string OrgName, string Why);

public sealed record MergeCandidate(int Id, string Ticket, string Content, string? Location, double Score);

public sealed record WorkOrderDetail(WorkOrderRow Row, string? RequestedOrgName, string? Location, ContactView Contact, bool Anonymous,
    string Channel, DateOnly? DispatchedOn, DateOnly? SignDue, DateOnly? SignedOn, string? Reply, string? ReplyDraft,
    string? Rating, string? RatingComment, int RedoCount, int SendBackCount, DateOnly? ExtensionRequestedTo, int ExtensionCount,
    string? MasterTicket, List<string> MergedTickets, bool Published, List<FileRef> Images, List<string> AllowedActions,
    bool CanRevealContact, bool CanEscalate, List<OrderTimelineEntry> Timeline, List<Suggestion> Suggestions,
    List<MergeCandidate> MergeCandidates)
{
    /// What is public now (null: nothing), and what publishing would show (the redacted demand and reply).
    public string? PublicTitle { get; init; }
    public string? PublicReply { get; init; }
    public PublicProposal? Proposal { get; init; }
    public string? MediaUrl { get; init; }
}

/// Assigned: with a handling unit (dispatched, not back at the desk — the orders the KPIs count). SignOverdue: with a
/// unit, not signed for past the sign-in limit. Overdue: with a unit, not yet replied, past the handling deadline.
public sealed record OrderFilter(OrderStatus? Status, DemandType? Type, int? OrgId, string? Q, bool? Open, int? Page, int? PageSize,
    bool? Assigned = null, bool? SignOverdue = null, bool? Overdue = null);

public sealed record WorkOrderListPage(int Total, int Page, int PageSize, List<WorkOrderRow> Rows);

/// 签收及时率, 按时办结率, 满意率 (满意+基本满意), 重办率, 退单率, average handling working days. Rates are null when
/// their denominator is zero (a rate of nothing is not 0%).
public sealed record OrderKpi(int OrgId, string OrgName, bool Subtree, int Dispatched, int Signed, double? SignOnTimeRate,
    int Replied, double? OnTimeRate, int Rated, double? SatisfactionRate, double? RedoRate, int SentBack, double? SendBackRate,
    double? AvgHandlingDays, int Open);

public sealed record PublishedReply(string Type, string UnitName, DateOnly Date, string Content, string Reply);

public sealed record PublishedRect(string UnitName, string Problem, string Measures, DateOnly? ClosedOn);

public sealed record PublicResults(List<PublishedReply> Replies, List<PublishedRect> Rectifications);

public static class WorkOrderQueries
{
    public static IQueryable<WorkOrder> Filter(BihuanDb db, OrderFilter f, DateOnly today)
    {
        var q = db.WorkOrders.AsQueryable();
        if (f.OrgId is { } orgId)
        {
            var prefix = db.Orgs.Where(o => o.Id == orgId).Select(o => o.Path + o.Id.ToString() + "/");
            q = q.Where(o => o.OrgId == orgId || db.Orgs.Where(x => x.Id == o.OrgId).Any(x => prefix.Any(p => x.Path.StartsWith(p))));
        }
        if (f.Status is { } s) q = q.Where(o => o.Status == s);
        if (f.Type is { } t) q = q.Where(o => o.Type == t);
        if (f.Open == true)
            q = q.Where(o => o.Status != OrderStatus.Closed && o.Status != OrderStatus.Rejected && o.Status != OrderStatus.Merged);
        if (f.Assigned == true || f.SignOverdue == true || f.Overdue == true)
            q = q.Where(o => o.DispatchedOn != null && o.OrgId != o.DispatchOrgId);
        // Past a usable date only (a stored 0001-01-01 is no limit to be past: the order's light says it is invalid).
        var min = Bounds.MinDate;
        if (f.SignOverdue == true) q = q.Where(o => o.Status == OrderStatus.Dispatched && o.SignDue >= min && o.SignDue < today);
        if (f.Overdue == true)
            q = q.Where(o => (o.Status == OrderStatus.Dispatched || o.Status == OrderStatus.Signed || o.Status == OrderStatus.Handling
                || o.Status == OrderStatus.AwaitingSignoff) && o.Deadline >= min && o.Deadline < today);
        if (!string.IsNullOrWhiteSpace(f.Q))
        {
            var text = f.Q.Trim();
            q = q.Where(o => o.Content.Contains(text) || o.Ticket == text.ToUpper() || (o.Location != null && o.Location.Contains(text)));
        }
        return q;
    }

    public static async Task<List<WorkOrderRow>> RowsAsync(BihuanDb db, IQueryable<WorkOrder> q, DateOnly today, WorkingCalendar cal,
        LightRules rules, CancellationToken ct)
    {
        // No IgnoreQueryFilters here: in EF Core it switches the filters off for the whole query, orders included.
        // An order in scope has its org in scope too (the order is filtered by that org).
        var raw = await q.AsNoTracking().Select(o => new { o, OrgName = db.Orgs.Where(x => x.Id == o.OrgId).Select(x => x.Name).FirstOrDefault() })
            .ToListAsync(ct);
        return raw.ConvertAll(x => Row(x.o, x.OrgName ?? "", today, cal, rules));
    }

    public static WorkOrderRow Row(WorkOrder o, string orgName, DateOnly today, WorkingCalendar cal, LightRules rules)
    {
        var light = o.LightOf(today, rules, cal);
        return new WorkOrderRow(o.Id, o.Ticket, o.Type.Label(), o.Status, o.Status.Label(), o.OrgId, orgName,
            o.Content.Length > 120 ? o.Content[..120] + "…" : o.Content, o.CreatedAt, o.Deadline, light.Level, light.Level.Label(),
            light.Reason, o.UrgeCount, o.Supervised, o.ProblemId);
    }

    public static async Task<WorkOrderListPage> ListAsync(BihuanDb db, TimeProvider clock, WorkingCalendar cal, LightRules rules, OrderFilter f,
        CancellationToken ct)
    {
        var q = Filter(db, f, ChinaTime.Today(clock));
        var size = Math.Clamp(f.PageSize ?? 50, 1, 500);
        var page = Math.Clamp(f.Page ?? 1, 1, InputBounds.PageMax);   // a page past this overflows the offset
        var total = await q.CountAsync(ct);
        var rows = await RowsAsync(db, q.OrderByDescending(o => o.Id).Skip((page - 1) * size).Take(size), ChinaTime.Today(clock), cal, rules, ct);
        return new WorkOrderListPage(total, page, size, rows);
    }

    public static async Task<WorkOrderDetail?> DetailAsync(BihuanDb db, TimeProvider clock, WorkingCalendar cal, LightRules rules,
        string actorId, string actorName, int id, CancellationToken ct)
    {
        var o = await db.WorkOrders.AsNoTracking().FirstOrDefaultAsync(x => x.Id == id, ct);
        if (o is null) return null;
        var (org, dispatchOrg) = await WorkOrderCommands.OrgsOfAsync(db, o, ct);
        var today = ChinaTime.Today(clock);
        var actor = new OrderActor(actorId, actorName, db.Access);
        var requested = o.RequestedOrgId is { } rid
            ? await db.OrgDirectory().Where(x => x.Id == rid).Select(x => x.Name).FirstOrDefaultAsync(ct) : null;
        var contact = await db.DemandContacts.AsNoTracking().FirstOrDefaultAsync(c => c.WorkOrderId == id, ct);
        var timeline = (await db.WorkOrderEvents.Where(e => e.WorkOrderId == id).OrderBy(e => e.At).ThenBy(e => e.Id).AsNoTracking()
                .ToListAsync(ct))
            .ConvertAll(e => new OrderTimelineEntry(e.Action.Label(), e.FromStatus.Label(), e.ToStatus.Label(), e.ActorName, e.At, e.Text));
        timeline.Insert(0, new OrderTimelineEntry("提交诉求", "", OrderStatus.Received.Label(), o.Channel == DemandChannel.Open311 ? "Open311" : "诉求人", o.CreatedAt, null));
        var master = o.MasterId is { } mid ? await db.OrderTrail<WorkOrder>().Where(x => x.Id == mid).Select(x => x.Ticket).FirstOrDefaultAsync(ct) : null;
        var merged = await db.OrderTrail<WorkOrder>().Where(x => x.MasterId == id).Select(x => x.Ticket).ToListAsync(ct);
        var images = (await Uploads.OfAsync(db, c => c.WorkOrderId == id, c => c.WorkOrderId, ct)).GetValueOrDefault(id) ?? [];
        var allowed = o.AllowedFor(actor, org, dispatchOrg).ToList();
        var dispatching = allowed.Contains(OrderAction.Dispatch);
        return new WorkOrderDetail(Row(o, org.Name, today, cal, rules), requested, o.Location, WorkOrderCommands.Masked(contact), o.Anonymous,
            o.Channel.ToString(), o.DispatchedOn, o.SignDue, o.SignedOn, o.Reply, o.ReplyDraft, o.Rating?.Label(), o.RatingComment,
            o.RedoCount, o.SendBackCount, o.ExtensionRequestedTo, o.ExtensionCount, master, merged, o.Published, images,
            allowed.Where(a => a != OrderAction.Escalate).Select(WorkOrderCommands.RouteOf).ToList(),
            o.MayRevealContact(db.Access, org) && contact is not null, allowed.Contains(OrderAction.Escalate), timeline,
            dispatching ? await SuggestAsync(db, o, dispatchOrg, ct) : [],
            allowed.Contains(OrderAction.Merge) ? await MergeCandidatesAsync(db, o, ct) : [])
        {
            PublicTitle = o.PublicTitle, PublicReply = o.PublicReply, MediaUrl = o.MediaUrl,
            Proposal = allowed.Contains(OrderAction.Publish) ? await WorkOrderCommands.ProposalAsync(db, o, ct) : null,
        };
    }

    /// Where to dispatch: the unit the citizen named, then the units that took similar demands before.
    public static async Task<List<Suggestion>> SuggestAsync(BihuanDb db, WorkOrder o, Org dispatchOrg, CancellationToken ct)
    {
        var list = new List<Suggestion>();
        if (o.RequestedOrgId is { } rid && await db.OrgDirectory().FirstOrDefaultAsync(x => x.Id == rid, ct) is { } r)
            list.Add(new(r.Id, r.Name, "诉求人选择的单位"));
        var past = await db.OrderTrail<WorkOrder>()
            .Where(x => x.Id != o.Id && x.DispatchedOn != null && x.OrgId != x.DispatchOrgId && x.DispatchOrgId == dispatchOrg.Id)
            .OrderByDescending(x => x.Id).Take(2000).Select(x => new { x.OrgId, x.Content }).ToListAsync(ct);
        var mine = TextSimilarity.Bigrams(o.Content);
        var best = past.Select(x => (x.OrgId, Score: TextSimilarity.Dice(mine, TextSimilarity.Bigrams(x.Content))))
            .Where(x => x.Score >= 0.3).GroupBy(x => x.OrgId).Select(g => (OrgId: g.Key, Score: g.Max(x => x.Score), Count: g.Count()))
            .OrderByDescending(x => x.Score).Take(3).ToList();
        var ids = best.Select(b => b.OrgId).ToList();
        var names = await db.OrgDirectory().Where(x => ids.Contains(x.Id)).ToDictionaryAsync(x => x.Id, x => x.Name, ct);
        foreach (var b in best.Where(b => list.All(l => l.OrgId != b.OrgId)))
            list.Add(new(b.OrgId, names[b.OrgId], $"曾派办相似诉求 {b.Count} 件（相似度 {(int)(b.Score * 100)}%）"));
        return list;
    }

    /// Duplicates: open orders with similar text, counted closer when they name the same place.
    public static async Task<List<MergeCandidate>> MergeCandidatesAsync(BihuanDb db, WorkOrder o, CancellationToken ct)
    {
        var since = o.CreatedAt.AddDays(-60);
        var open = await db.WorkOrders.Where(x => x.Id != o.Id && x.CreatedAt > since && x.Status != OrderStatus.Merged
                && x.Status != OrderStatus.Rejected && x.Status != OrderStatus.Closed)
            .OrderByDescending(x => x.Id).Take(2000).Select(x => new { x.Id, x.Ticket, x.Content, x.Location }).ToListAsync(ct);
        var mine = TextSimilarity.Bigrams(o.Content);
        static string Place(string? s) => new((s ?? "").Where(char.IsLetterOrDigit).ToArray());
        return open.Select(x =>
            {
                var score = TextSimilarity.Dice(mine, TextSimilarity.Bigrams(x.Content));
                var samePlace = Place(x.Location).Length > 0 && Place(x.Location) == Place(o.Location);
                return new MergeCandidate(x.Id, x.Ticket, x.Content, x.Location, Math.Round(Math.Min(1, score + (samePlace ? 0.15 : 0)), 2));
            })
            .Where(x => x.Score >= 0.5).OrderByDescending(x => x.Score).Take(5).ToList();
    }

    /// 履职清单: everything the org owes now, from every source, as one list.
    public static async Task<List<DutyEntry>> DutiesAsync(BihuanDb db, TimeProvider clock, WorkingCalendar cal, LightRules rules,
        int orgId, CancellationToken ct)
    {
        var org = await db.Orgs.FirstOrDefaultAsync(o => o.Id == orgId, ct) ?? throw new DomainException(new RecordNotFound("组织"));
        var today = ChinaTime.Today(clock);
        // A replied order waits for the citizen's rating: the unit owes nothing on it until a 重办.
        var orders = await RowsAsync(db, db.WorkOrders.Where(o => o.OrgId == org.Id && o.OrgId != o.DispatchOrgId
            && o.Status != OrderStatus.Closed && o.Status != OrderStatus.Merged && o.Status != OrderStatus.Rejected
            && o.Status != OrderStatus.Replied), today, cal, rules, ct);
        // At the dispatch desk's own org the desk owes the orders waiting for acceptance and dispatch.
        var desk = await RowsAsync(db, db.WorkOrders.Where(o => o.DispatchOrgId == org.Id && o.OrgId == org.Id
            && (o.Status == OrderStatus.Received || o.Status == OrderStatus.Accepted || o.ExtensionRequestedTo != null)), today, cal, rules, ct);
        var items = await RectApi.RowsAsync(db, db.RectItems.Where(RectItem.Open).Where(i => i.OrgId == org.Id),
            clock, cal, rules, ct);
        // 学习研讨: tasks of approved plans, meeting decisions and 补学 (Features/Study/Duties).
        var study = await Duties.StudyDuties.OpenDutiesAsync(db, [org.Id], today, cal, rules, ct);
        // 督办单 waiting for the org's reply.
        var supervision = await db.SupervisionOrders.Where(o => o.OrgId == org.Id && o.Status == SupervisionStatus.Issued)
            .AsNoTracking().ToListAsync(ct);
        return DutyList.Build(
            orders.Concat(desk).Select(r => new DutyEntry("群众诉求", $"{r.Ticket} {r.Type}：{r.Content}", r.StatusLabel, r.Deadline,
                r.Light, r.LightReason, $"/workorders/{r.Id}", r.OrgId, r.OrgName)),
            items.Select(r => new DutyEntry("整改事项", r.Measures, r.StatusLabel, r.Deadline, r.Light, r.LightReason,
                $"/ledger/{r.Id}", r.OrgId, r.OrgName)),
            study.Select(r => new DutyEntry(r.Kind, r.Owner is { Length: > 0 } owner ? $"{r.Title}（{owner}）" : r.Title, "待完成", r.DueOn,
                r.Light, r.LightReason, r.Link, r.OrgId, r.OrgName)),
            supervision.Select(o => (o, Light: o.DutyLight(today))).Select(x => new DutyEntry("督办单", x.o.Title, "待回复", x.o.DueOn,
                x.Light.Level, x.Light.Reason, $"/supervision/orders/{x.o.Id}", x.o.OrgId, org.Name)));
    }

    /// KPIs of one org (or its subtree), from the orders and their timelines.
    public static async Task<OrderKpi> KpiAsync(BihuanDb db, WorkingCalendar cal, int orgId, bool subtree, CancellationToken ct)
    {
        var org = await db.Orgs.FirstOrDefaultAsync(o => o.Id == orgId, ct) ?? throw new DomainException(new RecordNotFound("组织"));
        var orgIds = subtree
            ? await db.Orgs.Subtree(org).Select(o => o.Id).ToListAsync(ct)
            : [org.Id];
        var orders = await db.WorkOrders.Where(o => orgIds.Contains(o.OrgId) && o.DispatchedOn != null && o.OrgId != o.DispatchOrgId)
            .AsNoTracking().Select(o => new
            {
                o.Status, o.SignedOn, o.SignedLate, o.RepliedOn, o.Deadline, o.DispatchedOn, o.Rating, o.RedoCount,
            }).ToListAsync(ct);
        // Events are counted by the org they happened at (orgIds are all in the caller's scope): an order sent back has
        // left the unit, but its 退单 still counts against the unit.
        var events = db.OrderTrail<WorkOrderEvent>().Where(e => orgIds.Contains(e.OrgId));
        var dispatched = await events.CountAsync(e => e.Action == OrderAction.Dispatch, ct);
        var sentBack = await events.CountAsync(e => e.Action == OrderAction.SendBack, ct);
        var signed = orders.Where(o => o.SignedOn is not null).ToList();
        var replied = orders.Where(o => o.RepliedOn is not null || o.Status == OrderStatus.Closed).ToList();
        var repliedDated = replied.Where(o => o.RepliedOn is not null).ToList();
        var rated = orders.Where(o => o.Rating is not null && o.Status == OrderStatus.Closed).ToList();
        static double? Rate(int n, int d) => d == 0 ? null : Math.Round((double)n / d, 4);
        // Spans with a date outside the window cannot be counted: left out of the average, not counted as 0.
        var spans = repliedDated.Select(o => cal.EstimateWorkingDaysBetween(o.DispatchedOn!.Value, o.RepliedOn!.Value))
            .OfType<int>().ToList();
        return new OrderKpi(org.Id, org.Name, subtree, dispatched, signed.Count, Rate(signed.Count(o => !o.SignedLate), signed.Count),
            replied.Count, Rate(repliedDated.Count(o => o.RepliedOn <= o.Deadline), repliedDated.Count),
            rated.Count, Rate(rated.Count(o => o.Rating is Rating.Satisfied or Rating.Basic), rated.Count),
            Rate(replied.Count(o => o.RedoCount > 0), replied.Count), sentBack, Rate(sentBack, dispatched),
            spans.Count == 0 ? null : Math.Round(spans.Average(), 1),
            orders.Count(o => o.Status.IsOpen()));
    }

    /// 公开结果: published replies (the stored public texts only) and the closed rectifications that came from public
    /// demands (redacted with the submitters' names). No personal data.
    public static async Task<PublicResults> PublicResultsAsync(BihuanDb db, string? unit, DemandType? type, int take, CancellationToken ct)
    {
        var u = (unit ?? "").Trim();
        var q = db.PublicDemands<WorkOrder>().Where(o => o.Published && o.PublicReply != null && o.PublicTitle != null);
        if (type is { } t) q = q.Where(o => o.Type == t);
        var orgs = db.OrgDirectory();
        if (u.Length > 0) q = q.Where(o => orgs.Any(x => x.Id == o.OrgId && x.Name.Contains(u)));
        var replies = await q.OrderByDescending(o => o.RepliedOn).ThenByDescending(o => o.Id).Take(take)
            .Select(o => new
            {
                o.Type, Unit = orgs.Where(x => x.Id == o.OrgId).Select(x => x.Name).First(), o.RepliedOn, o.PublicTitle,
                o.PublicReply,
            }).ToListAsync(ct);
        var rq = db.PublicDemands<RectItem>().Where(RectItem.Closed)
            .Where(i => i.Source == SourceChannel.Hotline || i.Source == SourceChannel.PublicOpinion);
        if (u.Length > 0) rq = rq.Where(i => orgs.Any(x => x.Id == i.OrgId && x.Name.Contains(u)));
        if (type is not null) rq = rq.Where(i => db.PublicDemands<WorkOrder>().Any(o => o.ProblemId == i.ProblemId && o.Type == type));
        var rects = await rq.OrderByDescending(i => i.ClosedAt).Take(take)
            .Select(i => new
            {
                Unit = orgs.Where(x => x.Id == i.OrgId).Select(x => x.Name).First(), i.Problem!.Description, i.Measures, i.ClosedAt,
                Names = db.PublicDemands<WorkOrder>().Where(o => o.ProblemId == i.ProblemId)
                    .Join(db.PublicDemands<DemandContact>(), o => o.Id, c => c.WorkOrderId, (o, c) => c.Name).ToList(),
            }).ToListAsync(ct);
        return new PublicResults(
            // The texts the desk reviewed and published, as stored (they were redacted when published).
            replies.ConvertAll(r => new PublishedReply(r.Type.Label(), r.Unit, r.RepliedOn ?? default, r.PublicTitle!,
                r.PublicReply!)),
            rects.ConvertAll(r => new PublishedRect(r.Unit, DemandPrivacy.Redact(r.Description, [.. r.Names]),
                DemandPrivacy.Redact(r.Measures, [.. r.Names]),
                r.ClosedAt is { } c ? DateOnly.FromDateTime(ChinaTime.ToCst(c)) : null)));
    }
}
