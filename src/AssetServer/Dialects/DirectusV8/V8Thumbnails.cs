using System.Globalization;
using System.Text.Json.Nodes;
using AssetServer.Assets;
using AssetServer.Errors;
using AssetServer.Files;
using AssetServer.Transforms;

namespace AssetServer.V8;

/// <summary>One of v8's system thumbnail sizes (its <c>asset_whitelist_system</c> setting): a key and a box.</summary>
/// <param name="Crop">v8's <c>fit=crop</c> (fill the box, cropping: the core's <c>cover</c>); else <c>contain</c>
/// (v8 resizes keeping the aspect ratio, so the image fits inside the box: the core's <c>inside</c>).</param>
public sealed record V8Thumbnail(string Key, int Width, int Height, bool Crop)
{
    /// <summary>v8's <c>dimension</c>: the box, <c>64x64</c>.</summary>
    public string Dimension => $"{Width}x{Height}";
}

/// <summary>
/// v8's thumbnails as ordinary derivatives: the <c>/assets</c> pipeline, limits and cache render them, keyed like the
/// equivalent <c>/assets/&lt;id&gt;?width=…&amp;height=…&amp;fit=…&amp;quality=80</c>, so both share one derivative.
/// The sizes listed are those of the bytes served (v8 listed the box), computed from the render plan without rendering.
/// </summary>
public sealed class V8Thumbnails(TransformParser parser)
{
    /// <summary>In v8's order, at its quality 80. v8 enlarges small images to the box, and so do these.</summary>
    public static readonly V8Thumbnail[] All =
    [
        new("directus-small-crop", 64, 64, Crop: true),
        new("directus-small-contain", 64, 64, Crop: false),
        new("directus-medium-crop", 300, 300, Crop: true),
        new("directus-medium-contain", 300, 300, Crop: false),
        new("directus-large-crop", 800, 800, Crop: true),
        new("directus-large-contain", 800, 800, Crop: false),
    ];

    private const string Quality = "80";

    public static V8Thumbnail? Find(string key) => All.FirstOrDefault(t => t.Key == key);

    /// <summary>The transform that renders <paramref name="thumbnail"/> of <paramref name="record"/>; null when the file is
    /// not transformed (not an image the pipeline renders, or <c>Assets:Transform</c> is <c>none</c>): the original is served.</summary>
    public TransformRequest? Request(FileRecord record, V8Thumbnail thumbnail)
    {
        var parameters = new Dictionary<string, string>
        {
            [TransformParameters.Width] = thumbnail.Width.ToString(CultureInfo.InvariantCulture),
            [TransformParameters.Height] = thumbnail.Height.ToString(CultureInfo.InvariantCulture),
            [TransformParameters.Fit] = thumbnail.Crop ? "cover" : "inside",
            [TransformParameters.Quality] = Quality,
        };
        return parser.ParseServerSpec(parameters, AssetResolver.Source(record));
    }

    /// <summary>
    /// <c>data.thumbnails</c>: <c>{key, url, relative_url, dimension, width, height}</c> for each size, under the file's
    /// private hash. Null, as v8 gives it, for what has no thumbnails: files that are not images the pipeline renders
    /// (v8: non-images and SVG), and images whose size could not be read or is past the limits.
    /// </summary>
    public JsonArray? Describe(FileRecord record, string baseUrl, string project)
    {
        if (record.Width is not > 0 || record.Height is not > 0) return null;
        var list = new JsonArray();
        foreach (var thumbnail in All)
        {
            var request = Request(record, thumbnail);
            if (request is null) return null;
            int width, height;
            try
            {
                (width, height) = parser.OutputSize(request, record.Width.Value, record.Height.Value);
            }
            catch (ApiException)
            {
                return null;
            }
            var relative = $"/{project}/assets/{record.PrivateHash}?key={thumbnail.Key}";
            list.Add(new JsonObject
            {
                ["key"] = thumbnail.Key,
                ["url"] = baseUrl + relative,
                ["relative_url"] = relative,
                ["dimension"] = thumbnail.Dimension,
                ["width"] = width,
                ["height"] = height,
            });
        }
        return list;
    }
}
