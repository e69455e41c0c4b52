using System.Security.Claims;
using Bihuan.Data;
using Bihuan.Domain;
using Bihuan.Features.Files;
using Bihuan.Features.Notifications;
using Bihuan.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Bihuan.Features.Supervision;

/// DueWorkingDays: the response is due this many working days from today (default 5), unless DueOn is given.
public sealed record OrderInput(int? OrgId, List<int>? ItemIds, string? Title, string? Requirements, int? DueWorkingDays, DateOnly? DueOn);
public sealed record InterviewInput(string? Interviewees, string? Interviewers, DateOnly? HeldOn, string? Outcome);
/// Text: the reply (respond), the 催办 opinion (remind), a closing note (close). Interview: for escalate (约谈).
/// Evidence (respond): ids of uploads to cite (your own, or already cited by a record you can see) — never hashes.
public sealed record SupervisionOrderActionInput(string? Text, List<Guid>? Evidence = null, int? DueWorkingDays = null, DateOnly? DueOn = null,
    InterviewInput? Interview = null);

/// 督办单: issue, respond, 催办, 约谈, close. Rules in Domain/Supervision.cs; this loads, checks, applies, notifies.
public static class OrderCommands
{
    public static readonly Dictionary<string, SupervisionAction> Routes = new()
    {
        ["respond"] = SupervisionAction.Respond, ["remind"] = SupervisionAction.Remind, ["close"] = SupervisionAction.Close, ["escalate"] = SupervisionAction.Escalate,
    };

    static string AccountId(ClaimsPrincipal user) => user.FindFirstValue(ClaimTypes.NameIdentifier)
        ?? throw new DomainException(new Forbidden("请先登录"));

    static DateOnly Due(WorkingCalendar cal, DateOnly today, int? workingDays, DateOnly? dueOn)
    {
        if (dueOn is { } d)
        {
            if (d < today) throw new DomainException(new Invalid("dueOn", "回复时限不能早于今天"));
            return d;
        }
        var n = workingDays ?? 5;
        if (n is < 1 or > 60) throw new DomainException(new Invalid("dueWorkingDays", "回复时限须为 1 至 60 个工作日"));
        return cal.EstimateDueDate(today, n, "dueWorkingDays", "回复时限");
    }

    public static async Task<SupervisionOrder> IssueAsync(BihuanDb db, TimeProvider clock, WorkingCalendar cal, Notifier notifier,
        ClaimsPrincipal user, OrderInput input, CancellationToken ct)
    {
        var errors = new List<Invalid>();
        var itemIds = (input.ItemIds ?? []).Distinct().ToList();
        if (itemIds.Count == 0 && input.OrgId is null) errors.Add(new("itemIds", "请选择督办的整改事项"));
        if (itemIds.Count > 50) errors.Add(new("itemIds", "一张督办单最多关联 50 项整改事项"));
        if (string.IsNullOrWhiteSpace(input.Requirements)) errors.Add(new("requirements", "请填写督办要求"));
        else if (input.Requirements.Length > SupervisionOrder.TextMax) errors.Add(new("requirements", $"督办要求不能超过 {SupervisionOrder.TextMax} 字"));
        if (input.Title is { Length: > SupervisionOrder.TitleMax }) errors.Add(new("title", $"标题不能超过 {SupervisionOrder.TitleMax} 字"));
        errors.Date("dueOn", input.DueOn);
        ErrorMapping.ThrowIfAny(errors);
        var items = await db.RectItems.Where(i => itemIds.Contains(i.Id))
            .Select(i => new { i.Id, i.OrgId, i.Measures, Problem = i.Problem!.Description }).ToListAsync(ct);
        if (items.Count != itemIds.Count) throw new DomainException(new Invalid("itemIds", "整改事项不存在或不在您的权限范围内"));
        var orgId = input.OrgId ?? items[0].OrgId;
        var org = await db.Orgs.AsNoTracking().FirstOrDefaultAsync(o => o.Id == orgId, ct) ?? throw new DomainException(new RecordNotFound("组织"));
        if (!SupervisionLifecycle.IsIssuer(db.Access, org))
            throw new DomainException(new SupervisionNotYourParty(SupervisionAction.Issue, "纪检监督部门"));
        if (items.Count > 0)
        {
            var itemOrgs = items.Select(i => i.OrgId).Distinct().ToList();
            var inside = await db.Orgs.Subtree(org).CountAsync(o => itemOrgs.Contains(o.Id), ct);
            if (inside != itemOrgs.Count) throw new DomainException(new Invalid("itemIds", "督办的整改事项须属于被督办单位（或其下级）"));
        }
        var today = ChinaTime.Today(clock);
        var id = AccountId(user);
        var name = await db.Users.Where(u => u.Id == id).Select(u => u.DisplayName).FirstOrDefaultAsync(ct) ?? id;
        var now = ChinaTime.Now(clock);
        var title = string.IsNullOrWhiteSpace(input.Title)
            ? $"关于{(items.Count > 0 ? Short(items[0].Problem, 30) : org.Name)}的督办单" : input.Title.Trim();
        var order = new SupervisionOrder
        {
            OrgId = org.Id, Title = title, Requirements = input.Requirements!.Trim(), ItemIds = itemIds, IssuedBy = id, IssuedByName = name,
            IssuedAt = now, DueOn = Due(cal, today, input.DueWorkingDays, input.DueOn),
        };
        await using var tx = db.Database.CurrentTransaction is null ? await db.Database.BeginTransactionAsync(ct) : null;
        db.SupervisionOrders.Add(order);
        await db.SaveChangesAsync(ct);
        db.SupervisionEvents.Add(new SupervisionEvent
        {
            OrderId = order.Id, OrgId = order.OrgId, Action = SupervisionAction.Issue, FromStatus = SupervisionStatus.Issued, ToStatus = SupervisionStatus.Issued,
            ActorId = id, ActorName = name, At = now, Text = order.Requirements, DueOn = order.DueOn,
        });
        await db.SaveChangesAsync(ct);
        if (tx is not null) await tx.CommitAsync(ct);
        var owners = await Notifier.OwnerAccountsAsync(db, org.Id, ct);
        await notifier.SendAsync(db, owners.ConvertAll(a => new NewNotification(a, NotificationKind.OrderIssued,
            $"收到督办单：{order.Title}", $"请于 {order.DueOn:yyyy-MM-dd} 前回复。{Short(order.Requirements, 200)}",
            $"/supervision/orders/{order.Id}", $"order:{order.Id}:issued")), ct);
        return order;
    }

