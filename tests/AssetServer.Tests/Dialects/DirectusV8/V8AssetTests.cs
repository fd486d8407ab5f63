using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using AssetServer.Tests.Support;
using NetVips;
using static AssetServer.Tests.V8.V8Kit;

namespace AssetServer.Tests.V8;

/// <summary>
/// Issue 11, Directus v8: thumbnails served at the sizes the file object lists, the private-hash asset route and its
/// rotation, and the originals under <c>/uploads/_/originals/</c>.
/// </summary>
public class V8AssetTests : AdminAppFixture
{
    private HttpClient anonymous = null!;

    [OneTimeSetUp]
    public void Anonymous() => anonymous = app.AnonymousClient();

    [OneTimeTearDown]
    public void DisposeAnonymous() => anonymous.Dispose();

    private static IEnumerable<TestCaseData> Sources()
    {
        yield return new TestCaseData("landscape.jpg", "image/jpeg", TestImages.Jpeg(640, 400)).SetArgDisplayNames("jpeg 640x400");
        yield return new TestCaseData("portrait.png", "image/png", TestImages.Png(30, 90)).SetArgDisplayNames("png 30x90 (enlarged)");
        yield return new TestCaseData("wide.webp", "image/webp", TestImages.Webp(1000, 200)).SetArgDisplayNames("webp 1000x200");
    }

