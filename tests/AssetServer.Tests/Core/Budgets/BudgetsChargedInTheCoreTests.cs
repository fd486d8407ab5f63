using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using AssetServer.Assets.Store;
using AssetServer.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace AssetServer.Tests.RateLimiting;

/// <summary>
/// Issue 17: budgets are charged where the work is done. The uploads budget counts every path that writes bytes,
/// whatever the dialect; the transforms budget counts renders, so cache hits never run out.
/// </summary>
public class BudgetsChargedInTheCoreTests
{
    private AssetServerApp app = null!;
    private WebApplication upstream = null!;
    private string upstreamUrl = "";
    private readonly byte[] jpeg = TestImages.Jpeg(48, 32);

    [OneTimeSetUp]
    public async Task Start()
    {
        app = new AssetServerApp(("RateLimits:UploadsPerMinute", "2"), ("RateLimits:TransformsPerMinute", "3"), ("Import:AllowPrivateNetworks", "true"));
        upstream = LoopbackUpstream.Create();
        upstream.MapGet("/images/{name}", () => Results.Bytes(jpeg, "image/jpeg"));
        upstreamUrl = await upstream.StartOnLoopbackAsync();
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        app.Dispose();
        await upstream.StopAsync();
        await upstream.DisposeAsync();
    }

    private async Task<HttpClient> ClientWithNewTokenAsync(string access)
    {
        using var admin = app.AdminClient();
        var token = JsonNode.Parse(await (await admin.PostAsJsonAsync("/tokens", new { name = "budget-" + Guid.NewGuid().ToString("N")[..8], access }))
            .Content.ReadAsStringAsync())!["data"]!["token"]!.GetValue<string>();
        var client = app.CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", token);
        return client;
    }

    private static MultipartFormDataContent Form(string field, byte[] bytes, string name) =>
        new() { { new ByteArrayContent(bytes), field, name } };

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    /// <summary>Each way of writing bytes, given a client and the attempt's number.</summary>
    public static IEnumerable<TestCaseData> WritePaths()
    {
        yield return Path("multipart /files", (t, c, i) => c.PostAsync("/files", Form("file", t.jpeg, $"m{i}.jpg")));
        yield return Path("v8 JSON base64 create", (t, c, i) =>
            c.PostAsync("/_/files", Json($"{{\"data\":\"{Convert.ToBase64String(t.jpeg)}\",\"filename_download\":\"v{i}.jpg\"}}")));
        yield return Path("v8 JSON base64 replace", async (t, c, i) =>
        {
            var id = (await t.app.UploadOkAsync(t.jpeg, $"target{i}.jpg", "image/jpeg"))["id"]!.GetValue<string>();
            return await c.PatchAsync($"/_/files/{id}", Json($"{{\"data\":\"data:image/jpeg;base64,{Convert.ToBase64String(t.jpeg)}\"}}"));
        });
        yield return Path("v8 JSON URL create", (t, c, i) => c.PostAsync("/_/files", Json($"{{\"data\":\"{t.upstreamUrl}/images/u{i}.jpg\"}}")));
        yield return Path("/files/import", (t, c, i) => c.PostAsync("/files/import", Json($"{{\"url\":\"{t.upstreamUrl}/images/i{i}.jpg\"}}")));
        yield return Path("GraphQL import_file", (t, c, i) =>
            c.PostAsync("/graphql/system", Json(new JsonObject { ["query"] = $"mutation {{ import_file(url: \"{t.upstreamUrl}/images/g{i}.jpg\") {{ id }} }}" }.ToJsonString())));
        yield return Path("Strapi 5 upload", (t, c, i) => c.PostAsync("/api/upload", Form("files", t.jpeg, $"s{i}.jpg")));
        yield return Path("Strapi 3 upload", (t, c, i) => c.PostAsync("/upload", Form("files", t.jpeg, $"s3-{i}.jpg")));
    }

    private static TestCaseData Path(string name, Func<BudgetsChargedInTheCoreTests, HttpClient, int, Task<HttpResponseMessage>> write) =>
        new TestCaseData(write).SetArgDisplayNames(name);

