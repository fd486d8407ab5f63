using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using AssetServer.Files.Query;
using AssetServer.Tests.Support;
using Dapper;

namespace AssetServer.Tests.Files.Query;

/// <summary>
/// Issue 21: over 50,000 rows, each list a library of a million files asks for is answered from an index, as the real
/// statements are built, on the database the stack runs: every indexed sort both ways without a sort step, the common
/// filters with newest first, substring tests through the trigram index, counts and a group-by from an index alone.
/// </summary>
public class FileQueryPlanTests : SeededFilesFixture
{
    /// <summary>The sortable fields with an index of their own (010_query_indexes.sql).</summary>
    private static readonly string[] IndexedSorts =
        ["uploaded_on", "created_on", "modified_on", "title", "filename_download", "type", "filesize", "width", "height", "duration", "numeric_id"];

    private static IEnumerable<TestCaseData> Sorts() =>
        IndexedSorts.SelectMany(f => new[] { new TestCaseData(f, f), new TestCaseData("-" + f, f) });

    [TestCaseSource(nameof(Sorts))]
    public async Task EveryIndexedSortReadsItsIndexWithoutSorting(string sort, string field)
    {
        var plan = await PlanAsync(new JsonObject { ["sort"] = sort, ["limit"] = 25 }, forbidSort: true);
        Assert.That(plan, Does.Contain($"files_by_{field}"), plan);
        AssertNoSortStep(plan);
    }

    [TestCase("id")]
    [TestCase("-id")]
    public async Task SortByIdReadsAnIndexWithoutSorting(string sort)
    {
        var plan = await PlanAsync(new JsonObject { ["sort"] = sort, ["limit"] = 25 }, forbidSort: true);
        Assert.That(plan, Does.Contain(TestDatabase.IsPostgres ? "files_by_id" : "sqlite_autoindex_files_1"), plan);
        AssertNoSortStep(plan);
    }

    [Test]
    public async Task DefaultPageReadsNewestFirstFromAnIndex()
    {
        var plan = await PlanAsync(new JsonObject { ["limit"] = 25 }, forbidSort: true);
        Assert.That(plan, Does.Contain("files_by_uploaded_on"), plan);
        AssertNoSortStep(plan);
    }

    [TestCase("type", "video/mp4", "files_type_newest")]
    [TestCase("folder", "f0000000-0000-4000-8000-000000000001", "files_folder_newest")]
    public async Task AFilteredPageNewestFirstIsReadInOrderFromAnIndex(string field, string value, string index)
    {
        var plan = await PlanAsync(new JsonObject
        {
            ["filter"] = new JsonObject { [field] = new JsonObject { ["_eq"] = value } },
            ["limit"] = 25, ["page"] = 40,
        }, forbidSort: true);
        // A value on a quarter of the rows is as quick to find walking newest first; either index keeps the order.
        Assert.That(plan, Does.Contain(index).Or.Contain("files_by_uploaded_on"), plan);
        AssertNoSortStep(plan);
    }

    [TestCase("type", "video/mp4", "files_type_newest")]
    [TestCase("folder", "f0000000-0000-4000-8000-000000000001", "files_folder_newest")]
    public async Task ADeepPageSkipsItsOffsetInTheIndexAlone(string field, string value, string index)
    {
        var plan = await PlanAsync(new JsonObject
        {
            ["filter"] = new JsonObject { [field] = new JsonObject { ["_eq"] = value } }, ["limit"] = 25, ["page"] = 100,
        });
        Assert.That(plan, Does.Contain(index).Or.Contain("files_by_uploaded_on"), plan);
        // PostgreSQL: the page's ids first (index-only once VACUUM has run, as at a million rows), then 25 rows by key.
        if (TestDatabase.IsPostgres) Assert.That(plan, Does.Contain("Index Scan using files_pkey"), plan);
        AssertNoTableScan(plan);
    }

    [TestCase("image/")]
    [TestCase("video/")]
    public async Task AMimeGroupNewestFirstReadsItsCompositeIndex(string group)
    {
        var plan = await PlanAsync(new JsonObject
        {
            ["filter"] = new JsonObject { ["type"] = new JsonObject { ["_starts_with"] = group } }, ["limit"] = 25,
        }, forbidSort: true);
        Assert.That(plan, Does.Contain("files_mime_group_newest").Or.Contain("files_by_uploaded_on"), plan);
        AssertNoSortStep(plan);
        AssertNoTableScan(plan);
    }

