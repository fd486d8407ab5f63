using System.IO.Compression;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace AssetServer.Tests.Archives;

/// <summary>An entry read back from a downloaded zip: its bytes and how it was written.</summary>
internal sealed record ZipItem(byte[] Bytes, long Length, long CompressedLength)
{
    /// <summary>Stored, not deflated: deflate never gives exactly the same length back.</summary>
    public bool Stored => CompressedLength == Length;
}

internal static class ZipKit
{
    /// <summary>The answer as soon as its headers are in (a buffered read would make up a Content-Length).</summary>
    public static Task<HttpResponseMessage> ZipFilesAsync(HttpClient client, params string[] ids) =>
        client.SendAsync(new HttpRequestMessage(HttpMethod.Post, "/assets/files")
        {
            Content = Files.FilesKit.Json(new JsonObject { ["ids"] = new JsonArray(ids.Select(id => (JsonNode)id).ToArray()) }.ToJsonString()),
        }, HttpCompletionOption.ResponseHeadersRead);

    public static Task<HttpResponseMessage> ZipFolderAsync(HttpClient client, string folder) =>
        client.SendAsync(new HttpRequestMessage(HttpMethod.Post, $"/assets/folder/{folder}"), HttpCompletionOption.ResponseHeadersRead);

    /// <summary>Every entry by its path, read with <see cref="ZipArchive"/>, after checking the answer is a zip download.</summary>
    public static async Task<Dictionary<string, ZipItem>> ReadZipAsync(HttpResponseMessage response)
    {
        var declaredLength = response.Content.Headers.ContentLength;
        var bytes = await response.Content.ReadAsByteArrayAsync();
        Assert.That((int)response.StatusCode, Is.EqualTo(200), Encoding.UTF8.GetString(bytes.AsSpan(0, Math.Min(bytes.Length, 500))));
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/zip"));
        Assert.That(response.Content.Headers.ContentDisposition?.DispositionType, Is.EqualTo("attachment"));
        Assert.That(declaredLength, Is.Null, "the zip streams as it is built, without a Content-Length");
        using var zip = new ZipArchive(new MemoryStream(bytes), ZipArchiveMode.Read);
        var items = new Dictionary<string, ZipItem>(StringComparer.Ordinal);
        foreach (var entry in zip.Entries)
        {
            using var stream = entry.Open();
            var content = new MemoryStream();
            stream.CopyTo(content);
            items.Add(entry.FullName, new ZipItem(content.ToArray(), entry.Length, entry.CompressedLength));
        }
        return items;
    }

    /// <summary>Uploads one file (into <paramref name="folder"/> when given) and returns its id.</summary>
    public static async Task<string> UploadAsync(HttpClient admin, byte[] bytes, string name, string type, string? folder = null)
    {
        using var form = new MultipartFormDataContent();
        if (folder is not null) form.Add(new StringContent(folder), "folder");
        var file = new ByteArrayContent(bytes);
        file.Headers.ContentType = MediaTypeHeaderValue.Parse(type);
        form.Add(file, "file", name);
        using var response = await admin.PostAsync("/files", form);
        var text = await response.Content.ReadAsStringAsync();
        Assert.That((int)response.StatusCode, Is.EqualTo(200), text);
        return JsonNode.Parse(text)!["data"]!["id"]!.GetValue<string>();
    }

    /// <summary>Bytes no compressor shrinks (a real photo's entropy, without a photo's size on disk in the repository).</summary>
    public static byte[] RandomBytes(int length)
    {
        var bytes = new byte[length];
        Random.Shared.NextBytes(bytes);
        return bytes;
    }
}
