using System.Security.Cryptography;
using AssetServer.Assets;
using AssetServer.Assets.Store;
using AssetServer.Errors;
using AssetServer.Files;
using AssetServer.Storage;
using AssetServer.Transforms;
using AssetServer.Tests.Support;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace AssetServer.Tests.Assets;

/// <summary>
/// The asset store's own guarantees, with a stand-in renderer so each can be forced: one render per key, handles
/// that survive eviction, timeouts that count the queue, the bounded queue, both eviction bounds and invalidation.
/// Every test has its own data folder, so no test sees another's files or depends on the order they run in.
/// </summary>
public class AssetStoreTests
{
    private string folder = null!;
    private FileStore files = null!;

    [SetUp]
    public void CreateFolder()
    {
        // As the server does at start; the pipeline refuses to be built without it, whatever ran before.
        LibvipsSetup.Apply();
        folder = Path.Combine(Path.GetTempPath(), "assetstore-tests", Guid.NewGuid().ToString("N"));
        files = new FileStore(new DataPaths(folder), NullLogger<FileStore>.Instance);
    }

    [TearDown]
    public void RemoveFolder()
    {
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (IOException)
        {
            // A render handed off after a timeout may still hold a file; the OS cleans temp folders.
        }
    }

    private AssetStore NewStore(string timeout = "30s", int concurrency = 4, int queue = 0, long maxBytes = 1L << 30,
        int maxEntries = 1000, long memoryBytes = 128L << 20, ILogger<AssetStore>? logger = null, string maxQueueWait = "30s") =>
        new(files, new LocalOriginalStore(files, Microsoft.Extensions.Logging.Abstractions.NullLogger<LocalOriginalStore>.Instance), new AssetServer.Cluster.LocalRenderLock(), Options.Create(new StorageOptions()), Options.Create(new AssetsOptions
        {
            TransformTimeout = timeout, MaxConcurrentTransforms = concurrency, RenderQueueLength = queue, MaxQueueWait = maxQueueWait,
            CacheMaxBytes = maxBytes, CacheMaxEntries = maxEntries, MemoryCacheBytes = memoryBytes,
        }), new RenderPipeline(Options.Create(new AssetsOptions()), NullLogger<RenderPipeline>.Instance), new AssetServer.Metrics.AssetMetrics(),
            logger ?? NullLogger<AssetStore>.Instance);

    /// <summary>A row and its original on disk (the renderers here never read it).</summary>
    private FileRecord Original(byte[]? bytes = null)
    {
        var id = Guid.NewGuid().ToString("D");
        bytes ??= RandomNumberGenerator.GetBytes(100);
        var record = new FileRecord
        {
            Id = id, FilenameDisk = $"{id}.jpg", Type = "image/jpeg", Filesize = bytes.Length,
            Checksum = Convert.ToHexStringLower(SHA256.HashData(bytes)),
        };
        File.WriteAllBytes(files.OriginalPath(record.FilenameDisk), bytes);
        return record;
    }

    private static AssetStore.Renderer Writes(byte[] bytes) =>
        (_, output, ct) => File.WriteAllBytesAsync(output, bytes, ct);

    private static AssetStore.Renderer WritesAfter(Task gate, byte[] bytes) => async (_, output, ct) =>
    {
        await gate.WaitAsync(ct);
        await File.WriteAllBytesAsync(output, bytes, ct);
    };

    private static async Task<byte[]> ReadAsync(Task<AssetHandle?> opening)
    {
        using var handle = await opening ?? throw new AssertionException("The store answered null (source gone).");
        using var buffer = new MemoryStream();
        await handle.CopyToAsync(buffer, 0, handle.Length, CancellationToken.None);
        return buffer.ToArray();
    }

    private string[] TempFiles() => Directory.GetFiles(files.Paths.Temp);

    private string[] DerivativeFiles() => Directory.GetFiles(files.Paths.Derivatives, "*", SearchOption.AllDirectories);

    private static async Task Eventually(Func<bool> condition)
    {
        for (var i = 0; i < 400 && !condition(); i++) await Task.Delay(25);
        Assert.That(condition(), Is.True);
    }

