using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using AssetServer.Auth;
using AssetServer.Errors;
using AssetServer.Files;
using AssetServer.Folders;
using AssetServer.Server;
using Microsoft.Extensions.Options;

namespace AssetServer.V8;

/// <summary>
/// Directus v8's <c>/_/folders</c>: list (v8's query language), one or several by id (<c>:id,:id</c>), create (one
/// object or an array), update, delete. The v8 folder object is <c>{id, name, parent_folder}</c>; every rule (a parent
/// must exist, no cycles, a delete moves sub-folders up and leaves files outside any folder) is
/// <see cref="FolderService"/>'s. A folder that is not there is v8's 404 "Item not found".
/// </summary>
public static class V8Folders
{
    public static void MapV8Folders(this WebApplication app)
    {
        var project = app.Services.GetRequiredService<IOptions<ServerOptions>>().Value.Project;
        var folders = $"/{project}/folders";
        app.MapGet(folders, List).RequireAccess(Access.Read);
        app.MapPost(folders, Create).RequireAccess(Access.Write);
        app.MapGet(folders + "/{id}", GetOne).RequireAccess(Access.Read);
        app.MapPatch(folders + "/{id}", Update).RequireAccess(Access.Write);
        app.MapDelete(folders + "/{id}", Delete).RequireAccess(Access.Write);
    }

    /// <summary>The v8 folder object with <paramref name="fields"/> (null: all).</summary>
    public static JsonObject Show(FolderRecord folder, IReadOnlySet<string>? fields = null)
    {
        var json = new JsonObject();
        if (fields is null || fields.Contains("id")) json["id"] = folder.Id;
        if (fields is null || fields.Contains("name")) json["name"] = folder.Name;
        if (fields is null || fields.Contains("parent_folder")) json["parent_folder"] = folder.Parent;
        return json;
    }

    private static async Task<IResult> List(HttpContext context, V8Query parser, FolderService folders)
    {
        var ct = context.RequestAborted;
        var query = parser.List(context.Request.Query, V8Tables.Folders);
        var counts = await folders.CountAsync(query.Query, ct);
        return await V8Api.AnswerAsync(query, V8Tables.Folders, counts, Objects(folders.ListAsync(query.Query, ct), query.Fields, ct), ct);
    }

    private static async IAsyncEnumerable<JsonObject> Objects(
        IAsyncEnumerable<FolderRecord> rows, IReadOnlySet<string>? fields, [EnumeratorCancellation] CancellationToken ct)
    {
        await foreach (var row in rows.WithCancellation(ct)) yield return Show(row, fields);
    }

    /// <summary><c>GET /_/folders/:id</c>, or <c>:id,:id</c> for several (an array); one missing is a 404.</summary>
    private static async Task<IResult> GetOne(string id, HttpContext context, V8Query parser, FolderService folders)
    {
        var item = parser.Item(context.Request.Query, V8Tables.Folders);
        var ids = V8Files.ParseIds(id);
        var found = await FindAllAsync(folders, ids, context.RequestAborted);
        return id.Contains(',')
            ? JsonBody.Data(Array(found.Select(f => Show(f, item.Fields))), V8Api.Meta(item.Meta, V8Tables.Folders, found.Count))
            : JsonBody.Data(Show(found[0], item.Fields), V8Api.Meta(item.Meta, V8Tables.Folders, resultCount: null));
    }

    /// <summary><c>POST /_/folders</c>: <c>{"name":…,"parent_folder":…}</c>, or an array of them (v8's batch create).</summary>
    private static async Task<IResult> Create(HttpContext context, V8Query parser, FolderService folders)
    {
        var ct = context.RequestAborted;
        var item = parser.Item(context.Request.Query, V8Tables.Folders);
        var body = await JsonBody.ReadAsync(context.Request, ct);
        switch (body)
        {
            case JsonObject one:
                var created = await folders.CreateAsync([Input(one, creating: true)], ct);
                return JsonBody.Data(Show(created[0], item.Fields), V8Api.Meta(item.Meta, V8Tables.Folders, resultCount: null));
            case JsonArray { Count: > 0 and <= 100 } many:
                var inputs = many.Select(f => f is JsonObject obj ? Input(obj, creating: true) : throw V8Errors.InvalidRequest("Each folder must be an object")).ToList();
                var all = await folders.CreateAsync(inputs, ct);
                return JsonBody.Data(Array(all.Select(f => Show(f, item.Fields))), V8Api.Meta(item.Meta, V8Tables.Folders, all.Count));
            default:
                throw V8Errors.EmptyPayload("Expected a folder object, or an array of 1 to 100 of them");
        }
    }

    /// <summary><c>PATCH /_/folders/:id</c> (or <c>:id,:id</c>, each taking the same fields).</summary>
    private static async Task<IResult> Update(string id, HttpContext context, V8Query parser, FolderService folders)
    {
        var ct = context.RequestAborted;
        var item = parser.Item(context.Request.Query, V8Tables.Folders);
        var ids = V8Files.ParseIds(id);
        await FindAllAsync(folders, ids, ct);
        var input = Input(await JsonBody.ReadObjectAsync(context.Request, ct), creating: false);
        var updated = await V8Files.ExistingAsync(folders.UpdateManyAsync(ids, input, ct));
        var byId = updated.ToDictionary(f => f.Id);
        return id.Contains(',')
            ? JsonBody.Data(Array(ids.Select(i => Show(byId[i], item.Fields))), V8Api.Meta(item.Meta, V8Tables.Folders, ids.Count))
            : JsonBody.Data(Show(byId[ids[0]], item.Fields), V8Api.Meta(item.Meta, V8Tables.Folders, resultCount: null));
    }

    /// <summary><c>DELETE /_/folders/:id</c> (or <c>:id,:id</c>): 204; a folder that is not there is a 404, as in v8.</summary>
    private static async Task<IResult> Delete(string id, HttpContext context, FolderService folders)
    {
        var ids = V8Files.ParseIds(id);
        await FindAllAsync(folders, ids, context.RequestAborted);
        await folders.DeleteAsync(ids, context.RequestAborted);
        return Results.NoContent();
    }

    private static async Task<List<FolderRecord>> FindAllAsync(FolderService folders, List<string> ids, CancellationToken ct)
    {
        var found = await folders.GetManyAsync(ids, ct);
        return ids.Select(i => found.GetValueOrDefault(i) ?? throw V8Errors.ItemNotFound()).ToList();
    }

    /// <summary>
    /// A v8 body in the core's terms: <c>parent_folder</c> is the core's <c>parent</c>; an <c>id</c> on update, which v8
    /// clients send back with the object, is ignored (the URL names the folder). Anything else is refused by
    /// <see cref="FolderInput"/>.
    /// </summary>
    private static FolderInput Input(JsonObject body, bool creating)
    {
        var core = new JsonObject();
        foreach (var (key, value) in body)
        {
            if (key == "parent_folder") core["parent"] = value?.DeepClone();
            else if (key == "parent") throw V8Errors.InvalidField(key, V8Tables.FoldersCollection);
            else if (key == "id" && !creating) continue;
            else core[key] = value?.DeepClone();
        }
        return FolderInput.FromJson(core, creating);
    }

    private static JsonArray Array(IEnumerable<JsonObject> items) => new(items.Select(i => (JsonNode)i).ToArray());
}
