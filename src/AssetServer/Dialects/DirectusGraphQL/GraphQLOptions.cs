namespace AssetServer.GraphQL;

/// <summary>The <c>GraphQL</c> section: what one request to <c>/graphql/system</c> may cost.</summary>
public sealed class GraphQLOptions
{
    /// <summary>
    /// Deepest nesting of selections, as GraphQL.NET's complexity analyser counts it (the operation is the first level).
    /// The files schema itself is 3 deep (<c>{ files_aggregated { count { id } } }</c>); the introspection query that
    /// GraphiQL and code generators send is 13 (<c>__schema › types › fields › args › type</c> and 7 × <c>ofType</c>),
    /// which this default lets through.
    /// </summary>
    public int MaxDepth { get; set; } = 13;

    /// <summary>
    /// Largest estimated cost of a request: 1 per value returned (a list counts its <c>limit</c> of rows, or the
    /// default), plus <see cref="StatementCost"/> for each root field that runs a statement. One page of every field at
    /// <c>Files:MaxLimit</c> (10000 × 25) fits in values (bytes are <see cref="MaxResponseBytes"/>'s); thousands of
    /// aliased queries do not.
    /// </summary>
    public int MaxComplexity { get; set; } = 300_000;

    /// <summary>
    /// Most bytes of rows one request may read, over all its fields and aliases (default 32 MiB): the stored size of
    /// each column read, charged as rows come out of the database; past it the request is a 413
    /// <c>CONTENT_TOO_LARGE</c>. A GraphQL answer is built in memory before it is written, so this bounds that memory.
    /// A document whose estimate (rows × the widths of the fields selected, <c>metadata</c> at
    /// <c>Files:MaxMetadataBytes</c>) is over it is refused before anything runs.
    /// </summary>
    public long MaxResponseBytes { get; set; } = 32L << 20;

    /// <summary>Largest query text (a POST body, or the <c>query</c> and <c>variables</c> of a GET), refused with 413 before parsing.</summary>
    public int MaxQueryBytes { get; set; } = 1 << 20;

    /// <summary>What a root field that reads or writes the store adds to a request's cost, beside the values it returns.</summary>
    public const double StatementCost = 100;
}
