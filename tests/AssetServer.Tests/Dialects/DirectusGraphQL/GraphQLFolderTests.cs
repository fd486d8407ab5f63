using System.Net;
using System.Text.Json.Nodes;
using AssetServer.Tests.Support;
using static AssetServer.Tests.Files.FilesKit;
using static AssetServer.Tests.GraphQL.GraphQLKit;

namespace AssetServer.Tests.GraphQL;

/// <summary>
/// Issue 19: folders on <c>/graphql/system</c> in Directus's shapes (<c>directus_folders { id name parent { … } }</c>,
/// a file's <c>folder</c> as that object, many-to-one inputs as <c>{ id }</c>), with REST's rules, tokens and limits.
/// </summary>
public class GraphQLFolderTests : AdminAppFixture
{
    private async Task<string> FolderAsync(string name, string? parent = null)
    {
        var body = new JsonObject { ["name"] = name, ["parent"] = parent };
        return Str(await DataAsync(await client.PostAsync("/folders", Json(body.ToJsonString()))), "id");
    }

    private async Task<JsonNode?> RestFolderAsync(string id)
    {
        using var response = await client.GetAsync($"/folders/{id}");
        return response.StatusCode == HttpStatusCode.Forbidden ? null : await DataAsync(response);
    }

    [Test]
    public async Task FoldersAndFoldersByIdAnswerTheFolderObjectWithItsParent()
    {
        var tag = Unique("Tree");
        var top = await FolderAsync(tag);
        var child = await FolderAsync(tag + " child", top);

        var data = await DataAsync(app, $$$"""
            { folders(filter: {name: {_starts_with: {{{Lit(tag)}}}}}, sort: ["name"]) { id name parent { id name } } }
            """);
        var rows = data["folders"]!.AsArray();
        Assert.That(Values(rows, "id"), Is.EqualTo(new[] { top, child }));
        Assert.That(rows[0]!["parent"], Is.Null);
        Assert.That(rows[1]!["parent"]!.ToJsonString(), Is.EqualTo(new JsonObject { ["id"] = top, ["name"] = tag }.ToJsonString()));

        var one = await DataAsync(app, $"{{ folders_by_id(id: {Lit(child)}) {{ name parent {{ id }} }} }}");
        Assert.That(one["folders_by_id"]!.ToJsonString(), Is.EqualTo(new JsonObject { ["name"] = tag + " child", ["parent"] = new JsonObject { ["id"] = top } }.ToJsonString()));
        var none = await DataAsync(app, $"{{ a: folders_by_id(id: {Lit(Guid.NewGuid().ToString())}) {{ id }} b: folders_by_id(id: \"nope\") {{ id }} }}");
        Assert.That(none["a"], Is.Null);
        Assert.That(none["b"], Is.Null);

        var byParent = await DataAsync(app, $"{{ folders(filter: {{parent: {{name: {{_eq: {Lit(tag)}}}}}}}) {{ id }} }}");
        Assert.That(Values(byParent["folders"], "id"), Is.EqualTo(new[] { child }));
    }

