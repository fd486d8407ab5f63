using System.Net;
using AssetServer.Tests.Support;

namespace AssetServer.Tests.Assets;

/// <summary>Small assets answered from memory must still follow replaces, ranges and HEAD exactly like disk.</summary>
public class MemoryTierTests
{
    private AssetServerApp app = null!;

    [OneTimeSetUp]
    public void Start() => app = new AssetServerApp();

    [OneTimeTearDown]
    public void Stop() => app.Dispose();

    [Test]
    public async Task ReplacedOriginalAndItsDerivativeAreNeverServedFromMemory()
    {
        var first = TestImages.Jpeg(80, 60);
        var id = (await app.UploadOkAsync(first, "hot.jpg"))["id"]!.GetValue<string>();
        using var client = app.AnonymousClient();
        for (var i = 0; i < 2; i++)
        {
            Assert.That(await client.GetByteArrayAsync($"/assets/{id}"), Is.EqualTo(first));
            await client.GetByteArrayAsync($"/assets/{id}?width=40");
        }
        var oldDerivative = await client.GetByteArrayAsync($"/assets/{id}?width=40");

        // Same type twice over, so the disk name alternates and a path-only key would go stale.
        var second = TestImages.Jpeg(60, 80);
        var third = TestImages.Jpeg(100, 50);
        foreach (var bytes in new[] { second, third })
        {
            using var admin = app.AdminClient();
            using var form = new MultipartFormDataContent { { new ByteArrayContent(bytes), "file", "hot.jpg" } };
            Assert.That((await admin.PatchAsync($"/files/{id}", form)).StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(await client.GetByteArrayAsync($"/assets/{id}"), Is.EqualTo(bytes));
        }
        var newDerivative = await client.GetByteArrayAsync($"/assets/{id}?width=40");
        Assert.That(TestImages.SizeOf(newDerivative), Is.EqualTo((40, 20)));
        Assert.That(newDerivative, Is.Not.EqualTo(oldDerivative));
    }

    [Test]
    public async Task RangesAndHeadStillWorkOnAnAssetHeldInMemory()
    {
        var bytes = TestImages.Png(50, 50);
        var id = (await app.UploadOkAsync(bytes, "hot.png"))["id"]!.GetValue<string>();
        using var client = app.AnonymousClient();
        await client.GetByteArrayAsync($"/assets/{id}");

        using var ranged = new HttpRequestMessage(HttpMethod.Get, $"/assets/{id}");
        ranged.Headers.Range = new System.Net.Http.Headers.RangeHeaderValue(0, 9);
        var part = await client.SendAsync(ranged);
        Assert.That(part.StatusCode, Is.EqualTo(HttpStatusCode.PartialContent));
        Assert.That(await part.Content.ReadAsByteArrayAsync(), Is.EqualTo(bytes[..10]));

        var head = await client.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"/assets/{id}"));
        Assert.That(head.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(head.Content.Headers.ContentLength, Is.EqualTo(bytes.Length));
        Assert.That(await head.Content.ReadAsByteArrayAsync(), Is.Empty);
    }
}
