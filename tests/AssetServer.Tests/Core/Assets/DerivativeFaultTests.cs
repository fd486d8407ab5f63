using System.Security.Cryptography;
using AssetServer.Assets;
using AssetServer.Assets.Store;
using AssetServer.Files;
using AssetServer.Storage;
using AssetServer.Transforms;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace AssetServer.Tests.Assets;

/// <summary>
/// Issue 18: a derivative's name carries the libvips that encoded it (an upgrade never serves two encodes under one
/// strong ETag), and keeping a render that fails to move into place leaves no open handle behind.
/// </summary>
public class DerivativeFaultTests
{
    private string folder = null!;
    private FileStore files = null!;

    [SetUp]
    public void CreateFolder()
    {
        LibvipsSetup.Apply();
        folder = Path.Combine(Path.GetTempPath(), "derivative-faults", Guid.NewGuid().ToString("N"));
        files = new FileStore(new DataPaths(folder), NullLogger<FileStore>.Instance);
    }

    [TearDown]
    public void RemoveFolder() => Directory.Delete(folder, recursive: true);

    /// <summary>A store on the test's folder, as the server builds it.</summary>
    private AssetStore NewStore() =>
        new(files, new LocalOriginalStore(files, NullLogger<LocalOriginalStore>.Instance), new AssetServer.Cluster.LocalRenderLock(),
            Options.Create(new StorageOptions()), Options.Create(new AssetsOptions()),
            new RenderPipeline(Options.Create(new AssetsOptions()), NullLogger<RenderPipeline>.Instance), new AssetServer.Metrics.AssetMetrics(),
            NullLogger<AssetStore>.Instance);

    /// <summary>A store on the test's folder, rendering as <paramref name="engine"/> would.</summary>
    private AssetStore NewStore(string engine) =>
        new(files, new LocalOriginalStore(files, NullLogger<LocalOriginalStore>.Instance), new AssetServer.Cluster.LocalRenderLock(),
            Options.Create(new StorageOptions()), Options.Create(new AssetsOptions()),
            new RenderPipeline(Options.Create(new AssetsOptions()), NullLogger<RenderPipeline>.Instance), new AssetServer.Metrics.AssetMetrics(),
            NullLogger<AssetStore>.Instance) { EngineVersion = engine };

    private FileRecord Original()
    {
        var id = Guid.NewGuid().ToString("D");
        var bytes = RandomNumberGenerator.GetBytes(100);
        var record = new FileRecord
        {
            Id = id, FilenameDisk = $"{id}.jpg", Type = "image/jpeg", Filesize = bytes.Length,
            Checksum = Convert.ToHexStringLower(SHA256.HashData(bytes)),
        };
        File.WriteAllBytes(files.OriginalPath(record.FilenameDisk), bytes);
        return record;
    }

    private static AssetStore.Renderer Writes(byte[] bytes) => (_, output, ct) => File.WriteAllBytesAsync(output, bytes, ct);

    private static async Task<byte[]> ReadAsync(Task<AssetHandle?> opening)
    {
        using var handle = await opening ?? throw new AssertionException("The store answered null (source gone).");
        using var buffer = new MemoryStream();
        await handle.CopyToAsync(buffer, 0, handle.Length, CancellationToken.None);
        return buffer.ToArray();
    }

    [Test]
    public void TheFingerprintCarriesTheRunningLibvipsVersion_Issue18()
    {
        var record = Original();
        var running = $"libvips {NetVips.NetVips.Version(0)}.{NetVips.NetVips.Version(1)}.{NetVips.NetVips.Version(2)}";

        Assert.That(LibvipsSetup.EngineVersion, Is.EqualTo(running));
        Assert.That(NewStore().EngineVersion, Is.EqualTo(running));
        Assert.That(AssetStore.Fingerprint(record, "k"), Is.EqualTo(AssetStore.Fingerprint(record, "k", running)));
        Assert.That(AssetStore.Fingerprint(record, "k", "libvips 8.17.0"), Is.Not.EqualTo(AssetStore.Fingerprint(record, "k", "libvips 8.18.0")));
    }

    [Test]
    public async Task AnUpgradedEngineRendersAnewUnderAnotherStrongTag_Issue18()
    {
        var record = Original();
        var request = new TransformRequest("t1|jpg(q=80)|width=10", OutputFormat.Jpg, variesByAccept: false);
        var before = NewStore("libvips 8.17.0");
        Assert.That(await ReadAsync(before.OpenDerivativeAsync(record, request.CacheKey, "jpg", Writes([1, 2, 3]), CancellationToken.None)),
            Is.EqualTo(new byte[] { 1, 2, 3 }));

        // Restarted on the same folder with another libvips: the old encode is on disk, but not under this name.
        var after = NewStore("libvips 8.18.0");
        Assert.That(after.Derivative(record, request).Digest, Is.Not.EqualTo(before.Derivative(record, request).Digest));
        Assert.That(AssetResponder.StrongTag(after.Derivative(record, request).Digest),
            Is.Not.EqualTo(AssetResponder.StrongTag(before.Derivative(record, request).Digest)));
        Assert.That(await ReadAsync(after.OpenDerivativeAsync(record, request.CacheKey, "jpg", Writes([4, 5, 6]), CancellationToken.None)),
            Is.EqualTo(new byte[] { 4, 5, 6 }));
        Assert.That(after.RenderCount, Is.EqualTo(1));

        // Only the version made the difference: the old engine, started again, finds its own encode.
        var again = NewStore("libvips 8.17.0");
        Assert.That(await ReadAsync(again.OpenDerivativeAsync(record, request.CacheKey, "jpg", Writes([9]), CancellationToken.None)),
            Is.EqualTo(new byte[] { 1, 2, 3 }));
        Assert.That(again.RenderCount, Is.Zero);
    }

    [Test]
    public void ARenderThatCannotMoveIntoPlaceLeavesNoOpenHandle_Issue18()
    {
        if (!OperatingSystem.IsLinux()) Assert.Ignore("Open descriptors are read from /proc/self/fd.");
        var store = NewStore();
        var record = Original();
        // A file where the derivative's folder goes: the rename into place fails.
        File.WriteAllBytes(Path.Combine(files.Paths.Derivatives, record.Id), [0]);
        // Larger than the memory tier takes, so the result is kept as a handle opened before the rename.
        var large = new byte[AssetStore.MemoryEntryMaxBytes + 1];

        Assert.That(async () => await store.OpenDerivativeAsync(record, "k", "jpg", Writes(large), CancellationToken.None), Throws.InstanceOf<IOException>());

        Assert.That(Directory.GetFiles(files.Paths.Temp), Is.Empty);
        Assert.That(OpenFilesUnder(folder), Is.Empty, "a descriptor left to the finalizer");
    }

    /// <summary>What this process's open descriptors point at under <paramref name="root"/> (deleted files included).</summary>
    private static List<string> OpenFilesUnder(string root)
    {
        List<string> found = [];
        foreach (var descriptor in Directory.GetFiles("/proc/self/fd"))
        {
            try
            {
                if (new FileInfo(descriptor).LinkTarget is { } target && target.StartsWith(root, StringComparison.Ordinal)) found.Add(target);
            }
            catch (IOException)
            {
                // Closed between the listing and the read.
            }
        }
        return found;
    }
}
