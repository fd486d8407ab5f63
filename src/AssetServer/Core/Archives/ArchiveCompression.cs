using System.IO.Compression;

namespace AssetServer.Archives;

/// <summary>
/// How each entry is written: stored as is when its type is compressed already (deflating a JPEG costs CPU and saves
/// nothing, often grows it), deflated at the fastest level otherwise (a zip is made per request, on shared cores).
/// </summary>
public static class ArchiveCompression
{
    private static readonly HashSet<string> Compressed = new(StringComparer.OrdinalIgnoreCase)
    {
        "image/jpeg", "image/pjpeg", "image/png", "image/apng", "image/webp", "image/avif", "image/gif", "image/heic", "image/heif", "image/jxl",
        "application/pdf", "application/zip", "application/x-zip-compressed", "application/gzip", "application/x-gzip",
        "application/x-7z-compressed", "application/x-rar-compressed", "application/vnd.rar", "application/x-bzip2", "application/x-xz",
        "application/zstd", "application/epub+zip", "application/java-archive", "font/woff", "font/woff2",
    };

    /// <summary>Audio that is plain samples, which deflate does shrink; every other audio type is compressed.</summary>
    private static readonly HashSet<string> UncompressedAudio = new(StringComparer.OrdinalIgnoreCase)
    {
        "audio/wav", "audio/x-wav", "audio/wave", "audio/vnd.wave", "audio/aiff", "audio/x-aiff", "audio/basic", "audio/l16",
    };

    public static CompressionLevel For(string? contentType)
    {
        var type = (contentType ?? "").Split(';', 2)[0].Trim();
        var stored = Compressed.Contains(type)
            || type.StartsWith("video/", StringComparison.OrdinalIgnoreCase)
            || (type.StartsWith("audio/", StringComparison.OrdinalIgnoreCase) && !UncompressedAudio.Contains(type))
            // Office Open XML and OpenDocument files are zips themselves.
            || type.StartsWith("application/vnd.openxmlformats-officedocument.", StringComparison.OrdinalIgnoreCase)
            || type.StartsWith("application/vnd.oasis.opendocument.", StringComparison.OrdinalIgnoreCase);
        return stored ? CompressionLevel.NoCompression : CompressionLevel.Fastest;
    }
}
