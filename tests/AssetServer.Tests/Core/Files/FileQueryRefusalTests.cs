using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using AssetServer.Tests.Support;
using static AssetServer.Tests.Files.FilesKit;

namespace AssetServer.Tests.Files;

/// <summary>Bad list queries are 400 INVALID_QUERY, never 500; values that look like SQL stay values.</summary>
public class FileQueryRefusalTests : AdminAppFixture
{
    [TestCase("filter={\"title\":")]
    [TestCase("filter=not-json")]
    [TestCase("filter=[1,2]")]
    [TestCase("filter=\"text\"")]
    [TestCase("filter={\"title\":{\"_bogus\":1}}")]
    [TestCase("filter[title][_bogus]=1")]
    [TestCase("filter={\"title\":\"x\"}")]
    [TestCase("filter={\"title\":{}}")]
    [TestCase("filter={\"bogus\":{\"_eq\":1}}")]
    [TestCase("filter[bogus][_eq]=1")]
    [TestCase("filter={\"filesize\":{\"_contains\":\"1\"}}")]
    [TestCase("filter={\"filesize\":{\"_eq\":\"abc\"}}")]
    [TestCase("filter={\"filesize\":{\"_between\":[1]}}")]
    [TestCase("filter={\"title\":{\"_in\":null}}")]
    [TestCase("filter={\"title\":{\"_eq\":{\"nested\":1}}}")]
    [TestCase("filter={\"_and\":{\"title\":{\"_eq\":1}}}")]
    [TestCase("filter={\"_or\":[1,2]}")]
    [TestCase("filter[title[_eq]=x")]
    [TestCase("fields=id,bogus")]
    [TestCase("fields[]=bogus")]
    [TestCase("fields=id;DROP TABLE files")]
    [TestCase("sort=bogus")]
    [TestCase("sort=-bogus")]
    [TestCase("sort=title;DROP TABLE files")]
    [TestCase("sort=title DESC")]
    [TestCase("limit=-5")]
    [TestCase("limit=abc")]
    [TestCase("limit=1.5")]
    [TestCase("limit=99999999999999")]
    [TestCase("offset=-1")]
    [TestCase("offset=abc")]
    [TestCase("page=0")]
    [TestCase("page=-1")]
    [TestCase("page=abc")]
    [TestCase("meta=bogus")]
    [TestCase("bogus=1")]
    public async Task BadQueryIsInvalidQuery(string query)
    {
        var rows = await app.RowCountAsync();
        using var response = await client.GetAsync("/files?" + EscapeValues(query));
        await AssertErrorAsync(response, HttpStatusCode.BadRequest, "INVALID_QUERY");
        Assert.That(await app.RowCountAsync(), Is.EqualTo(rows));
    }

    /// <summary>Escapes what follows each <c>=</c>, leaving the parameter names (brackets) readable.</summary>
    private static string EscapeValues(string query) =>
        string.Join('&', query.Split('&').Select(pair =>
        {
            var eq = pair.IndexOf('=');
            return eq < 0 ? pair : pair[..(eq + 1)] + Q(pair[(eq + 1)..]);
        }));

    [Test]
    public async Task BadQueryMessageFollowsDirectus()
    {
        using var response = await client.GetAsync("/files?filter=" + Q("""{"title":{"_bogus":1}}"""));
        var error = await AssertErrorAsync(response, HttpStatusCode.BadRequest, "INVALID_QUERY");
        Assert.That(error["message"]!.GetValue<string>(), Does.StartWith("Invalid query. "));
        Assert.That(error["message"]!.GetValue<string>(), Does.Contain("_bogus"));
    }

    [Test]
    public async Task DeeplyNestedJsonFilterIsRefusedNot500()
    {
        var filter = new StringBuilder();
        for (var i = 0; i < 50; i++) filter.Append("{\"_and\":[");
        filter.Append("{\"title\":{\"_eq\":\"x\"}}");
        for (var i = 0; i < 50; i++) filter.Append("]}");
        using var response = await client.GetAsync("/files?filter=" + Q(filter.ToString()));
        await AssertErrorAsync(response, HttpStatusCode.BadRequest, "INVALID_QUERY");
    }

    [Test]
    public async Task DeeplyNestedBracketFilterIsRefusedNot500()
    {
        var key = new StringBuilder("filter");
        for (var i = 0; i < 50; i++) key.Append("[_and][0]");
        key.Append("[title][_eq]");
        using var response = await client.GetAsync($"/files?{key}=x");
        await AssertErrorAsync(response, HttpStatusCode.BadRequest, "INVALID_QUERY");
    }

