using System.Net;
using AssetServer.Tests.Support;

namespace AssetServer.Tests.Assets;

/// <summary>The same answers over a real Kestrel socket, where send-file, Content-Length and HEAD framing are Kestrel's.</summary>
public class AssetSocketTests
{
    private AssetServerApp app = null!;
    private HttpClient client = null!;

    [OneTimeSetUp]
    public void Start()
    {
        app = new AssetServerApp();
        app.UseKestrel(0);
        app.StartServer();
        client = app.CreateClient();
    }

    [OneTimeTearDown]
    public void Stop()
    {
        client.Dispose();
        app.Dispose();
    }

    [Test]
    public void ClientTalksToARealSocket() =>
        Assert.That(client.BaseAddress!.Port, Is.Not.EqualTo(80));

    [Test]
    public async Task LargeOriginalArrivesWholeAndInRanges()
    {
        var bytes = new byte[3_000_000];
        new Random(42).NextBytes(bytes);
        var record = await AssetSeeder.SeedAsync(app, bytes, "blob.bin", "application/octet-stream");

        var whole = await client.GetAsync($"/assets/{record.Id}");
        Assert.That(whole.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(whole.Content.Headers.ContentLength, Is.EqualTo(bytes.Length));
        Assert.That(await whole.Content.ReadAsByteArrayAsync(), Is.EqualTo(bytes));

        var request = new HttpRequestMessage(HttpMethod.Get, $"/assets/{record.Id}");
        request.Headers.TryAddWithoutValidation("Range", "bytes=1000000-1999999");
        var partial = await client.SendAsync(request);
        Assert.That(partial.StatusCode, Is.EqualTo(HttpStatusCode.PartialContent));
        Assert.That(await partial.Content.ReadAsByteArrayAsync(), Is.EqualTo(bytes.Skip(1_000_000).Take(1_000_000).ToArray()));

        var multi = new HttpRequestMessage(HttpMethod.Get, $"/assets/{record.Id}");
        multi.Headers.TryAddWithoutValidation("Range", "bytes=0-9,2999990-");
        var parts = await client.SendAsync(multi);
        Assert.That(parts.StatusCode, Is.EqualTo(HttpStatusCode.PartialContent));
        Assert.That(parts.Content.Headers.ContentType!.MediaType, Is.EqualTo("multipart/byteranges"));
        Assert.That((await parts.Content.ReadAsByteArrayAsync()).LongLength, Is.EqualTo(parts.Content.Headers.ContentLength));
    }

    [Test]
    public async Task HeadAndNotModifiedCarryNoBody()
    {
        var record = await AssetSeeder.SeedJpegAsync(app, 300, 200);

        var head = await client.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"/assets/{record.Id}"));
        Assert.That(head.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(head.Content.Headers.ContentLength, Is.EqualTo(record.Filesize));

        var conditional = new HttpRequestMessage(HttpMethod.Get, $"/assets/{record.Id}");
        conditional.Headers.TryAddWithoutValidation("If-None-Match", head.Headers.ETag!.ToString());
        var notModified = await client.SendAsync(conditional);
        Assert.That(notModified.StatusCode, Is.EqualTo(HttpStatusCode.NotModified));

        // The connection is still usable: nothing was left unread on it.
        var again = await client.GetAsync($"/assets/{record.Id}");
        Assert.That((await again.Content.ReadAsByteArrayAsync()).LongLength, Is.EqualTo(record.Filesize));
    }
}
