using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using AssetServer.Tests.Support;
using NUnit.Framework;

namespace AssetServer.Tests.Revisions;

/// <summary>Issue 11: every write leaves an activity row and a revision; reverts bring fields and kept bytes back.</summary>
public class RevisionTests : AdminAppFixture
{
    protected override AssetServerApp CreateApp() => new(("Files:KeepVersions", "2")) { Clock = AssetServerApp.SteppingClock() };

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    private async Task<JsonNode> GetDataAsync(string url)
    {
        using var res = await client.GetAsync(url);
        var text = await res.Content.ReadAsStringAsync();
        Assert.That(res.StatusCode, Is.EqualTo(HttpStatusCode.OK), text);
        return JsonNode.Parse(text)!["data"]!;
    }

    private async Task<JsonArray> RevisionsOfAsync(string id) =>
        (JsonArray)await GetDataAsync($"/revisions?filter[collection][_eq]=directus_files&filter[item][_eq]={id}&sort=id");

    private async Task<JsonArray> ActivityOfAsync(string id) =>
        (JsonArray)await GetDataAsync($"/activity?filter[item][_eq]={id}&sort=id");

    private async Task<HttpResponseMessage> ReplaceAsync(string id, byte[] bytes, string name, string type)
    {
        using var form = new MultipartFormDataContent();
        var part = new ByteArrayContent(bytes);
        part.Headers.ContentType = new MediaTypeHeaderValue(type);
        form.Add(part, "file", name);
        return await client.PatchAsync($"/files/{id}", form);
    }

