using Microsoft.Extensions.Caching.Memory;

namespace AssetServer.Assets;

/// <summary>
/// Small, often requested assets kept in memory (128 MiB, least recently used out first), so a thumbnail on
/// every page view costs no file open and read. The key is the strong ETag, which comes from the content
/// checksum (and the transform for a derivative): it names the bytes, so a replaced file is never answered from here.
/// </summary>
public sealed class HotAssetCache : IDisposable
{
    /// <summary>Larger files are streamed from disk; they gain little from memory and would crowd out thumbnails.</summary>
    public const long MaxEntryBytes = 1024 * 1024;

    private readonly MemoryCache cache = new(new MemoryCacheOptions { SizeLimit = 128L << 20, CompactionPercentage = 0.25 });

    public bool TryGet(string etag, out byte[] bytes) => cache.TryGetValue(etag, out bytes!);

    public void Add(string etag, byte[] bytes) =>
        cache.Set(etag, bytes, new MemoryCacheEntryOptions { Size = bytes.Length, SlidingExpiration = TimeSpan.FromMinutes(10) });

    public void Dispose() => cache.Dispose();
}