    [Test]
    public async Task FilesAnswerTheirFolderAndFilterThroughIt()
    {
        var name = Unique("Holiday");
        var parent = await FolderAsync(Unique("Photos"));
        var holiday = await FolderAsync(name, parent);
        var tag = Unique("gqf");
        var inside = await app.UploadOkAsync(TextBytes(20), "in.txt", "text/plain", ("folder", holiday), ("title", tag));
        var loose = await app.UploadOkAsync(TextBytes(20), "out.txt", "text/plain", ("title", tag));

        var data = await DataAsync(app, $$$"""
            { files(filter: {title: {_eq: {{{Lit(tag)}}}}}, sort: ["filename_download"]) { filename_download folder { id name parent { id } } } }
            """);
        var rows = data["files"]!.AsArray();
        Assert.That(rows[0]!["folder"]!.ToJsonString(),
            Is.EqualTo(new JsonObject { ["id"] = holiday, ["name"] = name, ["parent"] = new JsonObject { ["id"] = parent } }.ToJsonString()));
        Assert.That(rows[1]!["folder"], Is.Null);

        var byName = await DataAsync(app, $"{{ files(filter: {{folder: {{name: {{_eq: {Lit(name)}}}}}}}) {{ id }} }}");
        Assert.That(Values(byName["files"], "id"), Is.EqualTo(new[] { Str(inside, "id") }));
        var byGrandparent = await DataAsync(app, $"{{ files(filter: {{folder: {{parent: {{id: {{_eq: {Lit(parent)}}}}}}}}}) {{ id }} }}");
        Assert.That(Values(byGrandparent["files"], "id"), Is.EqualTo(new[] { Str(inside, "id") }));
        // Directus's test of the related key: a file in no folder has a null folder id.
        var inNone = await DataAsync(app, $"{{ files(filter: {{_and: [{{title: {{_eq: {Lit(tag)}}}}}, {{folder: {{id: {{_null: true}}}}}}]}}) {{ id }} }}");
        Assert.That(Values(inNone["files"], "id"), Is.EqualTo(new[] { Str(loose, "id") }));

        var one = await DataAsync(app, $"{{ files_by_id(id: {Lit(Str(inside, "id"))}) {{ folder {{ name }} }} }}");
        Assert.That(one["files_by_id"]!["folder"]!["name"]!.GetValue<string>(), Is.EqualTo(name));
    }

    [Test]
    public async Task FoldersAggregatedCountsAndGroups()
    {
        var parent = await FolderAsync(Unique("Agg"));
        await FolderAsync("a", parent);
        await FolderAsync("b", parent);
        var other = await FolderAsync("c", parent);
        await FolderAsync("d", other);

        var under = Lit(parent);
        var data = await DataAsync(app,
            "{ folders_aggregated(filter: {_or: [{parent: {id: {_eq: " + under + "}}}, {parent: {parent: {id: {_eq: " + under + "}}}}]}, groupBy: [\"parent\"]) " +
            "{ group countAll count { id } countDistinct { name } } }");
        var groups = data["folders_aggregated"]!.AsArray().ToDictionary(g => g!["group"]!["parent"]!.GetValue<string>());
        Assert.That(groups[parent]!["countAll"]!.GetValue<int>(), Is.EqualTo(3));
        Assert.That(groups[parent]!["count"]!["id"]!.GetValue<int>(), Is.EqualTo(3));
        Assert.That(groups[parent]!["countDistinct"]!["name"]!.GetValue<int>(), Is.EqualTo(3));
        Assert.That(groups[other]!["countAll"]!.GetValue<int>(), Is.EqualTo(1));

        var refused = await PostAsync(client, "{ folders_aggregated { sum { id } } }");
        await ValidationErrorsAsync(refused);
    }

