using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using AssetServer.Assets.Store;
using AssetServer.Data;
using AssetServer.Tests.Support;
using static AssetServer.Tests.Strapi.StrapiKit;

namespace AssetServer.Tests.Strapi;

/// <summary>
/// Issue 17, costs charged where the work is done: Strapi's JSON routes describe formats from the render plan and
/// never render (one list from a read token used to render every missing format); the formats are rendered in the
/// background once the bytes are stored, whichever API stored them, and then report the bytes served.
/// </summary>
public class StrapiFormatsInBackgroundTestsIssue17 : AdminAppFixture
{
    /// <summary>What Strapi makes of a 1800×1200 and a 600×900 image (STRAPI-BEHAVIOUR.md).</summary>
    private static readonly Dictionary<(int, int), (string Key, int Width, int Height)[]> Expected = new()
    {
        [(1800, 1200)] = [("thumbnail", 234, 156), ("small", 500, 333), ("medium", 750, 500), ("large", 1000, 667)],
        [(600, 900)] = [("thumbnail", 104, 156), ("small", 333, 500), ("medium", 500, 750)],
    };

    private static int shade;

    /// <summary>
    /// A JPEG no other file in the app has: derivatives are named by content, so files with the same bytes share
    /// them, and a test that drops one file's derivatives must not find another's.
    /// </summary>
    private static byte[] UniqueJpeg(int width, int height)
    {
        using var gradient = TestImages.Gradient(width, height);
        using var shifted = gradient + Interlocked.Increment(ref shade) % 200;
        using var bytes = shifted.Cast(NetVips.Enums.BandFormat.Uchar);
        return bytes.JpegsaveBuffer(q: 85);
    }

    /// <summary>
    /// Uploads images of both sizes, waits for their formats, then drops every derivative of them from the cache (as
    /// an eviction would): files whose formats no tier holds.
    /// </summary>
    private async Task<List<JsonObject>> UnrenderedImagesAsync(int count)
    {
        var files = new List<JsonObject>();
        for (var i = 0; i < count; i++)
        {
            var (width, height) = i % 2 == 0 ? (1800, 1200) : (600, 900);
            files.Add(await UploadOneAsync(client, UniqueJpeg(width, height), $"shot{i}.jpg", "image/jpeg",
                new JsonObject { ["name"] = Unique($"shot {i} ") }.ToJsonString()));
        }
        await WaitForFormatsAsync(app);
        foreach (var file in files) await app.Service<AssetStore>().InvalidateAsync(await DirectusUuidAsync(file));
        return files;
    }

    private async Task<string> DirectusUuidAsync(JsonNode file) =>
        (await app.Service<FileRepository>().GetByNumericIdAsync(Id(file)))!.Id;

    /// <summary>The formats as described: right names, hashes, sizes and urls; size and sizeInBytes numbers.</summary>
    private static void AssertDescribed(JsonNode file)
    {
        var (width, height) = (Int(file, "width")!.Value, Int(file, "height")!.Value);
        var formats = file["formats"]!.AsObject();
        Assert.That(formats.Select(f => f.Key), Is.EqualTo(Expected[(width, height)].Select(e => e.Key)), Str(file, "name"));
        foreach (var (key, w, h) in Expected[(width, height)])
        {
            var format = formats[key]!;
            Assert.That((Int(format, "width"), Int(format, "height")), Is.EqualTo(((int?)w, (int?)h)), key);
            Assert.That(Str(format, "name"), Is.EqualTo($"{key}_{Str(file, "name")}"), key);
            Assert.That(Str(format, "hash"), Is.EqualTo($"{key}_{Str(file, "hash")}"), key);
            Assert.That(Str(format, "url"), Is.EqualTo($"/uploads/{key}_{Str(file, "hash")}.jpg"), key);
            var sizeInBytes = format["sizeInBytes"]!.GetValue<long>();
            Assert.That(sizeInBytes, Is.Positive, $"{key}: an estimate until rendered, but a number");
            Assert.That(format["size"]!.GetValue<double>(), Is.EqualTo(Kb(sizeInBytes)).Within(1e-9), key);
        }
    }

    [Test]
    public async Task ListShowAndDeleteOfUnrenderedImagesRenderNothing()
    {
        var files = await UnrenderedImagesAsync(6);
        var ids = files.Select(Id).ToHashSet();
        var store = app.Service<AssetStore>();
        var renders = store.RenderCount;
        var derivativesOnDisk = Directory.Exists(app.DerivativesPath) ? Directory.GetFiles(app.DerivativesPath, "*", SearchOption.AllDirectories).Length : 0;

        using var reader = await ReadClientAsync();
        var lists = new[]
        {
            (await GetJsonAsync(reader, "/api/upload/files")).AsArray(),
            (await GetJsonAsync(reader, "/api/upload/files/page?pagination[pageSize]=100"))["data"]!.AsArray(),
            (await GetJsonAsync(reader, "/upload/files?_limit=100")).AsArray(),
        };
        foreach (var list in lists)
        {
            var ours = list.Where(f => ids.Contains(Id(f))).ToList();
            Assert.That(ours, Has.Count.EqualTo(files.Count));
            foreach (var file in ours) AssertDescribed(file!);
        }
        foreach (var file in files)
        {
            AssertDescribed(await GetJsonAsync(reader, $"/api/upload/files/{Id(file)}"));
            AssertDescribed(await GetJsonAsync(reader, $"/upload/files/{Id(file)}"));
        }
        for (var i = 0; i < files.Count; i++)
        {
            using var response = await client.DeleteAsync(i % 2 == 0 ? $"/api/upload/files/{Id(files[i])}" : $"/upload/files/{Id(files[i])}");
            AssertDescribed(await JsonAsync(response));
        }

        Assert.That(store.RenderCount, Is.EqualTo(renders), "no JSON answer rendered a format");
        var after = Directory.Exists(app.DerivativesPath) ? Directory.GetFiles(app.DerivativesPath, "*", SearchOption.AllDirectories).Length : 0;
        Assert.That(after, Is.EqualTo(derivativesOnDisk), "nothing was written to the derivative cache");
    }

