using AssetServer.Files;
using Microsoft.OpenApi;

namespace AssetServer.OpenApi;

/// <summary>
/// The wire shapes of every dialect as OpenAPI component schemas: the file objects and the error shapes. The Directus
/// file object is built from <see cref="FileFields"/>, so the document follows the allow-list.
/// </summary>
public static class OpenApiSchemas
{
    public const string DirectusFile = "DirectusFile", DirectusError = "DirectusError", StrapiFile = "StrapiFile",
        StrapiError = "StrapiError", Strapi3File = "Strapi3File", Strapi3Error = "Strapi3Error", V8File = "V8File",
        V8Error = "V8Error", Activity = "Activity", Revision = "Revision", Token = "Token", GraphQLRequest = "GraphQLRequest",
        GraphQLResponse = "GraphQLResponse", Preset = "Preset", Folder = "Folder", V8Folder = "V8Folder";

    public static IReadOnlyDictionary<string, OpenApiSchema> All()
    {
        var directusFile = Object(FileFields.Visible.ToDictionary(f => f.Name, f => (IOpenApiSchema)Kind(f.Kind)));
        var strapiFile = Object(new()
        {
            ["id"] = Integer(), ["documentId"] = Text(), ["name"] = Text(), ["alternativeText"] = Text(), ["caption"] = Text(),
            ["focalPoint"] = Object(new() { ["x"] = Integer(), ["y"] = Integer() }), ["width"] = Integer(), ["height"] = Integer(),
            ["formats"] = new OpenApiSchema
            {
                Type = JsonSchemaType.Object | JsonSchemaType.Null,
                Description = "thumbnail, small, medium, large: each {name, hash, ext, mime, path, width, height, size, sizeInBytes, url}",
                AdditionalProperties = Object(new()
                {
                    ["name"] = Text(), ["hash"] = Text(), ["ext"] = Text(), ["mime"] = Text(), ["path"] = Text(), ["width"] = Integer(),
                    ["height"] = Integer(), ["size"] = Number(), ["sizeInBytes"] = Integer(), ["url"] = Text(),
                }),
            },
            ["hash"] = Text(), ["ext"] = Text(), ["mime"] = Text(), ["size"] = Number("kilobytes, 2 decimals"), ["url"] = Text(),
            ["previewUrl"] = Text(), ["provider"] = Text(), ["provider_metadata"] = Json(), ["createdAt"] = Text(), ["updatedAt"] = Text(),
            ["publishedAt"] = Text(), ["isUrlSigned"] = new OpenApiSchema { Type = JsonSchemaType.Boolean },
            ["related"] = Array(Object(new() { ["id"] = Json(), ["__type"] = Text(), ["field"] = Text() })),
        });
        var v8File = Object(FileFields.Visible.ToDictionary(f => f.Name, f => (IOpenApiSchema)Kind(f.Kind)));
        v8File.Properties!["private_hash"] = Text();
        v8File.Properties["data"] = Object(new()
        {
            ["full_url"] = Text(), ["url"] = Text(), ["asset_url"] = Text(), ["embed"] = Text(),
            ["thumbnails"] = Array(Object(new()
            {
                ["key"] = Text(), ["url"] = Text(), ["relative_url"] = Text(), ["dimension"] = Text(), ["width"] = Integer(), ["height"] = Integer(),
            })),
        });
        return new Dictionary<string, OpenApiSchema>
        {
            [DirectusFile] = directusFile,
            [DirectusError] = Object(new()
            {
                ["errors"] = Array(Object(new() { ["message"] = Text(), ["extensions"] = Object(new() { ["code"] = Text() }) })),
            }),
            [StrapiFile] = strapiFile,
            [StrapiError] = Object(new()
            {
                ["data"] = new OpenApiSchema { Type = JsonSchemaType.Null },
                ["error"] = Object(new() { ["status"] = Integer(), ["name"] = Text(), ["message"] = Text(), ["details"] = Json() }),
            }),
            [Strapi3File] = Object(new()
            {
                ["id"] = Integer(), ["name"] = Text(), ["alternativeText"] = Text(), ["caption"] = Text(), ["width"] = Integer(), ["height"] = Integer(),
                ["formats"] = Json(), ["hash"] = Text(), ["ext"] = Text(), ["mime"] = Text(), ["size"] = Number(), ["url"] = Text(),
                ["previewUrl"] = Text(), ["provider"] = Text(), ["provider_metadata"] = Json(), ["created_at"] = Text(), ["updated_at"] = Text(),
                ["related"] = Array(Json()),
            }),
            [Strapi3Error] = Object(new() { ["statusCode"] = Integer(), ["error"] = Text(), ["message"] = Text() }),
            [V8File] = v8File,
            [V8Error] = Object(new() { ["error"] = Object(new() { ["code"] = Integer(), ["message"] = Text() }) }),
            [Activity] = Object(new()
            {
                ["id"] = Integer(), ["action"] = Text(), ["user"] = Text(), ["actor"] = Text(), ["timestamp"] = Text(), ["ip"] = Text(),
                ["user_agent"] = Text(), ["collection"] = Text(), ["item"] = Text(), ["origin"] = Text(),
            }),
            [Revision] = Object(new()
            {
                ["id"] = Integer(), ["activity"] = Integer(), ["collection"] = Text(), ["item"] = Text(), ["data"] = Json(), ["delta"] = Json(),
                ["parent"] = Integer(), ["version"] = Text(),
            }),
            [Token] = Object(new() { ["id"] = Text(), ["name"] = Text(), ["access"] = Text(), ["created_on"] = Text(), ["token"] = Text() }),
            [GraphQLRequest] = Object(new() { ["query"] = Text(), ["variables"] = Json(), ["operationName"] = Text() }),
            [GraphQLResponse] = Object(new() { ["data"] = Json(), ["errors"] = Array(Json()) }),
            [Preset] = Object(new() { ["key"] = Text(), ["fit"] = Text(), ["width"] = Integer(), ["height"] = Integer(), ["format"] = Text() }),
            [Folder] = Object(new() { ["id"] = Text(), ["name"] = Text(), ["parent"] = Text() }),
            [V8Folder] = Object(new() { ["id"] = Text(), ["name"] = Text(), ["parent_folder"] = Text() }),
        };
    }

    private static OpenApiSchema Kind(FieldKind kind) => kind switch
    {
        FieldKind.Integer => Integer(),
        FieldKind.Json => Json(),
        FieldKind.DateTime => new OpenApiSchema { Type = JsonSchemaType.String | JsonSchemaType.Null, Format = "date-time" },
        FieldKind.Uuid => new OpenApiSchema { Type = JsonSchemaType.String | JsonSchemaType.Null, Format = "uuid" },
        _ => Text(),
    };

    public static OpenApiSchema Object(Dictionary<string, IOpenApiSchema> properties) =>
        new() { Type = JsonSchemaType.Object, Properties = properties };

    public static OpenApiSchema Array(IOpenApiSchema items) => new() { Type = JsonSchemaType.Array, Items = items };

    public static OpenApiSchema Text() => new() { Type = JsonSchemaType.String | JsonSchemaType.Null };

    public static OpenApiSchema Integer() => new() { Type = JsonSchemaType.Integer | JsonSchemaType.Null };

    private static OpenApiSchema Number(string? description = null) => new() { Type = JsonSchemaType.Number, Description = description };

    /// <summary>Any JSON value (objects such as <c>metadata</c>, or <c>filter</c> trees).</summary>
    public static OpenApiSchema Json() => new() { Description = "any JSON value" };
}
