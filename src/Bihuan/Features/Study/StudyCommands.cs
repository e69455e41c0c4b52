using System.Security.Claims;
using Bihuan.Data;
using Bihuan.Domain;
using Bihuan.Features.Organizations;
using Bihuan.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Bihuan.Features.Study;

public sealed record ArticleDto(int Id, string? Chapter, string Title, int SortOrder, bool IsCore);
public sealed record MaterialDto(int Id, string Title, string Kind, string? Issuer, List<ArticleDto> Articles);
public sealed record StudyInput(int? ArticleId, DateOnly? StudiedOn, string? Notes, int? PersonId = null);
public sealed record StudyRecordDto(int Id, int PersonId, int ArticleId, string Article, DateOnly StudiedOn, string Way, int? MeetingId, string? Notes);
public sealed record ProgressReport(int CampaignId, int OrgId, string OrgName, StudyProgress.Summary Total,
    List<StudyProgress.PersonProgress> People, List<UnitProgress> Units);
public sealed record UnitProgress(int OrgId, string OrgName, StudyProgress.Summary Summary);
public sealed record MyArticle(int Id, string Material, string? Chapter, string Title, bool Required, DateOnly? StudiedOn, string? Way);
public sealed record MyStudy(int PersonId, string Name, int? CampaignId, string? CampaignName, StudyProgress.PersonProgress? Progress,
    List<MyArticle> Articles, List<MakeUpDto> MakeUps);
public sealed record MakeUpDto(int Id, int MeetingId, string Meeting, DateOnly DueOn, List<string> Articles, bool Done);
public sealed record ImportRow(int Row, string Material, string? Chapter, string Title, bool IsCore);
public sealed record ImportReport(bool Committed, int Materials, int Articles, int New, List<string> Errors);

/// 逐篇学: the materials catalog (titles only), study records and progress computed from them.
public static class StudyCommands
{
    public static async Task<List<MaterialDto>> MaterialsAsync(BihuanDb db, CancellationToken ct)
    {
        var materials = await db.StudyMaterials.OrderBy(m => m.SortOrder).ThenBy(m => m.Id).AsNoTracking().ToListAsync(ct);
        var articles = await db.StudyArticles.OrderBy(a => a.SortOrder).ThenBy(a => a.Id).AsNoTracking().ToListAsync(ct);
        return materials.ConvertAll(m => new MaterialDto(m.Id, m.Title, m.Kind.Label(), m.Issuer,
            articles.Where(a => a.MaterialId == m.Id).Select(a => new ArticleDto(a.Id, a.Chapter, a.Title, a.SortOrder, a.IsCore)).ToList()));
    }

    /// A member records studying an article (个人自学). A liaison or head may record it for a person of their org.
    public static async Task<StudyRecord> RecordAsync(BihuanDb db, TimeProvider clock, ClaimsPrincipal user, StudyInput input, CancellationToken ct)
    {
        var errors = new List<Invalid>();
        if (input.ArticleId is null) errors.Add(new("articleId", "请选择学习的篇目"));
        if (input.StudiedOn is null) errors.Add(new("studiedOn", "请填写学习日期"));
        else if (input.StudiedOn > ChinaTime.Today(clock)) errors.Add(new("studiedOn", "学习日期不能晚于今天"));
        errors.Date("studiedOn", input.StudiedOn);
        if (input.Notes is { Length: > StudyRecord.NotesMax }) errors.Add(new("notes", $"心得体会不能超过 {StudyRecord.NotesMax} 字"));
        ErrorMapping.ThrowIfAny(errors);
        var mine = await Callers.PersonIdAsync(db, user, ct);
        var personId = input.PersonId ?? mine ?? throw new DomainException(new Invalid("personId", "您的账号未关联人员信息，请联系管理员"));
        var person = await db.People.Include(p => p.Org).FirstOrDefaultAsync(p => p.Id == personId, ct)
            ?? throw new DomainException(new RecordNotFound("人员"));
        if (personId != mine && !db.Access.Can(Permission.ManageMeetings, person.Org!))
            throw new DomainException(new Forbidden("只能登记自己的学习；联络员可为本单位人员登记"));
        if (!await db.StudyArticles.AnyAsync(a => a.Id == input.ArticleId, ct)) throw new DomainException(new Invalid("articleId", "篇目不存在"));
        var record = new StudyRecord
        {
            OrgId = person.OrgId, PersonId = person.Id, ArticleId = input.ArticleId!.Value, StudiedOn = input.StudiedOn!.Value,
            Way = StudyWay.Self, Notes = string.IsNullOrWhiteSpace(input.Notes) ? null : input.Notes.Trim(),
            RecordedBy = user.Identity?.Name ?? "?", CreatedAt = ChinaTime.Now(clock),
        };
        db.StudyRecords.Add(record);
        await db.SaveChangesAsync(ct);
        return record;
    }

