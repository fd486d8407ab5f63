namespace AssetServer.GraphQL;

/// <summary>
/// <c>/graphql/system</c>, Directus's system GraphQL endpoint, for files (README "GraphQL"). Open to any caller, as
/// Directus's is: the fields check the token (<see cref="GraphQLAccess"/>), and a token that matches nothing is still
/// the 401 it is everywhere.
/// </summary>
public static class GraphQLApi
{
    public const string Path = "/graphql/system";

    public static void MapGraphQL(this WebApplication app)
    {
        app.MapGet(Path, Get);
        app.MapPost(Path, Post);
    }

    /// <summary><c>GET ?query=…&amp;variables=…&amp;operationName=…</c>: queries only (a GET never changes anything).</summary>
    private static Task<IResult> Get(HttpContext context, GraphQLRequestReader reader, GraphQLExecutor executor) =>
        executor.ExecuteAsync(context, reader.ReadGet(context.Request), viaGet: true);

    private static async Task<IResult> Post(HttpContext context, GraphQLRequestReader reader, GraphQLExecutor executor) =>
        await executor.ExecuteAsync(context, await reader.ReadPostAsync(context.Request, context.RequestAborted), viaGet: false);
}