    [Test]
    public async Task ConcurrentFirstRequestsShareOneRender()
    {
        var store = NewStore();
        var record = Original();
        var gate = new TaskCompletionSource();
        var render = WritesAfter(gate.Task, [1, 2, 3]);

        var requests = Enumerable.Range(0, 16).Select(_ => ReadAsync(store.OpenDerivativeAsync(record, "width=10", "jpg", render, CancellationToken.None))).ToList();
        gate.SetResult();
        var bodies = await Task.WhenAll(requests);

        Assert.That(store.RenderCount, Is.EqualTo(1));
        Assert.That(bodies, Has.All.EqualTo(new byte[] { 1, 2, 3 }));
        var key = AssetStore.Fingerprint(record, "width=10");
        Assert.That(DerivativeFiles(), Is.EqualTo(new[] { Path.Combine(files.Paths.Derivatives, record.Id, $"{key}-3.jpg") }));

        // Later requests are hits.
        Assert.That(await ReadAsync(store.OpenDerivativeAsync(record, "width=10", "jpg", render, CancellationToken.None)), Is.EqualTo(new byte[] { 1, 2, 3 }));
        Assert.That(store.RenderCount, Is.EqualTo(1));
    }

    [Test]
    public async Task ACallerThatGivesUpDoesNotCancelTheSharedRender()
    {
        var store = NewStore();
        var record = Original();
        var gate = new TaskCompletionSource();
        var render = WritesAfter(gate.Task, [7]);
        using var impatient = new CancellationTokenSource();

        var first = store.OpenDerivativeAsync(record, "k", "png", render, impatient.Token);
        var second = ReadAsync(store.OpenDerivativeAsync(record, "k", "png", render, CancellationToken.None));
        impatient.Cancel();
        Assert.That(async () => await first, Throws.InstanceOf<OperationCanceledException>());
        gate.SetResult();

        Assert.That(await second, Is.EqualTo(new byte[] { 7 }));
        Assert.That(store.RenderCount, Is.EqualTo(1));
    }

    [Test]
    public async Task DifferentChecksumNeverMatchesAnOldDerivative()
    {
        var store = NewStore();
        var record = Original();
        Assert.That(await ReadAsync(store.OpenDerivativeAsync(record, "k", "jpg", Writes([1]), CancellationToken.None)), Is.EqualTo(new byte[] { 1 }));

        var replaced = record.Clone();
        replaced.Checksum = new string('a', 64);
        Assert.That(await ReadAsync(store.OpenDerivativeAsync(replaced, "k", "jpg", Writes([2]), CancellationToken.None)), Is.EqualTo(new byte[] { 2 }));
        Assert.That(store.RenderCount, Is.EqualTo(2));
    }

    [Test]
    public async Task FailedRenderLeavesNothingAndIsTriedAgain()
    {
        var store = NewStore();
        var record = Original();
        AssetStore.Renderer failing = async (_, output, _) =>
        {
            await File.WriteAllBytesAsync(output, [1, 2]);
            throw ApiErrors.InvalidQuery("Broken source");
        };

        Assert.That(async () => await store.OpenDerivativeAsync(record, "k", "jpg", failing, CancellationToken.None),
            Throws.InstanceOf<ApiException>().With.Property(nameof(ApiException.Status)).EqualTo(400));
        Assert.That(TempFiles(), Is.Empty);
        Assert.That(DerivativeFiles(), Is.Empty);

        Assert.That(await ReadAsync(store.OpenDerivativeAsync(record, "k", "jpg", Writes([3]), CancellationToken.None)), Is.EqualTo(new byte[] { 3 }));
        Assert.That(store.RenderCount, Is.EqualTo(2));
    }

