using NetVips;

namespace AssetServer.Transforms.Steps;

/// <summary>
/// Sorts a libvips failure by what failed. libvips is lazy: pixels are decoded only when the saver pulls them, so a
/// truncated source usually fails inside <c>jpegsave</c> or <c>webpsave</c>, and only the error lines tell a decoder
/// failure from an encoder one. Each line is <c>domain: text</c>. The domains below are the ones libvips 8.18's
/// loaders print for damaged JPEG, PNG, WebP, GIF, TIFF and AVIF files (AVIF also prints lines starting with the
/// source path); any of them means the source is at fault. Everything else (<c>webpsave: image too large</c>, a write
/// to the output failing, out of memory) is a render failure.
/// </summary>
internal static class VipsFailure
{
    /// <remarks>
    /// <c>VipsJpeg</c> is libjpeg's domain for reading and writing alike; the writer's own refusals (sides over 65500
    /// pixels) are far past any sensible <c>Assets:MaxDimension</c>, so the domain counts as the source's.
    /// </remarks>
    private static readonly string[] LoaderDomains =
    [
        "VipsJpeg", "jpegload", "jpeg2vips", "vipspng", "pngload", "png2vips", "spngload", "webp", "webpload",
        "webp2vips", "gifload", "tiff2vips", "tiffload", "heif", "heifload",
    ];

    /// <summary>
    /// A 400 <see cref="Errors.ApiException"/> when the source is at fault, else a <see cref="RenderFailedException"/>.
    /// libvips keeps one error buffer for the whole process, so a failure on another thread (a background placeholder
    /// decoding the same damaged upload) can clear or replace this one's text: when the text does not name the source,
    /// the source is decoded alone, and if that fails too, the source is at fault.
    /// </summary>
    public static Exception Classify(VipsException e, string sourcePath)
    {
        if (Lines(e.Message).Any(line => IsAboutSource(line, sourcePath))) return SourceProbe.Damaged(FirstLine(e.Message, sourcePath));
        if (!Decodes(sourcePath)) return SourceProbe.Damaged("the image data could not be decoded");
        return new RenderFailedException(e.Message.Trim(), e);
    }

    /// <summary>Whether every pixel of the source decodes, as the loaders read it for a render.</summary>
    private static bool Decodes(string sourcePath)
    {
        try
        {
            using var image = Image.NewFromFile(sourcePath, access: Enums.Access.Sequential, failOn: Enums.FailOn.Truncated);
            image.Min();
            return true;
        }
        catch (VipsException)
        {
            return false;
        }
    }

    /// <summary>The first line of libvips's own error text, without server paths, for a client message.</summary>
    public static string FirstLine(string message, string sourcePath)
    {
        var line = Lines(message).FirstOrDefault(l => !l.StartsWith("unable to call", StringComparison.OrdinalIgnoreCase) &&
                                                      !l.StartsWith("unable to load", StringComparison.OrdinalIgnoreCase))
                   ?? "unknown error";
        line = line.Replace(sourcePath, Path.GetFileName(sourcePath), StringComparison.Ordinal);
        return line.Length > 200 ? line[..200] : line;
    }

    private static IEnumerable<string> Lines(string message) =>
        message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static bool IsAboutSource(string line, string sourcePath)
    {
        if (line.StartsWith(sourcePath + ":", StringComparison.Ordinal)) return true;
        var colon = line.IndexOf(':');
        if (colon <= 0) return false;
        var domain = line[..colon];
        return LoaderDomains.Contains(domain, StringComparer.OrdinalIgnoreCase) ||
               domain.StartsWith("VipsForeignLoad", StringComparison.Ordinal);
    }
}