    // Rare terms, as a search usually is: for a common one, walking newest first is as quick and the planner may.
    [TestCase("harbour 2000")]
    [TestCase("no such word")]
    public async Task SearchAsksTheTrigramIndex(string term)
    {
        var plan = await PlanAsync(new JsonObject { ["search"] = term, ["limit"] = 25 });
        Assert.That(plan, Does.Contain(TestDatabase.IsPostgres ? "files_search_title" : "files_search VIRTUAL TABLE"), plan);
        AssertNoTableScan(plan);
    }

    // "harbour": 50 files of 50,000 (title and description); "beach": 1 in 13, past SearchHits.Few. SQLite counts the
    // hits first (SearchHits); PostgreSQL walks the first SearchHits.Few files of the order and, short of a page, reads
    // the hits first (FileQuerySql.BuildWalk).
    [TestCase("-filesize")]
    [TestCase("title")]
    [TestCase("-uploaded_on")]
    public async Task ARareWordIsFoundThroughTheTrigramIndexFirstAndSorted(string sort)
    {
        var json = new JsonObject { ["search"] = "harbour", ["sort"] = sort, ["limit"] = 25 };
        SearchHits? hits;
        if (TestDatabase.IsPostgres)
        {
            Assert.That((await WalkAsync(json)).Rows, Is.LessThan(25), "the walk comes back short");
            hits = SearchHits.ReadFirst;
        }
        else
        {
            hits = await ProbeAsync(json);
            Assert.That(hits!.Count, Is.EqualTo(50));
            Assert.That(JsonNode.Parse(hits.Ids!)!.AsArray(), Has.Count.EqualTo(50), "the probe read the hits' ids");
        }
        var plan = await PlanAsync(json, hits: hits);
        if (TestDatabase.IsPostgres) Assert.That(plan, Does.Contain("Bitmap Index Scan on files_search_title"), plan);
        else
        {
            // The probe's ids, each looked up by numeric_id: the trigram table is not asked a second time.
            Assert.That(plan, Does.Contain("SEARCH files USING INDEX files_numeric_id (numeric_id=?)"), plan);
            Assert.That(plan, Does.Contain("json_each VIRTUAL TABLE"), plan);
            Assert.That(plan, Does.Not.Contain("files_search"), plan);
        }
        Assert.That(plan, Does.Not.Contain("files_by_" + sort.TrimStart('-')), plan);
        AssertNoTableScan(plan);
    }

    [Test]
    public async Task ARareWordAndAFilterReadTheProbesIdsFirst()
    {
        if (TestDatabase.IsPostgres) Assert.Ignore("SQLite's probe");
        var json = new JsonObject
        {
            ["search"] = "harbour", ["meta"] = "filter_count",
            ["filter"] = new JsonObject { ["type"] = new JsonObject { ["_eq"] = "image/jpeg" } },
        };
        var hits = await ProbeAsync(json);
        foreach (var count in new[] { true, false })
        {
            // The ids first, then their rows: not the type's half of the files tested against the list.
            var plan = await PlanAsync(json, count: count, hits: hits);
            Assert.That(plan, Does.StartWith("SCAN json_each VIRTUAL TABLE"), plan);
            Assert.That(plan, Does.Contain("SEARCH files USING INDEX files_numeric_id (numeric_id=?)"), plan);
            Assert.That(plan, Does.Not.Contain("files_search").And.Not.Contain("files_type_newest").And.Not.Contain("files_by_type"), plan);
            AssertNoTableScan(plan);
        }
        var query = app.Service<FileQueryParser>().Parse(json, QueryTable.Files);
        using var database = FileRowSeeder.DatabaseOf(app);
        await using var connection = await database.OpenAsync();
        var probed = FileQuerySql.Build(query, database.Provider, hits: hits);
        var counted = FileQuerySql.Build(query, database.Provider);
        Assert.That(await connection.ExecuteScalarAsync<long>(probed.Count, probed.Parameters),
            Is.EqualTo(await connection.ExecuteScalarAsync<long>(counted.Count, counted.Parameters)).And.EqualTo(50));
    }

