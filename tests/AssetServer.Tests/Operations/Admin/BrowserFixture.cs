using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using AssetServer.Tests.Support;
using Microsoft.Playwright;

namespace AssetServer.Tests.Admin;

/// <summary>
/// The real app on a Kestrel loopback port over a temp data folder, and Debian's Chromium driven by Playwright
/// (never Playwright's own browser builds). One app and one browser per fixture; a fresh browser context (so a fresh
/// sessionStorage) and page per test. Every test fails on a script error or a Content-Security-Policy violation.
/// </summary>
public abstract class BrowserFixture
{
    /// <summary>Debian's package; <c>.ci/run</c> installs it when it is missing.</summary>
    public const string ChromiumPath = "/usr/bin/chromium";

    protected AssetServerApp app = null!;
    protected HttpClient api = null!;
    protected Uri baseAddress = null!;
    protected IPage page = null!;
    protected IBrowserContext context = null!;

    /// <summary>Every alert/confirm/prompt the page opened (none should: the XSS test relies on it).</summary>
    protected readonly List<string> dialogs = [];

    private readonly List<string> pageErrors = [];
    private IPlaywright playwright = null!;
    private IBrowser browser = null!;

    /// <summary>Every stored timestamp differs (a stepping clock), so "newest first" is one order.</summary>
    protected virtual AssetServerApp CreateApp() => new() { Clock = AssetServerApp.SteppingClock() };

    protected virtual BrowserNewContextOptions ContextOptions() => new();

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        // Installed on first use when missing, so `dotnet test` alone works on a fresh machine.
        var (_, problem) = SystemPackages.EnsureChromium();
        if (problem is not null)
            Assert.Fail($"The /admin page tests drive Debian's Chromium at {ChromiumPath}: {problem}. Install it with " +
                        "`apt-get update && apt-get install -y chromium`.");
        app = CreateApp();
        app.UseKestrel(0);
        app.StartServer();
        api = app.CreateClient();
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AssetServerApp.AdminToken);
        baseAddress = api.BaseAddress!;
        playwright = await Playwright.CreateAsync();
        browser = await playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ["--no-sandbox"],
        });
        // A loaded two-core machine renders slowly; waits are for events, so a long ceiling costs nothing when all is well.
        Assertions.SetDefaultExpectTimeout(20_000);
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        if (browser is not null) await browser.CloseAsync();
        playwright?.Dispose();
        api?.Dispose();
        app?.Dispose();
    }

    [SetUp]
    public async Task OpenPageAsync()
    {
        dialogs.Clear();
        pageErrors.Clear();
        var options = ContextOptions();
        options.BaseURL = baseAddress.ToString();
        options.ViewportSize ??= new ViewportSize { Width = 1280, Height = 900 };
        context = await browser.NewContextAsync(options);
        page = await context.NewPageAsync();
        page.SetDefaultTimeout(30_000);
        page.Dialog += async (_, dialog) =>
        {
            lock (dialogs) dialogs.Add($"{dialog.Type}: {dialog.Message}");
            await dialog.DismissAsync();
        };
        page.PageError += (_, error) => { lock (pageErrors) pageErrors.Add(error); };
        page.Console += (_, message) =>
        {
            if (message.Type == "error" && message.Text.Contains("Content Security Policy", StringComparison.Ordinal))
                lock (pageErrors) pageErrors.Add(message.Text);
        };
    }

    [TearDown]
    public async Task ClosePageAsync()
    {
        if (TestContext.CurrentContext.Result.Outcome.Status == NUnit.Framework.Interfaces.TestStatus.Failed)
        {
            try
            {
                await ScreenshotAsync("failed");
            }
            catch (PlaywrightException)
            {
                // the page is gone; the failure itself says more
            }
        }
        await context.CloseAsync();
        lock (pageErrors) Assert.That(pageErrors, Is.Empty, "script errors or CSP violations on the page");
    }

    protected static ILocatorAssertions Expect(ILocator locator) => Assertions.Expect(locator);

    protected static IPageAssertions Expect(IPage page) => Assertions.Expect(page);

    /// <summary>
    /// A PNG in the test's work directory, attached to the test result: the whole page, or what the screen shows
    /// (with a modal panel open, the page behind it is not what a person sees).
    /// </summary>
    protected async Task<string> ScreenshotAsync(string name, bool fullPage = true)
    {
        var folder = Path.Combine(TestContext.CurrentContext.WorkDirectory, "admin-screenshots");
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, $"{TestContext.CurrentContext.Test.Name}-{name}.png");
        await page.ScreenshotAsync(new() { Path = path, FullPage = fullPage });
        TestContext.AddTestAttachment(path, name);
        return path;
    }

    /// <summary>Opens /admin and enters the admin token as a person would.</summary>
    protected async Task SignInAsync()
    {
        await page.GotoAsync("/admin");
        await page.GetByLabel("Access token").FillAsync(AssetServerApp.AdminToken);
        await page.GetByRole(AriaRole.Button, new() { Name = "Open the library" }).ClickAsync();
        await Expect(page.Locator("#library")).ToBeVisibleAsync();
        await Expect(page.Locator("#grid")).Not.ToHaveAttributeAsync("aria-busy", "true");
    }

    protected ILocator Tile(string id) => page.Locator($".tile[data-id='{id}']");

    /// <summary>Opens a file's detail panel by clicking its tile, and waits for the panel.</summary>
    protected async Task OpenDetailAsync(string id)
    {
        await Tile(id).ClickAsync();
        await Expect(page.Locator("#detail")).ToBeVisibleAsync();
    }

    /// <summary>True once an &lt;img&gt; has decoded real pixels.</summary>
    protected Task<bool> ImageLoadedAsync(ILocator image) =>
        image.EvaluateAsync<bool>("img => img.complete && img.naturalWidth > 0");

    protected async Task WaitForImageAsync(ILocator image) =>
        await image.Page.WaitForFunctionAsync("img => img.complete && img.naturalWidth > 0", await image.ElementHandleAsync());

    /// <summary>Uploads a PNG through the REST API; returns its id.</summary>
    protected async Task<string> UploadPngAsync(int width, int height, string fileName, params (string Name, string Value)[] fields)
    {
        var file = await app.UploadOkAsync(TestImages.Png(width, height), fileName, "image/png", fields);
        return file["id"]!.GetValue<string>();
    }

    protected async Task<JsonObject> GetFileAsync(string id)
    {
        using var response = await api.GetAsync($"/files/{id}");
        var body = await response.Content.ReadAsStringAsync();
        Assert.That((int)response.StatusCode, Is.EqualTo(200), body);
        return JsonNode.Parse(body)!["data"]!.AsObject();
    }

    protected async Task PatchAsync(string id, JsonObject changes)
    {
        using var response = await api.PatchAsync($"/files/{id}", new StringContent(changes.ToJsonString(), System.Text.Encoding.UTF8, "application/json"));
        Assert.That((int)response.StatusCode, Is.EqualTo(200), await response.Content.ReadAsStringAsync());
    }

    /// <summary>A word no other test's file holds, so searches see only this test's rows.</summary>
    protected static string Unique() => "u" + Guid.NewGuid().ToString("N")[..10];
}
