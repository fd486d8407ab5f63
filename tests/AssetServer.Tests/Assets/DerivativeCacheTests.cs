using AssetServer.Assets;
using AssetServer.Errors;
using AssetServer.Files;
using AssetServer.Storage;
using AssetServer.Tests.Support;
using AssetServer.Transforms;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace AssetServer.Tests.Assets;

/// <summary>
/// The cache's own guarantees, with a stand-in renderer so each can be forced: one render per key, atomic
/// writes, timeouts, the bounded queue, eviction and invalidation.
/// </summary>
public class DerivativeCacheTests
{
    private AssetServerApp app = null!;

    [OneTimeSetUp]
    public void Start() => app = new AssetServerApp();

    [OneTimeTearDown]
    public void Stop() => app.Dispose();

    private DerivativeCache NewCache(string timeout = "30s", int concurrency = 4, long maxBytes = 1L << 30) =>
        new(app.Service<FileStore>(),
            Options.Create(new AssetsOptions { TransformTimeout = timeout, MaxConcurrentTransforms = concurrency, CacheMaxBytes = maxBytes }),
            app.Service<RenderPipeline>(), NullLogger<DerivativeCache>.Instance);

    private static DerivativeCache.Renderer Writes(byte[] bytes) =>
        (_, output, ct) => File.WriteAllBytesAsync(output, bytes, ct);

    private static DerivativeCache.Renderer WritesAfter(Task gate, byte[] bytes) => async (_, output, ct) =>
    {
        await gate.WaitAsync(ct);
        await File.WriteAllBytesAsync(output, bytes, ct);
    };

    private string[] TempFiles() => app.TempFilesOnDisk();

    private static async Task Eventually(Func<bool> condition)
    {
        for (var i = 0; i < 200 && !condition(); i++) await Task.Delay(25);
        Assert.That(condition(), Is.True);
    }

    [Test]
    public async Task ConcurrentFirstRequestsShareOneRender()
    {
        var cache = NewCache();
        var record = await AssetSeeder.SeedJpegAsync(app, 40, 30);
        var gate = new TaskCompletionSource();
        var render = WritesAfter(gate.Task, [1, 2, 3]);

        var requests = Enumerable.Range(0, 16).Select(_ => cache.GetOrRenderAsync(record, "width=10", "jpg", render, CancellationToken.None)).ToList();
        gate.SetResult();
        var paths = await Task.WhenAll(requests);

        Assert.That(cache.RenderCount, Is.EqualTo(1));
        Assert.That(paths.Distinct().Count(), Is.EqualTo(1));
        Assert.That(File.ReadAllBytes(paths[0]), Is.EqualTo(new byte[] { 1, 2, 3 }));
        Assert.That(Path.GetDirectoryName(paths[0]), Is.EqualTo(Path.Combine(app.DerivativesPath, record.Id)));
        Assert.That(Path.GetFileName(paths[0]), Is.EqualTo($"{DerivativeCache.Fingerprint(record, "width=10")}.jpg"));

        // Later requests are hits.
        await cache.GetOrRenderAsync(record, "width=10", "jpg", render, CancellationToken.None);
        Assert.That(cache.RenderCount, Is.EqualTo(1));
    }

    [Test]
    public async Task ACallerThatGivesUpDoesNotCancelTheSharedRender()
    {
        var cache = NewCache();
        var record = await AssetSeeder.SeedJpegAsync(app, 40, 30);
        var gate = new TaskCompletionSource();
        var render = WritesAfter(gate.Task, [7]);
        using var impatient = new CancellationTokenSource();

        var first = cache.GetOrRenderAsync(record, "k", "png", render, impatient.Token);
        var second = cache.GetOrRenderAsync(record, "k", "png", render, CancellationToken.None);
        impatient.Cancel();
        Assert.That(async () => await first, Throws.InstanceOf<OperationCanceledException>());
        gate.SetResult();

        Assert.That(File.ReadAllBytes(await second), Is.EqualTo(new byte[] { 7 }));
        Assert.That(cache.RenderCount, Is.EqualTo(1));
    }

