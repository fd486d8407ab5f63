using System.Collections.Concurrent;
using AssetServer.Configuration;
using AssetServer.Errors;
using AssetServer.Files;
using AssetServer.Storage;
using AssetServer.Storage.S3;
using AssetServer.Transforms;
using Microsoft.Extensions.Options;
using AssetServer.Caching;
using Microsoft.Win32.SafeHandles;

namespace AssetServer.Assets.Store;

/// <summary>
/// The one owner of asset bytes: a memory tier for small hot assets, a disk tier of rendered derivatives, single
/// flight for renders, eviction and invalidation. Entries are named by content: an original by its checksum, a
/// derivative by its source's checksum plus the transform's canonical key (which carries the pipeline version) and the
/// engine's version, so a replaced file can never match an old entry, and an upgraded libvips never serves its encode
/// under the strong ETag of the old one's (If-Range would splice the two). It hands out open <see cref="AssetHandle"/>s, never paths: a derivative
/// evicted between look-up and open is rendered again, not answered 403.
/// Each derivative is written once (temp file, rename, sync of its folder; its bytes are not fsynced, since it can
/// always be rebuilt: its length is in its name and a torn file is dropped by the start-up scan). Concurrent first requests share one render, unlike
/// Directus (§5f).
/// </summary>
public sealed class AssetStore : IDerivativeInvalidator
{
    /// <summary>Renders the source file into a complete output file, honouring cancellation.</summary>
    internal delegate Task Renderer(string sourcePath, string outputPath, CancellationToken ct);

    /// <summary>Larger assets are streamed from disk: they gain little from memory and would crowd out thumbnails.</summary>
    public const long MemoryEntryMaxBytes = 1024 * 1024;

    /// <summary>How often one request looks again when what it found vanished (eviction, or a replace) before use.</summary>
    private const int MaxAttempts = 8;

    private readonly FileStore files;
    private readonly IOriginalStore originals;
    private readonly SharedDerivatives? shared;
    private readonly Cluster.IRenderLock renderLock;
    private readonly AssetsOptions options;
    private readonly RenderPipeline pipeline;
    private readonly ILogger<AssetStore> logger;
    private readonly TimeSpan timeout;
    private readonly int retryAfterSeconds;
    private readonly LruIndex<AssetHandle> memory;
    private readonly LruIndex<string> disk;
    private readonly ConcurrentDictionary<string, Flight> inflight = new(StringComparer.Ordinal);
    private int renderCount;

    private readonly Metrics.AssetMetrics metrics;
    private readonly Budgets.ClientBudgets? budgets;

    public AssetStore(
        FileStore files, IOriginalStore originals, Cluster.IRenderLock renderLock, IOptions<StorageOptions> storage, IOptions<AssetsOptions> options,
        RenderPipeline pipeline, Metrics.AssetMetrics metrics, ILogger<AssetStore> logger, Budgets.ClientBudgets? budgets = null)
    {
        this.budgets = budgets;
        this.files = files;
        this.originals = originals;
        this.renderLock = renderLock;
        shared = originals.Derivatives;
        this.metrics = metrics;
        this.pipeline = pipeline;
        this.logger = logger;
        var value = options.Value;
        this.options = value;
        timeout = Durations.Parse(value.TransformTimeout, "Assets:TransformTimeout");
        retryAfterSeconds = (int)Math.Clamp(Math.Ceiling(timeout.TotalSeconds), 1, 3600);
        memory = new LruIndex<AssetHandle>(value.MemoryCacheBytes, int.MaxValue);
        // In s3 mode the disk tier is only this node's hot copy of what the bucket holds: at most half the local budget.
        disk = new LruIndex<string>(shared is null ? value.CacheMaxBytes : Math.Min(value.CacheMaxBytes, storage.Value.LocalCacheBytes / 2), value.CacheMaxEntries);
        var concurrency = value.MaxConcurrentTransforms > 0 ? value.MaxConcurrentTransforms : Environment.ProcessorCount;
        Scheduler = new RenderScheduler(concurrency, value.RenderQueueLength > 0 ? value.RenderQueueLength : concurrency * 4, retryAfterSeconds,
            Durations.Parse(value.MaxQueueWait, "Assets:MaxQueueWait"), value.CheapRenderPixels, value.RenderBudgetPixels);
        metrics.Watch(() => Scheduler.Waiting);
        ScanDisk();
    }

