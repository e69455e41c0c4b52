using System.Collections.Concurrent;
using System.Data.Common;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Bihuan.Data;
using Bihuan.Domain;
using Bihuan.Features.Files;
using Bihuan.Infrastructure;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace Bihuan.Features.Demands;

/// Bihuan:Portal settings.
public sealed class PortalOptions
{
    /// The org whose desk receives and dispatches public demands (default: the root org).
    public string? DispatchOrgCode { get; set; }
    public int MaxPerPhonePerDay { get; set; } = 5;
    public int MaxPerSourcePerHour { get; set; } = 20;
    /// Public POSTs (submit, look up, rate, Open311) per client address per minute (ASP.NET rate limiter).
    public int PostsPerMinutePerIp { get; set; } = 30;
    public DemandTimeLimits TimeLimits { get; set; } = new();
    public Open311Limits Open311 { get; set; } = new();
}

/// Bihuan:Portal:Open311 — limits for city apps, which post far more than a citizen: per api_key and hour (default,
/// and per key by its prefix, e.g. `PerKey:o311_ab12c = 5000`), and per address and minute for Open311 POSTs (by
/// default the portal's PostsPerMinutePerIp).
public sealed class Open311Limits
{
    public int PostsPerHourPerKey { get; set; } = 1000;
    public Dictionary<string, int> PerKey { get; set; } = new(StringComparer.Ordinal);
    public int? PostsPerMinutePerIp { get; set; }

    public int LimitFor(string prefix) => PerKey.TryGetValue(prefix, out var n) ? n : PostsPerHourPerKey;
}

public sealed record SubmitInput(DemandType? Type, int? OrgId, string? Content, string? Location, string? Name, string? Phone,
    bool Anonymous, DemandChannel Channel = DemandChannel.Portal, string? Email = null, double? Lat = null, double? Long = null,
    int? ApiKeyId = null, string? SourceHash = null, bool PhoneRequired = true)
{
    /// Open311 media_url: an absolute http(s) link, stored as given and never fetched.
    public string? MediaUrl { get; init; }
}

public sealed record Submitted(int Id, string Ticket, string Code);

public sealed record PublicStep(DateTime At, string Label, string? Text);

/// What the submitter sees with ticket + code: no personal data, texts redacted.
public sealed record PublicStatusView(string Ticket, string Type, string Status, DateTime CreatedAt, string? UnitName,
    string Content, List<PublicStep> Timeline, string? Reply, string? Rating, string? RatingComment, bool CanRate,
    bool Redo, string? Rectification, string? MergedInto);

/// The public side of 开门教育: submitting, looking up by ticket + code, rating. Anonymous callers see nothing
/// through the scope filters, so every read here names what it reads and ignores the filters deliberately.
public static class PortalCommands
{
    public static readonly DemandType[] AnonymousTypes = [DemandType.Suggestion, DemandType.EducationOpinion, DemandType.Praise];

    public static async Task<Org> DispatchOrgAsync(BihuanDb db, PortalOptions options, CancellationToken ct)
    {
        var orgs = db.OrgDirectory().Where(o => !o.Archived);
        return (options.DispatchOrgCode is { Length: > 0 } code
                   ? await orgs.FirstOrDefaultAsync(o => o.Code == code, ct)
                   : await orgs.Where(o => o.ParentId == null).OrderBy(o => o.Id).FirstOrDefaultAsync(ct))
               ?? throw new DomainException(new RecordNotFound("受理单位"));
    }

