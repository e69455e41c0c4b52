using Bihuan.Domain;
using Bihuan.Tests.Builders;
using FsCheck.Xunit;

namespace Bihuan.Tests;

public sealed class OrgTreeTests
{
    static void AssertConsistent(Dictionary<int, Org> tree)
    {
        foreach (var (id, org) in tree)
        {
            var chain = TreeBuilder.AncestorChain(tree, id);
            Assert.NotNull(chain); // no cycle in the parent links
            Assert.Equal(TreeBuilder.PathOf(chain), org.Path);
            Assert.Equal(chain.Count, org.Depth);
            Assert.Equal($"{org.Path}{id}/", org.SelfPath);
        }
    }

    [Property(MaxTest = 300)]
    public void MoveUnder_RandomMoves_PathsAndDepthsFollowParentLinks(int[] parentSeeds, int[] moveSeeds)
    {
        var tree = TreeBuilder.Random(parentSeeds);
        var n = tree.Count;
        AssertConsistent(tree);
        for (var i = 0; i + 1 < moveSeeds.Length; i += 2)
        {
            var org = tree[TreeBuilder.Pick(moveSeeds[i], n) + 1];
            var target = TreeBuilder.Pick(moveSeeds[i + 1], n + 1); // 0: make it a root
            var parent = target == 0 ? null : tree[target];
            var before = TreeBuilder.Snapshot(tree);
            if (parent is not null && TreeBuilder.IsSelfOrDescendant(tree, parent.Id, org.Id))
            {
                var ex = Assert.Throws<DomainException>(() => org.MoveUnder(parent, tree.Values));
                Assert.IsType<MoveWouldCreateCycle>(ex.Error);
                Assert.Equal(before, TreeBuilder.Snapshot(tree));
            }
            else
            {
                org.MoveUnder(parent, tree.Values);
                Assert.Equal(parent?.Id, org.ParentId);
            }
            AssertConsistent(tree);
        }
    }

    [Property(MaxTest = 300)]
    public void MoveUnder_IntoOwnSubtree_RefusedAndNothingChanges(int[] parentSeeds, int orgSeed, int targetSeed)
    {
        var tree = TreeBuilder.Random(parentSeeds);
        var org = tree[TreeBuilder.Pick(orgSeed, tree.Count) + 1];
        var subtree = tree.Values.Where(o => TreeBuilder.IsSelfOrDescendant(tree, o.Id, org.Id)).ToList();
        var target = subtree[TreeBuilder.Pick(targetSeed, subtree.Count)];
        var before = TreeBuilder.Snapshot(tree);

        var ex = Assert.Throws<DomainException>(() => org.MoveUnder(target, subtree));

        Assert.Equal("org_cycle", ex.Error.Code);
        Assert.Equal(before, TreeBuilder.Snapshot(tree));
    }

    [Property(MaxTest = 200)]
    public void MoveUnder_OnlySubtreeDescendantsPassed_SameResultAsPassingAll(int[] parentSeeds, int orgSeed, int targetSeed)
    {
        // The app loads descendants by a SelfPath prefix query; the importer passes every org. Both must agree.
        var a = TreeBuilder.Random(parentSeeds);
        var b = TreeBuilder.Random(parentSeeds);
        var id = TreeBuilder.Pick(orgSeed, a.Count) + 1;
        var target = TreeBuilder.Pick(targetSeed, a.Count) + 1;
        if (TreeBuilder.IsSelfOrDescendant(a, target, id)) return;

        a[id].MoveUnder(a[target], a.Values);
        var prefix = b[id].SelfPath;
        b[id].MoveUnder(b[target], b.Values.Where(o => o.Path.StartsWith(prefix, StringComparison.Ordinal)).ToList());

        Assert.Equal(TreeBuilder.Snapshot(a), TreeBuilder.Snapshot(b));
    }

    [Fact]
    public void MoveUnder_SiblingIdSharesDigitPrefix_SiblingSubtreeUntouched()
    {
        // 5 and 50 are siblings: "/1/50/" starts with "/1/5" but not with "/1/5/".
        var tree = new TreeBuilder().Root(1).Child(5, 1).Child(50, 1).Child(51, 50).Child(6, 5).Child(7, 6).Child(2, 1).Build();

        tree[5].MoveUnder(tree[2], tree.Values);

        Assert.Equal("/1/50/", tree[51].Path);
        Assert.Equal(2, tree[51].Depth);
        Assert.Equal("/1/2/5/", tree[6].Path);
        Assert.Equal("/1/2/5/6/", tree[7].Path);
        Assert.Equal(4, tree[7].Depth);
        AssertConsistent(tree);
    }

