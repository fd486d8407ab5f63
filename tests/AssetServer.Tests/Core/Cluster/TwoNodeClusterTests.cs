using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using AssetServer.Tests.Support;

namespace AssetServer.Tests.Cluster;

/// <summary>
/// Issue 13: two nodes on PostgreSQL and S3 behind nginx behave as one server. Each test asks node A and node B
/// directly where it matters which node answers, and the balancer where it must not.
/// </summary>
[Category("Cluster")]
[NonParallelizable]
public class TwoNodeClusterTests
{
    private ClusterNodes nodes = null!;

    [OneTimeSetUp]
    public async Task Start() => nodes = await ClusterNodes.StartAsync();

    [OneTimeTearDown]
    public async Task Stop() => await nodes.DisposeAsync();

    [Test, Order(1)]
    public async Task UploadOnAIsReadOnBAndThroughTheBalancer()
    {
        using var a = ClusterNodes.Admin(nodes.A.BaseAddress);
        using var b = ClusterNodes.Admin(nodes.B.BaseAddress);
        using var balanced = ClusterNodes.Admin(nodes.Balancer.BaseAddress);
        var bytes = TestImages.Png(320, 200);
        var id = (await ClusterNodes.UploadAsync(a, bytes, "from-a.png"))["id"]!.GetValue<string>();

        var record = JsonNode.Parse(await b.GetStringAsync($"/files/{id}"))!["data"]!;
        Assert.That(record["filename_download"]!.GetValue<string>(), Is.EqualTo("from-a.png"));
        Assert.That(record["width"]!.GetValue<int>(), Is.EqualTo(320));
        Assert.That(await b.GetByteArrayAsync($"/assets/{id}"), Is.EqualTo(bytes));
        for (var i = 0; i < 6; i++)
            Assert.That(await balanced.GetByteArrayAsync($"/assets/{id}"), Is.EqualTo(bytes), $"request {i} through nginx");

        // A byte range of the original, from the node that did not store it.
        using var ranged = new HttpRequestMessage(HttpMethod.Get, $"/assets/{id}");
        ranged.Headers.Range = new RangeHeaderValue(10, 109);
        using var partial = await b.SendAsync(ranged);
        Assert.That(partial.StatusCode, Is.EqualTo(HttpStatusCode.PartialContent));
        Assert.That(await partial.Content.ReadAsByteArrayAsync(), Is.EqualTo(bytes[10..110]));
    }

    [Test, Order(2)]
    public async Task ReplaceOnBIsNeverStaleOnA()
    {
        using var a = ClusterNodes.Admin(nodes.A.BaseAddress);
        using var b = ClusterNodes.Admin(nodes.B.BaseAddress);
        var versions = new[] { TestImages.Png(300, 200), TestImages.Png(200, 300), TestImages.Png(240, 240) };
        var id = (await ClusterNodes.UploadAsync(a, versions[0], "replaced.png"))["id"]!.GetValue<string>();

        for (var round = 1; round <= 6; round++)
        {
            var before = versions[(round - 1) % versions.Length];
            var after = versions[round % versions.Length];
            // A has the current content hot in every cache: the original, a derivative and the row.
            for (var i = 0; i < 3; i++)
            {
                Assert.That(await a.GetByteArrayAsync($"/assets/{id}"), Is.EqualTo(before));
                await a.GetByteArrayAsync($"/assets/{id}?width=100");
                await a.GetStringAsync($"/files/{id}");
            }

            // Readers on A during the replace see the old bytes or the new ones, never anything else.
            using var stop = new CancellationTokenSource();
            var readers = Enumerable.Range(0, 3).Select(_ => Task.Run(async () =>
            {
                var seen = 0;
                while (!stop.IsCancellationRequested)
                {
                    using var response = await a.GetAsync($"/assets/{id}");
                    Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
                    var got = await response.Content.ReadAsByteArrayAsync();
                    Assert.That(got.SequenceEqual(before) || got.SequenceEqual(after), Is.True, "a mixed or foreign original");
                    seen++;
                }
                return seen;
            })).ToArray();

            using (var form = new MultipartFormDataContent())
            {
                var file = new ByteArrayContent(after);
                file.Headers.ContentType = MediaTypeHeaderValue.Parse("image/png");
                form.Add(file, "file", "replaced.png");
                using var replaced = await b.PatchAsync($"/files/{id}", form);
                Assert.That(replaced.StatusCode, Is.EqualTo(HttpStatusCode.OK), await replaced.Content.ReadAsStringAsync());
            }

            // Acknowledged on B: the very next requests on A see it, in every cache.
            Assert.That(await a.GetByteArrayAsync($"/assets/{id}"), Is.EqualTo(after), $"round {round}: original");
            var (width, height) = TestImages.SizeOf(after);
            var thumbnail = TestImages.SizeOf(await a.GetByteArrayAsync($"/assets/{id}?width=100"));
            Assert.That(thumbnail, Is.EqualTo((100, (int)Math.Round(100.0 * height / width))), $"round {round}: derivative");
            var row = JsonNode.Parse(await a.GetStringAsync($"/files/{id}"))!["data"]!;
            Assert.That(row["width"]!.GetValue<int>(), Is.EqualTo(width), $"round {round}: row");

            await stop.CancelAsync();
            Assert.That((await Task.WhenAll(readers)).Sum(), Is.GreaterThan(0));
        }
    }

