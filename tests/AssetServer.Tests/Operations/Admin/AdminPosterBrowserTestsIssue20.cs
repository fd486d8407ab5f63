using System.Text.Json.Nodes;
using AssetServer.Tests.Support;

namespace AssetServer.Tests.Admin;

/// <summary>Issue 20: the /admin grid shows a video's frame and a PDF's first page, with the placeholder of that poster.</summary>
public class AdminPosterBrowserTestsIssue20 : BrowserFixture
{
    [Test]
    public async Task GridShowsPostersOfAVideoAndAPdf()
    {
        var word = Unique();
        var video = (await app.UploadOkAsync(MediaFiles.Webm, $"clip-{word}.webm", "video/webm"))["id"]!.GetValue<string>();
        var pdf = (await app.UploadOkAsync(MediaFiles.Pdf(), $"letter-{word}.pdf", "application/pdf"))["id"]!.GetValue<string>();
        app.WaitForBackgroundRenders();
        await SignInAsync();

        foreach (var id in new[] { video, pdf })
        {
            var file = JsonNode.Parse(await api.GetStringAsync($"/files/{id}?fields=metadata"))!["data"]!;
            Assert.That(file["metadata"]?["placeholder"]?["blurhash"], Is.Not.Null, "the placeholder comes from the poster");
            var image = Tile(id).Locator("img");
            Assert.That(await image.GetAttributeAsync("src"), Does.StartWith($"/assets/{id}?width=320&height=320&fit=cover&format=webp"));
            // Loaded means decoded: the answer is an image (a WebP of the frame or page), not the video or the PDF.
            await WaitForImageAsync(image);
            Assert.That(await image.EvaluateAsync<int>("i => i.naturalWidth"), Is.GreaterThan(0));
        }
        await ScreenshotAsync("posters");
    }
}
