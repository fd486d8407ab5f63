using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using AssetServer.Tests.Support;

namespace AssetServer.Tests.Storage;

/// <summary>
/// Issue 18: a second server started on a live server's data folder used to sweep the first one's upload in flight
/// (its temp file, and an original renamed into place before its row committed) and the upload answered 500. A data
/// folder now belongs to one server process: the second refuses to start, naming the folder and the holder.
/// </summary>
[NonParallelizable]
public class OneFolderOneServerTests
{
    private string dataPath = null!;

    [SetUp]
    public void NewDataFolder()
    {
        dataPath = Path.Combine(Path.GetTempPath(), "assetserver-onefolder", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dataPath);
    }

    [TearDown]
    public void RemoveDataFolder()
    {
        try { Directory.Delete(dataPath, true); } catch (IOException) { }
    }

    [Test]
    public async Task ASecondServerOnALiveFolderRefusesAndTheFirstsUploadInFlightCompletes_Issue18()
    {
        using var first = await ServerProcess.StartAsync(dataPath);
        var bytes = RandomNumberGenerator.GetBytes(6 * 1024 * 1024 + 11);
        var body = new HeldBackContent(bytes, heldAfter: 1024 * 1024);
        using var form = new MultipartFormDataContent();
        body.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        form.Add(body, "file", "in-flight.bin");
        using var client = first.AdminClient();
        var upload = client.PostAsync("/files", form);
        await body.HeldBack.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.That(SpinWait.SpinUntil(() => Directory.GetFiles(Path.Combine(dataPath, "tmp")).Any(f => new FileInfo(f).Length > 0),
            TimeSpan.FromSeconds(30)), Is.True, "the upload streams into a temp file");

        var (exitCode, log) = await ServerProcess.StartExpectingExitAsync(dataPath);

        // The rest of the upload goes only now, once the second server is gone: it was in flight all along.
        body.Release();
        using var response = await upload;
        Assert.That(exitCode, Is.Not.Zero, log);
        Assert.That(log, Does.Contain($"The data folder {Path.GetFullPath(dataPath)} is in use by another AssetServer (PID {first.Id} "));
        Assert.That(log, Does.Not.Contain("   at "), "one message, no stack trace");
        var json = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), json);
        var file = JsonNode.Parse(json)!["data"]!;
        Assert.That(file["checksum"]!.GetValue<string>(), Is.EqualTo(Convert.ToHexStringLower(SHA256.HashData(bytes))));
        Assert.That(await client.GetByteArrayAsync($"/assets/{file["id"]!.GetValue<string>()}"), Is.EqualTo(bytes));
        Assert.That(await TestStorage.ReadOriginalAsync(dataPath, file["filename_disk"]!.GetValue<string>()), Is.EqualTo(bytes));
    }

    [Test]
    public void TheLockIsHeldUntilItsHolderLetsGo_Issue18()
    {
        var paths = new AssetServer.Storage.DataPaths(dataPath);
        var holder = new AssetServer.Storage.DataFolderLock(paths);
        holder.Take();

        var refused = Assert.Throws<AssetServer.Storage.DataFolderInUseException>(() => new AssetServer.Storage.DataFolderLock(paths).Take());
        Assert.That(refused!.Message, Does.Contain(paths.Root).And.Contain($"PID {Environment.ProcessId} "));

        holder.Dispose();
        using var next = new AssetServer.Storage.DataFolderLock(paths);
        Assert.That(next.Take, Throws.Nothing, "a released folder can be taken again");
    }

    [Test]
    public async Task TheTestHostTakesTheLockToo_Issue18()
    {
        // The suite's in-process apps are real servers: a second one on a folder another holds does not start.
        using var first = new AssetServerApp(("Data:Path", dataPath));
        _ = first.Service<AssetServer.Assets.Store.AssetStore>();
        using var second = new AssetServerApp(("Data:Path", dataPath));

        var start = Task.Run(() => second.Service<AssetServer.Assets.Store.AssetStore>());

        Assert.CatchAsync(async () => await start.WaitAsync(TimeSpan.FromSeconds(60)), "the second app refused to start");
        Assert.That(File.ReadAllText(Path.Combine(dataPath, "server.pid")), Does.StartWith($"PID {Environment.ProcessId} "));
    }

    [Test]
    public async Task TheTokensCommandWorksBesideALiveServer_Issue18()
    {
        using var server = await ServerProcess.StartAsync(dataPath);

        var created = await ServerCli.RunAsync(dataPath, "tokens", "create", "beside-live", "read");
        var listed = await ServerCli.RunAsync(dataPath, "tokens", "list");

        Assert.That(created.ExitCode, Is.Zero, created.Error);
        Assert.That(listed.ExitCode, Is.Zero, listed.Error);
        Assert.That(listed.Output, Does.Contain("\"name\":\"beside-live\""));
        // The live server takes the new token at once, and kept serving.
        var token = created.Output.Split('\n').Single(l => l.StartsWith("token: ", StringComparison.Ordinal))["token: ".Length..].Trim();
        using var reader = new HttpClient { BaseAddress = server.BaseAddress };
        reader.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var files = await reader.GetAsync("/files?limit=1");
        Assert.That(files.StatusCode, Is.EqualTo(HttpStatusCode.OK), await files.Content.ReadAsStringAsync());
    }

    /// <summary>
    /// A body that sends its first <c>heldAfter</c> bytes, then waits for <see cref="Release"/> before the rest: an
    /// upload provably in flight for as long as a test needs.
    /// </summary>
    private sealed class HeldBackContent(byte[] bytes, int heldAfter) : HttpContent
    {
        private readonly TaskCompletionSource heldBack = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource released = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task HeldBack => heldBack.Task;

        public void Release() => released.TrySetResult();

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            await stream.WriteAsync(bytes.AsMemory(0, heldAfter));
            await stream.FlushAsync();
            heldBack.TrySetResult();
            await released.Task.WaitAsync(TimeSpan.FromSeconds(120));
            for (var offset = heldAfter; offset < bytes.Length; offset += 256 * 1024)
                await stream.WriteAsync(bytes.AsMemory(offset, Math.Min(256 * 1024, bytes.Length - offset)));
        }

        protected override bool TryComputeLength(out long length)
        {
            length = bytes.Length;
            return true;
        }
    }
}
