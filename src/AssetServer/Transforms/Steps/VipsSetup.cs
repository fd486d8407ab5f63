using NetVips;

namespace AssetServer.Transforms.Steps;

/// <summary>Process-wide libvips settings, applied once before the first render.</summary>
internal static class VipsSetup
{
    private static readonly Lazy<bool> Applied = new(() =>
    {
        // No operation cache: a cached load is keyed by file name, so a replaced original could be rendered from
        // stale pixels, and cached results pin memory and file handles between unrelated requests.
        Cache.Max = 0;
        Cache.MaxMem = 0;
        Cache.MaxFiles = 0;
        // One libvips worker per render: parallelism comes from Assets:MaxConcurrentTransforms renders at once, so
        // threads (and the per-thread buffers that dominate memory) stay proportional to that limit, not to
        // renders × cores.
        NetVips.NetVips.Concurrency = 1;
        // Refuse the loaders libvips does not consider safe for untrusted input (ImageMagick, MATLAB, FITS, …).
        NetVips.NetVips.BlockUntrusted = true;
        return true;
    });

    public static void Ensure() => _ = Applied.Value;
}