    /// <summary>Admits every render by cost: requests, background presets and every dialect alike.</summary>
    public RenderScheduler Scheduler { get; }

    /// <summary>Renders started since the start (a test proves that concurrent requests share one).</summary>
    public int RenderCount => Volatile.Read(ref renderCount);

    /// <summary>Bytes of derivatives on disk, as tracked.</summary>
    public long CachedBytes => disk.Bytes;

    /// <summary>Derivatives on disk, as tracked.</summary>
    public int CachedFiles => disk.Count;

    /// <summary>
    /// Hex digest naming the content of an original: its checksum. A row without one (created by JSON) uses what a
    /// replace changes.
    /// </summary>
    public static string ContentDigest(FileRecord record) =>
        record.Checksum is { Length: >= 32 } checksum && checksum.All(Uri.IsHexDigit)
            ? checksum.ToLowerInvariant()
            : Sha256Hex($"{record.Id}:{record.Filesize}:{record.ModifiedOn}:{record.FilenameDisk}");

    /// <summary>The render engine's version in this store's fingerprints (a test sets another to play an upgrade).</summary>
    internal string EngineVersion { get; init; } = LibvipsSetup.EngineVersion;

    /// <summary>Hex digest naming a derivative: the original's content, the engine and the transform's canonical key.</summary>
    public static string Fingerprint(FileRecord record, string cacheKey) => Fingerprint(record, cacheKey, LibvipsSetup.EngineVersion);

    internal static string Fingerprint(FileRecord record, string cacheKey, string engineVersion) =>
        Sha256Hex(ContentDigest(record) + "|" + engineVersion + "|" + cacheKey)[..40];

    /// <summary>
    /// The original of <paramref name="record"/>: its digest, and how to open it (null when its file is gone: a
    /// replace or delete got there first, read the row again). Keys are worked out once, here.
    /// </summary>
    public StoredAsset Original(FileRecord record)
    {
        var digest = ContentDigest(record);
        var key = "o:" + digest;
        return new StoredAsset(digest, async ct =>
        {
            if (memory.TryGet(key, out var held)) return held;
            var handle = await originals.OpenAsync(record.FilenameDisk, ct);
            return handle is null ? null : await PromoteAsync(key, record.Id, handle, ct);
        });
    }

    /// <summary>
    /// A derivative of <paramref name="record"/>: its fingerprint, and how to open it, rendered then if no tier has
    /// it (null when the original is gone: read the row again). The caller's token only ends its own wait: a shared
    /// render goes on for the others and the cache.
    /// </summary>
    public StoredAsset Derivative(FileRecord record, TransformRequest request)
    {
        var cost = RenderPlan.EstimateCost(request, record.Type ?? "", record.Width, record.Height, options);
        var key = new DerivativeKey(Fingerprint(record, request.CacheKey, EngineVersion), request.CacheKey, cost);
        Renderer render = (source, output, token) => pipeline.RenderAsync(source, request, output, token);
        // The client is read when a render is started, not here: a representation is memoised across requests.
        return new StoredAsset(key.Disk, ct => OpenDerivativeAsync(record, key, request.Format.Extension, render, ct));
    }

    /// <summary>
    /// The length of a derivative that the memory or disk tier already holds, else null. Never renders, queues or
    /// reads the bucket, and does not count as a use: what a JSON answer reports about bytes it does not serve.
    /// </summary>
    public long? TryPeekLength(FileRecord record, TransformRequest request)
    {
        var key = new DerivativeKey(Fingerprint(record, request.CacheKey, EngineVersion), request.CacheKey, cost: null);
        if (memory.TryPeekSize(key.Memory, out var held)) return held;
        return disk.TryPeekSize(key.Disk, out var onDisk) ? onDisk : null;
    }

    /// <summary>A derivative under any cache key with a stand-in renderer (tests force each case with it).</summary>
    internal Task<AssetHandle?> OpenDerivativeAsync(FileRecord record, string cacheKey, string extension, Renderer render, CancellationToken ct, long? cost = null) =>
        OpenDerivativeAsync(record, new DerivativeKey(Fingerprint(record, cacheKey, EngineVersion), cacheKey, cost), extension, render, ct).AsTask();