    /// The articles a campaign requires: all articles of its materials, and the core ones.
    public static async Task<(List<int> All, List<int> Core)> RequiredAsync(BihuanDb db, Campaign? c, CancellationToken ct)
    {
        if (c is null || c.StudyMaterialIds.Count == 0) return ([], []);
        var ids = c.StudyMaterialIds;
        var articles = await db.StudyArticles.Where(a => ids.Contains(a.MaterialId)).Select(a => new { a.Id, a.IsCore }).ToListAsync(ct);
        return (articles.Select(a => a.Id).ToList(), articles.Where(a => a.IsCore).Select(a => a.Id).ToList());
    }

    public static async Task<ProgressReport> ProgressAsync(BihuanDb db, int campaignId, int orgId, CancellationToken ct)
    {
        var campaign = await db.Campaigns.AsNoTracking().FirstOrDefaultAsync(c => c.Id == campaignId, ct)
            ?? throw new DomainException(new RecordNotFound("学习教育"));
        var org = await OrgCommands.FindAsync(db, orgId, ct);
        var (all, core) = await RequiredAsync(db, campaign, ct);
        var subtree = db.Orgs.Subtree(org).Select(o => o.Id);
        var people = await db.People.Where(p => !p.Archived && subtree.Contains(p.OrgId))
            .Select(p => new { p.Id, p.Name, p.OrgId, p.IsLeadership, Path = p.Org!.Path }).AsNoTracking().ToListAsync(ct);
        var ids = people.Select(p => p.Id).ToList();
        var records = await db.StudyRecords.Where(r => ids.Contains(r.PersonId)).Select(r => new { r.PersonId, r.ArticleId }).ToListAsync(ct);
        // 研讨发言: speeches at the campaign's meetings.
        var speeches = await db.Attendance.Where(a => a.Spoke && ids.Contains(a.PersonId)
                && db.Meetings.Any(m => m.Id == a.MeetingId && m.CampaignId == campaign.Id)).GroupBy(a => a.PersonId)
            .Select(g => new { g.Key, N = g.Count() }).ToDictionaryAsync(x => x.Key, x => x.N, ct);
        var progress = StudyProgress.Compute(people.Select(p => new StudyProgress.Member(p.Id, p.Name, p.OrgId, p.IsLeadership)),
            all, core, records.Select(r => (r.PersonId, r.ArticleId)), speeches);
        var units = await db.Orgs.Where(o => o.ParentId == org.Id && !o.Archived).OrderBy(o => o.SortOrder).ThenBy(o => o.Id).AsNoTracking().ToListAsync(ct);
        var pathOf = people.ToDictionary(p => p.Id, p => p.Path);
        var unitRows = units.ConvertAll(u => new UnitProgress(u.Id, u.Name, StudyProgress.Summarize(progress
            .Where(p => p.OrgId == u.Id || pathOf[p.PersonId].StartsWith(u.SelfPath, StringComparison.Ordinal)).ToList())));
        return new ProgressReport(campaign.Id, org.Id, org.Name, StudyProgress.Summarize(progress),
            progress.OrderBy(p => p.Completed).ThenBy(p => p.PersonId).ToList(), unitRows);
    }

