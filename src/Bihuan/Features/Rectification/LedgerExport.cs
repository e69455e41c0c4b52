using System.Globalization;
using System.IO.Compression;
using System.Text;
using Bihuan.Data;
using Bihuan.Domain;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;
using Microsoft.EntityFrameworkCore;

namespace Bihuan.Features.Rectification;

/// 整改台账导出: the ledger as the .xlsx offices print and file — merged title, an export stamp, a bordered grey
/// header frozen and repeated on every printed page, one row per item with its light's colour, landscape A4 fit to
/// width, and a footer naming who exported it and when on every page.
///
/// Rows come from RectApi.Filter over db.RectItems (so the export is scoped exactly like the page) and RectApi.RowsAsync
/// (so lights and labels are the page's), loaded in keyset pages of PageSize by id and written with OpenXmlWriter into
/// the zip entry as it is compressed: memory holds one page of rows plus the compressed output, never the sheet's XML.
public static class LedgerExport
{
    public const int PageSize = 2000;
    public const string SheetName = "整改台账";
    const int HeaderRow = 3;
    const int MaxCellChars = 32_767;   // Excel's limit per cell

    public static readonly string[] Headers =
        ["序号", "问题来源", "问题内容", "整改目标", "整改措施", "责任领导", "牵头单位", "配合单位", "责任人", "整改时限", "整改进展",
         "完成情况", "销号情况", "预警"];

    static readonly double[] Widths = [6, 12, 40, 28, 40, 10, 18, 16, 10, 14, 36, 10, 24, 30];

    static readonly RectAction[] ProgressActions = [RectAction.Start, RectAction.ReportProgress, RectAction.RequestClosure];

    // Cell formats (indexes into cellXfs, see Styles()).
    const uint XfTitle = 1, XfStamp = 2, XfHeader = 3, XfBody = 4, XfBodyCenter = 5, XfGreen = 6, XfBlue = 7, XfYellow = 8, XfRed = 9,
        XfInvalid = 10;

    public static string Title(string? orgName) => (orgName ?? "") + "整改台账";

    public static string FileName(string title, DateTime nowUtc)
    {
        var safe = new string(title.Select(c => "\\/:*?\"<>|".Contains(c) || char.IsControl(c) ? '_' : c).ToArray());
        return $"{safe}-{ChinaTime.ToCst(nowUtc):yyyyMMdd}.xlsx";
    }

    public static async Task<byte[]> BuildAsync(BihuanDb db, TimeProvider clock, WorkingCalendar cal, LightRules rules,
        string? accountId, LedgerFilter filter, string title, string exportedBy, DateTime nowUtc, CancellationToken ct)
    {
        using var output = new MemoryStream();
        await WriteAsync(output, db, clock, cal, rules, accountId, filter, title, exportedBy, nowUtc, ct);
        return output.ToArray();
    }

