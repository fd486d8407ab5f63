using AssetServer.Files;
using GraphQL.Validation.Complexity;

namespace AssetServer.GraphQL;

/// <summary>
/// What a root field adds to a request's complexity (GraphQL.NET's analyser, bounded by <c>GraphQL:MaxComplexity</c>):
/// <see cref="GraphQLOptions.StatementCost"/> for the statement it runs, and its selection counted once per row it may
/// return. So cost follows what the database and the serialiser do, not the shape of the query alone.
/// </summary>
public static class GraphQLCost
{
    /// <summary>A list field: rows by its <c>limit</c> as the query parser reads it (the default when absent, the cap for -1).</summary>
    public static FieldComplexityResult Rows(FieldImpactContext context, FilesOptions files)
    {
        var cap = files.MaxLimit > 0 ? files.MaxLimit : 10_000;
        var rows = context.GetArgument<int?>("limit", null) switch
        {
            null => files.DefaultLimit,
            < 0 => cap,
            var limit => Math.Min(limit.Value, cap),
        };
        return new FieldComplexityResult(GraphQLOptions.StatementCost, Math.Max(1, rows));
    }

    /// <summary>A write over a list of <c>ids</c>: its selection counted once per id.</summary>
    public static FieldComplexityResult Ids(FieldImpactContext context) =>
        new(GraphQLOptions.StatementCost, Math.Max(1, (context.GetArgument<object?>("ids", null) as System.Collections.ICollection)?.Count ?? 1));
}
