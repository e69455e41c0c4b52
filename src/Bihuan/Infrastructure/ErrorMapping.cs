using System.Diagnostics;
using System.Net.Sockets;
using Bihuan.Domain;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Bihuan.Infrastructure;

/// The one mapping from a typed domain error to an HTTP status and its ProblemDetails — for the API, the pages
/// (StaffPage), Open311 (its errors document, same status) and the imports (ImportRefused). Named for what it does:
/// `Problem` is an entity (问题清单), not this.
public static class ErrorMapping
{
    public static void ThrowIfAny(IEnumerable<Invalid> errors) => errors.ToList().ThrowIfAny();

    public static int StatusOf(ErrorKind k) => k switch
    {
        ErrorKind.Invalid => StatusCodes.Status400BadRequest,
        ErrorKind.Conflict => StatusCodes.Status409Conflict,
        ErrorKind.NotFound => StatusCodes.Status404NotFound,
        ErrorKind.Forbidden => StatusCodes.Status403Forbidden,
    };

    /// The one mapping from a domain error to RFC 9457 ProblemDetails.
    public static ProblemDetails ToProblem(Error e)
    {
        var fields = e switch
        {
            ValidationFailed v => v.Errors.GroupBy(x => x.Field ?? "").ToDictionary(g => g.Key, g => g.Select(x => x.Text).ToArray()),
            { Field: { } f } => new Dictionary<string, string[]> { [f] = [e.Message] },
            _ => null,
        };
        ProblemDetails p = fields is null ? new ProblemDetails() : new HttpValidationProblemDetails(fields);
        p.Status = StatusOf(e.Kind);
        p.Title = e.Message;
        p.Type = $"https://bihuan.local/problems/{e.Code}";
        p.Extensions["code"] = e.Code;
        if (e is PossibleDuplicate d) p.Extensions["similar"] = d.Candidates;
        if (e is ImportRefused r) foreach (var (k, v) in r.Detail) p.Extensions[k] = v;
        return p;
    }

    public static IResult Result(Error e) => TypedResults.Problem(ToProblem(e));
}

/// A file refused by an import (a sheet with row errors, a limit): 400 with what the caller needs to correct it
/// (rows, mapping, preview…) as extensions of the ProblemDetails.
public sealed record ImportRefused(string Text, IReadOnlyDictionary<string, object?> Detail)
    : Error("import_invalid", Text, ErrorKind.Invalid);

/// Turns an exception escaping an endpoint into an answer with a body, never an empty 5xx: a DomainException into its
/// ProblemDetails; a fault of the database or the disk (Faults.Classify) into 503, with Retry-After when it passes by
/// itself; anything else (a bug, logged) into 500. API callers get ProblemDetails with a traceId, Open311 clients its
/// errors document, browsers the error page (the public portal's look on /public, the staff one elsewhere).
sealed class DomainExceptionHandler(IProblemDetailsService problems, ILogger<DomainExceptionHandler> log) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext ctx, Exception ex, CancellationToken ct)
    {
        var problem = ex switch
        {
            DomainException d => ErrorMapping.ToProblem(d.Error),
            BadHttpRequestException b => new ProblemDetails { Status = b.StatusCode, Title = "请求格式有误：" + b.Message },
            // The form reader refuses a body it cannot decode (e.g. "%00" in a value): the client's fault.
            InvalidDataException => new ProblemDetails { Status = StatusCodes.Status400BadRequest, Title = "请求格式有误：表单内容无法解析" },
            _ => null,
        };
        if (problem is not null)
        {
            ctx.Response.StatusCode = problem.Status ?? 400;
            return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = ctx, ProblemDetails = problem, Exception = ex });
        }
        if (ex is OperationCanceledException && ctx.RequestAborted.IsCancellationRequested) return false;   // the caller left
        var fault = Faults.Classify(ex);
        var traceId = Faults.TraceId(ctx);
        if (fault is null) log.LogError(ex, "unhandled error, traceId {TraceId}", traceId);
        else log.LogWarning(ex, "{Kind} fault answered 503, traceId {TraceId}", fault.Kind, traceId);
        await FaultResponse.WriteAsync(ctx, fault, traceId);
        return true;
    }
}

/// What a fault of the database or the disk means for the caller. All are answered 503 (the service cannot take the
/// request now, and it is not the caller's fault); Busy and Unreachable pass by themselves (Retry-After), the others
/// need an operator.
public enum FaultKind { Busy, Unreachable, ReadOnly, DiskFull, Damaged }

public sealed record Fault(FaultKind Kind)
{
    public bool Transient => Kind is FaultKind.Busy or FaultKind.Unreachable;
    public int? RetryAfterSeconds => Kind switch { FaultKind.Busy => 5, FaultKind.Unreachable => 30, _ => null };

    /// The API's title (zh-CN, like every domain message); pages show their own translated text per kind.
    public string Title => Kind switch
    {
        FaultKind.Busy => "系统繁忙（数据库正忙），请稍后再试",
        FaultKind.Unreachable => "数据库暂时无法连接，请稍后再试",
        FaultKind.ReadOnly => "系统暂时只能查询、不能保存（数据库或存储为只读），请联系系统管理员",
        FaultKind.DiskFull => "存储空间已满，暂时不能保存，请联系系统管理员",
        FaultKind.Damaged => "数据库文件损坏或无法读取，请联系系统管理员",
    };
}

/// The one classification of infrastructure faults (database engines, disks), by error code — never by message.
public static class Faults
{
    public const string Unexpected = "系统内部错误，请联系系统管理员并提供请求编号（traceId）";

