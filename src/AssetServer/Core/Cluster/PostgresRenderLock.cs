using System.Security.Cryptography;
using System.Text;
using AssetServer.Data;
using Dapper;

namespace AssetServer.Cluster;

/// <summary>
/// Nodes sharing one PostgreSQL database: a session advisory lock named by a 64-bit hash of the key, held on its own
/// connection until disposed. Waiting polls <c>pg_try_advisory_lock</c> with a short backoff, each try on a connection
/// that goes back to the pool when it fails, so the caller's token ends the wait at once, no blocked statement is left
/// behind on the server, and a waiter holds no connection.
/// </summary>
public sealed class PostgresRenderLock(Database database) : IRenderLock
{
    private static readonly TimeSpan FirstRetry = TimeSpan.FromMilliseconds(5), LongestRetry = TimeSpan.FromMilliseconds(100);

    public async ValueTask<IAsyncDisposable> AcquireAsync(string key, CancellationToken ct)
    {
        var id = Hash(key);
        var wait = FirstRetry;
        var reconnected = false;
        while (true)
        {
            // A connection is held only while the lock is: between tries it goes back to the pool, so renders
            // waiting on other nodes cannot drain it (the store asks only after the scheduler admitted the render).
            var connection = await database.OpenAsync(ct);
            try
            {
                if (await connection.ExecuteScalarAsync<bool>(new CommandDefinition("SELECT pg_try_advisory_lock(@id)", new { id }, cancellationToken: ct)))
                    return new Held(connection, id);
            }
            catch (Exception e) when (!reconnected && !ct.IsCancellationRequested && DatabaseFaults.IsConnectionLost(e))
            {
                // A pooled connection that died while idle (issue 18): once more on a fresh one, as reads do.
                await connection.DisposeAsync();
                database.ClearPool();
                reconnected = true;
                continue;
            }
            catch
            {
                await connection.DisposeAsync();
                throw;
            }
            await connection.DisposeAsync();
            await Task.Delay(wait, ct);
            wait = TimeSpan.FromTicks(Math.Min(wait.Ticks * 2, LongestRetry.Ticks));
        }
    }

    /// <summary>The same 64 bits on every node and every run (string.GetHashCode is randomised per process).</summary>
    internal static long Hash(string key) => BitConverter.ToInt64(SHA256.HashData(Encoding.UTF8.GetBytes(key)), 0);

    private sealed class Held(System.Data.Common.DbConnection connection, long id) : IAsyncDisposable
    {
        private int disposed;

        public async ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref disposed, 1) == 1) return;
            try
            {
                await connection.ExecuteAsync("SELECT pg_advisory_unlock(@id)", new { id });
            }
            catch (Exception e) when (DatabaseFaults.IsConnectionLost(e))
            {
                // A session lock ends with its session: a lost connection has released it already.
            }
            finally
            {
                // Back to the pool, whose reset (DISCARD ALL) would release a lock a failed unlock left behind.
                await connection.DisposeAsync();
            }
        }
    }
}
