using System.Net;
using System.Text.Json.Nodes;
using AssetServer.Tests.Support;

namespace AssetServer.Tests.Concurrency;

/// <summary>
/// Issue 8: three readers GET a file's original and a derivative over real sockets while a writer deletes it.
/// Round after round a new file is uploaded, read, deleted and read again. After the DELETE has answered, every GET
/// that starts is a 403 <c>FORBIDDEN</c>; before or during it, a complete 200 of that file or a 403.
/// </summary>
public class DeleteRaceTests
{
    private const int Rounds = 25;
    private const int Readers = 3;
    private const int MaxGetsPerReader = 10000;

    private AssetServerApp app = null!;

    [OneTimeSetUp]
    public void Start() => app = RaceLog.StartApp();

    [OneTimeTearDown]
    public void Stop() => app.Dispose();

    /// <summary>One file's life: its version (so its bytes are known) and when its DELETE answered, if it has.</summary>
    private sealed class Round(int version, string id)
    {
        public int Version { get; } = version;
        public string Id { get; } = id;
        private double deletedAt = double.NaN;

        /// <summary>Written by the writer, read by the readers: one atomic 64-bit field, NaN until deleted.</summary>
        public double? DeletedAt
        {
            get => Volatile.Read(ref deletedAt) is var at && double.IsNaN(at) ? null : at;
            set => Volatile.Write(ref deletedAt, value ?? double.NaN);
        }
    }

    [Test]
    public async Task DeletedFileIsForbiddenToEveryLaterGet_Issue8()
    {
        var images = new ImageVersions(Rounds, first: 1);
        var log = new RaceLog();
        Round? round = null;
        var afterDelete = new int[2]; // GETs (original, derivative) started after a DELETE answered
        using var stop = new CancellationTokenSource();

        async Task ReadAsync(int reader)
        {
            using var client = app.AnonymousClient();
            client.Timeout = TimeSpan.FromSeconds(30);
            for (var i = 0; i < MaxGetsPerReader && !stop.IsCancellationRequested; i++)
            {
                var file = Volatile.Read(ref round);
                if (file is null)
                {
                    await Task.Delay(1);
                    continue;
                }
                // Read "deleted" before the GET starts: the rule is about GETs that start after the DELETE answered.
                var deletedAt = file.DeletedAt;
                var derivative = (i + reader) % 2 == 1;
                var kind = derivative ? "derivative" : "original";
                var url = derivative ? $"/assets/{file.Id}?width={ImageVersions.DerivativeWidth}" : $"/assets/{file.Id}";
                var seq = log.StartGet();
                var startedAt = log.Now;
                if (deletedAt is not null) Interlocked.Increment(ref afterDelete[derivative ? 1 : 0]);
                var what = $"GET #{seq} {kind} of v{file.Version} (reader {reader}) started at {startedAt:F1} ms, " +
                    (deletedAt is { } at ? $"{startedAt - at:F1} ms after its DELETE answered" : "before its DELETE answered");

                HttpStatusCode status;
                byte[] body;
                try
                {
                    using var response = await client.GetAsync(url, CancellationToken.None);
                    status = response.StatusCode;
                    body = await response.Content.ReadAsByteArrayAsync(CancellationToken.None);
                }
                catch (Exception e) when (e is HttpRequestException or IOException or TaskCanceledException)
                {
                    log.Count($"{kind} failed transfer");
                    log.Violation($"{what}: the transfer failed ({e.GetType().Name}: {e.Message})");
                    continue;
                }
                var phase = deletedAt is null ? "before" : "after";
                log.Count($"{kind} {phase} delete {(int)status}");
                if (status == HttpStatusCode.Forbidden)
                {
                    var code = Code(body);
                    if (code != "FORBIDDEN") log.Violation($"{what}: 403 with code {code ?? "(none)"}, expected FORBIDDEN");
                    continue;
                }
                if (deletedAt is not null)
                {
                    log.Violation($"{what}: status {(int)status} {RaceLog.Describe(body)}, expected 403 FORBIDDEN");
                    continue;
                }
                if (status != HttpStatusCode.OK)
                {
                    log.Violation($"{what}: status {(int)status} {RaceLog.Describe(body)}, expected 200 or 403");
                    continue;
                }
                var (version, seen) = derivative
                    ? images.IdentifyDerivative(body)
                    : (images.IdentifyOriginal(body), $"{body.Length} bytes");
                if (version != file.Version)
                    log.Violation($"{what}: 200 with {(version is { } v ? $"v{v}" : "no version")} ({seen}), expected v{file.Version}");
            }
        }

        async Task WriteAsync()
        {
            try
            {
                using var admin = app.AdminClient();
                for (var n = images.First; n <= images.Last && log.ReadersRunning; n++)
                {
                    var id = (await app.UploadOkAsync(images.Bytes(n), $"gone-{n}.png", "image/png"))["id"]!.GetValue<string>();
                    var file = new Round(n, id);
                    Volatile.Write(ref round, file);
                    // Warm both kinds (row, memory and disk caches) before the delete.
                    await log.LetReadersRunAsync(2 * Readers, stop.Token);
                    using var response = await admin.DeleteAsync($"/files/{id}");
                    Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NoContent),
                        $"DELETE of v{n}: {await response.Content.ReadAsStringAsync()}");
                    file.DeletedAt = log.Now;
                    await log.LetReadersRunAsync(2 * Readers, stop.Token);
                }
            }
            finally
            {
                await stop.CancelAsync();
            }
        }

        await log.RaceAsync(Readers, ReadAsync, WriteAsync);

        Assert.That(afterDelete, Has.All.GreaterThanOrEqualTo(Rounds),
            $"Too few GETs followed the deletes to judge the rule (original, derivative): {string.Join(", ", afterDelete)}");
        log.AssertNoViolations(
            "Every GET that starts after a DELETE answered must be a 403 FORBIDDEN; before it, a complete 200 or a 403");
    }

    private static string? Code(byte[] body)
    {
        try
        {
            return JsonNode.Parse(body)?["errors"]?[0]?["extensions"]?["code"]?.GetValue<string>();
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or InvalidOperationException)
        {
            return null;
        }
    }
}
