using System.Text.Json.Nodes;
using AssetServer.Tests.Support;
using static AssetServer.Tests.Strapi.StrapiKit;

namespace AssetServer.Tests.Strapi;

/// <summary>
/// Strapi's responsive <c>formats</c> (issue 10, STRAPI-BEHAVIOUR.md "Formats / breakpoints"): which are made, their
/// sizes, and that every number in the object is the one of the bytes served at the format's url.
/// </summary>
public class StrapiFormatsTests : AdminAppFixture
{
    public sealed record FormatCase(string FileName, string Mime, int Width, int Height, (string Key, int Width, int Height)[] Formats)
    {
        public required Func<byte[]> Bytes { get; init; }

        public override string ToString() => $"{FileName} {Width}x{Height}";
    }

    private static readonly (string, int, int)[] Landscape = [("thumbnail", 234, 156), ("small", 500, 333), ("medium", 750, 500), ("large", 1000, 667)];
    private static readonly (string, int, int)[] Portrait = [("thumbnail", 104, 156), ("small", 333, 500), ("medium", 500, 750)];

    /// <summary>The table of STRAPI-BEHAVIOUR.md: each breakpoint only when the source is larger on a side.</summary>
    public static IEnumerable<FormatCase> Table()
    {
        yield return new("landscape.jpg", "image/jpeg", 1800, 1200, Landscape) { Bytes = () => TestImages.Jpeg(1800, 1200) };
        yield return new("portrait.jpg", "image/jpeg", 600, 900, Portrait) { Bytes = () => TestImages.Jpeg(600, 900) };
        yield return new("square.png", "image/png", 500, 500, [("thumbnail", 156, 156)]) { Bytes = () => TestImages.Png(500, 500) };
        yield return new("alpha.png", "image/png", 400, 300, [("thumbnail", 208, 156)]) { Bytes = () => TestImages.Png(400, 300, alpha: true) };
        yield return new("photo.webp", "image/webp", 1800, 1200, Landscape) { Bytes = () => TestImages.Webp(1800, 1200) };
        yield return new("photo.tiff", "image/tiff", 600, 900, Portrait) { Bytes = () => TestImages.Tiff(600, 900) };
        yield return new("still.gif", "image/gif", 400, 300, [("thumbnail", 208, 156)]) { Bytes = () => TestImages.Gif(400, 300) };
    }

    [TestCaseSource(nameof(Table))]
    public async Task FormatsAreMadeAsStrapiDecidesAndServedAsDescribed(FormatCase test)
    {
        var bytes = test.Bytes();
        var ext = Path.GetExtension(test.FileName);
        var file = await UploadOneAsync(client, bytes, test.FileName, test.Mime, """{"name":"Shot one"}""");

        Assert.That(Str(file, "mime"), Is.EqualTo(test.Mime));
        Assert.That(Str(file, "ext"), Is.EqualTo(ext));
        Assert.That((Int(file, "width"), Int(file, "height")), Is.EqualTo(((int?)test.Width, (int?)test.Height)));
        var formats = file["formats"]!.AsObject();
        Assert.That(formats.Select(f => f.Key), Is.EqualTo(test.Formats.Select(f => f.Key)), "which formats, in Strapi's order");

        var hash = Str(file, "hash");
        foreach (var (key, width, height) in test.Formats)
        {
            var format = formats[key]!.AsObject();
            Assert.That(format.Select(p => p.Key), Is.EqualTo(new[] { "name", "hash", "ext", "mime", "path", "width", "height", "size", "sizeInBytes", "url" }), key);
            Assert.That(Str(format, "name"), Is.EqualTo($"{key}_Shot one"), key);
            Assert.That(Str(format, "hash"), Is.EqualTo($"{key}_{hash}"), key);
            Assert.That(Str(format, "ext"), Is.EqualTo(ext), key);
            Assert.That(Str(format, "mime"), Is.EqualTo(test.Mime), "a format keeps the source's type");
            Assert.That(format["path"], Is.Null, key);
            Assert.That((Int(format, "width"), Int(format, "height")), Is.EqualTo(((int?)width, (int?)height)), key);
            Assert.That(Str(format, "url"), Is.EqualTo($"/uploads/{key}_{hash}{ext}"), key);
        }

        using var anonymous = app.AnonymousClient();
        await AssertFormatsServedAsDescribedAsync(app, anonymous, file);
        Assert.That(await GetBytesAsync(anonymous, Str(file, "url")), Is.EqualTo(bytes), "the original is never re-encoded");

        var read = await GetJsonAsync(client, $"/api/upload/files/{Id(file)}");
        var again = await GetJsonAsync(client, $"/api/upload/files/{Id(file)}");
        Assert.That(again["formats"]!.ToJsonString(), Is.EqualTo(read["formats"]!.ToJsonString()), "once rendered, reading again gives the same numbers");
    }

