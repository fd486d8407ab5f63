// CONTRACT between the Transforms and Assets modules; the Transforms module replaces this file.
using AssetServer.Errors;

namespace AssetServer.Transforms;

/// <summary>An output encoding: <c>jpg png webp avif tiff gif</c>.</summary>
public sealed record OutputFormat(string Name, string MimeType, string Extension);

/// <summary>What the source is, as far as transform parsing needs to know.</summary>
public sealed record TransformSource(string MimeType, int? Width, int? Height, int? FocalPointX, int? FocalPointY);

/// <summary>A validated, normalised transform.</summary>
public sealed class TransformRequest(string cacheKey, OutputFormat format, bool variesByAccept)
{
    /// <summary>Canonical text of everything that affects the output bytes; equal requests give equal keys.</summary>
    public string CacheKey { get; } = cacheKey;
    public OutputFormat Format { get; } = format;
    /// <summary>True when <c>format=auto</c> chose the format from Accept: responses carry <c>Vary: Accept</c>.</summary>
    public bool VariesByAccept { get; } = variesByAccept;
}

public sealed class TransformParser
{
    /// <summary>Null when the query asks for no transform or the source is not transformable (the original is served).</summary>
    public TransformRequest? Parse(IQueryCollection query, TransformSource source, string? accept) =>
        throw ApiErrors.InvalidQuery("Transforms are not available yet");
}

public sealed class RenderPipeline
{
    /// <summary>Renders the source into a complete file at outputPath; honours cancellation; ApiException 4xx for bad sources.</summary>
    public Task RenderAsync(string sourcePath, TransformRequest request, string outputPath, CancellationToken ct) =>
        throw ApiErrors.InvalidQuery("Transforms are not available yet");
}
