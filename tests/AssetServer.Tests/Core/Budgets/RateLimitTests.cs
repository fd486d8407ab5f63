using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using AssetServer.Tests.Support;

namespace AssetServer.Tests.RateLimiting;

public class RateLimitTests
{
    private AssetServerApp app = null!;

    [OneTimeSetUp]
    public void Start() => app = new AssetServerApp(("RateLimits:UploadsPerMinute", "2"), ("RateLimits:TransformsPerMinute", "3"));

    [OneTimeTearDown]
    public void Stop() => app.Dispose();

    [Test]
    public async Task UploadsPastTheBudgetAre429WithRetryAfterAndStoreNothing()
    {
        using var admin = app.AdminClient();
        var token = JsonNode.Parse(await (await admin.PostAsJsonAsync("/tokens", new { name = "uploader", access = "write" }))
            .Content.ReadAsStringAsync())!["data"]!["token"]!.GetValue<string>();
        using var client = app.CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", token);

        var rowsBefore = await app.RowCountAsync();
        var statuses = new List<HttpStatusCode>();
        HttpResponseMessage? last = null;
        for (var i = 0; i < 3; i++)
        {
            using var form = new MultipartFormDataContent { { new ByteArrayContent("hello"u8.ToArray()), "file", $"r{i}.txt" } };
            last = await client.PostAsync("/files", form);
            statuses.Add(last.StatusCode);
        }
        Assert.That(statuses, Is.EqualTo(new[] { HttpStatusCode.OK, HttpStatusCode.OK, (HttpStatusCode)429 }));
        Assert.That(last!.Headers.RetryAfter, Is.Not.Null);
        Assert.That(await last.Content.ReadAsStringAsync(), Does.Contain("REQUESTS_EXCEEDED"));
        Assert.That(await app.RowCountAsync(), Is.EqualTo(rowsBefore + 2));
    }

    [Test]
    public async Task TheAdminIsExempt()
    {
        for (var i = 0; i < 4; i++)
        {
            using var res = await app.UploadAsync("x"u8.ToArray(), $"admin{i}.txt");
            Assert.That(res.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        }
    }

    [Test]
    public async Task RendersAreCountedPerClientButPlainOriginalsAreNot()
    {
        var id = (await app.UploadOkAsync(TestImages.Png(40, 40), "originals.png", "image/png"))["id"]!.GetValue<string>();
        using var anonymous = app.AnonymousClient();
        for (var i = 0; i < 5; i++)
            Assert.That((int)(await anonymous.GetAsync($"/assets/{id}")).StatusCode, Is.EqualTo(200));
        var statuses = new List<int>();
        for (var i = 0; i < 4; i++) statuses.Add((int)(await anonymous.GetAsync($"/assets/{id}?width={10 + i}")).StatusCode);
        Assert.That(statuses, Is.EqualTo(new[] { 200, 200, 200, 429 }));
    }

    [Test]
    public async Task V8SizeParametersAreCountedAsTransforms_Issue11()
    {
        // v8 names its render parameters w/h/f/q; they draw on the same budget as /assets' width/height.
        var file = await app.UploadOkAsync(TestImages.Png(40, 40), "v8-budget.png", "image/png");
        using var admin = app.AdminClient();
        var hash = JsonNode.Parse(await admin.GetStringAsync($"/_/files/{file["id"]}"))!["data"]!["private_hash"]!.GetValue<string>();
        // Its own token, so its own budget (anonymous requests share their address's with the other tests).
        var token = JsonNode.Parse(await (await admin.PostAsJsonAsync("/tokens", new { name = "v8-reader", access = "read" }))
            .Content.ReadAsStringAsync())!["data"]!["token"]!.GetValue<string>();
        using var reader = app.CreateClient();
        reader.DefaultRequestHeaders.Authorization = new("Bearer", token);
        for (var i = 0; i < 4; i++)
            Assert.That((int)(await reader.GetAsync($"/_/assets/{hash}")).StatusCode, Is.EqualTo(200), "originals are not counted");
        var statuses = new List<int>();
        for (var i = 0; i < 4; i++) statuses.Add((int)(await reader.GetAsync($"/_/assets/{hash}?w={10 + i}&h=10&f=crop")).StatusCode);
        Assert.That(statuses, Is.EqualTo(new[] { 200, 200, 200, 429 }));
    }
}
