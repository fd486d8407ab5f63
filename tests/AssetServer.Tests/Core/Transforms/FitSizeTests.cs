using NetVips;

namespace AssetServer.Tests.Transforms;

/// <summary>DIRECTUS-BEHAVIOUR §5a: output sizes per fit mode, rendered for real.</summary>
[TestFixture]
public class FitSizeTests
{
    private TransformFixture _fixture = null!;
    private readonly Dictionary<string, string> _sources = [];

    [OneTimeSetUp]
    public void CreateSources()
    {
        _fixture = new TransformFixture();
        foreach (var (name, w, h) in new[] { ("landscape", 3840, 2400), ("portrait", 2400, 3840), ("square", 1000, 1000), ("hd", 1920, 1080) })
        {
            _sources[name] = _fixture.Write(name + ".jpg", TransformFixture.Gradient(w, h).JpegsaveBuffer(q: 70));
        }
    }

    [OneTimeTearDown]
    public void Cleanup() => _fixture.Dispose();

    private static IEnumerable<TestCaseData> Table()
    {
        // source, query, expected width x height
        (string, string, int, int)[] rows =
        [
            ("landscape", "width=200&height=200&fit=cover", 200, 200),
            ("landscape", "width=200&height=200&fit=contain", 200, 200),
            ("landscape", "width=200&height=200&fit=inside", 200, 125),
            ("landscape", "width=200&height=200&fit=outside", 320, 200),
            ("landscape", "width=200&height=200&fit=fill", 200, 200),
            ("landscape", "width=200&height=200", 200, 200),
            ("landscape", "width=400&height=100&fit=cover", 400, 100),
            ("landscape", "width=400&height=100&fit=contain", 400, 100),
            ("landscape", "width=400&height=100&fit=inside", 160, 100),
            ("landscape", "width=400&height=100&fit=outside", 400, 250),
            ("landscape", "width=400&height=100&fit=fill", 400, 100),
            ("landscape", "width=100&height=400&fit=cover", 100, 400),
            ("landscape", "width=100&height=400&fit=contain", 100, 400),
            ("landscape", "width=100&height=400&fit=inside", 100, 63),
            ("landscape", "width=100&height=400&fit=outside", 640, 400),
            ("landscape", "width=100&height=400&fit=fill", 100, 400),
            ("landscape", "width=300", 300, 188),
            ("landscape", "height=300", 480, 300),
            ("landscape", "width=300&fit=inside", 300, 188),
            ("portrait", "width=200&height=200&fit=inside", 125, 200),
            ("portrait", "width=200&height=200&fit=outside", 200, 320),
            ("portrait", "width=400&height=100&fit=inside", 63, 100),
            ("portrait", "width=400&height=100&fit=outside", 400, 640),
            ("portrait", "width=100&height=400&fit=inside", 100, 160),
            ("portrait", "width=100&height=400&fit=outside", 250, 400),
            ("portrait", "width=100&height=400&fit=cover", 100, 400),
            ("portrait", "width=300", 300, 480),
            ("square", "width=400&height=100&fit=inside", 100, 100),
            ("square", "width=400&height=100&fit=outside", 400, 400),
            ("square", "width=400&height=100&fit=contain", 400, 100),
            ("square", "width=100&height=400&fit=cover", 100, 400),
            ("square", "height=250", 250, 250),
            ("hd", "width=5000", 5000, 2813),
            ("hd", "width=5000&withoutEnlargement=true", 1920, 1080),
            ("hd", "width=3000&height=200&fit=cover&withoutEnlargement=true", 1920, 200),
            ("hd", "width=4000&height=4000&fit=inside&withoutEnlargement=1", 1920, 1080),
            ("hd", "width=3000&height=500&fit=fill&withoutEnlargement=true", 1920, 500),
            ("hd", "width=3000&height=200&fit=cover&withoutEnlargement=false", 3000, 200),
        ];
        return rows.Select(r => new TestCaseData(r.Item1, r.Item2).Returns($"{r.Item3}x{r.Item4}").SetName($"{r.Item1} {r.Item2}"));
    }

    [TestCaseSource(nameof(Table))]
    public async Task<string> OutputSizeMatchesSharp(string source, string query)
    {
        var bytes = await _fixture.RenderAsync(_sources[source], "image/jpeg", query);
        using var image = Image.NewFromBuffer(bytes);
        return $"{image.Width}x{image.Height}";
    }
}
