using AssetServer.Assets;
using AssetServer.Errors;
using AssetServer.Transforms;
using NetVips;

namespace AssetServer.Tests.Transforms;

[TestFixture]
public class RenderPipelineTests
{
    private TransformFixture _fixture = null!;

    [SetUp]
    public void CreateFixture() => _fixture = new TransformFixture();

    [TearDown]
    public void Cleanup() => _fixture.Dispose();

    private string Landscape() => _fixture.Write("landscape.jpg", TransformFixture.Gradient(960, 600).JpegsaveBuffer());

    [TestCase("jpg", new byte[] { 0xFF, 0xD8, 0xFF }, 0)]
    [TestCase("jpeg", new byte[] { 0xFF, 0xD8, 0xFF }, 0)]
    [TestCase("png", new byte[] { 0x89, 0x50, 0x4E, 0x47 }, 0)]
    [TestCase("webp", new byte[] { 0x57, 0x45, 0x42, 0x50 }, 8)]
    [TestCase("avif", new byte[] { 0x66, 0x74, 0x79, 0x70, 0x61, 0x76, 0x69, 0x66 }, 4)]
    [TestCase("tiff", new byte[] { 0x49, 0x49, 0x2A, 0x00 }, 0)]
    [TestCase("gif", new byte[] { 0x47, 0x49, 0x46, 0x38 }, 0)]
    public async Task EachFormatIsEncodedAsAsked(string format, byte[] magic, int offset)
    {
        var bytes = await _fixture.RenderAsync(Landscape(), "image/jpeg", $"width=400&format={format}");
        Assert.That(bytes.Skip(offset).Take(magic.Length).ToArray(), Is.EqualTo(magic));
        using var image = Image.NewFromBuffer(bytes);
        Assert.That((image.Width, image.Height), Is.EqualTo((400, 250)));
    }

    [TestCase("jpg", "image/jpeg")]
    [TestCase("png", "image/png")]
    [TestCase("webp", "image/webp")]
    [TestCase("tif", "image/tiff")]
    [TestCase("avif", "image/avif")]
    [TestCase("gif", "image/gif")]
    public async Task EachSourceFormatIsDecoded(string extension, string mime)
    {
        var path = _fixture.Save("source." + extension, TransformFixture.Gradient(320, 200));
        var bytes = await _fixture.RenderAsync(path, mime, "width=160");
        using var image = Image.NewFromBuffer(bytes);
        Assert.That((image.Width, image.Height), Is.EqualTo((160, 100)));
    }

    [Test]
    public async Task DerivativesCarryNoMetadata()
    {
        var source = TransformFixture.Gradient(300, 200).Mutate(m => m.Set(GValue.GStrType, "exif-ifd0-Artist", "Someone"));
        var path = _fixture.Write("meta.jpg", source.JpegsaveBuffer());
        var bytes = await _fixture.RenderAsync(path, "image/jpeg", "width=100");
        using var image = Image.NewFromBuffer(bytes);
        Assert.That(image.Contains("exif-data"), Is.False);
        Assert.That(image.Contains("icc-profile-data"), Is.False);
    }

    [Test]
    public async Task OrientationSixComesOutUpright()
    {
        // Stored 400x225, left half red, right half blue; orientation 6 = rotate 90° clockwise to display.
        var stored = TransformFixture.Solid(200, 225, 255, 0, 0).Join(TransformFixture.Solid(200, 225, 0, 0, 255), Enums.Direction.Horizontal)
            .Mutate(m => m.Set(GValue.GIntType, "orientation", 6));
        var path = _fixture.Write("rotated.jpg", stored.JpegsaveBuffer());
        Assert.That(TransformFixture.SourceOf(path, "image/jpeg").Width, Is.EqualTo(225));

        using var image = await _fixture.RenderPixelsAsync(path, "image/jpeg", "width=200");
        Assert.That((image.Width, image.Height), Is.EqualTo((200, 356)));
        var top = image.Getpoint(100, 20);
        var bottom = image.Getpoint(100, 330);
        Assert.That(top[0], Is.GreaterThan(200), "top is the stored left (red)");
        Assert.That(bottom[2], Is.GreaterThan(200), "bottom is the stored right (blue)");

        using var fitted = await _fixture.RenderPixelsAsync(path, "image/jpeg", "width=200&height=200&fit=inside");
        Assert.That((fitted.Width, fitted.Height), Is.EqualTo((113, 200)));
    }

    [Test]
    public async Task RotateBeforeResizeMakesWidthDescribeTheFinalImage()
    {
        var path = _fixture.Write("hd.jpg", TransformFixture.Gradient(1920, 1080).JpegsaveBuffer());
        var bytes = await _fixture.RenderAsync(path, "image/jpeg", "width=100&transforms=" + Uri.EscapeDataString("[[\"rotate\",90]]"));
        Assert.That(TestImagesSize(bytes), Is.EqualTo((100, 178)));
    }