    [Test]
    public async Task SmallGifHasNoFormatsAndIsStoredAsSent()
    {
        var bytes = TestImages.Gif(120, 80);
        var file = await UploadOneAsync(client, bytes, "anim.gif", "image/gif");
        Assert.That(file.ContainsKey("formats"), Is.True);
        Assert.That(file["formats"], Is.Null, "null, not {}");
        Assert.That((Int(file, "width"), Int(file, "height")), Is.EqualTo(((int?)120, (int?)80)));
        Assert.That(Str(file, "mime"), Is.EqualTo("image/gif"));
        Assert.That(await GetBytesAsync(client, Str(file, "url")), Is.EqualTo(bytes));
    }

    // A PDF has the size of its poster since issue 20 (StrapiPosterTestsIssue20).
    [TestCase("note.txt", "text/plain")]
    public async Task DocumentHasNoFormatsAndNoSize(string fileName, string mime)
    {
        var bytes = fileName.EndsWith(".pdf", StringComparison.Ordinal) ? Pdf() : TextBytes(300);
        var file = await UploadOneAsync(client, bytes, fileName, mime);
        Assert.That(file.ContainsKey("formats"), Is.True);
        Assert.That(file["formats"], Is.Null);
        Assert.That(file["width"], Is.Null);
        Assert.That(file["height"], Is.Null);
        Assert.That(Str(file, "mime"), Is.EqualTo(mime));
        Assert.That(Str(file, "ext"), Is.EqualTo(Path.GetExtension(fileName)));
        Assert.That(await GetBytesAsync(client, Str(file, "url")), Is.EqualTo(bytes), "stored byte-identical");
    }

    [Test]
    public async Task ExifRotatedPhotoGetsUprightFormats()
    {
        // Stored 1200x800 with orientation 6: displayed 800x1200. Strapi leaves such formats sideways; AssetServer does not.
        var bytes = RotatedJpeg(1200, 800);
        Assert.That(Decode(bytes), Is.EqualTo((1200, 800, 6)), "the fixture is what it claims");

        var file = await UploadOneAsync(client, bytes, "rotated6.jpg", "image/jpeg");

        Assert.That((Int(file, "width"), Int(file, "height")), Is.EqualTo(((int?)800, (int?)1200)), "the upright size");
        var formats = file["formats"]!.AsObject();
        Assert.That(formats.Select(f => f.Key), Is.EqualTo(new[] { "thumbnail", "small", "medium", "large" }));
        (string Key, int Width, int Height)[] expected = [("thumbnail", 104, 156), ("small", 333, 500), ("medium", 500, 750), ("large", 667, 1000)];
        foreach (var (key, width, height) in expected)
            Assert.That((Int(formats[key]!, "width"), Int(formats[key]!, "height")), Is.EqualTo(((int?)width, (int?)height)), key);
        await AssertFormatsServedAsDescribedAsync(app, client, file);
        Assert.That(await GetBytesAsync(client, Str(file, "url")), Is.EqualTo(bytes), "the original keeps its EXIF and stays as sent");
    }

    [Test]
    public async Task FormatOfAFileWithoutThatFormatIsNotFound()
    {
        var file = await UploadOneAsync(client, TestImages.Jpeg(600, 400), "no-large.jpg", "image/jpeg");
        Assert.That(file["formats"]!.AsObject().ContainsKey("large"), Is.False);
        var hash = Str(file, "hash");
        using var response = await client.GetAsync($"/uploads/large_{hash}.jpg");
        await AssertErrorAsync(response, System.Net.HttpStatusCode.NotFound, "NotFoundError", "Not Found");
        using var wrongExt = await client.GetAsync($"/uploads/thumbnail_{hash}.png");
        await AssertErrorAsync(wrongExt, System.Net.HttpStatusCode.NotFound, "NotFoundError", "Not Found");
    }
}
