using System.Text.Json;
using System.Text.Json.Nodes;
using AssetServer.Data;
using AssetServer.Files;

namespace AssetServer.Strapi;

/// <summary>
/// Strapi's <c>fileInfo</c> (<c>name</c>, <c>alternativeText</c>, <c>caption</c>, <c>focalPoint</c>, <c>folder</c>) as
/// the core's <see cref="FileInput"/>, and the pairing of several of them with the files of one upload.
/// </summary>
public static class StrapiFileInfo
{
    /// <summary>
    /// The fileInfo of each file, in file order: one field per file, or one field holding a JSON array. Entry
    /// <c>i</c> belongs to file part <c>i</c> in request order, always (Strapi pairs by the order its parser finished
    /// writing files, which swaps them now and then).
    /// </summary>
    public static List<JsonObject> Pair(IEnumerable<string> fields)
    {
        var infos = new List<JsonObject>();
        foreach (var text in fields)
        {
            switch (Parse(text))
            {
                case JsonArray array:
                    foreach (var item in array) infos.Add(item as JsonObject ?? throw StrapiErrors.Validation("fileInfo must be an object or an array of objects"));
                    break;
                case JsonObject obj:
                    infos.Add(obj);
                    break;
                default:
                    throw StrapiErrors.Validation("fileInfo must be an object or an array of objects");
            }
        }
        return infos;
    }

    private static JsonNode? Parse(string text)
    {
        try
        {
            return JsonBody.Parse(text);
        }
        catch (JsonException)
        {
            throw StrapiErrors.Validation("fileInfo must be valid JSON");
        }
    }

    /// <summary>
    /// The core fields one fileInfo sets. Unknown keys are dropped, as Strapi's validation does. <c>folder</c> files the
    /// upload in that folder (the core checks that it exists, <see cref="FolderMissing"/>); folders themselves stay
    /// private, as in Strapi's content API: no <c>folder</c> or <c>folderPath</c> in the file object.
    /// </summary>
    public static FileInput ToInput(JsonObject? info, FilesOptions limits)
    {
        var core = new JsonObject();
        if (info is null) return FileInput.FromJson(core, creating: false, limits);
        foreach (var (key, value) in info)
        {
            switch (key)
            {
                case "name" when value is not null:
                    core["filename_download"] = value.DeepClone();
                    break;
                case "alternativeText":
                    core["alternative_text"] = value?.DeepClone();
                    break;
                case "caption":
                    core["description"] = value?.DeepClone();
                    break;
                case "focalPoint":
                    var (x, y) = FocalPoint(value);
                    core["focal_point_x"] = x;
                    core["focal_point_y"] = y;
                    break;
                case "folder":
                    core["folder"] = Folder(value);
                    break;
            }
        }
        try
        {
            return FileInput.FromJson(core, creating: false, limits);
        }
        catch (Errors.ApiException e) when (e.Status == 400)
        {
            throw StrapiErrors.Validation(e.Extensions.TryGetValue("reason", out var reason) ? $"fileInfo: {reason}" : e.Message);
        }
    }

    /// <summary>
    /// A folder's id (a UUID, as <c>/folders</c> gives it), or null for none. Strapi's own ids are numbers; no folder here
    /// has one, so a number names no folder and is refused as one that does not exist, never ignored.
    /// </summary>
    private static JsonNode? Folder(JsonNode? value) => value switch
    {
        null => null,
        JsonValue v when v.TryGetValue<string>(out var text) && Guid.TryParseExact(text, "D", out var id) => id.ToString("D"),
        _ => throw FolderMissing(),
    };

    /// <summary>The 400 for a <c>fileInfo.folder</c> that names no folder, with Strapi's validation details.</summary>
    public static Errors.ApiException FolderMissing()
    {
        const string message = "fileInfo.folder must be the id of an existing folder (a UUID from /folders)";
        return StrapiErrors.Validation(message, new JsonObject
        {
            ["errors"] = new JsonArray(new JsonObject { ["path"] = new JsonArray("folder"), ["message"] = message, ["name"] = "ValidationError" }),
        });
    }

    /// <summary>
    /// A write whose folder the core found missing (its INVALID_FOREIGN_KEY, which names Directus's collection) as
    /// Strapi's 400 about <c>fileInfo.folder</c>.
    /// </summary>
    public static async Task<T> FolderChecked<T>(Task<T> write)
    {
        try
        {
            return await write;
        }
        catch (Errors.ApiException e) when (e.Code == "INVALID_FOREIGN_KEY")
        {
            throw FolderMissing();
        }
    }

    /// <summary><c>{"x":…,"y":…}</c> in pixels of the upright image, or null for none.</summary>
    private static (int? X, int? Y) FocalPoint(JsonNode? value)
    {
        if (value is null) return (null, null);
        if (value is JsonObject point && Coordinate(point["x"]) is { } x && Coordinate(point["y"]) is { } y) return (x, y);
        throw StrapiErrors.Validation("focalPoint must be {\"x\": number, \"y\": number} or null");
    }

    private static int? Coordinate(JsonNode? node) =>
        node is JsonValue v && v.TryGetValue<double>(out var d) && double.IsFinite(d) && d is >= 0 and <= int.MaxValue ? (int)Math.Round(d) : null;

    /// <summary>
    /// <c>ref</c>, <c>refId</c>, <c>field</c> and <c>source</c> of an upload: the entry its files are for, or null
    /// when <c>ref</c>/<c>refId</c> are not both given.
    /// </summary>
    public static FileLink? Link(IReadOnlyList<KeyValuePair<string, string>> fields)
    {
        string? Get(string name) => fields.LastOrDefault(f => f.Key == name).Value is { Length: > 0 and <= 255 } v ? v : null;
        var (reference, id) = (Get("ref"), Get("refId"));
        return reference is null || id is null ? null : new FileLink(reference, id, Get("field"), Get("source"));
    }
}
