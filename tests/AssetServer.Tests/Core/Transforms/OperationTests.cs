using NetVips;

namespace AssetServer.Tests.Transforms;

/// <summary>Each allowed operation changes pixels the way sharp's does (rendered to PNG and decoded).</summary>
[TestFixture]
public class OperationTests
{
    private TransformFixture _fixture = null!;
    private string _solid = null!;
    private string _halvesHorizontal = null!;
    private string _halvesVertical = null!;
    private string _noise = null!;
    private string _gradient = null!;
    private string _transparent = null!;

    [OneTimeSetUp]
    public void CreateSources()
    {
        _fixture = new TransformFixture();
        _solid = _fixture.Write("solid.png", TransformFixture.Solid(64, 48, 10, 20, 30).PngsaveBuffer());
        _halvesHorizontal = _fixture.Write("lr.png", TransformFixture.Solid(32, 48, 255, 0, 0)
            .Join(TransformFixture.Solid(32, 48, 0, 0, 255), Enums.Direction.Horizontal).PngsaveBuffer());
        _halvesVertical = _fixture.Write("tb.png", TransformFixture.Solid(64, 24, 255, 0, 0)
            .Join(TransformFixture.Solid(64, 24, 0, 0, 255), Enums.Direction.Vertical).PngsaveBuffer());
        _noise = _fixture.Write("noise.png", (Image.Gaussnoise(64, 64, sigma: 40, mean: 128).Cast(Enums.BandFormat.Uchar).Bandjoin(
            Image.Gaussnoise(64, 64, sigma: 40, mean: 128).Cast(Enums.BandFormat.Uchar),
            Image.Gaussnoise(64, 64, sigma: 40, mean: 128).Cast(Enums.BandFormat.Uchar))).Copy(interpretation: Enums.Interpretation.Srgb).PngsaveBuffer());
        _gradient = _fixture.Write("gradient.png", TransformFixture.Gradient(64, 48).PngsaveBuffer());
        _transparent = _fixture.Write("alpha.png", TransformFixture.Solid(20, 20, 200, 100, 50).Bandjoin(0).PngsaveBuffer());
    }

    [OneTimeTearDown]
    public void Cleanup() => _fixture.Dispose();

    private Task<Image> Run(string source, string transforms) =>
        _fixture.RenderPixelsAsync(source, "image/png", "transforms=" + Uri.EscapeDataString(transforms));

    private static double[] Pixel(Image image, int x, int y) => image.Getpoint(x, y);

    [Test]
    public async Task NegateInvertsAKnownPixel()
    {
        using var image = await Run(_solid, """[["negate"]]""");
        Assert.That(Pixel(image, 5, 5), Is.EqualTo(new double[] { 245, 235, 225 }));
    }

    [Test]
    public async Task NegateCanKeepAlpha()
    {
        using var image = await Run(_transparent, """[["negate",{"alpha":false}]]""");
        Assert.That(Pixel(image, 5, 5), Is.EqualTo(new double[] { 55, 155, 205, 0 }));
    }

    [Test]
    public async Task FlipMovesTheTopToTheBottom()
    {
        using var image = await Run(_halvesVertical, """[["flip"]]""");
        Assert.That(Pixel(image, 5, 2), Is.EqualTo(new double[] { 0, 0, 255 }));
        Assert.That(Pixel(image, 5, 45), Is.EqualTo(new double[] { 255, 0, 0 }));
    }

    [Test]
    public async Task FlopMovesTheLeftToTheRight()
    {
        using var image = await Run(_halvesHorizontal, """[["flop"]]""");
        Assert.That(Pixel(image, 2, 5), Is.EqualTo(new double[] { 0, 0, 255 }));
        Assert.That(Pixel(image, 61, 5), Is.EqualTo(new double[] { 255, 0, 0 }));
    }

