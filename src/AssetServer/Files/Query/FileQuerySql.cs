using System.Text;
using System.Text.Json.Nodes;
using Dapper;

namespace AssetServer.Files.Query;

/// <summary>
/// Builds the SQL for a <see cref="FileQuery"/>. Identifiers come from <see cref="FileFields"/> only;
/// every value becomes a numbered parameter, never text in the statement.
/// </summary>
public static class FileQuerySql
{
    public sealed record Statement(string Select, string Count, DynamicParameters Parameters);


    public static Statement Build(FileQuery query)
    {
        var parameters = new Parameters();
        var whereSql = Where(query, parameters);
        var select = new StringBuilder($"SELECT {query.Table.Columns} FROM {query.Table.Name}{whereSql} ORDER BY {OrderBy(query)}");
        Page(select, query, parameters);
        return new Statement(select.ToString(), $"SELECT COUNT(*) FROM {query.Table.Name}{whereSql}", parameters.Values);
    }

    /// <summary>
    /// The statement of an aggregate query (<see cref="FileQuery.Aggregates"/>): the grouped columns as <c>g0…</c>, then
    /// each aggregate as <c>a0…</c>, in the query's order; one row per group, or one row in all without groups.
    /// </summary>
    public static AggregateStatement BuildAggregate(FileQuery query)
    {
        var aggregates = query.Aggregates ?? throw new InvalidOperationException("Not an aggregate query.");
        var parameters = new Parameters();
        var whereSql = Where(query, parameters);
        var columns = query.GroupBy.Select((name, i) => $"{query.Table.Find(name)!.Sql} AS g{i}")
            .Concat(aggregates.Select((a, i) => $"{Aggregate(a, query.Table)} AS a{i}"));
        var select = new StringBuilder($"SELECT {string.Join(", ", columns)} FROM {query.Table.Name}{whereSql}");
        if (query.GroupBy.Count > 0) select.Append(" GROUP BY ").Append(string.Join(", ", query.GroupBy.Select(name => query.Table.Find(name)!.Sql)));
        if (query.Sort.Count > 0) select.Append(" ORDER BY ").Append(OrderBy(query));
        Page(select, query, parameters);
        return new AggregateStatement(select.ToString(), parameters.Values);
    }

    public sealed record AggregateStatement(string Select, DynamicParameters Parameters);

    private static string Aggregate(FileAggregate aggregate, QueryTable table)
    {
        var column = aggregate.Field is null ? "*" : table.Find(aggregate.Field)!.Sql;
        return aggregate.Function switch
        {
            "count" => $"COUNT({column})",
            "countDistinct" => $"COUNT(DISTINCT {column})",
            "sum" => $"SUM({column})",
            "sumDistinct" => $"SUM(DISTINCT {column})",
            "avg" => $"AVG({column})",
            "avgDistinct" => $"AVG(DISTINCT {column})",
            "min" => $"MIN({column})",
            "max" => $"MAX({column})",
            _ => throw new InvalidOperationException($"Aggregate {aggregate.Function} passed validation but has no SQL."),
        };
    }

    /// <summary>The filter and the search, as one <c> WHERE …</c> (empty when neither is given).</summary>
    private static string Where(FileQuery query, Parameters parameters)
    {
        var where = new List<string>();
        if (query.Filter is { } filter) where.Add(Filter(filter, parameters));
        if (query.Search is { } search)
        {
            var p = parameters.Bind(search.ToLowerInvariant());
            where.Add("(" + string.Join(" OR ", query.Table.Searchable.Select(f => $"instr(lower({f}), {p}) > 0")) + ")");
        }
        return where.Count == 0 ? "" : " WHERE " + string.Join(" AND ", where);
    }

    private static string OrderBy(FileQuery query) =>
        string.Join(", ", query.Sort.Select(k => $"{query.Table.Find(k.Field)!.Sql}{(k.Descending ? " DESC" : " ASC")}"));

    private static void Page(StringBuilder select, FileQuery query, Parameters parameters)
    {
        if (query.Limit is null && query.Offset == 0) return;
        select.Append(" LIMIT ").Append(parameters.Bind((long)(query.Limit ?? -1)));
        select.Append(" OFFSET ").Append(parameters.Bind((long)query.Offset));
    }

    private static string Filter(FilterNode node, Parameters parameters) => node switch
    {
        FilterGroup { Children.Count: 0 } => "1 = 1",
        FilterGroup group => "(" + string.Join(group.IsAnd ? " AND " : " OR ", group.Children.Select(c => Filter(c, parameters))) + ")",
        FilterCondition condition => Condition(condition, parameters),
        // A null column makes the child unknown, and NOT unknown is unknown: the row is left out either way, as in Strapi.
        FilterNot not => "(NOT " + Filter(not.Child, parameters) + ")",
        _ => throw new InvalidOperationException("Unknown filter node."),
    };

