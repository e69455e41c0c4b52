using System.Net.Mail;
using System.Security.Claims;
using Bihuan.Data;
using Bihuan.Domain;
using Microsoft.EntityFrameworkCore;

namespace Bihuan.Features.Notifications;

/// Bihuan:Smtp settings. No Host: no e-mail (in-app notifications only).
public sealed class SmtpOptions
{
    public string? Host { get; set; }
    public int Port { get; set; } = 25;
    public string From { get; set; } = "bihuan@localhost";
    public bool EnableSsl { get; set; }
}

/// Sends one plain-text mail (System.Net.Mail: UTF-8 subject and body, no new package).
public sealed class Mailer(SmtpOptions options, ILogger<Mailer> log)
{
    public bool Enabled => !string.IsNullOrWhiteSpace(options.Host);

    public async Task<bool> SendAsync(string to, string subject, string body, CancellationToken ct)
    {
        if (!Enabled) return false;
        try
        {
            using var client = new SmtpClient(options.Host, options.Port) { EnableSsl = options.EnableSsl, Timeout = 10_000 };
            using var message = new MailMessage(options.From, to, subject, body)
            {
                SubjectEncoding = System.Text.Encoding.UTF8, BodyEncoding = System.Text.Encoding.UTF8,
            };
            await client.SendMailAsync(message, ct);
            return true;
        }
        catch (Exception e) when (e is SmtpException or IOException or InvalidOperationException or FormatException)
        {
            // A mail server being down must not undo the action that caused the notification: it stays in-app.
            log.LogWarning(e, "notification e-mail to {To} failed", to);
            return false;
        }
    }
}

public sealed record NewNotification(string AccountId, NotificationKind Kind, string Title, string? Body, string? Link, string Key);

/// Creates notifications (idempotent by (account, key)), honours each account's preferences (muted kinds; e-mail
/// as well), and mails those who asked for it.
public sealed class Notifier(Mailer mailer, TimeProvider clock)
{
    public async Task<int> SendAsync(BihuanDb db, IReadOnlyCollection<NewNotification> list, CancellationToken ct)
    {
        var added = await StageAsync(db, list, clock.GetUtcNow().UtcDateTime, ct);
        if (added.Count == 0) return 0;
        await db.SaveChangesAsync(ct);
        await MailAsync(db, added, ct);
        return added.Count;
    }

    /// Adds the notifications to the context without saving: the caller's SaveChanges writes them in the same
    /// transaction as the handoff they tell of (a refused or rolled-back action tells nobody). Skips muted kinds and
    /// (account, key) pairs sent before. Mail them after the commit (MailStagedAsync).
    public static async Task<List<Notification>> StageAsync(BihuanDb db, IReadOnlyCollection<NewNotification> list,
        DateTime now,
        CancellationToken ct)
    {
        if (list.Count == 0) return [];
        var accounts = list.Select(n => n.AccountId).Distinct().ToList();
        var prefs = await db.Delivery<NotificationPreference>().Where(p => accounts.Contains(p.AccountId))
            .AsNoTracking().ToDictionaryAsync(p => p.AccountId, ct);
        var keys = list.Select(n => n.Key).Distinct().ToList();
        var existing = (await db.Delivery<Notification>().Where(n => accounts.Contains(n.AccountId) && keys.Contains(n.Key))
            .Select(n => new { n.AccountId, n.Key }).ToListAsync(ct)).Select(x => (x.AccountId, x.Key)).ToHashSet();
        var added = new List<Notification>();
        foreach (var n in list.DistinctBy(n => (n.AccountId, n.Key)))
        {
            if (existing.Contains((n.AccountId, n.Key))) continue;
            if (prefs.TryGetValue(n.AccountId, out var p) && p.Muted.Contains(n.Kind)) continue;
            var row = new Notification
            {
                AccountId = n.AccountId, Kind = n.Kind, Title = Cut(n.Title, 300), Body = n.Body, Link = n.Link, Key = n.Key, CreatedAt = now,
            };
            db.Notifications.Add(row);
            added.Add(row);
        }
        return added;
    }

