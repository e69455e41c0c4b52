using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Xml;

namespace Bihuan.Infrastructure;

/// One row of an uploaded sheet: its 1-based row number as the user sees it in Excel, and its cells by column
/// index (0 = A). Values keep their type (string, double, bool) so importers can tell a date serial from text.
public sealed record SheetRow(int Number, object?[] Cells)
{
    public string Text(int col) => col < 0 || col >= Cells.Length ? "" : Sheets.AsText(Cells[col]);
    public bool IsBlank => Cells.All(c => string.IsNullOrWhiteSpace(Sheets.AsText(c)));
}

/// A user-facing message as its zh-CN format (the resource key in Resources/Text.en.resx) and its arguments, so a
/// page can show it in the reader's language (`T[p.Format, p.Args]`) while the API answers the Chinese text.
public sealed record Phrase(string Format, params object[] Args)
{
    public override string ToString() => string.Format(CultureInfo.InvariantCulture, Format, Args);
}

public sealed class SheetException(Phrase phrase) : Exception(phrase.ToString())
{
    public SheetException(string message) : this(new Phrase(message)) { }
    public Phrase Phrase { get; } = phrase;
}

/// Reads the first worksheet of an .xlsx or a .csv (UTF-8 or GB18030, as Chinese Excel saves it) within
/// ImportLimits, streaming: the parts are inflated through a counter (System.IO.Compression also ends an entry at
/// its declared size, so a zip that understates a part is cut short and refused as damaged; the counter keeps the
/// bound whatever the zip library does), the shared strings and the sheet are read with an XmlReader (no DTD; text in
/// chunks, so one giant cell is refused before it is held), and nothing but the rows' values is kept. The upload is read in
/// place when seekable (IFormFile's buffer, a file) and otherwise spooled to a temporary file, never copied into
/// arrays. Anything else is refused with a message a user can act on.
public static class Sheets
{
    /// Excel's own width (A..XFD): a column override or reference past it is no column at all.
    public const int ExcelColumns = 16_384;
    /// A workbook has a dozen parts; a zip's central directory is read whole when opened, so its length is checked
    /// (from the end record) before that.
    const int MaxZipEntries = 10_000;

    // The refusals, zh-CN formats (resource keys; LocalizationTests checks each has English).
    public const string TooLarge = "文件超过 {0} MB，请拆分后再导入";
    public const string TooBigInflated = "工作簿解压后超过 {0} MB，请拆分后再导入";
    public const string TooManyParts = "工作簿包含超过 {0:N0} 个部件，不是常规的 Excel 文件";
    public const string TooManySharedStrings = "共享字符串超过 {0:N0} 个，请拆分后再导入";
    public const string TooMuchSharedText = "共享字符串超过 {0:N0} 个字符，请拆分后再导入";
    public const string SharedStringTooLong = "共享字符串中有一段文本超过 {0:N0} 个字符（Excel 单元格的上限），请缩短后再导入";
    public const string TooManyRows = "数据超过 {0:N0} 行，请拆分后再导入";
    public const string TooManyColumns = "第 {0} 行的 {1} 列有数据，超过 {2} 列的上限，请删除多余的列后再导入";
    public const string TooManyCells = "单元格超过 {0:N0} 个，请拆分后再导入";
    public const string CellTooLong = "第 {0} 行 {1} 列的内容超过 {2:N0} 个字符（Excel 单元格的上限），请缩短后再导入";
    public const string TooMuchText = "文字总量超过 {0:N0} 个字符，请拆分后再导入";
    public const string TooSlow = "读取文件超过 {0} 秒，请拆分后再导入";
    public const string Empty = "文件是空的";
    public const string OldXls = "这是旧版 .xls 文件，请在 Excel 中“另存为” .xlsx 后再导入";
    public const string NotAWorkbook = "文件扩展名是 .xlsx，但内容不是 Excel 工作簿（文件可能已损坏）";
    public const string NotASheet = "不是 Excel（.xlsx）或 CSV 文件";
    public const string NoWorkbookPart = "不是 Excel（.xlsx）工作簿";
    public const string NoWorksheet = "工作簿中没有工作表";
    public const string Corrupt = "文件已损坏，无法作为 Excel（.xlsx）读取";
    public const string UnclosedQuote = "CSV 第 {0} 行的引号没有闭合";

