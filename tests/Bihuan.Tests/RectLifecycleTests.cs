using Bihuan.Domain;
using FsCheck.Xunit;

namespace Bihuan.Tests;

public sealed class RectLifecycleTests
{
    // 广州市委 (1) → 越秀区委 (2) → 越秀区发改局 (3); 黄埔区委 (4) elsewhere.
    static readonly Org Unit = new() { Id = 3, Name = "越秀区发展和改革局", Code = "GZ-YX-FGJ", Path = "/1/2/" };

    static Actor A(string id, params (Role Role, int OrgId, string SelfPath)[] grants) =>
        new(id, id, AccessScope.For(id, grants.Select(g => new Grant(g.Role, g.OrgId, g.SelfPath))));

    static readonly Actor Liaison = A("liaison", (Role.Liaison, 3, "/1/2/3/"));
    static readonly Actor Head = A("head", (Role.UnitHead, 3, "/1/2/3/"));
    static readonly Actor DistrictOffice = A("yx.office", (Role.CampaignOffice, 2, "/1/2/"));
    static readonly Actor CitySupervisor = A("gz.jw", (Role.Supervisor, 1, "/1/"));
    static readonly Actor OwnOffice = A("own.office", (Role.CampaignOffice, 3, "/1/2/3/"));
    static readonly Actor OtherDistrict = A("hp.office", (Role.CampaignOffice, 4, "/1/4/"));
    static readonly Actor DoubleHat = A("double", (Role.CampaignOffice, 2, "/1/2/"), (Role.Liaison, 3, "/1/2/3/"));
    static readonly Actor[] Actors = [Liaison, Head, DistrictOffice, CitySupervisor, OwnOffice, OtherDistrict, DoubleHat];

    static readonly DateTime Now = new(2026, 11, 27, 2, 0, 0, DateTimeKind.Utc);

    static (RectState State, List<RectEvent> Events, int Failures) Play(uint[] steps, Severity severity, SourceChannel source, DeadlineKind kind,
        IReadOnlyList<ClosureStage>? chain = null)
    {
        var s = new RectState { Severity = severity, Source = source, DeadlineKind = kind,
            Deadline = kind == DeadlineKind.Dated ? new DateOnly(2026, 12, 31) : null };
        var actions = (uint)Enum.GetValues<RectAction>().Length;
        var events = new List<RectEvent>();
        var failures = 0;
        foreach (var x in steps)
        {
            var action = (RectAction)(x % actions);
            var actor = Actors[(int)(x / actions % (uint)Actors.Length)];
            var evidence = (int)(x / (actions * 7) % 3);
            var text = x / (actions * 21) % 4 == 0 ? null : "整改情况说明";
            var newDeadline = s.Deadline?.AddDays((int)(x / (actions * 84) % 60) - 10);
            var deadlineBefore = s.Deadline;
            var before = Snapshot(s);
            var wasRequestedBy = s.ClosureRequestedBy;
            var hadEvidence = s.ClosureEvidenceCount > 0 && !string.IsNullOrWhiteSpace(s.ClosureSummary);
            try
            {
                var pendingBefore = s.PendingReviews.ToList();
                var e = s.Apply(action, actor, Unit, Now, text, x % 2 == 0 ? (int)(x % 101) : null, evidence, 90, newDeadline, chain);
                if (e.Action == RectAction.Review)
                {
                    Assert.NotEqual(wasRequestedBy, actor.AccountId);
                    Assert.True(pendingBefore[0] switch
                    {
                        ClosureStage.UnitSelfCheck => actor.Scope.Has(Role.UnitHead),
                        ClosureStage.LeadReview => actor.Scope.Has(Role.Supervisor) || actor.Scope.Has(Role.CampaignOffice),
                    });
                }
                if (s.Deadline != deadlineBefore)
                {
                    Assert.Equal(RectAction.ApproveExtension, e.Action);   // the deadline moves only by an approved extension
                    Assert.True(s.Deadline > deadlineBefore);
                    Assert.True(s.IsVerifier(actor.Scope, Unit));
                }
                events.Add(e);
                var step = RectLifecycle.Find(e.From, e.Action);
                Assert.NotNull(step);
                Assert.Equal(step.To, e.To);
                if (e.Action == RectAction.Verify)
                {
                    Assert.True(hadEvidence, "closed without evidence and summary");
                    Assert.NotEqual(wasRequestedBy, actor.AccountId);
                    Assert.True(s.IsVerifier(actor.Scope, Unit));
                    if (s.NeedsSupervisor) Assert.True(actor.Scope.Has(Role.Supervisor));
                    Assert.DoesNotContain(actor.Scope.Grants, g => g.OrgSelfPath == "/1/4/");
                    // 对账销号: every configured stage passed since the closure was requested, in order.
                    var sinceRequest = events.Skip(events.FindLastIndex(x => x.Action == RectAction.RequestClosure) + 1)
                        .Where(x => x.Action == RectAction.Review).Select(x => x.Text).ToList();
                    Assert.Equal((chain ?? []).Count, sinceRequest.Count);
                    for (var i = 0; i < sinceRequest.Count; i++) Assert.StartsWith(chain![i].Label(), sinceRequest[i]);
                }
            }
            catch (DomainException)
            {
                failures++;
                Assert.Equal(before, Snapshot(s));   // a refused action changes nothing
            }
        }
        return (s, events, failures);
    }

