namespace AssetServer.Transforms;

/// <summary>An output encoding of a derivative: <c>Name</c> is one of <c>jpg png webp avif tiff gif</c>.</summary>
public sealed record OutputFormat(string Name, string MimeType, string Extension)
{
    public static readonly OutputFormat Jpg = new("jpg", "image/jpeg", "jpg");
    public static readonly OutputFormat Png = new("png", "image/png", "png");
    public static readonly OutputFormat Webp = new("webp", "image/webp", "webp");
    public static readonly OutputFormat Avif = new("avif", "image/avif", "avif");
    public static readonly OutputFormat Tiff = new("tiff", "image/tiff", "tiff");
    public static readonly OutputFormat Gif = new("gif", "image/gif", "gif");

    /// <summary>The names a client may ask for (<c>jpeg</c> is an alias of <c>jpg</c>).</summary>
    internal static OutputFormat? FromName(string name) => name.ToLowerInvariant() switch
    {
        "jpg" or "jpeg" => Jpg,
        "png" => Png,
        "webp" => Webp,
        "avif" => Avif,
        "tiff" => Tiff,
        "gif" => Gif,
        _ => null,
    };

    /// <summary>The format a transformable source keeps when no format is asked for.</summary>
    internal static OutputFormat? FromMimeType(string mimeType) => NormaliseMime(mimeType) switch
    {
        "image/jpeg" => Jpg,
        "image/png" => Png,
        "image/webp" => Webp,
        "image/avif" => Avif,
        "image/tiff" => Tiff,
        "image/gif" => Gif,
        _ => null,
    };

    /// <summary>Lossy encoders take a quality; these are sharp's defaults, so an unqualified request matches Directus.</summary>
    internal int? DefaultQuality => Name switch
    {
        "jpg" or "webp" or "tiff" => 80,
        "avif" => 50,
        _ => null,
    };

    internal bool SupportsAlpha => Name != "jpg";

    internal bool SupportsAnimation => Name is "gif" or "webp";

    internal static string NormaliseMime(string mimeType)
    {
        var bare = mimeType.Split(';', 2)[0].Trim().ToLowerInvariant();
        return bare switch
        {
            "image/jpg" or "image/pjpeg" => "image/jpeg",
            "image/x-png" => "image/png",
            _ => bare,
        };
    }
}
