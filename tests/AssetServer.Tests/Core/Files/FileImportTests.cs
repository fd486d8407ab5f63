using System.Net;
using AssetServer.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using static AssetServer.Tests.Files.FilesKit;

namespace AssetServer.Tests.Files;

/// <summary><c>POST /files/import</c>: the SSRF guard refuses internal targets; with it opened, a real fetch from a local server.</summary>
public class FileImportTests
{
    private AssetServerApp guarded = null!;
    private AssetServerApp open = null!;
    private WebApplication upstream = null!;
    private string upstreamUrl = "";
    private readonly byte[] jpeg = TestImages.Jpeg(48, 32);
    private int upstreamHits;

    [OneTimeSetUp]
    public async Task Start()
    {
        guarded = new AssetServerApp();
        open = new AssetServerApp(("Import:AllowPrivateNetworks", "true"));

        upstream = LoopbackUpstream.Create();
        upstream.Use(async (context, next) =>
        {
            Interlocked.Increment(ref upstreamHits);
            await next(context);
        });
        upstream.MapGet("/images/{name}", () => Results.Bytes(jpeg, "image/jpeg"));
        upstream.MapGet("/old/{name}", (string name) => Results.Redirect($"/images/moved-{name}"));
        upstream.MapGet("/loop", () => Results.Redirect("/loop"));
        upstream.MapGet("/missing.jpg", () => Results.NotFound());
        upstream.MapGet("/empty.jpg", () => Results.Bytes([], "image/jpeg"));
        upstreamUrl = await upstream.StartOnLoopbackAsync();
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        guarded.Dispose();
        open.Dispose();
        await upstream.StopAsync();
        await upstream.DisposeAsync();
    }

    private static async Task<HttpResponseMessage> ImportAsync(AssetServerApp app, string json)
    {
        using var client = app.AdminClient();
        return await client.PostAsync("/files/import", Json(json));
    }

    [TestCase("http://127.0.0.1/a.jpg")]
    [TestCase("http://127.0.0.2:8080/a.jpg")]
    [TestCase("http://[::1]/a.jpg")]
    [TestCase("http://169.254.169.254/latest/meta-data/")]
    [TestCase("http://10.0.0.1/a.jpg")]
    [TestCase("http://172.16.0.1/a.jpg")]
    [TestCase("http://192.168.1.1/a.jpg")]
    [TestCase("http://100.64.0.1/a.jpg")]
    [TestCase("http://[::ffff:127.0.0.1]/a.jpg")]
    [TestCase("http://[fd00::1]/a.jpg")]
    [TestCase("http://[fe80::1]/a.jpg")]
    [TestCase("http://0.0.0.0/a.jpg")]
    [TestCase("http://2130706433/a.jpg")]
    [TestCase("http://0x7f000001/a.jpg")]
    [TestCase("http://0177.0.0.1/a.jpg")]
    [TestCase("http://127.1/a.jpg")]
    [TestCase("http://localhost/a.jpg")]
    [TestCase("https://localhost:8443/a.jpg")]
    public async Task InternalTargetIsRefused(string url)
    {
        var before = await SnapshotAsync(guarded);
        using var response = await ImportAsync(guarded, $$"""{"url":"{{url}}"}""");
        await AssertErrorAsync(response, HttpStatusCode.BadRequest, "INVALID_PAYLOAD");
        await AssertNothingLeftBehindAsync(guarded, before);
    }

    [Test]
    public async Task GuardRefusesTheLocalUpstreamBeforeConnecting()
    {
        var hits = upstreamHits;
        var before = await SnapshotAsync(guarded);
        using var response = await ImportAsync(guarded, $$"""{"url":"{{upstreamUrl}}/images/a.jpg"}""");
        await AssertErrorAsync(response, HttpStatusCode.BadRequest, "INVALID_PAYLOAD");
        Assert.That(upstreamHits, Is.EqualTo(hits), "no request reached the internal server");
        await AssertNothingLeftBehindAsync(guarded, before);
    }

    [TestCase("""{"url":"file:///etc/passwd"}""")]
    [TestCase("""{"url":"ftp://example.com/a.jpg"}""")]
    [TestCase("""{"url":"gopher://example.com/a"}""")]
    [TestCase("""{"url":"/relative/a.jpg"}""")]
    [TestCase("""{"url":"not a url"}""")]
    [TestCase("""{"url":"http://user:pass@example.com/a.jpg"}""")]
    [TestCase("""{"url":""}""")]
    [TestCase("""{"url":5}""")]
    [TestCase("""{"url":null}""")]
    [TestCase("""{}""")]
    [TestCase("""{"data":{"title":"x"}}""")]
    [TestCase("""{"url":"https://example.com/a.jpg","bogus":1}""")]
    [TestCase("""{"url":"https://example.com/a.jpg","data":"x"}""")]
    [TestCase("""{"url":"https://example.com/a.jpg","data":{"filesize":1}}""")]
    [TestCase("""{"url":""")]
    [TestCase("""[]""")]
    public async Task BadImportRequestIsInvalidPayload(string json)
    {
        var before = await SnapshotAsync(guarded);
        using var response = await ImportAsync(guarded, json);
        await AssertErrorAsync(response, HttpStatusCode.BadRequest, "INVALID_PAYLOAD");
        await AssertNothingLeftBehindAsync(guarded, before);
    }

