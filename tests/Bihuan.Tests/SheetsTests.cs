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
