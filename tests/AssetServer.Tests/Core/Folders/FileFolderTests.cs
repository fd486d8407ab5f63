using System.Net;
using System.Text.Json.Nodes;
using AssetServer.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using static AssetServer.Tests.Files.FilesKit;
using static AssetServer.Tests.Folders.FolderKit;

namespace AssetServer.Tests.Folders;

/// <summary>Issue 19: a file's <c>folder</c>: set on upload, PATCH and import, checked, filtered and expanded through the relation.</summary>
public class FileFolderTests : AdminAppFixture
{
    protected override AssetServerApp CreateApp() => new(("Import:AllowPrivateNetworks", "true"));

    [Test]
    public async Task UploadFieldBeforeTheFilePartFilesTheUploadInTheFolder()
    {
        var folder = await CreateAsync(client, Named("Upload"));
        var file = await app.UploadOkAsync(TestImages.Jpeg(20, 10), "a.jpg", "image/jpeg", ("folder", folder));
        Assert.That(file["folder"]!.GetValue<string>(), Is.EqualTo(folder));
    }

    [Test]
    public async Task FolderFieldAfterTheFilePartIsNotTheFiles()
    {
        // Directus: the fields before a file part belong to it; one after the last file belongs to no file.
        var folder = await CreateAsync(client, Named("After"));
        using var form = new MultipartFormDataContent();
        var part = new ByteArrayContent(TextBytes(30));
        part.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("text/plain");
        form.Add(part, "file", "late.txt");
        form.Add(new StringContent(folder), "folder");
        using var response = await client.PostAsync("/files", form);
        Assert.That((await DataAsync(response))["folder"], Is.Null);
    }

    [Test]
    public async Task UploadOfSeveralFilesFilesEachInTheFolderBeforeIt()
    {
        var first = await CreateAsync(client, Named("First"));
        var second = await CreateAsync(client, Named("Second"));
        using var form = new MultipartFormDataContent();
        form.Add(new StringContent(first), "folder");
        form.Add(new ByteArrayContent(TextBytes(20)), "file", "one.txt");
        form.Add(new StringContent(second), "folder");
        form.Add(new ByteArrayContent(TextBytes(20)), "file", "two.txt");
        using var response = await client.PostAsync("/files?fields=filename_download,folder.name", form);
        var rows = (await DataAsync(response)).AsArray();
        Assert.That(rows.Select(r => r!["folder"]!["id"]), Is.All.Null, "only the asked fields of the folder");
        var byName = rows.ToDictionary(r => r!["filename_download"]!.GetValue<string>(), r => r!["folder"]!["name"]!.GetValue<string>());
        Assert.That(byName["one.txt"], Does.StartWith("First"));
        Assert.That(byName["two.txt"], Does.StartWith("Second"));
    }

    [Test]
    public async Task FolderThatDoesNotExistIsRefusedOnUploadAndPatch()
    {
        var before = await SnapshotAsync(app);
        using var upload = await app.UploadAsync(TextBytes(30), "x.txt", "text/plain", ("folder", Guid.NewGuid().ToString()));
        await AssertErrorAsync(upload, HttpStatusCode.BadRequest, "INVALID_FOREIGN_KEY");
        await AssertNothingLeftBehindAsync(app, before);

        var file = await app.UploadOkAsync(TextBytes(30), "y.txt", "text/plain");
        using var patch = await client.PatchAsync($"/files/{file["id"]}", FolderKit.Json($$"""{"folder":"{{Guid.NewGuid()}}"}"""));
        await AssertErrorAsync(patch, HttpStatusCode.BadRequest, "INVALID_FOREIGN_KEY");
        using var many = await client.PatchAsync("/files", FolderKit.Json($$$"""{"keys":["{{{file["id"]}}}"],"data":{"folder":"{{{Guid.NewGuid()}}}"}}"""));
        await AssertErrorAsync(many, HttpStatusCode.BadRequest, "INVALID_FOREIGN_KEY");
    }

    [Test]
    public async Task PatchMovesAFileIntoAFolderAndOut()
    {
        var folder = await CreateAsync(client, Named("Patch"));
        var file = await app.UploadOkAsync(TextBytes(30), "z.txt", "text/plain");
        using var moved = await client.PatchAsync($"/files/{file["id"]}", FolderKit.Json($$"""{"folder":"{{folder}}"}"""));
        Assert.That((await DataAsync(moved))["folder"]!.GetValue<string>(), Is.EqualTo(folder));
        using var outOf = await client.PatchAsync($"/files/{file["id"]}", FolderKit.Json("""{"folder":null}"""));
        Assert.That((await DataAsync(outOf))["folder"], Is.Null);
    }

