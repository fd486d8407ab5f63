using System.Net;
using System.Text.Json.Nodes;
using AssetServer.Tests.Support;
using static AssetServer.Tests.Files.FilesKit;

namespace AssetServer.Tests.Files;

/// <summary><c>PATCH /files/:id</c> (JSON and multipart replace) and <c>PATCH /files</c>.</summary>
public class FileUpdateTests : AdminAppFixture
{
    // Every stored timestamp differs by at least a millisecond, without sleeping.
    protected override AssetServerApp CreateApp() => new() { Clock = AssetServerApp.SteppingClock() };

    private Task<JsonObject> UploadAsync(string title) =>
        app.UploadOkAsync(TextBytes(16), $"{title}.txt", "text/plain", ("title", title));

    private async Task<HttpResponseMessage> PatchAsync(string url, string json) =>
        await client.PatchAsync(url, Json(json));

    [Test]
    public async Task PatchWritesFieldsAndModifiedOn()
    {
        var file = await UploadAsync(Unique("p"));
        var id = Str(file, "id");
        var data = await DataAsync(await PatchAsync($"/files/{id}",
            """{"title":"Renamed","description":"Now described","tags":["x","y"],"focal_point_x":100,"focal_point_y":200,"location":"Oslo","filename_download":"renamed.txt"}"""));

        Assert.That(Str(data, "title"), Is.EqualTo("Renamed"));
        Assert.That(Str(data, "description"), Is.EqualTo("Now described"));
        Assert.That(data["tags"]!.AsArray().Select(t => t!.GetValue<string>()), Is.EqualTo(new[] { "x", "y" }));
        Assert.That(data["focal_point_x"]!.GetValue<int>(), Is.EqualTo(100));
        Assert.That(data["focal_point_y"]!.GetValue<int>(), Is.EqualTo(200));
        Assert.That(Str(data, "location"), Is.EqualTo("Oslo"));
        Assert.That(Str(data, "filename_download"), Is.EqualTo("renamed.txt"));
        Assert.That(Str(data, "modified_on"), Is.Not.EqualTo(Str(file, "modified_on")));
        Assert.That(string.CompareOrdinal(Str(data, "modified_on"), Str(file, "modified_on")), Is.GreaterThan(0));
        Assert.That(Str(data, "created_on"), Is.EqualTo(Str(file, "created_on")));
        Assert.That(Str(data, "checksum"), Is.EqualTo(Str(file, "checksum")));
        Assert.That(Str(data, "filename_disk"), Is.EqualTo(Str(file, "filename_disk")));

        var read = await DataAsync(await client.GetAsync($"/files/{id}"));
        Assert.That(read.ToJsonString(), Is.EqualTo(data.ToJsonString()));
    }

    [Test]
    public async Task PatchWithNullClearsAField()
    {
        var file = await app.UploadOkAsync(TextBytes(16), "clear.txt", "text/plain", ("description", "to clear"), ("tags", "a,b"));
        var data = await DataAsync(await PatchAsync($"/files/{Str(file, "id")}", """{"description":null,"tags":null}"""));
        Assert.That(data["description"], Is.Null);
        Assert.That(data["tags"], Is.Null);
    }

    [Test]
    public async Task PatchLeavesUnsentFieldsAlone()
    {
        var file = await app.UploadOkAsync(TextBytes(16), "keep.txt", "text/plain", ("title", "Kept"), ("description", "Kept too"));
        var data = await DataAsync(await PatchAsync($"/files/{Str(file, "id")}", """{"location":"Rome"}"""));
        Assert.That(Str(data, "title"), Is.EqualTo("Kept"));
        Assert.That(Str(data, "description"), Is.EqualTo("Kept too"));
    }

    [Test]
    public async Task PatchFieldsParameterShapesTheAnswer()
    {
        var file = await UploadAsync(Unique("pf"));
        var data = await DataAsync(await PatchAsync($"/files/{Str(file, "id")}?fields=id,title", """{"title":"Shaped"}"""));
        Assert.That(data.AsObject().Select(p => p.Key), Is.EqualTo(new[] { "id", "title" }));
    }

