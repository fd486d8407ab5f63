using System.Data;
using System.Text.Json.Nodes;
using AssetServer.Files;
using Dapper;

namespace AssetServer.Revisions;

/// <summary>
/// Writes the activity and revisions logs inside the caller's transaction, so a committed change always has its
/// entries and a rolled-back one has none (a crash can never leave a change without its revision).
/// </summary>
public sealed class ChangeLog(ChangeContext context, TimeProvider time)
{
    public const string FilesCollection = "directus_files";

    private const string InsertActivity =
        "INSERT INTO activity (action, \"user\", actor, timestamp, ip, user_agent, collection, item, origin) " +
        "VALUES (@Action, @User, @Actor, @Timestamp, @Ip, @UserAgent, @Collection, @Item, @Origin) RETURNING id";

    private const string InsertRevision =
        "INSERT INTO revisions (activity, collection, item, data, delta, parent) VALUES (@Activity, @Collection, @Item, @Data, @Delta, @Parent) RETURNING id";

    private const string LatestRevision = "SELECT MAX(id) FROM revisions WHERE collection = @Collection AND item = @Item";

    /// <summary>A new file: activity <c>create</c> and a revision whose delta is the whole record.</summary>
    public Task<long> CreatedAsync(IDbConnection connection, IDbTransaction tx, FileRecord after, CancellationToken ct) =>
        WriteAsync(connection, tx, "create", after.Id, before: null, after, ct);

    /// <summary>An edit, a replace or a revert: activity <c>update</c> and a revision with the fields that changed.</summary>
    public Task<long> UpdatedAsync(IDbConnection connection, IDbTransaction tx, FileRecord before, FileRecord after, CancellationToken ct) =>
        WriteAsync(connection, tx, "update", after.Id, before, after, ct);

    /// <summary>A deletion: activity <c>delete</c> only, as Directus logs it; the revisions of the file stay.</summary>
    public Task<long> DeletedAsync(IDbConnection connection, IDbTransaction tx, string id, CancellationToken ct) =>
        WriteAsync(connection, tx, "delete", id, null, null, ct);

    private Task<long> WriteAsync(
        IDbConnection connection, IDbTransaction tx, string action, string item, FileRecord? before, FileRecord? after, CancellationToken ct) =>
        WriteAsync(connection, tx, FilesCollection, action, item, before is null ? null : Snapshot(before), after is null ? null : Snapshot(after), ct);

    /// <summary>
    /// A write to an item of any collection (<c>directus_folders</c>): activity <paramref name="action"/> and, unless it
    /// is a delete (<paramref name="after"/> null), a revision with the whole item and the fields that changed.
    /// </summary>
    public async Task<long> WriteAsync(
        IDbConnection connection, IDbTransaction tx, string collection, string action, string item, JsonObject? before, JsonObject? after, CancellationToken ct)
    {
        var actor = context.Current();
        var activity = await connection.ExecuteScalarAsync<long>(new CommandDefinition(InsertActivity, new
        {
            Action = action, actor.User, actor.Actor, Timestamp = FileService.Timestamp(time), actor.Ip, actor.UserAgent,
            Collection = collection, Item = item, actor.Origin,
        }, tx, cancellationToken: ct));
        if (after is null) return activity;

        var delta = before is null ? after : Delta(before, after);
        // A created file is new (the server made its id), so it has no revision before this one: one query fewer per
        // upload. (A folder may be created under an id a client chose, and that id may have been used before.)
        var parent = action == "create" && collection == FilesCollection ? null : await connection.ExecuteScalarAsync<long?>(new CommandDefinition(LatestRevision,
            new { Collection = collection, Item = item }, tx, cancellationToken: ct));
        return await connection.ExecuteScalarAsync<long>(new CommandDefinition(InsertRevision, new
        {
            Activity = activity, Collection = collection, Item = item,
            Data = after.ToJsonString(JsonBody.Wire), Delta = delta.ToJsonString(JsonBody.Wire), Parent = parent,
        }, tx, cancellationToken: ct));
    }

    /// <summary>Every field of the record, those other dialects read included, so a revert can restore any of them.</summary>
    public static JsonObject Snapshot(FileRecord record) => record.ToJson(AllFields);

