using System.Globalization;
using System.Text;

namespace Bihuan.Domain;

/// Named counters of one dashboard section ("open" = 12, "src.Inspection" = 3): what a subtree adds up to.
/// Stored as text "key=n;key=n" (keys sorted), so a section can add figures without a schema change.
public sealed class Counts : IEnumerable<KeyValuePair<string, long>>
{
    readonly Dictionary<string, long> values = new(StringComparer.Ordinal);

    public IEnumerator<KeyValuePair<string, long>> GetEnumerator() => values.GetEnumerator();
    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

    /// The counter's value; 0 when absent.
    public int Of(string key) => (int)Math.Clamp(values.TryGetValue(key, out var n) ? n : 0, int.MinValue, int.MaxValue);

    public void Add(string key, long n = 1)
    {
        if (n == 0) return;
        ref var slot = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(values, key, out _);
        slot += n;
    }

    public void AddAll(Counts other, long sign = 1)
    {
        foreach (var (k, n) in other) Add(k, sign * n);
    }

    public bool IsZero => values.Values.All(v => v == 0);

    public string Encode()
    {
        var sb = new StringBuilder();
        foreach (var (k, n) in values.Where(kv => kv.Value != 0).OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            if (sb.Length > 0) sb.Append(';');
            sb.Append(k).Append('=').Append(n.ToString(CultureInfo.InvariantCulture));
        }
        return sb.ToString();
    }

    public static Counts Decode(string? text)
    {
        var c = new Counts();
        if (string.IsNullOrEmpty(text)) return c;
        foreach (var part in text.Split(';', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = part.LastIndexOf('=');
            if (eq > 0 && long.TryParse(part.AsSpan(eq + 1), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n))
                c.Add(part[..eq], n);
        }
        return c;
    }

    public static Counts Sum(IEnumerable<Counts> all)
    {
        var c = new Counts();
        foreach (var x in all) c.AddAll(x);
        return c;
    }
}

/// A dashboard section's counters summed over an org's whole subtree (the org and everything under it), as of Day.
/// Maintained by RollupStore: rebuilt daily, and for changed orgs (RollupMark) before a dashboard is read, so a
/// dashboard reads its root's row and its sub-units' rows instead of counting every record below it.
/// Past days are kept (pruned to one a week) and draw the trend lines. Not IOrgOwned: only read for a root the
/// caller was shown through the scope filters, and for that root's direct sub-units.
public sealed class Rollup
{
    public const int SectionMax = 32;
    public string Section { get; set; } = "";
    public DateOnly Day { get; set; }
    public int OrgId { get; set; }
    public string Counts { get; set; } = "";
}

/// The day a section's rows were last brought up to date (one row per section).
public sealed class RollupDay
{
    public string Section { get; set; } = "";
    public DateOnly Day { get; set; }
}

/// An org whose own records of a kind changed since its section rows were computed. Written in the same transaction
/// as the change (BihuanDb.SaveChangesAsync), consumed by RollupStore.RefreshAsync. Kind "Org": the tree changed.
public sealed class RollupMark
{
    public const int KindMax = 48;
    public long Id { get; set; }
    public int OrgId { get; set; }
    public string Kind { get; set; } = "";
}
