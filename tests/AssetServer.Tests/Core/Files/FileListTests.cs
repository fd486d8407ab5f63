using System.Net;
using System.Text.Json.Nodes;
using AssetServer.Tests.Support;
using static AssetServer.Tests.Files.FilesKit;

namespace AssetServer.Tests.Files;

/// <summary>
/// <c>GET /files</c> and <c>SEARCH /files</c>: filters, search, sort, paging, meta. Every test uploads three rows
/// (A, B, C) whose titles share a unique prefix and scopes its query to that prefix with <c>_and</c>.
/// </summary>
public class FileListTests : AdminAppFixture
{
    // Every stored timestamp differs by at least a millisecond, without sleeping.
    protected override AssetServerApp CreateApp() => new() { Clock = AssetServerApp.SteppingClock() };

    /// <summary>The three rows of one test.</summary>
    private sealed record Seed(string Prefix, Dictionary<char, string> Ids)
    {
        public char NameOf(string id) => Ids.Single(p => p.Value == id).Key;

        public string Names(JsonNode data) => string.Concat(FilesKit.Ids(data).Select(NameOf));

        /// <summary>Replaces <c>{p}</c> with the prefix and <c>{A}</c>.. with ids.</summary>
        public string Fill(string text) =>
            text.Replace("{p}", Prefix).Replace("{A}", Ids['A']).Replace("{B}", Ids['B']).Replace("{C}", Ids['C']);
    }

    private async Task<Seed> SeedAsync()
    {
        var p = Unique("ls");
        var ids = new Dictionary<char, string>();
        (char Name, int Size, (string, string)[] Fields)[] rows =
        [
            ('A', 10, [("title", $"{p} Alpha"), ("description", "Red apple"), ("location", "Paris"), ("focal_point_x", "5"), ("focal_point_y", "7"), ("tags", $"[\"{p}\",\"fruit\"]")]),
            ('B', 20, [("title", $"{p} Beta"), ("description", "green PEAR"), ("focal_point_x", "50"), ("focal_point_y", "7"), ("tags", $"[\"{p}\"]")]),
            ('C', 30, [("title", $"{p} Gamma"), ("description", ""), ("location", "Berlin"), ("focal_point_y", "3"), ("tags", $"[\"{p}\",\"veg\"]")]),
        ];
        foreach (var (name, size, fields) in rows)
        {
            var file = await app.UploadOkAsync(TextBytes(size), $"{p}-{char.ToLowerInvariant(name)}.txt", "text/plain", fields);
            ids[name] = Str(file, "id");
        }
        return new Seed(p, ids);
    }

    private async Task<JsonNode> ListAsync(string query)
    {
        using var response = await client.GetAsync("/files?" + query);
        return await DataAsync(response);
    }

    private static string Scope(Seed seed, string condition) =>
        $$$"""{"_and":[{"title":{"_starts_with":"{{{seed.Prefix}}}"}},{{{condition}}}]}""";

