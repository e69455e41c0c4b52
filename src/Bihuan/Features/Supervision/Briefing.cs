using System.Globalization;
using Bihuan.Data;
using Bihuan.Domain;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Wordprocessing;
using Microsoft.EntityFrameworkCore;

namespace Bihuan.Features.Supervision;

public sealed record TypicalCase(int Id, string Problem, string OrgName, string Why);
public sealed record BriefingData(DashboardDto Dashboard, DateOnly From, DateOnly To, int NewItems, int ClosedItems, int NewOrders,
    List<TypicalCase> Cases);

/// 工作简报: headline figures for a scope and period, a bar chart (a table of shaded cells: it prints and copies into
/// any office's Word template), the lagging units and typical cases. Everything from records, nothing typed in.
public static class Briefing
{
    public static async Task<BriefingData> BuildAsync(BihuanDb db, SupervisionDashboard dash, TimeProvider clock, WorkingCalendar cal,
        LightRules rules, int? orgId, string? from, string? to, CancellationToken ct)
    {
        var today = ChinaTime.Today(clock);
        DateOnly Parse(string? s, string field, DateOnly dflt) => string.IsNullOrWhiteSpace(s) ? dflt
            : DateOnly.TryParseExact(s, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d)
                ? Bounds.InWindow(d) ? d : throw new DomainException(new Invalid(field, Bounds.OutOfWindowText))
            : throw new DomainException(new Invalid(field, "日期格式应为 yyyy-MM-dd"));
        var t = Parse(to, "to", today);
        var f = Parse(from, "from", t.AddDays(-6));
        if (f > t) throw new DomainException(new Invalid("from", "开始日期不能晚于结束日期"));
        if (t.DayNumber - f.DayNumber > 366) throw new DomainException(new Invalid("from", "简报期间不能超过一年"));
        var d = await dash.BuildAsync(db, orgId, today, ct);
        var root = await db.Orgs.AsNoTracking().FirstAsync(o => o.Id == d.Org.Id, ct);
        var ids = db.Orgs.Subtree(root).Select(o => o.Id);
        var items = db.RectItems.Where(i => ids.Contains(i.OrgId));
        var fromUtc = StartUtc(f);
        var toUtc = StartUtc(t.AddDays(1));
        var newItems = await items.CountAsync(i => i.CreatedAt >= fromUtc && i.CreatedAt < toUtc, ct);
        var closed = await items.CountAsync(i => i.ClosedAt != null && i.ClosedAt >= fromUtc && i.ClosedAt < toUtc, ct);
        var orders = await db.SupervisionOrders.CountAsync(o => ids.Contains(o.OrgId) && o.IssuedAt >= fromUtc && o.IssuedAt < toUtc, ct);

        var cases = new List<TypicalCase>();
        var reopened = await items.Where(i => i.ReopenCount > 0).OrderByDescending(i => i.ReopenCount).ThenBy(i => i.Id).Take(3)
            .Select(i => new { i.Id, P = i.Problem!.Description, O = i.Org!.Name, i.ReopenCount }).ToListAsync(ct);
        cases.AddRange(reopened.Select(x => new TypicalCase(x.Id, x.P, x.O, $"重新整改 {x.ReopenCount} 次")));
        // Overdue: past a usable deadline (an unusable one is the Invalid light's, not an overdue case).
        var min = Bounds.MinDate;
        var overdue = await items.Where(RectItem.Open)
            .Where(i => i.Deadline != null && i.Deadline >= min && i.Deadline < today)
            .OrderBy(i => i.Deadline).ThenBy(i => i.Id).Take(3)
            .Select(i => new { i.Id, P = i.Problem!.Description, O = i.Org!.Name, i.Deadline }).ToListAsync(ct);
        cases.AddRange(overdue.Where(x => cases.All(c => c.Id != x.Id)).Select(x => new TypicalCase(x.Id, x.P, x.O,
            $"整改时限 {x.Deadline:yyyy-MM-dd}，已逾期 {cal.EstimateWorkingDaysBetween(x.Deadline!.Value, today) ?? 0} 个工作日")));
        return new BriefingData(d, f, t, newItems, closed, orders, cases);
    }

    static DateTime StartUtc(DateOnly d) => DateTime.SpecifyKind(d.ToDateTime(TimeOnly.MinValue) - ChinaTime.Offset, DateTimeKind.Utc);

