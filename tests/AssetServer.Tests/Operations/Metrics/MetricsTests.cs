using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using AssetServer.Tests.Support;
using NUnit.Framework;

namespace AssetServer.Tests.Metrics;

/// <summary>Issue 12: <c>/metrics</c> carries API.md's series, and they move by exactly what happened.</summary>
public class MetricsTests : AdminAppFixture
{
    /// <summary>The value of one series (name plus its label text, e.g. <c>{tier="memory"}</c>), 0 when absent.</summary>
    private async Task<double> ReadAsync(string series)
    {
        var text = await client.GetStringAsync("/metrics");
        var match = Regex.Match(text, "^" + Regex.Escape(series) + @" (\S+)$", RegexOptions.Multiline);
        return match.Success ? double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) : 0;
    }

    [Test]
    public async Task MetricsNeedATokenAndListTheContractSeries()
    {
        using var anonymous = app.AnonymousClient();
        Assert.That((await anonymous.GetAsync("/metrics")).StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        using var res = await client.GetAsync("/metrics");
        Assert.That(res.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(res.Content.Headers.ContentType!.MediaType, Is.EqualTo("text/plain"));
        var text = await res.Content.ReadAsStringAsync();
        foreach (var name in new[]
                 {
                     "assetserver_renders_total", "assetserver_render_duration_seconds", "assetserver_cache_hits_total",
                     "assetserver_cache_misses_total", "assetserver_render_queue_length", "assetserver_render_rejected_total",
                     "assetserver_uploads_total", "assetserver_upload_bytes_total", "http_request_duration_seconds",
                     "assetserver_background_renders_pending",
                 })
            Assert.That(text, Does.Contain("# TYPE " + name), name);
    }

    [Test]
    public async Task RendersCountRealRendersAndHitsCountTheRest()
    {
        var id = (await app.UploadOkAsync(TestImages.Jpeg(300, 200), "m.jpg", "image/jpeg"))["id"]!.GetValue<string>();
        app.WaitForBackgroundRenders(); // the upload's own renders (Strapi formats) are not what this counts
        var renders = await ReadAsync("assetserver_renders_total");
        var misses = await ReadAsync("assetserver_cache_misses_total");
        var memoryHits = await ReadAsync("assetserver_cache_hits_total{tier=\"memory\"}");
        var durations = await ReadAsync("assetserver_render_duration_seconds_count");

        Assert.That((await client.GetAsync($"/assets/{id}?width=40")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await ReadAsync("assetserver_renders_total") - renders, Is.EqualTo(1));
        Assert.That(await ReadAsync("assetserver_cache_misses_total") - misses, Is.EqualTo(1));
        Assert.That(await ReadAsync("assetserver_render_duration_seconds_count") - durations, Is.EqualTo(1));

        // The same URL again is answered by the memo and the memory tier: no render, one hit.
        Assert.That((await client.GetAsync($"/assets/{id}?width=40")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await ReadAsync("assetserver_renders_total") - renders, Is.EqualTo(1));
        Assert.That(await ReadAsync("assetserver_cache_hits_total{tier=\"memory\"}") - memoryHits, Is.EqualTo(1));
    }

    [Test]
    public async Task ConcurrentFirstRequestsCountOneRender()
    {
        var id = (await app.UploadOkAsync(TestImages.Jpeg(1200, 900), "many.jpg", "image/jpeg"))["id"]!.GetValue<string>();
        app.WaitForBackgroundRenders(); // the upload's own renders (Strapi formats) are not what this counts
        var renders = await ReadAsync("assetserver_renders_total");
        var misses = await ReadAsync("assetserver_cache_misses_total");
        var hits = await ReadAsync("assetserver_cache_hits_total{tier=\"memory\"}") + await ReadAsync("assetserver_cache_hits_total{tier=\"disk\"}");
        var answers = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => client.GetAsync($"/assets/{id}?width=333&height=222&fit=cover")));
        Assert.That(answers.Select(a => a.StatusCode), Is.All.EqualTo(HttpStatusCode.OK));
        Assert.That(await ReadAsync("assetserver_renders_total") - renders, Is.EqualTo(1), "waiters on another request's render do not count");
        var hitsAfter = await ReadAsync("assetserver_cache_hits_total{tier=\"memory\"}") + await ReadAsync("assetserver_cache_hits_total{tier=\"disk\"}");
        Assert.That(await ReadAsync("assetserver_cache_misses_total") - misses + (hitsAfter - hits), Is.EqualTo(8), "each request is a hit or a miss");
    }

    [Test]
    public async Task UploadsCountFilesAndBytes()
    {
        var uploads = await ReadAsync("assetserver_uploads_total");
        var bytes = await ReadAsync("assetserver_upload_bytes_total");
        await app.UploadOkAsync(new byte[1234], "a.bin", "application/octet-stream");
        await app.UploadOkAsync(TestImages.Png(20, 20), "b.png", "image/png");
        var png = TestImages.Png(20, 20).Length;
        Assert.That(await ReadAsync("assetserver_uploads_total") - uploads, Is.EqualTo(2));
        Assert.That(await ReadAsync("assetserver_upload_bytes_total") - bytes, Is.EqualTo(1234 + png));
    }

    [Test]
    public async Task HttpDurationsAreLabelledByRouteTemplate()
    {
        var id = (await app.UploadOkAsync(TestImages.Png(10, 10), "r.png", "image/png"))["id"]!.GetValue<string>();
        Assert.That((await client.GetAsync($"/files/{id}")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var text = await client.GetStringAsync("/metrics");
        Assert.That(text, Does.Contain("endpoint=\"/files/{id}\""));
        Assert.That(text, Does.Not.Contain(id), "raw paths never become labels");
    }
}

/// <summary><c>Metrics:Public</c> and the rejection counter, each on its own app.</summary>
public class MetricsSettingsTests
{
    [Test]
    public async Task PublicMetricsNeedNoToken()
    {
        using var app = new AssetServerApp(("Metrics:Public", "true"));
        using var anonymous = app.AnonymousClient();
        using var res = await anonymous.GetAsync("/metrics");
        Assert.That(res.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await res.Content.ReadAsStringAsync(), Does.Contain("assetserver_renders_total"));
    }

    [Test]
    public async Task RejectedRendersAreCountedOncePer503()
    {
        using var app = new AssetServerApp(("Assets:MaxConcurrentTransforms", "1"), ("Assets:RenderQueueLength", "1"), ("Metrics:Public", "true"));
        var id = (await app.UploadOkAsync(TestImages.Jpeg(2400, 1800), "busy.jpg", "image/jpeg"))["id"]!.GetValue<string>();
        app.WaitForBackgroundRenders(); // the upload's own renders (Strapi formats) are not what this counts
        using var client = app.AnonymousClient();
        async Task<double> Rejected()
        {
            var text = await client.GetStringAsync("/metrics");
            var match = Regex.Match(text, @"^assetserver_render_rejected_total (\S+)$", RegexOptions.Multiline);
            return double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        }
        var before = await Rejected();
        var answers = await Task.WhenAll(Enumerable.Range(0, 10).Select(i => client.GetAsync($"/assets/{id}?width={1000 + i}&format=webp")));
        var refused = answers.Count(a => a.StatusCode == HttpStatusCode.ServiceUnavailable);
        Assert.That(refused, Is.GreaterThan(0), "one slot and one place in the queue cannot take ten renders at once");
        Assert.That(answers.Count(a => a.StatusCode == HttpStatusCode.OK) + refused, Is.EqualTo(10));
        Assert.That(await Rejected() - before, Is.EqualTo(refused));
    }
}