    [TestCaseSource(nameof(Sources))]
    public async Task EveryThumbnailIsServedAtTheSizeItLists(string name, string type, byte[] bytes)
    {
        var file = await UploadAsync(client, bytes, name, type);
        var thumbnails = file["data"]!["thumbnails"]!.AsArray();
        Assert.That(thumbnails, Has.Count.EqualTo(6));
        foreach (var thumbnail in thumbnails)
        {
            using var response = await anonymous.GetAsync(Str(thumbnail, "relative_url"));
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), Str(thumbnail, "key"));
            Assert.That(response.Content.Headers.ContentType!.MediaType, Is.EqualTo(type), "in the source's format");
            using var image = Image.NewFromBuffer(await response.Content.ReadAsByteArrayAsync());
            Assert.That((image.Width, image.Height), Is.EqualTo((thumbnail!["width"]!.GetValue<int>(), thumbnail["height"]!.GetValue<int>())), Str(thumbnail, "key"));
            var box = Str(thumbnail, "dimension").Split('x').Select(int.Parse).ToArray();
            if (Str(thumbnail, "key").EndsWith("-crop")) Assert.That((image.Width, image.Height), Is.EqualTo((box[0], box[1])), "crop fills its box");
            else Assert.That(image.Width == box[0] || image.Height == box[1], Str(thumbnail, "key") + " touches its box");
        }
    }

    [Test]
    public async Task ContainThumbnailsKeepTheAspectRatio()
    {
        var file = await UploadAsync(client, TestImages.Jpeg(640, 400), "ratio.jpg", "image/jpeg");
        var sizes = file["data"]!["thumbnails"]!.AsArray().ToDictionary(t => Str(t, "key"), t => (t!["width"]!.GetValue<int>(), t["height"]!.GetValue<int>()));
        Assert.That(sizes["directus-small-contain"], Is.EqualTo((64, 40)));
        Assert.That(sizes["directus-medium-contain"], Is.EqualTo((300, 188)), "rounded half up, as the /assets pipeline sizes");
        Assert.That(sizes["directus-large-contain"], Is.EqualTo((800, 500)));
        Assert.That(sizes["directus-large-crop"], Is.EqualTo((800, 800)));
    }

    [Test]
    public async Task AThumbnailIsTheSameDerivativeAsTheEquivalentAssetsRequest()
    {
        var file = await UploadAsync(client, TestImages.Jpeg(500, 400), "shared-cache.jpg", "image/jpeg");
        using var v8 = await anonymous.GetAsync($"{Str(file["data"], "asset_url")}?key=directus-medium-crop");
        using var rest = await anonymous.GetAsync($"/assets/{Id(file)}?width=300&height=300&fit=cover&quality=80");
        Assert.That(v8.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(v8.Headers.ETag, Is.EqualTo(rest.Headers.ETag), "one pipeline, one cache entry");
        Assert.That(await v8.Content.ReadAsByteArrayAsync(), Is.EqualTo(await rest.Content.ReadAsByteArrayAsync()));
    }

    [Test]
    public async Task ThePrivateHashServesTheOriginalWithoutAToken()
    {
        var png = TestImages.Png(40, 20);
        var file = await UploadAsync(client, png, "hashed.png", "image/png");
        using var response = await anonymous.GetAsync(Str(file["data"], "asset_url"));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await response.Content.ReadAsByteArrayAsync(), Is.EqualTo(png));
        Assert.That(response.Content.Headers.ContentType!.MediaType, Is.EqualTo("image/png"));
        Assert.That(response.Headers.CacheControl!.Private, "never kept by a shared cache, so a rotation takes effect at once");
        Assert.That(response.Content.Headers.ContentDisposition!.ToString(), Does.Contain("filename=\"hashed.png\""));
    }

    [Test]
    public async Task FreeSizesGoThroughTheSamePipeline()
    {
        var file = await UploadAsync(client, TestImages.Jpeg(640, 400), "free.jpg", "image/jpeg");
        var asset = Str(file["data"], "asset_url");
        async Task<(int, int)> SizeAsync(string query)
        {
            using var response = await anonymous.GetAsync($"{asset}?{query}");
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), query);
            return TestImages.SizeOf(await response.Content.ReadAsByteArrayAsync());
        }

        Assert.That(await SizeAsync("w=100&h=100&f=crop&q=70"), Is.EqualTo((100, 100)));
        Assert.That(await SizeAsync("w=100&h=100&f=contain&q=70"), Is.EqualTo((100, 63)));
        Assert.That(await SizeAsync("w=50"), Is.EqualTo((50, 31)));
        Assert.That(await SizeAsync("h=40&q=50"), Is.EqualTo((64, 40)));
    }

    [TestCase("key=directus-huge-crop")]
    [TestCase("key=")]
    [TestCase("w=100&h=100&f=stretch")]
    [TestCase("w=0&h=10")]
    [TestCase("w=abc")]
    [TestCase("q=101")]
    [TestCase("w=100000&h=100000")]
    public async Task ABadThumbnailRequestIsV8s422(string query)
    {
        var file = await UploadAsync(client, TestImages.Png(20, 20), "bad-params.png", "image/png");
        using var response = await anonymous.GetAsync($"{Str(file["data"], "asset_url")}?{query}");
        await AssertV8ErrorAsync(response, (HttpStatusCode)422, 12);
    }

    [Test]
    public async Task AnUnknownKeySaysSo()
    {
        var file = await UploadAsync(client, TestImages.Png(20, 20), "unknown-key.png", "image/png");
        using var response = await anonymous.GetAsync($"{Str(file["data"], "asset_url")}?key=nope");
        Assert.That(Str(await AssertV8ErrorAsync(response, (HttpStatusCode)422, 12), "message"), Is.EqualTo("Key doesn't exist."));
    }

    [TestCase("0123456789abcdef0123456789abcdef")]
    [TestCase("not-a-hash")]
    [TestCase("abc.def")]
    [TestCase("has%20space")]
    public async Task AnUnknownHashIs404(string hash)
    {
        using var response = await anonymous.GetAsync($"/_/assets/{hash}?key=directus-small-crop");
        await AssertV8ErrorAsync(response, HttpStatusCode.NotFound, 203);
    }

    [Test]
    public async Task RotationRetiresTheOldHashAtOnce()
    {
        var png = TestImages.Png(24, 24);
        var file = await UploadAsync(client, png, "rotate.png", "image/png");
        var oldHash = Str(file, "private_hash");
        using (var before = await anonymous.GetAsync($"/_/assets/{oldHash}?key=directus-small-crop"))
            Assert.That(before.StatusCode, Is.EqualTo(HttpStatusCode.OK));

        using var rotate = await client.PostAsync($"{FilesRoute}/{Id(file)}/private_hash", null);
        var rotated = await DataAsync(rotate);
        var newHash = Str(rotated, "private_hash");
        Assert.That(newHash, Is.Not.EqualTo(oldHash));
        Assert.That(newHash, Does.Match("^[A-Za-z0-9_-]{16,}$"));
        Assert.That(Str(rotated["data"], "asset_url"), Is.EqualTo($"/_/assets/{newHash}"));
        Assert.That(Str(rotated["data"]!["thumbnails"]![0], "relative_url"), Does.Contain(newHash), "the thumbnail URLs follow the new hash");

        foreach (var url in new[] { $"/_/assets/{oldHash}", $"/_/assets/{oldHash}?key=directus-small-crop" })
        {
            using var old = await anonymous.GetAsync(url);
            await AssertV8ErrorAsync(old, HttpStatusCode.NotFound, 203);
        }
        using var fresh = await anonymous.GetAsync($"/_/assets/{newHash}");
        Assert.That(fresh.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await fresh.Content.ReadAsByteArrayAsync(), Is.EqualTo(png));
        Assert.That(Str(await GetDataAsync(client, $"/files/{Id(file)}?fields=private_hash"), "private_hash"), Is.EqualTo(newHash), "one record");
        Assert.That(Str(await GetDataAsync(client, $"{FilesRoute}/{Id(file)}"), "private_hash"), Is.EqualTo(newHash));
    }

    [Test]
    public async Task RotationNeedsWriteAccess()
    {
        var file = await UploadAsync(client, TestImages.Png(8, 8), "guarded.png", "image/png");
        using var reader = await ClientWithAccessAsync(app, "read");
        using var response = await reader.PostAsync($"{FilesRoute}/{Id(file)}/private_hash", null);
        await AssertV8ErrorAsync(response, HttpStatusCode.Forbidden, 302);
        Assert.That(Str(await GetDataAsync(client, $"{FilesRoute}/{Id(file)}"), "private_hash"), Is.EqualTo(Str(file, "private_hash")));

        using var missing = await client.PostAsync($"{FilesRoute}/{Guid.NewGuid()}/private_hash", null);
        await AssertV8ErrorAsync(missing, HttpStatusCode.NotFound, 203);
    }

    [Test]
    public async Task TheOriginalIsServedAtDataUrlWithValidatorsAndRanges()
    {
        var jpeg = TestImages.Jpeg(80, 60);
        var file = await UploadAsync(client, jpeg, "served.jpg", "image/jpeg");
        var url = Str(file["data"], "url");

        using var response = await anonymous.GetAsync(url);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await response.Content.ReadAsByteArrayAsync(), Is.EqualTo(jpeg));
        Assert.That(response.Headers.ETag, Is.Not.Null);
        Assert.That(response.Headers.AcceptRanges, Does.Contain("bytes"));

        using var conditional = new HttpRequestMessage(HttpMethod.Get, url);
        conditional.Headers.IfNoneMatch.Add(response.Headers.ETag!);
        using (var notModified = await anonymous.SendAsync(conditional))
            Assert.That(notModified.StatusCode, Is.EqualTo(HttpStatusCode.NotModified));

        using var ranged = new HttpRequestMessage(HttpMethod.Get, url);
        ranged.Headers.Range = new RangeHeaderValue(0, 9);
        using (var partial = await anonymous.SendAsync(ranged))
        {
            Assert.That(partial.StatusCode, Is.EqualTo(HttpStatusCode.PartialContent));
            Assert.That(await partial.Content.ReadAsByteArrayAsync(), Is.EqualTo(jpeg[..10]));
        }

        using (var head = await anonymous.SendAsync(new HttpRequestMessage(HttpMethod.Head, url)))
        {
            Assert.That(head.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(head.Content.Headers.ContentLength, Is.EqualTo(jpeg.Length));
        }

        using var unknown = await anonymous.GetAsync($"/uploads/_/originals/{Guid.NewGuid()}.jpg");
        await AssertV8ErrorAsync(unknown, HttpStatusCode.NotFound, 203);
    }

    [Test]
    public async Task AFileThatIsNotAnImageIsServedAsItIsForAKey()
    {
        var file = await UploadAsync(client, "just text"u8.ToArray(), "readme.txt", "text/plain");
        using var response = await anonymous.GetAsync($"{Str(file["data"], "asset_url")}?key=directus-small-crop");
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await response.Content.ReadAsStringAsync(), Is.EqualTo("just text"));
    }
}