    private Budgets.BudgetClient Client() => budgets?.Current() ?? Budgets.BudgetClient.Unlimited;

    internal Task<AssetHandle?> OpenOriginalAsync(FileRecord record, CancellationToken ct) => Original(record).OpenAsync(ct).AsTask();

    private async ValueTask<AssetHandle?> OpenDerivativeAsync(
        FileRecord record, DerivativeKey key, string extension, Renderer render, CancellationToken ct)
    {
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            if (memory.TryGet(key.Memory, out var held))
            {
                metrics.Hit(Metrics.AssetMetrics.Tier.Memory);
                return held;
            }
            if (disk.TryGet(key.Disk, out var path))
            {
                if (AssetHandle.TryOpen(path) is { } found)
                {
                    metrics.Hit(Metrics.AssetMetrics.Tier.Disk);
                    return await PromoteAsync(key.Memory, record.Id, found, ct);
                }
                // Evicted or invalidated between the look-up and the open: forget it and render again.
                disk.Remove(key.Disk, path);
            }
            if (attempt == 0) metrics.Miss();

            var mine = new Flight();
            var flight = inflight.GetOrAdd(key.Disk, mine);
            // Joined before it starts, so even a render that ends at once cannot close before its owner has the result.
            // A flight that closed after we found it has just filled the tiers: look again.
            if (!flight.TryJoin()) continue;
            if (ReferenceEquals(flight, mine))
            {
                // The client of the request that starts the render (a hit never needs it: it costs an address string).
                var client = Client();
                // However it ends, the entry goes, then the flight closes once its last waiter has its handle.
                _ = mine.RunAsync(() => RenderOnceAsync(record, key, extension, render, client)).ContinueWith(_ =>
                {
                    inflight.TryRemove(KeyValuePair.Create(key.Disk, mine));
                    mine.Finish();
                }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            }
            try
            {
                var rendered = await flight.Task.WaitAsync(ct);
                if (rendered is null) return null;
                if (rendered.Held is { } inMemory) return inMemory;
                if (AssetHandle.TryShare(rendered.File!, rendered.Length) is { } shared) return shared;
            }
            finally
            {
                flight.Leave();
            }
        }
        throw ApiErrors.ServiceUnavailable("assets", "The derivative cache is under pressure", retryAfterSeconds);
    }

    /// <summary>Small files move into the memory tier on their first use, so later uses cost no open or read.</summary>
    private async Task<AssetHandle> PromoteAsync(string key, string group, AssetHandle handle, CancellationToken ct)
    {
        if (handle.Length is 0 or > MemoryEntryMaxBytes || memory.MaxBytes == 0) return handle;
        using (handle)
        {
            var held = AssetHandle.FromMemory(await handle.ReadAllAsync(ct));
            memory.Add(key, group, held, held.Length);
            return held;
        }
    }

    /// <summary>
    /// One render. In s3 mode the bucket is a tier shared by every node, looked in first (a hit there is no render).
    /// Then, and only then, the render is charged to the client whose request started it and admitted by the scheduler
    /// (the timeout counts from here); in s3 mode it next takes the cluster's render lock, so a waiter for another
    /// node's render holds no database connection until it is admitted, and looks in the bucket again (that node may
    /// have finished meanwhile). The render goes to a temp file, renamed into the disk tier, and into the bucket before
    /// the lock goes.
    /// </summary>
    private async Task<Rendered?> RenderOnceAsync(FileRecord record, DerivativeKey key, string extension, Renderer render, Budgets.BudgetClient client)
    {
        var timer = new CancellationTokenSource(timeout);
        var temp = files.NewTempPath("." + extension);
        var sharedKey = shared?.Key(record.Id, ContentDigest(record), key.Disk, extension);
        var handedOff = false;
        RenderScheduler.RenderPermit? permit = null;
        try
        {
            if (sharedKey is not null && await FetchSharedAsync(sharedKey, temp, timer.Token)) return await KeepAsync(record, key, temp, () => true);
            budgets?.ChargeRender(client);
            permit = await TimedAsync(() => Scheduler.AcquireAsync(key.Cost, timer.Token), timer);
            if (sharedKey is null) return await RenderAsync(record, key, render, temp, timer, permit, () => handedOff = true);
            var held = await TimedAsync(() => renderLock.AcquireAsync(key.Disk, timer.Token).AsTask(), timer);
            await using (held)
            {
                if (await FetchSharedAsync(sharedKey, temp, timer.Token)) return await KeepAsync(record, key, temp, () => true);
                return await RenderAsync(record, key, render, temp, timer, permit, () => handedOff = true, sharedKey);
            }
        }
        catch (Exception e)
        {
            if (e is ApiException { Status: 429 or 503 }) metrics.Rejected();
            if (!handedOff) files.TryDelete(temp);
            throw;
        }
        finally
        {
            if (!handedOff)
            {
                permit?.Dispose();
                timer.Dispose();
            }
        }
    }