    [Test]
    public async Task RotateNinetySwapsDimensions()
    {
        using var image = await Run(_halvesHorizontal, """[["rotate",90]]""");
        Assert.That((image.Width, image.Height), Is.EqualTo((48, 64)));
        Assert.That(Pixel(image, 5, 2), Is.EqualTo(new double[] { 255, 0, 0 }), "the left (red) half is on top after a clockwise turn");
    }

    [Test]
    public async Task RotateByAnAngleGrowsTheCanvas()
    {
        using var image = await Run(_solid, """[["rotate",45,{"background":"#ffffff"}]]""");
        Assert.That(image.Width, Is.InRange(78, 80));
        Assert.That(Pixel(image, 0, 0).Take(3), Is.All.EqualTo(255));
    }

    [Test]
    public async Task GreyscaleGivesEqualBands()
    {
        using var image = await Run(_gradient, """[["greyscale"]]""");
        Assert.That(image.Bands, Is.EqualTo(1));
        using var grey = await Run(_gradient, """[["grayscale"],["toColourspace","srgb"]]""");
        var p = Pixel(grey, 40, 30);
        Assert.That(p[0], Is.EqualTo(p[1]).And.EqualTo(p[2]));
    }

    [Test]
    public async Task BlurReducesVariance()
    {
        using var source = Image.NewFromFile(_noise);
        using var image = await Run(_noise, """[["blur",3]]""");
        Assert.That(image.Deviate(), Is.LessThan(source.Deviate() / 2));
        using var box = await Run(_noise, """[["blur"]]""");
        Assert.That(box.Deviate(), Is.LessThan(source.Deviate()));
    }

    [Test]
    public async Task MedianReducesVariance()
    {
        using var source = Image.NewFromFile(_noise);
        using var image = await Run(_noise, """[["median",5]]""");
        Assert.That(image.Deviate(), Is.LessThan(source.Deviate() / 2));
    }

    [Test]
    public async Task SharpenIncreasesEdgeContrast()
    {
        var soft = _fixture.Write("soft.png", TransformFixture.Gradient(64, 64).Gaussblur(2).PngsaveBuffer());
        using var source = Image.NewFromFile(soft);
        using var image = await Run(soft, """[["sharpen",{"sigma":2,"m2":5}]]""");
        Assert.That((image - source).Abs().Max(), Is.GreaterThan(0));
        using var mild = await Run(soft, """[["sharpen"]]""");
        Assert.That((mild - source).Abs().Max(), Is.GreaterThan(0));
    }

    [Test]
    public async Task ExtractCutsTheArea()
    {
        using var image = await Run(_halvesHorizontal, """[["extract",{"left":30,"top":5,"width":20,"height":10}]]""");
        Assert.That((image.Width, image.Height), Is.EqualTo((20, 10)));
        Assert.That(Pixel(image, 0, 0), Is.EqualTo(new double[] { 255, 0, 0 }));
        Assert.That(Pixel(image, 19, 0), Is.EqualTo(new double[] { 0, 0, 255 }));
    }

    [Test]
    public async Task ExtendAddsBlackBorders()
    {
        using var image = await Run(_solid, """[["extend",5]]""");
        Assert.That((image.Width, image.Height), Is.EqualTo((74, 58)));
        Assert.That(Pixel(image, 0, 0), Is.EqualTo(new double[] { 0, 0, 0 }));
        Assert.That(Pixel(image, 10, 10), Is.EqualTo(new double[] { 10, 20, 30 }));
        using var sides = await Run(_solid, """[["extend",{"top":1,"bottom":2,"left":3,"right":4,"background":"#ff0000"}]]""");
        Assert.That((sides.Width, sides.Height), Is.EqualTo((71, 51)));
        Assert.That(Pixel(sides, 0, 20), Is.EqualTo(new double[] { 255, 0, 0 }));
        using var copied = await Run(_solid, """[["extend",{"left":3,"extendWith":"copy"}]]""");
        Assert.That(Pixel(copied, 0, 20), Is.EqualTo(new double[] { 10, 20, 30 }));
    }

