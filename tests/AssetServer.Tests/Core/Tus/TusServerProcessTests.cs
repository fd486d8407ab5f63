using System.Net;
using System.Security.Cryptography;
using AssetServer.Tests.Support;
using static AssetServer.Tests.Tus.TusKit;

namespace AssetServer.Tests.Tus;

/// <summary>
/// Issue 19: tus uploads against the real server process, over real sockets: an acknowledged offset survives kill -9,
/// a chunk torn by the kill is dropped, and two chunks for one upload never run at once (on one node or two).
/// </summary>
public class TusServerProcessTests
{
    private readonly List<string> folders = [];

    private string NewDataFolder()
    {
        var path = Path.Combine(Path.GetTempPath(), "assetserver-tus", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(path);
        folders.Add(path);
        return path;
    }

    [TearDown]
    public void RemoveDataFolders()
    {
        foreach (var path in folders)
        {
            try { Directory.Delete(path, true); } catch (IOException) { }
        }
        folders.Clear();
    }

    [Test]
    public async Task AcknowledgedOffsetSurvivesKillAndRestartAndATornChunkIsDropped()
    {
        var dataPath = NewDataFolder();
        var bytes = RandomNumberGenerator.GetBytes(5 * 1024 * 1024 + 7);
        const int acknowledged = 2 * 1024 * 1024;
        string url;
        using (var server = await ServerProcess.StartAsync(dataPath))
        using (var client = server.AdminClient())
        {
            url = await CreateOkAsync(client, bytes.Length, Meta(("filename_download", "crash.bin")));
            using (var first = await PatchAsync(client, url, 0, bytes[..acknowledged]))
                Assert.That(Offset(first), Is.EqualTo(acknowledged));
            // The next chunk is half sent when the server dies: none of it was acknowledged.
            var torn = new HeldBody(bytes[acknowledged..(acknowledged + 1024 * 1024)], bytes[(acknowledged + 1024 * 1024)..]);
            var patch = PatchAsync(client, url, acknowledged, torn);
            await torn.Started.Task.WaitAsync(TimeSpan.FromSeconds(30));
            Assert.That(SpinWait.SpinUntil(() => WrittenPastAcknowledged(dataPath, IdOf(url), acknowledged), TimeSpan.FromSeconds(30)), Is.True,
                "the torn chunk's first bytes reached the server");
            server.Kill();
            torn.Release();
            Assert.That(async () => (await patch).Dispose(), Throws.InstanceOf<HttpRequestException>().Or.InstanceOf<TaskCanceledException>());
        }
        using (var restarted = await ServerProcess.StartAsync(dataPath))
        using (var client = restarted.AdminClient())
        {
            using (var head = await HeadAsync(client, url))
            {
                Assert.That(head.StatusCode, Is.EqualTo(HttpStatusCode.OK), restarted.Log);
                Assert.That(Offset(head), Is.EqualTo(acknowledged));
            }
            using var rest = await PatchAsync(client, url, acknowledged, bytes[acknowledged..]);
            Assert.That(rest.StatusCode, Is.EqualTo(HttpStatusCode.NoContent), await rest.Content.ReadAsStringAsync());
            var id = Header(rest, "Directus-File-Id");
            Assert.That(await client.GetByteArrayAsync($"/assets/{id}"), Is.EqualTo(bytes));
        }
    }

    [Test]
    public async Task ChunksOfOneUploadAreSerialised()
    {
        var dataPath = NewDataFolder();
        using var server = await ServerProcess.StartAsync(dataPath);
        using var client = server.AdminClient();
        await AssertSerialisedAsync(client, client, dataPath);
    }

    [Test]
    public async Task ChunksOfOneUploadAreSerialisedAcrossNodes()
    {
        if (!TestDatabase.IsPostgres || !TestStorage.IsS3)
            Assert.Ignore("Nodes share a PostgreSQL database and an S3 bucket: ASSETSERVER_TEST_STACK=postgres-s3 runs it");
        var first = NewDataFolder();
        var second = NewDataFolder();
        using var nodeA = await ServerProcess.StartAsync(first);
        // Node B: its own data folder, node A's database and bucket prefix.
        using var nodeB = await ServerProcess.StartAsync(second,
            [.. TestDatabase.SettingsFor(first), .. TestStorage.Settings(first).Where(s => s.Key.StartsWith("Storage:")), ("Server:NodeId", "tus-node-b")]);
        using var clientA = nodeA.AdminClient();
        using var clientB = nodeB.AdminClient();
        await AssertSerialisedAsync(clientA, clientB, first);
    }

    /// <summary>
    /// A first chunk held half-sent on <paramref name="first"/>, a second for the same offset sent through
    /// <paramref name="second"/> meanwhile: the second waits for the first, then finds the offset moved (409).
    /// </summary>
    private static async Task AssertSerialisedAsync(HttpClient first, HttpClient second, string firstDataPath)
    {
        var bytes = RandomNumberGenerator.GetBytes(3 * 1024 * 1024);
        const int chunk = 2 * 1024 * 1024;
        var url = await CreateOkAsync(first, bytes.Length, Meta(("filename_download", "race.bin")));
        var held = new HeldBody(bytes[..(chunk / 2)], bytes[(chunk / 2)..chunk]);
        var one = PatchAsync(first, url, 0, held);
        await held.Started.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.That(SpinWait.SpinUntil(() => WrittenPastAcknowledged(firstDataPath, IdOf(url), 0), TimeSpan.FromSeconds(30)), Is.True,
            "the first chunk is being written");
        var two = PatchAsync(second, url, 0, bytes[..chunk]);
        // Give the second chunk time to reach the server; whenever it arrives, it must not be written beside the first.
        await Task.Delay(1000);
        held.Release();
        using var oneResponse = await one;
        using var twoResponse = await two;
        Assert.That(oneResponse.StatusCode, Is.EqualTo(HttpStatusCode.NoContent), await oneResponse.Content.ReadAsStringAsync());
        Assert.That(Offset(oneResponse), Is.EqualTo(chunk));
        Assert.That(twoResponse.StatusCode, Is.EqualTo(HttpStatusCode.Conflict), await twoResponse.Content.ReadAsStringAsync());
        using var rest = await PatchAsync(second, url, chunk, bytes[chunk..]);
        Assert.That(rest.StatusCode, Is.EqualTo(HttpStatusCode.NoContent), await rest.Content.ReadAsStringAsync());
        Assert.That(await first.GetByteArrayAsync($"/assets/{Header(rest, "Directus-File-Id")}"), Is.EqualTo(bytes));
    }

    /// <summary>
    /// Whether a chunk past <paramref name="acknowledged"/> is being written: the upload's file grew past it (local),
    /// or a chunk is being staged in the temp folder on its way to the bucket (s3).
    /// </summary>
    private static bool WrittenPastAcknowledged(string dataPath, string id, long acknowledged)
    {
        if (!TestStorage.IsS3)
        {
            var file = new FileInfo(Path.Combine(dataPath, "tmp", "tus", id));
            return file.Exists && file.Length > acknowledged;
        }
        return Directory.GetFiles(Path.Combine(dataPath, "tmp")).Any(f => new FileInfo(f).Length > 0);
    }
}