    private static IEnumerable<TestCaseData> Operators()
    {
        // field, operator, JSON operand, bracket operand, expected rows (sort=filesize)
        yield return Case("filesize", "_eq", "20", "20", "B");
        yield return Case("filesize", "_neq", "20", "20", "AC");
        yield return Case("filesize", "_lt", "20", "20", "A");
        yield return Case("filesize", "_lte", "20", "20", "AB");
        yield return Case("filesize", "_gt", "20", "20", "C");
        yield return Case("filesize", "_gte", "20", "20", "BC");
        yield return Case("filesize", "_in", "[10,30]", "10,30", "AC");
        yield return Case("filesize", "_nin", "[10,30]", "10,30", "B");
        yield return Case("filename_download", "_in", "[\"{p}-a.txt\",\"{p}-c.txt\"]", "{p}-a.txt,{p}-c.txt", "AC");
        yield return Case("id", "_eq", "\"{B}\"", "{B}", "B");
        yield return Case("id", "_nin", "[\"{B}\"]", "{B}", "AC");
        yield return Case("location", "_null", "true", "true", "B");
        yield return Case("location", "_null", "false", "false", "AC");
        yield return Case("location", "_nnull", "true", "true", "AC");
        yield return Case("focal_point_x", "_null", "true", "true", "C");
        yield return Case("focal_point_x", "_nnull", "true", "true", "AB");
        yield return Case("focal_point_x", "_gt", "\"6\"", "6", "B");
        yield return Case("description", "_contains", "\"PEAR\"", "PEAR", "B");
        yield return Case("description", "_contains", "\"pear\"", "pear", "");
        yield return Case("description", "_contains", "\"%\"", "%", "");
        yield return Case("description", "_contains", "\"_\"", "_", "");
        yield return Case("description", "_ncontains", "\"PEAR\"", "PEAR", "AC");
        yield return Case("description", "_icontains", "\"pEaR\"", "pEaR", "B");
        yield return Case("description", "_starts_with", "\"Red\"", "Red", "A");
        yield return Case("description", "_nstarts_with", "\"Red\"", "Red", "BC");
        yield return Case("description", "_ends_with", "\"PEAR\"", "PEAR", "B");
        yield return Case("description", "_nends_with", "\"PEAR\"", "PEAR", "AC");
        yield return Case("filesize", "_between", "[10,20]", "10,20", "AB");
        yield return Case("filesize", "_nbetween", "[10,20]", "10,20", "C");
        yield return Case("description", "_empty", "true", "true", "C");
        yield return Case("description", "_nempty", "true", "true", "AB");
        yield return Case("tags", "_contains", "\"fruit\"", "fruit", "A");

        static TestCaseData Case(string field, string op, string json, string bracket, string expected) =>
            new TestCaseData(field, op, json, bracket, expected).SetArgDisplayNames(field, op, json, expected == "" ? "none" : expected);
    }

    [TestCaseSource(nameof(Operators))]
    public async Task FilterOperatorInJsonForm(string field, string op, string json, string bracket, string expected)
    {
        var seed = await SeedAsync();
        var filter = Scope(seed, $$$"""{"{{{field}}}":{"{{{op}}}":{{{seed.Fill(json)}}}}}""");
        var data = await ListAsync($"sort=filesize&filter={Q(filter)}");
        Assert.That(seed.Names(data), Is.EqualTo(expected), filter);
    }

    [TestCaseSource(nameof(Operators))]
    public async Task FilterOperatorInBracketForm(string field, string op, string json, string bracket, string expected)
    {
        var seed = await SeedAsync();
        var query = $"sort=filesize&filter[_and][0][title][_starts_with]={Q(seed.Prefix)}" +
                    $"&filter[_and][1][{field}][{op}]={Q(seed.Fill(bracket))}";
        var data = await ListAsync(query);
        Assert.That(seed.Names(data), Is.EqualTo(expected), query);
    }

    [Test]
    public async Task BracketInListBuildsAnArray()
    {
        var seed = await SeedAsync();
        var data = await ListAsync($"sort=filesize&filter[title][_starts_with]={Q(seed.Prefix)}&filter[filesize][_in][]=10&filter[filesize][_in][]=20");
        Assert.That(seed.Names(data), Is.EqualTo("AB"));
    }

