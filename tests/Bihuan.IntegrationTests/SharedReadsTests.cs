using System.Globalization;
using System.Net;
using Bihuan.Data;
using Bihuan.Domain;
using Bihuan.Infrastructure;
using FsCheck;
using FsCheck.Fluent;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.Extensions.DependencyInjection;

namespace Bihuan.IntegrationTests;

/// Shared reads stay up, as a property: whatever bad values are planted behind the application's back into the
/// records of one district (越秀区发改局: a rectification item and its problem, a work order, a meeting decision and a
/// plan task, a 督办单, a 补学 task, a meeting, a study record, the unit's name) — dates across the whole DateOnly and
/// DateTime range, percents and counts of any int, enum texts that name no member, XML-invalid characters, strings
/// as long as the column allows, non-finite coordinates — every shared read answers 200 for users of the same district,
/// of another district and of the city, and for the public: dashboards (API, page, .xlsx), the ledger (API with its
/// light filters, page, detail, export.xlsx), the briefing (.docx and page), the 履职清单, work orders and KPIs, study,
/// Open311 JSON and XML, the public results; and the background jobs run through. Columns come from the EF model
/// (every scalar that is not a key or a reference), so a column added later is planted too.
public abstract class SharedReadsTestsBase(Func<BihuanFactory> factory)
{
    BihuanFactory App => factory();

    /// One bad value planted into one column of one of the arranged rows.
    public sealed record Plant(string Table, string Column, object Value)
    {
        public override string ToString() => $"{Table}.{Column} = {Show(Value)}";

        static string Show(object v) => v switch
        {
            string s => "\"" + string.Concat(s.Take(24).Select(c => c < 0x20 || c >= 0xFFF0 ? $"\\u{(int)c:X4}" : c.ToString())) + (s.Length > 24 ? $"…({s.Length})" : "") + "\"",
            DateOnly d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            DateTime t => t.ToString("O", CultureInfo.InvariantCulture),
            IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
            _ => v.ToString() ?? "",
        };
    }

    sealed record Target(string Table, int Id, List<(string Column, Gen<object> Values)> Columns, string Mark);

    sealed record Arranged(List<Target> Targets, List<(string? User, string Url)> Reads,
        Dictionary<(string Table, string Column, int Id), object?> Baseline);

    Arranged? arranged;   // arranged once per run of the property (one database per class), reset before each case
    List<Plant> lastPlants = [];

    /// 20 cases in the suite (about a minute per engine); BIHUAN_PROPERTY_CASES=200 for a longer hunt.
    static int Cases => int.TryParse(Environment.GetEnvironmentVariable("BIHUAN_PROPERTY_CASES"), out var n) && n > 0 ? n : 20;

