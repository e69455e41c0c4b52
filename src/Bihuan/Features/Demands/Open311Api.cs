using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Xml;
using Bihuan.Data;
using Bihuan.Domain;
using Bihuan.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Bihuan.Features.Demands;

/// Open311 GeoReport v2 (http://wiki.open311.org/GeoReport_v2) under /open311/v2: services are the demand types,
/// jurisdiction_id is the dispatch desk's org code, XML or JSON by the path's extension (XML without one), errors in
/// the spec's errors/error shape. Responses never carry personal data: no names, phones or e-mails, and texts only for
/// published orders: description and status_notes are the texts the desk reviewed and published, the address is
/// redacted (Domain/Redaction.cs), media_url the link the app sent.
public static class Open311Api
{
    public const string Spec = "http://wiki.open311.org/GeoReport_v2";

    /// A stored type that names no member is served as "invalid" (the list stays up).
    public static string CodeOf(DemandType t) => !Enum.IsDefined(t) ? "invalid" : t switch
    {
        DemandType.Consult => "consult",
        DemandType.Help => "help",
        DemandType.Complaint => "complaint",
        DemandType.Suggestion => "suggestion",
        DemandType.Praise => "praise",
        DemandType.EducationOpinion => "education-opinion",
    };

    static DemandType? TypeOf(string? code) => Enum.GetValues<DemandType>().Where(t => CodeOf(t) == code).Select(t => (DemandType?)t).FirstOrDefault();

    static string Description(DemandType t) => t switch
    {
        DemandType.Consult => "政策、办事咨询",
        DemandType.Help => "遇到困难请求帮助",
        DemandType.Complaint => "对单位或工作人员的投诉（答复须经单位主要负责人签发）",
        DemandType.Suggestion => "意见建议",
        DemandType.Praise => "表扬",
        DemandType.EducationOpinion => "对树立和践行正确政绩观学习教育的意见",
    };

    // A tiny document model written as XML or JSON.
    abstract record N;
    sealed record V(object? Value) : N;
    sealed record O(params (string Key, N Value)[] Fields) : N;
    sealed record A(string Item, IReadOnlyList<N> Items) : N;

    sealed class Open311Error(int status, string description) : Exception(description)
    {
        public int Status { get; } = status;
    }

    public static WebApplication MapOpen311Api(this WebApplication app)
    {
        // Errors are the spec's errors document (XML or JSON), statuses from ErrorMapping; public POSTs are rate-limited.
        var g = app.MapGroup("/open311/v2").AllowAnonymous().DisableAntiforgery().WithTags("Open311 GeoReport v2")
            .DeclareRefusals("application/xml", "application/json")
            .WithMetadata(new AnswersMetadata(StatusCodes.Status404NotFound));   // a format other than xml or json
        foreach (var suffix in new[] { ".{format}", "" })
        {
            g.MapGet("/discovery" + suffix, (HttpContext ctx, string? format) => Run(ctx, format, _ => Task.FromResult(Discovery(ctx))));
            g.MapGet("/services" + suffix, (HttpContext ctx, string? format, BihuanDb db, PortalOptions o, string? jurisdiction_id) =>
                Run(ctx, format, async ct => { await Jurisdiction(db, o, jurisdiction_id, ct); return Services(); }));
            g.MapGet("/services/{code}" + suffix, (HttpContext ctx, string? format, string code, BihuanDb db, PortalOptions o, string? jurisdiction_id) =>
                Run(ctx, format, async ct => { await Jurisdiction(db, o, jurisdiction_id, ct); return Definition(code); }));
            g.MapPost("/requests" + suffix, (HttpContext ctx, string? format, BihuanDb db, TimeProvider clock, PortalOptions o) =>
                Run(ctx, format, ct => Post(ctx, db, clock, o, ct)))
                .WithMetadata(new AnswersMetadata(StatusCodes.Status403Forbidden, StatusCodes.Status429TooManyRequests));
            g.MapGet("/requests" + suffix, (HttpContext ctx, string? format, BihuanDb db, TimeProvider clock, PortalOptions o) =>
                Run(ctx, format, ct => Requests(ctx, db, clock, o, null, ct)));
            g.MapGet("/requests/{id}" + suffix, (HttpContext ctx, string? format, string id, BihuanDb db, TimeProvider clock, PortalOptions o) =>
                Run(ctx, format, ct => Requests(ctx, db, clock, o, id, ct)));
            g.MapGet("/tokens/{token}" + suffix, (HttpContext ctx, string? format, string token, BihuanDb db, PortalOptions o) =>
                Run(ctx, format, ct => Token(ctx, db, o, token, ct)));
        }
        return app;
    }

