using NetVips;

namespace AssetServer.Tests.Support;

/// <summary>Real images made with libvips for tests: a gradient, so resizes and crops change pixels.</summary>
public static class TestImages
{
    public static Image Gradient(int width, int height, int bands = 3)
    {
        var x = Image.Xyz(width, height);
        var r = (x[0] * (255.0 / Math.Max(1, width - 1))).Cast(Enums.BandFormat.Uchar);
        var g = (x[1] * (255.0 / Math.Max(1, height - 1))).Cast(Enums.BandFormat.Uchar);
        var b = ((x[0] + x[1]) % 256).Cast(Enums.BandFormat.Uchar);
        var image = r.Bandjoin(g, b).Copy(interpretation: Enums.Interpretation.Srgb);
        return bands == 4 ? image.Bandjoin(255) : image;
    }

    public static byte[] Jpeg(int width, int height, int quality = 85) =>
        Gradient(width, height).JpegsaveBuffer(q: quality);

    public static byte[] Png(int width, int height, bool alpha = false) =>
        Gradient(width, height, alpha ? 4 : 3).PngsaveBuffer();

    public static byte[] Webp(int width, int height) => Gradient(width, height).WebpsaveBuffer();

    public static byte[] Gif(int width, int height) => Gradient(width, height).GifsaveBuffer();

    public static byte[] Tiff(int width, int height) => Gradient(width, height).TiffsaveBuffer();

    /// <summary>Dimensions of encoded bytes, read with libvips.</summary>
    public static (int Width, int Height) SizeOf(byte[] bytes)
    {
        using var image = Image.NewFromBuffer(bytes);
        return (image.Width, image.Height);
    }
}
