using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using AssetServer.Tests.Support;
using static AssetServer.Tests.Files.FilesKit;
using static AssetServer.Tests.GraphQL.GraphQLKit;

namespace AssetServer.Tests.GraphQL;

/// <summary>
/// Issue 17: one request from a read token, 29 aliases of <c>files(limit: -1) { id }</c> over 1000 rows of 60 KB
/// metadata, took the server from 0.5 to 4.8 GB: every alias read every column of every row, and the complexity
/// counted rows × fields, not bytes. Here at a small scale: a 1 MiB <c>GraphQL:MaxResponseBytes</c> over 30 rows of
/// about 60 KB of metadata and as much description. The rows' metadata is written into the database directly, past
/// the reader's cap of 1 KiB: metadata larger than the cap, as scraped metadata may be, which only the
/// bytes charged as rows are read can catch.
/// </summary>
[NonParallelizable]
public class GraphQLByteBudgetIssue17 : AdminAppFixture
{
    private const int Budget = 1 << 20, Rows = 30, RowBytes = 60_000;

    private string prefix = null!;

    protected override AssetServerApp CreateApp() =>
        new(("GraphQL:MaxResponseBytes", Budget.ToString()), ("Files:MaxMetadataBytes", "1024"));

    /// <summary>A JSON object of short keys, about <paramref name="bytes"/> long.</summary>
    private static string Metadata(int bytes)
    {
        var json = new StringBuilder("{");
        for (var i = 0; json.Length < bytes - 32; i++) json.Append(i == 0 ? "" : ",").Append($"\"k{i:D5}\":\"value {i}\"");
        return json.Append('}').ToString();
    }

    [OneTimeSetUp]
    public async Task UploadRowsWithLargeMetadataAndDescriptions()
    {
        prefix = Unique("gb");
        var metadata = Metadata(RowBytes);
        var description = new string('d', RowBytes);
        for (var i = 0; i < Rows; i++)
            await app.UploadOkAsync(TextBytes(10), $"{prefix}-{i}.txt", "text/plain", ("title", $"{prefix} {i:D2}"));
        // Written behind the server's back, as a node with the default cap (or an older configuration) would have
        // (a data folder and its SQLite file belong to one server, issue 18).
        await using var connection = await app.Service<AssetServer.Data.Database>().OpenAsync();
        var updated = await Dapper.SqlMapper.ExecuteAsync(connection,
            "UPDATE files SET metadata = @metadata, description = @description WHERE title LIKE @like",
            new { metadata, description, like = prefix + " %" });
        Assert.That(updated, Is.EqualTo(Rows));
    }

    private string Own(string selection, int limit = Rows) =>
        $"files(filter: {{title: {{_starts_with: {Lit(prefix)}}}}}, limit: {limit}) {{ {selection} }}";

    private static string Aliases(int count, string field) =>
        "{ " + string.Join(' ', Enumerable.Range(0, count).Select(i => $"a{i}: {field}")) + " }";

    [Test]
    public async Task ManyAliasesOfLargeRowsAreRefusedBeforeAnythingRuns()
    {
        // 29 × 30 rows × the 65536 characters a description may hold: far past the budget on paper, so nothing is read.
        var errors = await ValidationErrorsAsync(await PostAsync(client, Aliases(29, Own("id description"))));
        var message = errors[0]!["message"]!.GetValue<string>();
        Assert.That(message, Does.Contain("GraphQL:MaxResponseBytes").And.Contain(Budget.ToString()));
    }

    [Test]
    public async Task ManyAliasesOfLargeRowsAreRefusedWith413OnceTheBudgetIsSpentAndMemoryStaysSmall()
    {
        // On paper each metadata is at most 1 KiB (the reader's cap), so the document passes the estimate; the rows hold
        // 60 KB each. Without the budget this reads 29 × 30 × 60 KB = 52 MB of rows and holds them all before writing any.
        var query = Aliases(29, Own("id metadata"));
        using (await PostAsync(client, query)) { } // JIT and pools warmed
        var before = GC.GetTotalAllocatedBytes(precise: true);
        using var response = await PostAsync(client, query);
        var error = await AssertErrorAsync(response, HttpStatusCode.RequestEntityTooLarge, "CONTENT_TOO_LARGE");
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - before;

        Assert.That(error["message"]!.GetValue<string>(), Does.Contain("GraphQL:MaxResponseBytes").And.Contain(Budget.ToString()));
        Assert.That(error["extensions"]!["limit"]!.GetValue<long>(), Is.EqualTo(Budget));
        TestContext.Out.WriteLine($"allocated {allocated} bytes for a refused request");
        // A few copies of the budget (rows read as UTF-16 strings, the statement's buffers), never the 52 MB of rows.
        Assert.That(allocated, Is.LessThan(12L * Budget), $"allocated {allocated} bytes");
    }

