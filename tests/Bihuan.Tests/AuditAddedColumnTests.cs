using Bihuan.Data;

namespace Bihuan.Tests;

/// A migration that adds a nullable column to an audited table (WorkOrder.ReplyDraftedBy) must not break the chain of
/// every row written before it — and must not become a way to change a record unseen.
public sealed class AuditAddedColumnTests
{
    const string Recorded = """{"Id":"7","Name":"越秀区财政局","Status":"Open"}""";

    [Theory]
    [InlineData("""{"Added":null,"Id":"7","Name":"越秀区财政局","Status":"Open"}""", true)]    // added since, null
    [InlineData("""{"Id":"7","Name":"越秀区财政局","Status":"Open","Zz":null}""", true)]
    [InlineData("""{"Added":"x","Id":"7","Name":"越秀区财政局","Status":"Open"}""", false)]   // added, but set
    [InlineData("""{"Added":null,"Id":"7","Name":"伪造","Status":"Open"}""", false)]          // a recorded value changed
    [InlineData("""{"Id":"7","Status":"Open"}""", false)]                                   // a recorded key gone
    [InlineData("""{"Id":"7","Name":null,"Status":"Open"}""", false)]                       // recorded value nulled
    public void SameButAddedNulls_OnlyNullKeysTheRecordLacks(string current, bool same) =>
        Assert.Equal(same, AuditTrail.SameButAddedNulls(Recorded, current));

    [Fact]
    public void SameButAddedNulls_NoRecordedSnapshot_IsNotTheSame() =>
        Assert.False(AuditTrail.SameButAddedNulls(null, Recorded));
}
