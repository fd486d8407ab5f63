using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using AssetServer.Tests.Support;
using static AssetServer.Tests.Files.FilesKit;
using static AssetServer.Tests.GraphQL.GraphQLKit;

namespace AssetServer.Tests.GraphQL;

/// <summary>
/// <c>files</c> and <c>files_by_id</c> on <c>/graphql/system</c>: selections, the filter input type with the REST
/// operators, sort, paging, search, variables, aliases, fragments, and the GET form. Every test uploads three rows
/// (A, B, C) whose titles share a unique prefix and scopes its filter to that prefix.
/// </summary>
public class GraphQLQueryTests : AdminAppFixture
{
    protected override AssetServerApp CreateApp() => new() { Clock = AssetServerApp.SteppingClock() };

    private sealed record Seed(string Prefix, Dictionary<char, string> Ids)
    {
        public string Names(JsonNode? files) => string.Concat(Values(files, "id").Select(id => Ids.Single(p => p.Value == id).Key));

        public string Fill(string text) =>
            text.Replace("{p}", Prefix).Replace("{A}", Ids['A']).Replace("{B}", Ids['B']).Replace("{C}", Ids['C']);
    }

    private async Task<Seed> SeedAsync()
    {
        var p = Unique("gq");
        var ids = new Dictionary<char, string>();
        (char Name, int Size, (string, string)[] Fields)[] rows =
        [
            ('A', 10, [("title", $"{p} Alpha"), ("description", "Red apple"), ("location", "Paris"), ("focal_point_x", "5"), ("tags", $"[\"{p}\",\"fruit\"]")]),
            ('B', 20, [("title", $"{p} Beta"), ("description", "green PEAR"), ("focal_point_x", "50"), ("tags", $"[\"{p}\"]")]),
            ('C', 30, [("title", $"{p} Gamma"), ("description", ""), ("location", "Berlin"), ("tags", $"[\"{p}\",\"veg\"]")]),
        ];
        foreach (var (name, size, fields) in rows)
        {
            var file = await app.UploadOkAsync(TextBytes(size), $"{p}-{char.ToLowerInvariant(name)}.txt", "text/plain", fields);
            ids[name] = Str(file, "id");
        }
        return new Seed(p, ids);
    }

    /// <summary><c>files</c> with the filter as a variable, scoped to the seed's rows with <c>_and</c>.</summary>
    private async Task<JsonNode?> FilesAsync(Seed seed, string condition, string arguments = "sort: [\"filesize\"]")
    {
        var filter = JsonNode.Parse($$$"""{"_and":[{"title":{"_starts_with":"{{{seed.Prefix}}}"}},{{{seed.Fill(condition)}}}]}""");
        var data = await DataAsync(app, $"query($f: directus_files_filter) {{ files(filter: $f, {arguments}) {{ id }} }}", new { f = filter });
        return data["files"];
    }

    private static IEnumerable<TestCaseData> Operators()
    {
        // field, operator, JSON operand (as a variable), expected rows by filesize
        yield return Case("filesize", "_eq", "20", "B");
        yield return Case("filesize", "_eq", "\"20\"", "B");
        yield return Case("filesize", "_neq", "20", "AC");
        yield return Case("filesize", "_lt", "20", "A");
        yield return Case("filesize", "_lte", "20", "AB");
        yield return Case("filesize", "_gt", "20", "C");
        yield return Case("filesize", "_gte", "20", "BC");
        yield return Case("filesize", "_in", "[10,30]", "AC");
        yield return Case("filesize", "_nin", "[10,30]", "B");
        yield return Case("filesize", "_between", "[10,20]", "AB");
        yield return Case("filesize", "_nbetween", "[10,20]", "C");
        yield return Case("filename_download", "_in", "[\"{p}-a.txt\",\"{p}-c.txt\"]", "AC");
        yield return Case("id", "_eq", "\"{B}\"", "B");
        yield return Case("id", "_nin", "[\"{B}\"]", "AC");
        yield return Case("location", "_null", "true", "B");
        yield return Case("location", "_nnull", "true", "AC");
        yield return Case("focal_point_x", "_null", "true", "C");
        yield return Case("focal_point_x", "_gt", "6", "B");
        yield return Case("description", "_contains", "\"PEAR\"", "B");
        yield return Case("description", "_contains", "\"pear\"", "");
        yield return Case("description", "_ncontains", "\"PEAR\"", "AC");
        yield return Case("description", "_icontains", "\"pEaR\"", "B");
        yield return Case("description", "_starts_with", "\"Red\"", "A");
        yield return Case("description", "_nstarts_with", "\"Red\"", "BC");
        yield return Case("description", "_istarts_with", "\"red\"", "A");
        yield return Case("description", "_ends_with", "\"PEAR\"", "B");
        yield return Case("description", "_nends_with", "\"PEAR\"", "AC");
        yield return Case("description", "_empty", "true", "C");
        yield return Case("description", "_nempty", "true", "AB");
        yield return Case("tags", "_contains", "\"fruit\"", "A");
        yield return Case("uploaded_on", "_gte", "\"2000-01-01T00:00:00Z\"", "ABC");
        yield return Case("created_on", "_lt", "\"2000-01-01T00:00:00Z\"", "");

        static TestCaseData Case(string field, string op, string json, string expected) =>
            new TestCaseData(field, op, json, expected).SetArgDisplayNames(field, op, json, expected == "" ? "none" : expected);
    }

