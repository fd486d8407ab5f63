using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using AssetServer.Auth;
using AssetServer.Data;
using AssetServer.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace AssetServer.Tests.Auth;

/// <summary>
/// Issue 8: a token revoked by anything that writes the database (another process, the CLI, another node) is refused
/// within <see cref="TokenVerifier.Freshness"/>; unknown tokens get no rate budget of their own.
/// </summary>
public class TokenFreshnessTests
{
    private readonly FakeTimeProvider clock = new(DateTimeOffset.UtcNow);
    private AssetServerApp app = null!;

    [OneTimeSetUp]
    public void Start() => app = new AssetServerApp(("RateLimits:TransformsPerMinute", "3")) { Clock = clock };

    [OneTimeTearDown]
    public void Stop() => app.Dispose();

    private async Task<(string Id, string Secret)> CreateTokenAsync(string access)
    {
        using var admin = app.AdminClient();
        var data = JsonNode.Parse(await (await admin.PostAsJsonAsync("/tokens", new { name = "fresh", access })).Content.ReadAsStringAsync())!["data"]!;
        return (data["id"]!.GetValue<string>(), data["token"]!.GetValue<string>());
    }

    private HttpClient ClientWith(string token)
    {
        var client = app.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    [Test]
    public async Task ATokenDeletedBehindTheServersBackIsRefusedOnceTheFreshnessWindowHasPassed_Issue8()
    {
        var (id, secret) = await CreateTokenAsync("read");
        using var client = ClientWith(secret);
        Assert.That((await client.GetAsync("/files")).StatusCode, Is.EqualTo(HttpStatusCode.OK));

        // As another process would: straight in the database, so this process's memory is not told.
        await using (var connection = await app.Service<Database>().OpenAsync())
        {
            Assert.That(await Dapper.SqlMapper.ExecuteAsync(connection, "DELETE FROM tokens WHERE id = @id", new { id }), Is.EqualTo(1));
        }

        clock.Advance(TokenVerifier.Freshness + TimeSpan.FromMilliseconds(1));
        var after = await client.GetAsync("/files");
        Assert.That(after.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(await after.Content.ReadAsStringAsync(), Does.Contain("INVALID_CREDENTIALS"));
    }

    [Test]
    public async Task AnUnknownTokenIsRefusedEvenOnAPublicRoute()
    {
        using var client = ClientWith("as_not-a-token");
        var response = await client.GetAsync($"/assets/{Guid.NewGuid()}");
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain("INVALID_CREDENTIALS"));
    }

    [Test]
    public async Task RandomTokensDoNotBuyFreshTransformBudgets_Issue8()
    {
        using var anonymous = app.AnonymousClient();
        var id = (await app.UploadOkAsync(TestImages.Png(50, 50), "budget.png", "image/png"))["id"]!.GetValue<string>();
        var statuses = new List<int>();
        for (var i = 0; i < 4; i++) statuses.Add((int)(await anonymous.GetAsync($"/assets/{id}?width={10 + i}")).StatusCode);
        Assert.That(statuses[3], Is.EqualTo(429), string.Join(",", statuses));

        // A made-up token per request is not a new client with a new budget: it is refused before anything renders.
        var renders = app.Service<AssetServer.Assets.Store.AssetStore>().RenderCount;
        for (var i = 0; i < 5; i++)
        {
            using var random = ClientWith($"as_random-{Guid.NewGuid():N}");
            var response = await random.GetAsync($"/assets/{id}?width={20 + i}");
            Assert.That((int)response.StatusCode, Is.AnyOf(401, 429));
        }
        Assert.That(app.Service<AssetServer.Assets.Store.AssetStore>().RenderCount, Is.EqualTo(renders));
    }

    [Test]
    public async Task RequestsWithTokensThatMatchNothingAreBoundedPerAddressOnEveryRoute_Issue8()
    {
        using var strict = new AssetServerApp(("RateLimits:InvalidTokensPerMinute", "3"));
        var statuses = new List<int>();
        for (var i = 0; i < 5; i++)
        {
            using var client = strict.CreateClient();
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", $"as_guess-{i}");
            statuses.Add((int)(await client.GetAsync("/files")).StatusCode);
        }
        Assert.That(statuses, Is.EqualTo(new[] { 401, 401, 401, 429, 429 }));

        // Callers without a token, or with a real one, are not held back by someone else's guesses.
        using var admin = strict.AdminClient();
        Assert.That((await admin.GetAsync("/files")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task AVerifiedTokenHasItsOwnBudget()
    {
        var (_, secret) = await CreateTokenAsync("read");
        using var client = ClientWith(secret);
        var id = (await app.UploadOkAsync(TestImages.Png(50, 50), "own-budget.png", "image/png"))["id"]!.GetValue<string>();
        var statuses = new List<int>();
        for (var i = 0; i < 4; i++) statuses.Add((int)(await client.GetAsync($"/assets/{id}?width={30 + i}")).StatusCode);
        Assert.That(statuses[..3], Has.None.EqualTo(429));
        Assert.That(statuses[3], Is.EqualTo(429));
    }
}
