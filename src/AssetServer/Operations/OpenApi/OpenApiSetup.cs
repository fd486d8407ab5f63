using AssetServer.Server;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;
using Scalar.AspNetCore;

namespace AssetServer.OpenApi;

/// <summary>
/// <c>GET /server/specs/oas</c>: the OpenAPI 3 document ASP.NET Core generates from the routes of every dialect,
/// completed from <see cref="RouteDocs"/> (summaries, query parameters, bodies, answers) and
/// <see cref="OpenApiSchemas"/> (file objects and each dialect's error shape). <c>GET /docs</c>: Scalar's reference of it.
/// </summary>
public static class OpenApiSetup
{
    /// <summary>MapOpenApi's default document, served at a pattern without <c>{documentName}</c>.</summary>
    private const string DocumentName = "v1";

    public const string SpecPath = "/server/specs/oas";

    public static IServiceCollection AddAssetServerOpenApi(this IServiceCollection services)
    {
        services.AddOpenApi(DocumentName, options =>
        {
            options.AddOperationTransformer(DescribeOperation);
            options.AddDocumentTransformer(DescribeDocument);
        });
        return services;
    }

    public static void MapAssetServerOpenApi(this WebApplication app)
    {
        app.MapOpenApi(SpecPath).AllowAnonymous();
        app.MapScalarApiReference("/docs", options => options.WithOpenApiRoutePattern(SpecPath).WithTitle("AssetServer API")).AllowAnonymous();
    }

    /// <summary>The route's pattern as the table keys it: leading slash, catch-alls plain, v8's project as <c>_</c>.</summary>
    public static string Pattern(string relativePath, string project)
    {
        var path = "/" + relativePath.Split('?')[0].Replace("{**", "{", StringComparison.Ordinal).Replace("{*", "{", StringComparison.Ordinal);
        if (project != "_" && (path.StartsWith($"/{project}/", StringComparison.Ordinal) || path.StartsWith($"/uploads/{project}/", StringComparison.Ordinal)))
            path = path.Replace($"/{project}/", "/_/", StringComparison.Ordinal);
        return path;
    }

    private static Task DescribeOperation(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken ct)
    {
        var project = context.ApplicationServices.GetRequiredService<IOptions<ServerOptions>>().Value.Project;
        var path = Pattern(context.Description.RelativePath ?? "", project);
        var method = context.Description.HttpMethod ?? "GET";
        var dialect = RouteDocs.DialectOf(path);
        operation.Tags = new HashSet<OpenApiTagReference> { new(dialect.ToString(), context.Document) };
        if (!RouteDocs.All.TryGetValue($"{method} {path}", out var doc)) return Task.CompletedTask;
        Describe(operation, doc, dialect, context.Document);
        return Task.CompletedTask;
    }

    /// <summary>Fills one operation from its table entry.</summary>
    public static void Describe(OpenApiOperation operation, RouteDoc doc, Dialect dialect, OpenApiDocument? document)
    {
        operation.Summary = doc.Summary;
        operation.Parameters ??= [];
        foreach (var name in doc.Query)
        {
            if (operation.Parameters.Any(p => p.Name == name)) continue;
            operation.Parameters.Add(new OpenApiParameter { Name = name, In = ParameterLocation.Query, Schema = OpenApiSchemas.Text() });
        }
        if (doc.Body != "none") operation.RequestBody = Body(doc.Body, document);

        operation.Responses = new OpenApiResponses();
        operation.Responses[doc.Status.ToString(System.Globalization.CultureInfo.InvariantCulture)] = Answer(doc, document);
        var error = dialect switch
        {
            Dialect.Strapi5 => OpenApiSchemas.StrapiError,
            Dialect.Strapi3 => OpenApiSchemas.Strapi3Error,
            Dialect.V8 => OpenApiSchemas.V8Error,
            _ => OpenApiSchemas.DirectusError,
        };
        foreach (var (status, meaning) in Errors(doc))
            operation.Responses[status] = new OpenApiResponse { Description = meaning, Content = Json(Ref(error, document)) };
    }

