using System.Globalization;
using System.Security.Cryptography;
using AssetServer.Data;
using AssetServer.Errors;
using AssetServer.Files;
using AssetServer.Storage;
using AssetServer.Storage.S3;
using AssetServer.Tests.Support;
using Dapper;

namespace AssetServer.Tests.Storage;

/// <summary>
/// Issue 18: S3 intents were recorded under the machine name, and a starting node swept its own whatever their age,
/// so two processes on one host deleted each other's puts in flight; and a claim that found no intent went on to
/// commit a row whose object had been swept. Now every process has its own node id, a young intent of any other is
/// left alone, and a claim that deletes no intent aborts the row.
/// </summary>
public class NodeIdentityTests
{
    private static FileRecord NewRecord(string name, long size)
    {
        var now = DateTime.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
        return new FileRecord
        {
            Id = name.Split('.')[0], Storage = TestStorage.Provider, FilenameDisk = name, FilenameDownload = "put.bin",
            Type = "application/octet-stream", Filesize = size, CreatedOn = now, ModifiedOn = now, UploadedOn = now,
        };
    }

    /// <summary>Commits <paramref name="record"/> with the claim of its original, as <c>FileService</c> does.</summary>
    private static Task CommitAsync(AssetServerApp app, FileRecord record, Func<System.Data.Common.DbConnection, System.Data.Common.DbTransaction, Task> claim)
    {
        var repository = app.Service<FileRepository>();
        return repository.InTransactionAsync(async (connection, tx) =>
        {
            await repository.InsertAsync(connection, tx, record);
            await claim(connection, tx);
            return true;
        });
    }

    /// <summary>A put done on <paramref name="app"/>'s store whose row has not committed yet: in flight.</summary>
    private static async Task<(string Name, byte[] Bytes)> PutInFlightAsync(AssetServerApp app)
    {
        var bytes = RandomNumberGenerator.GetBytes(200_000);
        var name = $"{Guid.NewGuid():D}.bin";
        var temp = app.Service<FileStore>().NewTempPath();
        await File.WriteAllBytesAsync(temp, bytes);
        await app.Service<IOriginalStore>().PutAsync(temp, name, bytes.Length, CancellationToken.None);
        return (name, bytes);
    }

    [Test]
    public void TheDefaultNodeIdIsTheHostNameAndARandomSuffix_Issue18()
    {
        var options = new AssetServer.Server.ServerOptions();
        string first = S3OriginalStore.NodeId(options), second = S3OriginalStore.NodeId(options);
        Assert.That(first, Does.StartWith(Environment.MachineName + "-"));
        Assert.That(second, Is.Not.EqualTo(first));
        Assert.That(S3OriginalStore.NodeId(new AssetServer.Server.ServerOptions { NodeId = "edge-1" }), Is.EqualTo("edge-1"));
    }

    [Test]
    public async Task ANodeStartingOnTheSameHostLeavesAnothersPutInFlightAlone_Issue18()
    {
        // Two nodes on one host with the default node id, over one PostgreSQL database and one S3 prefix.
        using var a = new AssetServerApp(("Server:NodeId", ""));
        var beside = a.AnotherNode();
        var (name, bytes) = await PutInFlightAsync(a);

        using var b = new AssetServerApp([.. beside, ("Server:NodeId", "")]);
        var nodeB = (S3OriginalStore)b.Service<IOriginalStore>(); // B starts, and sweeps
        var nodeA = (S3OriginalStore)a.Service<IOriginalStore>();

        Assert.That(nodeB.Node, Is.Not.EqualTo(nodeA.Node));
        var record = NewRecord(name, bytes.Length);
        await CommitAsync(a, record, (connection, tx) => nodeA.ClaimAsync(connection, tx, name, CancellationToken.None));
        using var client = b.AdminClient();
        Assert.That(await client.GetByteArrayAsync($"/assets/{record.Id}"), Is.EqualTo(bytes), "B serves A's put, whole");
    }

