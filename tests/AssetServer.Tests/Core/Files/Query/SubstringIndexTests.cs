using System.Net;
using System.Text.Json.Nodes;
using AssetServer.Data;
using AssetServer.Tests.Support;
using Dapper;
using static AssetServer.Tests.Files.FilesKit;

namespace AssetServer.Tests.Files.Query;

/// <summary>
/// Issue 21: the trigram index only narrows where to look, so every answer equals the whole-table scan's: case folding
/// beyond ASCII, LIKE's own wildcards, quotes, emoji, nulls, terms shorter than a trigram. Each list is asked through
/// <c>GET /files</c> and compared with the scan predicate the query layer used before the index, run over the table.
/// </summary>
public class SubstringIndexTests : AdminAppFixture
{
    private static readonly string?[] Titles =
    [
        "École d'été", "ÉCOLE", "straße", "STRASSE", "İstanbul", "ıştırap", "KELVIN \u212A", "ΣΟΦΟΣ σοφός",
        "🐟fish🐟 🐠", "100%_done", "a_b%c", "say \"hi\"", "Ǆemal ǅ ǆ", "Ωmega \u2126 ohm", "ﬁne ligature",
        "ＦＵＬＬ width", "naïve café", "NAÏVE CAFÉ", "x", "  spaced  out  ", null,
    ];

    private static readonly string[] Terms =
    [
        "éco", "ÉCO", "école", "stra", "trasse", "ße", "İst", "ist", "ıştı", "kelvin k", "\u212A", "σοφ", "ΣΟΦ", "όσ",
        "🐟fi", "fish🐟", "0%_", "%_d", "_b%", "\"hi", "ǆem", "ǅ", "ω", "ohm", "ﬁne", "ｆｕｌｌ", "ïve", "CAFÉ", "cafe",
        "xx", "é", "d out", "  s", "'ét", "nothing here",
    ];

    private static readonly string[] Operators = ["_contains", "_icontains", "_starts_with", "_istarts_with", "_ends_with", "_iends_with"];

    private Database database = null!;