    private static string Condition(FilterCondition c, Parameters parameters)
    {
        var column = c.Field.Sql;
        string P(JsonNode? value) => parameters.Bind(Value(value));
        switch (c.Operator)
        {
            case "_eq": return c.Value is null ? $"{column} IS NULL" : $"{column} = {P(c.Value)}";
            case "_neq": return c.Value is null ? $"{column} IS NOT NULL" : $"{column} <> {P(c.Value)}";
            case "_lt": return $"{column} < {P(c.Value)}";
            case "_lte": return $"{column} <= {P(c.Value)}";
            case "_gt": return $"{column} > {P(c.Value)}";
            case "_gte": return $"{column} >= {P(c.Value)}";
            case "_in": return $"{column} IN ({List(c.Value, parameters)})";
            case "_nin": return $"{column} NOT IN ({List(c.Value, parameters)})";
            case "_between": return $"{column} BETWEEN {P(c.Value![0])} AND {P(c.Value[1])}";
            case "_nbetween": return $"{column} NOT BETWEEN {P(c.Value![0])} AND {P(c.Value[1])}";
            case "_null": return Truth(c.Value) ? $"{column} IS NULL" : $"{column} IS NOT NULL";
            case "_nnull": return Truth(c.Value) ? $"{column} IS NOT NULL" : $"{column} IS NULL";
            case "_empty": return Truth(c.Value) ? Empty(column) : $"NOT {Empty(column)}";
            case "_nempty": return Truth(c.Value) ? $"NOT {Empty(column)}" : Empty(column);
            // instr() is case-sensitive, as Directus's _contains is; _icontains lowers both sides.
            case "_contains": return $"instr({column}, {P(c.Value)}) > 0";
            case "_ncontains": return $"({column} IS NULL OR instr({column}, {P(c.Value)}) = 0)";
            case "_icontains": return $"instr(lower({column}), lower({P(c.Value)})) > 0";
            case "_nicontains": return $"({column} IS NULL OR instr(lower({column}), lower({P(c.Value)})) = 0)";
            case "_ieq": return $"lower({column}) = lower({P(c.Value)})";
            case "_nieq": return $"({column} IS NULL OR lower({column}) <> lower({P(c.Value)}))";
            case "_istarts_with": return $"instr(lower({column}), lower({P(c.Value)})) = 1";
            case "_nistarts_with": return $"({column} IS NULL OR instr(lower({column}), lower({P(c.Value)})) <> 1)";
            case "_iends_with": return EndsWith($"lower({column})", $"lower({P(c.Value)})");
            case "_niends_with": return $"({column} IS NULL OR NOT {EndsWith($"lower({column})", $"lower({P(c.Value)})")})";
            case "_starts_with": return $"instr({column}, {P(c.Value)}) = 1";
            case "_nstarts_with": return $"({column} IS NULL OR instr({column}, {P(c.Value)}) <> 1)";
            case "_ends_with": return EndsWith(column, P(c.Value));
            case "_nends_with": return $"({column} IS NULL OR NOT {EndsWith(column, P(c.Value))})";
            default: throw new InvalidOperationException($"Operator {c.Operator} passed validation but has no SQL.");
        }
    }

    private static string EndsWith(string column, string p) =>
        $"(length({column}) >= length({p}) AND substr({column}, length({column}) - length({p}) + 1) = {p})";

    private static string Empty(string column) => $"({column} IS NULL OR {column} = '' OR {column} = '[]' OR {column} = '{{}}')";

    private static string List(JsonNode? values, Parameters parameters) =>
        values is JsonArray { Count: > 0 } array ? string.Join(", ", array.Select(v => parameters.Bind(Value(v)))) : "NULL";

    private static bool Truth(JsonNode? value) => value is JsonValue v && v.TryGetValue<bool>(out var b) && b;

    private static object? Value(JsonNode? node) => node switch
    {
        null => null,
        JsonValue v when v.TryGetValue<double>(out var d) => d % 1 == 0 && Math.Abs(d) < 9e15 ? (object)(long)d : d,
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        _ => node.ToJsonString(),
    };

    /// <summary>
    /// Names parameters from a running count: asking <see cref="DynamicParameters.ParameterNames"/> for its count
    /// walks every earlier name, which made a filter of n values cost n² (issue 9).
    /// </summary>
    private sealed class Parameters
    {
        private int count;

        public DynamicParameters Values { get; } = new();

        public string Bind(object? value)
        {
            var name = "@p" + count++;
            Values.Add(name, value);
            return name;
        }
    }
}
