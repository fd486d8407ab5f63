using AssetServer.Errors;

namespace AssetServer.Assets;

/// <summary>
/// At most <see cref="Concurrency"/> renders at once and at most <see cref="QueueLength"/> waiting behind them;
/// past that a request is refused at once with 503 + <c>Retry-After</c> instead of piling up memory and latency.
/// One more slot, the cheap lane, takes only renders whose cost is at most <see cref="CheapCost"/> pixels (a
/// thumbnail), so however many heavy renders hold the other slots, a small thumbnail still renders in time.
/// Renders that are not cheap also share a pixel budget (<see cref="Budget"/>): together they may not cost more, so
/// memory stays bounded by what the renders touch, not by how many there are; one that alone costs more than the
/// whole budget runs only when no other budgeted render does.
/// A wait for a slot is bounded by <see cref="MaxWait"/>: past it, a quick 503 rather than a long hang.
/// </summary>
public sealed class RenderQueue(int concurrency, int queueLength, int retryAfterSeconds, TimeSpan? maxWait = null, long cheapCost = 4_000_000,
    long budget = long.MaxValue)
{
    private readonly SemaphoreSlim slots = new(concurrency, concurrency);
    private readonly SemaphoreSlim cheapLane = new(1, 1);
    private readonly Lock budgetGate = new();
    private TaskCompletionSource budgetFreed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long spent;
    private int admitted;

    public int Concurrency => concurrency;
    public int QueueLength => queueLength;
    public long CheapCost => cheapCost;
    public long Budget => budget;

    /// <summary>Pixels of the budget taken by the renders running now.</summary>
    public long Spent
    {
        get { lock (budgetGate) return spent; }
    }
    public TimeSpan MaxWait { get; } = maxWait ?? Timeout.InfiniteTimeSpan;

    /// <summary>Renders running or waiting right now.</summary>
    public int Admitted => Volatile.Read(ref admitted);

    private int waiting;

    /// <summary>Renders admitted but still waiting for a slot or for budget (the metrics' queue length).</summary>
    public int Waiting => Volatile.Read(ref waiting);

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
        Interlocked.Increment(ref waiting);
        try
        {
            var cheap = cost is { } c && c <= cheapCost;
            var charge = cheap ? 0 : cost ?? 0;
            using var bounded = CancellationTokenSource.CreateLinkedTokenSource(ct);
            if (MaxWait != Timeout.InfiniteTimeSpan) bounded.CancelAfter(MaxWait);
            try
            {
                var slot = slots.Wait(0) ? new Slot(this, slots)
                    : cheap ? await EitherAsync(bounded)
                    : new Slot(this, await WaitAsync(slots, bounded.Token));
                try
                {
                    await ChargeAsync(charge, bounded.Token);
                }
                catch
                {
                    // Gives the slot back; the handler below counts this request out.
                    slot.Abandon();
                    throw;
                }
                slot.Charge = charge;
                return slot;
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
        finally
        {
            Interlocked.Decrement(ref waiting);
        }
    }

    /// <summary>Takes <paramref name="cost"/> pixels of the budget, waiting while other renders hold too much of it.</summary>
    private async Task ChargeAsync(long cost, CancellationToken ct)
    {
        if (cost <= 0) return;
        while (true)
        {
            Task freed;
            lock (budgetGate)
            {
                if (spent == 0 || spent + cost <= budget)
                {
                    spent += cost;
                    return;
                }
                freed = budgetFreed.Task;
            }
            await freed.WaitAsync(ct);
        }
    }

    private void Refund(long cost)
    {
        if (cost <= 0) return;
        TaskCompletionSource wake;
        lock (budgetGate)
        {
            spent -= cost;
            wake = budgetFreed;
            budgetFreed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        wake.SetResult();
    }

    /// <summary>The first of a general slot and the cheap lane; a second one acquired meanwhile is given back.</summary>
    private async Task<Slot> EitherAsync(CancellationTokenSource bounded)
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

    private void Leave(SemaphoreSlim semaphore, long charge)
    {
        Refund(charge);
        semaphore.Release();
        Interlocked.Decrement(ref admitted);
    }

    private sealed class Slot(RenderQueue queue, SemaphoreSlim semaphore) : IDisposable
    {
        private int disposed;

        /// <summary>Pixels of the budget this render holds.</summary>
        public long Charge { get; set; }

        public void Dispose()
        {
            if (Interlocked.Exchange(ref disposed, 1) == 0) queue.Leave(semaphore, Charge);
        }

        /// <summary>Frees the slot of a request that never got its budget (no charge to refund, not counted out here).</summary>
        public void Abandon()
        {
            if (Interlocked.Exchange(ref disposed, 1) == 0) semaphore.Release();
        }
    }
}
