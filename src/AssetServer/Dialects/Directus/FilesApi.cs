using System.Text.Json.Nodes;
using AssetServer.Auth;
using AssetServer.Errors;
using AssetServer.Files.Import;
using AssetServer.Files.Query;
using AssetServer.Folders;
using Microsoft.Extensions.Options;

namespace AssetServer.Files;

/// <summary>The <c>/files</c> routes (API.md "/files"). Handlers bind, call <see cref="FileService"/> and shape the answer.</summary>
public static class FilesApi
{
    public static void MapFiles(this WebApplication app)
    {
        app.MapPost("/files", Create).RequireAccess(Access.Write);
        app.MapPost("/files/import", Import).RequireAccess(Access.Write);
        app.MapGet("/files", List).RequireAccess(Access.Read);
        app.MapMethods("/files", ["SEARCH"], Search).RequireAccess(Access.Read);
        app.MapGet("/files/{id}", GetOne).RequireAccess(Access.Read);
        app.MapPatch("/files/{id}", UpdateOne).RequireAccess(Access.Write);
        app.MapPatch("/files", UpdateMany).RequireAccess(Access.Write);
        app.MapDelete("/files/{id}", DeleteOne).RequireAccess(Access.Write);
        app.MapDelete("/files", DeleteMany).RequireAccess(Access.Write);
    }

    private static async Task<IResult> Create(HttpContext context, FileService files, FolderService folders, UploadReader uploads, IOptions<FilesOptions> limits)
    {
        var ct = context.RequestAborted;
        var selection = FileQueryParser.ParseSelection(context.Request.Query);
        if (UploadReader.IsMultipart(context.Request))
        {
            var staged = await uploads.ReadAsync(context.Request, ct);
            var created = await files.CreateAsync(staged, ct);
            return created.Count == 1
                ? JsonBody.Data(await Show(created[0], selection, folders, ct))
                : JsonBody.Data(await ShowAll(created, selection, folders, ct));
        }
        var body = await JsonBody.ReadObjectAsync(context.Request, ct);
        var record = await files.CreateEmptyAsync(FileInput.FromJson(body, creating: true, limits.Value), ct);
        return JsonBody.Data(await Show(record, selection, folders, ct));
    }

    /// <summary>One file as the <c>fields</c> of the request ask for it, relations expanded.</summary>
    private static Task<JsonObject> Show(FileRecord record, FieldSelection selection, FolderService folders, CancellationToken ct) =>
        new FolderExpansion(folders, selection.Expand).ToJsonAsync(record, selection.Fields, ct);

    private static async Task<JsonArray> ShowAll(IEnumerable<FileRecord> records, FieldSelection selection, FolderService folders, CancellationToken ct)
    {
        var expansion = new FolderExpansion(folders, selection.Expand);
        var array = new JsonArray();
        foreach (var record in records) array.Add(await expansion.ToJsonAsync(record, selection.Fields, ct));
        return array;
    }

    private static async Task<IResult> Import(HttpContext context, FileService files, FolderService folders, UrlImporter importer, IOptions<FilesOptions> limits)
    {
        var ct = context.RequestAborted;
        var body = await JsonBody.ReadObjectAsync(context.Request, ct);
        foreach (var (name, _) in body)
            if (name is not ("url" or "data")) throw ApiErrors.InvalidPayload($"Unknown field \"{name}\"; expected \"url\" and \"data\"");
        if (body["url"] is not JsonValue urlValue || !urlValue.TryGetValue<string>(out var url) || url.Length == 0)
            throw ApiErrors.InvalidPayload("\"url\" is required");
        var input = body["data"] switch
        {
            null => new FileInput(limits.Value),
            JsonObject data => FileInput.FromJson(data, creating: true, limits.Value),
            _ => throw ApiErrors.InvalidPayload("\"data\" must be an object"),
        };
        var staged = await importer.FetchAsync(url, input, ct);
        var created = await files.CreateAsync([staged], ct);
        return JsonBody.Data(await Show(created[0], FileQueryParser.ParseSelection(context.Request.Query), folders, ct));
    }