    [Test]
    public async Task DeeplyNestedSearchBodyIsRefusedNot500()
    {
        var filter = new StringBuilder();
        for (var i = 0; i < 50; i++) filter.Append("{\"_or\":[");
        filter.Append("{\"title\":{\"_eq\":\"x\"}}");
        for (var i = 0; i < 50; i++) filter.Append("]}");
        using var response = await client.SendAsync(Request("SEARCH", "/files", Json($"{{\"query\":{{\"filter\":{filter}}}}}")));
        Assert.That((int)response.StatusCode, Is.EqualTo(400), await response.Content.ReadAsStringAsync());
        var code = (await BodyAsync(response))["errors"]![0]!["extensions"]!["code"]!.GetValue<string>();
        Assert.That(code, Is.AnyOf("INVALID_QUERY", "INVALID_PAYLOAD"));
    }

    [Test]
    public async Task TooManyConditionsIsInvalidQuery()
    {
        var conditions = string.Join(",", Enumerable.Range(0, 200).Select(i => $"{{\"filesize\":{{\"_neq\":{i}}}}}"));
        using var response = await client.GetAsync("/files?filter=" + Q($"{{\"_and\":[{conditions}]}}"));
        await AssertErrorAsync(response, HttpStatusCode.BadRequest, "INVALID_QUERY");
    }

    private async Task<(string Prefix, string Id)> SeedAsync()
    {
        var p = Unique("sq");
        var file = await app.UploadOkAsync(TextBytes(12), "sql.txt", "text/plain", ("title", $"{p} x' OR '1'='1"));
        return (p, Str(file, "id"));
    }

    [Test]
    public async Task QuoteInFilterValueIsALiteral()
    {
        var (p, id) = await SeedAsync();
        var rows = await app.RowCountAsync();
        var missing = await DataAsync(await client.GetAsync($"/files?filter[title][_eq]={Q("x' OR '1'='1")}"));
        Assert.That(missing.AsArray(), Is.Empty, "the injection did not widen the match");
        var literal = await DataAsync(await client.GetAsync($"/files?filter[title][_eq]={Q($"{p} x' OR '1'='1")}"));
        Assert.That(Ids(literal), Is.EqualTo(new[] { id }), "the quote is matched as text");
        Assert.That(await app.RowCountAsync(), Is.EqualTo(rows));
    }

    [Test]
    public async Task SortInjectionLeavesTheTable()
    {
        await SeedAsync();
        var rows = await app.RowCountAsync();
        using var response = await client.GetAsync("/files?sort=" + Q("title;DROP TABLE files"));
        await AssertErrorAsync(response, HttpStatusCode.BadRequest, "INVALID_QUERY");
        Assert.That(await app.RowCountAsync(), Is.EqualTo(rows));
        Assert.That(rows, Is.GreaterThan(0));
    }

    [TestCase("%' --")]
    [TestCase("'; DROP TABLE files; --")]
    [TestCase("\") OR 1=1 --")]
    public async Task SearchInjectionMatchesNothing(string search)
    {
        var (p, _) = await SeedAsync();
        var rows = await app.RowCountAsync();
        var data = await DataAsync(await client.GetAsync($"/files?search={Q(search)}&filter[title][_starts_with]={Q(p)}"));
        Assert.That(data.AsArray(), Is.Empty);
        Assert.That(await app.RowCountAsync(), Is.EqualTo(rows));
    }

    [Test]
    public async Task FieldNameInjectionInFilterIsInvalidQuery()
    {
        await SeedAsync();
        var rows = await app.RowCountAsync();
        using var response = await client.GetAsync("/files?filter=" + Q("""{"title = title OR 1=1 --":{"_eq":"x"}}"""));
        await AssertErrorAsync(response, HttpStatusCode.BadRequest, "INVALID_QUERY");
        Assert.That(await app.RowCountAsync(), Is.EqualTo(rows));
    }

    [Test]
    public async Task AccessTokenParameterIsNotAnUnknownParameter()
    {
        using var anonymous = app.AnonymousClient();
        var data = await DataAsync(await anonymous.GetAsync($"/files?limit=1&access_token={AssetServerApp.AdminToken}"));
        Assert.That(data, Is.InstanceOf<JsonArray>());
    }
}
