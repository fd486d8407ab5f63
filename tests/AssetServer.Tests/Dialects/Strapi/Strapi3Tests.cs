using System.Net;
using System.Text.Json.Nodes;
using AssetServer.Tests.Support;
using static AssetServer.Tests.Strapi.StrapiKit;

namespace AssetServer.Tests.Strapi;

/// <summary>
/// Strapi 3's upload plugin routes (<c>/upload…</c>, issue 10): <c>files</c> and <c>files[]</c> parts, v3's object
/// (snake_case timestamps, no documentId, <c>related</c> always listed), <c>_limit</c>/<c>_start</c>/<c>_sort</c>,
/// count, search, and Boom-shaped errors.
/// </summary>
public class Strapi3Tests : AdminAppFixture
{
    private static readonly string[] V3FieldOrder =
    [
        "id", "name", "alternativeText", "caption", "width", "height", "formats", "hash", "ext", "mime", "size", "url",
        "previewUrl", "provider", "provider_metadata", "created_at", "updated_at", "related",
    ];

    private async Task<JsonArray> UploadV3Async(params StrapiPart[] parts)
    {
        using var form = Form(parts);
        using var response = await client.PostAsync("/upload", form);
        var body = await JsonAsync(response, HttpStatusCode.OK);
        Assert.That(body, Is.InstanceOf<JsonArray>());
        Assert.That(body.AsArray(), Has.Count.EqualTo(parts.Count(p => p.Bytes is not null)));
        return body.AsArray();
    }

    /// <summary>Three files named <c>&lt;prefix&gt;-0</c>… (two images, one text) through <c>POST /upload</c>; their ids.</summary>
    private async Task<(string Prefix, List<long> Ids)> UploadSetAsync()
    {
        var prefix = Unique("Vthree");
        var created = await UploadV3Async(
            StrapiPart.File("a.jpg", TestImages.Jpeg(60, 40), "image/jpeg", name: "files[]"),
            StrapiPart.File("b.png", TestImages.Png(30, 20), "image/png", name: "files[]"),
            StrapiPart.File("c.txt", TextBytes(25), "text/plain", name: "files[]"),
            StrapiPart.FileInfo($$"""[{"name":"{{prefix}}-0"},{"name":"{{prefix}}-1"},{"name":"{{prefix}}-2"}]"""));
        return (prefix, created.Select(Id).ToList());
    }

    private async Task<List<long>> ListIdsAsync(string query)
    {
        var body = await GetJsonAsync(client, "/upload/files?" + query);
        return body.AsArray().Select(Id).ToList();
    }

    [TestCase("files")]
    [TestCase("files[]")]
    public async Task OneFileGivesAnArrayOfOneV3Object(string partName)
    {
        var bytes = TestImages.Jpeg(400, 300);
        var created = await UploadV3Async(StrapiPart.File("v3 photo.jpg", bytes, "image/jpeg", name: partName));
        var file = created[0]!.AsObject();

        Assert.That(file.Select(p => p.Key), Is.EqualTo(V3FieldOrder));
        Assert.That(Id(file), Is.GreaterThan(0));
        Assert.That(Str(file, "name"), Is.EqualTo("v3 photo.jpg"));
        Assert.That(Str(file, "hash"), Does.Match("^v3_photo_[0-9a-f]{10}$"));
        Assert.That(Str(file, "ext"), Is.EqualTo(".jpg"));
        Assert.That(Str(file, "mime"), Is.EqualTo("image/jpeg"));
        Assert.That(file["size"]!.GetValue<double>(), Is.EqualTo(Kb(bytes.Length)).Within(1e-9));
        Assert.That(Str(file, "url"), Is.EqualTo($"/uploads/{Str(file, "hash")}.jpg"));
        Assert.That(Str(file, "provider"), Is.EqualTo(TestStorage.Provider));
        Assert.That(Str(file, "created_at"), Does.EndWith("Z"));
        Assert.That(Str(file, "updated_at"), Is.EqualTo(Str(file, "created_at")));
        Assert.That(file["related"]!.AsArray(), Is.Empty);
        Assert.That(file["formats"]!.AsObject().Select(f => f.Key), Is.EqualTo(new[] { "thumbnail" }));
        await AssertFormatsServedAsDescribedAsync(app, client, file);
        Assert.That(await GetBytesAsync(client, Str(file, "url")), Is.EqualTo(bytes));
    }

    [TestCase("files")]
    [TestCase("files[]")]
    public async Task ManyFilesComeBackInTheOrderSent(string partName)
    {
        var created = await UploadV3Async(
            StrapiPart.File("first.txt", TextBytes(11), "text/plain", name: partName),
            StrapiPart.File("second.png", TestImages.Png(20, 10), "image/png", name: partName),
            StrapiPart.File("third.txt", TextBytes(33), "text/plain", name: partName));
        Assert.That(created.Select(f => Str(f!, "name")), Is.EqualTo(new[] { "first.txt", "second.png", "third.txt" }));
        Assert.That(created.Select(Id), Is.Ordered.Ascending);
        foreach (var file in created) Assert.That(file!.AsObject().Select(p => p.Key), Is.EqualTo(V3FieldOrder));
    }

