using System.Net;
using System.Text;
using AssetServer.Tests.Support;

namespace AssetServer.Tests.Assets;

/// <summary>
/// The representation memo reuses headers and parsed transforms across requests; any commit must end that at once,
/// for changes that touch no bytes as well (Issue 8).
/// </summary>
public class RepresentationMemoTests
{
    private AssetServerApp app = null!;

    [OneTimeSetUp]
    public void Start() => app = new AssetServerApp();

    [OneTimeTearDown]
    public void Stop() => app.Dispose();

    [Test]
    public async Task AFieldEditIsSeenByTheVeryNextRequest_Issue8()
    {
        var id = (await app.UploadOkAsync(TestImages.Png(20, 10), "before.png"))["id"]!.GetValue<string>();
        using var anonymous = app.AnonymousClient();
        using var admin = app.AdminClient();
        for (var round = 0; round < 5; round++)
        {
            var name = $"name-{round}.png";
            var patch = await admin.PatchAsync($"/files/{id}",
                new StringContent($$"""{"filename_download":"{{name}}"}""", Encoding.UTF8, "application/json"));
            Assert.That(patch.StatusCode, Is.EqualTo(HttpStatusCode.OK));

            foreach (var url in new[] { $"/assets/{id}?download", $"/assets/{id}?width=10&download" })
            {
                var response = await anonymous.GetAsync(url);
                Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
                // A PNG stays a PNG, so the derivative keeps the name too.
                Assert.That(response.Content.Headers.ContentDisposition?.FileName?.Trim('"'), Is.EqualTo(name), url);
            }
        }
    }

    [Test]
    public async Task APresetEditIsSeenByTheNextRequestThoughNoRowChanged_Issue8()
    {
        var folder = Directory.CreateTempSubdirectory("memo-presets-").FullName;
        File.WriteAllText(Path.Combine(folder, "presets.json"), """[{"key":"thumb","width":10}]""");
        using var own = new AssetServerApp(("ConfigFolder", folder));
        var presets = own.Service<AssetServer.Transforms.PresetStore>();
        Assert.That(presets.Folder, Is.EqualTo(folder));
        var id = (await own.UploadOkAsync(TestImages.Png(40, 20), "preset.png"))["id"]!.GetValue<string>();
        using var client = own.AnonymousClient();
        for (var i = 0; i < 2; i++) Assert.That(TestImages.SizeOf(await client.GetByteArrayAsync($"/assets/{id}?key=thumb")), Is.EqualTo((10, 5)));

        File.WriteAllText(Path.Combine(folder, "presets.json"), """[{"key":"thumb","width":20}]""");
        Assert.That(presets.Reload(), Is.True);
        Assert.That(TestImages.SizeOf(await client.GetByteArrayAsync($"/assets/{id}?key=thumb")), Is.EqualTo((20, 10)));

        File.WriteAllText(Path.Combine(folder, "presets.json"), "[]");
        Assert.That(presets.Reload(), Is.True);
        Assert.That((await client.GetAsync($"/assets/{id}?key=thumb")).StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
    }

    [Test]
    public async Task TheSameUrlWithAndWithoutATokenKeepsItsOwnCacheControl()
    {
        var id = (await app.UploadOkAsync(TestImages.Png(20, 10), "cc.png"))["id"]!.GetValue<string>();
        using var anonymous = app.AnonymousClient();
        using var admin = app.AdminClient();
        for (var i = 0; i < 2; i++)
        {
            var open = await anonymous.GetAsync($"/assets/{id}?width=8");
            var mine = await admin.GetAsync($"/assets/{id}?width=8");
            Assert.That(open.Headers.CacheControl?.Public, Is.True);
            Assert.That(mine.Headers.CacheControl?.Private, Is.True);
        }
    }

    [Test]
    public async Task FormatAutoFollowsEachRequestsAccept()
    {
        var id = (await app.UploadOkAsync(TestImages.Png(20, 10), "auto.png"))["id"]!.GetValue<string>();
        using var client = app.AnonymousClient();
        foreach (var (accept, type) in new[] { ("image/avif,image/webp,*/*", "image/avif"), ("image/webp,*/*", "image/webp"), ("*/*", "image/png"), ("image/webp,*/*", "image/webp") })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"/assets/{id}?width=10&format=auto");
            request.Headers.Accept.ParseAdd(accept);
            var response = await client.SendAsync(request);
            Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo(type), accept);
        }
    }
}
