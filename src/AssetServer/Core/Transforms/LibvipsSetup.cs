namespace AssetServer.Transforms;

/// <summary>
/// Process-wide libvips settings. Call <see cref="Apply"/> once at start-up, before the first render (the server does
/// it right after building the app; tests and benchmarks that build <see cref="RenderPipeline"/> without the app call
/// it themselves). Calling it again changes nothing.
/// </summary>
public static class LibvipsSetup
{
    private static readonly Lock Gate = new();

    private static readonly Lazy<string> Engine = new(() =>
        $"libvips {NetVips.NetVips.Version(0)}.{NetVips.NetVips.Version(1)}.{NetVips.NetVips.Version(2)}");

    /// <summary>
    /// The libvips this process renders with ("libvips 8.18.0"). Another version may encode one request into other
    /// bytes, so it is part of every derivative's fingerprint (and so of its strong ETag).
    /// </summary>
    public static string EngineVersion => Engine.Value;

    /// <summary>True once <see cref="Apply"/> has run in this process.</summary>
    public static bool IsApplied { get; private set; }

    public static void Apply()
    {
        lock (Gate)
        {
            if (IsApplied) return;
            // No operation cache: a cached load is keyed by file name, so a replaced original could be rendered from
            // stale pixels, and cached results pin memory and file handles between unrelated requests.
            NetVips.Cache.Max = 0;
            NetVips.Cache.MaxMem = 0;
            NetVips.Cache.MaxFiles = 0;
            // One libvips worker per render: parallelism comes from Assets:MaxConcurrentTransforms renders at once, so
            // threads (and the per-thread buffers that dominate memory) stay proportional to that limit, not to
            // renders × cores.
            NetVips.NetVips.Concurrency = 1;
            // Two glibc malloc arenas instead of 8 per core: each libvips worker thread otherwise gets its own arena,
            // which keeps the freed pixel buffers of its last render as resident memory. Measured in the storm
            // (benchmarks/RESULTS.md, issue 17): peak RSS 483 → 313 MB on its own. Arenas made before this call stay,
            // so the server sets MALLOC_ARENA_MAX at exec (Server/MallocArenaLimit.cs); this is the fallback for
            // hosts where it did not (the test host, no /proc), and a value the deployment set is left as it is.
            if (OperatingSystem.IsLinux() && !Server.MallocArenaLimit.SetByEnvironment) TryMallopt(MallocArenaMax, Server.MallocArenaLimit.Arenas);
            // Blocks of 1 MiB and more (pixel regions) always come from mmap and go back to the kernel when freed. By
            // default glibc raises that threshold, up to 32 MiB, each time such a block is freed, so later pixel
            // buffers stay in the arenas as resident memory. Storm VmHWM, eight storms against six: 279 against 294 MB
            // on average, renders/s unchanged (benchmarks/RESULTS.md, issue 17). A threshold the deployment set stays.
            if (OperatingSystem.IsLinux() && !MmapThresholdSetByEnvironment) TryMallopt(MallocMmapThreshold, MmapThresholdBytes);
            // Refuse the loaders libvips does not consider safe for untrusted input (ImageMagick, MATLAB, FITS, …).
            NetVips.NetVips.BlockUntrusted = true;
            IsApplied = true;
        }
    }

    private const int MallocArenaMax = -8; // M_ARENA_MAX, glibc's malloc.h
    private const int MallocMmapThreshold = -3; // M_MMAP_THRESHOLD

    /// <summary>The size from which glibc's malloc maps each block on its own (<see cref="Apply"/>).</summary>
    public const int MmapThresholdBytes = 1 << 20;

    private static bool MmapThresholdSetByEnvironment =>
        Environment.GetEnvironmentVariable("MALLOC_MMAP_THRESHOLD_") is not null
        || Environment.GetEnvironmentVariable("GLIBC_TUNABLES")?.Contains("glibc.malloc.mmap_threshold", StringComparison.Ordinal) == true;

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "mallopt")]
    private static extern int Mallopt(int param, int value);

    /// <summary>glibc only: another C library (musl) has no arenas, and no <c>mallopt</c> to call.</summary>
    private static void TryMallopt(int param, int value)
    {
        try
        {
            Mallopt(param, value);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
        }
    }
}
