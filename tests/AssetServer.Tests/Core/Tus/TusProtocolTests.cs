using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using AssetServer.Tests.Support;
using Microsoft.Extensions.Time.Testing;
using static AssetServer.Tests.Files.FilesKit;
using static AssetServer.Tests.Tus.TusKit;

namespace AssetServer.Tests.Tus;

/// <summary>Issue 19: the tus 1.0 protocol at <c>/files/tus</c>, spoken over HTTP as a tus client speaks it.</summary>
public class TusProtocolTests : AdminAppFixture
{
    private const long MaxBytes = 4 << 20;

    private readonly FakeTimeProvider clock = AssetServerApp.SteppingClock();

    // The sweep runs when a test says so: the fake clock is moved past expiry, and the timer would race the test.
    protected override AssetServerApp CreateApp() =>
        new(("Uploads:MaxBytes", MaxBytes.ToString()), ("Tus:SweepInterval", "30d")) { Clock = clock };

    [Test]
    public async Task OptionsNamesVersionExtensionsAndMaxSize()
    {
        using var anonymous = app.AnonymousClient();
        using var response = await anonymous.SendAsync(new HttpRequestMessage(HttpMethod.Options, "/files/tus"));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
        Assert.That(Header(response, "Tus-Version"), Is.EqualTo("1.0.0"));
        Assert.That(Header(response, "Tus-Extension").Split(','), Is.EquivalentTo(new[] { "creation", "termination", "expiration" }));
        Assert.That(Header(response, "Tus-Max-Size"), Is.EqualTo(MaxBytes.ToString()));
        Assert.That(Header(response, "Tus-Resumable"), Is.EqualTo("1.0.0"));
    }

