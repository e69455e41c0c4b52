using Bihuan.Data;
using Bihuan.Domain;
using Microsoft.EntityFrameworkCore;

namespace Bihuan.Features.Rectification;

/// One source's 对账销号 stages (empty: verification only).
public sealed record ClosureChain(SourceChannel Source, List<ClosureStage> Stages);

/// CanEdit: the caller may change the stages (the system administrator).
public sealed record ClosureChainSheet(List<ClosureChain> Chains, bool CanEdit);

/// 对账销号 configuration: the page /admin/closure-chains and /api/v1/closure-chains call these.
public sealed class ClosureChains(BihuanDb db)
{
    /// Every source, in enum order, with its stages.
    public async Task<ClosureChainSheet> ListAsync(CancellationToken ct)
    {
        var rules = await db.ClosureChains.ToDictionaryAsync(c => c.Source, c => c.Stages, ct);
        return new(Enum.GetValues<SourceChannel>().Select(s => new ClosureChain(s, rules.GetValueOrDefault(s) ?? [])).ToList(),
            db.Access.CanAnywhere(Permission.ManageSettings));
    }

    /// Sets a source's stages from their names as posted (a form's checkboxes or the API body), in any order and
    /// case; a number or an unknown name is refused (400 source / stages). Admin only (RectCommands.SetClosureChainAsync).
    public async Task<ClosureChain> SetAsync(string source, IEnumerable<string>? stageNames, CancellationToken ct)
    {
        if (!Enum.TryParse<SourceChannel>(source, ignoreCase: true, out var s) || int.TryParse(source, out _))
            throw new DomainException(new Invalid("source", "未知的问题来源"));
        var stages = new List<ClosureStage>();
        foreach (var name in stageNames ?? [])
            if (Enum.TryParse<ClosureStage>(name, ignoreCase: true, out var st) && !int.TryParse(name, out _)) stages.Add(st);
            else throw new DomainException(new Invalid("stages", $"未知的审核环节：{name}（可选 UnitSelfCheck、LeadReview）"));
        var rule = await RectCommands.SetClosureChainAsync(db, s, stages, ct);
        return new(s, rule.Stages);
    }
}