    /// The headline figures, in the order a briefing states them.
    public static List<Figure> Headline(DashboardDto d)
    {
        var all = d.Sections.SelectMany(s => s.Groups).Where(g => g.Key is "status" or "lights" or "orders").SelectMany(g => g.Figures);
        string[] keys = ["total", "open", "overdue", "closed", "lagging", "red", "yellow", "invalid", "ordersOpen", "ordersOverdue"];
        // 数据无效 only when there is some: a briefing names what needs repair, not an empty category.
        return keys.Select(k => all.FirstOrDefault(f => f.Key == k)).OfType<Figure>().Where(f => f.Key != "invalid" || f.Value > 0).ToList();
    }

    /// The other sections (plans, meetings, study, work orders, rules …) in a sentence each: their card figures.
    public static List<string> OtherWork(DashboardDto d) => d.Sections.Where(s => s.Key is not ("ledger" or "orders"))
        .Select(s => (s.Title, Figures: s.Groups.Where(g => g.Cards).SelectMany(g => g.Figures).ToList(), s.Note))
        .Select(x => x.Figures.Count == 0 ? $"{x.Title}：{x.Note ?? "暂无数据。"}"
            : $"{x.Title}：{string.Join("，", x.Figures.Select(f => $"{f.Label} {f.Shown}"))}。")
        .ToList();

    public static string Summary(BriefingData b)
    {
        var h = Headline(b.Dashboard).ToDictionary(f => f.Key, f => f.Value);
        return $"截至 {b.Dashboard.Today:yyyy年M月d日}，{b.Dashboard.Org.Name}共有整改事项 {h.GetValueOrDefault("total")} 项，"
            + $"已销号 {h.GetValueOrDefault("closed")} 项，未销号 {h.GetValueOrDefault("open")} 项，其中逾期 {h.GetValueOrDefault("overdue")} 项、"
            + $"红灯 {h.GetValueOrDefault("red")} 项、黄灯 {h.GetValueOrDefault("yellow")} 项、序时进度滞后 {h.GetValueOrDefault("lagging")} 项"
            + (h.GetValueOrDefault("invalid") is > 0 and var bad ? $"，另有 {bad} 项数据无效待修正。" : "。")
            + $"{b.From:M月d日}至{b.To:M月d日}，新增整改事项 {b.NewItems} 项，销号 {b.ClosedItems} 项，下发督办单 {b.NewOrders} 件；"
            + $"督办单未办结 {h.GetValueOrDefault("ordersOpen")} 件，逾期未回复 {h.GetValueOrDefault("ordersOverdue")} 件。";
    }

    const string Font = "SimSun";

    static Run R(string text, bool bold = false, int halfPoints = 24, string? font = null)
    {
        var fonts = new RunFonts { EastAsia = font ?? Font, Ascii = "Times New Roman", HighAnsi = "Times New Roman" };
        var props = new RunProperties(fonts, new FontSize { Val = halfPoints.ToString(CultureInfo.InvariantCulture) },
            new Languages { EastAsia = "zh-CN" });
        if (bold) props.Append(new Bold());
        // Every text of the document passes here: characters XML 1.0 cannot carry (a stored U+FFFF) are replaced.
        return new Run(props,
            new DocumentFormat.OpenXml.Wordprocessing.Text(StoredValues.ForXml(text)) { Space = SpaceProcessingModeValues.Preserve });
    }

    static Paragraph P(string text, bool bold = false, int size = 24, bool center = false, string? font = null) =>
        new(new ParagraphProperties(new Justification { Val = center ? JustificationValues.Center : JustificationValues.Both },
            new SpacingBetweenLines { Line = "360", LineRule = LineSpacingRuleValues.Auto }), R(text, bold, size, font));

    static TableCell Cell(string text, bool bold = false, string? fill = null, int width = 0)
    {
        var props = new TableCellProperties();
        if (width > 0) props.Append(new TableCellWidth { Width = width.ToString(CultureInfo.InvariantCulture), Type = TableWidthUnitValues.Dxa });
        if (fill is not null) props.Append(new Shading { Val = ShadingPatternValues.Clear, Fill = fill, Color = "auto" });
        return new TableCell(props, new Paragraph(R(text, bold, 21)));
    }

    static Table Grid(IEnumerable<TableRow> rows)
    {
        var border = new TableBorders(
            new TopBorder { Val = BorderValues.Single, Size = 4 }, new BottomBorder { Val = BorderValues.Single, Size = 4 },
            new LeftBorder { Val = BorderValues.Single, Size = 4 }, new RightBorder { Val = BorderValues.Single, Size = 4 },
            new InsideHorizontalBorder { Val = BorderValues.Single, Size = 4 }, new InsideVerticalBorder { Val = BorderValues.Single, Size = 4 });
        var t = new Table(new TableProperties(border, new TableWidth { Width = "5000", Type = TableWidthUnitValues.Pct }));
        foreach (var r in rows) t.Append(r);
        return t;
    }

