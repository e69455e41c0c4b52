using Bihuan.Domain;
using Bihuan.Data;
using Bihuan.Features.Study;

namespace Bihuan.Features.Duties;

/// 履职清单 over HTTP: a unit's open duties from study (plan tasks, meeting decisions, 补学) and marking them done.
public static class DutiesApi
{
    public static RouteGroupBuilder MapDutiesApi(this RouteGroupBuilder api)
    {
        api.MapGet("/duties", async (BihuanDb db, TimeProvider clock, WorkingCalendar cal, LightRules rules, int[] orgId, CancellationToken ct) =>
            TypedResults.Ok(await StudyDuties.OpenDutiesAsync(db, orgId, ChinaTime.Today(clock), cal, rules, ct)))
            .WithTags("履职清单 Duties").WithSummary("Open plan tasks, meeting decisions and 补学 of the given orgs, with lights");
        api.MapPost("/duties/tasks/{id:int}/done", async (BihuanDb db, TimeProvider clock, int id, CancellationToken ct) =>
        {
            var t = await StudyDuties.CompleteAsync(db, clock, id, true, ct);
            return TypedResults.Ok(new PlanTaskDto(t.Id, t.Title, t.Owner, t.DueOn, t.KeyTask, t.DoneOn));
        }).WithTags("履职清单 Duties").WithSummary("Mark a plan task (of an approved plan) or a meeting decision done");
        api.MapDelete("/duties/tasks/{id:int}/done", async (BihuanDb db, TimeProvider clock, int id, CancellationToken ct) =>
        {
            var t = await StudyDuties.CompleteAsync(db, clock, id, false, ct);
            return TypedResults.Ok(new PlanTaskDto(t.Id, t.Title, t.Owner, t.DueOn, t.KeyTask, t.DoneOn));
        }).WithTags("履职清单 Duties").WithSummary("Open a task again");
        return api;
    }
}
