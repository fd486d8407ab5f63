using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using AssetServer.Tests.Support;

namespace AssetServer.Tests.Hardening;

/// <summary>
/// Eight clients upload, patch, replace, list, transform and delete at once for a bounded time against the real
/// server process. Afterwards every acknowledged write reads back with its bytes, every delete is gone and the
/// server logged no error.
/// </summary>
[NonParallelizable]
public class SoakTests
{
    private static readonly TimeSpan Duration = TimeSpan.FromSeconds(15);

    [Test]
    public async Task EightClientsForFifteenSecondsLoseNothing()
    {
        var dataPath = Path.Combine(Path.GetTempPath(), "assetserver-soak", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dataPath);
        try
        {
            using var server = await ServerProcess.StartAsync(dataPath, ("RateLimits:TransformsPerMinute", "0"));
            var live = new ConcurrentDictionary<string, byte[]>();   // id → the bytes last acknowledged
            var titles = new ConcurrentDictionary<string, string>(); // id → title last acknowledged
            var gone = new ConcurrentBag<string>();
            var failures = new ConcurrentBag<string>();
            var operations = 0;
            using var stop = new CancellationTokenSource(Duration);

            var clients = Enumerable.Range(0, 8).Select(c => Task.Run(async () =>
            {
                using var client = server.AdminClient();
                var random = new Random(c);
                var mine = new List<string>();
                while (!stop.IsCancellationRequested)
                {
                    Interlocked.Increment(ref operations);
                    var action = mine.Count < 2 ? 0 : random.Next(6);
                    var id = mine.Count > 0 ? mine[random.Next(mine.Count)] : null;
                    switch (action)
                    {
                        case 0:
                        {
                            var bytes = TestImages.Jpeg(random.Next(40, 300), random.Next(40, 300), quality: random.Next(50, 95));
                            using var form = new MultipartFormDataContent { { new ByteArrayContent(bytes), "file", $"c{c}.jpg" } };
                            var res = await client.PostAsync("/files", form);
                            if (!Expect(res, HttpStatusCode.OK, "upload")) break;
                            var data = JsonNode.Parse(await res.Content.ReadAsStringAsync())!["data"]!;
                            var newId = data["id"]!.GetValue<string>();
                            live[newId] = bytes;
                            titles[newId] = data["title"]!.GetValue<string>();
                            mine.Add(newId);
                            break;
                        }
                        case 1:
                        {
                            var title = $"t{c}-{random.Next()}";
                            var res = await client.PatchAsync($"/files/{id}", FilesJson($$"""{"title":"{{title}}"}"""));
                            Expect(res, HttpStatusCode.OK, "patch");
                            titles[id!] = title;
                            break;
                        }
                        case 2:
                        {
                            var bytes = TestImages.Png(random.Next(20, 200), random.Next(20, 200));
                            using var form = new MultipartFormDataContent { { new ByteArrayContent(bytes), "file", $"r{c}.png" } };
                            var res = await client.PatchAsync($"/files/{id}", form);
                            Expect(res, HttpStatusCode.OK, "replace");
                            live[id!] = bytes;
                            break;
                        }
                        case 3:
                            Expect(await client.GetAsync("/files?limit=20&sort=-uploaded_on&meta=*"), HttpStatusCode.OK, "list");
                            break;
                        case 4:
                        {
                            var res = await client.GetAsync($"/assets/{id}?width={random.Next(10, 120)}&format=webp");
                            Expect(res, HttpStatusCode.OK, "transform");
                            var body = await res.Content.ReadAsByteArrayAsync();
                            if (body.Length < 12 || body[8] != (byte)'W') failures.Add($"transform of {id} is not WebP");
                            break;
                        }
                        default:
                            Expect(await client.DeleteAsync($"/files/{id}"), HttpStatusCode.NoContent, "delete");
                            mine.Remove(id!);
                            live.TryRemove(id!, out _);
                            gone.Add(id!);
                            break;
                    }
                }

                bool Expect(HttpResponseMessage res, HttpStatusCode status, string what)
                {
                    if (res.StatusCode == status) return true;
                    failures.Add($"{what}: {(int)res.StatusCode} {res.Content.ReadAsStringAsync().Result}");
                    return false;
                }
            })).ToArray();
            await Task.WhenAll(clients);

            Assert.That(failures, Is.Empty, () => "server log (end):\n" + server.Log[Math.Max(0, server.Log.Length - 6000)..]);
            Assert.That(operations, Is.GreaterThan(100), "the soak should have done real work");
            using var check = server.AdminClient();
            foreach (var (id, bytes) in live)
            {
                Assert.That(await check.GetByteArrayAsync($"/assets/{id}"), Is.EqualTo(bytes), id);
                var row = JsonNode.Parse(await check.GetStringAsync($"/files/{id}?fields=checksum,title"))!["data"]!;
                Assert.That(row["checksum"]!.GetValue<string>(), Is.EqualTo(Convert.ToHexStringLower(SHA256.HashData(bytes))));
                Assert.That(row["title"]!.GetValue<string>(), Is.EqualTo(titles[id]));
            }
            foreach (var id in gone)
                Assert.That((await check.GetAsync($"/files/{id}")).StatusCode, Is.EqualTo(HttpStatusCode.Forbidden), id);
            // Every stored original is a live file's, or a replaced one kept as a version (Files:KeepVersions).
            long kept;
            using (var database = TestDatabase.For(dataPath))
            await using (var db = await database.OpenAsync())
                kept = await Dapper.SqlMapper.ExecuteScalarAsync<long>(db, "SELECT COUNT(*) FROM file_versions");
            Assert.That(await TestStorage.OriginalNamesAsync(dataPath), Has.Count.EqualTo(live.Count + kept));
            Assert.That(server.Log, Does.Not.Contain("fail:").And.Not.Contain("Exception"), server.Log);
        }
        finally
        {
            try { Directory.Delete(dataPath, true); } catch (IOException) { }
        }
    }

    private static StringContent FilesJson(string json) => new(json, System.Text.Encoding.UTF8, "application/json");
}
