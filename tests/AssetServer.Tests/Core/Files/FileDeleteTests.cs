using System.Net;
using System.Text.Json.Nodes;
using AssetServer.Tests.Support;
using static AssetServer.Tests.Files.FilesKit;

namespace AssetServer.Tests.Files;

/// <summary><c>DELETE /files/:id</c> and <c>DELETE /files</c>: rows and originals go together.</summary>
public class FileDeleteTests : AdminAppFixture
{
    private Task<JsonObject> UploadAsync() => app.UploadOkAsync(TextBytes(20), "doomed.txt", "text/plain");

    private async Task AssertGoneAsync(JsonObject file)
    {
        Assert.That(File.Exists(ReadOriginalPath(app, file)), Is.False, "original removed");
        using var response = await client.GetAsync($"/files/{Str(file, "id")}");
        await AssertErrorAsync(response, HttpStatusCode.Forbidden, "FORBIDDEN");
    }

    private static async Task AssertNoContentAsync(HttpResponseMessage response)
    {
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NoContent), await response.Content.ReadAsStringAsync());
        Assert.That(await response.Content.ReadAsByteArrayAsync(), Is.Empty);
    }

    [Test]
    public async Task DeleteOneRemovesRowAndOriginal()
    {
        var file = await UploadAsync();
        var keep = await UploadAsync();
        var rows = await app.RowCountAsync();
        Assert.That(File.Exists(ReadOriginalPath(app, file)), Is.True);

        using var response = await client.DeleteAsync($"/files/{Str(file, "id")}");
        await AssertNoContentAsync(response);
        await AssertGoneAsync(file);
        Assert.That(await app.RowCountAsync(), Is.EqualTo(rows - 1));
        Assert.That(File.Exists(ReadOriginalPath(app, keep)), Is.True, "other files stay");
    }

    [Test]
    public async Task DeleteTwiceIsNoContentBothTimes()
    {
        var file = await UploadAsync();
        using var first = await client.DeleteAsync($"/files/{Str(file, "id")}");
        await AssertNoContentAsync(first);
        using var second = await client.DeleteAsync($"/files/{Str(file, "id")}");
        await AssertNoContentAsync(second);
    }

    [Test]
    public async Task DeleteOfInvalidIdIsForbidden()
    {
        var rows = await app.RowCountAsync();
        using var response = await client.DeleteAsync("/files/not-a-uuid");
        await AssertErrorAsync(response, HttpStatusCode.Forbidden, "FORBIDDEN");
        Assert.That(await app.RowCountAsync(), Is.EqualTo(rows));
    }

    [Test]
    public async Task DeleteAfterReplaceRemovesTheNewOriginal()
    {
        var file = await UploadAsync();
        using var form = new MultipartFormDataContent { { new ByteArrayContent(TextBytes(33)), "file", "new.txt" } };
        var replaced = (await DataAsync(await client.PatchAsync($"/files/{Str(file, "id")}", form))).AsObject();
        using var response = await client.DeleteAsync($"/files/{Str(file, "id")}");
        await AssertNoContentAsync(response);
        await AssertGoneAsync(replaced);
        Assert.That(app.OriginalsOnDisk().Where(f => Path.GetFileName(f).StartsWith(Str(file, "id"), StringComparison.Ordinal)), Is.Empty);
    }

    [Test]
    public async Task DeleteManyWithAnArray()
    {
        var a = await UploadAsync();
        var b = await UploadAsync();
        var keep = await UploadAsync();
        var rows = await app.RowCountAsync();
        using var response = await client.SendAsync(Request("DELETE", "/files", Json($"[\"{Str(a, "id")}\",\"{Str(b, "id")}\"]")));
        await AssertNoContentAsync(response);
        await AssertGoneAsync(a);
        await AssertGoneAsync(b);
        Assert.That(await app.RowCountAsync(), Is.EqualTo(rows - 2));
        Assert.That(File.Exists(ReadOriginalPath(app, keep)), Is.True);
    }

    [Test]
    public async Task DeleteManyWithKeys()
    {
        var a = await UploadAsync();
        var b = await UploadAsync();
        var rows = await app.RowCountAsync();
        using var response = await client.SendAsync(Request("DELETE", "/files", Json($"{{\"keys\":[\"{Str(a, "id")}\",\"{Str(b, "id")}\"]}}")));
        await AssertNoContentAsync(response);
        await AssertGoneAsync(a);
        await AssertGoneAsync(b);
        Assert.That(await app.RowCountAsync(), Is.EqualTo(rows - 2));
    }

    [Test]
    public async Task DeleteManyWithEmptyKeysIsNoContent()
    {
        var rows = await app.RowCountAsync();
        using var response = await client.SendAsync(Request("DELETE", "/files", Json("""{"keys":[]}""")));
        await AssertNoContentAsync(response);
        Assert.That(await app.RowCountAsync(), Is.EqualTo(rows));
    }

    [Test]
    public async Task DeleteManyWithAnUnknownIdDeletesTheKnownOnes()
    {
        var a = await UploadAsync();
        using var response = await client.SendAsync(Request("DELETE", "/files", Json($"[\"{Str(a, "id")}\",\"{Guid.NewGuid()}\"]")));
        await AssertNoContentAsync(response);
        await AssertGoneAsync(a);
    }

    [TestCase("{\"ids\":[]}")]
    [TestCase("[1,2]")]
    [TestCase("\"x\"")]
    [TestCase("[\"")]
    public async Task BadDeleteManyIsInvalidPayload(string json)
    {
        var a = await UploadAsync();
        var rows = await app.RowCountAsync();
        using var response = await client.SendAsync(Request("DELETE", "/files", Json(json)));
        await AssertErrorAsync(response, HttpStatusCode.BadRequest, "INVALID_PAYLOAD");
        Assert.That(await app.RowCountAsync(), Is.EqualTo(rows));
        Assert.That(File.Exists(ReadOriginalPath(app, a)), Is.True);
    }

    [Test]
    public async Task DeleteManyWithAnInvalidIdDeletesNothing()
    {
        var a = await UploadAsync();
        var rows = await app.RowCountAsync();
        using var response = await client.SendAsync(Request("DELETE", "/files", Json($"[\"{Str(a, "id")}\",\"nope\"]")));
        await AssertErrorAsync(response, HttpStatusCode.Forbidden, "FORBIDDEN");
        Assert.That(await app.RowCountAsync(), Is.EqualTo(rows));
        Assert.That(File.Exists(ReadOriginalPath(app, a)), Is.True);
    }
}
