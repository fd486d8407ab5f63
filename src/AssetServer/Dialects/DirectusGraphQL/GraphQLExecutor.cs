using AssetServer.Errors;
using AssetServer.Files.Query;
using GraphQL;
using GraphQL.Execution;
using GraphQL.SystemTextJson;
using GraphQL.Transport;
using GraphQL.Validation;
using GraphQL.Validation.Complexity;
using GraphQL.Validation.Rules.Custom;
using GraphQLParser;
using GraphQLParser.AST;
using GraphQLParser.Exceptions;
using Microsoft.Extensions.Options;

namespace AssetServer.GraphQL;

/// <summary>
/// Parses, validates and executes one request with GraphQL.NET: the specification's validation rules plus its
/// complexity analyser (<c>GraphQL:MaxDepth</c>, <c>GraphQL:MaxComplexity</c>), then the schema's resolvers.
/// A document that does not parse or validate is a 400 <c>GRAPHQL_VALIDATION</c>; what goes wrong in a resolver is
/// an entry in the answer's <c>errors</c>.
/// </summary>
public sealed class GraphQLExecutor
{
    /// <summary>
    /// Every operation runs serially. Below the root, resolvers read rows already in memory, where GraphQL.NET's parallel
    /// strategy (its default for queries) only adds task overhead: about a quarter of a 25-row page of every field. A
    /// request with several root fields runs their statements one after another, each counted in its complexity.
    /// </summary>
    private readonly DocumentExecuter executer = new(new GraphQLDocumentBuilder(), new DocumentValidator(),
        new DefaultExecutionStrategySelector(
        [
            new ExecutionStrategyRegistration(SerialExecutionStrategy.Instance, OperationType.Query),
            new ExecutionStrategyRegistration(SerialExecutionStrategy.Instance, OperationType.Mutation),
        ]),
        []);
    private readonly FilesSchema schema;
    private readonly GraphQLSerializer serializer;
    private readonly IValidationRule[] rules;
    private readonly ILogger<GraphQLExecutor> logger;
    private readonly long maxResponseBytes;

    public GraphQLExecutor(FilesSchema schema, GraphQLSerializer serializer, IOptions<GraphQLOptions> options, ILogger<GraphQLExecutor> logger)
    {
        this.schema = schema;
        this.serializer = serializer;
        this.logger = logger;
        maxResponseBytes = options.Value.MaxResponseBytes;
        var limits = new ComplexityOptions { MaxDepth = options.Value.MaxDepth, MaxComplexity = options.Value.MaxComplexity };
        // The same analyser a second time, in bytes: rows × the widths of the fields selected (GraphQLCost).
        var bytes = new GraphQLCost.ResponseBytesOptions
        {
            DefaultScalarImpact = GraphQLCost.ScalarBytes,
            DefaultObjectImpact = GraphQLCost.ScalarBytes,
            ValidateComplexityDelegate = context =>
            {
                if (context.TotalImpact > maxResponseBytes)
                    context.Error = new ValidationError(
                        $"The answer could be {context.TotalImpact:0} bytes (rows × the widths of the fields selected, over every field " +
                        $"and alias; metadata counts Files:MaxMetadataBytes), more than GraphQL:MaxResponseBytes ({maxResponseBytes}). " +
                        "Ask for fewer rows, fields or aliases.");
                return Task.CompletedTask;
            },
        };
        rules = [.. DocumentValidator.CoreRules, new ComplexityValidationRule(limits), new ComplexityValidationRule(bytes)];
    }

    public async Task<IResult> ExecuteAsync(HttpContext context, GraphQLRequest request, bool viaGet)
    {
        if (string.IsNullOrWhiteSpace(request.Query)) throw GraphQLErrors.NoQuery();
        GraphQLDocument document;
        try
        {
            document = Parser.Parse(request.Query, new ParserOptions { Ignore = IgnoreOptions.Comments });
        }
        catch (GraphQLParserException e)
        {
            throw GraphQLErrors.Validation(GraphQLErrors.Describe(e));
        }
        if (viaGet && Operation(document, request.OperationName) is { Operation: not OperationType.Query })
            throw GraphQLErrors.MutationThroughGet();

        // One budget for the whole request: every field and alias reads against it (issue 17).
        var budget = new ReadBudget(maxResponseBytes, "GraphQL:MaxResponseBytes");
        var result = await executer.ExecuteAsync(new ExecutionOptions
        {
            UserContext = new Dictionary<string, object?> { [GraphQLCost.BudgetKey] = budget },
            Schema = schema,
            Query = request.Query,
            Document = document,
            OperationName = request.OperationName,
            Variables = request.Variables,
            ValidationRules = rules,
            User = context.User,
            RequestServices = context.RequestServices,
            CancellationToken = context.RequestAborted,
            UnhandledExceptionDelegate = Unhandled,
        });
        // Nothing ran: the document, its operation or its variables were refused before any resolver.
        if (!result.Executed) throw GraphQLErrors.Validation(GraphQLErrors.Describe(result.Errors ?? []));
        // Past the budget the request is refused whole (413), not answered with part of its rows: what was read is dropped.
        if (budget.Exhausted) throw budget.Exceeded();
        return new GraphQLResult(result, serializer);
    }

    /// <summary>The operation a request runs, as the executer picks it; null when it cannot tell (it then reports why).</summary>
    private static GraphQLOperationDefinition? Operation(GraphQLDocument document, string? name)
    {
        var operations = document.Definitions.OfType<GraphQLOperationDefinition>().ToList();
        return name is null
            ? operations.Count == 1 ? operations[0] : null
            : operations.FirstOrDefault(o => o.Name is { } n && n.Value == name);
    }

    /// <summary>
    /// A resolver's exception: the core's errors keep their code and message, storage faults are classified as REST
    /// classifies them, anything else is logged and answered as Directus does (<c>An unexpected error occurred.</c>).
    /// </summary>
    private Task Unhandled(UnhandledExceptionContext context)
    {
        var exception = context.OriginalException;
        var error = exception as ApiException ?? Storage.StorageErrors.Classify(exception);
        if (error is null)
        {
            logger.LogError(exception, "Unhandled error in GraphQL field {Field}", context.FieldContext?.FieldDefinition.Name);
            error = new ApiException(500, "INTERNAL_SERVER_ERROR", "An unexpected error occurred.");
        }
        context.Exception = GraphQLErrors.ToExecutionError(error, exception);
        return Task.CompletedTask;
    }

    /// <summary>The answer: 200 with <c>data</c> (and <c>errors</c> when a field failed), as Directus's JSON routes send it.</summary>
    private sealed class GraphQLResult(ExecutionResult result, GraphQLSerializer serializer) : IResult
    {
        public Task ExecuteAsync(HttpContext context)
        {
            var response = context.Response;
            response.StatusCode = StatusCodes.Status200OK;
            response.ContentType = "application/json; charset=utf-8";
            response.Headers.CacheControl = "no-cache";
            response.Headers.XContentTypeOptions = "nosniff";
            return serializer.WriteAsync(response.Body, result, context.RequestAborted);
        }
    }
}
