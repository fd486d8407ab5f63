using AssetServer.Files;
using AssetServer.Transforms;

namespace AssetServer.Assets;

/// <summary>
/// Derivatives the server makes of a file as soon as its bytes are stored or replaced, whichever API stored them (a
/// dialect's fixed sizes, such as Strapi's formats). <see cref="EagerPresets"/> renders them in the background, so an
/// answer that describes them never has to render, and their first request is a cache hit.
/// </summary>
public interface IEagerDerivatives
{
    /// <summary>The transforms to render of <paramref name="record"/>; empty when it has none.</summary>
    IEnumerable<TransformRequest> Requests(FileRecord record);
}