    private static IEnumerable<(string, string)> Errors(RouteDoc doc)
    {
        yield return ("400", "Bad input: the dialect's error shape names the parameter or field");
        yield return ("401", "A token that matches nothing");
        yield return ("403", "No token, or not enough access (Directus also answers unknown ids so)");
        yield return ("404", "Unknown route or item (where the dialect says so)");
        if (doc.Body.StartsWith("multipart", StringComparison.Ordinal)) yield return ("413", "The upload is larger than Uploads:MaxBytes");
        yield return ("429", "A rate budget is spent; Retry-After says when to come back");
        if (doc.Answer == "binary") yield return ("503", "Renders are queued past their bound; Retry-After says when to come back");
        yield return ("500", "An internal failure, logged; no details are given");
    }

    private static OpenApiResponse Answer(RouteDoc doc, OpenApiDocument? document)
    {
        var response = new OpenApiResponse { Description = doc.Summary };
        var answer = doc.Answer;
        IOpenApiSchema? schema = answer switch
        {
            "none" => null,
            "binary" or "text" => null,
            "integer" => new OpenApiSchema { Type = JsonSchemaType.Integer },
            "{status}" => OpenApiSchemas.Object(new Dictionary<string, IOpenApiSchema> { ["status"] = OpenApiSchemas.Text() }),
            "data:{url}" => Envelope(OpenApiSchemas.Object(new Dictionary<string, IOpenApiSchema> { ["url"] = OpenApiSchemas.Text() }), false),
            _ when answer.StartsWith("data:[", StringComparison.Ordinal) => Envelope(Ref(answer[6..^1], document), true),
            _ when answer.StartsWith("data:", StringComparison.Ordinal) => Envelope(Ref(answer[5..], document), false),
            _ when answer.StartsWith("page:", StringComparison.Ordinal) => Page(Ref(answer[5..], document)),
            _ when answer.StartsWith('[') => OpenApiSchemas.Array(Ref(answer[1..^1], document)),
            _ => Ref(answer, document),
        };
        if (answer == "binary")
            response.Content = new Dictionary<string, OpenApiMediaType>
            {
                ["*/*"] = new() { Schema = new OpenApiSchema { Type = JsonSchemaType.String, Format = "binary" } },
            };
        else if (answer == "text")
            response.Content = new Dictionary<string, OpenApiMediaType> { ["text/plain"] = new() { Schema = OpenApiSchemas.Text() } };
        else if (schema is not null)
            response.Content = Json(schema);
        return response;
    }

    private static OpenApiSchema Envelope(IOpenApiSchema data, bool list)
    {
        var properties = new Dictionary<string, IOpenApiSchema> { ["data"] = list ? OpenApiSchemas.Array(data) : data };
        if (list)
            properties["meta"] = OpenApiSchemas.Object(new Dictionary<string, IOpenApiSchema>
            {
                ["total_count"] = OpenApiSchemas.Integer(), ["filter_count"] = OpenApiSchemas.Integer(),
            });
        return OpenApiSchemas.Object(properties);
    }

    private static OpenApiSchema Page(IOpenApiSchema item) => OpenApiSchemas.Object(new Dictionary<string, IOpenApiSchema>
    {
        ["data"] = OpenApiSchemas.Array(item),
        ["meta"] = OpenApiSchemas.Object(new Dictionary<string, IOpenApiSchema>
        {
            ["pagination"] = OpenApiSchemas.Object(new Dictionary<string, IOpenApiSchema>
            {
                ["page"] = OpenApiSchemas.Integer(), ["pageSize"] = OpenApiSchemas.Integer(), ["pageCount"] = OpenApiSchemas.Integer(),
                ["start"] = OpenApiSchemas.Integer(), ["limit"] = OpenApiSchemas.Integer(), ["total"] = OpenApiSchemas.Integer(),
            }),
        }),
    });

