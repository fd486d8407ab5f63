using AssetServer.Assets;
using AssetServer.Errors;

namespace AssetServer.Transforms;

/// <summary>
/// Where the resize puts the image: scale the input to <see cref="Scaled"/>, cut <see cref="Crop"/> out of it
/// (<c>cover</c>), then centre the result on a <see cref="Canvas"/> (<c>contain</c>).
/// </summary>
internal sealed record ResizeGeometry(Dimensions Scaled, (int Left, int Top, int Width, int Height) Crop, Dimensions Canvas, Gravity? SmartCrop)
{
    public bool Crops => Crop.Width != Scaled.Width || Crop.Height != Scaled.Height;

    public bool Pads => Canvas.Width != Crop.Width || Canvas.Height != Crop.Height;
}

/// <summary>
/// The sizes a request produces from a source of a given size, computed before any pixel is decoded so that limits
/// are enforced up front: every step's output must fit <see cref="AssetsOptions.MaxDimension"/>.
/// </summary>
internal sealed record RenderPlan(Dimensions Source, Dimensions BeforeResize, ResizeGeometry? Resize, Dimensions Output)
{
    /// <summary>Directus names both sides for any size limit.</summary>
    internal static readonly string[] OutputLimitParameters = [TransformParameters.Width, TransformParameters.Height];

    /// <summary>
    /// What a render will cost, in pixels touched, worked out from the stored size of the source before anything is
    /// queued: the pixels decoded (a JPEG thumbnail decodes at 1/2, 1/4 or 1/8 scale) plus the pixels encoded, weighted
    /// by how dear the encoder is (AV1 about 8 times a JPEG, WebP about twice). Null when the source's size is not
    /// known or past a limit (the render's own checks, on the real header, then decide).
    /// </summary>
    public static long? EstimateCost(TransformRequest request, string sourceType, int? width, int? height, AssetsOptions options)
    {
        if (width is not > 0 || height is not > 0) return null;
        var source = new Dimensions(width.Value, height.Value);
        RenderPlan plan;
        try
        {
            plan = request.Projected is { } projected && projected.Source == source ? projected : Create(request, source, options);
        }
        catch (ApiException)
        {
            // The stored size is only a row's word (a JSON-created record can carry any): the render decides on the header.
            return null;
        }
        var decoded = (long)source.Width * source.Height;
        if (plan.Resize is { } geometry && !request.HasSourceOperations && OutputFormat.NormaliseMime(sourceType) == "image/jpeg")
        {
            var shrink = 1;
            while (shrink < 8 && source.Width / (shrink * 2) >= geometry.Scaled.Width && source.Height / (shrink * 2) >= geometry.Scaled.Height) shrink *= 2;
            decoded /= (long)shrink * shrink;
        }
        var weight = request.Format.Name switch { "avif" => 8, "webp" => 2, _ => 1 };
        // A poster also starts its engine's processes, whatever the size (issue 20).
        var processes = request.Poster is null ? 0 : Rendering.Media.StillExtractor.PosterCost;
        return decoded + (long)plan.Output.Width * plan.Output.Height * weight + processes;
    }

    /// <summary>
    /// Checks the source against the input limits, then projects each step.
    /// Throws ILLEGAL_ASSET_TRANSFORMATION past a limit and INVALID_QUERY for an impossible step (extract outside the image).
    /// </summary>
    public static RenderPlan Create(TransformRequest request, Dimensions source, AssetsOptions options, int pages = 1)
    {
        if (source.Width > options.MaxDimension || source.Height > options.MaxDimension)
            throw ApiErrors.IllegalTransformationBecause($"The source image is {source}, larger than {options.MaxDimension} pixels on a side", OutputLimitParameters);
        if (pages > options.MaxFrames)
            throw ApiErrors.IllegalTransformationBecause($"The source image has {pages} frames, more than {options.MaxFrames}", OutputLimitParameters);
        if ((long)source.Width * source.Height * Math.Max(1, pages) > options.MaxInputPixels)
            throw ApiErrors.IllegalTransformationBecause($"The source image has more than {options.MaxInputPixels} pixels", OutputLimitParameters);

        var size = source;
        foreach (var op in request.Operations.Where(o => o.Stage == Stage.Source))
        {
            size = Check(op.Project?.Invoke(size) ?? size, options);
        }
        var beforeResize = size;

        ResizeGeometry? geometry = null;
        if (request.Resize is { } spec)
        {
            // A focal point is in source pixels; it means nothing once rotations or crops moved them.
            var focal = request.HasSourceOperations ? null : request.FocalPoint;
            geometry = Geometry(size, spec, focal);
            Check(geometry.Scaled, options);
            size = Check(geometry.Canvas, options);
        }

        foreach (var op in request.Operations.Where(o => o.Stage != Stage.Source))
        {
            size = Check(op.Project?.Invoke(size) ?? size, options);
        }
        if (request.Format == OutputFormat.Avif && (long)size.Width * size.Height > options.MaxAvifPixels)
            throw ApiErrors.IllegalTransformationBecause(
                $"An AVIF output of {size} is larger than {options.MaxAvifPixels} pixels (Assets:MaxAvifPixels); ask for a smaller size or format=webp",
                OutputLimitParameters);
        return new RenderPlan(source, beforeResize, geometry, size);
    }

