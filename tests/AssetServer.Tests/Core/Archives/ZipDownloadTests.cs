using System.Net;
using System.Net.Http.Headers;
using AssetServer.Storage;
using AssetServer.Tests.Support;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using static AssetServer.Tests.Archives.ZipKit;
using static AssetServer.Tests.Files.FilesKit;
using FilesKit = AssetServer.Tests.Files.FilesKit;
using static AssetServer.Tests.Folders.FolderKit;

namespace AssetServer.Tests.Archives;

/// <summary>
/// Issue 19: <c>POST /assets/files</c> and <c>POST /assets/folder/:id</c> over a real socket (Kestrel), on either stack,
/// with the original store counting what it reads: names, paths, store or deflate per entry, errors, tokens, and a
/// client that goes away stopping the work.
/// </summary>
public class ZipDownloadTests
{
    private AssetServerApp settings = null!;
    private WebApplicationFactory<Program> app = null!;
    private CountingOriginalStore originals = null!;
    private HttpClient admin = null!;

    [OneTimeSetUp]
    public void Start()
    {
        settings = new AssetServerApp(("RateLimits:UploadsPerMinute", "0"));
        // A factory made by WithWebHostBuilder does not pass UseKestrel's port on, so the server would fall back to its
        // default port 8055 (and collide with the other provider's suite): the listener is named here instead.
        app = settings.WithWebHostBuilder(builder => builder
            .ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0))
            .ConfigureServices(services =>
                services.AddSingleton<IOriginalStore>(sp => originals ??= new CountingOriginalStore(
                    sp.GetRequiredService<IOptions<StorageOptions>>().Value.IsS3
                        ? sp.GetRequiredService<global::AssetServer.Storage.S3.S3OriginalStore>()
                        : sp.GetRequiredService<LocalOriginalStore>()))));
        app.UseKestrel();
        app.StartServer();
        admin = Client(AssetServerApp.AdminToken);
    }

    [OneTimeTearDown]
    public void Stop()
    {
        admin.Dispose();
        app.Dispose();
        settings.Dispose();
    }

    private HttpClient Client(string? token = null)
    {
        var client = app.CreateClient();
        client.Timeout = TimeSpan.FromSeconds(60);
        if (token is not null) client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    [Test]
    public async Task FilesZipHoldsEachOriginalUnderItsDownloadName()
    {
        var jpeg = TestImages.Jpeg(64, 48);
        var png = TestImages.Png(40, 30);
        var text = TextBytes(20_000);
        var ids = new[]
        {
            await UploadAsync(admin, jpeg, "holiday.jpg", "image/jpeg"),
            await UploadAsync(admin, png, "chart.png", "image/png"),
            await UploadAsync(admin, text, "notes.txt", "text/plain"),
        };

        using var response = await ZipFilesAsync(admin, ids);
        var zip = await ReadZipAsync(response);

        Assert.That(zip.Keys, Is.EquivalentTo(new[] { "holiday.jpg", "chart.png", "notes.txt" }));
        Assert.That(zip["holiday.jpg"].Bytes, Is.EqualTo(jpeg));
        Assert.That(zip["chart.png"].Bytes, Is.EqualTo(png));
        Assert.That(zip["notes.txt"].Bytes, Is.EqualTo(text));
        Assert.That(response.Content.Headers.ContentDisposition!.FileNameStar, Is.EqualTo("files.zip"));
    }

    [Test]
    public async Task CompressedTypesAreStoredAndTheRestDeflated()
    {
        var ids = new[]
        {
            await UploadAsync(admin, TestImages.Jpeg(300, 200), "photo.jpg", "image/jpeg"),
            await UploadAsync(admin, TestImages.Png(120, 90), "diagram.png", "image/png"),
            await UploadAsync(admin, TestImages.Webp(120, 90), "banner.webp", "image/webp"),
            await UploadAsync(admin, TextBytes(50_000), "log.txt", "text/plain"),
            await UploadAsync(admin, TextBytes(30_000), "data.csv", "text/csv"),
        };

        using var response = await ZipFilesAsync(admin, ids);
        var zip = await ReadZipAsync(response);

        Assert.Multiple(() =>
        {
            foreach (var stored in new[] { "photo.jpg", "diagram.png", "banner.webp" })
                Assert.That(zip[stored].Stored, Is.True, $"{stored} is compressed already: stored");
            foreach (var deflated in new[] { "log.txt", "data.csv" })
                Assert.That(zip[deflated].CompressedLength, Is.LessThan(zip[deflated].Length / 4), $"{deflated} is deflated");
        });
    }

    [Test]
    public async Task EqualNamesAreNumberedBeforeTheExtension()
    {
        var a = TextBytes(100);
        var b = TextBytes(101);
        var c = TextBytes(102);
        var d = TextBytes(103);
        var e = TextBytes(104);
        var ids = new[]
        {
            await UploadAsync(admin, a, "photo.txt", "text/plain"),
            await UploadAsync(admin, b, "photo.txt", "text/plain"),
            await UploadAsync(admin, c, "PHOTO.TXT", "text/plain"),
            await UploadAsync(admin, d, "README", "text/plain"),
            await UploadAsync(admin, e, "README", "text/plain"),
        };

        using var response = await ZipFilesAsync(admin, ids);
        var zip = await ReadZipAsync(response);

        // In the order asked; case-insensitive, as the file systems most zips are opened on.
        Assert.That(zip.Keys, Is.EquivalentTo(new[] { "photo.txt", "photo (1).txt", "PHOTO (2).TXT", "README", "README (1)" }));
        Assert.That(zip["photo.txt"].Bytes, Is.EqualTo(a));
        Assert.That(zip["photo (1).txt"].Bytes, Is.EqualTo(b));
        Assert.That(zip["PHOTO (2).TXT"].Bytes, Is.EqualTo(c));
        Assert.That(zip["README (1)"].Bytes, Is.EqualTo(e));
    }

    [Test]
    public async Task FolderZipHoldsEverySubFolderWithItsPath()
    {
        var root = await CreateAsync(admin, Named("Holiday"));
        var sub = await CreateAsync(admin, "Day 1", root);
        var deep = await CreateAsync(admin, "Beach", sub);
        await CreateAsync(admin, "Empty", root);
        var outside = await CreateAsync(admin, Named("Elsewhere"));
        var top = TextBytes(500);
        var inSub = TestImages.Jpeg(50, 40);
        var inDeep = TextBytes(700);
        var dup = TextBytes(800);
        await UploadAsync(admin, top, "plan.txt", "text/plain", root);
        await UploadAsync(admin, inSub, "sunrise.jpg", "image/jpeg", sub);
        await UploadAsync(admin, inDeep, "sand.txt", "text/plain", deep);
        await UploadAsync(admin, dup, "sand.txt", "text/plain", deep);
        await UploadAsync(admin, TextBytes(10), "not-mine.txt", "text/plain", outside);

        using var response = await ZipFolderAsync(admin, root);
        var zip = await ReadZipAsync(response);

        Assert.That(zip.Keys, Is.EquivalentTo(new[]
        {
            "plan.txt", "Day 1/", "Day 1/sunrise.jpg", "Day 1/Beach/", "Day 1/Beach/sand.txt", "Day 1/Beach/sand (1).txt", "Empty/",
        }));
        Assert.That(zip["plan.txt"].Bytes, Is.EqualTo(top));
        Assert.That(zip["Day 1/sunrise.jpg"].Bytes, Is.EqualTo(inSub));
        Assert.That(new[] { zip["Day 1/Beach/sand.txt"].Bytes, zip["Day 1/Beach/sand (1).txt"].Bytes }, Is.EquivalentTo(new[] { inDeep, dup }));
        var folderName = (await GetAsync(admin, root))!["name"]!.GetValue<string>();
        Assert.That(response.Content.Headers.ContentDisposition!.FileNameStar, Is.EqualTo(folderName + ".zip"));
    }

    [Test]
    public async Task PathUnsafeNamesCannotLeaveTheirFolder()
    {
        var root = await CreateAsync(admin, Named("Unsafe"));
        var dots = await CreateAsync(admin, "..", root);
        var slashed = await CreateAsync(admin, "a/../../b", root);
        await CreateAsync(admin, "c\\d", root);
        var sameAsFile = await CreateAsync(admin, "same", root);
        await UploadAsync(admin, TextBytes(10), "x.txt", "text/plain", dots);
        await UploadAsync(admin, TextBytes(11), "y.txt", "text/plain", slashed);
        await UploadAsync(admin, TextBytes(12), "z.txt", "text/plain", sameAsFile);
        var file = await UploadAsync(admin, TextBytes(13), "same", "text/plain", root);
        // Whatever a PATCH lets through, the zip writes one segment.
        using (var patch = await admin.PatchAsync($"/files/{file}", FilesKit.Json("""{"filename_download":"..\\..\\escape.txt"}"""))) { }

        using var response = await ZipFolderAsync(admin, root);
        var zip = await ReadZipAsync(response);

        Assert.Multiple(() =>
        {
            foreach (var path in zip.Keys)
            {
                Assert.That(path, Does.Not.Contain("\\"), path);
                Assert.That(path, Does.Not.StartWith("/"), path);
                Assert.That(path.TrimEnd('/').Split('/'), Has.None.EqualTo("..").And.None.EqualTo(".").And.None.EqualTo(""), path);
            }
        });
        Assert.That(zip.Keys, Does.Contain("_/x.txt"));
        Assert.That(zip.Keys, Does.Contain("a_.._.._b/y.txt"));
        Assert.That(zip.Keys, Does.Contain("c_d/"));
        // A folder and a file of one name in one folder cannot both be extracted: the file is numbered.
        Assert.That(zip.Keys, Does.Contain("same/z.txt"));
        Assert.That(zip.Keys.Count(k => !k.EndsWith('/') && !k.Contains('/')), Is.EqualTo(1));
    }

    [Test]
    public async Task BadIdsAreBadRequestsAndMissingOnesForbidden()
    {
        var real = await UploadAsync(admin, TextBytes(40), "real.txt", "text/plain");
        Assert.Multiple(async () =>
        {
            await AssertErrorAsync(await admin.PostAsync("/assets/files", FilesKit.Json("{\"ids\":[")), HttpStatusCode.BadRequest, "INVALID_PAYLOAD");
            await AssertErrorAsync(await admin.PostAsync("/assets/files", FilesKit.Json("{\"ids\":[]}")), HttpStatusCode.BadRequest, "INVALID_PAYLOAD");
            await AssertErrorAsync(await admin.PostAsync("/assets/files", FilesKit.Json("{\"ids\":\"" + real + "\"}")), HttpStatusCode.BadRequest, "INVALID_PAYLOAD");
            await AssertErrorAsync(await admin.PostAsync("/assets/files", FilesKit.Json("{\"ids\":[42]}")), HttpStatusCode.BadRequest, "INVALID_PAYLOAD");
            await AssertErrorAsync(await admin.PostAsync("/assets/files", FilesKit.Json("{\"ids\":[\"" + real + "\"],\"zip\":1}")), HttpStatusCode.BadRequest, "INVALID_PAYLOAD");
            await AssertErrorAsync(await ZipFilesAsync(admin, real, "not-a-uuid"), HttpStatusCode.BadRequest, "INVALID_PAYLOAD");
            await AssertErrorAsync(await ZipFilesAsync(admin, real, Guid.NewGuid().ToString()), HttpStatusCode.Forbidden, "FORBIDDEN");
            await AssertErrorAsync(await ZipFolderAsync(admin, "not-a-uuid"), HttpStatusCode.BadRequest, "INVALID_PAYLOAD");
            await AssertErrorAsync(await ZipFolderAsync(admin, Guid.NewGuid().ToString()), HttpStatusCode.Forbidden, "FORBIDDEN");
        });
    }

    [Test]
    public async Task ReadTokensZipAndAnonymousCallersOnlyWhatAssetsServesThem()
    {
        var folder = await CreateAsync(admin, Named("Tokens"));
        var id = await UploadAsync(admin, TextBytes(300), "token.txt", "text/plain", folder);
        using var reader = await TokenClientAsync(admin, "read");
        using var anonymous = Client();
        using var madeUp = Client("not-a-token-of-this-server");

        Assert.That((await ReadZipAsync(await ZipFilesAsync(reader, id))).Keys, Is.EqualTo(new[] { "token.txt" }));
        Assert.That((await ReadZipAsync(await ZipFolderAsync(reader, folder))).Keys, Is.EqualTo(new[] { "token.txt" }));
        // Auth:PublicAssets (default true): anyone may fetch an original by id, so also zip it; a folder lists contents.
        Assert.That((await ReadZipAsync(await ZipFilesAsync(anonymous, id))).Keys, Is.EqualTo(new[] { "token.txt" }));
        await AssertErrorAsync(await ZipFolderAsync(anonymous, folder), HttpStatusCode.Forbidden, "FORBIDDEN");
        await AssertErrorAsync(await ZipFilesAsync(madeUp, id), HttpStatusCode.Unauthorized, "INVALID_CREDENTIALS");
        await AssertErrorAsync(await ZipFolderAsync(madeUp, folder), HttpStatusCode.Unauthorized, "INVALID_CREDENTIALS");
    }

    private async Task<HttpClient> TokenClientAsync(HttpClient adminClient, string access)
    {
        using var created = await adminClient.PostAsync("/tokens", FilesKit.Json($$"""{"name":"{{access}}-{{Guid.NewGuid():N}}","access":"{{access}}"}"""));
        var text = await created.Content.ReadAsStringAsync();
        Assert.That(created.IsSuccessStatusCode, text);
        return Client(System.Text.Json.Nodes.JsonNode.Parse(text)!["data"]!["token"]!.GetValue<string>());
    }

    /// <summary>
    /// 24 originals of 2 MiB (past the memory tier, so every read goes to the store, by range on S3). A full download
    /// reads them all; a client that reads 16 KiB and goes away leaves the server reading a small part of them (what
    /// fills the socket buffers), where writes to a closed connection that Kestrel silently drops would read all.
    /// </summary>
    [Test]
    public async Task ClientThatGoesAwayStopsTheReadOfOriginals()
    {
        const int Files = 24, Size = 2 << 20;
        var folder = await CreateAsync(admin, Named("Large"));
        for (var i = 0; i < Files; i++) await UploadAsync(admin, RandomBytes(Size), $"part-{i:D2}.bin", "video/mp4", folder);
        const long Total = (long)Files * Size;

        // The observable works: a whole download reads every byte.
        var before = originals.BytesRead;
        var whole = await ReadZipAsync(await ZipFolderAsync(admin, folder));
        Assert.That(whole, Has.Count.EqualTo(Files));
        Assert.That(originals.BytesRead - before, Is.GreaterThanOrEqualTo(Total));

        before = originals.BytesRead;
        using (var client = Client(AssetServerApp.AdminToken))
        using (var request = new HttpRequestMessage(HttpMethod.Post, $"/assets/folder/{folder}"))
        using (var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead))
        {
            Assert.That((int)response.StatusCode, Is.EqualTo(200));
            await using var body = await response.Content.ReadAsStreamAsync();
            var buffer = new byte[16 * 1024];
            var read = 0;
            while (read < buffer.Length)
            {
                var n = await body.ReadAsync(buffer.AsMemory(read));
                if (n == 0) break;
                read += n;
            }
            Assert.That(read, Is.EqualTo(buffer.Length), "the zip's first bytes arrive before the server has read every original");
        }

        // Liveness bound only: wait until the server's reads stop moving, then see how far they got.
        long last = -1, now = originals.BytesRead - before;
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (now != last && DateTime.UtcNow < deadline)
        {
            last = now;
            await Task.Delay(1000);
            now = originals.BytesRead - before;
        }
        Assert.That(now, Is.EqualTo(last), "the server's reads of originals stopped");
        Assert.That(now, Is.LessThan(Total / 2), $"read {now} of {Total} bytes after the client went away");
    }
}
