using NetVips;

namespace AssetServer.Metadata;

/// <summary>
/// What libvips reads from a file's header without decoding pixels (loaders are lazy until pixels are asked for): used
/// for HEIF/AVIF, which MetadataExtractor cannot size, and as the fallback when MetadataExtractor cannot parse a file.
/// </summary>
internal sealed record LibvipsHeader(int Width, int Height, int Orientation, byte[]? Exif, byte[]? Icc, byte[]? Xmp)
{
    public static LibvipsHeader Read(string path)
    {
        using var image = Image.NewFromFile(path, access: Enums.Access.Sequential);
        var orientation = image.Contains("orientation") && image.Get("orientation") is int value ? value : 1;
        return new LibvipsHeader(image.Width, image.Height, orientation, Blob(image, "exif-data"), Blob(image, "icc-profile-data"), Blob(image, "xmp-data"));
    }

    private static byte[]? Blob(Image image, string name) =>
        image.Contains(name) && image.Get(name) is byte[] { Length: > 0 } bytes ? bytes : null;
}
