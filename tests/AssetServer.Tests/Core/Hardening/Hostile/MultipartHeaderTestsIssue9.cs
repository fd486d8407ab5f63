using System.Net;
using System.Net.Http.Headers;
using System.Text;
using AssetServer.Tests.Support;

namespace AssetServer.Tests.Hardening.Hostile;

/// <summary>
/// Issue 9, item 3: a multipart part header (or boundary line) that never ends. The server must stop at the header limit
/// with a 400 in the error shape, not hold the line in memory until a CRLF comes; measured on the real server process's
/// own peak resident memory (VmHWM).
/// </summary>
[NonParallelizable]
public class MultipartHeaderTestsIssue9
{
    /// <summary>Sent without a line end; the server held all of it (and its decoded copy) before the fix.</summary>
    private const long EndlessBytes = 96L << 20;

    private const long AllowedGrowth = 32L << 20;

    private string dataPath = null!;
    private ServerProcess server = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        dataPath = Path.Combine(Path.GetTempPath(), "assetserver-issue9", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dataPath);
        server = await ServerProcess.StartAsync(dataPath);
    }

    [OneTimeTearDown]
    public void Stop()
    {
        server.Dispose();
        try { Directory.Delete(dataPath, true); } catch (IOException) { }
    }

    [TestCase("--B\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a\"\r\nX: ", TestName = "PartHeaderWithoutLineEndIsRefusedAtTheLimit")]
    [TestCase("--B\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a\"\r\n\r\nabc\r\n--B", TestName = "BoundaryLineWithoutLineEndIsRefusedAtTheLimit")]
    public async Task EndlessLineIsRefusedWithoutBeingHeld(string head)
    {
        using var client = server.AdminClient();
        await WarmUpAsync(client);
        var rows = await RowCountAsync(client);
        var before = server.PeakResidentBytes;

        var body = new StreamContent(new EndlessLine(Encoding.ASCII.GetBytes(head), EndlessBytes), 1 << 16);
        body.Headers.ContentType = MediaTypeHeaderValue.Parse("multipart/form-data; boundary=B");
        using var response = await client.PostAsync("/files", body);

        var growth = server.PeakResidentBytes - before;
        await HostileKit.AssertBadRequestAsync(response, "INVALID_PAYLOAD");
        Assert.That(growth, Is.LessThan(AllowedGrowth), $"peak resident memory grew by {growth >> 20} MiB");
        Assert.That(Directory.GetFiles(Path.Combine(dataPath, "tmp")), Is.Empty, "temp files left behind");
        Assert.That(await RowCountAsync(client), Is.EqualTo(rows));
    }

    /// <summary>A good upload first: it JITs the path and sizes the pools, so only the hostile body adds to the peak.</summary>
    private static async Task WarmUpAsync(HttpClient client)
    {
        using var form = new MultipartFormDataContent();
        form.Add(new ByteArrayContent(TestImages.Png(16, 16)), "file", "warm.png");
        using var response = await client.PostAsync("/files", form);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
    }

    private static async Task<int> RowCountAsync(HttpClient client)
    {
        var list = System.Text.Json.Nodes.JsonNode.Parse(await client.GetStringAsync("/files?limit=-1"))!["data"]!.AsArray();
        return list.Count;
    }

    /// <summary><paramref name="head"/>, then <paramref name="length"/> bytes of <c>a</c> and never a CRLF, made as read.</summary>
    private sealed class EndlessLine(byte[] head, long length) : Stream
    {
        private long position;

        public override bool CanRead => true;
        public override bool CanSeek => true;
        public override bool CanWrite => false;
        public override long Length => head.Length + length;

        public override long Position
        {
            get => position;
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = (int)Math.Min(count, Length - position);
            for (var i = 0; i < n; i++, position++) buffer[offset + i] = position < head.Length ? head[position] : (byte)'a';
            return n;
        }

        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
