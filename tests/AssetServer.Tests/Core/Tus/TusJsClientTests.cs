using System.Net;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using AssetServer.Tests.Support;
using static AssetServer.Tests.Tus.TusKit;

namespace AssetServer.Tests.Tus;

/// <summary>Issue 19: npm's tus-js-client, as Directus's Data Studio drives it, against the real server.</summary>
public class TusJsClientTests
{
    [Test]
    public async Task StoppedUploadResumesFromTheServersOffsetAndBecomesTheFile()
    {
        if (TusJsClient.EnsureInstalled() is { } problem) Assert.Fail(problem);
        var dataPath = Path.Combine(Path.GetTempPath(), "assetserver-tus", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dataPath);
        try
        {
            using var server = await ServerProcess.StartAsync(dataPath);
            using var client = server.AdminClient();
            var bytes = RandomNumberGenerator.GetBytes(5 * 1024 * 1024 + 123);
            var file = Path.Combine(dataPath, $"{Guid.NewGuid():N}.bin");
            await File.WriteAllBytesAsync(file, bytes);
            const int chunk = 1024 * 1024;

            var stopped = TusJsClient.Upload(server.BaseAddress, file, chunk, stopAfter: 2 * chunk);
            var stoppedAt = stopped["stoppedAt"]!.GetValue<long>();
            var url = stopped["url"]!.GetValue<string>();
            Assert.That(stoppedAt, Is.InRange(2 * chunk, bytes.Length - 1), stopped.ToJsonString());
            using (var head = await HeadAsync(client, url)) Assert.That(Offset(head), Is.EqualTo(stoppedAt), "the server kept what it acknowledged");
            var listed = JsonNode.Parse(await client.GetStringAsync($"/files?filter[filename_download][_eq]={Path.GetFileName(file)}"))!["data"]!.AsArray();
            Assert.That(listed, Is.Empty, "a stopped upload is no file");

            var resumed = TusJsClient.Upload(server.BaseAddress, file, chunk, stopAfter: 0, uploadUrl: url);
            Assert.That(resumed["url"]!.GetValue<string>(), Is.EqualTo(url), "the same upload went on: no new one was created");
            Assert.That(resumed["resumedFrom"]!.GetValue<long>(), Is.EqualTo(stoppedAt), "the client asked the server where to go on");
            Assert.That(resumed["firstPatchOffset"]!.GetValue<long>(), Is.EqualTo(stoppedAt));
            var id = resumed["fileId"]!.GetValue<string>();
            Assert.That(await client.GetByteArrayAsync($"/assets/{id}"), Is.EqualTo(bytes));
            var row = JsonNode.Parse(await client.GetStringAsync($"/files/{id}"))!["data"]!;
            Assert.That(row["title"]!.GetValue<string>(), Is.EqualTo("tus-js-client upload"));
            Assert.That(row["filename_download"]!.GetValue<string>(), Is.EqualTo(Path.GetFileName(file)));
            using var gone = await HeadAsync(client, url);
            Assert.That(gone.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        }
        finally
        {
            try { Directory.Delete(dataPath, true); } catch (IOException) { }
        }
    }
}
