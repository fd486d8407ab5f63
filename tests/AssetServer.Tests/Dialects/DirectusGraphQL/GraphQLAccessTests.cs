using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using AssetServer.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using static AssetServer.Tests.Files.FilesKit;
using static AssetServer.Tests.GraphQL.GraphQLKit;

namespace AssetServer.Tests.GraphQL;

/// <summary>
/// Tokens on <c>/graphql/system</c> (as on <c>/files</c>: no token is FORBIDDEN, a read token cannot write, a token
/// that matches nothing is 401) and <c>import_file</c> through the SSRF-guarded importer.
/// </summary>
public class GraphQLAccessTests
{
    private AssetServerApp guarded = null!;
    private AssetServerApp open = null!;
    private WebApplication upstream = null!;
    private string upstreamUrl = "";
    private readonly byte[] jpeg = TestImages.Jpeg(48, 32);
    private int upstreamHits;

    [OneTimeSetUp]
    public async Task Start()
    {
        guarded = new AssetServerApp();
        open = new AssetServerApp(("Import:AllowPrivateNetworks", "true"));
        upstream = LoopbackUpstream.Create();
        upstream.Use(async (context, next) =>
        {
            Interlocked.Increment(ref upstreamHits);
            await next(context);
        });
        upstream.MapGet("/images/{name}", () => Results.Bytes(jpeg, "image/jpeg"));
        upstreamUrl = await upstream.StartOnLoopbackAsync();
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        guarded.Dispose();
        open.Dispose();
        await upstream.StopAsync();
        await upstream.DisposeAsync();
    }

    private static IEnumerable<TestCaseData> Operations()
    {
        var id = Guid.NewGuid().ToString();
        yield return new TestCaseData("{ files { id } }").SetArgDisplayNames("files");
        yield return new TestCaseData($"{{ files_by_id(id: \"{id}\") {{ id }} }}").SetArgDisplayNames("files_by_id");
        yield return new TestCaseData("{ files_aggregated { countAll } }").SetArgDisplayNames("files_aggregated");
        yield return new TestCaseData($"mutation {{ update_files_item(id: \"{id}\", data: {{title: \"x\"}}) {{ id }} }}").SetArgDisplayNames("update_files_item");
        yield return new TestCaseData($"mutation {{ update_files_items(ids: [\"{id}\"], data: {{title: \"x\"}}) {{ id }} }}").SetArgDisplayNames("update_files_items");
        yield return new TestCaseData($"mutation {{ delete_files_item(id: \"{id}\") {{ id }} }}").SetArgDisplayNames("delete_files_item");
        yield return new TestCaseData($"mutation {{ delete_files_items(ids: [\"{id}\"]) {{ ids }} }}").SetArgDisplayNames("delete_files_items");
        yield return new TestCaseData("mutation { import_file(url: \"https://example.com/a.jpg\") { id } }").SetArgDisplayNames("import_file");
    }

    [TestCaseSource(nameof(Operations))]
    public async Task NoTokenIsForbidden(string query)
    {
        var rows = await guarded.RowCountAsync();
        using var client = guarded.AnonymousClient();
        var body = await FieldErrorAsync(await PostAsync(client, query), "FORBIDDEN");
        Assert.That(body["errors"]![0]!["message"]!.GetValue<string>(), Does.Contain("directus_files"), "REST's wording for a missing token");
        Assert.That(await guarded.RowCountAsync(), Is.EqualTo(rows));
    }

    [Test]
    public async Task NoTokenStillIntrospects()
    {
        using var client = guarded.AnonymousClient();
        var data = await ResultAsync(await PostAsync(client, "{ __typename __type(name: \"directus_files\") { fields { name } } }"));
        Assert.That(data["__typename"]!.GetValue<string>(), Is.EqualTo("Query"));
        Assert.That(data["__type"]!["fields"]!.AsArray().Select(f => f!["name"]!.GetValue<string>()), Does.Contain("filename_download"));
    }

