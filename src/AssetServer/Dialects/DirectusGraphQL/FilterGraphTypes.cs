using AssetServer.Files;
using GraphQL.Types;

namespace AssetServer.GraphQL;

/// <summary>
/// <c>directus_files_filter</c>: a field's operators, or <c>_and</c>/<c>_or</c> lists of filters, as Directus types it.
/// The value reaches <see cref="Files.Query.FileQueryParser"/> as the same JSON object a REST <c>filter</c> is, so the
/// operators, their checks and their bounds are the REST ones.
/// </summary>
public sealed class FileFilterGraphType : InputObjectGraphType
{
    public FileFilterGraphType()
    {
        Name = "directus_files_filter";
        foreach (var field in FileFields.Visible) Field(field.Name, FileGraphFields.FilterType(field));
        Field("_and", typeof(ListGraphType<FileFilterGraphType>));
        Field("_or", typeof(ListGraphType<FileFilterGraphType>));
    }
}

/// <summary>
/// <c>directus_folders_filter</c>: <c>id</c>, <c>name</c> and, through the relation, <c>parent</c>; also what a file's
/// <c>folder</c> filters by (<c>files(filter: {folder: {name: {_eq: "Holiday"}}})</c>).
/// </summary>
public sealed class FolderFilterGraphType : InputObjectGraphType
{
    public FolderFilterGraphType()
    {
        Name = "directus_folders_filter";
        Field("id", typeof(StringFilterOperatorsGraphType));
        Field("name", typeof(StringFilterOperatorsGraphType));
        Field("parent", typeof(FolderFilterGraphType));
        Field("_and", typeof(ListGraphType<FolderFilterGraphType>));
        Field("_or", typeof(ListGraphType<FolderFilterGraphType>));
    }
}

/// <summary>The operators of text, UUID and JSON fields: Directus's <c>string_filter_operators</c>, plus the comparisons and ranges REST takes too.</summary>
public sealed class StringFilterOperatorsGraphType : InputObjectGraphType
{
    public StringFilterOperatorsGraphType()
    {
        Name = "string_filter_operators";
        FilterOperators.Add(this, typeof(StringGraphType),
            "_eq", "_neq", "_lt", "_lte", "_gt", "_gte",
            "_contains", "_ncontains", "_icontains", "_nicontains",
            "_starts_with", "_nstarts_with", "_istarts_with", "_nistarts_with",
            "_ends_with", "_nends_with", "_iends_with", "_niends_with");
        FilterOperators.Add(this, typeof(ListGraphType<StringGraphType>), "_in", "_nin", "_between", "_nbetween");
        FilterOperators.AddFlags(this);
    }
}

/// <summary>The operators of integer fields: Directus's <c>number_filter_operators</c>.</summary>
public sealed class NumberFilterOperatorsGraphType : InputObjectGraphType
{
    public NumberFilterOperatorsGraphType()
    {
        Name = "number_filter_operators";
        FilterOperators.Add(this, typeof(StringOrFloatGraphType), "_eq", "_neq", "_lt", "_lte", "_gt", "_gte");
        FilterOperators.Add(this, typeof(ListGraphType<StringOrFloatGraphType>), "_in", "_nin", "_between", "_nbetween");
        FilterOperators.AddFlags(this);
    }
}

/// <summary>The operators of timestamps: Directus's <c>date_filter_operators</c> (ISO 8601 text compares in time order).</summary>
public sealed class DateFilterOperatorsGraphType : InputObjectGraphType
{
    public DateFilterOperatorsGraphType()
    {
        Name = "date_filter_operators";
        FilterOperators.Add(this, typeof(StringGraphType), "_eq", "_neq", "_lt", "_lte", "_gt", "_gte");
        FilterOperators.Add(this, typeof(ListGraphType<StringGraphType>), "_in", "_nin", "_between", "_nbetween");
        FilterOperators.AddFlags(this);
    }
}

internal static class FilterOperators
{
    public static void Add(InputObjectGraphType type, Type operandType, params string[] operators)
    {
        foreach (var op in operators) type.Field(op, operandType);
    }

    /// <summary>The operators that take a flag rather than a value.</summary>
    public static void AddFlags(InputObjectGraphType type) => Add(type, typeof(BooleanGraphType), "_null", "_nnull", "_empty", "_nempty");
}
