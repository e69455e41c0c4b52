using System.Reflection;
using Bihuan.Components;
using Bihuan.Data;
using Microsoft.AspNetCore.Components;

namespace Bihuan.Tests;

/// Pages are thin: a page under Features/*/Pages binds its form and calls a use case (the method its API twin calls).
/// It holds no BihuanDb (injected, inherited or fetched), opens no transaction and checks no permission through
/// AccessScope — the use case answers what the caller may do. The pages not yet converted are listed below with a
/// note; the list only shrinks: a listed page that has become thin fails the test until its entry is removed.
public sealed class ThinPageTests
{
    static readonly Dictionary<string, string> NotYetThin = new()
    {
        ["Accounts.AccountsPage"] = "account list and role grants query Identity tables and check ManageAccounts",
        ["Accounts.TokensPage"] = "API tokens listed and revoked on the DbContext",
        ["Audit.AuditPage"] = "audit search built in the page",
        ["Demands.KpiPage"] = "KPI figures queried in the page",
        ["Demands.PublicResultsPage"] = "public results queried in the page (no personal data; still a query)",
        ["Demands.PublicStatusPage"] = "ticket lookup and rating call PortalCommands with the injected database",
        ["Demands.PublicSubmitPage"] = "submission and its image uploads saved through the injected database",
        ["Demands.WorkOrderPage"] = "work-order actions call WorkOrderCommands with Db; allowed actions still strings",
        ["Demands.WorkOrdersPage"] = "work-order list query in the page",
        ["Duties.DutiesPage"] = "履职清单 read with Db",
        ["Duties.HomePage"] = "工作台 counts queried in the page",
        ["Notifications.NotificationsPage"] = "notifications read and marked read on Db",
        ["Organizations.OrgImportPage"] = "org import preview/commit with Db; ManageOrgs checked in the page",
        ["Organizations.OrgNew"] = "org creation calls OrgCommands with Db",
        ["Organizations.OrgPage"] = "org detail, move and archive with Db and permission checks in the page",
        ["Organizations.OrgsPage"] = "org tree read with Db",
        ["People.PeoplePage"] = "people register with Db and permission checks in the page",
        ["Rectification.LedgerImportPage"] = "ledger import with Db; RecordProblems checked in the page",
        ["Rectification.LedgerListPage"] = "ledger query and bulk actions with Db",
        ["Rectification.NewProblemPage"] = "problem creation and duplicate check with Db",
        ["Rectification.ProblemPage"] = "problem detail and add-item with Db",
        ["Rules.RulesPage"] = "rules list and lifecycle with Db and permission checks in the page",
        ["Study.CampaignPage"] = "campaign detail and actions with Db",
        ["Study.CampaignsPage"] = "campaign list and creation with Db",
        ["Study.MeetingPage"] = "meeting detail read with Db",
        ["Study.MeetingsPage"] = "meeting list with Db and permission checks in the page",
        ["Study.MyStudyPage"] = "my study records read with Db",
        ["Study.NewMeetingPage"] = "meeting recording with Db",
        ["Study.PlanPage"] = "plan actions with Db; allowed actions still strings",
        ["Study.StudyPage"] = "study overview with Db and permission checks in the page",
        ["Supervision.BriefingPage"] = "passes the keyed read-replica BihuanDb (ReadDb.Key) to Briefing.BuildAsync",
        ["Supervision.DashboardPage"] = "passes the keyed read-replica BihuanDb to the dashboard and queries Orgs itself",
        ["Supervision.OrderPage"] = "督办单 actions with Db",
        ["Supervision.OrdersPage"] = "督办单 list with Db",
    };

    static string RepoRoot() => LocalizationTests.RepoRoot();

