using AssetServer.Errors;
using AssetServer.Rendering.Media;
using AssetServer.Transforms;

namespace AssetServer.Tests.Transforms;

/// <summary>Issue 20: how a poster request is parsed, keyed, sized and refused, without rendering.</summary>
public class PosterParsingTestsIssue20
{
    private static readonly TransformSource Video = new("video/mp4", 1280, 720, null, null, Duration: 4000);
    private static readonly TransformSource ShortVideo = new("video/mp4", 1280, 720, null, null, Duration: 2500);
    private static readonly TransformSource Pdf = new("application/pdf", 595, 842, null, null);

    private static TransformRequest? Parse(string query, TransformSource source)
    {
        using var fixture = new TransformFixture();
        return fixture.Parser.Parse(TransformFixture.Query(query), source, null);
    }

    [Test]
    public void DefaultFrameIsAtTenPercentCappedAtOneSecond()
    {
        Assert.That(Parse("width=100", Video)!.Poster!.Time, Is.EqualTo(0.4));
        Assert.That(Parse("width=100", new TransformSource("video/mp4", 1280, 720, null, null, Duration: 60_000))!.Poster!.Time, Is.EqualTo(1));
        Assert.That(Parse("width=100&poster_time=2.25", ShortVideo)!.Poster!.Time, Is.EqualTo(2.25));
    }

    [Test]
    public void PosterTimeAndPageAreInTheCacheKey()
    {
        Assert.That(Parse("width=100&poster_time=1", Video)!.CacheKey, Is.Not.EqualTo(Parse("width=100&poster_time=2", Video)!.CacheKey));
        Assert.That(Parse("width=100&page=2", Pdf)!.CacheKey, Is.Not.EqualTo(Parse("width=100", Pdf)!.CacheKey));
        Assert.That(Parse("width=100", Pdf)!.CacheKey, Is.EqualTo(Parse("width=100&page=1", Pdf)!.CacheKey));
    }

    [Test]
    public void ParametersThatChangeNothingStillGiveAJpegPoster()
    {
        var request = Parse("fit=cover", Video)!;
        Assert.That(request.Format, Is.EqualTo(OutputFormat.Jpg));
        Assert.That(request.Poster, Is.Not.Null);
    }

    [Test]
    public void PosterParametersChangeNothingOnAnImage() =>
        Assert.That(Parse("page=2&poster_time=3", new TransformSource("image/jpeg", 100, 100, null, null)), Is.Null);

    [Test]
    public void VideoClaimingAHundredThousandPixelsASideIsRefusedBeforeAnyWork()
    {
        var e = Assert.Throws<ApiException>(() => Parse("width=100", new TransformSource("video/mp4", 100_000, 100_000, null, null, 1000)))!;
        Assert.That(e.Code, Is.EqualTo("ILLEGAL_ASSET_TRANSFORMATION"));
    }

    [Test]
    public void PosterCostsItsProcessesOnTopOfItsPixels()
    {
        var request = Parse("width=100&format=jpg", Video)!;
        var image = Parse("width=100&format=jpg", new TransformSource("image/png", 1280, 720, null, null))!;
        var options = new AssetServer.Assets.AssetsOptions();
        Assert.That(RenderPlan.EstimateCost(request, "video/mp4", 1280, 720, options) - RenderPlan.EstimateCost(image, "image/png", 1280, 720, options),
            Is.EqualTo(StillExtractor.PosterCost));
    }

    [TestCase("width=200", 200, 283)]
    [TestCase("width=2000", 2000, 2830)]
    [TestCase("width=100&height=100&fit=cover", 100, 142)]
    [TestCase("format=png", 595, 842)]
    [TestCase("width=200&transforms=[[\"rotate\",90]]", 595, 842)]
    public void PdfPageIsRasterisedAtTheSizeTheOutputNeeds(string query, int width, int height) =>
        Assert.That(StillExtractor.RasterSize(Parse(query, Pdf)!, 595.28, 841.89, 6000), Is.EqualTo((width, height)));

    [Test]
    public void PdfRasterNeverPassesTheLargestSide() =>
        Assert.That(StillExtractor.RasterSize(Parse("width=4000", Pdf)!, 14_400, 14_400, 3000), Is.EqualTo((3000, 3000)));

    [Test]
    public void PdfinfoOutputIsReadWithTheTurnedPage()
    {
        const string text = "Title:  x\nPages:          12\nPage    3 size: 595.276 x 841.89 pts (A4)\nPage    3 rot:  90\n";
        Assert.That(MediaProbe.ParsePdfInfo(text, 3), Is.EqualTo(new PdfInfo(12, 841.89, 595.276, 90)));
        Assert.That(MediaProbe.ParsePdfInfo("Syntax Error: garbage\n", 1), Is.Null);
    }
}
