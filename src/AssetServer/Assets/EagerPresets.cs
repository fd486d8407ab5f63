using System.Threading.Channels;
using AssetServer.Assets.Store;
using AssetServer.Data;
using AssetServer.Transforms;

namespace AssetServer.Assets;

/// <summary>
/// Renders the presets marked <c>"eager": true</c> in the background right after a file is stored or replaced, so
/// the first <c>&lt;img&gt;</c> request for them is a cache hit. One file at a time, through the same store and
/// render queue as requests (a render a request is already waiting for is shared, not repeated). A preset with
/// <c>format: auto</c> is rendered for the formats browsers ask for (AVIF, WebP, and the fallback).
/// </summary>
public sealed class EagerPresets : BackgroundService
{
    private readonly PresetStore presets;
    private readonly TransformParser parser;
    private readonly FileRepository files;
    private readonly AssetStore store;
    private readonly ILogger<EagerPresets> logger;
    private readonly Channel<string> waiting;

    public EagerPresets(PresetStore presets, TransformParser parser, FileRepository files, AssetStore store, ILogger<EagerPresets> logger)
    {
        this.presets = presets;
        this.parser = parser;
        this.files = files;
        this.store = store;
        this.logger = logger;
        // A file dropped when the queue is full is no longer pending: its presets render on first request.
        waiting = Channel.CreateBounded<string>(
            new BoundedChannelOptions(MaxWaiting) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true },
            _ => Interlocked.Decrement(ref pending));
    }

    /// <summary>Files waiting; past this the oldest are dropped (their presets render on first request instead).</summary>
    private const int MaxWaiting = 10_000;

    /// <summary>The Accept headers a <c>format: auto</c> preset is rendered for: a current browser, an older one, none.</summary>
    private static readonly string?[] Accepts = ["image/avif,image/webp,*/*", "image/webp,*/*", null];

    private int pending;

    /// <summary>Files queued or being rendered (tests wait for 0).</summary>
    public int Pending => Volatile.Read(ref pending);

    /// <summary>Queues a stored or replaced file; a no-op when no preset is eager.</summary>
    public void Stored(string fileId)
    {
        if (presets.EagerKeys.Count == 0) return;
        Interlocked.Increment(ref pending);
        if (!waiting.Writer.TryWrite(fileId)) Interlocked.Decrement(ref pending);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await foreach (var fileId in waiting.Reader.ReadAllAsync(stoppingToken))
        {
            try
            {
                await RenderAsync(fileId, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // A damaged file, a full queue: the request that needs the derivative will try again and answer for it.
                logger.LogInformation("Eager presets of {File} not rendered: {Reason}", fileId, e.Message);
            }
            finally
            {
                Interlocked.Decrement(ref pending);
            }
        }
    }

    private async Task RenderAsync(string fileId, CancellationToken ct)
    {
        // Read now, not when queued: the file may have been replaced or deleted since.
        if (await files.GetAsync(fileId, ct) is not { } record) return;
        var source = AssetResolver.Source(record);
        var done = new HashSet<string>(StringComparer.Ordinal);
        foreach (var key in presets.EagerKeys)
        {
            var query = new QueryCollection(new Dictionary<string, Microsoft.Extensions.Primitives.StringValues> { [TransformParameters.Key] = key });
            foreach (var accept in Accepts)
            {
                if (parser.Parse(query, source, accept) is not { } request || !done.Add(request.CacheKey)) continue;
                using var handle = await store.Derivative(record, request).OpenAsync(ct);
            }
        }
    }
}
