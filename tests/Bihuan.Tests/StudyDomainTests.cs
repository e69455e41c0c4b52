using Bihuan.Domain;
using FsCheck.Xunit;

namespace Bihuan.Tests;

public sealed class HtmlSanitizerTests
{
    [Theory]
    [InlineData("<script>alert(1)</script>")]
    [InlineData("<SCRIPT SRC=//evil.example/x.js></SCRIPT>")]
    [InlineData("<img src=x onerror=alert(1)>")]
    [InlineData("<p onclick=\"alert(1)\">点我</p>")]
    [InlineData("<a href=\"javascript:alert(1)\">链接</a>")]
    [InlineData("<svg/onload=alert(1)>")]
    [InlineData("<iframe src=\"data:text/html,<script>alert(1)</script>\"></iframe>")]
    [InlineData("<scr<script>ipt>alert(1)</script>")]
    [InlineData("<p style=\"background:url(javascript:alert(1))\">x</p>")]
    [InlineData("<!--<script>alert(1)</script>-->")]
    [InlineData("<strong x=\"a>b\" onmouseover=alert(1)>粗</strong>")]
    [InlineData("<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>")]
    [InlineData("&lt;script&gt;alert(1)&lt;/script&gt;")]
    [InlineData("<p>\"><script>alert(1)</script></p>")]
    [InlineData("<body onload=alert(1)>")]
    [InlineData("<object data=\"x.swf\"></object><embed src=x>")]
    [InlineData("<form action=//evil><input name=x></form>")]
    [InlineData("<td background=\"javascript:alert(1)\">")]
    public void Sanitize_XssVector_LeavesNothingExecutable(string input)
    {
        var html = HtmlSanitizer.Sanitize(input);
        var lower = html.ToLowerInvariant();
        Assert.DoesNotContain("<script", lower);
        Assert.DoesNotContain("<img", lower);
        Assert.DoesNotContain("<svg", lower);
        Assert.DoesNotContain("<iframe", lower);
        Assert.DoesNotContain("<a ", lower);
        Assert.DoesNotContain("<style", lower);
        Assert.DoesNotContain("<body", lower);
        Assert.DoesNotContain("<input", lower);
        // No tag keeps an attribute: every '<' begins a bare allowed tag.
        Assert.Matches("^([^<>]|<(/?)(p|br|strong|em|b|i|ul|ol|li|h3|h4|table|thead|tbody|tr|th|td)>)*$", html);
        Assert.Equal(html, HtmlSanitizer.Sanitize(html));   // idempotent
    }

    [Fact]
    public void Sanitize_AllowedFormatting_IsKeptWithoutAttributes()
    {
        var html = HtmlSanitizer.Sanitize("<h3 class=\"x\">一、总体要求</h3><p>按照<strong>总要求</strong><br/>推进</p><ul><li>学</li><li>查</li></ul><table border=1><tr><td>任务</td></tr></table>");
        Assert.Equal("<h3>一、总体要求</h3><p>按照<strong>总要求</strong><br>推进</p><ul><li>学</li><li>查</li></ul><table><tr><td>任务</td></tr></table>", html);
    }

    [Fact]
    public void Sanitize_UnbalancedTags_AreClosedAndStrayClosersDropped()
    {
        Assert.Equal("<p><strong>未闭合</strong></p>", HtmlSanitizer.Sanitize("<p><strong>未闭合"));
        Assert.Equal("文字", HtmlSanitizer.Sanitize("</p></li>文字"));
        Assert.Equal("a &lt; b &amp;&amp; c", HtmlSanitizer.Sanitize("a < b && c"));
    }

    [Fact]
    public void Paragraphs_SplitBlocksIntoLines()
    {
        Assert.Equal(["标题", "第一段", "要点一", "要点二"],
            HtmlSanitizer.Paragraphs("<h3>标题</h3><p>第一段</p><ul><li>要点一</li><li>要点二</li></ul>"));
        Assert.Equal("<p>第一行</p><p>&lt;第二行&gt;</p>", HtmlSanitizer.FromPlainText("第一行\r\n\n<第二行>"));
    }
}

public sealed class TextDiffTests
{
    [Fact]
    public void Lines_ChangedAddedRemoved_AreAlignedSideBySide()
    {
        var rows = TextDiff.Lines(["一", "二", "三", "四"], ["一", "二（改）", "三", "五", "六"]);
        Assert.Equal([TextDiff.Kind.Same, TextDiff.Kind.Changed, TextDiff.Kind.Same, TextDiff.Kind.Changed, TextDiff.Kind.Added],
            rows.Select(r => r.Kind));
        Assert.Equal(("二", "二（改）"), (rows[1].Left, rows[1].Right));
        Assert.Null(rows[^1].Left);
    }

