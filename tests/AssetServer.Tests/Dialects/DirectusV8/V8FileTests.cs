using System.Net;
using System.Text.Json.Nodes;
using AssetServer.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using static AssetServer.Tests.V8.V8Kit;

namespace AssetServer.Tests.V8;

/// <summary>Issue 11, Directus v8: <c>/_/files</c> routes, each form of <c>data</c>, the v8 file object, and one store with REST.</summary>
public class V8FileTests : AdminAppFixture
{
    private WebApplication upstream = null!;
    private string upstreamUrl = "";
    private readonly byte[] remoteJpeg = TestImages.Jpeg(90, 60);

    protected override AssetServerApp CreateApp() => new(("Import:AllowPrivateNetworks", "true"));

    [OneTimeSetUp]
    public async Task StartUpstream()
    {
        upstream = LoopbackUpstream.Create();
        upstream.MapGet("/photos/{name}", () => Results.Bytes(remoteJpeg, "application/octet-stream"));
        upstreamUrl = await upstream.StartOnLoopbackAsync();
    }

    [OneTimeTearDown]
    public async Task StopUpstream()
    {
        await upstream.StopAsync();
        await upstream.DisposeAsync();
    }

    [Test]
    public async Task MultipartUploadAnswersTheV8FileObject()
    {
        var png = TestImages.Png(120, 80);
        // v8 reads every field, also those after the file part.
        using var form = Form(png, "harbour.png", "image/png");
        form.Add(new StringContent("Harbour at dusk"), "title");
        using var response = await client.PostAsync(FilesRoute, form);
        var file = (await DataAsync(response)).AsObject();

        Assert.That(Guid.TryParseExact(Id(file), "D", out _), "ids stay UUIDs");
        Assert.That(Str(file, "title"), Is.EqualTo("Harbour at dusk"));
        Assert.That(Str(file, "filename_download"), Is.EqualTo("harbour.png"));
        Assert.That(Str(file, "type"), Is.EqualTo("image/png"));
        Assert.That(file["width"]!.GetValue<int>(), Is.EqualTo(120));
        Assert.That(file["height"]!.GetValue<int>(), Is.EqualTo(80));
        Assert.That(file["filesize"]!.GetValue<long>(), Is.EqualTo(png.Length));
        Assert.That(Str(file, "private_hash"), Does.Match("^[A-Za-z0-9_-]{16,}$"));
        Assert.That(file.Select(p => p.Key).TakeLast(2), Is.EqualTo(new[] { "private_hash", "data" }), "the Directus object, then v8's two");

        var data = file["data"]!.AsObject();
        var url = $"/uploads/_/originals/{Str(file, "filename_disk")}";
        Assert.That(Str(data, "url"), Is.EqualTo(url));
        Assert.That(Str(data, "full_url"), Is.EqualTo("http://localhost" + url), "absolute, from the request's scheme and host");
        Assert.That(Str(data, "asset_url"), Is.EqualTo($"/_/assets/{Str(file, "private_hash")}"));
        Assert.That(data["embed"], Is.Null);
        var thumbnails = data["thumbnails"]!.AsArray();
        Assert.That(thumbnails.Select(t => Str(t, "key")), Is.EqualTo(new[]
        {
            "directus-small-crop", "directus-small-contain", "directus-medium-crop", "directus-medium-contain", "directus-large-crop", "directus-large-contain",
        }));
        Assert.That(thumbnails.Select(t => Str(t, "dimension")), Is.EqualTo(new[] { "64x64", "64x64", "300x300", "300x300", "800x800", "800x800" }));
        Assert.That(Str(thumbnails[0], "relative_url"), Is.EqualTo($"/_/assets/{Str(file, "private_hash")}?key=directus-small-crop"));
        Assert.That(Str(thumbnails[0], "url"), Is.EqualTo("http://localhost" + Str(thumbnails[0], "relative_url")));
        Assert.That(thumbnails.Select(t => (t!["width"]!.GetValue<int>(), t["height"]!.GetValue<int>())),
            Is.EqualTo(new[] { (64, 64), (64, 43), (300, 300), (300, 200), (800, 800), (800, 533) }));
    }