    [Test]
    public async Task ASlowUploadOnOneNodeCompletesWhileAnotherNodeOnTheHostStarts_Issue18()
    {
        if (!TestDatabase.IsPostgres || !TestStorage.IsS3)
            Assert.Ignore("Nodes share a PostgreSQL database and an S3 bucket: ASSETSERVER_TEST_STACK=postgres-s3 runs it");
        // Node A reaches the store over a slow link, so its put of the upload stays in flight for seconds.
        using var link = new SlowTcpProxy(new Uri(TestStorage.ServiceUrl!));
        using var a = new AssetServerApp(("Server:NodeId", ""), ("Storage:S3:ServiceUrl", link.Address), ("RateLimits:UploadsPerMinute", "0"));
        var beside = a.AnotherNode();
        _ = a.Service<IOriginalStore>();
        var bytes = RandomNumberGenerator.GetBytes(12 * 1024 * 1024);
        link.BytesPerTick = 64 * 1024; // about 1.3 MB/s: some 10 s for the put
        var upload = a.UploadAsync(bytes, "slow.bin");
        await using (var connection = await a.Service<Database>().OpenAsync())
            Assert.That(SpinWait.SpinUntil(() => connection.ExecuteScalar<long>("SELECT COUNT(*) FROM storage_intents") > 0, TimeSpan.FromSeconds(60)),
                Is.True, "A's put began");

        // B, on the same host with the default node id, starts and sweeps while the put is in flight.
        using var b = new AssetServerApp([.. beside, ("Server:NodeId", ""), ("Storage:S3:ServiceUrl", TestStorage.ServiceUrl)]);
        _ = b.Service<IOriginalStore>();
        Assert.That(upload.IsCompleted, Is.False, "the put was still in flight when B had started");

        link.BytesPerTick = 0;
        using var response = await upload;
        var body = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(System.Net.HttpStatusCode.OK), body);
        var id = System.Text.Json.Nodes.JsonNode.Parse(body)!["data"]!["id"]!.GetValue<string>();
        using var client = b.AdminClient();
        Assert.That(await client.GetByteArrayAsync($"/assets/{id}"), Is.EqualTo(bytes), "B serves A's upload, whole");
    }

    [Test]
    public async Task APutInFlightForOverAnHourIsSweptAndItsRowThenNeverCommits_Issue18()
    {
        using var a = new AssetServerApp(("Server:NodeId", ""));
        var beside = a.AnotherNode();
        var (name, bytes) = await PutInFlightAsync(a);
        var bucket = a.Service<S3Bucket>();
        await using (var connection = await a.Service<Database>().OpenAsync())
            await connection.ExecuteAsync("UPDATE storage_intents SET started_on = @old WHERE key = @key",
                new { old = DateTime.UtcNow.AddHours(-2).ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture), key = bucket.OriginalKey(name) });

        using var b = new AssetServerApp([.. beside, ("Server:NodeId", "")]);
        _ = b.Service<IOriginalStore>(); // B starts, and takes the put for a crashed one

        Assert.That(await bucket.LengthAsync(bucket.OriginalKey(name), CancellationToken.None), Is.Null, "the old put was swept");
        var record = NewRecord(name, bytes.Length);
        var store = a.Service<IOriginalStore>();
        var refused = Assert.ThrowsAsync<ApiException>(() => CommitAsync(a, record, (connection, tx) => store.ClaimAsync(connection, tx, name, CancellationToken.None)));
        Assert.That(refused!.Status, Is.EqualTo(503));
        Assert.That(await a.Service<FileRepository>().GetAsync(record.Id), Is.Null, "no row without its object");
    }

    [Test]
    public async Task AClaimThatFindsNoIntentAbortsTheRowsTransaction_Issue18()
    {
        using var app = new AssetServerApp();
        var intents = app.Service<StorageIntents>();
        var swept = NewRecord($"{Guid.NewGuid():D}.bin", 3);
        var kept = NewRecord($"{Guid.NewGuid():D}.bin", 3);
        await intents.BeginAsync("files/" + kept.FilenameDisk, "some-node", CancellationToken.None);

        var refused = Assert.ThrowsAsync<ApiException>(() =>
            CommitAsync(app, swept, (connection, tx) => intents.ClaimAsync(connection, tx, "files/" + swept.FilenameDisk, CancellationToken.None)));
        await CommitAsync(app, kept, (connection, tx) => intents.ClaimAsync(connection, tx, "files/" + kept.FilenameDisk, CancellationToken.None));

        Assert.That(refused!.Status, Is.EqualTo(503));
        Assert.That(refused.Headers["Retry-After"], Is.EqualTo("1"));
        var repository = app.Service<FileRepository>();
        Assert.That(await repository.GetAsync(swept.Id), Is.Null, "the row rolled back with the failed claim");
        Assert.That(await repository.GetAsync(kept.Id), Is.Not.Null, "a claim that finds its intent commits the row");
        Assert.That(await intents.AllAsync(CancellationToken.None), Is.Empty);
    }
}
