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
