using System.Net;
using System.Text.Json.Nodes;
using AssetServer.Tests.Support;
using Microsoft.Playwright;

namespace AssetServer.Tests.Admin;

/// <summary>The /admin media-library page in a real browser, against the real app (issue 12).</summary>
public class AdminPageBrowserTests : BrowserFixture
{
    [Test]
    public async Task TokenIsAskedForInAPasswordFieldAndKeptInSessionStorage()
    {
        await page.GotoAsync("/admin");
        var token = page.GetByLabel("Access token");
        await Expect(token).ToHaveAttributeAsync("type", "password");
        await Expect(page.Locator("#library")).ToBeHiddenAsync();
        await ScreenshotAsync("sign-in");

        await token.FillAsync("not-a-token");
        await page.GetByRole(AriaRole.Button, new() { Name = "Open the library" }).ClickAsync();
        await Expect(page.Locator("#token-error")).ToHaveTextAsync("This token is not valid.");
        Assert.That(await page.EvaluateAsync<string?>("sessionStorage.getItem('assetserver.token')"), Is.Null);

        await token.FillAsync(AssetServerApp.AdminToken);
        await page.GetByRole(AriaRole.Button, new() { Name = "Open the library" }).ClickAsync();
        await Expect(page.Locator("#library")).ToBeVisibleAsync();
        Assert.That(await page.EvaluateAsync<string?>("sessionStorage.getItem('assetserver.token')"), Is.EqualTo(AssetServerApp.AdminToken));

        // A reload in the same tab keeps the session; signing out forgets the token.
        await page.ReloadAsync();
        await Expect(page.Locator("#library")).ToBeVisibleAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await Expect(page.GetByLabel("Access token")).ToBeVisibleAsync();
        Assert.That(await page.EvaluateAsync<string?>("sessionStorage.getItem('assetserver.token')"), Is.Null);
    }

    [Test]
    public async Task TwoFilesUploadedThroughThePickerAppearWithDerivativeThumbnails()
    {
        var word = Unique();
        var imageRequests = new List<string>();
        page.Request += (_, request) =>
        {
            if (request.ResourceType == "image") lock (imageRequests) imageRequests.Add(request.Url);
        };
        await SignInAsync();

        await page.GetByLabel("Upload files").SetInputFilesAsync(new[]
        {
            new FilePayload { Name = $"harbour-{word}.png", MimeType = "image/png", Buffer = TestImages.Png(640, 480) },
            new FilePayload { Name = $"meadow-{word}.jpg", MimeType = "image/jpeg", Buffer = TestImages.Jpeg(480, 640) },
        });
        await Expect(page.Locator(".upload[data-state=done]")).ToHaveCountAsync(2);
        await Expect(page.Locator(".upload progress")).ToHaveCountAsync(2);
        foreach (var progress in await page.Locator(".upload progress").AllAsync())
            Assert.That(await progress.EvaluateAsync<double>("p => p.value"), Is.EqualTo(1));
        // Issue 17: placeholders that need a decode are stored after the upload's answer; the library shows them once read again.
        app.WaitForBackgroundRenders();
        await page.ReloadAsync();

        var listed = JsonNode.Parse(await api.GetStringAsync($"/files?search={word}&fields=id,filename_download,metadata"))!["data"]!.AsArray();
        Assert.That(listed, Has.Count.EqualTo(2));
        foreach (var file in listed)
        {
            var id = file!["id"]!.GetValue<string>();
            var tile = Tile(id);
            await Expect(tile).ToBeVisibleAsync();

            // The server's placeholder (metadata.placeholder, made at upload or just after) is drawn under the thumbnail.
            var placeholder = file["metadata"]?["placeholder"];
            Assert.That(placeholder?["blurhash"], Is.Not.Null, "the server stores a BlurHash");
            var color = Convert.FromHexString(placeholder!["color"]!.GetValue<string>()[1..]);
            await Expect(tile.Locator("canvas.placeholder")).ToHaveCountAsync(1);
            await Expect(tile.Locator(".thumb")).ToHaveCSSAsync("background-color", $"rgb({color[0]}, {color[1]}, {color[2]})");

            var image = tile.Locator("img");
            var src = await image.GetAttributeAsync("src");
            var srcset = await image.GetAttributeAsync("srcset");
            Assert.That(src, Does.StartWith($"/assets/{id}?width=320&height=320&fit=cover&format=webp"));
            Assert.That(src, Does.Not.Contain("access_token"), "public assets need no token in URLs");
            var candidates = srcset!.Split(", ");
            Assert.That(candidates, Has.Length.EqualTo(3));
            foreach (var (candidate, width) in candidates.Zip(new[] { 160, 320, 480 }))
                Assert.That(candidate, Does.StartWith($"/assets/{id}?width={width}&height={width}&fit=cover&format=webp").And.EndWith($" {width}w"));
            await WaitForImageAsync(image);
        }
        await Expect(page.Locator(".tile .name", new() { HasText = word })).ToHaveCountAsync(2);
        await ScreenshotAsync("uploaded");

        // Every image the grid asked for was a derivative; never an original.
        lock (imageRequests)
        {
            var assets = imageRequests.Where(u => u.Contains("/assets/", StringComparison.Ordinal)).ToList();
            Assert.That(assets, Is.Not.Empty);
            Assert.That(assets, Has.All.Contains("width=").And.All.Contains("fit=cover"));
        }
    }

