using System.Text.Json.Nodes;
using AssetServer.Data;
using AssetServer.Files.Query;
using AssetServer.Tests.Support;
using Dapper;

namespace AssetServer.Tests.Files.Query;

/// <summary>
/// Issue 21: file rows cloned in SQL by the benchmark's own script (benchmarks/million/seed.*.sql), numbered after the
/// files already there, in one write so the triggers keep the search table and the counts in step.
/// </summary>
public static class FileRowSeeder
{
    /// <summary>The database <paramref name="app"/> runs on (migrated: the app has answered a request).</summary>
    public static Database DatabaseOf(AssetServerApp app)
    {
        using (var client = app.AdminClient()) client.GetAsync("/server/ping").GetAwaiter().GetResult().Dispose();
        return TestDatabase.IsPostgres ? Database.Postgres(app.DatabaseConnectionString) : TestDatabase.For(app.DataPath);
    }

    /// <summary>The search's hits as the server probes them before it writes the statement (SQLite), or null.</summary>
    public static async Task<SearchHits?> ProbeAsync(AssetServerApp app, JsonObject json)
    {
        var query = app.Service<FileQueryParser>().Parse(json, QueryTable.Files);
        using var database = DatabaseOf(app);
        if (FileQuerySql.BuildSearchProbe(query, database.Provider) is not { } probe) return null;
        await using var connection = await database.OpenAsync();
        var (count, ids) = await connection.QuerySingleAsync<(long, string)>(probe.Sql, probe.Parameters);
        return SearchHits.Probed(count, ids);
    }

    public static async Task SeedAsync(Database database, int count)
    {
        var script = await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "Seed",
            database.IsPostgres ? "seed.postgres.sql" : "seed.sqlite.sql"));
        await database.WriteAsync(async (connection, tx) =>
        {
            var next = await connection.ExecuteScalarAsync<long>("SELECT value FROM counters WHERE name = 'files'", transaction: tx);
            return await connection.ExecuteAsync(new CommandDefinition(script, new { count, @base = next }, tx, commandTimeout: 600));
        });
        await using var connection = await database.OpenAsync();
        // What autovacuum does after a bulk load: statistics, and the visibility map that index-only scans need.
        if (database.IsPostgres) await connection.ExecuteAsync("VACUUM ANALYZE files");
    }
}
