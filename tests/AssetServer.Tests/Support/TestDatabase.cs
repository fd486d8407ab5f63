using System.Collections.Concurrent;
using AssetServer.Data;
using Npgsql;

namespace AssetServer.Tests.Support;

/// <summary>
/// Which database the suite runs on. SQLite in each data folder, as ever, unless <c>ASSETSERVER_TEST_STACK</c> starts
/// with <c>postgres</c> (<see cref="Engines"/>): then every data folder gets its own fresh PostgreSQL database, created on first use and dropped when the run ends, so tests stay as isolated as
/// their folders are; a server process restarted on a folder finds its database again.
/// </summary>
public static class TestDatabase
{
    /// <summary>The base connection string, or null when the suite runs on SQLite.</summary>
    public static string? PostgresBase => Engines.StackUsesPostgres ? Engines.Postgres : null;

    public static bool IsPostgres => PostgresBase is not null;

    private static readonly ConcurrentDictionary<string, Lazy<string>> ByFolder = new();

    /// <summary>The settings that put a server on <paramref name="dataPath"/>'s database (none for SQLite).</summary>
    public static (string Key, string Value)[] SettingsFor(string dataPath) =>
        PostgresBase is null
            ? []
            : [("Database:Provider", "postgres"), ("Database:ConnectionString", ConnectionStringFor(dataPath))];

    /// <summary>The PostgreSQL database of <paramref name="dataPath"/>, created the first time it is asked for.</summary>
    public static string ConnectionStringFor(string dataPath) =>
        ByFolder.GetOrAdd(Path.GetFullPath(dataPath), _ => new Lazy<string>(Create)).Value;

    /// <summary>A new, empty PostgreSQL database; the run drops it at the end (<see cref="DropAll"/>).</summary>
    public static string Create()
    {
        var name = "assetserver_test_" + Guid.NewGuid().ToString("N");
        Execute($"CREATE DATABASE \"{name}\" ENCODING 'UTF8' TEMPLATE template0");
        Created.Add(name);
        return new NpgsqlConnectionStringBuilder(PostgresBase) { Database = name }.ConnectionString;
    }

    private static readonly ConcurrentBag<string> Created = [];

    /// <summary>A <see cref="Database"/> on what a server on <paramref name="dataPath"/> uses, for tests that look behind its back.</summary>
    public static Database For(string dataPath) =>
        PostgresBase is null ? new Database(Path.Combine(dataPath, "assetserver.db")) : Database.Postgres(ConnectionStringFor(dataPath));

    public static void Drop(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        using (var connection = new NpgsqlConnection(connectionString)) NpgsqlConnection.ClearPool(connection);
        Execute($"DROP DATABASE IF EXISTS \"{builder.Database}\" WITH (FORCE)");
    }

    internal static void DropAll()
    {
        if (PostgresBase is null) return;
        NpgsqlConnection.ClearAllPools();
        while (Created.TryTake(out var name)) Execute($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)");
    }

    private static void Execute(string sql)
    {
        using var connection = new NpgsqlConnection(PostgresBase);
        connection.Open();
        using var command = new NpgsqlCommand(sql, connection);
        command.ExecuteNonQuery();
    }
}
