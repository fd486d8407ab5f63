using System.Text;
using AssetServer.Assets;
using AssetServer.Errors;
using AssetServer.Rendering.Media;
using Microsoft.Extensions.Options;

namespace AssetServer.Transforms;

/// <summary>
/// Turns <c>/assets</c> query parameters into a <see cref="TransformRequest"/>: validates them with Directus's
/// messages, applies the <c>Assets:Transform</c> policy, expands presets, resolves the output format and quality,
/// drops parameters that change nothing and checks the projected sizes against the limits.
/// </summary>
public sealed class TransformParser(IOptions<AssetsOptions> options, PresetStore presets, MediaEngines? engines = null)
{
    private readonly MediaEngines _engines = engines ?? MediaEngines.Installed;

    /// <summary>Bumped whenever rendering changes the bytes produced for the same parameters, so old derivatives miss.</summary>
    internal const string PipelineVersion = "t1";

    private readonly AssetsOptions _options = options.Value;

    /// <summary>
    /// Null when the query asks for no transform, when the policy is <c>none</c>, when the source is not transformable
    /// (SVG, audio, text…: the original is served, as Directus does). A video or PDF gets its poster (issue 20), even
    /// for parameters that would leave an image unchanged; without its engine that is a 400. or when the parameters change nothing
    /// (<c>?fit=cover</c> alone, <c>transforms=[]</c>). Parameters are validated first, so a malformed one is a 400
    /// for every file. Throws <see cref="ApiException"/> (INVALID_QUERY, ILLEGAL_ASSET_TRANSFORMATION).
    /// </summary>
    public TransformRequest? Parse(IQueryCollection query, TransformSource source, string? accept)
    {
        var present = TransformParameters.Names.Where(query.ContainsKey).ToList();
        if (present.Count == 0) return null;
        foreach (var key in present)
        {
            if (query[key].Count > 1) throw ApiErrors.InvalidQueryValue(key, "a single value", string.Join(",", query[key].ToArray()));
        }

        TransformSpec spec;
        if (present.Contains(TransformParameters.Key))
        {
            var others = present.Where(k => k != TransformParameters.Key && !TransformParameters.PosterNames.Contains(k)).ToList();
            if (others.Count > 0)
                throw ApiErrors.InvalidQuery($"\"key\" can't be combined with other transform parameters, but received \"{string.Join("\", \"", others)}\"");
            var name = query[TransformParameters.Key].ToString();
            if (!presets.TryGet(name, out spec)) throw ApiErrors.InvalidQuery($"Key \"{Printable(name)}\" isn't configured");
        }
        else
        {
            spec = TransformSpec.Read(k => query.TryGetValue(k, out var v) ? v.ToString() : null, _options, isPreset: false);
            if (_options.Transform == TransformPolicy.Presets && present.Any(k => !TransformParameters.PosterNames.Contains(k)))
                throw ApiErrors.InvalidQuery("Only configured presets can be used in asset generation");
        }

        var poster = Poster.Read(k => query.TryGetValue(k, out var v) ? v.ToString() : null, source);
        if (_options.Transform == TransformPolicy.None) return null;
        TransformRequest? request;
        if (poster is not null)
        {
            if (!_engines.CanPoster(source.MimeType))
                throw ApiErrors.IllegalTransformationBecause(
                    $"This server has no engine for {(poster.Pdf ? "PDF pages (poppler-utils)" : "video frames (ffmpeg)")}", TransformParameters.Format);
            request = Still(spec, source, accept, poster);
        }
        else
        {
            if (!RenderPipeline.CanTransform(source.MimeType)) return null;
            request = Resolve(spec, source, accept);
        }
        if (request is not null && source.Width is > 0 and var w && source.Height is > 0 and var h)
        {
            // Refuses what the stored size shows to be past a limit, and keeps the plan for the rest of the request.
            request = request.WithProjection(RenderPlan.Create(request, new Dimensions(w, h), _options));
        }
        return request;
    }

    /// <summary>
    /// A transform the server itself defines (Strapi's responsive formats), read as a preset is: the
    /// <c>Assets:Transform</c> policy <c>presets</c> does not refuse it, <c>none</c> and untransformable sources give null.
    /// The result has the same cache key as the equivalent <c>/assets</c> query, so both share one derivative.
    /// </summary>
    public TransformRequest? ParseServerSpec(IReadOnlyDictionary<string, string> parameters, TransformSource source)
    {
        if (_options.Transform == TransformPolicy.None) return null;
        var spec = TransformSpec.Read(k => parameters.GetValueOrDefault(k), _options, isPreset: true);
        TransformRequest? request;
        if (Poster.Read(_ => null, source) is { } poster)
        {
            // No engine, no formats: Strapi lists none, as for any file it cannot render.
            if (!_engines.CanPoster(source.MimeType)) return null;
            request = Still(spec, source, null, poster);
        }
        else
        {
            if (!RenderPipeline.CanTransform(source.MimeType)) return null;
            request = Resolve(spec, source, accept: null);
        }
        if (request is null || source.Width is not > 0 || source.Height is not > 0) return request;
        try
        {
            return request.WithProjection(RenderPlan.Create(request, new Dimensions(source.Width.Value, source.Height.Value), _options));
        }
        catch (ApiException)
        {
            // Past a limit: OutputSize and the render say so when they are asked.
            return request;
        }
    }

    /// <summary>
    /// The size a request renders a source of <paramref name="width"/>×<paramref name="height"/> (upright) to: the
    /// plan the pipeline follows, so it is the size of the bytes it writes. Throws as <see cref="Parse"/> past a limit.
    /// </summary>
    public (int Width, int Height) OutputSize(TransformRequest request, int width, int height)
    {
        var source = new Dimensions(width, height);
        var output = (request.Projected is { } plan && plan.Source == source ? plan : RenderPlan.Create(request, source, _options)).Output;
        return (output.Width, output.Height);
    }

    /// <summary>A poster is always rendered: parameters that change nothing still turn a video into its frame (JPEG by default).</summary>
    private static TransformRequest Still(TransformSpec spec, TransformSource source, string? accept, Poster poster) =>
        (Resolve(spec, source, accept) ?? Resolve(spec with { Format = OutputFormat.Jpg.Name }, source, accept)!).WithPoster(poster);

    /// <summary>Resolves a spec for one source; null when the result would be the unchanged original.</summary>
    internal static TransformRequest? Resolve(TransformSpec spec, TransformSource source, string? accept)
    {
        var sourceFormat = OutputFormat.FromMimeType(source.MimeType) ?? OutputFormat.Jpg;
        var operations = spec.Operations;
        var outputOps = operations.OfType<OutputOp>().ToList();
        var lastOutput = outputOps.LastOrDefault();

        OutputFormat format;
        var variesByAccept = false;
        if (spec.Format == "auto")
        {
            format = FromAccept(accept, sourceFormat);
            variesByAccept = true;
        }
        else if (spec.Format is { } named)
        {
            format = OutputFormat.FromName(named)!;
        }
        else
        {
            format = lastOutput?.Format ?? sourceFormat;
        }

        var settings = outputOps.LastOrDefault(o => o.Format == format)?.Settings ?? EncoderSettings.Default;
        var quality = spec.Quality ?? settings.Quality;
        // Quality only matters to lossy encoders (and to PNG's palette quantiser).
        var usesQuality = format.DefaultQuality is not null || (format == OutputFormat.Png && settings.Palette == true);
        settings = settings with { Quality = usesQuality ? quality ?? format.DefaultQuality ?? 100 : null };

        var resize = spec.Width is not null || spec.Height is not null
            ? new ResizeSpec(spec.Width, spec.Height, spec.Fit ?? Fit.Cover, spec.WithoutEnlargement, Gravity.Centre, spec.Background)
            : operations.OfType<ResizeOp>().LastOrDefault()?.Spec;
        if (resize is not null && !resize.BothSides)
        {
            resize = resize with { Fit = Fit.Cover, Position = Gravity.Centre, Background = null };
        }
        else if (resize is { Fit: not Fit.Contain })
        {
            resize = resize with { Background = null };
        }

        // Source operations keep the request's order; the others take their step's place (OrderBy is stable).
        var ordered = operations.OfType<ImageOp>().OrderBy(o => RenderPipeline.Position(o.Stage)).ToList();
        var hasSourceOps = ordered.Any(o => o.Stage == Stage.Source);

        (int X, int Y)? focal = null;
        if (resize is { BothSides: true, Fit: Fit.Cover, Position: Gravity.Centre } && !hasSourceOps &&
            (spec.FocalPointX ?? source.FocalPointX) is { } fx && (spec.FocalPointY ?? source.FocalPointY) is { } fy)
        {
            focal = (fx, fy);
        }

        var explicitEncoding = spec.Format is not null || spec.Quality is not null || lastOutput is not null;
        if (resize is null && ordered.Count == 0 && !explicitEncoding) return null;

        var key = new StringBuilder(PipelineVersion)
            .Append('|').Append(format.Name).Append('(').Append(settings).Append(')');
        if (resize is not null) key.Append('|').Append(resize);
        if (focal is { } fp) key.Append("|focal(").Append(fp.X).Append(',').Append(fp.Y).Append(')');
        foreach (var op in ordered) key.Append(op.Stage == Stage.Source ? "|<" : "|>").Append(op.Canonical);

        return new TransformRequest(key.ToString(), format, variesByAccept, resize, ordered, settings, focal);
    }

    /// <summary>
    /// <c>format=auto</c>: AVIF, then WebP, when Accept names them (substring match, q-values ignored, as Directus);
    /// else, as Directus's own asset tests expect (issue 20), PNG for a source that can carry transparency (PNG,
    /// WebP, AVIF, GIF, TIFF) so it is never lost, JPEG for anything else (JPEG, a video frame, a PDF page).
    /// </summary>
    internal static OutputFormat FromAccept(string? accept, OutputFormat sourceFormat)
    {
        var text = accept ?? "";
        if (text.Contains("image/avif", StringComparison.OrdinalIgnoreCase)) return OutputFormat.Avif;
        if (text.Contains("image/webp", StringComparison.OrdinalIgnoreCase)) return OutputFormat.Webp;
        return sourceFormat.SupportsAlpha ? OutputFormat.Png : OutputFormat.Jpg;
    }

    private static string Printable(string text)
    {
        var clean = new string(text.Take(100).Select(c => char.IsControl(c) || c == '"' ? '?' : c).ToArray());
        return text.Length > 100 ? clean + "…" : clean;
    }
}