    [Fact]
    public void MoveUnder_ToRoot_SubtreeRebased()
    {
        var tree = new TreeBuilder().Root(1).Child(2, 1).Child(3, 2).Child(4, 3).Build();

        tree[3].MoveUnder(null, tree.Values);

        Assert.Null(tree[3].ParentId);
        Assert.Equal("/", tree[3].Path);
        Assert.Equal(0, tree[3].Depth);
        Assert.Equal("/3/", tree[4].Path);
        Assert.Equal(1, tree[4].Depth);
    }

    [Fact]
    public void MoveUnder_UnderItself_RefusedWithCycleError()
    {
        var tree = new TreeBuilder().Root(1).Child(2, 1).Build();

        var ex = Assert.Throws<DomainException>(() => tree[2].MoveUnder(tree[2], tree.Values));

        var cycle = Assert.IsType<MoveWouldCreateCycle>(ex.Error);
        Assert.Equal("parentId", cycle.Field);
        Assert.Equal(ErrorKind.Conflict, cycle.Kind);
        Assert.Equal(1, tree[2].ParentId);
    }

    [Fact]
    public void IsInSubtreeOf_SelfDescendantAndSibling_OnlySelfAndDescendant()
    {
        var tree = new TreeBuilder().Root(1).Child(5, 1).Child(50, 1).Child(7, 5).Build();

        Assert.True(tree[5].IsInSubtreeOf(tree[5]));
        Assert.True(tree[7].IsInSubtreeOf(tree[5]));
        Assert.True(tree[7].IsInSubtreeOf(tree[1]));
        Assert.False(tree[50].IsInSubtreeOf(tree[5]));
        Assert.False(tree[1].IsInSubtreeOf(tree[5]));
    }

    [Theory]
    [InlineData("市委办公室", "A001", 0)]
    [InlineData("", "A001", 1)]
    [InlineData("   ", "A001", 1)]
    [InlineData("市委办公室", null, 1)]
    [InlineData("市委办公室", "A 001", 1)]
    [InlineData("市委办公室", "A\t001", 1)]
    [InlineData(null, null, 2)]
    public void Validate_NameAndCode_ExpectedErrorCount(string? name, string? code, int errors)
    {
        Assert.Equal(errors, Org.Validate(name, code).Count());
    }

    [Fact]
    public void Validate_TooLong_RefusedAtLimitAccepted()
    {
        Assert.Empty(Org.Validate(new string('党', Org.NameMax), new string('A', Org.CodeMax)));
        Assert.Equal("name", Assert.Single(Org.Validate(new string('党', Org.NameMax + 1), "A")).Field);
        Assert.Equal("code", Assert.Single(Org.Validate("党委", new string('A', Org.CodeMax + 1))).Field);
    }

    [Theory]
    [InlineData("党委", OrgType.PartyCommittee)]
    [InlineData(" 区委 ", OrgType.PartyCommittee)]
    [InlineData("街道党工委", OrgType.WorkingCommittee)]
    [InlineData("党组（党委）", OrgType.PartyGroup)]
    [InlineData("党组(党委)", OrgType.PartyGroup)]
    [InlineData("市直单位", OrgType.Agency)]
    [InlineData("纪委", OrgType.Discipline)]
    [InlineData("总支", OrgType.GeneralBranch)]
    [InlineData("支部", OrgType.Branch)]
    [InlineData("其他", OrgType.Other)]
    [InlineData("branch", OrgType.Branch)]
    [InlineData("Agency", OrgType.Agency)]
    public void TryParse_KnownText_Parsed(string text, OrgType expected)
    {
        Assert.True(OrgTypes.TryParse(text, out var t));
        Assert.Equal(expected, t);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("  ")]
    [InlineData("居委会")]
    [InlineData("3")]          // an enum ordinal is not a type a user typed
    [InlineData("99")]
    [InlineData("Branch,Agency")]
    public void TryParse_UnknownText_FalseAndOther(string? text)
    {
        Assert.False(OrgTypes.TryParse(text, out var t));
        Assert.Equal(OrgType.Other, t);
    }

    [Fact]
    public void Label_EveryType_DistinctChineseLabelThatParsesBack()
    {
        foreach (var t in Enum.GetValues<OrgType>())
        {
            Assert.True(OrgTypes.TryParse(t.Label(), out var back));
            Assert.Equal(t, back);
        }
        Assert.Equal(Enum.GetValues<OrgType>().Length, Enum.GetValues<OrgType>().Select(t => t.Label()).Distinct().Count());
    }
}
