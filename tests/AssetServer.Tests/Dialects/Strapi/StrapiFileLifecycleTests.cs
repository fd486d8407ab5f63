using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using AssetServer.Tests.Support;
using static AssetServer.Tests.Strapi.StrapiKit;

namespace AssetServer.Tests.Strapi;

/// <summary>
/// One file through its life on Strapi 5's routes (issue 10): <c>GET /api/upload/files/:id</c>, <c>POST /api/upload?id=</c>
/// as an update (fileInfo only) and as a replace (<c>files</c>), and <c>DELETE /api/upload/files/:id</c>.
/// </summary>
public class StrapiFileLifecycleTests : AdminAppFixture
{
    /// <summary>Every timestamp differs, so <c>updatedAt</c> visibly moves.</summary>
    protected override AssetServerApp CreateApp() => new() { Clock = AssetServerApp.SteppingClock() };

    private async Task<JsonObject> UploadPhotoAsync(string? name = null, int width = 600, int height = 400) =>
        await UploadOneAsync(client, TestImages.Jpeg(width, height), "photo.jpg", "image/jpeg",
            new JsonObject { ["name"] = name ?? Unique("photo "), ["alternativeText"] = "old alt", ["caption"] = "old cap" }.ToJsonString());

    private async Task<JsonObject> UpdateAsync(long id, HttpContent content, HttpStatusCode status = HttpStatusCode.OK)
    {
        using var response = await client.PostAsync($"/api/upload?id={id}", content);
        var body = await JsonAsync(response, status);
        Assert.That(body, Is.InstanceOf<JsonObject>(), "one object, not an array");
        return body.AsObject();
    }

    private string[] OriginalsHolding(byte[] bytes) =>
        app.OriginalsOnDisk().Where(path => File.ReadAllBytes(path).AsSpan().SequenceEqual(bytes)).ToArray();

    // ---- get one ----

    [Test]
    public async Task GetOneIsTheBareFileObject()
    {
        var file = await UploadPhotoAsync();
        var read = await GetJsonAsync(client, $"/api/upload/files/{Id(file)}");
        Assert.That(read, Is.InstanceOf<JsonObject>());
        Assert.That(Stable(read), Is.EqualTo(Stable(file)));
    }

    [TestCase("abc")]
    [TestCase("99999999")]
    [TestCase("-1")]
    [TestCase("1.0")]
    [TestCase("0x1")]
    public async Task GetOneByAnythingButAKnownIntegerIdIsNotFound(string id)
    {
        using var response = await client.GetAsync($"/api/upload/files/{id}");
        await AssertErrorAsync(response, HttpStatusCode.NotFound, "NotFoundError", "file.notFound");
    }

    [Test]
    public async Task GetOneByDocumentIdIsNotFound()
    {
        var file = await UploadOneAsync(client, TextBytes(10), "doc.txt", "text/plain");
        using var response = await client.GetAsync($"/api/upload/files/{Str(file, "documentId")}");
        await AssertErrorAsync(response, HttpStatusCode.NotFound, "NotFoundError", "file.notFound");
    }

    // ---- update (fileInfo only) ----

    [Test]
    public async Task UpdateWithMultipartFileInfoChangesOnlyTheGivenKeys()
    {
        var file = await UploadPhotoAsync();
        using var form = Form(StrapiPart.FileInfo("""{"alternativeText":"new alt"}"""));
        var updated = await UpdateAsync(Id(file), form);

        Assert.That(updated.Select(p => p.Key), Is.EqualTo(V5FieldOrder));
        Assert.That(Str(updated, "alternativeText"), Is.EqualTo("new alt"));
        foreach (var unchanged in new[] { "id", "documentId", "name", "caption", "hash", "ext", "url", "mime", "size", "width", "height", "formats", "createdAt", "publishedAt" })
            Assert.That(unchanged == "formats" ? WithoutSizes(updated[unchanged]) : updated[unchanged]?.ToJsonString(),
                Is.EqualTo(unchanged == "formats" ? WithoutSizes(file[unchanged]) : file[unchanged]?.ToJsonString()), unchanged);
        Assert.That(string.CompareOrdinal(Str(updated, "updatedAt"), Str(file, "updatedAt")), Is.GreaterThan(0), "updatedAt moves");

        var read = await GetJsonAsync(client, $"/api/upload/files/{Id(file)}");
        Assert.That(Stable(read), Is.EqualTo(Stable(updated)), "the change is stored");
    }

