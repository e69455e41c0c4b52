using System.Text;
using Bihuan.Infrastructure;
using Bihuan.Tests.Builders;
using FsCheck.Xunit;
using MiniExcelLibs;

namespace Bihuan.Tests;

public sealed class SheetsTests
{
    static SheetsTests() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

    static List<SheetRow> Read(byte[] bytes, string name) => Sheets.Read(new MemoryStream(bytes), name);

    static List<SheetRow> Csv(string text, string name = "组织.csv") => Read(new UTF8Encoding(false).GetBytes(text), name);

    static string[] Texts(SheetRow row) => Enumerable.Range(0, row.Cells.Length).Select(row.Text).ToArray();

    // ---- .xlsx ----

    [Fact]
    public void Read_XlsxTitleHeaderAndGaps_RowNumbersAreExcelRows()
    {
        var bytes = new XlsxBuilder()
            .Row(1, "某市组织架构导入表").Merge("A1:C1")
            .Row(2, "组织名称", "组织编码", "上级组织编码")
            .Row(3, "市委", "A01", null)
            .Row(5, "区委", "A02", "A01") // row 4 absent, as Excel omits empty rows
            .Row(6, new Inline(" "))   // a row with only a blank cell
            .Row(9, "街道党工委", "A03", "A02")
            .Build();

        var rows = Read(bytes, "组织.xlsx");

        Assert.Equal([1, 2, 3, 5, 6, 9], rows.Select(r => r.Number));
        Assert.Equal("某市组织架构导入表", rows[0].Text(0));
        Assert.Equal(["组织名称", "组织编码", "上级组织编码"], Texts(rows[1]));
        Assert.Equal(3, rows.First(r => !r.IsBlank && r.Number > 2).Number);
        Assert.Equal(["区委", "A02", "A01"], Texts(rows[3]));
        Assert.True(rows[4].IsBlank);
        Assert.False(rows[5].IsBlank);
        Assert.Equal("A02", rows[5].Text(2));
    }

    [Fact]
    public void Read_XlsxCellTypes_ValuesKeepTheirType()
    {
        var bytes = new XlsxBuilder()
            .Row(1, "共享", new Inline("内联"), 110101, 0.25, true, false, 46000)
            .Build();

        var row = Assert.Single(Read(bytes, "x.xlsx"));

        Assert.Equal("共享", row.Cells[0]);
        Assert.Equal("内联", row.Cells[1]);
        Assert.Equal(110101d, row.Cells[2]);
        Assert.Equal("110101", row.Text(2));
        Assert.Equal("0.25", row.Text(3));
        Assert.Equal(true, row.Cells[4]);
        Assert.Equal("TRUE", row.Text(4));
        Assert.Equal("FALSE", row.Text(5));
        Assert.IsType<double>(row.Cells[6]); // a date serial stays a number for the importer to interpret
    }

    [Fact]
    public void Read_XlsxColumnGap_MissingCellsAreNullAtTheirIndex()
    {
        var bytes = new XlsxBuilder().Row(1, "A", null, null, "D").Build();

        var row = Assert.Single(Read(bytes, "x.xlsx"));

        Assert.Equal(4, row.Cells.Length);
        Assert.Null(row.Cells[1]);
        Assert.Null(row.Cells[2]);
        Assert.Equal("D", row.Text(3));
        Assert.Equal("", row.Text(10));
        Assert.Equal("", row.Text(-1));
    }

    [Fact]
    public void Read_XlsxWithoutRowReferences_NumberedSequentially()
    {
        var bytes = new XlsxBuilder().Row(1, "标题").Row(2, "名称").Row(3, "市委").WithoutReferences().Build();

        var rows = Read(bytes, "x.xlsx");

        Assert.Equal([1, 2, 3], rows.Select(r => r.Number));
        Assert.Equal("市委", rows[2].Text(0));
    }

