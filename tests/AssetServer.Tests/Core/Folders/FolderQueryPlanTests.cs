using System.Text.Json.Nodes;
using AssetServer.Files.Query;
using AssetServer.Folders;
using AssetServer.Tests.Support;
using Dapper;

namespace AssetServer.Tests.Folders;

/// <summary>
/// Issue 19: filters on folders are answered from indexes (files_folder, folders_parent, folders_name), on the database
/// the stack runs, as the real statements are built.
/// </summary>
public class FolderQueryPlanTests : AdminAppFixture
{
    private async Task<string> PlanAsync(string json, QueryTable table)
    {
        var parser = app.Service<FileQueryParser>();
        var query = parser.Parse(JsonNode.Parse(json)!.AsObject(), table);
        // The app's own database (on PostgreSQL the one its settings name, not one made anew for the folder).
        using var database = app.DatabaseConnectionString is { Length: > 0 } postgres ? AssetServer.Data.Database.Postgres(postgres) : TestDatabase.For(app.DataPath);
        var sql = FileQuerySql.Build(query with { ReadFields = query.Fields }, database.Provider);
        await using var connection = await database.OpenAsync();
        if (database.IsPostgres)
        {
            // Tiny test tables are cheapest to read whole; forbid that to see which index the planner can use.
            await connection.ExecuteAsync("SET enable_seqscan = off");
            return string.Join("\n", await connection.QueryAsync<string>("EXPLAIN " + sql.Select, sql.Parameters));
        }
        var rows = await connection.QueryAsync("EXPLAIN QUERY PLAN " + sql.Select, sql.Parameters);
        return string.Join("\n", rows.Select(r => (string)((IDictionary<string, object>)r)["detail"]));
    }

    [Test]
    public async Task FilesInAFolderNamedSoAreFoundByIndex()
    {
        var plan = await PlanAsync("""{"filter":{"folder":{"name":{"_eq":"Holiday"}}}}""", QueryTable.Files);
        Assert.That(plan, Does.Contain("folders_name"), plan);
        Assert.That(plan, Does.Contain("files_folder"), plan);
    }

    [Test]
    public async Task FilesInAFolderAreFoundByIndex()
    {
        var plan = await PlanAsync(new JsonObject { ["filter"] = new JsonObject { ["folder"] = new JsonObject { ["_eq"] = Guid.NewGuid().ToString() } } }.ToJsonString(), QueryTable.Files);
        Assert.That(plan, Does.Contain("files_folder"), plan);
    }

    [Test]
    public async Task SubFoldersAreFoundByIndex()
    {
        var plan = await PlanAsync(new JsonObject { ["filter"] = new JsonObject { ["parent"] = new JsonObject { ["_eq"] = Guid.NewGuid().ToString() } } }.ToJsonString(), FolderTable.Table);
        Assert.That(plan, Does.Contain("folders_parent"), plan);
    }
}
