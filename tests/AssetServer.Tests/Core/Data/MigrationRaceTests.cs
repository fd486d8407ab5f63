using AssetServer.Data;
using AssetServer.Tests.Support;
using Dapper;

namespace AssetServer.Tests.Data;

/// <summary>
/// Issue 18: two processes upgrading one database at once (two nodes, or a CLI command started beside a starting
/// server). Each script's applied check happens inside the write transaction that applies it, so the second waits
/// and finds it recorded instead of running it again and failing with "duplicate column".
/// </summary>
public class MigrationRaceTests
{
    private const int Rounds = 4;

    private static string[] AllVersions(DatabaseProvider provider) => Database.Scripts(provider).Select(s => s.Version).ToArray();

    /// <summary>Every script recorded once, and the last script's column there to read.</summary>
    private static async Task AssertSchemaComplete(Database database)
    {
        await using var connection = await database.OpenAsync();
        var versions = (await connection.QueryAsync<string>("SELECT version FROM schema_migrations ORDER BY version")).ToArray();
        Assert.That(versions, Is.EqualTo(AllVersions(database.Provider)));
        Assert.That(async () => await connection.ExecuteAsync("SELECT upload_filename FROM files WHERE 1 = 0"), Throws.Nothing);
    }

    [Test]
    public async Task TwoProcessesUpgradingOneFreshDatabaseBothSucceed_Issue18()
    {
        for (var round = 0; round < Rounds; round++)
        {
            var data = Directory.CreateTempSubdirectory("migration-race-").FullName;
            try
            {
                // Two commands started together: each migrates at start, then lists the (no) tokens.
                var outcomes = await Task.WhenAll(ServerCli.RunAsync(data, "tokens", "list"), ServerCli.RunAsync(data, "tokens", "list"));

                foreach (var outcome in outcomes) Assert.That(outcome.ExitCode, Is.Zero, $"round {round}: {outcome.Error}");
                using var database = TestDatabase.For(data);
                await AssertSchemaComplete(database);
            }
            finally
            {
                Directory.Delete(data, recursive: true);
            }
        }
    }

    [Test]
    public async Task ConnectionsUpgradingOneFreshSqliteFileTogetherAllSucceed_Issue18()
    {
        for (var round = 0; round < Rounds; round++)
        {
            var folder = Directory.CreateTempSubdirectory("migration-race-").FullName;
            var path = Path.Combine(folder, "assetserver.db");
            var nodes = Enumerable.Range(0, 4).Select(_ => new Database(path)).ToList();
            try
            {
                // Released together, so the applied checks of all four fall before the first script commits.
                using var start = new Barrier(nodes.Count);
                await Task.WhenAll(nodes.Select(node => Task.Run(async () =>
                {
                    start.SignalAndWait(TimeSpan.FromSeconds(30));
                    await node.MigrateAsync();
                })));

                await AssertSchemaComplete(nodes[0]);
            }
            finally
            {
                foreach (var node in nodes) node.Dispose();
                Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
                Directory.Delete(folder, recursive: true);
            }
        }
    }
}
