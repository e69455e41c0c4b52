namespace Bihuan.Domain;

/// One run of a background job for one period (a day, for daily jobs). (Name, Period) is unique: the row is the
/// claim, so with several web nodes a period's run happens once; a claim that never finished is taken over after a
/// while (the node died).
public sealed class JobRun
{
    public long Id { get; set; }
    public required string Name { get; set; }
    public required string Period { get; set; }
    public required string Node { get; set; }
    public DateTime ClaimedAt { get; set; }
    public DateTime? FinishedAt { get; set; }
    public string? Outcome { get; set; }
}

/// The readiness probe's row: /healthz/ready upserts its node's row in a transaction of its own, because only a
/// committed write proves that the database can take a citizen's submission now (not read-only, not full, reachable).
public sealed class HealthProbe
{
    public required string Node { get; set; }
    public DateTime At { get; set; }
}

/// The lights of one org's own items on one day (recorded daily by a job, so trends can be drawn: the light itself
/// is always computed from records; this is its history).
public sealed class LightSnapshot : IOrgOwned
{
    public long Id { get; set; }
    public DateOnly Day { get; set; }
    public int OrgId { get; set; }
    public int Open { get; set; }
    public int Red { get; set; }
    public int Yellow { get; set; }
    public int Blue { get; set; }
    public int Green { get; set; }
    public int Overdue { get; set; }
    public int Closed { get; set; }
}