    public static async Task<SupervisionOrder> ApplyAsync(BihuanDb db, TimeProvider clock, WorkingCalendar cal, Notifier notifier,
        ClaimsPrincipal user, int orderId, SupervisionAction action, SupervisionOrderActionInput input, CancellationToken ct)
    {
        var order = await db.SupervisionOrders.Include(o => o.Org).FirstOrDefaultAsync(o => o.Id == orderId, ct)
            ?? throw new DomainException(new RecordNotFound("督办单"));
        var id = AccountId(user);
        var name = await db.Users.Where(u => u.Id == id).Select(u => u.DisplayName).FirstOrDefaultAsync(ct) ?? id;
        new List<Invalid>().List("evidence", input.Evidence, 20, "佐证材料").Text("text", input.Text, SupervisionOrder.TextMax, "内容")
            .Date("dueOn", input.DueOn).Date("heldOn", input.Interview?.HeldOn).ThrowIfAny();
        var evidence = await Uploads.CitableAsync(db, input.Evidence, "evidence", ct);
        var today = ChinaTime.Today(clock);
        DateOnly? newDue = action == SupervisionAction.Remind ? Due(cal, today, input.DueWorkingDays, input.DueOn) : null;
        Interview? interview = null;
        if (action == SupervisionAction.Escalate)
        {
            var i = input.Interview;
            var errors = new List<Invalid>();
            if (string.IsNullOrWhiteSpace(i?.Interviewees)) errors.Add(new("interviewees", "请填写约谈对象"));
            if (string.IsNullOrWhiteSpace(i?.Interviewers)) errors.Add(new("interviewers", "请填写约谈人"));
            if (i?.HeldOn is null) errors.Add(new("heldOn", "请填写约谈日期"));
            if (string.IsNullOrWhiteSpace(i?.Outcome)) errors.Add(new("outcome", "请填写约谈情况及要求"));
            if (i?.Interviewees is { Length: > 500 } || i?.Interviewers is { Length: > 500 }) errors.Add(new("interviewees", "约谈对象、约谈人不能超过 500 字"));
            if (i?.Outcome is { Length: > SupervisionOrder.TextMax }) errors.Add(new("outcome", $"约谈情况不能超过 {SupervisionOrder.TextMax} 字"));
            ErrorMapping.ThrowIfAny(errors);
        }
        var now = ChinaTime.Now(clock);
        var text = action == SupervisionAction.Escalate ? $"约谈 {input.Interview!.Interviewees!.Trim()}：{input.Interview.Outcome!.Trim()}" : input.Text;
        var ev = order.Apply(action, new Actor(id, name, db.Access), order.Org!, now, text, newDue, evidence.Count);
        if (action == SupervisionAction.Escalate)
        {
            var i = input.Interview!;
            interview = new Interview
            {
                OrderId = order.Id, OrgId = order.OrgId, Interviewees = i.Interviewees!.Trim(), Interviewers = i.Interviewers!.Trim(),
                HeldOn = i.HeldOn!.Value, Outcome = i.Outcome!.Trim(), RecordedBy = name, RecordedAt = now,
            };
            db.Interviews.Add(interview);
        }
        db.SupervisionEvents.Add(ev);
        // Evidence belongs to the response that cites it; the order shows its latest response's files.
        Uploads.Cite(db, evidence, order.OrgId, c => c.SupervisionEvent = ev);
        await db.SaveChangesAsync(ct);

        var list = action switch
        {
            SupervisionAction.Respond => [new NewNotification(order.IssuedBy, NotificationKind.OrderResponded,
                $"{order.Org!.Name} 已回复督办单：{order.Title}", Short(order.Response ?? "", 200), $"/supervision/orders/{order.Id}",
                $"order:{order.Id}:responded:{ev.Id}")],
            SupervisionAction.Remind => (await Notifier.OwnerAccountsAsync(db, order.OrgId, ct)).ConvertAll(a => new NewNotification(a,
                NotificationKind.OrderReminded, $"督办催办（第 {order.RemindCount} 次）：{order.Title}",
                $"请于 {order.DueOn:yyyy-MM-dd} 前回复。{Short(input.Text ?? "", 200)}", $"/supervision/orders/{order.Id}",
                $"order:{order.Id}:remind:{order.RemindCount}")),
            _ => new List<NewNotification>(),
        };
        await notifier.SendAsync(db, list, ct);
        return order;
    }

    static string Short(string s, int n) => s.Length <= n ? s : s[..n] + "…";
}
