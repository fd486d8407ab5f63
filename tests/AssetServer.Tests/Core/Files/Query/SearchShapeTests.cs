using System.Net.Http.Json;
using System.Text.Json.Nodes;
using AssetServer.Files.Query;
using AssetServer.Tests.Support;
using Dapper;

namespace AssetServer.Tests.Files.Query;

/// <summary>
/// Issue 21: a search answers the same rows in the same order whichever shape its hits choose (read first and sorted,
/// or the order's index walked testing each row, or inline as the planner likes), for a rare and a common word, in
/// every sort order, on the database the stack runs.
/// </summary>
public class SearchShapeTests : SeededFilesFixture
{
    [OneTimeSetUp]
    public async Task MixCaseAndAccents()
    {
        using var database = FileRowSeeder.DatabaseOf(app);
        // Case and non-ASCII text the walked test must fold as the trigram table does.
        await database.WriteAsync((connection, tx) => connection.ExecuteAsync(
            """
            UPDATE files SET title = CASE numeric_id % 3 WHEN 0 THEN 'BEACH at noon' WHEN 1 THEN 'École Beach' ELSE 'Çay bEaCh' END
            WHERE numeric_id IN (SELECT numeric_id FROM files ORDER BY numeric_id LIMIT 30 OFFSET 100)
            """, transaction: tx));
    }

    private static readonly string[] Orders =
        ["uploaded_on", "created_on", "modified_on", "title", "filename_download", "type", "filesize", "width", "height", "duration", "numeric_id", "id"];

    private static IEnumerable<TestCaseData> Sorts() =>
        Orders.SelectMany(f => new[] { new TestCaseData(f), new TestCaseData("-" + f) }).Append(new TestCaseData((string?)null));

    [TestCaseSource(nameof(Sorts))]
    public async Task EveryShapeAnswersTheSameRowsInTheSameOrder(string? sort)
    {
        foreach (var term in new[] { "harbour", "beach", "école", "ÇAY" })
            foreach (var (page, filter) in new[] { (1, false), (3, false), (1, true) })
            {
                var json = new JsonObject { ["search"] = term, ["limit"] = 25, ["page"] = page };
                if (sort is not null) json["sort"] = sort;
                if (filter) json["filter"] = new JsonObject { ["type"] = new JsonObject { ["_eq"] = "image/jpeg" } };
                var inline = await IdsAsync(json, null);
                var what = $"{term} sort {sort} page {page} filter {filter}";
                if (page == 1) Assert.That(inline, Is.Not.Empty, what);
                Assert.That(await IdsAsync(json, new SearchHits(0)), Is.EqualTo(inline), what + ": read first");
                Assert.That(await IdsAsync(json, new SearchHits(SearchHits.ProbeLimit)), Is.EqualTo(inline), what + ": walked");
                // SQLite's probe: a rare word's page by the ids it read, a common word's walked.
                if (await ProbeAsync(json) is { } probed) Assert.That(await IdsAsync(json, probed), Is.EqualTo(inline), what + ": probed");
                // PostgreSQL's bounded walk is the page whenever it comes back full.
                if (await WalkedIdsAsync(json) is { Count: 25 } walked) Assert.That(walked, Is.EqualTo(inline), what + ": bounded walk");
            }
    }

    // "beach": 3,806 seeded titles and the 30 retitled, some of which were beach rows already.
    [TestCase("harbour", 50, 50)]
    [TestCase("beach", 3806, 3836)]
    [TestCase("çay", 10, 10)]
    public async Task ListAndFilterCountOverHttpAreTheScansAnswer(string term, int least, int most)
    {
        // A page of 25, and Files:DefaultLimit's 100 (PostgreSQL's walk then tests 2,000 files).
        foreach (var (sort, limit) in new[] { ("-uploaded_on", 25), ("-filesize", 25), ("title", 25), ("-filesize", 100) })
        {
            var answer = await client.GetFromJsonAsync<JsonObject>($"/files?search={Uri.EscapeDataString(term)}&sort={sort}&limit={limit}&fields=id&meta=filter_count");
            var json = new JsonObject { ["search"] = term, ["sort"] = sort, ["limit"] = limit };
            Assert.That(answer!["data"]!.AsArray().Select(r => (string)r!["id"]!), Is.EqualTo(await IdsAsync(json, null)), sort);
            Assert.That((long)answer["meta"]!["filter_count"]!, Is.EqualTo(await CountAsync(json)), sort);
        }
        Assert.That(await CountAsync(new JsonObject { ["search"] = term }), Is.InRange(least, most));
    }

