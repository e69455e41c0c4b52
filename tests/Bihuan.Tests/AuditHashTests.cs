using Bihuan.Domain;

namespace Bihuan.Tests;

public sealed class AuditHashTests
{
    static AuditEntry Sample() => new()
    {
        Seq = 7,
        At = new DateTime(2026, 11, 27, 8, 30, 15, DateTimeKind.Utc).AddTicks(1234560),
        Actor = "admin@bihuan",
        EntityType = "Org",
        EntityId = "42",
        Action = AuditAction.Update,
        Before = """{"Name":"旧名"}""",
        After = """{"Name":"新名"}""",
        Note = "改名",
        OrgPath = "/1/5/42/",
        PrevHash = new string('a', 64),
    };

    public static TheoryData<string> Fields() =>
        ["PrevHash", "Seq", "At", "Actor", "EntityType", "EntityId", "Action", "Before", "After", "Note", "OrgPath",
         "Before=null", "After=null", "Note=null", "OrgPath=null"];

    static void Mutate(AuditEntry e, string field)
    {
        switch (field)
        {
            case "PrevHash": e.PrevHash = new string('b', 64); break;
            case "Seq": e.Seq++; break;
            case "At": e.At = e.At.AddSeconds(1); break;
            case "Actor": e.Actor += "x"; break;
            case "EntityType": e.EntityType = "Person"; break;
            case "EntityId": e.EntityId = "43"; break;
            case "Action": e.Action = AuditAction.Delete; break;
            case "Before": e.Before += " "; break;
            case "After": e.After += " "; break;
            case "Note": e.Note = "改名（更正）"; break;
            case "OrgPath": e.OrgPath = "/1/6/42/"; break;
            case "Before=null": e.Before = null; break;
            case "After=null": e.After = null; break;
            case "Note=null": e.Note = null; break;
            case "OrgPath=null": e.OrgPath = null; break;
            default: throw new ArgumentException(field);
        }
    }

    [Theory]
    [MemberData(nameof(Fields))]
    public void ComputeHash_OneFieldChanged_HashChanges(string field)
    {
        var e = Sample();
        var original = e.ComputeHash();

        Mutate(e, field);

        Assert.NotEqual(original, e.ComputeHash());
    }

    [Fact]
    public void ComputeHash_SameContent_SameLowercaseHex64()
    {
        var h = Sample().ComputeHash();

        Assert.Equal(h, Sample().ComputeHash());
        Assert.Matches("^[0-9a-f]{64}$", h);
    }

    [Fact]
    public void ComputeHash_EmptyVersusNull_Differ()
    {
        var a = Sample();
        a.Before = "";
        var b = Sample();
        b.Before = null;

        Assert.NotEqual(a.ComputeHash(), b.ComputeHash());
    }

    [Fact]
    public void ComputeHash_SubMicrosecondTicks_Ignored()
    {
        // Storage keeps microseconds; a value read back without its last tick digit must verify.
        var a = Sample();
        var b = Sample();
        b.At = a.At.AddTicks(-(a.At.Ticks % 10)).AddTicks(9);
        a.At = a.At.AddTicks(-(a.At.Ticks % 10));

        Assert.Equal(a.ComputeHash(), b.ComputeHash());
    }

    [Fact]
    public void ComputeHash_LocalKindSameInstant_SameHash()
    {
        var a = Sample();
        var b = Sample();
        b.At = a.At.ToLocalTime();

        Assert.Equal(a.ComputeHash(), b.ComputeHash());
    }

    static List<AuditEntry> Chain(int n)
    {
        var list = new List<AuditEntry>();
        var prev = AuditEntry.Genesis;
        for (var i = 1; i <= n; i++)
        {
            var e = Sample();
            e.Seq = i;
            e.EntityId = i.ToString(System.Globalization.CultureInfo.InvariantCulture);
            e.PrevHash = prev;
            e.Hash = prev = e.ComputeHash();
            list.Add(e);
        }
        return list;
    }

    static long? FirstBroken(List<AuditEntry> chain)
    {
        var prev = AuditEntry.Genesis;
        foreach (var e in chain)
        {
            if (e.PrevHash != prev || e.ComputeHash() != e.Hash) return e.Seq;
            prev = e.Hash;
        }
        return null;
    }

    [Fact]
    public void ComputeHash_ChainOfThree_EveryLinkRecomputes()
    {
        var chain = Chain(3);

        Assert.Equal(AuditEntry.Genesis, chain[0].PrevHash);
        Assert.Equal(chain[0].Hash, chain[1].PrevHash);
        Assert.Equal(chain[1].Hash, chain[2].PrevHash);
        Assert.All(chain, e => Assert.Equal(e.Hash, e.ComputeHash()));
        Assert.Equal(3, chain.Select(e => e.Hash).Distinct().Count());
        Assert.Null(FirstBroken(chain));
    }

    [Fact]
    public void ComputeHash_MiddleEntryEdited_ChainBreaksThere()
    {
        var chain = Chain(3);

        chain[1].After = """{"Name":"篡改"}""";

        Assert.Equal(2, FirstBroken(chain));
    }

    [Fact]
    public void ComputeHash_MiddleEntryRemoved_ChainBreaksAfterIt()
    {
        var chain = Chain(3);

        chain.RemoveAt(1);

        Assert.Equal(3, FirstBroken(chain));
    }

    [Fact]
    public void ComputeHash_MiddleEntryRehashed_NextLinkBreaks()
    {
        // An attacker who edits an entry and recomputes its own hash still breaks the following PrevHash.
        var chain = Chain(3);

        chain[1].Note = "篡改";
        chain[1].Hash = chain[1].ComputeHash();

        Assert.Equal(3, FirstBroken(chain));
    }

    [Fact]
    public void Genesis_Constant_SixtyFourZeros()
    {
        Assert.Equal(64, AuditEntry.Genesis.Length);
        Assert.Matches("^0{64}$", AuditEntry.Genesis);
    }

    [Fact]
    public void Ok_Count_IntactReportWithCount()
    {
        var r = AuditReport.Ok(12);

        Assert.True(r.Intact);
        Assert.Equal(12, r.Entries);
        Assert.Null(r.FirstBrokenSeq);
        Assert.Contains("12", r.Message);
    }
}