    [OneTimeSetUp]
    public async Task UploadTrickyTitles()
    {
        database = FileRowSeeder.DatabaseOf(app);
        foreach (var (title, i) in Titles.Select((t, i) => (t, i)))
        {
            var file = await app.UploadOkAsync(TextBytes(5), $"f{i}.txt", "text/plain",
                title is null ? [] : [("title", title)]);
            if (title is null)
            {
                using var cleared = await client.SendAsync(Request("PATCH", "/files/" + Str(file, "id"), Json("""{"title":null}""")));
                Assert.That(cleared.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            }
        }
    }

    [OneTimeTearDown]
    public void CloseDatabase() => database.Dispose();

    private static IEnumerable<string> TermCases() => Terms;

    [TestCaseSource(nameof(TermCases))]
    public async Task SearchAnswersAsTheScanDoes(string term)
    {
        var lowered = term.ToLowerInvariant();
        var scan = await ScanAsync(string.Join(" OR ", FilesSearchable.Select(f => $"{Instr($"lower({f})", "@t")} > 0")), new { t = lowered });
        Assert.That(await ListAsync("search=" + Q(term)), Is.EquivalentTo(scan));
    }

    /// <summary>
    /// Issue 21: the semantics pinned, not only compared with the scan: case-insensitive substring with Unicode case
    /// folding (invariant lower-casing, no accent or width folding, "ß" is not "ss"), answered from the trigram table
    /// alone on SQLite, through its ASCII fast path for short ASCII terms.
    /// </summary>
    [TestCase("école", new[] { "École d'été", "ÉCOLE" })]
    [TestCase("CAFÉ", new[] { "naïve café", "NAÏVE CAFÉ" })]
    [TestCase("ÏVE C", new[] { "naïve café", "NAÏVE CAFÉ" })]
    [TestCase("σοφ", new[] { "ΣΟΦΟΣ σοφός" })]
    [TestCase("strasse", new[] { "STRASSE" })]
    [TestCase("cafe", new string[0])]
    [TestCase("é", new[] { "École d'été", "ÉCOLE", "naïve café", "NAÏVE CAFÉ" })]
    [TestCase("CO", new[] { "École d'été", "ÉCOLE" })]
    [TestCase("_d", new[] { "100%_done" })]
    public async Task SearchFoldsCaseAcrossScriptsOnly_Issue21(string term, string[] titles)
    {
        using var response = await client.GetAsync("/files?fields=title&limit=-1&search=" + Q(term));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var found = (await DataAsync(response)).AsArray().Select(r => (string?)r!["title"]).Where(t => t is not null && Titles.Contains(t));
        Assert.That(found, Is.EquivalentTo(titles));
    }

    private static IEnumerable<TestCaseData> FilterCases() =>
        Terms.SelectMany(t => Operators.Select(op => new TestCaseData(op, t)));

    [TestCaseSource(nameof(FilterCases))]
    public async Task TitleFiltersAnswerAsTheScanDoes(string op, string term)
    {
        var column = op.StartsWith("_i", StringComparison.Ordinal) ? "lower(title)" : "title";
        var value = op.StartsWith("_i", StringComparison.Ordinal) ? "lower(@t)" : "@t";
        var predicate = op switch
        {
            "_contains" or "_icontains" => $"{Instr(column, value)} > 0",
            "_starts_with" or "_istarts_with" => $"{Instr(column, value)} = 1",
            _ => $"length({column}) >= length({value}) AND substr({column}, length({column}) - length({value}) + 1) = {value}",
        };
        var scan = await ScanAsync(predicate, new { t = term });
        var filter = new JsonObject { ["title"] = new JsonObject { [op] = term } };
        Assert.That(await ListAsync("filter=" + Q(filter.ToJsonString())), Is.EquivalentTo(scan));
    }

    [TestCase("text/")]
    [TestCase("text")]
    [TestCase("image/")]
    [TestCase("/")]
    [TestCase("text/p")]
    public async Task MimeGroupsAnswerAsTheScanDoes(string prefix)
    {
        var scan = await ScanAsync($"{Instr("type", "@t")} = 1", new { t = prefix });
        var filter = new JsonObject { ["type"] = new JsonObject { ["_starts_with"] = prefix } };
        Assert.That(await ListAsync("filter=" + Q(filter.ToJsonString())), Is.EquivalentTo(scan));
        if (prefix.StartsWith("text", StringComparison.Ordinal)) Assert.That(scan, Is.Not.Empty);
    }

    [TestCase("_icontains", "ÉCO")]
    [TestCase("_contains", "🐟")]
    public async Task NegatedFiltersLeaveNullsOutAsTheScanDoes(string op, string term)
    {
        var filter = new JsonObject { ["_not"] = new JsonObject { ["title"] = new JsonObject { [op] = term } } };
        var answer = await ListAsync("filter=" + Q(filter.ToJsonString()));
        var column = op == "_icontains" ? "lower(title)" : "title";
        var value = op == "_icontains" ? "lower(@t)" : "@t";
        var scan = await ScanAsync($"NOT ({Instr(column, value)} > 0)", new { t = term });
        Assert.That(answer, Is.EquivalentTo(scan));
        Assert.That(answer, Has.Count.LessThan(Titles.Length - 1), "the null title is left out");
    }

    private static readonly string[] FilesSearchable = ["title", "filename_download", "description", "location", "tags", "type"];

    private static string Instr(string haystack, string needle) =>
        TestDatabase.IsPostgres ? $"strpos({haystack}, {needle})" : $"instr({haystack}, {needle})";

    private async Task<List<string>> ScanAsync(string predicate, object parameters)
    {
        await using var connection = await database.OpenAsync();
        return (await connection.QueryAsync<string>($"SELECT id FROM files WHERE {predicate}", parameters)).ToList();
    }

    private async Task<List<string>> ListAsync(string query)
    {
        using var response = await client.GetAsync("/files?fields=id&limit=-1&" + query);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), query);
        return Ids(await DataAsync(response));
    }
}

