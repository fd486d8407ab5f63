using System.Text.Json.Nodes;
using AssetServer.Revisions;

namespace AssetServer.V8;

/// <summary>
/// A row of the core's revisions log as v8's revision object: <c>id</c>, <c>activity</c>, <c>collection</c>,
/// <c>item</c>, <c>data</c> (the file after the write), <c>delta</c> (what the write changed), and v8's relational
/// <c>parent_collection</c>/<c>parent_item</c>/<c>parent_changed</c>, which a file never has.
/// </summary>
public static class V8Revisions
{
    /// <summary>The revisions of one file: <c>collection</c> = <c>directus_files</c>, <c>item</c> = its id.</summary>
    public static JsonObject Of(string fileId) => new()
    {
        ["_and"] = new JsonArray(
            new JsonObject { ["collection"] = new JsonObject { ["_eq"] = ChangeLog.FilesCollection } },
            new JsonObject { ["item"] = new JsonObject { ["_eq"] = fileId } }),
    };

    public static JsonObject Build(IReadOnlyDictionary<string, object?> row, IReadOnlySet<string>? fields)
    {
        var json = new JsonObject
        {
            ["id"] = Number(row["id"]),
            ["activity"] = Number(row["activity"]),
            ["collection"] = row["collection"] as string,
            ["item"] = row["item"] as string,
            ["data"] = FileFieldsOf(row["data"] as string),
            ["delta"] = FileFieldsOf(row["delta"] as string),
            ["parent_collection"] = null,
            ["parent_item"] = null,
            ["parent_changed"] = false,
        };
        if (fields is not null)
        {
            foreach (var name in json.Select(p => p.Key).Where(name => !fields.Contains(name)).ToList()) json.Remove(name);
        }
        return json;
    }

    private static long? Number(object? value) => value is null ? null : Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>
    /// A stored snapshot (every dialect's names of the file) narrowed to the v8 file object's fields, in its order; the
    /// computed <c>data</c> is not stored, so it is not shown for a past state.
    /// </summary>
    private static JsonObject? FileFieldsOf(string? stored)
    {
        if (stored is null) return null;
        var snapshot = JsonNode.Parse(stored) as JsonObject;
        if (snapshot is null) return null;
        var shown = new JsonObject();
        foreach (var name in V8Tables.Files.ObjectFields)
        {
            if (snapshot.TryGetPropertyValue(name, out var value)) shown[name] = value?.DeepClone();
        }
        return shown;
    }
}
