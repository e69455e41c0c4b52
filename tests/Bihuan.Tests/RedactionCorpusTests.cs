using System.Text;
using System.Text.RegularExpressions;
using Bihuan.Domain;
using Xunit.Abstractions;

namespace Bihuan.Tests;

/// The redaction measured on a corpus of realistic sentences (Data/redaction-corpus.txt): every listed span of
/// personal data disappears (recall 100%), and the share of sentences without personal data that are changed at all
/// (the false-redaction rate) stays under the bound and is the figure the Demands README states.
public sealed partial class RedactionCorpusTests(ITestOutputHelper output)
{
    sealed record Line(int No, bool Personal, string Text, string[] Spans, string? Name);

    static List<Line> Corpus()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Data", "redaction-corpus.txt");
        var lines = new List<Line>();
        var no = 0;
        foreach (var raw in File.ReadAllLines(path, Encoding.UTF8))
        {
            no++;
            if (raw.Length == 0 || raw[0] == '#') continue;
            var f = raw.Split('\t');
            Assert.True(f.Length >= 2 && f[0] is "+" or "-", $"corpus line {no} is malformed: {raw}");
            var spans = f.Length > 2 ? f[2].Split('¦', StringSplitOptions.RemoveEmptyEntries) : [];
            var name = f.Length > 3 && f[3].Length > 0 ? f[3] : null;
            Assert.True(f[0] == "+" == (spans.Length > 0), $"corpus line {no}: '+' lists spans, '-' none");
            Assert.All(spans, sp => Assert.True(f[1].Contains(sp, StringComparison.Ordinal), $"line {no}: no '{sp}'"));
            lines.Add(new(no, f[0] == "+", f[1], spans, name));
        }
        return lines;
    }

    // The test's own folding (not the module's): full-width ASCII to half-width, Chinese digits to ASCII.
    static string Fold(string s) => new(s.Select(c => c switch
    {
        >= '\uFF01' and <= '\uFF5E' => (char)(c - 0xFEE0),
        _ => "〇零一二三四五六七八九".IndexOf(c, StringComparison.Ordinal) is var i and >= 0 ? "00123456789"[i] : c,
    }).ToArray());

    static string Digits(string s) => new(Fold(s).Where(char.IsAsciiDigit).ToArray());

    [GeneratedRegex(@"\s+")]
    private static partial Regex Space();

    /// Whether the span (or, for a number, its digits; for a text, it without spaces) survives in the output.
    static bool Survives(string span, string redacted)
    {
        if (redacted.Contains(span, StringComparison.Ordinal)) return true;
        var bare = Space().Replace(Fold(span), "");
        if (Space().Replace(Fold(redacted), "").Contains(bare, StringComparison.OrdinalIgnoreCase)) return true;
        var d = Digits(span);
        return d.Length >= 5 && Digits(redacted).Contains(d, StringComparison.Ordinal);
    }

    [Fact]
    public void Corpus_HasAtLeast300SentencesHalfWithPersonalData()
    {
        var c = Corpus();
        Assert.True(c.Count >= 300, $"{c.Count} sentences");
        Assert.True(c.Count(l => l.Personal) >= 150 && c.Count(l => !l.Personal) >= 150);
    }

    [Fact]
    public void Redact_Corpus_RemovesEveryListedSpan()
    {
        var misses = new List<string>();
        foreach (var l in Corpus().Where(l => l.Personal))
        {
            var r = Redaction.Redact(l.Text, l.Name);
            foreach (var sp in l.Spans.Where(sp => Survives(sp, r)))
                misses.Add($"line {l.No}: '{sp}' survives in: {r}");
        }
        foreach (var m in misses) output.WriteLine(m);
        Assert.Empty(misses);
    }

    /// Bound and figure: the rate measured here is the one in the README (Features/Demands/README.md); the bound is
    /// the rate the module meets today, so a change that redacts more of the plain sentences fails.
    const double Bound = 0.05;

    [Fact]
    public void Redact_Corpus_FalseRedactionsStayUnderTheBoundAndMatchTheReadme()
    {
        var plain = Corpus().Where(l => !l.Personal).ToList();
        var changed = plain.Where(l => Redaction.Redact(l.Text, l.Name) != l.Text).ToList();
        foreach (var l in changed) output.WriteLine($"line {l.No}: {l.Text} → {Redaction.Redact(l.Text, l.Name)}");
        var rate = (double)changed.Count / plain.Count;
        output.WriteLine($"false redactions: {changed.Count} / {plain.Count} = {rate:P1}");
        Assert.True(rate <= Bound, $"false-redaction rate {rate:P1} over the bound {Bound:P0}");
        var readme = File.ReadAllText(
            Path.Combine(LocalizationTests.RepoRoot(), "src", "Bihuan", "Features", "Demands", "README.md"));
        Assert.Contains($"false redactions {changed.Count} / {plain.Count}", readme, StringComparison.Ordinal);
    }

    [Fact]
    public void Redact_IsIdempotentAndKeepsTheMarks()
    {
        foreach (var l in Corpus())
        {
            var once = Redaction.Redact(l.Text, l.Name);
            Assert.Equal(once, Redaction.Redact(once, l.Name));
        }
    }
}