    public static readonly IReadOnlyList<string> Messages =
    [
        TooLarge, TooBigInflated, TooManyParts, TooManySharedStrings, TooMuchSharedText, SharedStringTooLong, TooManyRows,
        TooManyColumns, TooManyCells, CellTooLong, TooMuchText, TooSlow, Empty, OldXls, NotAWorkbook, NotASheet,
        NoWorkbookPart, NoWorksheet, Corrupt, UnclosedQuote,
    ];

    static Sheets() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

    public static string AsText(object? v) => v switch
    {
        null => "",
        string s => s.Trim(),
        double d => d.ToString("0.###############", CultureInfo.InvariantCulture),
        bool b => b ? "TRUE" : "FALSE",
        _ => v.ToString()?.Trim() ?? "",
    };

    static SheetException Refuse(string format, params object[] args) => new(new Phrase(format, args));

    public static List<SheetRow> Read(Stream input, string fileName, ImportLimits? limits = null, CancellationToken ct = default)
    {
        var budget = new Budget(limits ?? ImportLimits.Default, ct);
        using var spool = input.CanSeek ? null : Spool(input, budget.Limits);
        var s = spool ?? input;
        var start = s.Position;
        if (s.Length - start > budget.Limits.MaxUploadBytes) throw Refuse(TooLarge, budget.Limits.UploadMegabytes);
        Span<byte> head = stackalloc byte[4];
        var got = s.ReadAtLeast(head, 4, throwOnEndOfStream: false);
        s.Position = start;
        if (got == 0) throw Refuse(Empty);
        if (got == 4 && head is [0x50, 0x4B, 0x03, 0x04]) return ReadXlsx(s, budget);
        if (got == 4 && head is [0xD0, 0xCF, 0x11, 0xE0]) throw Refuse(OldXls);
        if (fileName.EndsWith(".xlsx", StringComparison.OrdinalIgnoreCase)) throw Refuse(NotAWorkbook);
        return ReadCsv(s, start, budget);
    }

    /// A request body that cannot seek goes to a temporary file (deleted on close), at most the upload limit.
    static FileStream Spool(Stream input, ImportLimits limits)
    {
        var file = new FileStream(Path.GetTempFileName(), FileMode.Create, FileAccess.ReadWrite, FileShare.None, 81920,
            FileOptions.DeleteOnClose);
        var buffer = new byte[81920];
        long total = 0;
        int n;
        while ((n = input.Read(buffer)) > 0)
        {
            total += n;
            if (total > limits.MaxUploadBytes)
            {
                file.Dispose();
                throw Refuse(TooLarge, limits.UploadMegabytes);
            }
            file.Write(buffer, 0, n);
        }
        file.Position = 0;
        return file;
    }

    /// What this read has used so far, against the limits; every check refuses with the limit's own message.
    sealed class Budget(ImportLimits limits, CancellationToken ct)
    {
        public readonly ImportLimits Limits = limits;
        readonly Stopwatch clock = Stopwatch.StartNew();
        long inflated, text, cells;
        public int Rows;

        public void Tick()
        {
            ct.ThrowIfCancellationRequested();
            if (clock.Elapsed.TotalSeconds > Limits.MaxSeconds) throw Refuse(TooSlow, Limits.MaxSeconds);
        }

        public void Inflated(int n)
        {
            inflated += n;
            if (inflated > Limits.MaxDecompressedBytes) throw Refuse(TooBigInflated, Limits.MaxDecompressedBytes / 1024 / 1024);
        }

        public void Text(long chars)
        {
            text += chars;
            if (text > Limits.MaxTextChars) throw Refuse(TooMuchText, Limits.MaxTextChars);
        }

        public void Row(int width)
        {
            if (++Rows > Limits.MaxRows) throw Refuse(TooManyRows, Limits.MaxRows);
            cells += width;
            if (cells > Limits.MaxCells) throw Refuse(TooManyCells, Limits.MaxCells);
        }
    }

    // ---- .xlsx ----

    static readonly XmlReaderSettings Xml = new()
    {
        DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null, IgnoreComments = true, IgnoreProcessingInstructions = true,
        CloseInput = true,
    };

