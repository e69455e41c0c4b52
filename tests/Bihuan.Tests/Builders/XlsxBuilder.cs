using System.Buffers.Binary;
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

    // ---- hostile shapes, written part by part straight into the zip (cheap to build at any size) ----

    /// A workbook of raw parts: the sheet's sheetData content and, when given, the shared-string table's content
    /// (the si elements), each written by a callback into the deflating stream. `uniqueCount` is what the table
    /// declares (null: nothing declared).
    public static byte[] Raw(Action<TextWriter> sheetData, Action<TextWriter>? sharedStrings = null, long? uniqueCount = null,
        int extraEntries = 0, string sheetProlog = "")
    {
        const string main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
        const string rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
        using var ms = new MemoryStream();
        using (var zip = new ZipArchive(ms, ZipArchiveMode.Create, leaveOpen: true))
        {
            void Part(string name, Action<TextWriter> write)
            {
                using var w = new StreamWriter(zip.CreateEntry(name, CompressionLevel.Optimal).Open(), new System.Text.UTF8Encoding(false), 1 << 16);
                write(w);
            }
            Part("[Content_Types].xml", w => w.Write("<?xml version=\"1.0\"?><Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"/>"));
            Part("xl/workbook.xml", w => w.Write($"<?xml version=\"1.0\"?><workbook xmlns=\"{main}\" xmlns:r=\"{rel}\"><sheets><sheet name=\"台账\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>"));
            Part("xl/_rels/workbook.xml.rels", w => w.Write(
                "<?xml version=\"1.0\"?><Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
                + $"<Relationship Id=\"rId1\" Type=\"{rel}/worksheet\" Target=\"worksheets/sheet1.xml\"/>"
                + (sharedStrings is null ? "" : $"<Relationship Id=\"rId2\" Type=\"{rel}/sharedStrings\" Target=\"sharedStrings.xml\"/>")
                + "</Relationships>"));
            Part("xl/worksheets/sheet1.xml", w =>
            {
                w.Write($"<?xml version=\"1.0\"?>{sheetProlog}<worksheet xmlns=\"{main}\"><sheetData>");
                sheetData(w);
                w.Write("</sheetData></worksheet>");
            });
            if (sharedStrings is not null)
                Part("xl/sharedStrings.xml", w =>
                {
                    w.Write($"<?xml version=\"1.0\"?><sst xmlns=\"{main}\"{(uniqueCount is { } n ? $" uniqueCount=\"{n}\"" : "")}>");
                    sharedStrings(w);
                    w.Write("</sst>");
                });
            for (var i = 0; i < extraEntries; i++) zip.CreateEntry($"xl/media/x{i}.bin", CompressionLevel.NoCompression);
        }
        return ms.ToArray();
    }

    /// `count` shared strings of `length` characters each (distinct: a number, then `pad`), and a sheet citing the first.
    public static byte[] SharedStringsBomb(int count, int length, bool declareCount = true, char pad = '问') => Raw(
        w => w.Write("<row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v></c></row>"),
        w =>
        {
            var padding = new string(pad, Math.Max(0, length - 8));
            for (var i = 0; i < count; i++) w.Write($"<si><t>{i:D8}{padding}</t></si>");
        },
        declareCount ? count : null);

    /// One inline cell of `length` characters in B2.
    public static byte[] GiantCell(int length) => Raw(w =>
    {
        w.Write("<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>问题描述</t></is></c></row><row r=\"2\"><c r=\"B2\" t=\"inlineStr\"><is><t>");
        var chunk = new string('长', 4096);
        for (var written = 0; written < length; written += chunk.Length) w.Write(chunk.AsSpan(0, Math.Min(chunk.Length, length - written)));
        w.Write("</t></is></c></row>");
    });

    /// `rows` rows of `columns` numeric cells each.
    public static byte[] Grid(int rows, int columns) => Raw(w =>
    {
        var letters = Enumerable.Range(0, columns).Select(Column).ToArray();
        for (var r = 1; r <= rows; r++)
        {
            w.Write($"<row r=\"{r}\">");
            for (var c = 0; c < columns; c++) w.Write($"<c r=\"{letters[c]}{r}\"><v>{c}</v></c>");
            w.Write("</row>");
        }
    });

    /// A real workbook whose sheet part inflates to `size` bytes (valid XML: one row, then whitespace), while the
    /// zip's central directory and local header claim it is 1 KB.
    public static byte[] DeclaredSizeLie(long size)
    {
        const string head = "<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>标题</t></is></c></row>";
        var bytes = Raw(w =>
        {
            w.Write(head);
            var spaces = new string(' ', 1 << 16);
            for (long written = head.Length; written < size; written += spaces.Length) w.Write(spaces);
        });
        return LieAboutSize(bytes, "xl/worksheets/sheet1.xml", 1024);
    }

    /// Rewrites the uncompressed size an entry declares (local header and central directory) to `claimed`.
    public static byte[] LieAboutSize(byte[] zip, string entry, uint claimed)
    {
        var name = System.Text.Encoding.UTF8.GetBytes(entry);
        var span = zip.AsSpan();
        for (var i = 0; i + 46 < zip.Length; i++)
        {
            var sig = BinaryPrimitives.ReadUInt32LittleEndian(span[i..]);
            if (sig == 0x04034B50 && span.Slice(i + 30, Math.Min(name.Length, zip.Length - i - 30)).SequenceEqual(name)
                && BinaryPrimitives.ReadUInt16LittleEndian(span[(i + 26)..]) == name.Length)
                BinaryPrimitives.WriteUInt32LittleEndian(span[(i + 22)..], claimed);
            else if (sig == 0x02014B50 && span.Slice(i + 46, Math.Min(name.Length, zip.Length - i - 46)).SequenceEqual(name)
                     && BinaryPrimitives.ReadUInt16LittleEndian(span[(i + 28)..]) == name.Length)
                BinaryPrimitives.WriteUInt32LittleEndian(span[(i + 24)..], claimed);
        }
        return zip;
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
