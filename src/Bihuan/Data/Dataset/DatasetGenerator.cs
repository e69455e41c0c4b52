using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Bihuan.Domain;
using Microsoft.EntityFrameworkCore;

namespace Bihuan.Data.Dataset;

/// Rows written for one table and how long it took, including rebuilding its indexes after the load (SQLite).
public sealed record GeneratedTable(string Table, long Rows, double Seconds, double IndexSeconds = 0)
{
    public double RowsPerSecond => Seconds > 0 ? Rows / Seconds : 0;
}

/// Fills an empty database with a synthetic, deterministic (same seed, same rows) Guangzhou-like dataset at a scale:
/// the org tree (市委 → 区委 → 区直单位 / 街道党工委 → 社区党委 → 党支部), people, problems and rectification items in
/// every state with their timelines, 12345 work orders, meetings and study records. Rows go in through the EF model's
/// own columns and conversions (BulkInsert: multi-row inserts on SQLite, binary COPY on PostgreSQL) in batches of
/// 50,000; every batch is recorded in the audit chain as one Generated entry holding the id range and a SHA-256 digest
/// of the rows' snapshots (computed on the other core while the rows are written), which `audit verify` checks. On
/// SQLite the load runs under SqliteLoad (secondary indexes rebuilt afterwards, no fsync).
/// Names of units are real kinds of Guangzhou units; people are fictional.
public sealed class DatasetGenerator(BihuanDb db, DatasetScale scale, int seed, Action<string>? progress = null)
{
    const int Batch = 50_000;
    readonly Random rng = new(seed);
    readonly DateTime now = DateTime.UtcNow;
    DateOnly Today => DateOnly.FromDateTime(ChinaTime.ToCst(now));

    /// Orgs that own problems (departments, streets, communities), with their leaders' person ids.
    readonly List<(int Id, List<int> Leaders)> units = [];

    public async Task<IReadOnlyList<GeneratedTable>> RunAsync(CancellationToken ct = default)
    {
        if (await db.ForIntegrity<Org>().AnyAsync(ct))
            throw new DomainException(new Invalid("database", "数据库中已有组织：数据集只能生成到空数据库（先 bihuan migrate 一个新库）"));
        var load = db.Engine == DatabaseEngine.Sqlite
            ? await SqliteLoad.BeginAsync(db, Loaded.Select(t => db.Model.FindEntityType(t)!.GetTableName()!), ct) : null;
        try
        {
            var orgs = await OrgsAsync(ct);
            await PeopleAsync(orgs, ct);
            await LedgerAsync(ct);
            await WorkOrdersAsync(orgs, ct);
            await MeetingsAndStudyAsync(ct);
        }
        catch when (load is not null)
        {
            try { await load.FinishAsync(null, CancellationToken.None); }
            catch { /* the load's own error is the one to report */ }
            throw;
        }
        if (load is not null)
        {
            // Rebuilding a table's indexes is part of loading it: its seconds count in the table's rate.
            var seconds = await load.FinishAsync(progress, ct);
            for (var i = 0; i < report.Count; i++)
                report[i] = report[i] with { IndexSeconds = seconds.GetValueOrDefault(report[i].SqlTable) };
        }
        return report.ConvertAll(r => new GeneratedTable(r.Label, r.Rows, r.Seconds + r.IndexSeconds, r.IndexSeconds));
    }

    /// The tables the generator fills (their secondary indexes are rebuilt after the load on SQLite).
    static readonly Type[] Loaded =
        [typeof(Org), typeof(Person), typeof(Problem), typeof(RectItem), typeof(RectUpdate), typeof(WorkOrder), typeof(WorkOrderEvent), typeof(Meeting), typeof(StudyRecord)];

    sealed record Reported(string Label, string SqlTable, long Rows, double Seconds, double IndexSeconds = 0);
    readonly List<Reported> report = [];

    void Report<T>(string label, long rows, double seconds) =>
        report.Add(new(label, db.Model.FindEntityType(typeof(T))!.GetTableName()!, rows, seconds));

    // ---- org tree ----

    sealed record Node(Org Org, Kind Kind);
    enum Kind { Root, City, District, Department, Street, Community, Branch }

