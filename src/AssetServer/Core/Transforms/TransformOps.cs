using NetVips;

namespace AssetServer.Transforms;

/// <summary>A width and height in pixels.</summary>
internal readonly record struct Dimensions(int Width, int Height)
{
    public override string ToString() => $"{Width}x{Height}";
}

/// <summary>One validated entry of <c>transforms</c>, ready to run. <see cref="Canonical"/> is its cache-key text.</summary>
internal abstract record TransformOp(string Canonical);

/// <summary>
/// Where an operation runs. <see cref="Source"/> operations act on the oriented source before the resize, in request
/// order (sharp does 90° rotations, flips and a leading extract there); every other stage is one step after the resize
/// in <see cref="RenderPipeline"/>'s table, which fixes their order as sharp's pipeline does.
/// </summary>
internal enum Stage
{
    Source,
    Flatten,
    Negate,
    Greyscale,
    Extend,
    Extract,
    Rotate,
    Median,
    Threshold,
    Blur,
    Convolve,
    Recomb,
    Modulate,
    Sharpen,
    GammaOut,
    Linear,
    Normalise,
    Clahe,
    Tint,
    RemoveAlpha,
    EnsureAlpha,
    Colourspace,
    ExtractChannel,
}

/// <summary>An operation on pixels, run by the pipeline step of its <see cref="Stage"/>.</summary>
/// <param name="Project">Output size for an input size, computed before any pixel is decoded; may throw INVALID_QUERY
/// (an extract area outside the image). Null when the size does not change.</param>
/// <param name="Apply">The libvips calls. The pipeline owns the image returned; any other image made on the way is
/// handed to the <see cref="RenderScope"/>, so that nothing outlives the render.</param>
/// <param name="NeedsRandomAccess">True when libvips must read the input more than once or out of order (rotations,
/// vertical flips, histogram passes) or over a window of lines (blur, median, convolutions: stacked, they outgrow the
/// line cache of a sequential load and fail with "out of order read"), so the input is decoded into memory first.</param>
internal sealed record ImageOp(
    string Canonical,
    Stage Stage,
    Func<Dimensions, Dimensions>? Project,
    Func<Image, RenderScope, Image> Apply,
    bool NeedsRandomAccess = false) : TransformOp(Canonical);

/// <summary>A <c>resize</c> inside <c>transforms</c>; used only when the query gives no <c>width</c>/<c>height</c>.</summary>
internal sealed record ResizeOp(ResizeSpec Spec) : TransformOp(Spec.ToString());

/// <summary><c>toFormat</c>, <c>jpeg</c>, <c>png</c>, …: the output encoding unless the query's <c>format</c> overrides it.</summary>
internal sealed record OutputOp(OutputFormat Format, EncoderSettings Settings) : TransformOp($"{Format.Name}({Settings})");

/// <summary>How sharp's <c>fit</c> maps the source into width × height.</summary>
internal enum Fit { Cover, Contain, Fill, Inside, Outside }

/// <summary>Where <c>cover</c> crops and <c>contain</c> places the image (sharp's <c>position</c>).</summary>
internal enum Gravity { Centre, North, NorthEast, East, SouthEast, South, SouthWest, West, NorthWest, Entropy, Attention }

/// <summary>A resize request: either the query's <c>width/height/fit/withoutEnlargement</c> or a <c>resize</c> operation.</summary>
internal sealed record ResizeSpec(int? Width, int? Height, Fit Fit, bool WithoutEnlargement, Gravity Position, Colour? Background)
{
    public bool BothSides => Width is not null && Height is not null;

    /// <summary>Canonical text; parts that cannot change the output (fit with one side) are left out.</summary>
    public override string ToString()
    {
        var text = $"resize({Width?.ToString() ?? "-"}x{Height?.ToString() ?? "-"}";
        if (BothSides) text += $",{Fit.ToString().ToLowerInvariant()}";
        if (WithoutEnlargement) text += ",noenlarge";
        if (BothSides && Fit is Fit.Cover or Fit.Contain && Position != Gravity.Centre) text += $",{Position.ToString().ToLowerInvariant()}";
        if (BothSides && Fit == Fit.Contain && Background is { } bg) text += $",{bg}";
        return text + ")";
    }
}

/// <summary>Encoder options beyond the format; null means the encoder default chosen in the render step.</summary>
internal sealed record EncoderSettings(
    int? Quality = null,
    bool? Lossless = null,
    int? Effort = null,
    int? CompressionLevel = null,
    bool? Progressive = null,
    bool? Palette = null)
{
    public static readonly EncoderSettings Default = new();

    public override string ToString()
    {
        var parts = new List<string>();
        if (Quality is { } q) parts.Add($"q{q}");
        if (Lossless is { } l) parts.Add(l ? "lossless" : "lossy");
        if (Effort is { } e) parts.Add($"effort{e}");
        if (CompressionLevel is { } c) parts.Add($"level{c}");
        if (Progressive is { } p) parts.Add(p ? "progressive" : "baseline");
        if (Palette is { } pal) parts.Add(pal ? "palette" : "truecolour");
        return string.Join(",", parts);
    }
}
