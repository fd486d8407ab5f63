using System.Text.Json.Nodes;
using AssetServer.Assets;
using AssetServer.Assets.Store;
using AssetServer.Data;
using AssetServer.Errors;
using AssetServer.Files;
using AssetServer.Transforms;

namespace AssetServer.Strapi;

/// <summary>One of Strapi's responsive formats: a name and the box the image is fitted inside.</summary>
public sealed record StrapiFormat(string Key, int Width, int Height);

/// <summary>
/// Strapi's <c>formats</c>: a thumbnail inside 245×156 and the breakpoints large 1000, medium 750 and small 500, each
/// made only when the source is larger on a side (STRAPI-BEHAVIOUR.md). They are ordinary derivatives: the same
/// pipeline and cache as <c>/assets</c> render them (auto-oriented, which Strapi does not do), so the sizes reported
/// are those of the bytes served at their URLs.
/// </summary>
public sealed class StrapiFormats(TransformParser parser, AssetStore store, FileRepository files)
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

    private const int MaxAttempts = 3;

    /// <summary>The formats <paramref name="record"/> has, with the transform that renders each.</summary>
    public IReadOnlyList<(StrapiFormat Format, TransformRequest Request)> For(FileRecord record)
    {
        if (record.Width is not > 0 || record.Height is not > 0) return [];
        if (!FormattableTypes.Contains(OutputFormat.NormaliseMime(record.Type ?? ""))) return [];
        var result = new List<(StrapiFormat, TransformRequest)>();
        foreach (var format in All)
        {
            if (record.Width <= format.Width && record.Height <= format.Height) continue;
            var request = Request(record, format);
            if (request is not null) result.Add((format, request));
        }
        return result;
    }

    /// <summary>The transform for one format, or null when the file has no such format.</summary>
    public TransformRequest? Request(FileRecord record, string key) =>
        For(record).FirstOrDefault(f => f.Format.Key == key).Request;

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
    /// The <c>formats</c> object of <paramref name="record"/> (null when it has none), rendering what no cache tier
    /// holds, together with the row it describes: when the bytes were replaced or deleted under it, the row is read
    /// again, so the numbers always belong to the row returned. Null record: the file is gone.
    /// </summary>
    public async Task<(FileRecord? Record, JsonObject? Formats)> DescribeAsync(FileRecord record, CancellationToken ct)
    {
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            var formats = For(record);
            if (formats.Count == 0) return (record, null);
            (string Key, JsonNode Value)?[] described;
            try
            {
                described = await Task.WhenAll(formats.Select(f => DescribeOneAsync(record, f.Format, f.Request, ct)));
            }
            catch (ApiException e) when (e.Status == 400)
            {
                // A source whose header reads but whose pixels do not (a truncated scan): a file without formats.
                return (record, null);
            }
            if (described.All(d => d is not null))
            {
                var json = new JsonObject();
                foreach (var (key, value) in described.Select(d => d!.Value)) json[key] = value;
                return (record, json);
            }
            var fresh = await files.GetAsync(record.Id, ct);
            if (fresh is null) return (null, null);
            record = fresh;
        }
        throw ApiErrors.ServiceUnavailable("files", "The file changed while its formats were being read; try again", 1);
    }

    private async Task<(string Key, JsonNode Value)?> DescribeOneAsync(FileRecord record, StrapiFormat format, TransformRequest request, CancellationToken ct)
    {
        using var handle = await store.Derivative(record, request).OpenAsync(ct);
        if (handle is null) return null;
        var (width, height) = parser.OutputSize(request, record.Width!.Value, record.Height!.Value);
        var hash = format.Key + "_" + record.UploadHash;
        return (format.Key, new JsonObject
        {
            ["name"] = format.Key + "_" + record.FilenameDownload,
            ["hash"] = hash,
            ["ext"] = record.UploadExt,
            ["mime"] = request.Format.MimeType,
            ["path"] = null,
            ["width"] = width,
            ["height"] = height,
            ["size"] = StrapiFileObject.Kilobytes(handle.Length),
            ["sizeInBytes"] = handle.Length,
            ["url"] = "/uploads/" + hash + record.UploadExt,
        });
    }
}
