using System.Text.Json;
using System.Text.Json.Nodes;
using AssetServer.Auth;
using AssetServer.Data;
using AssetServer.Errors;
using AssetServer.Files;
using AssetServer.Files.Query;

namespace AssetServer.Revisions;

/// <summary>
/// <c>/activity</c> and <c>/revisions</c> (Directus's, read-only, with the REST query language) and
/// <c>POST /files/:id/revert/:revision</c> (ours: Directus reverts only through its app).
/// </summary>
public static class RevisionsApi
{
    public static void MapRevisions(this WebApplication app)
    {
        foreach (var (path, table) in new[] { ("/activity", LogTables.Activity), ("/revisions", LogTables.Revisions) })
        {
            app.MapGet(path, (HttpContext context, FileQueryParser parser, FileRepository repository) =>
                List(context, parser.Parse(FileQueryParser.ToJson(context.Request.Query), LogTables.For(table, context.Caller())), repository)).RequireAccess(Access.Read);
            app.MapGet(path + "/{id}", (string id, HttpContext context, FileQueryParser parser, FileRepository repository) =>
                GetOne(id, context, LogTables.For(table, context.Caller()), parser, repository)).RequireAccess(Access.Read);
        }
        app.MapPost("/files/{id}/revert/{revision}", Revert).RequireAccess(Access.Write);
    }

    private static async Task<IResult> List(HttpContext context, FileQuery query, FileRepository repository)
    {
        var ct = context.RequestAborted;
        var meta = (await repository.CountAsync(query, ct)).ToMeta();
        return JsonBody.DataStream(repository.ListRowsAsync(query, ct), (writer, row) => Write(writer, row, query.Fields), meta);
    }

    /// <summary>One entry by its id, through the same query (and field list) as the list routes.</summary>
    private static async Task<IResult> GetOne(string id, HttpContext context, QueryTable table, FileQueryParser parser, FileRepository repository)
    {
        if (!long.TryParse(id, out var key)) throw ApiErrors.Forbidden();
        var json = FileQueryParser.ToJson(context.Request.Query);
        var query = parser.Parse(new JsonObject
        {
            ["fields"] = json["fields"]?.DeepClone(),
            ["filter"] = new JsonObject { ["id"] = new JsonObject { ["_eq"] = key } },
            ["limit"] = 1,
        }, table);
        await foreach (var row in repository.ListRowsAsync(query, context.RequestAborted))
        {
            var buffer = new System.Buffers.ArrayBufferWriter<byte>();
            await using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JsonBody.Wire.Encoder })) Write(writer, row, query.Fields);
            return JsonBody.Data(JsonNode.Parse(buffer.WrittenSpan));
        }
        throw ApiErrors.Forbidden();
    }

    private static void Write(Utf8JsonWriter writer, IReadOnlyDictionary<string, object?> row, IReadOnlyList<string> fields)
    {
        writer.WriteStartObject();
        foreach (var field in fields)
        {
            writer.WritePropertyName(field);
            switch (row.TryGetValue(field, out var value) ? value : null)
            {
                case null: writer.WriteNullValue(); break;
                case string text when LogTables.IsJson(field): writer.WriteRawValue(text); break;
                case string text: writer.WriteStringValue(text); break;
                case long number: writer.WriteNumberValue(number); break;
                case var other: writer.WriteStringValue(Convert.ToString(other, System.Globalization.CultureInfo.InvariantCulture)); break;
            }
        }
        writer.WriteEndObject();
    }

    /// <summary>
    /// <c>POST /files/:id/revert/:revision</c>: the file as that revision left it (bytes too when they were kept,
    /// <c>Files:KeepVersions</c>). Answers the file, with <c>X-Bytes-Restored: true|false</c>.
    /// </summary>
    private static async Task<IResult> Revert(string id, string revision, HttpContext context, FileService files)
    {
        if (!long.TryParse(revision, out var revisionId)) throw ApiErrors.InvalidPayload($"\"{revision}\" is not a revision id");
        var (record, bytesRestored) = await files.RevertAsync(id, revisionId, context.RequestAborted);
        context.Response.Headers["X-Bytes-Restored"] = bytesRestored ? "true" : "false";
        return JsonBody.Data(record.ToJson(FileQueryParser.ParseFieldsOnly(context.Request.Query)));
    }
}
