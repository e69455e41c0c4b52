using Bihuan.Domain;
using FsCheck.Xunit;

namespace Bihuan.Tests;

/// The work-order lifecycle (OrderLifecycle.Table, WorkOrderState.Apply), deadlines in working days, and the
/// portal's privacy helpers (tickets, query codes, masking, redaction).
public sealed class WorkOrderTests
{
    // 广州市委 (1, the dispatch desk's org) → 越秀区委 (2) → 越秀区发改局 (3); 黄埔区委 (4) → 黄埔区发改局 (5).
    static readonly Org Root = new() { Id = 1, Name = "中共广州市委员会", Code = "GZ", Path = "/" };
    static readonly Org Unit = new() { Id = 3, Name = "越秀区发展和改革局", Code = "GZ-YX-FGJ", Path = "/1/2/" };
    static readonly Org Other = new() { Id = 5, Name = "黄埔区发展和改革局", Code = "GZ-HP-FGJ", Path = "/1/4/" };
    static readonly Org[] Targets = [Unit, Other, Root];

    static OrderActor A(string id, params (Role Role, int OrgId, string SelfPath)[] grants) =>
        new(id, id, AccessScope.For(id, grants.Select(g => new Grant(g.Role, g.OrgId, g.SelfPath))));

    static readonly OrderActor Hotline = A("hotline", (Role.Hotline, 1, "/1/"));
    static readonly OrderActor Hotline2 = A("hotline2", (Role.CampaignOffice, 1, "/1/"));
    static readonly OrderActor DistrictOffice = A("yx.office", (Role.CampaignOffice, 2, "/1/2/"));
    static readonly OrderActor Liaison = A("liaison", (Role.Liaison, 3, "/1/2/3/"));
    static readonly OrderActor Head = A("head", (Role.UnitHead, 3, "/1/2/3/"));
    static readonly OrderActor Member = A("member", (Role.Member, 3, "/1/2/3/"));
    static readonly OrderActor OtherLiaison = A("hp.liaison", (Role.Liaison, 5, "/1/4/5/"));
    static readonly OrderActor[] Actors = [Hotline, Hotline2, DistrictOffice, Liaison, Head, Member, OtherLiaison, OrderActor.Citizen];

    static readonly WorkingCalendar Cal = WorkingCalendar.Shipped();
    static readonly DemandTimeLimits Limits = new();
    static readonly DateOnly Today = new(2026, 11, 27);
    static readonly DateTime Now = new(2026, 11, 27, 2, 0, 0, DateTimeKind.Utc);

    static DateOnly AddWd(DateOnly d, int n) => Cal.EstimateDueDate(d, n, "deadline", "办理时限");

    static OrderEventData Do(WorkOrderState s, OrderAction a, OrderActor who, OrderArgs? args = null, DateOnly? today = null)
    {
        var org = Targets.Concat([Root]).First(o => o.Id == s.OrgId);
        return s.Apply(a, who, org, Root, today ?? Today, Now, args ?? new OrderArgs("说明"), Limits, AddWd);
    }

    static WorkOrderState New(DemandType type) => new() { Type = type, OrgId = Root.Id, DispatchOrgId = Root.Id };

