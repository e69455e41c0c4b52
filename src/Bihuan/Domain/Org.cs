using System.Linq.Expressions;

namespace Bihuan.Domain;

public enum OrgType
{
    PartyCommittee,     // 党委（市委、区委、街道党工委以外的党委）
    WorkingCommittee,   // 党工委
    PartyGroup,         // 党组
    Agency,             // 机关单位（市直、区直单位）
    Discipline,         // 纪委监委
    GeneralBranch,      // 党总支
    Branch,             // 党支部
    Other,
}

public static class OrgTypes
{
    public static string Label(this OrgType t) => !Enum.IsDefined(t) ? StoredValues.Invalid("取值", t) : t switch
    {
        OrgType.PartyCommittee => "党委",
        OrgType.WorkingCommittee => "党工委",
        OrgType.PartyGroup => "党组",
        OrgType.Agency => "机关单位",
        OrgType.Discipline => "纪委监委",
        OrgType.GeneralBranch => "党总支",
        OrgType.Branch => "党支部",
        OrgType.Other => "其他",
    };

    static readonly Dictionary<string, OrgType> Synonyms = new(StringComparer.OrdinalIgnoreCase)
    {
        ["党委"] = OrgType.PartyCommittee, ["市委"] = OrgType.PartyCommittee, ["区委"] = OrgType.PartyCommittee,
        ["县委"] = OrgType.PartyCommittee, ["镇党委"] = OrgType.PartyCommittee, ["街道党委"] = OrgType.PartyCommittee,
        ["党工委"] = OrgType.WorkingCommittee, ["街道党工委"] = OrgType.WorkingCommittee,
        ["党组"] = OrgType.PartyGroup, ["党组（党委）"] = OrgType.PartyGroup, ["党组(党委)"] = OrgType.PartyGroup,
        ["机关单位"] = OrgType.Agency, ["单位"] = OrgType.Agency, ["部门"] = OrgType.Agency,
        ["市直单位"] = OrgType.Agency, ["区直单位"] = OrgType.Agency, ["机关"] = OrgType.Agency,
        ["纪委监委"] = OrgType.Discipline, ["纪委"] = OrgType.Discipline, ["纪检监察机关"] = OrgType.Discipline,
        ["党总支"] = OrgType.GeneralBranch, ["总支"] = OrgType.GeneralBranch,
        ["党支部"] = OrgType.Branch, ["支部"] = OrgType.Branch,
        ["其他"] = OrgType.Other,
    };

    public static bool TryParse(string? text, out OrgType type)
    {
        type = OrgType.Other;
        if (string.IsNullOrWhiteSpace(text)) return false;
        var t = text.Trim();
        if (Synonyms.TryGetValue(t, out type)) return true;
        // Enum names only: Enum.TryParse would also take ordinals ("3") and comma lists ("Branch,Agency").
        foreach (var v in Enum.GetValues<OrgType>())
            if (string.Equals(v.ToString(), t, StringComparison.OrdinalIgnoreCase)) { type = v; return true; }
        type = OrgType.Other;
        return false;
    }

    public static string KnownLabels => string.Join("、", Enum.GetValues<OrgType>().Select(Label));
}

/// An organization in the tree. Path is the materialized path of its ancestors' ids ("/1/7/" for a child of 7,
/// "/" for the root) so it is known before the org's own id is; SelfPath ("/1/7/42/") prefixes every descendant's
/// Path, so a subtree is one prefix query. Maintained here (create, move), never typed by hand.
public sealed class Org : IAudited
{
    public int Id { get; set; }
    public required string Name { get; set; }
    public required string Code { get; set; }
    public OrgType Type { get; set; }
    public int? ParentId { get; set; }
    public Org? Parent { get; set; }
    public string Path { get; set; } = "/";
    public int Depth { get; set; }
    public int SortOrder { get; set; }
    public bool Archived { get; set; }
    public DateTime CreatedAt { get; set; }

