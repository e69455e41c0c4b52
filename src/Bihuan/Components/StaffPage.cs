using Bihuan.Data;
using Bihuan.Domain;
using Bihuan.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.Localization;

namespace Bihuan.Components;

/// Base of the signed-in pages (static server rendering, plain forms): the clock, and one way to run a form's use
/// case so that a refused action shows its field messages instead of failing. A page binds its form and calls a use
/// case (the method its API twin calls); it holds no database, checks no permission and opens no transaction.
[Authorize]
public abstract class StaffPage : ComponentBase
{
    [Inject] protected TimeProvider Clock { get; set; } = default!;
    [Inject] protected NavigationManager Nav { get; set; } = default!;
    [Inject] IStringLocalizer<Text> Texts { get; set; } = default!;
    [Inject] ILogger<StaffPage> Log { get; set; } = default!;
    [CascadingParameter] protected HttpContext HttpContext { get; set; } = default!;

    protected Dictionary<string, string[]>? Errors { get; private set; }
    protected string? ErrorMessage { get; set; }
    protected string? OkMessage { get; set; }
    /// The domain error of the last refused action (for pages that show more than its message).
    protected Error? LastError { get; private set; }

    protected CancellationToken Ct => HttpContext.RequestAborted;

    protected async Task<bool> Run(Func<Task> action, string? ok = null)
    {
        try
        {
            await action();
            OkMessage = ok;
            return true;
        }
        catch (DomainException e)
        {
            LastError = e.Error;
            var p = ErrorMapping.ToProblem(e.Error);
            ErrorMessage = p.Title;
            Errors = p is Microsoft.AspNetCore.Http.HttpValidationProblemDetails v ? new(v.Errors) : null;
            // a bare 404 status makes .NET 10 drop the rendered body: show the router's 未找到 page instead
            if (e.Error.Kind == ErrorKind.NotFound) ShowNotFound();
            else HttpContext.Response.StatusCode = ErrorMapping.StatusOf(e.Error.Kind);
            return false;
        }
        catch (Exception e) when (Faults.Classify(e) is { } fault && !Ct.IsCancellationRequested)
        {
            // The database or disk cannot take the change now: the form comes back with what was typed and what to do.
            var traceId = Faults.TraceId(HttpContext);
            Log.LogWarning(e, "{Kind} fault on a staff form, traceId {TraceId}", fault.Kind, traceId);
            ErrorMessage = $"{ErrorDocument.AdviceFor(Texts, fault.Kind)} {Texts["您填写的内容还在下面。"]}（{Texts["请求编号"]} {traceId}）";
            Errors = null;
            HttpContext.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            if (fault.RetryAfterSeconds is { } s) HttpContext.Response.Headers.RetryAfter = s.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return false;
        }
    }

    /// A read for the page: a record the caller cannot see (a hand-edited link such as ?orgId=<another district>)
    /// shows the 未找到 page instead of failing the render.
    protected async Task<bool> Visible(Func<Task> read)
    {
        try
        {
            await read();
            return true;
        }
        catch (DomainException e) when (e.Error.Kind == ErrorKind.NotFound)
        {
            ShowNotFound();
            return false;
        }
    }

    /// Set once the router shows its 未找到 page in place of this one: a page with forms renders nothing more
    /// (`@{ if (NotFoundShown) return; }` first in its markup), since its forms would name components the renderer
    /// has already dropped (a 500).
    protected bool NotFoundShown { get; private set; }

    void ShowNotFound()
    {
        NotFoundShown = true;
        Nav.NotFound();
    }

    protected override bool ShouldRender() => !NotFoundShown;

    protected static string Time(DateTime utc) => ChinaTime.Format(utc);
}

/// Base of the staff pages not yet thin: they still query the scoped database and check permissions themselves.
/// Tests/Bihuan.Tests/ThinPageTests lists each one; a converted page moves to StaffPage and leaves the list.
public abstract class DbStaffPage : StaffPage
{
    [Inject] protected BihuanDb Db { get; set; } = default!;
    protected AccessScope Access => Db.Access;
}