    [TestCase("-filesize")]
    [TestCase("title")]
    [TestCase("-uploaded_on")]
    public async Task ACommonWordWalksTheOrdersIndexTestingEachRow(string sort)
    {
        var json = new JsonObject { ["search"] = "beach", ["sort"] = sort, ["limit"] = 25 };
        string plan;
        if (TestDatabase.IsPostgres)
        {
            var (walkPlan, rows) = await WalkAsync(json);
            Assert.That(rows, Is.EqualTo(25), "the walk fills the page");
            plan = walkPlan;
        }
        else
        {
            var hits = await ProbeAsync(json);
            Assert.That(hits!.Count, Is.EqualTo(SearchHits.ProbeLimit), "the probe stops one past the few");
            plan = await PlanAsync(json, forbidSort: true, hits: hits);
        }
        Assert.That(plan, Does.Contain("files_by_" + sort.TrimStart('-')), plan);
        Assert.That(plan, Does.Not.Contain("files_search"), plan);
        AssertNoSortStep(plan);
    }

    [Test]
    public async Task AFarPageOfACommonWordReadsItsHitsFirst()
    {
        var json = new JsonObject { ["search"] = "beach", ["sort"] = "-filesize", ["limit"] = 25, ["page"] = 80 };
        var query = app.Service<FileQueryParser>().Parse(json, QueryTable.Files);
        Assert.That(FileQuerySql.BuildWalk(query, AssetServer.Data.DatabaseProvider.Postgres), Is.Null);
        if (TestDatabase.IsPostgres) Assert.Ignore("PostgreSQL's planner chooses the far page's plan by its estimate");
        var plan = await PlanAsync(json, hits: await ProbeAsync(json));
        Assert.That(plan, Does.Contain("files_search VIRTUAL TABLE"), plan);
    }

    [Test]
    public async Task TheProbeCountsThroughTheTrigramIndexAlone()
    {
        var query = app.Service<FileQueryParser>().Parse(new JsonObject { ["search"] = "beach" }, QueryTable.Files);
        Assert.That(FileQuerySql.BuildSearchProbe(query, AssetServer.Data.DatabaseProvider.Postgres), Is.Null, "PostgreSQL walks instead");
        if (TestDatabase.IsPostgres) Assert.Ignore("SQLite's probe");
        var (sql, parameters) = FileQuerySql.BuildSearchProbe(query, AssetServer.Data.DatabaseProvider.Sqlite)!.Value;
        var plan = await ExplainAsync(sql, parameters);
        Assert.That(plan, Does.Contain("files_search VIRTUAL TABLE"), plan);
        Assert.That(plan, Does.Not.Contain("files_by_"), plan);
        AssertNoTableScan(plan);
    }

    [Test]
    public async Task FilterCountOfARareWordIsTheProbesCount()
    {
        if (TestDatabase.IsPostgres) Assert.Ignore("SQLite's probe");
        var json = new JsonObject { ["search"] = "harbour", ["meta"] = "filter_count" };
        var query = app.Service<FileQueryParser>().Parse(json, QueryTable.Files);
        using var database = FileRowSeeder.DatabaseOf(app);
        var statement = FileQuerySql.Build(query, database.Provider, hits: await ProbeAsync(json));
        Assert.That(statement.Count, Is.EqualTo("SELECT 50"));
        await using var connection = await database.OpenAsync();
        var counted = FileQuerySql.Build(query, database.Provider);
        Assert.That(await connection.ExecuteScalarAsync<long>(counted.Count, counted.Parameters), Is.EqualTo(50));
    }

    [Test]
    public async Task AShortSearchScansNewestFirstAndStopsAtThePage()
    {
        var plan = await PlanAsync(new JsonObject { ["search"] = "zq", ["limit"] = 25 });
        Assert.That(plan, Does.Contain("files_by_uploaded_on"), plan);
        AssertNoSortStep(plan);
    }