    /// After the commit: mails the notifications this context wrote and has not mailed yet (to those who opted in).
    public Task MailStagedAsync(BihuanDb db, CancellationToken ct) => MailAsync(db,
        db.ChangeTracker.Entries<Notification>().Where(e => e.State == EntityState.Unchanged
            && e.Entity.EmailedAt is null)
            .Select(e => e.Entity).ToList(), ct);

    async Task MailAsync(BihuanDb db, List<Notification> added, CancellationToken ct)
    {
        if (added.Count == 0 || !mailer.Enabled) return;
        var accounts = added.Select(a => a.AccountId).Distinct().ToList();
        var mailTo = await db.Delivery<NotificationPreference>().Where(p => accounts.Contains(p.AccountId) && p.Email)
            .Select(p => p.AccountId).ToListAsync(ct);
        if (mailTo.Count == 0) return;
        var emails = await db.Users.Where(u => mailTo.Contains(u.Id) && u.Email != null)
            .ToDictionaryAsync(u => u.Id, u => u.Email!, ct);
        var now = clock.GetUtcNow().UtcDateTime;
        var sent = new List<long>();
        foreach (var a in added.Where(a => emails.ContainsKey(a.AccountId)))
            if (await mailer.SendAsync(emails[a.AccountId], $"【闭环】{a.Title}",
                    $"{a.Title}\n\n{a.Body}\n\n{(a.Link is null ? "" : "查看：" + a.Link)}\n\n" +
                    "（本邮件由闭环系统自动发送，可在“消息通知 → 通知设置”中关闭）", ct))
            {
                sent.Add(a.Id);
                a.EmailedAt = now;
            }
        if (sent.Count > 0)
            await db.Delivery<Notification>().Where(n => sent.Contains(n.Id))
                .ExecuteUpdateAsync(s => s.SetProperty(n => n.EmailedAt, now), ct);
    }

    static string Cut(string s, int n) => s.Length <= n ? s : s[..n];

    /// The accounts that answer for an org: its 主要负责人 and 联络员 (granted on the org itself).
    public static async Task<List<string>> OwnerAccountsAsync(BihuanDb db, int orgId, CancellationToken ct) =>
        await db.Delivery<RoleGrant>()
            .Where(g => g.OrgId == orgId && (g.Role == Role.UnitHead || g.Role == Role.Liaison))
            .Select(g => g.AccountId).Distinct().ToListAsync(ct);
}

public sealed record NotificationDto(long Id, string Kind, string KindLabel, string Title, string? Body, string? Link,
    DateTime CreatedAt, bool Read);
public sealed record NotificationList(int Unread, List<NotificationDto> Items);
public sealed record PreferenceDto(bool Email, string? EmailAddress, List<string> Muted);
public sealed record PreferenceInput(bool? Email, string? EmailAddress, List<string>? Muted);

/// 消息通知: the caller's own notifications (the query filter keeps them personal) and preferences.
public static class NotificationApi
{
    public static RouteGroupBuilder MapNotificationApi(this RouteGroupBuilder api)
    {
        var g = api.MapGroup("/notifications").WithTags("消息通知 Notifications");
        g.MapGet("/", async (BihuanDb db, bool? unread, CancellationToken ct) => TypedResults.Ok(await ListAsync(db, unread == true, 100, ct)))
            .WithSummary("My notifications, newest first, with the unread count");
        g.MapPost("/{id:long}/read", async (BihuanDb db, TimeProvider clock, long id, CancellationToken ct) =>
            await MarkReadAsync(db, clock, id, ct) ? Results.NoContent() : Results.NotFound()).WithSummary("Mark one read")
            .Produces(StatusCodes.Status204NoContent);
        g.MapPost("/read-all", async (BihuanDb db, TimeProvider clock, CancellationToken ct) =>
            TypedResults.Ok(new { marked = await MarkAllReadAsync(db, clock, ct) })).WithSummary("Mark all read");
        g.MapGet("/preferences", async (BihuanDb db, ClaimsPrincipal user, CancellationToken ct) =>
            TypedResults.Ok(await PreferencesAsync(db, Id(user), ct)));
        g.MapPut("/preferences", async (BihuanDb db, ClaimsPrincipal user, PreferenceInput input, CancellationToken ct) =>
            TypedResults.Ok(await SavePreferencesAsync(db, Id(user), input, ct))).WithSummary("E-mail as well (needs an address); muted kinds");
        return api;
    }

