using AssetServer.Errors;
using NetVips;

namespace AssetServer.Transforms.Steps;

/// <summary>What the header of a source says, read without decoding pixels.</summary>
internal sealed record SourceInfo(string Loader, Dimensions Stored, int Orientation, int Pages, int PageHeight)
{
    /// <summary>Orientations 5–8 turn the image by 90°: width and height swap once it is upright.</summary>
    public Dimensions Upright => Orientation is >= 5 and <= 8 ? new Dimensions(Stored.Height, Stored.Width) : Stored;

    public bool CanAnimate => Pages > 1 && Loader.Contains("gif", StringComparison.OrdinalIgnoreCase) ||
                              Pages > 1 && Loader.Contains("webp", StringComparison.OrdinalIgnoreCase);
}

/// <summary>Identifies the loader and reads the header; anything else than the six web formats is refused.</summary>
internal static class SourceProbe
{
    /// <summary>libvips loader class names (file variants) this server decodes.</summary>
    private static readonly string[] AllowedLoaders = ["Jpeg", "Png", "Webp", "Tiff", "Heif", "Gif"];

    /// <summary>Throws the 400 of <see cref="Damaged"/> when libvips cannot read the header.</summary>
    public static SourceInfo Read(string path, RenderScope scope)
    {
        var loader = Image.FindLoad(path);
        if (loader is null || !AllowedLoaders.Any(a => loader.Contains(a, StringComparison.OrdinalIgnoreCase)))
            throw Damaged("the file is not a JPEG, PNG, WebP, TIFF, AVIF or GIF image");
        var header = Load(path, scope, access: Enums.Access.Sequential);
        var orientation = header.Contains("orientation") ? Convert.ToInt32(header.Get("orientation")) : 1;
        var pages = header.Contains("n-pages") ? Convert.ToInt32(header.Get("n-pages")) : 1;
        return new SourceInfo(loader, new Dimensions(header.Width, header.Height), orientation, Math.Max(1, pages), header.PageHeight);
    }

    /// <summary>
    /// Opens the source; libvips reads only the header here, the pixels when something downstream asks for them.
    /// Anything failing at this point is the source's fault.
    /// </summary>
    public static Image Load(string path, RenderScope scope, Enums.Access access, VOption? options = null) =>
        Open(() => Image.NewFromFile(path, access: access, failOn: Enums.FailOn.Truncated, kwargs: options), path, scope);

    /// <summary>Runs a call that opens the source (<c>thumbnail</c>, a load); a libvips failure there is a damaged source.</summary>
    public static Image Open(Func<Image> open, string path, RenderScope scope)
    {
        try
        {
            return scope.Own(open());
        }
        catch (VipsException e)
        {
            throw Damaged(VipsFailure.FirstLine(e.Message, path));
        }
    }

    /// <summary>
    /// A source libvips cannot decode (truncated, corrupt, not an image) is the client's problem with this file, not a
    /// server fault: 400 ILLEGAL_ASSET_TRANSFORMATION naming "source" (Directus answers 500 here).
    /// </summary>
    public static ApiException Damaged(string detail) =>
        ApiErrors.IllegalTransformationBecause($"The source image is damaged or not a supported image ({detail})", "source");
}