    private static async Task<IResult> List(HttpContext context, FileService files, FolderService folders, FileQueryParser parser)
    {
        var json = FileQueryParser.ToJson(context.Request.Query);
        return json.ContainsKey("aggregate")
            ? await AggregateResult(files, parser.ParseAggregate(json), context.RequestAborted)
            : await ListResult(files, folders, parser.Parse(json), context.RequestAborted);
    }

    /// <summary>
    /// <c>?aggregate[count]=*&amp;groupBy[]=type</c>, as Directus answers it: one object per group, the grouped fields
    /// first, then each function: <c>"count": n</c> for <c>*</c>, else <c>"sum": {"filesize": n}</c>.
    /// </summary>
    private static async Task<IResult> AggregateResult(FileService files, FileQuery query, CancellationToken ct)
    {
        var rows = new JsonArray();
        foreach (var row in await files.AggregateAsync(query, ct))
        {
            var item = new JsonObject();
            for (var i = 0; i < query.GroupBy.Count; i++) item[query.GroupBy[i]] = Value(row.Group[i]);
            for (var i = 0; i < query.Aggregates!.Count; i++)
            {
                var aggregate = query.Aggregates[i];
                if (aggregate.Field is null)
                {
                    item[aggregate.Function] = Value(row.Values[i]);
                    continue;
                }
                if (item[aggregate.Function] is not JsonObject byField) item[aggregate.Function] = byField = [];
                byField[aggregate.Field] = Value(row.Values[i]);
            }
            rows.Add(item);
        }
        return JsonBody.Data(rows);

        static JsonNode? Value(object? value) => value switch
        {
            null => null,
            long n => n,
            double d => d,
            string text => text,
            _ => JsonValue.Create(Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture)),
        };
    }

    /// <summary><c>SEARCH /files</c>: the query in the body, as Directus takes it (<c>{"query":{…}}</c>).</summary>
    private static async Task<IResult> Search(HttpContext context, FileService files, FolderService folders, FileQueryParser parser)
    {
        var body = await JsonBody.ReadObjectAsync(context.Request, context.RequestAborted);
        var query = body["query"] as JsonObject ?? (body.Count == 0 ? [] : throw ApiErrors.InvalidPayload("The body must be {\"query\": {…}}"));
        return await ListResult(files, folders, parser.Parse((JsonObject)query.DeepClone()), context.RequestAborted);
    }

    /// <summary>
    /// The counts first, then the rows streamed as they are read (issue 9: a page is never built whole), each read with
    /// only the columns of the fields asked for and charged to the list's <c>Files:MaxResponseBytes</c> (issue 17).
    /// </summary>
    private static async Task<IResult> ListResult(FileService files, FolderService folders, FileQuery query, CancellationToken ct)
    {
        var meta = (await files.CountAsync(query, ct)).ToMeta();
        var rows = files.ListAsync(query with { ReadFields = query.Fields }, ct);
        var expansion = new FolderExpansion(folders, query.Expand);
        if (!expansion.Any) return JsonBody.DataStream(rows, (writer, row) => row.WriteTo(writer, query.Fields), meta);
        return JsonBody.DataStream(expansion.RowsAsync(rows, ct), (writer, item) => item.Row.WriteTo(writer, query.Fields, item.Expanded), meta);
    }

    private static async Task<IResult> GetOne(string id, HttpContext context, FileService files, FolderService folders)
    {
        var selection = FileQueryParser.ParseSelection(context.Request.Query);
        var record = await files.GetAsync(id, context.RequestAborted);
        return JsonBody.Data(await Show(record, selection, folders, context.RequestAborted));
    }

    /// <summary>JSON patches the fields; multipart with a <c>file</c> part replaces the bytes too.</summary>
    private static async Task<IResult> UpdateOne(
        string id, HttpContext context, FileService files, FolderService folders, UploadReader uploads, Storage.FileStore store, IOptions<FilesOptions> limits)
    {
        var ct = context.RequestAborted;
        var selection = FileQueryParser.ParseSelection(context.Request.Query);
        FileService.ParseId(id);
        if (UploadReader.IsMultipart(context.Request))
        {
            var staged = await uploads.ReadAsync(context.Request, ct);
            if (staged.Count > 1)
            {
                foreach (var extra in staged) store.TryDelete(extra.TempPath);
                throw ApiErrors.InvalidPayload("Only one file can replace a file's contents");
            }
            return JsonBody.Data(await Show(await files.ReplaceAsync(id, staged[0], ct), selection, folders, ct));
        }
        var body = await JsonBody.ReadObjectAsync(context.Request, ct);
        var record = await files.UpdateAsync(id, FileInput.FromJson(body, creating: false, limits.Value), ct);
        return JsonBody.Data(await Show(record, selection, folders, ct));
    }

    /// <summary><c>{"keys":[…],"data":{…}}</c>, <c>{"query":{…},"data":{…}}</c> or <c>[{"id":…,…},…]</c>.</summary>
    private static async Task<IResult> UpdateMany(HttpContext context, FileService files, FolderService folders, FileQueryParser parser, IOptions<FilesOptions> limits)
    {
        var ct = context.RequestAborted;
        var selection = FileQueryParser.ParseSelection(context.Request.Query);
        var body = await JsonBody.ReadAsync(context.Request, ct);
        List<FileRecord> updated;
        if (body is JsonArray items)
        {
            var patches = new List<(string, FileInput)>();
            foreach (var item in items)
            {
                if (item is not JsonObject obj || obj["id"] is not JsonValue idValue || !idValue.TryGetValue<string>(out var itemId))
                    throw ApiErrors.InvalidPayload("Each item must be an object with an \"id\"");
                var data = (JsonObject)obj.DeepClone();
                data.Remove("id");
                patches.Add((itemId, FileInput.FromJson(data, creating: false, limits.Value)));
            }
            updated = await files.UpdateEachAsync(patches, ct);
        }
        else if (body is JsonObject obj && obj["data"] is JsonObject data)
        {
            var input = FileInput.FromJson(data, creating: false, limits.Value);
            var ids = obj switch
            {
                _ when obj["keys"] is JsonArray keys => Keys(keys),
                _ when obj["query"] is JsonObject query => await files.ListIdsAsync(parser.Parse((JsonObject)query.DeepClone()), ct),
                _ => throw ApiErrors.InvalidPayload("Expected \"keys\" or \"query\" beside \"data\""),
            };
            updated = await files.UpdateManyAsync(ids, input, ct);
        }
        else
        {
            throw ApiErrors.InvalidPayload("Expected {\"keys\":[…],\"data\":{…}}, {\"query\":{…},\"data\":{…}} or an array of items with \"id\"");
        }
        return JsonBody.Data(await ShowAll(updated, selection, folders, ct));
    }

    private static async Task<IResult> DeleteOne(string id, HttpContext context, FileService files)
    {
        await files.DeleteAsync([id], context.RequestAborted);
        return Results.NoContent();
    }

    /// <summary>A JSON array of ids, or <c>{"keys":[…]}</c>.</summary>
    private static async Task<IResult> DeleteMany(HttpContext context, FileService files)
    {
        var body = await JsonBody.ReadAsync(context.Request, context.RequestAborted);
        var ids = body switch
        {
            JsonArray array => Keys(array),
            JsonObject { } obj when obj["keys"] is JsonArray keys => Keys(keys),
            _ => throw ApiErrors.InvalidPayload("Expected a JSON array of ids or {\"keys\":[…]}"),
        };
        await files.DeleteAsync(ids, context.RequestAborted);
        return Results.NoContent();
    }

    internal static List<string> Keys(JsonArray keys)
    {
        if (keys.Count > 10000) throw ApiErrors.InvalidPayload("At most 10000 keys per request");
        return keys.Select(k => k is JsonValue v && v.TryGetValue<string>(out var s) ? s : throw ApiErrors.InvalidPayload("Keys must be strings")).ToList();
    }
}
