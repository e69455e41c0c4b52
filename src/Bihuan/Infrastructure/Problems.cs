using Bihuan.Domain;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;

namespace Bihuan.Infrastructure;

public static class Problems
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
        return p;
    }

    public static IResult Result(Error e) => TypedResults.Problem(ToProblem(e));
}

/// Turns a DomainException escaping an endpoint into ProblemDetails; anything else stays a 500 (a bug, logged).
sealed class DomainExceptionHandler(IProblemDetailsService problems) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext ctx, Exception ex, CancellationToken ct)
    {
        var problem = ex switch
        {
            DomainException d => Problems.ToProblem(d.Error),
            BadHttpRequestException b => new ProblemDetails { Status = b.StatusCode, Title = "请求格式有误：" + b.Message },
            // The form reader refuses a body it cannot decode (e.g. "%00" in a value): the client's fault.
            InvalidDataException => new ProblemDetails { Status = StatusCodes.Status400BadRequest, Title = "请求格式有误：表单内容无法解析" },
            _ => null,
        };
        if (problem is null) return false;
        ctx.Response.StatusCode = problem.Status ?? 400;
        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = ctx, ProblemDetails = problem, Exception = ex });
    }
}