    [Property(MaxTest = 300)]
    public void Apply_RandomSequences_FollowTheTableAndKeepInvariants(uint[] steps, byte typeByte)
    {
        var type = (DemandType)(typeByte % Enum.GetValues<DemandType>().Length);
        var s = New(type);
        var actions = (uint)Enum.GetValues<OrderAction>().Length;
        foreach (var x in steps)
        {
            var action = (OrderAction)(x % actions);
            var actor = Actors[(int)(x / actions % (uint)Actors.Length)];
            var target = Targets[(int)(x / (actions * 8) % 3)];
            var text = x / (actions * 24) % 4 == 0 ? null : "说明";
            var rating = (Rating)(x / (actions * 96) % 3);
            var newDeadline = s.Deadline?.AddDays((int)(x / (actions * 288) % 20) - 5);
            var before = (s.Status, s.OrgId, s.Deadline, s.RedoCount);
            try
            {
                var e = Do(s, action, actor, new OrderArgs(text, target, rating, newDeadline, SendBackReason.WrongPlace, 99, 7));
                var step = OrderLifecycle.Find(before.Status, action);
                Assert.NotNull(step);
                Assert.Equal(step.To, e.To);
                Assert.Equal(step.To, s.Status);
                var org = Targets.Concat([Root]).First(o => o.Id == before.OrgId);
                Assert.True(s.IsParty(step.Party, actor, org, Root), $"{actor.Id} took {action} as {step.Party}");
                if (action == OrderAction.Dispatch) Assert.Equal(target.Id, s.OrgId);
                else if (action == OrderAction.SendBack) Assert.Equal(Root.Id, s.OrgId);
                else Assert.Equal(before.OrgId, s.OrgId);
                if (s.Deadline != before.Deadline)
                    Assert.Contains(action, new[] { OrderAction.Dispatch, OrderAction.ApproveExtension, OrderAction.Redo });
                if (type == DemandType.Complaint && s.Status == OrderStatus.Replied && before.Status != OrderStatus.Replied)
                    Assert.Equal(OrderAction.SignOff, action);
                if (action == OrderAction.SignOff) Assert.NotEqual(s.ReplyDraftedBy, actor.Id);   // two persons
                if (before.Status is OrderStatus.Closed)
                    Assert.Contains(action, new[] { OrderAction.Escalate, OrderAction.Publish });
            }
            catch (DomainException)
            {
                Assert.Equal(before, (s.Status, s.OrgId, s.Deadline, s.RedoCount));   // refused: nothing changed
            }
            Assert.InRange(s.RedoCount, 0, 1);
            Assert.False(before.Status is OrderStatus.Rejected or OrderStatus.Merged && s.Status != before.Status);
        }
    }

    [Fact]
    public void Table_TerminalStates_HaveNoWayOut()
    {
        Assert.DoesNotContain(OrderLifecycle.Table, t => t.From is OrderStatus.Rejected or OrderStatus.Merged);
        Assert.All(OrderLifecycle.Table.Where(t => t.From == OrderStatus.Closed), t => Assert.Equal(OrderStatus.Closed, t.To));
        Assert.All(OrderLifecycle.Table.Where(t => t.Party == OrderParty.Citizen), t => Assert.Equal(OrderStatus.Replied, t.From));
    }

    [Fact]
    public void Complaint_ReplyByLiaison_NeedsSignOffByHead()
    {
        var s = New(DemandType.Complaint);
        Do(s, OrderAction.Dispatch, Hotline, new OrderArgs(ToOrg: Unit));
        Do(s, OrderAction.Sign, Liaison);
        var direct = Assert.Throws<DomainException>(() => Do(s, OrderAction.Reply, Liaison, new OrderArgs("答复")));
        Assert.Equal(ErrorKind.Conflict, direct.Error.Kind);
        Do(s, OrderAction.SubmitReply, Liaison, new OrderArgs("经核查，已责令整改"));
        Assert.Equal(OrderStatus.AwaitingSignoff, s.Status);
        Assert.Equal(ErrorKind.Forbidden, Assert.Throws<DomainException>(() => Do(s, OrderAction.SignOff, Liaison)).Error.Kind);
        Do(s, OrderAction.SignOff, Head, new OrderArgs());
        Assert.Equal(OrderStatus.Replied, s.Status);
        Assert.Equal("经核查，已责令整改", s.Reply);
    }

    /// A complaint dispatched to the unit, signed for and drafted by `drafter`: waiting for a head's sign-off.
    static WorkOrderState ComplaintDraftedBy(OrderActor drafter, string draft)
    {
        var s = New(DemandType.Complaint);
        Do(s, OrderAction.Dispatch, Hotline, new OrderArgs(ToOrg: Unit));
        Do(s, OrderAction.Sign, drafter);
        Do(s, OrderAction.SubmitReply, drafter, new OrderArgs(draft));
        return s;
    }