    [Test]
    public async Task AnInternalRenderFailureIs500WithoutItsDetailsAndLoggedWithFileAndTransform()
    {
        var log = new CapturingLogger<AssetStore>();
        var store = NewStore(logger: log);
        var record = Original();
        AssetStore.Renderer broken = (_, _, _) => throw new InvalidOperationException("heifsave: /srv/secret/path exploded");

        var error = Assert.ThrowsAsync<ApiException>(() => store.OpenDerivativeAsync(record, "k", "avif", broken, CancellationToken.None))!;

        Assert.That(error.Status, Is.EqualTo(500));
        Assert.That(error.Code, Is.EqualTo("INTERNAL_SERVER_ERROR"));
        Assert.That(error.Message, Does.Not.Contain("secret").And.Not.Contain("heifsave"));
        var logged = log.Entries.Single(e => e.Level == LogLevel.Error);
        Assert.That(logged.Message, Does.Contain(record.Id).And.Contain("(k)"));
        Assert.That(logged.Exception?.Message, Does.Contain("heifsave"));
        await Eventually(() => TempFiles().Length == 0);
    }

    [Test]
    public void ARendererThatWroteNothingIsTheSame500()
    {
        var store = NewStore();
        var record = Original();
        var error = Assert.ThrowsAsync<ApiException>(() => store.OpenDerivativeAsync(record, "k", "jpg", (_, _, _) => Task.CompletedTask, CancellationToken.None))!;
        Assert.That(error.Status, Is.EqualTo(500));
        Assert.That(error.Code, Is.EqualTo("INTERNAL_SERVER_ERROR"));
        Assert.That(DerivativeFiles(), Is.Empty);
    }

    [Test]
    public void EmptyOutputIs500AndNothingIsCached()
    {
        var store = NewStore();
        var record = Original();
        var error = Assert.ThrowsAsync<ApiException>(() => store.OpenDerivativeAsync(record, "k", "jpg", Writes([]), CancellationToken.None))!;
        Assert.That(error.Status, Is.EqualTo(500));
        Assert.That(DerivativeFiles(), Is.Empty);
        Assert.That(TempFiles(), Is.Empty);
        Assert.That(store.CachedFiles, Is.Zero);
    }

    [Test]
    public async Task TimeoutIs503WithRetryAfterAndLeavesNothing()
    {
        var store = NewStore(timeout: "100ms");
        var record = Original();
        AssetStore.Renderer slow = async (_, output, ct) =>
        {
            await File.WriteAllBytesAsync(output, [1], CancellationToken.None);
            await Task.Delay(Timeout.Infinite, ct);
        };

        var error = Assert.ThrowsAsync<ApiException>(() => store.OpenDerivativeAsync(record, "k", "jpg", slow, CancellationToken.None))!;

        Assert.That(error.Status, Is.EqualTo(503));
        Assert.That(error.Code, Is.EqualTo("SERVICE_UNAVAILABLE"));
        Assert.That(error.Message, Is.EqualTo("Service \"assets\" is unavailable. Transformation timed out."));
        Assert.That(error.Headers["Retry-After"], Is.EqualTo("1"));
        await Eventually(() => TempFiles().Length == 0 && store.Scheduler.Admitted == 0);
        Assert.That(DerivativeFiles(), Is.Empty);
    }

    [Test]
    public async Task RenderThatIgnoresCancellationStillAnswersOnTimeAndIsCleanedUpLater()
    {
        var store = NewStore(timeout: "100ms", concurrency: 1);
        var record = Original();
        var release = new TaskCompletionSource();
        AssetStore.Renderer stubborn = async (_, output, _) =>
        {
            await release.Task;
            await File.WriteAllBytesAsync(output, [1]);
        };

        var error = Assert.ThrowsAsync<ApiException>(() => store.OpenDerivativeAsync(record, "k", "jpg", stubborn, CancellationToken.None))!;
        Assert.That(error.Status, Is.EqualTo(503));
        // The slot stays taken until the render really ends, so the concurrency limit holds.
        Assert.That(store.Scheduler.Admitted, Is.EqualTo(1));

        release.SetResult();
        await Eventually(() => TempFiles().Length == 0 && store.Scheduler.Admitted == 0);
        Assert.That(DerivativeFiles(), Is.Empty);
    }