    static List<SheetRow> ReadXlsx(Stream s, Budget budget)
    {
        try
        {
            CheckEntryCount(s);
            using var zip = new ZipArchive(s, ZipArchiveMode.Read, leaveOpen: true);
            // What the zip declares is only a first, cheap refusal; the counter below decides.
            long declared = 0;
            foreach (var e in zip.Entries) declared += e.Length;
            if (declared > budget.Limits.MaxDecompressedBytes)
                throw Refuse(TooBigInflated, budget.Limits.MaxDecompressedBytes / 1024 / 1024);

            var workbook = Entry(zip, "xl/workbook.xml") ?? throw Refuse(NoWorkbookPart);
            var sheetId = FirstSheetRelationship(workbook, budget) ?? throw Refuse(NoWorksheet);
            var rels = Relationships(Entry(zip, "xl/_rels/workbook.xml.rels") ?? throw Refuse(Corrupt), budget);
            if (!rels.TryGetValue(sheetId, out var sheetRel)) throw Refuse(Corrupt);
            var sheet = Entry(zip, Resolve("xl/", sheetRel.Target)) ?? throw Refuse(Corrupt);
            var sharedRel = rels.Values.FirstOrDefault(r => r.Type.EndsWith("/sharedStrings", StringComparison.Ordinal));
            var shared = sharedRel is not null && Entry(zip, Resolve("xl/", sharedRel.Target)) is { } sst
                ? SharedStrings(sst, budget) : [];
            return Worksheet(sheet, shared, budget);
        }
        catch (Exception e) when (e is InvalidDataException or XmlException or IOException or NotSupportedException
                                      or ArgumentException or FormatException)
        {
            throw Refuse(Corrupt);
        }
    }

    /// The entry count from the zip's end record (and its Zip64 twin), before ZipArchive reads every entry.
    static void CheckEntryCount(Stream s)
    {
        var tail = (int)Math.Min(s.Length, 22 + 65_535);
        var buffer = new byte[tail];
        s.Position = s.Length - tail;
        s.ReadExactly(buffer);
        s.Position = 0;
        for (var i = tail - 22; i >= 0; i--)
        {
            if (BinaryPrimitives.ReadUInt32LittleEndian(buffer.AsSpan(i)) != 0x06054B50) continue;
            long entries = BinaryPrimitives.ReadUInt16LittleEndian(buffer.AsSpan(i + 10));
            if (entries == 0xFFFF && i >= 20 && BinaryPrimitives.ReadUInt32LittleEndian(buffer.AsSpan(i - 20)) == 0x07064B50)
            {
                var at = (long)BinaryPrimitives.ReadUInt64LittleEndian(buffer.AsSpan(i - 12));
                if (at < 0 || at > s.Length - 56) throw Refuse(Corrupt);
                var zip64 = new byte[56];
                s.Position = at;
                s.ReadExactly(zip64);
                s.Position = 0;
                entries = (long)Math.Min(BinaryPrimitives.ReadUInt64LittleEndian(zip64.AsSpan(32)), long.MaxValue);
            }
            if (entries > MaxZipEntries) throw Refuse(TooManyParts, MaxZipEntries);
            return;
        }
        throw Refuse(Corrupt);
    }

    static ZipArchiveEntry? Entry(ZipArchive zip, string name) =>
        zip.GetEntry(name) ?? zip.Entries.FirstOrDefault(e => string.Equals(e.FullName, name, StringComparison.OrdinalIgnoreCase));

    /// A relationship target against the folder of the part holding it: "worksheets/sheet1.xml", "/xl/…", "../…".
    static string Resolve(string folder, string target)
    {
        var path = Uri.UnescapeDataString(target.StartsWith('/') ? target[1..] : folder + target);
        var parts = new List<string>();
        foreach (var seg in path.Split('/'))
        {
            if (seg == "..") { if (parts.Count > 0) parts.RemoveAt(parts.Count - 1); }
            else if (seg is not ("." or "")) parts.Add(seg);
        }
        return string.Join('/', parts);
    }

    static XmlReader Open(ZipArchiveEntry entry, Budget budget) =>
        XmlReader.Create(new CountingStream(entry.Open(), budget), Xml);

    static string? FirstSheetRelationship(ZipArchiveEntry workbook, Budget budget)
    {
        using var r = Open(workbook, budget);
        while (r.Read())
        {
            if (r.NodeType != XmlNodeType.Element || r.LocalName != "sheet") continue;
            // r:id in the transitional or the strict relationships namespace
            for (var ok = r.MoveToFirstAttribute(); ok; ok = r.MoveToNextAttribute())
                if (r.LocalName == "id" && r.NamespaceURI.Contains("relationships", StringComparison.Ordinal)) return r.Value;
            return null;
        }
        return null;
    }

    sealed record Relationship(string Type, string Target);

