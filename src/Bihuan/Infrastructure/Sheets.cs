using System.IO.Compression;
using System.Text;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;

namespace Bihuan.Infrastructure;

/// One row of an uploaded sheet: its 1-based row number as the user sees it in Excel, and its cells by column
/// index (0 = A). Values keep their type (string, double, bool) so importers can tell a date serial from text.
public sealed record SheetRow(int Number, object?[] Cells)
{
    public string Text(int col) => col < 0 || col >= Cells.Length ? "" : Sheets.AsText(Cells[col]);
    public bool IsBlank => Cells.All(c => string.IsNullOrWhiteSpace(Sheets.AsText(c)));
}

public sealed class SheetException(string message) : Exception(message);

/// Reads the first worksheet of an .xlsx (streaming, with limits) or a .csv (UTF-8 or GB18030, as Chinese Excel
/// saves it). Anything else is refused with a message a user can act on.
public static class Sheets
{
    public const long MaxUncompressedBytes = 300L * 1024 * 1024;
    public const int MaxRows = 200_000;
    public const int MaxColumns = 200;

    static Sheets() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

    public static string AsText(object? v) => v switch
    {
        null => "",
        string s => s.Trim(),
        double d => d.ToString("0.###############", System.Globalization.CultureInfo.InvariantCulture),
        bool b => b ? "TRUE" : "FALSE",
        _ => v.ToString()?.Trim() ?? "",
    };

    public static List<SheetRow> Read(Stream input, string fileName)
    {
        using var buffer = new MemoryStream();
        input.CopyTo(buffer);
        var bytes = buffer.ToArray();
        if (bytes.Length == 0) throw new SheetException("文件是空的");
        if (bytes.Length >= 4 && bytes[0] == 0x50 && bytes[1] == 0x4B && bytes[2] == 0x03 && bytes[3] == 0x04)
            return ReadXlsx(bytes);
        if (bytes.Length >= 4 && bytes[0] == 0xD0 && bytes[1] == 0xCF && bytes[2] == 0x11 && bytes[3] == 0xE0)
            throw new SheetException("这是旧版 .xls 文件，请在 Excel 中“另存为” .xlsx 后再导入");
        if (fileName.EndsWith(".xlsx", StringComparison.OrdinalIgnoreCase))
            throw new SheetException("文件扩展名是 .xlsx，但内容不是 Excel 工作簿（文件可能已损坏）");
        if (bytes.AsSpan(0, Math.Min(bytes.Length, 8192)).IndexOf((byte)0) >= 0)
            throw new SheetException("不是 Excel（.xlsx）或 CSV 文件");
        return ReadCsv(bytes);
    }

    static List<SheetRow> ReadXlsx(byte[] bytes)
    {
        // Refuse a zip bomb before unpacking anything: the central directory states each part's size.
        try
        {
            using var zip = new ZipArchive(new MemoryStream(bytes), ZipArchiveMode.Read);
            long total = 0;
            foreach (var e in zip.Entries) total += e.Length;
            if (total > MaxUncompressedBytes)
                throw new SheetException($"工作簿解压后超过 {MaxUncompressedBytes / 1024 / 1024} MB，请拆分后再导入");
            if (zip.GetEntry("xl/workbook.xml") is null) throw new SheetException("不是 Excel（.xlsx）工作簿");
        }
        catch (InvalidDataException) { throw new SheetException("文件已损坏，无法作为 Excel（.xlsx）打开"); }

        try
        {
            using var doc = SpreadsheetDocument.Open(new MemoryStream(bytes), false);
            var wb = doc.WorkbookPart ?? throw new SheetException("工作簿中没有工作表");
            var first = wb.Workbook.Sheets?.Elements<Sheet>().FirstOrDefault()
                ?? throw new SheetException("工作簿中没有工作表");
            var part = (WorksheetPart)wb.GetPartById(first.Id!);
            var shared = wb.SharedStringTablePart?.SharedStringTable.Elements<SharedStringItem>()
                .Select(i => i.InnerText).ToArray() ?? [];
            var rows = new List<SheetRow>();
            using var reader = OpenXmlReader.Create(part);
            while (reader.Read())
            {
                if (reader.ElementType != typeof(Row) || !reader.IsStartElement) continue;
                var row = (Row)reader.LoadCurrentElement()!;
                var number = (int)(row.RowIndex?.Value ?? (uint)(rows.Count == 0 ? 1 : rows[^1].Number + 1));
                var cells = new List<object?>();
                var next = 0;
                foreach (var c in row.Elements<Cell>())
                {
                    var col = c.CellReference?.Value is { } r ? ColumnIndex(r) : next;
                    if (col >= MaxColumns) continue;
                    while (cells.Count < col) cells.Add(null);
                    cells.Add(ValueOf(c, shared));
                    next = col + 1;
                }
                rows.Add(new SheetRow(number, [.. cells]));
                if (rows.Count > MaxRows) throw new SheetException($"数据超过 {MaxRows:N0} 行，请拆分后再导入");
            }
            return rows;
        }
        catch (SheetException) { throw; }
        catch (Exception e) when (e is OpenXmlPackageException or InvalidDataException or System.Xml.XmlException
                                      or InvalidOperationException or ArgumentException or KeyNotFoundException)
        {
            throw new SheetException("文件已损坏，无法作为 Excel（.xlsx）读取");
        }
    }

