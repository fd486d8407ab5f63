using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using AssetServer.Tests.Support;
using static AssetServer.Tests.Files.FilesKit;

namespace AssetServer.Tests.Files;

/// <summary>
/// Upload behaviour that depends on the Metadata module (content sniffing, Directus titles, dimensions, scraping).
/// These fail on a branch where the module is still a placeholder; they pass once it is merged.
/// </summary>
public class FileMetadataUploadTests : AdminAppFixture
{
    [Test]
    public async Task JpegUploadIsTypedMeasuredAndTitled()
    {
        var bytes = TestImages.Jpeg(64, 48);
        var file = await app.UploadOkAsync(bytes, "IMG_2041.JPG", "application/octet-stream");
        Assert.That(Str(file, "type"), Is.EqualTo("image/jpeg"), "typed from the magic bytes, not the client's header");
        Assert.That(file["width"]!.GetValue<int>(), Is.EqualTo(64));
        Assert.That(file["height"]!.GetValue<int>(), Is.EqualTo(48));
        Assert.That(Str(file, "title"), Is.EqualTo("Img 2041"));
        Assert.That(Str(file, "filename_download"), Is.EqualTo("IMG_2041.JPG"));
        Assert.That(Str(file, "filename_disk"), Is.EqualTo($"{Str(file, "id")}.jpg").IgnoreCase);
        Assert.That(file["metadata"], Is.InstanceOf<JsonObject>());
    }

    private static IEnumerable<TestCaseData> Images()
    {
        yield return new TestCaseData(TestImages.Png(30, 20), "shot.png", "image/png").SetArgDisplayNames("png");
        yield return new TestCaseData(TestImages.Webp(30, 20), "shot.webp", "image/webp").SetArgDisplayNames("webp");
        yield return new TestCaseData(TestImages.Gif(30, 20), "shot.gif", "image/gif").SetArgDisplayNames("gif");
        yield return new TestCaseData(TestImages.Tiff(30, 20), "shot.tif", "image/tiff").SetArgDisplayNames("tiff");
    }

    [TestCaseSource(nameof(Images))]
    public async Task ImageUploadIsTypedAndMeasured(byte[] bytes, string name, string type)
    {
        var file = await app.UploadOkAsync(bytes, name, "application/octet-stream");
        Assert.That(Str(file, "type"), Is.EqualTo(type));
        Assert.That(file["width"]!.GetValue<int>(), Is.EqualTo(30));
        Assert.That(file["height"]!.GetValue<int>(), Is.EqualTo(20));
        Assert.That(file["metadata"], Is.InstanceOf<JsonObject>());
        Assert.That(Str(file, "filename_disk"), Does.Match($"^{Str(file, "id")}\\.[a-z0-9]+$"));
    }

    [Test]
    public async Task HtmlNamedJpgIsStoredAsHtml()
    {
        var bytes = Encoding.UTF8.GetBytes("<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>");
        var file = await app.UploadOkAsync(bytes, "cute-cat.jpg", "image/jpeg");
        Assert.That(Str(file, "type"), Is.EqualTo("text/html"));
        Assert.That(file["width"], Is.Null);
        Assert.That(file["height"], Is.Null);
        Assert.That(file["metadata"], Is.Null);
        Assert.That(Str(file, "filename_disk"), Does.Not.EndWith(".jpg"));
    }

    [Test]
    public async Task TextUploadHasNoDimensionsAndNullMetadata()
    {
        var file = await app.UploadOkAsync(Encoding.UTF8.GetBytes("plain words\n"), "notes.txt", "text/plain");
        Assert.That(Str(file, "type"), Does.StartWith("text/plain"));
        Assert.That(file["width"], Is.Null);
        Assert.That(file["metadata"], Is.Null);
        Assert.That(Str(file, "title"), Is.EqualTo("Notes"));
    }

    [TestCase("helloWorld-foo_bar baz.jpg", "Hello World Foo Bar Baz")]
    [TestCase("my_file name.v2.png", "My File Name.v2")]
    [TestCase("DSC_0001.jpeg", "Dsc 0001")]
    [TestCase("noext", "Noext")]
    public async Task TitleIsFormattedFromTheFileName(string name, string title)
    {
        var file = await app.UploadOkAsync(TestImages.Jpeg(8, 8), name, "image/jpeg");
        Assert.That(Str(file, "title"), Is.EqualTo(title));
    }

