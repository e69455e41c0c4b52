using System.Net;
using System.Text;

namespace Bihuan.Domain;

/// A small allow-list HTML sanitizer for plan text. The output is built, not filtered: every run of text is
/// decoded and re-encoded, and only the allowed element names are written back — bare, with no attributes at all —
/// so nothing a browser could run (scripts, handlers, URLs, styles) can survive. Tags are balanced: unmatched
/// closers are dropped and open elements are closed at the end. The content of script-like elements is dropped.
public static class HtmlSanitizer
{
    static readonly HashSet<string> Allowed =
        ["p", "br", "strong", "em", "b", "i", "ul", "ol", "li", "h3", "h4", "table", "thead", "tbody", "tr", "th", "td"];

    /// Elements whose content is not text to show (dropped with the element).
    static readonly HashSet<string> DropContent =
        ["script", "style", "iframe", "object", "embed", "noscript", "template", "textarea", "title", "svg", "math", "xmp", "noembed", "noframes", "plaintext", "select"];

    public static string Sanitize(string? html)
    {
        if (string.IsNullOrEmpty(html)) return "";
        var s = html.Replace("\0", "");
        var sb = new StringBuilder(s.Length);
        var open = new List<string>();
        var i = 0;
        while (i < s.Length)
        {
            var lt = s.IndexOf('<', i);
            if (lt < 0) { Text(sb, s[i..]); break; }
            Text(sb, s[i..lt]);
            // Comments, doctype and processing instructions vanish whole.
            if (At(s, lt, "<!--"))
            {
                var end = s.IndexOf("-->", lt + 4, StringComparison.Ordinal);
                i = end < 0 ? s.Length : end + 3;
                continue;
            }
            if (At(s, lt, "<!") || At(s, lt, "<?"))
            {
                var end = s.IndexOf('>', lt);
                i = end < 0 ? s.Length : end + 1;
                continue;
            }
            var closing = lt + 1 < s.Length && s[lt + 1] == '/';
            var nameStart = lt + (closing ? 2 : 1);
            var nameEnd = nameStart;
            while (nameEnd < s.Length && char.IsAsciiLetterOrDigit(s[nameEnd])) nameEnd++;
            if (nameEnd == nameStart || !char.IsAsciiLetter(s[nameStart]))
            {
                // Not a tag ("a < b", "</ x>"): the '<' is text.
                sb.Append("&lt;");
                i = lt + 1;
                continue;
            }
            var name = s[nameStart..nameEnd].ToLowerInvariant();
            var tagEnd = TagEnd(s, nameEnd);
            i = tagEnd < 0 ? s.Length : tagEnd + 1;
            if (!closing && DropContent.Contains(name))
            {
                var close = s.IndexOf("</" + name, i, StringComparison.OrdinalIgnoreCase);
                if (close < 0) { i = s.Length; continue; }
                var after = TagEnd(s, close + 2 + name.Length);
                i = after < 0 ? s.Length : after + 1;
                continue;
            }
            if (!Allowed.Contains(name)) continue;
            if (name == "br") { if (!closing) sb.Append("<br>"); continue; }
            if (!closing)
            {
                sb.Append('<').Append(name).Append('>');
                open.Add(name);
            }
            else
            {
                var at = open.LastIndexOf(name);
                if (at < 0) continue;
                for (var k = open.Count - 1; k >= at; k--) sb.Append("</").Append(open[k]).Append('>');
                open.RemoveRange(at, open.Count - at);
            }
        }
        for (var k = open.Count - 1; k >= 0; k--) sb.Append("</").Append(open[k]).Append('>');
        return sb.ToString();
    }

    static bool At(string s, int i, string what) => string.CompareOrdinal(s, i, what, 0, what.Length) == 0;

