using System.Text;
using Bihuan.Domain;

namespace Bihuan.Tests;

/// docs/permissions.md carries the role × permission table as people read it. The part between its markers is
/// rendered from Permissions.Table here and must equal the file, so the doc and the code cannot drift.
/// To refresh the doc after changing the table: BIHUAN_WRITE_DOCS=1 dotnet test tests/Bihuan.Tests --filter PermissionsDoc
public sealed class PermissionsDocTests
{
    const string Begin = "<!-- permissions:begin (generated from Domain/Roles.cs by PermissionsDocTests; do not edit) -->";
    const string End = "<!-- permissions:end -->";

    static string DocPath()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Bihuan.slnx"))) dir = dir.Parent;
        return Path.Combine(dir?.FullName ?? throw new InvalidOperationException("repository root not found"), "docs", "permissions.md");
    }

    static string Cell(PermissionRule rule, Role role) =>
        rule.Holders.Where(h => h.Role == role).Select(h => (Extent?)h.Extent).FirstOrDefault() switch
        {
            null => "",
            Extent.Granted => "✓",
            { } e => e.Label(),
        };

    public static string Render()
    {
        var roles = Enum.GetValues<Role>();
        var sb = new StringBuilder();
        sb.Append("| permission | ").AppendJoin(" | ", roles.Select(r => $"{r.Label()}<br>`{r}`")).Append(" |\n");
        sb.Append("|---|").AppendJoin("", roles.Select(_ => "---|")).Append('\n');
        foreach (var rule in Permissions.Table)
            sb.Append($"| `{rule.Permission}` {rule.Label} | ").AppendJoin(" | ", roles.Select(r => Cell(rule, r))).Append(" |\n");
        sb.Append("\n✓ wherever the grant reaches (its org; with the org's subtree for 系统管理员, 学习教育办公室, 纪检监督, 热线派单员) · ")
            .Append($"{Extent.GrantedOrg.Label()}: the granted org itself, not its sub-units · ")
            .Append($"{Extent.Below.Label()}: strictly below the granted org, never the org itself\n\n");
        sb.Append("| permission | the persona act it stands for (DESIGN.md, \"Who uses it\") |\n|---|---|\n");
        foreach (var rule in Permissions.Table) sb.Append($"| `{rule.Permission}` | {rule.Act} |\n");
        return sb.ToString();
    }

    [Fact]
    public void PermissionsDoc_GeneratedSection_EqualsTheTableInCode()
    {
        var path = DocPath();
        var doc = File.ReadAllText(path).ReplaceLineEndings("\n");
        var start = doc.IndexOf(Begin, StringComparison.Ordinal);
        var end = doc.IndexOf(End, StringComparison.Ordinal);
        Assert.True(start >= 0 && end > start, $"{path} lacks the markers {Begin} … {End}");
        var current = doc[(start + Begin.Length)..end].Trim('\n');
        var rendered = Render().Trim('\n');
        if (Environment.GetEnvironmentVariable("BIHUAN_WRITE_DOCS") == "1" && current != rendered)
        {
            File.WriteAllText(path, doc[..(start + Begin.Length)] + "\n" + rendered + "\n" + doc[end..]);
            return;
        }
        Assert.True(current == rendered,
            "docs/permissions.md is out of date with Permissions.Table: run BIHUAN_WRITE_DOCS=1 dotnet test tests/Bihuan.Tests " +
            "--filter PermissionsDoc, review the diff and commit it.\n--- rendered ---\n" + rendered);
    }
}