    [Fact]
    public void Read_XlsxSavedByMiniExcel_HeaderThenDataRows()
    {
        using var ms = new MemoryStream();
        ms.SaveAs(new[]
        {
            new Dictionary<string, object> { ["组织名称"] = "市委", ["排序"] = 1 },
            new Dictionary<string, object> { ["组织名称"] = "区委", ["排序"] = 2 },
        });

        var rows = Read(ms.ToArray(), "导出.xlsx");

        Assert.Equal([1, 2, 3], rows.Select(r => r.Number));
        Assert.Equal(["组织名称", "排序"], Texts(rows[0]));
        Assert.Equal(["区委", "2"], Texts(rows[2]));
    }

    [Fact]
    public void Read_XlsxValueBeyondMaxColumns_RefusedNamingRowColumnAndLimit()
    {
        var cells = new object?[ImportLimits.Default.MaxColumns + 6];
        cells[0] = "A";
        cells[^1] = "far right";

        var ex = Assert.Throws<SheetException>(() => Read(new XlsxBuilder().Row(3, cells).Build(), "x.xlsx"));

        Assert.Equal(new Phrase(Sheets.TooManyColumns, 3, Sheets.ColumnName(cells.Length - 1), ImportLimits.Default.MaxColumns).ToString(),
            ex.Message);
        Assert.Contains("第 3 行", ex.Message);
    }

    [Fact]
    public void Read_XlsxManyRows_AllReadWithNumbers()
    {
        var rows = Read(XlsxBuilder.ManyRows(2000), "x.xlsx");

        Assert.Equal(2000, rows.Count);
        Assert.Equal(2000, rows[^1].Number);
        Assert.Equal("2000", rows[^1].Text(0));
    }

    [Fact]
    public void Read_ZipBombPastTheInflatedLimit_RefusedBeforeUnpacking()
    {
        var bomb = XlsxBuilder.ZipBomb(ImportLimits.Default.MaxDecompressedBytes + 10L * 1024 * 1024);
        Assert.True(bomb.Length < 5 * 1024 * 1024, $"bomb should be small, was {bomb.Length} bytes");

        var ex = Assert.Throws<SheetException>(() => Read(bomb, "炸弹.xlsx"));

        Assert.Contains($"{ImportLimits.Default.MaxDecompressedBytes / 1024 / 1024} MB", ex.Message);
    }

    // ---- bombs and hostile shapes: refused early, the limit named ----

    static ImportLimits Limits => ImportLimits.Default;

    static string Refusal(string format, params object[] args) => new Phrase(format, args).ToString();

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Read_SharedStringsPastTheCount_Refused(bool declared)
    {
        var bomb = XlsxBuilder.SharedStringsBomb(Limits.MaxSharedStrings + 1, 12, declared);

        var ex = Assert.Throws<SheetException>(() => Read(bomb, "共享.xlsx"));

        Assert.Equal(Refusal(Sheets.TooManySharedStrings, Limits.MaxSharedStrings), ex.Message);
        Assert.Contains("请拆分后再导入", ex.Message);
    }

    [Fact]
    public void Read_SharedStringsPastTheCharacters_Refused()
    {
        var perString = 20_000;
        var bomb = XlsxBuilder.SharedStringsBomb((int)(Limits.MaxSharedStringChars / perString) + 1, perString, declareCount: false);

        var ex = Assert.Throws<SheetException>(() => Read(bomb, "共享.xlsx"));

        Assert.Equal(Refusal(Sheets.TooMuchSharedText, Limits.MaxSharedStringChars), ex.Message);
    }

    [Fact]
    public void Read_SmallFileWhoseSharedStringInflatesTo100MB_RefusedAtTheCellLimit()
    {
        // the bomb: a few hundred KB that inflate to 100 MB of one shared string
        var bomb = XlsxBuilder.SharedStringsBomb(1, 34_000_000);
        Assert.True(bomb.Length < 1024 * 1024, $"{bomb.Length} bytes");

        var ex = Assert.Throws<SheetException>(() => Read(bomb, "炸弹.xlsx"));

        Assert.Equal(Refusal(Sheets.SharedStringTooLong, Limits.MaxCellChars), ex.Message);
    }

    [Fact]
    public void Read_GiantInlineCell_RefusedNamingTheCell()
    {
        var ex = Assert.Throws<SheetException>(() => Read(XlsxBuilder.GiantCell(Limits.MaxCellChars + 1), "长.xlsx"));

        Assert.Equal(Refusal(Sheets.CellTooLong, 2, "B", Limits.MaxCellChars), ex.Message);
    }