    static async Task<IResult> Run(HttpContext ctx, string? format, Func<CancellationToken, Task<(string Root, N Body)>> handler)
    {
        var fmt = (format ?? "xml").ToLowerInvariant();
        if (fmt is not ("xml" or "json")) return Write("xml", "errors", Errors(404, "format must be xml or json"), 404);
        try
        {
            var (root, body) = await handler(ctx.RequestAborted);
            return Write(fmt, root, body, HttpMethods.IsPost(ctx.Request.Method) ? 201 : 200);
        }
        catch (Open311Error e)
        {
            return Write(fmt, "errors", Errors(e.Status, e.Message), e.Status);
        }
        catch (InvalidDataException)
        {
            // The form reader refuses what it cannot decode (e.g. "%00" in a value).
            return Write(fmt, "errors", Errors(400, "the form could not be read (invalid characters)"), 400);
        }
        catch (DomainException e)
        {
            var p = ErrorMapping.ToProblem(e.Error);
            var text = p is Microsoft.AspNetCore.Http.HttpValidationProblemDetails v && v.Errors.Count > 0
                ? string.Join("；", v.Errors.SelectMany(x => x.Value)) : p.Title ?? e.Message;
            var status = p.Status ?? ErrorMapping.StatusOf(e.Error.Kind);   // the one mapping: a conflict stays 409
            return Write(fmt, "errors", Errors(status, text), status);
        }
    }

    /// A fault or unexpected error on an Open311 path (Infrastructure/ErrorMapping.cs decides the status), in the spec's
    /// errors document and the format the path asks for.
    public static Task WriteErrorAsync(HttpContext ctx, int status, string description)
    {
        var fmt = ctx.Request.Path.Value?.EndsWith(".json", StringComparison.OrdinalIgnoreCase) == true ? "json" : "xml";
        return Write(fmt, "errors", Errors(status, description), status).ExecuteAsync(ctx);
    }

    // A description may echo what the client sent (a path segment, a code): no control characters into the XML.
    static A Errors(int code, string description) =>
        new("error", [new O(("code", new V(code)), ("description", new V(InputText.Clean(description))))]);

