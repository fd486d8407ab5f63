using System.Net;
using System.Text.Json.Nodes;
using AssetServer.Tests.Support;
using static AssetServer.Tests.Files.FilesKit;
using static AssetServer.Tests.Folders.FolderKit;

namespace AssetServer.Tests.Folders;

/// <summary>Issue 19: <c>/folders</c> as Directus answers it: CRUD, the query language, validation, tokens.</summary>
public class FolderApiTests : AdminAppFixture
{
    [Test]
    public async Task CreatedFolderIsReadBackWithItsTrimmedNameAndParent()
    {
        var parent = await CreateAsync(client, Named("Photos"));
        using var response = await client.PostAsync("/folders", FolderKit.Json($$"""{"name":"  Holiday 2026  ","parent":"{{parent}}"}"""));
        var data = (await DataAsync(response)).AsObject();
        Assert.That(Guid.TryParse(data["id"]!.GetValue<string>(), out _), Is.True);
        Assert.That(data["name"]!.GetValue<string>(), Is.EqualTo("Holiday 2026"));
        Assert.That(data["parent"]!.GetValue<string>(), Is.EqualTo(parent));
        Assert.That(data.Select(p => p.Key), Is.EqualTo(new[] { "id", "name", "parent" }));

        var read = await GetAsync(client, data["id"]!.GetValue<string>());
        Assert.That(read!.ToJsonString(), Is.EqualTo(data.ToJsonString()));
    }

    [Test]
    public async Task ManyFoldersAreCreatedInOneRequestAndMayNestInIt()
    {
        var top = Guid.NewGuid().ToString();
        using var response = await client.PostAsync("/folders", FolderKit.Json(
            $$"""[{"id":"{{top}}","name":"{{Named("Top")}}"},{"name":"Child","parent":"{{top}}"}]"""));
        var data = (await DataAsync(response)).AsArray();
        Assert.That(data, Has.Count.EqualTo(2));
        Assert.That(data[0]!["id"]!.GetValue<string>(), Is.EqualTo(top));
        Assert.That(data[1]!["parent"]!.GetValue<string>(), Is.EqualTo(top));
    }

    [TestCase("""{}""")]
    [TestCase("""{"name":null}""")]
    [TestCase("""{"name":"   "}""")]
    public async Task NameIsRequired(string body)
    {
        using var response = await client.PostAsync("/folders", FolderKit.Json(body));
        await AssertErrorAsync(response, HttpStatusCode.BadRequest, "FAILED_VALIDATION");
    }

    [Test]
    public async Task UnknownFieldIsInvalidPayload()
    {
        using var response = await client.PostAsync("/folders", FolderKit.Json("""{"name":"x","colour":"red"}"""));
        await AssertErrorAsync(response, HttpStatusCode.BadRequest, "INVALID_PAYLOAD");
    }

    [Test]
    public async Task ParentThatDoesNotExistIsRefusedAndNothingIsStored()
    {
        var name = Named("Orphan");
        using var response = await client.PostAsync("/folders", FolderKit.Json($$"""{"name":"{{name}}","parent":"{{Guid.NewGuid()}}"}"""));
        await AssertErrorAsync(response, HttpStatusCode.BadRequest, "INVALID_FOREIGN_KEY");
        using var list = await client.GetAsync($"/folders?filter[name][_eq]={Q(name)}");
        Assert.That((await DataAsync(list)).AsArray(), Is.Empty);
    }

