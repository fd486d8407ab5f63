using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using AssetServer.Errors;

namespace AssetServer.Files;

/// <summary>
/// The fields a client sets on a file (JSON body, multipart fields or an import's <c>data</c>), checked
/// against <see cref="FileFields"/>: writable fields are typed and bounded, anything else is
/// <c>INVALID_PAYLOAD</c> (API.md lets us pick between refusing and ignoring; refusing tells the client).
/// </summary>
/// <param name="limits">Size bounds of the settable fields (<c>Files:MaxMetadataBytes</c>).</param>
public sealed class FileInput(FilesOptions limits)
{
    /// <summary>Longest <c>description</c>, in characters.</summary>
    public const int MaxDescriptionLength = 65536;

    /// <summary>Longest <c>title</c>, <c>location</c> or <c>alternative_text</c>, in characters.</summary>
    public const int MaxTextLength = 2048;

    /// <summary>Most <c>tags</c>, and the longest tag in characters.</summary>
    public const int MaxTags = 500, MaxTagLength = 256;

    private readonly Dictionary<string, JsonNode?> values = new(StringComparer.Ordinal);

    public IReadOnlyDictionary<string, JsonNode?> Values => values;

    public bool Has(string field) => values.ContainsKey(field);

    /// <summary>The <c>storage</c> a create asked for, if any: Directus's storage location, here the configured store.</summary>
    public string? Storage { get; private set; }

    /// <summary>
    /// Fields Directus clients send on create that we accept but derive ourselves:
    /// <c>storage</c> (must name the configured store, checked by <c>FileService</c>: <see cref="Storage"/>) and <c>type</c>
    /// (sniffed from the bytes).
    /// </summary>
    private static readonly string[] AcceptedOnCreate = ["storage", "type"];

    public static FileInput FromJson(JsonObject json, bool creating, FilesOptions limits)
    {
        var input = new FileInput(limits);
        foreach (var (name, value) in json) input.Set(name, value?.DeepClone(), creating);
        return input;
    }

    /// <summary>A multipart field: text, where "null"/"true"/"false" mean what Directus makes of them.</summary>
    public void SetText(string name, string text)
    {
        JsonNode? value = text switch
        {
            "null" => null,
            "true" => JsonValue.Create(true),
            "false" => JsonValue.Create(false),
            _ => JsonValue.Create(text),
        };
        Set(name, value, creating: true);
    }

    private void Set(string name, JsonNode? value, bool creating)
    {
        if (creating && AcceptedOnCreate.Contains(name))
        {
            if (name == "storage" && value is not null) Storage = Text(name, value, 64);
            if (name == "type") values[name] = value is null ? null : JsonValue.Create(Text(name, value, 255));
            return;
        }
        var field = FileFields.Find(name) ?? throw ApiErrors.InvalidPayload($"Unknown field \"{Short(name)}\"");
        if (!field.Writable) throw ApiErrors.InvalidPayload($"Field \"{name}\" is read-only");
        values[name] = name switch
        {
            _ when value is null && name != "filename_download" => null,
            "filename_download" => JsonValue.Create(FileNames.Sanitise(Text(name, value ?? throw ApiErrors.InvalidPayload("\"filename_download\" cannot be null"), 1024))),
            "title" or "description" or "location" or "alternative_text" => JsonValue.Create(Text(name, value!, name == "description" ? MaxDescriptionLength : MaxTextLength)),
            "folder" => JsonValue.Create(Uuid(name, value!)),
            "focal_point_x" or "focal_point_y" => JsonValue.Create(Integer(name, value!)),
            "tags" => Tags(value!),
            "metadata" => MetadataObject(value!),
            _ => throw ApiErrors.InvalidPayload($"Field \"{name}\" is read-only"),
        };
    }

    public string? GetString(string name) => values.TryGetValue(name, out var v) && v is JsonValue j && j.TryGetValue<string>(out var s) ? s : null;

    public int? GetInt(string name) => values.TryGetValue(name, out var v) && v is JsonValue j && j.TryGetValue<int>(out var i) ? i : null;

    /// <summary>The value as it is stored in its column (JSON text for tags and metadata).</summary>
    public object? ColumnValue(string name)
    {
        var node = values[name];
        return name switch
        {
            "tags" or "metadata" => node?.ToJsonString(JsonBody.Wire),
            "focal_point_x" or "focal_point_y" => GetInt(name),
            _ => GetString(name),
        };
    }