    [Test]
    public async Task UploadAnswersAtOnceAndTheBackgroundRendersTheFormats()
    {
        var store = app.Service<AssetStore>();
        await WaitForFormatsAsync(app);
        var renders = store.RenderCount;
        var file = await UploadOneAsync(client, UniqueJpeg(1800, 1200), "wide.jpg", "image/jpeg");
        AssertDescribed(file);

        await WaitForFormatsAsync(app);
        Assert.That(store.RenderCount - renders, Is.EqualTo(4), "thumbnail, small, medium and large, rendered once each");
        var record = (await app.Service<FileRepository>().GetByNumericIdAsync(Id(file)))!;
        Assert.That(Directory.GetFiles(Path.Combine(app.DerivativesPath, record.Id)), Has.Length.EqualTo(4));

        // Now size and sizeInBytes are those of the bytes, and serving them renders nothing.
        using var anonymous = app.AnonymousClient();
        await AssertFormatsServedAsDescribedAsync(app, anonymous, file);
    }

    [Test]
    public async Task FilesUploadedThroughDirectusGetTheirStrapiFormatsRenderedToo()
    {
        var name = Unique("directus ") + ".jpg";
        await app.UploadOkAsync(UniqueJpeg(600, 900), name, "image/jpeg");
        var data = (await GetJsonAsync(client, $"/api/upload/files?filters[name][$eq]={Q(name)}")).AsArray();
        Assert.That(data, Has.Count.EqualTo(1));
        var file = data[0]!.AsObject();
        AssertDescribed(file);

        using var anonymous = app.AnonymousClient();
        await AssertFormatsServedAsDescribedAsync(app, anonymous, file);
    }

    [Test]
    public async Task SizesAreTheBytesOnceRenderedAndAnEstimateAfterEviction()
    {
        var file = await UploadOneAsync(client, UniqueJpeg(600, 900), "evicted.jpg", "image/jpeg");
        await WaitForFormatsAsync(app);
        var rendered = (await GetJsonAsync(client, $"/api/upload/files/{Id(file)}"))["formats"]!["small"]!;
        var served = await GetBytesAsync(client, Str(rendered, "url"));
        Assert.That(rendered["sizeInBytes"]!.GetValue<long>(), Is.EqualTo(served.LongLength));

        var uuid = await DirectusUuidAsync(file);
        await app.Service<AssetStore>().InvalidateAsync(uuid);
        var record = (await app.Service<FileRepository>().GetAsync(uuid))!;
        var estimated = (await GetJsonAsync(client, $"/api/upload/files/{Id(file)}"))["formats"]!["small"]!;
        Assert.That(estimated["sizeInBytes"]!.GetValue<long>(),
            Is.EqualTo(AssetServer.Strapi.StrapiFormats.EstimateBytes(record, 333, 500)), "the documented estimate");
        Assert.That(WithoutSizes(new JsonObject { ["small"] = estimated.DeepClone() }),
            Is.EqualTo(WithoutSizes(new JsonObject { ["small"] = rendered.DeepClone() })));
    }

    /// <summary>A client with a read-only token: what a public site's front-end holds.</summary>
    private async Task<HttpClient> ReadClientAsync()
    {
        using var response = await client.PostAsync("/tokens", JsonContent.Create(new { name = Unique("reader "), access = "read" }));
        var body = await JsonAsync(response);
        var reader = app.CreateClient();
        reader.DefaultRequestHeaders.Authorization = new("Bearer", Str(body["data"], "token"));
        return reader;
    }
}

/// <summary>Issue 17: a deployment that never serves Strapi clients can leave the formats to their first request.</summary>
public class StrapiEagerFormatsOffTestsIssue17
{
    [Test]
    public async Task WithEagerFormatsOffAnUploadQueuesNoRenders()
    {
        using var app = new AssetServerApp(("Strapi:EagerFormats", "false"));
        var store = app.Service<AssetStore>();
        var renders = store.RenderCount;
        await app.UploadOkAsync(TestImages.Jpeg(1800, 1200), "no-formats.jpg", "image/jpeg");
        await WaitForFormatsAsync(app);
        Assert.That(store.RenderCount, Is.EqualTo(renders));
        Assert.That(app.Service<AssetServer.Assets.EagerPresets>().Pending, Is.Zero);

        // The formats still exist: described from the plan, rendered on their first request.
        using var client = app.AdminClient();
        var file = (await GetJsonAsync(client, "/api/upload/files?filters[name][$eq]=no-formats.jpg")).AsArray().Single()!;
        var url = Str(file["formats"]!["thumbnail"], "url");
        using var anonymous = app.AnonymousClient();
        using var response = await anonymous.GetAsync(url);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(store.RenderCount, Is.EqualTo(renders + 1));
    }
}
