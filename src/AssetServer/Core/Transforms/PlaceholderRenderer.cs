using System.Text.Json.Nodes;
using AssetServer.Assets;
using AssetServer.Metadata;
using Microsoft.Extensions.Options;
using NetVips;

namespace AssetServer.Transforms;

/// <summary>
/// The placeholder of an uploaded image: a BlurHash and a dominant colour, worked out from a thumbnail of at most 32
/// pixels a side that libvips makes with shrink-on-load (a 12 MP JPEG is decoded at 1/8 scale), auto-oriented.
/// Stored as <c>metadata.placeholder = {"blurhash", "color"}</c>; pages draw it until the real image arrives.
/// </summary>
public sealed class PlaceholderRenderer(IOptions<AssetsOptions> options, ILogger<PlaceholderRenderer> logger)
{
    private const int Side = 32;

    /// <summary>Whether a file of this type and size gets a placeholder: a raster image libvips renders, within the render limits.</summary>
    public bool Applies(string type, int? width, int? height) =>
        RenderPipeline.CanTransform(type) && width is > 0 && height is > 0
        // A source past the render limits is refused by every transform; its placeholder is not worth a decode either.
        && (long)width.Value * height.Value <= options.Value.MaxInputPixels;

    /// <summary>
    /// The placeholder of any image it <see cref="Applies"/> to: from the embedded thumbnail when there is one, else
    /// from a decode with shrink-on-load (a whole entropy decode of a JPEG: tens of milliseconds for 12 MP). Uploads
    /// leave both to the background queue. Null when the image cannot be read.
    /// </summary>
    public JsonObject? Compute(string path, string type, int? width, int? height)
    {
        if (!Applies(type, width, height)) return null;
        try
        {
            using var thumbnail = FromExifThumbnail(path, type) ?? Image.Thumbnail(path, Side, height: Side, size: Enums.Size.Down);
            return Describe(thumbnail);
        }
        catch (VipsException e)
        {
            logger.LogDebug(e, "No placeholder for {Path}", path);
            return null;
        }
    }

    /// <summary>The BlurHash and dominant colour of a thumbnail of at most <see cref="Side"/> pixels a side.</summary>
    private static JsonObject Describe(Image thumbnail)
    {
        using var srgb = thumbnail.Interpretation == Enums.Interpretation.Srgb ? thumbnail.Copy() : thumbnail.Colourspace(Enums.Interpretation.Srgb);
        // Flatten alpha onto white, as pages show transparent images on light backgrounds.
        using var opaque = srgb.HasAlpha() ? srgb.Flatten(background: [255, 255, 255]) : srgb.Copy();
        using var three = opaque.Bands > 3 ? opaque.ExtractBand(0, 3) : opaque.Copy();
        using var rgb = three.Cast(Enums.BandFormat.Uchar);
        var pixels = rgb.WriteToMemory();
        return new JsonObject
        {
            ["blurhash"] = BlurHash.Encode(pixels, rgb.Width, rgb.Height),
            ["color"] = DominantColour(pixels),
        };
    }

    /// <summary>
    /// The thumbnail a camera embedded, oriented as the photo is, when it shows the whole photo (same aspect ratio:
    /// some cameras pad a 3:2 photo into a 4:3 thumbnail); null otherwise. Reads the header only.
    /// </summary>
    private static Image? FromExifThumbnail(string path, string type)
    {
        if (OutputFormat.NormaliseMime(type) != "image/jpeg") return null;
        using var header = Image.NewFromFile(path, access: Enums.Access.Sequential);
        if (header.GetTypeOf("exif-data") == 0 || header.Get("exif-data") is not byte[] exif) return null;
        if (ExifThumbnail.Extract(exif) is not { } embedded) return null;
        var small = Image.ThumbnailBuffer(embedded.ToArray(), Side, height: Side, size: Enums.Size.Down);
        var photoAspect = header.Width / (double)header.Height;
        // The thumbnail is stored as the photo is, before orientation; compare the two unrotated.
        var thumbnailAspect = small.Width / (double)small.Height;
        if (Math.Abs(thumbnailAspect / photoAspect - 1) > 0.08)
        {
            small.Dispose();
            return null;
        }
        var orientation = header.GetTypeOf("orientation") != 0 ? (int)header.Get("orientation") : 1;
        if (orientation <= 1) return small;
        using (small)
        using (var tagged = small.Mutate(m => m.Set("orientation", orientation)))
            return tagged.Autorot();
    }

    /// <summary>The mean of the most common colour bucket (4 bits a channel): the colour most of the image is.</summary>
    private static string DominantColour(ReadOnlySpan<byte> rgb)
    {
        var counts = new int[4096];
        var sums = new long[4096 * 3];
        for (var p = 0; p + 2 < rgb.Length; p += 3)
        {
            var bucket = (rgb[p] >> 4 << 8) | (rgb[p + 1] >> 4 << 4) | (rgb[p + 2] >> 4);
            counts[bucket]++;
            sums[bucket * 3] += rgb[p];
            sums[bucket * 3 + 1] += rgb[p + 1];
            sums[bucket * 3 + 2] += rgb[p + 2];
        }
        var best = Array.IndexOf(counts, counts.Max());
        var n = Math.Max(1, counts[best]);
        return $"#{sums[best * 3] / n:x2}{sums[best * 3 + 1] / n:x2}{sums[best * 3 + 2] / n:x2}";
    }
}
