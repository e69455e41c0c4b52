using System.Text.RegularExpressions;

namespace Bihuan.Tests;

/// The scope's exits, counted (ADR 0002, Data/ScopeExits.cs). BihuanDb's query filters are the one place scope is
/// enforced; IgnoreQueryFilters() may appear only in the members listed here, each with the reason it may see past
/// the caller's scope. A new exit fails until it is added to Allowed with its reason (and documented where it is);
/// a listed exit that is gone fails too, so the list stays the true one.
public sealed partial class ScopeExitTests
{
    /// file (under src/Bihuan) : member → why it may see past the caller's scope.
    static readonly Dictionary<string, string> Allowed = new(StringComparer.Ordinal)
    {
        // The filters themselves: the org-scope subquery inside a record's filter reads the org table unfiltered.
        ["Data/BihuanDb.cs:OrgInScope"] = "the filter definition: OrgId IN (orgs in scope), for OwnedByOrg and FileFilters",
        ["Data/FileFilters.cs:Citation"] = "the filter definition: the citing record's org in scope",
        ["Data/FileFilters.cs:Upload"] = "the filter definition: a visible citation, or the uploader's own",
        // The named exits.
        ["Data/ScopeExits.cs:OrgDirectory"] = "org names/codes/paths a visible record, grant or campaign names",
        ["Data/ScopeExits.cs:ForIntegrity"] = "uniqueness and tree invariants hold for the whole city",
        ["Data/ScopeExits.cs:AuditChain"] = "the audit chain is one sequence over all records",
        ["Data/ScopeExits.cs:AuditChainRows"] = "the audit chain walks every audited entity type",
        ["Data/ScopeExits.cs:SignIn"] = "signing in builds the scope, so it runs before there is one",
        ["Data/ScopeExits.cs:PublicDemands"] = "the public portal and Open311 answer anonymous callers",
        ["Data/ScopeExits.cs:OrderTrail"] = "a work order moves between orgs; its trail is read from a visible one",
        ["Data/ScopeExits.cs:Delivery"] = "a notification is delivered to other accounts than the writer's",
        ["Data/ScopeExits.cs:RollupSource"] = "roll-ups are computed once over the whole tree (ADR 0007)",
        ["Data/ScopeExits.cs:StaleMarks"] = "a change makes roll-ups stale in orgs beyond the writer's scope",
        ["Data/ScopeExits.cs:OwnPerson"] = "the caller's own person record",
        ["Data/ScopeExits.cs:OwnGrants"] = "the caller's own grants",
        ["Data/ScopeExits.cs:OwnUploadsAsync"] = "the caller's own uploads, scope re-applied by AccessScope.Sees",
        ["Data/ScopeExits.cs:LegacyFileOwners"] = "moving pre-ADR-0008 files while migrating, before any request",
    };

    /// The scope's parts (AccessScope's path and org lists, BihuanDb's filter parameters) are read only where scope
    /// is defined, so no query restates the scope by hand elsewhere (the restatements left live in ScopeExits).
    static readonly string[] ScopeParts =
    [
        "SubtreePaths", "RecordPaths", "RecordOrgIds", "ScopePaths", "ScopeOrgIds", "ScopeRecordPaths",
        "ScopeRecordOrgIds", ".OrgIds", ".Sees(",
    ];
    static readonly string[] ScopeHomes =
        ["Domain/Roles.cs", "Data/BihuanDb.cs", "Data/FileFilters.cs", "Data/ScopeExits.cs"];

    [Fact]
    public void IgnoreQueryFilters_OnlyInListedExits()
    {
        var found = Sources().SelectMany(f => ExitsIn(f.Path, f.Text)).ToList();
        var unlisted = found.Where(e => !Allowed.ContainsKey(e.Key)).Select(e => $"{e.Key} (line {e.Line})").ToList();
        Assert.True(unlisted.Count == 0, "IgnoreQueryFilters outside the listed scope exits — call a named method in "
            + "Data/ScopeExits.cs, or add one there and to ScopeExitTests.Allowed with its reason:\n"
            + string.Join("\n", unlisted));
        var stale = Allowed.Keys.Except(found.Select(e => e.Key)).ToList();
        Assert.True(stale.Count == 0, "listed exits that no longer exist: " + string.Join(", ", stale));
    }

    [Fact]
    public void EveryNamedExit_IsDocumentedWhereItIs()
    {
        var path = Path.Combine(Src(), "Data", "ScopeExits.cs");
        var lines = File.ReadAllLines(path);
        var undocumented = ExitsIn("Data/ScopeExits.cs", File.ReadAllText(path)).Select(e => e.DeclLine).Distinct()
            .Where(l => l < 2 || !lines[l - 2].TrimStart().StartsWith("///", StringComparison.Ordinal))
            .Select(l => lines[l - 1].Trim()).ToList();
        Assert.True(undocumented.Count == 0, "scope exits without a /// reason: " + string.Join("; ", undocumented));
        Assert.All(Allowed, kv => Assert.False(string.IsNullOrWhiteSpace(kv.Value), kv.Key));
    }

