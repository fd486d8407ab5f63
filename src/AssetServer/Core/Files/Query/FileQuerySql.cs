using System.Text;
using System.Text.Json.Nodes;
using AssetServer.Data;
using Dapper;

namespace AssetServer.Files.Query;

/// <summary>
/// Builds the SQL for a <see cref="FileQuery"/>. Identifiers come from <see cref="FileFields"/> only;
/// every value becomes a numbered parameter, never text in the statement.
/// </summary>
/// <remarks>
/// One statement per query for either database, written so both answer alike: PostgreSQL compares and sorts text
/// with <c>COLLATE "C"</c> (SQLite's BINARY: byte order), puts NULLs first ascending and last descending as SQLite
/// does, and casts aggregates to the types SQLite returns (integer sums, double averages), so JSON answers are the
/// same whichever database holds the rows.
/// </remarks>
public static class FileQuerySql
{
    public sealed record Statement(string Select, string Count, DynamicParameters Parameters);

    /// <param name="searchTableReady">
    /// Whether SQLite's trigram table holds every row (<see cref="Data.IndexBuilds.IndexBuilder.SearchTableReady"/>):
    /// while it is being filled, substring tests scan, so an answer is never partial.
    /// </param>
    /// <param name="shortSearchRows">
    /// When given, a search term too short for the trigram index looks only at the first this many files of the list
    /// in its order (its filter applied), so that it costs a bounded scan however large the library (issue 21).
    /// </param>
    /// <param name="hits">
    /// The search's hits as <see cref="BuildSearchProbe"/> counted them, which choose the page's shape (few: read them
    /// first; many: walk the order's index); null writes the search inline and leaves the choice to the planner.
    /// </param>
    public static Statement Build(FileQuery query, DatabaseProvider dialect, bool searchTableReady = true, int? shortSearchRows = null, SearchHits? hits = null)
    {
        var parameters = new Parameters(dialect) { SearchTableReady = searchTableReady };
        var (from, whereSql) = ShortSearch(query, shortSearchRows) is { } bounded
            ? BoundedSearch(query, bounded.Term, bounded.Rows, parameters)
            : (query.Table.Name, Where(query, parameters));
        var (countFrom, countWhere) = (from, whereSql);
        var searchAlone = query.Filter is null && from == query.Table.Name;
        if (hits is not null && from == query.Table.Name && query.Search is not null)
        {
            if (dialect == DatabaseProvider.Postgres && !hits.WalkOrder(query))
                // Its hits first: the filtered rows behind a fence (OFFSET 0: planned alone, so the planner cannot walk
                // the order's index, pricing the per-row test too cheaply), then sorted. One read of each hit.
                (from, whereSql) = ($"(SELECT * FROM {query.Table.Name}{Where(query, parameters)} OFFSET 0) AS {query.Table.Name}", "");
            else if (ProbedIds(query, hits, dialect) is { } ids)
            {
                // The few hits the probe read, each looked up by numeric_id (files_numeric_id), instead of asking the
                // trigram table again. CROSS JOIN keeps them first: SQLite has no estimate of json_each's rows and
                // would rather walk a filter's index (half the files for a type) testing each against the list.
                from = $"(SELECT value AS hit FROM json_each({parameters.Bind(ids)})) AS hits CROSS JOIN {query.Table.Name} ON numeric_id = hits.hit";
                whereSql = Where(query, parameters, hits);
                // Counted the same way (with a filter: those rows tested, no second MATCH).
                (countFrom, countWhere) = (from, whereSql);
            }
            else
                whereSql = Where(query, parameters, hits);
        }
        var select = new StringBuilder($"SELECT {SelectList(query)} FROM {from}{whereSql} ORDER BY {OrderBy(query, dialect)}");
        Page(select, query, parameters);
        if (dialect == DatabaseProvider.Postgres && query.Offset >= DeepPage && from == query.Table.Name && query.Table.Find("id") is not null)
        {
            // A deep page on PostgreSQL: the page's ids from the index alone (an index-only scan skips the offset's
            // entries without reading their rows), then those rows. Inline, every skipped row was read from the heap.
            var columns = SelectList(query);
            var ids = "SELECT id" + select.ToString()[$"SELECT {columns}".Length..];
            select = new StringBuilder($"SELECT {columns} FROM {from} WHERE id IN ({ids}) ORDER BY {OrderBy(query, dialect)}");
        }
        var count = OneTypeCounted(query) is { } type
            ? $"SELECT COALESCE((SELECT row_count FROM type_counts WHERE type_key = '=' || {parameters.Bind(type)}), 0)"
            : query.Table.CountedRows && query.Filter is null && query.Search is null
                // Every row (Strapi's page with its count asks this): the kept total, as total_count reads it.
                ? $"SELECT row_count FROM row_counts WHERE table_name = '{query.Table.Name}'"
                // The search alone, whose hits the probe counted to the last: that count is the answer.
                : hits is { Exact: true } && searchAlone
                    ? $"SELECT {hits.Count}"
                    : hits is not null && searchAlone && dialect == DatabaseProvider.Sqlite
                        // The search alone on SQLite: its trigram table holds one row per file, so its hits are counted
                        // there, without looking each up in files (a common word: tens of thousands of lookups).
                        ? BuildSearchProbe(query, dialect, searchTableReady, parameters, limit: null)!.Value.Sql
                        : $"SELECT COUNT(*) FROM {countFrom}{countWhere}";
        return new Statement(select.ToString(), count, parameters.Values);
    }

