using System.Net;
using System.Text.Json.Nodes;
using AssetServer.Tests.Support;
using static AssetServer.Tests.V8.V8Kit;

namespace AssetServer.Tests.V8;

/// <summary>
/// Issue 11, Directus v8: the query language of <c>GET /_/files</c> (<c>filter[field][op]</c>, <c>q</c>, <c>sort</c>,
/// <c>limit</c>, <c>offset</c>, <c>page</c>, <c>single</c>, <c>fields</c>, <c>meta</c>) over four files of this fixture's own.
/// </summary>
public class V8QueryTests : AdminAppFixture
{
    private static readonly string Marker = Unique("q");

    /// <summary>Every upload gets its own millisecond, so upload order is the order they were sent.</summary>
    protected override AssetServerApp CreateApp() => new() { Clock = AssetServerApp.SteppingClock() };

    /// <summary>Scopes every list to this fixture's files: their titles and names all carry the marker.</summary>
    private static string Own => $"filter[title][contains]={Marker}";

    [OneTimeSetUp]
    public async Task Seed()
    {
        await UploadAsync(client, TestImages.Png(100, 50), $"{Marker}-alpha.png", "image/png", ("title", $"{Marker} alpha"), ("description", "red"));
        await UploadAsync(client, TestImages.Png(200, 100), $"{Marker}-beta.png", "image/png", ("title", $"{Marker} beta"));
        await UploadAsync(client, TestImages.Jpeg(300, 150), $"{Marker}-gamma.jpg", "image/jpeg", ("title", $"{Marker} gamma"), ("description", ""));
        await UploadAsync(client, "delta notes"u8.ToArray(), $"{Marker}-delta.txt", "text/plain", ("title", $"{Marker} delta"));
    }

    private async Task<JsonObject> ListAsync(string query)
    {
        using var response = await client.GetAsync($"{FilesRoute}?{query}");
        return await BodyAsync(response);
    }

    /// <summary>The names (alpha, beta…) of the files a list answered, in order.</summary>
    private async Task<string[]> NamesAsync(string query) =>
        (await ListAsync(query))["data"]!.AsArray().Select(f => Str(f, "title")[(Marker.Length + 1)..]).ToArray();

    private static IEnumerable<TestCaseData> Filters()
    {
        TestCaseData Case(string filter, params string[] names) => new TestCaseData(filter, names).SetArgDisplayNames(filter);
        yield return Case("filter[width][eq]=100", "alpha");
        yield return Case("filter[type]=text/plain", "delta");
        yield return Case("filter[width][%3D]=200", "beta");
        yield return Case("filter[width][neq]=100", "beta", "gamma");
        yield return Case("filter[width][lt]=200", "alpha");
        yield return Case("filter[width][%3C]=200", "alpha");
        yield return Case("filter[width][lte]=200", "alpha", "beta");
        yield return Case("filter[width][gt]=100", "beta", "gamma");
        yield return Case("filter[width][gte]=200", "beta", "gamma");
        yield return Case("filter[width][in]=100,300", "alpha", "gamma");
        yield return Case("filter[width][in][]=100&filter[width][in][]=200", "alpha", "beta");
        yield return Case("filter[width][nin]=100,300", "beta");
        yield return Case("filter[width][null]=", "delta");
        yield return Case("filter[width][nnull]=1", "alpha", "beta", "gamma");
        yield return Case("filter[filename_download][contains]=GAMMA", "gamma");
        yield return Case("filter[filename_download][like]=.png", "alpha", "beta");
        yield return Case("filter[filename_download][ncontains]=.png", "gamma", "delta");
        yield return Case("filter[filename_download][contains]=", "alpha", "beta", "gamma", "delta");
        yield return Case("filter[width][between]=150,300", "beta", "gamma");
        yield return Case("filter[width][nbetween]=150,300", "alpha");
        yield return Case("filter[description][empty]=1", "beta", "gamma", "delta");
        yield return Case("filter[description][nempty]=1", "alpha");
        yield return Case("filter[height][gte]=50&filter[type][contains]=png", "alpha", "beta");
        yield return Case("filter[created_on][lte]=now", "alpha", "beta", "gamma", "delta");
        yield return Case("filter[created_on][gt]=2001-02-03 04:05:06", "alpha", "beta", "gamma", "delta");
        yield return Case("filter[created_on][lt]=2001-02-03 04:05:06");
    }