    async Task<List<Node>> OrgsAsync(CancellationToken ct)
    {
        var sw = Stopwatch.StartNew();
        var all = new List<Node>();
        async Task<List<Node>> Level(IEnumerable<Node> nodes)
        {
            var list = nodes.ToList();
            for (var i = 0; i < list.Count; i += Batch)
                await InsertAsync(list.Skip(i).Take(Batch).Select(n => n.Org).ToList(), ct);
            all.AddRange(list);
            return list;
        }
        Org Child(Org parent, string name, string code, OrgType type) => new()
        {
            Name = name.Length > Org.NameMax ? name[..Org.NameMax] : name, Code = code, Type = type, ParentId = parent.Id,
            Path = parent.SelfPath, Depth = parent.Depth + 1, CreatedAt = now,
        };

        var province = scale.Cities > 1;
        var root = new Node(new Org
        {
            Name = province ? "中共广东省委员会" : "中共广州市委员会", Code = province ? "GD" : "GZ",
            Type = OrgType.PartyCommittee, Path = "/", CreatedAt = now,
        }, Kind.Root);
        await Level([root]);
        var cities = province
            ? await Level(Enumerable.Range(0, scale.Cities).Select(c => new Node(Child(root.Org, $"中共{Names.Cities[c % Names.Cities.Length]}市委员会",
                $"GD-{c + 1:D2}", OrgType.PartyCommittee), Kind.City)))
            : [root];

        var districts = new List<(Node Node, string Short, string City)>();
        var departments = new List<Node>();
        foreach (var (city, c) in cities.Select((x, i) => (x, i)))
        {
            var cityName = province ? Names.Cities[c % Names.Cities.Length] : "广州";
            departments.AddRange(Enumerable.Range(0, scale.CityDepartments).Select(i => new Node(Child(city.Org,
                $"{cityName}市{Names.Departments[i % Names.Departments.Length]}{Suffix(i, Names.Departments.Length)}",
                $"{city.Org.Code}-C{i + 1:D2}", OrgType.Agency), Kind.Department)));
            districts.AddRange(Enumerable.Range(0, scale.DistrictsPerCity).Select(d =>
            {
                var name = cityName == "广州" && d < Names.GuangzhouDistricts.Length ? Names.GuangzhouDistricts[d] : $"{cityName}第{d + 1}区";
                return (new Node(Child(city.Org, $"中共{cityName}市{name}委员会", $"{city.Org.Code}-D{d + 1:D2}", OrgType.PartyCommittee), Kind.District), name, cityName);
            }));
        }
        await Level(districts.Select(d => d.Node));
        var streets = new List<(Node Node, string Short)>();
        foreach (var (d, shortName, _) in districts)
        {
            departments.AddRange(Enumerable.Range(0, scale.DepartmentsPerDistrict).Select(i => new Node(Child(d.Org,
                $"{shortName}{Names.Departments[i % Names.Departments.Length]}{Suffix(i, Names.Departments.Length)}",
                $"{d.Org.Code}-U{i + 1:D2}", OrgType.Agency), Kind.Department)));
            streets.AddRange(Enumerable.Range(0, scale.StreetsPerDistrict).Select(i =>
            {
                var s = Names.Streets[(i + shortName.Length * 7) % Names.Streets.Length] + Suffix(i, Names.Streets.Length);
                return (new Node(Child(d.Org, $"{shortName}{s}街道党工委", $"{d.Org.Code}-S{i + 1:D2}", OrgType.WorkingCommittee), Kind.Street), s);
            }));
        }
        await Level(departments);
        await Level(streets.Select(s => s.Node));
        var communities = await Level(streets.SelectMany(s => Enumerable.Range(0, scale.CommunitiesPerStreet).Select(i =>
            new Node(Child(s.Node.Org, $"{s.Short}街{Names.Communities[(i * 5 + s.Short.Length) % Names.Communities.Length]}{Suffix(i, Names.Communities.Length)}社区党委",
                $"{s.Node.Org.Code}-C{i + 1:D2}", OrgType.PartyCommittee), Kind.Community))));
        await Level(departments.SelectMany(d => Enumerable.Range(0, scale.BranchesPerDepartment).Select(k =>
            new Node(Child(d.Org, $"{d.Org.Name}第{Names.Ordinal(k)}党支部", $"{d.Org.Code}-B{k + 1:D2}", OrgType.Branch), Kind.Branch)))
            .Concat(communities.SelectMany(c => Enumerable.Range(0, scale.BranchesPerCommunity).Select(k =>
            new Node(Child(c.Org, $"{c.Org.Name[..^2]}第{Names.Ordinal(k)}党支部", $"{c.Org.Code}-B{k + 1:D2}", OrgType.Branch), Kind.Branch)))));
        Report<Org>("Orgs 组织", all.Count, sw.Elapsed.TotalSeconds);
        progress?.Invoke($"组织 {all.Count:N0}");
        return all;
    }