    public static byte[] Docx(BriefingData b, string exportedBy)
    {
        using var ms = new MemoryStream();
        using (var doc = WordprocessingDocument.Create(ms, WordprocessingDocumentType.Document))
        {
            doc.PackageProperties.Title = $"{b.Dashboard.Org.Name}学习教育监督检查工作简报";
            doc.PackageProperties.Creator = exportedBy;
            var main = doc.AddMainDocumentPart();
            var body = new Body();
            var d = b.Dashboard;
            body.Append(P("工 作 简 报", true, 44, true, "SimHei"));
            body.Append(P($"{d.Org.Name}学习教育监督检查", false, 28, true));
            body.Append(P($"（{b.From:yyyy年M月d日}—{b.To:yyyy年M月d日}）", false, 24, true));
            body.Append(P("一、总体情况", true, 32, font: "SimHei"));
            body.Append(P(Summary(b)));
            body.Append(Grid(new[] { new TableRow(Headline(d).Select(f => Cell(f.Label, true, "E7E6E6")).ToArray()) }
                .Append(new TableRow(Headline(d).Select(f => Cell(f.Value.ToString(CultureInfo.InvariantCulture))).ToArray()))));

            body.Append(P("二、各单位预警情况", true, 32, font: "SimHei"));
            body.Append(P("下表每格代表未销号整改事项的一部分：红色为红灯，黄色为黄灯，蓝色为蓝灯，绿色为绿灯，灰色为数据无效（按比例，每格约占 5%）。"));
            var rows = new List<TableRow> { new(Cell("单位", true, "E7E6E6", 2600), Cell("红/黄/蓝/绿/无效", true, "E7E6E6", 1400), Cell("分布（每格 5%）", true, "E7E6E6")) };
            foreach (var u in d.Units)
            {
                var total = u.Lights.Values.Sum();
                var cells = new List<TableCell> { Cell(u.Name, width: 2600), Cell(string.Join("/", new[] { LightLevel.Red, LightLevel.Yellow, LightLevel.Blue, LightLevel.Green, LightLevel.Invalid }
                    .Select(l => u.Lights.GetValueOrDefault(l).ToString(CultureInfo.InvariantCulture))), width: 1400) };
                var bar = new Table(new TableProperties(new TableWidth { Width = "5000", Type = TableWidthUnitValues.Pct }));
                var barRow = new TableRow();
                var slots = 0;
                foreach (var (level, fill) in new[] { (LightLevel.Red, "C0392B"), (LightLevel.Yellow, "E6B800"), (LightLevel.Blue, "2E86C1"), (LightLevel.Green, "27AE60"), (LightLevel.Invalid, "7F8C8D") })
                {
                    var n = total == 0 ? 0 : (int)Math.Round(u.Lights.GetValueOrDefault(level) * 20.0 / total);
                    for (var k = 0; k < n && slots < 20; k++, slots++) barRow.Append(Cell(" ", fill: fill));
                }
                for (; slots < 20; slots++) barRow.Append(Cell(" ", fill: "FFFFFF"));
                bar.Append(barRow);
                cells.Add(new TableCell(new TableCellProperties(), bar, new Paragraph()));
                rows.Add(new TableRow(cells.ToArray()));
            }
            body.Append(Grid(rows));

            body.Append(P("三、工作滞后单位", true, 32, font: "SimHei"));
            if (d.Lagging.Count == 0) body.Append(P("各单位均无逾期、红黄灯事项。"));
            var n2 = 0;
            foreach (var u in d.Lagging) body.Append(P($"{++n2}. {u.Name}：{u.Reason}。"));

            body.Append(P("四、典型案例", true, 32, font: "SimHei"));
            if (b.Cases.Count == 0) body.Append(P("本期无重新整改或逾期的典型事项。"));
            var n3 = 0;
            foreach (var c in b.Cases) body.Append(P($"{++n3}. {c.OrgName}：{c.Problem}（{c.Why}，事项 #{c.Id}）。"));

            var other = OtherWork(d);
            if (other.Count > 0)
            {
                body.Append(P("五、学习教育其他工作情况", true, 32, font: "SimHei"));
                foreach (var line in other) body.Append(P(line));
            }

            body.Append(P($"（本简报由闭环系统根据台账记录自动生成，{ChinaTime.Format(DateTime.UtcNow)}，导出人：{exportedBy}）", false, 20));
            body.Append(new SectionProperties(new PageSize { Width = 11906, Height = 16838 },
                new PageMargin { Top = 2098, Bottom = 1984, Left = 1588, Right = 1474, Header = 851, Footer = 992 }));
            main.Document = new Document(body);
            main.Document.Save();
        }
        return ms.ToArray();
    }
}