    [Test]
    public async Task Base64DataIsStoredWithItsFieldsAndSniffedType()
    {
        var jpeg = TestImages.Jpeg(64, 48);
        var body = new JsonObject
        {
            ["data"] = Convert.ToBase64String(jpeg),
            ["filename_download"] = "pier.jpg",
            ["title"] = "Pier",
            ["tags"] = new JsonArray("sea", "wood"),
        };
        using var response = await client.PostAsync(FilesRoute, Json(body));
        var file = await DataAsync(response);

        Assert.That(Str(file, "filename_download"), Is.EqualTo("pier.jpg"));
        Assert.That(Str(file, "title"), Is.EqualTo("Pier"));
        Assert.That(Str(file, "type"), Is.EqualTo("image/jpeg"));
        Assert.That(file["width"]!.GetValue<int>(), Is.EqualTo(64));
        Assert.That(file["tags"]!.AsArray().Select(t => t!.GetValue<string>()), Is.EqualTo(new[] { "sea", "wood" }));
        Assert.That(file["data"]!["thumbnails"]!.AsArray(), Has.Count.EqualTo(6));
        var stored = await app.AnonymousClient().GetByteArrayAsync(Str(file["data"], "url"));
        Assert.That(stored, Is.EqualTo(jpeg));
    }

    [Test]
    public async Task DataUriIsDecodedAndItsClaimedTypeIgnored()
    {
        var png = TestImages.Png(20, 10);
        // The URI claims text; the bytes are a PNG, and the bytes decide. No name given: file.<ext of the sniffed type>.
        var body = new JsonObject { ["data"] = "data:text/plain;base64," + Convert.ToBase64String(png) };
        using var response = await client.PostAsync(FilesRoute, Json(body));
        var file = await DataAsync(response);

        Assert.That(Str(file, "type"), Is.EqualTo("image/png"));
        Assert.That(Str(file, "filename_download"), Is.EqualTo("file.png"));
        Assert.That(file["height"]!.GetValue<int>(), Is.EqualTo(10));
    }

    [Test]
    public async Task UrlDataIsImported()
    {
        var body = new JsonObject { ["data"] = $"{upstreamUrl}/photos/lighthouse.jpg", ["title"] = "Lighthouse" };
        using var response = await client.PostAsync(FilesRoute, Json(body));
        var file = await DataAsync(response);

        Assert.That(Str(file, "filename_download"), Is.EqualTo("lighthouse.jpg"), "named after the URL's last segment, as v8 did");
        Assert.That(Str(file, "type"), Is.EqualTo("image/jpeg"), "sniffed, whatever the remote server said");
        Assert.That(Str(file, "title"), Is.EqualTo("Lighthouse"));
        Assert.That(file["width"]!.GetValue<int>(), Is.EqualTo(90));
        Assert.That(await app.AnonymousClient().GetByteArrayAsync(Str(file["data"], "url")), Is.EqualTo(remoteJpeg));
    }

    [Test]
    public async Task MultipartDataAsTextIsDecodedToo()
    {
        using var form = new MultipartFormDataContent
        {
            { new StringContent(Convert.ToBase64String(TestImages.Png(12, 12))), "data" },
            { new StringContent("square.png"), "filename_download" },
        };
        using var response = await client.PostAsync(FilesRoute, form);
        var file = await DataAsync(response);
        Assert.That(Str(file, "filename_download"), Is.EqualTo("square.png"));
        Assert.That(file["width"]!.GetValue<int>(), Is.EqualTo(12));
    }

    [Test]
    public async Task GetOneHonoursFieldsAndMeta()
    {
        var file = await UploadAsync(client, TestImages.Png(30, 20), "one.png", "image/png", ("title", "One"));
        // The placeholder is written in the background after the upload (issue 17): the two reads below must see one row.
        app.WaitForBackgroundRenders();
        var body = await BodyAsync(await client.GetAsync($"{FilesRoute}/{Id(file)}?fields=id,title,data&meta=*"));

        Assert.That(body["data"]!.AsObject().Select(p => p.Key), Is.EqualTo(new[] { "id", "title", "data" }));
        Assert.That(Str(body["data"], "title"), Is.EqualTo("One"));
        Assert.That(body["meta"]!.ToJsonString(), Is.EqualTo("""{"collection":"directus_files","type":"item"}"""));

        var full = await GetDataAsync(client, $"{FilesRoute}/{Id(file)}?fields=*");
        Assert.That(full.ToJsonString(), Is.EqualTo((await GetDataAsync(client, $"{FilesRoute}/{Id(file)}")).ToJsonString()));
    }