    /// The '>' that ends a tag, skipping quoted attribute values; -1 when the tag never ends.
    static int TagEnd(string s, int from)
    {
        char? quote = null;
        for (var k = from; k < s.Length; k++)
        {
            var c = s[k];
            if (quote is { } q) { if (c == q) quote = null; }
            else if (c is '"' or '\'') quote = c;
            else if (c == '>') return k;
        }
        return -1;
    }

    static void Text(StringBuilder sb, string text)
    {
        if (text.Length == 0) return;
        sb.Append(WebUtility.HtmlEncode(WebUtility.HtmlDecode(text)));
    }

    /// The text as paragraphs (one line per block element), for versions and the side-by-side diff.
    public static List<string> Paragraphs(string? html)
    {
        var safe = Sanitize(html);
        var sb = new StringBuilder();
        var i = 0;
        while (i < safe.Length)
        {
            if (safe[i] == '<')
            {
                var end = safe.IndexOf('>', i);
                var tag = safe[(i + 1)..end];
                if (tag is "br" or "/p" or "/li" or "/h3" or "/h4" or "/tr" or "p" or "li" or "h3" or "h4") sb.Append('\n');
                else if (tag is "/td" or "/th") sb.Append(" | ");
                i = end + 1;
                continue;
            }
            sb.Append(safe[i++]);
        }
        return WebUtility.HtmlDecode(sb.ToString()).Split('\n').Select(l => l.Trim().TrimEnd('|').Trim())
            .Where(l => l.Length > 0).ToList();
    }

    /// Plain text typed into a form (no tags): each line becomes a paragraph.
    public static string FromPlainText(string text) => string.Concat(text.Replace("\r", "").Split('\n')
        .Select(l => l.Trim()).Where(l => l.Length > 0).Select(l => "<p>" + WebUtility.HtmlEncode(l) + "</p>"));
}

/// A line diff (longest common subsequence) for comparing plan versions side by side.
public static class TextDiff
{
    public enum Kind { Same, Removed, Added, Changed }

    public sealed record Row(Kind Kind, string? Left, string? Right);

    public static List<Row> Lines(IReadOnlyList<string> a, IReadOnlyList<string> b)
    {
        var n = a.Count;
        var m = b.Count;
        var lcs = new int[n + 1, m + 1];
        for (var i = n - 1; i >= 0; i--)
            for (var j = m - 1; j >= 0; j--)
                lcs[i, j] = a[i] == b[j] ? lcs[i + 1, j + 1] + 1 : Math.Max(lcs[i + 1, j], lcs[i, j + 1]);
        var raw = new List<Row>();
        int x = 0, y = 0;
        while (x < n && y < m)
        {
            if (a[x] == b[y]) { raw.Add(new(Kind.Same, a[x], b[y])); x++; y++; }
            else if (lcs[x + 1, y] >= lcs[x, y + 1]) raw.Add(new(Kind.Removed, a[x++], null));
            else raw.Add(new(Kind.Added, null, b[y++]));
        }
        while (x < n) raw.Add(new(Kind.Removed, a[x++], null));
        while (y < m) raw.Add(new(Kind.Added, null, b[y++]));
        // A run of removals followed by a run of additions reads as changed lines, paired in order, side by side.
        var rows = new List<Row>();
        for (var k = 0; k < raw.Count;)
        {
            if (raw[k].Kind != Kind.Removed) { rows.Add(raw[k++]); continue; }
            var removed = new List<string>();
            while (k < raw.Count && raw[k].Kind == Kind.Removed) removed.Add(raw[k++].Left!);
            var added = new List<string>();
            while (k < raw.Count && raw[k].Kind == Kind.Added) added.Add(raw[k++].Right!);
            for (var i = 0; i < Math.Max(removed.Count, added.Count); i++)
                rows.Add(i < removed.Count && i < added.Count ? new(Kind.Changed, removed[i], added[i])
                    : i < removed.Count ? new(Kind.Removed, removed[i], null) : new(Kind.Added, null, added[i]));
        }
        return rows;
    }
}
