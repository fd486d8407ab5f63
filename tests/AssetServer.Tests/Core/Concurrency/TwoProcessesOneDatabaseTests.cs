using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using AssetServer.Data;
using AssetServer.Tests.Support;

namespace AssetServer.Tests.Concurrency;

/// <summary>
/// Issue 8: the server keeps rows and worked-out asset headers in memory. A write committed by another process on
/// the same SQLite file, or the same PostgreSQL database (here the test process itself, beside a server in its own
/// process) must be seen by the very next request, with nothing to tell the server but the database.
/// </summary>
public class TwoProcessesOneDatabaseTests
{
    [Test]
    public async Task AWriteByAnotherProcessIsSeenByTheNextRequest_Issue8()
    {
        var data = Path.Combine(Path.GetTempPath(), "assetserver-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(data);
        using (var server = await ServerProcess.StartAsync(data))
        {
            using var admin = server.AdminClient();
            using var form = new MultipartFormDataContent();
            var part = new ByteArrayContent(TestImages.Png(30, 20));
            part.Headers.ContentType = new MediaTypeHeaderValue("image/png");
            form.Add(part, "file", "first.png");
            var upload = await admin.PostAsync("/files", form);
            Assert.That(upload.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            var id = JsonNode.Parse(await upload.Content.ReadAsStringAsync())!["data"]!["id"]!.GetValue<string>();

            using var anonymous = new HttpClient { BaseAddress = server.BaseAddress };
            async Task<string?> NameAsync(string url) =>
                (await anonymous.GetAsync(url)).Content.Headers.ContentDisposition?.FileName?.Trim('"');
            var urls = new[] { $"/assets/{id}?download", $"/assets/{id}?width=10&download" };
            for (var warm = 0; warm < 3; warm++)
                foreach (var url in urls) Assert.That(await NameAsync(url), Is.EqualTo("first.png"));

            using var database = TestDatabase.For(data);
            for (var round = 1; round <= 5; round++)
            {
                await using (var connection = await database.OpenAsync())
                {
                    Assert.That(await Dapper.SqlMapper.ExecuteAsync(connection,
                        "UPDATE files SET filename_download = @name WHERE id = @id", new { name = $"renamed-{round}.png", id }), Is.EqualTo(1));
                }
                foreach (var url in urls) Assert.That(await NameAsync(url), Is.EqualTo($"renamed-{round}.png"), $"round {round}, {url}");
            }

            await using (var connection = await database.OpenAsync())
            {
                await Dapper.SqlMapper.ExecuteAsync(connection, "DELETE FROM files WHERE id = @id", new { id });
            }
            foreach (var url in urls) Assert.That((await anonymous.GetAsync(url)).StatusCode, Is.EqualTo(HttpStatusCode.Forbidden), url);
        }
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(data, recursive: true);
        }
        catch (IOException)
        {
            // The OS cleans the temp folder.
        }
    }
}
