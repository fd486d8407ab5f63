using AssetServer.Assets;
using AssetServer.Transforms;

namespace AssetServer.Tests.Transforms;

[TestFixture]
public class PresetStoreTests
{
    private string _folder = null!;

    [SetUp]
    public void CreateFolder()
    {
        _folder = Path.Combine(Path.GetTempPath(), "presets-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_folder);
    }

    [TearDown]
    public void DeleteFolder() => Directory.Delete(_folder, recursive: true);

    private void WritePresets(string json) => File.WriteAllText(Path.Combine(_folder, "presets.json"), json);

    private static TransformRequest? ParseKey(PresetStore store, string key, string? accept = null) =>
        new TransformParser(Microsoft.Extensions.Options.Options.Create(new AssetsOptions()), store)
            .Parse(TransformFixture.Query("key=" + key), new TransformSource("image/jpeg", 3840, 2400, null, null), accept);

    [Test]
    public void TheRepositoryPresetsAreValid()
    {
        var repositoryPresets = Path.Combine(AssetServer.Configuration.ConfigFolder.Locate(), "presets.json");
        Assume.That(File.Exists(repositoryPresets), Is.True, "presets.json at the repository root");
        File.Copy(repositoryPresets, Path.Combine(_folder, "presets.json"));
        using var store = TransformFixture.CreatePresetStore(_folder, new AssetsOptions());
        Assert.That(store.Keys, Does.Contain("thumb").And.Contain("system-small-contain"));
        var contain = ParseKey(store, "system-small-contain", "image/webp,*/*")!;
        Assert.That(contain.Format, Is.EqualTo(OutputFormat.Webp));
        Assert.That(contain.VariesByAccept, Is.True);
        Assert.That(ParseKey(store, "card")!.Format, Is.EqualTo(OutputFormat.Jpg));
    }

    [Test]
    public void MissingFileMeansNoPresets()
    {
        using var store = TransformFixture.CreatePresetStore(_folder, new AssetsOptions());
        Assert.That(store.Keys, Is.Empty);
    }

    [Test]
    public void PresetsAreExemptFromMaxOperations()
    {
        WritePresets("""[{"key":"busy","transforms":[["flip"],["flop"],["negate"],["greyscale"],["blur",1],["median",3]]}]""");
        using var store = TransformFixture.CreatePresetStore(_folder, new AssetsOptions());
        Assert.That(ParseKey(store, "busy"), Is.Not.Null);
    }

    [Test]
    public void InvalidFileKeepsTheLastGoodSet()
    {
        WritePresets("""[{"key":"thumb","width":200,"height":200,"format":"webp"}]""");
        using var store = TransformFixture.CreatePresetStore(_folder, new AssetsOptions());
        Assert.That(store.Keys, Is.EquivalentTo(new[] { "thumb" }));

        foreach (var broken in new[]
        {
            """[{"key":"thumb","width":200},{"key":"bad","width":-5}]""",
            """[{"key":"bad","format":"bmp"}]""",
            """[{"key":"bad","transforms":[["toFile","/tmp/x"]]}]""",
            """[{"key":"bad","width":7000}]""",
            """[{"key":"a"},{"key":"a"}]""",
            """[{"width":10}]""",
            """{"key":"thumb"}""",
            """not json""",
        })
        {
            WritePresets(broken);
            Assert.That(store.Reload(), Is.False, broken);
            Assert.That(store.Keys, Is.EquivalentTo(new[] { "thumb" }), broken);
            Assert.That(ParseKey(store, "thumb")!.Format, Is.EqualTo(OutputFormat.Webp));
        }

        WritePresets("""[{"key":"card","fit":"inside","width":600,"height":400,"quality":85,"format":"jpg"}]""");
        Assert.That(store.Reload(), Is.True);
        Assert.That(store.Keys, Is.EquivalentTo(new[] { "card" }));
    }

    [Test]
    public async Task ChangedFileIsReloadedByTheWatcher()
    {
        WritePresets("""[{"key":"one","width":10}]""");
        using var store = TransformFixture.CreatePresetStore(_folder, new AssetsOptions());
        WritePresets("""[{"key":"two","width":20}]""");
        await WaitForAsync(() => store.Keys.Contains("two"));
        Assert.That(store.Keys, Is.EquivalentTo(new[] { "two" }));
    }

    [Test]
    public async Task BrokenFileSeenByTheWatcherKeepsTheLastGoodSet()
    {
        WritePresets("""[{"key":"one","width":10}]""");
        using var store = TransformFixture.CreatePresetStore(_folder, new AssetsOptions());
        var reloads = store.Reloads;
        WritePresets("""[{"key":"bad","width":-5}]""");
        await WaitForAsync(() => store.Reloads > reloads);
        Assert.That(store.Keys, Is.EquivalentTo(new[] { "one" }));
    }

    /// <summary>Polls until the watcher has acted; the deadline only bounds a failing test.</summary>
    private static async Task WaitForAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!condition() && DateTime.UtcNow < deadline) await Task.Delay(50);
    }
}
