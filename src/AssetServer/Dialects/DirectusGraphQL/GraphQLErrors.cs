using System.Text.Json.Nodes;
using AssetServer.Errors;
using GraphQL;
using GraphQL.Execution;
using GraphQLParser.Exceptions;

namespace AssetServer.GraphQL;

/// <summary>
/// Directus's GraphQL errors. A request that does not parse or validate is refused whole, as Directus's
/// <c>GraphQLValidationError</c>: 400 <c>GRAPHQL_VALIDATION</c>, the parser's or validator's messages and locations in
/// <c>extensions.errors</c>. An error while resolving a field leaves the rest of the answer standing: 200 with
/// <c>{"errors":[{"message","extensions":{"code",…}}],"data":…}</c>, the core's code and extensions as REST gives them.
/// </summary>
public static class GraphQLErrors
{
    public static ApiException Validation(JsonArray errors) =>
        new(400, "GRAPHQL_VALIDATION", "GraphQL validation error.", new Dictionary<string, object?> { ["errors"] = errors });

    /// <summary>Errors from validation (or from picking the operation) as Directus lists them: message and locations.</summary>
    public static JsonArray Describe(IEnumerable<ExecutionError> errors) =>
        new(errors.Select(e => (JsonNode)Entry(e.Message, e.Locations?.Select(l => (l.Line, l.Column)))).ToArray());

    /// <summary>A parse failure, worded as graphql-js words it (<c>Syntax Error: Expected Name, found &lt;EOF&gt;.</c>).</summary>
    public static JsonArray Describe(GraphQLParserException error) =>
        [Entry($"Syntax Error: {error.Description}", [(error.Location.Line, error.Location.Column)])];

    private static JsonObject Entry(string message, IEnumerable<(int Line, int Column)>? locations)
    {
        var entry = new JsonObject { ["message"] = message };
        if (locations is not null)
            entry["locations"] = new JsonArray(locations.Select(l => (JsonNode)new JsonObject { ["line"] = l.Line, ["column"] = l.Column }).ToArray());
        return entry;
    }

    /// <summary>A query over <c>GraphQL:MaxQueryBytes</c>: refused before it is parsed.</summary>
    public static ApiException TooLarge(int limit) =>
        new(413, "CONTENT_TOO_LARGE", $"The GraphQL request is too large. The limit is {limit} bytes (GraphQL:MaxQueryBytes).",
            new Dictionary<string, object?> { ["limit"] = limit });

    /// <summary>Directus: <c>Must provide query string.</c></summary>
    public static ApiException NoQuery() => ApiErrors.InvalidPayload("Must provide query string");

    /// <summary>A mutation sent with GET (Directus's <c>MethodNotAllowedError</c>): a GET must never change anything.</summary>
    public static ApiException MutationThroughGet() =>
        new(405, "METHOD_NOT_ALLOWED", "Invalid method \"GET\" used. Should be one of POST.",
            new Dictionary<string, object?> { ["allowed"] = new[] { "POST" }, ["current"] = "GET" });

    /// <summary>A core error raised in a resolver, as an entry of the answer's <c>errors</c>.</summary>
    public static ExecutionError ToExecutionError(ApiException error, Exception original)
    {
        var execution = new ExecutionError(error.Message, original) { Code = error.Code };
        if (error.Extensions.Count > 0) execution.Extensions = new Dictionary<string, object?>(error.Extensions);
        return execution;
    }
}

/// <summary>Writes each entry of <c>errors</c> in Directus's shape: the message, and <c>extensions</c> with its <c>code</c> and details.</summary>
public sealed class DirectusErrorInfoProvider : IErrorInfoProvider
{
    public ErrorInfo GetInfo(ExecutionError executionError)
    {
        var extensions = executionError.Extensions is { } given ? new Dictionary<string, object?>(given) : [];
        extensions["code"] = executionError.Code ?? "INTERNAL_SERVER_ERROR";
        return new ErrorInfo { Message = executionError.Message, Extensions = extensions };
    }
}