    [Test]
    public async Task DifferentChecksumNeverMatchesAnOldDerivative()
    {
        var cache = NewCache();
        var record = await AssetSeeder.SeedJpegAsync(app, 40, 30);
        var old = await cache.GetOrRenderAsync(record, "k", "jpg", Writes([1]), CancellationToken.None);

        var replaced = record.Clone();
        replaced.Checksum = new string('a', 64);
        var fresh = await cache.GetOrRenderAsync(replaced, "k", "jpg", Writes([2]), CancellationToken.None);

        Assert.That(fresh, Is.Not.EqualTo(old));
        Assert.That(File.ReadAllBytes(fresh), Is.EqualTo(new byte[] { 2 }));
        Assert.That(cache.RenderCount, Is.EqualTo(2));
    }

    [Test]
    public async Task FailedRenderLeavesNothingAndIsTriedAgain()
    {
        var cache = NewCache();
        var record = await AssetSeeder.SeedJpegAsync(app, 40, 30);
        DerivativeCache.Renderer failing = async (_, output, _) =>
        {
            await File.WriteAllBytesAsync(output, [1, 2]);
            throw ApiErrors.InvalidQuery("Broken source");
        };

        Assert.That(async () => await cache.GetOrRenderAsync(record, "k", "jpg", failing, CancellationToken.None),
            Throws.InstanceOf<ApiException>().With.Property(nameof(ApiException.Status)).EqualTo(400));
        Assert.That(TempFiles(), Is.Empty);
        Assert.That(Directory.Exists(Path.Combine(app.DerivativesPath, record.Id)), Is.False);

        var path = await cache.GetOrRenderAsync(record, "k", "jpg", Writes([3]), CancellationToken.None);
        Assert.That(File.ReadAllBytes(path), Is.EqualTo(new byte[] { 3 }));
        Assert.That(cache.RenderCount, Is.EqualTo(2));
    }

    [Test]
    public async Task EmptyOutputIsAFailureNotACachedFile()
    {
        var cache = NewCache();
        var record = await AssetSeeder.SeedJpegAsync(app, 40, 30);
        Assert.That(async () => await cache.GetOrRenderAsync(record, "k", "jpg", Writes([]), CancellationToken.None),
            Throws.InstanceOf<InvalidOperationException>());
        Assert.That(File.Exists(cache.PathFor(record, "k", "jpg")), Is.False);
        Assert.That(TempFiles(), Is.Empty);
    }

    [Test]
    public async Task TimeoutIs503WithRetryAfterAndLeavesNothing()
    {
        var cache = NewCache(timeout: "100ms");
        var record = await AssetSeeder.SeedJpegAsync(app, 40, 30);
        DerivativeCache.Renderer slow = async (_, output, ct) =>
        {
            await File.WriteAllBytesAsync(output, [1], CancellationToken.None);
            await Task.Delay(Timeout.Infinite, ct);
        };

        var error = Assert.ThrowsAsync<ApiException>(() => cache.GetOrRenderAsync(record, "k", "jpg", slow, CancellationToken.None))!;

        Assert.That(error.Status, Is.EqualTo(503));
        Assert.That(error.Code, Is.EqualTo("SERVICE_UNAVAILABLE"));
        Assert.That(error.Message, Is.EqualTo("Service \"assets\" is unavailable. Transformation timed out."));
        Assert.That(error.Headers["Retry-After"], Is.EqualTo("1"));
        await Eventually(() => TempFiles().Length == 0 && cache.Queue.Admitted == 0);
        Assert.That(File.Exists(cache.PathFor(record, "k", "jpg")), Is.False);
    }

    [Test]
    public async Task RenderThatIgnoresCancellationStillAnswersOnTimeAndIsCleanedUpLater()
    {
        var cache = NewCache(timeout: "100ms", concurrency: 1);
        var record = await AssetSeeder.SeedJpegAsync(app, 40, 30);
        var release = new TaskCompletionSource();
        DerivativeCache.Renderer stubborn = async (_, output, _) =>
        {
            await release.Task;
            await File.WriteAllBytesAsync(output, [1]);
        };

        var error = Assert.ThrowsAsync<ApiException>(() => cache.GetOrRenderAsync(record, "k", "jpg", stubborn, CancellationToken.None))!;
        Assert.That(error.Status, Is.EqualTo(503));
        // The slot stays taken until the render really ends, so the concurrency limit holds.
        Assert.That(cache.Queue.Admitted, Is.EqualTo(1));

        release.SetResult();
        await Eventually(() => TempFiles().Length == 0 && cache.Queue.Admitted == 0);
        Assert.That(File.Exists(cache.PathFor(record, "k", "jpg")), Is.False);
    }

