using AssetServer.Errors;
using NetVips;

namespace AssetServer.Transforms;

/// <summary>
/// The libvips side of the operations whose sharp behaviour is more than one libvips call. Colour operations work on
/// the colour bands and pass alpha through unchanged, as sharp does.
/// </summary>
internal static class Pixels
{
    public static double MaxValue(Image image) =>
        image.Format == Enums.BandFormat.Ushort || image.Interpretation is Enums.Interpretation.Rgb16 or Enums.Interpretation.Grey16
            ? 65535 : 255;

    /// <summary>Adds an opaque alpha band when <paramref name="colour"/> is translucent, so new pixels can be transparent.</summary>
    public static Image WithAlphaFor(Image image, Colour colour) =>
        colour.Alpha < 1 && !image.HasAlpha() ? image.Bandjoin(MaxValue(image)) : image;

    public static (Image Colour, Image? Alpha) SplitAlpha(Image image, RenderScope s) =>
        image.HasAlpha()
            ? (s.Own(image.ExtractBand(0, n: image.Bands - 1)), s.Own(image.ExtractBand(image.Bands - 1)))
            : (image, null);

    public static Image JoinAlpha(Image colour, Image? alpha) => alpha is null ? colour : colour.Bandjoin(alpha);

    /// <summary>Casts a computed (float) result back to the band format the pipeline had; libvips clips out-of-range values.</summary>
    public static Image KeepFormat(Image original, Image result) =>
        result.Format == original.Format ? result : result.Cast(original.Format);

    public static Image Negate(Image image, bool alsoAlpha, RenderScope s)
    {
        if (alsoAlpha || !image.HasAlpha()) return image.Invert();
        var (colour, alpha) = SplitAlpha(image, s);
        return JoinAlpha(s.Own(colour.Invert()), alpha);
    }

    /// <summary>sharp's tint: the image's lightness with the chroma (a, b in CIELAB) of the tint colour.</summary>
    public static Image Tint(Image image, Colour tint, RenderScope s)
    {
        var (colour, alpha) = SplitAlpha(image, s);
        var swatch = s.Own(s.Own(s.Own(Image.Black(1, 1)).NewFromImage(tint.R, tint.G, tint.B)).Copy(interpretation: Enums.Interpretation.Srgb));
        var lab = s.Own(swatch.Colourspace(Enums.Interpretation.Lab)).Getpoint(0, 0);
        var lightness = s.Own(s.Own(colour.Colourspace(Enums.Interpretation.Lab)).ExtractBand(0));
        var tinted = s.Own(s.Own(lightness.Bandjoin(lab[1], lab[2])).Copy(interpretation: Enums.Interpretation.Lab))
            .Colourspace(Enums.Interpretation.Srgb);
        return alpha is null ? tinted : JoinAlpha(s.Own(tinted), alpha);
    }

    /// <summary>sharp's normalise: stretch CIELAB lightness so the given percentiles become black and white.</summary>
    public static Image Normalise(Image image, double lower, double upper, RenderScope s)
    {
        var (colour, alpha) = SplitAlpha(image, s);
        var interpretation = colour.Bands == 1 ? Enums.Interpretation.Bw : Enums.Interpretation.Srgb;
        var lab = s.Own(colour.Colourspace(Enums.Interpretation.Lab));
        var lightness = s.Own(lab.ExtractBand(0));
        double min = lower == 0 ? lightness.Min() : lightness.Percent(lower);
        double max = upper == 100 ? lightness.Max() : lightness.Percent(upper);
        if (Math.Abs(max - min) <= 1) return image;
        var factor = 100.0 / (max - min);
        var stretched = s.Own(s.Own(s.Own(lightness.Linear([factor], [-min * factor]))
            .Bandjoin(s.Own(lab.ExtractBand(1, n: 2)))).Copy(interpretation: Enums.Interpretation.Lab))
            .Colourspace(interpretation);
        return alpha is null ? stretched : JoinAlpha(s.Own(stretched), alpha);
    }

    /// <summary>sharp's modulate: scale lightness and chroma, rotate hue and add lightness in CIELCh.</summary>
    public static Image Modulate(Image image, double brightness, double saturation, double hue, double lightness, RenderScope s)
    {
        var (colour, alpha) = SplitAlpha(image, s);
        var interpretation = colour.Bands == 1 ? Enums.Interpretation.Bw : Enums.Interpretation.Srgb;
        var result = s.Own(s.Own(colour.Colourspace(Enums.Interpretation.Lch))
            .Linear([brightness, saturation, 1], [lightness, 0, hue]))
            .Colourspace(interpretation);
        return alpha is null ? result : JoinAlpha(s.Own(result), alpha);
    }

