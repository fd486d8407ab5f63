using AssetServer.Assets;
using AssetServer.Caching;
using AssetServer.Data;
using AssetServer.Files;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace AssetServer.Tests.Caching;

/// <summary>Rows, memoised answers and token answers share one cache: version-tagged, bounded by bytes (issue 17).</summary>
public class VersionedCacheTests
{
    /// <summary>What an entry under a one-letter key with a value of <c>valueBytes</c> costs.</summary>
    private static long EntryBytes(long valueBytes) => VersionedCache<(long, long), string>.EntryOverhead + ApproximateSize.Of("a") + valueBytes;

    [Test]
    public void AValueIsTrustedOnlyAtTheVersionItWasMadeAt()
    {
        var cache = new VersionedCache<(long Era, long Version), string>(1 << 20);
        cache.Add("a", (1, 5), "row at 5", 10);

        Assert.That(cache.TryGet("a", (1, 5), out var value), Is.True);
        Assert.That(value, Is.EqualTo("row at 5"));
        Assert.That(cache.TryGet("a", (1, 6), out _), Is.False, "a commit moved the version on");
        Assert.That(cache.TryGet("a", (2, 5), out _), Is.False, "a new era compares with nothing earlier");
        Assert.That(cache.TryGet("b", (1, 5), out _), Is.False);
    }

    [Test]
    public void ANewerValueReplacesTheOldOneUnderItsKey()
    {
        var cache = new VersionedCache<(long, long), string>(1 << 20);
        cache.Add("a", (1, 5), "old", 10);
        cache.Add("a", (1, 6), "new", 10);
        Assert.That(cache.TryGet("a", (1, 6), out var value), Is.True);
        Assert.That(value, Is.EqualTo("new"));
        Assert.That(cache.Count, Is.EqualTo(1));
        Assert.That(cache.Bytes, Is.EqualTo(EntryBytes(10)));
    }

    [Test]
    public void TheByteBoundEvictsTheLeastRecentlyUsed()
    {
        var cache = new VersionedCache<(long, long), string>(3 * EntryBytes(100));
        foreach (var key in new[] { "a", "b", "c" }) cache.Add(key, (1, 1), key.ToUpperInvariant(), 100);
        Assert.That(cache.TryGet("a", (1, 1), out _), Is.True);

        cache.Add("d", (1, 1), "D", 100);

        Assert.That(cache.TryGet("b", (1, 1), out _), Is.False);
        Assert.That(cache.TryGet("a", (1, 1), out _), Is.True);
        Assert.That(cache.TryGet("d", (1, 1), out _), Is.True);
        Assert.That(cache.Bytes, Is.LessThanOrEqualTo(cache.MaxBytes));
    }

    [Test]
    public void AnEntryLargerThanTheBoundIsNotKept()
    {
        var cache = new VersionedCache<(long, long), string>(1000);
        cache.Add("a", (1, 1), "small", 10);
        Assert.That(cache.Add("b", (1, 1), "huge", 2000), Is.False);
        Assert.That(cache.TryGet("b", (1, 1), out _), Is.False);
        Assert.That(cache.TryGet("a", (1, 1), out _), Is.True, "a refused entry pushes nothing out");

        // Nor does a too-large value leave the older one under its key behind.
        Assert.That(cache.Add("a", (1, 2), "huge", 2000), Is.False);
        Assert.That(cache.Count, Is.Zero);
        Assert.That(cache.Bytes, Is.Zero);
    }

    [Test]
    public void ABoundOfZeroKeepsNothing()
    {
        var cache = new VersionedCache<(long, long), string>(0);
        Assert.That(cache.Add("a", (1, 1), "A", 0), Is.False);
        Assert.That(cache.TryGet("a", (1, 1), out _), Is.False);
    }

    [Test]
    public void ARowCountsItsMetadata()
    {
        var plain = new FileRecord { Id = Guid.NewGuid().ToString("D"), FilenameDownload = "a.png" };
        var heavy = plain.Clone();
        heavy.Metadata = new string('x', 64 * 1024);
        Assert.That(FileRepository.ApproximateBytes(heavy) - FileRepository.ApproximateBytes(plain), Is.EqualTo(ApproximateSize.Of(heavy.Metadata)));
        Assert.That(FileRepository.ApproximateBytes(null), Is.Zero);
    }

    [Test]
    public void AMemoEntryEndsWithTheDataVersionAndWithThePresetsGeneration()
    {
        var memo = new RepresentationMemo(Options.Create(new CachingOptions()));
        var representation = new AssetRepresentation(
            "image/png", new EntityTagHeaderValue("\"abc\""), null, "public, max-age=60", "inline", false, _ => default);
        var made = new MemoVersion((1, 7), Presets: 3);
        memo.Add("a /assets/x", made, representation, new FileRecord());

        Assert.That(memo.TryGet("a /assets/x", made, out var known), Is.True);
        Assert.That(known, Is.SameAs(representation));
        Assert.That(memo.TryGet("a /assets/x", made with { Data = (1, 8) }, out _), Is.False);
        Assert.That(memo.TryGet("a /assets/x", made with { Presets = 4 }, out _), Is.False);
    }
}

/// <summary>The <c>Caching</c> section is checked at start, and its defaults are those of appsettings.json.</summary>
public class CachingOptionsTests
{
    [TestCase("Caching:RowBytes")]
    [TestCase("Caching:MemoBytes")]
    [TestCase("Caching:TokenBytes")]
    public void ANegativeBoundStopsTheStart(string key)
    {
        using var broken = new Support.AssetServerApp((key, "-1"));
        var error = Assert.Catch(() => broken.CreateClient());
        Assert.That(error!.ToString(), Does.Contain(key));
    }

    [Test]
    public void TheDefaultsAreThoseOfAppSettings()
    {
        var root = TestContext.CurrentContext.TestDirectory;
        while (!File.Exists(Path.Combine(root, "AssetServer.sln"))) root = Path.GetDirectoryName(root)!;
        var section = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(root, "appsettings.json")))!["Caching"]!;
        var defaults = new CachingOptions();
        Assert.That(section["RowBytes"]!.GetValue<long>(), Is.EqualTo(defaults.RowBytes));
        Assert.That(section["MemoBytes"]!.GetValue<long>(), Is.EqualTo(defaults.MemoBytes));
        Assert.That(section["TokenBytes"]!.GetValue<long>(), Is.EqualTo(defaults.TokenBytes));
    }
}
