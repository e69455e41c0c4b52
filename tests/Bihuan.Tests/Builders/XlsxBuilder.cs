using System.IO.Compression;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;

namespace Bihuan.Tests.Builders;

/// A cell written as an inline string (t="inlineStr") instead of through the shared string table.
public sealed record Inline(string Text);

/// Writes real .xlsx workbooks in memory with the Open XML SDK: explicit row numbers (gaps allowed), shared and
/// inline strings, numbers, booleans, merged ranges.
public sealed class XlsxBuilder
{
    readonly List<(uint Index, object?[] Cells)> rows = [];
    readonly List<string> merges = [];
    readonly List<string> shared = [];
    bool references = true;

    public XlsxBuilder Row(uint index, params object?[] cells)
    {
        rows.Add((index, cells));
        return this;
    }

    public XlsxBuilder Merge(string range)
    {
        merges.Add(range);
        return this;
    }

    /// Omits the r attributes on rows and cells, as some generators do.
    public XlsxBuilder WithoutReferences()
    {
        references = false;
        return this;
    }

    public static string Column(int index)
    {
        var s = "";
        for (var n = index + 1; n > 0; n = (n - 1) / 26) s = (char)('A' + (n - 1) % 26) + s;
        return s;
    }

    public byte[] Build(string sheetName = "组织")
    {
        using var ms = new MemoryStream();
        using (var doc = SpreadsheetDocument.Create(ms, SpreadsheetDocumentType.Workbook))
        {
            var wb = doc.AddWorkbookPart();
            wb.Workbook = new Workbook();
            var wsPart = wb.AddNewPart<WorksheetPart>();
            var data = new SheetData();
            foreach (var (index, cells) in rows)
            {
                var row = new Row();
                if (references) row.RowIndex = index;
                for (var c = 0; c < cells.Length; c++)
                {
                    if (cells[c] is null) continue; // a gap, as Excel writes it
                    var cell = MakeCell(cells[c]!);
                    if (references) cell.CellReference = Column(c) + index;
                    row.Append(cell);
                }
                data.Append(row);
            }
            var ws = new Worksheet(data);
            if (merges.Count > 0) ws.Append(new MergeCells(merges.Select(m => new MergeCell { Reference = m })));
            wsPart.Worksheet = ws;
            if (shared.Count > 0)
            {
                var sst = wb.AddNewPart<SharedStringTablePart>();
                sst.SharedStringTable = new SharedStringTable(shared.Select(s => new SharedStringItem(new DocumentFormat.OpenXml.Spreadsheet.Text(s))));
            }
            wb.Workbook.AppendChild(new Sheets(new Sheet { Id = wb.GetIdOfPart(wsPart), SheetId = 1, Name = sheetName }));
        }
        return ms.ToArray();
    }

    Cell MakeCell(object value)
    {
        switch (value)
        {
            case Inline i:
                return new Cell { DataType = CellValues.InlineString, InlineString = new InlineString(new DocumentFormat.OpenXml.Spreadsheet.Text(i.Text)) };
            case string s:
                var at = shared.IndexOf(s);
                if (at < 0) { shared.Add(s); at = shared.Count - 1; }
                return new Cell { DataType = CellValues.SharedString, CellValue = new CellValue(at) };
            case bool b:
                return new Cell { DataType = CellValues.Boolean, CellValue = new CellValue(b ? "1" : "0") };
            case double d:
                return new Cell { CellValue = new CellValue(d) };
            case int n:
                return new Cell { CellValue = new CellValue(n) };
            default:
                throw new ArgumentException($"unsupported cell value {value.GetType()}");
        }
    }

    /// A zip that looks like a workbook but whose sheet part inflates to `size` bytes of zeros. Streamed in 1 MB
    /// chunks: ~310 MB of zeros deflates to a few hundred KB.
    public static byte[] ZipBomb(long size)
    {
        using var ms = new MemoryStream();
        using (var zip = new ZipArchive(ms, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var name in new[] { "[Content_Types].xml", "xl/workbook.xml" })
            {
                using var w = new StreamWriter(zip.CreateEntry(name).Open());
                w.Write("<?xml version=\"1.0\"?><x/>");
            }
            using var s = zip.CreateEntry("xl/worksheets/sheet1.xml", CompressionLevel.Fastest).Open();
            var chunk = new byte[1 << 20];
            for (long written = 0; written < size; written += chunk.Length)
                s.Write(chunk, 0, (int)Math.Min(chunk.Length, size - written));
        }
        return ms.ToArray();
    }

    /// A workbook with `count` numbered rows, streamed with OpenXmlWriter so large sheets stay cheap to build.
    public static byte[] ManyRows(int count)
    {
        using var ms = new MemoryStream();
        using (var doc = SpreadsheetDocument.Create(ms, SpreadsheetDocumentType.Workbook))
        {
            var wb = doc.AddWorkbookPart();
            wb.Workbook = new Workbook();
            var wsPart = wb.AddNewPart<WorksheetPart>();
            using (var w = OpenXmlWriter.Create(wsPart))
            {
                w.WriteStartElement(new Worksheet());
                w.WriteStartElement(new SheetData());
                for (var i = 1; i <= count; i++)
                {
                    w.WriteStartElement(new Row { RowIndex = (uint)i });
                    w.WriteElement(new Cell { CellReference = "A" + i, CellValue = new CellValue(i) });
                    w.WriteEndElement();
                }
                w.WriteEndElement();
                w.WriteEndElement();
            }
            wb.Workbook.AppendChild(new Sheets(new Sheet { Id = wb.GetIdOfPart(wsPart), SheetId = 1, Name = "Sheet1" }));
        }
        return ms.ToArray();
    }

    /// A valid zip that is not a workbook (a .docx-like or arbitrary archive).
    public static byte[] PlainZip()
    {
        using var ms = new MemoryStream();
        using (var zip = new ZipArchive(ms, ZipArchiveMode.Create, leaveOpen: true))
        {
            using var w = new StreamWriter(zip.CreateEntry("word/document.xml").Open());
            w.Write("<x/>");
        }
        return ms.ToArray();
    }
}
