using System.Net;
using AssetServer.Tests.Support;
using static AssetServer.Tests.Files.FilesKit;

namespace AssetServer.Tests.Files;

/// <summary><c>GET /files/:id</c>.</summary>
public class FileReadTests : AdminAppFixture
{
    [Test]
    public async Task GetOneReturnsTheObject()
    {
        var file = await app.UploadOkAsync(TextBytes(21), "one.txt", "text/plain", ("title", "One"));
        var data = await DataAsync(await client.GetAsync($"/files/{Str(file, "id")}"));
        Assert.That(Str(data, "id"), Is.EqualTo(Str(file, "id")));
        Assert.That(Str(data, "title"), Is.EqualTo("One"));
        Assert.That(data["filesize"]!.GetValue<long>(), Is.EqualTo(21));
    }

    [Test]
    public async Task UpperCaseIdFindsTheFile()
    {
        var file = await app.UploadOkAsync(TextBytes(21), "upper.txt", "text/plain");
        var data = await DataAsync(await client.GetAsync($"/files/{Str(file, "id").ToUpperInvariant()}"));
        Assert.That(Str(data, "id"), Is.EqualTo(Str(file, "id")));
    }

    [TestCase("id,title", new[] { "id", "title" })]
    [TestCase("checksum,filesize", new[] { "filesize", "checksum" })]
    public async Task FieldsLimitTheObject(string fields, string[] expected)
    {
        var file = await app.UploadOkAsync(TextBytes(21), "fields.txt", "text/plain");
        var data = await DataAsync(await client.GetAsync($"/files/{Str(file, "id")}?fields={fields}"));
        Assert.That(data.AsObject().Select(p => p.Key), Is.EqualTo(expected));
    }

    [TestCase("bogus")]
    [TestCase("id,bogus")]
    [TestCase("uploaded_by.email")]
    public async Task UnknownFieldIsInvalidQuery(string fields)
    {
        var file = await app.UploadOkAsync(TextBytes(21), "bad-fields.txt", "text/plain");
        using var response = await client.GetAsync($"/files/{Str(file, "id")}?fields={Q(fields)}");
        await AssertErrorAsync(response, HttpStatusCode.BadRequest, "INVALID_QUERY");
    }

    [TestCase("not-a-uuid")]
    [TestCase("1")]
    [TestCase("00000000-0000-0000-0000-00000000000g")]
    [TestCase("'%20OR%20'1'='1")]
    public async Task InvalidIdIsForbidden(string id)
    {
        using var response = await client.GetAsync($"/files/{id}");
        await AssertErrorAsync(response, HttpStatusCode.Forbidden, "FORBIDDEN");
    }

    [Test]
    public async Task NonexistentIdIsForbidden()
    {
        using var response = await client.GetAsync($"/files/{Guid.NewGuid()}");
        var error = await AssertErrorAsync(response, HttpStatusCode.Forbidden, "FORBIDDEN");
        Assert.That(error["message"]!.GetValue<string>(), Is.EqualTo("You don't have permission to access this."));
    }
}
