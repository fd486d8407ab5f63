using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json.Nodes;
using AssetServer.Tests.Support;

namespace AssetServer.Tests.Concurrency;

/// <summary>
/// One clock and one list of broken rules for a race: readers number each GET as it starts, the writer notes when
/// each write was acknowledged, and a failure names both times so the report shows which came first.
/// </summary>
internal sealed class RaceLog
{
    private readonly Stopwatch clock = Stopwatch.StartNew();
    private readonly ConcurrentQueue<string> violations = new();
    private readonly ConcurrentDictionary<string, int> tally = new();
    private int started;
    private int readers;

    /// <summary>Milliseconds since the race began.</summary>
    public double Now => clock.Elapsed.TotalMilliseconds;

    /// <summary>GETs started so far.</summary>
    public int Started => Volatile.Read(ref started);

    /// <summary>Numbers a GET as it starts (1, 2, …).</summary>
    public int StartGet() => Interlocked.Increment(ref started);

    /// <summary>Counts an outcome (<c>original v3</c>, <c>derivative 403</c>…) for the summary.</summary>
    public void Count(string outcome) => tally.AddOrUpdate(outcome, 1, (_, n) => n + 1);

    public void Violation(string text)
    {
        violations.Enqueue($"[{Now,8:F1} ms] {text}");
    }

    /// <summary>Readers still reading; a writer stops waiting for reads when none is left.</summary>
    public bool ReadersRunning => Volatile.Read(ref readers) > 0;

    /// <summary>Marks one reader as running until the returned value is disposed.</summary>
    public IDisposable Reader()
    {
        Interlocked.Increment(ref readers);
        return new Stopped(() => Interlocked.Decrement(ref readers));
    }

    private sealed class Stopped(Action stop) : IDisposable
    {
        public void Dispose() => stop();
    }

    /// <summary>
    /// Lets the readers start <paramref name="count"/> more GETs (so each write is followed by reads), bounded so a
    /// stuck reader cannot hang the test.
    /// </summary>
    /// <summary>
    /// Runs <paramref name="readers"/> readers against one writer until the writer returns. The readers are counted as
    /// running before the writer starts, so its first round already waits for their reads.
    /// </summary>
    /// <summary>
    /// The real app on a loopback port, as the race tests need it: rate limits off (the readers ask for far more than
    /// a client's budget per minute, on purpose) and a long render timeout (a 503 from a busy shared machine is not
    /// what they are about).
    /// </summary>
    public static AssetServerApp StartApp()
    {
        var app = new AssetServerApp(("RateLimits:TransformsPerMinute", "0"), ("RateLimits:UploadsPerMinute", "0"),
            ("Assets:TransformTimeout", "30s"));
        app.UseKestrel(0);
        app.StartServer();
        return app;
    }

    public async Task RaceAsync(int readers, Func<int, Task> read, Func<Task> write)
    {
        var tasks = Enumerable.Range(0, readers).Select(r =>
        {
            var running = Reader();
            return Task.Run(async () =>
            {
                using (running) await read(r);
            });
        }).ToArray();
        await write();
        await Task.WhenAll(tasks);
    }

    public async Task LetReadersRunAsync(int count, CancellationToken stop)
    {
        var target = Started + count;
        var deadline = Now + 2000;
        while (Started < target && Now < deadline && ReadersRunning && !stop.IsCancellationRequested)
            await Task.Delay(1, CancellationToken.None);
    }

    /// <summary>An error answer as its JSON text (the code says what went wrong), anything else as its length.</summary>
    public static string Describe(byte[] body)
    {
        try
        {
            return JsonNode.Parse(body)?.ToJsonString() ?? "";
        }
        catch (System.Text.Json.JsonException)
        {
            return $"({body.Length} bytes)";
        }
    }

    /// <summary>How many GETs ended in each outcome, for the failure message.</summary>
    public string Summary() =>
        $"{Started} GETs: " + string.Join(", ", tally.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key} ×{p.Value}"));

    /// <summary>Fails with the count, the summary and the first violations when any rule was broken.</summary>
    public void AssertNoViolations(string rule)
    {
        var all = violations.ToArray();
        TestContext.Out.WriteLine($"{Summary()} in {Now:F0} ms");
        // The count, not the list, is compared, so NUnit does not print every violation a second time.
        Assert.That(all.Length, Is.Zero,
            $"{rule}: broken by {all.Length} GETs.\n{Summary()}\nFirst ones:\n  " + string.Join("\n  ", all.Take(15)));
    }
}
