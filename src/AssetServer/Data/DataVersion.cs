using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace AssetServer.Data;

/// <summary>
/// SQLite's <c>PRAGMA data_version</c> read on one long-lived connection that never writes: the number changes
/// whenever any other connection, in this process or another, commits to the database. Reading it checks the WAL
/// index in shared memory, not any table, so it is cheap enough for every request: one prepared statement stepped
/// through SQLite's C API, with no command or reader objects. A value is only comparable with others from the same
/// connection: a reconnect starts a new era.
/// </summary>
public sealed class DataVersion(Database database) : IDisposable
{
    private readonly Lock gate = new();
    private SqliteConnection? connection;
    private sqlite3_stmt? statement;
    private long era;

    /// <summary>The current version, paired with the connection's era; a new era means nothing earlier compares.</summary>
    public (long Era, long Version) Read()
    {
        lock (gate)
        {
            try
            {
                if (statement is null)
                {
                    connection = database.Open();
                    // Stepping through the C API skips Microsoft.Data.Sqlite's busy retry: let SQLite wait instead.
                    Check(raw.sqlite3_busy_timeout(connection.Handle, 30_000));
                    Check(raw.sqlite3_prepare_v2(connection.Handle, "PRAGMA data_version", out statement));
                    era++;
                }
                if (raw.sqlite3_step(statement) != raw.SQLITE_ROW) Check(raw.sqlite3_errcode(connection!.Handle));
                var version = raw.sqlite3_column_int64(statement, 0);
                raw.sqlite3_reset(statement);
                return (era, version);
            }
            catch
            {
                Close();
                throw;
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