    static Dictionary<string, Relationship> Relationships(ZipArchiveEntry rels, Budget budget)
    {
        var map = new Dictionary<string, Relationship>(StringComparer.Ordinal);
        using var r = Open(rels, budget);
        while (r.Read())
            if (r.NodeType == XmlNodeType.Element && r.LocalName == "Relationship"
                && r.GetAttribute("Id") is { } id && r.GetAttribute("Target") is { } target)
            {
                map.TryAdd(id, new Relationship(r.GetAttribute("Type") ?? "", target));
                if (map.Count > MaxZipEntries) throw Refuse(TooManyParts, MaxZipEntries);
            }
        return map;
    }

    /// The shared-string table, each entry's text runs joined (phonetic guides, rPh, left out as Excel shows it).
    static List<string> SharedStrings(ZipArchiveEntry part, Budget budget)
    {
        var limits = budget.Limits;
        var strings = new List<string>();
        var sb = new StringBuilder();
        long chars = 0;
        var phonetic = -1;
        using var r = Open(part, budget);
        while (r.Read())
        {
            if (r.NodeType == XmlNodeType.Element)
            {
                switch (r.LocalName)
                {
                    case "sst" when long.TryParse(r.GetAttribute("uniqueCount"), out var declared) && declared > limits.MaxSharedStrings:
                        throw Refuse(TooManySharedStrings, limits.MaxSharedStrings);  // said up front: no need to read on
                    case "si":
                        sb.Clear();
                        if (r.IsEmptyElement) Add();
                        break;
                    case "rPh" when !r.IsEmptyElement:
                        phonetic = r.Depth;
                        break;
                    case "t" when phonetic < 0:
                        ReadText(r, sb, limits.MaxCellChars, () => Refuse(SharedStringTooLong, limits.MaxCellChars));
                        break;
                }
            }
            else if (r.NodeType == XmlNodeType.EndElement)
            {
                if (r.LocalName == "rPh" && r.Depth == phonetic) phonetic = -1;
                else if (r.LocalName == "si") Add();
            }
        }
        return strings;

        void Add()
        {
            if (strings.Count >= limits.MaxSharedStrings) throw Refuse(TooManySharedStrings, limits.MaxSharedStrings);
            chars += sb.Length;
            if (chars > limits.MaxSharedStringChars) throw Refuse(TooMuchSharedText, limits.MaxSharedStringChars);
            budget.Text(sb.Length);
            strings.Add(sb.ToString());
            sb.Clear();
        }
    }

    /// Appends the text content of the element the reader is on (a t or v) and leaves the reader on its end tag.
    /// The text is read in chunks and refused as soon as it passes `max`, so a giant cell is never held whole.
    static void ReadText(XmlReader r, StringBuilder sb, int max, Func<SheetException> tooLong)
    {
        if (r.IsEmptyElement) return;
        var depth = r.Depth;
        var chunk = new char[4096];
        var start = sb.Length;
        while (r.Read())
        {
            switch (r.NodeType)
            {
                case XmlNodeType.Text or XmlNodeType.CDATA or XmlNodeType.Whitespace or XmlNodeType.SignificantWhitespace:
                    if (r.CanReadValueChunk)
                    {
                        int n;
                        while ((n = r.ReadValueChunk(chunk, 0, chunk.Length)) > 0)
                        {
                            sb.Append(chunk, 0, n);
                            if (sb.Length - start > max) throw tooLong();
                        }
                    }
                    else
                    {
                        sb.Append(r.Value);
                        if (sb.Length - start > max) throw tooLong();
                    }
                    break;
                case XmlNodeType.EndElement when r.Depth == depth:
                    return;
            }
        }
    }