    [TestCase("{\"title\":")]
    [TestCase("not json")]
    [TestCase("[1]")]
    [TestCase("{\"bogus\":1}")]
    [TestCase("{\"filesize\":5}")]
    [TestCase("{\"id\":\"0f8fad5b-d9cb-469f-a165-70867728950e\"}")]
    [TestCase("{\"type\":\"text/html\"}")]
    [TestCase("{\"checksum\":\"00\"}")]
    [TestCase("{\"filename_disk\":\"../../x\"}")]
    [TestCase("{\"uploaded_on\":\"2020-01-01T00:00:00Z\"}")]
    [TestCase("{\"storage\":\"local\"}")]
    [TestCase("{\"title\":{\"a\":1}}")]
    [TestCase("{\"tags\":\"[oops\"}")]
    [TestCase("{\"tags\":[1,2]}")]
    [TestCase("{\"focal_point_x\":-1}")]
    [TestCase("{\"focal_point_x\":\"left\"}")]
    [TestCase("{\"folder\":\"nope\"}")]
    [TestCase("{\"filename_download\":null}")]
    [TestCase("{\"metadata\":[1]}")]
    public async Task BadPatchIsInvalidPayloadAndChangesNothing(string json)
    {
        var file = await UploadAsync(Unique("bp"));
        var id = Str(file, "id");
        using var response = await PatchAsync($"/files/{id}", json);
        await AssertErrorAsync(response, HttpStatusCode.BadRequest, "INVALID_PAYLOAD");
        var read = await DataAsync(await client.GetAsync($"/files/{id}"));
        Assert.That(read.ToJsonString(), Is.EqualTo(file.ToJsonString()));
    }

    [Test]
    public async Task PatchOfNonexistentIdIsForbidden()
    {
        var rows = await app.RowCountAsync();
        using var response = await PatchAsync($"/files/{Guid.NewGuid()}", """{"title":"Ghost"}""");
        await AssertErrorAsync(response, HttpStatusCode.Forbidden, "FORBIDDEN");
        Assert.That(await app.RowCountAsync(), Is.EqualTo(rows));
    }

    [Test]
    public async Task PatchOfInvalidIdIsForbidden()
    {
        using var response = await PatchAsync("/files/not-a-uuid", """{"title":"Ghost"}""");
        await AssertErrorAsync(response, HttpStatusCode.Forbidden, "FORBIDDEN");
    }

    [Test]
    public async Task PatchWithTextBodyIsUnsupportedMediaType()
    {
        var file = await UploadAsync(Unique("pt"));
        using var response = await client.PatchAsync($"/files/{Str(file, "id")}", new StringContent("title=x"));
        await AssertErrorAsync(response, HttpStatusCode.UnsupportedMediaType, "UNSUPPORTED_MEDIA_TYPE");
    }

    // ---- multipart replace ----

    private async Task<HttpResponseMessage> ReplaceAsync(string id, byte[] bytes, string name, string type, params (string, string)[] fields)
    {
        using var form = new MultipartFormDataContent();
        foreach (var (field, value) in fields) form.Add(new StringContent(value), field);
        var part = new ByteArrayContent(bytes);
        part.Headers.ContentType = new(type);
        form.Add(part, "file", name);
        return await client.PatchAsync($"/files/{id}", form);
    }

    [Test]
    public async Task EveryReplaceGetsADiskNameTheFileNeverHadBefore_Issue8()
    {
        // The asset store trusts that a path holds one content for good; a reused name would let a render that
        // started from an old version read a newer one under the old name.
        var file = await app.UploadOkAsync(TestImages.Png(10, 10), "names.png", "image/png");
        var id = Str(file, "id");
        var names = new List<string> { Str(file, "filename_disk") };
        for (var i = 0; i < 4; i++)
        {
            var data = await DataAsync(await ReplaceAsync(id, TestImages.Png(10 + i, 10), "names.png", "image/png"));
            names.Add(Str(data, "filename_disk"));
        }
        Assert.That(names.Distinct().Count(), Is.EqualTo(names.Count), string.Join(", ", names));
        Assert.That(names, Has.All.StartWith(id + "."));
    }

