using System.Net;
using System.Text.Json.Nodes;
using AssetServer.Tests.Support;

namespace AssetServer.Tests.Assets;

/// <summary>
/// Issue 20: a transform request for a video or a PDF renders a still (a frame, a page) through the normal
/// pipeline; the file itself is served without transform parameters, and audio stays the file.
/// </summary>
public class PosterTestsIssue20
{
    private AssetServerApp app = null!;
    private HttpClient client = null!;

    [OneTimeSetUp]
    public void Start()
    {
        app = new AssetServerApp();
        client = app.AnonymousClient();
    }

    [OneTimeTearDown]
    public void Stop()
    {
        client.Dispose();
        app.Dispose();
    }

    private async Task<string> UploadAsync(byte[] bytes, string name, string type) =>
        (await app.UploadOkAsync(bytes, name, type))["id"]!.GetValue<string>();

    private async Task<(HttpResponseMessage Response, byte[] Body)> GetAsync(string url, string? accept = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (accept is not null) request.Headers.TryAddWithoutValidation("Accept", accept);
        var response = await client.SendAsync(request);
        return (response, await response.Content.ReadAsByteArrayAsync());
    }

    private static string Type(HttpResponseMessage response) => response.Content.Headers.ContentType?.MediaType ?? "";

    [Test]
    public async Task VideoAskedForAWebpIsItsFrameAsWebp()
    {
        var id = await UploadAsync(MediaFiles.Mp4, "clip.mp4", "video/mp4");

        var (res, body) = await GetAsync($"/assets/{id}?width=320&format=webp");

        Assert.That(res.StatusCode, Is.EqualTo(HttpStatusCode.OK), System.Text.Encoding.UTF8.GetString(body));
        Assert.That(Type(res), Is.EqualTo("image/webp"));
        Assert.That(TestImages.SizeOf(body), Is.EqualTo((320, 180)));
        Assert.That(res.Content.Headers.ContentDisposition?.FileName, Is.EqualTo("clip.webp"));
    }

    [Test]
    public async Task RotatedVideoPosterIsUpright()
    {
        var id = await UploadAsync(MediaFiles.RotatedMp4, "phone.mp4", "video/mp4");

        var (res, body) = await GetAsync($"/assets/{id}?width=90");

        Assert.That(res.StatusCode, Is.EqualTo(HttpStatusCode.OK), System.Text.Encoding.UTF8.GetString(body));
        Assert.That(Type(res), Is.EqualTo("image/jpeg"));
        Assert.That(TestImages.SizeOf(body), Is.EqualTo((90, 160)));
    }

    [Test]
    public async Task PosterTimePicksTheFrameAndIsCachedUnderItsOwnKey()
    {
        var id = await UploadAsync(MediaFiles.Webm, "clip.webm", "video/webm");

        var (early, earlyBody) = await GetAsync($"/assets/{id}?width=64&format=png&poster_time=0");
        var (late, lateBody) = await GetAsync($"/assets/{id}?width=64&format=png&poster_time=2.5");
        var (again, againBody) = await GetAsync($"/assets/{id}?width=64&format=png&poster_time=2.5");

        Assert.That((early.StatusCode, late.StatusCode), Is.EqualTo((HttpStatusCode.OK, HttpStatusCode.OK)));
        Assert.That(TestImages.SizeOf(lateBody), Is.EqualTo((64, 48)));
        // testsrc draws a running counter: another second is another picture.
        Assert.That(lateBody, Is.Not.EqualTo(earlyBody));
        Assert.That(againBody, Is.EqualTo(lateBody));
        Assert.That(again.Headers.ETag, Is.EqualTo(late.Headers.ETag));
        Assert.That(Directory.GetFiles(Path.Combine(app.DerivativesPath, id)), Has.Length.EqualTo(2));
    }