    [TestCaseSource(nameof(Filters))]
    public async Task FilterSelectsTheMatchingFiles(string filter, string[] expected)
    {
        Assert.That(await NamesAsync($"{Own}&{filter}&sort=title"), Is.EqualTo(expected.OrderBy(n => n, StringComparer.Ordinal).ToArray()));
    }

    [Test]
    public async Task LogicalOrJoinsAFieldsConditionsToTheOnesBefore()
    {
        // (title ∋ marker AND width = 100) OR (filename ∋ marker AND type = text/plain): AND binds tighter, as in v8's SQL.
        var query = $"{Own}&filter[width][eq]=100&filter[filename_download][logical]=or&filter[filename_download][contains]={Marker}&filter[type][eq]=text/plain";
        Assert.That(await NamesAsync(query + "&sort=title"), Is.EqualTo(new[] { "alpha", "delta" }));
    }

    [Test]
    public async Task QSearchesTheTextFields()
    {
        Assert.That(await NamesAsync($"q={Marker} gamma"), Is.EqualTo(new[] { "gamma" }));
        Assert.That(await NamesAsync($"q={Marker}-delta.txt"), Is.EqualTo(new[] { "delta" }));
    }

    [Test]
    public async Task SortTakesACommaListWithMinusForDescending()
    {
        Assert.That(await NamesAsync($"{Own}&sort=-width"), Is.EqualTo(new[] { "gamma", "beta", "alpha", "delta" }));
        Assert.That(await NamesAsync($"{Own}&sort=type,-title"), Is.EqualTo(new[] { "gamma", "beta", "alpha", "delta" }));
        Assert.That(await NamesAsync(Own), Is.EqualTo(new[] { "alpha", "beta", "gamma", "delta" }), "upload order without sort, as v8's ids ascend");
    }

    [Test]
    public async Task LimitOffsetAndPagePage()
    {
        Assert.That(await NamesAsync($"{Own}&sort=title&limit=2&offset=1"), Is.EqualTo(new[] { "beta", "delta" }));
        Assert.That(await NamesAsync($"{Own}&sort=title&limit=2&page=2"), Is.EqualTo(new[] { "delta", "gamma" }));
        Assert.That(await NamesAsync($"{Own}&sort=title&limit=2&page=2&offset=0"), Is.EqualTo(new[] { "alpha", "beta" }), "offset wins over page, as in v8");
        Assert.That(await NamesAsync($"{Own}&limit=-1"), Has.Length.EqualTo(4));
    }

    [Test]
    public async Task SingleAnswersOneObject()
    {
        var body = await ListAsync($"{Own}&sort=-width&single=1&meta=*");
        Assert.That(body["data"], Is.InstanceOf<JsonObject>());
        Assert.That(Str(body["data"], "title"), Is.EqualTo($"{Marker} gamma"));
        Assert.That(body["meta"]!.ToJsonString(), Is.EqualTo("""{"collection":"directus_files","type":"item"}"""));
        Assert.That((await ListAsync($"{Own}&sort=title&single=0"))["data"], Is.InstanceOf<JsonArray>(), "single=0 is false, as PHP reads it");

        using var none = await client.GetAsync($"{FilesRoute}?{Own}&filter[width][gt]=5000&single=1");
        await AssertV8ErrorAsync(none, HttpStatusCode.NotFound, 203);
    }