    public static string SourceHashOf(string? address) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes("bihuan-source:" + (address ?? "unknown"))));

    public sealed record Image(byte[] Bytes, string Name);

    /// Checks an uploaded picture by its bytes (never its name): JPG, PNG, GIF or WEBP, at most 5 MB.
    public static Image CheckImage(byte[] bytes, string name)
    {
        if (bytes.Length > 5 * 1024 * 1024) throw new DomainException(new Invalid("images", "每张图片不能超过 5 MB"));
        if (FileStore.Sniff(bytes) is not { } type || !FileStore.IsImage(type))
            throw new DomainException(new Invalid("images", "只能上传 JPG、PNG、GIF、WEBP 图片"));
        return new(bytes, name);
    }

    public static async Task<Submitted> SubmitAsync(BihuanDb db, TimeProvider clock, PortalOptions options, TicketJournal tickets,
        SubmitInput input, IReadOnlyList<Image> images, CancellationToken ct, FileStore? files = null)
    {
        var errors = new List<Invalid>();
        if (input.Type is null || !Enum.IsDefined(input.Type.Value)) errors.Add(new("type", "请选择诉求类型"));
        var content = DemandPrivacy.Plain(input.Content);
        if (content.Length == 0) errors.Add(new("content", "请填写诉求内容"));
        else if (content.Length > WorkOrder.ContentMax) errors.Add(new("content", $"诉求内容不能超过 {WorkOrder.ContentMax} 字"));
        var location = DemandPrivacy.Plain(input.Location);
        if (location.Length > WorkOrder.LocationMax) errors.Add(new("location", $"地点不能超过 {WorkOrder.LocationMax} 字"));
        var anonymous = input.Anonymous;
        var name = anonymous ? "" : DemandPrivacy.Plain(input.Name);
        if (name.Length > 50) errors.Add(new("name", "姓名不能超过 50 字"));
        var phone = anonymous ? "" : (input.Phone ?? "").Trim().Replace(" ", "", StringComparison.Ordinal).Replace("-", "", StringComparison.Ordinal);
        if (anonymous && input.Type is { } t && !AnonymousTypes.Contains(t))
            errors.Add(new("anonymous", "只有建议、表扬和对学习教育的意见可以匿名提交；其他诉求须留手机号以便答复"));
        if (!anonymous && phone.Length == 0 && input.PhoneRequired) errors.Add(new("phone", "请填写手机号，以便答复和回访"));
        if (phone.Length > 0 && !DemandPrivacy.MobileFormat().IsMatch(phone)) errors.Add(new("phone", "请填写 11 位中国大陆手机号"));
        if (input.Email is { Length: > 200 }) errors.Add(new("email", "电子邮箱过长"));
        // NaN and ±Infinity parse as numbers but cannot be stored or written as JSON.
        errors.Finite("lat", input.Lat, -90, 90, "纬度").Finite("long", input.Long, -180, 180, "经度");
        if (images.Count > 3) errors.Add(new("images", "最多上传 3 张图片"));
        var media = (input.MediaUrl ?? "").Trim();
        if (media.Length > WorkOrder.MediaUrlMax) errors.Add(new("media_url", $"图片链接不能超过 {WorkOrder.MediaUrlMax} 个字符"));
        else if (media.Length > 0 && (!Uri.TryCreate(media, UriKind.Absolute, out var mu)
                     || mu.Scheme is not ("http" or "https") || mu.UserInfo.Length > 0))
            errors.Add(new("media_url", "图片链接须是 http 或 https 的完整地址（不含用户名和密码）"));
        ErrorMapping.ThrowIfAny(errors);

        var dispatchOrg = await DispatchOrgAsync(db, options, ct);
        if (input.OrgId is { } oid && !await db.OrgDirectory().Subtree(dispatchOrg)
                .AnyAsync(o => o.Id == oid && !o.Archived, ct))
            throw new DomainException(new Invalid("orgId", "所选单位不存在，可选“不清楚”由受理中心派单"));

        var now = ChinaTime.Now(clock);
        if (phone.Length > 0)
        {
            var since = now.AddDays(-1);
            var n = await db.PublicDemands<DemandContact>().Where(c => c.Phone == phone)
                .Join(db.PublicDemands<WorkOrder>(), c => c.WorkOrderId, o => o.Id, (c, o) => o.CreatedAt)
                .CountAsync(at => at > since, ct);
            if (n >= options.MaxPerPhonePerDay)
                throw new DomainException(new Invalid("phone", "该手机号 24 小时内提交次数已达上限，请稍后再试或拨打 12345"));
        }
        if (input.SourceHash is { } src)
        {
            var since = now.AddHours(-1);
            if (await db.PublicDemands<WorkOrder>().CountAsync(o => o.SourceHash == src && o.CreatedAt > since, ct)
                >= options.MaxPerSourcePerHour)
                throw new DomainException(new Invalid("content", "提交过于频繁，请稍后再试"));
        }

        var day = ChinaTime.Today(clock);
        var seq = await NextSequenceAsync(db, tickets, day.ToString("yyyyMMdd", CultureInfo.InvariantCulture), ct);
        var ticket = DemandPrivacy.Ticket(day, seq);
        var code = DemandPrivacy.NewCode();
        var order = new WorkOrder
        {
            Ticket = ticket, CodeHash = DemandPrivacy.HashCode(ticket, code), Type = input.Type!.Value, Channel = input.Channel,
            OrgId = dispatchOrg.Id, DispatchOrgId = dispatchOrg.Id, RequestedOrgId = input.OrgId, Content = content,
            Location = location.Length == 0 ? null : location, Lat = input.Lat, Long = input.Long, Anonymous = anonymous,
            SourceHash = input.SourceHash, ApiKeyId = input.ApiKeyId, CreatedAt = now, UpdatedAt = now,
            MediaUrl = media.Length == 0 ? null : media,
        };
        // Each photo is an upload of the portal's own (no account) for the desk, cited by this order alone: staff who
        // see the order see them, and nobody on the public side ever does.
        var uploads = new List<Upload>();
        foreach (var img in images)
            uploads.Add(await Uploads.AddPublicAsync(db, files ?? throw new InvalidOperationException("no file store"), clock,
                img.Bytes, img.Name, dispatchOrg.Id, ct));
        // One SaveChanges: the order, its contact and its images in one transaction (with their audit entries).
        db.WorkOrders.Add(order);
        Uploads.Cite(db, uploads, dispatchOrg.Id, c => c.WorkOrder = order);
        db.DemandContacts.Add(new DemandContact
        {
            Order = order, Name = name.Length == 0 ? null : name, Phone = phone.Length == 0 ? null : phone,
            Email = anonymous || string.IsNullOrWhiteSpace(input.Email) ? null : input.Email.Trim(),
        });
        await db.SaveChangesAsync(ct);
        return new Submitted(order.Id, ticket, code);
    }

    /// The day's next ticket sequence: one atomic upsert on the counter row (SQLite ≥ 3.35 and PostgreSQL both
    /// support INSERT … ON CONFLICT DO UPDATE … RETURNING). It runs on its own, before the order's transaction, so
    /// the counter row is never held while the audit chain is appended; a failed submission leaves a gap, never a
    /// duplicate. The number is then checked against the ticket journal (numbers given out, kept outside the
    /// database): a restored database's counter may be behind numbers citizens hold, and is then moved past all of
    /// them. The number is journaled (on disk) before it is returned, so before any citizen sees it (ADR 0011).
    static async Task<int> NextSequenceAsync(BihuanDb db, TicketJournal tickets, string day, CancellationToken ct)
    {
        // In one process the upserts queue here (fairly) instead of in SQLite's busy handler, which polls and can
        // starve a writer past its timeout when hundreds submit at once. Across processes the engine still decides.
        await SequenceLock.WaitAsync(ct);
        try
        {
            var seq = await CounterAsync(db, day, null, ct);
            for (var turn = 0; tickets.WasIssued(day, seq); turn++)
            {
                if (turn == 3) throw new InvalidOperationException($"ticket counter {day} keeps repeating issued numbers ({seq})");
                await CounterAsync(db, day, tickets.Highest(day), ct);   // past every number given out
                seq = await CounterAsync(db, day, null, ct);
            }
            tickets.Append(day, seq);
            return seq;
        }
        finally { SequenceLock.Release(); }
    }

    static readonly SemaphoreSlim SequenceLock = new(1, 1);

    /// Moves the day's counter up to at least `floor` (never down), or (floor null) takes its next number.
    public static async Task<int> CounterAsync(BihuanDb db, string day, int? floor, CancellationToken ct)
    {
        var conn = db.Database.GetDbConnection();
        var opened = conn.State != System.Data.ConnectionState.Open;
        if (opened) await db.Database.OpenConnectionAsync(ct);
        try
        {
            await using var cmd = conn.CreateCommand();
            cmd.Transaction = db.Database.CurrentTransaction?.GetDbTransaction();
            cmd.CommandText = floor is null
                ? """
                  INSERT INTO "TicketCounters" ("Day", "Last") VALUES (@d, 1)
                  ON CONFLICT ("Day") DO UPDATE SET "Last" = "TicketCounters"."Last" + 1
                  RETURNING "Last"
                  """
                : """
                  INSERT INTO "TicketCounters" ("Day", "Last") VALUES (@d, @f)
                  ON CONFLICT ("Day") DO UPDATE SET "Last" =
                      CASE WHEN "TicketCounters"."Last" < excluded."Last" THEN excluded."Last" ELSE "TicketCounters"."Last" END
                  RETURNING "Last"
                  """;
            var p = cmd.CreateParameter();
            p.ParameterName = "@d";
            p.Value = day;
            cmd.Parameters.Add(p);
            var f = cmd.CreateParameter();
            f.ParameterName = "@f";
            f.Value = floor ?? 0;
            cmd.Parameters.Add(f);
            return Convert.ToInt32(await cmd.ExecuteScalarAsync(ct), CultureInfo.InvariantCulture);
        }
        finally
        {
            if (opened) await db.Database.CloseConnectionAsync();
        }
    }

    /// The order behind a ticket when the code matches; null otherwise (the same answer for an unknown ticket and a
    /// wrong code, so a ticket number alone reveals nothing).
    public static async Task<WorkOrder?> FindAsync(BihuanDb db, string? ticket, string? code, CancellationToken ct)
    {
        var t = (ticket ?? "").Trim().ToUpperInvariant();
        if (!DemandPrivacy.TicketFormat().IsMatch(t))
        {
            DemandPrivacy.CodeMatches("GZ00000000000000", code, new string('0', 64));
            return null;
        }
        var order = await db.PublicDemands<WorkOrder>().FirstOrDefaultAsync(o => o.Ticket == t, ct);
        var ok = DemandPrivacy.CodeMatches(t, code, order?.CodeHash ?? new string('0', 64));
        return ok ? order : null;
    }

    public static async Task<PublicStatusView?> StatusAsync(BihuanDb db, string? ticket, string? code, CancellationToken ct)
    {
        var order = await FindAsync(db, ticket, code, ct);
        return order is null ? null : await ViewAsync(db, order, ct);
    }

    static readonly OrderAction[] PublicActions =
        [OrderAction.Reject, OrderAction.Dispatch, OrderAction.Reply, OrderAction.SignOff, OrderAction.Rate, OrderAction.Redo,
         OrderAction.CloseUnrated, OrderAction.Merge, OrderAction.Escalate];

    public static async Task<PublicStatusView> ViewAsync(BihuanDb db, WorkOrder order, CancellationToken ct)
    {
        var contact = await db.PublicDemands<DemandContact>().FirstOrDefaultAsync(c => c.WorkOrderId == order.Id, ct);
        string R(string? s) => DemandPrivacy.Redact(s, contact?.Name);
        var events = await db.PublicDemands<WorkOrderEvent>().Where(e => e.WorkOrderId == order.Id)
            .OrderBy(e => e.At).ThenBy(e => e.Id).ToListAsync(ct);
        var orgNames = await db.OrgDirectory().Where(o => o.Id == order.OrgId).Select(o => o.Name).ToListAsync(ct);
        var timeline = new List<PublicStep> { new(order.CreatedAt, "已收到", null) };
        var seenDispatch = false;
        foreach (var e in events.Where(e => PublicActions.Contains(e.Action)))
        {
            switch (e.Action)
            {
                case OrderAction.Dispatch when !seenDispatch:
                    seenDispatch = true;
                    timeline.Add(new(e.At, "已派单", null));
                    break;
                case OrderAction.Dispatch: break;
                case OrderAction.Reject: timeline.Add(new(e.At, "不予受理", R(e.Text))); break;
                case OrderAction.Reply or OrderAction.SignOff: timeline.Add(new(e.At, "已答复", null)); break;
                case OrderAction.Redo: timeline.Add(new(e.At, "不满意，重新办理", null)); break;
                case OrderAction.Rate or OrderAction.CloseUnrated: timeline.Add(new(e.At, "已办结", null)); break;
                case OrderAction.Merge: timeline.Add(new(e.At, "与相同诉求合并办理", null)); break;
                case OrderAction.Escalate: timeline.Add(new(e.At, "已纳入问题清单整改", null)); break;
            }
        }
        string? rect = null;
        var problemId = order.ProblemId;
        string? mergedInto = null;
        var reply = order.Reply;
        if (order.MasterId is { } mid)
        {
            var master = await db.PublicDemands<WorkOrder>().Where(o => o.Id == mid)
                .Select(o => new { o.Ticket, o.Reply, o.ProblemId }).FirstOrDefaultAsync(ct);
            mergedInto = master?.Ticket;
            reply ??= master?.Reply;
            problemId ??= master?.ProblemId;
        }
        if (problemId is { } pid)
        {
            var items = await db.PublicDemands<RectItem>().Where(i => i.ProblemId == pid).Select(i => i.Status).ToListAsync(ct);
            var closed = items.Count(s => !s.IsOpen());
            rect = items.Count == 0 ? "已纳入问题清单，正在制定整改措施"
                : closed == items.Count ? $"整改措施 {items.Count} 项已全部整改完成（已销号）"
                : $"整改措施 {items.Count} 项，已完成 {closed} 项";
        }
        return new PublicStatusView(order.Ticket, order.Type.Label(), order.Status.PublicLabel(), order.CreatedAt,
            order.DispatchedOn is null ? null : orgNames.FirstOrDefault(), R(order.Content), timeline,
            reply is null ? null : R(reply), order.Rating?.Label(), order.RatingComment is null ? null : R(order.RatingComment),
            order.Status == OrderStatus.Replied, order.RedoCount > 0, rect, mergedInto);
    }

    /// 回访评价 by the submitter: 不满意 the first time sends the order back to the unit (重办, once); otherwise it closes
    /// with the rating kept.
    public static async Task RateAsync(BihuanDb db, TimeProvider clock, WorkingCalendar cal, PortalOptions options,
        string? ticket, string? code, Rating? rating, string? comment, CancellationToken ct)
    {
        var order = await FindAsync(db, ticket, code, ct) ?? throw new DomainException(new Invalid("code", "受理编号或查询码不正确"));
        var action = rating == Rating.Dissatisfied && order.RedoCount == 0 ? OrderAction.Redo : OrderAction.Rate;
        var orgs = await db.OrgDirectory().Where(o => o.Id == order.OrgId || o.Id == order.DispatchOrgId).ToListAsync(ct);
        var now = ChinaTime.Now(clock);
        var ev = order.Apply(action, OrderActor.Citizen, orgs.First(o => o.Id == order.OrgId), orgs.First(o => o.Id == order.DispatchOrgId),
            ChinaTime.Today(clock), now, new OrderArgs(Text: DemandPrivacy.Plain(comment), Rating: rating), options.TimeLimits,
            (d, n) => cal.EstimateDueDate(d, n, "deadline", "办理时限"));
        order.UpdatedAt = now;
        db.WorkOrderEvents.Add(new WorkOrderEvent
        {
            WorkOrderId = order.Id, OrgId = order.OrgId, Action = ev.Action, FromStatus = ev.From, ToStatus = ev.To,
            ActorId = "public", ActorName = "诉求人", At = now, Text = ev.Text,
        });
        await db.SaveChangesAsync(ct);
    }

    public sealed record OrgChoice(int Id, string Name);

    /// The name of a unit the picker offers (under the dispatch desk, not archived), or null.
    public static async Task<string?> OrgNameAsync(BihuanDb db, PortalOptions options, int id, CancellationToken ct)
    {
        var root = await DispatchOrgAsync(db, options, ct);
        return await db.OrgDirectory().Where(OrgSubtree.Below(root)).Where(o => o.Id == id && !o.Archived)
            .Select(o => o.Name).FirstOrDefaultAsync(ct);
    }

    /// The org picker without JavaScript: a GET search listing matching units under the dispatch desk.
    public static async Task<List<OrgChoice>> SearchOrgsAsync(BihuanDb db, PortalOptions options, string? q, CancellationToken ct)
    {
        var text = (q ?? "").Trim();
        if (text.Length == 0 || text.Length > 50) return [];
        var root = await DispatchOrgAsync(db, options, ct);
        return await db.OrgDirectory().Where(OrgSubtree.Below(root))
            .Where(o => !o.Archived && o.Name.Contains(text))
            .OrderBy(o => o.Depth).ThenBy(o => o.Name).Take(20).Select(o => new OrgChoice(o.Id, o.Name)).ToListAsync(ct);
    }
}

