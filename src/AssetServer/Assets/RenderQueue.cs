using AssetServer.Errors;

namespace AssetServer.Assets;

/// <summary>
/// At most <see cref="Concurrency"/> renders at once and at most <see cref="QueueLength"/> waiting behind them;
/// past that a request is refused at once with 503 + <c>Retry-After</c> instead of piling up memory and latency.
/// </summary>
public sealed class RenderQueue(int concurrency, int queueLength, int retryAfterSeconds)
{
    private readonly SemaphoreSlim slots = new(concurrency, concurrency);
    private int admitted;

    public int Concurrency => concurrency;
    public int QueueLength => queueLength;

    /// <summary>Renders running or waiting right now.</summary>
    public int Admitted => Volatile.Read(ref admitted);

    /// <summary>Waits for a render slot; dispose the result to free it.</summary>
    public async Task<IDisposable> EnterAsync(CancellationToken ct = default)
    {
        if (Interlocked.Increment(ref admitted) > concurrency + queueLength)
        {
            Interlocked.Decrement(ref admitted);
            throw ApiErrors.ServiceUnavailable("assets", "Too many transformations are queued", retryAfterSeconds);
        }
        try
        {
            await slots.WaitAsync(ct);
        }
        catch
        {
            Interlocked.Decrement(ref admitted);
            throw;
        }
        return new Slot(this);
    }

    private void Leave()
    {
        slots.Release();
        Interlocked.Decrement(ref admitted);
    }

    private sealed class Slot(RenderQueue queue) : IDisposable
    {
        private int disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref disposed, 1) == 0) queue.Leave();
        }
    }
}
