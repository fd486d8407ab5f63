using AssetServer.Assets;
using AssetServer.Transforms;

namespace AssetServer.Tests.Assets;

public class ByteRangesTests
{
    private static readonly object[] Cases =
    [
        new object?[] { "bytes=0-99", 1000L, "0-99" },
        new object?[] { "bytes=0-0", 1000L, "0-0" },
        new object?[] { "bytes=-100", 1000L, "900-999" },
        new object?[] { "bytes=100-", 1000L, "100-999" },
        new object?[] { "bytes=-5000", 1000L, "0-999" },
        new object?[] { "bytes=990-5000", 1000L, "990-999" },
        new object?[] { "bytes=0-99,200-299", 1000L, "0-99 200-299" },
        new object?[] { "bytes=200-299,0-99", 1000L, "0-99 200-299" },
        new object?[] { "bytes=0-99,100-199", 1000L, "0-199" },
        new object?[] { "bytes=0-99,50-149", 1000L, "0-149" },
        new object?[] { "BYTES=0-1", 1000L, "0-1" },
        new object?[] { "bytes=1000-", 1000L, "" },
        new object?[] { "bytes=-0", 1000L, "" },
        new object?[] { "bytes=1000-,5-9", 1000L, "5-9" },
        new object?[] { "bytes=5-3", 1000L, null },
        new object?[] { "bytes=", 1000L, null },
        new object?[] { "pages=1-2", 1000L, null },
        new object?[] { "bytes=0-9", 0L, null },
        new object?[] { "", 1000L, null },
    ];

    [TestCaseSource(nameof(Cases))]
    public void ResolvesTheRangesToSend(string header, long length, string? expected)
    {
        var ranges = ByteRanges.Resolve(header, length);
        var text = ranges is null ? null : string.Join(" ", ranges.Select(r => $"{r.Start}-{r.End}"));
        Assert.That(text, Is.EqualTo(expected));
    }

    [Test]
    public void ManyRangesAreIgnored()
    {
        var header = "bytes=" + string.Join(",", Enumerable.Range(0, ByteRanges.MaxRanges + 1).Select(i => $"{i * 10}-{i * 10 + 1}"));
        Assert.That(ByteRanges.Resolve(header, 100_000), Is.Null);
    }
}

public class DispositionHeaderTests
{
    [TestCase(false, "photo.jpg", "inline; filename=\"photo.jpg\"; filename*=UTF-8''photo.jpg")]
    [TestCase(true, "my file (1).jpg", "attachment; filename=\"my file (1).jpg\"; filename*=UTF-8''my%20file%20%281%29.jpg")]
    [TestCase(true, "ünïcode name.jpg", "attachment; filename=\"_n_code name.jpg\"; filename*=UTF-8''%C3%BCn%C3%AFcode%20name.jpg")]
    [TestCase(false, "日本.png", "inline; filename=\"__.png\"; filename*=UTF-8''%E6%97%A5%E6%9C%AC.png")]
    [TestCase(false, "a\"b\\c\r\nd.jpg", "inline; filename=\"a_b_c__d.jpg\"; filename*=UTF-8''a%22b%5Cc%0D%0Ad.jpg")]
    [TestCase(false, "", "inline; filename=\"file\"; filename*=UTF-8''file")]
    public void BuildsBothNames(bool attachment, string name, string expected) =>
        Assert.That(DispositionHeader.Build(attachment, name), Is.EqualTo(expected));

    [TestCase("landscape.jpg", "webp", "landscape.webp")]
    [TestCase("archive.tar.gz", "png", "archive.tar.png")]
    [TestCase("noext", "avif", "noext.avif")]
    public void DerivativeNameTakesTheOutputExtension(string name, string extension, string expected) =>
        Assert.That(DispositionHeader.WithExtension(name, extension), Is.EqualTo(expected));
}

public class AssetIdTests
{
    [TestCase("3af58e3d-0d4a-4ce4-9f43-3a11d782cf55", "3af58e3d-0d4a-4ce4-9f43-3a11d782cf55")]
    [TestCase("3AF58E3D-0D4A-4CE4-9F43-3A11D782CF55", "3af58e3d-0d4a-4ce4-9f43-3a11d782cf55")]
    [TestCase("3af58e3d-0d4a-4ce4-9f43-3a11d782cf55JUNK", "3af58e3d-0d4a-4ce4-9f43-3a11d782cf55")]
    [TestCase("3af58e3d0d4a4ce49f433a11d782cf55", null)]
    [TestCase("{3af58e3d-0d4a-4ce4-9f43-3a11d782cf5}", null)]
    [TestCase("short", null)]
    public void FirstThirtySixCharactersMustBeAUuid(string raw, string? expected) =>
        Assert.That(AssetResolver.ParseId(raw), Is.EqualTo(expected));
}

public class TransformQueryTests
{
    [Test]
    public void OnlyTransformParametersReachTheParser()
    {
        var query = new Microsoft.AspNetCore.Http.QueryCollection(new Dictionary<string, Microsoft.Extensions.Primitives.StringValues>
        {
            ["width"] = "100", ["withoutEnlargement"] = "true", ["access_token"] = "secret", ["download"] = "", ["v"] = "3",
        });
        Assert.That(TransformParameters.AsksForTransform(query), Is.True);
        Assert.That(TransformParameters.Only(query).Keys, Is.EquivalentTo(new[] { "width", "withoutEnlargement" }));
    }

    [Test]
    public void WithoutTransformParametersTheOriginalIsServed()
    {
        var query = new Microsoft.AspNetCore.Http.QueryCollection(new Dictionary<string, Microsoft.Extensions.Primitives.StringValues>
        {
            ["access_token"] = "secret", ["download"] = "",
        });
        Assert.That(TransformParameters.AsksForTransform(query), Is.False);
    }
}
