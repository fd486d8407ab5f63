using System.Collections.Concurrent;
using AssetServer.Configuration;
using AssetServer.Errors;
using AssetServer.Files;
using AssetServer.Storage;
using AssetServer.Transforms;
using Microsoft.Extensions.Options;

namespace AssetServer.Assets;

/// <summary>
/// Rendered derivatives on disk at <c>&lt;Derivatives&gt;/&lt;id&gt;/&lt;fingerprint&gt;.&lt;ext&gt;</c>, where the fingerprint
/// hashes the original's checksum with the transform's cache key: a replaced original can never match an old
/// derivative. Unlike Directus (§5f), concurrent first requests share one render, and a render is written to a
/// temp file and renamed into place, so no reader ever sees a partial file. Renders are limited by a
/// <see cref="RenderQueue"/> and a timeout; the cache is capped in bytes with least-recently-used eviction.
/// </summary>
public sealed class DerivativeCache : IDerivativeInvalidator
{
    /// <summary>Renders the source file into a complete output file, honouring cancellation.</summary>
    internal delegate Task Renderer(string sourcePath, string outputPath, CancellationToken ct);

    private readonly FileStore store;
    private readonly RenderPipeline pipeline;
    private readonly ILogger<DerivativeCache> logger;
    private readonly TimeSpan timeout;
    private readonly int retryAfterSeconds;
    private readonly long maxBytes;
    private readonly ConcurrentDictionary<string, Lazy<Task<string>>> inflight = new(StringComparer.Ordinal);

    // Sizes and recency of everything on disk; a logical clock orders uses.
    private readonly Lock gate = new();
    private readonly Dictionary<string, Entry> entries = new(StringComparer.Ordinal);
    private long totalBytes;
    private long clock;
    private int renderCount;

    public DerivativeCache(FileStore store, IOptions<AssetsOptions> options, RenderPipeline pipeline, ILogger<DerivativeCache> logger)
    {
        this.store = store;
        this.pipeline = pipeline;
        this.logger = logger;
        var value = options.Value;
        timeout = Durations.Parse(value.TransformTimeout, "Assets:TransformTimeout");
        retryAfterSeconds = (int)Math.Clamp(Math.Ceiling(timeout.TotalSeconds), 1, 3600);
        maxBytes = value.CacheMaxBytes;
        var concurrency = value.MaxConcurrentTransforms > 0 ? value.MaxConcurrentTransforms : Environment.ProcessorCount;
        Queue = new RenderQueue(concurrency, concurrency * 4, retryAfterSeconds);
        Scan();
    }

    public RenderQueue Queue { get; }

    /// <summary>Renders started since the start (a test proves that concurrent requests share one).</summary>
    public int RenderCount => Volatile.Read(ref renderCount);

    /// <summary>Bytes of derivatives on disk, as tracked.</summary>
    public long CachedBytes
    {
        get { lock (gate) return totalBytes; }
    }

    /// <summary>
    /// Hex digest naming a derivative: the original's content with the transform. A row without a checksum
    /// falls back to its size and modification time, which a replace also changes.
    /// </summary>
    public static string Fingerprint(FileRecord record, string cacheKey)
    {
        var content = string.IsNullOrEmpty(record.Checksum)
            ? $"{record.Id}:{record.Filesize}:{record.ModifiedOn}:{record.FilenameDisk}"
            : record.Checksum.ToLowerInvariant();
        return AssetResponder.Sha256Hex(content + "|" + cacheKey)[..40];
    }

    public string PathFor(FileRecord record, string cacheKey, string extension) =>
        Path.Combine(store.Paths.Derivatives, record.Id, $"{Fingerprint(record, cacheKey)}.{extension.TrimStart('.')}");

    /// <summary>The path of the derivative, rendered now if it is not cached. <paramref name="ct"/> only ends this caller's wait.</summary>
    public Task<string> GetOrRenderAsync(FileRecord record, TransformRequest request, CancellationToken ct) =>
        GetOrRenderAsync(record, request.CacheKey, request.Format.Extension,
            (source, output, token) => pipeline.RenderAsync(source, request, output, token), ct);