    [TestCaseSource(nameof(Operators))]
    public async Task FilterOperatorsAreTheRestOnes(string field, string op, string json, string expected)
    {
        var seed = await SeedAsync();
        var files = await FilesAsync(seed, $$$"""{"{{{field}}}":{"{{{op}}}":{{{json}}}}}""");
        Assert.That(seed.Names(files), Is.EqualTo(expected));
    }

    [Test]
    public async Task InlineFilterWithNestedAndOrGroups()
    {
        var seed = await SeedAsync();
        var data = await DataAsync(app, $$$"""
            {
              files(sort: ["filesize"], filter: {_and: [
                {title: {_starts_with: {{{Lit(seed.Prefix)}}}}},
                {_or: [{filesize: {_eq: 10}}, {_and: [{location: {_eq: "Berlin"}}, {filesize: {_gt: 25}}]}]}
              ]}) { id }
            }
            """);
        Assert.That(seed.Names(data["files"]), Is.EqualTo("AC"));
    }

    [Test]
    public async Task TwoOperatorsOnOneFieldAreBothApplied()
    {
        var seed = await SeedAsync();
        Assert.That(seed.Names(await FilesAsync(seed, """{"filesize":{"_gt":10,"_lt":30}}""")), Is.EqualTo("B"));
    }

    [Test]
    public async Task SelectionDecidesTheFields()
    {
        var seed = await SeedAsync();
        var data = await DataAsync(app, $"{{ files(filter: {{title: {{_starts_with: {Lit(seed.Prefix)}}}}}) {{ title id }} }}");
        foreach (var row in data["files"]!.AsArray())
            Assert.That(row!.AsObject().Select(p => p.Key), Is.EqualTo(new[] { "title", "id" }), "the fields asked for, in the order asked");
    }

    [Test]
    public async Task EveryDirectusFieldWithItsScalarType()
    {
        var p = Unique("all");
        var uploaded = await app.UploadOkAsync(TestImages.Jpeg(40, 30), $"{p}.jpg", "image/jpeg",
            ("tags", "[\"one\",\"two\"]"), ("focal_point_x", "3"), ("description", "Every field"));
        // The placeholder is written in the background after the upload (issue 17): both reads must see one row.
        app.WaitForBackgroundRenders();
        // folder is Directus's many-to-one: its object, null outside any folder.
        var fields = string.Join(' ', AllFields.Select(f => f == "folder" ? "folder { id }" : f));
        var data = await DataAsync(app, $"{{ files_by_id(id: {Lit(Str(uploaded, "id"))}) {{ {fields} }} }}");
        var file = data["files_by_id"]!.AsObject();
        Assert.That(file.Select(f => f.Key), Is.EqualTo(AllFields));
        var rest = await DataAsync(await client.GetAsync($"/files/{Str(uploaded, "id")}"));
        foreach (var name in AllFields.Where(f => f != "filesize"))
            Assert.That(file[name]?.ToJsonString(), Is.EqualTo(rest[name]?.ToJsonString()), $"{name} as REST answers it");
        Assert.That(file["filesize"]!.GetValue<string>(), Is.EqualTo(rest["filesize"]!.GetValue<long>().ToString()), "GraphQLBigInt is a string, as in Directus");
        Assert.That(file["width"]!.GetValue<int>(), Is.EqualTo(40));
        Assert.That(file["tags"]!.AsArray().Select(t => t!.GetValue<string>()), Is.EqualTo(new[] { "one", "two" }));
        Assert.That(file["metadata"], Is.InstanceOf<JsonObject>());
        Assert.That(file["created_on"]!.GetValue<string>(), Does.EndWith("Z"));
    }