    /// The worksheet's rows that hold a value (an empty, formatted row or cell is not kept; a missing row reads as
    /// a gap in the numbers, as a blank one would). Cells beyond a row's last value are not held.
    static List<SheetRow> Worksheet(ZipArchiveEntry part, List<string> shared, Budget budget)
    {
        var limits = budget.Limits;
        var rows = new List<SheetRow>();
        var cells = new List<object?>();
        var text = new StringBuilder();
        var rowNumber = 0;
        var nextColumn = 0;
        // the cell being read
        int column = 0;
        string? type = null;
        bool hasValue = false, inline = false;
        var phonetic = -1;
        using var r = Open(part, budget);
        while (r.Read())
        {
            if (r.NodeType == XmlNodeType.Element)
            {
                switch (r.LocalName)
                {
                    case "row":
                        rowNumber = int.TryParse(r.GetAttribute("r"), NumberStyles.None, CultureInfo.InvariantCulture, out var n)
                                    && n is >= 1 and <= 1_048_576 ? n : rowNumber + 1;
                        cells.Clear();
                        nextColumn = 0;
                        if (r.IsEmptyElement) EndRow();
                        break;
                    case "c":
                        column = r.GetAttribute("r") is { } reference && ColumnIndex(reference) is var c and >= 0 and < ExcelColumns
                            ? c : nextColumn;
                        type = r.GetAttribute("t");
                        text.Clear();
                        hasValue = inline = false;
                        if (r.IsEmptyElement) EndCell();
                        break;
                    case "v":
                        hasValue = true;
                        ReadText(r, text, limits.MaxCellChars, TooLongHere);
                        break;
                    case "is":
                        hasValue = inline = true;
                        break;
                    case "rPh" when !r.IsEmptyElement:
                        phonetic = r.Depth;
                        break;
                    case "t" when inline && phonetic < 0:
                        ReadText(r, text, limits.MaxCellChars, TooLongHere);
                        break;
                }
            }
            else if (r.NodeType == XmlNodeType.EndElement)
            {
                switch (r.LocalName)
                {
                    case "rPh" when r.Depth == phonetic: phonetic = -1; break;
                    case "c": EndCell(); break;
                    case "row": EndRow(); break;
                }
            }
        }
        return rows;

        SheetException TooLongHere() => Refuse(CellTooLong, rowNumber, ColumnName(column), limits.MaxCellChars);

        void EndCell()
        {
            nextColumn = column + 1;
            if (!hasValue) return;
            var value = ValueOf(type, inline, text, shared, budget);
            if (value is null) return;
            if (column >= limits.MaxColumns) throw Refuse(TooManyColumns, rowNumber, ColumnName(column), limits.MaxColumns);
            while (cells.Count < column) cells.Add(null);
            if (column < cells.Count) cells[column] = value;   // out of order or repeated: the last one wins
            else cells.Add(value);
        }

        void EndRow()
        {
            budget.Tick();
            if (cells.Count == 0) return;
            budget.Row(cells.Count);
            rows.Add(new SheetRow(rowNumber, [.. cells]));
            cells.Clear();
        }
    }

    /// A cell's value by its type: shared string, inline string, boolean, formula text / error / ISO date as text,
    /// else a number (text when it does not parse, as a hand-written file may hold).
    static object? ValueOf(string? type, bool inline, StringBuilder text, List<string> shared, Budget budget)
    {
        if (type == "s")
            return int.TryParse(text.ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out var i) && i < shared.Count
                ? shared[i] : null;
        if (type == "b" && !inline) return text.Length == 1 && text[0] == '1';
        if (text.Length == 0) return "";
        var own = text.ToString();
        if (!inline && type is not ("inlineStr" or "str" or "e" or "d")
            && double.TryParse(own, NumberStyles.Float, CultureInfo.InvariantCulture, out var d)) return d;
        budget.Text(own.Length);
        return own;
    }

    /// "B7" → 1. -1 when the reference starts with no column letter.
    public static int ColumnIndex(string reference)
    {
        var n = 0;
        foreach (var ch in reference)
        {
            if (ch is < 'A' or > 'Z') break;
            n = n * 26 + (ch - 'A' + 1);
            if (n > ExcelColumns) return ExcelColumns;
        }
        return n - 1;
    }

    /// 0 → "A", 27 → "AB".
    public static string ColumnName(int index)
    {
        var s = "";
        for (var n = index + 1; n > 0; n = (n - 1) / 26) s = (char)('A' + (n - 1) % 26) + s;
        return s;
    }

    /// A zip entry's inflated bytes, counted against the budget as they are read (and the clock checked).
    sealed class CountingStream(Stream inner, Budget budget) : Stream
    {
        public override int Read(byte[] buffer, int offset, int count) => Count(inner.Read(buffer, offset, count));
        public override int Read(Span<byte> buffer) => Count(inner.Read(buffer));

        int Count(int n)
        {
            budget.Tick();
            budget.Inflated(n);
            return n;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing) inner.Dispose();
            base.Dispose(disposing);
        }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    // ---- .csv ----

