using System.Text.Json.Nodes;
using AssetServer.Errors;
using GraphQL.Types;

namespace AssetServer.GraphQL;

/// <summary>
/// <c>create_directus_folders_input</c>: <c>{ id name parent }</c>, <c>parent</c> being Directus's many-to-one input
/// (<c>parent: { id: "…" }</c>). <c>name</c> is nullable in the type, as a file's <c>folder: { id }</c> uses this type
/// too; a new folder without one is refused by <see cref="Folders.FolderInput"/> (FAILED_VALIDATION), as on REST.
/// </summary>
public sealed class FolderCreateInputGraphType : InputObjectGraphType
{
    public FolderCreateInputGraphType()
    {
        Name = "create_directus_folders_input";
        Field("id", typeof(IdGraphType));
        Field("name", typeof(StringGraphType));
        Field("parent", typeof(FolderCreateInputGraphType));
    }
}

/// <summary><c>update_directus_folders_input</c>: the same fields; one left out is kept, <c>parent: null</c> moves to the top.</summary>
public sealed class FolderUpdateInputGraphType : InputObjectGraphType
{
    public FolderUpdateInputGraphType()
    {
        Name = "update_directus_folders_input";
        Field("id", typeof(IdGraphType));
        Field("name", typeof(StringGraphType));
        Field("parent", typeof(FolderUpdateInputGraphType));
    }
}

/// <summary>
/// Directus's many-to-one inputs (<c>folder: { id: "…" }</c>, <c>parent: { id: "…" }</c>) as the core takes them: the id.
/// Directus would also create or change the related folder from a nested object; here a folder is named by its id
/// only, so one write never changes two collections (create it first with <c>create_folders_item</c>).
/// </summary>
public static class FolderReference
{
    /// <summary><paramref name="data"/> with <paramref name="field"/> (when given) replaced by the id it names.</summary>
    public static JsonObject Flatten(JsonObject data, string field)
    {
        if (!data.TryGetPropertyValue(field, out var value) || value is null) return data;
        if (value is JsonObject { Count: 1 } related && related["id"] is JsonValue id)
        {
            data[field] = id.DeepClone();
            return data;
        }
        throw ApiErrors.InvalidPayload(
            $"\"{field}\" names an existing folder by its id only ({field}: {{id: \"…\"}}); create a new folder first with create_folders_item");
    }
}
