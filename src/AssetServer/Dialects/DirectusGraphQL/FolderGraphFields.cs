using AssetServer.Auth;
using AssetServer.Files;
using AssetServer.Files.Query;
using AssetServer.Folders;
using GraphQL;
using GraphQL.Builders;
using GraphQL.Types;

namespace AssetServer.GraphQL;

/// <summary>
/// Directus's folder fields of <c>/graphql/system</c>. Queries: <c>folders</c>, <c>folders_by_id</c>,
/// <c>folders_aggregated</c>, through the same parser and SQL builder as <c>GET /folders</c>, charged to the request's
/// byte budget. Mutations: <c>create/update/delete_folders_item(s)</c>, every rule <see cref="FolderService"/>'s.
/// Reads need a read token, writes a write token; costs are counted as the file fields count theirs.
/// </summary>
public static class FolderGraphFields
{
    private static readonly string[] ListArguments = ["filter", "sort", "limit", "offset", "page", "search"];

    private static readonly string[] AggregateArguments = [.. ListArguments, "groupBy"];

    public static void AddQueries(ObjectGraphType query, FolderService folders, FileQueryParser parser, FilesOptions limits)
    {
        var list = query.Field<NonNullGraphType<ListGraphType<NonNullGraphType<FolderGraphType>>>>("folders");
        AddListArguments(list);
        list.FieldType.WithComplexityImpact(context => GraphQLCost.Rows(context, limits));
        list.ResolveAsync(async context =>
        {
            GraphQLAccess.Require(context, Access.Read, FolderTable.Collection);
            var parsed = parser.Parse(GraphQLJson.Query(context, ListArguments, FolderTable.Table), FolderTable.Table);
            var rows = new List<FolderRecord>();
            await foreach (var row in folders.ListAsync(parsed, context.CancellationToken, GraphQLCost.Budget(context))) rows.Add(row);
            var lookup = FolderLookup.Of(context);
            lookup.Remember(rows);
            // The parents of a page in one statement, when they are asked for.
            if (context.SubFields?.Values.Any(f => f.FieldType.Name == "parent") == true)
                await lookup.LoadAsync(rows.Select(r => r.Parent), context.CancellationToken);
            return rows;
        });

        var one = query.Field<FolderGraphType>("folders_by_id").Argument<NonNullGraphType<IdGraphType>>("id");
        one.FieldType.WithComplexityImpact(GraphQLCost.One);
        one.ResolveAsync(async context =>
        {
            GraphQLAccess.Require(context, Access.Read, FolderTable.Collection);
            // Null for an id that is no folder, malformed or unknown alike, as files_by_id answers.
            return await FolderLookup.Of(context).GetAsync(GraphQLAccess.Id(context.GetArgument<object?>("id")), context.CancellationToken);
        });

        var aggregated = query.Field<NonNullGraphType<ListGraphType<NonNullGraphType<FolderAggregatedGraphType>>>>("folders_aggregated")
            .Argument<ListGraphType<StringGraphType>>("groupBy");
        AddListArguments(aggregated);
        aggregated.FieldType.WithComplexityImpact(context => GraphQLCost.Rows(context, limits));
        aggregated.ResolveAsync(async context =>
        {
            GraphQLAccess.Require(context, Access.Read, FolderTable.Collection);
            var json = GraphQLJson.Query(context, AggregateArguments, FolderTable.Table);
            json["aggregate"] = FileAggregatedGraphType.Selected(context);
            var parsed = parser.ParseAggregate(json, FolderTable.Table);
            var rows = await folders.AggregateAsync(parsed, GraphQLCost.Budget(context), context.CancellationToken);
            return rows.Select(row => new FileAggregateResult(parsed, row)).ToList();
        });
    }

