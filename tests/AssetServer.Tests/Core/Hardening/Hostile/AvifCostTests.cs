using System.Net;
using AssetServer.Assets.Store;
using AssetServer.Tests.Support;

namespace AssetServer.Tests.Hardening.Hostile;

/// <summary>
/// Issue 9, item 1: the AV1 encoder does not stop when a render times out, so two anonymous requests for a
/// 6000×6000 AVIF at quality 100 held both render slots for minutes. AVIF work that could outlast the timeout is
/// now never started: outputs past <c>Assets:MaxAvifPixels</c> are a 400 and AVIF effort stops at 2.
/// </summary>
public class AvifCostTests
{
    private AssetServerApp app = null!;
    private string id = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        app = new AssetServerApp();
        id = (await app.UploadOkAsync(TestImages.Jpeg(300, 200), "avif.jpg", "image/jpeg"))["id"]!.GetValue<string>();
        app.WaitForBackgroundRenders(); // its Strapi thumbnail takes a slot for a moment: not what these tests look at
    }

    [OneTimeTearDown]
    public void Stop() => app.Dispose();

    [TestCase("width=6000&height=6000&fit=fill&format=avif&quality=100")]
    [TestCase("width=6000&height=6000&fit=fill&format=avif&quality=99")]
    [TestCase("width=1100&height=1000&fit=fill&format=avif")]
    public async Task AnAvifLargerThanTheCapIsRefusedBeforeAnyEncoding_Issue9(string query)
    {
        using var client = app.AnonymousClient();
        var response = await client.GetAsync($"/assets/{id}?{query}");
        var body = await response.Content.ReadAsStringAsync();

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), body);
        Assert.That(body, Does.Contain("ILLEGAL_ASSET_TRANSFORMATION").And.Contain("Assets:MaxAvifPixels"));
        Assert.That(app.Service<AssetStore>().Scheduler.Admitted, Is.Zero, "no render slot is left taken");
        Assert.That(app.TempFilesOnDisk(), Is.Empty);
    }

    [Test]
    public async Task AnAvifEffortAboveTheCapIsRefused_Issue9()
    {
        using var client = app.AnonymousClient();
        var response = await client.GetAsync($"/assets/{id}?transforms=" + Uri.EscapeDataString("""[["resize",50],["avif",{"effort":6}]]"""));
        var body = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), body);
        Assert.That(body, Does.Contain("effort"));
    }

    [Test]
    public async Task AnAvifWithinTheCapStillRenders()
    {
        using var client = app.AnonymousClient();
        var response = await client.GetAsync($"/assets/{id}?width=1000&height=1000&fit=fill&format=avif&quality=60");
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("image/avif"));
        Assert.That(TestImages.SizeOf(await response.Content.ReadAsByteArrayAsync()), Is.EqualTo((1000, 1000)));
    }
}