    [Test]
    public async Task LinkFieldsShowInRelated()
    {
        var created = await UploadV3Async(
            StrapiPart.Field("ref", "article"),
            StrapiPart.Field("refId", "7"),
            StrapiPart.Field("field", "cover"),
            StrapiPart.Field("source", "content-manager"),
            StrapiPart.File("cover.txt", TextBytes(10), "text/plain"));
        var related = created[0]!["related"]!.AsArray();
        Assert.That(related, Has.Count.EqualTo(1));
        Assert.That(related[0]!["id"]!.GetValue<long>(), Is.EqualTo(7));
        Assert.That(Str(related[0]!, "__type"), Is.EqualTo("article"));
        Assert.That(Str(related[0]!, "field"), Is.EqualTo("cover"));

        var read = await GetJsonAsync(client, $"/upload/files/{Id(created[0]!)}");
        Assert.That(read["related"]!.ToJsonString(), Is.EqualTo(related.ToJsonString()));
    }

    [Test]
    public async Task ListHonoursLimitStartAndSort()
    {
        var (prefix, ids) = await UploadSetAsync();
        var own = $"name_contains={Q(prefix)}";
        Assert.That(await ListIdsAsync(own), Is.EqualTo(ids), "id ascending by default");
        Assert.That(await ListIdsAsync($"{own}&_limit=1&_start=1&_sort=id:DESC"), Is.EqualTo(new[] { ids[1] }));
        Assert.That(await ListIdsAsync($"{own}&_sort=id:DESC"), Is.EqualTo(ids.AsEnumerable().Reverse()));
        Assert.That(await ListIdsAsync($"{own}&_sort=id:ASC&_start=1"), Is.EqualTo(ids.Skip(1)));
        Assert.That(await ListIdsAsync($"{own}&_limit=-1"), Is.EqualTo(ids));
        Assert.That(await ListIdsAsync($"{own}&mime_contains=image"), Is.EqualTo(ids.Take(2)));
        Assert.That(await ListIdsAsync($"{own}&id_in={ids[2]}"), Is.EqualTo(new[] { ids[2] }));

        var objects = (await GetJsonAsync(client, "/upload/files?" + own)).AsArray();
        foreach (var file in objects) Assert.That(file!.AsObject().Select(p => p.Key), Is.EqualTo(V3FieldOrder));
    }

    [Test]
    public async Task CountIsABareNumberWithFiltersApplied()
    {
        var (prefix, _) = await UploadSetAsync();
        var all = await GetJsonAsync(client, $"/upload/files/count?name_contains={Q(prefix)}");
        Assert.That(all.GetValueKind(), Is.EqualTo(System.Text.Json.JsonValueKind.Number));
        Assert.That(all.GetValue<long>(), Is.EqualTo(3));
        Assert.That((await GetJsonAsync(client, $"/upload/files/count?name_contains={Q(prefix)}&mime_contains=image")).GetValue<long>(), Is.EqualTo(2));
        Assert.That((await GetJsonAsync(client, $"/upload/files/count?name_contains={Q(prefix)}&_limit=1")).GetValue<long>(), Is.EqualTo(3),
            "_limit does not cap a count");

        var total = (await GetJsonAsync(client, "/upload/files/count")).GetValue<long>();
        Assert.That(total, Is.EqualTo((await GetJsonAsync(client, "/upload/files?_limit=-1")).AsArray().Count));
    }

    [Test]
    public async Task GetOneIsTheV3Object()
    {
        var created = (await UploadV3Async(StrapiPart.File("one.png", TestImages.Png(50, 40), "image/png")))[0]!;
        var read = await GetJsonAsync(client, $"/upload/files/{Id(created)}");
        Assert.That(Stable(read), Is.EqualTo(Stable(created)));

        using var missing = await client.GetAsync("/upload/files/99999999");
        await AssertBoomAsync(missing, HttpStatusCode.NotFound, "Not Found", "Not Found");
    }

    [Test]
    public async Task UpdateAndReplaceThroughUploadWithId()
    {
        var created = (await UploadV3Async(StrapiPart.File("v3.jpg", TestImages.Jpeg(400, 300), "image/jpeg")))[0]!;
        using (var form = Form(StrapiPart.FileInfo("""{"caption":"v3 caption","alternativeText":"v3 alt"}""")))
        using (var response = await client.PostAsync($"/upload?id={Id(created)}", form))
        {
            var updated = (await JsonAsync(response)).AsObject();
            Assert.That(updated.Select(p => p.Key), Is.EqualTo(V3FieldOrder));
            Assert.That(Str(updated, "caption"), Is.EqualTo("v3 caption"));
            Assert.That(Str(updated, "alternativeText"), Is.EqualTo("v3 alt"));
            Assert.That(Str(updated, "url"), Is.EqualTo(Str(created, "url")));
        }

        var newBytes = TestImages.Jpeg(200, 100);
        using (var form = Form(StrapiPart.File("smaller.jpg", newBytes, "image/jpeg")))
        using (var response = await client.PostAsync($"/upload?id={Id(created)}", form))
        {
            var replaced = (await JsonAsync(response)).AsObject();
            Assert.That(Str(replaced, "url"), Is.EqualTo(Str(created, "url")));
            Assert.That((Int(replaced, "width"), Int(replaced, "height")), Is.EqualTo(((int?)200, (int?)100)));
            Assert.That(replaced["formats"], Is.Null, "200x100 is smaller than every format");
            Assert.That(Str(replaced, "caption"), Is.EqualTo("v3 caption"));
        }
        Assert.That(await GetBytesAsync(client, Str(created, "url")), Is.EqualTo(newBytes));

        using var missing = await client.PostAsync("/upload?id=99999999", Form(StrapiPart.FileInfo("""{"caption":"x"}""")));
        await AssertBoomAsync(missing, HttpStatusCode.NotFound, "Not Found", "Not Found");
    }

