namespace AssetServer.Transforms;

/// <summary>
/// The query parameters that ask <c>/assets</c> for a transform (Directus's list, §5), defined once: the asset
/// route, the parser and the rate limiter all read them from here. Without any of them the original is served,
/// so other parameters (<c>access_token</c>, <c>download</c>, cache busters like <c>?v=3</c>) never change the bytes.
/// </summary>
public static class TransformParameters
{
    public const string Key = "key";
    public const string Transforms = "transforms";
    public const string Width = "width";
    public const string Height = "height";
    public const string Format = "format";
    public const string Fit = "fit";
    public const string Quality = "quality";
    public const string WithoutEnlargement = "withoutEnlargement";
    public const string FocalPointX = "focal_point_x";
    public const string FocalPointY = "focal_point_y";

    /// <summary>Issue 20: the second of a video its poster shows.</summary>
    public const string PosterTime = "poster_time";

    /// <summary>Issue 20: the page of a PDF its poster shows.</summary>
    public const string Page = "page";

    /// <summary>Presets only (not a query parameter): the letterbox colour of <c>fit=contain</c>.</summary>
    public const string Background = "background";

    public static readonly string[] Names =
        [Key, Transforms, Width, Height, Format, Fit, Quality, WithoutEnlargement, FocalPointX, FocalPointY, PosterTime, Page];

    /// <summary>The parameters that pick a poster's still; they go with a preset <c>key</c> too.</summary>
    public static readonly string[] PosterNames = [PosterTime, Page];

    /// <summary>True when the query names at least one transform parameter.</summary>
    public static bool AsksForTransform(IQueryCollection query)
    {
        foreach (var name in Names)
            if (query.ContainsKey(name)) return true;
        return false;
    }

    /// <summary>
    /// Only the transform parameters reach the parser: <c>access_token</c>, <c>download</c> and cache busters sit
    /// beside them in ordinary URLs (<c>&lt;img src="…?width=200&amp;access_token=…"&gt;</c>) and must never be a 400.
    /// </summary>
    public static IQueryCollection Only(IQueryCollection query) =>
        new QueryCollection(query.Where(p => Names.Contains(p.Key, StringComparer.OrdinalIgnoreCase))
            .ToDictionary(p => p.Key, p => p.Value, StringComparer.OrdinalIgnoreCase));
}