    /// 我的学习: the caller's progress in the newest published campaign of their org, every article, open 补学.
    public static async Task<MyStudy?> MineAsync(BihuanDb db, ClaimsPrincipal user, CancellationToken ct)
    {
        var personId = await Callers.PersonIdAsync(db, user, ct);
        if (personId is null) return null;
        var person = await db.People.Include(p => p.Org).AsNoTracking().FirstOrDefaultAsync(p => p.Id == personId, ct);
        if (person is null) return null;
        var campaign = (await CampaignCommands.ForOrgAsync(db, person.Org!, ct)).FirstOrDefault();
        var (all, core) = await RequiredAsync(db, campaign, ct);
        var records = await db.StudyRecords.Where(r => r.PersonId == person.Id).OrderBy(r => r.StudiedOn).AsNoTracking().ToListAsync(ct);
        var speeches = campaign is null ? 0 : await db.Attendance.CountAsync(a => a.PersonId == person.Id && a.Spoke
            && db.Meetings.Any(m => m.Id == a.MeetingId && m.CampaignId == campaign.Id), ct);
        var progress = StudyProgress.Compute([new(person.Id, person.Name, person.OrgId, person.IsLeadership)], all, core,
            records.Select(r => (r.PersonId, r.ArticleId)), new Dictionary<int, int> { [person.Id] = speeches }).Single();
        var required = (person.IsLeadership ? all : core).ToHashSet();
        var materials = await MaterialsAsync(db, ct);
        var shown = campaign is null || campaign.StudyMaterialIds.Count == 0 ? materials : materials.Where(m => campaign.StudyMaterialIds.Contains(m.Id)).ToList();
        var first = records.GroupBy(r => r.ArticleId).ToDictionary(g => g.Key, g => g.First());
        var articles = shown.SelectMany(m => m.Articles.Select(a => new MyArticle(a.Id, m.Title, a.Chapter, a.Title, required.Contains(a.Id),
            first.GetValueOrDefault(a.Id)?.StudiedOn, first.GetValueOrDefault(a.Id)?.Way.Label()))).ToList();
        var makeUps = await MakeUpsAsync(db, [person.Id], ct);
        return new MyStudy(person.Id, person.Name, campaign?.Id, campaign?.Name, campaign is null ? null : progress, articles, makeUps);
    }

    /// 补学 tasks of some people; Done when the person has a record of every article the session studied.
    public static async Task<List<MakeUpDto>> MakeUpsAsync(BihuanDb db, List<int> personIds, CancellationToken ct)
    {
        var tasks = await db.MakeUpTasks.Where(t => personIds.Contains(t.PersonId))
            .Select(t => new { t.Id, t.PersonId, t.MeetingId, Meeting = db.Meetings.Where(m => m.Id == t.MeetingId).Select(m => m.Title).FirstOrDefault(), t.DueOn, t.ArticleIds })
            .AsNoTracking().ToListAsync(ct);
        if (tasks.Count == 0) return [];
        var studied = (await db.StudyRecords.Where(r => personIds.Contains(r.PersonId)).Select(r => new { r.PersonId, r.ArticleId }).ToListAsync(ct))
            .Select(r => (r.PersonId, r.ArticleId)).ToHashSet();
        var articleIds = tasks.SelectMany(t => t.ArticleIds).Distinct().ToList();
        var titles = await db.StudyArticles.Where(a => articleIds.Contains(a.Id)).ToDictionaryAsync(a => a.Id, a => a.Title, ct);
        return tasks.ConvertAll(t => new MakeUpDto(t.Id, t.MeetingId, t.Meeting ?? "", t.DueOn,
            t.ArticleIds.Select(a => titles.GetValueOrDefault(a) ?? "?").ToList(), t.ArticleIds.All(a => studied.Contains((t.PersonId, a)))));
    }

