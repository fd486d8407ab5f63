using System.Text.Json.Nodes;

namespace AssetServer.Files.Query;

/// <summary>A parsed, validated list query: every field name in it is from <see cref="FileFields"/>.</summary>
public sealed record FileQuery
{
    /// <summary>What is queried: <c>files</c> unless a log is.</summary>
    public QueryTable Table { get; init; } = QueryTable.Files;

    public IReadOnlyList<string> Fields { get; init; } = DefaultFields;
    public FilterNode? Filter { get; init; }
    public string? Search { get; init; }
    public IReadOnlyList<SortKey> Sort { get; init; } = DefaultSort;
    /// <summary>Rows to return; null means all.</summary>
    public int? Limit { get; init; } = 100;
    public int Offset { get; init; }
    public IReadOnlySet<string> Meta { get; init; } = new HashSet<string>();

    public static IReadOnlyList<string> DefaultFields => QueryTable.Files.DefaultFields;

    public static IReadOnlyList<SortKey> DefaultSort => QueryTable.Files.DefaultSort;
}

public sealed record SortKey(string Field, bool Descending);

/// <summary>A node of a filter tree.</summary>
public abstract record FilterNode;

/// <summary><c>_and</c> / <c>_or</c> over child filters.</summary>
public sealed record FilterGroup(bool IsAnd, IReadOnlyList<FilterNode> Children) : FilterNode;

/// <summary><c>_not</c>: the child filter negated (Strapi's <c>$not</c>).</summary>
public sealed record FilterNot(FilterNode Child) : FilterNode;

/// <summary>One <c>{"field":{"_op": value}}</c> test; the value is already checked against the operator and field kind.</summary>
public sealed record FilterCondition(FileField Field, string Operator, JsonNode? Value) : FilterNode;
