namespace AssetServer.Assets;

/// <summary>
/// Requests in flight and when the last one started or ended: what background work (placeholders, eager derivatives)
/// and the idle memory trim ask before they take the CPU. On two cores a 12 MP decode started in the gap between two
/// uploads doubled the next upload's time (issue 17), so background work waits for a lull; it never waits longer than
/// <see cref="MaxDefer"/>, so a server that is never idle still gets its placeholders.
/// </summary>
/// <remarks>
/// Runs on the real clock whatever <see cref="TimeProvider"/> the app's dates come from (tests fix those), so its
/// own tests pass it one.
/// </remarks>
public sealed class RequestActivity(TimeProvider time)
{
    public RequestActivity() : this(TimeProvider.System)
    {
    }

    /// <summary>No request in flight, and none started or ended for this long: a burst is over.</summary>
    public static readonly TimeSpan Lull = TimeSpan.FromMilliseconds(50);

    /// <summary>The longest background work waits for a lull after it was queued.</summary>
    public static readonly TimeSpan MaxDefer = TimeSpan.FromSeconds(2);

    private int active;
    private long lastEdge = time.GetTimestamp();

    /// <summary>Middleware: counts the request while it runs, and notes when it started and ended.</summary>
    public async Task TrackAsync(HttpContext context, RequestDelegate next)
    {
        Interlocked.Increment(ref active);
        Volatile.Write(ref lastEdge, time.GetTimestamp());
        try
        {
            await next(context);
        }
        finally
        {
            Interlocked.Decrement(ref active);
            Volatile.Write(ref lastEdge, time.GetTimestamp());
        }
    }

    /// <summary>Now, on this class's clock: what <see cref="WaitForLullAsync"/> takes as the time work was queued.</summary>
    public long Timestamp() => time.GetTimestamp();

    /// <summary>Whether no request has run for <paramref name="span"/>.</summary>
    public bool IdleFor(TimeSpan span) => Volatile.Read(ref active) == 0 && time.GetElapsedTime(Volatile.Read(ref lastEdge)) >= span;

    /// <summary>
    /// Returns at the next <see cref="Lull"/>, or once <see cref="MaxDefer"/> has passed since
    /// <paramref name="queuedAt"/> (a <see cref="TimeProvider.GetTimestamp"/> value), whichever comes first.
    /// </summary>
    public async Task WaitForLullAsync(long queuedAt, CancellationToken ct)
    {
        while (!IdleFor(Lull))
        {
            var deferred = time.GetElapsedTime(queuedAt);
            if (deferred >= MaxDefer) return;
            var quietSoFar = Volatile.Read(ref active) == 0 ? time.GetElapsedTime(Volatile.Read(ref lastEdge)) : TimeSpan.Zero;
            var wait = Min(Lull - quietSoFar, MaxDefer - deferred);
            await Task.Delay(wait < TimeSpan.FromMilliseconds(5) ? TimeSpan.FromMilliseconds(5) : wait, time, ct);
        }
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
}