    static string Suffix(int i, int n) => i < n ? "" : $"{i / n + 1}";

    // ---- people ----

    /// Members (person, org) for study records; filled once their ids are known.
    readonly List<(int Person, int Org)> members = [];
    readonly List<Person> memberObjects = [];

    async Task PeopleAsync(List<Node> orgs, CancellationToken ct)
    {
        var sw = Stopwatch.StartNew();
        long count = 0;
        var batch = new List<Person>(Batch);
        var leadersOf = new Dictionary<int, List<Person>>();
        async Task Flush()
        {
            if (batch.Count == 0) return;
            await InsertAsync(batch, ct);
            count += batch.Count;
            batch = new List<Person>(Batch);
        }
        foreach (var n in orgs)
        {
            if (n.Kind == Kind.Branch)
            {
                var members = scale.MembersPerBranch + rng.Next(-scale.MembersPerBranch / 4, scale.MembersPerBranch / 4 + 1);
                for (var i = 0; i < members; i++)
                {
                    var p = new Person { Name = Names.Person(rng), OrgId = n.Org.Id, Position = i == 0 ? "支部书记" : null, CreatedAt = now };
                    batch.Add(p);
                    memberObjects.Add(p);
                }
            }
            else
            {
                var leaders = new List<Person>();
                for (var i = 0; i < scale.LeadersPerUnit; i++)
                    leaders.Add(new Person { Name = Names.Person(rng), OrgId = n.Org.Id, Position = Names.LeaderPositions[i % Names.LeaderPositions.Length],
                        IsLeadership = true, CreatedAt = now });
                batch.AddRange(leaders);
                if (n.Kind is Kind.Department or Kind.Street or Kind.Community) leadersOf[n.Org.Id] = leaders;
            }
            if (batch.Count >= Batch) await Flush();
        }
        await Flush();
        foreach (var (org, leaders) in leadersOf) units.Add((org, leaders.ConvertAll(p => p.Id)));
        members.AddRange(memberObjects.Select(p => (p.Id, p.OrgId)));
        memberObjects.Clear();
        Report<Person>("People 人员", count, sw.Elapsed.TotalSeconds);
        progress?.Invoke($"人员 {count:N0}");
    }

    // ---- problems, rectification items, timelines ----