    [Property(MaxTest = 200)]
    public void Lines_AnyInputs_ReconstructBothSides(string[] a, string[] b)
    {
        a = a.Where(x => x is not null).ToArray();
        b = b.Where(x => x is not null).ToArray();
        var rows = TextDiff.Lines(a, b);
        Assert.Equal(a, rows.Where(r => r.Left is not null).Select(r => r.Left!));
        Assert.Equal(b, rows.Where(r => r.Right is not null).Select(r => r.Right!));
    }
}

public sealed class PlanLifecycleTests
{
    // 广州市委 (1) → 越秀区委 (2) → 越秀区发改局 (3); 黄埔区委 (4) elsewhere.
    static readonly Org Unit = new() { Id = 3, Name = "越秀区发展和改革局", Code = "GZ-YX-FGJ", Path = "/1/2/" };

    static Actor A(string id, params (Role Role, int OrgId, string SelfPath)[] grants) =>
        new(id, id, AccessScope.For(id, grants.Select(g => new Grant(g.Role, g.OrgId, g.SelfPath))));

    static readonly Actor Liaison = A("liaison", (Role.Liaison, 3, "/1/2/3/"));
    static readonly Actor Head = A("head", (Role.UnitHead, 3, "/1/2/3/"));
    static readonly Actor Member = A("member", (Role.Member, 3, "/1/2/3/"));
    static readonly Actor DistrictOffice = A("yx.office", (Role.CampaignOffice, 2, "/1/2/"));
    static readonly Actor CityOffice = A("gz.office", (Role.CampaignOffice, 1, "/1/"));
    static readonly Actor OwnOffice = A("own.office", (Role.CampaignOffice, 3, "/1/2/3/"));
    static readonly Actor OtherDistrict = A("hp.office", (Role.CampaignOffice, 4, "/1/4/"));
    static readonly Actor Supervisor = A("gz.jw", (Role.Supervisor, 1, "/1/"));
    // Drafts in the unit and sits in the district office: may never approve what they drafted.
    static readonly Actor DoubleHat = A("double", (Role.CampaignOffice, 2, "/1/2/"), (Role.Liaison, 3, "/1/2/3/"));
    static readonly Actor[] Actors = [Liaison, Head, Member, DistrictOffice, CityOffice, OwnOffice, OtherDistrict, Supervisor, DoubleHat];

    static readonly DateTime Now = new(2026, 11, 27, 2, 0, 0, DateTimeKind.Utc);

    static string Snapshot(PlanState s) =>
        $"{s.Status}|{s.Version}|{s.DraftedBy}|{s.SignedOffBy}|{s.SubmittedBy}|{s.ApprovedBy}|{s.ApprovedAt}|{s.ReturnCount}|{s.LastComment}";

    [Property(MaxTest = 500)]
    public void Apply_AnySequence_ApprovesOnlySignedSubmittedPlansBySuperiorOtherThanDrafter(uint[] steps)
    {
        var s = new PlanState { DraftedBy = "liaison" };
        var actions = (uint)Enum.GetValues<PlanAction>().Length;
        var signedBy = (string?)null;
        foreach (var x in steps)
        {
            var action = (PlanAction)(x % actions);
            var actor = Actors[(int)(x / actions % (uint)Actors.Length)];
            var comment = x / (actions * 9) % 3 == 0 ? null : "请补充开门教育安排";
            var hasContent = x / (actions * 27) % 4 != 0;
            var before = Snapshot(s);
            var drafter = s.DraftedBy;
            var from = s.Status;
            try
            {
                var c = s.Apply(action, actor, Unit, Now, comment, hasContent);
                var step = PlanLifecycle.Find(c.From, c.Action);
                Assert.NotNull(step);
                Assert.Equal(step.To, s.Status);
                switch (action)
                {
                    case PlanAction.SignOff:
                        Assert.True(actor.Scope.Has(Role.UnitHead));
                        Assert.True(hasContent);
                        Assert.NotEqual(drafter, actor.AccountId);     // two persons: never the last writer
                        signedBy = actor.AccountId;
                        break;
                    case PlanAction.Submit:
                        Assert.Equal(PlanStatus.SignedOff, from);      // never submitted without the head's sign-off
                        Assert.NotNull(s.SignedOffBy);
                        break;
                    case PlanAction.Approve or PlanAction.Return:
                        Assert.Equal(PlanStatus.Submitted, from);
                        Assert.NotEqual(drafter, actor.AccountId);
                        Assert.Contains(actor.Scope.Grants, g => g.Role == Role.CampaignOffice && g.OrgSelfPath != "/1/2/3/" && "/1/2/3/".StartsWith(g.OrgSelfPath));
                        if (action == PlanAction.Return) Assert.False(string.IsNullOrWhiteSpace(comment));
                        break;
                    case PlanAction.Edit:
                        Assert.Equal(PlanStatus.Draft, s.Status);
                        Assert.Null(s.SignedOffBy);                   // an edit voids the sign-off
                        break;
                }
            }
            catch (DomainException)
            {
                Assert.Equal(before, Snapshot(s));   // a refused action changes nothing
            }
        }
        Assert.True(s.Status != PlanStatus.Approved || s.ApprovedBy != s.DraftedBy);
        _ = signedBy;
    }