    /// <summary>Writes every set field onto the record.</summary>
    public void ApplyTo(FileRecord record)
    {
        foreach (var name in values.Keys)
        {
            switch (name)
            {
                case "filename_download": record.FilenameDownload = GetString(name)!; break;
                case "title": record.Title = GetString(name); break;
                case "description": record.Description = GetString(name); break;
                case "location": record.Location = GetString(name); break;
                case "alternative_text": record.AlternativeText = GetString(name); break;
                case "folder": record.Folder = GetString(name); break;
                case "tags": record.Tags = (string?)ColumnValue(name); break;
                case "metadata": record.Metadata = (string?)ColumnValue(name); break;
                case "focal_point_x": record.FocalPointX = GetInt(name); break;
                case "focal_point_y": record.FocalPointY = GetInt(name); break;
            }
        }
    }

    private static string Text(string name, JsonNode value, int max)
    {
        if (value is not JsonValue v) throw ApiErrors.InvalidPayload($"\"{name}\" must be a string");
        var text = v.TryGetValue<string>(out var s) ? s
            : v.GetValueKind() is JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False ? v.ToJsonString()
            : throw ApiErrors.InvalidPayload($"\"{name}\" must be a string");
        if (text.Length > max) throw ApiErrors.InvalidPayload($"\"{name}\" must be at most {max} characters");
        if (text.Contains('\0')) throw ApiErrors.InvalidPayload($"\"{name}\" must not contain NUL characters");
        return text;
    }

    private static string Uuid(string name, JsonNode value)
    {
        var text = Text(name, value, 64);
        if (!Guid.TryParseExact(text, "D", out var guid)) throw ApiErrors.InvalidPayload($"\"{name}\" must be a UUID");
        return guid.ToString("D");
    }

    private static int Integer(string name, JsonNode value)
    {
        if (value is JsonValue v)
        {
            if (v.TryGetValue<int>(out var i)) return i >= 0 ? i : throw ApiErrors.InvalidPayload($"\"{name}\" must be 0 or more");
            if (v.TryGetValue<string>(out var s) && int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed)) return parsed;
        }
        throw ApiErrors.InvalidPayload($"\"{name}\" must be an integer from 0");
    }

    /// <summary>A JSON array of strings; multipart may send it as JSON text or a comma list.</summary>
    private static JsonArray Tags(JsonNode value)
    {
        if (value is JsonValue v && v.TryGetValue<string>(out var text))
        {
            text = text.Trim();
            if (text.StartsWith('['))
            {
                try
                {
                    value = JsonBody.Parse(text) ?? new JsonArray();
                }
                catch (JsonException)
                {
                    throw ApiErrors.InvalidPayload("\"tags\" must be a JSON array of strings");
                }
            }
            else
            {
                value = new JsonArray(text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                    .Select(t => (JsonNode?)JsonValue.Create(t)).ToArray());
            }
        }
        if (value is not JsonArray array || array.Count > MaxTags) throw ApiErrors.InvalidPayload($"\"tags\" must be a JSON array of at most {MaxTags} strings");
        var tags = new JsonArray();
        foreach (var item in array)
        {
            if (item is not JsonValue t || !t.TryGetValue<string>(out var tag) || tag.Length > MaxTagLength)
                throw ApiErrors.InvalidPayload("\"tags\" must be a JSON array of strings");
            tags.Add(tag);
        }
        return tags;
    }

    private JsonObject MetadataObject(JsonNode value)
    {
        if (value is JsonValue v && v.TryGetValue<string>(out var text))
        {
            try
            {
                value = JsonBody.Parse(text)!;
            }
            catch (JsonException)
            {
                throw ApiErrors.InvalidPayload("\"metadata\" must be a JSON object");
            }
        }
        if (value is not JsonObject obj) throw ApiErrors.InvalidPayload("\"metadata\" must be a JSON object");
        // Every list response carries it for every row: a cap keeps one row from costing what a thousand should.
        var bytes = Encoding.UTF8.GetByteCount(obj.ToJsonString(JsonBody.Wire)); // as stored
        if (bytes > limits.MaxMetadataBytes) throw ApiErrors.FieldTooLarge("metadata", bytes, limits.MaxMetadataBytes, "Files:MaxMetadataBytes");
        return (JsonObject)obj.DeepClone();
    }

    private static string Short(string text) => text.Length > 64 ? text[..64] + "…" : text;
}
