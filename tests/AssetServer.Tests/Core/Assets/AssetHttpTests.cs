using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using AssetServer.Files;
using AssetServer.Tests.Support;
using Microsoft.AspNetCore.WebUtilities;

namespace AssetServer.Tests.Assets;

/// <summary>Originals over <c>/assets</c>: headers, names, validators, ranges, access. No transform is involved.</summary>
public class AssetHttpTests
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

    private static string Header(HttpResponseMessage res, string name) =>
        res.Headers.NonValidated.TryGetValues(name, out var values) || res.Content.Headers.NonValidated.TryGetValues(name, out values)
            ? string.Join(", ", values)
            : "";

    private static string Tag(FileRecord record) => $"\"{record.Checksum![..32]}\"";

    private static async Task<JsonNode> ErrorOf(HttpResponseMessage res) =>
        JsonNode.Parse(await res.Content.ReadAsStringAsync())!["errors"]![0]!;

    [Test]
    public async Task OriginalIsSentWithItsHeaders()
    {
        var bytes = TestImages.Jpeg(320, 200);
        var record = await AssetSeeder.SeedAsync(app, bytes, "photo.jpg", "image/jpeg");

        var res = await client.GetAsync($"/assets/{record.Id}");

        Assert.That(res.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await res.Content.ReadAsByteArrayAsync(), Is.EqualTo(bytes));
        Assert.That(Header(res, "Content-Type"), Is.EqualTo("image/jpeg"));
        Assert.That(Header(res, "Content-Length"), Is.EqualTo(bytes.Length.ToString()));
        Assert.That(Header(res, "ETag"), Is.EqualTo(Tag(record)));
        Assert.That(Header(res, "Last-Modified"), Is.EqualTo("Mon, 23 Nov 2026 00:12:25 GMT"));
        Assert.That(Header(res, "Cache-Control"), Is.EqualTo("public, max-age=2592000"));
        Assert.That(Header(res, "Accept-Ranges"), Is.EqualTo("bytes"));
        Assert.That(Header(res, "X-Content-Type-Options"), Is.EqualTo("nosniff"));
        Assert.That(Header(res, "Content-Security-Policy"), Is.EqualTo("default-src 'none'"));
        Assert.That(Header(res, "Content-Disposition"), Is.EqualTo("inline; filename=\"photo.jpg\"; filename*=UTF-8''photo.jpg"));
        Assert.That(Header(res, "Vary"), Is.Empty);
    }

    [TestCase("?download", "attachment")]
    [TestCase("?download=false", "attachment")]
    [TestCase("?download=", "attachment")]
    [TestCase("", "inline")]
    [TestCase("?v=3", "inline")]
    public async Task DownloadParameterMakesAnAttachmentWhateverItsValue(string query, string kind)
    {
        var record = await AssetSeeder.SeedJpegAsync(app, 40, 30, "medium_500k.jpg");
        var res = await client.GetAsync($"/assets/{record.Id}{query}");
        Assert.That(res.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(Header(res, "Content-Disposition"), Is.EqualTo($"{kind}; filename=\"medium_500k.jpg\"; filename*=UTF-8''medium_500k.jpg"));
    }

    [Test]
    public async Task FilenameSegmentOnlyRenamesTheDownload()
    {
        var bytes = TestImages.Jpeg(40, 30);
        var record = await AssetSeeder.SeedAsync(app, bytes, "medium_500k.jpg", "image/jpeg");

        var inline = await client.GetAsync($"/assets/{record.Id}/some-name.jpg");
        Assert.That(await inline.Content.ReadAsByteArrayAsync(), Is.EqualTo(bytes));
        Assert.That(Header(inline, "Content-Disposition"), Is.EqualTo("inline; filename=\"some-name.jpg\"; filename*=UTF-8''some-name.jpg"));

        var download = await client.GetAsync($"/assets/{record.Id}/some-name.jpg?download");
        Assert.That(Header(download, "Content-Disposition"), Is.EqualTo("attachment; filename=\"some-name.jpg\"; filename*=UTF-8''some-name.jpg"));
    }

    [Test]
    public async Task UnicodeNameGetsAnAsciiFallbackAndTheExactUtf8Name()
    {
        var record = await AssetSeeder.SeedAsync(app, TestImages.Jpeg(40, 30), "ünïcode name.jpg", "image/jpeg");
        var res = await client.GetAsync($"/assets/{record.Id}?download");
        Assert.That(Header(res, "Content-Disposition"),
            Is.EqualTo("attachment; filename=\"_n_code name.jpg\"; filename*=UTF-8''%C3%BCn%C3%AFcode%20name.jpg"));
    }

    [Test]
    public async Task UnicodeFilenameSegmentIsDecodedFromTheUrl()
    {
        var record = await AssetSeeder.SeedJpegAsync(app, 40, 30);
        var res = await client.GetAsync($"/assets/{record.Id}/%E6%97%A5%E6%9C%AC.jpg");
        Assert.That(Header(res, "Content-Disposition"), Is.EqualTo("inline; filename=\"__.jpg\"; filename*=UTF-8''%E6%97%A5%E6%9C%AC.jpg"));
    }

    [Test]
    public async Task QuotesBackslashesAndControlCharactersNeverReachTheQuotedName()
    {
        var record = await AssetSeeder.SeedAsync(app, TestImages.Jpeg(40, 30), "a\"b\\c\td.jpg", "image/jpeg");
        var res = await client.GetAsync($"/assets/{record.Id}");
        Assert.That(Header(res, "Content-Disposition"), Is.EqualTo("inline; filename=\"a_b_c_d.jpg\"; filename*=UTF-8''a%22b%5Cc%09d.jpg"));
    }

    [Test]
    public async Task IdIsTheFirst36CharactersAsInDirectus()
    {
        var record = await AssetSeeder.SeedJpegAsync(app, 40, 30);
        var res = await client.GetAsync($"/assets/{record.Id}JUNKJUNK");
        Assert.That(res.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var upper = await client.GetAsync($"/assets/{record.Id.ToUpperInvariant()}");
        Assert.That(upper.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [TestCase("00000000-0000-4000-8000-000000000000")]
    [TestCase("not-a-uuid")]
    [TestCase("00000000-0000-4000-8000-00000000000Z")]
    [TestCase("00000000-0000-4000-8000-000000000000/name.jpg")]
    public async Task UnknownOrMalformedIdIsForbidden(string id)
    {
        foreach (var method in new[] { HttpMethod.Get, HttpMethod.Head })
        {
            var res = await client.SendAsync(new HttpRequestMessage(method, $"/assets/{id}"));
            Assert.That(res.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden), method.Method);
            if (method == HttpMethod.Head) continue;
            var error = await ErrorOf(res);
            Assert.That(error["extensions"]!["code"]!.GetValue<string>(), Is.EqualTo("FORBIDDEN"));
            Assert.That(error["message"]!.GetValue<string>(), Is.EqualTo("You don't have permission to access this."));
        }
    }

    [Test]
    public async Task DeletedFileIsForbidden()
    {
        var record = await AssetSeeder.SeedJpegAsync(app, 40, 30);
        await AssetSeeder.DeleteAsync(app, record);
        var res = await client.GetAsync($"/assets/{record.Id}");
        Assert.That(res.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
    }

    [Test]
    public async Task HeadSendsTheHeadersWithoutTheBody()
    {
        var bytes = TestImages.Jpeg(100, 80);
        var record = await AssetSeeder.SeedAsync(app, bytes, "photo.jpg", "image/jpeg");
        var res = await client.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"/assets/{record.Id}"));
        Assert.That(res.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(Header(res, "Content-Length"), Is.EqualTo(bytes.Length.ToString()));
        Assert.That(Header(res, "ETag"), Is.EqualTo(Tag(record)));
        Assert.That(Header(res, "Content-Type"), Is.EqualTo("image/jpeg"));
        Assert.That(await res.Content.ReadAsByteArrayAsync(), Is.Empty);
    }

    [TestCase("{0}")]
    [TestCase("\"nope\", {0}")]
    [TestCase("*")]
    [TestCase("W/{0}")]
    public async Task MatchingIfNoneMatchIsNotModifiedAndKeepsTheValidators(string ifNoneMatch)
    {
        var record = await AssetSeeder.SeedJpegAsync(app, 40, 30);
        var request = new HttpRequestMessage(HttpMethod.Get, $"/assets/{record.Id}");
        request.Headers.TryAddWithoutValidation("If-None-Match", string.Format(ifNoneMatch, Tag(record)));

        var res = await client.SendAsync(request);

        Assert.That(res.StatusCode, Is.EqualTo(HttpStatusCode.NotModified));
        Assert.That(Header(res, "ETag"), Is.EqualTo(Tag(record)));
        Assert.That(Header(res, "Cache-Control"), Is.EqualTo("public, max-age=2592000"));
        Assert.That(await res.Content.ReadAsByteArrayAsync(), Is.Empty);
    }

    [Test]
    public async Task OtherEntityTagIsAFullResponse()
    {
        var record = await AssetSeeder.SeedJpegAsync(app, 40, 30);
        var request = new HttpRequestMessage(HttpMethod.Get, $"/assets/{record.Id}");
        request.Headers.TryAddWithoutValidation("If-None-Match", "\"0123456789abcdef0123456789abcdef\"");
        var res = await client.SendAsync(request);
        Assert.That(res.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That((await res.Content.ReadAsByteArrayAsync()).Length, Is.EqualTo(record.Filesize));
    }

    [TestCase("Mon, 23 Nov 2026 00:12:25 GMT", HttpStatusCode.NotModified)]
    [TestCase("Tue, 24 Nov 2026 00:00:00 GMT", HttpStatusCode.NotModified)]
    [TestCase("Mon, 23 Nov 2026 00:12:24 GMT", HttpStatusCode.OK)]
    [TestCase("not a date", HttpStatusCode.OK)]
    public async Task IfModifiedSinceComparesWithLastModified(string since, HttpStatusCode expected)
    {
        var record = await AssetSeeder.SeedJpegAsync(app, 40, 30);
        var request = new HttpRequestMessage(HttpMethod.Get, $"/assets/{record.Id}");
        request.Headers.TryAddWithoutValidation("If-Modified-Since", since);
        var res = await client.SendAsync(request);
        Assert.That(res.StatusCode, Is.EqualTo(expected));
    }

    [Test]
    public async Task IfNoneMatchWinsOverIfModifiedSince()
    {
        var record = await AssetSeeder.SeedJpegAsync(app, 40, 30);
        var request = new HttpRequestMessage(HttpMethod.Get, $"/assets/{record.Id}");
        request.Headers.TryAddWithoutValidation("If-None-Match", "\"something-else\"");
        request.Headers.TryAddWithoutValidation("If-Modified-Since", "Tue, 24 Nov 2026 00:00:00 GMT");
        var res = await client.SendAsync(request);
        Assert.That(res.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task FailedIfMatchIsPreconditionFailed()
    {
        var record = await AssetSeeder.SeedJpegAsync(app, 40, 30);
        var request = new HttpRequestMessage(HttpMethod.Get, $"/assets/{record.Id}");
        request.Headers.TryAddWithoutValidation("If-Match", "\"other\"");
        var res = await client.SendAsync(request);
        Assert.That(res.StatusCode, Is.EqualTo(HttpStatusCode.PreconditionFailed));
        Assert.That((await ErrorOf(res))["extensions"]!["code"]!.GetValue<string>(), Is.EqualTo("PRECONDITION_FAILED"));

        var matching = new HttpRequestMessage(HttpMethod.Get, $"/assets/{record.Id}");
        matching.Headers.TryAddWithoutValidation("If-Match", Tag(record));
        Assert.That((await client.SendAsync(matching)).StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    private async Task<(byte[] Bytes, FileRecord Record)> SeedForRanges()
    {
        var bytes = TestImages.Jpeg(200, 150);
        Assert.That(bytes.Length, Is.GreaterThan(1000));
        return (bytes, await AssetSeeder.SeedAsync(app, bytes, "photo.jpg", "image/jpeg"));
    }

    private async Task<HttpResponseMessage> GetRange(FileRecord record, string range, string? ifRange = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, $"/assets/{record.Id}");
        request.Headers.TryAddWithoutValidation("Range", range);
        if (ifRange is not null) request.Headers.TryAddWithoutValidation("If-Range", ifRange);
        return await client.SendAsync(request);
    }

    [TestCase("bytes=0-99", 0, 100)]
    [TestCase("bytes=0-0", 0, 1)]
    [TestCase("bytes=100-", 100, -1)]
    [TestCase("bytes=-100", -100, 100)]
    [TestCase("bytes=-99999999", 0, -1)]
    [TestCase("bytes=10-99999999", 10, -1)]
    public async Task SingleRangeIsPartialContent(string range, int start, int count)
    {
        var (bytes, record) = await SeedForRanges();
        var first = start < 0 ? bytes.Length + start : start;
        var length = count < 0 ? bytes.Length - first : count;

        var res = await GetRange(record, range);

        Assert.That(res.StatusCode, Is.EqualTo(HttpStatusCode.PartialContent));
        Assert.That(Header(res, "Content-Range"), Is.EqualTo($"bytes {first}-{first + length - 1}/{bytes.Length}"));
        Assert.That(Header(res, "Content-Length"), Is.EqualTo(length.ToString()));
        Assert.That(Header(res, "Content-Type"), Is.EqualTo("image/jpeg"));
        Assert.That(Header(res, "ETag"), Is.EqualTo(Tag(record)));
        Assert.That(await res.Content.ReadAsByteArrayAsync(), Is.EqualTo(bytes.Skip(first).Take(length).ToArray()));
    }

    [Test]
    public async Task SeveralRangesAreMultipartByteranges()
    {
        var (bytes, record) = await SeedForRanges();

        var res = await GetRange(record, "bytes=0-99,200-299,-50");

        Assert.That(res.StatusCode, Is.EqualTo(HttpStatusCode.PartialContent));
        var type = res.Content.Headers.ContentType!;
        Assert.That(type.MediaType, Is.EqualTo("multipart/byteranges"));
        var body = await res.Content.ReadAsByteArrayAsync();
        Assert.That(Header(res, "Content-Length"), Is.EqualTo(body.Length.ToString()));

        var boundary = type.Parameters.Single(p => p.Name == "boundary").Value!;
        var reader = new MultipartReader(boundary, new MemoryStream(body));
        var expected = new[] { (0, 100), (200, 100), (bytes.Length - 50, 50) };
        foreach (var (start, length) in expected)
        {
            var section = await reader.ReadNextSectionAsync();
            Assert.That(section, Is.Not.Null);
            Assert.That(section!.ContentType, Is.EqualTo("image/jpeg"));
            Assert.That(section.Headers!["Content-Range"].ToString(), Is.EqualTo($"bytes {start}-{start + length - 1}/{bytes.Length}"));
            using var part = new MemoryStream();
            await section.Body.CopyToAsync(part);
            Assert.That(part.ToArray(), Is.EqualTo(bytes.Skip(start).Take(length).ToArray()));
        }
        Assert.That(await reader.ReadNextSectionAsync(), Is.Null);
    }

    [Test]
    public async Task OverlappingRangesAreCoalesced()
    {
        var (bytes, record) = await SeedForRanges();
        var res = await GetRange(record, "bytes=50-99,0-59");
        Assert.That(res.StatusCode, Is.EqualTo(HttpStatusCode.PartialContent));
        Assert.That(Header(res, "Content-Range"), Is.EqualTo($"bytes 0-99/{bytes.Length}"));
        Assert.That(await res.Content.ReadAsByteArrayAsync(), Is.EqualTo(bytes.Take(100).ToArray()));
    }

    [TestCase("bytes=999999999-")]
    [TestCase("bytes=-0")]
    public async Task UnsatisfiableRangeIs416InTheErrorShape(string range)
    {
        var (bytes, record) = await SeedForRanges();
        var res = await GetRange(record, range);
        Assert.That(res.StatusCode, Is.EqualTo(HttpStatusCode.RequestedRangeNotSatisfiable));
        Assert.That(Header(res, "Content-Range"), Is.EqualTo($"bytes */{bytes.Length}"));
        var error = await ErrorOf(res);
        Assert.That(error["extensions"]!["code"]!.GetValue<string>(), Is.EqualTo("RANGE_NOT_SATISFIABLE"));
        Assert.That(error["message"]!.GetValue<string>(), Does.StartWith($"Range \"{range}\" is invalid"));
    }

    [TestCase("bytes=5-3")]
    [TestCase("items=0-9")]
    [TestCase("bytes=abc")]
    public async Task MalformedRangeIsIgnored(string range)
    {
        var (bytes, record) = await SeedForRanges();
        var res = await GetRange(record, range);
        Assert.That(res.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await res.Content.ReadAsByteArrayAsync(), Is.EqualTo(bytes));
    }

    [Test]
    public async Task IfRangeWithTheCurrentTagKeepsTheRangeAndAStaleOneSendsAll()
    {
        var (bytes, record) = await SeedForRanges();

        var current = await GetRange(record, "bytes=0-9", Tag(record));
        Assert.That(current.StatusCode, Is.EqualTo(HttpStatusCode.PartialContent));

        var stale = await GetRange(record, "bytes=0-9", "\"0123456789abcdef0123456789abcdef\"");
        Assert.That(stale.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await stale.Content.ReadAsByteArrayAsync(), Is.EqualTo(bytes));

        var date = await GetRange(record, "bytes=0-9", "Mon, 23 Nov 2026 00:12:25 GMT");
        Assert.That(date.StatusCode, Is.EqualTo(HttpStatusCode.PartialContent));
    }

    [Test]
    public async Task HeadIgnoresRange()
    {
        var (bytes, record) = await SeedForRanges();
        var request = new HttpRequestMessage(HttpMethod.Head, $"/assets/{record.Id}");
        request.Headers.TryAddWithoutValidation("Range", "bytes=0-9");
        var res = await client.SendAsync(request);
        Assert.That(res.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(Header(res, "Content-Length"), Is.EqualTo(bytes.Length.ToString()));
    }

    [Test]
    public async Task TokenMakesThePublicAssetPrivateToCaches()
    {
        var record = await AssetSeeder.SeedJpegAsync(app, 40, 30);
        using var admin = app.AdminClient();
        var res = await admin.GetAsync($"/assets/{record.Id}");
        Assert.That(res.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(Header(res, "Cache-Control"), Is.EqualTo("private, max-age=2592000"));
    }

    [Test]
    public async Task WrongTokenIsUnauthorizedEvenOnAPublicAsset()
    {
        var record = await AssetSeeder.SeedJpegAsync(app, 40, 30);
        var res = await client.GetAsync($"/assets/{record.Id}?access_token=wrong");
        Assert.That(res.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That((await ErrorOf(res))["extensions"]!["code"]!.GetValue<string>(), Is.EqualTo("INVALID_CREDENTIALS"));
    }

    [TestCase("image/svg+xml", "drawing.svg", "inline")]
    [TestCase("text/html", "page.html", "attachment")]
    [TestCase("application/xhtml+xml", "page.xhtml", "attachment")]
    [TestCase("text/xml", "data.xml", "inline")]
    public async Task ActiveContentIsSandboxedAndHtmlIsNeverInline(string type, string name, string kind)
    {
        var bytes = Encoding.UTF8.GetBytes("<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>");
        var record = await AssetSeeder.SeedAsync(app, bytes, name, type);
        var res = await client.GetAsync($"/assets/{record.Id}");
        Assert.That(res.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(Header(res, "Content-Type"), Is.EqualTo(type));
        Assert.That(Header(res, "Content-Security-Policy"), Is.EqualTo("default-src 'none'; style-src 'unsafe-inline'; sandbox"));
        Assert.That(Header(res, "X-Content-Type-Options"), Is.EqualTo("nosniff"));
        Assert.That(Header(res, "Content-Disposition"), Does.StartWith($"{kind}; filename=\"{name}\""));
    }

    [Test]
    public async Task OriginalOfAnyTypeIsServedAsStored()
    {
        var bytes = Encoding.UTF8.GetBytes("%PDF-1.4\n%fake\n");
        var record = await AssetSeeder.SeedAsync(app, bytes, "doc.pdf", "application/pdf");
        var res = await client.GetAsync($"/assets/{record.Id}");
        Assert.That(Header(res, "Content-Type"), Is.EqualTo("application/pdf"));
        Assert.That(await res.Content.ReadAsByteArrayAsync(), Is.EqualTo(bytes));
    }
}

/// <summary><c>Auth:PublicAssets=false</c>: a token is needed, in the header or as <c>?access_token=</c>.</summary>
public class PrivateAssetHttpTests
{
    private AssetServerApp app = null!;

    [OneTimeSetUp]
    public void Start() => app = new AssetServerApp(("Auth:PublicAssets", "false"), ("Assets:CacheTtl", "3600s"));

    [OneTimeTearDown]
    public void Stop() => app.Dispose();

    [Test]
    public async Task WithoutATokenItIsForbidden()
    {
        var record = await AssetSeeder.SeedJpegAsync(app, 40, 30);
        using var client = app.AnonymousClient();
        var res = await client.GetAsync($"/assets/{record.Id}");
        Assert.That(res.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        var error = JsonNode.Parse(await res.Content.ReadAsStringAsync())!["errors"]![0]!;
        Assert.That(error["extensions"]!["code"]!.GetValue<string>(), Is.EqualTo("FORBIDDEN"));
        Assert.That(error["message"]!.GetValue<string>(), Does.Contain("directus_files"));
    }

    [Test]
    public async Task AccessTokenInTheQueryServesItPrivately()
    {
        var bytes = TestImages.Jpeg(40, 30);
        var record = await AssetSeeder.SeedAsync(app, bytes, "photo.jpg", "image/jpeg");
        using var client = app.AnonymousClient();
        var res = await client.GetAsync($"/assets/{record.Id}?access_token={AssetServerApp.AdminToken}");
        Assert.That(res.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await res.Content.ReadAsByteArrayAsync(), Is.EqualTo(bytes));
        Assert.That(string.Join(", ", res.Headers.NonValidated["Cache-Control"]), Is.EqualTo("private, max-age=3600"));
    }

    [Test]
    public async Task BearerHeaderServesItPrivately()
    {
        var record = await AssetSeeder.SeedJpegAsync(app, 40, 30);
        using var client = app.AdminClient();
        var res = await client.GetAsync($"/assets/{record.Id}");
        Assert.That(res.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(string.Join(", ", res.Headers.NonValidated["Cache-Control"]), Is.EqualTo("private, max-age=3600"));
    }

    [Test]
    public async Task WrongTokenIsUnauthorized()
    {
        var record = await AssetSeeder.SeedJpegAsync(app, 40, 30);
        using var client = app.AnonymousClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "nope");
        var res = await client.GetAsync($"/assets/{record.Id}");
        Assert.That(res.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
    }
}
