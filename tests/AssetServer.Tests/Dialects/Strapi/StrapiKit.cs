using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using AssetServer.Assets.Store;
using AssetServer.Tests.Support;
using NetVips;

namespace AssetServer.Tests.Strapi;

/// <summary>One part of a Strapi upload form: a file (<c>files</c> unless named otherwise) or a text field.</summary>
internal sealed record StrapiPart(string Name, string? Text = null, byte[]? Bytes = null, string? FileName = null, string? Type = null)
{
    public static StrapiPart File(string fileName, byte[] bytes, string type, string name = "files") => new(name, null, bytes, fileName, type);

    public static StrapiPart Field(string name, string value) => new(name, value);

    public static StrapiPart FileInfo(string json) => new("fileInfo", json);
}

/// <summary>Shared helpers for the Strapi dialect tests: forms, Strapi's error shape, served bytes, leftovers.</summary>
internal static class StrapiKit
{
    /// <summary>Every key of Strapi 5's file object, in the order STRAPI-BEHAVIOUR.md shows it.</summary>
    public static readonly string[] V5FieldOrder =
    [
        "id", "documentId", "name", "alternativeText", "caption", "focalPoint", "width", "height", "formats", "hash", "ext",
        "mime", "size", "url", "previewUrl", "provider", "provider_metadata", "createdAt", "updatedAt", "publishedAt", "isUrlSigned",
    ];

    /// <summary>Directus's file object: what <c>GET /files/:id</c> returns, without any column only other dialects read.</summary>
    public static readonly string[] DirectusFieldOrder =
    [
        "id", "storage", "filename_disk", "filename_download", "title", "type", "folder", "uploaded_by", "created_on",
        "modified_by", "modified_on", "charset", "filesize", "width", "height", "duration", "embed", "description",
        "location", "tags", "metadata", "focal_point_x", "focal_point_y", "uploaded_on", "checksum",
    ];

    public static MultipartFormDataContent Form(params StrapiPart[] parts)
    {
        var form = new MultipartFormDataContent();
        foreach (var part in parts)
        {
            if (part.Bytes is null)
            {
                form.Add(new StringContent(part.Text ?? ""), part.Name);
                continue;
            }
            var file = new ByteArrayContent(part.Bytes);
            file.Headers.ContentType = MediaTypeHeaderValue.Parse(part.Type ?? "application/octet-stream");
            form.Add(file, part.Name, part.FileName ?? "file");
        }
        return form;
    }