    /// "Area.Name" → the compiled component, for every .razor file under Features/*/Pages.
    static Dictionary<string, Type> Pages()
    {
        var types = typeof(StaffPage).Assembly.GetTypes();
        var features = Path.Combine(RepoRoot(), "src", "Bihuan", "Features");
        return Directory.EnumerateFiles(features, "*.razor", SearchOption.AllDirectories)
            .Where(f => Path.GetFileName(Path.GetDirectoryName(f)) == "Pages")
            .Select(f => $"{Path.GetFileName(Path.GetDirectoryName(Path.GetDirectoryName(f)))}.{Path.GetFileNameWithoutExtension(f)}")
            .ToDictionary(k => k, k => types.Single(t => t.FullName == $"Bihuan.Features.{k.Replace(".", ".Pages.")}"));
    }

    static string Source(string page)
    {
        var parts = page.Split('.');
        return File.ReadAllText(Path.Combine(RepoRoot(), "src", "Bihuan", "Features", parts[0], "Pages", parts[1] + ".razor"));
    }

    /// Why a page is not thin, or none: a BihuanDb member anywhere in its class chain (an @inject, the DbStaffPage
    /// base), or the database, a transaction or the access scope named in its markup or code.
    static List<string> Fat(Type page, string source)
    {
        var why = new List<string>();
        for (var t = page; t is not null && t != typeof(ComponentBase); t = t.BaseType)
        {
            const BindingFlags all = BindingFlags.Instance | BindingFlags.Static | BindingFlags.Public
                | BindingFlags.NonPublic | BindingFlags.DeclaredOnly;
            why.AddRange(t.GetProperties(all).Where(p => typeof(BihuanDb).IsAssignableFrom(p.PropertyType))
                .Select(p => $"{t.Name}.{p.Name} is a BihuanDb"));
            why.AddRange(t.GetFields(all).Where(f => typeof(BihuanDb).IsAssignableFrom(f.FieldType))
                .Select(f => $"{t.Name}.{f.Name} is a BihuanDb"));
        }
        foreach (var token in new[] { "BihuanDb", "BeginTransaction", "Access.", "AccessScope" })
            if (source.Contains(token, StringComparison.Ordinal)) why.Add($"names {token}");
        return why;
    }

    [Fact]
    public void Pages_HoldNoDatabase_ExceptTheListed()
    {
        var pages = Pages();
        Assert.True(pages.Count >= 30, $"found {pages.Count} pages under Features/*/Pages");
        var fat = pages.Where(p => !NotYetThin.ContainsKey(p.Key))
            .Select(p => (p.Key, Why: Fat(p.Value, Source(p.Key)))).Where(x => x.Why.Count > 0)
            .Select(x => $"{x.Key}: {string.Join("; ", x.Why)}").ToList();
        Assert.True(fat.Count == 0, "Pages that must call a use case instead (or, only while converting, be listed): "
            + string.Join(" | ", fat));
    }

    [Fact]
    public void NotYetThin_OnlyShrinks_EveryEntryStillNeedsIt()
    {
        var pages = Pages();
        var gone = NotYetThin.Keys.Where(k => !pages.ContainsKey(k)).ToList();
        Assert.True(gone.Count == 0, "Listed pages that do not exist: " + string.Join(", ", gone));
        var thin = NotYetThin.Keys.Where(k => Fat(pages[k], Source(k)).Count == 0).ToList();
        Assert.True(thin.Count == 0, "Thin now — remove from NotYetThin: " + string.Join(", ", thin));
        Assert.All(NotYetThin.Values, note => Assert.False(string.IsNullOrWhiteSpace(note)));
    }

    [Fact]
    public void Fat_SeesTheDatabaseBase_NotTheThinBase()
    {
        // Guards the rule against passing vacuously: the detector does see a BihuanDb held by a base class.
        Assert.NotEmpty(Fat(typeof(DbStaffPage), ""));
        Assert.Empty(Fat(typeof(StaffPage), ""));
        Assert.NotEmpty(Fat(typeof(StaffPage), "@inject BihuanDb Db"));
    }
}
