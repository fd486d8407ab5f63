using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using AssetServer.Tests.Support;
using static AssetServer.Tests.Strapi.StrapiKit;

namespace AssetServer.Tests.Strapi;

/// <summary>
/// Strapi 5's errors (STRAPI-BEHAVIOUR.md "Errors"): status, <c>error.name</c>, message, and that a refused request
/// leaves nothing behind: no new file listed, no new original, an empty temp folder.
/// </summary>
public class StrapiErrorTests
{
    private AssetServerApp app = null!;
    private AssetServerApp svgDenied = null!;
    private HttpClient client = null!;

    [OneTimeSetUp]
    public void Start()
    {
        app = new AssetServerApp();
        svgDenied = new AssetServerApp(("Uploads:DeniedTypes:0", "image/svg+xml"));
        client = app.AdminClient();
    }

    [OneTimeTearDown]
    public void Stop()
    {
        client.Dispose();
        app.Dispose();
        svgDenied.Dispose();
    }

    private static byte[] Svg() => Encoding.UTF8.GetBytes(
        """<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(1)</script><rect width="10" height="10"/></svg>""");

    /// <summary>Posts to <c>/api/upload</c> on <paramref name="target"/> and checks the error and that nothing was left behind.</summary>
    private static async Task AssertRefusedAsync(AssetServerApp target, HttpContent? content, HttpStatusCode status, string name, string message,
        HttpClient? caller = null)
    {
        var before = await SnapshotAsync(target);
        using var admin = target.AdminClient();
        using (content)
        using (var response = await (caller ?? admin).PostAsync("/api/upload", content))
            await AssertErrorAsync(response, status, name, message);
        await AssertNothingLeftBehindAsync(target, before);
    }

    // ---- no files ----

    public static IEnumerable<TestCaseData> BodiesWithoutFiles()
    {
        yield return new TestCaseData((Func<HttpContent?>)(() => null)).SetName("NoFilesIsFilesEmpty(no body)");
        yield return new TestCaseData((Func<HttpContent?>)(() => new StringContent("{}", Encoding.UTF8, "application/json"))).SetName("NoFilesIsFilesEmpty(JSON {})");
        yield return new TestCaseData((Func<HttpContent?>)(() => new StringContent("""{"fileInfo":{"name":"x"}}""", Encoding.UTF8, "application/json")))
            .SetName("NoFilesIsFilesEmpty(JSON fileInfo only)");
        yield return new TestCaseData((Func<HttpContent?>)(() => Form(StrapiPart.FileInfo("""{"name":"x"}""")))).SetName("NoFilesIsFilesEmpty(multipart fileInfo only)");
        // Only the closing delimiter: a form of no parts (MultipartFormDataContent would send one empty part instead).
        yield return new TestCaseData((Func<HttpContent?>)(() => new Files.RawMultipart().End().Content())).SetName("NoFilesIsFilesEmpty(multipart without parts)");
        yield return new TestCaseData((Func<HttpContent?>)(() => new FormUrlEncodedContent([new("fileInfo[name]", "x")]))).SetName("NoFilesIsFilesEmpty(urlencoded)");
    }

    [TestCaseSource(nameof(BodiesWithoutFiles))]
    public async Task NoFilesIsFilesEmpty(Func<HttpContent?> body) =>
        await AssertRefusedAsync(app, body(), HttpStatusCode.BadRequest, "ValidationError", "Files are empty");

    /// <summary>Strapi reads only the <c>files</c> parts (<c>ctx.request.files.files</c>); a form with none is "Files are empty".</summary>
    [Test]
    public async Task FilePartUnderAnotherNameIsFilesEmpty() =>
        await AssertRefusedAsync(app, Form(StrapiPart.File("photo.jpg", TestImages.Jpeg(40, 30), "image/jpeg", name: "file")),
            HttpStatusCode.BadRequest, "ValidationError", "Files are empty");

    [TestCase("not json")]
    [TestCase("42")]
    [TestCase("[1,2]")]
    public async Task FileInfoThatIsNotAnObjectIsRefusedAndLeavesNothing(string fileInfo)
    {
        var before = await SnapshotAsync(app);
        using var form = Form(
            StrapiPart.File("a.jpg", TestImages.Jpeg(300, 200), "image/jpeg"),
            StrapiPart.File("b.txt", TextBytes(20), "text/plain"),
            StrapiPart.FileInfo(fileInfo));
        using var response = await client.PostAsync("/api/upload", form);
        var error = await JsonAsync(response, HttpStatusCode.BadRequest);
        Assert.That(Str(error["error"]!, "name"), Is.EqualTo("ValidationError"));
        Assert.That(Str(error["error"]!, "message"), Does.StartWith("fileInfo must be"));
        await AssertNothingLeftBehindAsync(app, before);
    }