    [Test]
    public async Task PatchWithJsonUpdatesFields()
    {
        var file = await UploadAsync(client, TestImages.Png(30, 20), "edit.png", "image/png");
        using var response = await client.PatchAsync($"{FilesRoute}/{Id(file)}", Json("""{"title":"Edited","description":"Now described","tags":["a"]}"""));
        var updated = await DataAsync(response);

        Assert.That(Str(updated, "title"), Is.EqualTo("Edited"));
        Assert.That(Str(updated, "description"), Is.EqualTo("Now described"));
        Assert.That(Str(updated, "private_hash"), Is.EqualTo(Str(file, "private_hash")), "an edit keeps the hash");
        Assert.That(Str(updated, "filename_disk"), Is.EqualTo(Str(file, "filename_disk")));
    }

    [Test]
    public async Task PatchWithAFilePartReplacesTheContents()
    {
        var file = await UploadAsync(client, TestImages.Png(40, 30), "before.png", "image/png", ("title", "Kept"));
        var oldUrl = Str(file["data"], "url");
        var jpeg = TestImages.Jpeg(50, 20);
        using var form = Form(jpeg, "after.jpg", "image/jpeg");
        using var response = await client.PatchAsync($"{FilesRoute}/{Id(file)}", form);
        var replaced = await DataAsync(response);

        Assert.That(Id(replaced), Is.EqualTo(Id(file)));
        Assert.That(Str(replaced, "type"), Is.EqualTo("image/jpeg"));
        Assert.That(replaced["width"]!.GetValue<int>(), Is.EqualTo(50));
        Assert.That(Str(replaced, "filename_download"), Is.EqualTo("after.jpg"));
        Assert.That(Str(replaced, "title"), Is.EqualTo("Kept"), "the title stays unless sent, as Directus does");
        Assert.That(replaced["data"]!["thumbnails"]![1]!["height"]!.GetValue<int>(), Is.EqualTo(26), "thumbnails follow the new bytes");

        var anonymous = app.AnonymousClient();
        Assert.That(await anonymous.GetByteArrayAsync(Str(replaced["data"], "url")), Is.EqualTo(jpeg));
        using var old = await anonymous.GetAsync(oldUrl);
        await AssertV8ErrorAsync(old, HttpStatusCode.NotFound, 203);
    }

    [Test]
    public async Task PatchWithBase64ReplacesTheContentsAndKeepsTheName()
    {
        var file = await UploadAsync(client, TestImages.Png(40, 30), "named.png", "image/png");
        var png = TestImages.Png(16, 8);
        using var response = await client.PatchAsync($"{FilesRoute}/{Id(file)}", Json(new JsonObject { ["data"] = Convert.ToBase64String(png) }));
        var replaced = await DataAsync(response);

        Assert.That(replaced["width"]!.GetValue<int>(), Is.EqualTo(16));
        Assert.That(Str(replaced, "filename_download"), Is.EqualTo("named.png"));
        Assert.That(await app.AnonymousClient().GetByteArrayAsync(Str(replaced["data"], "url")), Is.EqualTo(png));
    }

