using AssetServer.Cluster;

namespace AssetServer.Tus;

/// <summary>
/// Serialises everything that touches one upload (chunks, termination, the sweep): first within this process, a gate
/// per upload; then across nodes, the cluster's named lock (a PostgreSQL session advisory lock on a shared database,
/// nothing more on one SQLite node). A second chunk for the same upload waits here, then finds the offset moved: 409.
/// </summary>
public sealed class TusUploadLock(IRenderLock cluster)
{
    private readonly Dictionary<string, Gate> gates = new(StringComparer.Ordinal);

    private sealed class Gate
    {
        public readonly SemaphoreSlim Semaphore = new(1, 1);
        public int Users;
    }

    public async Task<IAsyncDisposable> AcquireAsync(string id, CancellationToken ct)
    {
        Gate gate;
        lock (gates)
        {
            if (!gates.TryGetValue(id, out gate!)) gates[id] = gate = new Gate();
            gate.Users++;
        }
        try
        {
            await gate.Semaphore.WaitAsync(ct);
        }
        catch
        {
            Leave(id, gate);
            throw;
        }
        try
        {
            // IRenderLock is the cluster's one named lock; the prefix keeps upload ids apart from render fingerprints.
            return new Held(this, id, gate, await cluster.AcquireAsync("tus:" + id, ct));
        }
        catch
        {
            gate.Semaphore.Release();
            Leave(id, gate);
            throw;
        }
    }

    private void Leave(string id, Gate gate)
    {
        lock (gates)
        {
            if (--gate.Users == 0) gates.Remove(id);
        }
    }

    private sealed class Held(TusUploadLock owner, string id, Gate gate, IAsyncDisposable cluster) : IAsyncDisposable
    {
        private int disposed;

        public async ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref disposed, 1) == 1) return;
            try
            {
                await cluster.DisposeAsync();
            }
            finally
            {
                gate.Semaphore.Release();
                owner.Leave(id, gate);
            }
        }
    }
}
