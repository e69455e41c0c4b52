namespace Bihuan.Domain;

/// Similarity of short Chinese texts by character bigrams (no word segmentation is needed: Chinese has no spaces,
/// so whitespace "words" would be whole sentences). Punctuation and spaces are ignored. Score in [0, 1] (Dice).
public static class TextSimilarity
{
    public static HashSet<string> Bigrams(string text)
    {
        var chars = text.Where(c => char.IsLetterOrDigit(c)).Select(char.ToLowerInvariant).ToArray();
        var set = new HashSet<string>(StringComparer.Ordinal);
        if (chars.Length == 1) set.Add(chars[0].ToString());
        for (var i = 0; i + 1 < chars.Length; i++) set.Add(new string(chars, i, 2));
        return set;
    }

    public static double Dice(HashSet<string> a, HashSet<string> b)
    {
        if (a.Count == 0 || b.Count == 0) return 0;
        var common = a.Count <= b.Count ? a.Count(b.Contains) : b.Count(a.Contains);
        return 2.0 * common / (a.Count + b.Count);
    }

    public static double Score(string a, string b) => Dice(Bigrams(a), Bigrams(b));

    /// The threshold above which a new problem is offered as a possible duplicate of an open one.
    public const double DuplicateThreshold = 0.55;
}