    [Test]
    public async Task CreateUpdateAndDeleteFoldersWithTheCoreRules()
    {
        var tag = Unique("Mut");
        var created = await DataAsync(app, $"mutation {{ create_folders_item(data: {{name: {Lit("  " + tag + "  ")}}}) {{ id name parent {{ id }} }} }}");
        var top = Str(created["create_folders_item"]!, "id");
        Assert.That(Str(created["create_folders_item"]!, "name"), Is.EqualTo(tag), "the name is trimmed");
        Assert.That(created["create_folders_item"]!["parent"], Is.Null);

        var many = await DataAsync(app, $$$"""
            mutation { create_folders_items(data: [{name: "one", parent: {id: {{{Lit(top)}}}}}, {name: "two", parent: {id: {{{Lit(top)}}}}}]) { id name parent { name } } }
            """);
        var children = many["create_folders_items"]!.AsArray();
        Assert.That(children.Select(c => c!["parent"]!["name"]!.GetValue<string>()), Is.All.EqualTo(tag));
        var one = Str(children[0]!, "id");
        var two = Str(children[1]!, "id");

        // A folder cannot move below itself; a parent that does not exist is refused; a nested new folder is not created.
        await FieldErrorAsync(await PostAsync(client, $"mutation {{ update_folders_item(id: {Lit(top)}, data: {{parent: {{id: {Lit(one)}}}}}) {{ id }} }}"), "INVALID_PAYLOAD");
        await FieldErrorAsync(await PostAsync(client, $"mutation {{ update_folders_item(id: {Lit(one)}, data: {{parent: {{id: {Lit(Guid.NewGuid().ToString())}}}}}) {{ id }} }}"), "INVALID_FOREIGN_KEY");
        await FieldErrorAsync(await PostAsync(client, $"mutation {{ create_folders_item(data: {{name: \"x\", parent: {{name: \"new\"}}}}) {{ id }} }}"), "INVALID_PAYLOAD");
        await FieldErrorAsync(await PostAsync(client, "mutation { create_folders_item(data: {name: \"   \"}) { id } }"), "FAILED_VALIDATION");
        await FieldErrorAsync(await PostAsync(client, $"mutation {{ update_folders_item(id: {Lit(Guid.NewGuid().ToString())}, data: {{name: \"x\"}}) {{ id }} }}"), "FORBIDDEN");
        Assert.That((await RestFolderAsync(top))!["parent"], Is.Null, "refused writes changed nothing");

        var renamed = await DataAsync(app, $"mutation {{ update_folders_item(id: {Lit(two)}, data: {{name: \"Two\", parent: {{id: {Lit(one)}}}}}) {{ name parent {{ id }} }} }}");
        Assert.That(renamed["update_folders_item"]!["parent"]!["id"]!.GetValue<string>(), Is.EqualTo(one));
        var both = await DataAsync(app, $"mutation {{ update_folders_items(ids: [{Lit(one)}, {Lit(two)}], data: {{parent: null}}) {{ id parent {{ id }} }} }}");
        Assert.That(both["update_folders_items"]!.AsArray().Select(f => f!["parent"]), Is.All.Null);
        Assert.That((await RestFolderAsync(two))!["parent"], Is.Null);

        // Delete: files stay outside any folder, sub-folders move up.
        await DataAsync(app, $"mutation {{ update_folders_item(id: {Lit(two)}, data: {{parent: {{id: {Lit(one)}}}}}) {{ id }} }}");
        await DataAsync(app, $"mutation {{ update_folders_item(id: {Lit(one)}, data: {{parent: {{id: {Lit(top)}}}}}) {{ id }} }}");
        var file = await app.UploadOkAsync(TextBytes(20), "kept.txt", "text/plain", ("folder", one));
        var deleted = await DataAsync(app, $"mutation {{ delete_folders_item(id: {Lit(one)}) {{ id }} }}");
        Assert.That(Str(deleted["delete_folders_item"]!, "id"), Is.EqualTo(one));
        Assert.That(await RestFolderAsync(one), Is.Null);
        Assert.That(Str((await RestFolderAsync(two))!, "parent"), Is.EqualTo(top));
        Assert.That((await DataAsync(await client.GetAsync($"/files/{file["id"]}")))["folder"], Is.Null);

        var gone = await DataAsync(app, $"mutation {{ delete_folders_items(ids: [{Lit(top)}, {Lit(two)}]) {{ ids }} }}");
        Assert.That(gone["delete_folders_items"]!["ids"]!.AsArray(), Has.Count.EqualTo(2));
        Assert.That(await RestFolderAsync(top), Is.Null);
        Assert.That(await RestFolderAsync(two), Is.Null);
    }

