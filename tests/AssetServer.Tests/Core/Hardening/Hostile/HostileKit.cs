using System.Net;
using System.Text.Json.Nodes;
using AssetServer.Tests.Files;
using AssetServer.Tests.Support;

namespace AssetServer.Tests.Hardening.Hostile;

/// <summary>
/// Shared checks for hostile input: what a refused or survived request must leave behind (no temp files, no partial
/// derivative, the expected rows) and that the process still answers and still renders afterwards.
/// </summary>
internal static class HostileKit
{
    /// <summary>The error codes a bad transform may carry; anything else (and any 5xx) is a bug.</summary>
    public static readonly string[] TransformRefusalCodes = ["INVALID_QUERY", "ILLEGAL_ASSET_TRANSFORMATION"];

    private static int healthWidth = 10;

    /// <summary>A generous client timeout: a hang fails the test instead of stalling the run.</summary>
    public static HttpClient Client(AssetServerApp app)
    {
        var client = app.AnonymousClient();
        client.Timeout = TimeSpan.FromSeconds(60);
        return client;
    }

    /// <summary>
    /// The server still answers /server/ping and still renders a fresh derivative of a good JPEG (a new width each
    /// call, so a cache hit cannot hide a broken renderer).
    /// </summary>
    public static async Task AssertHealthyAsync(AssetServerApp app)
    {
        using var client = Client(app);
        using var ping = await client.GetAsync("/server/ping");
        Assert.That(ping.StatusCode, Is.EqualTo(HttpStatusCode.OK), "ping after hostile input");

        var good = await app.UploadOkAsync(TestImages.Jpeg(240, 160), "healthy.jpg", "image/jpeg");
        var width = Interlocked.Increment(ref healthWidth) % 200 + 10;
        using var render = await client.GetAsync($"/assets/{good["id"]}?width={width}");
        var bytes = await render.Content.ReadAsByteArrayAsync();
        Assert.That(render.StatusCode, Is.EqualTo(HttpStatusCode.OK), "a normal transform after hostile input");
        Assert.That(render.Content.Headers.ContentType?.MediaType, Is.EqualTo("image/jpeg"));
        Assert.That(TestImages.SizeOf(bytes).Width, Is.EqualTo(width));
    }

    /// <summary>No upload or render temp file remains.</summary>
    public static void AssertNoTempFiles(AssetServerApp app) =>
        Assert.That(app.TempFilesOnDisk(), Is.Empty, "temp files left behind");

    public static string[] DerivativesOf(AssetServerApp app, string id)
    {
        var folder = Path.Combine(app.DerivativesPath, id);
        return Directory.Exists(folder) ? Directory.GetFiles(folder, "*", SearchOption.AllDirectories) : [];
    }

    /// <summary>A refused render leaves no derivative at all for the file.</summary>
    public static void AssertNoDerivatives(AssetServerApp app, string id) =>
        Assert.That(DerivativesOf(app, id), Is.Empty, "a refused render left a derivative behind");

    /// <summary>Every derivative on disk for the file is complete: non-empty and decodable by libvips.</summary>
    public static void AssertDerivativesComplete(AssetServerApp app, string id, int atMost)
    {
        var files = DerivativesOf(app, id);
        Assert.That(files, Has.Length.LessThanOrEqualTo(atMost), "more derivatives than successful renders");
        foreach (var file in files)
        {
            var bytes = File.ReadAllBytes(file);
            Assert.That(bytes, Is.Not.Empty, $"empty derivative {Path.GetFileName(file)}");
            Assert.DoesNotThrow(() => TestImages.SizeOf(bytes), $"derivative {Path.GetFileName(file)} does not decode");
        }
    }

    /// <summary>A 400 in the one error shape whose code is one of <paramref name="codes"/>.</summary>
    public static async Task<JsonObject> AssertBadRequestAsync(HttpResponseMessage response, params string[] codes)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), Describe(response, text));
        return AssertErrorShape(text, codes);
    }

    /// <summary>
    /// A 400 ILLEGAL_ASSET_TRANSFORMATION for a size limit, naming width/height: not the "damaged source" refusal, which
    /// shares the code but names <c>source</c> (so a bomb that libvips choked on does not pass as refused up front).
    /// </summary>
    public static async Task AssertLimitRefusalAsync(HttpResponseMessage response)
    {
        var error = await AssertBadRequestAsync(response, "ILLEGAL_ASSET_TRANSFORMATION");
        var named = error["extensions"]!["invalidTransformations"]!.AsArray().Select(n => n!.GetValue<string>()).ToList();
        Assert.That(named, Does.Not.Contain("source"), error.ToJsonString());
        Assert.That(named, Has.Some.AnyOf("width", "height"), error.ToJsonString());
    }

    /// <summary>Any 4xx in the one error shape (any code when <paramref name="codes"/> is empty).</summary>
    public static async Task<JsonObject> AssertClientErrorAsync(HttpResponseMessage response, params string[] codes)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.That((int)response.StatusCode, Is.InRange(400, 499), Describe(response, text));
        return AssertErrorShape(text, codes);
    }

    /// <summary>A JSON body as text; an image body as its type and length, not as mojibake.</summary>
    private static string Describe(HttpResponseMessage response, string text) =>
        response.Content.Headers.ContentType?.MediaType?.Contains("json") == true
            ? text
            : $"{(int)response.StatusCode} {response.Content.Headers.ContentType} ({response.Content.Headers.ContentLength} bytes)";

    private static JsonObject AssertErrorShape(string text, string[] codes)
    {
        Assert.That(text, Does.Not.Contain("   at "), "an error body must never carry a stack trace");
        var errors = JsonNode.Parse(text)!["errors"]!.AsArray();
        Assert.That(errors, Has.Count.EqualTo(1), text);
        var error = errors[0]!.AsObject();
        Assert.That(error["message"]!.GetValue<string>(), Is.Not.Empty, text);
        var code = error["extensions"]!["code"]!.GetValue<string>();
        if (codes.Length > 0) Assert.That(code, Is.AnyOf(codes), text);
        return error;
    }

    public static Task<FilesKit.Snapshot> SnapshotAsync(AssetServerApp app) => FilesKit.SnapshotAsync(app);

    /// <summary>Bytes <paramref name="count"/> long from a seeded generator: the same damage on every run.</summary>
    public static byte[] Noise(int seed, int count)
    {
        var bytes = new byte[count];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }
}
