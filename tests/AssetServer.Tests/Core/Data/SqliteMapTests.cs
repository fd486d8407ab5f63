using AssetServer.Data;
using Dapper;
using Microsoft.Data.Sqlite;

namespace AssetServer.Tests.Data;

/// <summary>Issue 21: SQLite reads its file through a memory map of <c>Database:SqliteMapBytes</c>; 0 reads with <c>pread</c>.</summary>
public class SqliteMapTests
{
    [Test]
    public async Task EveryConnectionMapsTheConfiguredSize()
    {
        var folder = Directory.CreateTempSubdirectory("assetserver-map-");
        try
        {
            // Two files: connections are pooled per file, and a pooled connection keeps its map.
            using var mapped = new Database(Path.Combine(folder.FullName, "mapped.db"));
            using var unmapped = new Database(Path.Combine(folder.FullName, "unmapped.db"), mapBytes: 0);
            for (var i = 0; i < 3; i++)
            {
                await using (var connection = await mapped.OpenAsync())
                    Assert.That(await connection.ExecuteScalarAsync<long>("PRAGMA mmap_size"), Is.EqualTo(Database.DefaultMapBytes));
                await using (var connection = await unmapped.OpenAsync())
                    Assert.That(await connection.ExecuteScalarAsync<long>("PRAGMA mmap_size"), Is.Zero);
            }
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            folder.Delete(recursive: true);
        }
    }
}
