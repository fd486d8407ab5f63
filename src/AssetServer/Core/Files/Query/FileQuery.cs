using System.Text.Json.Nodes;

namespace AssetServer.Files.Query;

/// <summary>A parsed, validated list query: every field name in it is from <see cref="FileFields"/>.</summary>
public sealed record FileQuery
{
    /// <summary>What is queried: <c>files</c> unless a log is.</summary>
    public QueryTable Table { get; init; } = QueryTable.Files;

    public IReadOnlyList<string> Fields { get; init; } = DefaultFields;

    /// <summary>
    /// Relation fields (each also in <see cref="Fields"/>) to answer as the related object instead of its id, with the
    /// related fields asked for: <c>fields=folder.name</c> gives <c>{"folder": ["name"]}</c>.
    /// </summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> Expand { get; init; } = NoExpand;

    public static readonly IReadOnlyDictionary<string, IReadOnlyList<string>> NoExpand = new Dictionary<string, IReadOnlyList<string>>();

    /// <summary>
    /// The fields whose columns the statement reads (<c>id</c> always among them); null reads the whole row, for answers
    /// made from every column (v8 and Strapi objects, writes). <c>GET /files?fields=id</c> and a GraphQL selection of
    /// <c>id</c> never read <c>metadata</c>.
    /// </summary>
    public IReadOnlyList<string>? ReadFields { get; init; }
    public FilterNode? Filter { get; init; }
    public string? Search { get; init; }
    public IReadOnlyList<SortKey> Sort { get; init; } = DefaultSort;
    /// <summary>Rows to return; null means all.</summary>
    public int? Limit { get; init; } = 100;
    public int Offset { get; init; }
    public IReadOnlySet<string> Meta { get; init; } = new HashSet<string>();

    /// <summary>
    /// Directus's <c>aggregate</c>: what to compute over the rows the filter selects (one result per group), instead of
    /// the rows themselves; null for a list of rows. <see cref="Sort"/>, <see cref="Limit"/> and <see cref="Offset"/>
    /// then apply to the groups.
    /// </summary>
    public IReadOnlyList<FileAggregate>? Aggregates { get; init; }

    /// <summary>Directus's <c>groupBy</c>: the fields whose values make a group, in order.</summary>
    public IReadOnlyList<string> GroupBy { get; init; } = [];

    public static IReadOnlyList<string> DefaultFields => QueryTable.Files.DefaultFields;

    /// <summary>
    /// Issue 21: the search's hits once the repository has probed them, so that a list and its counts share one probe
    /// whichever dialect asks (copies made with <c>with</c> share it too; it is keyed by the search and the data version).
    /// </summary>
    internal ProbedSearch Probed { get; init; } = new();

    public static IReadOnlyList<SortKey> DefaultSort => QueryTable.Files.DefaultSort;
}

public sealed record SortKey(string Field, bool Descending);

/// <summary>
/// One aggregate: <see cref="Function"/> is one of <see cref="Functions"/>; <see cref="Field"/> is an allow-listed
/// field, or null for <c>count</c> over every row (Directus's <c>count: *</c>, GraphQL's <c>countAll</c>).
/// </summary>
public sealed record FileAggregate(string Function, string? Field)
{
    /// <summary>Directus's aggregate functions; all but the counts take numeric fields only.</summary>
    public static readonly IReadOnlyList<string> Functions = ["count", "countDistinct", "sum", "sumDistinct", "avg", "avgDistinct", "min", "max"];

    public static bool IsCount(string function) => function is "count" or "countDistinct";
}

/// <summary>
/// One result of an aggregate query: <see cref="Group"/> lines up with <see cref="FileQuery.GroupBy"/> (values as
/// stored), <see cref="Values"/> with <see cref="FileQuery.Aggregates"/> (counts are <see cref="long"/>, sums and
/// extremes of integers <see cref="long"/>, averages <see cref="double"/>; null over no values).
/// </summary>
public sealed record FileAggregateRow(IReadOnlyList<object?> Group, IReadOnlyList<object?> Values)
{
    /// <summary>
    /// Runs an aggregate query on any table (files, folders) through the database's retrying read, each group charged
    /// to <paramref name="budget"/>.
    /// </summary>
    public static async Task<List<FileAggregateRow>> QueryAsync(Data.Database database, FileQuery query, ReadBudget budget, CancellationToken ct)
    {
        budget.EnsureLeft();
        var sql = FileQuerySql.BuildAggregate(query, database.Provider);
        var groups = query.GroupBy.Count;
        var command = new Dapper.CommandDefinition(sql.Select, sql.Parameters, flags: Dapper.CommandFlags.NoCache, cancellationToken: ct);
        await using var reader = await database.OpenReaderAsync(command, ct);
        var rows = new List<FileAggregateRow>();
        while (await reader.ReadAsync(ct))
        {
            var values = new object?[reader.FieldCount];
            for (var i = 0; i < values.Length; i++) values[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            budget.Charge(values.Sum(ReadBudget.Size));
            rows.Add(new FileAggregateRow(values[..groups], values[groups..]));
        }
        return rows;
    }
}

/// <summary>The <c>fields</c> of a single-item answer: the top-level fields and the relations to expand.</summary>
public sealed record FieldSelection(IReadOnlyList<string> Fields, IReadOnlyDictionary<string, IReadOnlyList<string>> Expand);

/// <summary>A node of a filter tree.</summary>
public abstract record FilterNode;

/// <summary><c>_and</c> / <c>_or</c> over child filters.</summary>
public sealed record FilterGroup(bool IsAnd, IReadOnlyList<FilterNode> Children) : FilterNode;

/// <summary><c>_not</c>: the child filter negated (Strapi's <c>$not</c>).</summary>
public sealed record FilterNot(FilterNode Child) : FilterNode;

/// <summary>
/// A filter through a relation: the rows whose <see cref="Field"/> names a row of its related table that
/// <see cref="Inner"/> selects (<c>{"folder":{"name":{"_eq":"Holiday"}}}</c>).
/// </summary>
public sealed record FilterRelation(FileField Field, FilterNode Inner) : FilterNode;

/// <summary>One <c>{"field":{"_op": value}}</c> test; the value is already checked against the operator and field kind.</summary>
public sealed record FilterCondition(FileField Field, string Operator, JsonNode? Value) : FilterNode;

/// <summary>
/// Where <see cref="FileQuery.Probed"/> keeps the hits of the last probe: for the search it was made for and while the
/// data version it was read under is current. Not part of the query's value: every two are equal.
/// </summary>
internal sealed class ProbedSearch
{
    private Entry? last;

    private sealed record Entry(string Table, string Search, (long Era, long Version) Version, SearchHits Hits);

    public SearchHits? Find(FileQuery query, (long Era, long Version) version) =>
        Volatile.Read(ref last) is { } entry && entry.Table == query.Table.Name && entry.Search == query.Search && entry.Version == version
            ? entry.Hits
            : null;

    public void Keep(FileQuery query, (long Era, long Version) version, SearchHits hits) =>
        Volatile.Write(ref last, new Entry(query.Table.Name, query.Search!, version, hits));

    public override bool Equals(object? obj) => obj is ProbedSearch;

    public override int GetHashCode() => 0;
}
