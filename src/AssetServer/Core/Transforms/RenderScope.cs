using NetVips;

namespace AssetServer.Transforms;

/// <summary>
/// Owns every NetVips image made during one render (the header probe, loads, per-frame images, intermediates) and
/// disposes them all when the render ends, whether it succeeded, failed or was cancelled. libvips images are
/// reference-counted native objects: left to the finalizer, each would keep its pixels, and the loads their file
/// handles, until some later garbage collection.
/// </summary>
internal sealed class RenderScope : IDisposable
{
    private readonly HashSet<Image> _images = new(ReferenceEqualityComparer.Instance);

    /// <summary>Takes ownership of <paramref name="image"/> (owning the same image twice is harmless) and returns it.</summary>
    public Image Own(Image image)
    {
        _images.Add(image);
        return image;
    }

    public int Count => _images.Count;

    public void Dispose()
    {
        foreach (var image in _images) image.Dispose();
        _images.Clear();
    }
}
