using System.Net;
using System.Text.Json.Nodes;
using AssetServer.Tests.Files;
using AssetServer.Tests.Support;

namespace AssetServer.Tests.Hardening.Hostile;

/// <summary>
/// Records without real bytes: a zero-byte upload, and a row created by JSON (Directus compatibility) that claims to
/// be a JPEG but has an empty original. Transforms over them are a clean 4xx; the original is an empty 200 or a 4xx.
/// </summary>
public class EmptyOriginalTests
{
    private AssetServerApp app = null!;

    [OneTimeSetUp]
    public void Start() => app = new AssetServerApp();

    [OneTimeTearDown]
    public void Stop() => app.Dispose();

    [Test]
    public async Task ZeroByteUploadIsRefusedAndNothingIsStored()
    {
        var before = await FilesKit.SnapshotAsync(app);
        using var res = await app.UploadAsync([], "empty.jpg", "image/jpeg");
        await FilesKit.AssertErrorAsync(res, HttpStatusCode.BadRequest, "INVALID_PAYLOAD");
        await FilesKit.AssertNothingLeftBehindAsync(app, before);
        await HostileKit.AssertHealthyAsync(app);
    }

    [Test]
    public async Task JsonCreatedJpegRecordWithoutBytesIsNeverA500()
    {
        using var admin = app.AdminClient();
        var rows = await app.RowCountAsync();
        using var created = await admin.PostAsync("/files", FilesKit.Json("""{"type":"image/jpeg","filename_download":"x.jpg"}"""));
        var file = await FilesKit.DataAsync(created);
        Assert.That(await app.RowCountAsync(), Is.EqualTo(rows + 1));
        var id = file["id"]!.GetValue<string>();

        using var client = HostileKit.Client(app);
        foreach (var query in new[] { "width=10", "width=10&format=png", "transforms=[[\"blur\",2]]", "format=auto" })
        {
            using var res = await client.GetAsync($"/assets/{id}?{query}");
            await HostileKit.AssertClientErrorAsync(res);
        }

        using (var original = await client.GetAsync($"/assets/{id}"))
        {
            var body = await original.Content.ReadAsByteArrayAsync();
            if (original.StatusCode == HttpStatusCode.OK)
            {
                Assert.That(body, Is.Empty);
                Assert.That(original.Content.Headers.ContentLength, Is.EqualTo(0));
            }
            else
            {
                await HostileKit.AssertClientErrorAsync(original);
            }
        }

        using (var head = await client.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"/assets/{id}")))
            Assert.That((int)head.StatusCode, Is.EqualTo(200).Or.InRange(400, 499));
        using (var ranged = new HttpRequestMessage(HttpMethod.Get, $"/assets/{id}"))
        {
            ranged.Headers.Range = new System.Net.Http.Headers.RangeHeaderValue(0, 10);
            using var res = await client.SendAsync(ranged);
            // An empty representation has no satisfiable range: 416 (RFC 9110 §15.5.17), or the whole empty 200.
            Assert.That((int)res.StatusCode, Is.EqualTo(200).Or.InRange(400, 499), await res.Content.ReadAsStringAsync());
        }

        HostileKit.AssertNoDerivatives(app, id);
        HostileKit.AssertNoTempFiles(app);
        Assert.That(await app.RowCountAsync(), Is.EqualTo(rows + 1));
        await HostileKit.AssertHealthyAsync(app);
    }

    [Test]
    public async Task JsonCreatedPngRecordLetterboxedIsRefusedNot500()
    {
        using var admin = app.AdminClient();
        using var created = await admin.PostAsync("/files", FilesKit.Json("""{"type":"image/png","filename_download":"y.png"}"""));
        var file = (JsonObject)await FilesKit.DataAsync(created);
        var id = file["id"]!.GetValue<string>();

        using var client = HostileKit.Client(app);
        using var res = await client.GetAsync($"/assets/{id}?width=10&height=10&fit=contain");
        await HostileKit.AssertClientErrorAsync(res);
        HostileKit.AssertNoDerivatives(app, id);
        HostileKit.AssertNoTempFiles(app);
        await HostileKit.AssertHealthyAsync(app);
    }
}
