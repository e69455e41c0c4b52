using Bihuan.Domain;

namespace Bihuan.Tests;

public sealed class AuditHashAmbiguityTests
{
    static AuditEntry E(string? before, string? after, string? note = null) => new()
    {
        Seq = 1, At = new DateTime(2026, 11, 27, 0, 0, 0, DateTimeKind.Utc), Actor = "a", EntityType = "Org", EntityId = "1",
        Action = AuditAction.Update, Before = before, After = after, Note = note, PrevHash = AuditEntry.Genesis,
    };

    [Fact]
    public void ComputeHash_NullVersEmptySetSymbol_Differ() =>
        Assert.NotEqual(E(null, "x").ComputeHash(), E("\u2205", "x").ComputeHash());

    [Fact]
    public void ComputeHash_SeparatorInsideField_CannotShiftFieldBoundaries() =>
        Assert.NotEqual(E("a\u001fb", "c").ComputeHash(), E("a", "b\u001fc").ComputeHash());
}
