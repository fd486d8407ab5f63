using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using AssetServer.Tests.Support;

namespace AssetServer.Tests.Files;

/// <summary>Shared helpers for the <c>/files</c> tests: error assertions, raw bodies, disk snapshots.</summary>
internal static class FilesKit
{
    public static async Task<JsonNode> BodyAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.That(text, Does.Not.Contain("   at "), "a response body must never carry a stack trace");
        return JsonNode.Parse(text)!;
    }

    /// <summary>Checks status 200 and returns <c>data</c>.</summary>
    public static async Task<JsonNode> DataAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), text);
        return JsonNode.Parse(text)!["data"]!;
    }

    /// <summary>Checks the status, the one error shape and its code; returns the first error.</summary>
    public static async Task<JsonObject> AssertErrorAsync(HttpResponseMessage response, HttpStatusCode status, string code)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(status), text);
        Assert.That(text, Does.Not.Contain("   at "), "an error body must never carry a stack trace");
        var body = JsonNode.Parse(text)!.AsObject();
        var errors = body["errors"]!.AsArray();
        Assert.That(errors, Has.Count.EqualTo(1), text);
        var error = errors[0]!.AsObject();
        Assert.That(error["message"]!.GetValue<string>(), Is.Not.Empty);
        Assert.That(error["extensions"]!["code"]!.GetValue<string>(), Is.EqualTo(code), text);
        return error;
    }

    public static string Sha256(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    /// <summary>Text bytes of an exact length, distinct per call so checksums differ.</summary>
    public static byte[] TextBytes(int length)
    {
        var seed = Guid.NewGuid().ToString("N");
        var text = new StringBuilder(length);
        while (text.Length < length) text.Append(seed);
        return Encoding.ASCII.GetBytes(text.ToString(0, length));
    }

    /// <summary>A short unique marker for titles and tags, so a test finds only its own rows.</summary>
    public static string Unique(string stem) => $"{stem}{Guid.NewGuid().ToString("N")[..12]}";

    public static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    public static HttpRequestMessage Request(string method, string url, HttpContent? content = null) =>
        new(new HttpMethod(method), url) { Content = content };

    public static List<string> Ids(JsonNode data) => data.AsArray().Select(r => r!["id"]!.GetValue<string>()).ToList();

    public static string Str(JsonNode node, string field) => node[field]!.GetValue<string>();

    public static string Q(string value) => Uri.EscapeDataString(value);

    /// <summary>What a refused request must leave as it found: rows and originals.</summary>
    public sealed record Snapshot(long Rows, string[] Originals);

    public static async Task<Snapshot> SnapshotAsync(AssetServerApp app) =>
        new(await app.RowCountAsync(), app.OriginalsOnDisk().Order(StringComparer.Ordinal).ToArray());

    public static async Task AssertNothingLeftBehindAsync(AssetServerApp app, Snapshot before)
    {
        Assert.That(await app.RowCountAsync(), Is.EqualTo(before.Rows), "row count changed");
        Assert.That(app.OriginalsOnDisk().Order(StringComparer.Ordinal).ToArray(), Is.EqualTo(before.Originals), "originals changed");
        Assert.That(app.TempFilesOnDisk(), Is.Empty, "temp files left behind");
    }

    public static string ReadOriginalPath(AssetServerApp app, JsonNode file) =>
        app.OriginalFile(Str(file, "filename_disk"));
}

/// <summary>
/// A multipart/form-data body written byte by byte, for what <see cref="MultipartFormDataContent"/> will not send:
/// raw file names, truncated bodies, mismatched boundaries.
/// </summary>
internal sealed class RawMultipart(string boundary = "----assetserver-test-boundary")
{
    private readonly MemoryStream body = new();

    public string Boundary => boundary;

    public RawMultipart Field(string name, string value)
    {
        Write($"--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n");
        return this;
    }

    /// <summary>A file part; <paramref name="dispositionFileName"/> is written as is after <c>name="file"; </c>.</summary>
    public RawMultipart FileWithDisposition(string dispositionFileName, byte[] bytes, string type = "application/octet-stream", string name = "file")
    {
        Write($"--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; {dispositionFileName}\r\nContent-Type: {type}\r\n\r\n");
        body.Write(bytes);
        Write("\r\n");
        return this;
    }

    public RawMultipart File(string fileName, byte[] bytes, string type = "application/octet-stream") =>
        FileWithDisposition($"filename=\"{fileName}\"", bytes, type);

    public RawMultipart End()
    {
        Write($"--{boundary}--\r\n");
        return this;
    }

    public byte[] Bytes => body.ToArray();

    public ByteArrayContent Content(string? headerBoundary = null, int? truncateTo = null)
    {
        var bytes = Bytes;
        if (truncateTo is { } n) bytes = bytes[..n];
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse($"multipart/form-data; boundary={headerBoundary ?? boundary}");
        return content;
    }

    private void Write(string text) => body.Write(Encoding.UTF8.GetBytes(text));
}
