using System.Net;
using System.Text.Json.Nodes;
using AssetServer.Tests.Support;
using static AssetServer.Tests.V8.V8Kit;

namespace AssetServer.Tests.V8;

/// <summary>
/// Issue 19, Directus v8: <c>/_/folders</c> with the v8 folder object <c>{id, name, parent_folder}</c> and v8's errors,
/// over the same folders as <c>/folders</c>; a file's <c>folder</c> in the v8 file object, set on upload and PATCH.
/// </summary>
public class V8FolderTests : AdminAppFixture
{
    private const string FoldersRoute = "/_/folders";

    private async Task<JsonObject> CreateAsync(string name, string? parent = null) =>
        (await DataAsync(await client.PostAsync(FoldersRoute, Json(new JsonObject { ["name"] = name, ["parent_folder"] = parent })))).AsObject();

    [Test]
    public async Task CreateListAndReadTheV8FolderObject()
    {
        var tag = Unique("V8");
        var top = await CreateAsync("  " + tag + "  ");
        Assert.That(top.Select(p => p.Key), Is.EqualTo(new[] { "id", "name", "parent_folder" }));
        Assert.That(Str(top, "name"), Is.EqualTo(tag));
        Assert.That(top["parent_folder"], Is.Null);
        var child = await CreateAsync(tag + " child", Id(top));
        Assert.That(Str(child, "parent_folder"), Is.EqualTo(Id(top)));

        var list = await BodyAsync(await client.GetAsync($"{FoldersRoute}?filter[name][contains]={Uri.EscapeDataString(tag)}&sort=-name&meta=total_count,result_count"));
        Assert.That(list["data"]!.AsArray().Select(f => Str(f, "id")), Is.EqualTo(new[] { Id(child), Id(top) }));
        Assert.That(list["meta"]!["result_count"]!.GetValue<int>(), Is.EqualTo(2));
        var byParent = await GetDataAsync(client, $"{FoldersRoute}?filter[parent_folder][eq]={Id(top)}&fields=name");
        Assert.That(byParent.ToJsonString(), Is.EqualTo(new JsonArray(new JsonObject { ["name"] = tag + " child" }).ToJsonString()));

        var one = await GetDataAsync(client, $"{FoldersRoute}/{Id(child)}");
        Assert.That(one.ToJsonString(), Is.EqualTo(child.ToJsonString()));
        var both = await GetDataAsync(client, $"{FoldersRoute}/{Id(top)},{Id(child)}");
        Assert.That(both.AsArray(), Has.Count.EqualTo(2));

        // The same folders as Directus 9's /folders.
        var rest = await Files.FilesKit.DataAsync(await client.GetAsync($"/folders/{Id(child)}"));
        Assert.That(Str(rest, "parent"), Is.EqualTo(Id(top)));
    }