    private static OpenApiRequestBody Body(string kind, OpenApiDocument? document)
    {
        var binary = new OpenApiSchema { Type = JsonSchemaType.String, Format = "binary" };
        return kind switch
        {
            "multipart-directus" => new OpenApiRequestBody
            {
                Description = "multipart/form-data: fields (title, description, tags, folder, …) before each `file` part they describe; or JSON fields",
                Content = new Dictionary<string, OpenApiMediaType>
                {
                    ["multipart/form-data"] = new() { Schema = OpenApiSchemas.Object(new Dictionary<string, IOpenApiSchema>
                    {
                        ["file"] = binary, ["title"] = OpenApiSchemas.Text(), ["description"] = OpenApiSchemas.Text(),
                        ["tags"] = OpenApiSchemas.Text(), ["folder"] = OpenApiSchemas.Text(), ["filename_download"] = OpenApiSchemas.Text(),
                    }) },
                    ["application/json"] = new() { Schema = Ref(OpenApiSchemas.DirectusFile, document) },
                },
            },
            "multipart-strapi" => new OpenApiRequestBody
            {
                Description = "multipart/form-data: `files` parts, `fileInfo` (one JSON object per file, or one JSON array; entry i for file part i), `ref`, `refId`, `field`, `source`; with ?id=, also JSON {\"fileInfo\":{…}} or urlencoded fileInfo[caption]=…",
                Content = new Dictionary<string, OpenApiMediaType>
                {
                    ["multipart/form-data"] = new() { Schema = OpenApiSchemas.Object(new Dictionary<string, IOpenApiSchema>
                    {
                        ["files"] = OpenApiSchemas.Array(binary), ["fileInfo"] = OpenApiSchemas.Text(), ["ref"] = OpenApiSchemas.Text(),
                        ["refId"] = OpenApiSchemas.Text(), ["field"] = OpenApiSchemas.Text(), ["source"] = OpenApiSchemas.Text(),
                    }) },
                    ["application/json"] = new() { Schema = OpenApiSchemas.Object(new Dictionary<string, IOpenApiSchema> { ["fileInfo"] = OpenApiSchemas.Json() }) },
                },
            },
            "json:GraphQLRequest" => new OpenApiRequestBody { Content = Json(Ref(OpenApiSchemas.GraphQLRequest, document)) },
            _ => new OpenApiRequestBody { Description = "JSON " + kind[5..], Content = Json(OpenApiSchemas.Json()) },
        };
    }

    private static Dictionary<string, OpenApiMediaType> Json(IOpenApiSchema schema) => new() { ["application/json"] = new() { Schema = schema } };

    private static IOpenApiSchema Ref(string name, OpenApiDocument? document) => new OpenApiSchemaReference(name, document);

    private static Task DescribeDocument(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken ct)
    {
        document.Info = new OpenApiInfo
        {
            Title = "AssetServer",
            Version = "1",
            Description = "A Directus-compatible asset server: Directus REST and GraphQL, Directus v8, Strapi 5 and Strapi 3 upload APIs " +
                          "over one store. Authenticate with `Authorization: Bearer <token>` (or `?access_token=`).",
        };
        document.Components ??= new OpenApiComponents();
        document.Components.Schemas ??= new Dictionary<string, IOpenApiSchema>();
        foreach (var (name, schema) in OpenApiSchemas.All()) document.Components.Schemas[name] = schema;
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes["bearer"] = new OpenApiSecurityScheme { Type = SecuritySchemeType.Http, Scheme = "bearer" };

        // Routes that are not minimal-API endpoints (the metrics exporter) are described from the table directly.
        document.Paths ??= new OpenApiPaths();
        if (!document.Paths.ContainsKey("/metrics"))
        {
            var operation = new OpenApiOperation { Tags = new HashSet<OpenApiTagReference> { new(nameof(Dialect.Server), document) } };
            Describe(operation, RouteDocs.All["GET /metrics"], Dialect.Server, document);
            document.Paths["/metrics"] = new OpenApiPathItem { Operations = new Dictionary<HttpMethod, OpenApiOperation> { [HttpMethod.Get] = operation } };
        }
        return Task.CompletedTask;
    }
}