    [Test]
    public async Task EachFailedUploadShowsTheServersMessage()
    {
        var word = Unique();
        await SignInAsync();
        await page.GetByLabel("Upload files").SetInputFilesAsync(new[]
        {
            new FilePayload { Name = $"empty-{word}.txt", MimeType = "text/plain", Buffer = [] },
            new FilePayload { Name = $"fine-{word}.png", MimeType = "image/png", Buffer = TestImages.Png(64, 64) },
        });
        var failed = page.Locator(".upload[data-state=failed]");
        await Expect(failed).ToHaveCountAsync(1);
        await Expect(failed.Locator(".upload-name")).ToHaveTextAsync($"empty-{word}.txt");
        // The server's own message, word for word.
        using var refused = await app.UploadAsync([], $"empty-{word}.txt", "text/plain");
        var message = JsonNode.Parse(await refused.Content.ReadAsStringAsync())!["errors"]![0]!["message"]!.GetValue<string>();
        Assert.That(message, Does.Contain("is empty"));
        await Expect(failed.Locator(".upload-status")).ToHaveTextAsync(message);
        await Expect(page.Locator(".upload[data-state=done] .upload-name")).ToHaveTextAsync($"fine-{word}.png");
        await Expect(page.Locator("#uploads-summary")).ToHaveTextAsync("1 uploaded, 1 failed");
        await ScreenshotAsync("failed-upload");
    }

    [Test]
    public async Task SearchNarrowsTheGrid()
    {
        var word = Unique();
        var heron = await UploadPngAsync(120, 90, $"heron-{word}.png");
        var kestrel = await UploadPngAsync(120, 90, $"kestrel-{word}.png");
        await SignInAsync();
        await Expect(Tile(heron)).ToBeVisibleAsync();
        await Expect(Tile(kestrel)).ToBeVisibleAsync();

        await page.GetByLabel("Search").FillAsync($"HERON-{word}");
        await Expect(page.Locator(".tile")).ToHaveCountAsync(1);
        await Expect(Tile(heron)).ToBeVisibleAsync();
        await Expect(page.Locator("#status")).ToHaveTextAsync("1 file");
        await ScreenshotAsync("searched");

        await page.GetByLabel("Search").FillAsync(word);
        await Expect(page.Locator(".tile")).ToHaveCountAsync(2);
        await page.GetByLabel("Search").FillAsync($"nothing-{word}");
        await Expect(page.Locator(".tile")).ToHaveCountAsync(0);
        await Expect(page.Locator("#status")).ToHaveTextAsync("No files match.");
    }

    [Test]
    public async Task TypeFilterAndSortOrderTheGrid()
    {
        var word = Unique();
        var notes = (await app.UploadOkAsync("plain words for a document\n"u8.ToArray(), $"notes-{word}.txt", "text/plain"))["id"]!.GetValue<string>();
        var small = await UploadPngAsync(40, 40, $"a-small-{word}.png");
        var large = await UploadPngAsync(900, 700, $"b-large-{word}.png");
        await SignInAsync();
        await page.GetByLabel("Search").FillAsync(word);
        await Expect(page.Locator(".tile")).ToHaveCountAsync(3);
        // Newest first by default.
        Assert.That(await TileIdsAsync(), Is.EqualTo(new[] { large, small, notes }));

        await page.GetByLabel("Type").SelectOptionAsync("document");
        await Expect(page.Locator(".tile")).ToHaveCountAsync(1);
        await Expect(Tile(notes).Locator(".badge")).ToHaveTextAsync("TXT");
        await page.GetByLabel("Type").SelectOptionAsync("image");
        await Expect(page.Locator(".tile")).ToHaveCountAsync(2);

        await page.GetByLabel("Sort by").SelectOptionAsync("filesize");
        await Expect(page.Locator(".tile").First).ToHaveAttributeAsync("data-id", small);
        await page.GetByLabel("Sort by").SelectOptionAsync("-filesize");
        await Expect(page.Locator(".tile").First).ToHaveAttributeAsync("data-id", large);
        await page.GetByLabel("Type").SelectOptionAsync("all");
        await page.GetByLabel("Sort by").SelectOptionAsync("-filename_download");
        await Expect(page.Locator(".tile")).ToHaveCountAsync(3);
        // The grid shows three tiles in the previous order before the re-sorted page arrives.
        await Expect(page.Locator(".tile").First).ToHaveAttributeAsync("data-id", notes);
        Assert.That(await TileIdsAsync(), Is.EqualTo(new[] { notes, large, small }));
    }

