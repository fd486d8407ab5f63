using System.Text.Json.Nodes;
using AssetServer.Files;
using AssetServer.Files.Query;
using GraphQL;
using GraphQL.Types;
using GraphQLParser;
using GraphQLParser.AST;

namespace AssetServer.GraphQL;

/// <summary>
/// <c>directus_files_aggregated</c>: one group of <c>files_aggregated</c>. <c>group</c> holds the grouped fields'
/// values, <c>countAll</c> the rows, and each function a per-field object, as Directus shapes it.
/// </summary>
public sealed class FileAggregatedGraphType : ObjectGraphType<FileAggregateResult>
{
    /// <summary>The functions whose fields are per-field counts; the others take numeric fields and give floats.</summary>
    private static readonly string[] Counts = ["count", "countDistinct"];

    public FileAggregatedGraphType()
    {
        Name = "directus_files_aggregated";
        Field("group", typeof(JsonGraphType)).Resolve(context => context.Source.Group());
        Field("countAll", typeof(IntGraphType)).Resolve(context => context.Source.Value("count", null));
        foreach (var function in FileAggregate.Functions)
        {
            var type = Counts.Contains(function) ? typeof(FileAggregatedCountGraphType) : typeof(FileAggregatedFieldsGraphType);
            Field(function, type).Resolve(context => new FileAggregateSlice(context.Source, function));
        }
    }

    /// <summary>
    /// What the selection under <c>files_aggregated</c> asks for, as Directus's <c>aggregate</c> object
    /// (<c>{"count":["*","id"],"sum":["filesize"]}</c>): every function field and the fields selected in it, through
    /// fragments and aliases. Only <c>group</c> selected still counts the rows, so a group is never empty of values.
    /// </summary>
    public static JsonObject Selected(IResolveFieldContext context)
    {
        var aggregate = new JsonObject();
        foreach (var field in SelectionFields(context.FieldAst.SelectionSet, context.Document))
        {
            var name = (string)field.Name.Value;
            if (name == "countAll") Add(aggregate, "count", "*");
            else if (FileAggregate.Functions.Contains(name))
                foreach (var inner in SelectionFields(field.SelectionSet, context.Document))
                    if ((string)inner.Name.Value is var innerName && innerName != "__typename") Add(aggregate, name, innerName);
        }
        if (aggregate.Count == 0) Add(aggregate, "count", "*");
        return aggregate;
    }

    private static void Add(JsonObject aggregate, string function, string field)
    {
        if (aggregate[function] is not JsonArray fields) aggregate[function] = fields = [];
        if (!fields.Any(f => (string?)f == field)) fields.Add(field);
    }

    /// <summary>The fields of a selection set, fragments spread in (validation has already refused cycles and unknown names).</summary>
    private static IEnumerable<GraphQLField> SelectionFields(GraphQLSelectionSet? selections, GraphQLDocument document)
    {
        foreach (var selection in selections?.Selections ?? [])
        {
            var inner = selection switch
            {
                GraphQLField field => [field],
                GraphQLInlineFragment inline => SelectionFields(inline.SelectionSet, document),
                GraphQLFragmentSpread spread => SelectionFields(document.FindFragmentDefinition(spread.FragmentName.Name.Value)?.SelectionSet, document),
                _ => [],
            };
            foreach (var field in inner) yield return field;
        }
    }
}

/// <summary><c>directus_files_aggregated_count</c>: a count per field (<c>count</c>, <c>countDistinct</c>).</summary>
public sealed class FileAggregatedCountGraphType : ObjectGraphType<FileAggregateSlice>
{
    public FileAggregatedCountGraphType()
    {
        Name = "directus_files_aggregated_count";
        foreach (var field in FileFields.Visible)
            Field(field.Name, typeof(IntGraphType)).Resolve(context => context.Source.Value(field.Name));
    }
}

/// <summary><c>directus_files_aggregated_fields</c>: a value per numeric field (<c>sum</c>, <c>avg</c>, <c>min</c>, <c>max</c> and their distinct forms).</summary>
public sealed class FileAggregatedFieldsGraphType : ObjectGraphType<FileAggregateSlice>
{
    public FileAggregatedFieldsGraphType()
    {
        Name = "directus_files_aggregated_fields";
        foreach (var field in FileGraphFields.Numeric)
            Field(field.Name, typeof(FloatGraphType)).Resolve(context => context.Source.Value(field.Name));
    }
}

/// <summary>One group of an aggregate query (of files or folders) and the query that made it, to find each value by function and field.</summary>
public sealed record FileAggregateResult(FileQuery Query, FileAggregateRow Row)
{
    public object? Value(string function, string? field)
    {
        var wanted = new FileAggregate(function, field);
        var aggregates = Query.Aggregates!;
        for (var i = 0; i < aggregates.Count; i++)
            if (aggregates[i] == wanted) return Row.Values[i];
        return null;
    }

    /// <summary>The grouped fields and their values (JSON columns as JSON), <c>{}</c> without <c>groupBy</c>.</summary>
    public JsonObject Group()
    {
        var group = new JsonObject();
        for (var i = 0; i < Query.GroupBy.Count; i++)
        {
            var name = Query.GroupBy[i];
            group[name] = Row.Group[i] switch
            {
                null => null,
                string text when Query.Table.Find(name)!.Kind == FieldKind.Json => JsonNode.Parse(text),
                var value => GraphQLJson.From(value),
            };
        }
        return group;
    }
}

/// <summary>One function's values within a group (what <c>count { … }</c> or <c>sum { … }</c> resolves from).</summary>
public sealed record FileAggregateSlice(FileAggregateResult Result, string Function)
{
    public object? Value(string field) => Result.Value(Function, field);
}

/// <summary><c>directus_folders_aggregated</c>: one group of <c>folders_aggregated</c>; folders have no numeric field, so only counts.</summary>
public sealed class FolderAggregatedGraphType : ObjectGraphType<FileAggregateResult>
{
    public FolderAggregatedGraphType()
    {
        Name = "directus_folders_aggregated";
        Field("group", typeof(JsonGraphType)).Resolve(context => context.Source.Group());
        Field("countAll", typeof(IntGraphType)).Resolve(context => context.Source.Value("count", null));
        Field("count", typeof(FolderAggregatedCountGraphType)).Resolve(context => new FileAggregateSlice(context.Source, "count"));
        Field("countDistinct", typeof(FolderAggregatedCountGraphType)).Resolve(context => new FileAggregateSlice(context.Source, "countDistinct"));
    }
}

/// <summary><c>directus_folders_aggregated_count</c>: a count per folder field.</summary>
public sealed class FolderAggregatedCountGraphType : ObjectGraphType<FileAggregateSlice>
{
    public FolderAggregatedCountGraphType()
    {
        Name = "directus_folders_aggregated_count";
        foreach (var field in Folders.FolderTable.Fields)
            Field(field.Name, typeof(IntGraphType)).Resolve(context => context.Source.Value(field.Name));
    }
}
