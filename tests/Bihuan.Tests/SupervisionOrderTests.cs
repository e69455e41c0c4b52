using Bihuan.Domain;

namespace Bihuan.Tests;

/// The 督办单 lifecycle table: who may do what from which status, and what each step changes.
public class SupervisionOrderTests
{
    static readonly Org City = new() { Id = 1, Name = "中共广州市委员会", Code = "GZ", Path = "/" };
    static readonly Org Unit = new() { Id = 7, Name = "越秀区发展和改革局", Code = "GZ-YX-FGJ", Path = "/1/5/" };
    static readonly Org Other = new() { Id = 9, Name = "黄埔区发展和改革局", Code = "GZ-HP-FGJ", Path = "/1/6/" };
    static readonly DateTime Now = new(2026, 11, 27, 2, 0, 0, DateTimeKind.Utc);

    static Actor Supervisor() => new("jw", "市纪委", AccessScope.For("jw", [new Grant(Role.Supervisor, City.Id, City.SelfPath)]));
    static Actor Liaison(Org org) => new("li", "联络员", AccessScope.For("li", [new Grant(Role.Liaison, org.Id, org.SelfPath)]));
    static Actor Member() => new("m", "党员", AccessScope.For("m", [new Grant(Role.Member, Unit.Id, Unit.SelfPath)]));

    static SupervisionOrder Order(OrderStatus status = OrderStatus.Issued) => new()
    {
        Id = 3, OrgId = Unit.Id, Title = "督办", Requirements = "请报告", IssuedBy = "jw", IssuedByName = "市纪委", Status = status,
        DueOn = new DateOnly(2026, 12, 2),
    };

    static ErrorKind Refused(Action a) => Assert.Throws<DomainException>(a).Error.Kind;

    [Fact]
    public void Respond_ByUnitLiaison_MovesToResponded_AndRecordsTheReply()
    {
        var o = Order();
        var ev = o.Apply(OrderAction.Respond, Liaison(Unit), Unit, Now, "已整改");
        Assert.Equal((OrderStatus.Responded, "已整改", "li"), (o.Status, o.Response, o.RespondedBy));
        Assert.Equal((OrderStatus.Issued, OrderStatus.Responded, OrderAction.Respond), (ev.FromStatus, ev.ToStatus, ev.Action));
    }

    [Fact]
    public void Respond_BySupervisorOrAnotherUnitOrMember_IsForbidden()
    {
        Assert.Equal(ErrorKind.Forbidden, Refused(() => Order().Apply(OrderAction.Respond, Supervisor(), Unit, Now, "代答")));
        Assert.Equal(ErrorKind.Forbidden, Refused(() => Order().Apply(OrderAction.Respond, Liaison(Other), Unit, Now, "x")));
        Assert.Equal(ErrorKind.Forbidden, Refused(() => Order().Apply(OrderAction.Respond, Member(), Unit, Now, "x")));
    }

    [Fact]
    public void Close_BeforeResponse_IsIllegal_AfterResponse_Closes()
    {
        Assert.Equal(ErrorKind.Conflict, Refused(() => Order().Apply(OrderAction.Close, Supervisor(), Unit, Now)));
        var o = Order(OrderStatus.Responded);
        o.Apply(OrderAction.Close, Supervisor(), Unit, Now);
        Assert.Equal(OrderStatus.Closed, o.Status);
        Assert.Equal(Now, o.ClosedAt);
        Assert.Empty(OrderLifecycle.AllowedFor(o.Status, Supervisor().Scope, Unit));
        Assert.Equal(ErrorKind.Forbidden, Refused(() => Order(OrderStatus.Responded).Apply(OrderAction.Close, Liaison(Unit), Unit, Now)));
    }

    [Fact]
    public void Remind_SetsNewDue_CountsAndReissues_NeedsTextAndAFutureDate()
    {
        var o = Order(OrderStatus.Responded);
        o.Apply(OrderAction.Remind, Supervisor(), Unit, Now, "请补充", new DateOnly(2026, 12, 4));
        Assert.Equal((OrderStatus.Issued, 1, new DateOnly(2026, 12, 4)), (o.Status, o.RemindCount, o.DueOn));
        o.Apply(OrderAction.Remind, Supervisor(), Unit, Now, "再催", new DateOnly(2026, 12, 8));
        Assert.Equal(2, o.RemindCount);
        Assert.Equal(ErrorKind.Invalid, Refused(() => Order().Apply(OrderAction.Remind, Supervisor(), Unit, Now, "", new DateOnly(2026, 12, 4))));
        Assert.Equal(ErrorKind.Invalid, Refused(() => Order().Apply(OrderAction.Remind, Supervisor(), Unit, Now, "x", new DateOnly(2026, 11, 1))));
    }

    [Fact]
    public void Escalate_ThenRespondThenClose_IsAllowed()
    {
        var o = Order();
        o.Apply(OrderAction.Escalate, Supervisor(), Unit, Now, "约谈局长");
        Assert.Equal(OrderStatus.Escalated, o.Status);
        o.Apply(OrderAction.Respond, Liaison(Unit), Unit, Now, "约谈后整改报告");
        Assert.Equal(OrderStatus.Escalated, o.Status);
        o.Apply(OrderAction.Close, Supervisor(), Unit, Now);
        Assert.Equal(OrderStatus.Closed, o.Status);
    }

    [Fact]
    public void Table_EveryStatusButClosed_HasAWayForward_AndNoDuplicateRows()
    {
        foreach (var s in Enum.GetValues<OrderStatus>().Where(s => s != OrderStatus.Closed))
            Assert.Contains(OrderLifecycle.Table, t => t.From == s && t.To != s || t.From == s && t.Action == OrderAction.Remind);
        Assert.Equal(OrderLifecycle.Table.Length, OrderLifecycle.Table.Select(t => (t.From, t.Action)).Distinct().Count());
        Assert.DoesNotContain(OrderLifecycle.Table, t => t.From == OrderStatus.Closed);
    }

    [Fact]
    public void Overdue_OnlyWhileAwaitingResponse()
    {
        var today = new DateOnly(2026, 12, 3);
        Assert.True(Order().IsOverdue(today));
        Assert.False(Order(OrderStatus.Responded).IsOverdue(today));
        Assert.False(Order().IsOverdue(new DateOnly(2026, 12, 2)));
    }
}