    [Test]
    public async Task CoverCropsAroundTheFocalPoint()
    {
        var source = TransformFixture.Solid(200, 200, 255, 0, 0).Join(TransformFixture.Solid(200, 200, 0, 0, 255), Enums.Direction.Horizontal);
        var path = _fixture.Write("halves.png", source.PngsaveBuffer());

        using var centred = await _fixture.RenderPixelsAsync(path, "image/png", "width=100&height=100");
        Assert.That(centred.Getpoint(5, 50)[0], Is.GreaterThan(200), "centre crop starts in the red half");
        Assert.That(centred.Getpoint(95, 50)[2], Is.GreaterThan(200), "and ends in the blue half");

        using var fromRecord = await _fixture.RenderPixelsAsync(path, "image/png", "width=100&height=100", focalX: 350, focalY: 100);
        Assert.That(fromRecord.Getpoint(5, 50)[2], Is.GreaterThan(200), "focal point on the blue half");

        using var fromQuery = await _fixture.RenderPixelsAsync(path, "image/png", "width=100&height=100&focal_point_x=10&focal_point_y=100", focalX: 350, focalY: 100);
        Assert.That(fromQuery.Getpoint(95, 50)[0], Is.GreaterThan(200), "the query's focal point wins");
    }

    [Test]
    public async Task ContainLetterboxesTransparentOrWhite()
    {
        var path = Landscape();
        using var png = await _fixture.RenderPixelsAsync(path, "image/jpeg", "width=200&height=200&fit=contain");
        Assert.That((png.Width, png.Height, png.Bands), Is.EqualTo((200, 200, 4)));
        Assert.That(png.Getpoint(100, 2)[3], Is.EqualTo(0), "band above the image is transparent");
        Assert.That(png.Getpoint(100, 100)[3], Is.EqualTo(255));

        var jpg = await _fixture.RenderAsync(path, "image/jpeg", "width=200&height=200&fit=contain");
        using var decoded = Image.NewFromBuffer(jpg);
        Assert.That(decoded.Getpoint(100, 2).Take(3), Is.All.GreaterThan(245), "JPEG letterbox is white");
    }

    [Test]
    public async Task PresetBackgroundColoursTheLetterbox()
    {
        using var fixture = new TransformFixture(presetsJson: """[{"key":"boxed","fit":"contain","width":200,"height":200,"format":"png","background":"#00ff00"}]""");
        var path = fixture.Write("l.jpg", TransformFixture.Gradient(960, 600).JpegsaveBuffer());
        var bytes = await fixture.RenderAsync(path, "image/jpeg", "key=boxed");
        using var image = Image.NewFromBuffer(bytes);
        Assert.That(image.Getpoint(100, 2).Take(3), Is.EqualTo(new double[] { 0, 255, 0 }));
    }

    [Test]
    public async Task AlphaIsFlattenedOntoWhiteForJpeg()
    {
        var transparent = TransformFixture.Solid(50, 50, 44, 44, 37).Bandjoin(0);
        var path = _fixture.Write("alpha.png", transparent.PngsaveBuffer());
        var bytes = await _fixture.RenderAsync(path, "image/png", "format=jpg");
        using var image = Image.NewFromBuffer(bytes);
        Assert.That(image.Getpoint(25, 25), Is.All.GreaterThan(245));
    }

    [Test]
    public async Task AnimatedGifKeepsItsFramesForGifAndWebp()
    {
        var frames = new[] { (255.0, 0.0, 0.0), (0.0, 255.0, 0.0), (0.0, 0.0, 255.0) }
            .Select(c => TransformFixture.Solid(120, 80, c.Item1, c.Item2, c.Item3)).ToArray();
        var strip = Image.Arrayjoin(frames, across: 1).Mutate(m =>
        {
            m.Set(GValue.GIntType, "page-height", 80);
            m.Set(GValue.ArrayIntType, "delay", new[] { 100, 100, 100 });
        });
        var path = _fixture.Write("anim.gif", strip.GifsaveBuffer());

        foreach (var format in new[] { "gif", "webp" })
        {
            var bytes = await _fixture.RenderAsync(path, "image/gif", $"width=60&format={format}");
            using var image = Image.NewFromBuffer(bytes, kwargs: new VOption { { "n", -1 } });
            Assert.That(Convert.ToInt32(image.Get("n-pages")), Is.EqualTo(3), format);
            Assert.That((image.Width, image.PageHeight), Is.EqualTo((60, 40)), format);
            Assert.That(image.Getpoint(30, 60)[1], Is.GreaterThan(200), $"{format}: second frame is green");
        }

        using var still = await _fixture.RenderPixelsAsync(path, "image/gif", "width=60");
        Assert.That((still.Width, still.Height), Is.EqualTo((60, 40)));
    }

