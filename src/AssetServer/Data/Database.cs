using System.Reflection;
using Dapper;
using Microsoft.Data.Sqlite;

namespace AssetServer.Data;

/// <summary>
/// The embedded SQLite database: opens connections and brings the schema up to date at start
/// with the numbered scripts in <c>Data/Migrations</c>, each applied once and recorded.
/// </summary>
public sealed class Database
{
    private readonly string connectionString;

    public Database(string path)
    {
        connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
            // Microsoft.Data.Sqlite retries a busy database until this command timeout, so writers queue
            // behind each other instead of failing with SQLITE_BUSY (no per-connection PRAGMA needed).
            DefaultTimeout = 30,
        }.ToString();
        DefaultTypeMap.MatchNamesWithUnderscores = true;
    }

    public async Task<SqliteConnection> OpenAsync(CancellationToken ct = default)
    {
        var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync(ct);
        AddFunctions(connection);
        return connection;
    }

    public SqliteConnection Open()
    {
        var connection = new SqliteConnection(connectionString);
        connection.Open();
        AddFunctions(connection);
        return connection;
    }

    /// <summary>
    /// SQLite's own lower() folds ASCII only; searches and <c>_icontains</c> must match "École" with "école",
    /// so lower() is replaced by .NET's invariant, Unicode-aware one on every connection.
    /// </summary>
    private static void AddFunctions(SqliteConnection connection) =>
        connection.CreateFunction("lower", (string? text) => text?.ToLowerInvariant(), isDeterministic: true);

    public async Task MigrateAsync(CancellationToken ct = default)
    {
        await using var connection = await OpenAsync(ct);
        // WAL lets readers go on while one writer commits; it is a property of the file, set once.
        await connection.ExecuteAsync("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;");
        await connection.ExecuteAsync(
            "CREATE TABLE IF NOT EXISTS schema_migrations (version TEXT PRIMARY KEY NOT NULL, applied_on TEXT NOT NULL)");
        var applied = (await connection.QueryAsync<string>("SELECT version FROM schema_migrations")).ToHashSet();

        foreach (var (version, sql) in Scripts())
        {
            if (applied.Contains(version)) continue;
            await using var tx = await connection.BeginTransactionAsync(ct);
            await connection.ExecuteAsync(sql, transaction: tx);
            await connection.ExecuteAsync(
                "INSERT INTO schema_migrations (version, applied_on) VALUES (@version, @now)",
                new { version, now = DateTimeOffset.UtcNow.ToString("O") }, tx);
            await tx.CommitAsync(ct);
        }
    }

    private static IEnumerable<(string Version, string Sql)> Scripts()
    {
        var assembly = Assembly.GetExecutingAssembly();
        const string prefix = "AssetServer.Data.Migrations.";
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith(prefix) && n.EndsWith(".sql")).Order(StringComparer.Ordinal))
        {
            using var reader = new StreamReader(assembly.GetManifestResourceStream(name)!);
            yield return (name[prefix.Length..^4], reader.ReadToEnd());
        }
    }
}
