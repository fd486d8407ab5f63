using Microsoft.Data.Sqlite;

namespace AssetServer.Data;

/// <summary>
/// SQLite's <c>PRAGMA data_version</c> read on one long-lived connection that never writes: the number changes
/// whenever any other connection, in this process or another, commits to the database. Reading it is a check of
/// the WAL index in shared memory (about a microsecond), not a query of any table, so it is cheap enough to ask on
/// every request. A value is only comparable with others from the same connection: a reconnect starts a new era.
/// </summary>
public sealed class DataVersion(Database database) : IDisposable
{
    private readonly Lock gate = new();
    private SqliteConnection? connection;
    private SqliteCommand? pragma;
    private long era;

    /// <summary>The current version, paired with the connection's era; a new era means nothing earlier compares.</summary>
    public (long Era, long Version) Read()
    {
        lock (gate)
        {
            try
            {
                if (pragma is null)
                {
                    connection = database.Open();
                    pragma = connection.CreateCommand();
                    pragma.CommandText = "PRAGMA data_version";
                    era++;
                }
                return (era, (long)pragma.ExecuteScalar()!);
            }
            catch
            {
                Close();
                throw;
            }
        }
    }

    private void Close()
    {
        pragma?.Dispose();
        connection?.Dispose();
        pragma = null;
        connection = null;
    }

    public void Dispose()
    {
        lock (gate) Close();
    }
}