    [TestCase("width=100")]
    [TestCase("transforms=%5B%5B%22blur%22%2C2%5D%5D")]
    public async Task TruncatedJpegIsAClientError(string query)
    {
        var full = TransformFixture.Gradient(800, 600).JpegsaveBuffer();
        var path = _fixture.Write("truncated.jpg", full[..(full.Length / 2)]);
        var request = _fixture.Parser.Parse(TransformFixture.Query(query), new TransformSource("image/jpeg", 800, 600, null, null), null)!;
        var output = Path.Combine(_fixture.Folder, "out.jpg");

        var e = Assert.ThrowsAsync<ApiException>(() => _fixture.Pipeline.RenderAsync(path, request, output, CancellationToken.None))!;
        Assert.That(e.Status, Is.EqualTo(400));
        Assert.That(e.Code, Is.EqualTo("ILLEGAL_ASSET_TRANSFORMATION"));
        Assert.That(e.Message, Does.Contain("damaged"));
        Assert.That(e.Message, Does.Not.Contain(_fixture.Folder));
        Assert.That(File.Exists(output), Is.False, "no partial derivative is left");
    }

    [Test]
    public void NonImageBytesAreAClientError()
    {
        var path = _fixture.Write("fake.jpg", "this is not an image"u8.ToArray());
        var request = _fixture.Parser.Parse(TransformFixture.Query("width=10"), new TransformSource("image/jpeg", null, null, null, null), null)!;
        var e = Assert.ThrowsAsync<ApiException>(() => _fixture.Pipeline.RenderAsync(path, request, Path.Combine(_fixture.Folder, "o"), CancellationToken.None))!;
        Assert.That(e.Status, Is.EqualTo(400));
    }

    [Test]
    public void SourceOverMaxInputPixelsIsRefusedBeforeDecoding()
    {
        using var fixture = new TransformFixture(new AssetsOptions { MaxInputPixels = 10_000 });
        var path = fixture.Write("big.png", TransformFixture.Gradient(200, 100).PngsaveBuffer());
        // The record does not know the size: the pipeline reads it from the header.
        var request = fixture.Parser.Parse(TransformFixture.Query("width=50"), new TransformSource("image/png", null, null, null, null), null)!;
        var e = Assert.ThrowsAsync<ApiException>(() => fixture.Pipeline.RenderAsync(path, request, Path.Combine(fixture.Folder, "o"), CancellationToken.None))!;
        Assert.That(e.Code, Is.EqualTo("ILLEGAL_ASSET_TRANSFORMATION"));
    }

    [Test]
    public void SourceOverMaxDimensionIsRefusedByThePipelineToo()
    {
        using var fixture = new TransformFixture(new AssetsOptions { MaxDimension = 150 });
        var path = fixture.Write("wide.png", TransformFixture.Gradient(200, 100).PngsaveBuffer());
        var request = fixture.Parser.Parse(TransformFixture.Query("width=50"), new TransformSource("image/png", null, null, null, null), null)!;
        var e = Assert.ThrowsAsync<ApiException>(() => fixture.Pipeline.RenderAsync(path, request, Path.Combine(fixture.Folder, "o"), CancellationToken.None))!;
        Assert.That(e.Code, Is.EqualTo("ILLEGAL_ASSET_TRANSFORMATION"));
    }

    [Test]
    public void CancellationStopsALongRender()
    {
        var path = _fixture.Write("large.png", TransformFixture.Gradient(3000, 3000).PngsaveBuffer(compression: 1));
        // Minutes of work with one libvips thread: a 15x15 median over 9 MP, twice, then a wide blur.
        var request = _fixture.Parse(path, "image/png", "transforms=" + Uri.EscapeDataString(
            "[[\"median\",15],[\"median\",15],[\"blur\",100],[\"clahe\",{\"width\":500,\"height\":500}]]"));
        var output = Path.Combine(_fixture.Folder, "blurred.png");
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));

        Assert.That(async () => await _fixture.Pipeline.RenderAsync(path, request, output, cts.Token),
            Throws.InstanceOf<OperationCanceledException>());
        Assert.That(File.Exists(output), Is.False);
    }

    [Test]
    public void AlreadyCancelledTokenDoesNotStart()
    {
        var path = Landscape();
        var request = _fixture.Parse(path, "image/jpeg", "width=10");
        Assert.That(async () => await _fixture.Pipeline.RenderAsync(path, request, Path.Combine(_fixture.Folder, "x"), new CancellationToken(true)),
            Throws.InstanceOf<OperationCanceledException>());
    }

    [Test]
    public void OnlyWebImageTypesAreTransformable()
    {
        foreach (var mime in new[] { "image/jpeg", "image/png", "image/webp", "image/tiff", "image/avif", "image/gif", "IMAGE/JPEG; charset=x" })
            Assert.That(RenderPipeline.CanTransform(mime), Is.True, mime);
        foreach (var mime in new[] { "image/svg+xml", "application/pdf", "text/plain", "image/bmp", "video/mp4" })
            Assert.That(RenderPipeline.CanTransform(mime), Is.False, mime);
    }

    private static (int, int) TestImagesSize(byte[] bytes)
    {
        using var image = Image.NewFromBuffer(bytes);
        return (image.Width, image.Height);
    }
}