    [Test]
    public async Task FileMutationsNameTheFolderByItsId()
    {
        var folder = await FolderAsync(Unique("Into"));
        var file = await app.UploadOkAsync(TextBytes(20), "move.txt", "text/plain");
        var id = Lit(Str(file, "id"));
        var moved = await DataAsync(app, $"mutation {{ update_files_item(id: {id}, data: {{folder: {{id: {Lit(folder)}}}}}) {{ folder {{ id }} }} }}");
        Assert.That(moved["update_files_item"]!["folder"]!["id"]!.GetValue<string>(), Is.EqualTo(folder));
        Assert.That(Str(await DataAsync(await client.GetAsync($"/files/{file["id"]}")), "folder"), Is.EqualTo(folder));

        await FieldErrorAsync(await PostAsync(client, $"mutation {{ update_files_item(id: {id}, data: {{folder: {{id: {Lit(Guid.NewGuid().ToString())}}}}}) {{ id }} }}"), "INVALID_FOREIGN_KEY");
        await FieldErrorAsync(await PostAsync(client, $"mutation {{ update_files_item(id: {id}, data: {{folder: {{name: \"new\"}}}}) {{ id }} }}"), "INVALID_PAYLOAD");
        Assert.That(Str(await DataAsync(await client.GetAsync($"/files/{file["id"]}")), "folder"), Is.EqualTo(folder));

        var outOf = await DataAsync(app, $"mutation {{ update_files_items(ids: [{id}], data: {{folder: null}}) {{ folder {{ id }} }} }}");
        Assert.That(outOf["update_files_items"]![0]!["folder"], Is.Null);
    }

    [Test]
    public async Task ReadTokenReadsFoldersWriteTokenWritesThem()
    {
        var folder = await FolderAsync(Unique("Tok"));
        using var anonymous = app.AnonymousClient();
        var refused = await FieldErrorAsync(await PostAsync(anonymous, "{ folders { id } }"), "FORBIDDEN");
        Assert.That(refused["errors"]![0]!["message"]!.GetValue<string>(), Does.Contain("directus_folders"));

        using var reader = await TokenClientAsync(app, "read");
        var read = await ResultAsync(await PostAsync(reader, $"{{ folders_by_id(id: {Lit(folder)}) {{ name }} folders_aggregated {{ countAll }} }}"));
        Assert.That(read["folders_by_id"], Is.Not.Null);
        foreach (var mutation in new[]
                 {
                     "mutation { create_folders_item(data: {name: \"no\"}) { id } }",
                     $"mutation {{ update_folders_item(id: {Lit(folder)}, data: {{name: \"no\"}}) {{ id }} }}",
                     $"mutation {{ delete_folders_items(ids: [{Lit(folder)}]) {{ ids }} }}",
                 })
            await FieldErrorAsync(await PostAsync(reader, mutation), "FORBIDDEN");
        Assert.That(Str((await RestFolderAsync(folder))!, "name"), Does.StartWith("Tok"));

        using var writer = await TokenClientAsync(app, "write");
        var written = await ResultAsync(await PostAsync(writer, $"mutation {{ update_folders_item(id: {Lit(folder)}, data: {{name: \"by writer\"}}) {{ name }} }}"));
        Assert.That(Str(written["update_folders_item"]!, "name"), Is.EqualTo("by writer"));
    }

    [Test]
    public async Task FolderFieldsCountAgainstTheSameLimits()
    {
        using var strict = new AssetServerApp(("GraphQL:MaxComplexity", "150"), ("GraphQL:MaxResponseBytes", "4096"));
        using var admin = strict.AdminClient();
        await ResultAsync(await PostAsync(admin, "{ folders(limit: 2) { id } }"));
        var complex = await ValidationErrorsAsync(await PostAsync(admin, "{ folders(limit: 100) { id } }"));
        Assert.That(complex[0]!["message"]!.GetValue<string>(), Does.Contain("too complex"));
        var large = await ValidationErrorsAsync(await PostAsync(admin, "{ files(limit: 20) { folder { name } } }"));
        Assert.That(large[0]!["message"]!.GetValue<string>(), Does.Contain("GraphQL:MaxResponseBytes"));
    }
}
