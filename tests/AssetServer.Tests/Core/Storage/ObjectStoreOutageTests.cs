using System.Diagnostics;
using System.Net;
using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using AssetServer.Storage.S3;
using AssetServer.Tests.Support;

namespace AssetServer.Tests.Storage;

/// <summary>
/// Issue 18: an object store that hangs (s3rver stopped with SIGSTOP: connections are accepted, nothing answers)
/// stays contained. The cached path keeps answering, uploads answer 503 instead of waiting out the SDK's timeouts,
/// and everything heals by itself once the store is back. Runs on either database, always on a private s3rver of its
/// own (the shared one is never paused), stopped at the end whatever happens.
/// </summary>
[TestFixture]
public sealed class ObjectStoreOutageTests
{
    /// <summary>What the cached path may take while the store hangs (the issue's bound).</summary>
    private static readonly TimeSpan CachedPathBound = TimeSpan.FromSeconds(2);

    /// <summary>
    /// The first upload into a hung store waits one <c>Storage:S3:TransferIdleTimeout</c> (10 s by default); this bound
    /// is generous for a loaded machine, and far below the SDK's own 100 s per attempt with retries.
    /// </summary>
    private static readonly TimeSpan FirstUploadBound = TimeSpan.FromSeconds(25);

    /// <summary>Uploads right after a timeout fail at once: the store is marked down (<see cref="S3Outage.CoolDown"/>).</summary>
    private static readonly TimeSpan NextUploadBound = TimeSpan.FromSeconds(3);

    /// <summary>How soon after SIGCONT uploads must work again (the issue's bound).</summary>
    private static readonly TimeSpan HealBound = TimeSpan.FromSeconds(10);

