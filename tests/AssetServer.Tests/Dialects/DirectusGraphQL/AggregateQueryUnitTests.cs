using System.Text.Json.Nodes;
using AssetServer.Data;
using AssetServer.Errors;
using AssetServer.Files;
using AssetServer.Files.Query;

namespace AssetServer.Tests.GraphQL;

/// <summary>
/// The core's aggregate query, which <c>files_aggregated</c> builds: <see cref="FileQueryParser.ParseAggregate"/> checks
/// functions and fields against the allow-list, <see cref="FileQuerySql.BuildAggregate"/> writes one statement.
/// </summary>
public class AggregateQueryUnitTests
{
    private readonly FileQueryParser parser = new(new FilesOptions { DefaultLimit = 100, MaxLimit = 1000 });

    private FileQuery Parse(string json) => parser.ParseAggregate(JsonNode.Parse(json)!.AsObject());

    [Test]
    public void FunctionsFieldsAndGroupsInOrder()
    {
        var query = Parse("""{"aggregate":{"count":["*","id"],"sum":"filesize,width","countDistinct":["type"]},"groupBy":["type","location"]}""");
        Assert.That(query.Aggregates, Is.EqualTo(new[]
        {
            new FileAggregate("count", null), new FileAggregate("count", "id"), new FileAggregate("sum", "filesize"),
            new FileAggregate("sum", "width"), new FileAggregate("countDistinct", "type"),
        }));
        Assert.That(query.GroupBy, Is.EqualTo(new[] { "type", "location" }));
        Assert.That(query.Sort, Is.EqualTo(new[] { new SortKey("type", false), new SortKey("location", false) }), "groups in groupBy order");
        var sql = FileQuerySql.BuildAggregate(query, DatabaseProvider.Sqlite).Select;
        Assert.That(sql, Does.StartWith("SELECT type AS g0, location AS g1, COUNT(*) AS a0, COUNT(id) AS a1, SUM(filesize) AS a2, SUM(width) AS a3, COUNT(DISTINCT type) AS a4 FROM files"));
        Assert.That(sql, Does.Contain(" GROUP BY type, location ORDER BY type ASC, location ASC LIMIT @p0 OFFSET @p1"));
    }

    [Test]
    public void WithoutGroupsOneRowAndNoOrder()
    {
        var sql = FileQuerySql.BuildAggregate(Parse("""{"aggregate":{"avg":["width"],"min":["height"],"max":["height"],"avgDistinct":["width"],"sumDistinct":["width"]}}"""), DatabaseProvider.Sqlite).Select;
        Assert.That(sql, Is.EqualTo("SELECT AVG(width) AS a0, MIN(height) AS a1, MAX(height) AS a2, AVG(DISTINCT width) AS a3, SUM(DISTINCT width) AS a4 FROM files LIMIT @p0 OFFSET @p1"));
    }

    [Test]
    public void FilterAndSearchValuesAreParameters()
    {
        var query = Parse("""{"aggregate":{"count":"*"},"filter":{"title":{"_eq":"x' OR '1'='1"}},"search":"%' --","groupBy":"type","sort":"-type"}""");
        var sql = FileQuerySql.BuildAggregate(query, DatabaseProvider.Sqlite);
        Assert.That(sql.Select, Does.Not.Contain("OR '1'='1").And.Not.Contain("--"));
        Assert.That(sql.Select, Does.Contain("WHERE title = @p0 AND numeric_id IN (SELECT rowid FROM files_search").And.Contain("ORDER BY type DESC"));
        // The title, the search's trigram-index query (which alone answers it, issue 21), the limit and the offset.
        Assert.That(sql.Parameters.ParameterNames.Count(), Is.EqualTo(4));
    }

    [TestCase("""{}""", "aggregate")]
    [TestCase("""{"aggregate":{}}""", "aggregate")]
    [TestCase("""{"aggregate":{"median":["width"]}}""", "median")]
    [TestCase("""{"aggregate":{"sum":["title"]}}""", "title")]
    [TestCase("""{"aggregate":{"sum":["*"]}}""", "*")]
    [TestCase("""{"aggregate":{"count":["bogus"]}}""", "bogus")]
    [TestCase("""{"aggregate":{"count":[]}}""", "count")]
    [TestCase("""{"aggregate":{"count":"*"},"groupBy":["bogus"]}""", "bogus")]
    [TestCase("""{"aggregate":{"count":"*"},"groupBy":["type"],"sort":["width"]}""", "width")]
    [TestCase("""{"aggregate":{"count":"*"},"sort":["id"]}""", "id")]
    [TestCase("""{"aggregate":{"count":"*"},"groupBy":"id,storage,title,type,folder,width,height,location,charset"}""", "groupBy")]
    [TestCase("""{"aggregate":{"count":"*"},"limit":"many"}""", "limit")]
    public void RefusedAsInvalidQuery(string json, string named)
    {
        var error = Assert.Throws<ApiException>(() => Parse(json))!;
        Assert.That(error.Code, Is.EqualTo("INVALID_QUERY"));
        Assert.That(error.Message, Does.Contain(named));
    }

    [Test]
    public void AtMostSixtyFourAggregates()
    {
        var fields = FileFields.Visible.Select(f => f.Name).ToArray();
        var aggregate = new JsonObject { ["count"] = new JsonArray(fields.Select(f => (JsonNode?)f).ToArray()), ["countDistinct"] = new JsonArray(fields.Select(f => (JsonNode?)f).ToArray()) };
        Assert.That(parser.ParseAggregate(new JsonObject { ["aggregate"] = aggregate.DeepClone() }).Aggregates, Has.Count.EqualTo(50));
        aggregate["min"] = new JsonArray("width", "height", "filesize", "duration", "focal_point_x", "focal_point_y", "numeric_id", "filesize_kb", "width");
        aggregate["max"] = new JsonArray("width", "height", "filesize", "duration", "focal_point_x", "focal_point_y", "numeric_id");
        Assert.Throws<ApiException>(() => parser.ParseAggregate(new JsonObject { ["aggregate"] = aggregate }));
    }
}