    [Test]
    public async Task TimeSpentQueuedCountsAgainstTheTimeout()
    {
        var store = NewStore(timeout: "300ms", concurrency: 1);
        var record = Original();
        var release = new TaskCompletionSource();
        // Ignores cancellation, so its slot stays taken past its own timeout.
        AssetStore.Renderer stubborn = async (_, output, _) =>
        {
            await release.Task;
            await File.WriteAllBytesAsync(output, [1]);
        };
        var busy = store.OpenDerivativeAsync(record, "busy", "jpg", stubborn, CancellationToken.None);
        await Eventually(() => store.Scheduler.Admitted == 1);

        // Waits behind the busy slot the whole time and is never rendered.
        var error = Assert.ThrowsAsync<ApiException>(() => store.OpenDerivativeAsync(record, "queued", "jpg", Writes([2]), CancellationToken.None))!;

        Assert.That(error.Status, Is.EqualTo(503));
        Assert.That(error.Message, Does.Contain("timed out"));
        Assert.That(store.RenderCount, Is.EqualTo(1));
        release.SetResult();
        Assert.That(async () => await busy, Throws.InstanceOf<ApiException>().With.Property(nameof(ApiException.Status)).EqualTo(503));
        await Eventually(() => store.Scheduler.Admitted == 0);
    }

    [Test]
    public async Task ACheapRenderIsServedWhileHeavyRendersHoldEverySlot_Issue9()
    {
        var store = NewStore(timeout: "30s", concurrency: 1, maxQueueWait: "30s");
        var record = Original();
        var release = new TaskCompletionSource();
        var heavy = ReadAsync(store.OpenDerivativeAsync(record, "heavy", "webp", WritesAfter(release.Task, [1]), CancellationToken.None, cost: 72_000_000));
        await Eventually(() => store.RenderCount == 1);

        // A thumbnail's cost: it takes the lane kept for cheap renders and is answered while the heavy one runs.
        var thumbnail = await ReadAsync(store.OpenDerivativeAsync(record, "thumb", "webp", Writes([2]), CancellationToken.None, cost: 200_000));
        Assert.That(thumbnail, Is.EqualTo(new byte[] { 2 }));
        Assert.That(heavy.IsCompleted, Is.False);

        release.SetResult();
        Assert.That(await heavy, Is.EqualTo(new byte[] { 1 }));
        await Eventually(() => store.Scheduler.Admitted == 0);
    }

    [Test]
    public async Task AHeavyRenderThatFindsNoSlotInTimeIsAQuick503_Issue9()
    {
        var store = NewStore(timeout: "30s", concurrency: 1, maxQueueWait: "200ms");
        var record = Original();
        var release = new TaskCompletionSource();
        var first = ReadAsync(store.OpenDerivativeAsync(record, "heavy-1", "webp", WritesAfter(release.Task, [1]), CancellationToken.None, cost: 72_000_000));
        await Eventually(() => store.RenderCount == 1);

        // Heavy renders never use the cheap lane, and wait for a slot only MaxQueueWait, not the whole timeout.
        var error = Assert.ThrowsAsync<ApiException>(() =>
            store.OpenDerivativeAsync(record, "heavy-2", "webp", Writes([2]), CancellationToken.None, cost: 72_000_000))!;
        Assert.That(error.Status, Is.EqualTo(503));
        Assert.That(error.Message, Does.Contain("No transformation slot came free in time"));
        Assert.That(error.Headers.ContainsKey("Retry-After"), Is.True);
        Assert.That(store.RenderCount, Is.EqualTo(1));

        release.SetResult();
        await first;
        await Eventually(() => store.Scheduler.Admitted == 0);
    }

    [Test]
    public async Task FullQueueIs503WithRetryAfterAndItsLengthIsConfigurable()
    {
        var store = NewStore(concurrency: 1, queue: 2);
        var record = Original();
        var gate = new TaskCompletionSource();
        var render = WritesAfter(gate.Task, [1]);
        Assert.That(store.Scheduler.Concurrency + store.Scheduler.QueueLength, Is.EqualTo(3));

        var admitted = Enumerable.Range(0, 3)
            .Select(i => ReadAsync(store.OpenDerivativeAsync(record, $"k{i}", "jpg", render, CancellationToken.None))).ToList();
        await Eventually(() => store.Scheduler.Admitted == 3);

        var error = Assert.ThrowsAsync<ApiException>(() => store.OpenDerivativeAsync(record, "one-too-many", "jpg", render, CancellationToken.None))!;
        Assert.That(error.Status, Is.EqualTo(503));
        Assert.That(error.Message, Is.EqualTo("Service \"assets\" is unavailable. Too many transformations are queued."));
        Assert.That(error.Headers.ContainsKey("Retry-After"), Is.True);

        gate.SetResult();
        await Task.WhenAll(admitted);
        Assert.That(store.RenderCount, Is.EqualTo(3));
        Assert.That(store.Scheduler.Admitted, Is.Zero);
    }

