using System.Text.Json.Nodes;
using AssetServer.Errors;

namespace AssetServer.Folders;

/// <summary>
/// What a client sets on a folder: <c>name</c> (required on create, trimmed, 1–255 characters) and <c>parent</c> (a
/// UUID or null); <c>id</c> too on create, as Directus lets a client choose it. Anything else is INVALID_PAYLOAD.
/// </summary>
public sealed class FolderInput
{
    public const int MaxNameLength = 255;

    public string? Id { get; private set; }
    public string? Name { get; private set; }
    public bool HasParent { get; private set; }
    public string? Parent { get; private set; }

    public static FolderInput FromJson(JsonObject json, bool creating)
    {
        var input = new FolderInput();
        foreach (var (key, value) in json)
        {
            switch (key)
            {
                case "id" when creating:
                    input.Id = value is null ? null : Uuid(key, value);
                    break;
                case "name":
                    input.Name = ValidName(value);
                    break;
                case "parent":
                    input.HasParent = true;
                    input.Parent = value is null ? null : Uuid(key, value);
                    break;
                case "id":
                    throw ApiErrors.InvalidPayload("Field \"id\" is read-only");
                default:
                    throw ApiErrors.InvalidPayload($"Unknown field \"{(key.Length > 64 ? key[..64] + "…" : key)}\"; a folder has \"name\" and \"parent\"");
            }
        }
        if (creating && input.Name is null) throw NameRequired();
        return input;
    }

    /// <summary>A folder made from code (a dialect's field, the admin page): the same rules as the JSON body.</summary>
    public static FolderInput Of(string name, string? parent) =>
        new() { Name = ValidName(JsonValue.Create(name)), HasParent = true, Parent = parent is null ? null : Uuid("parent", JsonValue.Create(parent)) };

    /// <summary>Directus's answer to a missing or null required field.</summary>
    private static ApiException NameRequired() =>
        new(400, "FAILED_VALIDATION", "Validation failed for field \"name\". Value is required.",
            new Dictionary<string, object?> { ["field"] = "name", ["type"] = "required" });

    private static string ValidName(JsonNode? value)
    {
        if (value is null) throw NameRequired();
        if (value is not JsonValue v || !v.TryGetValue<string>(out var text)) throw ApiErrors.InvalidPayload("\"name\" must be a string");
        text = text.Trim();
        if (text.Length == 0) throw NameRequired();
        if (text.Length > MaxNameLength) throw ApiErrors.InvalidPayload($"\"name\" must be at most {MaxNameLength} characters");
        if (text.Contains('\0')) throw ApiErrors.InvalidPayload("\"name\" must not contain NUL characters");
        return text;
    }

    private static string Uuid(string name, JsonNode value) =>
        value is JsonValue v && v.TryGetValue<string>(out var text) && Guid.TryParseExact(text, "D", out var guid)
            ? guid.ToString("D")
            : throw ApiErrors.InvalidPayload($"\"{name}\" must be a UUID or null");
}
