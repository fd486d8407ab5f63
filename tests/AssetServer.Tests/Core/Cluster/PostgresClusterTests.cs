using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using AssetServer.Cluster;
using AssetServer.Data;
using AssetServer.Tests.Support;
using Dapper;

namespace AssetServer.Tests.Cluster;

/// <summary>
/// Issue 13: nodes sharing one PostgreSQL database and one S3 prefix, each on its own data folder (a data folder
/// belongs to one server, issue 18), behave as one server. Runs when the suite runs on PostgreSQL
/// (<c>ASSETSERVER_TEST_STACK=postgres-s3</c> or <c>postgres-local</c>); the store is the test engines' s3rver either way.
/// </summary>
[Category("Postgres")]
[NonParallelizable]
public class PostgresClusterTests
{
    private string connectionString = null!;
    private AssetServerApp nodeA = null!, nodeB = null!;

    [OneTimeSetUp]
    public void StartTwoNodes()
    {
        if (!TestDatabase.IsPostgres) Assert.Ignore("PostgreSQL only: ASSETSERVER_TEST_STACK=postgres-s3 (or postgres-local) runs it");
        connectionString = TestDatabase.Create();
        (string, string?)[] shared =
        [
            ("Database:Provider", "postgres"),
            ("Database:ConnectionString", connectionString),
            ("Storage:Provider", "s3"),
            ("Storage:S3:ServiceUrl", Engines.S3ServiceUrl),
            ("Storage:S3:Bucket", Engines.S3Bucket),
            ("Storage:S3:AccessKey", Engines.S3AccessKey),
            ("Storage:S3:SecretKey", Engines.S3SecretKey),
            ("Storage:S3:ForcePathStyle", "true"),
            ("Storage:S3:Prefix", $"pg-cluster-{Guid.NewGuid():N}/"),
        ];
        nodeA = new AssetServerApp([.. shared, ("Server:NodeId", "a")]);
        nodeB = new AssetServerApp([.. shared, ("Server:NodeId", "b")]);
        // Both start (and sweep) before anything is uploaded.
        nodeA.CreateClient().Dispose();
        nodeB.CreateClient().Dispose();
    }