    /// Imports a catalog from .xlsx/.csv with the columns 材料 | 章节 | 篇目 | 核心 (是/否). Titles only. The whole file
    /// is checked first; only a clean file is written, in one transaction; rows already present (same material and
    /// title) are left as they are, so a re-import changes nothing.
    public static async Task<ImportReport> ImportAsync(BihuanDb db, ImportLimits limits, Stream file, string fileName, long length,
        bool commit, CancellationToken ct)
    {
        if (!db.Access.CanAnywhere(Permission.ManageStudyCatalog)) throw new DomainException(new Forbidden("学习材料目录由系统管理员维护"));
        if (length > limits.MaxUploadBytes)
            throw new DomainException(new Invalid("file", new Phrase(Sheets.TooLarge, limits.UploadMegabytes).ToString()));
        List<SheetRow> rows;
        try { rows = Sheets.Read(file, fileName, limits, ct); }
        catch (SheetException e) { throw new DomainException(new Invalid("file", e.Message)); }
        var errors = new List<string>();
        var header = rows.FirstOrDefault(r => !r.IsBlank);
        if (header is null) throw new DomainException(new Invalid("file", "文件中没有数据"));
        int Col(params string[] names) => Array.FindIndex(header.Cells, c => names.Contains(Sheets.HeaderKey(Sheets.AsText(c))));
        int cm = Col("材料", "书目", "材料名称"), cc = Col("章节", "专题"), ct2 = Col("篇目", "标题", "篇名"), ck = Col("核心", "必学");
        if (cm < 0 || ct2 < 0) throw new DomainException(new Invalid("file", "第一行须有“材料”和“篇目”两列（可选“章节”“核心”）"));
        var parsed = new List<ImportRow>();
        foreach (var r in rows.Where(r => r.Number > header.Number && !r.IsBlank))
        {
            var m = r.Text(cm);
            var t = r.Text(ct2);
            if (m.Length == 0) errors.Add($"第 {r.Number} 行：材料名称为空");
            else if (m.Length > 200) errors.Add($"第 {r.Number} 行：材料名称超过 200 字");
            if (t.Length == 0) errors.Add($"第 {r.Number} 行：篇目标题为空");
            else if (t.Length > 300) errors.Add($"第 {r.Number} 行：篇目标题超过 300 字");
            var chapter = cc >= 0 ? r.Text(cc) : "";
            if (chapter.Length > 200) errors.Add($"第 {r.Number} 行：章节超过 200 字");
            var core = ck >= 0 && r.Text(ck) is "是" or "Y" or "y" or "1" or "TRUE" or "核心";
            parsed.Add(new ImportRow(r.Number, m, chapter.Length == 0 ? null : chapter, t, core));
        }
        foreach (var d in parsed.GroupBy(p => (p.Material, p.Title)).Where(g => g.Count() > 1))
            errors.Add($"第 {string.Join("、", d.Select(x => x.Row))} 行：同一材料下篇目重复（{d.Key.Title}）");
        if (parsed.Count == 0 && errors.Count == 0) errors.Add("文件中没有篇目");
        var materials = await db.StudyMaterials.ToListAsync(ct);
        var existing = (await db.StudyArticles.Select(a => new { a.MaterialId, a.Title }).ToListAsync(ct))
            .Select(a => (a.MaterialId, a.Title)).ToHashSet();
        var fresh = parsed.Where(p => materials.FirstOrDefault(m => m.Title == p.Material) is not { } m || !existing.Contains((m.Id, p.Title))).ToList();
        var report = new ImportReport(false, parsed.Select(p => p.Material).Distinct().Count(), parsed.Count, fresh.Count, errors);
        if (errors.Count > 0 || !commit) return report;
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var order = await db.StudyArticles.MaxAsync(a => (int?)a.SortOrder, ct) ?? 0;
        foreach (var p in fresh)
        {
            var m = materials.FirstOrDefault(x => x.Title == p.Material);
            if (m is null)
            {
                m = new StudyMaterial { Title = p.Material, Kind = MaterialKind.Book, SortOrder = (materials.Count + 1) * 10 };
                db.StudyMaterials.Add(m);
                await db.SaveChangesAsync(ct);
                materials.Add(m);
            }
            db.StudyArticles.Add(new StudyArticle { MaterialId = m.Id, Chapter = p.Chapter, Title = p.Title, IsCore = p.IsCore, SortOrder = order += 10 });
        }
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return report with { Committed = true };
    }
}
