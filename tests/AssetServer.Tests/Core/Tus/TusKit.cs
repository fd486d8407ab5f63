using System.Net.Http.Headers;
using System.Text;
using AssetServer.Tests.Support;

namespace AssetServer.Tests.Tus;

/// <summary>The tus requests the tests send, spelled out as a tus client sends them.</summary>
internal static class TusKit
{
    public const string Version = "1.0.0";

    /// <summary>An <c>Upload-Metadata</c> header: each value base64, as tus clients encode it.</summary>
    public static string Meta(params (string Key, string Value)[] pairs) =>
        string.Join(",", pairs.Select(p => $"{p.Key} {Convert.ToBase64String(Encoding.UTF8.GetBytes(p.Value))}"));

    public static HttpRequestMessage TusRequest(HttpMethod method, string url)
    {
        var request = new HttpRequestMessage(method, url);
        request.Headers.Add("Tus-Resumable", Version);
        return request;
    }

    public static async Task<HttpResponseMessage> CreateAsync(HttpClient client, long length, string metadata)
    {
        using var request = TusRequest(HttpMethod.Post, "/files/tus");
        request.Headers.Add("Upload-Length", length.ToString());
        request.Headers.Add("Upload-Metadata", metadata);
        return await client.SendAsync(request);
    }

    /// <summary>Creates an upload and returns its URL (failing the test otherwise).</summary>
    public static async Task<string> CreateOkAsync(HttpClient client, long length, string metadata)
    {
        using var response = await CreateAsync(client, length, metadata);
        Assert.That((int)response.StatusCode, Is.EqualTo(201), await response.Content.ReadAsStringAsync());
        return response.Headers.Location!.OriginalString;
    }

    public static async Task<HttpResponseMessage> PatchAsync(HttpClient client, string url, long offset, HttpContent body, string type = "application/offset+octet-stream")
    {
        var request = TusRequest(HttpMethod.Patch, url);
        request.Headers.Add("Upload-Offset", offset.ToString());
        body.Headers.ContentType = MediaTypeHeaderValue.Parse(type);
        request.Content = body;
        return await client.SendAsync(request);
    }

    public static Task<HttpResponseMessage> PatchAsync(HttpClient client, string url, long offset, byte[] bytes, string type = "application/offset+octet-stream") =>
        PatchAsync(client, url, offset, new ByteArrayContent(bytes), type);

    public static async Task<HttpResponseMessage> HeadAsync(HttpClient client, string url)
    {
        using var request = TusRequest(HttpMethod.Head, url);
        return await client.SendAsync(request);
    }

    public static string Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? string.Join(",", values)
        : response.Content.Headers.TryGetValues(name, out var content) ? string.Join(",", content) : "";

    public static long Offset(HttpResponseMessage response) => long.Parse(Header(response, "Upload-Offset"));

    /// <summary>Uploads <paramref name="bytes"/> in chunks of <paramref name="chunk"/> and returns the file id the last chunk answered.</summary>
    public static async Task<string> UploadAsync(HttpClient client, byte[] bytes, string metadata, int chunk)
    {
        var url = await CreateOkAsync(client, bytes.Length, metadata);
        HttpResponseMessage? last = null;
        for (var offset = 0; offset < bytes.Length; offset += chunk)
        {
            last?.Dispose();
            last = await PatchAsync(client, url, offset, bytes[offset..Math.Min(bytes.Length, offset + chunk)]);
            Assert.That((int)last.StatusCode, Is.EqualTo(204), await last.Content.ReadAsStringAsync());
        }
        var id = Header(last!, "Directus-File-Id");
        last!.Dispose();
        Assert.That(id, Is.Not.Empty, "the completing PATCH names the file");
        return id;
    }

    /// <summary>The id in an upload URL (<c>/files/tus/&lt;id&gt;</c>).</summary>
    public static string IdOf(string url) => url[(url.LastIndexOf('/') + 1)..];

    /// <summary>What is kept for the upload's bytes: its file in the data folder, or its chunk objects in the bucket.</summary>
    public static async Task<int> BytesKeptAsync(AssetServerApp app, string id)
    {
        if (!TestStorage.IsS3) return File.Exists(Path.Combine(app.TempPath, "tus", id)) ? 1 : 0;
        var bucket = app.Service<AssetServer.Storage.S3.S3Bucket>();
        var count = 0;
        await foreach (var _ in bucket.ListAsync($"{bucket.Prefix}tus/{id}/")) count++;
        return count;
    }

    /// <summary>A body the test feeds: its first part at once, the rest when <see cref="Release"/> is called.</summary>
    public sealed class HeldBody(byte[] first, byte[] rest) : HttpContent
    {
        private readonly TaskCompletionSource release = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Release() => release.TrySetResult();

        protected override async Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context)
        {
            await stream.WriteAsync(first);
            await stream.FlushAsync();
            Started.TrySetResult();
            await release.Task;
            await stream.WriteAsync(rest);
        }

        protected override bool TryComputeLength(out long length)
        {
            length = first.Length + rest.Length;
            return true;
        }
    }
}