    /// <summary>A wait bounded by the render's timer: running out of time is a 503, like a full queue.</summary>
    private async Task<T> TimedAsync<T>(Func<Task<T>> wait, CancellationTokenSource timer)
    {
        try
        {
            return await wait();
        }
        catch (OperationCanceledException) when (timer.IsCancellationRequested)
        {
            throw TimedOut();
        }
    }

    /// <summary>A derivative another node (or this one, earlier) put in the bucket; an S3 hit is not a render.</summary>
    private async Task<bool> FetchSharedAsync(string sharedKey, string temp, CancellationToken ct)
    {
        files.TryDelete(temp);
        try
        {
            if (!await shared!.TryGetAsync(sharedKey, temp, ct)) return false;
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            throw TimedOut();
        }
        metrics.Hit(Metrics.AssetMetrics.Tier.Store);
        return new FileInfo(temp).Length > 0;
    }

    /// <summary>
    /// The render itself, on a local copy of the original, holding <paramref name="permit"/>. When it times out, the
    /// permit, the timer and the temp file are handed to the still-running render (<paramref name="handOff"/>) and
    /// freed when it stops.
    /// </summary>
    private async Task<Rendered?> RenderAsync(
        FileRecord record, DerivativeKey key, Renderer render, string temp, CancellationTokenSource timer, RenderScheduler.RenderPermit permit,
        Action handOff, string? sharedKey = null)
    {
        var copy = await TimedAsync(() => originals.LocalCopyAsync(record.FilenameDisk, ContentDigest(record), timer.Token).AsTask(), timer);
        if (copy is null) return null;
        var source = copy.Path;

        var handedOff = false;
        try
        {
            Interlocked.Increment(ref renderCount);
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            Task rendering;
            try
            {
                rendering = render(source, temp, timer.Token);
            }
            catch (Exception e)
            {
                rendering = Task.FromException(e);
            }
            try
            {
                // WaitAsync answers on time even if a render step is slow to notice the cancellation.
                await rendering.WaitAsync(timer.Token);
            }
            catch (Exception e) when (timer.IsCancellationRequested)
            {
                // The permit, the source copy and the temp file stay until the render has really stopped.
                handedOff = true;
                handOff();
                _ = rendering.ContinueWith(_ =>
                {
                    files.TryDelete(temp);
                    timer.Dispose();
                    permit.Dispose();
                    copy.Dispose();
                }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
                logger.LogWarning(e is OperationCanceledException ? null : e,
                    "Render of {FileId} ({Transform}) timed out after {Timeout}", record.Id, key.Transform, timeout);
                throw TimedOut();
            }
            catch (Exception) when (!File.Exists(source))
            {
                // The original was replaced or deleted under the render (libvips then fails to open it, which would
                // look like a damaged source): the caller reads the row again.
                files.TryDelete(temp);
                return null;
            }
            catch (Exception e) when (e is not ApiException)
            {
                // An encoder or internal failure, not the client's: logged with what was asked, answered without internals.
                logger.LogError(e, "Render of {FileId} ({Transform}) failed", record.Id, key.Transform);
                throw new ApiException(500, "INTERNAL_SERVER_ERROR", "The transformation could not be rendered.");
            }

            metrics.Rendered(System.Diagnostics.Stopwatch.GetElapsedTime(started));
            // A renderer that wrote nothing at all is the same failure as one that wrote an empty file.
            var output = new FileInfo(temp);
            var length = output.Exists ? output.Length : 0;
            if (length == 0)
            {
                logger.LogError("Render of {FileId} ({Transform}) produced no bytes", record.Id, key.Transform);
                throw new ApiException(500, "INTERNAL_SERVER_ERROR", "The transformation could not be rendered.");
            }
            // Shared before the lock goes, so a node that waited on it finds it.
            if (sharedKey is not null) await shared!.PutAsync(sharedKey, temp, length, CancellationToken.None);
            // In s3 mode the local copy of the source never vanishes under a render, and an entry kept after a delete
            // is named by content, so never served for other bytes: it is simply evicted in time.
            return await KeepAsync(record, key, temp, sharedKey is null ? () => File.Exists(source) : () => true);
        }
        finally
        {
            if (!handedOff) copy.Dispose();
        }
    }

    /// <summary>
    /// A finished derivative in <paramref name="temp"/>, renamed into the disk tier (small ones also held in memory).
    /// Its folder is synced before the waiters have it, so a derivative this node served survives a power loss.
    /// </summary>
    private async Task<Rendered> KeepAsync(FileRecord record, DerivativeKey key, string temp, Func<bool> sourceExists)
    {
        var length = new FileInfo(temp).Length;
        var held = length <= MemoryEntryMaxBytes ? AssetHandle.FromMemory(await File.ReadAllBytesAsync(temp)) : null;
        var folder = Path.Combine(files.Paths.Derivatives, record.Id);
        var final = Path.Combine(folder, $"{key.Disk}-{length}{Path.GetExtension(temp)}");
        // Opened before the rename: the handle outlives the rename, an eviction and an invalidation alike.
        var file = held is null ? File.OpenHandle(temp, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, FileOptions.Asynchronous) : null;
        try
        {
            // Under the index's lock, so an invalidation either sees this entry (and deletes it) or came first, after
            // the original was deleted, which this check then sees. A path never holds another content (disk names
            // are never reused), so "the source still exists" means "it is still the bytes this was rendered from".
            var newFolder = false;
            var admitted = disk.TryAdd(key.Disk, record.Id, final, length, () =>
            {
                if (!sourceExists()) return false;
                newFolder = MoveIntoPlace(temp, final);
                if (held is not null && memory.MaxBytes > 0) memory.Add(key.Memory, record.Id, held, length);
                return true;
            }, out _, DeleteUnderLock);

            // Rendered from bytes that were replaced meanwhile: the requests that asked (all from before the write)
            // get what they asked for; nothing is kept.
            if (!admitted) files.TryDelete(temp);
            else SyncFolder(folder, newFolder);
            return new Rendered(held, file, length);
        }
        catch
        {
            // Nobody else has the handle yet: left to the finalizer, it would hold the file until a GC.
            file?.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Syncs a derivative's folder outside the index's lock (a sync may wait for the disk), and the tier's root too
    /// when the folder is new. An invalidation that removed the folder meanwhile leaves nothing to sync.
    /// </summary>
    private void SyncFolder(string folder, bool newFolder)
    {
        try
        {
            DirectorySync.Flush(folder);
            if (newFolder) DirectorySync.Flush(files.Paths.Derivatives);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }

    /// <summary>
    /// A derivative's name is its fingerprint, so a render of the same key can put a fresh file under the path of one
    /// just evicted or invalidated: the index deletes the old one under its lock, before such an add can happen.
    /// </summary>
    private void DeleteUnderLock(string path) => files.TryDelete(path);

    private ApiException TimedOut() => ApiErrors.ServiceUnavailable("assets", "Transformation timed out", retryAfterSeconds);

    /// <summary>Renames a derivative into its folder; true when the folder had to be made.</summary>
    private static bool MoveIntoPlace(string temp, string path)
    {
        var folder = Path.GetDirectoryName(path)!;
        var newFolder = !Directory.Exists(folder);
        Directory.CreateDirectory(folder);
        try
        {
            File.Move(temp, path, overwrite: true);
        }
        catch (DirectoryNotFoundException)
        {
            // An invalidation removed the folder between the two calls.
            newFolder = true;
            Directory.CreateDirectory(folder);
            File.Move(temp, path, overwrite: true);
        }
        return newFolder;
    }

    /// <summary>
    /// Forgets and deletes every derivative of a file whose bytes were replaced or deleted, in every tier. Only the
    /// files the index held are deleted (a render admitted after this keeps its own); the folder goes once empty.
    /// </summary>
    public async Task InvalidateAsync(string fileId)
    {
        memory.RemoveGroup(fileId);
        disk.RemoveGroup(fileId, DeleteUnderLock);
        files.TryDeleteEmptyDerivativeFolder(fileId);
        // Other nodes keep their local copies, but those are named by content and rows are read fresh: never served.
        if (shared is not null) await shared.DeleteAllAsync(fileId);
    }

    /// <summary>
    /// Learns what is on disk from an earlier run, oldest write first as the best guess of recency. A file whose
    /// length differs from the one in its name was cut short by a crash (derivatives are not fsynced) and is deleted.
    /// On file systems that order data before metadata (ext4's default) that is the torn case; where a crash can
    /// leave the right length with unwritten blocks, such a file survives until evicted or invalidated.
    /// </summary>
    private void ScanDisk()
    {
        var root = new DirectoryInfo(files.Paths.Derivatives);
        if (!root.Exists) return;
        List<string> dropped = [];
        foreach (var file in root.EnumerateFiles("*", SearchOption.AllDirectories).OrderBy(f => f.LastWriteTimeUtc))
        {
            var name = Path.GetFileNameWithoutExtension(file.Name);
            var dash = name.LastIndexOf('-');
            if (dash <= 0 || !long.TryParse(name.AsSpan(dash + 1), out var length) || length != file.Length || length == 0)
            {
                dropped.Add(file.FullName);
                continue;
            }
            dropped.AddRange(disk.Add(name[..dash], file.Directory!.Name, file.FullName, length));
        }
        foreach (var path in dropped) files.TryDelete(path);
        if (dropped.Count > 0) logger.LogInformation("Dropped {Count} torn or over-cap derivatives at start", dropped.Count);
    }

    private static string Sha256Hex(string text) =>
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text)));

    /// <summary>A finished render: its bytes when small, else an open handle on its file (shared by every waiter).</summary>
    private sealed record Rendered(AssetHandle? Held, SafeFileHandle? File, long Length);

    /// <summary>
    /// A derivative's names: on disk (and in the flight table) the fingerprint, in the memory tier prefixed; and the
    /// transform's canonical text, which is what a log line about it should name.
    /// </summary>
    private sealed class DerivativeKey(string fingerprint, string transform, long? cost)
    {
        public string Transform { get; } = transform;

        /// <summary>The render's estimated cost in pixels (what the queue admits it by); null when unknown.</summary>
        public long? Cost { get; } = cost;
        public string Disk { get; } = fingerprint;
        public string Memory { get; } = "d:" + fingerprint;

        public override string ToString() => Disk;
    }

    /// <summary>
    /// One render and the requests waiting for it. The file handle of a large result stays open until the flight has
    /// left the table and its last waiter has taken its own reference.
    /// </summary>
    private sealed class Flight
    {
        private readonly Lock gate = new();
        private int waiters;
        private bool finished;
        private bool closed;

        private readonly TaskCompletionSource<Rendered?> completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>Completes when the render ends; waiters that found the flight before it started already see it.</summary>
        public Task<Rendered?> Task => completion.Task;

        public async Task RunAsync(Func<Task<Rendered?>> render)
        {
            try
            {
                completion.SetResult(await render());
            }
            catch (Exception e)
            {
                completion.SetException(e);
            }
        }

        public bool TryJoin()
        {
            lock (gate)
            {
                if (closed) return false;
                waiters++;
                return true;
            }
        }

        public void Leave()
        {
            lock (gate)
            {
                waiters--;
                CloseIfDone();
            }
        }

        public void Finish()
        {
            lock (gate)
            {
                finished = true;
                CloseIfDone();
            }
        }

        private void CloseIfDone()
        {
            if (!finished || waiters > 0 || closed) return;
            closed = true;
            if (Task.IsCompletedSuccessfully) Task.Result?.File?.Dispose();
        }
    }
}