    [TestCase(false)]
    [TestCase(true)]
    public async Task AShortSearchReadsAtMostItsBoundNewestFirst(bool count)
    {
        // Files:ShortSearchRows: the first rows in order from the index, then the test on them (no sort, no table scan).
        var plan = await PlanAsync(new JsonObject { ["search"] = "zq", ["limit"] = 25, ["meta"] = "filter_count" }, count: count, shortSearchRows: 3_000);
        AssertNoSortStep(plan);
        // SQLite reads the bounded rows as a co-routine (its "SCAN files" is of that, by the derived table's name).
        if (TestDatabase.IsPostgres) AssertNoTableScan(plan);
        else Assert.That(plan, Does.Contain("CO-ROUTINE files\nSCAN files USING INDEX files_by_uploaded_on"), plan);
        Assert.That(plan, Does.Contain("files_by_uploaded_on"), plan);
    }

    [TestCase("title", "_icontains", "HARBOUR 2000")]
    [TestCase("title", "_contains", "harbour 2000")]
    [TestCase("filename_download", "_icontains", "img_4242")]
    [TestCase("description", "_istarts_with", "taken by the harbour")]
    [TestCase("title", "_ends_with", "our 2000")]
    public async Task SubstringFiltersAskTheTrigramIndex(string field, string op, string value)
    {
        var plan = await PlanAsync(new JsonObject
        {
            ["filter"] = new JsonObject { [field] = new JsonObject { [op] = value } }, ["limit"] = 25,
        });
        Assert.That(plan, Does.Contain(TestDatabase.IsPostgres ? $"files_search_{field}" : "files_search VIRTUAL TABLE"), plan);
        AssertNoTableScan(plan);
    }

    [Test]
    public async Task StartsWithIsARangeOfTheSortIndex()
    {
        var plan = await PlanAsync(new JsonObject
        {
            ["filter"] = new JsonObject { ["title"] = new JsonObject { ["_starts_with"] = "harbour 1" } }, ["limit"] = 25,
        });
        Assert.That(plan, Does.Contain("files_by_title"), plan);
        AssertNoTableScan(plan);
    }

    [Test]
    public async Task FilterCountOfATypeReadsKeptCountsOrAnIndexOnly()
    {
        var plan = await PlanAsync(new JsonObject
        {
            ["filter"] = new JsonObject { ["type"] = new JsonObject { ["_eq"] = "image/png" } }, ["meta"] = "filter_count",
        }, count: true);
        Assert.That(plan, Does.Contain("type_counts").And.Not.Contain("files"), plan);
    }

    [Test]
    public async Task FilterCountOfEveryFileReadsTheKeptTotal()
    {
        var plan = await PlanAsync(new JsonObject { ["meta"] = "filter_count" }, count: true);
        Assert.That(plan, Does.Contain("row_counts").And.Not.Contain(" files"), plan);
    }

    [Test]
    public async Task FilterCountOfATypeAndMoreCountsAnIndex()
    {
        var plan = await PlanAsync(new JsonObject
        {
            ["filter"] = new JsonObject { ["type"] = new JsonObject { ["_eq"] = "image/png" }, ["width"] = new JsonObject { ["_gt"] = 0 } },
            ["meta"] = "filter_count",
        }, count: true);
        Assert.That(plan, Does.Not.Contain("type_counts"), plan);
        Assert.That(plan, Does.Match(TestDatabase.IsPostgres ? "Index.* on files_(type_newest|by_type)" : "INDEX files_(type_newest|by_type)"), plan);
    }

    [Test]
    public async Task CountByTypeReadsKeptCountsOrAnIndexOnly()
    {
        var plan = await PlanAsync(new JsonObject
        {
            ["aggregate"] = new JsonObject { ["count"] = "*" }, ["groupBy"] = new JsonArray("type"),
        }, aggregate: true);
        Assert.That(plan, Does.Contain("type_counts").And.Not.Contain("files"), plan);
    }

    [Test]
    public async Task CountByTypeOfSomeFilesReadsAnIndexOnly()
    {
        var plan = await PlanAsync(new JsonObject
        {
            ["aggregate"] = new JsonObject { ["count"] = "*" }, ["groupBy"] = new JsonArray("type"),
            ["filter"] = new JsonObject { ["type"] = new JsonObject { ["_in"] = new JsonArray("image/png", "video/mp4") } },
        }, aggregate: true);
        AssertIndexOnType(plan);
    }

