using System.Text.Json.Nodes;
using AssetServer.Auth;
using AssetServer.Errors;
using AssetServer.Files;
using AssetServer.Files.Query;

namespace AssetServer.Folders;

/// <summary>
/// Directus's <c>/folders</c> routes (API.md "Folders"): the query language of <c>/files</c> over
/// <see cref="FolderTable"/>, writes through <see cref="FolderService"/>. Reads need a read token, writes a write token.
/// </summary>
public static class FoldersApi
{
    public static void MapFolders(this WebApplication app)
    {
        app.MapGet("/folders", List).RequireAccess(Access.Read);
        app.MapMethods("/folders", ["SEARCH"], Search).RequireAccess(Access.Read);
        app.MapGet("/folders/{id}", GetOne).RequireAccess(Access.Read);
        app.MapPost("/folders", Create).RequireAccess(Access.Write);
        app.MapPatch("/folders/{id}", UpdateOne).RequireAccess(Access.Write);
        app.MapPatch("/folders", UpdateMany).RequireAccess(Access.Write);
        app.MapDelete("/folders/{id}", DeleteOne).RequireAccess(Access.Write);
        app.MapDelete("/folders", DeleteMany).RequireAccess(Access.Write);
    }

    private static Task<IResult> List(HttpContext context, FolderService folders, FileQueryParser parser) =>
        ListResult(folders, parser.Parse(FileQueryParser.ToJson(context.Request.Query), FolderTable.Table), context.RequestAborted);

    /// <summary><c>SEARCH /folders</c>: the query in the body (<c>{"query":{…}}</c>).</summary>
    private static async Task<IResult> Search(HttpContext context, FolderService folders, FileQueryParser parser)
    {
        var body = await JsonBody.ReadObjectAsync(context.Request, context.RequestAborted);
        var query = body["query"] as JsonObject ?? (body.Count == 0 ? [] : throw ApiErrors.InvalidPayload("The body must be {\"query\": {…}}"));
        return await ListResult(folders, parser.Parse((JsonObject)query.DeepClone(), FolderTable.Table), context.RequestAborted);
    }

    private static async Task<IResult> ListResult(FolderService folders, FileQuery query, CancellationToken ct)
    {
        var meta = (await folders.CountAsync(query, ct)).ToMeta();
        var rows = folders.ListAsync(query, ct);
        var expansion = new FolderExpansion(folders, query.Expand);
        if (!expansion.Any) return JsonBody.DataStream(rows, (writer, folder) => folder.ToJson(query.Fields).WriteTo(writer), meta);
        return JsonBody.DataStream(Expanded(rows, expansion, query.Fields, ct), (writer, json) => json.WriteTo(writer), meta);
    }

    /// <summary>Each folder with its <c>parent</c> expanded (<c>fields=parent.name</c>), as the rows stream by.</summary>
    private static async IAsyncEnumerable<JsonObject> Expanded(
        IAsyncEnumerable<FolderRecord> rows, FolderExpansion expansion, IReadOnlyList<string> fields, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        await foreach (var row in rows.WithCancellation(ct)) yield return await expansion.ToJsonAsync(row, fields, ct);
    }

    private static async Task<IResult> GetOne(string id, HttpContext context, FolderService folders)
    {
        var selection = FileQueryParser.ParseSelection(context.Request.Query, FolderTable.Table);
        var folder = await folders.GetAsync(id, context.RequestAborted);
        return JsonBody.Data(await new FolderExpansion(folders, selection.Expand).ToJsonAsync(folder, selection.Fields, context.RequestAborted));
    }

    /// <summary>One folder (<c>{"name":…}</c>) or many (<c>[{…},…]</c>); the answer has the same shape.</summary>
    private static async Task<IResult> Create(HttpContext context, FolderService folders)
    {
        var fields = Fields(context);
        var body = await JsonBody.ReadAsync(context.Request, context.RequestAborted);
        switch (body)
        {
            case JsonObject one:
                var created = await folders.CreateAsync([FolderInput.FromJson(one, creating: true)], context.RequestAborted);
                return JsonBody.Data(created[0].ToJson(fields));
            case JsonArray many:
                if (many.Count > 10000) throw ApiErrors.InvalidPayload("At most 10000 folders per request");
                var inputs = many.Select(item => item is JsonObject obj
                    ? FolderInput.FromJson(obj, creating: true)
                    : throw ApiErrors.InvalidPayload("Each folder must be an object")).ToList();
                return JsonBody.Data(Array(await folders.CreateAsync(inputs, context.RequestAborted), fields));
            default:
                throw ApiErrors.InvalidPayload("Expected a folder object or an array of them");
        }
    }