    [Test]
    public async Task DeleteAnswers204AndTheFileIsGoneEverywhere()
    {
        var file = await UploadAsync(client, TestImages.Png(10, 10), "gone.png", "image/png");
        var originals = app.OriginalsOnDisk().Length;
        using (var delete = await client.DeleteAsync($"{FilesRoute}/{Id(file)}"))
        {
            Assert.That(delete.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
            Assert.That(await delete.Content.ReadAsByteArrayAsync(), Is.Empty);
        }
        Assert.That(app.OriginalsOnDisk(), Has.Length.EqualTo(originals - 1));
        using (var v8 = await client.GetAsync($"{FilesRoute}/{Id(file)}")) await AssertV8ErrorAsync(v8, HttpStatusCode.NotFound, 203);
        using (var rest = await client.GetAsync($"/files/{Id(file)}")) Assert.That(rest.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        using (var asset = await app.AnonymousClient().GetAsync(Str(file["data"], "asset_url")))
            await AssertV8ErrorAsync(asset, HttpStatusCode.NotFound, 203);
    }

    [Test]
    public async Task AFileUploadedThroughV8IsTheSameFileThroughRest()
    {
        var uploaded = await UploadAsync(client, TestImages.Png(33, 22), "shared.png", "image/png", ("title", "Shared"), ("description", "both"));
        // The placeholder joins the metadata after the upload answered: compare two reads made after it.
        app.WaitForBackgroundRenders();
        var file = await GetDataAsync(client, $"{FilesRoute}/{Id(uploaded)}");
        var rest = await GetDataAsync(client, $"/files/{Id(file)}");
        foreach (var (name, value) in rest.AsObject())
            Assert.That(file[name]?.ToJsonString(), Is.EqualTo(value?.ToJsonString()), name);
        Assert.That(Str(await GetDataAsync(client, $"/files/{Id(file)}?fields=private_hash"), "private_hash"), Is.EqualTo(Str(file, "private_hash")));

        using (var patch = await client.PatchAsync($"/files/{Id(file)}", Json("""{"title":"Renamed by REST"}""")))
            Assert.That(patch.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(Str(await GetDataAsync(client, $"{FilesRoute}/{Id(file)}"), "title"), Is.EqualTo("Renamed by REST"));
    }

    [Test]
    public async Task AFileUploadedThroughRestIsTheSameFileThroughV8()
    {
        var rest = await app.UploadOkAsync(TestImages.Jpeg(48, 36), "rest.jpg", "image/jpeg", ("title", "From REST"));
        var file = await GetDataAsync(client, $"{FilesRoute}/{Id(rest)}");
        Assert.That(Str(file, "title"), Is.EqualTo("From REST"));
        Assert.That(file["width"]!.GetValue<int>(), Is.EqualTo(48));
        Assert.That(file["data"]!["thumbnails"]!.AsArray(), Has.Count.EqualTo(6));

        using (var patch = await client.PatchAsync($"{FilesRoute}/{Id(rest)}", Json("""{"title":"Edited in v8"}""")))
            Assert.That(patch.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(Str(await GetDataAsync(client, $"/files/{Id(rest)}"), "title"), Is.EqualTo("Edited in v8"));

        using (var delete = await client.DeleteAsync($"/files/{Id(rest)}")) Assert.That(delete.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
        using var gone = await client.GetAsync($"{FilesRoute}/{Id(rest)}");
        await AssertV8ErrorAsync(gone, HttpStatusCode.NotFound, 203);
    }

    [Test]
    public async Task SeveralIdsAreReadUpdatedAndDeletedAtOnce()
    {
        var a = await UploadAsync(client, TestImages.Png(10, 10), "a.png", "image/png");
        var b = await UploadAsync(client, TestImages.Png(11, 11), "b.png", "image/png");
        var ids = $"{Id(b)},{Id(a)}";

        var both = (await GetDataAsync(client, $"{FilesRoute}/{ids}?fields=id")).AsArray();
        Assert.That(both.Select(f => Id(f!)), Is.EqualTo(new[] { Id(b), Id(a) }), "in the order given");

        using (var patch = await client.PatchAsync($"{FilesRoute}/{ids}?fields=id,title", Json("""{"title":"Batch"}""")))
            Assert.That((await DataAsync(patch)).AsArray().Select(f => Str(f, "title")), Is.EqualTo(new[] { "Batch", "Batch" }));

        using (var delete = await client.DeleteAsync($"{FilesRoute}/{ids}")) Assert.That(delete.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
        using var gone = await client.GetAsync($"{FilesRoute}/{Id(a)}");
        await AssertV8ErrorAsync(gone, HttpStatusCode.NotFound, 203);
    }

    [Test]
    public async Task AFileThatIsNotAnImageHasNoThumbnails()
    {
        var file = await UploadAsync(client, "plain notes"u8.ToArray(), "notes.txt", "text/plain");
        Assert.That(Str(file, "type"), Does.StartWith("text/plain"));
        Assert.That(file["width"], Is.Null);
        Assert.That(file["height"], Is.Null);
        Assert.That(file["data"]!.AsObject().ContainsKey("thumbnails"));
        Assert.That(file["data"]!["thumbnails"], Is.Null, "v8 gives null for non-images");
        Assert.That(Str(file["data"], "url"), Does.EndWith(".txt"));
    }
}
