using NetVips;

namespace AssetServer.Tests.Transforms;

/// <summary>Sources with an embedded ICC profile are converted to sRGB through it, and the profile is not copied.</summary>
public class ColourProfileTests
{
    private TransformFixture fixture = null!;

    [SetUp]
    public void CreateFixture() => fixture = new TransformFixture();

    [TearDown]
    public void Cleanup() => fixture.Dispose();

    [Test]
    public async Task CmykJpegWithItsProfileComesOutAsSrgbWithTheSameColours()
    {
        // A red and a blue half, converted to CMYK through libvips's built-in CMYK profile, which is embedded.
        var red = Image.Black(100, 50, bands: 3).NewFromImage(220, 30, 30);
        var blue = Image.Black(100, 50, bands: 3).NewFromImage(30, 40, 200);
        var srgb = red.Join(blue, Enums.Direction.Vertical).Copy(interpretation: Enums.Interpretation.Srgb);
        using var cmyk = srgb.IccTransform("cmyk", inputProfile: "srgb", embedded: false);
        Assert.That(cmyk.Bands, Is.EqualTo(4), "the source really is CMYK");
        var path = fixture.Write("cmyk.jpg", cmyk.JpegsaveBuffer(q: 95));

        var bytes = await fixture.RenderAsync(path, "image/jpeg", "width=50&format=png");

        using var output = Image.NewFromBuffer(bytes);
        Assert.That(output.Bands, Is.EqualTo(3));
        Assert.That(output.Interpretation, Is.EqualTo(Enums.Interpretation.Srgb));
        Assert.That(output.Contains("icc-profile-data"), Is.False);
        // The colours libvips itself gives converting the same CMYK file to sRGB through its embedded profile
        // (saturated blue is outside the CMYK gamut, so it does not come back as it went in).
        using var expected = Image.NewFromFile(path).IccTransform("srgb", embedded: true);
        foreach (var (x, y) in new[] { (25, 10), (25, 40) })
        {
            var got = output.Getpoint(x, y);
            var want = expected.Getpoint(x * 2, y * 2);
            for (var band = 0; band < 3; band++) Assert.That(got[band], Is.EqualTo(want[band]).Within(6), $"band {band} at {x},{y}");
        }
        Assert.That(output.Getpoint(25, 10)[0], Is.GreaterThan(output.Getpoint(25, 10)[2]), "the top stays red");
        Assert.That(output.Getpoint(25, 40)[2], Is.GreaterThan(output.Getpoint(25, 40)[0]), "the bottom stays blue");
    }
}
