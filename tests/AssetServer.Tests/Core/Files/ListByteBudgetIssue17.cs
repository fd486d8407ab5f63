using System.Net;
using System.Text;
using AssetServer.Data;
using AssetServer.Files.Query;
using AssetServer.Tests.Support;
using static AssetServer.Tests.Files.FilesKit;

namespace AssetServer.Tests.Files;

/// <summary>
/// Issue 17: every list answer has a byte budget (<c>Files:MaxResponseBytes</c>), charged in the query layer as rows
/// are read, whatever the dialect. A list refused before it starts is a 413; one already streaming is cut, so no client
/// takes part of a list for the whole. Only the columns of the fields asked for are read, and charged.
/// </summary>
[NonParallelizable]
public class ListByteBudgetIssue17 : AdminAppFixture
{
    private const int Budget = 50_000, Rows = 8, RowBytes = 30_000, BigRowBytes = 60_000;

    private string prefix = null!, big = null!;

    protected override AssetServerApp CreateApp() => new(("Files:MaxResponseBytes", Budget.ToString()));

    [OneTimeSetUp]
    public async Task UploadRows()
    {
        prefix = Unique("lb");
        var metadata = "{\"note\":\"" + new string('m', RowBytes) + "\"}";
        for (var i = 0; i < Rows; i++)
            await app.UploadOkAsync(TextBytes(10), $"{prefix}-{i}.txt", "text/plain", ("title", $"{prefix} {i}"), ("metadata", metadata));
        // One row alone over the budget: refused before the answer starts.
        big = Unique("lbbig");
        await app.UploadOkAsync(TextBytes(10), $"{big}.txt", "text/plain", ("title", big), ("description", new string('d', BigRowBytes)));
    }

    private string Own(string fields) => $"/files?limit=-1&filter[title][_starts_with]={prefix}&fields={fields}";

    [Test]
    public async Task AListOfOnlySmallColumnsFitsBecauseOnlyTheyAreRead()
    {
        // The rows hold 240 KB of metadata, over the 50 KB budget: only reading id and title alone lets this through.
        var rows = (await DataAsync(await client.GetAsync(Own("id,title")))).AsArray();
        Assert.That(rows, Has.Count.EqualTo(Rows));
    }

    [Test]
    public async Task AListPastTheBudgetAfterItStartedIsCut()
    {
        // The first rows are out before the budget is spent: no status can say so any more, so the transfer is broken off.
        var cut = Assert.CatchAsync(async () =>
        {
            using var response = await client.GetAsync(Own("id,metadata"), HttpCompletionOption.ResponseHeadersRead);
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            await response.Content.ReadAsStringAsync();
        });
        TestContext.Out.WriteLine($"cut: {cut}");
        Assert.That(cut, Is.InstanceOf<HttpRequestException>().Or.InstanceOf<IOException>());
        // The server is fine afterwards.
        Assert.That((await DataAsync(await client.GetAsync(Own("id")))).AsArray(), Has.Count.EqualTo(Rows));
    }

    [Test]
    public async Task AListOverTheBudgetBeforeItStartsIsA413NamingTheBudget()
    {
        using var response = await client.GetAsync($"/files?filter[title][_eq]={big}&fields=id,description");
        var error = await AssertErrorAsync(response, HttpStatusCode.RequestEntityTooLarge, "CONTENT_TOO_LARGE");
        Assert.That(error["message"]!.GetValue<string>(), Does.Contain("Files:MaxResponseBytes").And.Contain(Budget.ToString()));
        // Without the large column the same row is a small answer.
        Assert.That((await DataAsync(await client.GetAsync($"/files?filter[title][_eq]={big}&fields=id,title"))).AsArray(), Has.Count.EqualTo(1));
    }

    [Test]
    public async Task SearchIsChargedAsTheList()
    {
        using var body = new StringContent($"{{\"query\":{{\"filter\":{{\"title\":{{\"_eq\":\"{big}\"}}}},\"fields\":[\"id\",\"description\"]}}}}", Encoding.UTF8, "application/json");
        using var response = await client.SendAsync(new HttpRequestMessage(new HttpMethod("SEARCH"), "/files") { Content = body });
        await AssertErrorAsync(response, HttpStatusCode.RequestEntityTooLarge, "CONTENT_TOO_LARGE");
    }

    [TestCase("/_/files?filter[title][eq]={0}")]
    [TestCase("/api/upload/files?filters[name][$eq]={0}.txt")]
    [TestCase("/api/upload/files/page?filters[name][$eq]={0}.txt")]
    [TestCase("/upload/files?name_contains={0}")]
    public async Task EveryDialectsListIsCharged(string route)
    {
        // v8 and Strapi objects are made from the whole row, so the whole row is read and charged.
        using var response = await client.GetAsync(string.Format(route, big));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.RequestEntityTooLarge), await response.Content.ReadAsStringAsync());
    }
}

/// <summary>The select list of a list statement follows <see cref="FileQuery.ReadFields"/> (issue 17).</summary>
public class ListColumnsUnitTests
{
    [TestCase(DatabaseProvider.Sqlite)]
    [TestCase(DatabaseProvider.Postgres)]
    public void OnlyTheColumnsOfTheAskedFieldsAreSelected(DatabaseProvider dialect)
    {
        var sql = FileQuerySql.Build(new FileQuery { ReadFields = ["title", "upload_url", "filesize_kb"] }, dialect).Select;
        Assert.That(sql, Does.StartWith("SELECT id, title, upload_hash, upload_ext, filesize FROM files "));
        Assert.That(sql, Does.Not.Contain("metadata"));
    }

    [Test]
    public void WithoutReadFieldsTheWholeRowIsSelected()
    {
        var sql = FileQuerySql.Build(new FileQuery(), DatabaseProvider.Sqlite).Select;
        Assert.That(sql, Does.StartWith($"SELECT {FileRepository.Columns} FROM files "));
    }

    [Test]
    public void TheBudgetRefusesPastItsLimitAndNamesIt()
    {
        var budget = new ReadBudget(100, "Files:MaxResponseBytes");
        budget.Charge(60);
        budget.Charge(40);
        var error = Assert.Throws<AssetServer.Errors.ApiException>(() => budget.Charge(1))!;
        Assert.That(error.Status, Is.EqualTo(413));
        Assert.That(error.Message, Does.Contain("Files:MaxResponseBytes"));
        Assert.That(budget.Exhausted, Is.True);
        Assert.Throws<AssetServer.Errors.ApiException>(budget.EnsureLeft);
    }
}
