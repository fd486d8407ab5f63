using AssetServer.Assets.Store;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using AssetServer.Assets;
using AssetServer.Tests.Support;

namespace AssetServer.Tests.Assets;

/// <summary>
/// Derivatives over <c>/assets</c> with the real Transforms module: types and sizes, <c>Vary</c>, one render for
/// concurrent first requests, no stale derivative after a replace or delete, validators and ranges on
/// derivatives, the queue and the timeout.
/// </summary>
public class AssetTransformHttpTests
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

    private static string Blur(double sigma) => Uri.EscapeDataString($"[[\"blur\",{sigma}]]");

    private static async Task Eventually(Func<bool> condition)
    {
        for (var i = 0; i < 400 && !condition(); i++) await Task.Delay(25);
        Assert.That(condition(), Is.True);
    }

    [Test]
    public async Task DerivativeHasTheOutputTypeSizeAndName()
    {
        var record = await AssetSeeder.SeedJpegAsync(app, 400, 250, "landscape.jpg");

        var res = await client.GetAsync($"/assets/{record.Id}?width=100&format=webp");

        Assert.That(res.StatusCode, Is.EqualTo(HttpStatusCode.OK), await res.Content.ReadAsStringAsync());
        var body = await res.Content.ReadAsByteArrayAsync();
        Assert.That(Header(res, "Content-Type"), Is.EqualTo("image/webp"));
        Assert.That(Header(res, "Content-Length"), Is.EqualTo(body.Length.ToString()));
        Assert.That(TestImages.SizeOf(body), Is.EqualTo((100, 63)));
        Assert.That(Header(res, "Content-Disposition"), Is.EqualTo("inline; filename=\"landscape.webp\"; filename*=UTF-8''landscape.webp"));
        Assert.That(Header(res, "ETag"), Does.Match("^\"[0-9a-f]{32}\"$").And.Not.EqualTo($"\"{record.Checksum![..32]}\""));
        Assert.That(Header(res, "Cache-Control"), Is.EqualTo("public, max-age=2592000"));
        Assert.That(Header(res, "Vary"), Is.Empty);
        Assert.That(Header(res, "X-Content-Type-Options"), Is.EqualTo("nosniff"));
        Assert.That(Directory.GetFiles(Path.Combine(app.DerivativesPath, record.Id)), Has.Length.EqualTo(1));
    }

    [Test]
    public async Task FormatAutoFollowsAcceptAndVariesByIt()
    {
        var record = await AssetSeeder.SeedJpegAsync(app, 400, 250);

        async Task<HttpResponseMessage> Get(string accept)
        {
            var request = new HttpRequestMessage(HttpMethod.Get, $"/assets/{record.Id}?width=50&format=auto");
            request.Headers.TryAddWithoutValidation("Accept", accept);
            return await client.SendAsync(request);
        }

        var webp = await Get("image/webp,*/*");
        var avif = await Get("image/avif,image/webp,*/*");
        var any = await Get("*/*");

        Assert.That(Header(webp, "Content-Type"), Is.EqualTo("image/webp"));
        Assert.That(Header(avif, "Content-Type"), Is.EqualTo("image/avif"));
        Assert.That(Header(any, "Content-Type"), Is.EqualTo("image/jpeg"));
        foreach (var res in new[] { webp, avif, any }) Assert.That(Header(res, "Vary"), Is.EqualTo("Accept"));
        Assert.That(new[] { Header(webp, "ETag"), Header(avif, "ETag"), Header(any, "ETag") }.Distinct().Count(), Is.EqualTo(3));
    }

    [Test]
    public async Task SixteenConcurrentFirstRequestsShareOneRender()
    {
        var record = await AssetSeeder.SeedJpegAsync(app, 1200, 800);
        var cache = app.Service<AssetStore>();
        var before = cache.RenderCount;

        var responses = await Task.WhenAll(Enumerable.Range(0, 16)
            .Select(_ => client.GetAsync($"/assets/{record.Id}?width=321&format=png")));

        var bodies = await Task.WhenAll(responses.Select(r => r.Content.ReadAsByteArrayAsync()));
        Assert.That(responses.Select(r => r.StatusCode), Is.All.EqualTo(HttpStatusCode.OK));
        Assert.That(cache.RenderCount - before, Is.EqualTo(1));
        Assert.That(bodies[0], Is.Not.Empty);
        Assert.That(bodies, Is.All.EqualTo(bodies[0]));
        Assert.That(app.TempFilesOnDisk(), Is.Empty);
    }

    [Test]
    public async Task ReplacedFileNeverServesAnOldDerivative()
    {
        var record = await AssetSeeder.SeedJpegAsync(app, 400, 300);
        var old = await client.GetAsync($"/assets/{record.Id}?width=100");
        Assert.That(TestImages.SizeOf(await old.Content.ReadAsByteArrayAsync()), Is.EqualTo((100, 75)));

        await AssetSeeder.ReplaceAsync(app, record, TestImages.Jpeg(300, 600), "image/jpeg", AssetSeeder.DefaultModified.AddDays(1));

        var fresh = await client.GetAsync($"/assets/{record.Id}?width=100");
        Assert.That(fresh.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(TestImages.SizeOf(await fresh.Content.ReadAsByteArrayAsync()), Is.EqualTo((100, 200)));
        Assert.That(Header(fresh, "ETag"), Is.Not.EqualTo(Header(old, "ETag")));
        Assert.That(Header(fresh, "Last-Modified"), Is.EqualTo("Tue, 24 Nov 2026 00:12:25 GMT"));
    }

    [Test]
    public async Task DeletedFileIsForbiddenWithOrWithoutTransforms()
    {
        var record = await AssetSeeder.SeedJpegAsync(app, 400, 300);
        Assert.That((await client.GetAsync($"/assets/{record.Id}?width=100")).StatusCode, Is.EqualTo(HttpStatusCode.OK));

        await AssetSeeder.DeleteAsync(app, record);

        Assert.That((await client.GetAsync($"/assets/{record.Id}?width=100")).StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That((await client.GetAsync($"/assets/{record.Id}")).StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That(Directory.Exists(Path.Combine(app.DerivativesPath, record.Id)), Is.False);
    }

    [Test]
    public async Task DerivativeRevalidatesWithoutRenderingAndServesRanges()
    {
        var record = await AssetSeeder.SeedJpegAsync(app, 400, 300);
        var cache = app.Service<AssetStore>();
        var url = $"/assets/{record.Id}?width=150&format=png";
        var first = await client.GetAsync(url);
        var body = await first.Content.ReadAsByteArrayAsync();
        var etag = Header(first, "ETag");

        var revalidate = new HttpRequestMessage(HttpMethod.Get, url);
        revalidate.Headers.TryAddWithoutValidation("If-None-Match", etag);
        var renders = cache.RenderCount;
        var notModified = await client.SendAsync(revalidate);
        Assert.That(notModified.StatusCode, Is.EqualTo(HttpStatusCode.NotModified));
        Assert.That(Header(notModified, "ETag"), Is.EqualTo(etag));
        Assert.That(cache.RenderCount, Is.EqualTo(renders));

        var ranged = new HttpRequestMessage(HttpMethod.Get, url);
        ranged.Headers.TryAddWithoutValidation("Range", "bytes=0-9");
        var partial = await client.SendAsync(ranged);
        Assert.That(partial.StatusCode, Is.EqualTo(HttpStatusCode.PartialContent));
        Assert.That(Header(partial, "Content-Range"), Is.EqualTo($"bytes 0-9/{body.Length}"));
        Assert.That(await partial.Content.ReadAsByteArrayAsync(), Is.EqualTo(body.Take(10).ToArray()));
    }

    [Test]
    public async Task HeadWithTransformRendersAndCachesAsDirectusDoes()
    {
        var record = await AssetSeeder.SeedJpegAsync(app, 400, 300);
        var cache = app.Service<AssetStore>();
        var before = cache.RenderCount;

        var head = await client.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"/assets/{record.Id}?width=77"));
        Assert.That(head.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await head.Content.ReadAsByteArrayAsync(), Is.Empty);
        Assert.That(cache.RenderCount - before, Is.EqualTo(1));

        var get = await client.GetAsync($"/assets/{record.Id}?width=77");
        Assert.That(Header(get, "Content-Length"), Is.EqualTo(Header(head, "Content-Length")));
        Assert.That(cache.RenderCount - before, Is.EqualTo(1));
    }

    [Test]
    public async Task TokenDownloadAndCacheBustersMixWithTransforms()
    {
        var record = await AssetSeeder.SeedJpegAsync(app, 400, 300, "photo.jpg");
        var res = await client.GetAsync($"/assets/{record.Id}/card.jpg?width=100&format=png&download&v=3&access_token={AssetServerApp.AdminToken}");
        Assert.That(res.StatusCode, Is.EqualTo(HttpStatusCode.OK), await res.Content.ReadAsStringAsync());
        Assert.That(Header(res, "Content-Type"), Is.EqualTo("image/png"));
        Assert.That(Header(res, "Content-Disposition"), Is.EqualTo("attachment; filename=\"card.png\"; filename*=UTF-8''card.png"));
        Assert.That(Header(res, "Cache-Control"), Is.EqualTo("private, max-age=2592000"));
    }

    [Test]
    public async Task NonImageIgnoresTransformParameters()
    {
        // A PDF has a poster since issue 20; plain text has none.
        var bytes = Encoding.UTF8.GetBytes("just some notes\n");
        var record = await AssetSeeder.SeedAsync(app, bytes, "notes.txt", "text/plain");
        var res = await client.GetAsync($"/assets/{record.Id}?width=100");
        Assert.That(res.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await res.Content.ReadAsByteArrayAsync(), Is.EqualTo(bytes));
        Assert.That(Header(res, "Content-Type"), Does.StartWith("text/plain"));
    }

    [Test]
    public async Task MalformedTransformIsInvalidQuery()
    {
        var record = await AssetSeeder.SeedJpegAsync(app, 40, 30);
        var res = await client.GetAsync($"/assets/{record.Id}?width=-1");
        Assert.That(res.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        var error = JsonNode.Parse(await res.Content.ReadAsStringAsync())!["errors"]![0]!;
        Assert.That(error["extensions"]!["code"]!.GetValue<string>(), Is.EqualTo("INVALID_QUERY"));
    }

    [Test]
    public async Task FullQueueIs503WithRetryAfter()
    {
        using var busy = new AssetServerApp(("Assets:MaxConcurrentTransforms", "1"));
        using var busyClient = busy.AnonymousClient();
        var record = await AssetSeeder.SeedJpegAsync(busy, 1500, 1500);

        var responses = await Task.WhenAll(Enumerable.Range(0, 20)
            .Select(i => busyClient.GetAsync($"/assets/{record.Id}?width={1000 + i}&transforms={Blur(30)}")));

        var refused = responses.Where(r => r.StatusCode == HttpStatusCode.ServiceUnavailable).ToList();
        Assert.That(refused, Is.Not.Empty);
        Assert.That(responses.Count(r => r.StatusCode == HttpStatusCode.OK), Is.GreaterThanOrEqualTo(1));
        Assert.That(responses.All(r => r.StatusCode is HttpStatusCode.OK or HttpStatusCode.ServiceUnavailable), Is.True);
        var error = JsonNode.Parse(await refused[0].Content.ReadAsStringAsync())!["errors"]![0]!;
        Assert.That(error["extensions"]!["code"]!.GetValue<string>(), Is.EqualTo("SERVICE_UNAVAILABLE"));
        Assert.That(error["extensions"]!["service"]!.GetValue<string>(), Is.EqualTo("assets"));
        Assert.That(refused[0].Headers.RetryAfter, Is.Not.Null);
    }

    [Test]
    public async Task TimeoutIs503AndLeavesNoDerivative()
    {
        using var hurried = new AssetServerApp(("Assets:TransformTimeout", "1ms"));
        using var hurriedClient = hurried.AnonymousClient();
        var record = await AssetSeeder.SeedJpegAsync(hurried, 2000, 2000);

        var res = await hurriedClient.GetAsync($"/assets/{record.Id}?transforms={Blur(50)}");

        Assert.That(res.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
        var error = JsonNode.Parse(await res.Content.ReadAsStringAsync())!["errors"]![0]!;
        Assert.That(error["message"]!.GetValue<string>(), Is.EqualTo("Service \"assets\" is unavailable. Transformation timed out."));
        Assert.That(Header(res, "Retry-After"), Is.EqualTo("1"));
        var cache = hurried.Service<AssetStore>();
        await Eventually(() => hurried.TempFilesOnDisk().Length == 0 && cache.Scheduler.Admitted == 0);
        var folder = Path.Combine(hurried.DerivativesPath, record.Id);
        Assert.That(Directory.Exists(folder) ? Directory.GetFiles(folder) : [], Is.Empty);
    }
}
