using System.Net;
using System.Text.Json.Nodes;
using AssetServer.Tests.Support;
using NUnit.Framework;

namespace AssetServer.Tests.Files;

/// <summary>Directus's <c>aggregate</c> and <c>groupBy</c> on <c>GET /files</c>, over the core query GraphQL uses too.</summary>
public class FileAggregateTests
{
    private AssetServerApp app = null!;
    private HttpClient client = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        app = new AssetServerApp();
        client = app.AdminClient();
        await app.UploadOkAsync(new byte[1000], "a.bin", "application/octet-stream");
        await app.UploadOkAsync(new byte[3000], "b.bin", "application/octet-stream");
        await app.UploadOkAsync(TestImages.Png(10, 10), "c.png", "image/png");
    }

    [OneTimeTearDown]
    public void Stop()
    {
        client.Dispose();
        app.Dispose();
    }

    private async Task<JsonArray> DataAsync(string url)
    {
        using var res = await client.GetAsync(url);
        var text = await res.Content.ReadAsStringAsync();
        Assert.That(res.StatusCode, Is.EqualTo(HttpStatusCode.OK), text);
        return JsonNode.Parse(text)!["data"]!.AsArray();
    }

    [Test]
    public async Task CountAllIsOneNumber()
    {
        var data = await DataAsync("/files?aggregate[count]=*");
        Assert.That(data.Single()!["count"]!.GetValue<long>(), Is.EqualTo(3));
    }

    [Test]
    public async Task FunctionsOfFieldsAreObjectsPerFunction()
    {
        var row = (await DataAsync("/files?aggregate[sum]=filesize&aggregate[max]=filesize&aggregate[countDistinct]=type&filter[type][_eq]=application/octet-stream")).Single()!;
        Assert.That(row["sum"]!["filesize"]!.GetValue<long>(), Is.EqualTo(4000));
        Assert.That(row["max"]!["filesize"]!.GetValue<long>(), Is.EqualTo(3000));
        Assert.That(row["countDistinct"]!["type"]!.GetValue<long>(), Is.EqualTo(1));
    }

    [Test]
    public async Task GroupByGivesOneRowPerGroupWithItsValues()
    {
        var data = await DataAsync("/files?aggregate[count]=*&groupBy[]=type");
        var byType = data.ToDictionary(r => r!["type"]!.GetValue<string>(), r => r!["count"]!.GetValue<long>());
        Assert.That(byType, Is.EqualTo(new Dictionary<string, long> { ["application/octet-stream"] = 2, ["image/png"] = 1 }));
    }

    [Test]
    public async Task UnknownFunctionsAndTextSumsAreInvalidQueries()
    {
        foreach (var url in new[] { "/files?aggregate[median]=filesize", "/files?aggregate[sum]=title", "/files?aggregate[count]=nosuch" })
        {
            using var res = await client.GetAsync(url);
            Assert.That(res.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), url);
            Assert.That(await res.Content.ReadAsStringAsync(), Does.Contain("INVALID_QUERY"), url);
        }
    }
}