    [Test]
    public async Task SearchFindsNamesContainingTheTextWhateverItsCase()
    {
        var (prefix, ids) = await UploadSetAsync();
        var found = (await GetJsonAsync(client, $"/upload/search/{Q(prefix.ToUpperInvariant())}")).AsArray();
        Assert.That(found.Select(Id), Is.EqualTo(ids));
        foreach (var file in found) Assert.That(file!.AsObject().Select(p => p.Key), Is.EqualTo(V3FieldOrder));

        var one = (await GetJsonAsync(client, $"/upload/search/{Q(prefix.ToLowerInvariant() + "-1")}")).AsArray();
        Assert.That(one.Select(Id), Is.EqualTo(new[] { ids[1] }));
        Assert.That((await GetJsonAsync(client, $"/upload/search/{Q(prefix + "-nothing")}")).AsArray(), Is.Empty);
    }

    [Test]
    public async Task DeleteAnswersTheObjectAndRemovesTheFile()
    {
        var bytes = TestImages.Jpeg(400, 300);
        var created = (await UploadV3Async(StrapiPart.File("doomed.jpg", bytes, "image/jpeg")))[0]!;
        var thumbnail = Str(created["formats"]!["thumbnail"]!, "url");

        using (var response = await client.DeleteAsync($"/upload/files/{Id(created)}"))
            Assert.That(Stable(await JsonAsync(response)), Is.EqualTo(Stable(created)));

        using (var get = await client.GetAsync($"/upload/files/{Id(created)}"))
            await AssertBoomAsync(get, HttpStatusCode.NotFound, "Not Found", "Not Found");
        using (var again = await client.DeleteAsync($"/upload/files/{Id(created)}"))
            await AssertBoomAsync(again, HttpStatusCode.NotFound, "Not Found", "Not Found");
        foreach (var url in new[] { Str(created, "url"), thumbnail })
        {
            using var gone = await client.GetAsync(url);
            Assert.That(gone.StatusCode, Is.EqualTo(HttpStatusCode.NotFound), url);
        }
        Assert.That(app.OriginalsOnDisk().Any(p => File.ReadAllBytes(p).AsSpan().SequenceEqual(bytes)), Is.False);
    }

    [Test]
    public async Task UploadWithoutFilesIsABoomBadRequest()
    {
        var before = await SnapshotAsync(app);
        using (var empty = await client.PostAsync("/upload", null))
            await AssertBoomAsync(empty, HttpStatusCode.BadRequest, "Bad Request", "Files are empty");
        using (var form = Form(StrapiPart.Field("ref", "article")))
        using (var fieldsOnly = await client.PostAsync("/upload", form))
            await AssertBoomAsync(fieldsOnly, HttpStatusCode.BadRequest, "Bad Request", "Files are empty");
        await AssertNothingLeftBehindAsync(app, before);
    }

    [Test]
    public async Task DamagedImageIsABoomBadRequest()
    {
        var before = await SnapshotAsync(app);
        using var form = Form(StrapiPart.File("ok.txt", TextBytes(10), "text/plain", name: "files[]"), StrapiPart.File("bad.jpg", TruncatedJpeg(), "image/jpeg", name: "files[]"));
        using var response = await client.PostAsync("/upload", form);
        await AssertBoomAsync(response, HttpStatusCode.BadRequest, "Bad Request", "File is not a valid image");
        await AssertNothingLeftBehindAsync(app, before);
    }

    [Test]
    public async Task NoTokenIsABoomForbidden()
    {
        var before = await SnapshotAsync(app);
        using var anonymous = app.AnonymousClient();
        using (var list = await anonymous.GetAsync("/upload/files"))
            await AssertBoomAsync(list, HttpStatusCode.Forbidden, "Forbidden", "Forbidden");
        using (var form = Form(StrapiPart.File("sneaky.txt", TextBytes(10), "text/plain")))
        using (var upload = await anonymous.PostAsync("/upload", form))
            await AssertBoomAsync(upload, HttpStatusCode.Forbidden, "Forbidden", "Forbidden");
        await AssertNothingLeftBehindAsync(app, before);
    }
}