    [Test]
    public async Task FullQueueIs503WithRetryAfter()
    {
        var cache = NewCache(concurrency: 1);
        var record = await AssetSeeder.SeedJpegAsync(app, 40, 30);
        var gate = new TaskCompletionSource();
        var render = WritesAfter(gate.Task, [1]);
        var capacity = cache.Queue.Concurrency + cache.Queue.QueueLength;
        Assert.That(capacity, Is.EqualTo(5));

        var admitted = Enumerable.Range(0, capacity)
            .Select(i => cache.GetOrRenderAsync(record, $"k{i}", "jpg", render, CancellationToken.None)).ToList();
        await Eventually(() => cache.Queue.Admitted == capacity);

        var error = Assert.ThrowsAsync<ApiException>(() => cache.GetOrRenderAsync(record, "one-too-many", "jpg", render, CancellationToken.None))!;
        Assert.That(error.Status, Is.EqualTo(503));
        Assert.That(error.Message, Is.EqualTo("Service \"assets\" is unavailable. Too many transformations are queued."));
        Assert.That(error.Headers.ContainsKey("Retry-After"), Is.True);

        gate.SetResult();
        await Task.WhenAll(admitted);
        Assert.That(cache.RenderCount, Is.EqualTo(capacity));
        Assert.That(cache.Queue.Admitted, Is.Zero);
    }

    [Test]
    public async Task LeastRecentlyUsedDerivativesAreEvictedPastTheCap()
    {
        var cache = NewCache(maxBytes: 2500);
        var record = await AssetSeeder.SeedJpegAsync(app, 40, 30);
        var kilobyte = Writes(new byte[1000]);

        var a = await cache.GetOrRenderAsync(record, "a", "jpg", kilobyte, CancellationToken.None);
        var b = await cache.GetOrRenderAsync(record, "b", "jpg", kilobyte, CancellationToken.None);
        await cache.GetOrRenderAsync(record, "a", "jpg", kilobyte, CancellationToken.None);
        var c = await cache.GetOrRenderAsync(record, "c", "jpg", kilobyte, CancellationToken.None);

        Assert.That(File.Exists(a), Is.True);
        Assert.That(File.Exists(b), Is.False);
        Assert.That(File.Exists(c), Is.True);
        Assert.That(cache.CachedBytes, Is.EqualTo(2000));
        cache.Invalidate(record.Id);
    }

    [Test]
    public async Task InvalidateRemovesTheFolderAndItsSizes()
    {
        var cache = NewCache();
        var record = await AssetSeeder.SeedJpegAsync(app, 40, 30);
        var before = cache.CachedBytes;
        await cache.GetOrRenderAsync(record, "a", "jpg", Writes(new byte[100]), CancellationToken.None);
        Assert.That(cache.CachedBytes, Is.EqualTo(before + 100));

        cache.Invalidate(record.Id);

        Assert.That(Directory.Exists(Path.Combine(app.DerivativesPath, record.Id)), Is.False);
        Assert.That(cache.CachedBytes, Is.EqualTo(before));
        await cache.GetOrRenderAsync(record, "a", "jpg", Writes(new byte[100]), CancellationToken.None);
        Assert.That(cache.RenderCount, Is.EqualTo(2));
    }

    [Test]
    public async Task ACacheStartedLaterKnowsWhatIsOnDisk()
    {
        var record = await AssetSeeder.SeedJpegAsync(app, 40, 30);
        var first = NewCache();
        await first.GetOrRenderAsync(record, "a", "jpg", Writes(new byte[123]), CancellationToken.None);

        var second = NewCache();
        Assert.That(second.CachedBytes, Is.EqualTo(first.CachedBytes));
        await second.GetOrRenderAsync(record, "a", "jpg", Writes(new byte[1]), CancellationToken.None);
        Assert.That(second.RenderCount, Is.Zero);
        first.Invalidate(record.Id);
    }

    [Test]
    public async Task MissingOriginalIsForbiddenNotRendered()
    {
        var cache = NewCache();
        var record = await AssetSeeder.SeedJpegAsync(app, 40, 30);
        File.Delete(Path.Combine(app.OriginalsPath, record.FilenameDisk));
        var error = Assert.ThrowsAsync<ApiException>(() => cache.GetOrRenderAsync(record, "a", "jpg", Writes([1]), CancellationToken.None))!;
        Assert.That(error.Status, Is.EqualTo(403));
        Assert.That(cache.RenderCount, Is.Zero);
    }
}