    [Test]
    public async Task ReplaceSwapsTheBytesAndKeepsTheTitle()
    {
        var jpeg = TestImages.Jpeg(80, 60);
        var png = TestImages.Png(30, 20);
        var file = await app.UploadOkAsync(jpeg, "before.jpg", "image/jpeg", ("title", "Kept title"), ("description", "kept"));
        var id = Str(file, "id");
        var oldPath = ReadOriginalPath(app, file);

        var data = await DataAsync(await ReplaceAsync(id, png, "after.png", "image/png"));

        Assert.That(Str(data, "id"), Is.EqualTo(id));
        Assert.That(Str(data, "title"), Is.EqualTo("Kept title"));
        Assert.That(Str(data, "description"), Is.EqualTo("kept"));
        Assert.That(Str(data, "filename_download"), Is.EqualTo("after.png"));
        Assert.That(data["filesize"]!.GetValue<long>(), Is.EqualTo(png.Length));
        Assert.That(Str(data, "checksum"), Is.EqualTo(Sha256(png)));
        Assert.That(Str(data, "filename_disk"), Is.Not.EqualTo(Str(file, "filename_disk")));
        Assert.That(Str(data, "filename_disk"), Does.StartWith(id + "."));
        Assert.That(Str(data, "modified_on"), Is.Not.EqualTo(Str(file, "modified_on")));
        Assert.That(Str(data, "created_on"), Is.EqualTo(Str(file, "created_on")));

        Assert.That(File.Exists(oldPath), Is.True, "the old original is kept as a version (Files:KeepVersions)");
        Assert.That(await File.ReadAllBytesAsync(ReadOriginalPath(app, data)), Is.EqualTo(png));
        Assert.That(app.OriginalsOnDisk().Count(f => Path.GetFileName(f).StartsWith(id, StringComparison.Ordinal)), Is.EqualTo(2));
        Assert.That(app.TempFilesOnDisk(), Is.Empty);

        // Issue 17: the PNG's placeholder needs a decode, so the background stored it after the answer (TempFilesOnDisk
        // waited for it); everything else reads as answered.
        var read = await DataAsync(await client.GetAsync($"/files/{id}"));
        Assert.That(data["metadata"]?["placeholder"], Is.Null);
        Assert.That(read["metadata"]!.AsObject().Remove("placeholder"), Is.True);
        Assert.That(read.ToJsonString(), Is.EqualTo(data.ToJsonString()));
    }

    [Test]
    public async Task ReplaceTwiceKeepsTheEarlierOriginalsAsVersions()
    {
        var file = await app.UploadOkAsync(TextBytes(30), "twice.txt", "text/plain");
        var id = Str(file, "id");
        var second = TextBytes(40);
        var third = TextBytes(50);
        await DataAsync(await ReplaceAsync(id, second, "twice.txt", "text/plain"));
        var data = await DataAsync(await ReplaceAsync(id, third, "twice.txt", "text/plain"));
        Assert.That(await File.ReadAllBytesAsync(ReadOriginalPath(app, data)), Is.EqualTo(third));
        Assert.That(app.OriginalsOnDisk().Count(f => Path.GetFileName(f).StartsWith(id, StringComparison.Ordinal)), Is.EqualTo(3));
    }

    [Test]
    public async Task ReplaceAppliesFieldsSentWithIt()
    {
        var file = await app.UploadOkAsync(TextBytes(30), "fielded.txt", "text/plain", ("title", "Old"));
        var data = await DataAsync(await ReplaceAsync(Str(file, "id"), TextBytes(31), "fielded.txt", "text/plain", ("title", "New")));
        Assert.That(Str(data, "title"), Is.EqualTo("New"));
    }