    [Fact]
    public void Complaint_HeadDraftsAndSignsOwnReply_IsRefused_AnotherHeadSigns()
    {
        var secondHead = A("head2", (Role.UnitHead, 3, "/1/2/3/"));
        var s = ComplaintDraftedBy(Head, "已约谈相关人员");
        Assert.Equal("head", s.ReplyDraftedBy);
        Assert.DoesNotContain(OrderAction.SignOff, s.AllowedFor(Head, Unit, Root));
        var e = Assert.Throws<DomainException>(() => Do(s, OrderAction.SignOff, Head, new OrderArgs()));
        Assert.IsType<CannotSignOffOwnReply>(e.Error);
        Assert.Equal(ErrorKind.Forbidden, e.Error.Kind);
        Assert.Equal(OrderStatus.AwaitingSignoff, s.Status);
        Assert.Contains(OrderAction.SignOff, s.AllowedFor(secondHead, Unit, Root));
        Do(s, OrderAction.SignOff, secondHead, new OrderArgs());
        Assert.Equal(("已约谈相关人员", OrderStatus.Replied), (s.Reply, s.Status));
    }

    [Fact]
    public void Complaint_SignOffWithAnotherText_IsRefused_TheDraftGoesBackInstead()
    {
        var s = ComplaintDraftedBy(Liaison, "经核查，已责令整改");
        var e = Assert.Throws<DomainException>(() => Do(s, OrderAction.SignOff, Head, new OrderArgs("我改写的答复")));
        Assert.Equal((ErrorKind.Conflict, "text"), (e.Error.Kind, e.Error.Field));
        Do(s, OrderAction.SignOff, Head, new OrderArgs("经核查，已责令整改"));   // the same text is a plain sign-off
        Assert.Equal("经核查，已责令整改", s.Reply);
        Assert.Equal("liaison", s.ReplyDraftedBy);
    }

    [Fact]
    public void Complaint_ReturnedDraft_ForgetsTheDrafter()
    {
        var s = ComplaintDraftedBy(Head, "初稿");
        Do(s, OrderAction.ReturnDraft, Head, new OrderArgs("请承办人重拟"));
        Assert.Null(s.ReplyDraftedBy);
        Do(s, OrderAction.SubmitReply, Liaison, new OrderArgs("承办人重拟的答复"));
        Do(s, OrderAction.SignOff, Head, new OrderArgs());
        Assert.Equal(OrderStatus.Replied, s.Status);
    }

    [Fact]
    public void Dissatisfied_RedoOnce_ThenClosesWithRatingKept()
    {
        var s = New(DemandType.Help);
        Do(s, OrderAction.Dispatch, Hotline, new OrderArgs(ToOrg: Unit));
        Do(s, OrderAction.Sign, Liaison);
        Do(s, OrderAction.Reply, Liaison, new OrderArgs("已处理"));
        Do(s, OrderAction.Redo, OrderActor.Citizen, new OrderArgs("没有解决", Rating: Rating.Dissatisfied));
        Assert.Equal(OrderStatus.Handling, s.Status);
        Assert.Null(s.Reply);
        Do(s, OrderAction.Reply, Liaison, new OrderArgs("再次处理"));
        Assert.Throws<DomainException>(() => Do(s, OrderAction.Redo, OrderActor.Citizen, new OrderArgs(Rating: Rating.Dissatisfied)));
        Do(s, OrderAction.Rate, OrderActor.Citizen, new OrderArgs("仍不满意", Rating: Rating.Dissatisfied));
        Assert.Equal(OrderStatus.Closed, s.Status);
        Assert.Equal(Rating.Dissatisfied, s.Rating);
        Assert.Equal(2, s.DissatisfiedCount);
        Assert.Equal(1, s.RedoCount);
    }

