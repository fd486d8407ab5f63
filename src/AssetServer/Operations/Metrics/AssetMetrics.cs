using Prometheus;

namespace AssetServer.Metrics;

/// <summary>The <c>Metrics</c> section.</summary>
public sealed class MetricsOptions
{
    /// <summary>When true, <c>GET /metrics</c> needs no token (default false: any valid token).</summary>
    public bool Public { get; set; }
}

/// <summary>
/// The series API.md names, in a registry of this app's own (two apps in one process, as in tests, never share
/// counts). Renders count real renders only: a cache hit or a request that waited on another's render is not one.
/// </summary>
public sealed class AssetMetrics
{
    private readonly Counter renders, hits, misses, rejected, uploads, uploadBytes;
    private readonly Histogram renderDuration;
    private readonly Gauge queueLength, backgroundPending;

    public AssetMetrics()
    {
        Registry = Prometheus.Metrics.NewCustomRegistry();
        var factory = Prometheus.Metrics.WithCustomRegistry(Registry);
        renders = factory.CreateCounter("assetserver_renders_total", "Derivatives rendered (cache hits and shared renders not counted).");
        renderDuration = factory.CreateHistogram("assetserver_render_duration_seconds", "Time a render took, queueing not included.",
            new HistogramConfiguration { Buckets = Histogram.ExponentialBuckets(0.005, 2, 12) });
        hits = factory.CreateCounter("assetserver_cache_hits_total", "Derivative requests answered from a cache tier.",
            new CounterConfiguration { LabelNames = ["tier"] });
        misses = factory.CreateCounter("assetserver_cache_misses_total", "Derivative requests no tier could answer (rendered, or waiting on a render).");
        queueLength = factory.CreateGauge("assetserver_render_queue_length", "Renders waiting for a slot.");
        backgroundPending = factory.CreateGauge("assetserver_background_renders_pending",
            "Stored files whose derivatives (eager presets, Strapi formats) the background has yet to render.");
        rejected = factory.CreateCounter("assetserver_render_rejected_total", "Renders refused with 503: queue full, no slot in time, or timed out.");
        uploads = factory.CreateCounter("assetserver_uploads_total", "Files stored (new files and replaced contents), by every API.");
        uploadBytes = factory.CreateCounter("assetserver_upload_bytes_total", "Bytes of the files stored.");
    }

    public CollectorRegistry Registry { get; }

    /// <summary>Reads the queue's length when scraped, so nothing is updated on the render path for it.</summary>
    public void Watch(Func<int> waiting) => Registry.AddBeforeCollectCallback(() => queueLength.Set(waiting()));

    /// <summary>Reads the background queue's backlog when scraped.</summary>
    public void WatchBackground(Func<int> pending) => Registry.AddBeforeCollectCallback(() => backgroundPending.Set(pending()));

    public void Rendered(TimeSpan took)
    {
        renders.Inc();
        renderDuration.Observe(took.TotalSeconds);
    }

    /// <summary>The cache tiers a hit is counted under.</summary>
    public enum Tier { Memory, Disk, Store }

    private static readonly string[] TierLabels = ["memory", "disk", "store"];

    /// <summary>Each tier's series, resolved on its first hit (not at start: a tier never hit exports no series).</summary>
    private readonly Counter.Child?[] tierHits = new Counter.Child?[TierLabels.Length];

    public void Hit(Tier tier) => (tierHits[(int)tier] ??= hits.WithLabels(TierLabels[(int)tier])).Inc();

    public void Miss() => misses.Inc();

    public void Rejected() => rejected.Inc();

    public void Uploaded(long bytes)
    {
        uploads.Inc();
        uploadBytes.Inc(bytes);
    }
}