    /// <summary>Directus's file object, in its order (README "The file object").</summary>
    private static readonly string[] AllFields =
    [
        "id", "storage", "filename_disk", "filename_download", "title", "type", "folder", "uploaded_by", "created_on",
        "modified_by", "modified_on", "charset", "filesize", "width", "height", "duration", "embed", "description",
        "location", "tags", "metadata", "focal_point_x", "focal_point_y", "uploaded_on", "checksum",
    ];

    [Test]
    public async Task HiddenColumnsAreNotInTheSchema()
    {
        var response = await PostAsync(client, "{ files { numeric_id } }");
        await ValidationErrorsAsync(response);
    }

    [TestCase("sort: [\"filesize\"]", "ABC")]
    [TestCase("sort: [\"-filesize\"]", "CBA")]
    [TestCase("sort: [\"location\", \"-filesize\"]", "BCA")]
    [TestCase("sort: \"-filesize\"", "CBA")]
    public async Task Sort(string arguments, string expected)
    {
        var seed = await SeedAsync();
        Assert.That(seed.Names(await FilesAsync(seed, "{}", arguments)), Is.EqualTo(expected));
    }

    [Test]
    public async Task DefaultSortIsNewestUploadFirst()
    {
        var seed = await SeedAsync();
        Assert.That(seed.Names(await FilesAsync(seed, "{}", "limit: 10")), Is.EqualTo("CBA"));
    }

    [TestCase("limit: 1, offset: 1", "B")]
    [TestCase("limit: 1, page: 2", "B")]
    [TestCase("limit: 2, page: 2", "C")]
    [TestCase("limit: 2", "AB")]
    [TestCase("limit: -1", "ABC")]
    [TestCase("limit: 0", "")]
    [TestCase("offset: 5", "")]
    public async Task Paging(string paging, string expected)
    {
        var seed = await SeedAsync();
        Assert.That(seed.Names(await FilesAsync(seed, "{}", $"sort: [\"filesize\"], {paging}")), Is.EqualTo(expected));
    }

    [TestCase("GREEN pear", "B")]
    [TestCase("veg", "C")]
    [TestCase("%", "")]
    public async Task SearchIsTheRestSearch(string search, string expected)
    {
        var seed = await SeedAsync();
        Assert.That(seed.Names(await FilesAsync(seed, "{}", $"sort: [\"filesize\"], search: {Lit(search)}")), Is.EqualTo(expected));
    }

    [Test]
    public async Task VariablesAliasesAndFragments()
    {
        var seed = await SeedAsync();
        const string query = """
            query Pages($prefix: String!, $size: Int, $order: [String]) {
              small: files(filter: {title: {_starts_with: $prefix}}, sort: $order, limit: $size) { ...Names }
              large: files(filter: {title: {_starts_with: $prefix}}, sort: ["-filesize"], limit: 1) {
                ... on directus_files { id bytes: filesize }
              }
            }
            fragment Names on directus_files { id name: filename_download }
            """;
        var data = await DataAsync(app, query, new { prefix = seed.Prefix, size = 2, order = new[] { "filesize" } });
        Assert.That(seed.Names(data["small"]), Is.EqualTo("AB"));
        Assert.That(Values(data["small"], "name"), Is.EqualTo(new[] { $"{seed.Prefix}-a.txt", $"{seed.Prefix}-b.txt" }));
        Assert.That(seed.Names(data["large"]), Is.EqualTo("C"));
        Assert.That(data["large"]![0]!["bytes"]!.GetValue<string>(), Is.EqualTo("30"));
    }

    [Test]
    public async Task OperationNamePicksOneOperation()
    {
        var seed = await SeedAsync();
        var query = $$$"""
            query First { files(filter: {title: {_starts_with: {{{Lit(seed.Prefix)}}}}}, sort: ["filesize"], limit: 1) { id } }
            query Last { files(filter: {title: {_starts_with: {{{Lit(seed.Prefix)}}}}}, sort: ["-filesize"], limit: 1) { id } }
            """;
        Assert.That(seed.Names((await DataAsync(app, query, operationName: "Last"))["files"]), Is.EqualTo("C"));
        Assert.That(seed.Names((await DataAsync(app, query, operationName: "First"))["files"]), Is.EqualTo("A"));
    }

