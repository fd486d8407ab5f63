using System.Net.Sockets;
using AssetServer.Errors;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace AssetServer.Data;

/// <summary>
/// Which database failures are passing faults rather than mistakes: what a read may retry, and what a client is
/// told to retry (503 with <c>Retry-After</c>) instead of seeing a 500.
/// </summary>
public static class DatabaseFaults
{
    /// <summary>How long a client is asked to wait before it tries a refused request again.</summary>
    public const int RetryAfterSeconds = 5;

    /// <summary>
    /// The connection itself died: a failover, a PgBouncer restart, an idle-timeout firewall or
    /// <c>pg_terminate_backend</c> (57P01 admin_shutdown, 57P02 crash_shutdown, 57P03 cannot_connect_now, class 08
    /// connection exceptions), or the socket broke. A read may run again on a fresh connection; nothing it did is kept.
    /// </summary>
    public static bool IsConnectionLost(Exception e) => Chain(e).Any(x => x switch
    {
        PostgresException pg => pg.SqlState is "57P01" or "57P02" or "57P03" || pg.SqlState.StartsWith("08", StringComparison.Ordinal),
        NpgsqlException npgsql => npgsql.InnerException is IOException or SocketException,
        _ => false,
    });

    /// <summary>
    /// The database cannot serve the request now but may in a moment: a lost connection, one that cannot be made,
    /// anything Npgsql reports as transient (an exhausted pool, too many connections, a deadlock victim), or a SQLite
    /// file that stayed locked past the busy timeout or cannot be opened.
    /// </summary>
    public static bool IsTransient(Exception e) => IsConnectionLost(e) || Chain(e).Any(x => x switch
    {
        NpgsqlException npgsql => npgsql.IsTransient,
        SqliteException sqlite => sqlite.SqliteErrorCode is 5 or 6 or 14, // SQLITE_BUSY, SQLITE_LOCKED, SQLITE_CANTOPEN
        _ => false,
    });

    /// <summary>503 <c>SERVICE_UNAVAILABLE</c> with <c>Retry-After</c> (as Directus answers when its database is down) for a transient fault; null otherwise.</summary>
    public static ApiException? Classify(Exception e) =>
        IsTransient(e)
            ? ApiErrors.ServiceUnavailable("database", "The database could not complete the request; try again shortly", RetryAfterSeconds)
            : null;

    private static IEnumerable<Exception> Chain(Exception e)
    {
        for (Exception? x = e; x is not null; x = x.InnerException) yield return x;
    }
}

/// <summary>
/// The connection dropped while <c>COMMIT</c> was on its way: the transaction may or may not have committed. Whoever
/// would undo side effects (delete new bytes) must first look at what the database holds.
/// </summary>
public sealed class CommitOutcomeUnknownException(Exception inner)
    : Exception("The connection was lost during COMMIT; the transaction may have committed.", inner);