    /// The id a caller quotes to an administrator: the one ASP.NET Core's ProblemDetails and the logs carry.
    public static string TraceId(HttpContext ctx) => Activity.Current?.Id ?? ctx.TraceIdentifier;

    /// The fault behind an exception (looking through wrappers such as DbUpdateException), or null for anything else.
    public static Fault? Classify(Exception? e)
    {
        for (var depth = 0; e is not null && depth < 10; e = e.InnerException, depth++)
        {
            var kind = e switch
            {
                SqliteException s => Sqlite(s.SqliteErrorCode & 0xFF),
                PostgresException p => Postgres(p.SqlState),
                NpgsqlException { IsTransient: true } => FaultKind.Unreachable,
                TimeoutException => FaultKind.Busy,
                SocketException => FaultKind.Unreachable,
                IOException io => Disk(io.HResult),
                UnauthorizedAccessException => FaultKind.ReadOnly,
                AggregateException a when a.InnerExceptions.Count > 0 => Classify(a.InnerExceptions[0])?.Kind,
                _ => null,
            };
            if (kind is { } k) return new Fault(k);
        }
        return null;
    }

    // https://sqlite.org/rescode.html (primary codes)
    static FaultKind? Sqlite(int code) => code switch
    {
        5 or 6 => FaultKind.Busy,               // SQLITE_BUSY, SQLITE_LOCKED: another writer held the lock past busy_timeout
        8 => FaultKind.ReadOnly,                // SQLITE_READONLY: read-only file, directory or connection
        13 => FaultKind.DiskFull,               // SQLITE_FULL
        10 or 14 => FaultKind.Unreachable,      // SQLITE_IOERR, SQLITE_CANTOPEN: the file or its disk is gone
        11 or 26 => FaultKind.Damaged,          // SQLITE_CORRUPT, SQLITE_NOTADB
        _ => null,
    };

    // https://www.postgresql.org/docs/current/errcodes-appendix.html
    static FaultKind? Postgres(string state) => state switch
    {
        "40001" or "40P01" or "55P03" or "57014" => FaultKind.Busy,   // serialization, deadlock, lock timeout, statement timeout
        "25006" or "42501" => FaultKind.ReadOnly,                     // read-only transaction (standby, read-only role), no privilege
        "53100" => FaultKind.DiskFull,
        "XX001" or "XX002" => FaultKind.Damaged,
        "3D000" => FaultKind.Unreachable,                             // the database does not exist (dropped, wrong name)
        _ when state.StartsWith("08", StringComparison.Ordinal) || state.StartsWith("57P", StringComparison.Ordinal)
               || state.StartsWith("53", StringComparison.Ordinal) => FaultKind.Unreachable,   // connection, shutdown, resources
        _ => null,
    };

    // On Unix an IOException carries errno; on Windows the HRESULT of ERROR_DISK_FULL / ERROR_HANDLE_DISK_FULL.
    static FaultKind? Disk(int hresult) => hresult switch
    {
        28 or 122 or unchecked((int)0x80070070) or unchecked((int)0x80070027) => FaultKind.DiskFull,   // ENOSPC, EDQUOT
        30 => FaultKind.ReadOnly,                                                                       // EROFS
        5 => FaultKind.Damaged,                                                                         // EIO
        _ => null,
    };

    /// A fault as ProblemDetails (503), or the unexpected error (500); both carry the traceId.
    public static ProblemDetails ToProblem(Fault? fault, string traceId)
    {
        var p = new ProblemDetails
        {
            Status = fault is null ? StatusCodes.Status500InternalServerError : StatusCodes.Status503ServiceUnavailable,
            Title = fault?.Title ?? Unexpected,
            Type = $"https://bihuan.local/problems/{(fault is null ? "unexpected" : "fault-" + fault.Kind.ToString().ToLowerInvariant())}",
        };
        p.Extensions["code"] = fault is null ? "unexpected" : "fault";
        p.Extensions["traceId"] = traceId;
        if (fault?.RetryAfterSeconds is { } s) p.Extensions["retryAfterSeconds"] = s;
        return p;
    }
}

/// Writes the answer to a fault (or an unexpected error) in the caller's language of errors.
static class FaultResponse
{
    public static bool IsApi(PathString path) =>
        path.StartsWithSegments("/api") || path.StartsWithSegments("/openapi") || path.StartsWithSegments("/healthz");

    public static async Task WriteAsync(HttpContext ctx, Fault? fault, string traceId)
    {
        var status = fault is null ? StatusCodes.Status500InternalServerError : StatusCodes.Status503ServiceUnavailable;
        ctx.Response.StatusCode = status;
        if (fault?.RetryAfterSeconds is { } s) ctx.Response.Headers.RetryAfter = s.ToString(System.Globalization.CultureInfo.InvariantCulture);
        ctx.Response.Headers.CacheControl = "no-store";
        var path = ctx.Request.Path;
        if (path.StartsWithSegments("/open311"))
        {
            await Features.Demands.Open311Api.WriteErrorAsync(ctx, status, $"{fault?.Title ?? Faults.Unexpected} (traceId {traceId})");
            return;
        }
        if (IsApi(path))
        {
            await ctx.Response.WriteAsJsonAsync(Faults.ToProblem(fault, traceId), (System.Text.Json.JsonSerializerOptions?)null,
                "application/problem+json", ctx.RequestAborted);
            return;
        }
        var html = await Components.ErrorDocument.RenderAsync(ctx, fault, traceId, isPublic: path.StartsWithSegments("/public"));
        ctx.Response.ContentType = "text/html; charset=utf-8";
        await ctx.Response.WriteAsync(html, ctx.RequestAborted);
    }
}
