using AssetServer.Data;
using AssetServer.Storage;
using BenchmarkDotNet.Attributes;
using Dapper;
using Microsoft.Data.Sqlite;

namespace AssetServer.Benchmarks;

/// <summary>
/// What every <c>/assets</c> request pays to know its row is current (issue 8: rows are never served stale).
/// Floor: the uncached point read, a pooled connection and <c>SELECT … WHERE id = @id</c> mapped by Dapper, which is
/// what reading rows fresh would cost. Against it: the repository's read (the row kept in memory, trusted only while
/// SQLite's <c>data_version</c> is unchanged), and the version check alone.
/// </summary>
[MemoryDiagnoser]
public class RowReadBenchmarks
{
    private BenchmarkHost host = null!;
    private FileRepository repository = null!;
    private DataVersion version = null!;
    private string connectionString = null!;
    private string id = null!;

    [GlobalSetup]
    public async Task Setup()
    {
        host = BenchmarkHost.Create();
        await host.Get<Database>().MigrateAsync();
        repository = host.Get<FileRepository>();
        version = host.Get<DataVersion>();
        var row = ListBenchmarks.Row(1, DateTimeOffset.UtcNow);
        id = row.Id;
        await repository.InTransactionAsync(async (connection, tx) =>
        {
            await repository.InsertAsync(connection, tx, row);
            return 1;
        });
        connectionString = new SqliteConnectionStringBuilder { DataSource = host.Get<DataPaths>().Database, Pooling = true }.ToString();
        await repository.GetAsync(id);
    }

    [GlobalCleanup]
    public void Cleanup() => host.Dispose();

    [Benchmark(Baseline = true)]
    public async Task<object?> UncachedPointRead()
    {
        await using var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync();
        return await connection.QuerySingleOrDefaultAsync<Files.FileRecord>(
            $"SELECT {FileRepository.Columns} FROM files WHERE id = @id", new { id });
    }

    [Benchmark]
    public Task<Files.FileRecord?> RepositoryRead() => repository.GetAsync(id);

    [Benchmark]
    public ValueTask<(long, long)> VersionCheck() => version.ReadAsync();
}