    static string Id(ClaimsPrincipal user) => user.FindFirstValue(ClaimTypes.NameIdentifier)
        ?? throw new DomainException(new Forbidden("请先登录"));

    public static async Task<NotificationList> ListAsync(BihuanDb db, bool unreadOnly, int take, CancellationToken ct)
    {
        var q = db.Notifications.AsNoTracking();
        var unread = await q.CountAsync(n => n.ReadAt == null, ct);
        if (unreadOnly) q = q.Where(n => n.ReadAt == null);
        var rows = await q.OrderByDescending(n => n.Id).Take(take).ToListAsync(ct);
        return new(unread, rows.ConvertAll(n => new NotificationDto(n.Id, n.Kind.ToString(), n.Kind.Label(), n.Title, n.Body, n.Link,
            n.CreatedAt, n.ReadAt is not null)));
    }

    public static Task<int> UnreadAsync(BihuanDb db, CancellationToken ct) => db.Notifications.CountAsync(n => n.ReadAt == null, ct);

    public static async Task<bool> MarkReadAsync(BihuanDb db, TimeProvider clock, long id, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        if (!await db.Notifications.AnyAsync(n => n.Id == id, ct)) return false;
        await db.Notifications.Where(n => n.Id == id && n.ReadAt == null).ExecuteUpdateAsync(s => s.SetProperty(n => n.ReadAt, now), ct);
        return true;
    }

    public static async Task<int> MarkAllReadAsync(BihuanDb db, TimeProvider clock, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        return await db.Notifications.Where(n => n.ReadAt == null).ExecuteUpdateAsync(s => s.SetProperty(n => n.ReadAt, now), ct);
    }

    public static async Task<PreferenceDto> PreferencesAsync(BihuanDb db, string accountId, CancellationToken ct)
    {
        var p = await db.NotificationPreferences.AsNoTracking().FirstOrDefaultAsync(x => x.AccountId == accountId, ct);
        var email = await db.Users.Where(u => u.Id == accountId).Select(u => u.Email).FirstOrDefaultAsync(ct);
        return new(p?.Email ?? false, email, p?.Muted.ConvertAll(m => m.ToString()) ?? []);
    }

    public static async Task<PreferenceDto> SavePreferencesAsync(BihuanDb db, string accountId, PreferenceInput input, CancellationToken ct)
    {
        new List<Invalid>().List("muted", input.Muted, 50, "免打扰的通知类型").Text("emailAddress", input.EmailAddress, 200, "电子邮箱")
            .ThrowIfAny();
        var muted = new List<NotificationKind>();
        foreach (var m in input.Muted ?? [])
            if (Enum.TryParse<NotificationKind>(m, true, out var k) && !int.TryParse(m, out _)) muted.Add(k);
            else throw new DomainException(new Invalid("muted", $"未知的通知类型：{m}"));
        var account = await db.Users.FirstAsync(u => u.Id == accountId, ct);
        if (input.EmailAddress is { } addr)
        {
            addr = addr.Trim();
            if (addr.Length > 0 && !MailAddress.TryCreate(addr, out _)) throw new DomainException(new Invalid("emailAddress", "电子邮箱格式不正确"));
            account.Email = addr.Length == 0 ? null : addr;
            account.NormalizedEmail = account.Email?.ToUpperInvariant();
        }
        if (input.Email == true && string.IsNullOrEmpty(account.Email))
            throw new DomainException(new Invalid("emailAddress", "接收邮件通知须先填写电子邮箱"));
        var p = await db.NotificationPreferences.FirstOrDefaultAsync(x => x.AccountId == accountId, ct);
        if (p is null) db.NotificationPreferences.Add(p = new NotificationPreference { AccountId = accountId });
        p.Email = input.Email ?? p.Email;
        p.Muted = muted.Distinct().ToList();
        await db.SaveChangesAsync(ct);
        return await PreferencesAsync(db, accountId, ct);
    }
}
