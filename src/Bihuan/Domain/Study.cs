namespace Bihuan.Domain;

public enum AgendaKind { Convey, Review, Deploy }              // 传达学习 / 审议 / 部署
public enum AttendanceStatus { Present, Leave, Absent }        // 出席 / 请假 / 缺席
public enum StudyWay { Self, Group }                           // 个人自学 / 集中学习
public enum MaterialKind { Book, Document }                    // 书籍 / 文件

public static class StudyLabels
{
    public static string Label(this AgendaKind k) => !Enum.IsDefined(k) ? StoredValues.Invalid("取值", k) : k switch
    {
        AgendaKind.Convey => "传达学习",
        AgendaKind.Review => "审议",
        AgendaKind.Deploy => "部署",
    };

    public static string Label(this AttendanceStatus s) => !Enum.IsDefined(s) ? StoredValues.Invalid("取值", s) : s switch
    {
        AttendanceStatus.Present => "出席",
        AttendanceStatus.Leave => "请假",
        AttendanceStatus.Absent => "缺席",
    };

    public static string Label(this StudyWay w) => !Enum.IsDefined(w) ? StoredValues.Invalid("取值", w) : w switch
    {
        StudyWay.Self => "个人自学",
        StudyWay.Group => "集中学习",
    };

    public static string Label(this MaterialKind k) => !Enum.IsDefined(k) ? StoredValues.Invalid("取值", k) : k switch
    {
        MaterialKind.Book => "书籍",
        MaterialKind.Document => "文件",
    };
}

/// 会议类型: an editable list (seeded). IsStudy marks study sessions (理论学习中心组学习会, 专题读书班 …).
public sealed class MeetingType : IAudited
{
    public int Id { get; set; }
    public required string Name { get; set; }
    public bool IsStudy { get; set; }
    public int SortOrder { get; set; }
    public bool Archived { get; set; }

    public static readonly (string Name, bool IsStudy)[] Defaults =
    [
        ("常委会会议", false), ("党的建设工作领导小组会议", false), ("动员部署会", false), ("理论学习中心组学习会", true),
        ("部务会", false), ("委务会议", false), ("局党组会议", false), ("专题读书班", true), ("研讨交流", true), ("党课", true),
        ("民主生活会", false), ("组织生活会", false),
    ];
}

/// 会议/学习活动: one sitting; it may combine several types (套开).
public sealed class Meeting : IAudited, IOrgOwned
{
    public int Id { get; set; }
    public int OrgId { get; set; }              // 主办单位
    public Org? Org { get; set; }
    public int? CampaignId { get; set; }
    public required string Title { get; set; }
    public List<int> TypeIds { get; set; } = [];
    public DateOnly HeldOn { get; set; }
    public string? Place { get; set; }
    public string? Chair { get; set; }          // 主持人
    public string? Minutes { get; set; }        // 纪要
    public required string RecordedBy { get; set; }
    public DateTime CreatedAt { get; set; }
}

/// An agenda item: 传达学习 an article, 审议 a draft (e.g. a plan), 部署 work.
public sealed class MeetingItem : IAudited, IOrgOwned
{
    public int Id { get; set; }
    public int MeetingId { get; set; }
    public int OrgId { get; set; }
    public AgendaKind Kind { get; set; }
    public required string Title { get; set; }
    public int? ArticleId { get; set; }
    public int? PlanId { get; set; }
    public int SortOrder { get; set; }
}

public sealed class MeetingAttendance : IAudited, IOrgOwned
{
    public int Id { get; set; }
    public int MeetingId { get; set; }
    public int OrgId { get; set; }              // the meeting's org
    public int PersonId { get; set; }
    public Person? Person { get; set; }
    public AttendanceStatus Status { get; set; }
    public string? Reason { get; set; }         // 请假事由
    public bool Spoke { get; set; }             // 研讨发言
}

/// 补学: a member absent from a study session owes the articles studied there. Done is computed from study records.
public sealed class MakeUpTask : IAudited, IOrgOwned
{
    public int Id { get; set; }
    public int OrgId { get; set; }              // the person's org
    public int PersonId { get; set; }
    public Person? Person { get; set; }
    public int MeetingId { get; set; }
    public List<int> ArticleIds { get; set; } = [];
    public DateOnly DueOn { get; set; }
    public DateTime CreatedAt { get; set; }
}

/// 学习材料: a book or document; only titles and structure are stored, never the text.
public sealed class StudyMaterial : IAudited
{
    public int Id { get; set; }
    public required string Title { get; set; }
    public MaterialKind Kind { get; set; }
    public string? Issuer { get; set; }
    public int SortOrder { get; set; }
}

/// 篇: one article of a material, in order. Core articles are required of every member; leadership members
/// (班子成员) must complete all articles of a campaign's materials.
public sealed class StudyArticle : IAudited
{
    public int Id { get; set; }
    public int MaterialId { get; set; }
    public string? Chapter { get; set; }
    public required string Title { get; set; }
    public int SortOrder { get; set; }
    public bool IsCore { get; set; }
}