    [Fact]
    public void Approve_ByOwnOrgsOffice_IsRefused()
    {
        var s = new PlanState { Status = PlanStatus.Submitted, DraftedBy = "liaison" };
        var e = Assert.Throws<DomainException>(() => s.Apply(PlanAction.Approve, OwnOffice, Unit, Now));
        Assert.IsType<NotPlanParty>(e.Error);
        Assert.Throws<DomainException>(() => s.Apply(PlanAction.Approve, OtherDistrict, Unit, Now));
        s.Apply(PlanAction.Approve, CityOffice, Unit, Now);
        Assert.Equal(PlanStatus.Approved, s.Status);
    }

    [Fact]
    public void Approve_ByTheDrafterHoldingSuperiorOffice_IsRefused()
    {
        var s = new PlanState { Status = PlanStatus.Submitted, DraftedBy = "double" };
        var e = Assert.Throws<DomainException>(() => s.Apply(PlanAction.Approve, DoubleHat, Unit, Now));
        Assert.IsType<CannotApproveOwnPlan>(e.Error);
    }

    [Fact]
    public void Submit_WithoutSignOff_IsIllegal_AndReturnNeedsComment()
    {
        var s = new PlanState { DraftedBy = "liaison" };
        Assert.IsType<IllegalPlanTransition>(Assert.Throws<DomainException>(() => s.Apply(PlanAction.Submit, Liaison, Unit, Now)).Error);
        Assert.IsType<NotPlanParty>(Assert.Throws<DomainException>(() => s.Apply(PlanAction.SignOff, Liaison, Unit, Now)).Error);
        Assert.IsType<PlanNeedsTasks>(Assert.Throws<DomainException>(() => s.Apply(PlanAction.SignOff, Head, Unit, Now, hasContent: false)).Error);
        s.Apply(PlanAction.SignOff, Head, Unit, Now);
        s.Apply(PlanAction.Submit, Liaison, Unit, Now);
        Assert.Equal(1, s.Version);
        Assert.IsType<CommentRequired>(Assert.Throws<DomainException>(() => s.Apply(PlanAction.Return, DistrictOffice, Unit, Now, " ")).Error);
        s.Apply(PlanAction.Return, DistrictOffice, Unit, Now, "补充任务时限");
        Assert.Equal(PlanStatus.Returned, s.Status);
        Assert.Equal(["Edit"], s.AllowedFor(Liaison.Scope, Unit).Select(a => a.ToString()));
        Assert.Empty(s.AllowedFor(Member.Scope, Unit));
    }

    [Fact]
    public void SignOff_ByTheHeadWhoWroteTheText_IsRefusedAndNotOffered_AnotherHeadSigns()
    {
        var secondHead = A("head2", (Role.UnitHead, 3, "/1/2/3/"));
        var s = new PlanState();
        s.Apply(PlanAction.Edit, Head, Unit, Now);                      // the head writes the text himself
        Assert.Equal("head", s.DraftedBy);
        Assert.DoesNotContain(PlanAction.SignOff, s.AllowedFor(Head.Scope, Unit));
        Assert.IsType<CannotSignOffOwnDraft>(Assert.Throws<DomainException>(() => s.Apply(PlanAction.SignOff, Head, Unit, Now)).Error);
        Assert.Equal(PlanStatus.Draft, s.Status);
        Assert.Contains(PlanAction.SignOff, s.AllowedFor(secondHead.Scope, Unit));
        s.Apply(PlanAction.SignOff, secondHead, Unit, Now);
        Assert.Equal("head2", s.SignedOffBy);
        // A liaison's rewrite makes the first head a second person again.
        s.Apply(PlanAction.Edit, Liaison, Unit, Now);
        s.Apply(PlanAction.SignOff, Head, Unit, Now);
        Assert.Equal(PlanStatus.SignedOff, s.Status);
    }

    [Fact]
    public void AllowedFor_Drafter_NeverOfferedApproveOrReturn()
    {
        var s = new PlanState { DraftedBy = "double", Status = PlanStatus.Submitted };
        Assert.Empty(s.AllowedFor(DoubleHat.Scope, Unit));
        Assert.Equal([PlanAction.Return, PlanAction.Approve], s.AllowedFor(DistrictOffice.Scope, Unit).Order());
        Assert.Empty(s.AllowedFor(OwnOffice.Scope, Unit));             // the unit's own office is no superior
    }
}

