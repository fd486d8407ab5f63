using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using AssetServer.Tests.Support;
using static AssetServer.Tests.Strapi.StrapiKit;

namespace AssetServer.Tests.Strapi;

/// <summary>
/// One file, every dialect (issue 10): what Strapi uploads Directus reads, patches and deletes, and the other way
/// round. The mapping: <c>name</c> = <c>filename_download</c>, <c>caption</c> = <c>description</c>, <c>mime</c> =
/// <c>type</c>, <c>size</c> = <c>filesize</c> / 1000.
/// </summary>
public class StrapiCrossDialectTests : AdminAppFixture
{
    protected override AssetServerApp CreateApp() => new() { Clock = AssetServerApp.SteppingClock() };

    private async Task<JsonObject> DirectusFileAsync(string uuid) =>
        (await GetJsonAsync(client, $"/files/{uuid}"))["data"]!.AsObject();

    private async Task<JsonObject> PatchDirectusAsync(string uuid, string json)
    {
        using var content = new StringContent(json, Encoding.UTF8, "application/json");
        using var response = await client.PatchAsync($"/files/{uuid}", content);
        return (await JsonAsync(response))["data"]!.AsObject();
    }

    [Test]
    public async Task StrapiUploadIsADirectusFileWithTheSameFields()
    {
        var name = Unique("cross ");
        var bytes = TestImages.Jpeg(600, 400);
        var strapi = await UploadOneAsync(client, bytes, "cross.jpg", "image/jpeg",
            new JsonObject { ["name"] = name, ["caption"] = "a caption", ["alternativeText"] = "an alt" }.ToJsonString());
        var uuid = await DirectusIdAsync(client, name);

        var directus = await DirectusFileAsync(uuid);
        Assert.That(directus.Select(p => p.Key), Is.EqualTo(DirectusFieldOrder), "no column only other dialects read");
        Assert.That(Str(directus, "filename_download"), Is.EqualTo(name));
        Assert.That(Str(directus, "description"), Is.EqualTo("a caption"));
        Assert.That(Str(directus, "type"), Is.EqualTo("image/jpeg"));
        Assert.That(directus["filesize"]!.GetValue<long>(), Is.EqualTo(bytes.Length));
        Assert.That((Int(directus, "width"), Int(directus, "height")), Is.EqualTo((Int(strapi, "width"), Int(strapi, "height"))));
        Assert.That(Str(directus, "created_on"), Is.EqualTo(Str(strapi, "createdAt")));
        Assert.That(await GetBytesAsync(client, $"/assets/{uuid}"), Is.EqualTo(bytes));
    }

    [Test]
    public async Task DirectusStarFieldsNeverShowTheHiddenColumns()
    {
        var name = Unique("hidden ");
        await UploadOneAsync(client, TextBytes(10), "hidden.txt", "text/plain", new JsonObject { ["name"] = name }.ToJsonString());
        var uuid = await DirectusIdAsync(client, name);

        string[] hidden = ["numeric_id", "document_id", "upload_hash", "upload_ext", "alternative_text", "filesize_kb", "upload_url"];
        var one = await DirectusFileAsync(uuid);
        var star = (await GetJsonAsync(client, $"/files/{uuid}?fields=*"))["data"]!.AsObject();
        var list = (await GetJsonAsync(client, $"/files?fields=*&filter[filename_download][_eq]={Q(name)}"))["data"]![0]!.AsObject();
        foreach (var (what, file) in new[] { ("GET one", one), ("fields=*", star), ("list fields=*", list) })
        {
            Assert.That(file.Select(p => p.Key), Is.EqualTo(DirectusFieldOrder), what);
            foreach (var column in hidden) Assert.That(file.ContainsKey(column), Is.False, $"{what}: {column}");
        }
    }

