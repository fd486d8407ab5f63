using AssetServer.Tests.Support;

namespace AssetServer.Tests.Admin;

/// <summary>With <c>Auth:PublicAssets=false</c>, &lt;img&gt; URLs need the token: the page finds out and adds it.</summary>
public class PrivateAssetsBrowserTests : BrowserFixture
{
    protected override AssetServerApp CreateApp() =>
        new(("Auth:PublicAssets", "false")) { Clock = AssetServerApp.SteppingClock() };

    [Test]
    public async Task ThumbnailsCarryTheTokenOnlyWhenAssetsArePrivate()
    {
        var id = await UploadPngAsync(200, 120, $"private-{Unique()}.png");
        await SignInAsync();
        var image = Tile(id).Locator("img");
        Assert.That(await image.GetAttributeAsync("src"), Does.Contain("fit=cover").And.Contain("access_token="));
        await WaitForImageAsync(image);

        await OpenDetailAsync(id);
        await WaitForImageAsync(page.Locator("#preview"));
        Assert.That(await page.Locator("#download").GetAttributeAsync("href"), Does.Contain("access_token="));
        // Links meant for others never carry the token.
        var links = await page.Locator("#preset-links input").EvaluateAllAsync<string[]>("inputs => inputs.map(i => i.value)");
        Assert.That(links, Is.Not.Empty);
        Assert.That(links, Has.None.Contains("access_token"));
        await ScreenshotAsync("private");
    }
}