    [Test]
    public async Task ImportFilesTheFetchedFileInTheFolder()
    {
        var jpeg = TestImages.Jpeg(16, 16);
        await using var upstream = LoopbackUpstream.Create();
        upstream.MapGet("/img.jpg", () => Results.Bytes(jpeg, "image/jpeg"));
        var url = await upstream.StartOnLoopbackAsync();
        var folder = await CreateAsync(client, Named("Import"));

        using var imported = await client.PostAsync("/files/import", FolderKit.Json($$$"""{"url":"{{{url}}}/img.jpg","data":{"folder":"{{{folder}}}"}}"""));
        Assert.That((await DataAsync(imported))["folder"]!.GetValue<string>(), Is.EqualTo(folder));
        using var refused = await client.PostAsync("/files/import", FolderKit.Json($$$"""{"url":"{{{url}}}/img.jpg","data":{"folder":"{{{Guid.NewGuid()}}}"}}"""));
        await AssertErrorAsync(refused, HttpStatusCode.BadRequest, "INVALID_FOREIGN_KEY");
    }

    [Test]
    public async Task FilterThroughTheFolderRelation()
    {
        var name = Named("Holiday");
        var holiday = await CreateAsync(client, name);
        var other = await CreateAsync(client, Named("Work"));
        var tag = Named("rel");
        var inHoliday = await app.UploadOkAsync(TextBytes(40), "h.txt", "text/plain", ("folder", holiday), ("title", tag));
        await app.UploadOkAsync(TextBytes(40), "w.txt", "text/plain", ("folder", other), ("title", tag));
        var loose = await app.UploadOkAsync(TextBytes(40), "n.txt", "text/plain", ("title", tag));

        using var byName = await client.GetAsync($"/files?filter[folder][name][_eq]={Q(name)}&filter[title][_eq]={tag}");
        Assert.That(Ids(await DataAsync(byName)), Is.EqualTo(new[] { Str(inHoliday, "id") }));

        using var inNone = await client.GetAsync($"/files?filter[folder][_null]=true&filter[title][_eq]={tag}");
        Assert.That(Ids(await DataAsync(inNone)), Is.EqualTo(new[] { Str(loose, "id") }));

        using var json = await client.GetAsync($"/files?filter={Q($$$"""{"_and":[{"title":{"_eq":"{{{tag}}}"}},{"folder":{"_or":[{"name":{"_eq":"{{{name}}}"}},{"id":{"_null":true}}]}}]}""")}");
        Assert.That(Ids(await DataAsync(json)), Has.Count.EqualTo(1), "a file in no folder has no folder row to match");

        using var unknown = await client.GetAsync("/files?filter[folder][colour][_eq]=red");
        await AssertErrorAsync(unknown, HttpStatusCode.BadRequest, "INVALID_QUERY");
    }

    [Test]
    public async Task FieldsExpandTheFolderObject()
    {
        var parent = await CreateAsync(client, Named("Parent"));
        var name = Named("Child");
        var folder = await CreateAsync(client, name, parent);
        var tag = Named("exp");
        var file = await app.UploadOkAsync(TextBytes(40), "e.txt", "text/plain", ("folder", folder), ("title", tag));
        var loose = await app.UploadOkAsync(TextBytes(40), "f.txt", "text/plain", ("title", tag));

        using var one = await client.GetAsync($"/files/{file["id"]}?fields=id,folder.name,folder.parent");
        var data = await DataAsync(one);
        Assert.That(data["folder"]!.ToJsonString(), Is.EqualTo(new JsonObject { ["name"] = name, ["parent"] = parent }.ToJsonString()));

        using var list = await client.GetAsync($"/files?filter[title][_eq]={tag}&fields=id,folder.name&sort=filename_download");
        var rows = (await DataAsync(list)).AsArray();
        Assert.That(rows[0]!["folder"]!["name"]!.GetValue<string>(), Is.EqualTo(name));
        Assert.That(rows[1]!["folder"], Is.Null);
        Assert.That(rows[1]!.AsObject().ContainsKey("folder"), Is.True);

        using var all = await client.GetAsync($"/files/{file["id"]}?fields=*.*");
        var everything = await DataAsync(all);
        Assert.That(everything["folder"]!["id"]!.GetValue<string>(), Is.EqualTo(folder));
        Assert.That(everything["filename_download"]!.GetValue<string>(), Is.EqualTo("e.txt"));

        using var allRows = await client.GetAsync($"/files?filter[title][_eq]={tag}&fields=*.*&sort=filename_download");
        var expanded = (await DataAsync(allRows)).AsArray();
        Assert.That(expanded[0]!["folder"]!.ToJsonString(), Is.EqualTo(new JsonObject { ["id"] = folder, ["name"] = name, ["parent"] = parent }.ToJsonString()));
        Assert.That(expanded[0]!["title"]!.GetValue<string>(), Is.EqualTo(tag));
        Assert.That(expanded[1]!["folder"], Is.Null);

        using var patched = await client.PatchAsync($"/files/{loose["id"]}?fields=folder.*", FolderKit.Json($$"""{"folder":"{{folder}}"}"""));
        Assert.That((await DataAsync(patched))["folder"]!["name"]!.GetValue<string>(), Is.EqualTo(name));

        using var notARelation = await client.GetAsync("/files?fields=title.name");
        await AssertErrorAsync(notARelation, HttpStatusCode.BadRequest, "INVALID_QUERY");
    }
}
