using System.Net;
using System.Net.Http.Headers;
using AssetServer.Tests.Support;
using static AssetServer.Tests.Files.FilesKit;
using static AssetServer.Tests.Tus.TusKit;

namespace AssetServer.Tests.Tus;

/// <summary>Issue 19: a tus upload draws on the uploads budget once, when it is created, however many chunks it takes.</summary>
public class TusBudgetTests : AdminAppFixture
{
    protected override AssetServerApp CreateApp() => new(("RateLimits:UploadsPerMinute", "2"));

    [Test]
    public async Task UploadIsChargedOnceAtCreationNotPerChunk()
    {
        using var created = await client.PostAsync("/tokens", Json("""{"name":"writer","access":"write"}"""));
        var token = (await DataAsync(created))["token"]!.GetValue<string>();
        using var writer = app.CreateClient();
        writer.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);

        // Ten chunks of one upload, then a second upload: two charges, within the budget of two.
        var bytes = TextBytes(1000);
        var id = await UploadAsync(writer, bytes, Meta(("filename_download", "many-chunks.txt")), 100);
        var second = await CreateOkAsync(writer, 10, Meta(("filename_download", "second.txt")));
        using (var chunk = await PatchAsync(writer, second, 0, TextBytes(10)))
            Assert.That(chunk.StatusCode, Is.EqualTo(HttpStatusCode.NoContent), "a chunk costs nothing");
        using var third = await CreateAsync(writer, 10, Meta(("filename_download", "third.txt")));
        await AssertErrorAsync(third, HttpStatusCode.TooManyRequests, "REQUESTS_EXCEEDED");
        var file = await DataAsync(await client.GetAsync($"/files/{id}"));
        Assert.That(file["filesize"]!.GetValue<long>(), Is.EqualTo(1000));
    }
}
