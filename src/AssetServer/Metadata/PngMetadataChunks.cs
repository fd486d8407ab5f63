using System.Buffers.Binary;
using System.Text;

namespace AssetServer.Metadata;

/// <summary>
/// Copies a PNG's header and metadata chunks, seeking over image data. MetadataExtractor reads every chunk it meets into
/// memory, so a forged IDAT length (or a huge real one) would cost that many bytes; this keeps a scrape to the headers.
/// </summary>
internal static class PngMetadataChunks
{
    /// <summary>Larger text or profile chunks are not metadata anyone should store in a JSON column.</summary>
    private const int MaxChunkBytes = 4 << 20;

    private static readonly HashSet<string> Kept = new(StringComparer.Ordinal)
    {
        "IHDR", "PLTE", "iCCP", "tEXt", "zTXt", "iTXt", "eXIf", "sRGB", "gAMA", "cHRM", "pHYs", "tIME", "bKGD", "sBIT",
    };

    private static readonly byte[] End = [0, 0, 0, 0, (byte)'I', (byte)'E', (byte)'N', (byte)'D', 0xAE, 0x42, 0x60, 0x82];

    /// <summary>
    /// The signature, the kept chunks in file order, then IEND. A chunk running past the end of the file ends the copy,
    /// so a truncated file still yields its header.
    /// </summary>
    public static MemoryStream Copy(Stream png)
    {
        var output = new MemoryStream();
        var signature = new byte[8];
        output.Write(signature, 0, png.ReadAtLeast(signature, signature.Length, throwOnEndOfStream: false));

        var header = new byte[8];
        while (png.ReadAtLeast(header, header.Length, throwOnEndOfStream: false) == header.Length)
        {
            var length = BinaryPrimitives.ReadUInt32BigEndian(header);
            var type = Encoding.ASCII.GetString(header, 4, 4);
            var withCrc = (long)length + 4;
            if (type == "IEND" || withCrc > png.Length - png.Position)
            {
                break;
            }

            if (Kept.Contains(type) && length <= MaxChunkBytes)
            {
                var chunk = new byte[withCrc];
                png.ReadExactly(chunk);
                output.Write(header);
                output.Write(chunk);
            }
            else
            {
                png.Seek(withCrc, SeekOrigin.Current);
            }
        }

        output.Write(End);
        output.Position = 0;
        return output;
    }
}
