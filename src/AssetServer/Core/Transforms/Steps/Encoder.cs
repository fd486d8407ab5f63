using NetVips;

namespace AssetServer.Transforms.Steps;

/// <summary>
/// Writes the final image. All metadata is stripped (EXIF, XMP, IPTC and the ICC profile: pixels are already sRGB,
/// which is what browsers assume without a profile). Defaults follow sharp where it has them: JPEG/WebP/TIFF quality 80,
/// AVIF 50; PNG zlib level 6; WebP effort 4; AVIF effort 2 at most (below sharp's 4: see <see cref="MaxAvifEffort"/>); TIFF JPEG-compressed
/// like sharp's, deflate when there is alpha or 16-bit data.
/// </summary>
internal static class Encoder
{
    /// <summary>
    /// The AV1 encoder does not notice libvips's cancellation, so an AVIF render runs to its end whatever the timeout.
    /// Measured on a 2-core box with incompressible content, 1 MP: effort 4 took 16 s, effort 2 2.3 s, effort 0 0.9 s.
    /// Effort 2 with <see cref="AssetsOptions.MaxAvifPixels"/> keeps the worst AVIF render inside the transform timeout.
    /// </summary>
    public const int MaxAvifEffort = 2;

    /// <summary>Images of at least this many pixels are written as progressive JPEG (they display earlier).</summary>
    private const long ProgressiveFrom = 10_000;

    /// <summary>Flattening for formats without alpha: onto white, matching the white letterbox (Directus uses black).</summary>
    public static Image Prepare(Image image, OutputFormat format) =>
        !format.SupportsAlpha && image.HasAlpha() ? image.Flatten(background: Colour.White.ToBands(image.Bands - 1)) : image;

    public static void Save(Image image, string path, OutputFormat format, EncoderSettings settings)
    {
        var keep = Enums.ForeignKeep.None;
        switch (format.Name)
        {
            case "jpg":
                image.Jpegsave(path, q: settings.Quality ?? 80, optimizeCoding: true,
                    interlace: settings.Progressive ?? (long)image.Width * image.Height >= ProgressiveFrom, keep: keep);
                break;
            case "png":
                image.Pngsave(path, compression: settings.CompressionLevel ?? 6, interlace: settings.Progressive ?? false,
                    palette: settings.Palette ?? false, q: settings.Palette == true ? settings.Quality ?? 100 : null, keep: keep);
                break;
            case "webp":
                image.Webpsave(path, q: settings.Quality ?? 80, lossless: settings.Lossless ?? false, effort: settings.Effort ?? 4, keep: keep);
                break;
            case "avif":
                image.Heifsave(path, q: settings.Quality ?? 50, lossless: settings.Lossless ?? false,
                    compression: Enums.ForeignHeifCompression.Av1, effort: Math.Min(settings.Effort ?? MaxAvifEffort, MaxAvifEffort), bitdepth: 8, keep: keep);
                break;
            case "tiff":
                var lossless = image.HasAlpha() || image.Format != Enums.BandFormat.Uchar;
                image.Tiffsave(path, compression: lossless ? Enums.ForeignTiffCompression.Deflate : Enums.ForeignTiffCompression.Jpeg,
                    q: settings.Quality ?? 80, keep: keep);
                break;
            default:
                image.Gifsave(path, effort: settings.Effort, keep: keep);
                break;
        }
    }
}
