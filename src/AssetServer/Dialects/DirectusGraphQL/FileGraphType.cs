using System.Text.Json.Nodes;
using AssetServer.Files;
using GraphQL;
using GraphQL.Types;
using Microsoft.Extensions.Options;

namespace AssetServer.GraphQL;

/// <summary>
/// <c>directus_files</c>: Directus's file object (<see cref="FileFields.Visible"/>, in its order), one field per column.
/// The selection decides what is returned (and which columns are read); every value is read by the field's own reader,
/// as REST reads it. Each field weighs its width in the request's byte estimate (<see cref="GraphQLCost.Width"/>).
/// </summary>
public sealed class FileGraphType : ObjectGraphType<FileRecord>
{
    public FileGraphType(IOptions<FilesOptions> files)
    {
        Name = "directus_files";
        foreach (var field in FileFields.Visible)
        {
            if (field.Related is not null)
            {
                // Directus's many-to-one: the related object, read by FolderLookup (a list's folders in one statement).
                Field(field.Name, typeof(FolderGraphType)).ResolveAsync(async context =>
                    await FolderLookup.Of(context).GetAsync(FileGraphFields.Value(field, context.Source) as string, context.CancellationToken));
                continue;
            }
            var width = GraphQLCost.Width(field, files.Value);
            Field(field.Name, FileGraphFields.OutputType(field)).Resolve(context => FileGraphFields.Value(field, context.Source))
                .FieldType.WithComplexityImpact(context => GraphQLCost.Value(context, width));
        }
    }
}

/// <summary>How the allow-listed fields appear in the schema: their GraphQL types, and their values.</summary>
public static class FileGraphFields
{
    /// <summary>
    /// Directus's types: the key is an <c>ID</c>, counts of bytes a <c>GraphQLBigInt</c> (Directus's <c>filesize</c>),
    /// other integers <c>Int</c>, timestamps <c>Date</c>, JSON columns <c>JSON</c>; the rest are strings (also
    /// <c>uploaded_by</c> and <c>modified_by</c>, relations to users in Directus, which this server does not have).
    /// </summary>
    public static Type OutputType(FileField field) => field switch
    {
        { Name: "id" } => typeof(NonNullGraphType<IdGraphType>),
        { Name: "filesize" } => typeof(DirectusBigIntGraphType),
        { Kind: FieldKind.Integer } => typeof(IntGraphType),
        { Kind: FieldKind.DateTime } => typeof(DirectusDateGraphType),
        { Kind: FieldKind.Json } => typeof(JsonGraphType),
        _ => typeof(StringGraphType),
    };

    /// <summary>
    /// The input type of a field in <c>directus_files_filter</c>: a relation filters by the related object's fields
    /// (<c>folder: directus_folders_filter</c>), others by the operators the query parser allows on their kind.
    /// </summary>
    public static Type FilterType(FileField field) => field switch
    {
        { Related: not null } => typeof(FolderFilterGraphType),
        { Kind: FieldKind.Integer } => typeof(NumberFilterOperatorsGraphType),
        { Kind: FieldKind.DateTime } => typeof(DateFilterOperatorsGraphType),
        _ => typeof(StringFilterOperatorsGraphType),
    };

    /// <summary>The fields that <c>sum</c>, <c>avg</c>, <c>min</c> and <c>max</c> take.</summary>
    public static IEnumerable<FileField> Numeric => FileFields.Visible.Where(f => f.Kind == FieldKind.Integer);

    /// <summary>The field's value for the scalar: stored JSON as it is, other values unwrapped from the field's reader.</summary>
    public static object? Value(FileField field, FileRecord record)
    {
        if (field.StoredJson is { } stored) return stored(record) is { } text ? new RawJson(text) : null;
        return field.Read(record) switch
        {
            null => null,
            JsonValue value => value.GetValue<object>(),
            var node => node,
        };
    }
}