    [Test]
    public async Task DirectusPatchIsSeenByStrapi()
    {
        var name = Unique("patched ");
        var strapi = await UploadOneAsync(client, TestImages.Jpeg(300, 200), "patched.jpg", "image/jpeg",
            new JsonObject { ["name"] = name, ["caption"] = "before", ["alternativeText"] = "alt stays" }.ToJsonString());
        var uuid = await DirectusIdAsync(client, name);

        var patched = await PatchDirectusAsync(uuid, """{"description":"x"}""");
        Assert.That(Str(patched, "description"), Is.EqualTo("x"));

        var read = await GetJsonAsync(client, $"/api/upload/files/{Id(strapi)}");
        Assert.That(Str(read, "caption"), Is.EqualTo("x"));
        Assert.That(Str(read, "alternativeText"), Is.EqualTo("alt stays"), "a Directus write never touches what Directus cannot see");
        Assert.That(Str(read, "name"), Is.EqualTo(name));
        Assert.That(Str(read, "hash"), Is.EqualTo(Str(strapi, "hash")));
        Assert.That(Str(read, "url"), Is.EqualTo(Str(strapi, "url")));
        Assert.That(WithoutSizes(read["formats"]), Is.EqualTo(WithoutSizes(strapi["formats"])), "names, sizes and urls stay");
        Assert.That(string.CompareOrdinal(Str(read, "updatedAt"), Str(strapi, "updatedAt")), Is.GreaterThan(0), "updatedAt moves");
    }

    [Test]
    public async Task DirectusRenameKeepsTheStrapiUrl()
    {
        var name = Unique("renamed ");
        var bytes = TextBytes(40);
        var strapi = await UploadOneAsync(client, bytes, "renamed.txt", "text/plain", new JsonObject { ["name"] = name }.ToJsonString());
        var uuid = await DirectusIdAsync(client, name);

        await PatchDirectusAsync(uuid, """{"filename_download":"new-name.txt","title":"Some title"}""");

        var read = await GetJsonAsync(client, $"/api/upload/files/{Id(strapi)}");
        Assert.That(Str(read, "name"), Is.EqualTo("new-name.txt"));
        Assert.That(Str(read, "url"), Is.EqualTo(Str(strapi, "url")));
        Assert.That(await GetBytesAsync(client, Str(strapi, "url")), Is.EqualTo(bytes));
    }

    [Test]
    public async Task StrapiUpdateIsSeenByDirectus()
    {
        var name = Unique("strapi edit ");
        var strapi = await UploadOneAsync(client, TextBytes(10), "edit.txt", "text/plain", new JsonObject { ["name"] = name }.ToJsonString());
        var uuid = await DirectusIdAsync(client, name);
        var titleBefore = Str(await DirectusFileAsync(uuid), "title");

        using var form = Form(StrapiPart.FileInfo("""{"caption":"from strapi","alternativeText":"alt"}"""));
        using var response = await client.PostAsync($"/api/upload?id={Id(strapi)}", form);
        await JsonAsync(response);

        var directus = await DirectusFileAsync(uuid);
        Assert.That(Str(directus, "description"), Is.EqualTo("from strapi"));
        Assert.That(Str(directus, "title"), Is.EqualTo(titleBefore), "a Strapi write never touches what Strapi cannot see");
        Assert.That(Str(directus, "filename_download"), Is.EqualTo(name));
    }

    [Test]
    public async Task DirectusDeleteIsSeenByStrapi()
    {
        var name = Unique("directus delete ");
        var strapi = await UploadOneAsync(client, TestImages.Jpeg(300, 200), "gone.jpg", "image/jpeg", new JsonObject { ["name"] = name }.ToJsonString());
        var thumbnail = Str(strapi["formats"]!["thumbnail"]!, "url");
        await GetBytesAsync(client, thumbnail);
        var uuid = await DirectusIdAsync(client, name);

        using (var deleted = await client.DeleteAsync($"/files/{uuid}"))
            Assert.That(deleted.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));