    [Test]
    public async Task ExtendRunsAfterTheResize()
    {
        using var image = await _fixture.RenderPixelsAsync(_solid, "image/png", "width=32&transforms=" + Uri.EscapeDataString("""[["extend",4]]"""));
        Assert.That((image.Width, image.Height), Is.EqualTo((40, 32)));
    }

    [Test]
    public async Task TintColoursGreyPixels()
    {
        var grey = _fixture.Write("grey.png", TransformFixture.Solid(20, 20, 128, 128, 128).PngsaveBuffer());
        using var image = await Run(grey, """[["tint","rgb(255,0,0)"]]""");
        var p = Pixel(image, 5, 5);
        Assert.That(p[0], Is.GreaterThan(p[1] + 40));
        Assert.That(p[0], Is.GreaterThan(p[2] + 40));
    }

    [Test]
    public async Task GammaChangesMidtones()
    {
        var mid = _fixture.Write("mid.png", TransformFixture.Solid(20, 20, 128, 128, 128).PngsaveBuffer());
        using var image = await Run(mid, """[["gamma",2.2,1.0]]""");
        Assert.That(Pixel(image, 5, 5)[0], Is.Not.EqualTo(128));
    }

    [Test]
    public async Task ModulateBrightens()
    {
        using var image = await Run(_solid, """[["modulate",{"brightness":2}]]""");
        Assert.That(Pixel(image, 5, 5).Sum(), Is.GreaterThan(10 + 20 + 30 + 30));
    }

    [Test]
    public async Task ThresholdLeavesOnlyBlackAndWhite()
    {
        using var image = await Run(_gradient, """[["threshold",100]]""");
        Assert.That(image.Bands, Is.EqualTo(1));
        using var histogram = image.HistFind();
        var nonEmpty = Enumerable.Range(0, 256).Where(v => histogram.Getpoint(v, 0)[0] > 0).ToArray();
        Assert.That(nonEmpty, Is.EqualTo(new[] { 0, 255 }));
    }

    [Test]
    public async Task FlattenUsesTheBackground()
    {
        using var image = await Run(_transparent, """[["flatten",{"background":"#00ff00"}]]""");
        Assert.That(Pixel(image, 5, 5), Is.EqualTo(new double[] { 0, 255, 0 }));
    }

    [Test]
    public async Task TrimRemovesUniformEdges()
    {
        var framed = TransformFixture.Solid(44, 28, 255, 0, 0).Embed(10, 10, 64, 48, extend: Enums.Extend.White);
        var path = _fixture.Write("framed.png", framed.PngsaveBuffer());
        using var image = await Run(path, """[["trim"]]""");
        Assert.That((image.Width, image.Height), Is.EqualTo((44, 28)));
    }

    [Test]
    public async Task ResizeInsideTransformsApplies()
    {
        using var image = await Run(_gradient, """[["resize",{"width":32}]]""");
        Assert.That((image.Width, image.Height), Is.EqualTo((32, 24)));
        using var both = await Run(_gradient, """[["resize",50,30]]""");
        Assert.That((both.Width, both.Height), Is.EqualTo((50, 30)));
    }

    [Test]
    public async Task TopLevelSizeWinsOverResizeOperation()
    {
        using var image = await _fixture.RenderPixelsAsync(_gradient, "image/png", "width=16&transforms=" + Uri.EscapeDataString("""[["resize",{"width":32}]]"""));
        Assert.That(image.Width, Is.EqualTo(16));
    }

    [Test]
    public async Task LinearScalesValues()
    {
        using var image = await Run(_solid, """[["linear",2,1]]""");
        Assert.That(Pixel(image, 5, 5), Is.EqualTo(new double[] { 21, 41, 61 }));
        using var perBand = await Run(_solid, """[["linear",[1,2,3],[0,0,0]]]""");
        Assert.That(Pixel(perBand, 5, 5), Is.EqualTo(new double[] { 10, 40, 90 }));
    }