    /// <summary><c>POST /api/upload</c>, expecting 201 and an array of as many objects as file parts.</summary>
    public static async Task<JsonArray> UploadOkAsync(HttpClient client, params StrapiPart[] parts)
    {
        using var form = Form(parts);
        using var response = await client.PostAsync("/api/upload", form);
        var text = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), text);
        var array = JsonNode.Parse(text)!.AsArray();
        Assert.That(array, Has.Count.EqualTo(parts.Count(p => p.Bytes is not null)), text);
        return array;
    }

    /// <summary>Uploads one file, optionally with its fileInfo, and returns its object.</summary>
    public static async Task<JsonObject> UploadOneAsync(HttpClient client, byte[] bytes, string fileName, string type, string? fileInfo = null)
    {
        var parts = new List<StrapiPart> { StrapiPart.File(fileName, bytes, type) };
        if (fileInfo is not null) parts.Add(StrapiPart.FileInfo(fileInfo));
        return (await UploadOkAsync(client, parts.ToArray()))[0]!.AsObject();
    }

    /// <summary>Checks the status and returns the parsed body (never a stack trace).</summary>
    public static async Task<JsonNode> JsonAsync(HttpResponseMessage response, HttpStatusCode status = HttpStatusCode.OK)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(status), text);
        Assert.That(text, Does.Not.Contain("   at "), "a response body must never carry a stack trace");
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/json"), text);
        return JsonNode.Parse(text)!;
    }

    public static async Task<JsonNode> GetJsonAsync(HttpClient client, string url, HttpStatusCode status = HttpStatusCode.OK)
    {
        using var response = await client.GetAsync(url);
        return await JsonAsync(response, status);
    }

    /// <summary>
    /// Strapi 5's error shape <c>{"data":null,"error":{status,name,message,details}}</c> with this status, name and message;
    /// returns <c>error</c>.
    /// </summary>
    public static async Task<JsonObject> AssertErrorAsync(HttpResponseMessage response, HttpStatusCode status, string name, string message)
    {
        var body = (await JsonAsync(response, status)).AsObject();
        Assert.That(body.Select(p => p.Key), Is.EqualTo(new[] { "data", "error" }), body.ToJsonString());
        Assert.That(body["data"], Is.Null);
        var error = body["error"]!.AsObject();
        Assert.That(error.Select(p => p.Key), Is.EqualTo(new[] { "status", "name", "message", "details" }), body.ToJsonString());
        Assert.That(error["status"]!.GetValue<int>(), Is.EqualTo((int)status));
        Assert.That(Str(error, "name"), Is.EqualTo(name));
        Assert.That(Str(error, "message"), Is.EqualTo(message));
        Assert.That(error["details"], Is.InstanceOf<JsonObject>());
        return error;
    }

    /// <summary>Strapi 3's error shape (Boom): <c>{"statusCode":…,"error":"Bad Request","message":…}</c>.</summary>
    public static async Task AssertBoomAsync(HttpResponseMessage response, HttpStatusCode status, string error, string message)
    {
        var body = (await JsonAsync(response, status)).AsObject();
        Assert.That(body.ToJsonString(), Is.EqualTo(new JsonObject
        {
            ["statusCode"] = (int)status,
            ["error"] = error,
            ["message"] = message,
        }.ToJsonString()));
    }

    public static string Str(JsonNode? node, string field) => node![field]!.GetValue<string>();

    public static long Id(JsonNode? node) => node!["id"]!.GetValue<long>();

    public static int? Int(JsonNode node, string field) => node[field]?.GetValue<int>();

    public static string Q(string value) => Uri.EscapeDataString(value);

    /// <summary>Strapi's <c>size</c>: bytes / 1000, two decimals, halves up.</summary>
    public static double Kb(long bytes) => Math.Round(bytes / 1000.0, 2, MidpointRounding.AwayFromZero);

    /// <summary>A short unique marker for names, so a test finds only its own files.</summary>
    public static string Unique(string stem) => $"{stem}{Guid.NewGuid().ToString("N")[..12]}";

    /// <summary>Text bytes of an exact length, distinct per call.</summary>
    public static byte[] TextBytes(int length)
    {
        var seed = Guid.NewGuid().ToString("N");
        var text = new StringBuilder(length);
        while (text.Length < length) text.Append(seed);
        return Encoding.ASCII.GetBytes(text.ToString(0, length));
    }

    /// <summary>A tiny but well-formed PDF: sniffed as <c>application/pdf</c>, never an image.</summary>
    public static byte[] Pdf() => Encoding.ASCII.GetBytes(
        "%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n" +
        "3 0 obj<</Type/Page/MediaBox[0 0 200 100]/Parent 2 0 R>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n");

    /// <summary>A JPEG stored <paramref name="width"/>×<paramref name="height"/> whose EXIF says "rotate 90° clockwise to display" (orientation 6).</summary>
    public static byte[] RotatedJpeg(int width, int height)
    {
        using var image = TestImages.Gradient(width, height).Mutate(m => m.Set(GValue.GIntType, "orientation", 6));
        return image.JpegsaveBuffer(q: 85);
    }

    /// <summary>
    /// A JPEG cut off before its frame header: the start-of-image marker and tables are there, the size is not
    /// (the first 200 bytes, or fewer when the frame header starts earlier).
    /// </summary>
    public static byte[] TruncatedJpeg()
    {
        var whole = TestImages.Jpeg(300, 200);
        var frame = FrameHeaderOffset(whole);
        var cut = whole[..Math.Min(200, frame)];
        Assert.That(cut[..2], Is.EqualTo(new byte[] { 0xFF, 0xD8 }), "starts like a JPEG");
        Assert.That(FrameHeaderOffset(cut), Is.EqualTo(cut.Length), "no frame header left");
        return cut;
    }

    /// <summary>Where the first SOFn marker (FFC0–FFCF except C4, C8, CC) starts, or the length when there is none.</summary>
    private static int FrameHeaderOffset(byte[] jpeg)
    {
        for (var i = 2; i + 1 < jpeg.Length; i++)
            if (jpeg[i] == 0xFF && jpeg[i + 1] is >= 0xC0 and <= 0xCF and not 0xC4 and not 0xC8 and not 0xCC) return i;
        return jpeg.Length;
    }

    /// <summary>Width and height of served bytes as libvips decodes them, and their EXIF orientation (1 when none).</summary>
    public static (int Width, int Height, int Orientation) Decode(byte[] bytes)
    {
        using var image = Image.NewFromBuffer(bytes);
        var orientation = image.Contains("orientation") ? Convert.ToInt32(image.Get("orientation"), CultureInfo.InvariantCulture) : 1;
        return (image.Width, image.Height, orientation);
    }

    public static async Task<byte[]> GetBytesAsync(HttpClient client, string url, HttpStatusCode status = HttpStatusCode.OK)
    {
        using var response = await client.GetAsync(url);
        Assert.That(response.StatusCode, Is.EqualTo(status), url);
        return await response.Content.ReadAsByteArrayAsync();
    }

    /// <summary>Waits until the background has rendered what was stored (formats render after the upload answers).</summary>
    public static Task WaitForFormatsAsync(AssetServerApp app) => Task.Run(app.WaitForBackgroundRenders);

    /// <summary>A <c>formats</c> object without <c>size</c> and <c>sizeInBytes</c>: what an answer fixes before the bytes exist.</summary>
    public static string WithoutSizes(JsonNode? formats)
    {
        if (formats is null) return "null";
        var copy = formats.DeepClone().AsObject();
        foreach (var (_, format) in copy)
        {
            format!.AsObject().Remove("size");
            format.AsObject().Remove("sizeInBytes");
        }
        return copy.ToJsonString();
    }

    /// <summary>
    /// A file object as text without its formats' sizes: what stays fixed from the upload's answer on (the sizes are
    /// estimates until the background has rendered the formats, then the bytes').
    /// </summary>
    public static string Stable(JsonNode file)
    {
        var copy = file.DeepClone().AsObject();
        if (copy["formats"] is JsonObject formats) copy["formats"] = JsonNode.Parse(WithoutSizes(formats));
        return copy.ToJsonString();
    }

    /// <summary>
    /// Checks a file object's formats against the bytes served at their URLs. Once the background has rendered them
    /// the file is read again: the same formats as <paramref name="file"/> said (sizes aside, which were estimates if
    /// it was an upload's answer), and GETting each <c>url</c> renders nothing and gives 200, its mime, its
    /// <c>sizeInBytes</c> and <c>size</c>, and its width and height once decoded (upright: no orientation left to apply).
    /// </summary>
    public static async Task AssertFormatsServedAsDescribedAsync(AssetServerApp app, HttpClient client, JsonObject file)
    {
        await WaitForFormatsAsync(app);
        using var admin = app.AdminClient();
        var formats = (await GetJsonAsync(admin, $"/api/upload/files/{Id(file)}"))["formats"]!.AsObject();
        Assert.That(WithoutSizes(formats), Is.EqualTo(WithoutSizes(file["formats"])), "the formats the answer described");
        var store = app.Service<AssetStore>();
        var renders = store.RenderCount;
        foreach (var (key, node) in formats)
        {
            var format = node!.AsObject();
            var url = Str(format, "url");
            using var response = await client.GetAsync(url);
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), url);
            Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo(Str(format, "mime")), url);
            var bytes = await response.Content.ReadAsByteArrayAsync();
            var sizeInBytes = format["sizeInBytes"]!.GetValue<long>();
            Assert.That(bytes.LongLength, Is.EqualTo(sizeInBytes), $"{key}: sizeInBytes");
            Assert.That(format["size"]!.GetValue<double>(), Is.EqualTo(Kb(sizeInBytes)).Within(1e-9), $"{key}: size");
            var (width, height, orientation) = Decode(bytes);
            Assert.That((width, height), Is.EqualTo((Int(format, "width"), Int(format, "height"))), $"{key}: decoded size");
            Assert.That(orientation, Is.EqualTo(1), $"{key}: upright, no orientation left to apply");
        }
        Assert.That(store.RenderCount, Is.EqualTo(renders), "the background had rendered every format");
    }

    /// <summary>What a refused request must leave as it found: the Strapi list, the originals, an empty temp folder.</summary>
    public sealed record Snapshot(int Listed, string[] Originals);

    public static async Task<Snapshot> SnapshotAsync(AssetServerApp app)
    {
        using var client = app.AdminClient();
        var listed = (await GetJsonAsync(client, "/api/upload/files")).AsArray().Count;
        return new Snapshot(listed, app.OriginalsOnDisk().Order(StringComparer.Ordinal).ToArray());
    }

    public static async Task AssertNothingLeftBehindAsync(AssetServerApp app, Snapshot before)
    {
        var after = await SnapshotAsync(app);
        Assert.That(after.Listed, Is.EqualTo(before.Listed), "files listed by GET /api/upload/files");
        Assert.That(after.Originals, Is.EqualTo(before.Originals), "originals on disk");
        Assert.That(app.TempFilesOnDisk(), Is.Empty, "temp files left behind");
    }

    /// <summary>The Directus id (uuid) of the only file with this name, through <c>GET /files</c>.</summary>
    public static async Task<string> DirectusIdAsync(HttpClient client, string name)
    {
        var data = (await GetJsonAsync(client, $"/files?filter[filename_download][_eq]={Q(name)}&fields=id"))["data"]!.AsArray();
        Assert.That(data, Has.Count.EqualTo(1), name);
        return Str(data[0]!, "id");
    }
}
