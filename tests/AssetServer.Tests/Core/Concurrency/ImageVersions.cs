using System.Security.Cryptography;
using NetVips;

namespace AssetServer.Tests.Concurrency;

/// <summary>
/// PNGs that say which version they are. Version n is one flat colour, 128 × 2·(16 + n), so its
/// <c>?width=64</c> derivative is 64 × (16 + n) and its colour names n a second time: an old, torn or mixed
/// derivative shows in both. Originals are told apart by SHA-256.
/// </summary>
internal sealed class ImageVersions
{
    public const int DerivativeWidth = 64;
    private const int BaseHeight = 16;

    private readonly byte[][] versions;
    private readonly Dictionary<string, int> bySha256 = new(StringComparer.Ordinal);

    public ImageVersions(int count, int first = 0)
    {
        First = first;
        versions = new byte[count][];
        for (var i = 0; i < count; i++)
        {
            var n = first + i;
            var (r, g, b) = Colour(n);
            using var black = Image.Black(2 * DerivativeWidth, 2 * (BaseHeight + n), bands: 3);
            using var flat = black.NewFromImage(r, g, b);
            using var srgb = flat.Copy(interpretation: Enums.Interpretation.Srgb);
            versions[i] = srgb.PngsaveBuffer();
            bySha256.Add(Sha256(versions[i]), n);
        }
    }

    public int First { get; }

    public int Last => First + versions.Length - 1;

    public byte[] Bytes(int version) => versions[version - First];

    /// <summary>Far apart for neighbours, so one step off is never within the tolerance.</summary>
    public static (int R, int G, int B) Colour(int n) => (30 + n * 67 % 200, 30 + n * 131 % 200, 30 + n * 29 % 200);

    /// <summary>The version whose exact bytes these are, or null (a short, torn or foreign body).</summary>
    public int? IdentifyOriginal(byte[] body) => bySha256.TryGetValue(Sha256(body), out var n) ? n : null;

    /// <summary>
    /// The version a <c>?width=64</c> derivative was made from, or null with what was seen instead (not an
    /// image, wrong width, a height no version has, or a colour that is not that version's).
    /// </summary>
    public (int? Version, string Seen) IdentifyDerivative(byte[] body)
    {
        try
        {
            using var image = Image.NewFromBuffer(body, failOn: Enums.FailOn.Truncated);
            var n = image.Height - BaseHeight;
            var pixel = image.Getpoint(image.Width / 2, image.Height / 2);
            var seen = $"{image.Width}×{image.Height} rgb({string.Join(",", pixel.Select(p => (int)p))})";
            if (image.Width != DerivativeWidth || n < First || n > Last || pixel.Length < 3) return (null, seen);
            var (r, g, b) = Colour(n);
            var close = Math.Abs(pixel[0] - r) <= 12 && Math.Abs(pixel[1] - g) <= 12 && Math.Abs(pixel[2] - b) <= 12;
            return close ? (n, seen) : (null, seen + $", but v{n} is rgb({r},{g},{b})");
        }
        catch (VipsException e)
        {
            return (null, $"{body.Length} bytes libvips cannot decode ({e.Message.Split('\n')[0]})");
        }
    }

    private static string Sha256(byte[] bytes) => Convert.ToHexString(SHA256.HashData(bytes));
}