    public string SelfPath => $"{Path}{Id}/";

    /// The org subtree in memory (the org itself or below): OrgSubtree is the same rule for queries.
    public bool IsInSubtreeOf(Org ancestor) => SelfPath.StartsWith(ancestor.SelfPath, StringComparison.Ordinal);

    /// Places this org under a new parent (null: root), rewriting the paths of its descendants. Refuses a cycle.
    public void MoveUnder(Org? parent, IEnumerable<Org> descendants)
    {
        if (parent is not null && (parent.Id == Id || parent.IsInSubtreeOf(this)))
            throw new DomainException(new MoveWouldCreateCycle(Name, parent.Name));
        var oldSelf = SelfPath;
        ParentId = parent?.Id;
        Path = parent?.SelfPath ?? "/";
        Depth = parent is null ? 0 : parent.Depth + 1;
        var newSelf = SelfPath;
        foreach (var d in descendants)
        {
            if (!d.Path.StartsWith(oldSelf, StringComparison.Ordinal)) continue;
            d.Path = newSelf + d.Path[oldSelf.Length..];
            d.Depth = d.Path.Count(c => c == '/') - 1;
        }
    }

    public const int NameMax = 100;
    public const int CodeMax = 50;

    public static IEnumerable<Invalid> Validate(string? name, string? code)
    {
        if (string.IsNullOrWhiteSpace(name)) yield return new Invalid("name", "组织名称不能为空");
        else if (name.Trim().Length > NameMax) yield return new Invalid("name", $"组织名称不能超过 {NameMax} 个字");
        if (string.IsNullOrWhiteSpace(code)) yield return new Invalid("code", "组织编码不能为空");
        else if (code.Trim().Length > CodeMax) yield return new Invalid("code", $"组织编码不能超过 {CodeMax} 个字符");
        else if (code.Trim().Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
            yield return new Invalid("code", "组织编码不能含空格或控制字符");
    }
}

/// The org subtree in queries, one spelling: the root itself (by id: its own Path does not start with its SelfPath)
/// or any org whose ancestor Path starts with the root's SelfPath (one prefix query on an indexed column). Scope is
/// not this: the query filters (BihuanDb) and AccessScope cut what the caller sees; this cuts a subtree out of it.
public static class OrgSubtree
{
    public static Expression<Func<Org, bool>> Of(int rootId, string rootSelfPath) =>
        o => o.Id == rootId || o.Path.StartsWith(rootSelfPath);

    public static Expression<Func<Org, bool>> Of(Org root) => Of(root.Id, root.SelfPath);

    /// Strictly below the root (its descendants, not the root itself).
    public static Expression<Func<Org, bool>> Below(Org root)
    {
        var prefix = root.SelfPath;
        return o => o.Path.StartsWith(prefix);
    }

    /// The root and every org below it.
    public static IQueryable<Org> Subtree(this IQueryable<Org> orgs, Org root) => orgs.Where(Of(root));

    /// The records whose org (a navigation: i => i.Org!) lies in the subtree.
    public static IQueryable<T> InSubtree<T>(this IQueryable<T> q, Expression<Func<T, Org?>> org, int rootId,
        string rootSelfPath) => q.Where(Over(org, Of(rootId, rootSelfPath)));

    public static IQueryable<T> InSubtree<T>(this IQueryable<T> q, Expression<Func<T, Org?>> org, Org root) =>
        q.InSubtree(org, root.Id, root.SelfPath);

    static Expression<Func<T, bool>> Over<T>(Expression<Func<T, Org?>> org, Expression<Func<Org, bool>> rule) =>
        Expression.Lambda<Func<T, bool>>(new Substitute(rule.Parameters[0], org.Body).Visit(rule.Body), org.Parameters);

    sealed class Substitute(ParameterExpression from, Expression to) : ExpressionVisitor
    {
        protected override Expression VisitParameter(ParameterExpression node) =>
            node == from ? to : base.VisitParameter(node);
    }
}