    [Test]
    public async Task PagesFollowTheFilterCount()
    {
        var word = Unique();
        var last = "";
        for (var i = 0; i < 25; i++)
            last = (await app.UploadOkAsync([(byte)('a' + i), 10], $"page-{word}-{i:00}.txt", "text/plain"))["id"]!.GetValue<string>();
        await SignInAsync();
        await page.GetByLabel("Sort by").SelectOptionAsync("filename_download");
        await page.GetByLabel("Search").FillAsync(word);
        await Expect(page.Locator("#status")).ToHaveTextAsync("25 files");
        await Expect(page.Locator("#page-info")).ToHaveTextAsync("Page 1 of 2");
        await Expect(page.Locator(".tile")).ToHaveCountAsync(24);
        await Expect(page.Locator("#prev")).ToBeDisabledAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Next page" }).ClickAsync();
        await Expect(page.Locator("#page-info")).ToHaveTextAsync("Page 2 of 2");
        await Expect(page.Locator(".tile")).ToHaveCountAsync(1);
        await Expect(page.Locator(".tile .facts")).ToContainTextAsync("2 B");
        Assert.That(await page.Locator(".tile").GetAttributeAsync("data-id"), Is.EqualTo(last));
    }

    [Test]
    public async Task EditedTitleDescriptionAndTagsAreSavedWithPatch()
    {
        var id = await UploadPngAsync(200, 150, $"edit-{Unique()}.png");
        await SignInAsync();
        await OpenDetailAsync(id);
        await page.GetByLabel("Title").FillAsync("Harbour at dusk");
        await page.GetByLabel("Description").FillAsync("Boats, and a lighthouse.");
        await page.GetByLabel("Tags").FillAsync("sea, boats ,  , dusk");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Expect(page.Locator("#edit-status")).ToHaveTextAsync("Saved.");
        await ScreenshotAsync("edited", fullPage: false);

        var file = await GetFileAsync(id);
        Assert.That(file["title"]!.GetValue<string>(), Is.EqualTo("Harbour at dusk"));
        Assert.That(file["description"]!.GetValue<string>(), Is.EqualTo("Boats, and a lighthouse."));
        Assert.That(file["tags"]!.AsArray().Select(t => t!.GetValue<string>()), Is.EqualTo(new[] { "sea", "boats", "dusk" }));
        await Expect(page.Locator("#detail-title")).ToHaveTextAsync("Harbour at dusk");

        await page.GetByRole(AriaRole.Button, new() { Name = "Close" }).ClickAsync();
        await Expect(Tile(id).Locator(".name")).ToHaveTextAsync("Harbour at dusk");
    }

    [Test]
    public async Task ClickingThePreviewSetsTheFocalPointAndTheCoverCropFollows()
    {
        var id = await UploadPngAsync(400, 400, $"focal-{Unique()}.png");
        await SignInAsync();
        await OpenDetailAsync(id);
        var preview = page.Locator("#preview");
        await WaitForImageAsync(preview);
        Assert.That(await preview.GetAttributeAsync("src"), Does.Contain("fit=inside"));
        await Expect(page.Locator("#focal-marker")).ToBeHiddenAsync();
        var coverBefore = await page.Locator("#cover-preview").GetAttributeAsync("src");

        var box = (await preview.BoundingBoxAsync())!;
        await preview.ClickAsync(new() { Position = new() { X = box.Width * 0.75f, Y = box.Height * 0.25f } });
        await Expect(page.Locator("#focal-status")).ToHaveTextAsync("Focal point saved.");

        var file = await GetFileAsync(id);
        Assert.That(file["focal_point_x"]!.GetValue<int>(), Is.InRange(298, 302));
        Assert.That(file["focal_point_y"]!.GetValue<int>(), Is.InRange(98, 102));
        await Expect(page.Locator("#focal-marker")).ToBeVisibleAsync();
        var marker = (await page.Locator("#focal-marker").BoundingBoxAsync())!;
        var imageBox = (await preview.BoundingBoxAsync())!;
        Assert.That(marker.X + marker.Width / 2 - imageBox.X, Is.EqualTo(imageBox.Width * 0.75).Within(3));
        Assert.That(marker.Y + marker.Height / 2 - imageBox.Y, Is.EqualTo(imageBox.Height * 0.25).Within(3));

        // The cover crop is asked for again under a new URL (the browser's cached copy of the old crop is not reused).
        var cover = page.Locator("#cover-preview");
        var coverAfter = await cover.GetAttributeAsync("src");
        Assert.That(coverAfter, Does.Contain("fit=cover").And.Contain($"-{file["focal_point_x"]}-{file["focal_point_y"]}"));
        Assert.That(coverAfter, Is.Not.EqualTo(coverBefore));
        await WaitForImageAsync(cover);
        await ScreenshotAsync("focal-point", fullPage: false);

        // The keyboard way: typed coordinates.
        await page.GetByLabel("Focal x").FillAsync("10");
        await page.GetByLabel("Focal y").FillAsync("390");
        await page.GetByRole(AriaRole.Button, new() { Name = "Set", Exact = true }).ClickAsync();
        await Expect(page.Locator("#focal-text")).ToHaveTextAsync("Focal point at 10, 390 (pixels of the original).");
        file = await GetFileAsync(id);
        Assert.That((file["focal_point_x"]!.GetValue<int>(), file["focal_point_y"]!.GetValue<int>()), Is.EqualTo((10, 390)));
    }

