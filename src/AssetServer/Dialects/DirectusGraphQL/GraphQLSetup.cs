using GraphQL.SystemTextJson;
using GraphQL.Types;

namespace AssetServer.GraphQL;

/// <summary>The services behind <c>/graphql/system</c>; <see cref="Configuration.ServiceSetup"/> adds them.</summary>
public static class GraphQLSetup
{
    /// <summary>
    /// The <c>GraphQL</c> options, the graph types of this folder (singletons: the schema is built once), the schema, the
    /// executor and GraphQL.SystemTextJson's serializer writing Directus's error entries.
    /// </summary>
    public static IServiceCollection AddDirectusGraphQL(this IServiceCollection services)
    {
        services.AddOptionsWithValidateOnStart<GraphQLOptions>().BindConfiguration("GraphQL")
            .Validate(o => o.MaxDepth > 0, "GraphQL:MaxDepth must be a positive number of levels.")
            .Validate(o => o.MaxComplexity > 0, "GraphQL:MaxComplexity must be a positive number.")
            .Validate(o => o.MaxQueryBytes > 0, "GraphQL:MaxQueryBytes must be a positive number of bytes.")
            .Validate(o => o.MaxResponseBytes > 0, "GraphQL:MaxResponseBytes must be a positive number of bytes.");
        var graphTypes = typeof(GraphQLSetup).Assembly.GetTypes().Where(t =>
            t.Namespace == typeof(GraphQLSetup).Namespace && t is { IsClass: true, IsAbstract: false } && typeof(IGraphType).IsAssignableFrom(t));
        foreach (var type in graphTypes) services.AddSingleton(type);
        services.AddSingleton<FilesSchema>();
        services.AddSingleton(new GraphQLSerializer(o => o.Encoder = Files.JsonBody.Wire.Encoder, new DirectusErrorInfoProvider()));
        services.AddSingleton<GraphQLRequestReader>();
        services.AddSingleton<GraphQLExecutor>();
        return services;
    }
}
