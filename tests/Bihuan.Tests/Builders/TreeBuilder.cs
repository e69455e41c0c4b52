using Bihuan.Domain;

namespace Bihuan.Tests.Builders;

/// Builds org trees for tests. Paths and depths are computed here from the parent links, independently of
/// Org.MoveUnder, so the tests compare the domain's bookkeeping against a second, naive computation.
public sealed class TreeBuilder
{
    readonly Dictionary<int, Org> orgs = [];

    public TreeBuilder Root(int id)
    {
        orgs.Add(id, New(id, null));
        return this;
    }

    public TreeBuilder Child(int id, int parentId)
    {
        orgs.Add(id, New(id, orgs[parentId]));
        return this;
    }

    public Dictionary<int, Org> Build() => orgs;

    /// A random tree with ids 1..n: node 1 is the root, node k's parent is a smaller id chosen by seeds[k - 2].
    public static Dictionary<int, Org> Random(IReadOnlyList<int> seeds, int maxNodes = 40)
    {
        var b = new TreeBuilder().Root(1);
        var n = Math.Min(seeds.Count + 1, maxNodes);
        for (var id = 2; id <= n; id++) b.Child(id, Pick(seeds[id - 2], id - 1) + 1);
        return b.Build();
    }

    /// A non-negative index below n from any int (int.MinValue included).
    public static int Pick(int seed, int n) => (int)((uint)seed % (uint)n);

    static Org New(int id, Org? parent) => new()
    {
        Id = id,
        Name = $"组织{id}",
        Code = $"C{id}",
        ParentId = parent?.Id,
        Path = parent?.SelfPath ?? "/",
        Depth = parent is null ? 0 : parent.Depth + 1,
    };

    /// Ancestor ids from the root down to the org's parent, following ParentId; null if the links loop.
    public static List<int>? AncestorChain(IReadOnlyDictionary<int, Org> tree, int id)
    {
        var chain = new List<int>();
        var seen = new HashSet<int> { id };
        var cur = tree[id].ParentId;
        while (cur is { } p)
        {
            if (!seen.Add(p)) return null;
            chain.Add(p);
            cur = tree[p].ParentId;
        }
        chain.Reverse();
        return chain;
    }

    public static string PathOf(IEnumerable<int> ancestors) => "/" + string.Concat(ancestors.Select(a => $"{a}/"));

    /// Whether candidate is id itself or one of its descendants, by the parent links.
    public static bool IsSelfOrDescendant(IReadOnlyDictionary<int, Org> tree, int candidate, int id) =>
        candidate == id || (AncestorChain(tree, candidate)?.Contains(id) ?? false);

    public static Dictionary<int, (int? ParentId, string Path, int Depth)> Snapshot(IReadOnlyDictionary<int, Org> tree) =>
        tree.ToDictionary(kv => kv.Key, kv => (kv.Value.ParentId, kv.Value.Path, kv.Value.Depth));
}