    [SkippableFact]
    public void SharedReads_AnyBadStoredValues_Answer200ForEveryUser()
    {
        var a = arranged ??= ArrangeAsync().GetAwaiter().GetResult();
        var columns = a.Targets.SelectMany(t => t.Columns.Select(c => (t.Table, c.Column, c.Values))).ToList();
        var plant = Gen.Elements(columns.ToArray()).SelectMany(c => c.Values.Select(v => new Plant(c.Table, c.Column, v)));
        var plants = Gen.Choose(1, 5).SelectMany(n => Gen.ListOf(plant, n)).Select(l => l.ToList());
        var prop = Prop.ForAll(Arb.From(plants), ps => CheckAsync(a, ps).GetAwaiter().GetResult());
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(Cases).WithStartSize(1).WithEndSize(10), prop);
    }

    async Task<bool> CheckAsync(Arranged a, List<Plant> plants)
    {
        // Each case starts from the arranged rows: the previous case's plants are put back first.
        foreach (var p in lastPlants)
        {
            var t = a.Targets.First(x => x.Table == p.Table);
            await SetAsync(p.Table, p.Column, t.Id, a.Baseline[(p.Table, p.Column, t.Id)]);
        }
        lastPlants = plants;
        foreach (var p in plants)
        {
            var t = a.Targets.First(x => x.Table == p.Table);
            await SetAsync(p.Table, p.Column, t.Id, p.Value);
        }
        // Behind the application's back nothing marks the roll-ups stale: mark them, as a save would (and now and then
        // the whole tree, as the daily rebuild sees it).
        var org = await App.OrgId("GZ-YX-FGJ");
        foreach (var kind in plants.Select(p => a.Targets.First(t => t.Table == p.Table).Mark).Distinct()
                     .Concat(plants.Count % 2 == 0 ? [RollupMarks.Tree] : []))
            await App.Sql("INSERT INTO \"RollupMarks\" (\"OrgId\", \"Kind\") VALUES ({0}, {1})", org, kind);

        var what = string.Join("; ", plants);
        var clients = new Dictionary<string, HttpClient>();
        foreach (var (user, url) in a.Reads)
        {
            var c = user is null ? App.Anonymous() : clients.TryGetValue(user, out var x) ? x : clients[user] = await App.ClientFor(user);
            var res = await c.GetAsync(url);
            if (res.StatusCode != HttpStatusCode.OK)
                Assert.Fail($"with {what}: {user ?? "anonymous"} {await res.Describe()}");
            // The XML feed must parse: a character XML cannot carry would make it useless to every client.
            if (url.Contains(".xml", StringComparison.Ordinal) && !url.Contains(".xlsx", StringComparison.Ordinal))
                System.Xml.Linq.XDocument.Parse(await res.Content.ReadAsStringAsync());
            if (url.EndsWith(".xlsx", StringComparison.Ordinal) || url.Contains(".xlsx?", StringComparison.Ordinal) || url.Contains(".docx", StringComparison.Ordinal))
                using (var zip = new System.IO.Compression.ZipArchive(await res.Content.ReadAsStreamAsync()))
                    foreach (var e in zip.Entries.Where(e => e.FullName.EndsWith(".xml", StringComparison.Ordinal)))
                        using (var s = e.Open()) System.Xml.Linq.XDocument.Load(s);   // every part is well-formed XML
        }

        // The background jobs go through the whole city: one bad row must not stop them.
        var (db, scope) = App.SystemDb();
        using (scope)
        {
            var period = ChinaTime.Today(TimeProvider.System).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
            foreach (var job in App.Services.GetServices<IBihuanJob>())
            {
                db.ChangeTracker.Clear();
                try { await job.RunAsync(db, period, default); }
                catch (Exception e) { Assert.Fail($"with {what}: job {job.Name} failed: {e}"); }
            }
            // The scan finds what the case planted where the rule says a value is unusable (dates, choices, percents).
            db.ChangeTracker.Clear();
            var found = await UnusableValues.ScanAsync(db, 100, default);
            foreach (var p in plants.GroupBy(p => (p.Table, p.Column)).Select(g => g.Last()).Where(p => IsUnusable(p.Value, p.Column)))
                Assert.True(found.Any(v => v.Field == p.Column), $"with {what}: the scan did not report {p}");
        }
        return true;
    }

    static bool IsUnusable(object v, string column) => v switch
    {
        DateOnly d => !Bounds.InWindow(d),
        DateTime t => !Bounds.InWindow(t),
        int n when column == "Percent" => n is < 0 or > 100,
        _ => false,
    };

    Task<int> SetAsync(string table, string column, int id, object? value) => value is null
        ? App.Sql($"UPDATE \"{TableOf(table)}\" SET \"{column}\" = NULL WHERE \"Id\" = {{0}}", id)
        : App.Sql($"UPDATE \"{TableOf(table)}\" SET \"{column}\" = {{0}} WHERE \"Id\" = {{1}}", value, id);

    // ---- the arranged district ----

    async Task<Arranged> ArrangeAsync()
    {
        var (db, scope) = App.SystemDb();
        using (scope)
        {
            var fgj = await App.OrgId("GZ-YX-FGJ");
            var hpFgj = await App.OrgId("GZ-HP-FGJ");
            var yx = await App.OrgId("GZ-YX");
            var desk = await App.OrgId("GZ");
            var now = DateTime.UtcNow;
            var today = ChinaTime.Today(TimeProvider.System);
            var person = await db.People.IgnoreQueryFilters().Where(p => p.OrgId == fgj).Select(p => p.Id).FirstAsync();

            var problem = new Problem { OrgId = fgj, Description = "共享读取属性测试问题", CreatedAt = now, Source = SourceChannel.Hotline };
            db.Problems.Add(problem);
            await db.SaveChangesAsync();
            var item = new RectItem
            {
                ProblemId = problem.Id, OrgId = fgj, Measures = "共享读取属性测试措施", StartOn = today.AddDays(-20), Deadline = today.AddDays(20),
                Status = RectStatus.InProgress, Percent = 30, LastProgressOn = today.AddDays(-3), CreatedAt = now, Source = SourceChannel.Hotline,
            };
            var closed = new RectItem
            {
                ProblemId = problem.Id, OrgId = fgj, Measures = "共享读取属性测试已销号措施", StartOn = today.AddDays(-60), Deadline = today.AddDays(-10),
                Status = RectStatus.Closed, Percent = 100, CreatedAt = now, ClosedAt = now.AddDays(-5), RecheckDue = today.AddDays(85),
                Source = SourceChannel.Hotline,
            };
            db.RectItems.AddRange(item, closed);
            var meeting = new Meeting { OrgId = fgj, Title = "共享读取属性测试会议", HeldOn = today.AddDays(-7), RecordedBy = "tests", CreatedAt = now };
            db.Meetings.Add(meeting);
            await db.SaveChangesAsync();
            var plan = await db.Plans.Where(p => p.OrgId == fgj && p.Status == PlanStatus.Approved).Select(p => (int?)p.Id).FirstOrDefaultAsync();
            var decision = new DutyTask
            {
                OrgId = fgj, Source = DutySource.MeetingDecision, MeetingId = meeting.Id, Title = "共享读取属性测试决定事项", DueOn = today.AddDays(5),
                CreatedAt = now,
            };
            var planTask = new DutyTask
            {
                OrgId = fgj, Source = DutySource.PlanTask, PlanId = plan, Title = "共享读取属性测试方案任务", DueOn = today.AddDays(15), CreatedAt = now,
            };
            db.DutyTasks.AddRange(decision, planTask);
            var article = await db.StudyArticles.Select(x => x.Id).FirstAsync();
            var makeUp = new MakeUpTask
            {
                OrgId = fgj, PersonId = person, MeetingId = meeting.Id, ArticleIds = [article], DueOn = today.AddDays(3), CreatedAt = now,
            };
            db.MakeUpTasks.Add(makeUp);
            var order = new SupervisionOrder
            {
                OrgId = fgj, Title = "共享读取属性测试督办单", Requirements = "限期回复", ItemIds = [item.Id], IssuedBy = "tests", IssuedByName = "测试",
                IssuedAt = now, DueOn = today.AddDays(4),
            };
            db.SupervisionOrders.Add(order);
            var ticket = DemandPrivacy.Ticket(today, 999_000 + Random.Shared.Next(999));
            var wo = new WorkOrder
            {
                Ticket = ticket, CodeHash = DemandPrivacy.HashCode(ticket, "ABCDEFGH"), Content = "共享读取属性测试诉求：小区路灯不亮",
                Location = "越秀区北京街", Type = DemandType.Complaint, Status = OrderStatus.Replied, OrgId = fgj, DispatchOrgId = desk,
                DispatchedOn = today.AddDays(-6), SignDue = today.AddDays(-5), SignedOn = today.AddDays(-5), Deadline = today.AddDays(7),
                RepliedOn = today.AddDays(-1), Reply = "已修复路灯", Published = true, Lat = 23.13, Long = 113.27, CreatedAt = now.AddDays(-6),
                UpdatedAt = now, DispatchCount = 1,
            };
            db.WorkOrders.Add(wo);
            var record = new StudyRecord
            {
                OrgId = fgj, PersonId = person, ArticleId = article, StudiedOn = today.AddDays(-2),
                RecordedBy = "tests", CreatedAt = now,
            };
            db.StudyRecords.Add(record);
            await db.SaveChangesAsync();

            var sqlite = App.Engine == DatabaseEngine.Sqlite;
            Target T<TEntity>(string table, int id, params string[] only) => new(table, id,
                ColumnsOf(db.Model.FindEntityType(typeof(TEntity))!, sqlite, only), typeof(TEntity).Name);
            var targets = new List<Target>
            {
                T<RectItem>("RectItems", item.Id), T<RectItem>("RectItems", closed.Id), T<Problem>("Problems", problem.Id),
                T<WorkOrder>("WorkOrders", wo.Id), T<DutyTask>("DutyTasks", decision.Id), T<DutyTask>("DutyTasks", planTask.Id),
                T<MakeUpTask>("MakeUpTasks", makeUp.Id), T<SupervisionOrder>("SupervisionOrders", order.Id), T<Meeting>("Meetings", meeting.Id),
                T<StudyRecord>("StudyRecords", record.Id), T<Org>("Orgs", fgj, nameof(Org.Name)),
            };
            // Two rows of one table: name them apart (the plants address a table by name).
            targets = targets.GroupBy(t => t.Table).SelectMany(g => g.Select((t, i) => i == 0 ? t : t with { Table = t.Table + "#" + i })).ToList();

            var baseline = new Dictionary<(string, string, int), object?>();
            var conn = db.Database.GetDbConnection();
            await db.Database.OpenConnectionAsync();
            foreach (var t in targets)
                foreach (var (column, _) in t.Columns)
                {
                    await using var cmd = conn.CreateCommand();
                    cmd.CommandText = $"SELECT \"{column}\" FROM \"{TableOf(t.Table)}\" WHERE \"Id\" = {t.Id.ToString(CultureInfo.InvariantCulture)}";
                    var v = await cmd.ExecuteScalarAsync();
                    baseline[(t.Table, column, t.Id)] = v is DBNull ? null : v;
                }
            await db.Database.CloseConnectionAsync();

            var item1 = item.Id.ToString(CultureInfo.InvariantCulture);
            var since = Uri.EscapeDataString(today.AddDays(-30).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) + "T00:00:00+08:00");
            List<(string?, string)> reads =
            [
                ("hp.office", "/api/v1/supervision/dashboard"), ("hp.office", "/supervision"), ("gz.jw", "/api/v1/supervision/dashboard"),
                ("gz.jw", "/supervision"), ("yx.office", "/api/v1/supervision/dashboard"), ("yx.jw", $"/supervision?orgId={fgj}"),
                ("gz.jw", "/api/v1/supervision/dashboard.xlsx"), ("hp.office", "/api/v1/supervision/dashboard.xlsx"),
                ("gz.jw", "/api/v1/supervision/briefing.docx"), ("yx.office", "/api/v1/supervision/briefing.docx"),
                ("gz.jw", "/supervision/briefing"), ("hp.office", "/supervision/briefing"),
                ("gz.jw", "/api/v1/rectifications"), ("hp.office", "/api/v1/rectifications"), ("yx.fgj.liaison", "/api/v1/rectifications"),
                .. new[] { "Red", "Yellow", "Blue", "Green", "Invalid" }.Select(l => ((string?)"yx.office", $"/api/v1/rectifications?light={l}")),
                ("yx.office", "/api/v1/rectifications?invalid=true"), ("yx.office", "/api/v1/rectifications?lagging=true&overdue=true"),
                ("yx.office", "/api/v1/rectifications?onTime=true&sort=DeadlineDesc"), ("yx.office", "/api/v1/rectifications?sort=Progress"),
                ("yx.fgj.liaison", "/ledger"), ("gz.jw", "/ledger?invalid=true"), ("hp.fgj.liaison", "/ledger"),
                ("yx.office", $"/ledger/{item1}"), ("yx.office", $"/api/v1/rectifications/{item1}"), ("yx.office", $"/ledger/{closed.Id}"),
                ("yx.office", $"/problems/{problem.Id}"),
                ("gz.jw", "/api/v1/rectifications/export.xlsx"), ("hp.office", "/api/v1/rectifications/export.xlsx"),
                ("yx.fgj.liaison", $"/orgs/{fgj}/duties"), ("yx.fgj.liaison", $"/api/v1/orgs/{fgj}/duties"), ("hp.fgj.liaison", $"/orgs/{hpFgj}/duties"),
                ("yx.office", $"/api/v1/duties?orgId={fgj}"), ("yx.office", $"/orgs/{fgj}"), ("yx.fgj.liaison", "/"), ("hp.fgj.liaison", "/"),
                ("gz.hotline", "/api/v1/workorders"), ("gz.hotline", "/api/v1/workorders?overdue=true"), ("gz.hotline", "/workorders"),
                ("gz.hotline", $"/api/v1/workorders/kpi?orgId={yx}"), ("yx.office", $"/workorders/kpi?orgId={yx}"), ("gz.hotline", $"/workorders/{wo.Id}"),
                ("yx.fgj.liaison", $"/api/v1/workorders/{wo.Id}"),
                ("gz.jw", "/supervision/orders"), ("yx.office", $"/supervision/orders/{order.Id}"), ("yx.office", $"/meetings/{meeting.Id}"),
                ("gz.jw", "/study"), ("yx.fgj.member", "/me/study"), ("gz.jw", "/meetings"),
                .. plan is { } p ? [((string?)"yx.office", $"/plans/{p}")] : Array.Empty<(string?, string)>(),
                (null, $"/open311/v2/requests.json?start_date={since}"), (null, $"/open311/v2/requests.xml?start_date={since}"),
                (null, $"/open311/v2/requests/{ticket}.xml"), (null, $"/open311/v2/requests/{ticket}.json"), (null, "/public/results"),
                (null, "/public/results?type=Complaint"),
            ];
            return new Arranged(targets, reads, baseline);
        }
    }

    static string TableOf(string target) => target.Split('#')[0];

    /// Every scalar column of the entity that is not a key, a reference (…Id) or a collection, with values to plant.
    static List<(string, Gen<object>)> ColumnsOf(IEntityType t, bool sqlite, string[] only)
    {
        var list = new List<(string, Gen<object>)>();
        foreach (var p in t.GetProperties())
        {
            // Keys and references are integrity, not values; a ticket and its code hash are how the order is found.
            if (p.IsPrimaryKey() || p.IsForeignKey() || p.Name.EndsWith("Id", StringComparison.Ordinal) || p.IsShadowProperty()
                || p.Name is nameof(WorkOrder.Ticket) or nameof(WorkOrder.CodeHash)) continue;
            if (only.Length > 0 && !only.Contains(p.Name)) continue;
            var type = Nullable.GetUnderlyingType(p.ClrType) ?? p.ClrType;
            Gen<object>? g = type == typeof(DateOnly) ? Dates
                : type == typeof(DateTime) ? Times
                : type.IsEnum ? EnumTexts
                : type == typeof(int) ? Ints
                : type == typeof(double) ? Doubles(sqlite)
                : type == typeof(string) ? Texts(p.GetMaxLength() ?? 4000, sqlite)
                : null;
            if (g is not null) list.Add((p.GetColumnName(), g));
        }
        return list;
    }

    static readonly DateOnly[] EdgeDates =
        [DateOnly.MinValue, new(1899, 12, 31), new(1999, 12, 31), new(2101, 1, 1), new(9000, 1, 1), DateOnly.MaxValue];

    static Gen<object> Dates => Gen.OneOf(Gen.Elements(EdgeDates), Gen.Choose(0, DateOnly.MaxValue.DayNumber).Select(DateOnly.FromDayNumber))
        .Select(d => (object)d);

    static Gen<object> Times => Gen.OneOf(
            Gen.Elements(DateTime.MinValue, new DateTime(1899, 12, 31, 23, 0, 0), new DateTime(2101, 1, 1), DateTime.MaxValue.AddTicks(-9)),
            Gen.Choose(0, DateOnly.MaxValue.DayNumber).Select(n => DateOnly.FromDayNumber(n).ToDateTime(new TimeOnly(12, 0))))
        .Select(t => (object)DateTime.SpecifyKind(t, DateTimeKind.Utc));

    static Gen<object> Ints => Gen.OneOf(Gen.Elements(-5, -1, 101, 900, int.MinValue, int.MaxValue), Gen.Choose(int.MinValue, int.MaxValue))
        .Select(n => (object)n);

    static Gen<object> Doubles(bool sqlite) => Gen.Elements(sqlite   // SQLite cannot store NaN
            ? [double.PositiveInfinity, double.NegativeInfinity, 1e308, -91.5]
            : new[] { double.NaN, double.PositiveInfinity, double.NegativeInfinity, 1e308, -91.5 })
        .Select(d => (object)d);

    static Gen<object> EnumTexts => Gen.Elements("42", "-1", "Bogus", "", "2147483647", "closed").Select(s => (object)s);

    static Gen<object> Texts(int max, bool sqlite)
    {
        string[] bad = ["\uFFFF", "路灯\u0001不亮", "\uFFFE结尾", "制表\t换行\n回车\r\u001F", "<script>alert(1)</script>&amp;\"'", "",
            "\u202E倒序文字", "😀 𠀀 emoji", new string('长', max)];
        return Gen.Elements(sqlite ? [.. bad, "空\0字符"] : bad).Select(s => (object)s);   // PostgreSQL text cannot hold NUL
    }
}

[Collection("shared-reads")]
public sealed class SqliteSharedReadsTests(SqliteFixture app) : SharedReadsTestsBase(() => app), IClassFixture<SqliteFixture>;

[Collection("shared-reads")]
public sealed class PostgresSharedReadsTests(PostgresFixture app) : SharedReadsTestsBase(() => app.Factory), IClassFixture<PostgresFixture>;
