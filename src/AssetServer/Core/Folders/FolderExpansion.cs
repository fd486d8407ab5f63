using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using AssetServer.Files;

namespace AssetServer.Folders;

/// <summary>
/// A relation into <c>folders</c> answered as the folder object (a file's <c>folder</c>, a folder's <c>parent</c>:
/// <c>fields=folder.name</c>, <c>fields=*.*</c>), as Directus expands a many-to-one relation: null when the row points
/// nowhere. One per request: each folder is read once by its primary key, however many rows name it.
/// </summary>
public sealed class FolderExpansion(FolderService folders, IReadOnlyDictionary<string, IReadOnlyList<string>> expand)
{
    private readonly Dictionary<string, JsonObject?> seen = new(StringComparer.Ordinal);

    /// <summary>Whether the request expands anything at all.</summary>
    public bool Any => expand.Count > 0;

    /// <summary>The values that stand for expanded fields of <paramref name="record"/> (null when none are expanded).</summary>
    public Task<IReadOnlyDictionary<string, JsonNode?>?> ValuesAsync(FileRecord record, CancellationToken ct) =>
        ValuesAsync("folder", record.Folder, ct);

    /// <summary><paramref name="record"/> as <see cref="FileRecord.ToJson"/> makes it, with its relations expanded.</summary>
    public async Task<JsonObject> ToJsonAsync(FileRecord record, IReadOnlyList<string> fields, CancellationToken ct) =>
        Replace(record.ToJson(fields), await ValuesAsync(record, ct));

    /// <summary>A folder with its <c>parent</c> expanded when asked (<c>GET /folders?fields=*.*</c>).</summary>
    public async Task<JsonObject> ToJsonAsync(FolderRecord folder, IReadOnlyList<string> fields, CancellationToken ct) =>
        Replace(folder.ToJson(fields), await ValuesAsync("parent", folder.Parent, ct));

    /// <summary>Each row with the values of its expanded fields, read as the rows stream by.</summary>
    public async IAsyncEnumerable<(FileRecord Row, IReadOnlyDictionary<string, JsonNode?>? Expanded)> RowsAsync(
        IAsyncEnumerable<FileRecord> rows, [EnumeratorCancellation] CancellationToken ct)
    {
        await foreach (var row in rows.WithCancellation(ct)) yield return (row, await ValuesAsync(row, ct));
    }

    private async Task<IReadOnlyDictionary<string, JsonNode?>?> ValuesAsync(string relation, string? id, CancellationToken ct)
    {
        if (!expand.TryGetValue(relation, out var fields)) return null;
        return new Dictionary<string, JsonNode?> { [relation] = await ObjectAsync(id, fields, ct) };
    }

    private static JsonObject Replace(JsonObject json, IReadOnlyDictionary<string, JsonNode?>? values)
    {
        if (values is not null)
            foreach (var (name, value) in values) json[name] = value;
        return json;
    }

    private async Task<JsonNode?> ObjectAsync(string? id, IReadOnlyList<string> fields, CancellationToken ct)
    {
        if (id is null) return null;
        if (!seen.TryGetValue(id, out var folder))
        {
            var found = await folders.GetManyAsync([id], ct);
            seen[id] = folder = found.TryGetValue(id, out var record) ? record.ToJson(fields) : null;
        }
        return folder?.DeepClone();
    }
}