    [TestCaseSource(nameof(WritePaths))]
    public async Task EveryPathThatWritesBytesDrawsOnTheUploadsBudget_Issue17(Func<BudgetsChargedInTheCoreTests, HttpClient, int, Task<HttpResponseMessage>> write)
    {
        using var client = await ClientWithNewTokenAsync("write");
        var bodies = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            using var response = await write(this, client, i);
            bodies.Add($"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
        Assert.That(bodies[0], Does.Not.Contain("REQUESTS_EXCEEDED").And.Not.StartWith("4").And.Not.StartWith("5"), bodies[0]);
        Assert.That(bodies[1], Does.Not.Contain("REQUESTS_EXCEEDED").And.Not.StartWith("4").And.Not.StartWith("5"), bodies[1]);
        Assert.That(bodies[2], Does.Contain("REQUESTS_EXCEEDED").Or.Contain("Too many requests"), "the third write of a budget of 2");
    }

    [Test]
    public async Task ARefusedUploadStoresNothing_Issue17()
    {
        using var client = await ClientWithNewTokenAsync("write");
        for (var i = 0; i < 2; i++) (await client.PostAsync("/api/upload", Form("files", jpeg, $"ok{i}.jpg"))).Dispose();
        var rows = await app.RowCountAsync();
        using var refused = await client.PostAsync("/api/upload", Form("files", jpeg, "refused.jpg"));
        Assert.That((int)refused.StatusCode, Is.EqualTo(429));
        Assert.That(refused.Headers.RetryAfter, Is.Not.Null);
        Assert.That(await app.RowCountAsync(), Is.EqualTo(rows));
        Assert.That(app.TempFilesOnDisk(), Is.Empty);
    }

    [Test]
    public async Task CacheHitsNeverRunOutOfBudget_Issue17()
    {
        // Three readers behind one address, one page of thumbnails each, many times over: one render per thumbnail.
        var ids = new List<string>();
        for (var i = 0; i < 3; i++) ids.Add((await app.UploadOkAsync(TestImages.Png(60 + i, 40), $"page{i}.png", "image/png"))["id"]!.GetValue<string>());
        using var anonymous = app.AnonymousClient();
        var statuses = new List<int>();
        for (var round = 0; round < 10; round++)
            foreach (var id in ids)
                statuses.Add((int)(await anonymous.GetAsync($"/assets/{id}?width=20&height=20&fit=cover")).StatusCode);
        Assert.That(statuses, Has.All.EqualTo(200), "30 requests, 3 renders, a budget of 3");
    }

    [Test]
    public async Task RendersPastTheBudgetAre429_Issue17()
    {
        var id = (await app.UploadOkAsync(TestImages.Png(80, 60), "renders.png", "image/png"))["id"]!.GetValue<string>();
        using var reader = await ClientWithNewTokenAsync("read");
        var store = app.Service<AssetStore>();
        var before = store.RenderCount;
        var statuses = new List<int>();
        for (var i = 0; i < 4; i++) statuses.Add((int)(await reader.GetAsync($"/assets/{id}?width={10 + i}")).StatusCode);
        Assert.That(statuses, Is.EqualTo(new[] { 200, 200, 200, 429 }));
        Assert.That(store.RenderCount - before, Is.EqualTo(3), "the refused one rendered nothing");
        // What it rendered before is still served.
        Assert.That((int)(await reader.GetAsync($"/assets/{id}?width=10")).StatusCode, Is.EqualTo(200));
        // An unknown file or a bad parameter renders nothing and costs nothing.
        using var other = await ClientWithNewTokenAsync("read");
        for (var i = 0; i < 5; i++)
        {
            Assert.That((int)(await other.GetAsync($"/assets/{Guid.NewGuid()}?width=10")).StatusCode, Is.EqualTo(403));
            Assert.That((int)(await other.GetAsync($"/assets/{id}?width=abc")).StatusCode, Is.EqualTo(400));
        }
        Assert.That((int)(await other.GetAsync($"/assets/{id}?width=30")).StatusCode, Is.EqualTo(200));
    }
}
