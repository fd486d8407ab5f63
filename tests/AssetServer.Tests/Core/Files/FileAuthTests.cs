using System.Net;
using System.Net.Http.Headers;
using AssetServer.Tests.Support;
using static AssetServer.Tests.Files.FilesKit;

namespace AssetServer.Tests.Files;

/// <summary>Tokens on <c>/files</c> and the error shape of unknown routes and methods.</summary>
public class FileAuthTests
{
    private AssetServerApp app = null!;

    [OneTimeSetUp]
    public void Start() => app = new AssetServerApp();

    [OneTimeTearDown]
    public void Stop() => app.Dispose();

    private static IEnumerable<TestCaseData> Routes()
    {
        var id = Guid.NewGuid().ToString();
        yield return new TestCaseData("GET", "/files", null).SetArgDisplayNames("GET /files");
        yield return new TestCaseData("SEARCH", "/files", "{\"query\":{}}").SetArgDisplayNames("SEARCH /files");
        yield return new TestCaseData("GET", $"/files/{id}", null).SetArgDisplayNames("GET /files/:id");
        yield return new TestCaseData("POST", "/files", "{\"type\":\"text/plain\"}").SetArgDisplayNames("POST /files");
        yield return new TestCaseData("POST", "/files/import", "{\"url\":\"https://example.com/a.jpg\"}").SetArgDisplayNames("POST /files/import");
        yield return new TestCaseData("PATCH", $"/files/{id}", "{\"title\":\"x\"}").SetArgDisplayNames("PATCH /files/:id");
        yield return new TestCaseData("PATCH", "/files", "{\"keys\":[],\"data\":{}}").SetArgDisplayNames("PATCH /files");
        yield return new TestCaseData("DELETE", $"/files/{id}", null).SetArgDisplayNames("DELETE /files/:id");
        yield return new TestCaseData("DELETE", "/files", "[]").SetArgDisplayNames("DELETE /files");
    }

    [TestCaseSource(nameof(Routes))]
    public async Task NoTokenIsForbidden(string method, string url, string? json)
    {
        var rows = await app.RowCountAsync();
        using var client = app.AnonymousClient();
        using var response = await client.SendAsync(Request(method, url, json is null ? null : Json(json)));
        await AssertErrorAsync(response, HttpStatusCode.Forbidden, "FORBIDDEN");
        Assert.That(await app.RowCountAsync(), Is.EqualTo(rows));
    }

    [TestCaseSource(nameof(Routes))]
    public async Task WrongTokenIsInvalidCredentials(string method, string url, string? json)
    {
        var rows = await app.RowCountAsync();
        using var client = app.AnonymousClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "wrong-token");
        using var response = await client.SendAsync(Request(method, url, json is null ? null : Json(json)));
        await AssertErrorAsync(response, HttpStatusCode.Unauthorized, "INVALID_CREDENTIALS");
        Assert.That(await app.RowCountAsync(), Is.EqualTo(rows));
    }

    [Test]
    public async Task WrongAccessTokenParameterIsInvalidCredentials()
    {
        using var client = app.AnonymousClient();
        using var response = await client.GetAsync("/files?access_token=wrong-token");
        await AssertErrorAsync(response, HttpStatusCode.Unauthorized, "INVALID_CREDENTIALS");
    }

    [Test]
    public async Task AnonymousMultipartUploadIsForbiddenAndStoresNothing()
    {
        var before = await SnapshotAsync(app);
        using var client = app.AnonymousClient();
        using var form = new MultipartFormDataContent { { new ByteArrayContent(TextBytes(20)), "file", "anon.txt" } };
        using var response = await client.PostAsync("/files", form);
        await AssertErrorAsync(response, HttpStatusCode.Forbidden, "FORBIDDEN");
        await AssertNothingLeftBehindAsync(app, before);
    }

    [Test]
    public async Task AccessTokenParameterWorksForReadAndWrite()
    {
        using var client = app.AnonymousClient();
        var token = Q(AssetServerApp.AdminToken);
        using var form = new MultipartFormDataContent { { new ByteArrayContent(TextBytes(20)), "file", "token.txt" } };
        var file = await DataAsync(await client.PostAsync($"/files?access_token={token}", form));
        var read = await DataAsync(await client.GetAsync($"/files/{Str(file, "id")}?access_token={token}"));
        Assert.That(Str(read, "id"), Is.EqualTo(Str(file, "id")));
        var list = await DataAsync(await client.GetAsync($"/files?access_token={token}&filter[id][_eq]={Str(file, "id")}"));
        Assert.That(Ids(list), Is.EqualTo(new[] { Str(file, "id") }));
        using var deleted = await client.DeleteAsync($"/files/{Str(file, "id")}?access_token={token}");
        Assert.That(deleted.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
    }

    [Test]
    public async Task BearerSchemeIsCaseInsensitive()
    {
        using var client = app.AnonymousClient();
        client.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", $"bearer {AssetServerApp.AdminToken}");
        var data = await DataAsync(await client.GetAsync("/files?limit=1"));
        Assert.That(data.AsArray(), Is.Not.Null);
    }

    [TestCase("GET", "/nope")]
    [TestCase("GET", "/files/a/b")]
    [TestCase("PUT", "/files")]
    [TestCase("PUT", "/files/00000000-0000-0000-0000-000000000000")]
    [TestCase("POST", "/files/00000000-0000-0000-0000-000000000000")]
    public async Task UnknownRouteOrMethodIsRouteNotFound(string method, string url)
    {
        using var client = app.AdminClient();
        using var response = await client.SendAsync(Request(method, url, Json("{}")));
        var error = await AssertErrorAsync(response, HttpStatusCode.NotFound, "ROUTE_NOT_FOUND");
        Assert.That(error["message"]!.GetValue<string>(), Is.EqualTo($"Route {url} doesn't exist."));
    }

    [Test]
    public async Task UnknownRouteIsRouteNotFoundWithoutAToken()
    {
        using var client = app.AnonymousClient();
        using var response = await client.GetAsync("/files-typo");
        await AssertErrorAsync(response, HttpStatusCode.NotFound, "ROUTE_NOT_FOUND");
    }

    [Test]
    public async Task JsonAnswersCarryJsonContentType()
    {
        using var client = app.AdminClient();
        using var ok = await client.GetAsync("/files?limit=1");
        Assert.That(ok.Content.Headers.ContentType!.MediaType, Is.EqualTo("application/json"));
        using var error = await client.GetAsync("/files/nope");
        Assert.That(error.Content.Headers.ContentType!.MediaType, Is.EqualTo("application/json"));
    }
}