    private static (string Term, int Rows)? ShortSearch(FileQuery query, int? rows) =>
        rows is { } cap && query.Search?.ToLowerInvariant() is { } lowered && query.Table.SubstringIndex is not null
        && !SubstringMatch.Indexable(lowered) && query.Aggregates is null
            ? (lowered, cap)
            : null;

    /// <summary>
    /// A short term's search over the first <paramref name="rows"/> files of the list in its order (the filter applied
    /// first): that many rows, read in order from an index, under the table's own name, then tested.
    /// </summary>
    private static (string From, string Where) BoundedSearch(FileQuery query, string lowered, int rows, Parameters parameters)
    {
        var filter = query.Filter is { } f ? " WHERE " + Filter(f, query.Table, parameters) : "";
        var from = $"(SELECT * FROM {query.Table.Name}{filter} ORDER BY {OrderBy(query, parameters.Dialect)} LIMIT {parameters.Bind((long)rows)}) AS {query.Table.Name}";
        return (from, " WHERE " + Search(query.Table, lowered, parameters));
    }

    /// <summary>An offset from which PostgreSQL reads a page's ids first (issue 21: page 400 of a type).</summary>
    private const int DeepPage = 1000;

    /// <summary>
    /// Issue 21: the type of a filter that is exactly one <c>type _eq</c> and nothing else (no search), whose
    /// <c>filter_count</c> is kept in type_counts instead of counting index entries; or null.
    /// </summary>
    private static string? OneTypeCounted(FileQuery query)
    {
        if (!query.Table.CountedRows || query.Search is not null) return null;
        var node = query.Filter;
        while (node is FilterGroup { IsAnd: true, Children: [var only] }) node = only;
        return node is FilterCondition { Field.Name: "type", Operator: "_eq", Value: { } value }
               && value.GetValueKind() == System.Text.Json.JsonValueKind.String
            ? value.GetValue<string>()
            : null;
    }

    /// <summary>
    /// The columns a row is read with: every column, or with <see cref="FileQuery.ReadFields"/> only those the fields are
    /// made from, <c>id</c> first. Fewer columns change neither the filter nor the order, so the plan keeps its index.
    /// </summary>
    private static string SelectList(FileQuery query)
    {
        if (query.ReadFields is not { } fields) return query.Table.Columns;
        var columns = new List<string>();
        if (query.Table.Find("id") is not null) columns.Add("id");
        foreach (var name in fields)
            foreach (var column in query.Table.Find(name)!.Columns)
                if (!columns.Contains(column)) columns.Add(column);
        return string.Join(", ", columns);
    }

