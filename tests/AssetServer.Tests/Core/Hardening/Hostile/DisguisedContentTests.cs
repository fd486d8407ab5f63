using System.Net;
using System.Text;
using AssetServer.Tests.Support;

namespace AssetServer.Tests.Hardening.Hostile;

/// <summary>
/// Files that lie about what they are: HTML named like a photo, SVG carrying script, a JPEG with script appended,
/// XML and XHTML. The stored type comes from the bytes; the answer never lets a browser run script on our origin
/// (nosniff, a CSP without any script source, HTML as an attachment), and transforms never turn them into
/// something they are not.
/// </summary>
public class DisguisedContentTests
{
    private const string HtmlPayload =
        "<!DOCTYPE html><html><head><title>x</title></head><body><script>alert(document.cookie)</script></body></html>";

    private const string SvgPayload =
        """
        <?xml version="1.0" encoding="UTF-8"?>
        <svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="100" height="100" onload="alert(1)">
          <script type="text/javascript">alert(document.domain)</script>
          <image href="http://evil/x" xlink:href="http://evil/x" width="100" height="100"/>
          <rect width="100" height="100" fill="red"/>
        </svg>
        """;

    private AssetServerApp app = null!;

    [OneTimeSetUp]
    public void Start() => app = new AssetServerApp();

    [OneTimeTearDown]
    public void Stop() => app.Dispose();

    [Test]
    public async Task HtmlNamedPhotoJpgIsStoredAsHtmlAndServedAsSandboxedAttachment()
    {
        var bytes = Encoding.UTF8.GetBytes(HtmlPayload);
        var rows = await app.RowCountAsync();
        var file = await app.UploadOkAsync(bytes, "photo.jpg", "image/jpeg");
        Assert.That(file["type"]!.GetValue<string>(), Does.StartWith("text/html"));
        Assert.That(await app.RowCountAsync(), Is.EqualTo(rows + 1));
        var id = file["id"]!.GetValue<string>();

        using var client = HostileKit.Client(app);
        foreach (var url in new[] { $"/assets/{id}", $"/assets/{id}/photo.jpg", $"/assets/{id}?width=100", $"/assets/{id}?width=100&format=png" })
        {
            using var res = await client.GetAsync(url);
            var body = await res.Content.ReadAsByteArrayAsync();
            Assert.That(res.StatusCode, Is.EqualTo(HttpStatusCode.OK), url);
            Assert.That(body, Is.EqualTo(bytes), $"{url}: the original, untouched");
            Assert.That(res.Content.Headers.ContentType?.MediaType, Is.EqualTo("text/html"), url);
            AssertScriptsBlocked(res, url);
            AssertAttachment(res, url);
        }
        HostileKit.AssertNoDerivatives(app, id);
        HostileKit.AssertNoTempFiles(app);
        await HostileKit.AssertHealthyAsync(app);
    }

