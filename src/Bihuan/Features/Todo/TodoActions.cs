using System.Security.Claims;
using Bihuan.Data;
using Bihuan.Domain;
using Bihuan.Features.Demands;
using Bihuan.Features.Duties;
using Bihuan.Features.Notifications;
using Bihuan.Features.Rectification;
using Bihuan.Features.Study;
using Bihuan.Features.Supervision;

namespace Bihuan.Features.Todo;

/// The one-click button of a 待办 entry: the same use case its API twin (TodoAction.Href) calls, with no more input.
/// Every rule (party, separation of duties, status) is the use case's; a stale button is refused as the API would.
public sealed class TodoActions(BihuanDb db, TimeProvider clock, WorkingCalendar cal, PortalOptions portal,
    Notifier notifier,
    RectItems items)
{
    public async Task RunAsync(ClaimsPrincipal user, TodoKind kind, int id, CancellationToken ct)
    {
        switch (kind)
        {
            case TodoKind.ClosureReview or TodoKind.ClosureVerify or TodoKind.ExtensionDecide or TodoKind.RecheckDue:
                var action = kind switch
                {
                    TodoKind.ClosureReview => RectAction.Review,
                    TodoKind.ClosureVerify => RectAction.Verify,
                    TodoKind.ExtensionDecide => RectAction.ApproveExtension,
                    _ => RectAction.ConfirmEffect,
                };
                await items.ActAsync(user, id, action, new ActionInput(null, null, null), null, ct);
                break;
            case TodoKind.PlanSignOff or TodoKind.PlanSubmit or TodoKind.PlanApprove:
                await PlanCommands.ActAsync(db, clock, user, id, kind switch
                {
                    TodoKind.PlanSignOff => PlanAction.SignOff,
                    TodoKind.PlanSubmit => PlanAction.Submit,
                    _ => PlanAction.Approve,
                }, null, ct);
                break;
            case TodoKind.OrderAccept or TodoKind.OrderSign or TodoKind.OrderSignOff or TodoKind.OrderExtension:
                await WorkOrderCommands.ApplyAsync(db, clock, cal, portal, user, id, kind switch
                {
                    TodoKind.OrderAccept => OrderAction.Accept,
                    TodoKind.OrderSign => OrderAction.Sign,
                    TodoKind.OrderSignOff => OrderAction.SignOff,
                    _ => OrderAction.ApproveExtension,
                }, new Demands.WorkOrderActionInput(null), ct);
                break;
            case TodoKind.SupervisionClose:
                await OrderCommands.ApplyAsync(db, clock, cal, notifier, user, id, SupervisionAction.Close,
                    new Supervision.SupervisionOrderActionInput(null), ct);
                break;
            case TodoKind.DutyDue:
                await StudyDuties.CompleteAsync(db, clock, id, true, ct);
                break;
            default:
                throw new DomainException(new Invalid("kind", $"“{kind.Label()}”须在记录页面填写后办理"));
        }
        await notifier.MailStagedAsync(db, ct);   // the handoff told the next actors in its transaction; mail after it
    }
}
