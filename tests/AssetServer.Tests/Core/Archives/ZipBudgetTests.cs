using System.Net;
using System.Net.Http.Headers;
using AssetServer.Tests.Support;
using static AssetServer.Tests.Archives.ZipKit;
using static AssetServer.Tests.Files.FilesKit;
using FolderKit = AssetServer.Tests.Folders.FolderKit;

namespace AssetServer.Tests.Archives;

/// <summary>
/// Issue 19: a zip draws on the same per-client read budget as the originals it holds fetched one by one
/// (<c>RateLimits:OriginalMegabytesPerMinute</c>, here 1 MiB), refused before its first byte; and with
/// <c>Auth:PublicAssets</c> off, no anonymous zips.
/// </summary>
public class ZipBudgetTests : AdminAppFixture
{
    private const int Size = 700 * 1024;

    protected override AssetServerApp CreateApp() => new(("RateLimits:OriginalMegabytesPerMinute", "1"), ("Auth:PublicAssets", "false"));

    private async Task<HttpClient> ReaderAsync() => await FolderKit.TokenClientAsync(app, client, "read");

    [Test]
    public async Task ZipSpendsTheBudgetAnOriginalDownloadSpends()
    {
        var id = await UploadAsync(client, RandomBytes(Size), "big.bin", "application/octet-stream");

        using var zipFirst = await ReaderAsync();
        Assert.That((await ReadZipAsync(await ZipFilesAsync(zipFirst, id))).Keys, Is.EqualTo(new[] { "big.bin" }));
        await AssertErrorAsync(await zipFirst.GetAsync($"/assets/{id}"), HttpStatusCode.TooManyRequests, "REQUESTS_EXCEEDED");
        var refused = await ZipFilesAsync(zipFirst, id);
        await AssertErrorAsync(refused, HttpStatusCode.TooManyRequests, "REQUESTS_EXCEEDED");
        Assert.That(refused.Headers.RetryAfter, Is.Not.Null);

        using var originalFirst = await ReaderAsync();
        using (var original = await originalFirst.GetAsync($"/assets/{id}"))
            Assert.That((int)original.StatusCode, Is.EqualTo(200));
        await AssertErrorAsync(await ZipFilesAsync(originalFirst, id), HttpStatusCode.TooManyRequests, "REQUESTS_EXCEEDED");

        // The exempt admin is not counted (RateLimits:ExemptAdmin).
        for (var i = 0; i < 3; i++) Assert.That((await ReadZipAsync(await ZipFilesAsync(client, id))).Keys, Has.Count.EqualTo(1));
    }

    [Test]
    public async Task FolderZipIsChargedForEveryOriginalBelowIt()
    {
        var root = await FolderKit.CreateAsync(client, FolderKit.Named("Budget"));
        var sub = await FolderKit.CreateAsync(client, "sub", root);
        await UploadAsync(client, RandomBytes(Size / 2), "a.bin", "application/octet-stream", root);
        var deep = await UploadAsync(client, RandomBytes(Size / 2), "b.bin", "application/octet-stream", sub);

        using var reader = await ReaderAsync();
        Assert.That((await ReadZipAsync(await FolderZip(reader, root))).Keys, Has.Count.EqualTo(3));
        // 700 KiB spent on the folder: the sub-folder's file alone no longer fits.
        await AssertErrorAsync(await reader.GetAsync($"/assets/{deep}"), HttpStatusCode.TooManyRequests, "REQUESTS_EXCEEDED");
    }

    private static Task<HttpResponseMessage> FolderZip(HttpClient reader, string folder) => ZipFolderAsync(reader, folder);

    [Test]
    public async Task RangesAreChargedForTheBytesTheySend()
    {
        var id = await UploadAsync(client, RandomBytes(Size), "ranged.bin", "application/octet-stream");
        using var reader = await ReaderAsync();
        for (var i = 0; i < 20; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"/assets/{id}");
            request.Headers.Range = new RangeHeaderValue(0, 999);
            using var range = await reader.SendAsync(request);
            Assert.That((int)range.StatusCode, Is.EqualTo(206));
        }
        Assert.That((await ReadZipAsync(await ZipFilesAsync(reader, id))).Keys, Has.Count.EqualTo(1), "20 KiB of ranges leave room for 700 KiB");
    }

    [Test]
    public async Task AnonymousCallersCannotZipWhenAssetsArePrivate()
    {
        var folder = await FolderKit.CreateAsync(client, FolderKit.Named("Private"));
        var id = await UploadAsync(client, TextBytes(100), "secret.txt", "text/plain", folder);
        using var anonymous = app.AnonymousClient();
        await AssertErrorAsync(await ZipFilesAsync(anonymous, id), HttpStatusCode.Forbidden, "FORBIDDEN");
        await AssertErrorAsync(await ZipFolderAsync(anonymous, folder), HttpStatusCode.Forbidden, "FORBIDDEN");
    }
}
