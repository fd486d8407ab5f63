using Dapper;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace AssetServer.Data;

/// <summary>
/// A number that changes whenever anyone commits a write, read before a cached row or answer is trusted: equal
/// numbers mean nothing was committed in between. A value is only comparable with others of the same era.
/// </summary>
/// <remarks>
/// SQLite: <c>PRAGMA data_version</c>, which changes on a connection whenever any other connection, in this process
/// or another, commits. Reading it checks the WAL index in shared memory, not any table, so it is cheap enough for
/// every request: one prepared statement stepped through SQLite's C API, with no command or reader objects. It is read
/// on a few long-lived connections that never write (lanes), because one connection is a lock that every request
/// takes: under load most of a cached hit's time went into waiting for it (issue 17, benchmarks/RESULTS.md). Each
/// lane's own number only compares with itself, so the version handed out is a counter that a lane moves on whenever
/// its number changed since its last read. A commit is therefore counted by the first read of each lane after it, and
/// a read that started after the commit sees the counter past it: either this read moves it, or an earlier read on the
/// same lane (lane reads are serialised) already did. A new or reopened lane counts its first read as a change.
/// Callers that arrive while reads run take the answer of a read that started after they arrived, if one has finished,
/// instead of stepping again (it saw every commit acknowledged before they arrived, as their own read would have).
/// PostgreSQL: a generation in the one-row table <c>data_generation</c>, moved on by every transaction that writes
/// files, links, kept versions or tokens (a deferred trigger, Data/Migrations/Postgres/001_files.sql: whoever writes,
/// this server or anything else, and the row is locked only at commit), and read per request, so a write committed on
/// one node is seen by the very next request on any other, with no notification delay. Concurrent readers share one
/// read that started after they arrived.
/// </remarks>
public sealed class DataVersion(Database database) : IDisposable
{
    private readonly Lock gate = new();
    private readonly VersionLane[] lanes = [.. Enumerable.Range(0, Math.Clamp(Environment.ProcessorCount, 2, 4)).Select(_ => new VersionLane())];

    /// <summary>The SQLite version handed out: moved on when any lane sees its <c>data_version</c> change.</summary>
    private long changes;

    /// <summary>How many SQLite reads have started (each takes the next number).</summary>
    private long readsStarted;

    /// <summary>The finished SQLite read with the highest number, and the version it handed out.</summary>
    private FinishedRead latest = new(0, 0);

    private sealed record FinishedRead(long Number, long Version);

    /// <summary>The current version, paired with its era; a new era means nothing earlier compares.</summary>
    public ValueTask<(long Era, long Version)> ReadAsync(CancellationToken ct = default) =>
        database.IsPostgres ? ReadGenerationAsync(ct) : new((0, ReadSqlite()));

    private long ReadSqlite()
    {
        // Nothing committed since a read's stamp was taken (before it stepped): that read's answer is still the answer.
        if (Volatile.Read(ref watch) is { } look && look.Read() is { } now && Volatile.Read(ref stamped) is { } known && known.Stamp == now)
            return known.Version;
        // A read numbered above this one started after the caller arrived, so after any commit it must see.
        var arrived = Volatile.Read(ref readsStarted);
        if (Volatile.Read(ref latest) is { } done && done.Number > arrived) return done.Version;
        if (!Volatile.Read(ref lanesOpened)) OpenLanes();

        // A free lane if there is one; otherwise queue on one, spread by thread.
        VersionLane? lane = null;
        foreach (var candidate in lanes)
        {
            if (!candidate.Gate.TryEnter()) continue;
            lane = candidate;
            break;
        }
        if (lane is null)
        {
            lane = lanes[(int)((uint)Environment.CurrentManagedThreadId % lanes.Length)];
            lane.Gate.Enter();
        }
        try
        {
            if (Volatile.Read(ref latest) is { } shared && shared.Number > arrived) return shared.Version;
            // A full fence: the step below cannot be seen to start before the number is taken.
            var number = Interlocked.Increment(ref readsStarted);
            var stamp = Volatile.Read(ref watch)?.Read();
            var value = lane.Step(database);
            if (lane.Reopened) RenewWatch();
            if (lane.Last != value)
            {
                Interlocked.Increment(ref changes);
                lane.Last = value;
            }
            var version = Interlocked.Read(ref changes);
            var finished = new FinishedRead(number, version);
            for (var seen = Volatile.Read(ref latest); seen.Number < number;)
            {
                var swapped = Interlocked.CompareExchange(ref latest, finished, seen);
                if (ReferenceEquals(swapped, seen)) break;
                seen = swapped;
            }
            if (stamp is { } taken)
            {
                var entry = new StampedRead(taken, number, version);
                for (var seen = Volatile.Read(ref stamped); seen is null || seen.Number < number;)
                {
                    var swapped = Interlocked.CompareExchange(ref stamped, entry, seen);
                    if (ReferenceEquals(swapped, seen)) break;
                    seen = swapped;
                }
            }
            return version;
        }
        finally
        {
            lane.Gate.Exit();
        }
    }