    [Test]
    public async Task FolderCannotBecomeItsOwnAncestor()
    {
        var a = await CreateAsync(client, Named("A"));
        var b = await CreateAsync(client, "B", a);
        var c = await CreateAsync(client, "C", b);

        using var self = await client.PatchAsync($"/folders/{a}", FolderKit.Json($$"""{"parent":"{{a}}"}"""));
        await AssertErrorAsync(self, HttpStatusCode.BadRequest, "INVALID_PAYLOAD");
        using var below = await client.PatchAsync($"/folders/{a}", FolderKit.Json($$"""{"parent":"{{c}}"}"""));
        await AssertErrorAsync(below, HttpStatusCode.BadRequest, "INVALID_PAYLOAD");
        Assert.That((await GetAsync(client, a))!["parent"], Is.Null, "the refused move changed nothing");

        // Moving down a branch that is not its own is fine: c to the top, then a under c.
        using var up = await client.PatchAsync($"/folders/{c}", FolderKit.Json("""{"parent":null}"""));
        Assert.That((await DataAsync(up))["parent"], Is.Null);
        using var down = await client.PatchAsync($"/folders/{a}", FolderKit.Json($$"""{"parent":"{{c}}","name":" Renamed "}"""));
        var moved = await DataAsync(down);
        Assert.That(moved["parent"]!.GetValue<string>(), Is.EqualTo(c));
        Assert.That(moved["name"]!.GetValue<string>(), Is.EqualTo("Renamed"));
    }

    [Test]
    public async Task PatchManyByKeysAndByQuery()
    {
        var tag = Named("Batch");
        var one = await CreateAsync(client, tag + " one");
        var two = await CreateAsync(client, tag + " two");
        var target = await CreateAsync(client, Named("Target"));

        using var byKeys = await client.PatchAsync("/folders", FolderKit.Json($$$"""{"keys":["{{{one}}}","{{{two}}}"],"data":{"parent":"{{{target}}}"}}"""));
        Assert.That((await DataAsync(byKeys)).AsArray().Select(f => f!["parent"]!.GetValue<string>()), Is.All.EqualTo(target));

        using var byQuery = await client.PatchAsync("/folders", FolderKit.Json(
            $$$$"""{"query":{"filter":{"name":{"_starts_with":"{{{{tag}}}}"}}},"data":{"parent":null}}"""));
        Assert.That((await DataAsync(byQuery)).AsArray(), Has.Count.EqualTo(2));
        Assert.That((await GetAsync(client, one))!["parent"], Is.Null);
        Assert.That((await GetAsync(client, two))!["parent"], Is.Null);

        using var missing = await client.PatchAsync($"/folders/{Guid.NewGuid()}", FolderKit.Json("""{"name":"x"}"""));
        await AssertErrorAsync(missing, HttpStatusCode.Forbidden, "FORBIDDEN");
    }

    [Test]
    public async Task ListTakesTheQueryLanguage()
    {
        var tag = Named("Query");
        var parent = await CreateAsync(client, tag + " parent");
        await CreateAsync(client, tag + " b", parent);
        await CreateAsync(client, tag + " a", parent);
        await CreateAsync(client, tag + " c", parent);

        using var list = await client.GetAsync($"/folders?filter[parent][_eq]={parent}&sort=-name&limit=2&page=1&fields=name&meta=*");
        var text = await list.Content.ReadAsStringAsync();
        var body = JsonNode.Parse(text)!;
        Assert.That(body["data"]!.AsArray().Select(f => f!["name"]!.GetValue<string>()), Is.EqualTo(new[] { tag + " c", tag + " b" }), text);
        Assert.That(body["data"]![0]!.AsObject().Select(p => p.Key), Is.EqualTo(new[] { "name" }));
        Assert.That(body["meta"]!["filter_count"]!.GetValue<long>(), Is.EqualTo(3));
        Assert.That(body["meta"]!["total_count"]!.GetValue<long>(), Is.GreaterThanOrEqualTo(4));

        using var page2 = await client.GetAsync($"/folders?filter[parent][_eq]={parent}&sort=name&limit=2&offset=2");
        Assert.That(Ids(await DataAsync(page2)), Has.Count.EqualTo(1));

        using var search = await client.GetAsync($"/folders?search={Q(tag + " a")}");
        Assert.That((await DataAsync(search)).AsArray().Select(f => f!["name"]!.GetValue<string>()), Is.EqualTo(new[] { tag + " a" }));

        using var searchMethod = await client.SendAsync(Request("SEARCH", "/folders",
            FolderKit.Json($$$$$"""{"query":{"filter":{"name":{"_eq":"{{{{{tag}}}}} b"}}}}""")));
        Assert.That((await DataAsync(searchMethod)).AsArray(), Has.Count.EqualTo(1));

        using var unknown = await client.GetAsync("/folders?filter[colour][_eq]=red");
        await AssertErrorAsync(unknown, HttpStatusCode.BadRequest, "INVALID_QUERY");
    }

