using System.Text;

namespace AssetServer.Metadata;

/// <summary>
/// BlurHash (https://blurha.sh, the algorithm as its specification describes it): a few DCT components of an image in
/// linear light, quantised into a short base-83 text that a page decodes into a blurred preview before the image loads.
/// </summary>
public static class BlurHash
{
    private const string Base83 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz#$%*+,-.:;=?@[]^_{|}~";

    /// <summary>
    /// Encodes packed 8-bit RGB pixels (<paramref name="width"/> × <paramref name="height"/> × 3 bytes) with
    /// <paramref name="xComponents"/> × <paramref name="yComponents"/> components (1 to 9 each).
    /// </summary>
    public static string Encode(ReadOnlySpan<byte> rgb, int width, int height, int xComponents = 4, int yComponents = 3)
    {
        if (xComponents is < 1 or > 9 || yComponents is < 1 or > 9) throw new ArgumentOutOfRangeException(nameof(xComponents));
        if (rgb.Length < width * height * 3) throw new ArgumentException("Fewer bytes than width × height × 3.", nameof(rgb));

        // sRGB to linear once per pixel; the DCT below runs over linear values.
        var linear = new float[width * height * 3];
        for (var i = 0; i < linear.Length; i++) linear[i] = ToLinear[rgb[i]];

        var factors = new (double R, double G, double B)[xComponents * yComponents];
        var cosX = new double[width];
        var cosY = new double[height];
        for (var j = 0; j < yComponents; j++)
        {
            for (var y = 0; y < height; y++) cosY[y] = Math.Cos(Math.PI * j * y / height);
            for (var i = 0; i < xComponents; i++)
            {
                for (var x = 0; x < width; x++) cosX[x] = Math.Cos(Math.PI * i * x / width);
                double r = 0, g = 0, b = 0;
                for (var y = 0; y < height; y++)
                {
                    var row = y * width * 3;
                    for (var x = 0; x < width; x++)
                    {
                        var basis = cosX[x] * cosY[y];
                        var p = row + x * 3;
                        r += basis * linear[p];
                        g += basis * linear[p + 1];
                        b += basis * linear[p + 2];
                    }
                }
                var scale = (i == 0 && j == 0 ? 1.0 : 2.0) / (width * height);
                factors[j * xComponents + i] = (r * scale, g * scale, b * scale);
            }
        }

        var hash = new StringBuilder(4 + 2 * factors.Length);
        Append(hash, (xComponents - 1) + (yComponents - 1) * 9, 1);

        var maximum = 1.0;
        if (factors.Length > 1)
        {
            var actualMaximum = factors.Skip(1).Max(f => Math.Max(Math.Abs(f.R), Math.Max(Math.Abs(f.G), Math.Abs(f.B))));
            var quantised = (int)Math.Max(0, Math.Min(82, Math.Floor(actualMaximum * 166 - 0.5)));
            maximum = (quantised + 1) / 166.0;
            Append(hash, quantised, 1);
        }
        else
        {
            Append(hash, 0, 1);
        }

        var dc = factors[0];
        Append(hash, (ToSrgb(dc.R) << 16) + (ToSrgb(dc.G) << 8) + ToSrgb(dc.B), 4);
        foreach (var ac in factors.Skip(1))
        {
            int Quantise(double value) => (int)Math.Max(0, Math.Min(18, Math.Floor(SignedPow(value / maximum, 0.5) * 9 + 9.5)));
            Append(hash, Quantise(ac.R) * 19 * 19 + Quantise(ac.G) * 19 + Quantise(ac.B), 2);
        }
        return hash.ToString();
    }

    private static readonly float[] ToLinear = Enumerable.Range(0, 256).Select(v =>
    {
        var c = v / 255.0;
        return (float)(c <= 0.04045 ? c / 12.92 : Math.Pow((c + 0.055) / 1.055, 2.4));
    }).ToArray();

    private static int ToSrgb(double linear)
    {
        var v = Math.Clamp(linear, 0, 1);
        return v <= 0.0031308 ? (int)(v * 12.92 * 255 + 0.5) : (int)((1.055 * Math.Pow(v, 1 / 2.4) - 0.055) * 255 + 0.5);
    }

    private static double SignedPow(double value, double exponent) => Math.CopySign(Math.Pow(Math.Abs(value), exponent), value);

    private static void Append(StringBuilder hash, int value, int length)
    {
        Span<char> digits = stackalloc char[length];
        for (var i = length - 1; i >= 0; i--)
        {
            digits[i] = Base83[value % 83];
            value /= 83;
        }
        hash.Append(digits);
    }
}