    [Test]
    public async Task PdfPageIsRenderedAtTheAskedSize()
    {
        var id = await UploadAsync(MediaFiles.Pdf(), "letter.pdf", "application/pdf");

        var (first, firstBody) = await GetAsync($"/assets/{id}?width=200&format=png");
        var (second, secondBody) = await GetAsync($"/assets/{id}?width=200&format=png&page=2");

        Assert.That(first.StatusCode, Is.EqualTo(HttpStatusCode.OK), System.Text.Encoding.UTF8.GetString(firstBody));
        Assert.That(Type(first), Is.EqualTo("image/png"));
        Assert.That(TestImages.SizeOf(firstBody), Is.EqualTo((200, 283)));
        Assert.That(second.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(Centre(firstBody), Is.EqualTo((255, 0, 0)), "page 1 is red");
        Assert.That(Centre(secondBody), Is.EqualTo((0, 255, 0)), "page 2 is green");
    }

    [Test]
    public async Task PdfPagePastTheEndIsA400()
    {
        var id = await UploadAsync(MediaFiles.Pdf(), "letter.pdf", "application/pdf");

        var (res, body) = await GetAsync($"/assets/{id}?width=200&page=3");

        Assert.That(res.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(JsonNode.Parse(body)!["errors"]![0]!["extensions"]!["code"]!.GetValue<string>(), Is.EqualTo("ILLEGAL_ASSET_TRANSFORMATION"));
    }

    [TestCase(100_000, 595, 842, TestName = "PdfClaiming100000PagesIsRefused")]
    [TestCase(1, 1_000_000, 1_000_000, TestName = "PdfPageOfAMillionPointsIsRefused")]
    public async Task PdfBombIsRefusedBeforeItsPageIsRendered(int claimedPages, double width, double height)
    {
        var id = await UploadAsync(MediaFiles.Pdf(1, width, height, claimedPages), "bomb.pdf", "application/pdf");

        var (res, body) = await GetAsync($"/assets/{id}?width=100&format=png");

        Assert.That(res.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), System.Text.Encoding.UTF8.GetString(body));
        Assert.That(JsonNode.Parse(body)!["errors"]![0]!["extensions"]!["code"]!.GetValue<string>(), Is.EqualTo("ILLEGAL_ASSET_TRANSFORMATION"));
    }

    [Test]
    public async Task WithoutTransformParametersTheFileItselfIsServed()
    {
        var id = await UploadAsync(MediaFiles.Mp4, "clip.mp4", "video/mp4");

        var (plain, plainBody) = await GetAsync($"/assets/{id}");
        var (download, downloadBody) = await GetAsync($"/assets/{id}?download");

        Assert.That(Type(plain), Is.EqualTo("video/mp4"));
        Assert.That(plainBody, Is.EqualTo(MediaFiles.Mp4));
        Assert.That(Type(download), Is.EqualTo("video/mp4"));
        Assert.That(downloadBody, Is.EqualTo(MediaFiles.Mp4));
    }

    [Test]
    public async Task AudioKeepsDirectusBehaviourAndServesTheFile()
    {
        var id = await UploadAsync(MediaFiles.Mp3, "tone.mp3", "audio/mpeg");

        var (res, body) = await GetAsync($"/assets/{id}?width=100&format=webp");

        Assert.That(res.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(Type(res), Is.EqualTo("audio/mpeg"));
        Assert.That(body, Is.EqualTo(MediaFiles.Mp3));
    }

    [Test]
    public async Task FormatAutoWithoutAcceptGivesAJpegFrame()
    {
        var id = await UploadAsync(MediaFiles.Webm, "clip.webm", "video/webm");

        var (plain, body) = await GetAsync($"/assets/{id}?format=auto");
        var (webp, webpBody) = await GetAsync($"/assets/{id}?format=auto", "image/webp,*/*");

        Assert.That(Type(plain), Is.EqualTo("image/jpeg"), System.Text.Encoding.UTF8.GetString(body));
        Assert.That(TestImages.SizeOf(body), Is.EqualTo((320, 240)));
        Assert.That(Type(webp), Is.EqualTo("image/webp"));
        Assert.That(webp.Headers.Vary, Does.Contain("Accept"));
    }

    [Test]
    public async Task MalformedPosterParametersAreA400()
    {
        var id = await UploadAsync(MediaFiles.Webm, "clip.webm", "video/webm");

        var (time, _) = await GetAsync($"/assets/{id}?poster_time=soon");
        var (page, _) = await GetAsync($"/assets/{id}?page=0");

        Assert.That((time.StatusCode, page.StatusCode), Is.EqualTo((HttpStatusCode.BadRequest, HttpStatusCode.BadRequest)));
    }

    [Test]
    public async Task VideoLongerThanTheLimitIsRefused()
    {
        using var limited = new AssetServerApp(("Media:MaxDuration", "2s"));
        var id = (await limited.UploadOkAsync(MediaFiles.Webm, "clip.webm", "video/webm"))["id"]!.GetValue<string>();
        using var anonymous = limited.AnonymousClient();

        using var res = await anonymous.GetAsync($"/assets/{id}?width=64");

        Assert.That(res.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), await res.Content.ReadAsStringAsync());
        Assert.That(Directory.Exists(Path.Combine(limited.DerivativesPath, id)) ? Directory.GetFiles(Path.Combine(limited.DerivativesPath, id)) : [], Is.Empty);
    }

    [Test]
    public async Task WithoutEnginesUploadsWorkPostersAreA400AndHealthSaysSo()
    {
        var empty = Directory.CreateTempSubdirectory("assetserver-no-engines-").FullName;
        using var bare = new AssetServerApp(("Media:EnginePath", empty));
        using var admin = bare.AdminClient();

        var video = await bare.UploadOkAsync(MediaFiles.Mp4, "clip.mp4", "video/mp4");
        using var poster = await admin.GetAsync($"/assets/{video["id"]}?width=64");
        using var original = await admin.GetAsync($"/assets/{video["id"]}");
        var health = JsonNode.Parse(await admin.GetStringAsync("/server/health"))!;

        Assert.That(video["width"], Is.Null);
        Assert.That(video["duration"], Is.Null);
        Assert.That(poster.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(await poster.Content.ReadAsStringAsync(), Does.Contain("ffmpeg"));
        Assert.That(original.Content.Headers.ContentType?.MediaType, Is.EqualTo("video/mp4"));
        Assert.That(health["status"]!.GetValue<string>(), Is.EqualTo("ok"));
        Assert.That(health["checks"]!["media_engines"]!["video"]!.GetValue<string>(), Is.EqualTo("missing (ffmpeg)"));
        Assert.That(health["checks"]!["media_engines"]!["pdf"]!.GetValue<string>(), Is.EqualTo("missing (poppler-utils)"));
        Directory.Delete(empty);
    }

    [Test]
    public async Task HealthReportsTheEnginesPresent()
    {
        using var admin = app.AdminClient();

        var engines = JsonNode.Parse(await admin.GetStringAsync("/server/health"))!["checks"]!["media_engines"]!;

        Assert.That((engines["video"]!.GetValue<string>(), engines["pdf"]!.GetValue<string>()), Is.EqualTo(("ok", "ok")));
    }

    private static (int R, int G, int B) Centre(byte[] png)
    {
        using var image = NetVips.Image.NewFromBuffer(png);
        var pixel = image.Getpoint(image.Width / 2, image.Height / 2);
        return ((int)pixel[0], (int)pixel[1], (int)pixel[2]);
    }
}