    [Test]
    public async Task ParentIsARelationToFilterThroughAndExpand()
    {
        var name = Named("Albums");
        var albums = await CreateAsync(client, name);
        var summer = await CreateAsync(client, "Summer", albums);
        var beach = await CreateAsync(client, "Beach", summer);

        using var byParent = await client.GetAsync($"/folders?filter[parent][name][_eq]={Q(name)}");
        Assert.That(Ids(await DataAsync(byParent)), Is.EqualTo(new[] { summer }));
        using var byGrandparent = await client.GetAsync($"/folders?filter[parent][parent][name][_eq]={Q(name)}");
        Assert.That(Ids(await DataAsync(byGrandparent)), Is.EqualTo(new[] { beach }));

        using var one = await client.GetAsync($"/folders/{beach}?fields=name,parent.name,parent.parent");
        Assert.That((await DataAsync(one)).ToJsonString(), Is.EqualTo(
            new JsonObject { ["name"] = "Beach", ["parent"] = new JsonObject { ["name"] = "Summer", ["parent"] = albums } }.ToJsonString()));
        using var all = await client.GetAsync($"/folders?filter[id][_in]={albums},{summer}&fields=*.*&sort=name");
        var rows = (await DataAsync(all)).AsArray();
        Assert.That(rows[0]!["parent"], Is.Null, "a top folder's parent expands to null");
        Assert.That(rows[1]!["parent"]!["id"]!.GetValue<string>(), Is.EqualTo(albums));
        Assert.That(rows[1]!["parent"]!["name"]!.GetValue<string>(), Is.EqualTo(name));
    }

    [Test]
    public async Task MissingOrMalformedIdIsForbidden()
    {
        using var missing = await client.GetAsync($"/folders/{Guid.NewGuid()}");
        await AssertErrorAsync(missing, HttpStatusCode.Forbidden, "FORBIDDEN");
        using var malformed = await client.GetAsync("/folders/not-a-uuid");
        await AssertErrorAsync(malformed, HttpStatusCode.Forbidden, "FORBIDDEN");
    }