    internal async Task<string> GetOrRenderAsync(FileRecord record, string cacheKey, string extension, Renderer render, CancellationToken ct)
    {
        var path = PathFor(record, cacheKey, extension);
        if (TryHit(path)) return path;

        var mine = new Lazy<Task<string>>(() => RenderOnceAsync(record, path, extension, render));
        var flight = inflight.GetOrAdd(path, mine);
        if (ReferenceEquals(flight, mine))
        {
            // The first requester starts the render and clears the entry when it ends, however it ends.
            _ = mine.Value.ContinueWith(_ => inflight.TryRemove(KeyValuePair.Create(path, mine)),
                CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
        // A requester that gives up stops waiting; the shared render goes on for the others (and the cache).
        return await flight.Value.WaitAsync(ct);
    }

    private async Task<string> RenderOnceAsync(FileRecord record, string path, string extension, Renderer render)
    {
        // A flight that ended between our miss and our entry has just written it.
        if (TryHit(path)) return path;
        var source = store.OriginalPath(record.FilenameDisk);
        if (!File.Exists(source)) throw ApiErrors.Forbidden();

        var slot = await Queue.EnterAsync();
        var timer = new CancellationTokenSource(timeout);
        var temp = store.NewTempPath("." + extension.TrimStart('.'));
        var handedOff = false;
        try
        {
            Interlocked.Increment(ref renderCount);
            var rendering = Task.Run(() => render(source, temp, timer.Token));
            try
            {
                // WaitAsync answers on time even if a render step is slow to notice the cancellation.
                await rendering.WaitAsync(timer.Token);
            }
            catch (Exception e) when (timer.IsCancellationRequested)
            {
                // The slot stays taken and the temp file stays until the render has really stopped.
                handedOff = true;
                _ = rendering.ContinueWith(_ =>
                {
                    store.TryDelete(temp);
                    timer.Dispose();
                    slot.Dispose();
                }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
                logger.LogWarning(e is OperationCanceledException ? null : e, "Render of {Path} timed out after {Timeout}", path, timeout);
                throw ApiErrors.ServiceUnavailable("assets", "Transformation timed out", retryAfterSeconds);
            }

            var rendered = new FileInfo(temp);
            if (!rendered.Exists || rendered.Length == 0) throw new InvalidOperationException($"The render of {path} produced no bytes.");
            // Flushed before the rename, so a crash cannot leave an empty file under the final name.
            using (var stream = new FileStream(temp, FileMode.Open, FileAccess.ReadWrite, FileShare.Read)) stream.Flush(flushToDisk: true);
            MoveIntoPlace(temp, path);
            Added(path, rendered.Length);
            return path;
        }
        catch
        {
            if (!handedOff) store.TryDelete(temp);
            throw;
        }
        finally
        {
            if (!handedOff)
            {
                timer.Dispose();
                slot.Dispose();
            }
        }
    }

    private static void MoveIntoPlace(string temp, string path)
    {
        var folder = Path.GetDirectoryName(path)!;
        Directory.CreateDirectory(folder);
        try
        {
            File.Move(temp, path, overwrite: true);
        }
        catch (DirectoryNotFoundException)
        {
            // An invalidation removed the folder between the two calls.
            Directory.CreateDirectory(folder);
            File.Move(temp, path, overwrite: true);
        }
    }

    /// <summary>Removes every derivative of a file whose bytes were replaced or deleted.</summary>
    public void Invalidate(string fileId)
    {
        store.DeleteDerivatives(fileId);
        var prefix = Path.Combine(store.Paths.Derivatives, fileId) + Path.DirectorySeparatorChar;
        lock (gate)
        {
            foreach (var key in entries.Keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal)).ToList())
            {
                totalBytes -= entries[key].Size;
                entries.Remove(key);
            }
        }
    }

    private bool TryHit(string path)
    {
        var file = new FileInfo(path);
        lock (gate)
        {
            if (!file.Exists || file.Length == 0)
            {
                if (entries.Remove(path, out var gone)) totalBytes -= gone.Size;
                return false;
            }
            if (!entries.TryGetValue(path, out var entry))
            {
                entry = new Entry { Size = file.Length };
                entries[path] = entry;
                totalBytes += entry.Size;
            }
            entry.LastUse = ++clock;
            return true;
        }
    }

    private void Added(string path, long size)
    {
        lock (gate)
        {
            if (entries.Remove(path, out var old)) totalBytes -= old.Size;
            entries[path] = new Entry { Size = size, LastUse = ++clock };
            totalBytes += size;
        }
        EvictOverCap(keep: path);
    }

    /// <summary>Past the cap, deletes least recently used derivatives down to 90% of it (so eviction is not paid on every render).</summary>
    private void EvictOverCap(string? keep)
    {
        List<string> victims = [];
        lock (gate)
        {
            if (totalBytes <= maxBytes) return;
            var target = maxBytes / 10 * 9;
            foreach (var (path, entry) in entries.Where(e => e.Key != keep).OrderBy(e => e.Value.LastUse).ToList())
            {
                if (totalBytes <= target) break;
                entries.Remove(path);
                totalBytes -= entry.Size;
                victims.Add(path);
            }
        }
        foreach (var victim in victims) store.TryDelete(victim);
        if (victims.Count > 0) logger.LogInformation("Evicted {Count} derivatives over Assets:CacheMaxBytes", victims.Count);
    }

    /// <summary>Learns what is on disk from an earlier run, oldest write first as the best guess of recency.</summary>
    private void Scan()
    {
        var root = new DirectoryInfo(store.Paths.Derivatives);
        if (!root.Exists) return;
        lock (gate)
        {
            foreach (var file in root.EnumerateFiles("*", SearchOption.AllDirectories).OrderBy(f => f.LastWriteTimeUtc))
            {
                entries[file.FullName] = new Entry { Size = file.Length, LastUse = ++clock };
                totalBytes += file.Length;
            }
        }
        EvictOverCap(keep: null);
    }

    private sealed class Entry
    {
        public long Size { get; init; }
        public long LastUse { get; set; }
    }
}