    [OneTimeTearDown]
    public void StopNodes()
    {
        nodeB?.Dispose();
        nodeA?.Dispose();
        if (connectionString is not null) TestDatabase.Drop(connectionString);
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    private static async Task<JsonObject> DataAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), body);
        return JsonNode.Parse(body)!["data"]!.AsObject();
    }

    [Test]
    public async Task APatchOnOneNodeIsSeenByTheNextRequestOnAnother_Issue13()
    {
        var id = (await nodeA.UploadOkAsync(TestImages.Png(30, 20), "first.png", "image/png"))["id"]!.GetValue<string>();
        using var a = nodeA.AdminClient();
        using var b = nodeB.AdminClient();
        using var anonymousB = nodeB.AnonymousClient();
        async Task<string?> DownloadNameOnB(string url) =>
            (await anonymousB.GetAsync(url)).Content.Headers.ContentDisposition?.FileName?.Trim('"');
        var urls = new[] { $"/assets/{id}?download", $"/assets/{id}?width=10&download" };

        for (var round = 1; round <= 5; round++)
        {
            // B's row cache and representation memo are warm with the row from before the write.
            for (var warm = 0; warm < 2; warm++)
            {
                await DataAsync(await b.GetAsync($"/files/{id}"));
                foreach (var url in urls) Assert.That(await DownloadNameOnB(url), Is.Not.Null);
            }
            await DataAsync(await a.PatchAsync($"/files/{id}", Json($$"""{"title":"Title {{round}}","filename_download":"renamed-{{round}}.png"}""")));

            Assert.That((await DataAsync(await b.GetAsync($"/files/{id}")))["title"]!.GetValue<string>(), Is.EqualTo($"Title {round}"), $"round {round}");
            foreach (var url in urls) Assert.That(await DownloadNameOnB(url), Is.EqualTo($"renamed-{round}.png"), $"round {round}, {url}");
        }
    }

    [Test]
    public async Task ADeleteOnOneNodeIsSeenByTheNextRequestOnAnother_Issue13()
    {
        var id = (await nodeA.UploadOkAsync(TestImages.Png(30, 20), "gone.png", "image/png"))["id"]!.GetValue<string>();
        using var a = nodeA.AdminClient();
        using var b = nodeB.AdminClient();
        using var anonymousB = nodeB.AnonymousClient();
        for (var warm = 0; warm < 2; warm++)
        {
            await DataAsync(await b.GetAsync($"/files/{id}"));
            Assert.That((await anonymousB.GetAsync($"/assets/{id}")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        }

        Assert.That((await a.DeleteAsync($"/files/{id}")).StatusCode, Is.EqualTo(HttpStatusCode.NoContent));

        // An unknown id answers as a forbidden one (Directus), on every node alike.
        Assert.That((await b.GetAsync($"/files/{id}")).StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That((await anonymousB.GetAsync($"/assets/{id}")).StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
    }

    [Test]
    public async Task ConcurrentPatchesOfOneRowOnTwoNodesNeverLoseAnUpdate_Issue13()
    {
        var id = (await nodeA.UploadOkAsync("abc"u8.ToArray(), "race.txt", "text/plain"))["id"]!.GetValue<string>();
        using var a = nodeA.AdminClient();
        using var b = nodeB.AdminClient();
        const int rounds = 20;
        for (var round = 0; round < rounds; round++)
        {
            // Each PATCH reads the row, changes one field and writes the whole row back: without a row lock, the later
            // commit would put the other field back as it was.
            var title = a.PatchAsync($"/files/{id}", Json($$"""{"title":"t{{round}}"}"""));
            var description = b.PatchAsync($"/files/{id}", Json($$"""{"description":"d{{round}}"}"""));
            await DataAsync(await title);
            await DataAsync(await description);

            var row = await DataAsync(await b.GetAsync($"/files/{id}"));
            Assert.That(row["title"]!.GetValue<string>(), Is.EqualTo($"t{round}"), $"round {round}");
            Assert.That(row["description"]!.GetValue<string>(), Is.EqualTo($"d{round}"), $"round {round}");
        }

        using var database = Database.Postgres(connectionString);
        await using var connection = await database.OpenAsync();
        var revisions = await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM revisions WHERE item = @id", new { id });
        Assert.That(revisions, Is.EqualTo(1 + 2 * rounds), "one revision for the upload and one per PATCH");
    }

    [Test]
    public async Task NodesMigratingANewDatabaseAtOnceAllSucceed_Issue13()
    {
        var fresh = TestDatabase.Create();
        try
        {
            var nodes = Enumerable.Range(0, 4).Select(_ => Database.Postgres(fresh)).ToList();
            await Task.WhenAll(nodes.Select(n => n.MigrateAsync()));

            await using var connection = await nodes[0].OpenAsync();
            var versions = (await connection.QueryAsync<string>("SELECT version FROM schema_migrations ORDER BY version")).ToList();
            Assert.That(versions, Is.EqualTo(Database.Scripts(DatabaseProvider.Postgres).Select(s => s.Version).ToList()));
            Assert.That(await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM data_generation"), Is.EqualTo(1));
            foreach (var node in nodes) node.Dispose();
        }
        finally
        {
            TestDatabase.Drop(fresh);
        }
    }

    [Test]
    public async Task TheRenderLockExcludesASecondHolderOfTheSameKeyOnly_Issue13()
    {
        using var databaseA = Database.Postgres(connectionString);
        using var databaseB = Database.Postgres(connectionString);
        IRenderLock lockA = new PostgresRenderLock(databaseA), lockB = new PostgresRenderLock(databaseB);

        var held = await lockA.AcquireAsync("derivative-1", CancellationToken.None);

        // Another key is free at once.
        await using (await lockB.AcquireAsync("derivative-2", CancellationToken.None)) { }

        // The same key waits for the holder, and the waiter's token ends the wait.
        using (var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(300)))
            Assert.That(async () => await lockB.AcquireAsync("derivative-1", cancel.Token), Throws.InstanceOf<OperationCanceledException>());
        var waiting = lockB.AcquireAsync("derivative-1", CancellationToken.None).AsTask();
        await Task.Delay(200);
        Assert.That(waiting.IsCompleted, Is.False, "a second node took a held lock");

        await held.DisposeAsync();
        await (await waiting.WaitAsync(TimeSpan.FromSeconds(30))).DisposeAsync();
    }

    [Test]
    public async Task WaitersForTheRenderLockHoldNoPooledConnection_Issue17()
    {
        // A pool of 3: before, each waiter held a connection while it polled, so 3 waiters drained the pool and every
        // other query of the node waited for a render on another node.
        var small = new Npgsql.NpgsqlConnectionStringBuilder(connectionString) { MaxPoolSize = 3, Timeout = 3 }.ConnectionString;
        using var holderDatabase = Database.Postgres(connectionString);
        using var database = Database.Postgres(small);
        IRenderLock holder = new PostgresRenderLock(holderDatabase), node = new PostgresRenderLock(database);
        var held = await holder.AcquireAsync("derivative-waited-for", CancellationToken.None);
        using var stop = new CancellationTokenSource();
        var waiters = Enumerable.Range(0, 8).Select(_ => node.AcquireAsync("derivative-waited-for", stop.Token).AsTask()).ToList();
        await Task.Delay(300);

        for (var i = 0; i < 10; i++)
        {
            await using var connection = await database.OpenAsync(CancellationToken.None);
            Assert.That(await Dapper.SqlMapper.ExecuteScalarAsync<int>(connection, "SELECT 1"), Is.EqualTo(1));
        }
        Assert.That(waiters.Any(w => w.IsCompleted), Is.False, "the lock is still held");

        stop.Cancel();
        foreach (var waiter in waiters) Assert.That(async () => await waiter, Throws.InstanceOf<OperationCanceledException>());
        await held.DisposeAsync();
    }

    [Test]
    public async Task CaseInsensitiveFiltersFoldNonAsciiLetters_Issue13()
    {
        var id = (await nodeA.UploadOkAsync("abc"u8.ToArray(), "ecole.txt", "text/plain", ("title", "École du Louvre")))["id"]!.GetValue<string>();
        using var b = nodeB.AdminClient();
        var filter = Uri.EscapeDataString($$$"""{"_and":[{"id":{"_eq":"{{{id}}}"}},{"title":{"_icontains":"école"}}]}""");
        var list = await b.GetStringAsync($"/files?filter={filter}&fields=id");
        Assert.That(JsonNode.Parse(list)!["data"]!.AsArray(), Has.Count.EqualTo(1));
        var search = await b.GetStringAsync($"/files?search={Uri.EscapeDataString("ÉCOLE DU")}&fields=id&limit=-1");
        Assert.That(search, Does.Contain(id));
    }
}
