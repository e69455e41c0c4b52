using System.Security.Claims;
using Bihuan.Data;
using Bihuan.Domain;
using Bihuan.Features.Files;
using Bihuan.Features.Notifications;
using Bihuan.Features.Repair;
using Bihuan.Features.Rules;
using Bihuan.Features.Supervision;
using Bihuan.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Bihuan.Features.Rectification;

/// What the item page shows around one item: the rules made from it (GET /api/v1/rules?rectItemId=) and its 督办单
/// (GET /api/v1/supervision/orders?itemId=).
public sealed record ItemSurroundings(List<RuleDto> Rules, List<SupervisionOrderRow> Orders);

/// 整改事项: the use cases of one item, the same for the item page and /api/v1/rectifications/{id}. Scoped: the
/// BihuanDb it holds carries the caller's scope, so every read and write here is already limited to it.
public sealed class RectItems(BihuanDb db, TimeProvider clock, WorkingCalendar cal, LightRules rules, FileStore files,
    Notifier notifier)
{
    /// The item, its light, timeline and what the caller may do now (typed: ItemDetail.Allowed); null when not visible.
    public Task<ItemDetail?> DetailAsync(int id, CancellationToken ct) => RectApi.DetailAsync(db, clock, cal, rules, id, ct);

    public async Task<ItemSurroundings> SurroundingsAsync(int id, CancellationToken ct)
    {
        var today = ChinaTime.Today(clock);
        var ruleList = await RuleCommands.ListAsync(db, today, null, id, null, null, ct);
        var orders = await SupervisionApi.RowsAsync(
            SupervisionApi.Filter(db, new SupervisionFilter(null, null, null, null, id), today), today, ct);
        return new(ruleList, orders);
    }

    /// One action. Files posted with a page form (`uploads`; the API cites ids uploaded before) are stored in the
    /// same transaction as the action, so a refused action leaves no upload behind. The detail after it.
    public async Task<ItemDetail> ActAsync(ClaimsPrincipal user, int id, RectAction action, ActionInput input,
        IFormFileCollection? uploads, CancellationToken ct)
    {
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        if (uploads is { Count: > 0 })
        {
            var orgId = await db.RectItems.Where(i => i.Id == id).Select(i => (int?)i.OrgId).FirstOrDefaultAsync(ct)
                ?? throw new DomainException(new RecordNotFound("整改事项"));
            var added = await Uploads.AddFormFilesAsync(db, files, clock, uploads, orgId, ct);
            input = input with { Evidence = [.. input.Evidence ?? [], .. added] };
        }
        await RectCommands.ApplyAsync(db, clock, user, id, action, input, ct);
        await tx.CommitAsync(ct);
        await notifier.MailStagedAsync(db, ct);   // the handoff's notifications, by e-mail to those who opted in
        return (await DetailAsync(id, ct))!;
    }

    /// 下发督办单 on this item (the use case of POST /api/v1/supervision/orders).
    public Task<SupervisionOrder> IssueOrderAsync(ClaimsPrincipal user, int id, string? title, string? requirements,
        int? dueWorkingDays, CancellationToken ct) =>
        OrderCommands.IssueAsync(db, clock, cal, notifier, user,
            new OrderInput(null, [id], title, requirements, dueWorkingDays, null), ct);

    /// 修正无效数据 on this item (the use case of POST /api/v1/repairs).
    public Task<RepairResult> RepairAsync(int id, string field, string? value, string? reason, CancellationToken ct) =>
        StoredValueRepair.RepairAsync(db, new RepairInput(nameof(RectItem), id, field, value, reason), ct);
}

public static class RectificationUseCases
{
    /// The use cases pages and endpoints share, scoped like the BihuanDb they hold.
    public static IServiceCollection AddRectificationUseCases(this IServiceCollection services) =>
        services.AddScoped<RectItems>().AddScoped<Inspection>().AddScoped<ClosureChains>();
}