/// <summary>Issue 21: the search index and <c>total_count</c> follow every write, in its own transaction.</summary>
public class SubstringIndexWriteTests : AdminAppFixture
{
    [Test]
    public async Task AnEditedTitleIsFoundByItsNewWordsOnly()
    {
        var before = Unique("oldword");
        var after = Unique("newword");
        var file = await app.UploadOkAsync(TextBytes(5), "w.txt", "text/plain", ("title", before));
        var id = Str(file, "id");
        Assert.That(await SearchAsync(before), Is.EqualTo(new[] { id }));

        using (var patched = await client.SendAsync(Request("PATCH", "/files/" + id, Json(new JsonObject { ["title"] = after.ToUpperInvariant() }.ToJsonString()))))
            Assert.That(patched.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await SearchAsync(before), Is.Empty);
        Assert.That(await SearchAsync(after), Is.EqualTo(new[] { id }));

        using (var deleted = await client.DeleteAsync("/files/" + id))
            Assert.That(deleted.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
        Assert.That(await SearchAsync(after), Is.Empty);
    }

    [Test]
    public async Task TotalCountFollowsUploadsAndDeletes()
    {
        var start = await TotalCountAsync();
        var first = await app.UploadOkAsync(TextBytes(5), "a.txt", "text/plain");
        await app.UploadOkAsync(TextBytes(5), "b.txt", "text/plain");
        Assert.That(await TotalCountAsync(), Is.EqualTo(start + 2));
        using (var deleted = await client.DeleteAsync("/files/" + Str(first, "id")))
            Assert.That(deleted.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
        Assert.That(await TotalCountAsync(), Is.EqualTo(start + 1));
        using (var counted = await client.GetAsync("/files?limit=0&meta=filter_count"))
            Assert.That((await BodyAsync(counted))["meta"]!["filter_count"]!.GetValue<long>(), Is.EqualTo(start + 1), "filter_count without a filter");

        using var database = FileRowSeeder.DatabaseOf(app);
        await using var connection = await database.OpenAsync();
        Assert.That(await TotalCountAsync(), Is.EqualTo(await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM files")));
    }

    [Test]
    public async Task CountsByTypeFollowUploadsAndDeletes()
    {
        var png = await app.UploadOkAsync(TestImages.Png(4, 4), "p.png", "image/png");
        var text = await app.UploadOkAsync(TextBytes(5), "t.txt", "text/plain");
        await app.UploadOkAsync(TextBytes(5), "u.txt", "text/plain");
        using (var deleted = await client.DeleteAsync("/files/" + Str(text, "id")))
            Assert.That(deleted.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));

        using var database = FileRowSeeder.DatabaseOf(app);
        await using var connection = await database.OpenAsync();
        // A type changed in place (an update statement), and one back: the counts move with it.
        await connection.ExecuteAsync("UPDATE files SET type = 'text/x-moved' WHERE id = @id", new { id = Str(png, "id") });
        using var response = await client.GetAsync("/files?aggregate[count]=*&groupBy[]=type");
        var answered = (await DataAsync(response)).AsArray()
            .ToDictionary(g => g!["type"]!.GetValue<string>(), g => long.Parse(g!["count"]!.ToString()));
        var counted = (await connection.QueryAsync<(string Type, long Count)>("SELECT type, COUNT(*) FROM files GROUP BY type"))
            .ToDictionary(r => r.Type, r => r.Count);
        Assert.That(answered, Is.EquivalentTo(counted));
        Assert.That(counted["text/x-moved"], Is.EqualTo(1));
        Assert.That(counted["text/plain"], Is.GreaterThanOrEqualTo(1));
        // One type's filter_count, read from the same kept counts on SQLite; a type no file has counts none.
        foreach (var (type, expected) in counted.Append(new("no/such-type", 0)))
        {
            using var filtered = await client.GetAsync($"/files?limit=0&meta=filter_count&filter[type][_eq]={Uri.EscapeDataString(type)}");
            Assert.That((await BodyAsync(filtered))["meta"]!["filter_count"]!.GetValue<long>(), Is.EqualTo(expected), type);
        }
    }

    private async Task<long> TotalCountAsync()
    {
        using var response = await client.GetAsync("/files?limit=0&meta=total_count");
        return (await BodyAsync(response))["meta"]!["total_count"]!.GetValue<long>();
    }

    private async Task<List<string>> SearchAsync(string term)
    {
        using var response = await client.GetAsync("/files?fields=id&search=" + Q(term));
        return Ids(await DataAsync(response));
    }
}

/// <summary>
/// Issue 21: a search term below a trigram is a scan, bounded by <c>Files:ShortSearchRows</c>: it looks at the first
/// that many files of the list in its order (filter applied), however large the library.
/// </summary>
public class ShortSearchTests
{
    [Test]
    public async Task AShortTermLooksAtTheFirstFilesOfTheListOnly_Issue21()
    {
        using var app = new AssetServerApp(("Files:ShortSearchRows", "3"));
        using var client = app.AdminClient();
        // Newest last: "qzx 5" is the newest file.
        var ids = new List<string>();
        for (var i = 1; i <= 5; i++)
            ids.Add(Str(await app.UploadOkAsync(TextBytes(5), $"s{i}.txt", "text/plain", ("title", $"qzx {i}")), "id"));

        async Task<(List<string> Ids, long Count)> SearchAsync(string query)
        {
            using var response = await client.GetAsync("/files?fields=id&limit=-1&meta=filter_count&" + query);
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), query);
            var body = await BodyAsync(response);
            return (Ids(body["data"]!), body["meta"]!["filter_count"]!.GetValue<long>());
        }

        // The three newest files, and the count within them.
        Assert.That(await SearchAsync("search=QZ"), Is.EqualTo((new List<string> { ids[4], ids[3], ids[2] }, 3L)));
        // In the list's own order: the first three by title.
        var byTitle = await SearchAsync("search=qz&sort=title");
        Assert.That(byTitle.Ids, Is.EqualTo(new[] { ids[0], ids[1], ids[2] }));
        // The filter applies before the bound: the first three files that pass it.
        var filtered = await SearchAsync("search=qz&filter[title][_neq]=qzx 5");
        Assert.That(filtered.Ids, Is.EqualTo(new[] { ids[3], ids[2], ids[1] }));
        // A term of three characters or more is answered over every file.
        Assert.That((await SearchAsync("search=qzx")).Count, Is.EqualTo(5));
    }
}
