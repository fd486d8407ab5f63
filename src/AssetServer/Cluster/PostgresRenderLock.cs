using System.Security.Cryptography;
using System.Text;
using AssetServer.Data;
using Dapper;

namespace AssetServer.Cluster;

/// <summary>
/// Nodes sharing one PostgreSQL database: a session advisory lock named by a 64-bit hash of the key, held on its own
/// connection until disposed. Waiting polls <c>pg_try_advisory_lock</c> with a short backoff, so the caller's token
/// ends the wait at once and no blocked statement is left behind on the server.
/// </summary>
public sealed class PostgresRenderLock(Database database) : IRenderLock
{
    private static readonly TimeSpan FirstRetry = TimeSpan.FromMilliseconds(5), LongestRetry = TimeSpan.FromMilliseconds(100);

    public async ValueTask<IAsyncDisposable> AcquireAsync(string key, CancellationToken ct)
    {
        var id = Hash(key);
        var connection = await database.OpenAsync(ct);
        try
        {
            var wait = FirstRetry;
            while (!await connection.ExecuteScalarAsync<bool>(new CommandDefinition("SELECT pg_try_advisory_lock(@id)", new { id }, cancellationToken: ct)))
            {
                await Task.Delay(wait, ct);
                wait = TimeSpan.FromTicks(Math.Min(wait.Ticks * 2, LongestRetry.Ticks));
            }
            return new Held(connection, id);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
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
            finally
            {
                // Back to the pool, whose reset (DISCARD ALL) would release a lock a failed unlock left behind.
                await connection.DisposeAsync();
            }
        }
    }
}
