using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using AssetServer.Tests.Support;
using static AssetServer.Tests.Strapi.StrapiKit;

namespace AssetServer.Tests.Strapi;

/// <summary>
/// <c>/uploads/&lt;name&gt;</c>: public like Strapi's folder, with AssetServer's validators (ETag, 304), ranges, HEAD
/// and security headers, for originals and formats alike.
/// </summary>
public class StrapiUploadsFolderTests : AdminAppFixture
{
    private HttpClient anonymous = null!;

    [OneTimeSetUp]
    public void StartAnonymous() => anonymous = app.AnonymousClient();

    [OneTimeTearDown]
    public void StopAnonymous() => anonymous.Dispose();

    private static string Header(HttpResponseMessage res, string name) =>
        res.Headers.NonValidated.TryGetValues(name, out var values) || res.Content.Headers.NonValidated.TryGetValues(name, out values)
            ? string.Join(", ", values)
            : "";

    private async Task<(JsonObject File, byte[] Bytes)> UploadPhotoAsync()
    {
        var bytes = TestImages.Jpeg(600, 400);
        return (await UploadOneAsync(client, bytes, "public.jpg", "image/jpeg"), bytes);
    }

    /// <summary>The original's url and the thumbnail's.</summary>
    private static string[] Urls(JsonObject file) => [Str(file, "url"), Str(file["formats"]!["thumbnail"]!, "url")];