    async Task LedgerAsync(CancellationToken ct)
    {
        var categories = await db.Categories.Select(c => c.Id).ToListAsync(ct);
        int? campaign = await db.Campaigns.OrderByDescending(c => c.Id).Select(c => (int?)c.Id).FirstOrDefaultAsync(ct);
        var statuses = new (RectStatus S, int Weight)[]
        {
            (RectStatus.Pending, 10), (RectStatus.InProgress, 45), (RectStatus.ClosureRequested, 6), (RectStatus.Returned, 4),
            (RectStatus.Closed, 25), (RectStatus.Confirmed, 10),
        };
        RectStatus Pick()
        {
            var x = rng.Next(100);
            foreach (var (s, w) in statuses) { if (x < w) return s; x -= w; }
            return RectStatus.InProgress;
        }
        var swP = Stopwatch.StartNew();
        double itemsSeconds = 0, updatesSeconds = 0;
        long problems = 0, items = 0, updates = 0;
        for (var done = 0; done < scale.Problems; done += Batch)
        {
            var n = Math.Min(Batch, scale.Problems - done);
            var ps = new List<Problem>(n);
            var owners = new List<(int Org, List<int> Leaders)>(n);
            for (var k = 0; k < n; k++)
            {
                var unit = units[rng.Next(units.Count)];
                var (text, source) = Names.Problem(rng, done + k + 1);
                var created = now.AddDays(-rng.Next(10, 330)).AddMinutes(-rng.Next(0, 600));
                ps.Add(new Problem
                {
                    OrgId = unit.Id, Description = text, Source = source, Aspect = (Aspect)rng.Next(3), Dimension = (Dimension)rng.Next(4),
                    Severity = rng.Next(20) == 0 ? Severity.Serious : rng.Next(4) == 0 ? Severity.Significant : Severity.General,
                    CategoryId = categories.Count > 0 ? categories[rng.Next(categories.Count)] : null,
                    LeaderId = unit.Leaders.Count > 0 ? unit.Leaders[rng.Next(unit.Leaders.Count)] : null,
                    CampaignId = campaign, Batch = source == SourceChannel.InspectionFeedback ? $"市委第{rng.Next(1, 9)}巡察组反馈" : null,
                    CreatedAt = created,
                });
                owners.Add(unit);
            }
            await InsertAsync(ps, ct);
            problems += n;

            var sw = Stopwatch.StartNew();
            var rects = new List<RectItem>();
            for (var k = 0; k < ps.Count; k++)
            {
                var p = ps[k];
                var count = rng.NextDouble() < scale.ItemsPerProblem - 1 ? 2 : 1;
                for (var j = 0; j < count; j++) rects.Add(Item(p, owners[k].Leaders, Pick()));
            }
            await InsertAsync(rects, ct);
            items += rects.Count;
            itemsSeconds += sw.Elapsed.TotalSeconds;

            sw.Restart();
            var timeline = rects.SelectMany(Timeline).ToList();
            for (var i = 0; i < timeline.Count; i += Batch)
                await InsertAsync(timeline.GetRange(i, Math.Min(Batch, timeline.Count - i)), ct);
            updates += timeline.Count;
            updatesSeconds += sw.Elapsed.TotalSeconds;
            progress?.Invoke($"问题 {problems:N0}，整改事项 {items:N0}，办理记录 {updates:N0}");
        }
        var total = swP.Elapsed.TotalSeconds;
        Report<Problem>("Problems 问题", problems, total - itemsSeconds - updatesSeconds);
        Report<RectItem>("RectItems 整改事项", items, itemsSeconds);
        Report<RectUpdate>("RectUpdates 办理记录", updates, updatesSeconds);
    }

    // ---- 12345 work orders ----