    /// <summary>
    /// The statement of an aggregate query (<see cref="FileQuery.Aggregates"/>): the grouped columns as <c>g0…</c>, then
    /// each aggregate as <c>a0…</c>, in the query's order; one row per group, or one row in all without groups.
    /// </summary>
    public static AggregateStatement BuildAggregate(FileQuery query, DatabaseProvider dialect)
    {
        var aggregates = query.Aggregates ?? throw new InvalidOperationException("Not an aggregate query.");
        var parameters = new Parameters(dialect);
        if (IsCountByType(query))
        {
            // Issue 21: kept in type_counts (SQLite 010_query_indexes.sql, PostgreSQL 012_type_counts.sql) by each write.
            var counted = new StringBuilder("SELECT type AS g0, row_count AS a0 FROM type_counts WHERE row_count > 0");
            if (query.Sort.Count > 0) counted.Append(" ORDER BY ").Append(OrderBy(query, dialect));
            Page(counted, query, parameters);
            return new AggregateStatement(counted.ToString(), parameters.Values);
        }
        var whereSql = Where(query, parameters);
        // Groups in byte order on PostgreSQL as the sort is (the same groups: equality is byte equality either way), so
        // an ordered index read gives them without sorting (issue 21).
        var columns = query.GroupBy.Select((name, i) => $"{Ordered(query.Table.Find(name)!, dialect)} AS g{i}")
            .Concat(aggregates.Select((a, i) => $"{Aggregate(a, query.Table, dialect)} AS a{i}"));
        var select = new StringBuilder($"SELECT {string.Join(", ", columns)} FROM {query.Table.Name}{whereSql}");
        if (query.GroupBy.Count > 0)
            select.Append(" GROUP BY ").Append(string.Join(", ", query.GroupBy.Select(name => Ordered(query.Table.Find(name)!, dialect))));
        if (query.Sort.Count > 0) select.Append(" ORDER BY ").Append(OrderBy(query, dialect));
        Page(select, query, parameters);
        return new AggregateStatement(select.ToString(), parameters.Values);
    }

    public sealed record AggregateStatement(string Select, DynamicParameters Parameters);

    /// <summary><c>aggregate[count]=*&amp;groupBy[]=type</c> over every file: answered from type_counts.</summary>
    private static bool IsCountByType(FileQuery query) =>
        query.Table.CountedRows && query.Filter is null && query.Search is null
        && query.GroupBy is ["type"] && query.Aggregates is [{ Function: "count", Field: null }];

    private static string Aggregate(FileAggregate aggregate, QueryTable table, DatabaseProvider dialect)
    {
        var field = aggregate.Field is null ? null : table.Find(aggregate.Field)!;
        var column = field is null ? "*" : Column(field, dialect);
        var sql = AggregateSql(aggregate, column);
        if (dialect != DatabaseProvider.Postgres || field is null) return sql;
        // PostgreSQL sums integers as numeric and averages as numeric; SQLite gives an integer sum and a double
        // average. Cast back so both write the same JSON (an expression column is a double already, see Column).
        return aggregate.Function switch
        {
            "sum" or "sumDistinct" when IsIntegerColumn(field) => $"CAST({sql} AS bigint)",
            "avg" or "avgDistinct" => $"CAST({sql} AS double precision)",
            _ => sql,
        };
    }

    private static string AggregateSql(FileAggregate aggregate, string column) =>
        aggregate.Function switch
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

    /// <summary>An integer field stored in its own column (an expression such as Strapi's size in kB is a real number).</summary>
    private static bool IsIntegerColumn(FileField field) => field.Kind == FieldKind.Integer && field.Sql == field.Name;

    /// <summary>
    /// The SQL of a field as a value. A numeric expression is a double on PostgreSQL, as SQLite computes it
    /// (PostgreSQL would give numeric, which reads back as decimal).
    /// </summary>
    private static string Column(FileField field, DatabaseProvider dialect) =>
        dialect == DatabaseProvider.Postgres && field.Kind == FieldKind.Integer && field.Sql != field.Name
            ? $"CAST({field.Sql} AS double precision)"
            : field.Sql;

    /// <summary>
    /// The SQL of a field where text is compared or sorted: byte order on both databases (SQLite's BINARY collation;
    /// PostgreSQL's "C"), whatever the PostgreSQL database's own collation is.
    /// </summary>
    private static string Ordered(FileField field, DatabaseProvider dialect) =>
        dialect == DatabaseProvider.Postgres && field.Kind != FieldKind.Integer ? $"{field.Sql} COLLATE \"C\"" : Column(field, dialect);