    [Test]
    public async Task EveryWriteHasItsActivityAndRevision()
    {
        var file = await app.UploadOkAsync(TestImages.Png(40, 30), "logged.png", "image/png");
        var id = file["id"]!.GetValue<string>();
        using (var patch = await client.PatchAsync($"/files/{id}", Json("""{"title":"Second"}""")))
            Assert.That(patch.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        using (var replace = await ReplaceAsync(id, TestImages.Png(50, 20), "logged2.png", "image/png"))
            Assert.That(replace.StatusCode, Is.EqualTo(HttpStatusCode.OK));

        var activity = await ActivityOfAsync(id);
        Assert.That(activity.Select(a => a!["action"]!.GetValue<string>()), Is.EqualTo(new[] { "create", "update", "update" }));
        foreach (var entry in activity)
        {
            Assert.That(entry!["collection"]!.GetValue<string>(), Is.EqualTo("directus_files"));
            Assert.That(entry["actor"]!.GetValue<string>(), Is.EqualTo("admin"));
            Assert.That(entry["timestamp"]!.GetValue<string>(), Does.EndWith("Z"));
        }

        var revisions = await RevisionsOfAsync(id);
        Assert.That(revisions, Has.Count.EqualTo(3));
        Assert.That(revisions[0]!["delta"]!["filename_download"]!.GetValue<string>(), Is.EqualTo("logged.png"), "a create's delta is the record");
        Assert.That(revisions[1]!["delta"]!.AsObject().Select(p => p.Key), Is.EquivalentTo(new[] { "title", "modified_on" }));
        Assert.That(revisions[1]!["data"]!["title"]!.GetValue<string>(), Is.EqualTo("Second"), "data is the record after the write");
        Assert.That(revisions[2]!["delta"]!["width"]!.GetValue<int>(), Is.EqualTo(50));
        Assert.That(revisions[2]!["parent"]!.GetValue<long>(), Is.EqualTo(revisions[1]!["id"]!.GetValue<long>()));
        Assert.That(revisions[1]!["activity"]!.GetValue<long>(), Is.EqualTo(activity[1]!["id"]!.GetValue<long>()));

        using (var delete = await client.DeleteAsync($"/files/{id}"))
            Assert.That(delete.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
        activity = await ActivityOfAsync(id);
        Assert.That(activity.Last()!["action"]!.GetValue<string>(), Is.EqualTo("delete"));
        Assert.That(await RevisionsOfAsync(id), Has.Count.EqualTo(3), "a delete writes activity only; the revisions stay");
    }

    [Test]
    public async Task ActivityNamesTheTokenAndTheClient()
    {
        using var admin = app.AdminClient();
        using var created = await admin.PostAsync("/tokens", Json("""{"name":"nightly-import","access":"write"}"""));
        var token = JsonNode.Parse(await created.Content.ReadAsStringAsync())!["data"]!["token"]!.GetValue<string>();
        using var writer = app.AnonymousClient();
        writer.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        writer.DefaultRequestHeaders.UserAgent.ParseAdd("importer/1.0");
        using var form = new MultipartFormDataContent();
        form.Add(new ByteArrayContent(Encoding.UTF8.GetBytes("hello")), "file", "note.txt");
        using var upload = await writer.PostAsync("/files", form);
        var id = JsonNode.Parse(await upload.Content.ReadAsStringAsync())!["data"]!["id"]!.GetValue<string>();

        var entry = (await ActivityOfAsync(id)).Single()!;
        Assert.That(entry["actor"]!.GetValue<string>(), Is.EqualTo("nightly-import"));
        Assert.That(entry["user_agent"]!.GetValue<string>(), Is.EqualTo("importer/1.0"));
        var one = await GetDataAsync($"/activity/{entry["id"]}");
        Assert.That(one["item"]!.GetValue<string>(), Is.EqualTo(id));
    }

    [Test]
    public async Task StrapiWritesAreLoggedToo()
    {
        using var form = new MultipartFormDataContent();
        form.Add(new ByteArrayContent(Encoding.UTF8.GetBytes("from strapi")), "files", "strapi.txt");
        form.Add(new StringContent("""{"caption":"c"}"""), "fileInfo");
        using var upload = await client.PostAsync("/api/upload", form);
        Assert.That(upload.StatusCode, Is.EqualTo(HttpStatusCode.Created));
        var number = JsonNode.Parse(await upload.Content.ReadAsStringAsync())![0]!["id"]!.GetValue<long>();
        var id = ((JsonArray)await GetDataAsync($"/files?filter[numeric_id][_eq]={number}&fields=id"))[0]!["id"]!.GetValue<string>();
        using (var update = await client.PostAsync($"/api/upload?id={number}", Json("""{"fileInfo":{"caption":"d"}}""")))
            Assert.That(update.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var revisions = await RevisionsOfAsync(id);
        Assert.That(revisions, Has.Count.EqualTo(2));
        Assert.That(revisions[1]!["delta"]!["description"]!.GetValue<string>(), Is.EqualTo("d"));
    }

    [Test]
    public async Task GraphQLWritesAreLoggedToo()
    {
        var id = (await app.UploadOkAsync(TestImages.Png(8, 8), "graph.png", "image/png"))["id"]!.GetValue<string>();
        var mutation = new JsonObject
        {
            ["query"] = "mutation($id: ID!) { update_files_item(id: $id, data: { title: \"From GraphQL\" }) { id title } }",
            ["variables"] = new JsonObject { ["id"] = id },
        };
        using (var res = await client.PostAsync("/graphql/system", Json(mutation.ToJsonString())))
            Assert.That(await res.Content.ReadAsStringAsync(), Does.Contain("From GraphQL"));
        using (var res = await client.PostAsync("/graphql/system", Json($$"""{"query":"mutation { delete_files_item(id: \"{{id}}\") { id } }"}""")))
            Assert.That(res.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var revisions = await RevisionsOfAsync(id);
        Assert.That(revisions.Last()!["delta"]!["title"]!.GetValue<string>(), Is.EqualTo("From GraphQL"));
        Assert.That((await ActivityOfAsync(id)).Select(a => a!["action"]!.GetValue<string>()), Is.EqualTo(new[] { "create", "update", "delete" }));
    }

    [Test]
    public async Task RevertBringsBackFieldsAndKeptBytesAndInvalidatesDerivatives()
    {
        var first = TestImages.Png(60, 40);
        var file = await app.UploadOkAsync(first, "first.png", "image/png", ("title", "First"));
        var id = file["id"]!.GetValue<string>();
        var firstRevision = (await RevisionsOfAsync(id))[0]!["id"]!.GetValue<long>();
        using (var replace = await ReplaceAsync(id, TestImages.Png(30, 90), "second.png", "image/png"))
            Assert.That(replace.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        using (var patch = await client.PatchAsync($"/files/{id}", Json("""{"title":"Changed"}""")))
            Assert.That(patch.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var thumbnail = await client.GetByteArrayAsync($"/assets/{id}?width=20&height=20&fit=inside");
        Assert.That(TestImages.SizeOf(thumbnail), Is.EqualTo((7, 20)));

        using var revert = await client.PostAsync($"/files/{id}/revert/{firstRevision}", null);
        var text = await revert.Content.ReadAsStringAsync();
        Assert.That(revert.StatusCode, Is.EqualTo(HttpStatusCode.OK), text);
        Assert.That(revert.Headers.GetValues("X-Bytes-Restored").Single(), Is.EqualTo("true"));
        var data = JsonNode.Parse(text)!["data"]!;
        Assert.That(data["title"]!.GetValue<string>(), Is.EqualTo("First"));
        Assert.That(data["width"]!.GetValue<int>(), Is.EqualTo(60));
        Assert.That(data["filename_download"]!.GetValue<string>(), Is.EqualTo("first.png"));
        Assert.That(await client.GetByteArrayAsync($"/assets/{id}"), Is.EqualTo(first));
        Assert.That(TestImages.SizeOf(await client.GetByteArrayAsync($"/assets/{id}?width=20&height=20&fit=inside")), Is.EqualTo((20, 13)),
            "the derivative follows the restored bytes");

        var last = (await ActivityOfAsync(id)).Last()!;
        Assert.That(last["action"]!.GetValue<string>(), Is.EqualTo("update"), "a revert is logged as an update");
        // The replaced-away original is kept in turn: reverting the revert brings the second content back.
        var secondRevision = (await RevisionsOfAsync(id))[1]!["id"]!.GetValue<long>();
        using var again = await client.PostAsync($"/files/{id}/revert/{secondRevision}", null);
        Assert.That(again.Headers.GetValues("X-Bytes-Restored").Single(), Is.EqualTo("true"));
        Assert.That(TestImages.SizeOf(await client.GetByteArrayAsync($"/assets/{id}")), Is.EqualTo((30, 90)));
    }

    [Test]
    public async Task OldVersionsArePrunedAndARevertToThemRestoresFieldsOnly()
    {
        var file = await app.UploadOkAsync(TestImages.Png(11, 11), "v1.png", "image/png", ("title", "V1"));
        var id = file["id"]!.GetValue<string>();
        var v1 = (await RevisionsOfAsync(id))[0]!["id"]!.GetValue<long>();
        for (var i = 2; i <= 4; i++)
        {
            using var replace = await ReplaceAsync(id, TestImages.Png(10 + i, 10 + i), $"v{i}.png", "image/png");
            Assert.That(replace.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        }
        // Files:KeepVersions = 2: the current original and the two before it.
        Assert.That(app.OriginalsOnDisk().Count(f => Path.GetFileName(f).StartsWith(id, StringComparison.Ordinal)), Is.EqualTo(3));

        using var revert = await client.PostAsync($"/files/{id}/revert/{v1}", null);
        var text = await revert.Content.ReadAsStringAsync();
        Assert.That(revert.StatusCode, Is.EqualTo(HttpStatusCode.OK), text);
        Assert.That(revert.Headers.GetValues("X-Bytes-Restored").Single(), Is.EqualTo("false"));
        var data = JsonNode.Parse(text)!["data"]!;
        Assert.That(data["title"]!.GetValue<string>(), Is.EqualTo("V1"));
        Assert.That(data["width"]!.GetValue<int>(), Is.EqualTo(14), "the content stays the current one");
        Assert.That(TestImages.SizeOf(await client.GetByteArrayAsync($"/assets/{id}")), Is.EqualTo((14, 14)));
    }

    [Test]
    public async Task DeleteRemovesTheKeptVersionsToo()
    {
        var file = await app.UploadOkAsync(TestImages.Png(12, 12), "gone.png", "image/png");
        var id = file["id"]!.GetValue<string>();
        using (var replace = await ReplaceAsync(id, TestImages.Png(13, 13), "gone.png", "image/png"))
            Assert.That(replace.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(app.OriginalsOnDisk().Count(f => Path.GetFileName(f).StartsWith(id, StringComparison.Ordinal)), Is.EqualTo(2));
        using (var delete = await client.DeleteAsync($"/files/{id}"))
            Assert.That(delete.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
        Assert.That(app.OriginalsOnDisk().Count(f => Path.GetFileName(f).StartsWith(id, StringComparison.Ordinal)), Is.EqualTo(0));
    }

    [Test]
    public async Task RevertToAnotherFilesRevisionIsRefused()
    {
        var a = (await app.UploadOkAsync(TestImages.Png(8, 8), "a.png", "image/png"))["id"]!.GetValue<string>();
        var b = (await app.UploadOkAsync(TestImages.Png(9, 9), "b.png", "image/png"))["id"]!.GetValue<string>();
        var ofB = (await RevisionsOfAsync(b))[0]!["id"]!.GetValue<long>();
        using var res = await client.PostAsync($"/files/{a}/revert/{ofB}", null);
        Assert.That(res.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(await res.Content.ReadAsStringAsync(), Does.Contain("INVALID_PAYLOAD"));
        Assert.That((await RevisionsOfAsync(a)), Has.Count.EqualTo(1), "a refused revert writes nothing");
    }

    [Test]
    public async Task LogsUseTheRestQueryLanguageAndNeedAToken()
    {
        var id = (await app.UploadOkAsync(TestImages.Png(8, 8), "q.png", "image/png"))["id"]!.GetValue<string>();
        using var res = await client.GetAsync($"/revisions?filter[item][_eq]={id}&fields=id,item&meta=total_count,filter_count&limit=1");
        var body = JsonNode.Parse(await res.Content.ReadAsStringAsync())!;
        Assert.That(body["data"]!.AsArray(), Has.Count.EqualTo(1));
        Assert.That(body["data"]![0]!.AsObject().Select(p => p.Key), Is.EqualTo(new[] { "id", "item" }));
        Assert.That(body["meta"]!["filter_count"]!.GetValue<long>(), Is.EqualTo(1));
        Assert.That(body["meta"]!["total_count"]!.GetValue<long>(), Is.GreaterThanOrEqualTo(1));

        using var bad = await client.GetAsync("/activity?filter[nosuch][_eq]=1");
        Assert.That(bad.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        using var anonymous = app.AnonymousClient();
        Assert.That((await anonymous.GetAsync("/activity")).StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That((await anonymous.GetAsync("/revisions/1")).StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
    }
}