    async Task WorkOrdersAsync(List<Node> orgs, CancellationToken ct)
    {
        if (scale.WorkOrders == 0) return;
        var sw = Stopwatch.StartNew();
        var desk = orgs.First(o => o.Kind == Kind.Root).Org.Id;
        var unitIds = units.ConvertAll(u => u.Id);
        var statuses = new (OrderStatus S, int Weight)[]
        {
            (OrderStatus.Closed, 78), (OrderStatus.Replied, 6), (OrderStatus.Handling, 6), (OrderStatus.Signed, 2), (OrderStatus.Dispatched, 2),
            (OrderStatus.Accepted, 1), (OrderStatus.Received, 1), (OrderStatus.Rejected, 2), (OrderStatus.Merged, 1), (OrderStatus.AwaitingSignoff, 1),
        };
        OrderStatus Pick()
        {
            var x = rng.Next(100);
            foreach (var (st, w) in statuses) { if (x < w) return st; x -= w; }
            return OrderStatus.Closed;
        }
        var perDay = new Dictionary<DateOnly, int>();
        long orders = 0, events = 0;
        var eventsTime = new Stopwatch();
        var types = Enum.GetValues<DemandType>();
        for (var done = 0; done < scale.WorkOrders; done += Batch)
        {
            var n = Math.Min(Batch, scale.WorkOrders - done);
            var list = new List<WorkOrder>(n);
            for (var k = 0; k < n; k++)
            {
                var created = now.AddMinutes(-rng.Next(60, 365 * 24 * 60));
                var day = DateOnly.FromDateTime(ChinaTime.ToCst(created));
                var seqNo = perDay[day] = perDay.GetValueOrDefault(day) + 1;
                var status = Pick();
                var type = types[rng.Next(types.Length)];
                var dispatched = status is not (OrderStatus.Received or OrderStatus.Accepted or OrderStatus.Rejected);
                var unit = unitIds[rng.Next(unitIds.Count)];
                var limit = type is DemandType.Complaint or DemandType.Suggestion ? 13 : 3;
                var signed = status is not (OrderStatus.Received or OrderStatus.Accepted or OrderStatus.Rejected or OrderStatus.Dispatched);
                var replied = status is OrderStatus.Replied or OrderStatus.Closed;
                var rating = status == OrderStatus.Closed ? rng.Next(20) switch { < 15 => Rating.Satisfied, < 18 => Rating.Basic, _ => Rating.Dissatisfied } : (Rating?)null;
                list.Add(new WorkOrder
                {
                    Ticket = DemandPrivacy.Ticket(day, Math.Min(seqNo, 999_999)), CodeHash = Convert.ToHexStringLower(RandomBytes()),
                    Channel = rng.Next(10) == 0 ? DemandChannel.Open311 : DemandChannel.Portal, Type = type, Status = status,
                    RequestedOrgId = rng.Next(3) == 0 ? null : unit, Content = Names.Demand(rng, type), Location = Names.Place(rng),
                    Anonymous = rng.Next(15) == 0, OrgId = dispatched ? unit : desk, DispatchOrgId = desk,
                    DispatchedOn = dispatched ? day.AddDays(rng.Next(0, 2)) : null, SignDue = dispatched ? day.AddDays(2) : null,
                    Deadline = dispatched ? day.AddDays(limit + limit * 2 / 5) : null, SignedOn = signed ? day.AddDays(rng.Next(0, 3)) : null,
                    SignedLate = signed && rng.Next(12) == 0, RepliedOn = replied ? day.AddDays(rng.Next(1, limit + 4)) : null,
                    ClosedAt = status == OrderStatus.Closed ? created.AddDays(rng.Next(3, 20)) : null,
                    Reply = replied ? "经核查，已协调相关部门处理，感谢您的监督。" : null, Rating = rating,
                    DissatisfiedCount = rating == Rating.Dissatisfied ? 1 : 0, RedoCount = rating == Rating.Dissatisfied && rng.Next(2) == 0 ? 1 : 0,
                    SendBackCount = rng.Next(25) == 0 ? 1 : 0, DispatchCount = dispatched ? 1 : 0, Published = replied && rng.Next(5) == 0,
                    RejectReason = status == OrderStatus.Rejected ? "不属于受理范围" : null,
                    CreatedAt = created, UpdatedAt = created,
                });
            }
            // The newest first in id order would be odd: tickets grow with time, so ids do too.
            list.Sort((a, b) => a.CreatedAt.CompareTo(b.CreatedAt));
            // A published order carries the texts the public reads (as the desk would publish them: redacted).
            foreach (var o in list.Where(o => o.Published))
                (o.PublicTitle, o.PublicReply) = (Redaction.Redact(o.Content), Redaction.Redact(o.Reply));
            await InsertAsync(list, ct);
            orders += list.Count;
            eventsTime.Start();
            var evs = list.Where(o => o.DispatchedOn is not null).Select(o => new WorkOrderEvent
            {
                WorkOrderId = o.Id, OrgId = o.DispatchOrgId, Action = OrderAction.Dispatch, FromStatus = OrderStatus.Accepted,
                ToStatus = OrderStatus.Dispatched, ActorId = "generated", ActorName = "12345热线派单员", At = o.CreatedAt.AddHours(2),
                Text = "按属地和职能派单",
            }).ToList();
            await InsertAsync(evs, ct);
            events += evs.Count;
            eventsTime.Stop();
            progress?.Invoke($"工单 {orders:N0}");
        }
        // Today's and past counters continue after the generated tickets.
        foreach (var (day, last) in perDay)
            db.TicketCounters.Add(new TicketCounter { Day = day.ToString("yyyyMMdd", System.Globalization.CultureInfo.InvariantCulture), Last = Math.Min(last, 999_999) });
        await db.SaveChangesAsync(ct);
        db.ChangeTracker.Clear();
        Report<WorkOrder>("WorkOrders 工单", orders, sw.Elapsed.TotalSeconds - eventsTime.Elapsed.TotalSeconds);
        Report<WorkOrderEvent>("WorkOrderEvents 工单记录", events, eventsTime.Elapsed.TotalSeconds);
    }

    byte[] RandomBytes()
    {
        var b = new byte[32];
        rng.NextBytes(b);
        return b;
    }

    // ---- meetings and 逐篇学 ----

