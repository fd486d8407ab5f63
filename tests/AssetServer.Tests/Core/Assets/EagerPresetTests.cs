using System.Net;
using AssetServer.Assets;
using AssetServer.Assets.Store;
using AssetServer.Tests.Support;
using NUnit.Framework;

namespace AssetServer.Tests.Assets;

/// <summary>Issue 12: a preset with <c>"eager": true</c> is rendered right after upload; its first request is a hit.</summary>
public class EagerPresetTests
{
    private string folder = null!;
    private AssetServerApp app = null!;

    [OneTimeSetUp]
    public void Start()
    {
        folder = Path.Combine(Path.GetTempPath(), "assetserver-eager-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "presets.json"), """
            [
              { "key": "hero", "fit": "cover", "width": 120, "height": 80, "format": "webp", "eager": true },
              { "key": "any", "fit": "inside", "width": 90, "format": "auto", "eager": true },
              { "key": "lazy", "fit": "cover", "width": 50, "height": 50 }
            ]
            """);
        app = new AssetServerApp(("ConfigFolder", folder));
    }

    [OneTimeTearDown]
    public void Stop()
    {
        app.Dispose();
        Directory.Delete(folder, true);
    }

    private async Task WaitForEagerRendersAsync()
    {
        var eager = app.Service<EagerPresets>();
        for (var i = 0; i < 400 && eager.Pending > 0; i++) await Task.Delay(25);
        Assert.That(eager.Pending, Is.Zero, "the eager renders finished");
    }

    [Test]
    public async Task EagerPresetsAreCacheHitsOnTheirFirstRequest()
    {
        var store = app.Service<AssetStore>();
        var file = await app.UploadOkAsync(TestImages.Jpeg(400, 300), "eager.jpg", "image/jpeg");
        var id = file["id"]!.GetValue<string>();
        await WaitForEagerRendersAsync();
        var rendersAfterUpload = store.RenderCount;

        using var client = app.AnonymousClient();
        using var hero = await client.GetAsync($"/assets/{id}?key=hero");
        Assert.That(hero.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(TestImages.SizeOf(await hero.Content.ReadAsByteArrayAsync()), Is.EqualTo((120, 80)));
        foreach (var accept in new[] { "image/avif,image/webp,*/*", "image/webp,*/*", "image/png" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"/assets/{id}?key=any");
            request.Headers.TryAddWithoutValidation("Accept", accept);
            using var any = await client.SendAsync(request);
            Assert.That(any.StatusCode, Is.EqualTo(HttpStatusCode.OK), accept);
        }
        Assert.That(store.RenderCount, Is.EqualTo(rendersAfterUpload), "every eager variant was already rendered");

        using var lazy = await client.GetAsync($"/assets/{id}?key=lazy");
        Assert.That(lazy.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(store.RenderCount, Is.EqualTo(rendersAfterUpload + 1), "a preset that is not eager renders on request");
    }

    [Test]
    public async Task AReplaceRendersTheEagerPresetsOfTheNewBytes()
    {
        var store = app.Service<AssetStore>();
        var file = await app.UploadOkAsync(TestImages.Png(300, 300), "swap.png", "image/png");
        var id = file["id"]!.GetValue<string>();
        await WaitForEagerRendersAsync();

        using var admin = app.AdminClient();
        using var form = new MultipartFormDataContent();
        var part = new ByteArrayContent(TestImages.Png(500, 200));
        part.Headers.ContentType = new("image/png");
        form.Add(part, "file", "swap.png");
        using (var replace = await admin.PatchAsync($"/files/{id}", form))
            Assert.That(replace.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        await WaitForEagerRendersAsync();
        var renders = store.RenderCount;

        using var client = app.AnonymousClient();
        var hero = await client.GetByteArrayAsync($"/assets/{id}?key=hero");
        Assert.That(TestImages.SizeOf(hero), Is.EqualTo((120, 80)));
        Assert.That(store.RenderCount, Is.EqualTo(renders), "rendered from the new bytes before anyone asked");
    }

    [Test]
    public async Task FilesThatCannotBeTransformedAreSkipped()
    {
        var file = await app.UploadOkAsync("not an image"u8.ToArray(), "note.txt", "text/plain");
        await WaitForEagerRendersAsync();
        using var client = app.AnonymousClient();
        using var res = await client.GetAsync($"/assets/{file["id"]}?key=hero");
        Assert.That(res.StatusCode, Is.EqualTo(HttpStatusCode.OK), "the original, as for any untransformable file");
    }
}