    /// <summary>
    /// The filter and the search, as one <c> WHERE …</c> (empty when neither is given). With the search's
    /// <paramref name="hits"/> counted, the search is written in the shape they call for (see <see cref="SearchHits"/>).
    /// </summary>
    private static string Where(FileQuery query, Parameters parameters, SearchHits? hits = null)
    {
        var where = new List<string>();
        if (query.Filter is { } filter) where.Add(Filter(filter, query.Table, parameters));
        if (query.Search is { } search) where.Add(SearchIn(query, search.ToLowerInvariant(), parameters, hits));
        return where.Count == 0 ? "" : " WHERE " + string.Join(" AND ", where);
    }

    private static string SearchIn(FileQuery query, string lowered, Parameters parameters, SearchHits? hits)
    {
        if (hits is null || !SubstringMatch.Indexable(lowered)) return Search(query.Table, lowered, parameters);
        if (ProbedIds(query, hits, parameters.Dialect) is not null)
            // The rows of the probe's ids (see Build), tested as the scan does: the page is read after the probe, so a
            // file a write took the word out of meanwhile is left out (LIKE in C: 0.2 ms a thousand rows), never
            // answered; only a match written meanwhile is missed, as if the page had been read with the probe.
            return Search(query.Table, lowered, parameters, trigrams: false);
        // Many hits and a short page: each row of the order's index tested as the scan does (on SQLite the trigram
        // table would hand over every hit first); PostgreSQL's planner walks the index with the test inline.
        return Search(query.Table, lowered, parameters, trigrams: !hits.WalkOrder(query));
    }

    /// <summary>The probe's ids of an indexed search on SQLite, when they are every hit; null otherwise.</summary>
    private static string? ProbedIds(FileQuery query, SearchHits hits, DatabaseProvider dialect) =>
        hits is { Exact: true, Ids: { } ids } && dialect == DatabaseProvider.Sqlite && query.Search is { } search
        && SubstringMatch.Indexable(search.ToLowerInvariant())
            ? ids
            : null;

    /// <summary>
    /// Issue 21: a statement counting the search's hits through the trigram index alone, at most
    /// <see cref="SearchHits.ProbeLimit"/> of them, so a common word costs a bounded read, and listing them (their
    /// <c>numeric_id</c>s as one JSON array: one row to read, and what <c>json_each</c> takes back); null when the search
    /// has no index to ask (no search, a term too short, SQLite's trigram table still being filled, an aggregate).
    /// </summary>
    public static (string Sql, DynamicParameters Parameters)? BuildSearchProbe(FileQuery query, DatabaseProvider dialect, bool searchTableReady = true) =>
        BuildSearchProbe(query, dialect, searchTableReady, new Parameters(dialect), SearchHits.ProbeLimit);

    /// <remarks>
    /// SQLite only: its trigram table counts hits without reading a row. PostgreSQL must read and re-test each hit (its
    /// trigram indexes only narrow), so a common word's probe read 26,000 rows at a million files (27 ms, walking
    /// the order instead costs 0.5 ms); it walks a bounded stretch of the order first instead (<see cref="BuildWalk"/>).
    /// </remarks>
    private static (string Sql, DynamicParameters Parameters)? BuildSearchProbe(FileQuery query, DatabaseProvider dialect, bool searchTableReady, Parameters parameters, int? limit)
    {
        if (dialect != DatabaseProvider.Sqlite || !searchTableReady || query.Search?.ToLowerInvariant() is not { } lowered
            || query.Table.SubstringIndex is not { } index || !SubstringMatch.Indexable(lowered) || query.Aggregates is not null) return null;
        var hits = $"SELECT rowid FROM {index} WHERE {index} MATCH {parameters.Bind(SubstringMatch.FtsQuery(null, lowered))}";
        return (limit is { } most
            ? $"SELECT COUNT(*), json_group_array(rowid) FROM ({hits} LIMIT {most}) AS hits"
            : $"SELECT COUNT(*) FROM ({hits}) AS hits", parameters.Values);
    }

    /// <summary>
    /// Issue 21, PostgreSQL: a search's page looked for in the first files of the list (<see cref="SearchHits.WalkedRows"/>)
    /// in its order only (the filter applied), each tested as the scan does. When it comes back full, it is the page: every
    /// match past that stretch comes later in the order. Short of full, the word is rare there, and the page is asked
    /// again with its hits read first (<see cref="SearchHits.ReadFirst"/>). Null when the query is no such page.
    /// </summary>
    public static Statement? BuildWalk(FileQuery query, DatabaseProvider dialect)
    {
        if (dialect != DatabaseProvider.Postgres || query.Search?.ToLowerInvariant() is not { } lowered
            || query.Table.SubstringIndex is null || !SubstringMatch.Indexable(lowered) || query.Aggregates is not null
            || SearchHits.WalkedRows(query) is not { } rows) return null;
        var parameters = new Parameters(dialect);
        var (from, where) = BoundedSearch(query, lowered, rows, parameters);
        var select = new StringBuilder($"SELECT {SelectList(query)} FROM {from}{where} ORDER BY {OrderBy(query, dialect)}");
        Page(select, query, parameters);
        return new Statement(select.ToString(), "", parameters.Values);
    }