    static string Snapshot(RectState s) =>
        $"{s.Status}|{s.Percent}|{s.ReturnCount}|{s.ReopenCount}|{s.ClosureRequestedBy}|{s.ClosureSummary}|{s.ClosureEvidenceCount}|{s.VerifiedBy}|{s.ClosedAt}|{s.RecheckDue}|{s.Deadline}|{s.ExtensionRequestedTo}|{s.ExtensionRequestedBy}|{s.ExtensionCount}|{string.Join(",", s.PendingReviews)}|{s.Handler}";

    [Property(MaxTest = 400)]
    public void Apply_AnySequence_ClosesOnlyWithEvidenceAndAnAuthorizedOtherVerifier(uint[] steps, bool serious, bool fromInspection)
    {
        var (state, events, failures) = Play(steps, serious ? Severity.Serious : Severity.General,
            fromInspection ? SourceChannel.InspectionFeedback : SourceChannel.SelfInspection, DeadlineKind.Dated);
        Assert.Equal(steps.Length, events.Count + failures);   // every accepted action left exactly one event
        if (state.Status is RectStatus.Closed or RectStatus.Confirmed)
            Assert.Contains(events, e => e.Action == RectAction.Verify);
        Assert.Equal(events.Count(e => e.Action == RectAction.Reopen), state.ReopenCount);
        Assert.Equal(events.Count(e => e.Action == RectAction.Return), state.ReturnCount);
    }

    [Property(MaxTest = 400)]
    public void Apply_AnySequence_WithReviewChain_ClosesOnlyAfterEveryStage(uint[] steps, bool selfCheck, bool leadReview)
    {
        List<ClosureStage> chain = [.. selfCheck ? [ClosureStage.UnitSelfCheck] : Array.Empty<ClosureStage>(),
            .. leadReview ? [ClosureStage.LeadReview] : Array.Empty<ClosureStage>()];
        var (state, events, failures) = Play(steps, Severity.General, SourceChannel.InspectionFeedback, DeadlineKind.Dated, chain);
        Assert.Equal(steps.Length, events.Count + failures);
        if (state.Status is RectStatus.Closed or RectStatus.Confirmed) Assert.Empty(state.PendingReviews);
    }

    [Fact]
    public void ReviewChain_SelfCheckThenLeadReviewThenSupervisor_ClosesInOrder()
    {
        List<ClosureStage> chain = [ClosureStage.UnitSelfCheck, ClosureStage.LeadReview];
        var s = new RectState { Source = SourceChannel.InspectionFeedback, Status = RectStatus.InProgress };
        s.Apply(RectAction.RequestClosure, Liaison, Unit, Now, "已完成整改", evidenceCount: 1, chain: chain);
        Assert.Equal([ClosureStage.UnitSelfCheck, ClosureStage.LeadReview], s.PendingReviews);
        // The supervisor cannot verify before the stages are passed, and only the unit head self-checks.
        Assert.IsType<ReviewsPending>(Assert.Throws<DomainException>(() => s.Apply(RectAction.Verify, CitySupervisor, Unit, Now)).Error);
        Assert.DoesNotContain(RectAction.Verify, s.AllowedFor(CitySupervisor.Scope, Unit));
        Assert.IsType<NotYourParty>(Assert.Throws<DomainException>(() => s.Apply(RectAction.Review, DistrictOffice, Unit, Now)).Error);
        Assert.Equal([RectAction.Return, RectAction.Review], s.AllowedFor(Head.Scope, Unit).Order());
        var e = s.Apply(RectAction.Review, Head, Unit, Now, "经单位自验，整改到位");
        Assert.Equal("单位自验：经单位自验，整改到位", e.Text);
        Assert.Equal(RectStatus.ClosureRequested, s.Status);
        Assert.IsType<NotYourParty>(Assert.Throws<DomainException>(() => s.Apply(RectAction.Review, Head, Unit, Now)).Error);
        s.Apply(RectAction.Review, DistrictOffice, Unit, Now);
        Assert.Empty(s.PendingReviews);
        Assert.DoesNotContain(RectAction.Review, s.AllowedFor(DistrictOffice.Scope, Unit));
        s.Apply(RectAction.Verify, CitySupervisor, Unit, Now);   // 巡视巡察反馈: the supervisor accepts
        Assert.Equal(RectStatus.Closed, s.Status);
    }

