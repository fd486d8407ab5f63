using System.Buffers.Binary;
using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using AssetServer.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace AssetServer.Tests.Hardening.Hostile;

/// <summary>
/// Issue 9, item 2: a small PNG whose one <c>zTXt</c> chunk inflates to hundreds of MiB. Upload and import keep the file
/// (200, its size read) while the metadata scrape inflates no more than its cap, measured on the real server process's
/// own peak resident memory (VmHWM), so a spike between two looks is seen.
/// </summary>
[NonParallelizable]
public class PngTextBombTestsIssue9
{
    /// <summary>Zeros behind the chunk: compressed to about 256 KiB, far past any metadata cap.</summary>
    private const int InflatedBytes = 256 << 20;

    /// <summary>What the whole scrape of such a file may add to the peak, parsers and GC slack included.</summary>
    private const long AllowedGrowth = 64L << 20;

    private string dataPath = null!;
    private ServerProcess server = null!;
    private WebApplication upstream = null!;
    private byte[] bomb = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        bomb = PngWithTextChunk(TestImages.Png(32, 24), "Comment", InflatedBytes);
        dataPath = Path.Combine(Path.GetTempPath(), "assetserver-issue9", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dataPath);
        server = await ServerProcess.StartAsync(dataPath, ("Import:AllowPrivateNetworks", "true"));

        upstream = LoopbackUpstream.Create();
        upstream.MapGet("/bomb.png", () => Results.Bytes(bomb, "image/png"));
        await upstream.StartAsync();
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        server.Dispose();
        await upstream.StopAsync();
        await upstream.DisposeAsync();
        try { Directory.Delete(dataPath, true); } catch (IOException) { }
    }

    [Test]
    public async Task ZtxtInflatingTo256MiBIsUploadedAndImportedWithoutInflatingIt()
    {
        using var client = server.AdminClient();
        // Warm up: the first upload and import JIT and size the server's pools; only the bomb should add after this.
        await UploadAsync(client, TestImages.Png(32, 24), "warm.png");
        var before = server.PeakResidentBytes;

        var uploaded = await UploadAsync(client, bomb, "bomb.png");
        using var import = await client.PostAsync("/files/import", new StringContent(
            $$"""{"url":"{{upstream.Urls.Single().TrimEnd('/')}}/bomb.png"}""", Encoding.UTF8, "application/json"));
        var importText = await import.Content.ReadAsStringAsync();
        Assert.That(import.StatusCode, Is.EqualTo(HttpStatusCode.OK), importText);
        var imported = JsonNode.Parse(importText)!["data"]!.AsObject();

        var growth = server.PeakResidentBytes - before;
        foreach (var file in new[] { uploaded, imported })
        {
            Assert.That(file["type"]!.GetValue<string>(), Is.EqualTo("image/png"));
            Assert.That(file["width"]!.GetValue<int>(), Is.EqualTo(32));
            Assert.That(file["height"]!.GetValue<int>(), Is.EqualTo(24));
            Assert.That(file["filesize"]!.GetValue<long>(), Is.EqualTo(bomb.Length));
        }

        Assert.That(growth, Is.LessThan(AllowedGrowth), $"peak resident memory grew by {growth >> 20} MiB for a {bomb.Length >> 10} KiB file");
        Assert.That(Directory.GetFiles(Path.Combine(dataPath, "tmp")), Is.Empty, "temp files left behind");
    }

    private static async Task<JsonObject> UploadAsync(HttpClient client, byte[] bytes, string name)
    {
        using var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(bytes);
        file.Headers.ContentType = MediaTypeHeaderValue.Parse("image/png");
        form.Add(file, "file", name);
        using var response = await client.PostAsync("/files", form);
        var text = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), text);
        return JsonNode.Parse(text)!["data"]!.AsObject();
    }

    /// <summary>
    /// <paramref name="png"/> with a <c>zTXt</c> chunk (keyword, NUL, method 0, zlib data) of <paramref name="zeros"/>
    /// compressed zeros put just before IEND, its CRC correct so every reader takes it for a real chunk.
    /// </summary>
    internal static byte[] PngWithTextChunk(byte[] png, string keyword, int zeros)
    {
        using var data = new MemoryStream();
        data.Write(Encoding.Latin1.GetBytes(keyword));
        data.Write([0, 0]);
        using (var zlib = new ZLibStream(data, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            var block = new byte[1 << 20];
            for (var written = 0; written < zeros; written += block.Length) zlib.Write(block, 0, Math.Min(block.Length, zeros - written));
        }

        var chunk = Chunk("zTXt", data.ToArray());
        const int iendLength = 12;
        return [.. png.AsSpan(0, png.Length - iendLength), .. chunk, .. png.AsSpan(png.Length - iendLength)];
    }

    private static byte[] Chunk(string type, byte[] data)
    {
        var chunk = new byte[data.Length + 12];
        BinaryPrimitives.WriteUInt32BigEndian(chunk, (uint)data.Length);
        Encoding.ASCII.GetBytes(type, chunk.AsSpan(4));
        data.CopyTo(chunk, 8);
        BinaryPrimitives.WriteUInt32BigEndian(chunk.AsSpan(8 + data.Length), Crc32(chunk.AsSpan(4, 4 + data.Length)));
        return chunk;
    }

    /// <summary>The CRC-32 of PNG (ISO 3309, polynomial 0xEDB88320), over the chunk type and data.</summary>
    private static uint Crc32(ReadOnlySpan<byte> bytes)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in bytes)
        {
            crc ^= b;
            for (var bit = 0; bit < 8; bit++) crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
        }
        return ~crc;
    }
}