    /// <summary>
    /// Directus's search: the lowered term anywhere in a searchable field. PostgreSQL's LIKE on lower(field) is that
    /// test, and what its trigram indexes answer. SQLite's trigram table answers it alone (issue 21): a phrase of
    /// trigrams matches exactly the texts holding it, and the table holds each field lowered by the same lower() in
    /// the write's own transaction (010_query_indexes.sql), so testing the rows again could only agree.
    /// </summary>
    private static string Search(QueryTable table, string lowered, Parameters parameters, bool trigrams = true)
    {
        if (parameters.Dialect == DatabaseProvider.Postgres)
        {
            var contains = parameters.Bind(SubstringMatch.ContainsPattern(lowered));
            return "(" + string.Join(" OR ", table.Searchable.Select(f => $"lower({f}) LIKE {contains}")) + ")";
        }
        if (trigrams && table.SubstringIndex is { } index && parameters.SearchTableReady && SubstringMatch.Indexable(lowered))
            return FtsRows(index, null, lowered, parameters);
        if (!SubstringMatch.IsAscii(lowered))
        {
            var p = parameters.Bind(lowered);
            return "(" + string.Join(" OR ", table.Searchable.Select(f => $"{parameters.Instr($"lower({f})", p)} > 0")) + ")";
        }
        // An ASCII term: SQLite's LIKE (in C, folding ASCII only) finds what the .NET lower() would in ASCII text; in
        // text with other characters (which may lower to ASCII: "İ", the Kelvin sign) the lowered test runs as well.
        var (pattern, term, other) = (parameters.Bind(SubstringMatch.ContainsPattern(lowered)), parameters.Bind(lowered), parameters.Bind(SubstringMatch.NonAsciiGlob));
        return "(" + string.Join(" OR ", table.Searchable.Select(f =>
            $"{f} LIKE {pattern} ESCAPE '\\' OR ({f} GLOB {other} AND instr(lower({f}), {term}) > 0)")) + ")";
    }

    /// <summary>The rows of <c>files</c> the SQLite trigram table finds for <paramref name="lowered"/> in <paramref name="column"/> (any when null).</summary>
    private static string FtsRows(string index, string? column, string lowered, Parameters parameters) =>
        $"numeric_id IN (SELECT rowid FROM {index} WHERE {index} MATCH {parameters.Bind(SubstringMatch.FtsQuery(column, lowered))})";

    /// <summary>SQLite puts NULLs first ascending and last descending; PostgreSQL is told to do the same.</summary>
    private static string OrderBy(FileQuery query, DatabaseProvider dialect) =>
        string.Join(", ", query.Sort.Select(k =>
        {
            var column = Ordered(query.Table.Find(k.Field)!, dialect);
            if (dialect != DatabaseProvider.Postgres) return column + (k.Descending ? " DESC" : " ASC");
            return column + (k.Descending ? " DESC NULLS LAST" : " ASC NULLS FIRST");
        }));

    private static void Page(StringBuilder select, FileQuery query, Parameters parameters)
    {
        if (query.Limit is null && query.Offset == 0) return;
        // SQLite's "no limit" is -1, PostgreSQL's is ALL.
        select.Append(" LIMIT ").Append(query.Limit is null && parameters.Dialect == DatabaseProvider.Postgres
            ? "ALL"
            : parameters.Bind((long)(query.Limit ?? -1)));
        select.Append(" OFFSET ").Append(parameters.Bind((long)query.Offset));
    }

