using AssetServer.Assets;
using AssetServer.Errors;
using AssetServer.Transforms;
using NetVips;

namespace AssetServer.Tests.Transforms;

/// <summary>libvips failures are sorted by what failed: the source (400) or the render itself (RenderFailedException, a 500).</summary>
[TestFixture]
public class RenderFailureTests
{
    private TransformFixture _fixture = null!;

    [SetUp]
    public void CreateFixture() => _fixture = new TransformFixture(new AssetsOptions { MaxDimension = 20000 });

    [TearDown]
    public void Cleanup() => _fixture.Dispose();

    private static TransformRequest Request(TransformFixture fixture, string query, string mime) =>
        fixture.Parser.Parse(TransformFixture.Query(query), new TransformSource(mime, 400, 300, null, null), null)!;

    // Each saved whole, then cut: truncated files fail in the loader at different points (header, pixels during save).
    [TestCase("jpg", "image/jpeg", 0.5)]
    [TestCase("png", "image/png", 0.5)]
    [TestCase("webp", "image/webp", 0.5)]
    [TestCase("gif", "image/gif", 0.5)]
    [TestCase("tif", "image/tiff", 0.5)]
    [TestCase("avif", "image/avif", 0.5)]
    [TestCase("jpg", "image/jpeg", 0.9)]
    [TestCase("png", "image/png", 0.9)]
    public void DamagedSourceOfEachFormatIsAClientError(string extension, string mime, double kept)
    {
        var whole = _fixture.Save("whole." + extension, TransformFixture.Gradient(400, 300));
        var bytes = File.ReadAllBytes(whole);
        var path = _fixture.Write("damaged." + extension, bytes[..(int)(bytes.Length * kept)]);
        var output = Path.Combine(_fixture.Folder, "out");

        foreach (var query in new[] { "width=100&format=webp", "transforms=%5B%5B%22flip%22%5D%5D&format=jpg" })
        {
            var e = Assert.ThrowsAsync<ApiException>(() => _fixture.Pipeline.RenderAsync(path, Request(_fixture, query, mime), output, CancellationToken.None))!;
            Assert.That(e.Status, Is.EqualTo(400), query);
            Assert.That(e.Code, Is.EqualTo("ILLEGAL_ASSET_TRANSFORMATION"), query);
            Assert.That(e.Message, Does.Not.Contain(_fixture.Folder), query);
            Assert.That(File.Exists(output), Is.False, query);
        }
    }

    [Test]
    public void EncoderRefusingTheImageIsARenderFailure()
    {
        // WebP cannot hold an image wider than 16383 pixels: libvips answers "webpsave: image too large".
        var path = _fixture.Write("small.png", TransformFixture.Gradient(40, 30).PngsaveBuffer());
        var request = Request(_fixture, "width=20000&height=1&fit=fill&format=webp", "image/png");
        var output = Path.Combine(_fixture.Folder, "wide.webp");

        var e = Assert.ThrowsAsync<RenderFailedException>(() => _fixture.Pipeline.RenderAsync(path, request, output, CancellationToken.None))!;
        Assert.That(e.Detail, Does.Contain("webpsave"));
        Assert.That(e.Message, Does.Not.Contain("webpsave").And.Not.Contain(_fixture.Folder));
        Assert.That(File.Exists(output), Is.False);
    }

    [Test]
    public void FailedWriteIsARenderFailureWithoutPathsInItsMessage()
    {
        var path = _fixture.Write("small.jpg", TransformFixture.Gradient(40, 30).JpegsaveBuffer());
        var request = Request(_fixture, "width=20", "image/jpeg");
        var output = Path.Combine(_fixture.Folder, "no-such-folder", "out.jpg");

        var e = Assert.ThrowsAsync<RenderFailedException>(() => _fixture.Pipeline.RenderAsync(path, request, output, CancellationToken.None))!;
        Assert.That(e.Detail, Does.Contain("unable to open for write"));
        Assert.That(e.Message, Does.Not.Contain(_fixture.Folder));
    }

    [Test]
    public void ScopeDisposesEveryImageItOwnsOnce()
    {
        var scope = new RenderScope();
        var a = scope.Own(Image.Black(4, 4));
        var b = scope.Own(a.Invert());
        Assert.That(scope.Own(a), Is.SameAs(a));
        Assert.That(scope.Count, Is.EqualTo(2));

        scope.Dispose();
        Assert.That(a.IsClosed && b.IsClosed, Is.True);
        Assert.That(scope.Count, Is.Zero);
    }
}