    [Test]
    public async Task UpdateAndDeleteKeepTheTreeRules()
    {
        var top = await CreateAsync(Unique("Top"));
        var middle = await CreateAsync("Middle", Id(top));
        var leaf = await CreateAsync("Leaf", Id(middle));

        using var cycle = await client.PatchAsync($"{FoldersRoute}/{Id(top)}", Json($$"""{"parent_folder":"{{Id(leaf)}}"}"""));
        await AssertV8ErrorAsync(cycle, HttpStatusCode.BadRequest, 4);
        using var missingParent = await client.PatchAsync($"{FoldersRoute}/{Id(leaf)}", Json($$"""{"parent_folder":"{{Guid.NewGuid()}}"}"""));
        await AssertV8ErrorAsync(missingParent, HttpStatusCode.BadRequest, 4);
        using var unknown = await client.PatchAsync($"{FoldersRoute}/{Guid.NewGuid()}", Json("""{"name":"x"}"""));
        await AssertV8ErrorAsync(unknown, HttpStatusCode.NotFound, 203);

        // v8 clients send the whole object back: the id is the URL's.
        var renamed = await DataAsync(await client.PatchAsync($"{FoldersRoute}/{Id(leaf)}", Json($$"""{"id":"{{Id(leaf)}}","name":"Renamed","parent_folder":"{{Id(top)}}"}""")));
        Assert.That(Str(renamed, "name"), Is.EqualTo("Renamed"));
        Assert.That(Str(renamed, "parent_folder"), Is.EqualTo(Id(top)));
        using var back = await client.PatchAsync($"{FoldersRoute}/{Id(leaf)}", Json($$"""{"parent_folder":"{{Id(middle)}}"}"""));
        await DataAsync(back);

        var file = await UploadAsync(client, TestImages.Png(8, 8), "in.png", "image/png", ("folder", Id(middle)));
        using var deleted = await client.DeleteAsync($"{FoldersRoute}/{Id(middle)}");
        Assert.That(deleted.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
        Assert.That(Str(await GetDataAsync(client, $"{FoldersRoute}/{Id(leaf)}"), "parent_folder"), Is.EqualTo(Id(top)), "the sub-folder moves up");
        Assert.That((await GetDataAsync(client, $"{FilesRoute}/{Id(file)}"))["folder"], Is.Null, "the file stays, outside any folder");
        using var gone = await client.GetAsync($"{FoldersRoute}/{Id(middle)}");
        await AssertV8ErrorAsync(gone, HttpStatusCode.NotFound, 203);
        using var again = await client.DeleteAsync($"{FoldersRoute}/{Id(middle)}");
        await AssertV8ErrorAsync(again, HttpStatusCode.NotFound, 203);
    }

    [Test]
    public async Task FilesCarryTheirFolderAndAreFilteredByIt()
    {
        var folder = await CreateAsync(Unique("Files"));
        var tag = Unique("v8f");
        var file = await UploadAsync(client, TestImages.Png(8, 8), "a.png", "image/png", ("folder", Id(folder)), ("title", tag));
        Assert.That(Str(file, "folder"), Is.EqualTo(Id(folder)));
        var loose = await UploadAsync(client, TestImages.Png(8, 8), "b.png", "image/png", ("title", tag));
        Assert.That(loose["folder"], Is.Null);

        var inFolder = await GetDataAsync(client, $"{FilesRoute}?filter[folder][eq]={Id(folder)}&fields=id,folder");
        Assert.That(inFolder.AsArray().Select(f => Str(f, "id")), Is.EqualTo(new[] { Id(file) }));
        var inNone = await GetDataAsync(client, $"{FilesRoute}?filter[title][eq]={tag}&filter[folder][null]=&fields=id");
        Assert.That(inNone.AsArray().Select(f => Str(f, "id")), Is.EqualTo(new[] { Id(loose) }));

        var moved = await DataAsync(await client.PatchAsync($"{FilesRoute}/{Id(loose)}", Json($$"""{"folder":"{{Id(folder)}}"}""")));
        Assert.That(Str(moved, "folder"), Is.EqualTo(Id(folder)));
        using var refused = await client.PatchAsync($"{FilesRoute}/{Id(loose)}", Json($$"""{"folder":"{{Guid.NewGuid()}}"}"""));
        await AssertV8ErrorAsync(refused, HttpStatusCode.BadRequest, 4);
    }

    [Test]
    public async Task DeeperFieldsExpandTheFolderObject()
    {
        var parent = await CreateAsync(Unique("Parent"));
        var folder = await CreateAsync(Unique("Child"), Id(parent));
        var tag = Unique("exp");
        var file = await UploadAsync(client, TestImages.Png(8, 8), "e.png", "image/png", ("folder", Id(folder)), ("title", tag));
        var loose = await UploadAsync(client, TestImages.Png(8, 8), "f.png", "image/png", ("title", tag));

        var one = await GetDataAsync(client, $"{FilesRoute}/{Id(file)}?fields=id,folder.*");
        Assert.That(one.ToJsonString(), Is.EqualTo(new JsonObject { ["id"] = Id(file), ["folder"] = folder.DeepClone() }.ToJsonString()));
        var all = await GetDataAsync(client, $"{FilesRoute}?filter[title][eq]={tag}&fields=*.*&sort=filename_download");
        Assert.That(all[0]!["folder"]!.ToJsonString(), Is.EqualTo(folder.ToJsonString()));
        Assert.That(Str(all[0], "private_hash"), Is.Not.Empty, "every other field is there too");
        Assert.That(all[1]!["folder"], Is.Null);
        var both = await GetDataAsync(client, $"{FilesRoute}/{Id(file)},{Id(loose)}?fields=folder.name");
        Assert.That(both[0]!["folder"]!["parent_folder"]!.GetValue<string>(), Is.EqualTo(Id(parent)));

        // Without a deeper field list the folder is its id, as v8 answers it.
        Assert.That(Str(await GetDataAsync(client, $"{FilesRoute}/{Id(file)}?fields=folder"), "folder"), Is.EqualTo(Id(folder)));
    }

    [Test]
    public async Task ReadTokenReadsWriteTokenWrites()
    {
        var folder = await CreateAsync(Unique("Tok"));
        using var anonymous = app.AnonymousClient();
        var denied = await AssertV8ErrorAsync(await anonymous.GetAsync(FoldersRoute), HttpStatusCode.Forbidden, 300);
        Assert.That(denied["message"]!.GetValue<string>(), Does.Contain("directus_folders"));

        using var reader = await Folders.FolderKit.TokenClientAsync(app, client, "read");
        await GetDataAsync(reader, $"{FoldersRoute}/{Id(folder)}");
        await AssertV8ErrorAsync(await reader.PostAsync(FoldersRoute, Json("""{"name":"no"}""")), HttpStatusCode.Forbidden, 301);
        await AssertV8ErrorAsync(await reader.PatchAsync($"{FoldersRoute}/{Id(folder)}", Json("""{"name":"no"}""")), HttpStatusCode.Forbidden, 302);
        await AssertV8ErrorAsync(await reader.DeleteAsync($"{FoldersRoute}/{Id(folder)}"), HttpStatusCode.Forbidden, 303);

        using var writer = await Folders.FolderKit.TokenClientAsync(app, client, "write");
        var written = await DataAsync(await writer.PatchAsync($"{FoldersRoute}/{Id(folder)}", Json("""{"name":"by writer"}""")));
        Assert.That(Str(written, "name"), Is.EqualTo("by writer"));
    }
}