    private static Dimensions Check(Dimensions size, AssetsOptions options) =>
        size.Width > options.MaxDimension || size.Height > options.MaxDimension || size.Width < 1 || size.Height < 1
            ? throw ApiErrors.IllegalTransformation(OutputLimitParameters)
            : size;

    /// <summary>sharp's fit rules; sizes round half up (3840×2400 at width 300 → 300×188).</summary>
    public static ResizeGeometry Geometry(Dimensions input, ResizeSpec spec, (int X, int Y)? focal)
    {
        var (iw, ih) = (input.Width, input.Height);
        Dimensions scaled;
        if (spec.Width is { } onlyW && spec.Height is null)
        {
            scaled = spec.WithoutEnlargement && onlyW > iw ? input : new Dimensions(onlyW, Scale(ih, onlyW, iw));
            return Plain(scaled);
        }
        if (spec.Height is { } onlyH && spec.Width is null)
        {
            scaled = spec.WithoutEnlargement && onlyH > ih ? input : new Dimensions(Scale(iw, onlyH, ih), onlyH);
            return Plain(scaled);
        }

        var (w, h) = (spec.Width!.Value, spec.Height!.Value);
        // Compare w/iw with h/ih without division: which side decides the scale.
        var widthIsSmallerScale = (long)w * ih <= (long)h * iw;
        Dimensions ByWidth() => new(w, Scale(ih, w, iw));
        Dimensions ByHeight() => new(Scale(iw, h, ih), h);
        switch (spec.Fit)
        {
            case Fit.Fill:
                scaled = spec.WithoutEnlargement ? new Dimensions(Math.Min(w, iw), Math.Min(h, ih)) : new Dimensions(w, h);
                return Plain(scaled);
            case Fit.Inside:
                scaled = widthIsSmallerScale ? ByWidth() : ByHeight();
                return Plain(Clamp(scaled, input, spec));
            case Fit.Outside:
                scaled = widthIsSmallerScale ? ByHeight() : ByWidth();
                return Plain(Clamp(scaled, input, spec));
            case Fit.Contain:
            {
                scaled = Clamp(widthIsSmallerScale ? ByWidth() : ByHeight(), input, spec);
                var canvas = spec.WithoutEnlargement
                    ? new Dimensions(Math.Max(scaled.Width, Math.Min(w, iw)), Math.Max(scaled.Height, Math.Min(h, ih)))
                    : new Dimensions(w, h);
                return new ResizeGeometry(scaled, (0, 0, scaled.Width, scaled.Height), canvas, null);
            }
            default:
            {
                scaled = Clamp(widthIsSmallerScale ? ByHeight() : ByWidth(), input, spec);
                // withoutEnlargement clamps each side of the crop separately (1920×1080 → 3000×200 gives 1920×200).
                var (cw, ch) = (Math.Min(w, scaled.Width), Math.Min(h, scaled.Height));
                int left, top;
                if (focal is { } f)
                {
                    left = Around(f.X * (double)scaled.Width / iw, cw, scaled.Width);
                    top = Around(f.Y * (double)scaled.Height / ih, ch, scaled.Height);
                }
                else
                {
                    (left, top) = Position(spec.Position, scaled, cw, ch);
                }
                var smart = spec.Position is Gravity.Entropy or Gravity.Attention ? spec.Position : (Gravity?)null;
                return new ResizeGeometry(scaled, (left, top, cw, ch), new Dimensions(cw, ch), smart);
            }
        }
    }

    private static ResizeGeometry Plain(Dimensions scaled) =>
        new(scaled, (0, 0, scaled.Width, scaled.Height), scaled, null);

    /// <summary>withoutEnlargement for the aspect-keeping fits: never scale up.</summary>
    private static Dimensions Clamp(Dimensions scaled, Dimensions input, ResizeSpec spec) =>
        spec.WithoutEnlargement && (scaled.Width > input.Width || scaled.Height > input.Height) ? input : scaled;

    /// <summary>round(value × numerator / denominator), half up, at least 1.</summary>
    private static int Scale(long value, long numerator, long denominator) =>
        (int)Math.Max(1, (2 * value * numerator + denominator) / (2 * denominator));

    private static int Around(double centre, int length, int total) =>
        Math.Clamp((int)Math.Round(centre - length / 2.0, MidpointRounding.AwayFromZero), 0, total - length);

    /// <summary>sharp's crop offsets for a gravity; centre uses (in − out + 1) / 2 like sharp.</summary>
    internal static (int Left, int Top) Position(Gravity gravity, Dimensions scaled, int cw, int ch)
    {
        var centreLeft = (scaled.Width - cw + 1) / 2;
        var centreTop = (scaled.Height - ch + 1) / 2;
        var (right, bottom) = (scaled.Width - cw, scaled.Height - ch);
        return gravity switch
        {
            Gravity.North => (centreLeft, 0),
            Gravity.NorthEast => (right, 0),
            Gravity.East => (right, centreTop),
            Gravity.SouthEast => (right, bottom),
            Gravity.South => (centreLeft, bottom),
            Gravity.SouthWest => (0, bottom),
            Gravity.West => (0, centreTop),
            Gravity.NorthWest => (0, 0),
            _ => (centreLeft, centreTop),
        };
    }
}
