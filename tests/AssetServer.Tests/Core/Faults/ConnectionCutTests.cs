using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using AssetServer.Data;
using AssetServer.Tests.Support;
using Dapper;
using Npgsql;

namespace AssetServer.Tests.Faults;

/// <summary>
/// Issue 18: the server's PostgreSQL connections are cut in a loop (<c>pg_terminate_backend</c>, what a failover, a
/// PgBouncer restart or an idle-timeout firewall does) while clients upload and read. Reads keep answering, the
/// server is whole again as soon as the cutting stops, and nothing acknowledged is lost. Runs when the suite runs on
/// PostgreSQL; only this test's own database is cut (the server is shared).
/// </summary>
[Category("Postgres")]
[NonParallelizable]
public class ConnectionCutTests
{
    private static readonly TimeSpan Storm = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan CutEvery = TimeSpan.FromMilliseconds(300);

    private AssetServerApp app = null!;
    private string databaseName = null!;

    [OneTimeSetUp]
    public void Start()
    {
        if (!TestDatabase.IsPostgres) Assert.Ignore("PostgreSQL only: ASSETSERVER_TEST_STACK=postgres-s3 (or postgres-local) runs it");
        app = new AssetServerApp();
        var connectionString = app.DatabaseConnectionString;
        databaseName = new NpgsqlConnectionStringBuilder(connectionString).Database!;
    }

    [OneTimeTearDown]
    public void Stop() => app?.Dispose();

    /// <summary>Terminates every connection to this test's database but the caller's own; returns how many.</summary>
    private async Task<int> CutAsync(NpgsqlConnection admin) =>
        await admin.ExecuteScalarAsync<int>(
            "SELECT COUNT(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = @name AND pid <> pg_backend_pid()) AS cut",
            new { name = databaseName });

    private static byte[] RandomBytes() => RandomNumberGenerator.GetBytes(RandomNumberGenerator.GetInt32(5_000, 80_000));

    private async Task<(HttpStatusCode Status, string? Id)> UploadAsync(byte[] bytes)
    {
        using var response = await app.UploadAsync(bytes, "storm.bin", "application/octet-stream");
        if (response.StatusCode != HttpStatusCode.OK) return (response.StatusCode, null);
        var id = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["data"]!["id"]!.GetValue<string>();
        return (response.StatusCode, id);
    }

    /// <summary>
    /// One read of the four kinds in turn: the list, one record, one asset, one rendered derivative of an image (a new
    /// width for a while: renders on PostgreSQL take a cluster lock); what went wrong, or null.
    /// </summary>
    private static async Task<string?> ReadAsync(HttpClient client, int turn, string id, string image)
    {
        var url = (turn % 4) switch
        {
            0 => "/files?limit=10&sort=-uploaded_on&meta=filter_count",
            1 => $"/files/{id}",
            2 => $"/assets/{id}",
            _ => $"/assets/{image}?width={10 + turn / 4 % 60}",
        };
        try
        {
            using var response = await client.GetAsync(url);
            await response.Content.ReadAsByteArrayAsync();
            return response.StatusCode == HttpStatusCode.OK ? null : $"{url}: {(int)response.StatusCode}";
        }
        catch (HttpRequestException e)
        {
            return $"{url}: {e.Message}";
        }
    }

    [Test]
    public async Task ReadsSurviveCutConnectionsAndAcknowledgedUploadsKeepTheirBytes_Issue18()
    {
        var acknowledged = new ConcurrentDictionary<string, byte[]>();
        for (var i = 0; i < 6; i++)
        {
            var bytes = RandomBytes();
            var (status, id) = await UploadAsync(bytes);
            Assert.That(status, Is.EqualTo(HttpStatusCode.OK));
            acknowledged[id!] = bytes;
        }
        var seeded = acknowledged.Keys.ToArray();
        var images = new List<string>();
        for (var i = 0; i < 2; i++)
            images.Add((await app.UploadOkAsync(TestImages.Png(120 + i, 90), $"storm-{i}.png", "image/png"))["id"]!.GetValue<string>());

        using var storm = new CancellationTokenSource(Storm);
        var reads = 0;
        var failures = new ConcurrentQueue<string>();
        var uploadAnswers = new ConcurrentDictionary<HttpStatusCode, int>();
        var cuts = 0;
        var terminated = 0;

        var cutter = Task.Run(async () =>
        {
            await using var admin = new NpgsqlConnection(TestDatabase.PostgresBase);
            await admin.OpenAsync();
            while (!storm.IsCancellationRequested)
            {
                terminated += await CutAsync(admin);
                cuts++;
                await Task.Delay(CutEvery);
            }
        });
        var uploaders = Enumerable.Range(0, 3).Select(_ => Task.Run(async () =>
        {
            while (!storm.IsCancellationRequested)
            {
                var bytes = RandomBytes();
                var (status, id) = await UploadAsync(bytes);
                uploadAnswers.AddOrUpdate(status, 1, (_, n) => n + 1);
                if (id is not null) acknowledged[id] = bytes;
            }
        }));
        var readers = Enumerable.Range(0, 3).Select(reader => Task.Run(async () =>
        {
            using var client = app.AdminClient();
            for (var turn = reader; !storm.IsCancellationRequested; turn++)
            {
                var ids = acknowledged.Keys.ToArray();
                var id = ids[turn % ids.Length];
                if (await ReadAsync(client, turn, id, images[turn % images.Count]) is { } failure) failures.Enqueue(failure);
                Interlocked.Increment(ref reads);
            }
        }));
        await Task.WhenAll([cutter, .. uploaders, .. readers]);

        var rate = 1 - failures.Count / (double)reads;
        TestContext.Out.WriteLine(
            $"{reads} reads during {cuts} cuts ({terminated} connections terminated): {rate:P2} answered 200; " +
            $"uploads: {string.Join(", ", uploadAnswers.Select(a => $"{(int)a.Key}×{a.Value}"))}");
        foreach (var failure in failures.Take(10)) TestContext.Out.WriteLine("  failed: " + failure);
        Assert.That(terminated, Is.GreaterThan(cuts / 2), "the cuts did terminate the server's connections");
        Assert.That(rate, Is.GreaterThanOrEqualTo(0.99), $"{failures.Count} of {reads} reads failed: {string.Join("; ", failures.Take(5))}");

        // The cutting has stopped: the very next reads all answer.
        using (var client = app.AdminClient())
        {
            var after = new List<string>();
            for (var turn = 0; turn < 20; turn++)
                if (await ReadAsync(client, turn, seeded[turn % seeded.Length], images[turn % images.Count]) is { } failure) after.Add(failure);
            Assert.That(after, Is.Empty, "the 20 reads after the cutting stopped");
        }

        // Every acknowledged upload keeps its exact bytes, and every row has its object.
        using (var client = app.AnonymousClient())
        {
            foreach (var (id, bytes) in acknowledged)
            {
                using var response = await client.GetAsync($"/assets/{id}");
                Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), id);
                Assert.That(await response.Content.ReadAsByteArrayAsync(), Is.EqualTo(bytes), id);
            }
        }
        await using var connection = await app.Service<Database>().OpenAsync();
        var rows = (await connection.QueryAsync<string>("SELECT filename_disk FROM files")).ToList();
        var stored = await TestStorage.OriginalNamesAsync(app.DataPath);
        Assert.That(rows.Where(name => !stored.Contains(name)), Is.Empty, "rows without their object");
        Assert.That(rows, Has.Count.GreaterThanOrEqualTo(acknowledged.Count));
    }
}