    [Test]
    public async Task FieldsKeepsTheNamedFieldsOnly()
    {
        var rows = (await ListAsync($"{Own}&fields=title,private_hash,data&sort=title"))["data"]!.AsArray();
        Assert.That(rows, Has.Count.EqualTo(4));
        foreach (var row in rows) Assert.That(row!.AsObject().Select(p => p.Key), Is.EqualTo(new[] { "title", "private_hash", "data" }));

        var all = (await ListAsync($"{Own}&fields=*&sort=title"))["data"]![0]!.AsObject();
        Assert.That(all.ContainsKey("id") && all.ContainsKey("checksum") && all.ContainsKey("data"));
        Assert.That(all.ContainsKey("numeric_id") || all.ContainsKey("upload_hash"), Is.False, "other dialects' names stay out");
    }

    [Test]
    public async Task MetaGivesTheCountsAsked()
    {
        var total = await app.RowCountAsync();
        var body = await ListAsync($"{Own}&filter[type][contains]=image&limit=2&meta=total_count,result_count&sort=title");
        Assert.That(body["meta"]!.ToJsonString(), Is.EqualTo($$"""{"result_count":2,"total_count":{{total}}}"""));

        body = await ListAsync($"{Own}&filter[type][contains]=image&limit=2&meta=*&sort=title");
        Assert.That(body["meta"]!.ToJsonString(),
            Is.EqualTo($$"""{"collection":"directus_files","type":"collection","result_count":2,"total_count":{{total}},"filter_count":3}"""));

        Assert.That((await ListAsync(Own)).ContainsKey("meta"), Is.False, "no meta unless asked");
    }

    private static IEnumerable<TestCaseData> BadQueries()
    {
        TestCaseData Case(string query, HttpStatusCode status, int code) => new TestCaseData(query, status, code).SetArgDisplayNames(query);
        yield return Case("filter[width][bogus]=1", (HttpStatusCode)422, 214);
        yield return Case("filter[width][rlike]=1%25", (HttpStatusCode)422, 214);
        yield return Case("filter[nosuch][eq]=1", (HttpStatusCode)422, 202);
        yield return Case("filter[data][eq]=1", (HttpStatusCode)422, 202);
        yield return Case("sort=nosuch", (HttpStatusCode)422, 202);
        yield return Case("fields=id,nosuch", (HttpStatusCode)422, 202);
        yield return Case("filter[width][gt]=wide", HttpStatusCode.BadRequest, 4);
        yield return Case("filter[width][between]=1,2,3", HttpStatusCode.BadRequest, 4);
        yield return Case("filter[width][logical]=xor&filter[width][eq]=1", HttpStatusCode.BadRequest, 4);
        yield return Case("sort=?", HttpStatusCode.BadRequest, 4);
        yield return Case("limit=many", HttpStatusCode.BadRequest, 4);
        yield return Case("offset=-1", HttpStatusCode.BadRequest, 4);
        yield return Case("meta=everything", HttpStatusCode.BadRequest, 4);
        yield return Case("search=x", HttpStatusCode.BadRequest, 4);
    }

    [TestCaseSource(nameof(BadQueries))]
    public async Task ABadQueryIsAV8Error(string query, HttpStatusCode status, int code)
    {
        using var response = await client.GetAsync($"{FilesRoute}?{query}");
        await AssertV8ErrorAsync(response, status, code);
    }

    [Test]
    public async Task TheErrorNamesWhatWasWrong()
    {
        using (var op = await client.GetAsync($"{FilesRoute}?filter[width][bogus]=1"))
            Assert.That(Str(await AssertV8ErrorAsync(op, (HttpStatusCode)422, 214), "message"), Is.EqualTo("Unknown filter: bogus"));
        using (var field = await client.GetAsync($"{FilesRoute}?filter[nosuch][eq]=1"))
            Assert.That(Str(await AssertV8ErrorAsync(field, (HttpStatusCode)422, 202), "message"), Is.EqualTo("Invalid field \"nosuch\" in \"directus_files\""));
    }
}