    [Test]
    public async Task WrongTokenIsInvalidCredentials()
    {
        using var client = guarded.AnonymousClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "wrong-token");
        await AssertErrorAsync(await PostAsync(client, "{ files { id } }"), HttpStatusCode.Unauthorized, "INVALID_CREDENTIALS");
    }

    [Test]
    public async Task AccessTokenParameterWorks()
    {
        using var client = guarded.AnonymousClient();
        using var response = await client.GetAsync($"{GraphQLPath}?access_token={Q(AssetServerApp.AdminToken)}&query={Q("{ files(limit: 1) { id } }")}");
        await ResultAsync(response);
    }

    [Test]
    public async Task ReadTokenReadsButCannotWrite()
    {
        var file = await guarded.UploadOkAsync(TextBytes(12), "read.txt", "text/plain", ("title", "Read only"));
        var id = Lit(Str(file, "id"));
        using var reader = await TokenClientAsync(guarded, "read");
        var data = await ResultAsync(await PostAsync(reader, $"{{ files_by_id(id: {id}) {{ title }} }}"));
        Assert.That(data["files_by_id"]!["title"]!.GetValue<string>(), Is.EqualTo("Read only"));

        foreach (var mutation in new[]
                 {
                     $"mutation {{ update_files_item(id: {id}, data: {{title: \"Written\"}}) {{ id }} }}",
                     $"mutation {{ update_files_items(ids: [{id}], data: {{title: \"Written\"}}) {{ id }} }}",
                     $"mutation {{ delete_files_item(id: {id}) {{ id }} }}",
                     $"mutation {{ delete_files_items(ids: [{id}]) {{ ids }} }}",
                     $"mutation {{ import_file(url: \"{upstreamUrl}/images/x.jpg\") {{ id }} }}",
                 })
        {
            var body = await FieldErrorAsync(await PostAsync(reader, mutation), "FORBIDDEN");
            Assert.That(body["errors"]![0]!["message"]!.GetValue<string>(), Is.EqualTo("You don't have permission to access this."));
        }
        using var admin = guarded.AdminClient();
        Assert.That(Str(await DataAsync(await admin.GetAsync($"/files/{Str(file, "id")}")), "title"), Is.EqualTo("Read only"));
        Assert.That(File.Exists(ReadOriginalPath(guarded, file)), Is.True);
    }

    [Test]
    public async Task WriteTokenWrites()
    {
        var file = await guarded.UploadOkAsync(TextBytes(12), "write.txt", "text/plain");
        using var writer = await TokenClientAsync(guarded, "write");
        var data = await ResultAsync(await PostAsync(writer, $"mutation {{ update_files_item(id: {Lit(Str(file, "id"))}, data: {{title: \"Written\"}}) {{ title }} }}"));
        Assert.That(data["update_files_item"]!["title"]!.GetValue<string>(), Is.EqualTo("Written"));
    }

    [TestCase("http://127.0.0.1/a.jpg")]
    [TestCase("http://[::1]/a.jpg")]
    [TestCase("http://169.254.169.254/latest/meta-data/")]
    [TestCase("http://10.0.0.1/a.jpg")]
    [TestCase("http://localhost/a.jpg")]
    public async Task ImportOfAPrivateAddressIsRefused(string url)
    {
        var before = await SnapshotAsync(guarded);
        using var client = guarded.AdminClient();
        var response = await PostAsync(client, "mutation($url: String!) { import_file(url: $url) { id } }", new { url });
        var body = await FieldErrorAsync(response, "INVALID_PAYLOAD");
        Assert.That(body["data"]!["import_file"], Is.Null);
        await AssertNothingLeftBehindAsync(guarded, before);
    }

    [Test]
    public async Task ImportGuardRefusesTheLocalServerBeforeConnecting()
    {
        var hits = upstreamHits;
        var before = await SnapshotAsync(guarded);
        using var client = guarded.AdminClient();
        await FieldErrorAsync(await PostAsync(client, $"mutation {{ import_file(url: \"{upstreamUrl}/images/a.jpg\") {{ id }} }}"), "INVALID_PAYLOAD");
        Assert.That(upstreamHits, Is.EqualTo(hits), "no request reached the internal server");
        await AssertNothingLeftBehindAsync(guarded, before);
    }

    [Test]
    public async Task ImportFromAnAllowedServerStoresTheFileWithItsData()
    {
        var before = await SnapshotAsync(open);
        using var client = open.AdminClient();
        var data = await ResultAsync(await PostAsync(client,
            "mutation($url: String!, $data: create_directus_files_input) { import_file(url: $url, data: $data) { id title type filesize filename_download filename_disk tags } }",
            new { url = $"{upstreamUrl}/images/photo.jpg?x=1", data = new { title = "Imported", tags = new[] { "net" }, storage = TestStorage.Provider } }));
        var file = data["import_file"]!;
        Assert.That(Str(file, "title"), Is.EqualTo("Imported"));
        Assert.That(Str(file, "type"), Is.EqualTo("image/jpeg"));
        Assert.That(Str(file, "filename_download"), Is.EqualTo("photo.jpg"));
        Assert.That(Str(file, "filesize"), Is.EqualTo(jpeg.Length.ToString()));
        Assert.That(file["tags"]!.ToJsonString(), Is.EqualTo("""["net"]"""));
        Assert.That(await File.ReadAllBytesAsync(open.OriginalFile(Str(file, "filename_disk"))), Is.EqualTo(jpeg));
        Assert.That(await open.RowCountAsync(), Is.EqualTo(before.Rows + 1));
        Assert.That(open.TempFilesOnDisk(), Is.Empty);
    }

    [Test]
    public async Task ImportWithAReadOnlyFieldStoresNothing()
    {
        var before = await SnapshotAsync(open);
        using var client = open.AdminClient();
        await ValidationErrorsAsync(await PostAsync(client, $"mutation {{ import_file(url: \"{upstreamUrl}/images/b.jpg\", data: {{filesize: 1}}) {{ id }} }}"));
        await AssertNothingLeftBehindAsync(open, before);
    }
}
