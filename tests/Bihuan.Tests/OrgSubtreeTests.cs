using Bihuan.Domain;
using FsCheck.Xunit;

namespace Bihuan.Tests;

/// The org subtree in queries (OrgSubtree) against the tree itself: an org is in a root's subtree when walking up its
/// parents reaches the root (the oracle reads ParentId, not the paths the query reads).
public sealed class OrgSubtreeTests
{
    /// A random tree of n orgs (ids 1..n, each under an earlier one or a root), with paths maintained by MoveUnder.
    static List<Org> Tree(int seed, int n)
    {
        var r = new Random(seed);
        var orgs = new List<Org>();
        for (var id = 1; id <= n; id++)
        {
            var o = new Org { Id = id, Name = $"o{id}", Code = $"C{id}" };
            var parent = id == 1 || r.Next(6) == 0 ? null : orgs[r.Next(orgs.Count)];
            o.MoveUnder(parent, []);
            orgs.Add(o);
        }
        return orgs;
    }

    static bool UnderByWalk(Org o, Org root, Dictionary<int, Org> byId)
    {
        for (Org? x = o; x is not null; x = x.ParentId is { } p ? byId[p] : null)
            if (x.Id == root.Id) return true;
        return false;
    }

    [Property(MaxTest = 200)]
    public void Subtree_AnyTree_IsTheRootAndItsDescendants(int seed, byte size)
    {
        var orgs = Tree(seed, 2 + size % 60);
        var byId = orgs.ToDictionary(o => o.Id);
        var root = orgs[Math.Abs(seed % orgs.Count)];
        var subtree = orgs.AsQueryable().Subtree(root).Select(o => o.Id).ToHashSet();
        var below = orgs.AsQueryable().Where(OrgSubtree.Below(root)).Select(o => o.Id).ToHashSet();
        foreach (var o in orgs)
        {
            var under = UnderByWalk(o, root, byId);
            Assert.Equal(under, subtree.Contains(o.Id));
            Assert.Equal(under && o.Id != root.Id, below.Contains(o.Id));
            Assert.Equal(under, o.IsInSubtreeOf(root));
        }
    }

    sealed record Owned(int Id, Org Org);

    [Property(MaxTest = 100)]
    public void InSubtree_RecordsByTheirOrg_SameAsTheOrgs(int seed, byte size)
    {
        var orgs = Tree(seed, 2 + size % 40);
        var root = orgs[Math.Abs(seed % orgs.Count)];
        var records = orgs.Select(o => new Owned(o.Id * 10, o)).ToList();
        var expected = orgs.AsQueryable().Subtree(root).Select(o => o.Id * 10).Order().ToList();
        Assert.Equal(expected, records.AsQueryable().InSubtree(x => x.Org, root).Select(x => x.Id).Order().ToList());
    }
}
