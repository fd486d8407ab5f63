using AssetServer.Assets.Store;
using AssetServer.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace AssetServer.Tests.Storage;

/// <summary>
/// Issue 18: the start-up sweep took every temp file and every original with no row for a crash's leftovers, however
/// young; a write renamed into place a moment before would lose its bytes and commit its row without them. Only what
/// is older than <c>Data:SweepGrace</c> (1 hour) goes now.
/// </summary>
public class SweepGraceTests
{
    private static readonly DateTime TwoHoursAgo = DateTime.UtcNow.AddHours(-2);

    private static string Leftover(string folder, string name, bool old)
    {
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, name);
        File.WriteAllBytes(path, [1, 2, 3]);
        if (old) File.SetLastWriteTimeUtc(path, TwoHoursAgo);
        return path;
    }

    [Test]
    public void AYoungTempFileSurvivesTheStartUpSweepAndAnOldOneIsRemoved_Issue18()
    {
        using var app = new AssetServerApp();
        var young = Leftover(app.TempPath, "young.part", old: false);
        var old = Leftover(app.TempPath, "old.part", old: true);

        _ = app.Service<AssetStore>();

        Assert.That(File.Exists(young), Is.True, "a temp file younger than the grace may be an upload in flight");
        Assert.That(File.Exists(old), Is.False, "an old temp file is a crash's leftover");
    }

    [Test]
    [Category("LocalDiskOnly")]
    public void AYoungUnreferencedOriginalSurvivesTheStartUpSweepAndAnOldOneIsRemoved_Issue18()
    {
        if (TestStorage.IsS3) Assert.Ignore("originals on local disk; the bucket's sweep is tested below");
        using var app = new AssetServerApp();
        var young = Leftover(app.OriginalsPath, $"{Guid.NewGuid():D}.jpg", old: false);
        var old = Leftover(app.OriginalsPath, $"{Guid.NewGuid():D}.jpg", old: true);

        _ = app.Service<AssetStore>();

        Assert.That(File.Exists(young), Is.True, "a young original with no row may be a write about to commit its row");
        Assert.That(File.Exists(old), Is.False, "an old original with no row is a crash's leftover");
    }

    [Test]
    public void TheGraceIsConfigurable_Issue18()
    {
        using var app = new AssetServerApp(("Data:SweepGrace", "0s"));
        var young = Leftover(app.TempPath, "young.part", old: false);

        _ = app.Service<AssetStore>();

        Assert.That(File.Exists(young), Is.False, "with no grace, every leftover goes");
    }

    [Test]
    public async Task AYoungUnreferencedObjectSurvivesTheStartUpSweepAndAnOldOneIsRemoved_Issue18()
    {
        if (!TestStorage.IsS3) Assert.Ignore("s3 mode only: ASSETSERVER_TEST_STACK=postgres-s3 (or sqlite-s3) runs it");
        var dataPath = Path.Combine(Path.GetTempPath(), "assetserver-tests", Guid.NewGuid().ToString("N"));
        var originals = TestStorage.Settings(dataPath).Single(s => s.Key == "Storage:S3:Prefix").Value + "files/";
        using var s3 = Engines.S3Client();
        string oldKey = originals + $"{Guid.NewGuid():D}.bin", youngKey = originals + $"{Guid.NewGuid():D}.bin";
        await s3.PutObjectAsync(new() { BucketName = TestStorage.Bucket, Key = oldKey, ContentBody = "old" });
        // The store dates objects to the second: the young one is put at least two seconds later.
        await Task.Delay(2200);
        await s3.PutObjectAsync(new() { BucketName = TestStorage.Bucket, Key = youngKey, ContentBody = "young" });
        var listed = await s3.ListObjectsV2Async(new() { BucketName = TestStorage.Bucket, Prefix = originals });
        var youngWritten = new DateTimeOffset(listed.S3Objects.Single(o => o.Key == youngKey).LastModified!.Value.ToUniversalTime());

        // The app's clock stands just under the grace after the young object's write: it is young, the old one is not.
        using var app = new AssetServerApp(("Data:Path", dataPath)) { Clock = new FakeTimeProvider(youngWritten + TimeSpan.FromHours(1) - TimeSpan.FromSeconds(1)) };
        _ = app.Service<AssetStore>();

        var left = (await Engines.S3ObjectsAsync(originals)).Keys;
        Assert.That(left, Does.Contain(youngKey[originals.Length..]), "the young object stays");
        Assert.That(left, Does.Not.Contain(oldKey[originals.Length..]), "the old object goes");
    }
}
