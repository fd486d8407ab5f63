using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using AssetServer.Auth;
using AssetServer.Data;
using AssetServer.Errors;
using AssetServer.Files;
using AssetServer.Files.Query;
using AssetServer.RateLimiting;
using Dapper;

namespace AssetServer.Revisions;

/// <summary>
/// <c>/activity</c> and <c>/revisions</c> (Directus's, read-only, with the REST query language) and
/// <c>POST /files/:id/revert/:revision</c> (ours: Directus reverts only through its app).
/// </summary>
public static class RevisionsApi
{
    public static void MapRevisions(this WebApplication app)
    {
        app.MapGet("/activity", (HttpContext context, FileQueryParser parser, Database database) =>
            List(context, parser.Parse(FileQueryParser.ToJson(context.Request.Query), LogTables.Activity), database)).RequireAccess(Access.Read);
        app.MapGet("/activity/{id}", (string id, HttpContext context, Database database) => GetOne(id, context, LogTables.Activity, database))
            .RequireAccess(Access.Read);
        app.MapGet("/revisions", (HttpContext context, FileQueryParser parser, Database database) =>
            List(context, parser.Parse(FileQueryParser.ToJson(context.Request.Query), LogTables.Revisions), database)).RequireAccess(Access.Read);
        app.MapGet("/revisions/{id}", (string id, HttpContext context, Database database) => GetOne(id, context, LogTables.Revisions, database))
            .RequireAccess(Access.Read);
        app.MapPost("/files/{id}/revert/{revision}", Revert).RequireAccess(Access.Write).RequireRateLimiting(RateLimitSetup.Uploads);
    }

    private static async Task<IResult> List(HttpContext context, FileQuery query, Database database)
    {
        var ct = context.RequestAborted;
        var sql = FileQuerySql.Build(query);
        JsonObject? meta = null;
        if (query.Meta.Count > 0)
        {
            meta = [];
            await using var connection = await database.OpenAsync(ct);
            if (query.Meta.Contains("total_count"))
                meta["total_count"] = await connection.ExecuteScalarAsync<long>(new CommandDefinition($"SELECT COUNT(*) FROM {query.Table.Name}", cancellationToken: ct));
            if (query.Meta.Contains("filter_count"))
                meta["filter_count"] = await connection.ExecuteScalarAsync<long>(new CommandDefinition(sql.Count, sql.Parameters, flags: CommandFlags.NoCache, cancellationToken: ct));
        }
        return JsonBody.DataStream(Rows(database, sql, ct), (writer, row) => Write(writer, row, query.Fields), meta);
    }

    private static async IAsyncEnumerable<IDictionary<string, object?>> Rows(Database database, FileQuerySql.Statement sql, [EnumeratorCancellation] CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        var command = new CommandDefinition(sql.Select, sql.Parameters, flags: CommandFlags.NoCache, cancellationToken: ct);
        await using var reader = await connection.ExecuteReaderAsync(command);
        while (await reader.ReadAsync(ct))
        {
            var row = new Dictionary<string, object?>(StringComparer.Ordinal);
            for (var i = 0; i < reader.FieldCount; i++) row[reader.GetName(i)] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            yield return row;
        }
    }

    private static async Task<IResult> GetOne(string id, HttpContext context, QueryTable table, Database database)
    {
        if (!long.TryParse(id, out var key)) throw ApiErrors.Forbidden();
        var fields = FieldsOf(context, table);
        var ct = context.RequestAborted;
        await foreach (var row in Rows(database, new FileQuerySql.Statement(
                           $"SELECT {table.Columns} FROM {table.Name} WHERE id = @key", "", new DynamicParameters(new { key })), ct))
        {
            var buffer = new System.Buffers.ArrayBufferWriter<byte>();
            await using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JsonBody.Wire.Encoder })) Write(writer, row, fields);
            return JsonBody.Data(JsonNode.Parse(buffer.WrittenSpan));
        }
        throw ApiErrors.Forbidden();
    }

    private static IReadOnlyList<string> FieldsOf(HttpContext context, QueryTable table)
    {
        var parser = context.RequestServices.GetRequiredService<FileQueryParser>();
        var json = FileQueryParser.ToJson(context.Request.Query);
        return parser.Parse(new JsonObject { ["fields"] = json["fields"]?.DeepClone() }, table).Fields;
    }

    private static void Write(Utf8JsonWriter writer, IDictionary<string, object?> row, IReadOnlyList<string> fields)
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