    [Test]
    public async Task DeleteAsksForConfirmationFirst()
    {
        var id = await UploadPngAsync(120, 80, $"delete-{Unique()}.png");
        await SignInAsync();
        await OpenDetailAsync(id);

        await page.GetByRole(AriaRole.Button, new() { Name = "Delete…" }).ClickAsync();
        await Expect(page.Locator("#confirm-delete")).ToBeVisibleAsync();
        await ScreenshotAsync("confirm", fullPage: false);
        Assert.That((await api.GetAsync($"/files/{id}")).StatusCode, Is.EqualTo(HttpStatusCode.OK), "nothing is deleted before the confirmation");
        await page.GetByRole(AriaRole.Button, new() { Name = "Keep it" }).ClickAsync();
        await Expect(page.Locator("#confirm-delete")).ToBeHiddenAsync();
        Assert.That((await api.GetAsync($"/files/{id}")).StatusCode, Is.EqualTo(HttpStatusCode.OK));

        await page.GetByRole(AriaRole.Button, new() { Name = "Delete…" }).ClickAsync();
        await page.Locator("#confirm-delete-button").ClickAsync();
        await Expect(page.Locator("#detail")).ToBeHiddenAsync();
        await Expect(Tile(id)).ToHaveCountAsync(0);
        await Expect(page.Locator("#status")).ToContainTextAsync("Deleted");
        Assert.That((await api.GetAsync($"/files/{id}")).StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That((await api.GetAsync($"/assets/{id}")).StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
    }

    [Test]
    public async Task TitleWithMarkupIsShownAsTextAndNeverRuns()
    {
        const string hostile = "<img src=x onerror=alert(1)>";
        var id = await UploadPngAsync(100, 100, $"xss-{Unique()}.png");
        await PatchAsync(id, new JsonObject
        {
            ["title"] = hostile,
            ["description"] = "<script>alert(2)</script>",
            ["tags"] = new JsonArray("<b>bold</b>"),
            ["location"] = "<svg onload=alert(3)>",
        });

        await SignInAsync();
        await Expect(Tile(id).Locator(".name")).ToHaveTextAsync(hostile);
        await OpenDetailAsync(id);
        await Expect(page.Locator("#detail-title")).ToHaveTextAsync(hostile);
        await Expect(page.Locator("#edit-title")).ToHaveValueAsync(hostile);
        await Expect(page.Locator("#edit-description")).ToHaveValueAsync("<script>alert(2)</script>");
        await Expect(page.Locator("#facts")).ToContainTextAsync("<svg onload=alert(3)>");
        await Expect(page.Locator("#preview")).ToHaveAttributeAsync("alt", $"Preview of {hostile}");
        await ScreenshotAsync("xss-title", fullPage: false);

        Assert.That(await page.Locator("img[src=x]").CountAsync(), Is.Zero);
        Assert.That(await page.Locator("svg, b, #grid script, #detail script").CountAsync(), Is.Zero);
        // An onerror would have fired by now; give a late one a moment all the same.
        await page.WaitForTimeoutAsync(300);
        lock (dialogs) Assert.That(dialogs, Is.Empty);
    }

    [Test]
    public async Task PhoneWidthHasNoHorizontalScroll()
    {
        await page.SetViewportSizeAsync(375, 812);
        var id = await UploadPngAsync(1600, 400, $"a-very-long-file-name-without-any-spaces-at-all-{Unique()}-{Unique()}.png");
        await SignInAsync();
        await Expect(Tile(id)).ToBeVisibleAsync();
        await WaitForImageAsync(Tile(id).Locator("img"));
        Assert.That(await HorizontalOverflowAsync(), Is.LessThanOrEqualTo(0), "the grid is wider than the phone");
        await ScreenshotAsync("phone-grid");

        await OpenDetailAsync(id);
        await WaitForImageAsync(page.Locator("#preview"));
        var dialogOverflow = await page.Locator("#detail").EvaluateAsync<double>("d => d.scrollWidth - d.clientWidth");
        Assert.That(dialogOverflow, Is.LessThanOrEqualTo(0), "the detail panel is wider than the phone");
        var dialogBox = (await page.Locator("#detail").BoundingBoxAsync())!;
        Assert.That(dialogBox.X, Is.GreaterThanOrEqualTo(0));
        Assert.That(dialogBox.X + dialogBox.Width, Is.LessThanOrEqualTo(375.5));
        Assert.That(await HorizontalOverflowAsync(), Is.LessThanOrEqualTo(0));
        await ScreenshotAsync("phone-detail", fullPage: false);
    }

    [Test]
    public async Task KeyboardReachesATileAndOpensItWithEnterOrSpace()
    {
        var id = await UploadPngAsync(150, 100, $"keyboard-{Unique()}.png");
        await SignInAsync();
        await Expect(Tile(id)).ToBeVisibleAsync();
        await page.GetByLabel("Search").FocusAsync();
        for (var presses = 0; presses < 30; presses++)
        {
            await page.Keyboard.PressAsync("Tab");
            if (await page.EvaluateAsync<bool>("document.activeElement?.classList.contains('tile') === true")) break;
        }
        Assert.That(await page.EvaluateAsync<string?>("document.activeElement?.dataset.id"), Is.EqualTo(id), "Tab reaches the newest tile");

        await page.Keyboard.PressAsync("Enter");
        await Expect(page.Locator("#detail")).ToBeVisibleAsync();
        await Expect(page.Locator("#detail-close")).ToBeFocusedAsync();
        await ScreenshotAsync("keyboard-detail", fullPage: false);
        await page.Keyboard.PressAsync("Escape");
        await Expect(page.Locator("#detail")).ToBeHiddenAsync();
        await Expect(Tile(id)).ToBeFocusedAsync();

        await page.Keyboard.PressAsync(" ");
        await Expect(page.Locator("#detail")).ToBeVisibleAsync();
    }

    [Test]
    public async Task EveryControlHasALabel()
    {
        var id = await UploadPngAsync(90, 90, $"labels-{Unique()}.png");
        await SignInAsync();
        await OpenDetailAsync(id);
        await Expect(page.Locator("#preset-links li").Nth(1)).ToBeVisibleAsync();
        var unlabelled = await page.EvaluateAsync<string[]>("""
            () => [...document.querySelectorAll('input, select, textarea, button')]
              .filter(c => {
                if (c.type === 'hidden') return false;
                const named = (c.labels && c.labels.length > 0) || c.getAttribute('aria-label') || c.getAttribute('aria-labelledby');
                const buttonText = c.tagName === 'BUTTON' && c.textContent.trim().length > 0;
                return !named && !buttonText;
              })
              .map(c => c.outerHTML)
            """);
        Assert.That(unlabelled, Is.Empty);
    }

    [Test]
    public async Task BlurHashPlaceholderShowsUntilTheThumbnailLoads()
    {
        // The server fills metadata.placeholder at upload; set it by hand here, so this test is about the page.
        const string hash = "LEHV6nWB2yk8pyo0adR*.7kCMdnj";
        var withHash = await UploadPngAsync(300, 200, $"blur-{Unique()}.png");
        await PatchAsync(withHash, new JsonObject { ["metadata"] = new JsonObject { ["placeholder"] = new JsonObject { ["blurhash"] = hash, ["color"] = "#aabbcc" } } });
        var colourOnly = await UploadPngAsync(300, 200, $"colour-{Unique()}.png");
        await PatchAsync(colourOnly, new JsonObject { ["metadata"] = new JsonObject { ["placeholder"] = new JsonObject { ["color"] = "#112233" } } });

        var release = new TaskCompletionSource();
        await page.RouteAsync("**/assets/**", async route =>
        {
            if (route.Request.ResourceType == "image") await release.Task;
            await route.ContinueAsync();
        });
        await SignInAsync();
        var thumb = Tile(withHash).Locator(".thumb");
        await Expect(thumb.Locator("canvas.placeholder")).ToBeVisibleAsync();
        await Expect(thumb).Not.ToHaveClassAsync(new System.Text.RegularExpressions.Regex("loaded"));
        await Expect(thumb).ToHaveCSSAsync("background-color", "rgb(170, 187, 204)");
        await Expect(Tile(colourOnly).Locator(".thumb")).ToHaveCSSAsync("background-color", "rgb(17, 34, 51)");
        await Expect(Tile(colourOnly).Locator("canvas")).ToHaveCountAsync(0);
        // The canvas holds the decoded hash: its pixels are the module's decode at the canvas size.
        var same = await thumb.Locator("canvas").EvaluateAsync<bool>($$"""
            async canvas => {
              const { decode } = await import('/admin/blurhash.js');
              const expected = decode('{{hash}}', canvas.width, canvas.height);
              const actual = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
              return actual.length === expected.length && actual.every((v, i) => Math.abs(v - expected[i]) <= 1);
            }
            """);
        Assert.That(same, Is.True);
        await ScreenshotAsync("placeholders");

        release.SetResult();
        await Expect(thumb).ToHaveClassAsync(new System.Text.RegularExpressions.Regex("loaded"));
        await Expect(thumb.Locator("canvas.placeholder")).ToBeHiddenAsync();
    }

    [Test]
    public async Task BlurHashDecoderMatchesTheReferenceImplementation()
    {
        await page.GotoAsync("/admin");
        // The reference decoder (the blurhash package, 2.0.5) gives these RGBA pixels for its README's hash at 4×3.
        int[] reference =
        [
            135, 164, 177, 255, 161, 173, 177, 255, 181, 180, 171, 255, 160, 172, 174, 255,
            124, 154, 169, 255, 148, 148, 154, 255, 164, 145, 134, 255, 146, 152, 155, 255,
            124, 144, 154, 255, 144, 134, 132, 255, 163, 130, 104, 255, 148, 140, 134, 255,
        ];
        var decoded = await page.EvaluateAsync<int[]>("""
            async () => {
              const { decode } = await import('/admin/blurhash.js');
              return Array.from(decode('LEHV6nWB2yk8pyo0adR*.7kCMdnj', 4, 3));
            }
            """);
        Assert.That(decoded, Is.EqualTo(reference));
        var malformed = await page.EvaluateAsync<bool[]>("""
            async () => {
              const { isBlurHash } = await import('/admin/blurhash.js');
              return [isBlurHash('LEHV6nWB2yk8pyo0adR*.7kCMdnj'), isBlurHash('LEHV6nWB2yk8pyo0adR*.7kCMdn'), isBlurHash('L<HV6n'), isBlurHash(null)];
            }
            """);
        Assert.That(malformed, Is.EqualTo(new[] { true, false, false, false }));
    }

    [Test]
    public async Task DetailShowsDimensionsSizeAndAnExifSummary()
    {
        var id = await UploadPngAsync(320, 240, $"exif-{Unique()}.png");
        await PatchAsync(id, new JsonObject
        {
            ["metadata"] = new JsonObject
            {
                ["exif"] = new JsonObject
                {
                    ["Make"] = "FUJIFILM", ["Model"] = "X-T4", ["ExposureTime"] = 0.004, ["FNumber"] = 5.6,
                    ["ISOSpeedRatings"] = 200, ["FocalLength"] = 23.0, ["DateTimeOriginal"] = "2024-06-14T09:41:27",
                },
            },
        });
        await SignInAsync();
        await OpenDetailAsync(id);
        var facts = page.Locator("#facts");
        await Expect(facts).ToContainTextAsync("320 × 240 px");
        await Expect(facts).ToContainTextAsync("image/png");
        var exif = page.Locator("#exif");
        await Expect(exif).ToContainTextAsync("FUJIFILM X-T4");
        await Expect(exif).ToContainTextAsync("1/250 s · f/5.6 · ISO 200 · 23 mm");
        await Expect(exif).ToContainTextAsync("2024-06-14 09:41:27");
    }

    [Test]
    public async Task CopyButtonsGiveEachPresetsUrl()
    {
        await context.GrantPermissionsAsync(["clipboard-read", "clipboard-write"]);
        var id = await UploadPngAsync(300, 300, $"links-{Unique()}.png");
        var presets = JsonNode.Parse(await api.GetStringAsync("/server/presets"))!["data"]!.AsArray()
            .Select(p => p!["key"]!.GetValue<string>()).ToList();
        Assert.That(presets, Is.Not.Empty, "the test app has presets.json");
        await SignInAsync();
        await OpenDetailAsync(id);
        await Expect(page.Locator("#preset-links li")).ToHaveCountAsync(presets.Count + 1);

        var origin = baseAddress.GetLeftPart(UriPartial.Authority);
        var urls = await page.Locator("#preset-links input").EvaluateAllAsync<string[]>("inputs => inputs.map(i => i.value)");
        Assert.That(urls, Is.EquivalentTo(presets.Select(key => $"{origin}/assets/{id}?key={key}").Append($"{origin}/assets/{id}")));
        await page.GetByRole(AriaRole.Button, new() { Name = $"Copy the {presets[0]} URL" }).ClickAsync();
        await Expect(page.Locator("#copy-status")).ToHaveTextAsync($"Copied the {presets[0]} URL.");
        Assert.That(await page.EvaluateAsync<string>("navigator.clipboard.readText()"), Is.EqualTo($"{origin}/assets/{id}?key={presets[0]}"));

        // Every copied URL answers.
        foreach (var key in presets)
            Assert.That((await api.GetAsync($"/assets/{id}?key={key}")).StatusCode, Is.EqualTo(HttpStatusCode.OK), key);
    }

    [Test]
    public async Task DownloadGivesTheOriginalUnderItsName()
    {
        var bytes = TestImages.Png(80, 60);
        var name = $"download-{Unique()}.png";
        var id = (await app.UploadOkAsync(bytes, name, "image/png"))["id"]!.GetValue<string>();
        await SignInAsync();
        await OpenDetailAsync(id);
        await Expect(page.Locator("#download")).ToHaveAttributeAsync("href", $"/assets/{id}?download");
        var download = await page.RunAndWaitForDownloadAsync(() => page.GetByText("Download the original").ClickAsync());
        Assert.That(download.SuggestedFilename, Is.EqualTo(name));
        var saved = Path.Combine(TestContext.CurrentContext.WorkDirectory, $"admin-{id}.png");
        await download.SaveAsAsync(saved);
        Assert.That(await File.ReadAllBytesAsync(saved), Is.EqualTo(bytes));
        File.Delete(saved);
    }

    [Test]
    public async Task ReplacingTheContentKeepsTheFileAndShowsTheNewImage()
    {
        var id = await UploadPngAsync(100, 100, $"replace-{Unique()}.png");
        await SignInAsync();
        await OpenDetailAsync(id);
        var before = await page.Locator("#preview").GetAttributeAsync("src");
        await page.GetByLabel("Replace the content").SetInputFilesAsync(new FilePayload
        {
            Name = "wider.png", MimeType = "image/png", Buffer = TestImages.Png(300, 150),
        });
        await Expect(page.Locator("#replace-status")).ToHaveTextAsync("Content replaced.");
        var file = await GetFileAsync(id);
        Assert.That((file["width"]!.GetValue<int>(), file["height"]!.GetValue<int>()), Is.EqualTo((300, 150)));
        await Expect(page.Locator("#facts")).ToContainTextAsync("300 × 150 px");
        Assert.That(await page.Locator("#preview").GetAttributeAsync("src"), Is.Not.EqualTo(before));
        await WaitForImageAsync(page.Locator("#preview"));
        Assert.That(await page.Locator("#preview").EvaluateAsync<double>("i => i.naturalWidth / i.naturalHeight"), Is.EqualTo(2).Within(0.05));
    }

    [Test]
    public async Task FilesDroppedOnThePageAreUploaded()
    {
        var word = Unique();
        await SignInAsync();
        // A synthetic drop carrying a File, as the browser builds one from a desktop drag.
        await page.EvaluateAsync($$"""
            async () => {
              const bytes = new Uint8Array([{{string.Join(",", TestImages.Png(50, 40))}}]);
              const transfer = new DataTransfer();
              transfer.items.add(new File([bytes], 'dropped-{{word}}.png', { type: 'image/png' }));
              document.body.dispatchEvent(new DragEvent('dragenter', { dataTransfer: transfer, bubbles: true, cancelable: true }));
              document.body.dispatchEvent(new DragEvent('dragover', { dataTransfer: transfer, bubbles: true, cancelable: true }));
              document.body.dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }));
            }
            """);
        await Expect(page.Locator(".upload[data-state=done] .upload-name")).ToHaveTextAsync($"dropped-{word}.png");
        await Expect(page.Locator(".tile .name", new() { HasText = word })).ToHaveCountAsync(1);
        await Expect(page.Locator("#drop-zone")).ToBeHiddenAsync();
    }

    [Test]
    public async Task FoldersAreBrowsedCreatedAndFilesMovedIntoThem()
    {
        var word = Unique();
        var trips = $"Trips {word}";
        var loose = await UploadPngAsync(60, 40, $"loose-{word}.png");
        await SignInAsync();
        await Expect(page.Locator("#folder-path [aria-current]")).ToHaveTextAsync("All files");

        // A new folder at the top, made on the page.
        await page.GetByLabel("New folder here").FillAsync(trips);
        await page.GetByRole(AriaRole.Button, new() { Name = "Create folder" }).ClickAsync();
        await Expect(page.Locator("#folder-status")).ToHaveTextAsync($"Created the folder {trips}.");
        await Expect(FolderButton(trips)).ToBeVisibleAsync();
        var made = JsonNode.Parse(await api.GetStringAsync($"/folders?filter[name][_eq]={Uri.EscapeDataString(trips)}"))!["data"]!.AsArray();
        Assert.That(made, Has.Count.EqualTo(1));
        Assert.That(made[0]!["parent"], Is.Null);
        var tripsId = made[0]!["id"]!.GetValue<string>();

        // A file moved into it from its panel.
        await OpenDetailAsync(loose);
        var menu = page.GetByLabel("Folder", new() { Exact = true });
        await Expect(menu).ToHaveValueAsync("");
        await menu.SelectOptionAsync(new SelectOptionValue { Label = trips });
        await Expect(page.Locator("#move-status")).ToHaveTextAsync($"Moved to {trips}.");
        Assert.That((await GetFileAsync(loose))["folder"]!.GetValue<string>(), Is.EqualTo(tripsId));
        await ScreenshotAsync("moved", fullPage: false);
        await page.GetByRole(AriaRole.Button, new() { Name = "Close" }).ClickAsync();

        // Inside the folder: only its files; a folder made here nests here; an upload here is filed here.
        await FolderButton(trips).ClickAsync();
        await Expect(page.Locator("#folder-path [aria-current]")).ToHaveTextAsync(trips);
        await Expect(page.Locator(".tile")).ToHaveCountAsync(1);
        await Expect(Tile(loose)).ToBeVisibleAsync();
        await page.GetByLabel("New folder here").FillAsync("Summer");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create folder" }).ClickAsync();
        await Expect(FolderButton("Summer")).ToBeVisibleAsync();
        var summer = JsonNode.Parse(await api.GetStringAsync($"/folders?filter[parent][_eq]={tripsId}"))!["data"]!.AsArray();
        Assert.That(summer.Select(f => f!["name"]!.GetValue<string>()), Is.EqualTo(new[] { "Summer" }));
        await page.GetByLabel("Upload files").SetInputFilesAsync(new FilePayload { Name = $"inside-{word}.png", MimeType = "image/png", Buffer = TestImages.Png(30, 30) });
        await Expect(page.Locator(".upload[data-state=done]")).ToHaveCountAsync(1);
        await Expect(page.Locator(".tile")).ToHaveCountAsync(2);
        var inside = JsonNode.Parse(await api.GetStringAsync($"/files?search=inside-{word}&fields=folder"))!["data"]!.AsArray();
        Assert.That(inside.Select(f => f!["folder"]!.GetValue<string>()), Is.EqualTo(new[] { tripsId }));

        // Into the sub-folder and back up the path.
        await FolderButton("Summer").ClickAsync();
        await Expect(page.Locator("#folder-path li")).ToHaveTextAsync(new[] { "All files", trips, "Summer" });
        await Expect(page.Locator(".tile")).ToHaveCountAsync(0);
        await Expect(page.Locator("#status")).ToHaveTextAsync("No files in this folder.");
        await ScreenshotAsync("sub-folder");
        await page.Locator("#folder-path").GetByRole(AriaRole.Button, new() { Name = "All files" }).ClickAsync();
        await Expect(FolderButton(trips)).ToBeVisibleAsync();
        await Expect(FolderButton("Summer")).ToHaveCountAsync(0);

        // And out of any folder again.
        await OpenDetailAsync(loose);
        await Expect(menu).ToHaveValueAsync(tripsId);
        await menu.SelectOptionAsync(new SelectOptionValue { Label = "No folder" });
        await Expect(page.Locator("#move-status")).ToHaveTextAsync("Taken out of its folder.");
        Assert.That((await GetFileAsync(loose))["folder"], Is.Null);
    }

    private ILocator FolderButton(string name) => page.Locator("#folder-list button", new() { HasText = name });

    private async Task<string[]> TileIdsAsync() =>
        await page.Locator(".tile").EvaluateAllAsync<string[]>("tiles => tiles.map(t => t.dataset.id)");

    private Task<double> HorizontalOverflowAsync() =>
        page.EvaluateAsync<double>("document.documentElement.scrollWidth - document.documentElement.clientWidth");
}