    // Issue 21: Directus and v8 pages with their count run the probe once (its hits shared by the list and the count).
    [TestCase("/files?search=harbour&meta=filter_count&fields=id&limit=25")]
    [TestCase("/files?search=harbour&meta=filter_count,total_count&sort=-filesize&filter[type][_eq]=image/jpeg&limit=25")]
    [TestCase("/files?search=beach&meta=filter_count&fields=id&limit=25")]
    [TestCase("/_/files?q=harbour&meta=filter_count&limit=25")]
    public async Task AListWithItsCountRunsOneSearchProbe(string url)
    {
        var repository = app.Service<AssetServer.Data.FileRepository>();
        var before = repository.SearchProbes;
        using var response = await client.GetAsync(url);
        Assert.That(response.StatusCode, Is.EqualTo(System.Net.HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        var body = await response.Content.ReadAsStringAsync();
        Assert.That(body, Does.Contain("\"data\""));
        Assert.That(repository.SearchProbes - before, Is.EqualTo(TestDatabase.IsPostgres ? 0 : 1), "probes run by the request");
    }

    // The page is read after the probe: a file a write took the word out of in between is not answered.
    [Test]
    public async Task AHitThatLostItsWordAfterTheProbeIsLeftOut()
    {
        if (TestDatabase.IsPostgres) Assert.Ignore("SQLite's probe");
        using var database = FileRowSeeder.DatabaseOf(app);
        var ids = await database.WriteAsync(async (connection, tx) => (await connection.QueryAsync<string>(
            "UPDATE files SET title = 'zebrafish ' || numeric_id WHERE numeric_id IN (SELECT numeric_id FROM files ORDER BY numeric_id LIMIT 3 OFFSET 200) RETURNING id",
            transaction: tx)).Order(StringComparer.Ordinal).ToList());
        var json = new JsonObject { ["search"] = "zebrafish", ["sort"] = "id", ["limit"] = 25 };
        var probed = await ProbeAsync(json);
        Assert.That(probed!.Ids, Is.Not.Null);
        Assert.That(await IdsAsync(json, probed), Is.EqualTo(ids));
        await database.WriteAsync((connection, tx) => connection.ExecuteAsync("UPDATE files SET title = 'plain' WHERE id = @id", new { id = ids[1] }, tx));
        Assert.That(await IdsAsync(json, probed), Is.EqualTo(new[] { ids[0], ids[2] }));
        Assert.That(await IdsAsync(json, null), Is.EqualTo(new[] { ids[0], ids[2] }), "the scan's answer");
    }

    private Task<SearchHits?> ProbeAsync(JsonObject json) => FileRowSeeder.ProbeAsync(app, json);

    private async Task<List<string>> IdsAsync(JsonObject json, SearchHits? hits)
    {
        var query = app.Service<FileQueryParser>().Parse(json, QueryTable.Files) with { ReadFields = ["id"] };
        using var database = FileRowSeeder.DatabaseOf(app);
        var statement = FileQuerySql.Build(query, database.Provider, hits: hits);
        await using var connection = await database.OpenAsync();
        return (await connection.QueryAsync<string>(statement.Select, statement.Parameters)).ToList();
    }

    private async Task<List<string>?> WalkedIdsAsync(JsonObject json)
    {
        var query = app.Service<FileQueryParser>().Parse(json, QueryTable.Files) with { ReadFields = ["id"] };
        using var database = FileRowSeeder.DatabaseOf(app);
        if (FileQuerySql.BuildWalk(query, database.Provider) is not { } walk) return null;
        await using var connection = await database.OpenAsync();
        return (await connection.QueryAsync<string>(walk.Select, walk.Parameters)).ToList();
    }

    /// <summary>The count as written without a probe: every matching row counted.</summary>
    private async Task<long> CountAsync(JsonObject json)
    {
        var query = app.Service<FileQueryParser>().Parse(json, QueryTable.Files);
        using var database = FileRowSeeder.DatabaseOf(app);
        var statement = FileQuerySql.Build(query, database.Provider);
        await using var connection = await database.OpenAsync();
        return await connection.ExecuteScalarAsync<long>(statement.Count, statement.Parameters);
    }
}