    [Test]
    public async Task ReplaceFillsAJsonCreatedRecord()
    {
        var created = await DataAsync(await client.PostAsync("/files", Json("""{"type":"text/plain","title":"Later"}""")));
        var bytes = TextBytes(44);
        var data = await DataAsync(await ReplaceAsync(Str(created, "id"), bytes, "later.txt", "text/plain"));
        Assert.That(data["filesize"]!.GetValue<long>(), Is.EqualTo(44));
        Assert.That(Str(data, "title"), Is.EqualTo("Later"));
        Assert.That(await File.ReadAllBytesAsync(ReadOriginalPath(app, data)), Is.EqualTo(bytes));
    }

    [Test]
    public async Task ReplaceWithTwoFilesIsRefusedAndKeepsTheOriginal()
    {
        var original = TextBytes(30);
        var file = await app.UploadOkAsync(original, "two.txt", "text/plain");
        var before = await SnapshotAsync(app);
        using var form = new MultipartFormDataContent();
        form.Add(new ByteArrayContent(TextBytes(5)), "file", "a.txt");
        form.Add(new ByteArrayContent(TextBytes(6)), "file", "b.txt");
        using var response = await client.PatchAsync($"/files/{Str(file, "id")}", form);
        await AssertErrorAsync(response, HttpStatusCode.BadRequest, "INVALID_PAYLOAD");
        await AssertNothingLeftBehindAsync(app, before);
        Assert.That(await File.ReadAllBytesAsync(ReadOriginalPath(app, file)), Is.EqualTo(original));
    }

    [Test]
    public async Task ReplaceOfNonexistentIdIsForbiddenAndStoresNothing()
    {
        var before = await SnapshotAsync(app);
        using var response = await ReplaceAsync(Guid.NewGuid().ToString(), TextBytes(10), "ghost.txt", "text/plain");
        await AssertErrorAsync(response, HttpStatusCode.Forbidden, "FORBIDDEN");
        await AssertNothingLeftBehindAsync(app, before);
    }

    [Test]
    public async Task ReplaceWithEmptyFileIsRefusedAndKeepsTheOriginal()
    {
        var original = TextBytes(30);
        var file = await app.UploadOkAsync(original, "keep-bytes.txt", "text/plain");
        var before = await SnapshotAsync(app);
        using var response = await ReplaceAsync(Str(file, "id"), [], "empty.txt", "text/plain");
        await AssertErrorAsync(response, HttpStatusCode.BadRequest, "INVALID_PAYLOAD");
        await AssertNothingLeftBehindAsync(app, before);
        Assert.That(await File.ReadAllBytesAsync(ReadOriginalPath(app, file)), Is.EqualTo(original));
    }

    [Test]
    public async Task ReplaceWithReadOnlyFieldIsRefusedAndKeepsTheOriginal()
    {
        var original = TextBytes(30);
        var file = await app.UploadOkAsync(original, "ro.txt", "text/plain");
        var before = await SnapshotAsync(app);
        using var response = await ReplaceAsync(Str(file, "id"), TextBytes(12), "ro.txt", "text/plain", ("filesize", "1"));
        await AssertErrorAsync(response, HttpStatusCode.BadRequest, "INVALID_PAYLOAD");
        await AssertNothingLeftBehindAsync(app, before);
        var read = await DataAsync(await client.GetAsync($"/files/{Str(file, "id")}"));
        Assert.That(read.ToJsonString(), Is.EqualTo(file.ToJsonString()));
    }

    // ---- PATCH /files ----

    [Test]
    public async Task PatchManyByKeys()
    {
        var a = await UploadAsync(Unique("k"));
        var b = await UploadAsync(Unique("k"));
        var c = await UploadAsync(Unique("k"));
        var data = await DataAsync(await PatchAsync("/files", $$$"""{"keys":["{{{Str(a, "id")}}}","{{{Str(b, "id")}}}"],"data":{"location":"Keyed"}}"""));
        Assert.That(Ids(data), Is.EquivalentTo(new[] { Str(a, "id"), Str(b, "id") }));
        Assert.That(data.AsArray().Select(f => Str(f!, "location")), Is.All.EqualTo("Keyed"));
        var untouched = await DataAsync(await client.GetAsync($"/files/{Str(c, "id")}"));
        Assert.That(untouched["location"], Is.Null);
    }