    private bool lanesOpened;

    /// <summary>
    /// Opens every lane and takes its first number together, then counts one change for all of them, so that a
    /// version stays equal from one request to the next whichever lane reads it. (A lane reopened later, after a
    /// failure, counts its own first read as a change instead.)
    /// </summary>
    private void OpenLanes()
    {
        lock (gate)
        {
            if (lanesOpened) return;
            foreach (var lane in lanes)
                lock (lane.Gate) lane.Last = lane.Step(database);
            Interlocked.Increment(ref changes);
            RenewWatch();
            Volatile.Write(ref lanesOpened, true);
        }
    }

    /// <summary>
    /// The WAL index's header, watched while the lanes hold the database open (SQLite never removes the file under an
    /// open connection). Mapped again whenever a lane had to reopen, so it is the file SQLite now uses.
    /// </summary>
    private WalIndexWatch? watch;

    /// <summary>The read with the highest number that took a stamp before it stepped, and the version it handed out.</summary>
    private StampedRead? stamped;

    private sealed record StampedRead(WalIndexWatch.Stamp Stamp, long Number, long Version);

    private void RenewWatch()
    {
        // The old mapping is left to its finaliser: another thread may be reading it right now.
        Volatile.Write(ref watch, lanes[0].DatabasePath is { } path ? WalIndexWatch.Open(path) : null);
        Volatile.Write(ref stamped, null);
    }

    /// <summary>One read-only connection with its prepared <c>PRAGMA data_version</c>; used under its gate.</summary>
    private sealed class VersionLane
    {
        public readonly Lock Gate = new();
        private SqliteConnection? connection;
        private sqlite3_stmt? statement;

        /// <summary>The number this lane read last; null when (re)opened, so its first read counts as a change.</summary>
        public long? Last;

        /// <summary>Whether the last <see cref="Step"/> had to open the connection again after a failure.</summary>
        public bool Reopened { get; private set; }

        /// <summary>The database file this lane reads (null until it is open).</summary>
        public string? DatabasePath { get; private set; }

        private bool everOpened;

        public long Step(Database database)
        {
            try
            {
                Reopened = false;
                if (statement is null)
                {
                    connection = (SqliteConnection)database.Open();
                    // Stepping through the C API skips Microsoft.Data.Sqlite's busy retry: let SQLite wait instead.
                    Check(raw.sqlite3_busy_timeout(connection.Handle, 30_000));
                    Check(raw.sqlite3_prepare_v2(connection.Handle, "PRAGMA data_version", out statement));
                    Last = null;
                    DatabasePath = connection.DataSource;
                    Reopened = everOpened;
                    everOpened = true;
                }
                if (raw.sqlite3_step(statement) != raw.SQLITE_ROW) Check(raw.sqlite3_errcode(connection!.Handle));
                var value = raw.sqlite3_column_int64(statement, 0);
                raw.sqlite3_reset(statement);
                return value;
            }
            catch
            {
                Close();
                throw;
            }
        }

        private static void Check(int code)
        {
            if (code != raw.SQLITE_OK) throw new SqliteException($"PRAGMA data_version failed: {raw.sqlite3_errstr(code).utf8_to_string()}", code);
        }

        public void Close()
        {
            statement?.Dispose();
            connection?.Dispose();
            statement = null;
            connection = null;
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

    public void Dispose()
    {
        foreach (var lane in lanes)
            lock (lane.Gate) lane.Close();
    }
}
