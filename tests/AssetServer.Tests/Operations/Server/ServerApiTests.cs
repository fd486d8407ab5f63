using System.Net;
using System.Text.Json.Nodes;
using AssetServer.Tests.Support;

namespace AssetServer.Tests.Server;

public class ServerApiTests
{
    private AssetServerApp app = null!;

    [OneTimeSetUp]
    public void Start() => app = new AssetServerApp();

    [OneTimeTearDown]
    public void Stop() => app.Dispose();

    [Test]
    public async Task PingAnswersPong()
    {
        using var client = app.AnonymousClient();
        var res = await client.GetAsync("/server/ping");
        Assert.That(res.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await res.Content.ReadAsStringAsync(), Is.EqualTo("pong"));
    }

    [Test]
    public async Task HealthShowsChecksOnlyToTheAdmin()
    {
        using var anonymous = app.AnonymousClient();
        var open = JsonNode.Parse(await anonymous.GetStringAsync("/server/health"))!;
        Assert.That(open["status"]!.GetValue<string>(), Is.EqualTo("ok"));
        Assert.That(open["checks"], Is.Null);

        using var admin = app.AdminClient();
        var full = JsonNode.Parse(await admin.GetStringAsync("/server/health"))!;
        Assert.That(full["checks"]!["database"]!.GetValue<string>(), Is.EqualTo("ok"));
        Assert.That(full["checks"]!["storage"]!.GetValue<string>(), Is.EqualTo("ok"));
    }

    [Test]
    public async Task UnknownRouteIsRouteNotFoundInTheErrorShape()
    {
        using var client = app.AnonymousClient();
        var res = await client.GetAsync("/nope");
        Assert.That(res.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        var body = JsonNode.Parse(await res.Content.ReadAsStringAsync())!;
        Assert.That(body["errors"]![0]!["extensions"]!["code"]!.GetValue<string>(), Is.EqualTo("ROUTE_NOT_FOUND"));
        Assert.That(body["errors"]![0]!["message"]!.GetValue<string>(), Is.EqualTo("Route /nope doesn't exist."));
    }

    [Test]
    public async Task WrongTokenIsInvalidCredentials()
    {
        using var client = app.AnonymousClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", "wrong");
        var res = await client.GetAsync("/server/health");
        Assert.That(res.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        var body = JsonNode.Parse(await res.Content.ReadAsStringAsync())!;
        Assert.That(body["errors"]![0]!["extensions"]!["code"]!.GetValue<string>(), Is.EqualTo("INVALID_CREDENTIALS"));
    }
}