    [Test]
    public async Task OriginalIsPublicWithItsHeaders()
    {
        var (file, bytes) = await UploadPhotoAsync();
        using var response = await anonymous.GetAsync(Str(file, "url"));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await response.Content.ReadAsByteArrayAsync(), Is.EqualTo(bytes));
        Assert.That(Header(response, "Content-Type"), Is.EqualTo("image/jpeg"));
        Assert.That(Header(response, "Content-Length"), Is.EqualTo(bytes.Length.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        Assert.That(Header(response, "ETag"), Does.Match("^\"[^\"]+\"$"));
        Assert.That(Header(response, "Accept-Ranges"), Is.EqualTo("bytes"));
        Assert.That(Header(response, "X-Content-Type-Options"), Is.EqualTo("nosniff"));
        Assert.That(Header(response, "Content-Security-Policy"), Is.Not.Empty);
        Assert.That(Header(response, "Cache-Control"), Is.EqualTo("public, max-age=0"), "a replace keeps the url, so caches revalidate");
    }

    [Test]
    public async Task MatchingIfNoneMatchIsNotModified()
    {
        var (file, _) = await UploadPhotoAsync();
        foreach (var url in Urls(file))
        {
            using var first = await anonymous.GetAsync(url);
            var etag = Header(first, "ETag");
            Assert.That(etag, Is.Not.Empty, url);

            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            request.Headers.TryAddWithoutValidation("If-None-Match", etag);
            using var second = await anonymous.SendAsync(request);
            Assert.That(second.StatusCode, Is.EqualTo(HttpStatusCode.NotModified), url);
            Assert.That(await second.Content.ReadAsByteArrayAsync(), Is.Empty, url);
            Assert.That(Header(second, "ETag"), Is.EqualTo(etag), url);
        }
    }

    [Test]
    public async Task RangeIsPartialContent()
    {
        var (file, bytes) = await UploadPhotoAsync();
        using var request = new HttpRequestMessage(HttpMethod.Get, Str(file, "url"));
        request.Headers.TryAddWithoutValidation("Range", "bytes=0-99");
        using var response = await anonymous.SendAsync(request);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.PartialContent));
        Assert.That(await response.Content.ReadAsByteArrayAsync(), Is.EqualTo(bytes[..100]));
        Assert.That(Header(response, "Content-Range"), Is.EqualTo($"bytes 0-99/{bytes.Length}"));
    }

    [Test]
    public async Task RangeOfAFormatIsPartialContent()
    {
        var (file, _) = await UploadPhotoAsync();
        var thumbnail = file["formats"]!["thumbnail"]!;
        var whole = await GetBytesAsync(anonymous, Str(thumbnail, "url"));
        using var request = new HttpRequestMessage(HttpMethod.Get, Str(thumbnail, "url"));
        request.Headers.TryAddWithoutValidation("Range", "bytes=0-99");
        using var response = await anonymous.SendAsync(request);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.PartialContent));
        Assert.That(await response.Content.ReadAsByteArrayAsync(), Is.EqualTo(whole[..100]));
        Assert.That(Header(response, "Content-Range"), Is.EqualTo($"bytes 0-99/{thumbnail["sizeInBytes"]!.GetValue<long>()}"));
    }

    [Test]
    public async Task HeadHasTheHeadersAndNoBody()
    {
        var (file, bytes) = await UploadPhotoAsync();
        using var get = await anonymous.GetAsync(Str(file, "url"));
        using var head = await anonymous.SendAsync(new HttpRequestMessage(HttpMethod.Head, Str(file, "url")));
        Assert.That(head.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await head.Content.ReadAsByteArrayAsync(), Is.Empty);
        Assert.That(Header(head, "Content-Length"), Is.EqualTo(bytes.Length.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        foreach (var name in new[] { "Content-Type", "ETag", "X-Content-Type-Options", "Cache-Control" })
            Assert.That(Header(head, name), Is.EqualTo(Header(get, name)), name);
    }

    [Test]
    public async Task AdminCallerIsServedPrivately()
    {
        var (file, bytes) = await UploadPhotoAsync();
        using var response = await client.GetAsync(Str(file, "url"));
        Assert.That(await response.Content.ReadAsByteArrayAsync(), Is.EqualTo(bytes));
        Assert.That(Header(response, "Cache-Control"), Is.EqualTo("private, max-age=0"));
    }

    [Test]
    public async Task ReplacedFileNeverMatchesItsOldETag()
    {
        var (file, _) = await UploadPhotoAsync();
        var etags = new Dictionary<string, string>();
        foreach (var url in Urls(file))
        {
            using var response = await anonymous.GetAsync(url);
            etags[url] = Header(response, "ETag");
        }

        using var form = Form(StrapiPart.File("new.jpg", TestImages.Jpeg(700, 500), "image/jpeg"));
        using (var replaced = await client.PostAsync($"/api/upload?id={Id(file)}", form))
            await JsonAsync(replaced);

        foreach (var url in Urls(file))
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            request.Headers.TryAddWithoutValidation("If-None-Match", etags[url]);
            using var response = await anonymous.SendAsync(request);
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), url);
            Assert.That(Header(response, "ETag"), Is.Not.EqualTo(etags[url]), url);
        }
        Assert.That(Decode(await GetBytesAsync(anonymous, Str(file, "url"))), Is.EqualTo((700, 500, 1)));
    }

    [Test]
    public async Task MissingNameIsANotFoundJsonErrorAlsoForHead()
    {
        using var get = await anonymous.GetAsync("/uploads/missing.jpg");
        await AssertErrorAsync(get, HttpStatusCode.NotFound, "NotFoundError", "Not Found");
        using var head = await anonymous.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/uploads/missing.jpg"));
        Assert.That(head.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That(await head.Content.ReadAsByteArrayAsync(), Is.Empty);
    }

    [Test]
    public async Task WithoutPublicAssetsAnAnonymousCallerIsForbidden()
    {
        using var closed = new AssetServerApp(("Auth:PublicAssets", "false"));
        using var admin = closed.AdminClient();
        var file = await UploadOneAsync(admin, TextBytes(30), "private.txt", "text/plain");
        using var stranger = closed.AnonymousClient();
        using var response = await stranger.GetAsync(Str(file, "url"));
        await AssertErrorAsync(response, HttpStatusCode.Forbidden, "ForbiddenError", "Forbidden");
        Assert.That(await GetBytesAsync(admin, Str(file, "url")), Has.Length.EqualTo(30), "a token still reads it");
    }
}