    [Test]
    public async Task UploadIsNoFileUntilItsLastChunkThenIsOneLikeAMultipartUpload()
    {
        var jpeg = TestImages.Jpeg(300, 200);
        var title = Unique("tus");
        var rows = await app.RowCountAsync();
        var url = await CreateOkAsync(client, jpeg.Length, Meta(("filename_download", "holiday.jpg"), ("type", "image/jpeg"), ("title", title)));
        Assert.That(url, Does.StartWith("/files/tus/"));

        using (var head = await HeadAsync(client, url))
        {
            Assert.That(head.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(Offset(head), Is.EqualTo(0));
            Assert.That(Header(head, "Upload-Length"), Is.EqualTo(jpeg.Length.ToString()));
            Assert.That(head.Headers.CacheControl!.NoStore, Is.True);
            Assert.That(Header(head, "Tus-Resumable"), Is.EqualTo("1.0.0"));
            Assert.That(DateTimeOffset.Parse(Header(head, "Upload-Expires")), Is.GreaterThan(clock.GetUtcNow()));
        }
        var half = jpeg.Length / 2;
        using (var first = await PatchAsync(client, url, 0, jpeg[..half]))
        {
            Assert.That(first.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
            Assert.That(Offset(first), Is.EqualTo(half));
            Assert.That(Header(first, "Directus-File-Id"), Is.Empty);
        }
        // Half an upload is in no list, count or aggregate, and has no row.
        Assert.That(await app.RowCountAsync(), Is.EqualTo(rows));
        var listed = (await DataAsync(await client.GetAsync($"/files?filter[title][_eq]={title}"))).AsArray();
        Assert.That(listed, Is.Empty);
        var counted = await DataAsync(await client.GetAsync($"/files?aggregate[count]=*&filter[title][_eq]={title}"));
        Assert.That(counted[0]!["count"]!.GetValue<long>(), Is.EqualTo(0));

        using var last = await PatchAsync(client, url, half, jpeg[half..]);
        Assert.That(last.StatusCode, Is.EqualTo(HttpStatusCode.NoContent), await last.Content.ReadAsStringAsync());
        Assert.That(Offset(last), Is.EqualTo(jpeg.Length));
        var id = Header(last, "Directus-File-Id");
        var file = await DataAsync(await client.GetAsync($"/files/{id}"));
        Assert.That(Str(file, "filename_download"), Is.EqualTo("holiday.jpg"));
        Assert.That(Str(file, "title"), Is.EqualTo(title));
        Assert.That(Str(file, "type"), Is.EqualTo("image/jpeg"));
        Assert.That(file["filesize"]!.GetValue<long>(), Is.EqualTo(jpeg.Length));
        Assert.That(file["width"]!.GetValue<int>(), Is.EqualTo(300), "scraped as a multipart upload is");
        Assert.That(Str(file, "checksum"), Is.EqualTo(Sha256(jpeg)));
        Assert.That(await File.ReadAllBytesAsync(app.OriginalFile(Str(file, "filename_disk"))), Is.EqualTo(jpeg));
        var activity = (await DataAsync(await client.GetAsync($"/activity?filter[item][_eq]={id}"))).AsArray();
        Assert.That(activity.Select(a => Str(a!, "action")), Is.EqualTo(new[] { "create" }), "the upload is logged once, as a create");
        // Finished: the upload URL is gone, and so are its bytes.
        using var after = await HeadAsync(client, url);
        Assert.That(after.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That(await BytesKeptAsync(app, IdOf(url)), Is.Zero);
    }

    [Test]
    public async Task ChunkAtTheWrongOffsetIsAConflictAndChangesNothing()
    {
        var bytes = TextBytes(1000);
        var url = await CreateOkAsync(client, bytes.Length, Meta(("filename_download", "a.txt")));
        (await PatchAsync(client, url, 0, bytes[..400])).Dispose();
        using var behind = await PatchAsync(client, url, 0, bytes[..400]);
        var error = await AssertErrorAsync(behind, HttpStatusCode.Conflict, "INVALID_OFFSET");
        Assert.That(error["extensions"]!["offset"]!.GetValue<long>(), Is.EqualTo(400));
        Assert.That(Header(behind, "Tus-Resumable"), Is.EqualTo("1.0.0"), "on errors too");
        using var ahead = await PatchAsync(client, url, 600, bytes[600..]);
        await AssertErrorAsync(ahead, HttpStatusCode.Conflict, "INVALID_OFFSET");
        using var head = await HeadAsync(client, url);
        Assert.That(Offset(head), Is.EqualTo(400));
    }

    [Test]
    public async Task ChunkOfAnotherContentTypeIsUnsupportedMediaType()
    {
        var url = await CreateOkAsync(client, 10, Meta(("filename_download", "a.txt")));
        using var response = await PatchAsync(client, url, 0, TextBytes(10), "application/octet-stream");
        await AssertErrorAsync(response, HttpStatusCode.UnsupportedMediaType, "UNSUPPORTED_MEDIA_TYPE");
        using var head = await HeadAsync(client, url);
        Assert.That(Offset(head), Is.EqualTo(0));
    }

    [Test]
    public async Task BodyPastTheDeclaredLengthIsRefusedAndNothingOfItKept()
    {
        var bytes = TextBytes(100);
        var url = await CreateOkAsync(client, bytes.Length, Meta(("filename_download", "a.txt")));
        using (var sized = await PatchAsync(client, url, 0, TextBytes(101)))
            await AssertErrorAsync(sized, HttpStatusCode.RequestEntityTooLarge, "CONTENT_TOO_LARGE");
        // Without a Content-Length the body is read up to the length, and one byte more is the refusal.
        using (var streamed = await PatchAsync(client, url, 0, new StreamContent(new UnknownLengthStream(TextBytes(150)))))
            await AssertErrorAsync(streamed, HttpStatusCode.RequestEntityTooLarge, "CONTENT_TOO_LARGE");
        using (var head = await HeadAsync(client, url)) Assert.That(Offset(head), Is.EqualTo(0));
        using var right = await PatchAsync(client, url, 0, bytes);
        Assert.That(right.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
        var file = await DataAsync(await client.GetAsync($"/files/{Header(right, "Directus-File-Id")}"));
        Assert.That(Str(file, "checksum"), Is.EqualTo(Sha256(bytes)));
    }

    [Test]
    public async Task CreationIsCheckedBeforeAnyByte()
    {
        using (var noName = await CreateAsync(client, 10, Meta(("title", "x"))))
            await AssertErrorAsync(noName, HttpStatusCode.BadRequest, "INVALID_PAYLOAD");
        using (var unknown = await CreateAsync(client, 10, Meta(("filename_download", "a.txt"), ("colour", "red"))))
            await AssertErrorAsync(unknown, HttpStatusCode.BadRequest, "INVALID_PAYLOAD");
        using (var tooBig = await CreateAsync(client, MaxBytes + 1, Meta(("filename_download", "a.txt"))))
            await AssertErrorAsync(tooBig, HttpStatusCode.RequestEntityTooLarge, "CONTENT_TOO_LARGE");
        using (var noFolder = await CreateAsync(client, 10, Meta(("filename_download", "a.txt"), ("folder", Guid.NewGuid().ToString()))))
            await AssertErrorAsync(noFolder, HttpStatusCode.BadRequest, "INVALID_FOREIGN_KEY");
        using (var noFile = await CreateAsync(client, 10, Meta(("filename_download", "a.txt"), ("id", Guid.NewGuid().ToString()))))
            await AssertErrorAsync(noFile, HttpStatusCode.Forbidden, "FORBIDDEN");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/files/tus");
        request.Headers.Add("Upload-Length", "10");
        using var noVersion = await client.SendAsync(request);
        await AssertErrorAsync(noVersion, HttpStatusCode.PreconditionFailed, "UNSUPPORTED_TUS_VERSION");
        Assert.That(Header(noVersion, "Tus-Version"), Is.EqualTo("1.0.0"));
    }

    [Test]
    public async Task UploadsNeedAWriteToken()
    {
        using var anonymous = app.AnonymousClient();
        using (var response = await CreateAsync(anonymous, 10, Meta(("filename_download", "a.txt"))))
            await AssertErrorAsync(response, HttpStatusCode.Forbidden, "FORBIDDEN");
        using var created = await client.PostAsync("/tokens", Json("""{"name":"reader","access":"read"}"""));
        var token = (await DataAsync(created))["token"]!.GetValue<string>();
        using var reader = app.CreateClient();
        reader.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using (var response = await CreateAsync(reader, 10, Meta(("filename_download", "a.txt"))))
            await AssertErrorAsync(response, HttpStatusCode.Forbidden, "FORBIDDEN");
        var url = await CreateOkAsync(client, 10, Meta(("filename_download", "a.txt")));
        using var patch = await PatchAsync(reader, url, 0, TextBytes(10));
        await AssertErrorAsync(patch, HttpStatusCode.Forbidden, "FORBIDDEN");
    }

    [Test]
    public async Task TerminationRemovesTheUploadAndItsBytes()
    {
        var url = await CreateOkAsync(client, 1000, Meta(("filename_download", "a.txt")));
        (await PatchAsync(client, url, 0, TextBytes(300))).Dispose();
        Assert.That(await BytesKeptAsync(app, IdOf(url)), Is.GreaterThan(0));
        using var delete = await client.SendAsync(TusRequest(HttpMethod.Delete, url));
        Assert.That(delete.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
        Assert.That(Header(delete, "Tus-Resumable"), Is.EqualTo("1.0.0"));
        using var head = await HeadAsync(client, url);
        Assert.That(head.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        using var patch = await PatchAsync(client, url, 300, TextBytes(700));
        await AssertErrorAsync(patch, HttpStatusCode.NotFound, "NOT_FOUND");
        Assert.That(await BytesKeptAsync(app, IdOf(url)), Is.Zero);
    }

    [Test]
    public async Task UnfinishedUploadExpiresAndIsSweptWithItsBytes()
    {
        var url = await CreateOkAsync(client, 1000, Meta(("filename_download", "a.txt")));
        using (var first = await PatchAsync(client, url, 0, TextBytes(300)))
            Assert.That(DateTimeOffset.Parse(Header(first, "Upload-Expires")), Is.GreaterThan(clock.GetUtcNow() + TimeSpan.FromMinutes(9)));
        var sweeper = app.Service<AssetServer.Tus.TusSweeper>();
        Assert.That(await sweeper.SweepAsync(CancellationToken.None), Is.Zero, "not expired yet");

        clock.Advance(TimeSpan.FromMinutes(11));
        using (var head = await HeadAsync(client, url)) Assert.That(head.StatusCode, Is.EqualTo(HttpStatusCode.Gone));
        using (var patch = await PatchAsync(client, url, 300, TextBytes(700)))
            await AssertErrorAsync(patch, HttpStatusCode.Gone, "UPLOAD_EXPIRED");
        Assert.That(await sweeper.SweepAsync(CancellationToken.None), Is.GreaterThanOrEqualTo(1));
        using (var head = await HeadAsync(client, url)) Assert.That(head.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That(await BytesKeptAsync(app, IdOf(url)), Is.Zero);
    }

    [Test]
    public async Task IdInTheMetadataReplacesThatFilesBytesOnCompletion()
    {
        var original = await app.UploadOkAsync(TestImages.Jpeg(40, 30), "old.jpg", "image/jpeg");
        var id = Str(original, "id");
        var png = TestImages.Png(64, 48);
        var url = await CreateOkAsync(client, png.Length, Meta(("filename_download", "new.png"), ("id", id)));
        (await PatchAsync(client, url, 0, png[..100])).Dispose();
        // Until the last chunk the file is what it was.
        Assert.That(Str(await DataAsync(await client.GetAsync($"/files/{id}")), "type"), Is.EqualTo("image/jpeg"));
        using var last = await PatchAsync(client, url, 100, png[100..]);
        Assert.That(Header(last, "Directus-File-Id"), Is.EqualTo(id));
        var file = await DataAsync(await client.GetAsync($"/files/{id}"));
        Assert.That(Str(file, "type"), Is.EqualTo("image/png"));
        Assert.That(file["width"]!.GetValue<int>(), Is.EqualTo(64));
        Assert.That(Str(file, "filename_download"), Is.EqualTo("new.png"));
        Assert.That(await File.ReadAllBytesAsync(app.OriginalFile(Str(file, "filename_disk"))), Is.EqualTo(png));
        using var asset = await client.GetAsync($"/assets/{id}");
        Assert.That(await asset.Content.ReadAsByteArrayAsync(), Is.EqualTo(png));
    }

    [Test]
    public async Task CompletionThatFailsEndsTheUploadAndLeavesNothing()
    {
        var target = await app.UploadOkAsync(TextBytes(50), "target.txt", "text/plain");
        var id = Str(target, "id");
        var bytes = TextBytes(600);
        var url = await CreateOkAsync(client, bytes.Length, Meta(("filename_download", "late.txt"), ("id", id)));
        (await PatchAsync(client, url, 0, bytes[..300])).Dispose();
        // The file it was to replace is deleted meanwhile: the last chunk cannot complete.
        (await client.DeleteAsync($"/files/{id}")).Dispose();
        var rows = await app.RowCountAsync();
        using var last = await PatchAsync(client, url, 300, bytes[300..]);
        await AssertErrorAsync(last, HttpStatusCode.Forbidden, "FORBIDDEN");
        Assert.That(await app.RowCountAsync(), Is.EqualTo(rows));
        using (var head = await HeadAsync(client, url)) Assert.That(head.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That(await BytesKeptAsync(app, IdOf(url)), Is.Zero);
        Assert.That(app.TempFilesOnDisk(), Is.Empty);
    }

    [Test]
    public async Task FolderInTheMetadataFilesTheUpload()
    {
        using var created = await client.PostAsync("/folders", Json($$"""{"name":"{{Unique("tus")}}"}"""));
        var folder = Str(await DataAsync(created), "id");
        var id = await UploadAsync(client, TextBytes(500), Meta(("filename_download", "in-folder.txt"), ("folder", folder)), 200);
        var file = await DataAsync(await client.GetAsync($"/files/{id}"));
        Assert.That(Str(file, "folder"), Is.EqualTo(folder));
    }

    [Test]
    public async Task AnUploadLeftCompleteByACrashEndsWith404NotA500()
    {
        var bytes = TestImages.Png(20, 20);
        var url = await CreateOkAsync(client, bytes.Length, Meta(("filename_download", "cut.png")));
        var rows = await app.RowCountAsync();
        // What a crash between assembling the bytes and removing the row leaves: every byte recorded, no bytes kept.
        await using (var connection = await app.Service<AssetServer.Data.Database>().OpenAsync())
            await Dapper.SqlMapper.ExecuteAsync(connection, "UPDATE tus_uploads SET upload_offset = length WHERE id = @id", new { id = IdOf(url) });

        using (var patch = await PatchAsync(client, url, bytes.Length, Array.Empty<byte>()))
            Assert.That(patch.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        using (var head = await HeadAsync(client, url))
            Assert.That(head.StatusCode, Is.EqualTo(HttpStatusCode.NotFound), "the upload has ended");
        Assert.That(await app.RowCountAsync(), Is.EqualTo(rows), "no file was made");
    }

    private static string Str(JsonNode node, string key) => node[key]!.GetValue<string>();

    /// <summary>A body whose length the client cannot know, so it is sent chunked (no Content-Length).</summary>
    private sealed class UnknownLengthStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
    }
}
