using System.Globalization;
using Bihuan.Domain;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;

namespace Bihuan.Features.Supervision;

/// Every dashboard table as one .xlsx: one sheet per figure group, the sub-unit comparison, the lagging units and
/// the weekly trend. Small (one row per figure or sub-unit), so it is built in memory with the SDK.
public static class DashboardExport
{
    public static byte[] Xlsx(DashboardDto d)
    {
        var sheets = new List<(string Name, List<object[]> Rows)>();
        foreach (var s in d.Sections)
            foreach (var g in s.Groups)
                sheets.Add((Safe(g.Title), [["项目", "数量"], .. g.Figures.Select(f => new object[] { f.Label, Cell(f) })]));
        var keys = d.Units.SelectMany(u => u.Figures.Values).DistinctBy(f => f.Key).ToList();
        sheets.Add(("下级单位对比", [["单位", "预警", .. keys.Select(k => (object)k.Label)],
            .. d.Units.Select(u => new object[] { u.Name, u.Light.Label() }.Concat(keys.Select(k => u.Figures.GetValueOrDefault(k.Key) is { } f ? Cell(f) : 0)).ToArray())]));
        sheets.Add(("工作滞后单位", [["序号", "单位", "原因"], .. d.Lagging.Select((u, i) => new object[] { i + 1, u.Name, u.Reason })]));
        sheets.Add(("预警趋势", [["日期", "未销号", "红灯", "黄灯", "蓝灯", "绿灯", "逾期"],
            .. d.Trend.Select(t => new object[] { t.Day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), t.Open, t.Red, t.Yellow, t.Blue, t.Green, t.Overdue })]));

        using var ms = new MemoryStream();
        using (var doc = SpreadsheetDocument.Create(ms, SpreadsheetDocumentType.Workbook))
        {
            doc.PackageProperties.Title = $"{d.Org.Name}监督检查";
            var wb = doc.AddWorkbookPart();
            wb.Workbook = new Workbook(new Sheets());
            uint id = 1;
            var used = new HashSet<string>();
            foreach (var (name, rows) in sheets)
            {
                var ws = wb.AddNewPart<WorksheetPart>();
                var data = new SheetData();
                foreach (var r in rows)
                    data.Append(new Row(r.Select(v => v is int n
                        ? new Cell { DataType = CellValues.Number, CellValue = new CellValue(n) }
                        : new Cell { DataType = CellValues.InlineString, InlineString = new InlineString(new DocumentFormat.OpenXml.Spreadsheet.Text(Text(v))) }).ToArray()));
                ws.Worksheet = new Worksheet(data);
                var unique = name;
                for (var k = 2; !used.Add(unique); k++) unique = $"{name[..Math.Min(name.Length, 28)]}{k}";
                wb.Workbook.Sheets!.Append(new Sheet { Id = wb.GetIdOfPart(ws), SheetId = id++, Name = unique });
            }
            wb.Workbook.Save();
        }
        return ms.ToArray();
    }

    /// A count as a number; a rate as shown ("93.5%", "—").
    static object Cell(Figure f) => f.Text ?? (object)f.Value;

    static string Safe(string s)
    {
        var t = new string(s.Where(c => !"[]:*?/\\".Contains(c)).ToArray());
        return t.Length > 31 ? t[..31] : t;
    }

    /// Every text cell passes here: what XML 1.0 cannot carry (a stored U+FFFF in a unit's name) replaced, Excel's
    /// 32,767 characters per cell kept.
    static string Text(object? v)
    {
        var s = StoredValues.ForXml(v?.ToString());
        return s.Length <= 32_767 ? s : s[..32_766] + "…";
    }
}