    [Test]
    public async Task AHungStoreKeepsTheCachedPathAnsweringFailsUploadsFastAndHealsWhenItReturns()
    {
        var folder = Path.Combine(Engines.EnginesFolder, "s3rver-outage-" + Guid.NewGuid().ToString("N")[..8]);
        var url = Engines.StartEngine("s3rver.sh", folder, Environment.ProcessId);
        var pid = int.Parse(File.ReadAllText(Path.Combine(folder, ".s3rver.pid")).Trim());
        try
        {
            var dataPath = Path.Combine(Path.GetTempPath(), "assetserver-tests", Guid.NewGuid().ToString("N"));
            var settings = TestStorage.Settings(dataPath, url).Select(s => (s.Key, (string?)s.Value))
                .Append(("Data:Path", dataPath)).Append(("RateLimits:UploadsPerMinute", "0")).ToArray();
            using var app = new AssetServerApp(settings);
            using var client = app.AdminClient();

            var cached = await app.UploadOkAsync(TestImages.Jpeg(300, 200), "before.jpg", "image/jpeg");
            var id = cached["id"]!.GetValue<string>();
            var thumbnail = $"/assets/{id}?width=50";
            var rendered = await (await client.GetAsync(thumbnail)).Content.ReadAsByteArrayAsync();
            app.WaitForBackgroundRenders();

            Signal(pid, SigStop);
            try
            {
                var (derivative, derivativeTook) = await TimedAsync(() => client.GetAsync(thumbnail));
                Assert.That(derivative.StatusCode, Is.EqualTo(HttpStatusCode.OK));
                Assert.That(await derivative.Content.ReadAsByteArrayAsync(), Is.EqualTo(rendered), "the derivative rendered before the pause");
                Assert.That(derivativeTook, Is.LessThan(CachedPathBound), "a cached derivative never waits on the store");
                var (list, listTook) = await TimedAsync(() => client.GetAsync("/files"));
                Assert.That(list.StatusCode, Is.EqualTo(HttpStatusCode.OK));
                Assert.That(listTook, Is.LessThan(CachedPathBound), "GET /files never waits on the store");

                var (first, firstTook) = await TimedAsync(() => app.UploadAsync(TestImages.Jpeg(64, 64), "during.jpg", "image/jpeg"));
                await AssertUnavailableAsync(first);
                Assert.That(firstTook, Is.LessThan(FirstUploadBound), "an upload into a hung store gives up after its idle timeout");
                var (next, nextTook) = await TimedAsync(() => app.UploadAsync(TestImages.Jpeg(64, 64), "during-2.jpg", "image/jpeg"));
                await AssertUnavailableAsync(next);
                Assert.That(nextTook, Is.LessThan(NextUploadBound), "the store is known to be down: no second wait");
                TestContext.Out.WriteLine($"while paused: derivative {derivativeTook.TotalMilliseconds:0} ms, /files {listTook.TotalMilliseconds:0} ms, " +
                                          $"first upload 503 in {firstTook.TotalMilliseconds:0} ms, next in {nextTook.TotalMilliseconds:0} ms");
                Assert.That(await app.RowCountAsync(), Is.EqualTo(1), "no row for a refused upload");
            }
            finally
            {
                Signal(pid, SigCont);
            }

            var resumed = Stopwatch.StartNew();
            JsonObject? after = null;
            while (after is null && resumed.Elapsed < HealBound)
            {
                using var response = await app.UploadAsync(TestImages.Jpeg(80, 60), "after.jpg", "image/jpeg");
                if (response.StatusCode == HttpStatusCode.OK) after = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["data"]!.AsObject();
                else await Task.Delay(250);
            }
            Assert.That(after, Is.Not.Null, $"an upload succeeded within {HealBound.TotalSeconds} s of SIGCONT");
            TestContext.Out.WriteLine($"uploads work again {resumed.ElapsedMilliseconds} ms after SIGCONT");
            using (var fresh = await client.GetAsync($"/assets/{after!["id"]!.GetValue<string>()}?width=40"))
                Assert.That(fresh.StatusCode, Is.EqualTo(HttpStatusCode.OK), "renders read the store again");

            // Nothing left behind: the refused uploads' objects (if the store wrote them late) and intents go once it answers.
            var bucket = app.Service<S3Bucket>();
            var intents = app.Service<StorageIntents>();
            var rows = new[] { cached, after }.Select(f => bucket.OriginalKey(f["filename_disk"]!.GetValue<string>())).ToHashSet();
            var clean = Stopwatch.StartNew();
            List<string> objects, inFlight;
            do
            {
                await Task.Delay(500);
                objects = [];
                await foreach (var entry in bucket.ListAsync(bucket.OriginalsFolder)) objects.Add(entry.Key);
                inFlight = (await intents.AllAsync(CancellationToken.None)).Select(i => i.Key).ToList();
            } while ((inFlight.Count > 0 || !objects.ToHashSet().SetEquals(rows)) && clean.Elapsed < TimeSpan.FromSeconds(30));
            Assert.That(objects, Is.EquivalentTo(rows), "every object has its row and every row its object");
            Assert.That(inFlight, Is.Empty, "no intent is left");
        }
        finally
        {
            Signal(pid, SigCont);
            Engines.StopEngine("s3rver.sh", folder);
            try
            {
                Directory.Delete(folder, recursive: true);
            }
            catch (IOException)
            {
                // s3rver still closing a file: the temp folder is the OS's to clean.
            }
        }
    }

    private static async Task AssertUnavailableAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable), body);
        Assert.That(JsonNode.Parse(body)!["errors"]![0]!["extensions"]!["code"]!.GetValue<string>(), Is.EqualTo("SERVICE_UNAVAILABLE"));
        Assert.That(response.Headers.RetryAfter?.Delta, Is.GreaterThan(TimeSpan.Zero), "Retry-After");
    }

    private static async Task<(HttpResponseMessage Response, TimeSpan Took)> TimedAsync(Func<Task<HttpResponseMessage>> send)
    {
        var watch = Stopwatch.StartNew();
        var response = await send();
        return (response, watch.Elapsed);
    }

    private const int SigStop = 19;
    private const int SigCont = 18;

    private static void Signal(int pid, int signal)
    {
        if (kill(pid, signal) != 0) TestContext.Out.WriteLine($"kill({pid}, {signal}) failed: {Marshal.GetLastPInvokeError()}");
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int sig);
}
