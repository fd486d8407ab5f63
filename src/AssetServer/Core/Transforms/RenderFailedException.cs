namespace AssetServer.Transforms;

/// <summary>
/// libvips failed for a reason that is not the source's fault: an encoder refused the image, writing the output
/// failed, memory ran out. <see cref="Exception.Message"/> is a generic text safe to show to a client; the caller
/// logs <see cref="Detail"/> with the file id and the transform, and answers 500.
/// </summary>
public sealed class RenderFailedException(string detail, Exception? innerException = null)
    : Exception("The image could not be rendered.", innerException)
{
    /// <summary>libvips's own error text; it may name server paths, so it belongs in logs only.</summary>
    public string Detail { get; } = detail;
}
