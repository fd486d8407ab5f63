using System.Buffers.Binary;

namespace AssetServer.Tests.Support;

/// <summary>
/// Camera-style JPEGs for tests and benchmarks: an APP1 EXIF block with an orientation in IFD0 and an embedded JPEG
/// thumbnail in IFD1, put in front of a JPEG that has none. libvips cannot write IFD1, so it is assembled here.
/// </summary>
public static class ExifJpeg
{
    /// <summary><paramref name="jpeg"/> (saved without EXIF) with EXIF orientation <paramref name="orientation"/> and <paramref name="thumbnail"/> in IFD1.</summary>
    public static byte[] WithThumbnail(byte[] jpeg, byte[] thumbnail, int orientation = 1)
    {
        // TIFF, little-endian: header (8), IFD0 with one entry (2 + 12 + 4), IFD1 with three entries (2 + 36 + 4), thumbnail.
        const int ifd0 = 8, ifd1 = ifd0 + 2 + 12 + 4, thumbnailAt = ifd1 + 2 + 3 * 12 + 4;
        var tiff = new byte[thumbnailAt + thumbnail.Length];
        var span = tiff.AsSpan();
        "II*\0"u8.CopyTo(span);
        BinaryPrimitives.WriteUInt32LittleEndian(span[4..], ifd0);
        BinaryPrimitives.WriteUInt16LittleEndian(span[ifd0..], 1);
        Entry(span[(ifd0 + 2)..], 0x0112, 3, (uint)orientation);
        BinaryPrimitives.WriteUInt32LittleEndian(span[(ifd0 + 14)..], ifd1);
        BinaryPrimitives.WriteUInt16LittleEndian(span[ifd1..], 3);
        Entry(span[(ifd1 + 2)..], 0x0103, 3, 6);                                  // compression: JPEG
        Entry(span[(ifd1 + 14)..], 0x0201, 4, thumbnailAt);                      // JPEGInterchangeFormat
        Entry(span[(ifd1 + 26)..], 0x0202, 4, (uint)thumbnail.Length);           // JPEGInterchangeFormatLength
        BinaryPrimitives.WriteUInt32LittleEndian(span[(ifd1 + 38)..], 0);
        thumbnail.CopyTo(span[thumbnailAt..]);

        var app1 = new List<byte> { 0xFF, 0xE1 };
        var payloadLength = 2 + 6 + tiff.Length;
        app1.Add((byte)(payloadLength >> 8));
        app1.Add((byte)payloadLength);
        app1.AddRange("Exif\0\0"u8.ToArray());
        app1.AddRange(tiff);
        // SOI, then APP1, then the rest of the original file.
        return [.. jpeg[..2], .. app1, .. jpeg[2..]];
    }

    private static void Entry(Span<byte> at, ushort tag, ushort type, uint value)
    {
        BinaryPrimitives.WriteUInt16LittleEndian(at, tag);
        BinaryPrimitives.WriteUInt16LittleEndian(at[2..], type);
        BinaryPrimitives.WriteUInt32LittleEndian(at[4..], 1);
        if (type == 3) BinaryPrimitives.WriteUInt16LittleEndian(at[8..], (ushort)value);
        else BinaryPrimitives.WriteUInt32LittleEndian(at[8..], value);
    }
}