    [Test, Order(3)]
    public async Task SixteenConcurrentMissesOverBothNodesRenderOnce()
    {
        using var a = ClusterNodes.Admin(nodes.A.BaseAddress);
        var id = (await ClusterNodes.UploadAsync(a, TestImages.Jpeg(1600, 1200), "storm.jpg", "image/jpeg"))["id"]!.GetValue<string>();
        await ClusterNodes.BackgroundRendersDoneAsync(nodes.A.BaseAddress); // its Strapi formats are not what this counts
        var before = await ClusterNodes.RendersAsync(nodes.A.BaseAddress) + await ClusterNodes.RendersAsync(nodes.B.BaseAddress);

        using var start = new SemaphoreSlim(0);
        var requests = Enumerable.Range(0, 16).Select(i => Task.Run(async () =>
        {
            using var client = ClusterNodes.Admin(i % 2 == 0 ? nodes.A.BaseAddress : nodes.B.BaseAddress);
            await start.WaitAsync();
            using var response = await client.GetAsync($"/assets/{id}?width=640&height=480&fit=cover&format=webp&quality=71");
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
            return Convert.ToHexString(SHA256.HashData(await response.Content.ReadAsByteArrayAsync()));
        })).ToArray();
        start.Release(16);
        var digests = await Task.WhenAll(requests);

        var after = await ClusterNodes.RendersAsync(nodes.A.BaseAddress) + await ClusterNodes.RendersAsync(nodes.B.BaseAddress);
        Assert.That(after - before, Is.EqualTo(1), "renders summed over both nodes");
        Assert.That(digests.Distinct().Count(), Is.EqualTo(1), "every request got the same bytes");
    }

    [Test, Order(4)]
    public async Task TokenRevokedOnAIsRefusedOnBWithinTwoSeconds()
    {
        using var a = ClusterNodes.Admin(nodes.A.BaseAddress);
        using var created = await a.PostAsync("/tokens",
            new StringContent("""{"name":"cluster reader","access":"read"}""", Encoding.UTF8, "application/json"));
        var token = JsonNode.Parse(await created.Content.ReadAsStringAsync())!["data"]!;
        using var reader = new HttpClient { BaseAddress = nodes.B.BaseAddress };
        reader.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token["token"]!.GetValue<string>());
        using (var allowed = await reader.GetAsync("/files?limit=1"))
            Assert.That(allowed.StatusCode, Is.EqualTo(HttpStatusCode.OK), "the token works on B before it is revoked");

