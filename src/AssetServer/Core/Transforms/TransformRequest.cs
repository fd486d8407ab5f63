namespace AssetServer.Transforms;

/// <summary>
/// A validated, normalised transform of one source: what the render pipeline runs and what the derivative cache keys on.
/// Built by <see cref="TransformParser"/>; immutable.
/// </summary>
public sealed class TransformRequest
{
    /// <summary>
    /// A plain re-encode of the (auto-oriented, sRGB) source into <paramref name="format"/> at its default quality:
    /// no resize and no operations. For callers and tests that need a request without parsing a query.
    /// </summary>
    public TransformRequest(string cacheKey, OutputFormat format, bool variesByAccept)
        : this(cacheKey, format, variesByAccept, null, [], new EncoderSettings(Quality: format.DefaultQuality), null)
    {
    }

    internal TransformRequest(
        string cacheKey,
        OutputFormat format,
        bool variesByAccept,
        ResizeSpec? resize,
        IReadOnlyList<ImageOp> operations,
        EncoderSettings encoder,
        (int X, int Y)? focalPoint)
    {
        CacheKey = cacheKey;
        Format = format;
        VariesByAccept = variesByAccept;
        Resize = resize;
        Operations = operations;
        Encoder = encoder;
        FocalPoint = focalPoint;
    }

    /// <summary>
    /// Canonical text of everything that affects the output bytes (pipeline version, resolved format and quality,
    /// resize, focal point, operations); equal requests give equal keys, whatever the parameter order or whether a
    /// preset or the equivalent explicit query was used. Plain ASCII but unbounded in length: hash it (SHA-256) for
    /// file names. It does not include the file's identity or content checksum.
    /// </summary>
    public string CacheKey { get; }

    /// <summary>The encoding of the derivative.</summary>
    public OutputFormat Format { get; }

    /// <summary>True when <c>format=auto</c> chose the format from Accept: responses carry <c>Vary: Accept</c>.</summary>
    public bool VariesByAccept { get; }

    internal ResizeSpec? Resize { get; }

    /// <summary>
    /// The operations in the order they run: <see cref="Stage.Source"/> ones first, in request order, then the others
    /// in the order of <see cref="RenderPipeline"/>'s steps.
    /// </summary>
    internal IReadOnlyList<ImageOp> Operations { get; }

    /// <summary>True when operations act on the source before the resize (rotations, flips, extract, trim).</summary>
    internal bool HasSourceOperations => Operations.Any(o => o.Stage == Stage.Source);

    /// <summary>Encoder options with the quality resolved (the format's default when none was asked for).</summary>
    internal EncoderSettings Encoder { get; }

    /// <summary>The point (source pixels, upright) a <c>cover</c> crop centres on, when one applies.</summary>
    internal (int X, int Y)? FocalPoint { get; }

    /// <summary>
    /// The plan projected from the file's stored size when the request was parsed (null when that size is unknown or
    /// past a limit): the scheduler admits the render by it and JSON answers report its output size, so a request
    /// works it out once. The render itself plans again from the real header.
    /// </summary>
    internal RenderPlan? Projected { get; private init; }

    /// <summary>Issue 20: the still of a video or PDF that stands in for the decoded source; null for images.</summary>
    public Poster? Poster { get; private init; }

    internal TransformRequest WithProjection(RenderPlan plan) =>
        new(CacheKey, Format, VariesByAccept, Resize, Operations, Encoder, FocalPoint) { Projected = plan, Poster = Poster };

    /// <summary>The same transform of <paramref name="poster"/>'s still; the still is part of the cache key.</summary>
    internal TransformRequest WithPoster(Poster poster) =>
        new(CacheKey + "|" + poster.Canonical, Format, VariesByAccept, Resize, Operations, Encoder, FocalPoint) { Projected = Projected, Poster = poster };

    public override string ToString() => CacheKey;
}