    [Test]
    public async Task TwoOperatorsOnOneFieldAreBothApplied()
    {
        var seed = await SeedAsync();
        var data = await ListAsync($"filter={Q(Scope(seed, """{"filesize":{"_gt":10,"_lt":30}}"""))}");
        Assert.That(seed.Names(data), Is.EqualTo("B"));
    }

    [Test]
    public async Task NestedAndOrGroupsInJsonForm()
    {
        var seed = await SeedAsync();
        var filter = Scope(seed, """{"_or":[{"filesize":{"_eq":10}},{"_and":[{"location":{"_eq":"Berlin"}},{"filesize":{"_gt":25}}]}]}""");
        var data = await ListAsync($"sort=filesize&filter={Q(filter)}");
        Assert.That(seed.Names(data), Is.EqualTo("AC"));
    }

    [Test]
    public async Task NestedAndOrGroupsInBracketForm()
    {
        var seed = await SeedAsync();
        var query = $"sort=filesize&filter[_and][0][title][_starts_with]={Q(seed.Prefix)}" +
                    "&filter[_and][1][_or][0][filesize][_eq]=10" +
                    "&filter[_and][1][_or][1][_and][0][location][_eq]=Berlin" +
                    "&filter[_and][1][_or][1][_and][1][filesize][_gt]=25";
        var data = await ListAsync(query);
        Assert.That(seed.Names(data), Is.EqualTo("AC"));
    }

    [Test]
    public async Task OrGroupMatchesEitherSide()
    {
        var seed = await SeedAsync();
        var filter = Scope(seed, """{"_or":[{"location":{"_eq":"Paris"}},{"location":{"_eq":"Berlin"}}]}""");
        var data = await ListAsync($"sort=-filesize&filter={Q(filter)}");
        Assert.That(seed.Names(data), Is.EqualTo("CA"));
    }

    [Test]
    public async Task SearchIsCaseInsensitive()
    {
        var seed = await SeedAsync();
        var data = await ListAsync($"search={Q("GREEN pear")}&filter[title][_starts_with]={Q(seed.Prefix)}");
        Assert.That(seed.Names(data), Is.EqualTo("B"));
    }

    [Test]
    public async Task SearchFindsTitleFilenameAndTags()
    {
        var seed = await SeedAsync();
        var byTitle = await ListAsync($"sort=filesize&search={Q(seed.Prefix.ToUpperInvariant() + " gAMMA")}");
        Assert.That(seed.Names(byTitle), Is.EqualTo("C"));
        var byFileName = await ListAsync($"search={Q(seed.Prefix + "-b.TXT")}");
        Assert.That(seed.Names(byFileName), Is.EqualTo("B"));
        var byTag = await ListAsync($"sort=filesize&search=veg&filter[title][_starts_with]={Q(seed.Prefix)}");
        Assert.That(seed.Names(byTag), Is.EqualTo("C"));
    }

    [Test]
    public async Task SearchTreatsWildcardsLiterally()
    {
        var seed = await SeedAsync();
        var data = await ListAsync($"search={Q("%")}&filter[title][_starts_with]={Q(seed.Prefix)}");
        Assert.That(data.AsArray(), Is.Empty);
    }

    [Test]
    public async Task SearchIsCaseInsensitiveBeyondAscii()
    {
        var p = Unique("uc");
        var file = await app.UploadOkAsync(TextBytes(10), "u.txt", "text/plain", ("title", $"{p} ÜBERBLICK Ärger"));
        var data = await ListAsync($"search={Q("überblick ärger")}&filter[title][_starts_with]={Q(p)}");
        Assert.That(Ids(data), Is.EqualTo(new[] { Str(file, "id") }));
    }

    [Test]
    public async Task IcontainsIsCaseInsensitiveBeyondAscii()
    {
        var p = Unique("ic");
        var file = await app.UploadOkAsync(TextBytes(10), "i.txt", "text/plain", ("title", $"{p} ÉCOLE"));
        var data = await ListAsync($"filter[title][_icontains]={Q(p + " école")}");
        Assert.That(Ids(data), Is.EqualTo(new[] { Str(file, "id") }));
    }

    [TestCase("filesize", "ABC")]
    [TestCase("-filesize", "CBA")]
    [TestCase("focal_point_y,-filesize", "CBA")]
    [TestCase("-focal_point_y,filesize", "ABC")]
    [TestCase("-title", "CBA")]
    public async Task SortByKeys(string sort, string expected)
    {
        var seed = await SeedAsync();
        var data = await ListAsync($"sort={Q(sort)}&filter[title][_starts_with]={Q(seed.Prefix)}");
        Assert.That(seed.Names(data), Is.EqualTo(expected));
    }

    [Test]
    public async Task SortAsArrayParameter()
    {
        var seed = await SeedAsync();
        var data = await ListAsync($"sort[]=focal_point_y&sort[]=-filesize&filter[title][_starts_with]={Q(seed.Prefix)}");
        Assert.That(seed.Names(data), Is.EqualTo("CBA"));
    }

    [Test]
    public async Task DefaultSortIsNewestUploadFirst()
    {
        var seed = await SeedAsync();
        var data = await ListAsync($"filter[title][_starts_with]={Q(seed.Prefix)}");
        Assert.That(seed.Names(data), Is.EqualTo("CBA"));
        var uploaded = data.AsArray().Select(f => Str(f!, "uploaded_on")).ToList();
        Assert.That(uploaded, Is.Ordered.Descending.Using((IComparer<string>)StringComparer.Ordinal));
    }

    [TestCase("limit=1&offset=1", "B")]
    [TestCase("limit=1&page=2", "B")]
    [TestCase("limit=2&page=2", "C")]
    [TestCase("limit=1&page=3", "C")]
    [TestCase("limit=2", "AB")]
    [TestCase("limit=-1", "ABC")]
    [TestCase("limit=0", "")]
    [TestCase("offset=5", "")]
    [TestCase("limit=1&page=1", "A")]
    public async Task Paging(string paging, string expected)
    {
        var seed = await SeedAsync();
        var data = await ListAsync($"sort=filesize&{paging}&filter[title][_starts_with]={Q(seed.Prefix)}");
        Assert.That(seed.Names(data), Is.EqualTo(expected));
    }

    [Test]
    public async Task PageTwoEqualsOffsetOfOneLimit()
    {
        var seed = await SeedAsync();
        var scope = $"sort=-filesize&filter[title][_starts_with]={Q(seed.Prefix)}";
        var page = await ListAsync($"{scope}&limit=2&page=2");
        var offset = await ListAsync($"{scope}&limit=2&offset=2");
        Assert.That(Ids(page), Is.EqualTo(Ids(offset)).And.Count.EqualTo(1));
    }

    [Test]
    public async Task DefaultLimitIsOneHundred()
    {
        // Enough rows of this test's own to pass the default page, without depending on anyone else's.
        var p = Unique("dl");
        foreach (var (from, count) in new[] { (0, 60), (60, 41) }) // at most 100 files per request
        {
            using var form = new MultipartFormDataContent();
            for (var i = from; i < from + count; i++)
            {
                form.Add(new StringContent($"{p} {i:D3}"), "title");
                form.Add(new ByteArrayContent(TextBytes(3)), "file", $"d{i}.txt");
            }
            var created = await DataAsync(await client.PostAsync("/files", form));
            Assert.That(created.AsArray(), Has.Count.EqualTo(count));
        }
        var data = await ListAsync($"filter[title][_starts_with]={Q(p)}");
        Assert.That(data.AsArray(), Has.Count.EqualTo(100));
        var all = await ListAsync($"limit=-1&filter[title][_starts_with]={Q(p)}");
        Assert.That(all.AsArray(), Has.Count.EqualTo(101));
    }

    [Test]
    public async Task MetaTotalAndFilterCount()
    {
        var seed = await SeedAsync();
        using var response = await client.GetAsync($"/files?limit=1&meta=total_count,filter_count&filter[title][_starts_with]={Q(seed.Prefix)}");
        var body = await BodyAsync(response);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(body["data"]!.AsArray(), Has.Count.EqualTo(1));
        Assert.That(body["meta"]!["filter_count"]!.GetValue<long>(), Is.EqualTo(3));
        Assert.That(body["meta"]!["total_count"]!.GetValue<long>(), Is.EqualTo(await app.RowCountAsync()));
    }

    [Test]
    public async Task MetaStarGivesBothCounts()
    {
        var seed = await SeedAsync();
        using var response = await client.GetAsync($"/files?meta=*&filter[filesize][_gte]=20&filter[title][_starts_with]={Q(seed.Prefix)}");
        var body = await BodyAsync(response);
        Assert.That(body["meta"]!.AsObject().Select(p => p.Key), Is.EquivalentTo(new[] { "total_count", "filter_count" }));
        Assert.That(body["meta"]!["filter_count"]!.GetValue<long>(), Is.EqualTo(2));
        Assert.That(body["meta"]!["total_count"]!.GetValue<long>(), Is.EqualTo(await app.RowCountAsync()));
    }

    [Test]
    public async Task NoMetaWithoutTheParameter()
    {
        var seed = await SeedAsync();
        using var response = await client.GetAsync($"/files?filter[title][_starts_with]={Q(seed.Prefix)}");
        var body = await BodyAsync(response);
        Assert.That(body.AsObject().Select(p => p.Key), Is.EqualTo(new[] { "data" }));
    }

    [TestCase("fields=id,title", new[] { "id", "title" })]
    [TestCase("fields[]=filesize&fields[]=id", new[] { "id", "filesize" })]
    [TestCase("fields=title,id,title", new[] { "id", "title" })]
    public async Task FieldsLimitTheObjects(string fields, string[] expected)
    {
        var seed = await SeedAsync();
        var data = await ListAsync($"{fields}&filter[title][_starts_with]={Q(seed.Prefix)}");
        Assert.That(data.AsArray(), Has.Count.EqualTo(3));
        foreach (var row in data.AsArray())
            Assert.That(row!.AsObject().Select(p => p.Key), Is.EqualTo(expected), "Directus order, each field once");
    }

    [Test]
    public async Task FieldsStarGivesEveryField()
    {
        var seed = await SeedAsync();
        var data = await ListAsync($"fields=*&filter[title][_starts_with]={Q(seed.Prefix)}");
        Assert.That(data[0]!.AsObject(), Has.Count.EqualTo(25));
    }

    [Test]
    public async Task SearchMethodTakesTheQueryInTheBody()
    {
        var seed = await SeedAsync();
        var body = $$$"""
            {"query":{"fields":["id","filesize"],"filter":{"title":{"_starts_with":"{{{seed.Prefix}}}"}},"sort":["-filesize"],"limit":2,"meta":"*"}}
            """;
        using var response = await client.SendAsync(Request("SEARCH", "/files", Json(body)));
        var json = await BodyAsync(response);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(seed.Names(json["data"]!), Is.EqualTo("CB"));
        Assert.That(json["data"]![0]!.AsObject().Select(p => p.Key), Is.EqualTo(new[] { "id", "filesize" }));
        Assert.That(json["meta"]!["filter_count"]!.GetValue<long>(), Is.EqualTo(3));
    }

    [Test]
    public async Task SearchMethodAcceptsStringForms()
    {
        var seed = await SeedAsync();
        var body = $$$"""
            {"query":{"fields":"id,title","filter":{"_and":[{"title":{"_starts_with":"{{{seed.Prefix}}}"}},{"filesize":{"_in":[10,20]}}]},"sort":"filesize","search":"apple"}}
            """;
        using var response = await client.SendAsync(Request("SEARCH", "/files", Json(body)));
        Assert.That(seed.Names(await DataAsync(response)), Is.EqualTo("A"));
    }

    [Test]
    public async Task SearchMethodWithBadQueryIsInvalidQuery()
    {
        using var response = await client.SendAsync(Request("SEARCH", "/files", Json("""{"query":{"filter":{"bogus":{"_eq":1}}}}""")));
        await AssertErrorAsync(response, HttpStatusCode.BadRequest, "INVALID_QUERY");
    }

    [Test]
    public async Task SearchMethodWithMalformedBodyIsInvalidPayload()
    {
        using var response = await client.SendAsync(Request("SEARCH", "/files", Json("""{"query":""")));
        await AssertErrorAsync(response, HttpStatusCode.BadRequest, "INVALID_PAYLOAD");
    }
}
