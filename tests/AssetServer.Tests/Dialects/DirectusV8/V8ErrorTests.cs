using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using AssetServer.Tests.Support;
using static AssetServer.Tests.V8.V8Kit;

namespace AssetServer.Tests.V8;

/// <summary>
/// Issue 11, Directus v8: every refusal on a v8 path in v8's shape with its code (unknown project, auth, ids, routes,
/// bad uploads), bad uploads leave nothing behind, and the other dialects keep their own shapes.
/// </summary>
public class V8ErrorTests : AdminAppFixture
{
    private static readonly string Missing = Guid.NewGuid().ToString("D");

    [TestCase("GET", "/other/files")]
    [TestCase("POST", "/other/files")]
    [TestCase("GET", "/other/files/{id}")]
    [TestCase("GET", "/other/files/{id}/revisions/0")]
    [TestCase("GET", "/other/assets/0123456789abcdef")]
    [TestCase("GET", "/uploads/other/originals/x.png")]
    public async Task AnotherProjectIsA404(string method, string path)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path.Replace("{id}", Missing));
        using var response = await client.SendAsync(request);
        var error = await AssertV8ErrorAsync(response, HttpStatusCode.NotFound, 24);
        Assert.That(Str(error, "message"), Is.EqualTo("Unknown project: other"));
    }

    [TestCase("GET", "/_/files", 300)]
    [TestCase("POST", "/_/files", 301)]
    [TestCase("GET", "/_/files/{id}", 300)]
    [TestCase("PATCH", "/_/files/{id}", 302)]
    [TestCase("DELETE", "/_/files/{id}", 303)]
    [TestCase("POST", "/_/files/{id}/private_hash", 302)]
    [TestCase("GET", "/_/files/{id}/revisions", 300)]
    [TestCase("GET", "/_/files/{id}/revisions/0", 300)]
    public async Task WithoutATokenTheFilesAreDenied(string method, string path, int code)
    {
        using var anonymous = app.AnonymousClient();
        using var request = new HttpRequestMessage(new HttpMethod(method), path.Replace("{id}", Missing));
        using var response = await anonymous.SendAsync(request);
        await AssertV8ErrorAsync(response, HttpStatusCode.Forbidden, code);
    }

    [Test]
    public async Task AReadTokenMayReadButNotWrite()
    {
        var file = await UploadAsync(client, TestImages.Png(8, 8), "read-only.png", "image/png");
        using var reader = await ClientWithAccessAsync(app, "read");
        Assert.That(Str(await GetDataAsync(reader, $"{FilesRoute}/{Id(file)}"), "id"), Is.EqualTo(Id(file)));

        var before = await SnapshotAsync(app);
        using (var create = await reader.PostAsync(FilesRoute, Form(TestImages.Png(8, 8), "no.png", "image/png")))
            await AssertV8ErrorAsync(create, HttpStatusCode.Forbidden, 301);
        using (var patch = await reader.PatchAsync($"{FilesRoute}/{Id(file)}", Json("""{"title":"no"}""")))
            await AssertV8ErrorAsync(patch, HttpStatusCode.Forbidden, 302);
        using (var delete = await reader.DeleteAsync($"{FilesRoute}/{Id(file)}"))
            await AssertV8ErrorAsync(delete, HttpStatusCode.Forbidden, 303);
        Assert.That(await SnapshotAsync(app), Is.EqualTo(before));
    }

    [Test]
    public async Task ATokenThatMatchesNothingIs401()
    {
        using var stranger = app.CreateClient();
        stranger.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "made-up-token");
        using (var header = await stranger.GetAsync(FilesRoute)) await AssertV8ErrorAsync(header, HttpStatusCode.Unauthorized, 101);
        using var anonymous = app.AnonymousClient();
        using (var query = await anonymous.GetAsync($"{FilesRoute}?access_token=made-up-token"))
            await AssertV8ErrorAsync(query, HttpStatusCode.Unauthorized, 101);
        using var valid = await anonymous.GetAsync($"{FilesRoute}?access_token={AssetServerApp.AdminToken}&limit=1");
        Assert.That(valid.StatusCode, Is.EqualTo(HttpStatusCode.OK), "v8's ?access_token= is a token like the header");
    }

    [TestCase("GET", "42")]
    [TestCase("GET", "not-a-uuid")]
    [TestCase("GET", "{missing}")]
    [TestCase("PATCH", "42")]
    [TestCase("PATCH", "{missing}")]
    [TestCase("DELETE", "not-a-uuid")]
    [TestCase("DELETE", "{missing}")]
    [TestCase("POST", "{missing}/private_hash")]
    public async Task AnIdThatNamesNoFileIs404(string method, string id)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), $"{FilesRoute}/{id.Replace("{missing}", Missing)}")
        {
            Content = method == "PATCH" ? Json("""{"title":"x"}""") : null,
        };
        using var response = await client.SendAsync(request);
        await AssertV8ErrorAsync(response, HttpStatusCode.NotFound, 203);
    }

    [Test]
    public async Task OneMissingIdAmongSeveralIs404AndNothingIsDeleted()
    {
        var file = await UploadAsync(client, TestImages.Png(8, 8), "kept.png", "image/png");
        using var response = await client.DeleteAsync($"{FilesRoute}/{Id(file)},{Missing}");
        await AssertV8ErrorAsync(response, HttpStatusCode.NotFound, 203);
        Assert.That(Id(await GetDataAsync(client, $"{FilesRoute}/{Id(file)}")), Is.EqualTo(Id(file)));
    }

    [Test]
    public async Task UnknownRoutesAndMethodsUnderTheProject()
    {
        using (var route = await client.GetAsync("/_/items/articles")) await AssertV8ErrorAsync(route, HttpStatusCode.NotFound, 1);
        using (var method = await client.PutAsync(FilesRoute, Json("{}"))) await AssertV8ErrorAsync(method, HttpStatusCode.MethodNotAllowed, 6);
        using (var nested = await client.GetAsync($"{FilesRoute}/{Missing}/revisions/0/extra")) await AssertV8ErrorAsync(nested, HttpStatusCode.NotFound, 1);
    }

    private static IEnumerable<TestCaseData> BadUploads()
    {
        TestCaseData Case(string name, Func<HttpContent> body, HttpStatusCode status, int code) =>
            new TestCaseData(body, status, code).SetArgDisplayNames(name);
        yield return Case("base64 that does not decode", () => Json("""{"data":"%%% not base64 %%%","filename_download":"x.png"}"""), HttpStatusCode.BadRequest, 4);
        yield return Case("empty data", () => Json("""{"data":"","filename_download":"x.png"}"""), HttpStatusCode.BadRequest, 13);
        yield return Case("blank data", () => Json("""{"data":"   "}"""), HttpStatusCode.BadRequest, 13);
        yield return Case("no data", () => Json("""{"title":"Nothing"}"""), HttpStatusCode.BadRequest, 13);
        yield return Case("data that is not text", () => Json("""{"data":{"bytes":1}}"""), HttpStatusCode.BadRequest, 4);
        yield return Case("data: URI without a comma", () => Json("""{"data":"data:image/png;base64"}"""), HttpStatusCode.BadRequest, 4);
        yield return Case("data: URI with no bytes", () => Json("""{"data":"data:image/png;base64,"}"""), HttpStatusCode.BadRequest, 13);
        yield return Case("URL to a private address", () => Json("""{"data":"http://127.0.0.1:9/a.png"}"""), HttpStatusCode.BadRequest, 4);
        yield return Case("an unknown field", () => Json(new JsonObject { ["data"] = Convert.ToBase64String(TestImages.Png(4, 4)), ["colour"] = "red" }),
            HttpStatusCode.BadRequest, 4);
        yield return Case("a read-only field", () => Json(new JsonObject { ["data"] = Convert.ToBase64String(TestImages.Png(4, 4)), ["filesize"] = 1 }),
            HttpStatusCode.BadRequest, 4);
        yield return Case("malformed JSON", () => Json("""{"data":"""), HttpStatusCode.BadRequest, 4);
        yield return Case("two files", () =>
        {
            var form = Form(TestImages.Png(4, 4), "one.png", "image/png");
            var second = new ByteArrayContent(TestImages.Png(5, 5));
            second.Headers.ContentType = new MediaTypeHeaderValue("image/png");
            form.Add(second, "data2", "two.png");
            return form;
        }, HttpStatusCode.BadRequest, 15);
        yield return Case("a file part and data text", () =>
        {
            var form = Form(TestImages.Png(4, 4), "one.png", "image/png");
            form.Add(new StringContent(Convert.ToBase64String(TestImages.Png(4, 4))), "data");
            return form;
        }, HttpStatusCode.BadRequest, 4);
        yield return Case("a multipart field that is not a file field", () => Form(TestImages.Png(4, 4), "one.png", "image/png", ("colour", "red")),
            HttpStatusCode.BadRequest, 4);
        yield return Case("an empty file part", () => Form([], "empty.png", "image/png"), HttpStatusCode.BadRequest, 4);
        yield return Case("a form body", () => new FormUrlEncodedContent([new("data", "abc")]), HttpStatusCode.UnsupportedMediaType, 4);
    }

    [TestCaseSource(nameof(BadUploads))]
    public async Task ABadUploadIsRefusedAndLeavesNothingBehind(Func<HttpContent> body, HttpStatusCode status, int code)
    {
        var before = await SnapshotAsync(app);
        using var content = body();
        using var response = await client.PostAsync(FilesRoute, content);
        await AssertV8ErrorAsync(response, status, code);
        Assert.That(await SnapshotAsync(app), Is.EqualTo(before));
    }

    [Test]
    public async Task ABadReplaceLeavesTheFileAsItWas()
    {
        var png = TestImages.Png(9, 9);
        var file = await UploadAsync(client, png, "as-it-was.png", "image/png");
        var before = await SnapshotAsync(app);
        using (var response = await client.PatchAsync($"{FilesRoute}/{Id(file)}", Json("""{"data":"not base64!","title":"Changed"}""")))
            await AssertV8ErrorAsync(response, HttpStatusCode.BadRequest, 4);
        using (var response = await client.PatchAsync($"{FilesRoute}/{Id(file)},{Id(file)}", Json("""{"data":"aGVsbG8="}""")))
            await AssertV8ErrorAsync(response, HttpStatusCode.BadRequest, 4);
        Assert.That(await SnapshotAsync(app), Is.EqualTo(before));
        var now = await GetDataAsync(client, $"{FilesRoute}/{Id(file)}");
        Assert.That(Str(now, "title"), Is.EqualTo(Str(file, "title")));
        Assert.That(await app.AnonymousClient().GetByteArrayAsync(Str(now["data"], "url")), Is.EqualTo(png));
    }

    [Test]
    public async Task OtherDialectsKeepTheirOwnErrorShapes()
    {
        using (var rest = await client.GetAsync("/files/not-a-uuid"))
            Assert.That(JsonNode.Parse(await rest.Content.ReadAsStringAsync())!["errors"], Is.Not.Null, "Directus's shape on /files");
        using (var strapi = await client.GetAsync("/upload/files/1/extra"))
            Assert.That(JsonNode.Parse(await strapi.Content.ReadAsStringAsync())!["statusCode"], Is.Not.Null, "Strapi 3's shape on /upload");
        using (var strapi5 = await client.GetAsync("/uploads/missing.jpg"))
            Assert.That(JsonNode.Parse(await strapi5.Content.ReadAsStringAsync())!["error"]!["status"], Is.Not.Null, "Strapi 5's shape on /uploads");
        using (var files = await client.GetAsync("/files/files/x"))
            Assert.That(JsonNode.Parse(await files.Content.ReadAsStringAsync())!["errors"], Is.Not.Null, "a Directus path is not a project");
    }
}