    [Test]
    public async Task FilesByIdReturnsTheFile()
    {
        var seed = await SeedAsync();
        var data = await DataAsync(app, "query($id: ID!) { files_by_id(id: $id) { id title } }", new { id = seed.Ids['B'] });
        Assert.That(data["files_by_id"]!["title"]!.GetValue<string>(), Is.EqualTo($"{seed.Prefix} Beta"));
    }

    [TestCase("00000000-0000-4000-8000-000000000000")]
    [TestCase("not-a-uuid")]
    [TestCase("")]
    public async Task FilesByIdOfNoFileIsNull(string id)
    {
        var data = await DataAsync(app, "query($id: ID!) { files_by_id(id: $id) { id } }", new { id });
        Assert.That(data.ContainsKey("files_by_id"), Is.True);
        Assert.That(data["files_by_id"], Is.Null);
    }

    [Test]
    public async Task GetFormTakesQueryVariablesAndOperationName()
    {
        var seed = await SeedAsync();
        var query = "query Q($p: String) { files(filter: {title: {_starts_with: $p}}, sort: [\"filesize\"]) { id } }";
        var variables = new JsonObject { ["p"] = seed.Prefix }.ToJsonString();
        using var response = await client.GetAsync($"{GraphQLPath}?query={Q(query)}&variables={Q(variables)}&operationName=Q");
        Assert.That(seed.Names((await ResultAsync(response))["files"]), Is.EqualTo("ABC"));
    }

    [Test]
    public async Task GetFormRefusesAMutation()
    {
        var seed = await SeedAsync();
        var mutation = $"mutation {{ update_files_item(id: {Lit(seed.Ids['A'])}, data: {{title: \"via GET\"}}) {{ id }} }}";
        using var response = await client.GetAsync($"{GraphQLPath}?query={Q(mutation)}");
        await AssertErrorAsync(response, HttpStatusCode.MethodNotAllowed, "METHOD_NOT_ALLOWED");
        var file = await DataAsync(await client.GetAsync($"/files/{seed.Ids['A']}"));
        Assert.That(Str(file, "title"), Is.EqualTo($"{seed.Prefix} Alpha"));
    }

    [Test]
    public async Task GetFormWithMalformedVariablesIsInvalidQuery()
    {
        using var response = await client.GetAsync($"{GraphQLPath}?query={Q("{ files { id } }")}&variables={Q("{not json")}");
        await AssertErrorAsync(response, HttpStatusCode.BadRequest, "INVALID_QUERY");
    }

    [Test]
    public async Task ApplicationGraphQLBodyIsTheQuery()
    {
        var seed = await SeedAsync();
        var query = $"{{ files(filter: {{title: {{_starts_with: {Lit(seed.Prefix)}}}}}, sort: [\"filesize\"]) {{ id }} }}";
        using var response = await client.PostAsync(GraphQLPath, new StringContent(query, Encoding.UTF8, "application/graphql"));
        Assert.That(seed.Names((await ResultAsync(response))["files"]), Is.EqualTo("ABC"));
    }

    [TestCase("""{"filesize":{"_eq":"abc"}}""")]
    [TestCase("""{"filesize":{}}""")]
    [TestCase("""{"filesize":{"_between":[1]}}""")]
    public async Task FilterTheParserRefusesIsAnInvalidQueryError(string condition)
    {
        var filter = JsonNode.Parse(condition);
        var response = await PostAsync(client, "query($f: directus_files_filter) { files(filter: $f) { id } }", new { f = filter });
        var body = await FieldErrorAsync(response, "INVALID_QUERY");
        Assert.That(body["errors"]![0]!["path"]!.AsArray().Select(p => p!.GetValue<string>()), Is.EqualTo(new[] { "files" }));
    }

    [TestCase("sort: [\"bogus\"]")]
    [TestCase("limit: -2")]
    [TestCase("page: 0")]
    public async Task ListArgumentTheParserRefusesIsAnInvalidQueryError(string arguments)
    {
        var response = await PostAsync(client, $"{{ files({arguments}) {{ id }} }}");
        await FieldErrorAsync(response, "INVALID_QUERY");
    }

    [Test]
    public async Task FilterNestedPastTheParsersBoundIsRefused()
    {
        var filter = new JsonObject { ["filesize"] = new JsonObject { ["_gt"] = 1 } };
        for (var i = 0; i < 12; i++) filter = new JsonObject { ["_and"] = new JsonArray(filter) };
        var response = await PostAsync(client, "query($f: directus_files_filter) { files(filter: $f) { id } }", new { f = filter });
        await FieldErrorAsync(response, "INVALID_QUERY");
    }
}