    async Task MeetingsAndStudyAsync(CancellationToken ct)
    {
        if (scale.Meetings == 0 && scale.StudyRecordsPerPerson == 0) return;
        var sw = Stopwatch.StartNew();
        var articles = await db.StudyArticles.OrderBy(a => a.Id).Select(a => a.Id).ToListAsync(ct);
        if (articles.Count == 0)
        {
            var book = new StudyMaterial { Title = "习近平关于树立和践行正确政绩观论述摘编（生成数据用目录）", Kind = MaterialKind.Book, SortOrder = 10 };
            db.StudyMaterials.Add(book);
            await db.SaveChangesAsync(ct);
            var list = Enumerable.Range(1, 40).Select(i => new StudyArticle
            {
                MaterialId = book.Id, Chapter = $"第{Names.Ordinal((i - 1) / 8)}部分", Title = $"第{i}篇", SortOrder = i, IsCore = i % 2 == 1,
            }).ToList();
            db.StudyArticles.AddRange(list);
            await db.SaveChangesAsync(ct);
            db.ChangeTracker.Clear();
            articles = list.ConvertAll(a => a.Id);
        }
        var types = await db.MeetingTypes.OrderBy(t => t.Id).Select(t => new { t.Id, t.Name, t.IsStudy }).ToListAsync(ct);
        int? campaign = await db.Campaigns.OrderByDescending(c => c.Id).Select(c => (int?)c.Id).FirstOrDefaultAsync(ct);
        var hosts = units.ConvertAll(u => u.Id);
        var meetings = new List<Meeting>(scale.Meetings);
        for (var done = 0; done < scale.Meetings; done += Batch)
        {
            var batch = new List<Meeting>();
            for (var k = 0; k < Math.Min(Batch, scale.Meetings - done); k++)
            {
                var t = types.Count > 0 ? types[rng.Next(types.Count)] : null;
                batch.Add(new Meeting
                {
                    OrgId = hosts[rng.Next(hosts.Count)], CampaignId = campaign, Title = t?.Name ?? "理论学习中心组学习会",
                    TypeIds = t is null ? [] : [t.Id], HeldOn = Today.AddDays(-rng.Next(1, 300)), Place = "机关会议室", Chair = Names.Person(rng),
                    Minutes = "传达学习有关文件精神，研究部署贯彻落实工作。", RecordedBy = "generated", CreatedAt = now,
                });
            }
            await InsertAsync(batch, ct);
            meetings.AddRange(batch);
        }
        var meetingSeconds = sw.Elapsed.TotalSeconds;
        sw.Restart();
        long records = 0;
        var buffer = new List<StudyRecord>(Batch);
        foreach (var (person, org) in members)
        {
            var count = Math.Min(articles.Count, Math.Max(0, scale.StudyRecordsPerPerson + rng.Next(-3, 4)));
            var start = rng.Next(articles.Count);
            for (var i = 0; i < count; i++)
            {
                var group = meetings.Count > 0 && rng.Next(3) == 0;
                buffer.Add(new StudyRecord
                {
                    OrgId = org, PersonId = person, ArticleId = articles[(start + i) % articles.Count], StudiedOn = Today.AddDays(-rng.Next(1, 300)),
                    Way = group ? StudyWay.Group : StudyWay.Self, MeetingId = group ? meetings[rng.Next(meetings.Count)].Id : null,
                    RecordedBy = "generated", CreatedAt = now,
                });
            }
            if (buffer.Count >= Batch)
            {
                await InsertAsync(buffer, ct);
                records += buffer.Count;
                buffer = new List<StudyRecord>(Batch);
                if (records % 1_000_000 < Batch) progress?.Invoke($"学习记录 {records:N0}");
            }
        }
        await InsertAsync(buffer, ct);
        records += buffer.Count;
        Report<Meeting>("Meetings 会议", meetings.Count, meetingSeconds);
        Report<StudyRecord>("StudyRecords 学习记录", records, sw.Elapsed.TotalSeconds);
        progress?.Invoke($"会议 {meetings.Count:N0}，学习记录 {records:N0}");
    }