    static object? ValueOf(Cell c, string[] shared)
    {
        var type = c.DataType?.Value;
        if (type == CellValues.InlineString) return c.InlineString?.InnerText;
        var raw = c.CellValue?.Text;
        if (raw is null) return null;
        if (type == CellValues.SharedString)
            return int.TryParse(raw, out var i) && i >= 0 && i < shared.Length ? shared[i] : null;
        if (type == CellValues.Boolean) return raw == "1";
        if (type == CellValues.String || type == CellValues.Error) return raw;
        return double.TryParse(raw, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var d)
            ? d : raw;
    }

    public static int ColumnIndex(string reference)
    {
        var n = 0;
        foreach (var ch in reference)
        {
            if (ch is < 'A' or > 'Z') break;
            n = n * 26 + (ch - 'A' + 1);
        }
        return n - 1;
    }

    static List<SheetRow> ReadCsv(byte[] bytes)
    {
        string text;
        if (bytes.Length >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF)
            text = Encoding.UTF8.GetString(bytes, 3, bytes.Length - 3);
        else
        {
            try { text = new UTF8Encoding(false, true).GetString(bytes); }
            catch (DecoderFallbackException) { text = Encoding.GetEncoding("GB18030").GetString(bytes); }
        }
        var firstLine = text.AsSpan(0, Math.Max(0, text.IndexOf('\n') is var i and >= 0 ? i : text.Length));
        var sep = firstLine.Contains('\t') && !firstLine.Contains(',') ? '\t' : ',';
        var rows = new List<SheetRow>();
        var cells = new List<object?>();
        var field = new StringBuilder();
        bool quoted = false, any = false;
        var line = 1;
        var rowStart = 1;
        for (var k = 0; k < text.Length; k++)
        {
            var ch = text[k];
            if (quoted)
            {
                if (ch == '"' && k + 1 < text.Length && text[k + 1] == '"') { field.Append('"'); k++; }
                else if (ch == '"') quoted = false;
                else field.Append(ch); // a quoted line break stays in its cell: Excel shows one row per record
                continue;
            }
            switch (ch)
            {
                case '"' when field.Length == 0: quoted = true; any = true; break;
                case '\r': break;
                case '\n':
                    cells.Add(field.ToString()); field.Clear();
                    rows.Add(new SheetRow(rowStart, [.. cells])); cells.Clear();
                    line++; rowStart = line; any = false;
                    if (rows.Count > MaxRows) throw new SheetException($"数据超过 {MaxRows:N0} 行，请拆分后再导入");
                    break;
                default:
                    if (ch == sep) { cells.Add(field.ToString()); field.Clear(); }
                    else field.Append(ch);
                    any = true;
                    break;
            }
        }
        if (quoted) throw new SheetException($"CSV 第 {rowStart} 行的引号没有闭合");
        if (any || field.Length > 0 || cells.Count > 0) { cells.Add(field.ToString()); rows.Add(new SheetRow(rowStart, [.. cells])); }
        if (rows.Count > MaxRows) throw new SheetException($"数据超过 {MaxRows:N0} 行，请拆分后再导入");
        return rows;
    }

    /// Normalizes a header cell for matching: no spaces, asterisks or full-width brackets' noise.
    public static string HeaderKey(string s) => new(s.Where(c => !char.IsWhiteSpace(c) && c is not ('*' or '＊' or ':' or '：')).ToArray());
}