/// <summary>Issue 11, Directus v8: <c>Server:Project</c> names the prefix; names other routes own are refused at start.</summary>
public class V8ProjectTests : AdminAppFixture
{
    protected override AssetServerApp CreateApp() => new(("Server:Project", "acme"));

    [Test]
    public async Task TheConfiguredProjectIsThePrefix()
    {
        using var form = Form(TestImages.Png(10, 10), "acme.png", "image/png");
        using var created = await client.PostAsync("/acme/files", form);
        var file = await DataAsync(created);
        var url = Str(file["data"], "url");
        Assert.That(url, Is.EqualTo($"/uploads/acme/originals/{Str(file, "filename_disk")}"));
        Assert.That(Str(file["data"]!["thumbnails"]![0], "relative_url"), Does.StartWith($"/acme/assets/{Str(file, "private_hash")}?key="));

        using var anonymous = app.AnonymousClient();
        using (var original = await anonymous.GetAsync(url)) Assert.That(original.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        using (var thumbnail = await anonymous.GetAsync(Str(file["data"]!["thumbnails"]![0], "relative_url")))
            Assert.That(thumbnail.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(Id(await GetDataAsync(client, $"/acme/files/{Id(file)}")), Is.EqualTo(Id(file)));

        using (var underscore = await client.GetAsync(FilesRoute))
            Assert.That(Str(await AssertV8ErrorAsync(underscore, HttpStatusCode.NotFound, 24), "message"), Is.EqualTo("Unknown project: _"));
        using (var oldOriginals = await anonymous.GetAsync($"/uploads/_/originals/{Str(file, "filename_disk")}"))
            await AssertV8ErrorAsync(oldOriginals, HttpStatusCode.NotFound, 24);
    }

    [TestCase("files")]
    [TestCase("uploads")]
    [TestCase("a/b")]
    [TestCase("")]
    public void AProjectNameThatIsNotItsOwnSegmentStopsTheStart(string project)
    {
        using var broken = new AssetServerApp(("Server:Project", project));
        var error = Assert.Catch(() => broken.CreateClient());
        Assert.That(error!.ToString(), Does.Contain("Server:Project"));
    }
}
