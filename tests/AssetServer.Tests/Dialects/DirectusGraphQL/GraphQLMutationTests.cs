using System.Net;
using System.Text.Json.Nodes;
using AssetServer.Tests.Support;
using static AssetServer.Tests.Files.FilesKit;
using static AssetServer.Tests.GraphQL.GraphQLKit;

namespace AssetServer.Tests.GraphQL;

/// <summary>
/// <c>update_files_item(s)</c> and <c>delete_files_item(s)</c>: the writes are <c>FileService</c>'s, the input is
/// checked as a REST body is, rows and bytes end as REST leaves them.
/// </summary>
public class GraphQLMutationTests : AdminAppFixture
{
    private async Task<JsonObject> UploadAsync(string title) =>
        await app.UploadOkAsync(TextBytes(16), $"{Unique("m")}.txt", "text/plain", ("title", title), ("description", "kept"));

    private async Task<JsonNode> RestAsync(string id) => await DataAsync(await client.GetAsync($"/files/{id}"));

    [Test]
    public async Task UpdateOneWritesTheFieldsAndAnswersTheSelection()
    {
        var file = await UploadAsync("Before");
        var data = await DataAsync(app, $$"""
            mutation {
              update_files_item(id: {{Lit(Str(file, "id"))}}, data: {
                title: "After", tags: ["x", "y"], focal_point_x: 3, metadata: {source: "graphql", n: 1}, filename_download: "after.txt"
              }) { id title tags focal_point_x metadata filename_download modified_on }
            }
            """);
        var updated = data["update_files_item"]!;
        Assert.That(updated["title"]!.GetValue<string>(), Is.EqualTo("After"));
        Assert.That(updated["tags"]!.ToJsonString(), Is.EqualTo("""["x","y"]"""));
        Assert.That(updated["metadata"]!.ToJsonString(), Is.EqualTo("""{"source":"graphql","n":1}"""));
        var rest = await RestAsync(Str(file, "id"));
        Assert.That(Str(rest, "title"), Is.EqualTo("After"));
        Assert.That(Str(rest, "description"), Is.EqualTo("kept"), "a field left out is kept");
        Assert.That(Str(rest, "filename_download"), Is.EqualTo("after.txt"));
        Assert.That(rest["focal_point_x"]!.GetValue<int>(), Is.EqualTo(3));
        Assert.That(Str(rest, "modified_on"), Is.EqualTo(updated["modified_on"]!.GetValue<string>()));
    }

    [Test]
    public async Task UpdateWithDataAsAVariableAndNullClearsAField()
    {
        var file = await UploadAsync("Variables");
        var data = await DataAsync(app, "mutation Edit($id: ID!, $data: update_directus_files_input!) { update_files_item(id: $id, data: $data) { description location } }",
            new { id = Str(file, "id"), data = new Dictionary<string, object?> { ["description"] = null, ["location"] = "Lisbon" } });
        Assert.That(data["update_files_item"]!["description"], Is.Null);
        var rest = await RestAsync(Str(file, "id"));
        Assert.That(rest["description"], Is.Null);
        Assert.That(Str(rest, "location"), Is.EqualTo("Lisbon"));
    }

    [Test]
    public async Task ReadOnlyFieldIsNotInTheInputType()
    {
        var file = await UploadAsync("Read only");
        var errors = await ValidationErrorsAsync(await PostAsync(client,
            $"mutation {{ update_files_item(id: {Lit(Str(file, "id"))}, data: {{filesize: 1}}) {{ id }} }}"));
        Assert.That(errors[0]!["locations"]!.AsArray(), Is.Not.Empty);
        Assert.That((await RestAsync(Str(file, "id")))["filesize"]!.GetValue<long>(), Is.EqualTo(16));
    }

    [TestCase("focal_point_x: -1")]
    [TestCase("folder: {id: \"not-a-uuid\"}")]
    [TestCase("tags: {a: 1}")]
    [TestCase("metadata: [1, 2]")]
    public async Task ValueFileInputRefusesIsAnInvalidPayloadError(string field)
    {
        var file = await UploadAsync("Unchanged");
        var response = await PostAsync(client, $"mutation {{ update_files_item(id: {Lit(Str(file, "id"))}, data: {{title: \"Changed\", {field}}}) {{ id }} }}");
        var body = await FieldErrorAsync(response, "INVALID_PAYLOAD");
        Assert.That(body["data"]!["update_files_item"], Is.Null);
        Assert.That(Str(await RestAsync(Str(file, "id")), "title"), Is.EqualTo("Unchanged"));
    }

