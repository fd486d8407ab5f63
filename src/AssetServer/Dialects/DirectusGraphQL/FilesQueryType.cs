using System.Text.Json.Nodes;
using AssetServer.Auth;
using AssetServer.Data;
using AssetServer.Files;
using AssetServer.Files.Query;
using GraphQL;
using GraphQL.Builders;
using GraphQL.Types;
using Microsoft.Extensions.Options;

namespace AssetServer.GraphQL;

/// <summary>
/// Directus's Query fields for files: <c>files</c>, <c>files_by_id</c>, <c>files_aggregated</c> (and the folders', see
/// <see cref="FolderGraphFields"/>). Arguments become the
/// core's query object; rows come from the same parser, SQL builder and repository as <c>GET /files</c>, read with only
/// the columns the selection asks for and charged to the request's byte budget (<see cref="GraphQLCost.Budget"/>).
/// </summary>
public sealed class FilesQueryType : ObjectGraphType
{
    /// <summary>The list arguments, named as the REST query parameters they become.</summary>
    private static readonly string[] ListArguments = ["filter", "sort", "limit", "offset", "page", "search"];

    private static readonly string[] AggregateArguments = [.. ListArguments, "groupBy"];

    public FilesQueryType(FileService files, FileRepository repository, FileQueryParser parser, Folders.FolderService folders, IOptions<FilesOptions> limits)
    {
        Name = "Query";

        var list = Field<NonNullGraphType<ListGraphType<NonNullGraphType<FileGraphType>>>>("files");
        AddListArguments(list);
        list.FieldType.WithComplexityImpact(context => GraphQLCost.Rows(context, limits.Value));
        list.ResolveAsync(async context =>
        {
            GraphQLAccess.Require(context, Access.Read);
            var query = parser.Parse(GraphQLJson.Query(context, ListArguments)) with { ReadFields = GraphQLCost.SelectedFields(context) };
            var rows = new List<FileRecord>();
            await foreach (var row in files.ListAsync(query, context.CancellationToken, GraphQLCost.Budget(context))) rows.Add(row);
            // The folders of a page in one statement, when they are asked for (files { folder { name } }).
            if (query.ReadFields!.Contains("folder"))
                await FolderLookup.Of(context).LoadAsync(rows.Select(r => r.Folder), context.CancellationToken);
            return rows;
        });

        var one = Field<FileGraphType>("files_by_id").Argument<NonNullGraphType<IdGraphType>>("id");
        one.FieldType.WithComplexityImpact(GraphQLCost.One);
        one.ResolveAsync(async context =>
        {
            GraphQLAccess.Require(context, Access.Read);
            // Null for an id that is not a file, malformed or unknown alike, so the answer says nothing about which.
            if (GraphQLAccess.Id(context.GetArgument<object?>("id")) is not { } id) return null;
            // A list of at most one row, so the item reads only the selected columns and is charged as a list's rows are.
            var query = parser.Parse(new JsonObject { ["filter"] = new JsonObject { ["id"] = new JsonObject { ["_eq"] = id } }, ["limit"] = 1 })
                with { ReadFields = GraphQLCost.SelectedFields(context) };
            await foreach (var row in files.ListAsync(query, context.CancellationToken, GraphQLCost.Budget(context))) return row;
            return null;
        });

        var aggregated = Field<NonNullGraphType<ListGraphType<NonNullGraphType<FileAggregatedGraphType>>>>("files_aggregated")
            .Argument<ListGraphType<StringGraphType>>("groupBy");
        AddListArguments(aggregated);
        aggregated.FieldType.WithComplexityImpact(context => GraphQLCost.Rows(context, limits.Value));
        aggregated.ResolveAsync(async context =>
        {
            GraphQLAccess.Require(context, Access.Read);
            var json = GraphQLJson.Query(context, AggregateArguments);
            json["aggregate"] = FileAggregatedGraphType.Selected(context);
            var query = parser.ParseAggregate(json);
            var rows = await repository.AggregateAsync(query, context.CancellationToken, GraphQLCost.Budget(context));
            return rows.Select(row => new FileAggregateResult(query, row)).ToList();
        });

        FolderGraphFields.AddQueries(this, folders, parser, limits.Value);
    }

    private static void AddListArguments<TSource, TReturn>(FieldBuilder<TSource, TReturn> field) => field
        .Argument<FileFilterGraphType>("filter")
        .Argument<ListGraphType<StringGraphType>>("sort")
        .Argument<IntGraphType>("limit")
        .Argument<IntGraphType>("offset")
        .Argument<IntGraphType>("page")
        .Argument<StringGraphType>("search");
}
