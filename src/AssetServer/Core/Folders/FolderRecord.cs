using System.Text.Json.Nodes;

namespace AssetServer.Folders;

/// <summary>One row of <c>folders</c>: Directus's folder object <c>{id, name, parent}</c>.</summary>
public sealed class FolderRecord
{
    public string Id { get; set; } = "";
    public string Name { get; set; } = "";
    /// <summary>The folder this one is in; null at the top.</summary>
    public string? Parent { get; set; }

    /// <summary>The wire object with the requested fields (all three when none are named), in Directus's order.</summary>
    public JsonObject ToJson(IReadOnlyCollection<string>? fields = null)
    {
        var json = new JsonObject();
        if (fields is null || fields.Contains("id")) json["id"] = Id;
        if (fields is null || fields.Contains("name")) json["name"] = Name;
        if (fields is null || fields.Contains("parent")) json["parent"] = Parent;
        return json;
    }

    public FolderRecord Clone() => (FolderRecord)MemberwiseClone();
}