    [Fact]
    public void ScopeParts_ReadOnlyWhereScopeIsDefined()
    {
        var outside = Sources().Where(f => !ScopeHomes.Contains(f.Path))
            .SelectMany(f => Code(f.Text).Select((line, i) => (f.Path, Line: i + 1, Text: line)))
            .Where(l => ScopeParts.Any(p => l.Text.Contains(p, StringComparison.Ordinal)))
            .Select(l => $"{l.Path}:{l.Line}: {l.Text.Trim()}").ToList();
        Assert.True(outside.Count == 0, "the scope restated by hand outside its homes (use the filtered sets, or a "
            + "named method in Data/ScopeExits.cs):\n" + string.Join("\n", outside));
    }

    [Fact]
    public void Scanner_FindsAnExitAndItsMember_IgnoresComments()
    {
        // Guards the rules above against passing vacuously: a new exit in a feature is seen, with its member's name.
        const string source = """
            static class Sample
            {
                /// Not this: IgnoreQueryFilters() in a doc comment.
                public static async Task<int> CountAsync(BihuanDb db, CancellationToken ct)
                {
                    // nor db.Orgs.IgnoreQueryFilters() here
                    return await db.Orgs
                        .IgnoreQueryFilters().CountAsync(ct);
                }

                static IQueryable<Org> All(BihuanDb db) => db.Orgs.IgnoreQueryFilters();
            }
            """;
        var found = ExitsIn("Features/X/Sample.cs", source).ToList();
        Assert.Equal(["Features/X/Sample.cs:CountAsync", "Features/X/Sample.cs:All"], found.Select(e => e.Key));
        Assert.Equal([8, 11], found.Select(e => e.Line));
        Assert.Contains(Sources(), f => f.Path == "Data/ScopeExits.cs");
        Assert.Contains(Sources(), f => f.Path.EndsWith(".razor", StringComparison.Ordinal));
    }

    sealed record Exit(string Key, int Line, int DeclLine);

    /// Each IgnoreQueryFilters( in code (comments dropped), keyed by file and the member it sits in: the nearest
    /// member declaration above it at class-member indentation (4 spaces, as the code is laid out).
    static IEnumerable<Exit> ExitsIn(string path, string text)
    {
        var lines = Code(text);
        for (var i = 0; i < lines.Count; i++)
        {
            if (!lines[i].Contains("IgnoreQueryFilters(", StringComparison.Ordinal)) continue;
            var decl = i;
            string? member = null;
            for (; decl >= 0 && member is null; decl--)
                if (Member().Match(lines[decl]) is { Success: true } m) member = m.Groups["name"].Value;
            yield return new Exit($"{path}:{member ?? "?"}", i + 1, decl + 2);
        }
    }

    /// The lines with comments (//, ///, @* *@ on one line) cut off; string literals holding "//" are rare enough
    /// in this code base that the cut errs only towards reporting less of a line.
    static List<string> Code(string text) => text.Split('\n').Select(l =>
    {
        var razor = l.IndexOf("@*", StringComparison.Ordinal);
        if (razor >= 0) l = l[..razor];
        var c = l.IndexOf("//", StringComparison.Ordinal);
        return c >= 0 && !l[..c].EndsWith(':') ? l[..c] : l;
    }).ToList();

    [GeneratedRegex(@"^    (?!\s)(?:(?:public|internal|private|protected|static|async|override|readonly|sealed)\s+)*"
        + @"[\w<>\[\],.?() ]+?\s(?<name>\w+)\s*(?:<[^>()]*>)?\s*\(")]
    private static partial Regex Member();

    static IEnumerable<(string Path, string Text)> Sources()
    {
        var src = Src();
        return Directory.EnumerateFiles(src, "*.*", SearchOption.AllDirectories)
            .Where(f => f.EndsWith(".cs", StringComparison.Ordinal)
                || f.EndsWith(".razor", StringComparison.Ordinal))
            .Select(f => Path.GetRelativePath(src, f).Replace('\\', '/'))
            .Where(p => !p.StartsWith("bin/", StringComparison.Ordinal)
                && !p.StartsWith("obj/", StringComparison.Ordinal)
                && !p.StartsWith("Data/Migrations/", StringComparison.Ordinal))
            .Select(p => (p, File.ReadAllText(Path.Combine(src, p))));
    }

    static string Src()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Bihuan.slnx"))) dir = dir.Parent;
        return Path.Combine(dir?.FullName ?? throw new InvalidOperationException("repository root not found"),
            "src", "Bihuan");
    }
}