    [Fact]
    public void ReviewChain_ReviewerReturns_StartsOverOnTheNextRequest()
    {
        List<ClosureStage> chain = [ClosureStage.UnitSelfCheck];
        var s = new RectState { Source = SourceChannel.SelfInspection, Status = RectStatus.InProgress };
        s.Apply(RectAction.RequestClosure, Liaison, Unit, Now, "已完成", evidenceCount: 1, chain: chain);
        Assert.IsType<CannotVerifyOwnClosure>(Assert.Throws<DomainException>(() =>
            s.Apply(RectAction.Review, A("liaison", (Role.UnitHead, 3, "/1/2/3/")), Unit, Now)).Error);
        s.Apply(RectAction.Return, Head, Unit, Now, "佐证材料不全");
        Assert.Equal(RectStatus.Returned, s.Status);
        Assert.Empty(s.PendingReviews);
        s.Apply(RectAction.RequestClosure, Liaison, Unit, Now, "已补充", evidenceCount: 2, chain: chain);
        Assert.Equal([ClosureStage.UnitSelfCheck], s.PendingReviews);
    }

    [Property(MaxTest = 200)]
    public void Apply_OngoingItem_NeverClosesWithoutExplicitVerification(uint[] steps)
    {
        var n = (uint)Enum.GetValues<RectAction>().Length;
        var (state, events, _) = Play(steps.Where(x => x % n != (uint)RectAction.Verify).ToArray(),
            Severity.General, SourceChannel.SelfInspection, DeadlineKind.Ongoing);
        Assert.DoesNotContain(state.Status, new[] { RectStatus.Closed, RectStatus.Confirmed });
        Assert.DoesNotContain(events, e => e.To == RectStatus.Closed);
    }

    [Fact]
    public void Verify_ByRequester_IsRefused()
    {
        var s = new RectState { Status = RectStatus.InProgress };
        s.Apply(RectAction.RequestClosure, DoubleHat, Unit, Now, "已完成", null, 2);
        var e = Assert.Throws<DomainException>(() => s.Apply(RectAction.Verify, DoubleHat, Unit, Now));
        Assert.IsType<CannotVerifyOwnClosure>(e.Error);
        Assert.Equal(RectStatus.ClosureRequested, s.Status);
    }

    [Fact]
    public void Verify_SeriousItemByCampaignOffice_IsRefused_SupervisorSucceeds()
    {
        var s = new RectState { Status = RectStatus.InProgress, Severity = Severity.Serious };
        s.Apply(RectAction.RequestClosure, Liaison, Unit, Now, "已完成", null, 1);
        Assert.IsType<NotYourParty>(Assert.Throws<DomainException>(() => s.Apply(RectAction.Verify, DistrictOffice, Unit, Now)).Error);
        s.Apply(RectAction.Verify, CitySupervisor, Unit, Now);
        Assert.Equal(RectStatus.Closed, s.Status);
        Assert.Equal(new DateOnly(2027, 2, 25), s.RecheckDue);   // 90 days after 2026-11-27 (CST)
    }

    [Fact]
    public void RequestClosure_WithoutEvidence_IsRefused()
    {
        var s = new RectState { Status = RectStatus.InProgress };
        var e = Assert.Throws<DomainException>(() => s.Apply(RectAction.RequestClosure, Liaison, Unit, Now, "已完成", null, 0));
        Assert.IsType<ClosureNeedsEvidence>(e.Error);
    }

    [Fact]
    public void Verify_OwnOrgOffice_IsNotSuperior_Refused()
    {
        var s = new RectState { Status = RectStatus.InProgress };
        s.Apply(RectAction.RequestClosure, Liaison, Unit, Now, "已完成", null, 1);
        Assert.IsType<NotYourParty>(Assert.Throws<DomainException>(() => s.Apply(RectAction.Verify, OwnOffice, Unit, Now)).Error);
        Assert.IsType<NotYourParty>(Assert.Throws<DomainException>(() => s.Apply(RectAction.Verify, OtherDistrict, Unit, Now)).Error);
    }