    private static async Task<IResult> UpdateOne(string id, HttpContext context, FolderService folders)
    {
        var body = await JsonBody.ReadObjectAsync(context.Request, context.RequestAborted);
        var updated = await folders.UpdateEachAsync([(id, FolderInput.FromJson(body, creating: false))], context.RequestAborted);
        return JsonBody.Data(updated[0].ToJson(Fields(context)));
    }

    /// <summary><c>{"keys":[…],"data":{…}}</c>, <c>{"query":{…},"data":{…}}</c> or <c>[{"id":…,…},…]</c>, as <c>PATCH /files</c>.</summary>
    private static async Task<IResult> UpdateMany(HttpContext context, FolderService folders, FileQueryParser parser)
    {
        var ct = context.RequestAborted;
        var body = await JsonBody.ReadAsync(context.Request, ct);
        List<FolderRecord> updated;
        if (body is JsonArray items)
        {
            var patches = new List<(string, FolderInput)>();
            foreach (var item in items)
            {
                if (item is not JsonObject obj || obj["id"] is not JsonValue idValue || !idValue.TryGetValue<string>(out var itemId))
                    throw ApiErrors.InvalidPayload("Each item must be an object with an \"id\"");
                var data = (JsonObject)obj.DeepClone();
                data.Remove("id");
                patches.Add((itemId, FolderInput.FromJson(data, creating: false)));
            }
            updated = await folders.UpdateEachAsync(patches, ct);
        }
        else if (body is JsonObject obj && obj["data"] is JsonObject data)
        {
            var input = FolderInput.FromJson(data, creating: false);
            var ids = obj switch
            {
                _ when obj["keys"] is JsonArray keys => FilesApi.Keys(keys),
                _ when obj["query"] is JsonObject query => await folders.ListIdsAsync(parser.Parse((JsonObject)query.DeepClone(), FolderTable.Table), ct),
                _ => throw ApiErrors.InvalidPayload("Expected \"keys\" or \"query\" beside \"data\""),
            };
            updated = await folders.UpdateManyAsync(ids, input, ct);
        }
        else
        {
            throw ApiErrors.InvalidPayload("Expected {\"keys\":[…],\"data\":{…}}, {\"query\":{…},\"data\":{…}} or an array of items with \"id\"");
        }
        return JsonBody.Data(Array(updated, Fields(context)));
    }

    private static async Task<IResult> DeleteOne(string id, HttpContext context, FolderService folders)
    {
        await folders.DeleteAsync([id], context.RequestAborted);
        return Results.NoContent();
    }

    /// <summary>A JSON array of ids, or <c>{"keys":[…]}</c>.</summary>
    private static async Task<IResult> DeleteMany(HttpContext context, FolderService folders)
    {
        var body = await JsonBody.ReadAsync(context.Request, context.RequestAborted);
        var ids = body switch
        {
            JsonArray array => FilesApi.Keys(array),
            JsonObject obj when obj["keys"] is JsonArray keys => FilesApi.Keys(keys),
            _ => throw ApiErrors.InvalidPayload("Expected a JSON array of ids or {\"keys\":[…]}"),
        };
        await folders.DeleteAsync(ids, context.RequestAborted);
        return Results.NoContent();
    }

    private static IReadOnlyList<string> Fields(HttpContext context) =>
        FileQueryParser.ParseSelection(context.Request.Query, FolderTable.Table).Fields;

    private static JsonArray Array(IEnumerable<FolderRecord> folders, IReadOnlyList<string> fields) =>
        new(folders.Select(f => (JsonNode)f.ToJson(fields)).ToArray());
}
