using AssetServer.Data;
using Dapper;
using AssetServer.Tests.Support;

namespace AssetServer.Tests.Data;

/// <summary>Issue 8: a row read after any commit, by any connection or process, is the committed row, never a cached older one.</summary>
public class RowFreshnessTests
{
    private AssetServerApp app = null!;

    [OneTimeSetUp]
    public void Start() => app = new AssetServerApp();

    [OneTimeTearDown]
    public void Stop() => app.Dispose();

    private async Task ExecuteAsync(string sql, string id)
    {
        // A separate connection, as another process (or the CLI) would use.
        await using var connection = await app.Service<Database>().OpenAsync();
        await connection.ExecuteAsync(sql, new { id });
    }

    [Test]
    public async Task TheDataVersionMovesWhenAnotherConnectionCommits()
    {
        var file = await app.UploadOkAsync("abc"u8.ToArray(), "v.txt", "text/plain");
        var version = app.Service<DataVersion>();
        var before = await version.ReadAsync();
        Assert.That(await version.ReadAsync(), Is.EqualTo(before));

        await ExecuteAsync("UPDATE files SET title = 'moved' WHERE id = @id", file["id"]!.GetValue<string>());

        Assert.That(await version.ReadAsync(), Is.Not.EqualTo(before));
    }

    [Test]
    public async Task EveryReadStartedAfterACommitSeesItWhileOthersReadAtTheSameTime_Issue17()
    {
        // The SQLite version is read on several connections (lanes) at once; whichever lane a read lands on, and
        // whether it takes its own answer or one shared with others, a read that starts after a commit must differ
        // from the version read before it. Readers keep every lane busy (high contention), and the writer also
        // commits while they pause (an idle lane's first read after a commit).
        var file = await app.UploadOkAsync("abc"u8.ToArray(), "lanes.txt", "text/plain");
        var id = file["id"]!.GetValue<string>();
        var version = app.Service<DataVersion>();
        using var stop = new CancellationTokenSource();
        var readers = Enumerable.Range(0, 6).Select(r => Task.Run(async () =>
        {
            var reads = 0;
            while (!stop.IsCancellationRequested)
            {
                await version.ReadAsync();
                reads++;
                if (r == 0 && reads % 50 == 0) await Task.Delay(2);
            }
            return reads;
        })).ToArray();
        var missed = 0;
        for (var commit = 0; commit < 200; commit++)
        {
            var before = await version.ReadAsync();
            await ExecuteAsync($"UPDATE files SET title = 'commit {commit}' WHERE id = @id", id);
            if (await version.ReadAsync() == before) missed++;
            if (commit % 20 == 0) await Task.Delay(5);
        }
        stop.Cancel();
        var total = (await Task.WhenAll(readers)).Sum();

        Assert.That(missed, Is.Zero, "reads after a commit that returned the version from before it");
        Assert.That(total, Is.GreaterThan(200), "the readers did keep the lanes busy");
    }

    [Test]
    public async Task CommitsAfterTheWalRestartsAreSeen_Issue17()
    {
        // SQLite: a hit takes the version from a stamp of the WAL index header when the stamp is unchanged. A checkpoint
        // that empties the WAL restarts it (new salts, frame count back to zero), so later commits repeat earlier frame
        // counts; each of them must still be seen, by the version and by the row read through the repository.
        if (TestDatabase.IsPostgres) Assert.Ignore("SQLite's WAL index");
        var id = (await app.UploadOkAsync("abc"u8.ToArray(), "restart.txt", "text/plain"))["id"]!.GetValue<string>();
        var version = app.Service<DataVersion>();
        var repository = app.Service<FileRepository>();
        for (var round = 10; round < 30; round++)
        {
            // The stamp is taken after one commit; the WAL restarts; a commit of the same size (as many frames) follows.
            var before = await version.ReadAsync();
            Assert.That((await repository.GetAsync(id))!.Title, Is.EqualTo(round == 10 ? "Restart" : $"round {round - 1}"));
            await using (var connection = await app.Service<Database>().OpenAsync())
                await connection.ExecuteAsync("PRAGMA wal_checkpoint(TRUNCATE)");
            await ExecuteAsync($"UPDATE files SET title = 'round {round}' WHERE id = @id", id);
            Assert.That(await version.ReadAsync(), Is.Not.EqualTo(before), $"round {round}");
            Assert.That((await repository.GetAsync(id))!.Title, Is.EqualTo($"round {round}"));
        }
    }

    [Test]
    public async Task ARowChangedBehindTheRepositorysBackIsSeenOnTheNextRead_Issue8()
    {
        var id = (await app.UploadOkAsync("abc"u8.ToArray(), "first.txt", "text/plain"))["id"]!.GetValue<string>();
        var repository = app.Service<FileRepository>();
        Assert.That((await repository.GetAsync(id))!.Title, Is.EqualTo("First"));
        Assert.That((await repository.GetAsync(id))!.Title, Is.EqualTo("First"));

        await ExecuteAsync("UPDATE files SET title = 'Changed elsewhere' WHERE id = @id", id);
        Assert.That((await repository.GetAsync(id))!.Title, Is.EqualTo("Changed elsewhere"));

        await ExecuteAsync("DELETE FROM files WHERE id = @id", id);
        Assert.That(await repository.GetAsync(id), Is.Null);
    }

    [Test]
    public async Task CallersGetTheirOwnCopy()
    {
        var id = (await app.UploadOkAsync("abc"u8.ToArray(), "copy.txt", "text/plain"))["id"]!.GetValue<string>();
        var repository = app.Service<FileRepository>();
        var mine = (await repository.GetAsync(id))!;
        mine.Title = "scribbled";
        Assert.That((await repository.GetAsync(id))!.Title, Is.EqualTo("Copy"));
    }
}
