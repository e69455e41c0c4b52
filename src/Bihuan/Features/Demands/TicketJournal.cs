using System.Globalization;
using System.Text;
using Bihuan.Infrastructure;

namespace Bihuan.Features.Demands;

/// Every ticket number given out, kept outside the database so that a restored database (by `bihuan restore` or a
/// point-in-time restore outside Bihuan) cannot give a citizen's number to someone else (ADR 0011). Under the files
/// root: tickets/yyyyMMdd/&lt;process&gt;.log, one line per number, appended and flushed to disk before the number is
/// shown. Each process writes only its own file (no two writers share one, so a shared directory needs no atomic
/// appends); every process reads all of the day's files, so a number any node gave out is known to all.
public sealed class TicketJournal
{
    readonly string dir;
    readonly string file = $"{Sanitize(Environment.MachineName)}-{Environment.ProcessId}-{Guid.NewGuid():N}.log";
    readonly Lock gate = new();
    readonly Dictionary<string, Day> days = [];
    (string Day, FileStream Stream)? own;

    sealed class Day
    {
        public readonly HashSet<int> Issued = [];
        public readonly Dictionary<string, long> ReadTo = [];
    }

    public TicketJournal(FileStore files) : this(Path.Combine(files.Root, "tickets")) { }

    public TicketJournal(string directory) => dir = directory;

    /// Whether any process recorded the number as given out (reads what the day's files gained since last asked).
    public bool WasIssued(string day, int seq)
    {
        lock (gate) return Load(day).Issued.Contains(seq);
    }

    /// The highest number recorded for the day (0: none).
    public int Highest(string day)
    {
        lock (gate) return Load(day).Issued.DefaultIfEmpty(0).Max();
    }

    /// Records the number as given out, on disk (fsync) before it returns. An I/O failure (full or read-only disk)
    /// throws: the number is then not shown, and the submission answers 503 (Faults).
    public void Append(string day, int seq)
    {
        lock (gate)
        {
            if (own is not { } o || o.Day != day)
            {
                own?.Stream.Dispose();
                var path = Path.Combine(dir, day, file);
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                own = o = (day, new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read));
            }
            o.Stream.Write(Encoding.ASCII.GetBytes(seq.ToString("D6", CultureInfo.InvariantCulture) + "\n"));
            o.Stream.Flush(flushToDisk: true);
            Load(day).Issued.Add(seq);
        }
    }

    Day Load(string day)
    {
        if (!days.TryGetValue(day, out var d))
        {
            days[day] = d = new Day();
            // Only the last days are asked about (a ticket carries the day it was issued): forget older ones.
            foreach (var old in days.Keys.Order(StringComparer.Ordinal).SkipLast(2).ToList()) days.Remove(old);
        }
        var folder = Path.Combine(dir, day);
        if (!Directory.Exists(folder)) return d;
        foreach (var path in Directory.EnumerateFiles(folder, "*.log"))
        {
            var from = d.ReadTo.GetValueOrDefault(path);
            using var s = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            if (s.Length <= from) continue;
            s.Seek(from, SeekOrigin.Begin);
            var bytes = new byte[s.Length - from];
            s.ReadExactly(bytes);
            var complete = Array.LastIndexOf(bytes, (byte)'\n') + 1;   // a line cut by a crash is not a number
            foreach (var line in Encoding.ASCII.GetString(bytes, 0, complete).Split('\n', StringSplitOptions.RemoveEmptyEntries))
                if (int.TryParse(line, NumberStyles.None, CultureInfo.InvariantCulture, out var n)) d.Issued.Add(n);
            d.ReadTo[path] = from + complete;
        }
        return d;
    }

    /// The highest number recorded per day in a journal directory (restore: every counter is moved past these).
    public static SortedDictionary<string, int> HighestPerDay(string directory)
    {
        var result = new SortedDictionary<string, int>(StringComparer.Ordinal);
        if (!Directory.Exists(directory)) return result;
        foreach (var folder in Directory.EnumerateDirectories(directory))
        {
            var day = Path.GetFileName(folder);
            if (day.Length != 8 || !day.All(char.IsAsciiDigit)) continue;
            var highest = new TicketJournal(directory).Highest(day);
            if (highest > 0) result[day] = highest;
        }
        return result;
    }

    static string Sanitize(string s) => string.Concat(s.Take(40).Select(c => char.IsAsciiLetterOrDigit(c) ? c : '-'));
}