    /// Writes the workbook to a stream (seekable or not: the zip is written forward only, entry after entry).
    public static async Task WriteAsync(Stream output, BihuanDb db, TimeProvider clock, WorkingCalendar cal, LightRules rules,
        string? accountId, LedgerFilter filter, string title, string exportedBy, DateTime nowUtc, CancellationToken ct)
    {
        var today = ChinaTime.Today(clock);
        var query = await LedgerLights.FilterAsync(db, filter, today, accountId, cal, rules, ct);
        // Bound the export to the items that existed when it started, so the stamped count and the rows agree even
        // while others keep registering items.
        var maxId = await query.MaxAsync(i => (int?)i.Id, ct) ?? 0;
        var bounded = query.Where(i => i.Id <= maxId);
        var total = await bounded.CountAsync(ct);

        var when = ChinaTime.ToCst(nowUtc).ToString("yyyy年M月d日 HH:mm", CultureInfo.InvariantCulture);
        var stamp = $"导出：{exportedBy} {when}（北京时间）· 共 {total} 项";
        var signature = $"导出人：{exportedBy}  导出时间：{when}（北京时间）";

        // The package skeleton (workbook, styles, core properties, an empty sheet) is small and built with the SDK.
        // The SDK's packages buffer every part uncompressed until saved, so the sheet itself is not written through
        // it: the skeleton is copied into a fresh zip and the sheet part is streamed, compressed, straight into it.
        using var skeleton = new MemoryStream();
        string sheetEntry;
        using (var doc = SpreadsheetDocument.Create(skeleton, SpreadsheetDocumentType.Workbook))
        {
            doc.PackageProperties.Title = title;
            doc.PackageProperties.Creator = exportedBy;
            doc.PackageProperties.Description = $"{signature} · 共 {total} 项";
            doc.PackageProperties.Created = DateTime.SpecifyKind(nowUtc, DateTimeKind.Utc);

            var book = doc.AddWorkbookPart();
            var styles = book.AddNewPart<WorkbookStylesPart>();
            styles.Stylesheet = Styles();
            var sheetPart = book.AddNewPart<WorksheetPart>();
            sheetPart.Worksheet = new Worksheet(new SheetData());
            book.Workbook = new Workbook(
                new Sheets(new Sheet { Name = SheetName, SheetId = 1, Id = book.GetIdOfPart(sheetPart) }),
                new DefinedNames(new DefinedName($"'{SheetName}'!${HeaderRow}:${HeaderRow}") { Name = "_xlnm.Print_Titles", LocalSheetId = 0 }));
            sheetEntry = sheetPart.Uri.OriginalString.TrimStart('/');
        }

        skeleton.Position = 0;
        using var source = new ZipArchive(skeleton, ZipArchiveMode.Read);
        using var zip = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true);
        foreach (var entry in source.Entries)
        {
            await using var to = zip.CreateEntry(entry.FullName, CompressionLevel.Optimal).Open();
            if (entry.FullName != sheetEntry)
            {
                await using var from = entry.Open();
                await from.CopyToAsync(to, ct);
                continue;
            }
            using (var w = OpenXmlWriter.Create(to, Encoding.UTF8))
            {
                var last = Col(Headers.Length - 1);
                w.WriteStartElement(new Worksheet());
                w.WriteElement(new SheetProperties(new PageSetupProperties { FitToPage = true }));
                w.WriteElement(new SheetViews(new SheetView(
                    new Pane
                    {
                        VerticalSplit = HeaderRow, TopLeftCell = $"A{HeaderRow + 1}", ActivePane = PaneValues.BottomLeft,
                        State = PaneStateValues.Frozen,
                    },
                    new Selection { Pane = PaneValues.BottomLeft, ActiveCell = $"A{HeaderRow + 1}",
                        SequenceOfReferences = new ListValue<StringValue> { InnerText = $"A{HeaderRow + 1}" } })
                { WorkbookViewId = 0 }));
                w.WriteElement(new Columns(Widths.Select((width, i) =>
                    new Column { Min = (uint)i + 1, Max = (uint)i + 1, Width = width, CustomWidth = true })));

                w.WriteStartElement(new SheetData());
                WriteRow(w, 1, 32, [(title, XfTitle)]);
                WriteRow(w, 2, 18, [(stamp, XfStamp)]);
                WriteRow(w, HeaderRow, 30, Headers.Select(h => (h, XfHeader)).ToArray());

                var n = 0;
                var after = 0;
                while (true)
                {
                    var page = await RectApi.RowsAsync(db, bounded.Where(i => i.Id > after).OrderBy(i => i.Id).Take(PageSize),
                        clock, cal, rules, ct);
                    if (page.Count == 0) break;
                    page.Sort((a, b) => a.Id.CompareTo(b.Id));
                    var extras = await ExtrasAsync(db, page.ConvertAll(r => r.Id), ct);
                    foreach (var r in page)
                    {
                        n++;
                        WriteItem(w, HeaderRow + n, n, r, extras[r.Id]);
                    }
                    after = page[^1].Id;
                    if (page.Count < PageSize) break;
                }
                w.WriteEndElement(); // sheetData

                w.WriteElement(new MergeCells(new MergeCell { Reference = $"A1:{last}1" }, new MergeCell { Reference = $"A2:{last}2" })
                    { Count = 2 });
                w.WriteElement(new PrintOptions { HorizontalCentered = true });
                w.WriteElement(new PageMargins { Left = 0.4, Right = 0.4, Top = 0.6, Bottom = 0.7, Header = 0.3, Footer = 0.35 });
                w.WriteElement(new PageSetup
                {
                    PaperSize = 9, Orientation = OrientationValues.Landscape, FitToWidth = 1, FitToHeight = 0,
                });
                w.WriteElement(new HeaderFooter(new OddFooter(Footer(exportedBy, when))));
                w.WriteEndElement(); // worksheet
            }
        }
    }

    /// The printed footer: &P / &N are Excel's page number and page count; a literal & is written &&.
    public static string Footer(string exportedBy, string when) =>
        $"&C导出人：{exportedBy.Replace("&", "&&")}  导出时间：{when}  第 &P 页 共 &N 页";

    sealed record Extra(DeadlineKind Kind, string? CoUnits, DateTime? ClosedAt, string? Verifier, string? ProgressText, DateTime? ProgressAt);

    /// What the ledger row (LedgerEntry) doesn't carry: 配合单位, the 销号 facts and the latest progress report.
    static async Task<Dictionary<int, Extra>> ExtrasAsync(BihuanDb db, List<int> ids, CancellationToken ct)
    {
        var rows = await db.RectItems.Where(i => ids.Contains(i.Id)).Select(i => new
        {
            i.Id, i.DeadlineKind, i.CoUnits, i.ClosedAt, i.VerifiedBy,
            Verifier = db.RectUpdates.Where(u => u.RectItemId == i.Id && u.Action == RectAction.Verify)
                .OrderByDescending(u => u.At).ThenByDescending(u => u.Id).Select(u => u.ActorName).FirstOrDefault(),
            ProgressText = db.RectUpdates.Where(u => u.RectItemId == i.Id && ProgressActions.Contains(u.Action) && u.Text != null)
                .OrderByDescending(u => u.At).ThenByDescending(u => u.Id).Select(u => u.Text).FirstOrDefault(),
            ProgressAt = db.RectUpdates.Where(u => u.RectItemId == i.Id && ProgressActions.Contains(u.Action) && u.Text != null)
                .OrderByDescending(u => u.At).ThenByDescending(u => u.Id).Select(u => (DateTime?)u.At).FirstOrDefault(),
        }).AsNoTracking().ToListAsync(ct);
        // A verifier recorded on the item but missing from the timeline (imported history): fall back to the account.
        var missing = rows.Where(r => r.Verifier is null && r.VerifiedBy is not null).Select(r => r.VerifiedBy!).Distinct().ToList();
        var names = missing.Count == 0 ? []
            : await db.Users.Where(u => missing.Contains(u.Id)).ToDictionaryAsync(u => u.Id, u => u.DisplayName, ct);
        return rows.ToDictionary(r => r.Id, r => new Extra(r.DeadlineKind, r.CoUnits, r.ClosedAt,
            r.Verifier ?? (r.VerifiedBy is { } v ? names.GetValueOrDefault(v, v) : null), r.ProgressText, r.ProgressAt));
    }

    static void WriteItem(OpenXmlWriter w, int rowNo, int serial, LedgerEntry r, Extra x)
    {
        // A stored value the row cannot use is written as such ("时限无效（9999-12-31）"), never as a date.
        var deadline = !r.DeadlineUsable ? StoredValues.Invalid("时限", r.Deadline!.Value)
            : !Enum.IsDefined(x.Kind) ? r.DeadlineKind
            : x.Kind switch
            {
                DeadlineKind.Dated => r.Deadline is { } d ? Date(d) : "",
                DeadlineKind.Immediate => "立行立改",
                DeadlineKind.Ongoing => "长期坚持",
            };
        var progress = x.ProgressText is { } text
            ? $"{text}（{(x.ProgressAt is { } at ? Date(DateOnly.FromDateTime(ChinaTime.ToCst(at))) + "报送，" : "")}完成 {r.Percent}%）"
            : r.Percent > 0 ? $"完成 {r.Percent}%" : "尚未报送进展";
        if (r.InvalidValues is { } bad) progress += $"（数据无效：{bad}）";
        var closure = !Enum.IsDefined(r.Status) ? r.StatusLabel : r.Status switch
        {
            { } s when !s.IsOpen() => Closed(x.ClosedAt, x.Verifier),
            RectStatus.ClosureRequested => "申请销号待核验",
            _ => "未销号",
        };
        var lightXf = r.Light switch
        {
            LightLevel.Green => XfGreen,
            LightLevel.Blue => XfBlue,
            LightLevel.Yellow => XfYellow,
            LightLevel.Red => XfRed,
            LightLevel.Invalid => XfInvalid,
        };
        var status = r.ReopenCount > 0 ? $"{r.StatusLabel}（重新整改 {r.ReopenCount} 次）" : r.StatusLabel;

        w.WriteStartElement(new Row { RowIndex = (uint)rowNo });
        w.WriteElement(new Cell(new CellValue(serial)) { CellReference = $"A{rowNo}", DataType = CellValues.Number, StyleIndex = XfBodyCenter });
        (string? Text, uint Xf)[] cells =
        [
            (r.Source, XfBodyCenter), (r.Problem, XfBody), (r.Target, XfBody), (r.Measures, XfBody), (r.Leader, XfBodyCenter),
            (r.OrgName, XfBody), (x.CoUnits, XfBody), (r.Handler, XfBodyCenter), (deadline, XfBodyCenter), (progress, XfBody),
            (status, XfBodyCenter), (closure, XfBody), ($"{r.LightLabel}：{r.LightReason}", lightXf),
        ];
        for (var i = 0; i < cells.Length; i++) WriteText(w, $"{Col(i + 1)}{rowNo}", cells[i].Text, cells[i].Xf);
        w.WriteEndElement();
    }

    /// 已销号（2026年11月27日，核验人）; either part may be missing on imported history.
    static string Closed(DateTime? at, string? verifier)
    {
        var parts = new[] { at is { } c ? Date(DateOnly.FromDateTime(ChinaTime.ToCst(c))) : null, verifier }
            .Where(s => !string.IsNullOrEmpty(s)).ToList();
        return parts.Count == 0 ? "已销号" : $"已销号（{string.Join("，", parts)}）";
    }

    static void WriteRow(OpenXmlWriter w, int rowNo, double height, (string Text, uint Xf)[] cells)
    {
        w.WriteStartElement(new Row { RowIndex = (uint)rowNo, Height = height, CustomHeight = true });
        for (var i = 0; i < cells.Length; i++) WriteText(w, $"{Col(i)}{rowNo}", cells[i].Text, cells[i].Xf);
        // A merged title/stamp row still gets its style (borders none) across, so nothing else is needed.
        w.WriteEndElement();
    }

    /// Text goes in as an inline string: no shared-string table to hold in memory, and a value starting with "="
    /// stays text (never a formula).
    static void WriteText(OpenXmlWriter w, string reference, string? text, uint xf)
    {
        text = text is null ? "" : Clean(text);
        if (text.Length == 0)
        {
            w.WriteElement(new Cell { CellReference = reference, StyleIndex = xf });   // empty, but bordered
            return;
        }
        w.WriteStartElement(new Cell { CellReference = reference, DataType = CellValues.InlineString, StyleIndex = xf });
        w.WriteElement(new InlineString(new DocumentFormat.OpenXml.Spreadsheet.Text(text) { Space = SpaceProcessingModeValues.Preserve }));
        w.WriteEndElement();
    }

    /// Replaces what XML 1.0 cannot carry (control characters pasted from other systems, U+FFFF) and caps the length.
    static string Clean(string s)
    {
        s = StoredValues.ForXml(s).Replace("\r\n", "\n");
        if (s.Length > MaxCellChars)
        {
            var cut = MaxCellChars - 1;
            if (char.IsHighSurrogate(s[cut - 1])) cut--;
            s = s[..cut] + "…";
        }
        return s;
    }

    static string Date(DateOnly d) => $"{d.Year}年{d.Month}月{d.Day}日";

    static string Col(int index)
    {
        var s = "";
        for (var n = index + 1; n > 0; n = (n - 1) / 26) s = (char)('A' + (n - 1) % 26) + s;
        return s;
    }

    public static string FillOf(LightLevel level) => level switch
    {
        LightLevel.Green => "FFC6EFCE",
        LightLevel.Blue => "FFBDD7EE",
        LightLevel.Yellow => "FFFFEB9C",
        LightLevel.Red => "FFFFC7CE",
        LightLevel.Invalid => "FFBFBFBF",
    };

    static Stylesheet Styles()
    {
        static Font F(double size, bool bold = false)
        {
            var f = new Font();
            if (bold) f.Append(new Bold());
            f.Append(new FontSize { Val = size }, new FontName { Val = "宋体" }, new FontCharSet { Val = 134 });
            return f;
        }
        static Fill Solid(string rgb) => new(new PatternFill(new ForegroundColor { Rgb = rgb }, new BackgroundColor { Indexed = 64 })
            { PatternType = PatternValues.Solid });
        static CellFormat Xf(uint font, uint fill, uint border, Alignment a) => new(a)
        {
            FontId = font, FillId = fill, BorderId = border, FormatId = 0, ApplyFont = true, ApplyFill = fill > 0,
            ApplyBorder = border > 0, ApplyAlignment = true,
        };
        static Alignment Align(HorizontalAlignmentValues h, bool wrap = true) =>
            new() { Horizontal = h, Vertical = VerticalAlignmentValues.Center, WrapText = wrap };

        var thin = new Border(
            new LeftBorder(new Color { Auto = true }) { Style = BorderStyleValues.Thin },
            new RightBorder(new Color { Auto = true }) { Style = BorderStyleValues.Thin },
            new TopBorder(new Color { Auto = true }) { Style = BorderStyleValues.Thin },
            new BottomBorder(new Color { Auto = true }) { Style = BorderStyleValues.Thin },
            new DiagonalBorder());
        return new Stylesheet(
            new Fonts(F(11), F(18, bold: true), F(9), F(11, bold: true)) { Count = 4 },
            new Fills(
                new Fill(new PatternFill { PatternType = PatternValues.None }),
                new Fill(new PatternFill { PatternType = PatternValues.Gray125 }),
                Solid("FFD9D9D9"),
                Solid(FillOf(LightLevel.Green)), Solid(FillOf(LightLevel.Blue)), Solid(FillOf(LightLevel.Yellow)), Solid(FillOf(LightLevel.Red)),
                Solid(FillOf(LightLevel.Invalid)))
                { Count = 8 },
            new Borders(new Border(new LeftBorder(), new RightBorder(), new TopBorder(), new BottomBorder(), new DiagonalBorder()), thin)
                { Count = 2 },
            new CellStyleFormats(new CellFormat { FontId = 0, FillId = 0, BorderId = 0 }) { Count = 1 },
            new CellFormats(
                new CellFormat { FontId = 0, FillId = 0, BorderId = 0, FormatId = 0 },
                Xf(1, 0, 0, Align(HorizontalAlignmentValues.Center, wrap: false)),   // XfTitle
                Xf(2, 0, 0, Align(HorizontalAlignmentValues.Right, wrap: false)),    // XfStamp
                Xf(3, 2, 1, Align(HorizontalAlignmentValues.Center)),                // XfHeader
                Xf(0, 0, 1, Align(HorizontalAlignmentValues.Left)),                  // XfBody
                Xf(0, 0, 1, Align(HorizontalAlignmentValues.Center)),                // XfBodyCenter
                Xf(0, 3, 1, Align(HorizontalAlignmentValues.Left)),                  // XfGreen
                Xf(0, 4, 1, Align(HorizontalAlignmentValues.Left)),                  // XfBlue
                Xf(0, 5, 1, Align(HorizontalAlignmentValues.Left)),                  // XfYellow
                Xf(0, 6, 1, Align(HorizontalAlignmentValues.Left)),                  // XfRed
                Xf(0, 7, 1, Align(HorizontalAlignmentValues.Left)))                  // XfInvalid
                { Count = 11 },
            new CellStyles(new CellStyle { Name = "Normal", FormatId = 0, BuiltinId = 0 }) { Count = 1 });
    }
}