    /// <summary>
    /// strapi-kit's "update keeps formats": Strapi names formats at upload, so a rename changes neither their names
    /// (<c>thumbnail_&lt;old name&gt;</c>) nor their hashes, urls or bytes (issue 17).
    /// </summary>
    [Test]
    public async Task RenameKeepsHashUrlAndFormats()
    {
        var (oldName, newName) = (Unique("before "), Unique("renamed "));
        var file = await UploadPhotoAsync(oldName);
        var thumbnail = await GetBytesAsync(client, Str(file["formats"]!["thumbnail"]!, "url"));
        using var form = Form(StrapiPart.FileInfo(new JsonObject { ["name"] = newName, ["caption"] = "new cap" }.ToJsonString()));
        var updated = await UpdateAsync(Id(file), form);

        Assert.That(Str(updated, "name"), Is.EqualTo(newName));
        Assert.That(Str(updated, "caption"), Is.EqualTo("new cap"));
        Assert.That(Str(updated, "alternativeText"), Is.EqualTo("old alt"));
        Assert.That(Str(updated, "hash"), Is.EqualTo(Str(file, "hash")));
        Assert.That(Str(updated, "url"), Is.EqualTo(Str(file, "url")));
        Assert.That(WithoutSizes(updated["formats"]), Is.EqualTo(WithoutSizes(file["formats"])), "names, hashes, sizes and urls kept");
        Assert.That(Str(updated["formats"]!["thumbnail"]!, "name"), Is.EqualTo("thumbnail_" + oldName));
        Assert.That(await GetBytesAsync(client, Str(updated["formats"]!["thumbnail"]!, "url")), Is.EqualTo(thumbnail));

        // The same through Directus: a new filename_download is a rename too.
        var uuid = await DirectusIdAsync(client, newName);
        using var patch = new StringContent("""{"filename_download":"Directus name.jpg"}""", Encoding.UTF8, "application/json");
        using (var patched = await client.PatchAsync($"/files/{uuid}", patch))
            Assert.That(patched.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var read = await GetJsonAsync(client, $"/api/upload/files/{Id(file)}");
        Assert.That(Str(read, "name"), Is.EqualTo("Directus name.jpg"));
        Assert.That(WithoutSizes(read["formats"]), Is.EqualTo(WithoutSizes(file["formats"])));
    }

    [Test]
    public async Task UpdateWithJsonFileInfo()
    {
        var file = await UploadPhotoAsync();
        using var json = new StringContent("""{"fileInfo":{"caption":"json cap","alternativeText":null}}""", Encoding.UTF8, "application/json");
        var updated = await UpdateAsync(Id(file), json);
        Assert.That(Str(updated, "caption"), Is.EqualTo("json cap"));
        Assert.That(updated["alternativeText"], Is.Null, "null clears");
        Assert.That(Str(updated, "name"), Is.EqualTo(Str(file, "name")));
        Assert.That(Str(updated, "url"), Is.EqualTo(Str(file, "url")));
    }

    [Test]
    public async Task UpdateWithUrlEncodedFileInfo()
    {
        var file = await UploadPhotoAsync();
        using var form = new FormUrlEncodedContent([new("fileInfo[caption]", "form cap"), new("fileInfo[alternativeText]", "form alt")]);
        var updated = await UpdateAsync(Id(file), form);
        Assert.That(Str(updated, "caption"), Is.EqualTo("form cap"));
        Assert.That(Str(updated, "alternativeText"), Is.EqualTo("form alt"));
        Assert.That(Str(updated, "name"), Is.EqualTo(Str(file, "name")));
        Assert.That(Str(updated, "hash"), Is.EqualTo(Str(file, "hash")));
    }

    [Test]
    public async Task UpdateOfAnUnknownIdIsEntityNotFound()
    {
        var before = await SnapshotAsync(app);
        HttpContent[] bodies =
        [
            Form(StrapiPart.FileInfo("""{"caption":"x"}""")),
            new StringContent("""{"fileInfo":{"caption":"x"}}""", Encoding.UTF8, "application/json"),
            new FormUrlEncodedContent([new("fileInfo[caption]", "x")]),
            Form(StrapiPart.File("new.jpg", TestImages.Jpeg(50, 40), "image/jpeg")),
        ];
        foreach (var body in bodies)
        {
            using (body)
            using (var response = await client.PostAsync("/api/upload?id=99999999", body))
                await AssertErrorAsync(response, HttpStatusCode.NotFound, "NotFoundError", "Entity not found");
        }
        await AssertNothingLeftBehindAsync(app, before);
    }

    // ---- replace (files) ----

    [Test]
    public async Task ReplaceKeepsHashAndUrlAndServesOnlyTheNewBytes()
    {
        var name = Unique("replace me ");
        var file = await UploadPhotoAsync(name, 600, 400);
        var uuid = await DirectusIdAsync(client, name);
        var oldFormats = file["formats"]!.AsObject();
        Assert.That(oldFormats.Select(f => f.Key), Is.EqualTo(new[] { "thumbnail", "small" }));
        var oldSmallUrl = Str(oldFormats["small"]!, "url");
        var oldThumbnail = await GetBytesAsync(client, Str(oldFormats["thumbnail"]!, "url")); // rendered and cached before the replace
        await GetBytesAsync(client, oldSmallUrl);

        var newBytes = TestImages.Jpeg(300, 450);
        using var form = Form(StrapiPart.File("portrait.jpg", newBytes, "image/jpeg"), StrapiPart.FileInfo("""{"alternativeText":"replaced alt"}"""));
        var replaced = await UpdateAsync(Id(file), form);

        Assert.That(Id(replaced), Is.EqualTo(Id(file)));
        Assert.That(Str(replaced, "documentId"), Is.EqualTo(Str(file, "documentId")));
        Assert.That(Str(replaced, "hash"), Is.EqualTo(Str(file, "hash")));
        Assert.That(Str(replaced, "url"), Is.EqualTo(Str(file, "url")));
        Assert.That(Str(replaced, "name"), Is.EqualTo("portrait.jpg"), "the name comes from the new file");
        Assert.That(Str(replaced, "alternativeText"), Is.EqualTo("replaced alt"));
        Assert.That(Str(replaced, "caption"), Is.EqualTo("old cap"));
        Assert.That((Int(replaced, "width"), Int(replaced, "height")), Is.EqualTo(((int?)300, (int?)450)));
        Assert.That(replaced["size"]!.GetValue<double>(), Is.EqualTo(Kb(newBytes.Length)).Within(1e-9));
        var newFormats = replaced["formats"]!.AsObject();
        Assert.That(newFormats.Select(f => f.Key), Is.EqualTo(new[] { "thumbnail" }));
        Assert.That(Str(newFormats["thumbnail"]!, "url"), Is.EqualTo(Str(oldFormats["thumbnail"]!, "url")), "formats keep their urls");
        Assert.That((Int(newFormats["thumbnail"]!, "width"), Int(newFormats["thumbnail"]!, "height")), Is.EqualTo(((int?)104, (int?)156)));

        await AssertFormatsServedAsDescribedAsync(app, client, replaced);
        Assert.That(await GetBytesAsync(client, Str(newFormats["thumbnail"]!, "url")), Is.Not.EqualTo(oldThumbnail));
        using (var gone = await client.GetAsync(oldSmallUrl))
            await AssertErrorAsync(gone, HttpStatusCode.NotFound, "NotFoundError", "Not Found");
        Assert.That(await GetBytesAsync(client, Str(replaced, "url")), Is.EqualTo(newBytes));
        Assert.That(await GetBytesAsync(client, $"/assets/{uuid}"), Is.EqualTo(newBytes), "the Directus route serves the new bytes too");

        var originals = app.OriginalsOnDisk().Where(p => Path.GetFileName(p).StartsWith(uuid, StringComparison.Ordinal)).ToArray();
        Assert.That(originals, Has.Length.EqualTo(2), "the old original is kept as a version (Files:KeepVersions), never served at the url");
        Assert.That(originals.Count(p => File.ReadAllBytes(p).SequenceEqual(newBytes)), Is.EqualTo(1));
        Assert.That(app.TempFilesOnDisk(), Is.Empty);

        var read = await GetJsonAsync(client, $"/api/upload/files/{Id(file)}");
        Assert.That(Stable(read), Is.EqualTo(Stable(replaced)));
    }

    /// <summary>
    /// Strapi's replace keeps both (upload service <c>replace()</c>: "keep a constant hash and extension so the file url
    /// doesn't change when the file is replaced"); issue 10: "hash and url kept". A page that embeds the url must keep working.
    /// </summary>
    [Test]
    public async Task ReplaceWithAnotherTypeKeepsExtAndUrl()
    {
        var file = await UploadPhotoAsync();
        var png = TestImages.Png(300, 200);
        using var form = Form(StrapiPart.File("drawing.png", png, "image/png"));
        var replaced = await UpdateAsync(Id(file), form);

        Assert.That(Str(replaced, "hash"), Is.EqualTo(Str(file, "hash")));
        Assert.That(Str(replaced, "ext"), Is.EqualTo(".jpg"));
        Assert.That(Str(replaced, "url"), Is.EqualTo(Str(file, "url")));
        Assert.That(await GetBytesAsync(client, Str(file, "url")), Is.EqualTo(png), "the old url serves the new bytes");
    }

    [Test]
    public async Task ReplaceWithADamagedImageIsRefusedAndChangesNothing()
    {
        var file = await UploadPhotoAsync();
        var original = await GetBytesAsync(client, Str(file, "url"));
        var before = await SnapshotAsync(app);

        using var form = Form(StrapiPart.File("broken.jpg", TruncatedJpeg(), "image/jpeg"));
        using var response = await client.PostAsync($"/api/upload?id={Id(file)}", form);
        await AssertErrorAsync(response, HttpStatusCode.BadRequest, "ValidationError", "File is not a valid image");

        await AssertNothingLeftBehindAsync(app, before);
        var read = await GetJsonAsync(client, $"/api/upload/files/{Id(file)}");
        Assert.That(Stable(read), Is.EqualTo(Stable(file)));
        Assert.That(await GetBytesAsync(client, Str(file, "url")), Is.EqualTo(original));
    }

    // ---- delete ----

    [Test]
    public async Task DeleteAnswersTheDeletedObjectAndRemovesOriginalAndEveryFormat()
    {
        var bytes = TestImages.Jpeg(1200, 800);
        var file = await UploadOneAsync(client, bytes, "doomed.jpg", "image/jpeg");
        var urls = file["formats"]!.AsObject().Select(f => Str(f.Value!, "url")).Prepend(Str(file, "url")).ToList();
        Assert.That(urls, Has.Count.EqualTo(5), "original, thumbnail, small, medium, large");
        foreach (var url in urls) await GetBytesAsync(client, url);
        Assert.That(OriginalsHolding(bytes), Has.Length.EqualTo(1));
        var listed = (await SnapshotAsync(app)).Listed;
        var before = await GetJsonAsync(client, $"/api/upload/files/{Id(file)}");

        using var response = await client.DeleteAsync($"/api/upload/files/{Id(file)}");
        var deleted = await JsonAsync(response);
        Assert.That(deleted.ToJsonString(), Is.EqualTo(before.ToJsonString()), "the object as it was");

        using var anonymous = app.AnonymousClient();
        foreach (var url in urls)
        {
            using var gone = await anonymous.GetAsync(url);
            await AssertErrorAsync(gone, HttpStatusCode.NotFound, "NotFoundError", "Not Found");
        }
        Assert.That(OriginalsHolding(bytes), Is.Empty, "the original is gone from disk");
        Assert.That((await SnapshotAsync(app)).Listed, Is.EqualTo(listed - 1));
        using (var get = await client.GetAsync($"/api/upload/files/{Id(file)}"))
            await AssertErrorAsync(get, HttpStatusCode.NotFound, "NotFoundError", "file.notFound");
        using (var again = await client.DeleteAsync($"/api/upload/files/{Id(file)}"))
            await AssertErrorAsync(again, HttpStatusCode.NotFound, "NotFoundError", "file.notFound");
    }

    [Test]
    public async Task DeleteLeavesOtherFilesAlone()
    {
        var doomed = await UploadOneAsync(client, TextBytes(20), "doomed.txt", "text/plain");
        var keep = await UploadOneAsync(client, TextBytes(21), "keep.txt", "text/plain");
        using var response = await client.DeleteAsync($"/api/upload/files/{Id(doomed)}");
        await JsonAsync(response);
        var read = await GetJsonAsync(client, $"/api/upload/files/{Id(keep)}");
        Assert.That(Stable(read), Is.EqualTo(Stable(keep)));
        Assert.That(await GetBytesAsync(client, Str(keep, "url")), Has.Length.EqualTo(21));
    }

    [TestCase("abc")]
    [TestCase("99999999")]
    public async Task DeleteOfAnUnknownIdIsNotFound(string id)
    {
        var before = await SnapshotAsync(app);
        using var response = await client.DeleteAsync($"/api/upload/files/{id}");
        await AssertErrorAsync(response, HttpStatusCode.NotFound, "NotFoundError", "file.notFound");
        await AssertNothingLeftBehindAsync(app, before);
    }
}