    /// <summary>
    /// The plan of the statement the query makes. On PostgreSQL a whole-table read is forbidden, to see which index the
    /// planner can use, and with <paramref name="forbidSort"/> a sort step too: one is then planned only when no index
    /// gives the ORDER BY as written (its collation and NULL placement included).
    /// </summary>
    private async Task<string> PlanAsync(JsonObject json, bool count = false, bool aggregate = false, bool forbidSort = false, int? shortSearchRows = null, SearchHits? hits = null)
    {
        var parser = app.Service<FileQueryParser>();
        var query = aggregate ? parser.ParseAggregate(json) : parser.Parse(json, QueryTable.Files);
        using var database = FileRowSeeder.DatabaseOf(app);
        string sql;
        DynamicParameters parameters;
        if (aggregate)
            (sql, parameters) = FileQuerySql.BuildAggregate(query, database.Provider) switch { var s => (s.Select, s.Parameters) };
        else
            (sql, parameters) = FileQuerySql.Build(query with { ReadFields = query.Fields }, database.Provider, shortSearchRows: shortSearchRows, hits: hits) switch { var s => (count ? s.Count : s.Select, s.Parameters) };
        return await ExplainAsync(sql, parameters, forbidSort);
    }

    private Task<SearchHits?> ProbeAsync(JsonObject json) => FileRowSeeder.ProbeAsync(app, json);

    /// <summary>PostgreSQL's bounded walk of a search's page: its plan, and how many rows it found.</summary>
    private async Task<(string Plan, int Rows)> WalkAsync(JsonObject json)
    {
        var query = app.Service<FileQueryParser>().Parse(json, QueryTable.Files);
        using var database = FileRowSeeder.DatabaseOf(app);
        var walk = FileQuerySql.BuildWalk(query with { ReadFields = query.Fields }, database.Provider)!;
        await using var connection = await database.OpenAsync();
        var rows = (await connection.QueryAsync(walk.Select, walk.Parameters)).Count();
        return (await ExplainAsync(walk.Select, walk.Parameters, forbidSort: true), rows);
    }

    private async Task<string> ExplainAsync(string sql, DynamicParameters parameters, bool forbidSort = false)
    {
        using var database = FileRowSeeder.DatabaseOf(app);
        await using var connection = await database.OpenAsync();
        if (database.IsPostgres)
        {
            await connection.ExecuteAsync("SET enable_seqscan = off");
            if (forbidSort) await connection.ExecuteAsync("SET enable_sort = off");
            return string.Join("\n", await connection.QueryAsync<string>("EXPLAIN " + sql, parameters));
        }
        var rows = await connection.QueryAsync("EXPLAIN QUERY PLAN " + sql, parameters);
        return string.Join("\n", rows.Select(r => (string)((IDictionary<string, object>)r)["detail"]));
    }

    /// <summary>SQLite's "USE TEMP B-TREE FOR ORDER BY", PostgreSQL's Sort or Incremental Sort node.</summary>
    private static void AssertNoSortStep(string plan)
    {
        Assert.That(plan, Does.Not.Contain("TEMP B-TREE"), plan);
        Assert.That(Regex.IsMatch(plan, @"(^|->\s+)(Incremental )?Sort\s+\(", RegexOptions.Multiline), Is.False, plan);
    }

    /// <summary>
    /// SQLite reads the index alone. PostgreSQL does too once VACUUM has marked the pages all-visible, which a busy shared
    /// server's open transactions may hold back; so only the index on type is asserted there.
    /// </summary>
    private static void AssertIndexOnType(string plan)
    {
        Assert.That(plan, Does.Match(TestDatabase.IsPostgres ? "Index.* on files_(type_newest|by_type)" : "COVERING INDEX files_(type_newest|by_type)"), plan);
        AssertNoTableScan(plan);
    }

    private static void AssertNoTableScan(string plan)
    {
        Assert.That(Regex.IsMatch(plan, @"^SCAN files$", RegexOptions.Multiline), Is.False, plan);
        Assert.That(plan, Does.Not.Contain("Seq Scan on files"), plan);
    }
}