    [Test]
    public async Task DeleteLeavesFilesOutsideAnyFolderAndMovesSubFoldersUp()
    {
        var top = await CreateAsync(client, Named("Top"));
        var middle = await CreateAsync(client, "Middle", top);
        var leafA = await CreateAsync(client, "Leaf A", middle);
        var leafB = await CreateAsync(client, "Leaf B", middle);
        var file = await app.UploadOkAsync(TextBytes(50), "note.txt", "text/plain", ("folder", middle));
        Assert.That(file["folder"]!.GetValue<string>(), Is.EqualTo(middle));

        using var deleted = await client.DeleteAsync($"/folders/{middle}");
        Assert.That(deleted.StatusCode, Is.EqualTo(HttpStatusCode.NoContent), await deleted.Content.ReadAsStringAsync());

        Assert.That(await GetAsync(client, middle), Is.Null);
        Assert.That((await GetAsync(client, leafA))!["parent"]!.GetValue<string>(), Is.EqualTo(top));
        Assert.That((await GetAsync(client, leafB))!["parent"]!.GetValue<string>(), Is.EqualTo(top));
        using var read = await client.GetAsync($"/files/{file["id"]}");
        Assert.That((await DataAsync(read))["folder"], Is.Null, "the file stays, outside any folder");

        // A top folder's children become top folders; many at once, a missing id skipped.
        using var many = await client.SendAsync(Request("DELETE", "/folders", FolderKit.Json($$"""["{{top}}","{{Guid.NewGuid()}}"]""")));
        Assert.That(many.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
        Assert.That((await GetAsync(client, leafA))!["parent"], Is.Null);
    }

    [Test]
    public async Task DeletingAFolderAndItsChildTogetherLeavesNoOrphan()
    {
        var top = await CreateAsync(client, Named("Keep"));
        var a = await CreateAsync(client, "A", top);
        var b = await CreateAsync(client, "B", a);
        var c = await CreateAsync(client, "C", b);
        using var many = await client.SendAsync(Request("DELETE", "/folders", FolderKit.Json($$"""{"keys":["{{a}}","{{b}}"]}""")));
        Assert.That(many.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
        Assert.That((await GetAsync(client, c))!["parent"]!.GetValue<string>(), Is.EqualTo(top));
    }

    [Test]
    public async Task FolderWritesAreLoggedAsDirectusFolders()
    {
        var id = await CreateAsync(client, Named("Logged"));
        using var patch = await client.PatchAsync($"/folders/{id}", FolderKit.Json("""{"name":"Renamed"}"""));
        await DataAsync(patch);
        using var activity = await client.GetAsync($"/activity?filter[item][_eq]={id}&sort=id&fields=action,collection");
        var actions = (await DataAsync(activity)).AsArray();
        Assert.That(actions.Select(a => a!["action"]!.GetValue<string>()), Is.EqualTo(new[] { "create", "update" }));
        Assert.That(actions.Select(a => a!["collection"]!.GetValue<string>()), Is.All.EqualTo("directus_folders"));
        using var revisions = await client.GetAsync($"/revisions?filter[item][_eq]={id}&sort=-id&limit=1&fields=delta");
        Assert.That((await DataAsync(revisions))[0]!["delta"]!.ToJsonString(), Is.EqualTo("""{"name":"Renamed"}"""));
    }

    [Test]
    public async Task ReadsNeedAReadTokenAndWritesAWriteToken()
    {
        var id = await CreateAsync(client, Named("Guarded"));
        using var anonymous = app.AnonymousClient();
        using var anonymousList = await anonymous.GetAsync("/folders");
        Assert.That((int)anonymousList.StatusCode, Is.AnyOf(401, 403));

        using var reader = await TokenClientAsync(app, client, "read");
        using var read = await reader.GetAsync($"/folders/{id}");
        Assert.That(read.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        using var write = await reader.PostAsync("/folders", FolderKit.Json("""{"name":"nope"}"""));
        Assert.That(write.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        using var delete = await reader.DeleteAsync($"/folders/{id}");
        Assert.That(delete.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That(await GetAsync(client, id), Is.Not.Null);

        using var byQuery = await reader.PatchAsync("/folders", FolderKit.Json($$$$$"""{"query":{"filter":{"id":{"_eq":"{{{{{id}}}}}"}}},"data":{"name":"nope"}}"""));
        Assert.That(byQuery.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        using var deleteMany = await reader.SendAsync(Request("DELETE", "/folders", FolderKit.Json($$"""["{{id}}"]""")));
        Assert.That(deleteMany.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        using var search = await reader.SendAsync(Request("SEARCH", "/folders", FolderKit.Json($$$$$"""{"query":{"filter":{"id":{"_eq":"{{{{{id}}}}}"}}}}""")));
        Assert.That(Ids(await DataAsync(search)), Is.EqualTo(new[] { id }));
        Assert.That((await GetAsync(client, id))!["name"]!.GetValue<string>(), Does.StartWith("Guarded"));

        using var writer = await TokenClientAsync(app, client, "write");
        using var written = await writer.PatchAsync($"/folders/{id}", FolderKit.Json("""{"name":"by writer"}"""));
        Assert.That((await DataAsync(written))["name"]!.GetValue<string>(), Is.EqualTo("by writer"));
    }
}
