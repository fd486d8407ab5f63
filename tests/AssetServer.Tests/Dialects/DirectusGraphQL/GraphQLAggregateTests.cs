using System.Text.Json.Nodes;
using AssetServer.Tests.Support;
using static AssetServer.Tests.Files.FilesKit;
using static AssetServer.Tests.GraphQL.GraphQLKit;

namespace AssetServer.Tests.GraphQL;

/// <summary>
/// <c>files_aggregated</c>: <c>countAll</c>, <c>count</c>, <c>countDistinct</c>, <c>sum</c>, <c>avg</c>, <c>min</c>,
/// <c>max</c> (and the distinct forms) over the rows a filter selects, with and without <c>groupBy</c>. Each test
/// uploads four files of its own: two texts (10 and 30 bytes) and two PNGs (8×6 and 4×2).
/// </summary>
public class GraphQLAggregateTests : AdminAppFixture
{
    private sealed record Seed(string Prefix, long TextBytes, long PngBytes)
    {
        public string Filter => $"filter: {{title: {{_starts_with: {Lit(Prefix)}}}}}";
    }

    private async Task<Seed> SeedAsync()
    {
        var p = Unique("agg");
        byte[] wide = TestImages.Png(8, 6), small = TestImages.Png(4, 2);
        await app.UploadOkAsync(TextBytes(10), "a.txt", "text/plain", ("title", $"{p} a"), ("focal_point_x", "2"), ("location", "Oslo"));
        await app.UploadOkAsync(TextBytes(30), "b.txt", "text/plain", ("title", $"{p} b"), ("focal_point_x", "4"), ("location", "Oslo"));
        await app.UploadOkAsync(wide, "c.png", "image/png", ("title", $"{p} c"), ("focal_point_x", "6"), ("location", "Rome"));
        await app.UploadOkAsync(small, "d.png", "image/png", ("title", $"{p} d"));
        return new Seed(p, 40, wide.Length + small.Length);
    }

    private async Task<JsonArray> AggregatedAsync(string arguments, string selection) =>
        (await DataAsync(app, $"{{ files_aggregated({arguments}) {{ {selection} }} }}"))["files_aggregated"]!.AsArray();

    [Test]
    public async Task CountsOverTheFilteredRows()
    {
        var seed = await SeedAsync();
        var result = await AggregatedAsync(seed.Filter, "group countAll count { id width location } countDistinct { type location }");
        Assert.That(result, Has.Count.EqualTo(1), "no groupBy: one result");
        var only = result[0]!;
        Assert.That(only["group"]!.AsObject(), Is.Empty);
        Assert.That(only["countAll"]!.GetValue<int>(), Is.EqualTo(4));
        Assert.That(only["count"]!["id"]!.GetValue<int>(), Is.EqualTo(4));
        Assert.That(only["count"]!["width"]!.GetValue<int>(), Is.EqualTo(2), "count skips nulls");
        Assert.That(only["count"]!["location"]!.GetValue<int>(), Is.EqualTo(3));
        Assert.That(only["countDistinct"]!["type"]!.GetValue<int>(), Is.EqualTo(2));
        Assert.That(only["countDistinct"]!["location"]!.GetValue<int>(), Is.EqualTo(2));
    }

    [Test]
    public async Task SumAvgMinMax()
    {
        var seed = await SeedAsync();
        var only = (await AggregatedAsync(seed.Filter,
            "sum { filesize focal_point_x } avg { focal_point_x width } min { focal_point_x width } max { focal_point_x width } sumDistinct { height } avgDistinct { height }"))[0]!;
        Assert.That(only["sum"]!["filesize"]!.GetValue<double>(), Is.EqualTo(seed.TextBytes + seed.PngBytes));
        Assert.That(only["sum"]!["focal_point_x"]!.GetValue<double>(), Is.EqualTo(12));
        Assert.That(only["avg"]!["focal_point_x"]!.GetValue<double>(), Is.EqualTo(4));
        Assert.That(only["avg"]!["width"]!.GetValue<double>(), Is.EqualTo(6));
        Assert.That(only["min"]!["focal_point_x"]!.GetValue<double>(), Is.EqualTo(2));
        Assert.That(only["min"]!["width"]!.GetValue<double>(), Is.EqualTo(4));
        Assert.That(only["max"]!["focal_point_x"]!.GetValue<double>(), Is.EqualTo(6));
        Assert.That(only["max"]!["width"]!.GetValue<double>(), Is.EqualTo(8));
        Assert.That(only["sumDistinct"]!["height"]!.GetValue<double>(), Is.EqualTo(8));
        Assert.That(only["avgDistinct"]!["height"]!.GetValue<double>(), Is.EqualTo(4));
    }

