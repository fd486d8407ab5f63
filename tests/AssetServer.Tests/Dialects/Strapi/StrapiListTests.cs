using System.Net;
using System.Text.Json.Nodes;
using AssetServer.Tests.Support;
using static AssetServer.Tests.Strapi.StrapiKit;

namespace AssetServer.Tests.Strapi;

/// <summary>
/// <c>GET /api/upload/files</c> (a flat array) and <c>GET /api/upload/files/page</c> (<c>{data, meta.pagination}</c>),
/// STRAPI-BEHAVIOUR.md "Listing". Each test lists only its own files, by a unique name prefix.
/// </summary>
public class StrapiListTests : AdminAppFixture
{
    /// <summary>Uploads <paramref name="count"/> small text files named <c>prefix-0</c>…; returns their ids in upload order.</summary>
    private async Task<(string Prefix, List<long> Ids)> UploadSetAsync(int count)
    {
        var prefix = Unique("list");
        var ids = new List<long>();
        for (var offset = 0; offset < count; offset += 50)
        {
            var batch = Enumerable.Range(offset, Math.Min(50, count - offset)).ToList();
            var infos = "[" + string.Join(",", batch.Select(i => $$"""{"name":"{{prefix}}-{{i:D3}}"}""")) + "]";
            var parts = batch.Select(i => StrapiPart.File($"f{i}.txt", TextBytes(10 + i), "text/plain")).Append(StrapiPart.FileInfo(infos));
            ids.AddRange((await UploadOkAsync(client, parts.ToArray())).Select(Id));
        }
        return (prefix, ids);
    }

    private static string Own(string prefix) => $"filters[name][$startsWith]={Q(prefix)}";

    private async Task<List<long>> FlatIdsAsync(string query)
    {
        var body = await GetJsonAsync(client, "/api/upload/files?" + query);
        Assert.That(body, Is.InstanceOf<JsonArray>(), "a flat array, no data/meta wrapper");
        return body.AsArray().Select(Id).ToList();
    }

    private async Task<(List<long> Ids, JsonObject Pagination)> PageAsync(string query)
    {
        var body = (await GetJsonAsync(client, "/api/upload/files/page?" + query)).AsObject();
        Assert.That(body.Select(p => p.Key), Is.EqualTo(new[] { "data", "meta" }));
        var meta = body["meta"]!.AsObject();
        Assert.That(meta.Select(p => p.Key), Is.EqualTo(new[] { "pagination" }));
        return (body["data"]!.AsArray().Select(Id).ToList(), meta["pagination"]!.AsObject());
    }

    [Test]
    public async Task FlatListIsABareArrayOfFileObjectsInIdOrder()
    {
        var (prefix, ids) = await UploadSetAsync(5);
        var body = (await GetJsonAsync(client, "/api/upload/files?" + Own(prefix))).AsArray();
        Assert.That(body.Select(Id), Is.EqualTo(ids));
        foreach (var file in body) Assert.That(file!.AsObject().Select(p => p.Key), Is.EqualTo(V5FieldOrder));

        var all = await FlatIdsAsync("");
        Assert.That(all, Is.Ordered.Ascending, "id ascending by default");
        Assert.That(all, Is.SupersetOf(ids));
    }

    [Test]
    public async Task FlatListHonoursStartAndLimit()
    {
        var (prefix, ids) = await UploadSetAsync(5);
        Assert.That(await FlatIdsAsync($"{Own(prefix)}&limit=1"), Is.EqualTo(ids.Take(1)));
        Assert.That(await FlatIdsAsync($"{Own(prefix)}&start=1&limit=2"), Is.EqualTo(ids.Skip(1).Take(2)));
        Assert.That(await FlatIdsAsync($"{Own(prefix)}&start=3"), Is.EqualTo(ids.Skip(3)));
        Assert.That(await FlatIdsAsync($"{Own(prefix)}&limit=0"), Is.Empty);
    }

    [Test]
    public async Task FlatListIgnoresPaginationAndUnknownParameters()
    {
        var (prefix, ids) = await UploadSetAsync(5);
        Assert.That(await FlatIdsAsync($"{Own(prefix)}&pagination[pageSize]=2"), Is.EqualTo(ids));
        Assert.That(await FlatIdsAsync($"{Own(prefix)}&pagination[page]=2&pagination[pageSize]=2"), Is.EqualTo(ids));
        Assert.That(await FlatIdsAsync($"{Own(prefix)}&foo=bar"), Is.EqualTo(ids));
    }

    [Test]
    public async Task FlatListReturnsEveryFileNotAPage()
    {
        var (prefix, ids) = await UploadSetAsync(101);
        Assert.That(await FlatIdsAsync(Own(prefix)), Is.EqualTo(ids));
    }