    /// <summary>
    /// The SQL of a filter node. Under a NOT (<paramref name="negated"/>) no index test is added: a negated test is not
    /// answered from an index anyway, and the trigram table's "not found" is false where the scan's test of a null
    /// column is unknown, which NOT would turn into a match.
    /// </summary>
    private static string Filter(FilterNode node, QueryTable table, Parameters parameters, bool negated = false) => node switch
    {
        FilterGroup { Children.Count: 0 } => "1 = 1",
        FilterGroup group => "(" + string.Join(group.IsAnd ? " AND " : " OR ", group.Children.Select(c => Filter(c, table, parameters, negated))) + ")",
        FilterCondition condition => !negated && Indexed(condition, table, parameters) is { } index
            ? ExactlyIndexed(condition, parameters) ? index : $"({index} AND {Condition(condition, parameters)})"
            : Condition(condition, parameters),
        // The related rows by the inner filter, then this table's rows by its indexed reference column (files_folder_newest).
        FilterRelation relation =>
            $"{relation.Field.Sql} IN (SELECT id FROM {relation.Field.Related!.Name} WHERE {Filter(relation.Inner, relation.Field.Related!, parameters, negated)})",
        // A null column makes the child unknown, and NOT unknown is unknown: the row is left out either way, as in Strapi.
        FilterNot not => "(NOT " + Filter(not.Child, table, parameters, !negated) + ")",
        _ => throw new InvalidOperationException("Unknown filter node."),
    };

    private static string Condition(FilterCondition c, Parameters parameters)
    {
        var column = Column(c.Field, parameters.Dialect);
        var ordered = Ordered(c.Field, parameters.Dialect);
        var text = c.Field.Kind != FieldKind.Integer;
        string P(JsonNode? value) => parameters.Bind(Value(value));
        string Instr(string haystack, string needle) => parameters.Instr(haystack, needle);
        switch (c.Operator)
        {
            case "_eq": return c.Value is null ? $"{column} IS NULL" : $"{column} = {P(c.Value)}";
            case "_neq": return c.Value is null ? $"{column} IS NOT NULL" : $"{column} <> {P(c.Value)}";
            case "_lt": return $"{ordered} < {P(c.Value)}";
            case "_lte": return $"{ordered} <= {P(c.Value)}";
            case "_gt": return $"{ordered} > {P(c.Value)}";
            case "_gte": return $"{ordered} >= {P(c.Value)}";
            case "_in": return $"{column} IN ({List(c.Value, parameters)})";
            case "_nin": return $"{column} NOT IN ({List(c.Value, parameters)})";
            case "_between": return $"{ordered} BETWEEN {P(c.Value![0])} AND {P(c.Value[1])}";
            case "_nbetween": return $"{ordered} NOT BETWEEN {P(c.Value![0])} AND {P(c.Value[1])}";
            case "_null": return Truth(c.Value) ? $"{column} IS NULL" : $"{column} IS NOT NULL";
            case "_nnull": return Truth(c.Value) ? $"{column} IS NOT NULL" : $"{column} IS NULL";
            case "_empty": return Truth(c.Value) ? Empty(column, text) : $"NOT {Empty(column, text)}";
            case "_nempty": return Truth(c.Value) ? $"NOT {Empty(column, text)}" : Empty(column, text);
            // instr()/strpos() are case-sensitive, as Directus's _contains is; _icontains lowers both sides.
            case "_contains": return $"{Instr(column, P(c.Value))} > 0";
            case "_ncontains": return $"({column} IS NULL OR {Instr(column, P(c.Value))} = 0)";
            case "_icontains": return $"{Instr($"lower({column})", $"lower({P(c.Value)})")} > 0";
            case "_nicontains": return $"({column} IS NULL OR {Instr($"lower({column})", $"lower({P(c.Value)})")} = 0)";
            case "_ieq": return $"lower({column}) = lower({P(c.Value)})";
            case "_nieq": return $"({column} IS NULL OR lower({column}) <> lower({P(c.Value)}))";
            case "_istarts_with": return $"{Instr($"lower({column})", $"lower({P(c.Value)})")} = 1";
            case "_nistarts_with": return $"({column} IS NULL OR {Instr($"lower({column})", $"lower({P(c.Value)})")} <> 1)";
            case "_iends_with": return EndsWith($"lower({column})", $"lower({P(c.Value)})");
            case "_niends_with": return $"({column} IS NULL OR NOT {EndsWith($"lower({column})", $"lower({P(c.Value)})")})";
            case "_starts_with": return $"{Instr(column, P(c.Value))} = 1";
            case "_nstarts_with": return $"({column} IS NULL OR {Instr(column, P(c.Value))} <> 1)";
            case "_ends_with": return EndsWith(column, P(c.Value));
            case "_nends_with": return $"({column} IS NULL OR NOT {EndsWith(column, P(c.Value))})";
            default: throw new InvalidOperationException($"Operator {c.Operator} passed validation but has no SQL.");
        }
    }