public sealed class MeetingRulesTests
{
    static MeetingRules.Attendee P(int id, AttendanceStatus s, string? reason = null) => new(id, s, reason);

    [Fact]
    public void Apply_StudySession_RecordsPresentAndOwesMakeUpForOthers()
    {
        var o = MeetingRules.Apply([P(1, AttendanceStatus.Present), P(2, AttendanceStatus.Present), P(3, AttendanceStatus.Leave, "培训"),
            P(4, AttendanceStatus.Absent)], [10, 11, 10]);
        Assert.Equal([(1, 10), (1, 11), (2, 10), (2, 11)], o.Studied);
        Assert.Equal([3, 4], o.MakeUps);
    }

    [Fact]
    public void Apply_NoArticleStudied_NoRecordsNoMakeUps()
    {
        var o = MeetingRules.Apply([P(1, AttendanceStatus.Present), P(2, AttendanceStatus.Absent)], []);
        Assert.Empty(o.Studied);
        Assert.Empty(o.MakeUps);
    }

    [Fact]
    public void Validate_LeaveWithoutReason_NoType_FutureDate_Duplicates_AreRefused()
    {
        var today = new DateOnly(2026, 11, 27);
        var fields = MeetingRules.Validate([], [P(1, AttendanceStatus.Leave), P(1, AttendanceStatus.Present)], " ", today.AddDays(5), today)
            .Select(e => e.Field).ToList();
        Assert.Contains("title", fields);
        Assert.Contains("typeIds", fields);
        Assert.Contains("heldOn", fields);
        Assert.Equal(2, fields.Count(f => f == "attendance"));
        Assert.Empty(MeetingRules.Validate([1, 2], [P(1, AttendanceStatus.Leave, "出差")], "常委会会议", today, today));
    }
}

public sealed class StudyProgressTests
{
    static readonly int[] All = [1, 2, 3, 4, 5];
    static readonly int[] Core = [1, 3];

    [Fact]
    public void Compute_LeadershipNeedsAll_MembersNeedCore_DuplicatesCountOnce()
    {
        var people = StudyProgress.Compute(
            [new(1, "陈志明", 3, true), new(2, "刘伟", 3, false), new(3, "王芳", 3, false)], All, Core,
            [(1, 1), (1, 1), (1, 2), (2, 1), (2, 3), (2, 4), (2, 99)], new Dictionary<int, int> { [1] = 2 });
        var head = people.Single(p => p.PersonId == 1);
        Assert.Equal((5, 2, 2, 2), (head.Required, head.Completed, head.Studied, head.Speeches));
        var member = people.Single(p => p.PersonId == 2);
        Assert.Equal((2, 2, 3), (member.Required, member.Completed, member.Studied));   // 99 is not a campaign article
        Assert.True(member.Done);
        Assert.False(people.Single(p => p.PersonId == 3).Started);
        var s = StudyProgress.Summarize(people);
        Assert.Equal(new StudyProgress.Summary(3, 1, 1, 9, 4, 2), s);
        Assert.Equal(44, s.Percent);
    }

    [Property(MaxTest = 200)]
    public void Compute_AnyRecords_CompletedNeverExceedsRequired((byte Person, byte Article)[] records, bool leader)
    {
        var p = StudyProgress.Compute([new(1, "甲", 1, leader)], All, Core,
            records.Select(r => (r.Person % 3, r.Article % 8))).Single();
        Assert.InRange(p.Completed, 0, p.Required);
        Assert.True(p.Completed <= p.Studied);
    }

    [Fact]
    public void Compute_NoCampaignMaterials_NothingRequired()
    {
        var p = StudyProgress.Compute([new(1, "甲", 1, true)], [], [], [(1, 7)]).Single();
        Assert.Equal((0, 0, false), (p.Required, p.Completed, p.Done));
        Assert.Equal(0, StudyProgress.Summarize([p]).Percent);
    }
}

public sealed class RuleTests
{
    [Fact]
    public void Validate_IssuedWithoutDate_ReviewBeforeIssue_AreRefused()
    {
        var d = new DateOnly(2026, 11, 1);
        Assert.Contains(Rule.Validate("制度", null, RuleStatus.Issued, null, null), e => e.Field == "issuedOn");
        Assert.Contains(Rule.Validate("制度", null, RuleStatus.Issued, d, d), e => e.Field == "nextReviewOn");
        Assert.Contains(Rule.Validate("", null, RuleStatus.Draft, null, null), e => e.Field == "title");
        Assert.Contains(Rule.Validate("制度", null, (RuleStatus)42, null, null), e => e.Field == "status");
        Assert.Empty(Rule.Validate("制度", "越发改〔2026〕12号", RuleStatus.Draft, null, null));
        Assert.True(RuleStatus.Revised.InForce());
        Assert.False(RuleStatus.Abolished.InForce());
    }

}