    [Test]
    public async Task PageModeGivesPagePageSizePageCountAndTotal()
    {
        var (prefix, ids) = await UploadSetAsync(5);
        var (data, pagination) = await PageAsync($"{Own(prefix)}&pagination[page]=2&pagination[pageSize]=2");
        Assert.That(data, Is.EqualTo(ids.Skip(2).Take(2)));
        Assert.That(pagination.ToJsonString(), Is.EqualTo("""{"page":2,"pageSize":2,"pageCount":3,"total":5}"""));

        var (last, lastPagination) = await PageAsync($"{Own(prefix)}&pagination[page]=3&pagination[pageSize]=2");
        Assert.That(last, Is.EqualTo(ids.Skip(4)));
        Assert.That(lastPagination.ToJsonString(), Is.EqualTo("""{"page":3,"pageSize":2,"pageCount":3,"total":5}"""));
    }

    [Test]
    public async Task PageObjectsAreFullFileObjects()
    {
        var (prefix, _) = await UploadSetAsync(2);
        var body = await GetJsonAsync(client, $"/api/upload/files/page?{Own(prefix)}");
        foreach (var file in body["data"]!.AsArray()) Assert.That(file!.AsObject().Select(p => p.Key), Is.EqualTo(V5FieldOrder));
    }

    [Test]
    public async Task OffsetModeGivesStartLimitAndTotal()
    {
        var (prefix, ids) = await UploadSetAsync(5);
        var (data, pagination) = await PageAsync($"{Own(prefix)}&pagination[start]=1&pagination[limit]=2");
        Assert.That(data, Is.EqualTo(ids.Skip(1).Take(2)));
        Assert.That(pagination.ToJsonString(), Is.EqualTo("""{"start":1,"limit":2,"total":5}"""));
    }

    [Test]
    public async Task WithCountFalseLeavesOutTotalAndPageCount()
    {
        var (prefix, ids) = await UploadSetAsync(5);
        var (data, pagination) = await PageAsync($"{Own(prefix)}&pagination[pageSize]=2&pagination[withCount]=false");
        Assert.That(data, Is.EqualTo(ids.Take(2)));
        Assert.That(pagination.ToJsonString(), Is.EqualTo("""{"page":1,"pageSize":2}"""));

        var (offsetData, offsetPagination) = await PageAsync($"{Own(prefix)}&pagination[start]=2&pagination[limit]=2&pagination[withCount]=false");
        Assert.That(offsetData, Is.EqualTo(ids.Skip(2).Take(2)));
        Assert.That(offsetPagination.ToJsonString(), Is.EqualTo("""{"start":2,"limit":2}"""));
    }

    [Test]
    public async Task DefaultsArePageOneOfTwentyFive()
    {
        var (prefix, ids) = await UploadSetAsync(30);
        var (data, pagination) = await PageAsync(Own(prefix));
        Assert.That(data, Is.EqualTo(ids.Take(25)));
        Assert.That(pagination.ToJsonString(), Is.EqualTo("""{"page":1,"pageSize":25,"pageCount":2,"total":30}"""));
    }

    [Test]
    public async Task PageSizeAndLimitAreClampedToOneHundred()
    {
        var (prefix, ids) = await UploadSetAsync(101);
        var (data, pagination) = await PageAsync($"{Own(prefix)}&pagination[pageSize]=1000");
        Assert.That(data, Is.EqualTo(ids.Take(100)));
        Assert.That(pagination.ToJsonString(), Is.EqualTo("""{"page":1,"pageSize":100,"pageCount":2,"total":101}"""));

        var (offsetData, offsetPagination) = await PageAsync($"{Own(prefix)}&pagination[start]=0&pagination[limit]=1000");
        Assert.That(offsetData, Is.EqualTo(ids.Take(100)));
        Assert.That(offsetPagination.ToJsonString(), Is.EqualTo("""{"start":0,"limit":100,"total":101}"""));
    }

    [Test]
    public async Task NegativePageIsPageOne()
    {
        var (prefix, ids) = await UploadSetAsync(3);
        var (data, pagination) = await PageAsync($"{Own(prefix)}&pagination[page]=-1&pagination[pageSize]=2");
        Assert.That(data, Is.EqualTo(ids.Take(2)));
        Assert.That(pagination.ToJsonString(), Is.EqualTo("""{"page":1,"pageSize":2,"pageCount":2,"total":3}"""));
    }

    [Test]
    public async Task PageThatIsNotANumberIsAValidationError()
    {
        using var response = await client.GetAsync("/api/upload/files/page?pagination[page]=abc");
        await AssertErrorAsync(response, HttpStatusCode.BadRequest, "ValidationError", "convertStartQueryParams expected a positive integer got NaN");
    }

    [TestCase("pagination[page]=1&pagination[start]=0")]
    [TestCase("pagination[pageSize]=2&pagination[limit]=2")]
    [TestCase("pagination[page]=2&pagination[limit]=5")]
    public async Task PageAndOffsetTogetherAreAPaginationError(string query)
    {
        using var response = await client.GetAsync("/api/upload/files/page?" + query);
        await AssertErrorAsync(response, HttpStatusCode.BadRequest, "PaginationError", "Cannot use both page & offset pagination in the same query");
    }
}
