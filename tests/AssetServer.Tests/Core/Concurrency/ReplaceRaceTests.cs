using System.Net;
using AssetServer.Tests.Support;

namespace AssetServer.Tests.Concurrency;

/// <summary>
/// Issue 8: three readers GET a file's original and a derivative over real sockets while a writer replaces it
/// round after round. A GET that starts after a replace has answered must see that version or a later one.
/// </summary>
public class ReplaceRaceTests
{
    /// <summary>The issue's bar is 50 rounds; more while time allows, since each round is one more chance to catch it.</summary>
    private const int MinRounds = 50;
    private const int MaxRounds = 120;
    private static readonly TimeSpan MoreRoundsWhile = TimeSpan.FromSeconds(10);
    private const int Readers = 3;
    private const int MaxGetsPerReader = 10000;

    private AssetServerApp app = null!;

    [OneTimeSetUp]
    public void Start() => app = RaceLog.StartApp();

    [OneTimeTearDown]
    public void Stop() => app.Dispose();

    [Test]
    public async Task ReplacedFileNeverServesOldBytes_Issue8()
    {
        var images = new ImageVersions(MaxRounds + 1);
        var id = (await app.UploadOkAsync(images.Bytes(0), "race.png", "image/png"))["id"]!.GetValue<string>();
        var log = new RaceLog();
        var acknowledged = new double[MaxRounds + 1];
        var rounds = 0;
        var current = 0; // the newest version whose PATCH answered 200
        var sending = 0; // the newest version whose PATCH was sent
        var afterAck = new int[2]; // GETs (original, derivative) started after at least one acknowledged replace
        using var stop = new CancellationTokenSource();

        async Task ReadAsync(int reader)
        {
            using var client = app.AnonymousClient();
            client.Timeout = TimeSpan.FromSeconds(30);
            for (var i = 0; i < MaxGetsPerReader && !stop.IsCancellationRequested; i++)
            {
                var derivative = (i + reader) % 2 == 1;
                var kind = derivative ? "derivative" : "original";
                var url = derivative ? $"/assets/{id}?width={ImageVersions.DerivativeWidth}" : $"/assets/{id}";
                // Read the acknowledged version before the GET starts: the rule is about GETs that start after it.
                var atLeast = Volatile.Read(ref current);
                var inFlight = Volatile.Read(ref sending) > atLeast;
                var seq = log.StartGet();
                var startedAt = log.Now;
                if (atLeast > 0) Interlocked.Increment(ref afterAck[derivative ? 1 : 0]);
                var what = $"GET #{seq} {kind} (reader {reader}) started at {startedAt:F1} ms";
                var after = atLeast > 0
                    ? $"{startedAt - acknowledged[atLeast]:F1} ms after the PATCH for v{atLeast} answered 200"
                    : "before any replace answered";
                if (inFlight) after += $" (the PATCH for v{atLeast + 1} in flight)";

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
                    log.Violation($"{what}, {after}: the transfer failed ({e.GetType().Name}: {e.Message})");
                    continue;
                }
                var atMost = Volatile.Read(ref sending);
                if (status != HttpStatusCode.OK)
                {
                    log.Count($"{kind} {(int)status}");
                    log.Violation($"{what}, {after}: status {(int)status} {RaceLog.Describe(body)}");
                    continue;
                }
                var (version, seen) = derivative
                    ? images.IdentifyDerivative(body)
                    : (images.IdentifyOriginal(body), $"{body.Length} bytes");
                if (version is not { } served)
                {
                    log.Count($"{kind} unknown body");
                    log.Violation($"{what}, {after}: 200 with a body that is no version ({seen})");
                    continue;
                }
                log.Count(served < atLeast ? $"{kind} stale" : $"{kind} ok");
                if (served < atLeast)
                    log.Violation($"{what}, {after}: served v{served} ({seen}), expected v{atLeast} or later");
                else if (served > atMost)
                    log.Violation($"{what}, {after}: served v{served}, which was never sent (newest sent: v{atMost})");
            }
        }

        async Task WriteAsync()
        {
            try
            {
                using var admin = app.AdminClient();
                for (var n = 1; n <= MaxRounds && log.ReadersRunning && (n <= MinRounds || log.Now < MoreRoundsWhile.TotalMilliseconds); n++)
                {
                    Volatile.Write(ref sending, n);
                    using var form = new MultipartFormDataContent();
                    var file = new ByteArrayContent(images.Bytes(n));
                    file.Headers.ContentType = new("image/png");
                    form.Add(file, "file", "race.png");
                    using var response = await admin.PatchAsync($"/files/{id}", form);
                    var answer = await response.Content.ReadAsStringAsync();
                    Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), $"PATCH for v{n}: {answer}");
                    acknowledged[n] = log.Now;
                    Volatile.Write(ref current, n);
                    rounds = n;
                    // Each kind of GET gets a turn after every acknowledgement, not only during the next PATCH.
                    await log.LetReadersRunAsync(2 * Readers, stop.Token);
                }
            }
            finally
            {
                await stop.CancelAsync();
            }
        }

        await log.RaceAsync(Readers, ReadAsync, WriteAsync);

        TestContext.Out.WriteLine($"{rounds} replaces");
        Assert.That(rounds, Is.GreaterThanOrEqualTo(MinRounds), "The readers stopped before the writer had replaced the file often enough");
        Assert.That(afterAck, Has.All.GreaterThanOrEqualTo(rounds),
            $"Too few GETs raced the replaces to judge the rule (original, derivative): {string.Join(", ", afterAck)}");
        log.AssertNoViolations(
            "Every GET that starts after a replace answered must get that version or a later one, as a complete 200");
    }
}