    // ---- denied type ----

    [Test]
    public async Task DeniedTypeIsNotAllowed() =>
        await AssertRefusedAsync(svgDenied, Form(StrapiPart.File("evil.svg", Svg(), "image/svg+xml")),
            HttpStatusCode.BadRequest, "ValidationError", "File type 'image/svg+xml' is not allowed");

    [Test]
    public async Task DeniedTypeInABatchLeavesNoneOfTheBatch() =>
        await AssertRefusedAsync(svgDenied, Form(
                StrapiPart.File("good.png", TestImages.Png(40, 30), "image/png"),
                StrapiPart.File("good.txt", TextBytes(50), "text/plain"),
                StrapiPart.File("evil.svg", Svg(), "image/svg+xml"),
                StrapiPart.FileInfo("""[{"name":"a"},{"name":"b"},{"name":"c"}]""")),
            HttpStatusCode.BadRequest, "ValidationError", "File type 'image/svg+xml' is not allowed");

    [Test]
    public async Task DeniedTypeIsJudgedByItsBytesNotItsName() =>
        await AssertRefusedAsync(svgDenied, Form(StrapiPart.File("innocent.png", Svg(), "image/png")),
            HttpStatusCode.BadRequest, "ValidationError", "File type 'image/svg+xml' is not allowed");

    [Test]
    public async Task AllowedTypesStillUploadWhereSvgIsDenied()
    {
        using var admin = svgDenied.AdminClient();
        var file = await UploadOneAsync(admin, TestImages.Png(40, 30), "fine.png", "image/png");
        Assert.That(Str(file, "mime"), Is.EqualTo("image/png"));
    }

    // ---- damaged image ----

    [Test]
    public async Task TruncatedJpegIsNotAValidImage() =>
        await AssertRefusedAsync(app, Form(StrapiPart.File("truncated.jpg", TruncatedJpeg(), "image/jpeg")),
            HttpStatusCode.BadRequest, "ValidationError", "File is not a valid image");

    [TestCase(true)]
    [TestCase(false)]
    public async Task DamagedImageInABatchLeavesNoneOfTheBatch(bool damagedFirst)
    {
        var good = StrapiPart.File("good.jpg", TestImages.Jpeg(400, 300), "image/jpeg");
        var bad = StrapiPart.File("truncated.jpg", TruncatedJpeg(), "image/jpeg");
        var text = StrapiPart.File("notes.txt", TextBytes(40), "text/plain");
        var parts = damagedFirst ? new[] { bad, good, text } : [good, text, bad];
        await AssertRefusedAsync(app, Form(parts), HttpStatusCode.BadRequest, "ValidationError", "File is not a valid image");
    }

    // ---- not found ----

    [Test]
    public async Task UnknownIdIsNotFoundForGetAndDelete()
    {
        var before = await SnapshotAsync(app);
        using (var get = await client.GetAsync("/api/upload/files/987654"))
            await AssertErrorAsync(get, HttpStatusCode.NotFound, "NotFoundError", "file.notFound");
        using (var delete = await client.DeleteAsync("/api/upload/files/987654"))
            await AssertErrorAsync(delete, HttpStatusCode.NotFound, "NotFoundError", "file.notFound");
        await AssertNothingLeftBehindAsync(app, before);
    }

    [Test]
    public async Task MissingUploadIsANotFoundJsonError()
    {
        using var anonymous = app.AnonymousClient();
        using var response = await anonymous.GetAsync("/uploads/missing.jpg");
        await AssertErrorAsync(response, HttpStatusCode.NotFound, "NotFoundError", "Not Found");
    }

    [Test]
    public async Task UnknownRouteUnderApiUploadIsANotFoundJsonError()
    {
        using var response = await client.GetAsync("/api/upload/nothing-here");
        await AssertErrorAsync(response, HttpStatusCode.NotFound, "NotFoundError", "Not Found");
    }

    // ---- authentication ----

