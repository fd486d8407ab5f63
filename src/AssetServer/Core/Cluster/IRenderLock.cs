namespace AssetServer.Cluster;

/// <summary>
/// Makes a derivative render once across every node that shares the database and the store: a node that misses takes
/// the lock named by the derivative's fingerprint, looks in the shared store again, and renders only if it is still
/// missing. Within one node, <c>AssetStore</c>'s single flight already collapses concurrent misses, so only one
/// request per node ever waits here.
/// </summary>
public interface IRenderLock
{
    /// <summary>Waits until this node holds the lock named by <paramref name="key"/>; dispose the result to release it.</summary>
    ValueTask<IAsyncDisposable> AcquireAsync(string key, CancellationToken ct);
}

/// <summary>One node on its own (SQLite, local disk): the store's single flight is the whole story.</summary>
public sealed class LocalRenderLock : IRenderLock
{
    public ValueTask<IAsyncDisposable> AcquireAsync(string key, CancellationToken ct) => new(Released.Instance);

    private sealed class Released : IAsyncDisposable
    {
        public static readonly Released Instance = new();

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
