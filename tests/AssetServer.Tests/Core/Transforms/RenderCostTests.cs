using AssetServer.Assets;
using AssetServer.Transforms;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;

namespace AssetServer.Tests.Transforms;

/// <summary>Issue 9: renders are admitted by what they cost (pixels decoded + pixels encoded, by encoder), worked out before queueing.</summary>
public class RenderCostTests
{
    private TransformFixture fixture = null!;

    [OneTimeSetUp]
    public void Start() => fixture = new TransformFixture();

    [OneTimeTearDown]
    public void Stop() => fixture.Dispose();

    private long? Cost(string query, string type, int width, int height)
    {
        var request = fixture.Parser.Parse(new QueryCollection(QueryHelpers.ParseQuery(query)),
            new TransformSource(type, Math.Min(width, 1000), Math.Min(height, 1000), null, null), null)!;
        return RenderPlan.EstimateCost(request, type, width, height, fixture.Options);
    }

    [Test]
    public void AJpegThumbnailDecodesAtAnEighthAndIsCheap()
    {
        // 6000×4000 at 1/8 = 750×500 decoded, 200×200 WebP encoded at twice the weight.
        Assert.That(Cost("width=200&height=200&fit=cover&format=webp", "image/jpeg", 6000, 4000), Is.EqualTo(750L * 500 + 200 * 200 * 2));
        Assert.That(Cost("width=200&height=200&fit=cover&format=webp", "image/jpeg", 6000, 4000), Is.LessThanOrEqualTo(new AssetsOptions().CheapRenderPixels));
    }

    [Test]
    public void APngHasNoShrinkOnLoadSoTheSameThumbnailIsNotCheap()
    {
        Assert.That(Cost("width=200&height=200&fit=cover&format=webp", "image/png", 6000, 4000), Is.EqualTo(6000L * 4000 + 200 * 200 * 2));
    }

    [Test]
    public void ALargeOutputCostsItsPixelsByEncoder()
    {
        Assert.That(Cost("width=4000&height=4000&fit=fill&format=jpg", "image/jpeg", 4000, 4000), Is.EqualTo(16_000_000L + 16_000_000L));
        Assert.That(Cost("width=1000&height=1000&fit=fill&format=avif", "image/jpeg", 4000, 4000), Is.EqualTo(16_000_000L / 16 + 8_000_000L));
    }

    [Test]
    public void AnUnknownOrImpossibleStoredSizeLeavesTheDecisionToTheRender()
    {
        Assert.That(Cost("width=200&format=webp", "image/jpeg", 0, 0), Is.Null);
        Assert.That(Cost("width=200&format=webp", "image/jpeg", 100_000, 100), Is.Null);
    }
}
