using AssetServer.Files;
using GraphQL.Types;

namespace AssetServer.GraphQL;

/// <summary>
/// <c>update_directus_files_input</c>: the fields a client may write (<see cref="FileField.Writable"/>). The value becomes
/// the JSON object <see cref="FileInput.FromJson"/> checks, as a <c>PATCH /files/:id</c> body does; a field given as
/// null is cleared, a field left out is kept.
/// </summary>
public sealed class FileUpdateInputGraphType : InputObjectGraphType
{
    public FileUpdateInputGraphType()
    {
        Name = "update_directus_files_input";
        FileInputFields.Add(this, typeof(FolderUpdateInputGraphType));
    }
}

/// <summary>
/// <c>create_directus_files_input</c> (the <c>data</c> of <c>import_file</c>): the writable fields, and <c>storage</c> and
/// <c>type</c>, which Directus clients send on create and <see cref="FileInput"/> accepts then (the bytes decide the type).
/// </summary>
public sealed class FileCreateInputGraphType : InputObjectGraphType
{
    public FileCreateInputGraphType()
    {
        Name = "create_directus_files_input";
        Field("storage", typeof(StringGraphType));
        Field("type", typeof(StringGraphType));
        FileInputFields.Add(this, typeof(FolderCreateInputGraphType));
    }
}

internal static class FileInputFields
{
    /// <param name="folderInput">The type of <c>folder</c>: Directus's many-to-one input (<c>folder: { id: "…" }</c>, see <see cref="FolderReference"/>).</param>
    public static void Add(InputObjectGraphType type, Type folderInput)
    {
        foreach (var field in FileFields.Visible.Where(f => f.Writable))
            type.Field(field.Name, field.Related is not null ? folderInput : field.Kind switch
            {
                FieldKind.Integer => typeof(IntGraphType),
                FieldKind.Json => typeof(JsonGraphType),
                _ => typeof(StringGraphType),
            });
    }
}