    [Test]
    public async Task LeastRecentlyUsedDerivativesAreEvictedPastTheByteCap()
    {
        var store = NewStore(maxBytes: 2500, memoryBytes: 0);
        var record = Original();
        var kilobyte = Writes(new byte[1000]);

        await ReadAsync(store.OpenDerivativeAsync(record, "a", "jpg", kilobyte, CancellationToken.None));
        await ReadAsync(store.OpenDerivativeAsync(record, "b", "jpg", kilobyte, CancellationToken.None));
        await ReadAsync(store.OpenDerivativeAsync(record, "a", "jpg", kilobyte, CancellationToken.None));
        await ReadAsync(store.OpenDerivativeAsync(record, "c", "jpg", kilobyte, CancellationToken.None));

        Assert.That(store.RenderCount, Is.EqualTo(3));
        Assert.That(store.CachedBytes, Is.EqualTo(2000));
        var names = DerivativeFiles().Select(Path.GetFileName).ToList();
        Assert.That(names, Has.Some.StartsWith(AssetStore.Fingerprint(record, "a")));
        Assert.That(names, Has.None.StartsWith(AssetStore.Fingerprint(record, "b")));
        Assert.That(names, Has.Some.StartsWith(AssetStore.Fingerprint(record, "c")));
    }

    [Test]
    public async Task TheDiskTierIsBoundedByEntryCountToo()
    {
        var store = NewStore(maxEntries: 3, memoryBytes: 0);
        var record = Original();
        for (var i = 0; i < 10; i++) await ReadAsync(store.OpenDerivativeAsync(record, $"k{i}", "jpg", Writes([(byte)i]), CancellationToken.None));

        Assert.That(store.CachedFiles, Is.EqualTo(3));
        Assert.That(DerivativeFiles(), Has.Length.EqualTo(3));
        Assert.That(await ReadAsync(store.OpenDerivativeAsync(record, "k9", "jpg", Writes([99]), CancellationToken.None)), Is.EqualTo(new byte[] { 9 }));
    }

    [Test]
    public async Task ADerivativeThatVanishesBeforeItIsOpenedIsRenderedAgainNotForbidden()
    {
        var store = NewStore(memoryBytes: 0);
        var record = Original();
        await ReadAsync(store.OpenDerivativeAsync(record, "k", "jpg", Writes([1]), CancellationToken.None));

        // As an eviction by another request, between this request's look-up and its open.
        foreach (var file in DerivativeFiles()) File.Delete(file);

        Assert.That(await ReadAsync(store.OpenDerivativeAsync(record, "k", "jpg", Writes([2]), CancellationToken.None)), Is.EqualTo(new byte[] { 2 }));
        Assert.That(store.RenderCount, Is.EqualTo(2));
    }

    [Test]
    public async Task AnOpenHandleOutlivesTheEvictionOfItsFile()
    {
        var store = NewStore(memoryBytes: 0);
        var record = Original();
        var big = RandomNumberGenerator.GetBytes((int)AssetStore.MemoryEntryMaxBytes + 10);
        var gate = new TaskCompletionSource();
        var waiters = Enumerable.Range(0, 4).Select(_ => store.OpenDerivativeAsync(record, "big", "png", WritesAfter(gate.Task, big), CancellationToken.None)).ToList();
        gate.SetResult();
        var handles = await Task.WhenAll(waiters);

        foreach (var file in DerivativeFiles()) File.Delete(file);
        foreach (var handle in handles)
        {
            using (handle)
            {
                Assert.That(handle, Is.Not.Null);
                Assert.That(handle!.InMemory, Is.Null);
                using var body = new MemoryStream();
                await handle.CopyToAsync(body, 0, handle.Length, CancellationToken.None);
                Assert.That(body.ToArray(), Is.EqualTo(big));
            }
        }
        Assert.That(store.RenderCount, Is.EqualTo(1));
    }