    [Fact]
    public void SendBack_ReturnsToDispatch_AndNeedsAReason()
    {
        var s = New(DemandType.Consult);
        Do(s, OrderAction.Dispatch, Hotline, new OrderArgs(ToOrg: Other));
        Assert.Equal(ErrorKind.Forbidden, Assert.Throws<DomainException>(() => Do(s, OrderAction.Sign, Liaison)).Error.Kind);
        Assert.Throws<DomainException>(() => Do(s, OrderAction.SendBack, OtherLiaison, new OrderArgs("不属于本单位")));
        Do(s, OrderAction.SendBack, OtherLiaison, new OrderArgs("不属于本单位", Reason: SendBackReason.WrongPlace));
        Assert.Equal((OrderStatus.Accepted, Root.Id, 1), (s.Status, s.OrgId, s.SendBackCount));
        Do(s, OrderAction.Dispatch, Hotline, new OrderArgs(ToOrg: Unit));
        Assert.Equal(Unit.Id, s.OrgId);
    }

    [Fact]
    public void Dispatch_OnlyByTheDeskCoveringTheDispatchOrg()
    {
        var s = New(DemandType.Consult);
        Assert.Equal(ErrorKind.Forbidden, Assert.Throws<DomainException>(() =>
            Do(s, OrderAction.Dispatch, DistrictOffice, new OrderArgs(ToOrg: Unit))).Error.Kind);
        Assert.Throws<DomainException>(() => Do(s, OrderAction.Dispatch, Hotline, new OrderArgs(ToOrg: Root)));   // not to itself
        Do(s, OrderAction.Dispatch, Hotline2, new OrderArgs(ToOrg: Unit));
    }

    [Fact]
    public void Extension_RequestedBeforeDeadline_ApprovedByDispatch()
    {
        var s = New(DemandType.Suggestion);
        Do(s, OrderAction.Dispatch, Hotline, new OrderArgs(ToOrg: Unit));
        Do(s, OrderAction.Sign, Liaison);
        var old = s.Deadline!.Value;
        Assert.Throws<DomainException>(() => Do(s, OrderAction.RequestExtension, Liaison,
            new OrderArgs("需调研", NewDeadline: old.AddDays(10)), today: old.AddDays(1)));    // too late
        Do(s, OrderAction.RequestExtension, Liaison, new OrderArgs("需调研", NewDeadline: old.AddDays(10)));
        Assert.Equal(old, s.Deadline);
        Assert.Equal(ErrorKind.Forbidden, Assert.Throws<DomainException>(() => Do(s, OrderAction.ApproveExtension, Liaison)).Error.Kind);
        Do(s, OrderAction.ApproveExtension, Hotline);
        Assert.Equal(old.AddDays(10), s.Deadline);
    }

    [Fact]
    public void Deadline_DispatchedBeforeNationalDay_SkipsTheHolidayAndCountsTheMakeUpSaturday()
    {
        var s = New(DemandType.Consult);
        Do(s, OrderAction.Dispatch, Hotline, new OrderArgs(ToOrg: Unit), today: new DateOnly(2026, 9, 30));
        Assert.Equal(new DateOnly(2026, 10, 8), s.SignDue);       // 10-01..07 off
        Assert.Equal(new DateOnly(2026, 10, 10), s.Deadline);     // 10-08, 10-09, 10-10 (Saturday, 调休上班)
    }

    [Fact]
    public void Deadline_ComplaintDispatchedBeforeSpringFestival_ThirteenWorkingDays()
    {
        var s = New(DemandType.Complaint);
        Do(s, OrderAction.Dispatch, Hotline, new OrderArgs(ToOrg: Unit), today: new DateOnly(2026, 2, 13));
        Assert.Equal(new DateOnly(2026, 2, 14), s.SignDue);       // Saturday 2-14 is a working day (调休)
        Assert.Equal(new DateOnly(2026, 3, 10), s.Deadline);      // 2-15..23 off; 2-28 调休上班
    }

    [Fact]
    public void Light_UnsignedPastSignDue_IsRed()
    {
        var s = New(DemandType.Consult);
        Do(s, OrderAction.Dispatch, Hotline, new OrderArgs(ToOrg: Unit), today: new DateOnly(2026, 9, 30));
        Assert.Equal(LightLevel.Red, s.LightOf(new DateOnly(2026, 10, 9), LightRules.Default, Cal).Level);
        Do(s, OrderAction.Sign, Liaison, today: new DateOnly(2026, 10, 9));
        Assert.True(s.SignedLate);
        Assert.Equal(LightLevel.Blue, s.LightOf(new DateOnly(2026, 10, 9), LightRules.Default, Cal).Level);
    }