    [Test]
    public async Task GroupByTypeGivesOneResultPerType()
    {
        var seed = await SeedAsync();
        var result = await AggregatedAsync($"{seed.Filter}, groupBy: [\"type\"]", "group countAll sum { filesize width } max { width }");
        Assert.That(result.Select(r => r!["group"]!["type"]!.GetValue<string>()), Is.EqualTo(new[] { "image/png", "text/plain" }), "in groupBy order");
        var png = result[0]!;
        var text = result[1]!;
        Assert.That(png["countAll"]!.GetValue<int>(), Is.EqualTo(2));
        Assert.That(png["sum"]!["filesize"]!.GetValue<double>(), Is.EqualTo(seed.PngBytes));
        Assert.That(png["sum"]!["width"]!.GetValue<double>(), Is.EqualTo(12));
        Assert.That(png["max"]!["width"]!.GetValue<double>(), Is.EqualTo(8));
        Assert.That(text["countAll"]!.GetValue<int>(), Is.EqualTo(2));
        Assert.That(text["sum"]!["filesize"]!.GetValue<double>(), Is.EqualTo(seed.TextBytes));
        Assert.That(text["sum"]!["width"], Is.Null, "a sum over no values is null");
    }

    [Test]
    public async Task GroupByTwoFieldsSortedDescending()
    {
        var seed = await SeedAsync();
        var result = await AggregatedAsync($"{seed.Filter}, groupBy: [\"type\", \"location\"], sort: [\"-type\", \"location\"]", "group countAll");
        var groups = result.Select(r => $"{r!["group"]!["type"]}|{r["group"]!["location"]}|{r["countAll"]}");
        Assert.That(groups, Is.EqualTo(new[] { "text/plain|Oslo|2", "image/png||1", "image/png|Rome|1" }));
    }

    [Test]
    public async Task LimitAndOffsetPageTheGroups()
    {
        var seed = await SeedAsync();
        var result = await AggregatedAsync($"{seed.Filter}, groupBy: [\"type\"], limit: 1, offset: 1", "group countAll");
        Assert.That(result.Select(r => r!["group"]!["type"]!.GetValue<string>()), Is.EqualTo(new[] { "text/plain" }));
    }

    [Test]
    public async Task SearchNarrowsTheRows()
    {
        var seed = await SeedAsync();
        var only = (await AggregatedAsync($"{seed.Filter}, search: \"rome\"", "countAll"))[0]!;
        Assert.That(only["countAll"]!.GetValue<int>(), Is.EqualTo(1));
    }

    [Test]
    public async Task OnlyGroupSelectedStillCountsTheGroups()
    {
        var seed = await SeedAsync();
        var result = await AggregatedAsync($"{seed.Filter}, groupBy: [\"location\"]", "group");
        Assert.That(result.Select(r => r!["group"]!["location"]?.GetValue<string>()), Is.EqualTo(new[] { null, "Oslo", "Rome" }));
    }

    [Test]
    public async Task AliasesFragmentsAndVariables()
    {
        var seed = await SeedAsync();
        const string query = """
            query Stats($f: directus_files_filter, $by: [String]) {
              all: files_aggregated(filter: $f) { ...Totals }
              byType: files_aggregated(filter: $f, groupBy: $by) { group ...Totals ... on directus_files_aggregated { top: max { w: width } } }
            }
            fragment Totals on directus_files_aggregated { rows: countAll count { id } }
            """;
        var filter = new JsonObject { ["title"] = new JsonObject { ["_starts_with"] = seed.Prefix } };
        var data = await DataAsync(app, query, new { f = filter, by = new[] { "type" } });
        Assert.That(data["all"]![0]!["rows"]!.GetValue<int>(), Is.EqualTo(4));
        Assert.That(data["all"]![0]!["count"]!["id"]!.GetValue<int>(), Is.EqualTo(4));
        Assert.That(data["byType"]!.AsArray(), Has.Count.EqualTo(2));
        Assert.That(data["byType"]![0]!["top"]!["w"]!.GetValue<double>(), Is.EqualTo(8));
        Assert.That(data["byType"]![1]!["rows"]!.GetValue<int>(), Is.EqualTo(2));
    }

    [Test]
    public async Task NoMatchingRowsCountZero()
    {
        var only = (await AggregatedAsync($"filter: {{title: {{_eq: {Lit(Unique("none"))}}}}}", "countAll sum { filesize }"))[0]!;
        Assert.That(only["countAll"]!.GetValue<int>(), Is.EqualTo(0));
        Assert.That(only["sum"]!["filesize"], Is.Null);
    }

    [TestCase("groupBy: [\"bogus\"]")]
    [TestCase("groupBy: [\"type\"], sort: [\"filesize\"]")]
    [TestCase("filter: {filesize: {_gt: \"big\"}}")]
    public async Task ArgumentsTheParserRefusesAreInvalidQueryErrors(string arguments)
    {
        var response = await PostAsync(client, $"{{ files_aggregated({arguments}) {{ countAll }} }}");
        await FieldErrorAsync(response, "INVALID_QUERY");
    }

    [Test]
    public async Task SumOfATextFieldIsNotInTheSchema()
    {
        await ValidationErrorsAsync(await PostAsync(client, "{ files_aggregated { sum { title } } }"));
    }
}
