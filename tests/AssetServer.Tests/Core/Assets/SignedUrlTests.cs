using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using AssetServer.Tests.Support;

namespace AssetServer.Tests.Assets;

/// <summary>(ext) With <c>Assets:SigningKey</c> set, only signed transform URLs render; presets and originals stay open.</summary>
public class SignedUrlTests
{
    private AssetServerApp app = null!;
    private HttpClient anonymous = null!;
    private string id = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        app = new AssetServerApp(("Assets:SigningKey", "test-signing-key"));
        anonymous = app.AnonymousClient();
        id = (await app.UploadOkAsync(TestImages.Jpeg(300, 200), "signed.jpg"))["id"]!.GetValue<string>();
    }

    [OneTimeTearDown]
    public void Stop()
    {
        anonymous.Dispose();
        app.Dispose();
    }

    private async Task<string> SignAsync(string url)
    {
        using var admin = app.AdminClient();
        var res = await admin.PostAsJsonAsync("/assets/sign", new { url });
        var body = await res.Content.ReadAsStringAsync();
        Assert.That(res.StatusCode, Is.EqualTo(HttpStatusCode.OK), body);
        return JsonNode.Parse(body)!["data"]!["url"]!.GetValue<string>();
    }

    [Test]
    public async Task UnsignedTransformIsForbiddenAndRendersNothing()
    {
        var fresh = (await app.UploadOkAsync(TestImages.Jpeg(60, 40), "fresh.jpg"))["id"]!.GetValue<string>();
        var res = await anonymous.GetAsync($"/assets/{fresh}?width=123");
        Assert.That(res.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That(await res.Content.ReadAsStringAsync(), Does.Contain("signature"));
        var folder = Path.Combine(app.DerivativesPath, fresh);
        Assert.That(Directory.Exists(folder) ? Directory.GetFiles(folder) : [], Is.Empty);
    }

    [Test]
    public async Task SignedTransformRendersWhateverTheParameterOrder()
    {
        var signed = await SignAsync($"/assets/{id}?width=120&height=80&fit=cover");
        var res = await anonymous.GetAsync(signed);
        Assert.That(res.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(TestImages.SizeOf(await res.Content.ReadAsByteArrayAsync()), Is.EqualTo((120, 80)));

        var signature = signed[(signed.IndexOf("&s=", StringComparison.Ordinal) + 3)..];
        var reordered = await anonymous.GetAsync($"/assets/{id}/renamed.jpg?fit=cover&height=80&width=120&download&s={signature}");
        Assert.That(reordered.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task ChangingAParameterBreaksTheSignature()
    {
        var signed = await SignAsync($"/assets/{id}?width=120");
        var tampered = signed.Replace("width=120", "width=5000");
        Assert.That((await anonymous.GetAsync(tampered)).StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        var otherFile = (await app.UploadOkAsync(TestImages.Jpeg(50, 50), "other.jpg"))["id"]!.GetValue<string>();
        Assert.That((await anonymous.GetAsync(signed.Replace(id, otherFile))).StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
    }

    [Test]
    public async Task PresetsAndOriginalsNeedNoSignature()
    {
        Assert.That((await anonymous.GetAsync($"/assets/{id}?key=thumb")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That((await anonymous.GetAsync($"/assets/{id}")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That((await anonymous.GetAsync($"/assets/{id}?key=thumb&width=10")).StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
    }

    [Test]
    public async Task SigningNeedsTheAdmin()
    {
        var res = await anonymous.PostAsJsonAsync("/assets/sign", new { url = $"/assets/{id}?width=10" });
        Assert.That(res.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
    }
}