    [Theory]
    [InlineData("13812345678", "138****5678")]
    [InlineData("19900001111", "199****1111")]
    [InlineData("", "")]
    [InlineData(null, "")]
    public void MaskPhone_KeepsFirstThreeAndLastFour(string? phone, string expected) =>
        Assert.Equal(expected, DemandPrivacy.MaskPhone(phone));

    [Fact]
    public void MaskName_KeepsTheSurnameOnly()
    {
        Assert.Equal("欧**", DemandPrivacy.MaskName("欧阳锦"));
        Assert.Equal("*", DemandPrivacy.MaskName("李"));
    }

    [Fact]
    public void Redact_MasksPhonesIdNumbersAndTheNames()
    {
        var t = DemandPrivacy.Redact("我是张三丰，电话13812345678，身份证440104199001011234，订单号123456789012345678901", "张三丰");
        Assert.DoesNotContain("张三丰", t);
        Assert.DoesNotContain("13812345678", t);
        Assert.Contains("[号码已隐去]", t);
        Assert.DoesNotContain("440104199001011234", t);
        Assert.Contains("123456789012345678901", t);   // longer digit runs are not phone or ID numbers
    }

    [Fact]
    public void Ticket_GZDateAndSixDigitSequence()
    {
        Assert.Equal("GZ20261127000123", DemandPrivacy.Ticket(new DateOnly(2026, 11, 27), 123));
        Assert.Matches(DemandPrivacy.TicketFormat(), DemandPrivacy.Ticket(new DateOnly(2026, 1, 1), 999_999));
        Assert.Throws<ArgumentOutOfRangeException>(() => DemandPrivacy.Ticket(new DateOnly(2026, 1, 1), 1_000_000));
        Assert.Throws<ArgumentOutOfRangeException>(() => DemandPrivacy.Ticket(new DateOnly(2026, 1, 1), 0));
    }

    [Fact]
    public void QueryCode_RandomHashedAndComparedCaseInsensitively()
    {
        var codes = Enumerable.Range(0, 200).Select(_ => DemandPrivacy.NewCode()).ToList();
        Assert.Equal(200, codes.Distinct().Count());
        Assert.All(codes, c => Assert.Matches("^[A-HJ-KM-NP-Z2-9]{8}$", c));
        var hash = DemandPrivacy.HashCode("GZ20261127000001", codes[0]);
        Assert.DoesNotContain(codes[0], hash, StringComparison.OrdinalIgnoreCase);
        Assert.True(DemandPrivacy.CodeMatches("GZ20261127000001", codes[0].ToLowerInvariant(), hash));
        Assert.False(DemandPrivacy.CodeMatches("GZ20261127000002", codes[0], hash));   // bound to its ticket
        Assert.False(DemandPrivacy.CodeMatches("GZ20261127000001", codes[1], hash));
        Assert.False(DemandPrivacy.CodeMatches("GZ20261127000001", null, hash));
    }

    [Fact]
    public void Plain_DropsTagsAndControlCharacters()
    {
        Assert.Equal("路灯不亮alert(1)", DemandPrivacy.Plain("<b>路灯不亮</b><script>alert(1)</script>\u0007"));
    }

    [Fact]
    public void DutyList_WorstLightFirstThenNearestDeadline()
    {
        DutyEntry E(string t, LightLevel l, int? day) => new("k", t, "s", day is { } d ? new DateOnly(2026, 12, d) : null, l, "", "/", 1, "o");
        var list = DutyList.Build([E("a", LightLevel.Green, 1), E("b", LightLevel.Red, 20)], [E("c", LightLevel.Red, 5), E("d", LightLevel.Blue, null)]);
        Assert.Equal(["c", "b", "d", "a"], list.Select(e => e.Title));
    }
}