    [Test]
    public async Task InvalidateRemovesEveryTierAndTheFolder()
    {
        var store = NewStore();
        var record = Original();
        await ReadAsync(store.OpenDerivativeAsync(record, "a", "jpg", Writes(new byte[100]), CancellationToken.None));
        await ReadAsync(store.OpenOriginalAsync(record, CancellationToken.None));
        Assert.That(store.CachedBytes, Is.EqualTo(100));

        await store.InvalidateAsync(record.Id);

        Assert.That(Directory.Exists(Path.Combine(files.Paths.Derivatives, record.Id)), Is.False);
        Assert.That(store.CachedBytes, Is.Zero);
        // Not from memory either: it renders again.
        await ReadAsync(store.OpenDerivativeAsync(record, "a", "jpg", Writes(new byte[100]), CancellationToken.None));
        Assert.That(store.RenderCount, Is.EqualTo(2));
    }

    [Test]
    public async Task ARenderOfBytesReplacedMeanwhileIsAnsweredButNotKept()
    {
        var store = NewStore();
        var record = Original();
        var gate = new TaskCompletionSource();
        var rendering = ReadAsync(store.OpenDerivativeAsync(record, "k", "jpg", WritesAfter(gate.Task, [5]), CancellationToken.None));
        await Eventually(() => store.RenderCount == 1);

        // What a replace does: the old original goes, then the file's derivatives are invalidated.
        files.DeleteOriginal(record.FilenameDisk);
        await store.InvalidateAsync(record.Id);
        gate.SetResult();

        Assert.That(await rendering, Is.EqualTo(new byte[] { 5 }));
        Assert.That(DerivativeFiles(), Is.Empty);
        Assert.That(store.CachedFiles, Is.Zero);
    }

    [Test]
    public async Task AStoreStartedLaterKnowsWhatIsOnDiskAndDropsTornFiles()
    {
        var record = Original();
        var first = NewStore();
        await ReadAsync(first.OpenDerivativeAsync(record, "a", "jpg", Writes(new byte[123]), CancellationToken.None));
        await ReadAsync(first.OpenDerivativeAsync(record, "b", "jpg", Writes(new byte[50]), CancellationToken.None));
        // A crash after the rename but before the bytes reached the disk: shorter than its name says.
        var torn = DerivativeFiles().Single(f => Path.GetFileName(f).StartsWith(AssetStore.Fingerprint(record, "b")));
        File.WriteAllBytes(torn, new byte[10]);

        var second = NewStore();

        Assert.That(second.CachedBytes, Is.EqualTo(123));
        Assert.That(File.Exists(torn), Is.False);
        await ReadAsync(second.OpenDerivativeAsync(record, "a", "jpg", Writes([1]), CancellationToken.None));
        Assert.That(second.RenderCount, Is.Zero);
    }

    [Test]
    public async Task AMissingOriginalIsNullNotRendered()
    {
        var store = NewStore();
        var record = Original();
        File.Delete(files.OriginalPath(record.FilenameDisk));

        Assert.That(await store.OpenDerivativeAsync(record, "a", "jpg", Writes([1]), CancellationToken.None), Is.Null);
        Assert.That(await store.OpenOriginalAsync(record, CancellationToken.None), Is.Null);
        Assert.That(store.RenderCount, Is.Zero);
    }

    [Test]
    public async Task SmallOriginalsAreServedFromMemoryAfterTheirFirstRead()
    {
        var store = NewStore();
        var bytes = RandomNumberGenerator.GetBytes(500);
        var record = Original(bytes);
        Assert.That(await ReadAsync(store.OpenOriginalAsync(record, CancellationToken.None)), Is.EqualTo(bytes));

        File.Delete(files.OriginalPath(record.FilenameDisk));

        using var handle = await store.OpenOriginalAsync(record, CancellationToken.None);
        Assert.That(handle?.InMemory?.ToArray(), Is.EqualTo(bytes));
    }
}
