using Dapper;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace AssetServer.Data;

/// <summary>
/// A number that changes whenever anyone commits a write, read before a cached row or answer is trusted: equal
/// numbers mean nothing was committed in between. A value is only comparable with others of the same era.
/// </summary>
/// <remarks>
/// SQLite: <c>PRAGMA data_version</c> read on one long-lived connection that never writes; it changes whenever any
/// other connection, in this process or another, commits. Reading it checks the WAL index in shared memory, not any
/// table, so it is cheap enough for every request: one prepared statement stepped through SQLite's C API, with no
/// command or reader objects. A reconnect starts a new era. The one connection is a lock that every request takes:
/// under load most of a cached hit's time went into waiting for it (issue 17, benchmarks/RESULTS.md), so callers that
/// queued behind a read which started after they arrived take its answer instead of stepping again (it saw every
/// commit acknowledged before they arrived, as their own read would have).
/// PostgreSQL: a generation in the one-row table <c>data_generation</c>, moved on by every transaction that writes
/// files, links, kept versions or tokens (a deferred trigger, Data/Migrations/Postgres/001_files.sql: whoever writes,
/// this server or anything else, and the row is locked only at commit), and read per request, so a write committed on
/// one node is seen by the very next request on any other, with no notification delay. Concurrent readers share one
/// read that started after they arrived.
/// </remarks>
public sealed class DataVersion(Database database) : IDisposable
{
    private readonly Lock gate = new();
    private SqliteConnection? connection;
    private sqlite3_stmt? statement;
    private long era;

    /// <summary>How many SQLite reads have started (each takes the next number); read without the lock.</summary>
    private long readsStarted;

    /// <summary>The last SQLite read that finished, and its number (under the lock).</summary>
    private (long Era, long Version) latest;
    private long latestNumber;

    /// <summary>The current version, paired with its era; a new era means nothing earlier compares.</summary>
    public ValueTask<(long Era, long Version)> ReadAsync(CancellationToken ct = default) =>
        database.IsPostgres ? ReadGenerationAsync(ct) : new(ReadSqlite());

    private (long Era, long Version) ReadSqlite()
    {
        // A read numbered above this one started after the caller arrived, so after any commit it must see.
        var arrived = Volatile.Read(ref readsStarted);
        lock (gate)
        {
            if (latestNumber > arrived) return latest;
            // A full fence: the step below cannot be seen to start before the number is taken.
            var number = Interlocked.Increment(ref readsStarted);
            try
            {
                if (statement is null)
                {
                    connection = (SqliteConnection)database.Open();
                    // Stepping through the C API skips Microsoft.Data.Sqlite's busy retry: let SQLite wait instead.
                    Check(raw.sqlite3_busy_timeout(connection.Handle, 30_000));
                    Check(raw.sqlite3_prepare_v2(connection.Handle, "PRAGMA data_version", out statement));
                    era++;
                }
                if (raw.sqlite3_step(statement) != raw.SQLITE_ROW) Check(raw.sqlite3_errcode(connection!.Handle));
                var version = raw.sqlite3_column_int64(statement, 0);
                raw.sqlite3_reset(statement);
                latest = (era, version);
                latestNumber = number;
                return latest;
            }
            catch
            {
                Close();
                throw;
            }
        }
    }

    // ---- PostgreSQL: coalesced generation reads ----

    /// <summary>The read in flight (it may have started before a caller arrived, so such a caller waits for the next).</summary>
    private Task<long>? running;

    /// <summary>The read that starts when <see cref="running"/> ends: everyone who arrived during it shares it.</summary>
    private Task<long>? next;

    private async ValueTask<(long Era, long Version)> ReadGenerationAsync(CancellationToken ct)
    {
        Task<long> read;
        lock (gate)
        {
            if (running is null) read = running = StartRead(null);
            else read = next ??= StartRead(running);
        }
        return (0, await read.WaitAsync(ct));
    }

    /// <summary>
    /// One read of the generation after <paramref name="after"/> has finished. Not tied to any caller's token:
    /// others share it; each caller stops waiting on its own token.
    /// </summary>
    private async Task<long> StartRead(Task<long>? after)
    {
        if (after is not null) await after.ContinueWith(static _ => { }, TaskScheduler.Default);
        else await Task.Yield();
        try
        {
            // A dead pooled connection costs no request: the read runs once more on a fresh one (Database.ReadAsync).
            return await database.ReadAsync(db => db.ExecuteScalarAsync<long>("SELECT value FROM data_generation"));
        }
        finally
        {
            lock (gate)
            {
                // This read is over: the one queued behind it (if any) becomes the running one.
                running = next;
                next = null;
            }
        }
    }

    private void Check(int code)
    {
        if (code != raw.SQLITE_OK) throw new SqliteException($"PRAGMA data_version failed: {raw.sqlite3_errstr(code).utf8_to_string()}", code);
    }

    private void Close()
    {
        statement?.Dispose();
        connection?.Dispose();
        statement = null;
        connection = null;
    }

    public void Dispose()
    {
        lock (gate) Close();
    }
}