    public static IEnumerable<TestCaseData> ProtectedRequests()
    {
        yield return new TestCaseData("GET", "/api/upload/files");
        yield return new TestCaseData("GET", "/api/upload/files/page");
        yield return new TestCaseData("GET", "/api/upload/files/{id}");
        yield return new TestCaseData("DELETE", "/api/upload/files/{id}");
        yield return new TestCaseData("POST", "/api/upload");
        yield return new TestCaseData("POST", "/api/upload?id={id}");
    }

    private static HttpContent? BodyFor(string method) =>
        method == "POST" ? Form(StrapiPart.File("sneaky.jpg", TestImages.Jpeg(40, 30), "image/jpeg")) : null;

    [TestCaseSource(nameof(ProtectedRequests))]
    public async Task NoAuthorizationHeaderIsForbidden(string method, string url)
    {
        var existing = await UploadOneAsync(client, TextBytes(10), "kept.txt", "text/plain");
        var before = await SnapshotAsync(app);
        using var anonymous = app.AnonymousClient();
        using var request = new HttpRequestMessage(new HttpMethod(method), url.Replace("{id}", Id(existing).ToString(System.Globalization.CultureInfo.InvariantCulture))) { Content = BodyFor(method) };
        using var response = await anonymous.SendAsync(request);
        await AssertErrorAsync(response, HttpStatusCode.Forbidden, "ForbiddenError", "Forbidden");
        await AssertNothingLeftBehindAsync(app, before);
        Assert.That(Stable(await GetJsonAsync(client, $"/api/upload/files/{Id(existing)}")), Is.EqualTo(Stable(existing)));
    }

    [TestCaseSource(nameof(ProtectedRequests))]
    public async Task WrongTokenIsUnauthorized(string method, string url)
    {
        var existing = await UploadOneAsync(client, TextBytes(10), "kept.txt", "text/plain");
        var before = await SnapshotAsync(app);
        using var stranger = app.AnonymousClient();
        stranger.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "not-a-real-token-0123456789");
        using var request = new HttpRequestMessage(new HttpMethod(method), url.Replace("{id}", Id(existing).ToString(System.Globalization.CultureInfo.InvariantCulture))) { Content = BodyFor(method) };
        using var response = await stranger.SendAsync(request);
        await AssertErrorAsync(response, HttpStatusCode.Unauthorized, "UnauthorizedError", "Missing or invalid credentials");
        await AssertNothingLeftBehindAsync(app, before);
    }

    [Test]
    public async Task ReadOnlyTokenCannotUploadOrDelete()
    {
        using var created = await client.PostAsync("/tokens", new StringContent("""{"name":"reader","access":"read"}""", Encoding.UTF8, "application/json"));
        var secret = Str((await JsonAsync(created))["data"]!, "token");
        var existing = await UploadOneAsync(client, TextBytes(10), "kept.txt", "text/plain");
        using var reader = app.AnonymousClient();
        reader.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", secret);

        Assert.That(Id(await GetJsonAsync(reader, $"/api/upload/files/{Id(existing)}")), Is.EqualTo(Id(existing)), "reading is allowed");
        await AssertRefusedAsync(app, Form(StrapiPart.File("no.txt", TextBytes(10), "text/plain")),
            HttpStatusCode.Forbidden, "ForbiddenError", "Forbidden", caller: reader);
        using var delete = await reader.DeleteAsync($"/api/upload/files/{Id(existing)}");
        await AssertErrorAsync(delete, HttpStatusCode.Forbidden, "ForbiddenError", "Forbidden");
        Assert.That(Id(await GetJsonAsync(client, $"/api/upload/files/{Id(existing)}")), Is.EqualTo(Id(existing)), "still there");
    }

    // ---- method ----

    [TestCase("PUT", "/api/upload/files/1")]
    [TestCase("PATCH", "/api/upload/files/1")]
    [TestCase("DELETE", "/api/upload")]
    public async Task WrongMethodIsAPlainTextMethodNotAllowed(string method, string url)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), url)
        {
            Content = new StringContent("""{"fileInfo":{"name":"x"}}""", Encoding.UTF8, "application/json"),
        };
        using var response = await client.SendAsync(request);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.MethodNotAllowed));
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("text/plain"));
        Assert.That(await response.Content.ReadAsStringAsync(), Is.EqualTo("Method Not Allowed"));
    }
}