    [Fact]
    public void Read_CellAtTheLimit_Accepted()
    {
        var rows = Read(XlsxBuilder.GiantCell(Limits.MaxCellChars), "长.xlsx");

        Assert.Equal(Limits.MaxCellChars, rows[1].Text(1).Length);
    }

    [Fact]
    public void Read_SheetInflatingPastWhatItsZipDeclares_RefusedAsDamaged()
    {
        // The entry stream ends at the declared 1 KB (System.IO.Compression stops there), so the XML is cut short:
        // refused as damaged without inflating the 270 MB; the reader's own counter bounds the rest in any case.
        var lie = XlsxBuilder.DeclaredSizeLie(Limits.MaxDecompressedBytes + 16L * 1024 * 1024);
        using (var zip = new System.IO.Compression.ZipArchive(new MemoryStream(lie)))
            Assert.Equal(1024, zip.GetEntry("xl/worksheets/sheet1.xml")!.Length);   // the lie is in place

        var ex = Assert.Throws<SheetException>(() => Read(lie, "谎报.xlsx"));

        Assert.Equal(Sheets.Corrupt, ex.Message);
    }

    [Fact]
    public void Read_XlsxPastMaxRows_Refused()
    {
        var ex = Assert.Throws<SheetException>(() => Read(XlsxBuilder.ManyRows(Limits.MaxRows + 1), "行.xlsx"));

        Assert.Equal(Refusal(Sheets.TooManyRows, Limits.MaxRows), ex.Message);
    }

    [Fact]
    public void Read_XlsxExactlyMaxRows_Accepted()
    {
        Assert.Equal(Limits.MaxRows, Read(XlsxBuilder.ManyRows(Limits.MaxRows), "行.xlsx").Count);
    }

    [Fact]
    public void Read_MoreCellsThanTheLimit_Refused()
    {
        var limits = new ImportLimits { MaxCells = 1_000 };

        var ex = Assert.Throws<SheetException>(() => Sheets.Read(new MemoryStream(XlsxBuilder.Grid(11, 100)), "格.xlsx", limits));

        Assert.Equal(Refusal(Sheets.TooManyCells, 1_000), ex.Message);
        Assert.Equal(10, Sheets.Read(new MemoryStream(XlsxBuilder.Grid(10, 100)), "格.xlsx", limits).Count);
    }

    [Fact]
    public void Read_OneFarCellPerRow_CountsTheWholeWidth()
    {
        // a value in column GR on every row holds 200 cells a row: the grid, not the values, is what memory holds
        var limits = new ImportLimits { MaxCells = 2_000 };
        var far = XlsxBuilder.Raw(w =>
        {
            for (var r = 1; r <= 11; r++) w.Write($"<row r=\"{r}\"><c r=\"GR{r}\"><v>1</v></c></row>");
        });

        var ex = Assert.Throws<SheetException>(() => Sheets.Read(new MemoryStream(far), "远.xlsx", limits));

        Assert.Equal(Refusal(Sheets.TooManyCells, 2_000), ex.Message);
    }

    [Fact]
    public void Read_PastTheTimeLimit_Refused()
    {
        var ex = Assert.Throws<SheetException>(() =>
            Sheets.Read(new MemoryStream(XlsxBuilder.ManyRows(10)), "慢.xlsx", new ImportLimits { MaxSeconds = 0 }));

        Assert.Equal(Refusal(Sheets.TooSlow, 0), ex.Message);
    }

    [Fact]
    public void Read_ZipWithTensOfThousandsOfEntries_RefusedBeforeTheyAreRead()
    {
        var ex = Assert.Throws<SheetException>(() => Read(XlsxBuilder.Raw(_ => { }, extraEntries: 10_001), "多.xlsx"));

        Assert.Contains("部件", ex.Message);
    }

