using AssetServer.Errors;

namespace AssetServer.Assets;

/// <summary>
/// At most <see cref="Concurrency"/> renders at once and at most <see cref="QueueLength"/> waiting behind them;
/// past that a request is refused at once with 503 + <c>Retry-After</c> instead of piling up memory and latency.
/// One more slot, the cheap lane, takes only renders whose cost is at most <see cref="CheapCost"/> pixels (a
/// thumbnail), so however many heavy renders hold the other slots, a small thumbnail still renders in time.
/// A wait for a slot is bounded by <see cref="MaxWait"/>: past it, a quick 503 rather than a long hang.
/// </summary>
public sealed class RenderQueue(int concurrency, int queueLength, int retryAfterSeconds, TimeSpan? maxWait = null, long cheapCost = 4_000_000)
{
    private readonly SemaphoreSlim slots = new(concurrency, concurrency);
    private readonly SemaphoreSlim cheapLane = new(1, 1);
    private int admitted;

    public int Concurrency => concurrency;
    public int QueueLength => queueLength;
    public long CheapCost => cheapCost;
    public TimeSpan MaxWait { get; } = maxWait ?? Timeout.InfiniteTimeSpan;

    /// <summary>Renders running or waiting right now.</summary>
    public int Admitted => Volatile.Read(ref admitted);

    /// <summary>
    /// Waits for a render slot; dispose the result to free it. <paramref name="cost"/> is the render's estimate in
    /// pixels (null when unknown, which never counts as cheap). <paramref name="ct"/> ends the wait with
    /// <see cref="OperationCanceledException"/>; the queue's own bound ends it with a 503.
    /// </summary>
    public async Task<IDisposable> EnterAsync(long? cost = null, CancellationToken ct = default)
    {
        if (Interlocked.Increment(ref admitted) > concurrency + queueLength)
        {
            Interlocked.Decrement(ref admitted);
            throw Busy("Too many transformations are queued");
        }
        try
        {
            if (slots.Wait(0)) return new Slot(this, slots);
            using var bounded = CancellationTokenSource.CreateLinkedTokenSource(ct);
            if (MaxWait != Timeout.InfiniteTimeSpan) bounded.CancelAfter(MaxWait);
            try
            {
                return cost is { } c && c <= cheapCost
                    ? await EitherAsync(bounded)
                    : new Slot(this, await WaitAsync(slots, bounded.Token));
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                throw Busy("No transformation slot came free in time");
            }
        }
        catch
        {
            Interlocked.Decrement(ref admitted);
            throw;
        }
    }

    /// <summary>The first of a general slot and the cheap lane; a second one acquired meanwhile is given back.</summary>
    private async Task<IDisposable> EitherAsync(CancellationTokenSource bounded)
    {
        using var loser = CancellationTokenSource.CreateLinkedTokenSource(bounded.Token);
        var general = slots.WaitAsync(loser.Token);
        var cheap = cheapLane.WaitAsync(loser.Token);
        var first = await Task.WhenAny(general, cheap);
        loser.Cancel();
        await Task.WhenAll(general.ContinueWith(_ => { }, TaskScheduler.Default), cheap.ContinueWith(_ => { }, TaskScheduler.Default));
        var won = first.IsCompletedSuccessfully ? first : general.IsCompletedSuccessfully ? general : cheap.IsCompletedSuccessfully ? cheap : null;
        if (won is null) throw new OperationCanceledException(bounded.Token);
        var other = won == general ? cheap : general;
        if (other.IsCompletedSuccessfully) (other == general ? slots : cheapLane).Release();
        return new Slot(this, won == general ? slots : cheapLane);
    }

    private static async Task<SemaphoreSlim> WaitAsync(SemaphoreSlim semaphore, CancellationToken ct)
    {
        await semaphore.WaitAsync(ct);
        return semaphore;
    }

    private ApiException Busy(string reason) => ApiErrors.ServiceUnavailable("assets", reason, retryAfterSeconds);

    private void Leave(SemaphoreSlim semaphore)
    {
        semaphore.Release();
        Interlocked.Decrement(ref admitted);
    }

    private sealed class Slot(RenderQueue queue, SemaphoreSlim semaphore) : IDisposable
    {
        private int disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref disposed, 1) == 0) queue.Leave(semaphore);
        }
    }
}
