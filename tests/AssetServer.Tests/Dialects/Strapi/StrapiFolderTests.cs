using System.Net;
using System.Text.Json.Nodes;
using AssetServer.Tests.Support;
using static AssetServer.Tests.Strapi.StrapiKit;

namespace AssetServer.Tests.Strapi;

/// <summary>
/// Issue 19: Strapi keeps folders private, as Strapi 5's content API does (no <c>folder</c>/<c>folderPath</c> in its
/// file object), but <c>fileInfo.folder</c> files an upload in a folder, and one that does not exist is a clear 400.
/// </summary>
public class StrapiFolderTests : AdminAppFixture
{
    private async Task<string> FolderAsync(string name)
    {
        using var response = await client.PostAsync("/folders", new StringContent(new JsonObject { ["name"] = name }.ToJsonString(), System.Text.Encoding.UTF8, "application/json"));
        return Str((await JsonAsync(response))["data"], "id");
    }

    private async Task<string?> DirectusFolderAsync(string name)
    {
        var id = await DirectusIdAsync(client, name);
        return (await GetJsonAsync(client, $"/files/{id}?fields=folder"))["data"]!["folder"]?.GetValue<string>();
    }

    [Test]
    public async Task FileInfoFolderFilesTheUploadAndTheObjectKeepsItPrivate()
    {
        var folder = await FolderAsync(Unique("Strapi"));
        var name = Unique("in-folder") + ".txt";
        var file = await UploadOneAsync(client, TextBytes(40), name, "text/plain", $$"""{"folder":"{{folder}}"}""");
        Assert.That(file.Select(p => p.Key), Is.EqualTo(V5FieldOrder));
        Assert.That(file.ContainsKey("folder") || file.ContainsKey("folderPath"), Is.False);
        Assert.That(await DirectusFolderAsync(name), Is.EqualTo(folder));

        var shown = (await GetJsonAsync(client, $"/api/upload/files/{Id(file)}")).AsObject();
        Assert.That(shown.ContainsKey("folder") || shown.ContainsKey("folderPath"), Is.False);
        var listed = (await GetJsonAsync(client, $"/api/upload/files?filters[name][$eq]={Q(name)}")).AsArray();
        Assert.That(listed[0]!.AsObject().ContainsKey("folder"), Is.False);
    }

    [Test]
    public async Task FileInfoOfEachFileNamesItsOwnFolder()
    {
        var first = await FolderAsync(Unique("First"));
        var a = Unique("a") + ".txt";
        var b = Unique("b") + ".txt";
        await UploadOkAsync(client,
            StrapiPart.File(a, TextBytes(10), "text/plain"), StrapiPart.File(b, TextBytes(10), "text/plain"),
            StrapiPart.FileInfo($$"""[{"folder":"{{first}}"},{"folder":null}]"""));
        Assert.That(await DirectusFolderAsync(a), Is.EqualTo(first));
        Assert.That(await DirectusFolderAsync(b), Is.Null);
    }

    [TestCase("\"00000000-0000-4000-8000-000000000000\"")]
    [TestCase("1")]
    [TestCase("\"API Uploads\"")]
    public async Task FolderThatDoesNotExistIsAClear400AndStoresNothing(string folder)
    {
        const string message = "fileInfo.folder must be the id of an existing folder (a UUID from /folders)";
        var before = await SnapshotAsync(app);
        using var form = Form(StrapiPart.File("x.txt", TextBytes(20), "text/plain"), StrapiPart.FileInfo($$"""{"folder":{{folder}}}"""));
        using var response = await client.PostAsync("/api/upload", form);
        var error = await AssertErrorAsync(response, HttpStatusCode.BadRequest, "ValidationError", message);
        Assert.That(error["details"]!["errors"]![0]!["path"]!.ToJsonString(), Is.EqualTo("""["folder"]"""));
        await AssertNothingLeftBehindAsync(app, before);

        using var v3 = Form(StrapiPart.File("y.txt", TextBytes(20), "text/plain"), StrapiPart.FileInfo($$"""{"folder":{{folder}}}"""));
        await AssertBoomAsync(await client.PostAsync("/upload", v3), HttpStatusCode.BadRequest, "Bad Request", message);
        await AssertNothingLeftBehindAsync(app, before);
    }

    [Test]
    public async Task UpdateMovesAFileAndStrapi3FilesUploadsToo()
    {
        var folder = await FolderAsync(Unique("Move"));
        var name = Unique("move") + ".txt";
        var file = await UploadOneAsync(client, TextBytes(20), name, "text/plain");
        Assert.That(await DirectusFolderAsync(name), Is.Null);

        using var update = Form(StrapiPart.FileInfo($$"""{"folder":"{{folder}}"}"""));
        await JsonAsync(await client.PostAsync($"/api/upload?id={Id(file)}", update));
        Assert.That(await DirectusFolderAsync(name), Is.EqualTo(folder));
        using var missing = Form(StrapiPart.FileInfo($$"""{"folder":"{{Guid.NewGuid()}}"}"""));
        await AssertErrorAsync(await client.PostAsync($"/api/upload?id={Id(file)}", missing), HttpStatusCode.BadRequest, "ValidationError",
            "fileInfo.folder must be the id of an existing folder (a UUID from /folders)");
        Assert.That(await DirectusFolderAsync(name), Is.EqualTo(folder), "the refused move changed nothing");

        var v3Name = Unique("v3") + ".txt";
        using var v3 = Form(StrapiPart.File(v3Name, TextBytes(20), "text/plain"), StrapiPart.FileInfo($$"""{"folder":"{{folder}}"}"""));
        var created = (await JsonAsync(await client.PostAsync("/upload", v3))).AsArray();
        Assert.That(created[0]!.AsObject().ContainsKey("folder"), Is.False);
        Assert.That(await DirectusFolderAsync(v3Name), Is.EqualTo(folder));
    }
}
