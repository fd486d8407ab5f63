using AssetServer.Files;
using AssetServer.Files.Query;
using GraphQL;
using GraphQL.Validation.Complexity;

namespace AssetServer.GraphQL;

/// <summary>
/// What a request may cost, checked twice by GraphQL.NET's analyser before any resolver runs, and once more as rows are
/// read. In values (<c>GraphQL:MaxComplexity</c>): <see cref="GraphQLOptions.StatementCost"/> for each root field's
/// statement, and its selection counted once per row it may return. In bytes (<c>GraphQL:MaxResponseBytes</c>): each
/// selected field's width (<see cref="Width"/>) once per row, over every field and alias, since a GraphQL answer is
/// built in memory before it is written (issue 17: 29 aliases of <c>files(limit: -1) { metadata }</c> took 4.3 GB).
/// While it runs, every row read is charged to the request's one <see cref="ReadBudget"/> (<see cref="Budget"/>).
/// </summary>
public static class GraphQLCost
{
    /// <summary>The key of the request's <see cref="ReadBudget"/> in the execution's user context.</summary>
    public const string BudgetKey = "assetserver.readBudget";

    /// <summary>What a field without a width of its own (a count, an id list, introspection) is taken to write, in bytes.</summary>
    public const double ScalarBytes = 16;

    /// <summary>The analyser's options when it estimates bytes rather than values: field impacts tell the two apart.</summary>
    public sealed class ResponseBytesOptions : ComplexityOptions;

    private static bool InBytes(FieldImpactContext context) => context.Configuration is ResponseBytesOptions;

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
        return new FieldComplexityResult(InBytes(context) ? 0 : GraphQLOptions.StatementCost, Math.Max(1, rows));
    }

    /// <summary>A field that reads or writes one row: its statement, and its selection once.</summary>
    public static FieldComplexityResult One(FieldImpactContext context) =>
        new(InBytes(context) ? 0 : GraphQLOptions.StatementCost, 1);

    /// <summary>A write over a list of <c>ids</c>: its selection counted once per id.</summary>
    public static FieldComplexityResult Ids(FieldImpactContext context) => PerItem(context, "ids");

    /// <summary>A write of the items in a list argument (<c>create_folders_items(data: […])</c>): its selection once per item.</summary>
    public static FieldComplexityResult PerItem(FieldImpactContext context, string argument) =>
        new(InBytes(context) ? 0 : GraphQLOptions.StatementCost,
            Math.Max(1, (context.GetArgument<object?>(argument, null) as System.Collections.ICollection)?.Count ?? 1));

    /// <summary>A field of <c>directus_files</c>: one value, or in bytes its <see cref="Width"/>.</summary>
    public static FieldComplexityResult Value(FieldImpactContext context, double width) =>
        new(InBytes(context) ? width : context.Configuration.DefaultScalarImpact, 1);

    /// <summary>
    /// The bytes a field may take in an answer, its name included: as much as a write may put in it
    /// (<see cref="FileInput"/>: <c>metadata</c> <c>Files:MaxMetadataBytes</c>, <c>description</c> 65536 characters,
    /// <c>tags</c> 500 of 256, <c>title</c> and <c>location</c> 2048), a UUID 36 characters, a timestamp 24, a number 20,
    /// other text 255 (names, types, checksums the server sets). Metadata scraped from a file is not bound by its cap, so
    /// this refuses what is too big on paper before anything runs; the bytes actually read are what
    /// <see cref="ReadBudget"/> charges.
    /// </summary>
    public static double Width(FileField field, FilesOptions files) => field.Name.Length + 6 + field.Name switch
    {
        "metadata" => files.MaxMetadataBytes,
        "description" => FileInput.MaxDescriptionLength,
        "tags" => FileInput.MaxTags * (FileInput.MaxTagLength + 3),
        "title" or "location" => FileInput.MaxTextLength,
        _ => field.Kind switch
        {
            FieldKind.Uuid => 36,
            FieldKind.DateTime => 24,
            FieldKind.Integer => 20,
            _ => 255,
        },
    };

    /// <summary>The request's byte budget (<c>GraphQL:MaxResponseBytes</c>), shared by all its fields and aliases.</summary>
    public static ReadBudget Budget(IResolveFieldContext context) => (ReadBudget)context.UserContext[BudgetKey]!;

    /// <summary>
    /// The <c>directus_files</c> fields a list or item field selects, through aliases and fragments, as
    /// <see cref="FileQuery.ReadFields"/>: the statement reads only their columns.
    /// </summary>
    public static IReadOnlyList<string> SelectedFields(IResolveFieldContext context) =>
        context.SubFields is { } selected
            ? selected.Values.Select(f => f.FieldType.Name).Where(name => FileFields.Find(name) is not null).Distinct().ToList()
            : FileQuery.DefaultFields;
}