    [Test]
    public async Task RecombMixesChannels()
    {
        using var image = await Run(_solid, """[["recomb",[[0,0,1],[0,1,0],[1,0,0]]]]""");
        Assert.That(Pixel(image, 5, 5), Is.EqualTo(new double[] { 30, 20, 10 }));
    }

    [Test]
    public async Task ClaheRaisesLocalContrast()
    {
        var flat = _fixture.Write("flat.png", (TransformFixture.Gradient(64, 64) * 0.1 + 100).Cast(Enums.BandFormat.Uchar).PngsaveBuffer());
        using var source = Image.NewFromFile(flat);
        using var image = await Run(flat, """[["clahe",{"width":8,"height":8,"maxSlope":5}]]""");
        Assert.That(image.Deviate(), Is.GreaterThan(source.Deviate()));
    }

    [Test]
    public async Task NormaliseStretchesTheRange()
    {
        var flat = _fixture.Write("flat2.png", (TransformFixture.Gradient(64, 64) * 0.2 + 100).Cast(Enums.BandFormat.Uchar).PngsaveBuffer());
        using var image = await Run(flat, """[["normalise"]]""");
        Assert.That(image.Max(), Is.GreaterThan(200));
        Assert.That(image.Min(), Is.LessThan(60));
    }

    [Test]
    public async Task ConvolveAppliesTheKernel()
    {
        using var image = await Run(_solid, """[["convolve",{"width":3,"height":3,"kernel":[0,0,0,0,2,0,0,0,0],"scale":1}]]""");
        Assert.That(Pixel(image, 10, 10), Is.EqualTo(new double[] { 20, 40, 60 }));
    }

    [Test]
    public async Task AlphaOperationsAddAndRemoveTheBand()
    {
        using var added = await Run(_solid, """[["ensureAlpha",0.5]]""");
        Assert.That(added.Bands, Is.EqualTo(4));
        Assert.That(Pixel(added, 1, 1)[3], Is.EqualTo(128));
        using var removed = await Run(_transparent, """[["removeAlpha"]]""");
        Assert.That(removed.Bands, Is.EqualTo(3));
    }

    [Test]
    public async Task ExtractChannelKeepsOneBand()
    {
        using var image = await Run(_solid, """[["extractChannel","blue"]]""");
        Assert.That(image.Bands, Is.EqualTo(1));
        Assert.That(Pixel(image, 1, 1), Is.EqualTo(new double[] { 30 }));
    }

    [Test]
    public void ExtractChannelOutsideTheImageIsInvalidQuery()
    {
        var request = _fixture.Parse(_solid, "image/png", "transforms=" + Uri.EscapeDataString("""[["extractChannel","alpha"]]"""));
        var e = Assert.ThrowsAsync<AssetServer.Errors.ApiException>(() =>
            _fixture.Pipeline.RenderAsync(_solid, request, Path.Combine(_fixture.Folder, "x.png"), CancellationToken.None))!;
        Assert.That(e.Code, Is.EqualTo("INVALID_QUERY"));
    }

    [Test]
    public async Task OutputOperationsChooseTheFormat()
    {
        var webp = await _fixture.RenderAsync(_solid, "image/png", "transforms=" + Uri.EscapeDataString("""[["toFormat","webp",{"quality":50}]]"""));
        Assert.That(System.Text.Encoding.ASCII.GetString(webp, 8, 4), Is.EqualTo("WEBP"));
        var jpeg = await _fixture.RenderAsync(_solid, "image/png", "transforms=" + Uri.EscapeDataString("""[["jpeg",{"quality":90}]]"""));
        Assert.That(jpeg[..2], Is.EqualTo(new byte[] { 0xFF, 0xD8 }));
        var request = _fixture.Parse(_solid, "image/png", "format=png&transforms=" + Uri.EscapeDataString("""[["jpeg"]]"""));
        Assert.That(request.Format.Name, Is.EqualTo("png"), "the query's format wins");
    }
}
