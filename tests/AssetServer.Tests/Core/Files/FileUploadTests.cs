using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using AssetServer.Tests.Support;
using static AssetServer.Tests.Files.FilesKit;

namespace AssetServer.Tests.Files;

/// <summary><c>POST /files</c> multipart and JSON: the file object, per-file fields, bytes on disk.</summary>
public class FileUploadTests
{
    private AssetServerApp app = null!;

    [OneTimeSetUp]
    public void Start() => app = new AssetServerApp();

    [OneTimeTearDown]
    public void Stop() => app.Dispose();

    private static readonly string[] DirectusFieldOrder =
    [
        "id", "storage", "filename_disk", "filename_download", "title", "type", "folder", "uploaded_by", "created_on",
        "modified_by", "modified_on", "charset", "filesize", "width", "height", "duration", "embed", "description",
        "location", "tags", "metadata", "focal_point_x", "focal_point_y", "uploaded_on", "checksum",
    ];

    [Test]
    public async Task SingleUploadReturnsEveryFieldInDirectusOrder()
    {
        var bytes = TestImages.Jpeg(64, 48);
        var before = DateTime.UtcNow.AddSeconds(-5);
        var file = await app.UploadOkAsync(bytes, "Sunset.jpg", "image/jpeg");

        Assert.That(file.Select(p => p.Key).ToArray(), Is.EqualTo(DirectusFieldOrder));
        var id = Str(file, "id");
        Assert.That(Guid.TryParseExact(id, "D", out _), Is.True, id);
        Assert.That(Str(file, "storage"), Is.EqualTo(TestStorage.Provider));
        Assert.That(Str(file, "filename_disk"), Does.Match($"^{Regex.Escape(id)}\\.[A-Za-z0-9]+$"));
        Assert.That(Str(file, "filename_disk"), Does.Not.Contain("Sunset"));
        Assert.That(Str(file, "filename_download"), Is.EqualTo("Sunset.jpg"));
        Assert.That(Str(file, "title"), Is.EqualTo("Sunset"));
        Assert.That(Str(file, "type"), Is.Not.Empty);
        Assert.That(file["filesize"]!.GetValue<long>(), Is.EqualTo(bytes.Length));
        Assert.That(Str(file, "checksum"), Is.EqualTo(Sha256(bytes)));
        foreach (var name in new[] { "folder", "uploaded_by", "modified_by", "description", "location", "tags", "focal_point_x", "focal_point_y" })
            Assert.That(file[name], Is.Null, name);
        foreach (var name in new[] { "created_on", "uploaded_on", "modified_on" })
        {
            var text = Str(file, name);
            Assert.That(text, Does.EndWith("Z"), name);
            var parsed = DateTime.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);
            Assert.That(parsed, Is.GreaterThan(before).And.LessThan(DateTime.UtcNow.AddSeconds(5)), name);
        }
    }

    [Test]
    public async Task UploadedBytesAreOnDiskUnchanged()
    {
        var bytes = TestImages.Png(40, 30);
        var file = await app.UploadOkAsync(bytes, "disk.png", "image/png");
        Assert.That(await File.ReadAllBytesAsync(ReadOriginalPath(app, file)), Is.EqualTo(bytes));
        Assert.That(app.TempFilesOnDisk(), Is.Empty);
    }

    [Test]
    public async Task UploadedFileCanBeReadBack()
    {
        var file = await app.UploadOkAsync(TextBytes(33), "readback.txt", "text/plain");
        using var client = app.AdminClient();
        var read = await DataAsync(await client.GetAsync($"/files/{Str(file, "id")}"));
        Assert.That(read.ToJsonString(), Is.EqualTo(file.ToJsonString()));
    }

    [Test]
    public async Task SeveralFilesWithTheirOwnFields()
    {
        var first = TextBytes(11);
        var second = TextBytes(22);
        using var form = new MultipartFormDataContent();
        form.Add(new StringContent("First"), "title");
        form.Add(new ByteArrayContent(first), "file", "first.txt");
        form.Add(new StringContent("Second"), "title");
        form.Add(new StringContent("second description"), "description");
        form.Add(new ByteArrayContent(second), "file", "second.txt");
        using var client = app.AdminClient();
        var data = (await DataAsync(await client.PostAsync("/files", form))).AsArray();

        Assert.That(data, Has.Count.EqualTo(2));
        var a = data.Single(f => Str(f!, "filename_download") == "first.txt")!;
        var b = data.Single(f => Str(f!, "filename_download") == "second.txt")!;
        Assert.That(Str(a, "title"), Is.EqualTo("First"));
        Assert.That(a["description"], Is.Null, "fields reset after each file part");
        Assert.That(a["filesize"]!.GetValue<long>(), Is.EqualTo(11));
        Assert.That(Str(a, "checksum"), Is.EqualTo(Sha256(first)));
        Assert.That(Str(b, "title"), Is.EqualTo("Second"));
        Assert.That(Str(b, "description"), Is.EqualTo("second description"));
        Assert.That(b["filesize"]!.GetValue<long>(), Is.EqualTo(22));
        Assert.That(Str(b, "checksum"), Is.EqualTo(Sha256(second)));
        Assert.That(Str(a, "id"), Is.Not.EqualTo(Str(b, "id")));
        Assert.That(await File.ReadAllBytesAsync(ReadOriginalPath(app, a)), Is.EqualTo(first));
        Assert.That(await File.ReadAllBytesAsync(ReadOriginalPath(app, b)), Is.EqualTo(second));
    }

    [Test]
    public async Task FieldAfterTheLastFileIsIgnored()
    {
        using var form = new MultipartFormDataContent();
        form.Add(new ByteArrayContent(TextBytes(12)), "file", "Lonely.txt");
        form.Add(new StringContent("After"), "title");
        using var client = app.AdminClient();
        var data = await DataAsync(await client.PostAsync("/files", form));
        Assert.That(data, Is.InstanceOf<JsonObject>(), "one file gives one object, not an array");
        Assert.That(Str(data, "title"), Is.EqualTo("Lonely"));
    }

    [Test]
    public async Task FieldsParameterShapesTheUploadAnswer()
    {
        using var form = new MultipartFormDataContent();
        form.Add(new StringContent("Shaped"), "title");
        form.Add(new ByteArrayContent(TextBytes(5)), "file", "shaped.txt");
        using var client = app.AdminClient();
        var data = await DataAsync(await client.PostAsync("/files?fields=id,title", form));
        Assert.That(data.AsObject().Select(p => p.Key), Is.EqualTo(new[] { "id", "title" }));
        Assert.That(Str(data, "title"), Is.EqualTo("Shaped"));
    }

    [TestCase("[\"red\",\"blue\"]")]
    [TestCase("red, blue")]
    [TestCase("red,blue")]
    public async Task TagsAsJsonTextOrCommaList(string sent)
    {
        var file = await app.UploadOkAsync(TextBytes(9), "tags.txt", "text/plain", ("tags", sent));
        Assert.That(file["tags"]!.AsArray().Select(t => t!.GetValue<string>()), Is.EqualTo(new[] { "red", "blue" }));
    }

    [Test]
    public async Task DescriptionLocationAndFocalPointFields()
    {
        var file = await app.UploadOkAsync(TextBytes(9), "fields.txt", "text/plain",
            ("description", "A long description"), ("location", "Lisbon, Portugal"), ("focal_point_x", "12"), ("focal_point_y", "34"));
        Assert.That(Str(file, "description"), Is.EqualTo("A long description"));
        Assert.That(Str(file, "location"), Is.EqualTo("Lisbon, Portugal"));
        Assert.That(file["focal_point_x"]!.GetValue<int>(), Is.EqualTo(12));
        Assert.That(file["focal_point_y"]!.GetValue<int>(), Is.EqualTo(34));
    }

    [Test]
    public async Task NullTextFieldBecomesNull()
    {
        var file = await app.UploadOkAsync(TextBytes(9), "Nulled.txt", "text/plain", ("title", "null"), ("description", "null"));
        Assert.That(file["title"], Is.Null);
        Assert.That(file["description"], Is.Null);
    }

    [Test]
    public async Task JsonCreateWithTypeMakesAnEmptyRecord()
    {
        using var client = app.AdminClient();
        var data = await DataAsync(await client.PostAsync("/files",
            Json($$"""{"type":"image/jpeg","title":"Placeholder","filename_download":"later.jpg","storage":"{{TestStorage.Provider}}"}""")));
        Assert.That(data["filesize"]!.GetValue<long>(), Is.EqualTo(0));
        Assert.That(Str(data, "type"), Is.EqualTo("image/jpeg"));
        Assert.That(Str(data, "title"), Is.EqualTo("Placeholder"));
        Assert.That(Str(data, "filename_download"), Is.EqualTo("later.jpg"));
        Assert.That(Str(data, "filename_disk"), Does.StartWith(Str(data, "id") + "."));
        var read = await DataAsync(await client.GetAsync($"/files/{Str(data, "id")}"));
        Assert.That(Str(read, "title"), Is.EqualTo("Placeholder"));
    }

    [Test]
    public async Task JsonCreateWithoutTypeIsInvalidPayload()
    {
        var before = await SnapshotAsync(app);
        using var client = app.AdminClient();
        await AssertErrorAsync(await client.PostAsync("/files", Json("""{"title":"No type"}""")), HttpStatusCode.BadRequest, "INVALID_PAYLOAD");
        await AssertNothingLeftBehindAsync(app, before);
    }

    [Test]
    public async Task MultipartWithContentTypeCaseAndQuotedBoundaryIsAccepted()
    {
        var raw = new RawMultipart("quoted-boundary").Field("title", "Quoted").File("q.txt", TextBytes(7)).End();
        var content = new ByteArrayContent(raw.Bytes);
        content.Headers.TryAddWithoutValidation("Content-Type", "Multipart/Form-Data; boundary=\"quoted-boundary\"");
        using var client = app.AdminClient();
        var data = await DataAsync(await client.PostAsync("/files", content));
        Assert.That(Str(data, "title"), Is.EqualTo("Quoted"));
    }

    [Test]
    public async Task FileNameStarIsUsedForUnicodeNames()
    {
        var raw = new RawMultipart()
            .FileWithDisposition("filename=\"fallback.txt\"; filename*=UTF-8''%C3%BCber%20caf%C3%A9.txt", TextBytes(7), "text/plain").End();
        using var client = app.AdminClient();
        var data = await DataAsync(await client.PostAsync("/files", raw.Content()));
        Assert.That(Str(data, "filename_download"), Is.EqualTo("über café.txt"));
    }

    [Test]
    public async Task TypeAndStorageFieldsAreAcceptedOnUpload()
    {
        // Directus clients send these; the type is still decided by the server.
        var file = await app.UploadOkAsync(TextBytes(9), "typed.txt", "text/plain", ("storage", TestStorage.Provider), ("type", "image/png"));
        Assert.That(Str(file, "storage"), Is.EqualTo(TestStorage.Provider));
        Assert.That(Str(file, "type"), Is.Not.EqualTo("image/png"), "a client's type field must not override sniffing");
    }

    [Test]
    public async Task MetadataFieldMustBeAnObject()
    {
        var before = await SnapshotAsync(app);
        using var response = await app.UploadAsync(TextBytes(9), "meta.txt", "text/plain", ("metadata", "[1,2]"));
        await AssertErrorAsync(response, HttpStatusCode.BadRequest, "INVALID_PAYLOAD");
        await AssertNothingLeftBehindAsync(app, before);
    }
}