    /// UTF-8 (with or without BOM) when every byte decodes as UTF-8, else GB18030; separated by commas, or by tabs
    /// when the first line has tabs and no comma. Quoted fields may hold separators, quotes ("") and line breaks.
    static List<SheetRow> ReadCsv(Stream s, long start, Budget budget)
    {
        var limits = budget.Limits;
        var probe = new byte[8192];
        var got = s.ReadAtLeast(probe, probe.Length, throwOnEndOfStream: false);
        if (probe.AsSpan(0, got).IndexOf((byte)0) >= 0) throw Refuse(NotASheet);
        var bom = got >= 3 && probe[0] == 0xEF && probe[1] == 0xBB && probe[2] == 0xBF;
        s.Position = start;
        var encoding = bom || IsUtf8(s, budget) ? (Encoding)new UTF8Encoding(false) : Encoding.GetEncoding("GB18030");
        s.Position = start + (bom ? 3 : 0);
        using var reader = new StreamReader(s, encoding, detectEncodingFromByteOrderMarks: false, bufferSize: 65536, leaveOpen: true);

        var block = new char[65536];
        var length = reader.ReadBlock(block, 0, block.Length);
        var firstLine = block.AsSpan(0, length);
        if (firstLine.IndexOf('\n') is var nl and >= 0) firstLine = firstLine[..nl];
        var sep = firstLine.Contains('\t') && !firstLine.Contains(',') ? '\t' : ',';

        var rows = new List<SheetRow>();
        var cells = new List<object?>();
        var field = new StringBuilder();
        bool quoted = false, any = false;
        int line = 1, rowStart = 1;
        while (length > 0)
        {
            budget.Tick();
            for (var k = 0; k < length; k++)
            {
                var ch = block[k];
                if (quoted)
                {
                    if (ch == '"')
                    {
                        var next = k + 1 < length ? block[k + 1] : reader.Peek() is var p and >= 0 ? (char)p : '\0';
                        if (next == '"')
                        {
                            Append('"');
                            if (k + 1 < length) k++; else reader.Read();
                        }
                        else quoted = false;
                    }
                    else Append(ch); // a quoted line break stays in its cell: Excel shows one row per record
                    continue;
                }
                switch (ch)
                {
                    case '"' when field.Length == 0: quoted = true; any = true; break;
                    case '\r': break;
                    case '\n':
                        EndField();
                        EndRow();
                        line++; rowStart = line; any = false;
                        break;
                    default:
                        if (ch == sep) EndField();
                        else Append(ch);
                        any = true;
                        break;
                }
            }
            length = reader.ReadBlock(block, 0, block.Length);
        }
        if (quoted) throw Refuse(UnclosedQuote, rowStart);
        if (any || field.Length > 0 || cells.Count > 0) { EndField(); EndRow(); }
        return rows;

        void Append(char ch)
        {
            field.Append(ch);
            if (field.Length > limits.MaxCellChars) throw Refuse(CellTooLong, rowStart, ColumnName(cells.Count), limits.MaxCellChars);
        }

        void EndField()
        {
            if (cells.Count >= limits.MaxColumns)
            {
                // empty fields past the limit (a trailing run of separators) are dropped; a value there is refused
                if (field.Length > 0) throw Refuse(TooManyColumns, rowStart, ColumnName(cells.Count), limits.MaxColumns);
                return;
            }
            budget.Text(field.Length);
            cells.Add(field.Length == 0 ? "" : field.ToString());
            field.Clear();
        }

        void EndRow()
        {
            budget.Row(cells.Count);
            rows.Add(new SheetRow(rowStart, [.. cells]));
            cells.Clear();
        }
    }

    /// Streams the bytes through a strict UTF-8 decoder: true when all of them decode.
    static bool IsUtf8(Stream s, Budget budget)
    {
        var decoder = new UTF8Encoding(false, true).GetDecoder();
        var bytes = new byte[65536];
        var chars = new char[65537];
        try
        {
            int n;
            while ((n = s.Read(bytes)) > 0)
            {
                budget.Tick();
                decoder.GetChars(bytes, 0, n, chars, 0, flush: false);
            }
            decoder.GetChars([], 0, 0, chars, 0, flush: true);
            return true;
        }
        catch (DecoderFallbackException)
        {
            return false;
        }
    }

    /// Normalizes a header cell for matching: no spaces, asterisks or full-width brackets' noise.
    public static string HeaderKey(string s) => new(s.Where(c => !char.IsWhiteSpace(c) && c is not ('*' or '＊' or ':' or '：')).ToArray());
}
