using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using AssetServer.Files;

namespace AssetServer.Folders;

/// <summary>
/// A file's <c>folder</c> as the folder object (<c>fields=folder.name,folder.parent</c>, <c>fields=*.*</c>), as
/// Directus expands a many-to-one relation: null when the file is in no folder. One per request: each folder is read
/// once by its primary key, however many rows name it.
/// </summary>
public sealed class FolderExpansion(FolderService folders, IReadOnlyDictionary<string, IReadOnlyList<string>> expand)
{
    private readonly Dictionary<string, JsonObject?> seen = new(StringComparer.Ordinal);

    /// <summary>Whether the request expands anything at all.</summary>
    public bool Any => expand.ContainsKey("folder");

    /// <summary>The values that stand for expanded fields of <paramref name="record"/> (empty when none are expanded).</summary>
    public async Task<IReadOnlyDictionary<string, JsonNode?>?> ValuesAsync(FileRecord record, CancellationToken ct)
    {
        if (!expand.TryGetValue("folder", out var fields)) return null;
        return new Dictionary<string, JsonNode?> { ["folder"] = await ObjectAsync(record.Folder, fields, ct) };
    }

    /// <summary><paramref name="record"/> as <see cref="FileRecord.ToJson"/> makes it, with its relations expanded.</summary>
    public async Task<JsonObject> ToJsonAsync(FileRecord record, IReadOnlyList<string> fields, CancellationToken ct)
    {
        var json = record.ToJson(fields);
        if (await ValuesAsync(record, ct) is { } values)
            foreach (var (name, value) in values) json[name] = value;
        return json;
    }

    /// <summary>Each row with the values of its expanded fields, read as the rows stream by.</summary>
    public async IAsyncEnumerable<(FileRecord Row, IReadOnlyDictionary<string, JsonNode?>? Expanded)> RowsAsync(
        IAsyncEnumerable<FileRecord> rows, [EnumeratorCancellation] CancellationToken ct)
    {
        await foreach (var row in rows.WithCancellation(ct)) yield return (row, await ValuesAsync(row, ct));
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