    [Test]
    public async Task HtmlBehindCommentsAndWhitespaceIsStillHtml()
    {
        var bytes = Encoding.UTF8.GetBytes("\uFEFF \r\n<!-- looks harmless -->\n<?x y?>\n<ScRiPt>alert(1)</ScRiPt>");
        var file = await app.UploadOkAsync(bytes, "avatar.png", "image/png");
        Assert.That(file["type"]!.GetValue<string>(), Does.StartWith("text/html"));

        using var client = HostileKit.Client(app);
        using var res = await client.GetAsync($"/assets/{file["id"]}");
        Assert.That(res.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        AssertScriptsBlocked(res, "comment-prefixed html");
        AssertAttachment(res, "comment-prefixed html");
    }

    [Test]
    public async Task SvgWithScriptIsServedVerbatimUnderAScriptBlockingPolicy()
    {
        var bytes = Encoding.UTF8.GetBytes(SvgPayload);
        var file = await app.UploadOkAsync(bytes, "logo.png", "image/png");
        Assert.That(file["type"]!.GetValue<string>(), Is.EqualTo("image/svg+xml"));
        var id = file["id"]!.GetValue<string>();

        using var client = HostileKit.Client(app);
        foreach (var query in new[] { "", "?width=50", "?width=50&format=png", "?format=jpg&quality=10", "?transforms=[[\"blur\",3]]" })
        {
            using var res = await client.GetAsync($"/assets/{id}{query}");
            var body = await res.Content.ReadAsByteArrayAsync();
            Assert.That(res.StatusCode, Is.EqualTo(HttpStatusCode.OK), query);
            Assert.That(body, Is.EqualTo(bytes), $"{query}: transform parameters are ignored for SVG");
            Assert.That(res.Content.Headers.ContentType?.MediaType, Is.EqualTo("image/svg+xml"), query);
            AssertScriptsBlocked(res, query);
        }
        HostileKit.AssertNoDerivatives(app, id);
        HostileKit.AssertNoTempFiles(app);
        await HostileKit.AssertHealthyAsync(app);
    }

    [Test]
    public async Task JpegWithScriptAppendedStaysAJpegAndItsDerivativesDropTheScript()
    {
        const string script = "<script>alert(1)</script>";
        var bytes = TestImages.Jpeg(120, 80).Concat(Encoding.ASCII.GetBytes(script)).ToArray();
        var file = await app.UploadOkAsync(bytes, "polyglot.html", "text/html");
        Assert.That(file["type"]!.GetValue<string>(), Is.EqualTo("image/jpeg"));
        var id = file["id"]!.GetValue<string>();

        using var client = HostileKit.Client(app);
        using (var original = await client.GetAsync($"/assets/{id}"))
        {
            Assert.That(original.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(await original.Content.ReadAsByteArrayAsync(), Is.EqualTo(bytes));
            Assert.That(original.Content.Headers.ContentType?.MediaType, Is.EqualTo("image/jpeg"));
            AssertNoSniff(original, "original");
            AssertNoScriptSource(original, "original");
        }

        var rendered = 0;
        foreach (var (query, type) in new[] { ("width=50", "image/jpeg"), ("width=50&format=png", "image/png"), ("width=50&format=webp", "image/webp"), ("width=50&format=gif", "image/gif") })
        {
            using var res = await client.GetAsync($"/assets/{id}?{query}");
            var body = await res.Content.ReadAsByteArrayAsync();
            Assert.That(res.StatusCode, Is.EqualTo(HttpStatusCode.OK), query);
            rendered++;
            Assert.That(res.Content.Headers.ContentType?.MediaType, Is.EqualTo(type), query);
            Assert.That(TestImages.SizeOf(body).Width, Is.EqualTo(50), query);
            Assert.That(Encoding.Latin1.GetString(body), Does.Not.Contain("<script"), $"{query}: derivative carries the script");
            AssertNoSniff(res, query);
        }
        HostileKit.AssertDerivativesComplete(app, id, atMost: rendered);
        foreach (var derivative in HostileKit.DerivativesOf(app, id))
            Assert.That(Encoding.Latin1.GetString(File.ReadAllBytes(derivative)), Does.Not.Contain("<script"));
        HostileKit.AssertNoTempFiles(app);
        await HostileKit.AssertHealthyAsync(app);
    }

    [Test]
    public async Task GifHeaderFollowedByHtmlIsAGifThatCannotBeSniffedIntoHtml()
    {
        // A classic GIF/JS polyglot: the header is all a sniffer sees; the browser must not see HTML either.
        var bytes = Encoding.ASCII.GetBytes("GIF89a/*<html><script>alert(1)</script></html>*/=1;");
        var rows = await app.RowCountAsync();
        var file = await app.UploadOkAsync(bytes, "x.html", "text/html");
        Assert.That(file["type"]!.GetValue<string>(), Is.EqualTo("image/gif"));
        Assert.That(await app.RowCountAsync(), Is.EqualTo(rows + 1));
        var id = file["id"]!.GetValue<string>();

        using var client = HostileKit.Client(app);
        using (var original = await client.GetAsync($"/assets/{id}"))
        {
            Assert.That(original.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(original.Content.Headers.ContentType?.MediaType, Is.EqualTo("image/gif"));
            AssertNoSniff(original, "gif polyglot");
            AssertNoScriptSource(original, "gif polyglot");
        }
        using (var res = await client.GetAsync($"/assets/{id}?width=10"))
        {
            // Not a decodable GIF: the damaged-source refusal.
            await HostileKit.AssertBadRequestAsync(res, "ILLEGAL_ASSET_TRANSFORMATION");
        }
        HostileKit.AssertNoDerivatives(app, id);
        HostileKit.AssertNoTempFiles(app);
        await HostileKit.AssertHealthyAsync(app);
    }

    [TestCase("<?xml version=\"1.0\"?><root><script xmlns=\"http://www.w3.org/1999/xhtml\">alert(1)</script></root>", "data.xml", "application/xml")]
    [TestCase("<?xml version=\"1.0\"?><?xml-stylesheet href=\"http://evil/x.xsl\" type=\"text/xsl\"?><doc/>", "doc.txt", "text/plain")]
    [TestCase("<?xml version=\"1.0\"?><html xmlns=\"http://www.w3.org/1999/xhtml\"><body><script>alert(1)</script></body></html>", "page.xhtml", "application/xhtml+xml")]
    [TestCase("<x:html xmlns:x=\"http://www.w3.org/1999/xhtml\"><x:script>alert(1)</x:script></x:html>", "page.jpg", "image/jpeg")]
    public async Task XmlAndXhtmlAreServedUnderAScriptBlockingPolicy(string markup, string name, string clientType)
    {
        var bytes = Encoding.UTF8.GetBytes(markup);
        var file = await app.UploadOkAsync(bytes, name, clientType);
        var type = file["type"]!.GetValue<string>();
        Assert.That(type, Does.Contain("xml").Or.Contain("html"), "markup is never stored as an image or plain text");
        var id = file["id"]!.GetValue<string>();

        using var client = HostileKit.Client(app);
        foreach (var query in new[] { "", "?width=20" })
        {
            using var res = await client.GetAsync($"/assets/{id}{query}");
            Assert.That(res.StatusCode, Is.EqualTo(HttpStatusCode.OK), query);
            Assert.That(await res.Content.ReadAsByteArrayAsync(), Is.EqualTo(bytes), query);
            AssertScriptsBlocked(res, $"{name}{query}");
            if (type.Contains("html")) AssertAttachment(res, $"{name}{query}");
        }
        HostileKit.AssertNoDerivatives(app, id);
        HostileKit.AssertNoTempFiles(app);
    }

    private static void AssertNoSniff(HttpResponseMessage res, string what) =>
        Assert.That(res.Headers.TryGetValues("X-Content-Type-Options", out var values) ? string.Join(",", values) : null,
            Is.EqualTo("nosniff"), $"{what}: X-Content-Type-Options");

    private static string Csp(HttpResponseMessage res, string what)
    {
        var csp = res.Headers.TryGetValues("Content-Security-Policy", out var values) ? string.Join(",", values) : null;
        Assert.That(csp, Is.Not.Null.And.Not.Empty, $"{what}: Content-Security-Policy missing");
        return csp!;
    }

    /// <summary>No directive may allow script: neither script-src nor a permissive default-src.</summary>
    private static void AssertNoScriptSource(HttpResponseMessage res, string what)
    {
        var csp = Csp(res, what);
        Assert.That(csp, Does.Not.Contain("script-src"), $"{what}: {csp}");
        Assert.That(csp, Does.Not.Contain("unsafe-eval"), $"{what}: {csp}");
        Assert.That(csp, Does.Contain("default-src 'none'"), $"{what}: {csp}");
    }

    /// <summary>Active content: nosniff, nothing may load and the document is sandboxed (script off, opaque origin).</summary>
    private static void AssertScriptsBlocked(HttpResponseMessage res, string what)
    {
        AssertNoSniff(res, what);
        AssertNoScriptSource(res, what);
        var directives = Csp(res, what).Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var sandbox = directives.FirstOrDefault(d => d.Split(' ')[0] == "sandbox");
        Assert.That(sandbox, Is.Not.Null, $"{what}: no sandbox directive");
        Assert.That(sandbox, Does.Not.Contain("allow-scripts").And.Not.Contain("allow-same-origin"), what);
    }

    private static void AssertAttachment(HttpResponseMessage res, string what) =>
        Assert.That(res.Content.Headers.ContentDisposition?.DispositionType, Is.EqualTo("attachment"), $"{what}: HTML must download");
}
