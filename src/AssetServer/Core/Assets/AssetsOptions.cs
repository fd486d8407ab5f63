namespace AssetServer.Assets;

/// <summary>Which transforms <c>/assets</c> performs.</summary>
public enum TransformPolicy { All, Presets, None }

/// <summary>The <c>Assets</c> section: how originals and derivatives are served and what a transform may cost.</summary>
public sealed class AssetsOptions
{
    /// <summary><c>all</c> (any transform), <c>presets</c> (only <c>key=</c>), <c>none</c> (originals only).</summary>
    public TransformPolicy Transform { get; set; } = TransformPolicy.All;

    /// <summary>max-age of <c>Cache-Control</c> (<c>30d</c>, <c>3600s</c>, …).</summary>
    public string CacheTtl { get; set; } = "30d";

    /// <summary>Largest width or height of any step's output, and of a source to be transformed.</summary>
    public int MaxDimension { get; set; } = 6000;

    /// <summary>Largest source (width × height) that is decoded; checked from the header (decompression bombs).</summary>
    public long MaxInputPixels { get; set; } = 268402689;

    /// <summary>
    /// Most frames of an animated source kept in an animated output. Every frame runs the whole pipeline, so a
    /// small GIF of thousands of frames could otherwise hold a render slot for the whole timeout.
    /// </summary>
    public int MaxFrames { get; set; } = 1000;

    /// <summary>
    /// Largest AVIF output (width × height). The AV1 encoder cannot be cancelled, so an AVIF render that would run past
    /// the timeout is refused up front (400) instead of holding a render slot for minutes.
    /// </summary>
    public long MaxAvifPixels { get; set; } = 1_048_576;

    /// <summary>Most entries in a <c>transforms</c> array (presets are exempt).</summary>
    public int MaxOperations { get; set; } = 5;

    /// <summary>Time one render may take before it is cancelled and answered with 503.</summary>
    public string TransformTimeout { get; set; } = "7.5s";

    /// <summary>Renders at once; 0 means the number of CPUs. A bounded queue waits behind them.</summary>
    public int MaxConcurrentTransforms { get; set; }

    /// <summary>Renders that may wait for a slot; 0 means four per slot. Past it a request is answered 503 at once.</summary>
    public int RenderQueueLength { get; set; }

    /// <summary>Longest wait for a render slot; past it 503 + <c>Retry-After</c> (the transform timeout still bounds the whole render).</summary>
    public string MaxQueueWait { get; set; } = "2.5s";

    /// <summary>
    /// Renders estimated (pixels decoded plus pixels encoded, AVIF ×8, WebP ×2) at or under this cost may also use one
    /// extra slot kept for them, so thumbnails are served while heavy renders hold every other slot.
    /// </summary>
    public long CheapRenderPixels { get; set; } = 4_000_000;

    /// <summary>
    /// Pixels that the renders running at once (cheap ones aside) may cost together; a render that alone costs more runs
    /// only when no other does. Bounds render memory by work, not by count.
    /// </summary>
    public long RenderBudgetPixels { get; set; } = 100_000_000;

    /// <summary>
    /// (ext) HMAC key for signed transform URLs. Set, every transform request must carry <c>s=</c>, the signature
    /// of its id and transform parameters, so nobody can make the server render sizes it never handed out. Empty: off.
    /// </summary>
    public string SigningKey { get; set; } = "";

    /// <summary>With signing on, whether a request with only <c>key=</c> (a preset) needs no signature.</summary>
    public bool OpenPresets { get; set; } = true;

    /// <summary>Cap of the derivative cache on disk, in bytes; least recently used derivatives are evicted past it.</summary>
    public long CacheMaxBytes { get; set; } = 10L << 30;

    /// <summary>Cap of the derivative cache on disk, in files (it bounds the index kept in memory as well).</summary>
    public int CacheMaxEntries { get; set; } = 1_000_000;

    /// <summary>Memory kept for small, often requested assets (originals and derivatives up to 1 MiB each).</summary>
    public long MemoryCacheBytes { get; set; } = 128L << 20;
}