    /// <summary>
    /// Issue 21: a predicate an index answers that every row passing <paramref name="c"/> passes too, or null. A prefix
    /// is a range of the field's sort index (byte order on both databases); a substring of a searchable field is looked
    /// up by its trigrams, as the database lowers it (a case-sensitive test is then narrowed further by the scan's).
    /// </summary>
    private static string? Indexed(FilterCondition c, QueryTable table, Parameters parameters)
    {
        if (c.Field.Kind == FieldKind.Integer || c.Value?.GetValueKind() != System.Text.Json.JsonValueKind.String) return null;
        var value = c.Value.GetValue<string>();
        if (c.Operator == "_starts_with" && c.Field.Name == "type" && table.SubstringIndex is not null && SubstringMatch.IsMimeGroup(value))
            return $"{MimeGroup(parameters.Dialect)} = {parameters.Bind(value)}";
        if (c.Operator == "_starts_with")
        {
            if (SubstringMatch.PrefixEnd(value) is not { } end || c.Field.Sql != c.Field.Name) return null;
            var ordered = Ordered(c.Field, parameters.Dialect);
            return $"{ordered} >= {parameters.Bind(value)} AND {ordered} < {parameters.Bind(end)}";
        }
        if (c.Operator is not ("_contains" or "_icontains" or "_istarts_with" or "_ends_with" or "_iends_with")) return null;
        if (table.SubstringIndex is not { } index || !table.Searchable.Contains(c.Field.Name) || !SubstringMatch.Indexable(value)) return null;
        if (parameters.Dialect == DatabaseProvider.Postgres)
            return $"lower({c.Field.Sql}) LIKE {SubstringMatch.ContainsPatternSql($"lower({parameters.Bind(value)})")}";
        if (!parameters.SearchTableReady) return null;
        return FtsRows(index, c.Field.Name, value.ToLowerInvariant(), parameters);
    }

    /// <summary>
    /// Whether SQLite's trigram table answers the condition alone: <c>_icontains</c> is the lowered value anywhere in the
    /// lowered field, what its phrase query finds (see <see cref="Search"/>). The other tests need a place in the text
    /// or the case, which the scan's test then checks on the rows found.
    /// </summary>
    private static bool ExactlyIndexed(FilterCondition c, Parameters parameters) =>
        parameters.Dialect == DatabaseProvider.Sqlite && c.Operator == "_icontains";

    /// <summary>
    /// A file's mime group, "image/" of "image/png": the expression files_mime_group_newest indexes
    /// (010_query_indexes.sql). A type starts with a group exactly when its text up to the first slash is the group.
    /// </summary>
    private static string MimeGroup(DatabaseProvider dialect) =>
        $"substr(type, 1, {(dialect == DatabaseProvider.Postgres ? "strpos" : "instr")}(type, '/'))";

    private static string EndsWith(string column, string p) =>
        $"(length({column}) >= length({p}) AND substr({column}, length({column}) - length({p}) + 1) = {p})";

    /// <summary>Directus's empty: null, or for text an empty string, array or object (a number is never '' on SQLite either).</summary>
    private static string Empty(string column, bool text) =>
        text ? $"({column} IS NULL OR {column} = '' OR {column} = '[]' OR {column} = '{{}}')" : $"({column} IS NULL)";

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
    private sealed class Parameters(DatabaseProvider dialect)
    {
        private int count;

        public DatabaseProvider Dialect { get; } = dialect;

        public bool SearchTableReady { get; init; } = true;

        /// <summary>The 1-based position of <paramref name="needle"/> in <paramref name="haystack"/>, 0 when absent.</summary>
        public string Instr(string haystack, string needle) =>
            Dialect == DatabaseProvider.Postgres ? $"strpos({haystack}, {needle})" : $"instr({haystack}, {needle})";

        public DynamicParameters Values { get; } = new();

        public string Bind(object? value)
        {
            var name = "@p" + count++;
            Values.Add(name, value);
            return name;
        }
    }
}
