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

    static SupervisionOrder Order(SupervisionStatus status = SupervisionStatus.Issued) => new()
    {
        Id = 3, OrgId = Unit.Id, Title = "督办", Requirements = "请报告", IssuedBy = "jw", IssuedByName = "市纪委", Status = status,
        DueOn = new DateOnly(2026, 12, 2),
    };

    static ErrorKind Refused(Action a) => Assert.Throws<DomainException>(a).Error.Kind;

    [Fact]
    public void Respond_ByUnitLiaison_MovesToResponded_AndRecordsTheReply()
    {
        var o = Order();
        var ev = o.Apply(SupervisionAction.Respond, Liaison(Unit), Unit, Now, "已整改");
        Assert.Equal((SupervisionStatus.Responded, "已整改", "li"), (o.Status, o.Response, o.RespondedBy));
        Assert.Equal((SupervisionStatus.Issued, SupervisionStatus.Responded, SupervisionAction.Respond), (ev.FromStatus, ev.ToStatus, ev.Action));
    }

    [Fact]
    public void Respond_BySupervisorOrAnotherUnitOrMember_IsForbidden()
    {
        Assert.Equal(ErrorKind.Forbidden, Refused(() => Order().Apply(SupervisionAction.Respond, Supervisor(), Unit, Now, "代答")));
        Assert.Equal(ErrorKind.Forbidden, Refused(() => Order().Apply(SupervisionAction.Respond, Liaison(Other), Unit, Now, "x")));
        Assert.Equal(ErrorKind.Forbidden, Refused(() => Order().Apply(SupervisionAction.Respond, Member(), Unit, Now, "x")));
    }

    [Fact]
    public void Close_BeforeResponse_IsIllegal_AfterResponse_Closes()
    {
        Assert.Equal(ErrorKind.Conflict, Refused(() => Order().Apply(SupervisionAction.Close, Supervisor(), Unit, Now)));
        var o = Order(SupervisionStatus.Responded);
        o.Apply(SupervisionAction.Close, Supervisor(), Unit, Now);
        Assert.Equal(SupervisionStatus.Closed, o.Status);
        Assert.Equal(Now, o.ClosedAt);
        Assert.Empty(SupervisionLifecycle.AllowedFor(o.Status, Supervisor().Scope, Unit));
        Assert.Equal(ErrorKind.Forbidden, Refused(() => Order(SupervisionStatus.Responded).Apply(SupervisionAction.Close, Liaison(Unit), Unit, Now)));
    }

    [Fact]
    public void Remind_SetsNewDue_CountsAndReissues_NeedsTextAndAFutureDate()
    {
        var o = Order(SupervisionStatus.Responded);
        o.Apply(SupervisionAction.Remind, Supervisor(), Unit, Now, "请补充", new DateOnly(2026, 12, 4));
        Assert.Equal((SupervisionStatus.Issued, 1, new DateOnly(2026, 12, 4)), (o.Status, o.RemindCount, o.DueOn));
        o.Apply(SupervisionAction.Remind, Supervisor(), Unit, Now, "再催", new DateOnly(2026, 12, 8));
        Assert.Equal(2, o.RemindCount);
        Assert.Equal(ErrorKind.Invalid, Refused(() => Order().Apply(SupervisionAction.Remind, Supervisor(), Unit, Now, "", new DateOnly(2026, 12, 4))));
        Assert.Equal(ErrorKind.Invalid, Refused(() => Order().Apply(SupervisionAction.Remind, Supervisor(), Unit, Now, "x", new DateOnly(2026, 11, 1))));
    }

    [Fact]
    public void Escalate_ThenRespondThenClose_IsAllowed()
    {
        var o = Order();
        o.Apply(SupervisionAction.Escalate, Supervisor(), Unit, Now, "约谈局长");
        Assert.Equal(SupervisionStatus.Escalated, o.Status);
        o.Apply(SupervisionAction.Respond, Liaison(Unit), Unit, Now, "约谈后整改报告");
        Assert.Equal(SupervisionStatus.Escalated, o.Status);
        o.Apply(SupervisionAction.Close, Supervisor(), Unit, Now);
        Assert.Equal(SupervisionStatus.Closed, o.Status);
    }

    [Fact]
    public void Table_EveryStatusButClosed_HasAWayForward_AndNoDuplicateRows()
    {
        foreach (var s in Enum.GetValues<SupervisionStatus>().Where(s => s != SupervisionStatus.Closed))
            Assert.Contains(SupervisionLifecycle.Table, t => t.From == s && t.To != s || t.From == s && t.Action == SupervisionAction.Remind);
        Assert.Equal(SupervisionLifecycle.Table.Length, SupervisionLifecycle.Table.Select(t => (t.From, t.Action)).Distinct().Count());
        Assert.DoesNotContain(SupervisionLifecycle.Table, t => t.From == SupervisionStatus.Closed);
    }

    [Fact]
    public void Overdue_OnlyWhileAwaitingResponse()
    {
        var today = new DateOnly(2026, 12, 3);
        Assert.True(Order().IsOverdue(today));
        Assert.False(Order(SupervisionStatus.Responded).IsOverdue(today));
        Assert.False(Order().IsOverdue(new DateOnly(2026, 12, 2)));
    }
}
