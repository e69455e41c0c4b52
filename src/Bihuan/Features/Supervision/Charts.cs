using System.Globalization;
using System.Net;
using System.Text;

namespace Bihuan.Features.Supervision;

/// Server-rendered inline SVG (no JavaScript): a horizontal stacked bar per sub-unit and a weekly line chart.
/// Every label is text in the SVG (readable, copyable, translated by the caller), every bar segment links to its list.
public static class Charts
{
    public sealed record Segment(string Label, int Value, string Color, string? Href);
    public sealed record Bar(string Label, string? Href, List<Segment> Segments);
    public sealed record Series(string Label, string Color, List<int> Values);

    static string F(double d) => d.ToString("0.#", CultureInfo.InvariantCulture);
    static string E(string s) => WebUtility.HtmlEncode(s);

    public static string StackedBars(IReadOnlyList<Bar> bars, string title, int labelWidth = 190)
    {
        const int rowH = 26, barH = 16, width = 760, legendH = 28;
        var max = Math.Max(1, bars.Select(b => b.Segments.Sum(s => s.Value)).DefaultIfEmpty(0).Max());
        var plot = width - labelWidth - 60;
        var h = legendH + bars.Count * rowH + 8;
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"<svg class=\"chart\" role=\"img\" aria-label=\"{E(title)}\" viewBox=\"0 0 {width} {h}\" width=\"{width}\" height=\"{h}\" font-size=\"13\" font-family=\"'Noto Sans CJK SC','Microsoft YaHei',sans-serif\">");
        sb.Append(CultureInfo.InvariantCulture, $"<title>{E(title)}</title>");
        var x0 = labelWidth;
        foreach (var s in bars.FirstOrDefault()?.Segments ?? [])
        {
            sb.Append(CultureInfo.InvariantCulture, $"<rect x=\"{x0}\" y=\"6\" width=\"12\" height=\"12\" fill=\"{s.Color}\"/><text x=\"{x0 + 16}\" y=\"17\" fill=\"#333\">{E(s.Label)}</text>");
            x0 += 16 + s.Label.Length * 14 + 18;
        }
        for (var i = 0; i < bars.Count; i++)
        {
            var b = bars[i];
            var y = legendH + i * rowH;
            var label = b.Label.Length > 13 ? b.Label[..13] + "…" : b.Label;
            var text = $"<text x=\"{labelWidth - 8}\" y=\"{y + barH - 3}\" text-anchor=\"end\" fill=\"#222\">{E(label)}<title>{E(b.Label)}</title></text>";
            sb.Append(b.Href is null ? text : $"<a href=\"{E(b.Href)}\">{text}</a>");
            double x = labelWidth;
            foreach (var s in b.Segments.Where(s => s.Value > 0))
            {
                var w = plot * (double)s.Value / max;
                var rect = $"<rect x=\"{F(x)}\" y=\"{y}\" width=\"{F(Math.Max(w, 1))}\" height=\"{barH}\" fill=\"{s.Color}\"><title>{E(b.Label)} {E(s.Label)} {s.Value}</title></rect>";
                sb.Append(s.Href is null ? rect : $"<a href=\"{E(s.Href)}\">{rect}</a>");
                x += w;
            }
            sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{F(x + 6)}\" y=\"{y + barH - 3}\" fill=\"#555\">{b.Segments.Sum(s => s.Value)}</text>");
        }
        sb.Append("</svg>");
        return sb.ToString();
    }

    public static string Lines(IReadOnlyList<string> xLabels, IReadOnlyList<Series> series, string title, string empty)
    {
        const int width = 760, height = 260, left = 44, right = 16, top = 34, bottom = 36;
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"<svg class=\"chart\" role=\"img\" aria-label=\"{E(title)}\" viewBox=\"0 0 {width} {height}\" width=\"{width}\" height=\"{height}\" font-size=\"12\" font-family=\"'Noto Sans CJK SC','Microsoft YaHei',sans-serif\"><title>{E(title)}</title>");
        if (xLabels.Count == 0)
        {
            sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{width / 2}\" y=\"{height / 2}\" text-anchor=\"middle\" fill=\"#777\">{E(empty)}</text></svg>");
            return sb.ToString();
        }
        var max = Math.Max(1, series.SelectMany(s => s.Values).DefaultIfEmpty(0).Max());
        var step = max <= 5 ? 1 : (int)Math.Ceiling(max / 5.0);
        var top2 = step * (int)Math.Ceiling((double)max / step);
        double X(int i) => xLabels.Count == 1 ? left + (width - left - right) / 2.0 : left + i * (width - left - right) / (double)(xLabels.Count - 1);
        double Y(int v) => top + (height - top - bottom) * (1 - (double)v / top2);
        for (var v = 0; v <= top2; v += step)
            sb.Append(CultureInfo.InvariantCulture, $"<line x1=\"{left}\" x2=\"{width - right}\" y1=\"{F(Y(v))}\" y2=\"{F(Y(v))}\" stroke=\"#e3e5e8\"/><text x=\"{left - 6}\" y=\"{F(Y(v) + 4)}\" text-anchor=\"end\" fill=\"#666\">{v}</text>");
        for (var i = 0; i < xLabels.Count; i++)
            sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{F(X(i))}\" y=\"{height - bottom + 18}\" text-anchor=\"middle\" fill=\"#666\">{E(xLabels[i])}</text>");
        var lx = left;
        foreach (var s in series)
        {
            sb.Append(CultureInfo.InvariantCulture, $"<rect x=\"{lx}\" y=\"8\" width=\"14\" height=\"4\" fill=\"{s.Color}\"/><text x=\"{lx + 18}\" y=\"14\" fill=\"#333\">{E(s.Label)}</text>");
            lx += 18 + s.Label.Length * 13 + 20;
            var pts = string.Join(" ", s.Values.Select((v, i) => $"{F(X(i))},{F(Y(v))}"));
            sb.Append(CultureInfo.InvariantCulture, $"<polyline points=\"{pts}\" fill=\"none\" stroke=\"{s.Color}\" stroke-width=\"2.5\"/>");
            for (var i = 0; i < s.Values.Count; i++)
                sb.Append(CultureInfo.InvariantCulture, $"<circle cx=\"{F(X(i))}\" cy=\"{F(Y(s.Values[i]))}\" r=\"3\" fill=\"{s.Color}\"><title>{E(xLabels[i])} {E(s.Label)} {s.Values[i]}</title></circle>");
        }
        sb.Append("</svg>");
        return sb.ToString();
    }
}
