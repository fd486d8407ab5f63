using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using AssetServer.Data;
using AssetServer.Tests.Support;

namespace AssetServer.Tests.Faults;

/// <summary>
/// Issue 18: a connection lost around <c>COMMIT</c> (<see cref="PostgresFaultProxy"/> between the app and a real
/// PostgreSQL) never leaves a row without its bytes, and a database that cannot be reached refuses writes with 503 and
/// <c>Retry-After</c>. Runs when the suite runs on PostgreSQL.
/// </summary>
[Category("Postgres")]
public class CommitOutcomeTests
{
    private string database = null!;
    private PostgresFaultProxy proxy = null!;
    private AssetServerApp app = null!;

    [OneTimeSetUp]
    public void Start()
    {
        if (!TestDatabase.IsPostgres) Assert.Ignore("PostgreSQL only: ASSETSERVER_TEST_STACK=postgres-s3 (or postgres-local) runs it");
        database = TestDatabase.Create();
        proxy = new PostgresFaultProxy(database);
        app = new AssetServerApp(("Database:Provider", "postgres"), ("Database:ConnectionString", proxy.Through(database)));
        app.CreateClient().Dispose();
    }

    [OneTimeTearDown]
    public void Stop()
    {
        app?.Dispose();
        proxy?.Dispose();
        if (database is not null) TestDatabase.Drop(database);
    }

    [SetUp]
    public void NoFault() => proxy.Inject(PostgresFault.None);

    private static byte[] RandomBytes() => RandomNumberGenerator.GetBytes(40_000);

    private async Task<byte[]> DownloadAsync(string id)
    {
        using var client = app.AnonymousClient();
        using var response = await client.GetAsync($"/assets/{id}");
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), $"GET /assets/{id}");
        return await response.Content.ReadAsByteArrayAsync();
    }

    private static async Task<JsonObject> DataAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), body);
        return JsonNode.Parse(body)!["data"]!.AsObject();
    }

    private static async Task AssertUnavailableAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable), body);
        Assert.That(response.Headers.RetryAfter?.Delta, Is.EqualTo(TimeSpan.FromSeconds(DatabaseFaults.RetryAfterSeconds)));
        Assert.That(JsonNode.Parse(body)!["errors"]![0]!["extensions"]!["code"]!.GetValue<string>(), Is.EqualTo("SERVICE_UNAVAILABLE"));
    }

    [Test]
    public async Task AnUploadWhoseCommitWasAcknowledgedToNoOneKeepsItsBytes_Issue18()
    {
        var bytes = RandomBytes();
        proxy.Inject(PostgresFault.DropCommitAnswer);

        using var response = await app.UploadAsync(bytes, "lost-answer.bin", "application/octet-stream");

        Assert.That(proxy.Fired.IsCompleted, Is.True, "the connection dropped after the server committed");
        var file = await DataAsync(response);
        var name = file["filename_disk"]!.GetValue<string>();
        Assert.That(await TestStorage.ReadOriginalAsync(app.DataPath, name), Is.EqualTo(bytes), "the original is stored");
        Assert.That(await DownloadAsync(file["id"]!.GetValue<string>()), Is.EqualTo(bytes));
    }

    [Test]
    public async Task AReplaceWhoseCommitWasAcknowledgedToNoOneKeepsItsNewBytes_Issue18()
    {
        var id = (await app.UploadOkAsync(RandomBytes(), "before.bin", "application/octet-stream"))["id"]!.GetValue<string>();
        var replacement = RandomBytes();
        proxy.Inject(PostgresFault.DropCommitAnswer);

        using var client = app.AdminClient();
        using var form = new MultipartFormDataContent();
        var part = new ByteArrayContent(replacement);
        part.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        form.Add(part, "file", "after.bin");
        using var response = await client.PatchAsync($"/files/{id}", form);

        Assert.That(proxy.Fired.IsCompleted, Is.True, "the connection dropped after the server committed");
        Assert.That((await DataAsync(response))["filename_download"]!.GetValue<string>(), Is.EqualTo("after.bin"));
        Assert.That(await DownloadAsync(id), Is.EqualTo(replacement));
    }

    [Test]
    public async Task AnUploadWhoseCommitNeverArrivedLeavesNoRowNoBytesAndAnswers503_Issue18()
    {
        var rowsBefore = await app.RowCountAsync();
        var originalsBefore = await TestStorage.OriginalNamesAsync(app.DataPath);
        proxy.Inject(PostgresFault.DropCommit);

        using var response = await app.UploadAsync(RandomBytes(), "rolled-back.bin", "application/octet-stream");

        Assert.That(proxy.Fired.IsCompleted, Is.True, "the connection dropped before the server saw COMMIT");
        await AssertUnavailableAsync(response);
        Assert.That(await app.RowCountAsync(), Is.EqualTo(rowsBefore));
        Assert.That(await TestStorage.OriginalNamesAsync(app.DataPath), Is.EquivalentTo(originalsBefore), "the new bytes are gone");
    }

    [Test]
    public async Task AnUnreachableDatabaseRefusesReadsAndWritesWith503AndRetryAfterThenHeals_Issue18()
    {
        var id = (await app.UploadOkAsync(RandomBytes(), "kept.bin", "application/octet-stream"))["id"]!.GetValue<string>();
        proxy.Inject(PostgresFault.Refuse);
        // The connections already open would still get through; drop them, as a database restart does.
        app.Service<Database>().ClearPool();

        using (var upload = await app.UploadAsync(RandomBytes(), "refused.bin", "application/octet-stream"))
            await AssertUnavailableAsync(upload);
        using var client = app.AdminClient();
        using (var list = await client.GetAsync("/files"))
            await AssertUnavailableAsync(list);

        proxy.Inject(PostgresFault.None);
        await DataAsync(await client.GetAsync($"/files/{id}"));
        using var refusedGone = await client.GetAsync("/files?filter[filename_download][_eq]=refused.bin&meta=filter_count");
        Assert.That(JsonNode.Parse(await refusedGone.Content.ReadAsStringAsync())!["meta"]!["filter_count"]!.GetValue<long>(), Is.Zero);
    }
}