    [Test]
    public async Task ImportFromAnAllowedServerStoresTheFile()
    {
        var before = await SnapshotAsync(open);
        using var response = await ImportAsync(open, $$$"""{"url":"{{{upstreamUrl}}}/images/photo_exif.jpg?x=1","data":{"title":"Imported","description":"from the net"}}""");
        var file = await DataAsync(response);
        Assert.That(Str(file, "filename_download"), Is.EqualTo("photo_exif.jpg"));
        Assert.That(Str(file, "title"), Is.EqualTo("Imported"));
        Assert.That(Str(file, "description"), Is.EqualTo("from the net"));
        Assert.That(file["filesize"]!.GetValue<long>(), Is.EqualTo(jpeg.Length));
        Assert.That(Str(file, "checksum"), Is.EqualTo(Sha256(jpeg)));
        Assert.That(Str(file, "filename_disk"), Does.StartWith(Str(file, "id") + "."));
        Assert.That(await File.ReadAllBytesAsync(ReadOriginalPath(open, file)), Is.EqualTo(jpeg));
        Assert.That(await open.RowCountAsync(), Is.EqualTo(before.Rows + 1));
        Assert.That(open.TempFilesOnDisk(), Is.Empty);
    }

    [Test]
    public async Task ImportFieldsParameterShapesTheAnswer()
    {
        using var response = await ImportAsync(open, $$"""{"url":"{{upstreamUrl}}/images/shaped.jpg"}""");
        // fields go in the query string of the import route
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        using var client = open.AdminClient();
        using var shaped = await client.PostAsync("/files/import?fields=id,filename_download", Json($$"""{"url":"{{upstreamUrl}}/images/shaped.jpg"}"""));
        var data = await DataAsync(shaped);
        Assert.That(data.AsObject().Select(p => p.Key), Is.EqualTo(new[] { "id", "filename_download" }));
    }

    [Test]
    public async Task ImportFollowsARedirect()
    {
        using var response = await ImportAsync(open, $$"""{"url":"{{upstreamUrl}}/old/pic.jpg"}""");
        var file = await DataAsync(response);
        Assert.That(Str(file, "filename_download"), Is.EqualTo("moved-pic.jpg"));
        Assert.That(Str(file, "checksum"), Is.EqualTo(Sha256(jpeg)));
    }

    [Test]
    public async Task ImportRedirectLoopIsServiceUnavailable()
    {
        var before = await SnapshotAsync(open);
        using var response = await ImportAsync(open, $$"""{"url":"{{upstreamUrl}}/loop"}""");
        await AssertErrorAsync(response, HttpStatusCode.ServiceUnavailable, "SERVICE_UNAVAILABLE");
        await AssertNothingLeftBehindAsync(open, before);
    }

    [Test]
    public async Task UpstreamNotFoundIsServiceUnavailable()
    {
        var before = await SnapshotAsync(open);
        using var response = await ImportAsync(open, $$"""{"url":"{{upstreamUrl}}/missing.jpg"}""");
        var error = await AssertErrorAsync(response, HttpStatusCode.ServiceUnavailable, "SERVICE_UNAVAILABLE");
        Assert.That(error["extensions"]!["service"]!.GetValue<string>(), Is.EqualTo("external-file"));
        await AssertNothingLeftBehindAsync(open, before);
    }

    [Test]
    public async Task UpstreamEmptyBodyIsRefused()
    {
        var before = await SnapshotAsync(open);
        using var response = await ImportAsync(open, $$"""{"url":"{{upstreamUrl}}/empty.jpg"}""");
        await AssertErrorAsync(response, HttpStatusCode.BadRequest, "INVALID_PAYLOAD");
        await AssertNothingLeftBehindAsync(open, before);
    }

    [Test]
    public async Task ClosedPortIsServiceUnavailable()
    {
        var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var before = await SnapshotAsync(open);
        using var response = await ImportAsync(open, $$"""{"url":"http://127.0.0.1:{{port}}/a.jpg"}""");
        await AssertErrorAsync(response, HttpStatusCode.ServiceUnavailable, "SERVICE_UNAVAILABLE");
        await AssertNothingLeftBehindAsync(open, before);
    }

    [Test]
    public async Task ImportOverTheSizeLimitIsContentTooLarge()
    {
        using var small = new AssetServerApp(("Import:AllowPrivateNetworks", "true"), ("Import:MaxBytes", "100"));
        var before = await SnapshotAsync(small);
        using var client = small.AdminClient();
        using var response = await client.PostAsync("/files/import", Json($$"""{"url":"{{upstreamUrl}}/images/big.jpg"}"""));
        await AssertErrorAsync(response, HttpStatusCode.RequestEntityTooLarge, "CONTENT_TOO_LARGE");
        await AssertNothingLeftBehindAsync(small, before);
    }
}
