using AssetServer.Storage.S3;

namespace AssetServer.Tests.Caching;

/// <summary>
/// Local hot copies of S3 originals live in the store's LRU: a copy in use is pinned, and every download has a name of
/// its own, so a late delete of an evicted copy cannot remove a fresh one of the same digest (issue 17).
/// </summary>
public class OriginalCacheTests
{
    private string folder = null!;
    private int downloads;

    [SetUp]
    public void MakeFolder()
    {
        folder = Path.Combine(Path.GetTempPath(), "original-cache-" + Guid.NewGuid().ToString("N"));
        downloads = 0;
    }

    [TearDown]
    public void RemoveFolder()
    {
        if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
    }

    /// <summary>A download of <paramref name="length"/> bytes.</summary>
    private Func<string, CancellationToken, Task<bool>> Bytes(int length, Task? gate = null) => async (path, _) =>
    {
        Interlocked.Increment(ref downloads);
        if (gate is not null) await gate;
        await File.WriteAllBytesAsync(path, new byte[length]);
        return true;
    };

    [Test]
    public async Task ACopyInUseIsNeverEvictedAndGoesOnceReleased()
    {
        var cache = new OriginalCache(folder, maxBytes: 10);
        var a = await cache.AcquireAsync("aaaa", Bytes(8), CancellationToken.None);
        var b = await cache.AcquireAsync("bbbb", Bytes(8), CancellationToken.None);
        Assert.That(File.Exists(a!.Path) && File.Exists(b!.Path), Is.True, "both are in use: the bound waits");
        Assert.That(cache.Bytes, Is.EqualTo(16));

        // Released, b is the only copy eviction may take.
        b.Dispose();
        Assert.That(File.Exists(b.Path), Is.False);
        Assert.That(File.Exists(a.Path), Is.True);
        a.Dispose();
        Assert.That(File.Exists(a.Path), Is.True, "within the bound, kept for the next render");
        Assert.That(cache.Bytes, Is.EqualTo(8));
    }

    [Test]
    public async Task ConcurrentRendersShareOneDownload()
    {
        var cache = new OriginalCache(folder, maxBytes: 100);
        var gate = new TaskCompletionSource();
        var waiting = Enumerable.Range(0, 3).Select(_ => cache.AcquireAsync("aaaa", Bytes(5, gate.Task), CancellationToken.None).AsTask()).ToList();
        gate.SetResult();
        var copies = await Task.WhenAll(waiting);

        Assert.That(downloads, Is.EqualTo(1));
        Assert.That(copies.Select(c => c!.Path).Distinct().Count(), Is.EqualTo(1));
        foreach (var copy in copies) copy!.Dispose();
    }

    [Test]
    public async Task AFreshCopyOfAnEvictedDigestHasANameOfItsOwn_Issue17()
    {
        var cache = new OriginalCache(folder, maxBytes: 10);
        var first = await cache.AcquireAsync("aaaa", Bytes(8), CancellationToken.None);
        first!.Dispose();
        (await cache.AcquireAsync("bbbb", Bytes(8), CancellationToken.None))!.Dispose();
        Assert.That(File.Exists(first.Path), Is.False, "evicted by the second digest");

        var fresh = await cache.AcquireAsync("aaaa", Bytes(8), CancellationToken.None);
        // The eviction's delete (done outside the lock) named the old file: it can never reach this one.
        Assert.That(fresh!.Path, Is.Not.EqualTo(first.Path));
        File.Delete(first.Path);
        Assert.That(File.Exists(fresh.Path), Is.True);
        fresh.Dispose();
    }

    [Test]
    public async Task EvictionsRacingFreshDownloadsNeverDeleteACopyInUse_Issue18()
    {
        // Room for one copy (8 bytes each): nearly every acquire evicts, and the evicted digest is fetched again at once.
        var cache = new OriginalCache(folder, maxBytes: 10);
        var digests = new[] { "aaaaaaaa", "bbbbbbbb", "cccccccc" };
        var lost = 0;
        await Task.WhenAll(Enumerable.Range(0, 8).Select(worker => Task.Run(async () =>
        {
            for (var i = 0; i < 400; i++)
            {
                var digest = digests[(worker + i) % digests.Length];
                using var copy = await cache.AcquireAsync(digest, async (path, _) =>
                {
                    await File.WriteAllTextAsync(path, digest);
                    return true;
                }, CancellationToken.None);
                // In use: whatever was evicted meanwhile, this file is there and holds this digest's bytes.
                try
                {
                    if (await File.ReadAllTextAsync(copy!.Path) != digest) Interlocked.Increment(ref lost);
                }
                catch (FileNotFoundException)
                {
                    Interlocked.Increment(ref lost);
                }
            }
        })));

        Assert.That(lost, Is.Zero);
        // What the index still holds is on disk, and nothing else is.
        var left = Directory.GetFiles(folder);
        Assert.That(left, Has.Length.LessThanOrEqualTo(1));
        Assert.That(cache.Bytes, Is.EqualTo(left.Sum(f => new FileInfo(f).Length)));
    }

    [Test]
    public async Task AWaiterThatGivesUpLeavesNoPinBehind()
    {
        var cache = new OriginalCache(folder, maxBytes: 10);
        var gate = new TaskCompletionSource();
        using var quitter = new CancellationTokenSource();
        var gaveUp = cache.AcquireAsync("aaaa", Bytes(8, gate.Task), quitter.Token).AsTask();
        var stayed = cache.AcquireAsync("aaaa", Bytes(8, gate.Task), CancellationToken.None).AsTask();
        await quitter.CancelAsync();
        Assert.That(async () => await gaveUp, Throws.InstanceOf<OperationCanceledException>());
        gate.SetResult();
        var copy = await stayed;
        copy!.Dispose();

        (await cache.AcquireAsync("bbbb", Bytes(8), CancellationToken.None))!.Dispose();
        Assert.That(File.Exists(copy.Path), Is.False, "no pin of the waiter that left holds the copy");
        Assert.That(cache.Bytes, Is.EqualTo(8));
    }

    [Test]
    public async Task AnObjectThatIsGoneIsNull()
    {
        var cache = new OriginalCache(folder, maxBytes: 10);
        Assert.That(await cache.AcquireAsync("aaaa", (_, _) => Task.FromResult(false), CancellationToken.None), Is.Null);
        Assert.That(cache.Bytes, Is.Zero);
    }
}
