using System.Net;
using AssetServer.Tests.Support;
using NetVips;

namespace AssetServer.Tests.Concurrency;

/// <summary>
/// Issue 8: with a derivative cache of a few KB, almost every render evicts others, so a derivative can vanish
/// between being found and being opened. Four clients asking for many distinct sizes at once must still get
/// every one: a 200 with an image of the asked size, never a 403 or a 500.
/// </summary>
public class EvictionRaceTests
{
    /// <summary>Room for two or three of the derivatives below, so nearly every render evicts another.</summary>
    private const int CacheMaxBytes = 1600;

    private const int Clients = 4;
    private static readonly int[] Widths = Enumerable.Range(0, 24).Select(i => 16 + 3 * i).ToArray();

    /// <summary>
    /// One pass per quality: every pass asks for keys nobody asked for yet. A derivative already served comes from
    /// the memory cache without touching the disk, so only fresh keys reach the evicted-before-opened window.
    /// </summary>
    private static readonly int[] Qualities = [60, 70, 80];
    private static readonly (int Width, int Height)[] Sources = [(400, 300), (300, 400), (480, 240)];

    private AssetServerApp app = null!;

    [OneTimeSetUp]
    public void Start()
    {
        app = new AssetServerApp(
            ("Assets:CacheMaxBytes", CacheMaxBytes.ToString()),
            // Two renders at a time with a long timeout: a 503 for a busy machine is not what this test is about.
            ("Assets:MaxConcurrentTransforms", "2"),
            ("Assets:TransformTimeout", "30s"),
            ("RateLimits:TransformsPerMinute", "0"),
            ("RateLimits:UploadsPerMinute", "0"));
        app.UseKestrel(0);
        app.StartServer();
    }

    [OneTimeTearDown]
    public void Stop() => app.Dispose();

    [Test]
    public async Task DerivativesEvictedByOtherRendersAreStillServed_Issue8()
    {
        var files = new List<(string Id, int Width, int Height)>();
        foreach (var (width, height) in Sources)
        {
            var upload = await app.UploadOkAsync(TestImages.Jpeg(width, height), $"evict-{width}x{height}.jpg", "image/jpeg");
            files.Add((upload["id"]!.GetValue<string>(), width, height));
        }
        var log = new RaceLog();
        var largest = 0;

        async Task AskAsync(int clientNumber)
        {
            using var client = app.AnonymousClient();
            client.Timeout = TimeSpan.FromSeconds(30);
            // Each client its own order, so they collide on some keys and race past each other on the rest.
            var random = new Random(clientNumber);
            foreach (var quality in Qualities)
            {
                var requests = files.SelectMany(f => Widths.Select(w => (File: f, Width: w))).OrderBy(_ => random.Next()).ToArray();
                foreach (var (file, width) in requests)
                {
                    var seq = log.StartGet();
                    var what = $"GET #{seq} ?width={width}&quality={quality} of the {file.Width}×{file.Height} source (quality {quality}, client {clientNumber})";
                    HttpStatusCode status;
                    byte[] body;
                    try
                    {
                        using var response = await client.GetAsync($"/assets/{file.Id}?width={width}&quality={quality}");
                        status = response.StatusCode;
                        body = await response.Content.ReadAsByteArrayAsync();
                    }
                    catch (Exception e) when (e is HttpRequestException or IOException or TaskCanceledException)
                    {
                        log.Count("failed transfer");
                        log.Violation($"{what}: the transfer failed ({e.GetType().Name}: {e.Message})");
                        continue;
                    }
                    log.Count($"{(int)status}");
                    if (status != HttpStatusCode.OK)
                    {
                        log.Violation($"{what}: status {(int)status} {System.Text.Encoding.UTF8.GetString(body.AsSpan(0, Math.Min(body.Length, 300)))}");
                        continue;
                    }
                    InterlockedMax(ref largest, body.Length);
                    var expectedHeight = (double)width * file.Height / file.Width;
                    var seen = Decode(body);
                    if (seen is not var (w, h) || w != width || Math.Abs(h - expectedHeight) > 1)
                        log.Violation($"{what}: 200 with {(seen is { } s ? $"a {s.Width}×{s.Height} image" : $"{body.Length} bytes libvips cannot decode")}, " +
                            $"expected {width}×{expectedHeight:F0}");
                }
            }
        }

        await Task.WhenAll(Enumerable.Range(0, Clients).Select(c => Task.Run(() => AskAsync(c))));

        Assert.That(largest, Is.LessThan(CacheMaxBytes),
            "Each derivative must fit the cache, or this tests a cache too small for one file rather than the race");
        TestContext.Out.WriteLine($"largest derivative: {largest} bytes; cache cap: {CacheMaxBytes} bytes");
        log.AssertNoViolations("Every derivative asked for under a tiny cache must be a 200 with an image of the asked size");
    }

    private static (int Width, int Height)? Decode(byte[] body)
    {
        try
        {
            using var image = Image.NewFromBuffer(body, failOn: Enums.FailOn.Truncated);
            // Decode every pixel, not just the header, so a truncated body fails here.
            image.Avg();
            return (image.Width, image.Height);
        }
        catch (VipsException)
        {
            return null;
        }
    }

    private static void InterlockedMax(ref int target, int value)
    {
        var current = Volatile.Read(ref target);
        while (value > current)
        {
            var seen = Interlocked.CompareExchange(ref target, value, current);
            if (seen == current) return;
            current = seen;
        }
    }
}