    private const string SelectRevisionData = "SELECT data FROM revisions WHERE id = @id AND collection = @Collection AND item = @item";

    /// <summary>The record a revision of file <paramref name="item"/> saved, or null when it is not one of its revisions.</summary>
    public async Task<JsonObject?> RevisionDataAsync(IDbConnection connection, IDbTransaction tx, long id, string item, CancellationToken ct)
    {
        var text = await connection.ExecuteScalarAsync<string?>(new CommandDefinition(SelectRevisionData,
            new { id, Collection = FilesCollection, item }, tx, cancellationToken: ct));
        return text is null ? null : JsonNode.Parse(text) as JsonObject;
    }

    /// <summary>What a client sets on a file; a revert brings them back.</summary>
    private static readonly string[] EditableFields =
        ["filename_download", "title", "description", "location", "tags", "metadata", "focal_point_x", "focal_point_y", "folder", "alternative_text"];

    /// <summary>What follows from the bytes; a revert brings them back with the bytes only.</summary>
    private static readonly string[] ContentFields =
        ["filename_disk", "type", "filesize", "checksum", "width", "height", "charset", "duration", "embed", "upload_ext", "uploaded_on", "upload_filename"];

    /// <summary>
    /// <paramref name="current"/> with the fields a revision saved; identities (ids, public name, creation) stay.
    /// Fields the revision does not carry stay as they are.
    /// </summary>
    public static FileRecord Restore(JsonObject data, FileRecord current)
    {
        var target = current.Clone();
        foreach (var name in EditableFields.Concat(ContentFields))
        {
            if (data.TryGetPropertyValue(name, out var value)) Set(target, name, value);
        }
        return target;
    }

    /// <summary>Puts the content fields of <paramref name="current"/> back on <paramref name="target"/> (bytes not restored).</summary>
    public static void KeepContent(FileRecord target, FileRecord current)
    {
        var now = Snapshot(current);
        foreach (var name in ContentFields) Set(target, name, now[name]);
    }

    private static void Set(FileRecord record, string name, JsonNode? value)
    {
        string? Text() => value is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
        int? Int() => value is JsonValue v && v.TryGetValue<int>(out var i) ? i : null;
        string? Json() => value?.ToJsonString(JsonBody.Wire);
        switch (name)
        {
            case "filename_download": record.FilenameDownload = Text() ?? record.FilenameDownload; break;
            case "title": record.Title = Text(); break;
            case "description": record.Description = Text(); break;
            case "location": record.Location = Text(); break;
            case "tags": record.Tags = Json(); break;
            case "metadata": record.Metadata = Json(); break;
            case "focal_point_x": record.FocalPointX = Int(); break;
            case "focal_point_y": record.FocalPointY = Int(); break;
            case "folder": record.Folder = Text(); break;
            case "alternative_text": record.AlternativeText = Text(); break;
            case "filename_disk": record.FilenameDisk = Text() ?? record.FilenameDisk; break;
            case "type": record.Type = Text(); break;
            case "filesize": record.Filesize = value is JsonValue size && size.TryGetValue<long>(out var bytes) ? bytes : record.Filesize; break;
            case "checksum": record.Checksum = Text(); break;
            case "width": record.Width = Int(); break;
            case "height": record.Height = Int(); break;
            case "charset": record.Charset = Text(); break;
            case "duration": record.Duration = Int(); break;
            case "embed": record.Embed = Text(); break;
            case "upload_ext": record.UploadExt = Text() ?? record.UploadExt; break;
            case "uploaded_on": record.UploadedOn = Text(); break;
            case "upload_filename": record.UploadFilename = Text() ?? record.UploadFilename; break;
        }
    }

    private static readonly IReadOnlyCollection<string> AllFields = FileFields.All.Where(f => f.Sql == f.Name).Select(f => f.Name).ToHashSet();

    private static JsonObject Delta(JsonObject before, JsonObject after)
    {
        var delta = new JsonObject();
        foreach (var (name, value) in after)
        {
            if (!JsonNode.DeepEquals(before[name], value)) delta[name] = value?.DeepClone();
        }
        return delta;
    }
}