        using var revoked = await a.DeleteAsync($"/tokens/{token["id"]!.GetValue<string>()}");
        Assert.That(revoked.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
        var clock = Stopwatch.StartNew();
        HttpStatusCode status;
        do
        {
            using var response = await reader.GetAsync("/files?limit=1");
            status = response.StatusCode;
            if (status == HttpStatusCode.OK) await Task.Delay(50);
        } while (status == HttpStatusCode.OK && clock.Elapsed < TimeSpan.FromSeconds(5));
        Assert.That(status, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(2)), "refused on B within 2 s of the revocation on A");
    }

    /// <summary>
    /// kill -9 of A while a 40 MB body is arriving, then again just after the body has arrived (while A stores it):
    /// nothing acknowledged is lost, and after A restarts every row has its object and every object its row.
    /// </summary>
    [Test, Order(5)]
    public async Task KillDuringA40MbUploadLosesNothingAcknowledged()
    {
        const int Size = 40 * 1024 * 1024;
        var acknowledged = new Dictionary<string, byte[]>();
        foreach (var killAt in new[] { Size / 2, Size })
        {
            using (var a = ClusterNodes.Admin(nodes.A.BaseAddress))
                for (var i = 0; i < 3; i++)
                {
                    var bytes = TestImages.Png(64 + i, 48);
                    acknowledged[(await ClusterNodes.UploadAsync(a, bytes, $"kept-{killAt}-{i}.png"))["id"]!.GetValue<string>()] = bytes;
                }

            var sent = new TaskCompletionSource();
            var upload = Task.Run(async () =>
            {
                using var a = ClusterNodes.Admin(nodes.A.BaseAddress);
                using var form = new MultipartFormDataContent();
                var body = new GeneratedContent(Size, killAt, sent);
                body.Headers.ContentType = MediaTypeHeaderValue.Parse("application/octet-stream");
                form.Add(body, "file", "big.bin");
                try
                {
                    using var response = await a.PostAsync("/files", form);
                    return response.StatusCode;
                }
                catch (Exception e) when (e is HttpRequestException or IOException or TaskCanceledException)
                {
                    return (HttpStatusCode)0;
                }
            });
            await sent.Task.WaitAsync(TimeSpan.FromSeconds(60));
            if (killAt == Size) await Task.Delay(150);
            await nodes.RestartAAsync();
            // Cut off (no answer), or stored just before the kill: either way the checks below must hold.
            await upload.WaitAsync(TimeSpan.FromSeconds(60));
        }

        using var b = ClusterNodes.Admin(nodes.B.BaseAddress);
        using var restarted = ClusterNodes.Admin(nodes.A.BaseAddress);
        foreach (var (id, bytes) in acknowledged)
        {
            Assert.That(await restarted.GetByteArrayAsync($"/assets/{id}"), Is.EqualTo(bytes), $"{id} on the restarted A");
            Assert.That(await b.GetByteArrayAsync($"/assets/{id}"), Is.EqualTo(bytes), $"{id} on B");
        }

        var rows = JsonNode.Parse(await b.GetStringAsync("/files?limit=-1&fields=id,filename_disk,filesize"))!["data"]!.AsArray()
            .ToDictionary(r => r!["filename_disk"]!.GetValue<string>(), r => r!["filesize"]!.GetValue<long>());
        // Replaced originals kept for revert (Files:KeepVersions) are rows too, in file_versions.
        List<string> kept;
        await using (var db = new Npgsql.NpgsqlConnection(nodes.ConnectionString))
            kept = (await Dapper.SqlMapper.QueryAsync<string>(db, "SELECT filename_disk FROM file_versions")).ToList();
        var objects = await nodes.StoredOriginalsAsync();
        Assert.That(objects.Keys, Is.EquivalentTo(rows.Keys.Concat(kept)), "every row has its object and every object its row");
        foreach (var (name, size) in rows) Assert.That(objects[name], Is.EqualTo(size), name);
    }

    /// <summary>A body of <paramref name="size"/> generated bytes that says when <paramref name="signalAt"/> bytes have gone.</summary>
    private sealed class GeneratedContent(int size, int signalAt, TaskCompletionSource sent) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context)
        {
            var chunk = new byte[256 * 1024];
            Random.Shared.NextBytes(chunk);
            for (var written = 0; written < size; written += chunk.Length)
            {
                await stream.WriteAsync(chunk.AsMemory(0, Math.Min(chunk.Length, size - written)));
                if (written + chunk.Length >= signalAt) sent.TrySetResult();
                if (written + chunk.Length >= signalAt && signalAt < size) await Task.Delay(TimeSpan.FromSeconds(30));
            }
            await stream.FlushAsync();
        }

        protected override bool TryComputeLength(out long length)
        {
            length = size;
            return true;
        }
    }
}