    static async Task Jurisdiction(BihuanDb db, PortalOptions o, string? jurisdiction, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(jurisdiction)) return;
        var root = await PortalCommands.DispatchOrgAsync(db, o, ct);
        if (!string.Equals(root.Code, jurisdiction, StringComparison.OrdinalIgnoreCase))
            throw new Open311Error(404, $"jurisdiction_id not found: {jurisdiction}");
    }

    static (string, N) Discovery(HttpContext ctx)
    {
        // No trailing slash: clients append "/services.xml" to it.
        var url = $"{ctx.Request.Scheme}://{ctx.Request.Host}{ctx.Request.PathBase}/open311/v2";
        return ("discovery", new O(
            ("changeset", new V(new DateTime(2026, 11, 27, 0, 0, 0, DateTimeKind.Utc))),
            ("contact", new V("12345 政务服务便民热线")),
            ("key_service", new V("api_key 由派单席（热线派单员或学习教育办公室）签发：POST /api/v1/open311/keys")),
            ("endpoints", new A("endpoint", [new O(
                ("specification", new V(Spec)), ("url", new V(url)),
                ("changeset", new V(new DateTime(2026, 11, 27, 0, 0, 0, DateTimeKind.Utc))), ("type", new V("production")),
                ("formats", new A("format", [new V("text/xml"), new V("application/json")])))]))));
    }

    static (string, N) Services() => ("services", new A("service", Enum.GetValues<DemandType>().Select(t => (N)new O(
        ("service_code", new V(CodeOf(t))), ("service_name", new V(t.Label())), ("description", new V(Description(t))),
        ("metadata", new V(true)), ("type", new V("realtime")), ("keywords", new V($"{t.Label()},12345,开门教育")),
        ("group", new V("开门教育")))).ToList()));

    static (string, N) Definition(string code)
    {
        var t = TypeOf(code) ?? throw new Open311Error(404, $"service_code not found: {code}");
        var attrs = new List<N>
        {
            new O(("variable", new V(true)), ("code", new V("unit_code")), ("datatype", new V("string")), ("required", new V(false)),
                ("datatype_description", new V("承办单位的组织编码；不清楚可不填，由受理中心派单")), ("order", new V(1)),
                ("description", new V("承办单位编码 (unit code)"))),
        };
        if (PortalCommands.AnonymousTypes.Contains(t))
            attrs.Add(new O(("variable", new V(true)), ("code", new V("anonymous")), ("datatype", new V("singlevaluelist")),
                ("required", new V(false)), ("datatype_description", new V("匿名提交时不保存姓名和电话")), ("order", new V(2)),
                ("description", new V("是否匿名 (anonymous)")),
                ("values", new A("value", [new O(("key", new V("true")), ("name", new V("匿名"))), new O(("key", new V("false")), ("name", new V("实名")))]))));
        return ("service_definition", new O(("service_code", new V(code)), ("attributes", new A("attribute", attrs))));
    }

    static async Task<(string, N)> Post(HttpContext ctx, BihuanDb db, TimeProvider clock, PortalOptions o, CancellationToken ct)
    {
        if (!ctx.Request.HasFormContentType) throw new Open311Error(400, "requests must be form-encoded (application/x-www-form-urlencoded)");
        if (!RequestInput.IsUtf8(ctx.Request.ContentType)) throw new Open311Error(415, "requests must be UTF-8 (charset=utf-8)");
        var f = Clean(await ctx.Request.ReadFormAsync(ct));
        var key = f["api_key"].ToString();
        var hash = key.Length is > 0 and < 200 ? Open311Key.Hash(key) : "";
        var row = hash.Length == 0 ? null : await db.SignIn<Open311Key>().FirstOrDefaultAsync(k => k.KeyHash == hash && !k.Revoked, ct);
        if (row is null) throw new Open311Error(403, "api_key is missing or invalid");
        // Per key and hour (configurable per key): a city app posts thousands a day, a leaked key not more.
        var limit = o.Open311.LimitFor(row.Prefix);
        var since = clock.GetUtcNow().UtcDateTime.AddHours(-1);
        if (await db.PublicDemands<WorkOrder>().CountAsync(x => x.ApiKeyId == row.Id && x.CreatedAt > since, ct)
            >= limit)
            throw new Open311Error(429, $"this api_key has reached its limit of {limit} requests per hour");
        await Jurisdiction(db, o, f["jurisdiction_id"], ct);
        var type = TypeOf(f["service_code"]) ?? throw new Open311Error(400, $"service_code not found: {f["service_code"]}");
        double? Num(string k) => f[k].ToString() is { Length: > 0 } v
            ? double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d) ? d
              : throw new Open311Error(400, $"{k} must be a finite number in degrees")
            : null;
        var (lat, lon) = (Num("lat"), Num("long"));
        if (lat is < -90 or > 90 || lon is < -180 or > 180) throw new Open311Error(400, "lat must be in -90..90 and long in -180..180");
        var address = f["address_string"].ToString();
        if ((lat is null || lon is null) && string.IsNullOrWhiteSpace(address) && string.IsNullOrWhiteSpace(f["address_id"]))
            throw new Open311Error(400, "a location is required: lat and long, or address_string");
        int? orgId = null;
        if (f["attribute[unit_code]"].ToString() is { Length: > 0 } unit)
            orgId = await db.OrgDirectory().Where(x => x.Code == unit && !x.Archived).Select(x => (int?)x.Id).FirstOrDefaultAsync(ct)
                    ?? throw new Open311Error(400, $"attribute[unit_code] not found: {unit}");
        var anonymous = f["attribute[anonymous]"] == "true";
        var name = $"{f["last_name"]}{f["first_name"]}".Trim();
        var submitted = await PortalCommands.SubmitAsync(db, clock, o, ctx.RequestServices.GetRequiredService<TicketJournal>(), new SubmitInput(type, orgId, f["description"], address, name,
            f["phone"], anonymous, DemandChannel.Open311, f["email"], lat, lon, row.Id, PhoneRequired: false)
            { MediaUrl = f["media_url"] }, [], ct);
        return ("service_requests", new A("request", [new O(("service_request_id", new V(submitted.Ticket)),
            ("token", new V(submitted.Ticket)),
            ("service_notice", new V($"已受理，受理编号 {submitted.Ticket}；按 {type.Label()} 类时限办理")),
            ("account_id", new V(null)))]));
    }

    /// Form values lose control characters and non-characters (they would break the XML this answers in).
    static FormCollection Clean(IFormCollection form) => new(form.GroupBy(kv => InputText.Clean(kv.Key)).ToDictionary(g => g.Key,
        g => new Microsoft.Extensions.Primitives.StringValues(g.SelectMany(kv => kv.Value).Select(InputText.CleanOrNull).ToArray())));

    static async Task<(string, N)> Token(HttpContext ctx, BihuanDb db, PortalOptions o, string token, CancellationToken ct)
    {
        await Jurisdiction(db, o, ctx.Request.Query["jurisdiction_id"], ct);
        var t = token.Trim().ToUpperInvariant();
        if (!await db.PublicDemands<WorkOrder>().AnyAsync(x => x.Ticket == t, ct)) throw new Open311Error(404, "token not found");
        return ("service_requests", new A("request", [new O(("service_request_id", new V(t)), ("token", new V(t)))]));
    }

    static async Task<(string, N)> Requests(HttpContext ctx, BihuanDb db, TimeProvider clock, PortalOptions o, string? one, CancellationToken ct)
    {
        var qs = ctx.Request.Query;
        await Jurisdiction(db, o, qs["jurisdiction_id"], ct);
        var q = db.PublicDemands<WorkOrder>().AsQueryable();
        var byUpdate = false;
        var ids = one is not null ? [one] : qs["service_request_id"].ToString()
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
        if (ids.Count > 0)
        {
            if (ids.Count > 100) throw new Open311Error(400, "at most 100 service_request_id values");
            var upper = ids.Select(i => i.ToUpperInvariant()).ToList();
            q = q.Where(x => upper.Contains(x.Ticket));
        }
        else
        {
            if (qs["service_code"].ToString() is { Length: > 0 } sc)
            {
                var types = sc.Split(',').Select(c => TypeOf(c.Trim()) ?? throw new Open311Error(400, $"service_code not found: {c}")).ToList();
                q = q.Where(x => types.Contains(x.Type));
            }
            DateTime? Date(string k) => qs[k].ToString() is { Length: > 0 } s
                ? DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var d) && Bounds.InWindow(d.UtcDateTime)
                  ? d.UtcDateTime
                  : throw new Open311Error(400, $"{k} must be a w3 date-time from {Bounds.MinDate:yyyy} to {Bounds.MaxDate:yyyy}, e.g. 2026-11-27T00:00:00+08:00")
                : null;
            // updated_after / updated_before (the widely used extension): a city app follows replies by asking for what
            // changed since its last poll, oldest change first; the created window then does not apply.
            var (after, before) = (Date("updated_after"), Date("updated_before"));
            if (after is not null || before is not null)
            {
                if (after is { } a0 && before is { } b0 && b0 < a0)
                    throw new Open311Error(400, "updated_before is before updated_after");
                if (after is { } a) q = q.Where(x => x.UpdatedAt > a);
                if (before is { } b) q = q.Where(x => x.UpdatedAt <= b);
                byUpdate = true;
            }
            else
            {
                var end = Date("end_date") ?? clock.GetUtcNow().UtcDateTime;
                var start = Date("start_date") ?? end.AddDays(-90);
                if (end < start) throw new Open311Error(400, "end_date is before start_date");
                if ((end - start).TotalDays > 90)
                    throw new Open311Error(400, "start_date and end_date may span at most 90 days");
                q = q.Where(x => x.CreatedAt >= start && x.CreatedAt <= end);
            }
            var status = qs["status"].ToString();
            if (status.Length > 0)
            {
                var wanted = status.Split(',', StringSplitOptions.TrimEntries);
                if (wanted.Any(w => w is not ("open" or "closed"))) throw new Open311Error(400, "status must be open or closed");
                var closed = new[] { OrderStatus.Closed, OrderStatus.Rejected, OrderStatus.Merged };
                if (!wanted.Contains("open")) q = q.Where(x => closed.Contains(x.Status));
                if (!wanted.Contains("closed")) q = q.Where(x => !closed.Contains(x.Status));
            }
        }
        var ordered = byUpdate ? q.OrderBy(x => x.UpdatedAt).ThenBy(x => x.Id) : q.OrderByDescending(x => x.CreatedAt);
        var rows = await ordered.Take(1000).AsNoTracking().Select(x => new
        {
            x.Ticket, x.Status, x.Type, x.Published, x.PublicTitle, x.PublicReply, x.MediaUrl, x.Location,
            x.Lat, x.Long,
            x.CreatedAt, x.UpdatedAt, x.Deadline, x.DispatchedOn,
            Unit = db.OrgDirectory().Where(u => u.Id == x.OrgId).Select(u => u.Name).First(),
            Name = db.PublicDemands<DemandContact>().Where(c => c.WorkOrderId == x.Id).Select(c => c.Name).FirstOrDefault(),
        }).ToListAsync(ct);
        if (one is not null && rows.Count == 0) throw new Open311Error(404, $"service_request_id not found: {one}");
        return ("service_requests", new A("request", rows.Select(r => (N)new O(
            ("service_request_id", new V(r.Ticket)),
            ("status", new V(r.Status.IsOpen() ? "open" : "closed")),
            // The published reply is the status note a city app shows; before publication, the status only.
            ("status_notes", new V(r.Published && r.PublicReply is { } pr ? pr : r.Status.PublicLabel())),
            ("service_name", new V(r.Type.Label())),
            ("service_code", new V(CodeOf(r.Type))),
            ("description", new V(r.Published ? r.PublicTitle : null)),
            ("agency_responsible", new V(r.DispatchedOn is null ? null : r.Unit)),
            ("service_notice", new V(null)),
            ("requested_datetime", new V(r.CreatedAt)),
            ("updated_datetime", new V(r.UpdatedAt)),
            // A deadline outside the window is no expected time (and 0001-01-01 at +08:00 is not even a DateTimeOffset).
            ("expected_datetime", new V(r.Deadline is { } d && Bounds.InWindow(d)
                ? new DateTimeOffset(d.ToDateTime(new TimeOnly(23, 59, 59)), ChinaTime.Offset) : null)),
            ("address", new V(r.Published ? DemandPrivacy.Redact(r.Location, r.Name) : null)),
            ("address_id", new V(null)),
            ("zipcode", new V(null)),
            ("lat", new V(r.Published ? r.Lat : null)),
            ("long", new V(r.Published ? r.Long : null)),
            ("media_url", new V(r.Published ? r.MediaUrl : null)))).ToList()));
    }

    // ---- writers ----

    static IResult Write(string fmt, string root, N body, int status)
    {
        if (fmt == "json")
        {
            using var ms = new MemoryStream();
            using (var w = new Utf8JsonWriter(ms, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
                Json(w, body);
            return Results.Text(Encoding.UTF8.GetString(ms.ToArray()), "application/json; charset=utf-8", Encoding.UTF8, status);
        }
        var sb = new StringBuilder();
        using (var x = XmlWriter.Create(sb, new XmlWriterSettings { Indent = false, OmitXmlDeclaration = false, Encoding = Encoding.UTF8 }))
        {
            x.WriteStartDocument();
            x.WriteStartElement(root);
            XmlBody(x, body);
            x.WriteEndElement();
            x.WriteEndDocument();
        }
        // StringBuilder output declares utf-16; the body is sent as UTF-8.
        var xml = sb.ToString().Replace("encoding=\"utf-16\"", "encoding=\"utf-8\"", StringComparison.Ordinal);
        return Results.Text(xml, "text/xml; charset=utf-8", Encoding.UTF8, status);
    }

    /// Total over any stored value: a time at the edge of DateTime is shown (ChinaTime.ToCst), a non-finite number
    /// is empty.
    static string Scalar(object? v) => v switch
    {
        null => "",
        bool b => b ? "true" : "false",
        DateTime d => ChinaTime.ToCst(d).ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture) + "+08:00",
        double d when !double.IsFinite(d) => "",
        DateTimeOffset d => d.ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => v.ToString() ?? "",
    };

    static void XmlBody(XmlWriter x, N n)
    {
        switch (n)
        {
            // The one place text enters the XML: what XML 1.0 cannot carry (a stored U+FFFF) is replaced, here.
            case V v: x.WriteString(StoredValues.ForXml(Scalar(v.Value))); break;
            case O o:
                foreach (var (k, val) in o.Fields)
                {
                    x.WriteStartElement(k);
                    XmlBody(x, val);
                    x.WriteEndElement();
                }
                break;
            case A a:
                foreach (var item in a.Items)
                {
                    x.WriteStartElement(a.Item);
                    XmlBody(x, item);
                    x.WriteEndElement();
                }
                break;
        }
    }

    static void Json(Utf8JsonWriter w, N n)
    {
        switch (n)
        {
            case V { Value: null }: w.WriteNullValue(); break;
            case V { Value: bool b }: w.WriteBooleanValue(b); break;
            case V { Value: int i }: w.WriteNumberValue(i); break;
            case V { Value: double d } when !double.IsFinite(d): w.WriteNullValue(); break;   // JSON has no NaN
            case V { Value: double d }: w.WriteNumberValue(d); break;
            case V v: w.WriteStringValue(Scalar(v.Value)); break;
            case O o:
                w.WriteStartObject();
                foreach (var (k, val) in o.Fields)
                {
                    w.WritePropertyName(k);
                    Json(w, val);
                }
                w.WriteEndObject();
                break;
            case A a:
                w.WriteStartArray();
                foreach (var item in a.Items) Json(w, item);
                w.WriteEndArray();
                break;
        }
    }
}