    [Test]
    public async Task SelectingIdOnlyNeverReadsTheLargeColumns()
    {
        // Thirty rows carry 1.8 MB of metadata and 1.8 MB of description, each alone past the 1 MiB budget: the answer
        // fits only because the statement reads the id column alone, and that is all the budget is charged.
        var data = await ResultAsync(await PostAsync(client, Aliases(5, Own("id"))));
        Assert.That(data["a0"]!.AsArray(), Has.Count.EqualTo(Rows));
        Assert.That(data["a4"]!.AsArray(), Has.Count.EqualTo(Rows));

        var id = data["a0"]![0]!["id"]!.GetValue<string>();
        var byId = "{ " + string.Join(' ', Enumerable.Range(0, 40).Select(i => $"b{i}: files_by_id(id: {Lit(id)}) {{ id title }}")) + " }";
        var one = await ResultAsync(await PostAsync(client, byId));
        Assert.That(one["b39"]!["title"]!.GetValue<string>(), Does.StartWith(prefix));

        // The same rows with metadata read are over the budget.
        await AssertErrorAsync(await PostAsync(client, $"{{ {Own("id metadata")} }}"), HttpStatusCode.RequestEntityTooLarge, "CONTENT_TOO_LARGE");
    }

    [Test]
    public async Task FilesByIdIsChargedToTheSameBudget()
    {
        var id = (await ResultAsync(await PostAsync(client, $"{{ {Own("id", 1)} }}")))["files"]![0]!["id"]!.GetValue<string>();
        var query = "{ " + string.Join(' ', Enumerable.Range(0, 20).Select(i => $"b{i}: files_by_id(id: {Lit(id)}) {{ id metadata }}")) + " }";
        await AssertErrorAsync(await PostAsync(client, query), HttpStatusCode.RequestEntityTooLarge, "CONTENT_TOO_LARGE");
    }

    [Test]
    public async Task ARequestWithinTheBudgetGetsItsLargeColumns()
    {
        var data = await ResultAsync(await PostAsync(client, $"{{ {Own("id title metadata description", 5)} }}"));
        var rows = data["files"]!.AsArray();
        Assert.That(rows, Has.Count.EqualTo(5));
        Assert.That(rows[0]!["metadata"]!["k00001"]!.GetValue<string>(), Is.EqualTo("value 1"));
        Assert.That(rows[0]!["description"]!.GetValue<string>(), Has.Length.EqualTo(RowBytes));
    }
}

/// <summary>
/// Issue 17: GraphQL JSON with a repeated key, in <c>variables</c> at any depth or at the top of the body, was a 500
/// (an <c>ArgumentException</c> from the converter). JSON with a repeated key is malformed, wherever it comes from: 400.
/// </summary>
public class GraphQLRepeatedKeyIssue17 : AdminAppFixture
{
    private async Task<HttpResponseMessage> PostRawAsync(string json) =>
        await client.PostAsync(GraphQLPath, new StringContent(json, Encoding.UTF8, "application/json"));

    [TestCase("""{"query":"query($n: Int) { files(limit: $n) { id } }","variables":{"n":1,"n":2}}""")]
    [TestCase("""{"query":"query($f: directus_files_filter) { files(filter: $f) { id } }","variables":{"f":{"title":{"_eq":"a","_eq":"b"}}}}""")]
    [TestCase("""{"query":"query($f: directus_files_filter) { files(filter: $f) { id } }","variables":{"f":{"_and":[{"title":{"_eq":"a"}},{"type":{"_eq":"x","_eq":"y"}}]}}}""")]
    [TestCase("""{"query":"mutation($d: update_directus_files_input!) { update_files_items(ids: [], data: $d) { id } }","variables":{"d":{"metadata":{"a":{"b":1,"b":2}}}}}""")]
    [TestCase("""{"query":"{ files(limit: 1) { id } }","query":"{ files(limit: 2) { id } }"}""")]
    [TestCase("""{"query":"{ files(limit: 1) { id } }","variables":{},"variables":{"n":1}}""")]
    public async Task RepeatedKeyInTheBodyIsA400(string json)
    {
        using var response = await PostRawAsync(json);
        var error = await AssertErrorAsync(response, HttpStatusCode.BadRequest, "INVALID_PAYLOAD");
        Assert.That(error["message"]!.GetValue<string>(), Does.Contain("Malformed JSON"));
    }

    [Test]
    public async Task RepeatedKeyInGetVariablesIsA400()
    {
        var query = Uri.EscapeDataString("query($n: Int) { files(limit: $n) { id } }");
        var variables = Uri.EscapeDataString("""{"n":1,"n":2}""");
        using var response = await client.GetAsync($"{GraphQLPath}?query={query}&variables={variables}");
        await AssertErrorAsync(response, HttpStatusCode.BadRequest, "INVALID_QUERY");
    }

    [Test]
    public async Task VariablesWithoutRepeatsStillWork()
    {
        using var response = await PostRawAsync("""{"query":"query($n: Int) { files(limit: $n) { id } }","variables":{"n":1}}""");
        await ResultAsync(response);
    }
}
