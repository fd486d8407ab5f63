using System.Net;
using System.Text.Json.Nodes;
using AssetServer.Tests.Support;
using static AssetServer.Tests.Strapi.StrapiKit;

namespace AssetServer.Tests.Strapi;

/// <summary>Issue 20: Strapi formats and v8 thumbnails of videos and PDFs are their posters; placeholders come from the poster.</summary>
public class StrapiPosterTestsIssue20
{
    private AssetServerApp app = null!;
    private HttpClient client = null!;

    [OneTimeSetUp]
    public void Start()
    {
        app = new AssetServerApp();
        client = app.AdminClient();
    }

    [OneTimeTearDown]
    public void Stop()
    {
        client.Dispose();
        app.Dispose();
    }

    [Test]
    public async Task VideoHasStrapiFormatsThatAreJpegFrames()
    {
        var file = await UploadOneAsync(client, MediaFiles.Mp4, "clip.mp4", "video/mp4");

        Assert.That((Int(file, "width"), Int(file, "height")), Is.EqualTo(((int?)1280, (int?)720)));
        var formats = file["formats"]!.AsObject();
        Assert.That(formats.Select(f => f.Key), Is.EquivalentTo(new[] { "thumbnail", "small", "medium", "large" }));
        var thumbnail = formats["thumbnail"]!;
        Assert.That((Int(thumbnail, "width"), Int(thumbnail, "height")), Is.EqualTo(((int?)245, (int?)138)));
        Assert.That(Str(thumbnail, "mime"), Is.EqualTo("image/jpeg"));

        using var res = await client.GetAsync(Str(thumbnail, "url"));
        var body = await res.Content.ReadAsByteArrayAsync();
        Assert.That(res.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(res.Content.Headers.ContentType?.MediaType, Is.EqualTo("image/jpeg"));
        Assert.That(TestImages.SizeOf(body), Is.EqualTo((245, 138)));
        Assert.That(await (await client.GetAsync(Str(file, "url"))).Content.ReadAsByteArrayAsync(), Is.EqualTo(MediaFiles.Mp4), "the url is the video itself");
    }

    [Test]
    public async Task PdfHasAThumbnailOfItsFirstPage()
    {
        var file = await UploadOneAsync(client, MediaFiles.Pdf(), "letter.pdf", "application/pdf");

        var thumbnail = file["formats"]!["thumbnail"]!;
        Assert.That((Int(thumbnail, "width"), Int(thumbnail, "height")), Is.EqualTo(((int?)110, (int?)156)));
        using var res = await client.GetAsync(Str(thumbnail, "url"));
        Assert.That(TestImages.SizeOf(await res.Content.ReadAsByteArrayAsync()), Is.EqualTo((110, 156)));
    }

    [Test]
    public async Task V8ThumbnailsOfAVideoAreItsFrame()
    {
        var id = (await app.UploadOkAsync(MediaFiles.Webm, "clip.webm", "video/webm"))["id"]!.GetValue<string>();

        var v8 = JsonNode.Parse(await client.GetStringAsync($"/_/files/{id}"))!["data"]!;
        var thumbnails = v8["data"]!["thumbnails"]!.AsArray();
        Assert.That(thumbnails, Has.Count.EqualTo(6));
        var small = thumbnails.First(t => Str(t, "key") == "directus-small-crop")!;
        using var res = await client.GetAsync(Str(small, "relative_url"));
        var body = await res.Content.ReadAsByteArrayAsync();
        Assert.That(res.StatusCode, Is.EqualTo(HttpStatusCode.OK), System.Text.Encoding.UTF8.GetString(body));
        Assert.That(res.Content.Headers.ContentType?.MediaType, Is.EqualTo("image/jpeg"));
        Assert.That(TestImages.SizeOf(body), Is.EqualTo((64, 64)));
    }

    [Test]
    public async Task PlaceholderOfAPdfIsTheColourOfItsFirstPage()
    {
        var id = (await app.UploadOkAsync(MediaFiles.Pdf(), "letter.pdf", "application/pdf"))["id"]!.GetValue<string>();

        var file = await app.FileAfterBackgroundAsync(id);

        var placeholder = file["metadata"]!["placeholder"]!;
        Assert.That(Str(placeholder, "blurhash"), Has.Length.GreaterThan(6));
        var colour = Convert.FromHexString(Str(placeholder, "color")[1..]);
        Assert.That(colour[0], Is.GreaterThan(200), "page 1 is red");
        Assert.That((int)colour[1] + colour[2], Is.LessThan(60));
    }

    [Test]
    public async Task PlaceholderOfAVideoComesFromItsFrame()
    {
        var id = (await app.UploadOkAsync(MediaFiles.RotatedMp4, "phone.mp4", "video/mp4"))["id"]!.GetValue<string>();

        var file = await app.FileAfterBackgroundAsync(id);

        Assert.That(Str(file["metadata"]!["placeholder"], "blurhash"), Has.Length.GreaterThan(6));
    }
}