    RectItem Item(Problem p, List<int> leaders, RectStatus status)
    {
        var kind = rng.Next(20) switch { 0 => DeadlineKind.Immediate, 1 => DeadlineKind.Ongoing, _ => DeadlineKind.Dated };
        var start = DateOnly.FromDateTime(ChinaTime.ToCst(p.CreatedAt));
        var deadline = kind switch
        {
            DeadlineKind.Dated => start.AddDays(rng.Next(30, 270)),
            DeadlineKind.Immediate => start,
            DeadlineKind.Ongoing => (DateOnly?)null,
        };
        var closed = !status.IsOpen();
        var requested = closed || status == RectStatus.ClosureRequested;   // a closure was requested at some point
        if (closed && kind == DeadlineKind.Ongoing) kind = DeadlineKind.Dated;
        if (closed) deadline ??= start.AddDays(rng.Next(30, 270));
        var percent = status switch
        {
            RectStatus.Pending => 0,
            _ when requested => 100,
            _ => rng.Next(5, 96),
        };
        var closedAt = closed ? p.CreatedAt.AddDays(rng.Next(20, 200)) : (DateTime?)null;
        if (closedAt > now) closedAt = now.AddDays(-1);
        return new RectItem
        {
            ProblemId = p.Id, OrgId = p.OrgId, Measures = Names.Measure(rng), Target = Names.Target(rng),
            LeaderId = leaders.Count > 0 ? leaders[rng.Next(leaders.Count)] : p.LeaderId, Handler = Names.Person(rng),
            DeadlineKind = kind, Deadline = deadline, StartOn = start, ReportEveryDays = kind == DeadlineKind.Ongoing ? 30 : null,
            Status = status, Severity = p.Severity, Source = p.Source, Percent = percent,
            ReturnCount = status == RectStatus.Returned ? 1 + rng.Next(2) : rng.Next(12) == 0 ? 1 : 0,
            ReopenCount = status is RectStatus.InProgress && rng.Next(25) == 0 ? 1 : 0,
            ClosureRequestedBy = requested ? "generated" : null,
            ClosureSummary = requested ? "已按整改措施完成整改，佐证材料已上传" : null,
            ClosureEvidenceCount = requested ? 1 : 0,
            VerifiedBy = closed ? "generated-verifier" : null, ClosedAt = closedAt,
            RecheckDue = status == RectStatus.Closed && closedAt is { } c ? DateOnly.FromDateTime(ChinaTime.ToCst(c)).AddDays(90) : null,
            ExtensionCount = rng.Next(15) == 0 ? 1 : 0,
            LastProgressOn = status == RectStatus.Pending ? null : Min(Today, start.AddDays(rng.Next(5, 200))),
            CreatedAt = p.CreatedAt,
        };
    }

    static DateOnly Min(DateOnly a, DateOnly b) => a < b ? a : b;

    IEnumerable<RectUpdate> Timeline(RectItem i)
    {
        if (i.Status == RectStatus.Pending) yield break;
        var at = i.CreatedAt.AddDays(3);
        RectUpdate U(RectAction a, RectStatus from, RectStatus to, string text, int? percent, DateTime when) => new()
        {
            RectItemId = i.Id, OrgId = i.OrgId, Action = a, FromStatus = from, ToStatus = to, ActorId = "generated",
            ActorName = i.Handler ?? "联络员", At = when > now ? now : when, Text = text, Percent = percent,
        };
        yield return U(RectAction.ReportProgress, RectStatus.Pending, RectStatus.InProgress, "已制定整改方案，明确责任分工", Math.Min(i.Percent, 30), at);
        if (!i.Status.IsOpen() || i.Status == RectStatus.ClosureRequested)
            yield return U(RectAction.RequestClosure, RectStatus.InProgress, RectStatus.ClosureRequested, i.ClosureSummary!, null, at.AddDays(20));
        if (!i.IsOpen)
            yield return U(RectAction.Verify, RectStatus.ClosureRequested, RectStatus.Closed, "经核查，整改到位，予以销号", null, i.ClosedAt ?? at.AddDays(30));
    }

    // ---- writing, with one audit entry per batch ----

    async Task InsertAsync<T>(List<T> rows, CancellationToken ct) where T : class
    {
        if (rows.Count == 0) return;
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await AuditTrail.LockAsync(db, ct);
        await GeneratedAudit.InsertAsync(db, rows, AuditAction.Generated, $"数据集 {scale.Name}（种子 {seed}）生成", null, ct);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        db.ChangeTracker.Clear();
    }
}