    [TestCase("00000000-0000-4000-8000-000000000000")]
    [TestCase("not-a-uuid")]
    public async Task UpdateOfNoFileIsForbidden(string id)
    {
        var rows = await app.RowCountAsync();
        await FieldErrorAsync(await PostAsync(client, $"mutation {{ update_files_item(id: {Lit(id)}, data: {{title: \"x\"}}) {{ id }} }}"), "FORBIDDEN");
        Assert.That(await app.RowCountAsync(), Is.EqualTo(rows));
    }

    [Test]
    public async Task UpdateManyUpdatesEachAndAnswersInIdOrder()
    {
        var a = Str(await UploadAsync("One"), "id");
        var b = Str(await UploadAsync("Two"), "id");
        var data = await DataAsync(app, "mutation($ids: [ID]!) { update_files_items(ids: $ids, data: {location: \"Both\"}) { id location } }",
            new { ids = new[] { b, a } });
        Assert.That(Values(data["update_files_items"], "id"), Is.EqualTo(new[] { a, b }.Order(StringComparer.Ordinal)));
        Assert.That(Values(data["update_files_items"], "location"), Is.EqualTo(new[] { "Both", "Both" }));
        Assert.That(Str(await RestAsync(a), "location"), Is.EqualTo("Both"));
        Assert.That(Str(await RestAsync(b), "location"), Is.EqualTo("Both"));
    }

    [Test]
    public async Task UpdateManyWithOneUnknownIdChangesNothing()
    {
        var a = Str(await UploadAsync("Alone"), "id");
        var response = await PostAsync(client, "mutation($ids: [ID]!) { update_files_items(ids: $ids, data: {title: \"All or none\"}) { id } }",
            new { ids = new[] { a, Guid.NewGuid().ToString() } });
        await FieldErrorAsync(response, "FORBIDDEN");
        Assert.That(Str(await RestAsync(a), "title"), Is.EqualTo("Alone"));
    }

    [Test]
    public async Task DeleteOneRemovesTheRowTheOriginalAndItsDerivatives()
    {
        var file = await app.UploadOkAsync(TestImages.Jpeg(64, 48), $"{Unique("del")}.jpg", "image/jpeg");
        var id = Str(file, "id");
        var original = ReadOriginalPath(app, file);
        using (var derivative = await client.GetAsync($"/assets/{id}?width=16"))
            Assert.That(derivative.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(File.Exists(original), Is.True);

        var data = await DataAsync(app, $"mutation {{ delete_files_item(id: {Lit(id)}) {{ id }} }}");
        Assert.That(data["delete_files_item"]!["id"]!.GetValue<string>(), Is.EqualTo(id));
        Assert.That(File.Exists(ReadOriginalPath(app, file)), Is.False, "the original is gone from the store");
        var left = Directory.Exists(app.DerivativesPath)
            ? Directory.GetFiles(app.DerivativesPath, "*", SearchOption.AllDirectories).Where(p => p.Contains(id)).ToList()
            : [];
        Assert.That(left, Is.Empty, "no derivative of it is left");
        using var read = await client.GetAsync($"/files/{id}");
        Assert.That(read.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
    }

    [Test]
    public async Task DeleteManyRemovesEachAndAnswersTheIds()
    {
        var a = await UploadAsync("Gone A");
        var b = await UploadAsync("Gone B");
        var ids = new[] { Str(a, "id"), Str(b, "id") };
        var data = await DataAsync(app, "mutation($ids: [ID]!) { delete_files_items(ids: $ids) { ids } }", new { ids });
        Assert.That(data["delete_files_items"]!["ids"]!.AsArray().Select(i => i!.GetValue<string>()), Is.EqualTo(ids));
        Assert.That(File.Exists(ReadOriginalPath(app, a)), Is.False);
        Assert.That(File.Exists(ReadOriginalPath(app, b)), Is.False);
    }

    [Test]
    public async Task MutationsRunInOrder()
    {
        var file = await UploadAsync("Order");
        var id = Lit(Str(file, "id"));
        var data = await DataAsync(app, $$"""
            mutation {
              first: update_files_item(id: {{id}}, data: {title: "First"}) { title }
              second: update_files_item(id: {{id}}, data: {title: "Second"}) { title }
              gone: delete_files_item(id: {{id}}) { id }
            }
            """);
        Assert.That(data["first"]!["title"]!.GetValue<string>(), Is.EqualTo("First"));
        Assert.That(data["second"]!["title"]!.GetValue<string>(), Is.EqualTo("Second"));
        Assert.That(File.Exists(ReadOriginalPath(app, file)), Is.False);
    }
}