        using (var get = await client.GetAsync($"/api/upload/files/{Id(strapi)}"))
            await AssertErrorAsync(get, HttpStatusCode.NotFound, "NotFoundError", "file.notFound");
        foreach (var url in new[] { Str(strapi, "url"), thumbnail })
        {
            using var gone = await client.GetAsync(url);
            await AssertErrorAsync(gone, HttpStatusCode.NotFound, "NotFoundError", "Not Found");
        }
        var listed = await GetJsonAsync(client, $"/api/upload/files?filters[id][$eq]={Id(strapi)}");
        Assert.That(listed.AsArray(), Is.Empty);
    }

    [Test]
    public async Task DirectusUploadIsAStrapiFileWithAnIntegerId()
    {
        var before = await UploadOneAsync(client, TextBytes(10), "before.txt", "text/plain");
        var name = Unique("directus ") + ".jpg";
        var bytes = TestImages.Jpeg(600, 400);
        var directus = await app.UploadOkAsync(bytes, name, "image/jpeg", ("description", "directus caption"));
        var after = await UploadOneAsync(client, TextBytes(10), "after.txt", "text/plain");

        var found = (await GetJsonAsync(client, $"/api/upload/files?filters[name][$eq]={Q(name)}")).AsArray();
        Assert.That(found, Has.Count.EqualTo(1));
        var id = Id(found[0]!);
        Assert.That(id, Is.GreaterThan(Id(before)).And.LessThan(Id(after)), "numbered in upload order, whichever API uploaded");

        var file = (await GetJsonAsync(client, $"/api/upload/files/{id}")).AsObject();
        Assert.That(file.Select(p => p.Key), Is.EqualTo(V5FieldOrder));
        Assert.That(file["id"]!.GetValueKind(), Is.EqualTo(System.Text.Json.JsonValueKind.Number));
        Assert.That(Str(file, "documentId"), Does.Match("^[a-z0-9]{24}$"));
        Assert.That(Str(file, "name"), Is.EqualTo(name));
        Assert.That(Str(file, "caption"), Is.EqualTo("directus caption"));
        Assert.That(file["alternativeText"], Is.Null);
        Assert.That(Str(file, "mime"), Is.EqualTo("image/jpeg"));
        Assert.That(Str(file, "ext"), Is.EqualTo(".jpg"));
        Assert.That(file["size"]!.GetValue<double>(), Is.EqualTo(Kb(bytes.Length)).Within(1e-9));
        Assert.That(Str(file, "url"), Is.EqualTo($"/uploads/{Str(file, "hash")}.jpg"));
        Assert.That(file["formats"]!.AsObject().Select(f => f.Key), Is.EqualTo(new[] { "thumbnail", "small" }));
        Assert.That(Str(file, "createdAt"), Is.EqualTo(Str(directus, "created_on")));
        await AssertFormatsServedAsDescribedAsync(app, client, file);
        using var anonymous = app.AnonymousClient();
        Assert.That(await GetBytesAsync(anonymous, Str(file, "url")), Is.EqualTo(bytes));
    }

    [Test]
    public async Task StrapiDeleteIsSeenByDirectus()
    {
        var name = Unique("strapi delete ") + ".txt";
        var directus = await app.UploadOkAsync(TextBytes(30), name, "text/plain");
        var uuid = Str(directus, "id");
        var found = (await GetJsonAsync(client, $"/api/upload/files?filters[name][$eq]={Q(name)}")).AsArray();

        using (var deleted = await client.DeleteAsync($"/api/upload/files/{Id(found[0]!)}"))
            await JsonAsync(deleted);

        using var get = await client.GetAsync($"/files/{uuid}");
        Assert.That(get.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden), "Directus's answer for a file that does not exist");
        Assert.That(app.OriginalsOnDisk().Any(p => Path.GetFileName(p).StartsWith(uuid, StringComparison.Ordinal)), Is.False);
    }
}
