using System.Text;
using Bihuan.Infrastructure;

namespace Bihuan.Tests;

/// The served name comes from the sniffed type, never from the name the file was uploaded under.
public sealed class FileStoreTests
{
    static readonly byte[] OleHeader = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

    static byte[] Ole(string stream) => [.. OleHeader, .. new byte[56], .. Encoding.Unicode.GetBytes(stream + "\0")];

    [Theory]
    [InlineData("report.html", "application/pdf", "report.pdf")]
    [InlineData("整改报告.pdf.html", "application/pdf", "整改报告.pdf.pdf")]
    [InlineData("photo.svg", "image/png", "photo.png")]
    [InlineData("../../etc/passwd", "image/jpeg", "passwd.jpg")]
    [InlineData("C:\\Users\\a\\现场照片.JPG", "image/jpeg", "现场照片.jpg")]
    [InlineData("a\"b;c\r\n.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "ab;c.docx")]
    [InlineData(".html", "application/pdf", "file.pdf")]
    [InlineData("", "application/x-ole-storage", "file.bin")]
    public void ServedName_ExtensionOfTheSniffedType(string uploaded, string type, string served) =>
        Assert.Equal(served, FileStore.ServedName(uploaded, type));

    [Fact]
    public void Sniff_OleFiles_ToldApartByTheirMainStream()
    {
        Assert.Equal("application/msword", FileStore.Sniff(Ole("WordDocument")));
        Assert.Equal("application/vnd.ms-excel", FileStore.Sniff(Ole("Workbook")));
        Assert.Equal("application/vnd.ms-powerpoint", FileStore.Sniff(Ole("PowerPoint Document")));
        Assert.Equal("application/x-ole-storage", FileStore.Sniff(Ole("__substg1.0_0037001F")));
        Assert.Equal(".bin", FileStore.ExtensionOf(FileStore.Sniff(Ole("Root Entry"))!));
    }

    [Fact]
    public void Sniff_PdfWithHtmlBody_IsPdf_AndNotShownInline()
    {
        var type = FileStore.Sniff("%PDF-1.4\n<html><script>alert(1)</script></html>"u8.ToArray())!;
        Assert.Equal("application/pdf", type);
        Assert.False(FileStore.IsImage(type));
        Assert.Null(FileStore.Sniff("<html>%PDF-1.4</html>"u8.ToArray()));
    }
}