/// A person studied an article: by themselves, or at a meeting (recorded for all present).
public sealed class StudyRecord : IAudited, IOrgOwned
{
    public int Id { get; set; }
    public int OrgId { get; set; }              // the person's org
    public int PersonId { get; set; }
    public Person? Person { get; set; }
    public int ArticleId { get; set; }
    public StudyArticle? Article { get; set; }
    public DateOnly StudiedOn { get; set; }
    public StudyWay Way { get; set; }
    public int? MeetingId { get; set; }
    public string? Notes { get; set; }          // 心得体会
    public required string RecordedBy { get; set; }
    public DateTime CreatedAt { get; set; }

    public const int NotesMax = 4000;
}

/// What a meeting's attendance means for study: who studied what, who owes a make-up.
public static class MeetingRules
{
    public sealed record Attendee(int PersonId, AttendanceStatus Status, string? Reason);

    public sealed record Outcome(IReadOnlyList<(int PersonId, int ArticleId)> Studied, IReadOnlyList<int> MakeUps);

    public static IEnumerable<Invalid> Validate(IReadOnlyCollection<int> typeIds, IReadOnlyCollection<Attendee> attendance,
        string? title, DateOnly? heldOn, DateOnly today)
    {
        if (string.IsNullOrWhiteSpace(title)) yield return new Invalid("title", "会议名称不能为空");
        else if (title.Trim().Length > 200) yield return new Invalid("title", "会议名称不能超过 200 字");
        if (typeIds.Count == 0) yield return new Invalid("typeIds", "请至少选择一种会议类型（可多选表示套开）");
        if (heldOn is null) yield return new Invalid("heldOn", "请填写会议日期");
        else if (heldOn > today.AddDays(1)) yield return new Invalid("heldOn", "会议日期不能晚于今天（会议开完后再登记）");
        if (attendance.GroupBy(a => a.PersonId).Any(g => g.Count() > 1)) yield return new Invalid("attendance", "同一人只能登记一次出勤");
        if (attendance.Any(a => a.Status == AttendanceStatus.Leave && string.IsNullOrWhiteSpace(a.Reason)))
            yield return new Invalid("attendance", "请假须填写事由");
    }

    /// Present members studied every conveyed article; members on leave or absent owe a 补学 when anything was studied.
    public static Outcome Apply(IReadOnlyCollection<Attendee> attendance, IReadOnlyCollection<int> conveyedArticleIds)
    {
        var articles = conveyedArticleIds.Distinct().ToList();
        if (articles.Count == 0) return new([], []);
        var studied = attendance.Where(a => a.Status == AttendanceStatus.Present)
            .SelectMany(a => articles.Select(x => (a.PersonId, x))).ToList();
        var makeUps = attendance.Where(a => a.Status != AttendanceStatus.Present).Select(a => a.PersonId).Distinct().ToList();
        return new(studied, makeUps);
    }
}

/// Study progress (逐篇学), computed from records; nothing here is stored.
public static class StudyProgress
{
    public sealed record Member(int PersonId, string Name, int OrgId, bool IsLeadership);

    public sealed record PersonProgress(int PersonId, string Name, int OrgId, bool IsLeadership, int Required, int Completed,
        int Studied, int Speeches)
    {
        public bool Started => Studied > 0;
        public bool Done => Required > 0 && Completed >= Required;
    }

    public sealed record Summary(int Members, int NotStarted, int Done, int Required, int Completed, int Speeches)
    {
        public int Percent => Required == 0 ? 0 : (int)Math.Round(100.0 * Completed / Required);
    }

    /// allArticles: every article of the campaign's materials (required of leadership); coreArticles: those required
    /// of every member. Completed counts distinct required articles with at least one record; Studied counts distinct
    /// articles of the campaign's materials (records of other materials do not start a campaign's study).
    public static List<PersonProgress> Compute(IEnumerable<Member> members, IReadOnlyCollection<int> allArticles,
        IReadOnlyCollection<int> coreArticles, IEnumerable<(int PersonId, int ArticleId)> records,
        IReadOnlyDictionary<int, int>? speeches = null)
    {
        var byPerson = records.GroupBy(r => r.PersonId).ToDictionary(g => g.Key, g => g.Select(r => r.ArticleId).ToHashSet());
        var all = allArticles.ToHashSet();
        var core = coreArticles.Where(all.Contains).ToHashSet();
        return members.Select(m =>
        {
            var required = m.IsLeadership ? all : core;
            var mine = byPerson.GetValueOrDefault(m.PersonId) ?? [];
            return new PersonProgress(m.PersonId, m.Name, m.OrgId, m.IsLeadership, required.Count,
                mine.Count(required.Contains), mine.Count(all.Contains), speeches?.GetValueOrDefault(m.PersonId) ?? 0);
        }).ToList();
    }

    public static Summary Summarize(IReadOnlyCollection<PersonProgress> people) => new(
        people.Count, people.Count(p => !p.Started), people.Count(p => p.Done), people.Sum(p => p.Required),
        people.Sum(p => p.Completed), people.Sum(p => p.Speeches));
}
