using System.Net;
using AssetServer.Tests.Support;

namespace AssetServer.Tests.Hardening.Hostile;

/// <summary>
/// Issue 9, item 1: anonymous requests for huge renders once held every render slot for minutes, and a small
/// thumbnail behind them hung. Now renders are admitted by cost: heavy ones share a pixel budget and wait for a slot
/// only <c>Assets:MaxQueueWait</c>, and a cheap thumbnail has a slot of its own, so it is answered while they run.
/// </summary>
public class HeavyRenderAdmissionTestsIssue9
{
    [Test]
    public async Task AThumbnailIsServedWhileHeavyRendersHoldEverySlot_Issue9()
    {
        using var app = new AssetServerApp(("Assets:MaxConcurrentTransforms", "1"), ("Assets:TransformTimeout", "20s"),
            ("Assets:MaxQueueWait", "20s"), ("RateLimits:TransformsPerMinute", "0"));
        var big = (await app.UploadOkAsync(TestImages.Jpeg(3000, 2000), "big.jpg", "image/jpeg"))["id"]!.GetValue<string>();
        var small = (await app.UploadOkAsync(TestImages.Jpeg(600, 400), "small.jpg", "image/jpeg"))["id"]!.GetValue<string>();
        using var client = app.AnonymousClient();

        // Each heavy render decodes 6 MP and encodes 16 MP of WebP: far past the cheap lane; one runs, one waits.
        var heavy = Enumerable.Range(0, 2)
            .Select(i => client.GetAsync($"/assets/{big}?width=4000&height=4000&fit=fill&format=webp&quality={90 + i}"))
            .ToList();
        var store = app.Service<AssetServer.Assets.Store.AssetStore>();
        for (var i = 0; i < 200 && store.Scheduler.Admitted < 2; i++) await Task.Delay(25);
        Assert.That(store.Scheduler.Admitted, Is.GreaterThanOrEqualTo(2), "heavy renders hold the slot and wait behind it");

        var thumbnail = await client.GetAsync($"/assets/{small}?width=100&height=100&fit=cover&format=webp");

        Assert.That(thumbnail.StatusCode, Is.EqualTo(HttpStatusCode.OK), await thumbnail.Content.ReadAsStringAsync());
        Assert.That(TestImages.SizeOf(await thumbnail.Content.ReadAsByteArrayAsync()), Is.EqualTo((100, 100)));
        Assert.That(heavy.Count(t => !t.IsCompleted), Is.GreaterThanOrEqualTo(1), "the thumbnail waited until every heavy render had ended");
        foreach (var response in await Task.WhenAll(heavy))
            Assert.That((int)response.StatusCode, Is.EqualTo(200).Or.EqualTo(503));
    }
}
