using System.Net;
using AssetServer.Tests.Support;

namespace AssetServer.Tests.Cors;

/// <summary>Issue 9 (CORS): browser front-ends on another origin, as Directus answers them with CORS_ENABLED.</summary>
public class CorsTests
{
    private const string Allowed = "https://app.example";
    private AssetServerApp app = null!;

    [OneTimeSetUp]
    public void Start() => app = new AssetServerApp(
        ("Cors:Enabled", "true"), ("Cors:Origins:0", Allowed), ("RateLimits:TransformsPerMinute", "1"));

    [OneTimeTearDown]
    public void Stop() => app.Dispose();

    [Test]
    public async Task PreflightFromAnAllowedOriginIsAnsweredWithoutAToken()
    {
        using var client = app.AnonymousClient();
        using var res = await client.SendAsync(Preflight("/files", Allowed, "POST", "authorization,content-type"));

        Assert.That(res.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
        Assert.That(Header(res, "Access-Control-Allow-Origin"), Is.EqualTo(Allowed));
        Assert.That(Header(res, "Access-Control-Allow-Methods"), Does.Contain("POST"));
        Assert.That(Header(res, "Access-Control-Allow-Headers")!.ToLowerInvariant(), Does.Contain("authorization").And.Contain("content-type"));
        Assert.That(Header(res, "Access-Control-Max-Age"), Is.EqualTo("18000"));
        Assert.That(Header(res, "Access-Control-Allow-Credentials"), Is.Null);
    }

    [Test]
    public async Task ARefusedOriginGetsNoCorsHeaders()
    {
        using var client = app.AnonymousClient();
        using var preflight = await client.SendAsync(Preflight("/files", "https://evil.example", "POST", "authorization"));
        using var get = await client.SendAsync(WithOrigin(HttpMethod.Get, "/server/health", "https://evil.example"));

        using var allowed = await client.SendAsync(WithOrigin(HttpMethod.Get, "/server/health", Allowed));

        // Answered (no token, no route needed) but without a grant, so the browser blocks the real request.
        Assert.That(preflight.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
        Assert.That(Header(preflight, "Access-Control-Allow-Origin"), Is.Null);
        Assert.That(Header(preflight, "Access-Control-Allow-Methods"), Is.Null);
        Assert.That(get.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(Header(get, "Access-Control-Allow-Origin"), Is.Null);
        Assert.That(Header(allowed, "Access-Control-Allow-Origin"), Is.EqualTo(Allowed));
    }

    [Test]
    public async Task ASimpleAssetGetAllowsTheOriginAndExposesTheAssetHeaders()
    {
        var file = await app.UploadOkAsync("hello cors"u8.ToArray(), "cors.txt", "text/plain");
        using var client = app.AnonymousClient();
        using var res = await client.SendAsync(WithOrigin(HttpMethod.Get, $"/assets/{file["id"]}", Allowed));

        Assert.That(res.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(Header(res, "Access-Control-Allow-Origin"), Is.EqualTo(Allowed));
        Assert.That(Header(res, "Access-Control-Expose-Headers"), Does.Contain("ETag").And.Contain("Content-Disposition").And.Contain("Content-Range"));
        Assert.That(res.Headers.Vary, Does.Contain("Origin"));
        using var sameOrigin = await client.GetAsync($"/assets/{file["id"]}");
        Assert.That(Header(sameOrigin, "Access-Control-Allow-Origin"), Is.Null);
        Assert.That(sameOrigin.Headers.Vary, Does.Contain("Origin"), "a shared cache must not serve this answer to a cross-origin caller");
    }

    [Test]
    public async Task ErrorAnswersKeepTheAllowOrigin()
    {
        using var anonymous = app.AnonymousClient();
        using var admin = app.AdminClient();
        var image = (await app.UploadOkAsync(TestImages.Png(30, 30), "cors-budget.png", "image/png"))["id"]!.GetValue<string>();
        using var madeUp = app.AnonymousClient();
        madeUp.DefaultRequestHeaders.Authorization = new("Bearer", "no-such-token");
        using var unauthorized = await madeUp.SendAsync(WithOrigin(HttpMethod.Get, "/server/health", Allowed));
        using var forbidden = await anonymous.SendAsync(WithOrigin(HttpMethod.Get, "/files", Allowed));
        using var notFound = await anonymous.SendAsync(WithOrigin(HttpMethod.Get, "/no-such-route", Allowed));
        using var badQuery = await admin.SendAsync(WithOrigin(HttpMethod.Get, "/files?filter={oops", Allowed));
        // A budget of one render a minute: the second render is refused.
        using var first = await anonymous.SendAsync(WithOrigin(HttpMethod.Get, $"/assets/{image}?width=10", Allowed));
        using var limited = await anonymous.SendAsync(WithOrigin(HttpMethod.Get, $"/assets/{image}?width=11", Allowed));

        foreach (var (res, status) in new[]
                 {
                     (unauthorized, HttpStatusCode.Unauthorized), (forbidden, HttpStatusCode.Forbidden), (notFound, HttpStatusCode.NotFound),
                     (badQuery, HttpStatusCode.BadRequest), (limited, HttpStatusCode.TooManyRequests),
                 })
        {
            Assert.That(res.StatusCode, Is.EqualTo(status));
            Assert.That(Header(res, "Access-Control-Allow-Origin"), Is.EqualTo(Allowed), status.ToString());
            Assert.That(await res.Content.ReadAsStringAsync(), Does.Contain("\"errors\""), status.ToString());
        }
    }

    [TestCase("true", "https://any.example")]
    [TestCase("*", "*")]
    public async Task TrueReflectsTheOriginAndStarAllowsAny(string origins, string expected)
    {
        using var open = new AssetServerApp(("Cors:Enabled", "true"), ("Cors:Origins", origins));
        using var client = open.AnonymousClient();
        using var res = await client.SendAsync(Preflight("/files", "https://any.example", "PATCH", "authorization"));

        Assert.That(res.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
        Assert.That(Header(res, "Access-Control-Allow-Origin"), Is.EqualTo(expected));
    }

    [Test]
    public async Task OffByDefaultAPreflightGetsNoCorsHeaders()
    {
        using var plain = new AssetServerApp();
        using var client = plain.AnonymousClient();
        using var res = await client.SendAsync(Preflight("/files", Allowed, "POST", "authorization"));

        Assert.That(res.StatusCode, Is.Not.EqualTo(HttpStatusCode.NoContent));
        Assert.That(Header(res, "Access-Control-Allow-Origin"), Is.Null);
        Assert.That(Header(res, "Access-Control-Allow-Methods"), Is.Null);
    }

    private static HttpRequestMessage WithOrigin(HttpMethod method, string path, string origin)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.Add("Origin", origin);
        return request;
    }

    private static HttpRequestMessage Preflight(string path, string origin, string method, string headers)
    {
        var request = WithOrigin(HttpMethod.Options, path, origin);
        request.Headers.Add("Access-Control-Request-Method", method);
        request.Headers.Add("Access-Control-Request-Headers", headers);
        return request;
    }

    private static string? Header(HttpResponseMessage res, string name) =>
        res.Headers.TryGetValues(name, out var values) ? string.Join(",", values) : null;
}