    [Test]
    public async Task PatchManyByQuery()
    {
        var p = Unique("q");
        var a = await UploadAsync($"{p} one");
        var b = await UploadAsync($"{p} two");
        var other = await UploadAsync(Unique("q"));
        var data = await DataAsync(await PatchAsync("/files", "{\"query\":{\"filter\":{\"title\":{\"_starts_with\":\"" + p + "\"}}},\"data\":{\"description\":\"By query\"}}"));
        Assert.That(Ids(data), Is.EquivalentTo(new[] { Str(a, "id"), Str(b, "id") }));
        Assert.That(data.AsArray().Select(f => Str(f!, "description")), Is.All.EqualTo("By query"));
        var untouched = await DataAsync(await client.GetAsync($"/files/{Str(other, "id")}"));
        Assert.That(untouched["description"], Is.Null);
    }

    [Test]
    public async Task PatchManyAsArrayOfItems()
    {
        var a = await UploadAsync(Unique("i"));
        var b = await UploadAsync(Unique("i"));
        var data = await DataAsync(await PatchAsync("/files",
            $$$"""[{"id":"{{{Str(a, "id")}}}","title":"Item A"},{"id":"{{{Str(b, "id")}}}","title":"Item B","tags":["t"]}]"""));
        Assert.That(data.AsArray(), Has.Count.EqualTo(2));
        var byId = data.AsArray().ToDictionary(f => Str(f!, "id"));
        Assert.That(Str(byId[Str(a, "id")]!, "title"), Is.EqualTo("Item A"));
        Assert.That(Str(byId[Str(b, "id")]!, "title"), Is.EqualTo("Item B"));
        Assert.That(byId[Str(b, "id")]!["tags"]![0]!.GetValue<string>(), Is.EqualTo("t"));
    }

    [Test]
    public async Task PatchManyWithOneUnknownKeyChangesNone()
    {
        var a = await UploadAsync(Unique("u"));
        using var response = await PatchAsync("/files", $$$"""{"keys":["{{{Str(a, "id")}}}","{{{Guid.NewGuid()}}}"],"data":{"title":"Never"}}""");
        await AssertErrorAsync(response, HttpStatusCode.Forbidden, "FORBIDDEN");
        var read = await DataAsync(await client.GetAsync($"/files/{Str(a, "id")}"));
        Assert.That(Str(read, "title"), Is.EqualTo(Str(a, "title")));
    }

    [TestCase("{\"keys\":[\"{A}\"],\"data\":{\"filesize\":1}}")]
    [TestCase("{\"keys\":[\"{A}\"],\"data\":{\"bogus\":1}}")]
    [TestCase("{\"keys\":[\"{A}\"]}")]
    [TestCase("{\"data\":{\"title\":\"x\"}}")]
    [TestCase("{\"keys\":[1],\"data\":{\"title\":\"x\"}}")]
    [TestCase("[{\"title\":\"no id\"}]")]
    [TestCase("[{\"id\":\"{A}\",\"type\":\"text/html\"}]")]
    [TestCase("\"text\"")]
    [TestCase("{\"keys\":[\"{A}\"],")]
    public async Task BadPatchManyIsInvalidPayload(string template)
    {
        var a = await UploadAsync(Unique("bm"));
        using var response = await PatchAsync("/files", template.Replace("{A}", Str(a, "id")));
        await AssertErrorAsync(response, HttpStatusCode.BadRequest, "INVALID_PAYLOAD");
        var read = await DataAsync(await client.GetAsync($"/files/{Str(a, "id")}"));
        Assert.That(read.ToJsonString(), Is.EqualTo(a.ToJsonString()));
    }

    [Test]
    public async Task PatchManyWithBadQueryIsInvalidQuery()
    {
        using var response = await PatchAsync("/files", """{"query":{"filter":{"bogus":{"_eq":1}}},"data":{"title":"x"}}""");
        await AssertErrorAsync(response, HttpStatusCode.BadRequest, "INVALID_QUERY");
    }
}