    [Test]
    public async Task ReplaceJpegWithPngChangesTypeDimensionsAndExtension()
    {
        var file = await app.UploadOkAsync(TestImages.Jpeg(80, 60), "swap.jpg", "image/jpeg");
        using var form = new MultipartFormDataContent { { new ByteArrayContent(TestImages.Png(30, 20)), "file", "swap.png" } };
        var data = await DataAsync(await client.PatchAsync($"/files/{Str(file, "id")}", form));
        Assert.That(Str(data, "type"), Is.EqualTo("image/png"));
        Assert.That(data["width"]!.GetValue<int>(), Is.EqualTo(30));
        Assert.That(data["height"]!.GetValue<int>(), Is.EqualTo(20));
        // A replace gets a disk name the file never had (<id>.r<random>.<ext>), with the new type's extension.
        Assert.That(Str(data, "filename_disk"), Does.StartWith($"{Str(file, "id")}.r").And.EndWith(".png"));
        Assert.That(Str(data, "title"), Is.EqualTo(Str(file, "title")));
    }

    [Test]
    public async Task FilterByImageType()
    {
        var p = Unique("ty");
        var image = await app.UploadOkAsync(TestImages.Png(8, 8), "a.png", "image/png", ("title", $"{p} image"));
        await app.UploadOkAsync(Encoding.UTF8.GetBytes("text"), "b.txt", "text/plain", ("title", $"{p} text"));
        var data = await DataAsync(await client.GetAsync($"/files?filter[title][_starts_with]={p}&filter[type][_starts_with]=image/"));
        Assert.That(Ids(data), Is.EqualTo(new[] { Str(image, "id") }));
    }

    [Test]
    public async Task DeniedTypeIsUnsupportedMediaTypeAndOthersPass()
    {
        using var denying = new AssetServerApp(("Uploads:DeniedTypes:0", "text/plain"));
        var before = await SnapshotAsync(denying);
        using var refused = await denying.UploadAsync(Encoding.UTF8.GetBytes("plain words\n"), "notes.txt", "text/plain");
        await AssertErrorAsync(refused, HttpStatusCode.UnsupportedMediaType, "UNSUPPORTED_MEDIA_TYPE");
        await AssertNothingLeftBehindAsync(denying, before);
        var jpeg = await denying.UploadOkAsync(TestImages.Jpeg(8, 8), "fine.jpg", "image/jpeg");
        Assert.That(Str(jpeg, "type"), Is.EqualTo("image/jpeg"));
    }

    [Test]
    public async Task AllowedImageTypesAcceptAJpeg()
    {
        using var imagesOnly = new AssetServerApp(("Uploads:AllowedTypes:0", "image/*"));
        var jpeg = await imagesOnly.UploadOkAsync(TestImages.Jpeg(8, 8), "fine.jpg", "application/octet-stream");
        Assert.That(Str(jpeg, "type"), Is.EqualTo("image/jpeg"));
    }

    private static string? FixtureJpeg()
    {
        var dir = new DirectoryInfo(TestContext.CurrentContext.TestDirectory);
        for (; dir is not null; dir = dir.Parent)
        {
            foreach (var candidate in new[] { Path.Combine(dir.FullName, "Fixtures"), Path.Combine(dir.FullName, "tests", "AssetServer.Tests", "Fixtures") })
            {
                if (!Directory.Exists(candidate)) continue;
                var jpeg = Directory.GetFiles(candidate).Where(f => f.EndsWith(".jpg", StringComparison.OrdinalIgnoreCase) || f.EndsWith(".jpeg", StringComparison.OrdinalIgnoreCase))
                    .Order(StringComparer.Ordinal).FirstOrDefault();
                if (jpeg is not null) return jpeg;
            }
        }
        return null;
    }

    [Test]
    public async Task FixtureJpegHasMetadataAndRequestFieldsWinOverScrapedOnes()
    {
        var path = FixtureJpeg();
        Assert.That(path, Is.Not.Null, "a JPEG with EXIF/IPTC is expected in tests/AssetServer.Tests/Fixtures/");
        var bytes = await File.ReadAllBytesAsync(path!);
        var scraped = await app.UploadOkAsync(bytes, Path.GetFileName(path!), "image/jpeg");
        Assert.That(scraped["metadata"], Is.InstanceOf<JsonObject>());
        Assert.That(scraped["metadata"]!.AsObject(), Is.Not.Empty);

        var mine = await app.UploadOkAsync(bytes, Path.GetFileName(path!), "image/jpeg",
            ("title", "Mine"), ("description", "My words"), ("tags", "[\"own\"]"), ("location", "Here"));
        Assert.That(Str(mine, "title"), Is.EqualTo("Mine"));
        Assert.That(Str(mine, "description"), Is.EqualTo("My words"));
        Assert.That(mine["tags"]!.AsArray().Select(t => t!.GetValue<string>()), Is.EqualTo(new[] { "own" }));
        Assert.That(Str(mine, "location"), Is.EqualTo("Here"));
    }
}
