using System.Net;
using System.Text.Json.Nodes;
using AssetServer.Tests.Support;
using static AssetServer.Tests.V8.V8Kit;

namespace AssetServer.Tests.V8;

/// <summary>
/// Issue 11, Directus v8: <c>/_/files/:id/revisions[/:offset]</c> from the core's revisions log, and v8 writes logged
/// like every other dialect's.
/// </summary>
public class V8RevisionTests : AdminAppFixture
{
    protected override AssetServerApp CreateApp() => new() { Clock = AssetServerApp.SteppingClock() };

    /// <summary>A file with three revisions: the upload, a title edit, a description edit.</summary>
    private async Task<string> FileWithThreeRevisionsAsync()
    {
        var file = await UploadAsync(client, TestImages.Png(20, 10), "revised.png", "image/png", ("title", "First"));
        using (var second = await client.PatchAsync($"{FilesRoute}/{Id(file)}", Json("""{"title":"Second"}""")))
            Assert.That(second.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        using (var third = await client.PatchAsync($"{FilesRoute}/{Id(file)}", Json("""{"description":"Third"}""")))
            Assert.That(third.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        return Id(file);
    }

    [Test]
    public async Task RevisionsAreListedOldestFirstInV8sShape()
    {
        var id = await FileWithThreeRevisionsAsync();
        var revisions = (await GetDataAsync(client, $"{FilesRoute}/{id}/revisions")).AsArray();

        Assert.That(revisions, Has.Count.EqualTo(3));
        var ids = revisions.Select(r => r!["id"]!.GetValue<long>()).ToArray();
        Assert.That(ids, Is.Ordered.Ascending);
        Assert.That(revisions[0]!.AsObject().Select(p => p.Key), Is.EqualTo(new[]
        {
            "id", "activity", "collection", "item", "data", "delta", "parent_collection", "parent_item", "parent_changed",
        }));
        foreach (var revision in revisions)
        {
            Assert.That(Str(revision, "collection"), Is.EqualTo("directus_files"));
            Assert.That(Str(revision, "item"), Is.EqualTo(id));
            Assert.That(revision!["parent_changed"]!.GetValue<bool>(), Is.False);
        }
        Assert.That(Str(revisions[0]!["delta"], "filename_download"), Is.EqualTo("revised.png"), "the upload's delta is the record");
        Assert.That(revisions[1]!["delta"]!.AsObject().Select(p => p.Key), Is.EquivalentTo(new[] { "title", "modified_on" }));
        Assert.That(Str(revisions[2]!["data"], "title"), Is.EqualTo("Second"), "data is the file after the write");
        Assert.That(Str(revisions[2]!["data"], "description"), Is.EqualTo("Third"));
        var data = revisions[2]!["data"]!.AsObject();
        Assert.That(data.ContainsKey("private_hash"));
        Assert.That(data.ContainsKey("numeric_id") || data.ContainsKey("upload_hash") || data.ContainsKey("document_id"), Is.False,
            "v8's file fields only");
    }

    [Test]
    public async Task AnOffsetGoesBackFromTheLatestRevision()
    {
        var id = await FileWithThreeRevisionsAsync();
        var all = (await GetDataAsync(client, $"{FilesRoute}/{id}/revisions")).AsArray();
        for (var offset = 0; offset < 3; offset++)
        {
            var revision = await GetDataAsync(client, $"{FilesRoute}/{id}/revisions/{offset}");
            Assert.That(revision.ToJsonString(), Is.EqualTo(all[2 - offset]!.ToJsonString()), $"offset {offset}: {offset} step(s) back");
        }
        Assert.That(Str((await GetDataAsync(client, $"{FilesRoute}/{id}/revisions/0"))["delta"], "description"), Is.EqualTo("Third"), "0 is the latest state");
        Assert.That(Str((await GetDataAsync(client, $"{FilesRoute}/{id}/revisions/1"))["data"], "title"), Is.EqualTo("Second"));

        using var past = await client.GetAsync($"{FilesRoute}/{id}/revisions/3");
        await AssertV8ErrorAsync(past, HttpStatusCode.NotFound, 203);
    }

    [TestCase("-1")]
    [TestCase("one")]
    [TestCase("1.5")]
    [TestCase("99999999999")]
    public async Task AnOffsetThatIsNotAWholeNumberIs400(string offset)
    {
        var id = await FileWithThreeRevisionsAsync();
        using var response = await client.GetAsync($"{FilesRoute}/{id}/revisions/{offset}");
        await AssertV8ErrorAsync(response, HttpStatusCode.BadRequest, 4);
    }

    [Test]
    public async Task RevisionsTakeTheQueryLanguage()
    {
        var id = await FileWithThreeRevisionsAsync();
        var body = await BodyAsync(await client.GetAsync($"{FilesRoute}/{id}/revisions?limit=1&offset=1&fields=id,delta&meta=*"));
        Assert.That(body["data"]!.AsArray(), Has.Count.EqualTo(1));
        Assert.That(body["data"]![0]!.AsObject().Select(p => p.Key), Is.EqualTo(new[] { "id", "delta" }));
        Assert.That(Str(body["data"]![0]!["delta"], "title"), Is.EqualTo("Second"));
        Assert.That(Str(body["meta"], "collection"), Is.EqualTo("directus_revisions"));
        Assert.That(body["meta"]!["result_count"]!.GetValue<int>(), Is.EqualTo(1));
        Assert.That(body["meta"]!["filter_count"]!.GetValue<long>(), Is.EqualTo(3), "only this file's revisions");

        var latest = await GetDataAsync(client, $"{FilesRoute}/{id}/revisions?sort=-id&single=1");
        Assert.That(Str(latest["delta"], "description"), Is.EqualTo("Third"));

        var first = (await GetDataAsync(client, $"{FilesRoute}/{id}/revisions/2"))["id"]!.GetValue<long>();
        var later = (await GetDataAsync(client, $"{FilesRoute}/{id}/revisions?filter[id][gt]={first}")).AsArray();
        Assert.That(later, Has.Count.EqualTo(2));

        using var unknown = await client.GetAsync($"{FilesRoute}/{id}/revisions?filter[data][eq]=x");
        await AssertV8ErrorAsync(unknown, (HttpStatusCode)422, 202);
    }

    [Test]
    public async Task EveryV8WriteIsLoggedAndRevisionsOutliveTheFile()
    {
        var file = await UploadAsync(client, TestImages.Png(12, 12), "logged.png", "image/png");
        var id = Id(file);
        using (var patch = await client.PatchAsync($"{FilesRoute}/{id}", Json("""{"title":"Logged"}"""))) Assert.That(patch.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        using (var replace = await client.PatchAsync($"{FilesRoute}/{id}", Form(TestImages.Png(14, 14), "logged2.png", "image/png")))
            Assert.That(replace.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        using (var rotate = await client.PostAsync($"{FilesRoute}/{id}/private_hash", null)) Assert.That(rotate.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        using (var delete = await client.DeleteAsync($"{FilesRoute}/{id}")) Assert.That(delete.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));

        var activity = (await GetDataAsync(client, $"/activity?filter[item][_eq]={id}&sort=id")).AsArray();
        Assert.That(activity.Select(a => Str(a, "action")), Is.EqualTo(new[] { "create", "update", "update", "update", "delete" }));
        Assert.That(activity.Select(a => Str(a, "actor")).Distinct(), Is.EqualTo(new[] { "admin" }));

        var revisions = (await GetDataAsync(client, $"{FilesRoute}/{id}/revisions")).AsArray();
        Assert.That(revisions, Has.Count.EqualTo(4), "a delete logs activity only; the revisions stay listed");
        Assert.That(revisions[2]!["delta"]!["width"]!.GetValue<int>(), Is.EqualTo(14));
        Assert.That(revisions[3]!["delta"]!.AsObject().ContainsKey("private_hash"), "the rotation is a revision too");
    }

    [TestCase("not-a-uuid")]
    [TestCase("42")]
    public async Task AnIdThatIsNotAUuidIs404(string id)
    {
        using (var list = await client.GetAsync($"{FilesRoute}/{id}/revisions")) await AssertV8ErrorAsync(list, HttpStatusCode.NotFound, 203);
        using (var one = await client.GetAsync($"{FilesRoute}/{id}/revisions/0")) await AssertV8ErrorAsync(one, HttpStatusCode.NotFound, 203);
    }

    [Test]
    public async Task AFileWithoutRevisionsListsNone()
    {
        var body = await BodyAsync(await client.GetAsync($"{FilesRoute}/{Guid.NewGuid()}/revisions?meta=result_count"));
        Assert.That(body["data"]!.AsArray(), Is.Empty);
        Assert.That(body["meta"]!["result_count"]!.GetValue<int>(), Is.Zero);
    }
}