    [Fact]
    public void Read_EntityExpansionInTheSheet_RefusedAsDamaged()
    {
        var laughs = "<!DOCTYPE worksheet [<!ENTITY a \"哈哈哈哈哈哈哈哈\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;\">" +
                     "<!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;\"><!ENTITY d \"&c;&c;&c;&c;&c;&c;&c;&c;\">]>";
        var bytes = XlsxBuilder.Raw(w => w.Write("<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>&d;</t></is></c></row>"),
            sheetProlog: laughs);

        var ex = Assert.Throws<SheetException>(() => Read(bytes, "实体.xlsx"));

        Assert.Equal(Sheets.Corrupt, ex.Message);
    }

    [Fact]
    public void Read_UploadPastTheLimit_RefusedFromSeekableAndStreamedInput()
    {
        var limits = new ImportLimits { MaxUploadBytes = 1024 };
        var csv = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("名称,编码\n", 200)));

        Assert.Equal(Refusal(Sheets.TooLarge, limits.UploadMegabytes),
            Assert.Throws<SheetException>(() => Sheets.Read(new MemoryStream(csv), "x.csv", limits)).Message);
        Assert.Equal(Refusal(Sheets.TooLarge, limits.UploadMegabytes),
            Assert.Throws<SheetException>(() => Sheets.Read(new ForwardOnly(csv), "x.csv", limits)).Message);
        Assert.Equal(200, Sheets.Read(new ForwardOnly(csv), "x.csv").Count);   // spooled, then read as usual
    }

    /// A request body: read once, no seeking.
    sealed class ForwardOnly(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
    }

    [Fact]
    public void Read_SharedStringRuns_JoinedWithoutPhoneticGuides()
    {
        var bytes = XlsxBuilder.Raw(w => w.Write("<row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v></c><c r=\"B1\" t=\"s\"><v>1</v></c></row>"),
            w => w.Write("<si><r><t>整改</t></r><r><rPr/><t xml:space=\"preserve\"> 措施</t></r><rPh sb=\"0\" eb=\"1\"><t>zhenggai</t></rPh></si>" +
                         "<si><t>&lt;第二&gt;</t></si>"));

        var row = Assert.Single(Read(bytes, "x.xlsx"));

        Assert.Equal(["整改 措施", "<第二>"], row.Cells);
    }

    [Fact]
    public void Read_CsvFieldPastTheCellLimit_RefusedNamingTheCell()
    {
        var ex = Assert.Throws<SheetException>(() => Csv("名称,备注\n市委," + new string('长', Limits.MaxCellChars + 1) + "\n"));

        Assert.Equal(Refusal(Sheets.CellTooLong, 2, "B", Limits.MaxCellChars), ex.Message);
    }

    [Fact]
    public void Read_CsvValuePastMaxColumns_RefusedButTrailingEmptyFieldsDropped()
    {
        var wide = string.Join(",", Enumerable.Range(0, Limits.MaxColumns + 1).Select(i => "v" + i));
        var ex = Assert.Throws<SheetException>(() => Csv("标题\n" + wide + "\n"));
        Assert.Equal(Refusal(Sheets.TooManyColumns, 2, Sheets.ColumnName(Limits.MaxColumns), Limits.MaxColumns), ex.Message);

        var row = Assert.Single(Csv("a,b" + new string(',', Limits.MaxColumns + 50) + "\n"));
        Assert.Equal(Limits.MaxColumns, row.Cells.Length);
    }

    [Fact]
    public void Read_CsvPastTheTextLimit_Refused()
    {
        var limits = new ImportLimits { MaxTextChars = 100 };

        var ex = Assert.Throws<SheetException>(() =>
            Sheets.Read(new MemoryStream(Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("一二三四五,六七八九十\n", 11)))), "x.csv", limits));

        Assert.Equal(Refusal(Sheets.TooMuchText, 100), ex.Message);
    }

    [Fact]
    public void Refusals_EveryMessage_HasEnglish()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Bihuan.slnx"))) dir = dir.Parent;
        var translated = System.Xml.Linq.XDocument.Load(Path.Combine(dir!.FullName, "src", "Bihuan", "Resources", "Text.en.resx")).Root!
            .Elements("data").Select(d => (string)d.Attribute("name")!).ToHashSet();

        Assert.DoesNotContain(Sheets.Messages, m => !translated.Contains(m));
    }

    [Fact]
    public void Read_ZipWithoutWorkbook_Refused()
    {
        var ex = Assert.Throws<SheetException>(() => Read(XlsxBuilder.PlainZip(), "文档.xlsx"));

        Assert.Contains(".xlsx", ex.Message);
    }

    [Fact]
    public void Read_TruncatedXlsx_SheetException()
    {
        var bytes = new XlsxBuilder().Row(1, "市委").Build();

        Assert.Throws<SheetException>(() => Read(bytes[..(bytes.Length / 2)], "x.xlsx"));
    }

    // ---- refused formats ----

    [Theory]
    [InlineData("旧表.xls")]
    [InlineData("改了扩展名.xlsx")]
    public void Read_OleCompoundFile_MessageMentionsXls(string name)
    {
        byte[] bytes = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, .. new byte[504]];

        var ex = Assert.Throws<SheetException>(() => Read(bytes, name));

        Assert.Contains(".xls", ex.Message);
        Assert.Contains("另存为", ex.Message);
    }

    [Fact]
    public void Read_PlainTextNamedXlsx_SheetException()
    {
        var ex = Assert.Throws<SheetException>(() => Read(Encoding.UTF8.GetBytes("组织名称,组织编码\n市委,A01\n"), "fake.xlsx"));

        Assert.Contains(".xlsx", ex.Message);
    }

    [Fact]
    public void Read_EmptyFile_SheetException()
    {
        var ex = Assert.Throws<SheetException>(() => Read([], "x.csv"));

        Assert.Contains("空", ex.Message);
    }

    [Fact]
    public void Read_RandomBinary_SheetException()
    {
        var bytes = new byte[4096];
        new Random(20261127).NextBytes(bytes);
        bytes[0] = 0x7F; // neither zip nor OLE magic

        var ex = Assert.Throws<SheetException>(() => Read(bytes, "upload.csv"));

        Assert.Contains("CSV", ex.Message);
    }

    [Property(MaxTest = 300)]
    public void Read_ArbitraryBytes_RowsOrSheetExceptionOnly(byte[] bytes, bool zipMagic, bool xlsxName)
    {
        byte[] input = zipMagic ? [0x50, 0x4B, 0x03, 0x04, .. bytes] : bytes;
        try
        {
            Read(input, xlsxName ? "x.xlsx" : "x.csv");
        }
        catch (SheetException)
        {
        }
    }

    // ---- .csv ----

    const string Sample = "组织名称,组织编码\n中共某市委员会,A01\n区委组织部,A02\n";

    static void AssertSample(List<SheetRow> rows)
    {
        Assert.Equal([1, 2, 3], rows.Select(r => r.Number));
        Assert.Equal(["组织名称", "组织编码"], Texts(rows[0]));
        Assert.Equal(["中共某市委员会", "A01"], Texts(rows[1]));
        Assert.Equal(["区委组织部", "A02"], Texts(rows[2]));
    }

    [Fact]
    public void Read_CsvUtf8_Decoded() => AssertSample(Read(new UTF8Encoding(false).GetBytes(Sample), "x.csv"));

    [Fact]
    public void Read_CsvUtf8Bom_BomNotInFirstCell()
    {
        var rows = Read([0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes(Sample)], "x.csv");

        AssertSample(rows);
        Assert.Equal("组织名称", rows[0].Cells[0]);
    }

    [Fact]
    public void Read_CsvGb18030_Decoded()
    {
        var bytes = Encoding.GetEncoding("GB18030").GetBytes(Sample);
        Assert.Throws<DecoderFallbackException>(() => new UTF8Encoding(false, true).GetString(bytes)); // really not UTF-8

        AssertSample(Read(bytes, "x.csv"));
    }

    [Fact]
    public void Read_CsvCrLf_NoCarriageReturnsInValues() => AssertSample(Csv(Sample.Replace("\n", "\r\n")));

    [Fact]
    public void Read_CsvNoTrailingNewline_LastRowKept()
    {
        var rows = Csv(Sample.TrimEnd('\n'));

        AssertSample(rows);
    }

    [Fact]
    public void Read_CsvTabSeparated_SplitOnTabs()
    {
        var rows = Csv("组织名称\t组织编码\n市委\tA01\n");

        Assert.Equal(["市委", "A01"], Texts(rows[1]));
    }

    [Fact]
    public void Read_CsvQuotedCommaQuoteAndNewline_OneField()
    {
        var rows = Csv("名称,备注\n\"市委,办公室\",\"说\"\"好\"\"的\"\n\"第一行\n第二行\",x\n");

        Assert.Equal(3, rows.Count);
        Assert.Equal(["市委,办公室", "说\"好\"的"], rows[1].Cells);
        Assert.Equal(["第一行\n第二行", "x"], rows[2].Cells);
    }

    [Fact]
    public void Read_CsvAfterMultilineField_RowNumbersAreExcelRows()
    {
        // Opened in Excel, a quoted line break stays inside its cell: the record after it is the next Excel row.
        var rows = Csv("名称,备注\n市委,\"第一行\n第二行\n第三行\"\n区委,y\n");

        Assert.Equal([1, 2, 3], rows.Select(r => r.Number));
        Assert.Equal("区委", rows[2].Text(0));
    }

    [Fact]
    public void Read_CsvBlankLines_KeptAsBlankRowsWithTheirNumbers()
    {
        var rows = Csv("标题\n\n名称\n市委\n");

        Assert.Equal([1, 2, 3, 4], rows.Select(r => r.Number));
        Assert.True(rows[1].IsBlank);
        Assert.Equal("市委", rows[3].Text(0));
    }

    [Fact]
    public void Read_CsvEmptyQuotedAndTrailingEmptyFields_Kept()
    {
        var row = Assert.Single(Csv("\"\",b,\n"));

        Assert.Equal(["", "b", ""], row.Cells);
    }

    [Fact]
    public void Read_CsvUnclosedQuote_SheetExceptionNamesRow()
    {
        var ex = Assert.Throws<SheetException>(() => Csv("名称,备注\n市委,ok\n区委,\"没有闭合\n"));

        Assert.Contains("第 3 行", ex.Message);
        Assert.Contains("引号", ex.Message);
    }

    static string Lines(int n, bool trailingNewline)
    {
        var sb = new StringBuilder(n * 3);
        for (var i = 0; i < n; i++) sb.Append("a\n");
        if (!trailingNewline) sb.Length--;
        return sb.ToString();
    }

    [Fact]
    public void Read_CsvExactlyMaxRows_Accepted()
    {
        Assert.Equal(ImportLimits.Default.MaxRows, Csv(Lines(ImportLimits.Default.MaxRows, trailingNewline: false)).Count);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Read_CsvMoreThanMaxRows_Refused(bool trailingNewline)
    {
        var ex = Assert.Throws<SheetException>(() => Csv(Lines(ImportLimits.Default.MaxRows + 1, trailingNewline)));

        Assert.Contains("拆分", ex.Message);
    }

    // ---- helpers ----

    [Theory]
    [InlineData("A1", 0)]
    [InlineData("B7", 1)]
    [InlineData("Z10", 25)]
    [InlineData("AA3", 26)]
    [InlineData("AZ1", 51)]
    [InlineData("BA1", 52)]
    [InlineData("GR1", 199)]
    public void ColumnIndex_Reference_ZeroBasedColumn(string reference, int expected)
    {
        Assert.Equal(expected, Sheets.ColumnIndex(reference));
        Assert.Equal(reference.TrimEnd("0123456789".ToCharArray()), XlsxBuilder.Column(expected));
    }

    [Theory]
    [InlineData(" 组织 名称* ", "组织名称")]
    [InlineData("＊上级组织编码：", "上级组织编码")]
    [InlineData("类型:", "类型")]
    public void HeaderKey_NoisyHeader_Normalized(string header, string expected)
    {
        Assert.Equal(expected, Sheets.HeaderKey(header));
    }

    [Theory]
    [InlineData(3d, "3")]
    [InlineData(0.1, "0.1")]
    [InlineData(110101d, "110101")]
    [InlineData(12345678901d, "12345678901")]
    [InlineData(" 市委 ", "市委")]
    [InlineData(null, "")]
    public void AsText_Value_InvariantText(object? value, string expected)
    {
        Assert.Equal(expected, Sheets.AsText(value));
    }
}
