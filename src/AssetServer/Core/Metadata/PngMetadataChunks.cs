using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace AssetServer.Metadata;

/// <summary>
/// Copies a PNG's header and metadata chunks, seeking over image data. MetadataExtractor reads every chunk it meets into
/// memory, so a forged IDAT length (or a huge real one) would cost that many bytes; this keeps a scrape to the headers.
/// It also inflates every compressed chunk it is given, without a cap (a 256 KiB <c>zTXt</c> of zeros became 1 GiB,
/// issue 9), so compressed chunks are inflated here first, up to what is left of the budget, and only those that fit
/// are handed on.
/// </summary>
internal static class PngMetadataChunks
{
    /// <summary>
    /// All kept chunks together, counted inflated (and 12 bytes of framing each, so a flood of empty chunks counts too);
    /// a chunk past what is left is dropped, the file kept. Metadata is small; this is not pixels.
    /// </summary>
    public const int MaxMetadataBytes = 1 << 20;

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
        long budget = MaxMetadataBytes;
        while (png.ReadAtLeast(header, header.Length, throwOnEndOfStream: false) == header.Length)
        {
            var length = BinaryPrimitives.ReadUInt32BigEndian(header);
            var type = Encoding.ASCII.GetString(header, 4, 4);
            var withCrc = (long)length + 4;
            if (type == "IEND" || withCrc > png.Length - png.Position)
            {
                break;
            }

            if (Kept.Contains(type) && withCrc + 8 <= budget)
            {
                var chunk = new byte[withCrc];
                png.ReadExactly(chunk);
                var cost = Math.Max(withCrc, InflatedLength(type, chunk, (int)length, budget)) + 8;
                if (cost <= budget)
                {
                    budget -= cost;
                    output.Write(header);
                    output.Write(chunk);
                }
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

    /// <summary>
    /// The inflated size of a compressed chunk's payload (<paramref name="length"/> bytes of <paramref name="chunk"/>),
    /// reading no further than <paramref name="cap"/> + 1 bytes; 0 for a chunk stored uncompressed; past the cap for a
    /// payload that does not inflate, which MetadataExtractor would fail on anyway.
    /// </summary>
    private static long InflatedLength(string type, byte[] chunk, int length, long cap)
    {
        // zTXt and iCCP: keyword NUL, method, data. iTXt: keyword NUL, flag, method, language NUL, translated keyword NUL, text.
        var data = chunk.AsSpan(0, length);
        var keyword = data.IndexOf((byte)0);
        var start = type switch
        {
            "zTXt" or "iCCP" => keyword < 0 ? -1 : keyword + 2,
            "iTXt" when keyword >= 0 && keyword + 1 < length && data[keyword + 1] == 1 => AfterTwoNuls(data, keyword + 3),
            _ => 0,
        };
        if (start == 0)
        {
            return 0;
        }

        if (start < 0 || start > length)
        {
            return cap + 1;
        }

        try
        {
            using var zlib = new ZLibStream(new MemoryStream(chunk, start, length - start, writable: false), CompressionMode.Decompress);
            var scratch = new byte[16 << 10];
            long total = 0;
            int read;
            while (total <= cap && (read = zlib.Read(scratch)) > 0)
            {
                total += read;
            }

            return total;
        }
        catch (InvalidDataException)
        {
            return cap + 1;
        }
    }

    /// <summary>The index just after the second NUL from <paramref name="from"/>; -1 when there are not two.</summary>
    private static int AfterTwoNuls(ReadOnlySpan<byte> data, int from)
    {
        if (from > data.Length) return -1;
        var first = data[from..].IndexOf((byte)0);
        if (first < 0) return -1;
        var second = data[(from + first + 1)..].IndexOf((byte)0);
        return second < 0 ? -1 : from + first + 1 + second + 1;
    }
}
