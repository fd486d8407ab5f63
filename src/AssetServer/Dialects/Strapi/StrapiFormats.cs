using System.Text.Json.Nodes;
using AssetServer.Assets;
using AssetServer.Assets.Store;
using AssetServer.Errors;
using AssetServer.Files;
using AssetServer.Transforms;

namespace AssetServer.Strapi;

/// <summary>One of Strapi's responsive formats: a name and the box the image is fitted inside.</summary>
public sealed record StrapiFormat(string Key, int Width, int Height);

/// <summary>
/// Strapi's <c>formats</c>: a thumbnail inside 245×156 and the breakpoints large 1000, medium 750 and small 500, each
/// made only when the source is larger on a side (STRAPI-BEHAVIOUR.md). They are ordinary derivatives: the same
/// pipeline and cache as <c>/assets</c> render them (auto-oriented, which Strapi does not do). As Strapi makes them
/// at upload, <see cref="EagerPresets"/> renders them in the background once the bytes are stored, for files from
/// every API; an answer describes them from the render plan and never renders (issue 17).
/// </summary>
public sealed class StrapiFormats(TransformParser parser, AssetStore store, IConfiguration configuration) : IEagerDerivatives
{
    /// <summary>In the order Strapi lists them.</summary>
    public static readonly StrapiFormat[] All =
    [
        new("thumbnail", 245, 156),
        new("small", 500, 500),
        new("medium", 750, 750),
        new("large", 1000, 1000),
    ];

    /// <summary>Strapi makes formats of these only (no AVIF, no SVG).</summary>
    private static readonly string[] FormattableTypes = ["image/jpeg", "image/png", "image/webp", "image/tiff", "image/gif"];

    /// <summary>Strapi's quality with <c>sizeOptimization</c> on.</summary>
    private const string Quality = "80";

    /// <summary>
    /// The formats <paramref name="record"/> has, with the transform that renders each and the size it renders to.
    /// None when a format is past the limits (<c>Assets:MaxDimension</c>…): no format of it could be served.
    /// </summary>
    public IReadOnlyList<(StrapiFormat Format, TransformRequest Request, int Width, int Height)> For(FileRecord record)
    {
        if (record.Width is not > 0 || record.Height is not > 0) return [];
        // Issue 20: videos and PDFs get formats of their poster (the parser gives none without the engine).
        var type = record.Type ?? "";
        if (!FormattableTypes.Contains(OutputFormat.NormaliseMime(type)) && !Rendering.Media.MediaEngines.HasPoster(type)) return [];
        var result = new List<(StrapiFormat, TransformRequest, int, int)>();
        foreach (var format in All)
        {
            if (record.Width <= format.Width && record.Height <= format.Height) continue;
            if (Request(record, format) is not { } request) continue;
            try
            {
                var (width, height) = parser.OutputSize(request, record.Width.Value, record.Height.Value);
                result.Add((format, request, width, height));
            }
            catch (ApiException)
            {
                return [];
            }
        }
        return result;
    }

    /// <summary>The transform for one format, or null when the file has no such format.</summary>
    public TransformRequest? Request(FileRecord record, string key) =>
        For(record).FirstOrDefault(f => f.Format.Key == key).Request;

    /// <summary>Every format is rendered once the bytes are stored, as Strapi makes them at upload.</summary>
    IEnumerable<TransformRequest> IEagerDerivatives.Requests(FileRecord record) =>
        configuration.GetValue("Strapi:EagerFormats", true) ? For(record).Select(f => f.Request) : [];

    private TransformRequest? Request(FileRecord record, StrapiFormat format)
    {
        var parameters = new Dictionary<string, string>
        {
            [TransformParameters.Width] = format.Width.ToString(System.Globalization.CultureInfo.InvariantCulture),
            [TransformParameters.Height] = format.Height.ToString(System.Globalization.CultureInfo.InvariantCulture),
            [TransformParameters.Fit] = "inside",
            [TransformParameters.WithoutEnlargement] = "true",
            [TransformParameters.Quality] = Quality,
        };
        return parser.ParseServerSpec(parameters, AssetResolver.Source(record));
    }

    /// <summary>
    /// The <c>formats</c> object of <paramref name="record"/> (null when it has none), without rendering: sizes come
    /// from the render plan, names from the upload (<see cref="FileRecord.UploadFilename"/>: a rename keeps them, as in
    /// Strapi), <c>size</c>/<c>sizeInBytes</c> from the bytes once a cache tier holds them, else
    /// <see cref="EstimateBytes"/>.
    /// </summary>
    public JsonObject? Describe(FileRecord record)
    {
        var formats = For(record);
        if (formats.Count == 0) return null;
        var json = new JsonObject();
        foreach (var (format, request, width, height) in formats)
        {
            var bytes = store.TryPeekLength(record, request) ?? EstimateBytes(record, width, height);
            var hash = format.Key + "_" + record.UploadHash;
            json[format.Key] = new JsonObject
            {
                ["name"] = format.Key + "_" + record.UploadFilename,
                ["hash"] = hash,
                ["ext"] = record.UploadExt,
                ["mime"] = request.Format.MimeType,
                ["path"] = null,
                ["width"] = width,
                ["height"] = height,
                ["size"] = StrapiFileObject.Kilobytes(bytes),
                ["sizeInBytes"] = bytes,
                ["url"] = "/uploads/" + hash + record.UploadExt,
            };
        }
        return json;
    }

    /// <summary>
    /// A format's bytes before the background has rendered it: the original's, scaled by the share of its pixels the
    /// format keeps. Strapi clients expect a number here (they sum and print it); the real length replaces it as soon
    /// as the format is in the cache.
    /// </summary>
    public static long EstimateBytes(FileRecord record, int width, int height)
    {
        // A poster's bytes have nothing to do with the video's: about a bit per pixel, as a JPEG at quality 80.
        if (Rendering.Media.MediaEngines.HasPoster(record.Type ?? "")) return Math.Max(1, (long)width * height / 8);
        var share = (double)width * height / ((double)record.Width!.Value * record.Height!.Value);
        return Math.Max(1, (long)Math.Round(record.Filesize * Math.Min(1, share)));
    }
}