    public static void AddMutations(ObjectGraphType mutation, FolderService folders)
    {
        var createOne = mutation.Field<FolderGraphType>("create_folders_item")
            .Argument<NonNullGraphType<FolderCreateInputGraphType>>("data");
        createOne.FieldType.WithComplexityImpact(GraphQLCost.One);
        createOne.ResolveAsync(async context =>
        {
            GraphQLAccess.Require(context, Access.Write, FolderTable.Collection);
            var created = await folders.CreateAsync([Input(GraphQLJson.Object(context, "data"), creating: true)], context.CancellationToken);
            return Written(context, created)[0];
        });

        var createMany = mutation.Field<NonNullGraphType<ListGraphType<NonNullGraphType<FolderGraphType>>>>("create_folders_items")
            .Argument<ListGraphType<NonNullGraphType<FolderCreateInputGraphType>>>("data");
        createMany.FieldType.WithComplexityImpact(context => GraphQLCost.PerItem(context, "data"));
        createMany.ResolveAsync(async context =>
        {
            GraphQLAccess.Require(context, Access.Write, FolderTable.Collection);
            var items = GraphQLJson.From(context.GetArgument<object?>("data")) as System.Text.Json.Nodes.JsonArray ?? [];
            if (items.Count > 10000) throw Errors.ApiErrors.InvalidPayload("At most 10000 folders per request");
            var inputs = items.Select(item => Input((System.Text.Json.Nodes.JsonObject)item!, creating: true)).ToList();
            return Written(context, inputs.Count == 0 ? [] : await folders.CreateAsync(inputs, context.CancellationToken));
        });

        var updateOne = mutation.Field<FolderGraphType>("update_folders_item")
            .Argument<NonNullGraphType<IdGraphType>>("id")
            .Argument<NonNullGraphType<FolderUpdateInputGraphType>>("data");
        updateOne.FieldType.WithComplexityImpact(GraphQLCost.One);
        updateOne.ResolveAsync(async context =>
        {
            GraphQLAccess.Require(context, Access.Write, FolderTable.Collection);
            var id = GraphQLAccess.Ids(new[] { context.GetArgument<object?>("id") })[0];
            var updated = await folders.UpdateEachAsync([(id, Input(GraphQLJson.Object(context, "data"), creating: false))], context.CancellationToken);
            return Written(context, updated)[0];
        });

        var updateMany = mutation.Field<NonNullGraphType<ListGraphType<NonNullGraphType<FolderGraphType>>>>("update_folders_items")
            .Argument<NonNullGraphType<ListGraphType<IdGraphType>>>("ids")
            .Argument<NonNullGraphType<FolderUpdateInputGraphType>>("data");
        updateMany.FieldType.WithComplexityImpact(GraphQLCost.Ids);
        updateMany.ResolveAsync(async context =>
        {
            GraphQLAccess.Require(context, Access.Write, FolderTable.Collection);
            var ids = GraphQLAccess.Ids(context.GetArgument<object?>("ids"));
            var input = Input(GraphQLJson.Object(context, "data"), creating: false);
            return Written(context, await folders.UpdateManyAsync(ids, input, context.CancellationToken));
        });

        var deleteOne = mutation.Field<DeletedFileGraphType>("delete_folders_item").Argument<NonNullGraphType<IdGraphType>>("id");
        deleteOne.FieldType.WithComplexityImpact(GraphQLCost.One);
        deleteOne.ResolveAsync(async context =>
        {
            GraphQLAccess.Require(context, Access.Write, FolderTable.Collection);
            var ids = GraphQLAccess.Ids(new[] { context.GetArgument<object?>("id") });
            await folders.DeleteAsync(ids, context.CancellationToken);
            return Deleted(context, ids);
        });

        var deleteMany = mutation.Field<DeletedFilesGraphType>("delete_folders_items").Argument<NonNullGraphType<ListGraphType<IdGraphType>>>("ids");
        deleteMany.FieldType.WithComplexityImpact(GraphQLCost.One);
        deleteMany.ResolveAsync(async context =>
        {
            GraphQLAccess.Require(context, Access.Write, FolderTable.Collection);
            var ids = GraphQLAccess.Ids(context.GetArgument<object?>("ids"));
            await folders.DeleteAsync(ids, context.CancellationToken);
            return Deleted(context, ids);
        });
    }

    /// <summary>The <c>data</c> of a folder mutation as <see cref="FolderInput"/> checks a REST body (<c>parent: {id}</c> → its id).</summary>
    private static FolderInput Input(System.Text.Json.Nodes.JsonObject data, bool creating) =>
        FolderInput.FromJson(FolderReference.Flatten(data, "parent"), creating);

    /// <summary>
    /// What a write answers; the request's lookup learns the folders as written, and forgets the rest of the tree, since a
    /// move or a delete may have changed other folders' parents.
    /// </summary>
    private static List<FolderRecord> Written(IResolveFieldContext context, List<FolderRecord> folders)
    {
        var lookup = FolderLookup.Of(context);
        lookup.Clear();
        lookup.Remember(folders);
        return folders;
    }

    private static DeletedFiles Deleted(IResolveFieldContext context, List<string> ids)
    {
        FolderLookup.Of(context).Clear();
        return new DeletedFiles(ids);
    }

    private static void AddListArguments<TSource, TReturn>(FieldBuilder<TSource, TReturn> field) => field
        .Argument<FolderFilterGraphType>("filter")
        .Argument<ListGraphType<StringGraphType>>("sort")
        .Argument<IntGraphType>("limit")
        .Argument<IntGraphType>("offset")
        .Argument<IntGraphType>("page")
        .Argument<StringGraphType>("search");
}