/// <summary>Issue 11, Directus v8, with <c>Auth:PublicAssets</c> off and signed URLs on.</summary>
public class V8PrivateAssetTests : AdminAppFixture
{
    protected override AssetServerApp CreateApp() => new(("Auth:PublicAssets", "false"), ("Assets:SigningKey", "v8-test-signing-key-0123456789"));

    [Test]
    public async Task OriginalsNeedATokenButTheHashIsItsOwnKey()
    {
        var png = TestImages.Png(32, 16);
        var file = await UploadAsync(client, png, "private.png", "image/png");
        using var anonymous = app.AnonymousClient();

        using (var original = await anonymous.GetAsync(Str(file["data"], "url")))
            await AssertV8ErrorAsync(original, HttpStatusCode.Forbidden, 300);
        using (var withToken = await client.GetAsync(Str(file["data"], "url")))
            Assert.That(await withToken.Content.ReadAsByteArrayAsync(), Is.EqualTo(png));
        using (var withQueryToken = await anonymous.GetAsync($"{Str(file["data"], "url")}?access_token={AssetServerApp.AdminToken}"))
            Assert.That(withQueryToken.StatusCode, Is.EqualTo(HttpStatusCode.OK), "v8's ?access_token= works too");

        using (var byHash = await anonymous.GetAsync(Str(file["data"], "asset_url")))
            Assert.That(await byHash.Content.ReadAsByteArrayAsync(), Is.EqualTo(png), "the private hash needs no token");
        using (var thumbnail = await anonymous.GetAsync(Str(file["data"]!["thumbnails"]![0], "relative_url")))
            Assert.That(thumbnail.StatusCode, Is.EqualTo(HttpStatusCode.OK), "v8's keys need no signature");
    }

    [Test]
    public async Task WithSigningOnFreeSizesAreRefused()
    {
        var file = await UploadAsync(client, TestImages.Png(32, 16), "signed.png", "image/png");
        using var anonymous = app.AnonymousClient();
        using var response = await anonymous.GetAsync($"{Str(file["data"], "asset_url")}?w=10&h=10&f=crop&q=80");
        await AssertV8ErrorAsync(response, (HttpStatusCode)422, 12);
    }
}
