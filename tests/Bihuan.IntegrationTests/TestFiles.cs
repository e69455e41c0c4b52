using System.IO.Compression;
using System.Text;

namespace Bihuan.IntegrationTests;

/// Evidence files built in memory: a real (decodable) PNG, and the kinds the file store must refuse.
public static class TestFiles
{
    /// A valid width×height RGB PNG of one colour. A tEXt chunk carrying `note` makes the bytes (and so the SHA-256)
    /// unique per call unless the same note is passed, since the store de-duplicates by content.
    public static byte[] Png(string? note = null, int width = 24, int height = 16, byte r = 0x2E, byte g = 0x7D, byte b = 0x32)
    {
        using var ms = new MemoryStream();
        ms.Write([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);
        var ihdr = new byte[13];
        BigEndian(ihdr, 0, width);
        BigEndian(ihdr, 4, height);
        ihdr[8] = 8;   // bit depth
        ihdr[9] = 2;   // colour type: truecolour
        Chunk(ms, "IHDR", ihdr);
        Chunk(ms, "tEXt", Encoding.Latin1.GetBytes("Comment\0" + (note ?? Guid.NewGuid().ToString("N"))));
        var raw = new byte[height * (1 + width * 3)];
        for (var y = 0; y < height; y++)
            for (var x = 0; x < width; x++)
            {
                var o = y * (1 + width * 3) + 1 + x * 3;
                (raw[o], raw[o + 1], raw[o + 2]) = (r, g, b);
            }
        using (var z = new MemoryStream())
        {
            using (var zs = new ZLibStream(z, CompressionLevel.Optimal, leaveOpen: true)) zs.Write(raw);
            Chunk(ms, "IDAT", z.ToArray());
        }
        Chunk(ms, "IEND", []);
        return ms.ToArray();
    }

    public static byte[] Html => "<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"u8.ToArray();
    public static byte[] Svg => "<?xml version=\"1.0\"?><svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>"u8.ToArray();
    /// The start of a Windows executable (MZ header, PE offset, "This program cannot be run in DOS mode").
    public static byte[] Exe => [.. "MZ"u8.ToArray(), 0x90, 0x00, 0x03, 0x00, 0x00, 0x00, 0x04, 0x00, .. new byte[48],
        .. "This program cannot be run in DOS mode.\r\n$"u8.ToArray()];

    static void BigEndian(byte[] buf, int at, int v)
    {
        buf[at] = (byte)(v >> 24); buf[at + 1] = (byte)(v >> 16); buf[at + 2] = (byte)(v >> 8); buf[at + 3] = (byte)v;
    }

    static void Chunk(Stream s, string type, byte[] data)
    {
        var len = new byte[4];
        BigEndian(len, 0, data.Length);
        s.Write(len);
        var typeAndData = Encoding.ASCII.GetBytes(type).Concat(data).ToArray();
        s.Write(typeAndData);
        var crc = new byte[4];
        BigEndian(crc, 0, (int)Crc32(typeAndData));
        s.Write(crc);
    }

    static readonly uint[] CrcTable = Enumerable.Range(0, 256).Select(n =>
    {
        var c = (uint)n;
        for (var k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        return c;
    }).ToArray();

    static uint Crc32(byte[] bytes)
    {
        var c = 0xFFFFFFFFu;
        foreach (var x in bytes) c = CrcTable[(c ^ x) & 0xFF] ^ (c >> 8);
        return c ^ 0xFFFFFFFFu;
    }
}
