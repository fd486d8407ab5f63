using System.Text.Json.Nodes;
using AssetServer.Data;
using AssetServer.Errors;
using AssetServer.Files;
using AssetServer.Files.Query;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace AssetServer.Tests.Files.Query;

public class FileQueryParserUnitTests
{
    private readonly FileQueryParser parser = new(new FilesOptions { DefaultLimit = 100, MaxLimit = 1000 });

    private static QueryCollection Query(params (string Key, string Value)[] pairs) =>
        new(pairs.GroupBy(p => p.Key).ToDictionary(g => g.Key, g => new StringValues(g.Select(p => p.Value).ToArray())));

    [Test]
    public void BracketAndJsonFiltersGiveTheSameTree()
    {
        var bracket = parser.Parse(Query(("filter[_and][0][type][_eq]", "image/png"), ("filter[_and][1][width][_gte]", "300")));
        var json = parser.Parse(Query(("filter", """{"_and":[{"type":{"_eq":"image/png"}},{"width":{"_gte":300}}]}""")));
        Assert.That(FileQuerySql.Build(bracket, DatabaseProvider.Sqlite).Select, Is.EqualTo(FileQuerySql.Build(json, DatabaseProvider.Sqlite).Select));
        var group = (FilterGroup)bracket.Filter!;
        Assert.That(group.IsAnd, Is.True);
        Assert.That(group.Children, Has.Count.EqualTo(2));
    }

    [Test]
    public void ValuesNeverReachTheSqlText()
    {
        var query = parser.Parse(Query(("filter[title][_eq]", "x' OR '1'='1"), ("search", "%' --")));
        var sql = FileQuerySql.Build(query, DatabaseProvider.Sqlite);
        Assert.That(sql.Select, Does.Not.Contain("OR '1'='1"));
        Assert.That(sql.Select, Does.Not.Contain("--"));
        Assert.That(sql.Parameters.ParameterNames, Is.Not.Empty);
    }

    [TestCase("limit", "abc")]
    [TestCase("limit", "-5")]
    [TestCase("offset", "-1")]
    [TestCase("page", "0")]
    [TestCase("page", "abc")]
    [TestCase("fields", "bogus")]
    [TestCase("sort", "-bogus")]
    [TestCase("meta", "everything")]
    [TestCase("filter", "{not json")]
    [TestCase("filter", """{"bogus":{"_eq":1}}""")]
    [TestCase("filter", """{"title":{"_bogus":1}}""")]
    [TestCase("filter", """{"filesize":{"_contains":"1"}}""")]
    [TestCase("filter", """{"filesize":{"_gt":"big"}}""")]
    [TestCase("filter", """{"title":"plain"}""")]
    [TestCase("unknown", "1")]
    public void BadParametersAreInvalidQuery(string key, string value)
    {
        var error = Assert.Throws<ApiException>(() => parser.Parse(Query((key, value))))!;
        Assert.That(error.Code, Is.EqualTo("INVALID_QUERY"));
        Assert.That(error.Status, Is.EqualTo(400));
    }

    [Test]
    public void DeepNestingIsRefused()
    {
        JsonNode filter = new JsonObject { ["title"] = new JsonObject { ["_eq"] = "x" } };
        for (var i = 0; i < 50; i++) filter = new JsonObject { ["_and"] = new JsonArray(filter) };
        var error = Assert.Throws<ApiException>(() => parser.Parse(Query(("filter", filter.ToJsonString()))))!;
        Assert.That(error.Code, Is.EqualTo("INVALID_QUERY"));
    }

    [Test]
    public void PageTurnsIntoOffsetAndLimitIsCapped()
    {
        var query = parser.Parse(Query(("limit", "25"), ("page", "3")));
        Assert.That(query.Offset, Is.EqualTo(50));
        Assert.That(parser.Parse(Query(("limit", "-1"))).Limit, Is.EqualTo(1000));
        Assert.That(parser.Parse(Query(("limit", "5000"))).Limit, Is.EqualTo(1000));
        Assert.That(parser.Parse(Query()).Limit, Is.EqualTo(100));
    }

    [Test]
    public void SortAddsIdAsTieBreakerAndDefaultsToNewestFirst()
    {
        // Issue 21: the tie-breaker runs the way the last key does, so one (field, id) index answers both directions.
        var sorted = parser.Parse(Query(("sort", "filesize,-title")));
        Assert.That(sorted.Sort, Is.EqualTo(new[] { new SortKey("filesize", false), new SortKey("title", true), new SortKey("id", true) }));
        Assert.That(parser.Parse(Query(("sort", "title"))).Sort, Is.EqualTo(new[] { new SortKey("title", false), new SortKey("id", false) }));
        Assert.That(parser.Parse(Query()).Sort, Is.EqualTo(FileQuery.DefaultSort));
    }

    [Test]
    public void FieldsAcceptCommaListsAndArrays()
    {
        Assert.That(parser.Parse(Query(("fields", "id,title"))).Fields, Is.EqualTo(new[] { "id", "title" }));
        Assert.That(parser.Parse(Query(("fields[]", "id"), ("fields[]", "type"))).Fields, Is.EqualTo(new[] { "id", "type" }));
        Assert.That(parser.Parse(Query(("fields", "*"))).Fields, Is.EqualTo(FileQuery.DefaultFields));
    }

    [Test]
    public void InListsComeFromCommasOrArrays()
    {
        var fromCommas = (FilterCondition)parser.Parse(Query(("filter[type][_in]", "image/gif,image/png"))).Filter!;
        var fromArray = (FilterCondition)parser.Parse(Query(("filter", """{"type":{"_in":["image/gif","image/png"]}}"""))).Filter!;
        Assert.That(fromCommas.Value!.ToJsonString(), Is.EqualTo("""["image/gif","image/png"]"""));
        Assert.That(fromArray.Value!.ToJsonString(), Is.EqualTo(fromCommas.Value.ToJsonString()));
    }
}