    [Fact]
    public void Reopen_AfterClosure_CountsAndClearsClosure()
    {
        var s = new RectState { Status = RectStatus.InProgress };
        s.Apply(RectAction.RequestClosure, Liaison, Unit, Now, "已完成", null, 1);
        s.Apply(RectAction.Verify, DistrictOffice, Unit, Now);
        s.Apply(RectAction.Reopen, DistrictOffice, Unit, Now, "回头看发现问题反弹");
        Assert.Equal(RectStatus.InProgress, s.Status);
        Assert.Equal(1, s.ReopenCount);
        Assert.Equal(0, s.Percent);   // progress is reported afresh, so 序时进度 lag can fire again
        Assert.Null(s.VerifiedBy);
        Assert.Null(s.RecheckDue);
    }

    [Fact]
    public void Extension_RequestedByOwner_ApprovedBySuperior_MovesDeadline()
    {
        var s = new RectState { Status = RectStatus.InProgress, DeadlineKind = DeadlineKind.Dated, Deadline = new DateOnly(2026, 12, 31) };
        s.Apply(RectAction.RequestExtension, Liaison, Unit, Now, "涉及跨部门协调，需延期", null, 0, 90, new DateOnly(2027, 3, 31));
        Assert.Equal(new DateOnly(2026, 12, 31), s.Deadline);   // not before approval
        Assert.IsType<NotYourParty>(Assert.Throws<DomainException>(() =>
            s.Apply(RectAction.ApproveExtension, Head, Unit, Now)).Error);
        var e = s.Apply(RectAction.ApproveExtension, DistrictOffice, Unit, Now, "同意");
        Assert.Equal(new DateOnly(2027, 3, 31), s.Deadline);
        Assert.Equal(1, s.ExtensionCount);
        Assert.Contains("2026-12-31 → 2027-03-31", e.Text);
    }

    [Fact]
    public void Extension_EarlierDateOrOngoingItem_IsRefused()
    {
        var s = new RectState { Status = RectStatus.InProgress, DeadlineKind = DeadlineKind.Dated, Deadline = new DateOnly(2026, 12, 31) };
        Assert.IsType<ExtensionNotApplicable>(Assert.Throws<DomainException>(() =>
            s.Apply(RectAction.RequestExtension, Liaison, Unit, Now, "理由", null, 0, 90, new DateOnly(2026, 12, 1))).Error);
        var ongoing = new RectState { Status = RectStatus.InProgress, DeadlineKind = DeadlineKind.Ongoing };
        Assert.IsType<ExtensionNotApplicable>(Assert.Throws<DomainException>(() =>
            ongoing.Apply(RectAction.RequestExtension, Liaison, Unit, Now, "理由", null, 0, 90, new DateOnly(2027, 1, 1))).Error);
    }

    [Fact]
    public void AllowedFor_OffersEachPartyOnlyItsOwnActions()
    {
        var s = new RectState { Status = RectStatus.ClosureRequested };
        Assert.Empty(s.AllowedFor(Liaison.Scope, Unit));
        Assert.Equal([RectAction.Return, RectAction.Verify], s.AllowedFor(DistrictOffice.Scope, Unit).Order());
        Assert.Empty(s.AllowedFor(OtherDistrict.Scope, Unit));
        Assert.Empty(s.AllowedFor(OwnOffice.Scope, Unit));
        s.Status = RectStatus.Pending;
        Assert.Equal([RectAction.Start, RectAction.ReportProgress, RectAction.Assign], s.AllowedFor(Head.Scope, Unit).Order());
        s.DeadlineKind = DeadlineKind.Dated;
        s.Deadline = new DateOnly(2026, 12, 31);
        Assert.Equal([RectAction.Start, RectAction.ReportProgress, RectAction.RequestExtension, RectAction.Assign],
            s.AllowedFor(Head.Scope, Unit).Order());
        s.ExtensionRequestedTo = new DateOnly(2027, 1, 31);
        Assert.Equal([RectAction.ApproveExtension, RectAction.RefuseExtension], s.AllowedFor(DistrictOffice.Scope, Unit).Order());
        s.ExtensionRequestedTo = null;
        s.Deadline = null;
        Assert.Empty(s.AllowedFor(DistrictOffice.Scope, Unit));
        // a serious item in review: the office is offered nothing, the supervisor both verifier actions
        var serious = new RectState { Status = RectStatus.ClosureRequested, Severity = Severity.Serious };
        Assert.Empty(serious.AllowedFor(DistrictOffice.Scope, Unit));
        Assert.Equal([RectAction.Return, RectAction.Verify], serious.AllowedFor(CitySupervisor.Scope, Unit).Order());
        // and what it offers is what Apply accepts for the party
        foreach (var actor in Actors)
            foreach (var a in new RectState { Status = RectStatus.Returned }.AllowedFor(actor.Scope, Unit))
                new RectState { Status = RectStatus.Returned }.Apply(a, actor, Unit, Now, "说明", null, 1);
    }
}
