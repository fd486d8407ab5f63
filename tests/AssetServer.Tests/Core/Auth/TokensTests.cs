using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using AssetServer.Data;
using AssetServer.Tests.Support;
using Dapper;

namespace AssetServer.Tests.Auth;

public class TokensTests
{
    private AssetServerApp app = null!;

    [OneTimeSetUp]
    public void Start() => app = new AssetServerApp();

    [OneTimeTearDown]
    public void Stop() => app.Dispose();

    private async Task<(string Id, string Secret)> CreateTokenAsync(string access)
    {
        using var admin = app.AdminClient();
        var res = await admin.PostAsJsonAsync("/tokens", new { name = $"t-{access}", access });
        var body = JsonNode.Parse(await res.Content.ReadAsStringAsync())!;
        Assert.That(res.StatusCode, Is.EqualTo(HttpStatusCode.OK), body.ToJsonString());
        return (body["data"]!["id"]!.GetValue<string>(), body["data"]!["token"]!.GetValue<string>());
    }

    private HttpClient ClientWith(string token)
    {
        var client = app.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    [Test]
    public async Task ReadTokenListsButCannotUpload()
    {
        var (_, secret) = await CreateTokenAsync("read");
        using var client = ClientWith(secret);
        Assert.That((await client.GetAsync("/files")).StatusCode, Is.EqualTo(HttpStatusCode.OK));

        using var form = new MultipartFormDataContent { { new ByteArrayContent("hello"u8.ToArray()), "file", "a.txt" } };
        var upload = await client.PostAsync("/files", form);
        Assert.That(upload.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That(await app.RowCountAsync(), Is.EqualTo(0));
    }

    [Test]
    public async Task WriteTokenUploadsButCannotManageTokens()
    {
        var (_, secret) = await CreateTokenAsync("write");
        using var client = ClientWith(secret);
        using var form = new MultipartFormDataContent { { new ByteArrayContent("hello"u8.ToArray()), "file", "w.txt" } };
        var upload = await client.PostAsync("/files", form);
        Assert.That(upload.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var id = JsonNode.Parse(await upload.Content.ReadAsStringAsync())!["data"]!["id"]!.GetValue<string>();

        Assert.That((await client.GetAsync("/tokens")).StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That((await client.DeleteAsync($"/files/{id}")).StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
    }

    [Test]
    public async Task OnlyTheHashIsStoredAndListingShowsNoSecret()
    {
        var (id, secret) = await CreateTokenAsync("read");
        await using var connection = await app.Service<Database>().OpenAsync();
        var stored = await connection.QuerySingleAsync<string>("SELECT hash FROM tokens WHERE id = @id", new { id });
        Assert.That(stored, Is.Not.EqualTo(secret));
        Assert.That(stored, Has.Length.EqualTo(64));

        using var admin = app.AdminClient();
        var list = await admin.GetStringAsync("/tokens");
        Assert.That(list, Does.Contain(id));
        Assert.That(list, Does.Not.Contain(secret));
    }

    [Test]
    public async Task DeletedTokenStopsWorkingAtOnce()
    {
        var (id, secret) = await CreateTokenAsync("read");
        using var client = ClientWith(secret);
        Assert.That((await client.GetAsync("/files")).StatusCode, Is.EqualTo(HttpStatusCode.OK));

        using var admin = app.AdminClient();
        Assert.That((await admin.DeleteAsync($"/tokens/{id}")).StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
        var after = await client.GetAsync("/files");
        Assert.That(after.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(await after.Content.ReadAsStringAsync(), Does.Contain("INVALID_CREDENTIALS"));
    }

    [TestCase("""{"name":"x","access":"root"}""")]
    [TestCase("""{"access":"read"}""")]
    [TestCase("""{"name":"x","access":"read","extra":1}""")]
    public async Task BadTokenRequestsAreInvalidPayload(string json)
    {
        using var admin = app.AdminClient();
        var res = await admin.PostAsync("/tokens", new StringContent(json, System.Text.Encoding.UTF8, "application/json"));
        Assert.That(res.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(await res.Content.ReadAsStringAsync(), Does.Contain("INVALID_PAYLOAD"));
    }

    [Test]
    public async Task TokensNeedTheAdmin()
    {
        using var anonymous = app.AnonymousClient();
        Assert.That((await anonymous.GetAsync("/tokens")).StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
    }
}
