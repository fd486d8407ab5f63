using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using AssetServer.Tests.Support;

namespace AssetServer.Tests.Admin;

/// <summary>How /admin and its files are served (issue 12): anonymous, typed, validated, under a strict CSP.</summary>
public class AdminPageHttpTests : AdminAppFixture
{
    private static readonly string[] PageFiles = ["admin.js", "api.js", "blurhash.js", "folders.js", "format.js", "admin.css"];

    [TestCase("/admin")]
    [TestCase("/admin/")]
    public async Task PageNeedsNoTokenAndCarriesItsSecurityHeaders(string path)
    {
        using var anonymous = app.AnonymousClient();
        using var response = await anonymous.GetAsync(path);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(response.Content.Headers.ContentType!.ToString(), Is.EqualTo("text/html; charset=utf-8"));
        Assert.That(Header(response, "Content-Security-Policy"),
            Is.EqualTo("default-src 'self'; img-src 'self' data: blob:; style-src 'self'; script-src 'self'; connect-src 'self'"));
        Assert.That(Header(response, "X-Content-Type-Options"), Is.EqualTo("nosniff"));
        Assert.That(Header(response, "X-Frame-Options"), Is.EqualTo("DENY"));
        Assert.That(response.Headers.CacheControl!.NoCache, Is.True);
        Assert.That(response.Headers.ETag, Is.Not.Null);
        Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain("<input type=\"password\" id=\"token\""));
    }

    [Test]
    public async Task PageLoadsEvenWithATokenThatMatchesNothing()
    {
        // Every API route answers 401 to such a token; the page must still load to ask for a good one.
        using var stranger = app.CreateClient();
        stranger.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "no-such-token");
        Assert.That((await stranger.GetAsync("/admin")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That((await stranger.GetAsync("/admin/admin.js")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That((await stranger.GetAsync("/files")).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
    }

    [TestCase("admin.js", "text/javascript; charset=utf-8")]
    [TestCase("api.js", "text/javascript; charset=utf-8")]
    [TestCase("blurhash.js", "text/javascript; charset=utf-8")]
    [TestCase("format.js", "text/javascript; charset=utf-8")]
    [TestCase("admin.css", "text/css; charset=utf-8")]
    public async Task EachFileHasItsTypeAndAValidator(string name, string contentType)
    {
        using var anonymous = app.AnonymousClient();
        using var response = await anonymous.GetAsync($"/admin/{name}");
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(response.Content.Headers.ContentType!.ToString(), Is.EqualTo(contentType));
        Assert.That(Header(response, "X-Content-Type-Options"), Is.EqualTo("nosniff"));
        var etag = response.Headers.ETag!;
        Assert.That(etag.IsWeak, Is.False);

        // RFC 9110 §13.1.2: a matching If-None-Match is a 304 without a body.
        using var conditional = new HttpRequestMessage(HttpMethod.Get, $"/admin/{name}");
        conditional.Headers.IfNoneMatch.Add(etag);
        using var notModified = await anonymous.SendAsync(conditional);
        Assert.That(notModified.StatusCode, Is.EqualTo(HttpStatusCode.NotModified));
        Assert.That(await notModified.Content.ReadAsByteArrayAsync(), Is.Empty);
        Assert.That(notModified.Headers.ETag, Is.EqualTo(etag));
    }

    [TestCase("/admin/nope.js")]
    [TestCase("/admin/AdminPage.cs")]
    [TestCase("/admin/..%2Fappsettings.json")]
    public async Task OtherNamesAreNotFound(string path)
    {
        using var anonymous = app.AnonymousClient();
        using var response = await anonymous.GetAsync(path);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain("ROUTE_NOT_FOUND"));
    }

    [Test]
    public async Task PageHasNoInlineScriptStyleOrHandler()
    {
        using var anonymous = app.AnonymousClient();
        var html = await anonymous.GetStringAsync("/admin");
        var scripts = Regex.Matches(html, "<script\\b[^>]*>", RegexOptions.IgnoreCase).Select(m => m.Value).ToList();
        Assert.That(scripts, Is.Not.Empty);
        Assert.That(scripts, Has.All.Match("src=\"/admin/[a-z]+\\.js\""));
        Assert.That(Regex.Matches(html, "<script\\b[^>]*>\\s*[^<\\s]", RegexOptions.IgnoreCase), Is.Empty, "an inline script body");
        Assert.That(Regex.IsMatch(html, "\\son[a-z]+\\s*=", RegexOptions.IgnoreCase), Is.False, "an inline event handler");
        Assert.That(Regex.IsMatch(html, "<style\\b|\\sstyle\\s*=", RegexOptions.IgnoreCase), Is.False, "an inline style");
        Assert.That(html, Does.Not.Contain("javascript:"));
        foreach (var name in PageFiles.Where(n => n.EndsWith(".js", StringComparison.Ordinal)))
        {
            var script = await anonymous.GetStringAsync($"/admin/{name}");
            Assert.That(script, Does.Not.Contain("innerHTML").And.Not.Contain("outerHTML").And.Not.Contain("insertAdjacentHTML")
                .And.Not.Contain("document.write").And.Not.Contain("eval("), name);
        }
    }

    [Test]
    public async Task PresetsAreListedForTokenHolders()
    {
        using var anonymous = app.AnonymousClient();
        Assert.That((await anonymous.GetAsync("/server/presets")).StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));

        var body = JsonNode.Parse(await client.GetStringAsync("/server/presets"))!;
        var presets = body["data"]!.AsArray().Select(p => p!.AsObject()).ToList();
        var keys = presets.Select(p => p["key"]!.GetValue<string>()).ToList();
        Assert.That(keys, Is.EquivalentTo(app.Service<AssetServer.Transforms.PresetStore>().Keys));
        Assert.That(keys, Is.Ordered.Using((IComparer<string>)StringComparer.Ordinal));
        var thumb = presets.Single(p => p["key"]!.GetValue<string>() == "thumb");
        Assert.That(thumb.ToJsonString(), Is.EqualTo("""{"key":"thumb","fit":"cover","width":200,"height":200,"format":"webp"}"""));
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) || response.Content.Headers.TryGetValues(name, out values)
            ? string.Join(", ", values)
            : null;
}