    /// <summary>sharp's threshold: 255 where the (greyscale) value is at least the threshold, else 0.</summary>
    public static Image Threshold(Image image, int threshold, bool greyscale, RenderScope s)
    {
        var (colour, alpha) = SplitAlpha(image, s);
        if (greyscale) colour = s.Own(colour.Colourspace(Enums.Interpretation.Bw));
        var result = s.Own(colour >= threshold).Copy(interpretation: colour.Bands == 1 ? Enums.Interpretation.Bw : Enums.Interpretation.Srgb);
        return alpha is null ? result : JoinAlpha(s.Own(result), alpha);
    }

    public static Image Flatten(Image image, Colour background) =>
        image.HasAlpha() ? image.Flatten(background: background.ToBands(image.Bands - 1)) : image;

    /// <summary>sharp's trim: crop away edges similar to the background (default: the top-left pixel).</summary>
    public static Image Trim(Image image, double threshold, Colour? background, bool lineArt)
    {
        var colourBands = image.HasAlpha() ? image.Bands - 1 : image.Bands;
        var reference = background?.ToBands(colourBands) ?? image.Getpoint(0, 0).Take(colourBands).ToArray();
        var found = image.FindTrim(threshold: threshold, background: reference, lineArt: lineArt);
        var (left, top, width, height) = ((int)found[0], (int)found[1], (int)found[2], (int)found[3]);
        return width > 0 && height > 0 ? image.ExtractArea(left, top, width, height) : image;
    }

    public static Image Linear(Image image, double[] multiply, double[] add, RenderScope s)
    {
        var (colour, alpha) = image.HasAlpha() && Math.Max(multiply.Length, add.Length) < image.Bands
            ? SplitAlpha(image, s)
            : (image, null);
        foreach (var (vector, name) in new[] { (multiply, "a"), (add, "b") })
        {
            if (vector.Length != 1 && vector.Length != colour.Bands)
                throw ApiErrors.InvalidQueryValue(name, $"1 or {colour.Bands} numbers for this image", vector.Length + " numbers");
        }
        var result = KeepFormat(colour, s.Own(colour.Linear(multiply, add)));
        return alpha is null ? result : JoinAlpha(s.Own(result), alpha);
    }

    public static Image Recomb(Image image, double[,] matrix, RenderScope s)
    {
        var size = matrix.GetLength(0);
        var (colour, alpha) = size == 3 ? SplitAlpha(image, s) : (image, null);
        if (size == 3 && colour.Bands == 1) colour = s.Own(colour.Colourspace(Enums.Interpretation.Srgb));
        if (colour.Bands != size)
            throw ApiErrors.InvalidQueryValue("recomb", $"a {colour.Bands}x{colour.Bands} matrix for this image", $"{size}x{size}");
        var m = s.Own(Image.NewFromArray(matrix));
        var result = KeepFormat(colour, s.Own(colour.Recomb(m)));
        return alpha is null ? result : JoinAlpha(s.Own(result), alpha);
    }

    /// <summary>sharp's clahe: contrast-limited adaptive histogram equalisation of CIELAB lightness.</summary>
    public static Image Clahe(Image image, int width, int height, int maxSlope, RenderScope s)
    {
        var (colour, alpha) = SplitAlpha(image, s);
        var interpretation = colour.Bands == 1 ? Enums.Interpretation.Bw : Enums.Interpretation.Srgb;
        var lab = s.Own(colour.Colourspace(Enums.Interpretation.Lab));
        var lightness = s.Own(s.Own(s.Own(lab.ExtractBand(0)) * (255.0 / 100)).Cast(Enums.BandFormat.Uchar));
        var equalised = s.Own(s.Own(lightness.HistLocal(width, height, maxSlope: maxSlope)) * (100.0 / 255));
        var result = s.Own(s.Own(equalised.Bandjoin(s.Own(lab.ExtractBand(1, n: 2)))).Copy(interpretation: Enums.Interpretation.Lab))
            .Colourspace(interpretation);
        return alpha is null ? result : JoinAlpha(s.Own(result), alpha);
    }

    public static Image Convolve(Image image, Image kernel, RenderScope s) =>
        KeepFormat(image, s.Own(image.Conv(kernel, precision: Enums.Precision.Float)));
}