/// 算术验证: a small sum, signed with DataProtection, valid for 20 minutes and accepted once per node.
public sealed class PublicChallenge(IDataProtectionProvider provider, TimeProvider clock)
{
    readonly IDataProtector _protector = provider.CreateProtector("Bihuan.Portal.Challenge.v1");
    static readonly ConcurrentDictionary<string, DateTimeOffset> Used = new();
    static readonly TimeSpan Life = TimeSpan.FromMinutes(20);

    public (string Question, string Token) Create()
    {
        var a = RandomNumberGenerator.GetInt32(2, 10);
        var b = RandomNumberGenerator.GetInt32(2, 10);
        var expires = clock.GetUtcNow().Add(Life).ToUnixTimeSeconds();
        var nonce = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
        var token = _protector.Protect(string.Create(CultureInfo.InvariantCulture, $"{a}|{b}|{expires}|{nonce}"));
        return ($"{a} + {b} = ?", token);
    }

    /// True once for a right answer to an unexpired challenge.
    public bool Check(string? token, string? answer)
    {
        if (string.IsNullOrEmpty(token) || token.Length > 1000) return false;
        string plain;
        try { plain = _protector.Unprotect(token); }
        catch (CryptographicException) { return false; }
        var parts = plain.Split('|');
        if (parts.Length != 4) return false;
        var now = clock.GetUtcNow();
        if (!long.TryParse(parts[2], CultureInfo.InvariantCulture, out var exp) || now.ToUnixTimeSeconds() > exp) return false;
        if (!int.TryParse((answer ?? "").Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n)
            || n != int.Parse(parts[0], CultureInfo.InvariantCulture) + int.Parse(parts[1], CultureInfo.InvariantCulture)) return false;
        foreach (var kv in Used.Where(kv => kv.Value < now).ToList()) Used.TryRemove(kv.Key, out _);
        return Used.TryAdd(parts[3], DateTimeOffset.FromUnixTimeSeconds(exp));
    }
}
