using GraphQL;
using GraphQL.Conversion;
using GraphQL.Types;

namespace AssetServer.GraphQL;

/// <summary>
/// The schema of <c>/graphql/system</c>, as far as Directus's system schema concerns files. Graph types come from the
/// app's services (<see cref="GraphQLSetup"/>), so resolvers reach the core's services through their constructors.
/// </summary>
public sealed class FilesSchema : Schema
{
    public FilesSchema(IServiceProvider services, FilesQueryType query, FilesMutationType mutation) : base(services)
    {
        Query = query;
        Mutation = mutation;
        // Directus's names are snake_case and stay so (GraphQL.NET would camel-case them).
        NameConverter = DefaultNameConverter.Instance;
        // Introspection is answered from this schema in memory, no statement runs: it counts a tenth of its selection,
        // so the standard introspection query (400,000 at full weight) fits GraphQL:MaxComplexity with room to spare.
        this.WithIntrospectionComplexityImpact(0.1);
    }
}
