using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using AssetServer.Errors;

namespace AssetServer.Files.Query;

/// <summary>
/// Turns the Directus query parameters (<c>fields filter search sort limit offset page meta</c>) into a
/// <see cref="FileQuery"/>, from a query string (JSON or bracket form) or from a JSON <c>query</c> object
/// (SEARCH and PATCH bodies). Anything it cannot place is an <c>INVALID_QUERY</c>.
/// </summary>
public sealed class FileQueryParser(FilesOptions options)
{
    /// <summary>Bounds that keep a hostile filter from costing more than a normal one.</summary>
    private const int MaxDepth = 8, MaxConditions = 64, MaxListValues = 500;

    /// <summary>
    /// Values in the whole filter, every list counted: each is one bound SQL parameter, and binding by name costs
    /// SQLite and the ADO.NET layers a scan of the ones before it (issue 9: 64 lists of 500 took 20–30 s of CPU).
    /// Far below SQLite's own 32766 parameters per statement.
    /// </summary>
    public const int MaxFilterValues = 2000;

    private static readonly string[] KnownParameters = ["fields", "filter", "search", "sort", "limit", "offset", "page", "meta"];

    /// <summary>Parameters a query string may carry besides the list ones (auth, cache busting) and are not ours to judge.</summary>
    private static readonly string[] PassThroughParameters = ["access_token", "export", "deep", "alias", "aggregate", "groupBy", "_"];

    public FileQuery Parse(IQueryCollection query) => Parse(ToJson(query));

    /// <summary>The query of <paramref name="table"/> (default <c>files</c>) that <paramref name="json"/> asks for.</summary>
    public FileQuery Parse(JsonObject json, QueryTable? table = null)
    {
        table ??= QueryTable.Files;
        foreach (var (name, _) in json)
        {
            if (!KnownParameters.Contains(name) && !PassThroughParameters.Contains(name))
                throw ApiErrors.InvalidQuery($"Unknown query parameter \"{Truncate(name)}\"");
        }

        var limit = ParseLimit(json["limit"]);
        var offset = ParseNonNegative(json["offset"], "offset") ?? 0;
        var page = ParseNonNegative(json["page"], "page");
        if (page is 0) throw ApiErrors.InvalidQuery("\"page\" must be a positive integer");
        if (page is { } p && limit is { } l) offset = (int)Math.Min(int.MaxValue, (long)(p - 1) * l);

        var budget = new FilterBudget();
        var (fields, expand) = ParseFields(json["fields"], table);
        return new FileQuery
        {
            Table = table,
            Fields = fields,
            Expand = expand,
            Filter = json["filter"] is { } filter ? ParseFilter(AsFilterObject(filter), 0, budget, table) : null,
            Search = ParseSearch(json["search"]),
            Sort = ParseSort(json["sort"], table),
            Limit = limit,
            Offset = offset,
            Meta = ParseMeta(json["meta"]),
        };
    }

    /// <summary>Bounds of an aggregate query: expressions computed, and fields grouped by.</summary>
    private const int MaxAggregates = 64, MaxGroupBy = 8;

    /// <summary>
    /// An aggregate query: Directus's <c>aggregate</c> (<c>{"count":["*"],"sum":["filesize"],"countDistinct":"type"}</c>,
    /// each a field list as <c>fields</c> takes it) and <c>groupBy</c>, with the list parameters as <see cref="Parse(JsonObject)"/>
    /// reads them. <c>sort</c> may only name grouped fields; without it, groups come in the order of <c>groupBy</c>.
    /// </summary>
    public FileQuery ParseAggregate(JsonObject json, QueryTable? table = null)
    {
        table ??= QueryTable.Files;
        if (json["aggregate"] is not JsonObject aggregate || aggregate.Count == 0)
            throw ApiErrors.InvalidQuery("\"aggregate\" must be an object of functions and fields, such as {\"count\":[\"*\"]}");
        var aggregates = new List<FileAggregate>();
        foreach (var (function, node) in aggregate)
        {
            if (!FileAggregate.Functions.Contains(function))
                throw ApiErrors.InvalidQuery($"Unknown aggregate function \"{Truncate(function)}\"; expected {string.Join(", ", FileAggregate.Functions)}");
            var names = ListOfStrings(node, $"aggregate[{function}]");
            if (names is null || names.Count == 0) throw ApiErrors.InvalidQuery($"\"aggregate[{function}]\" needs at least one field");
            foreach (var name in names)
            {
                FileAggregate item;
                if (name == "*")
                {
                    if (function != "count") throw ApiErrors.InvalidQuery($"\"*\" can only be counted, not given to \"{function}\"");
                    item = new FileAggregate(function, null);
                }
                else
                {
                    var field = table.Find(name) ?? throw ApiErrors.InvalidQuery($"Unknown field \"{Truncate(name)}\" in \"aggregate[{function}]\"");
                    if (!FileAggregate.IsCount(function) && field.Kind != FieldKind.Integer)
                        throw ApiErrors.InvalidQuery($"\"{function}\" takes numeric fields only; \"{name}\" is not one");
                    item = new FileAggregate(function, name);
                }
                if (!aggregates.Contains(item)) aggregates.Add(item);
                if (aggregates.Count > MaxAggregates) throw ApiErrors.InvalidQuery($"\"aggregate\" may compute at most {MaxAggregates} values");
            }
        }

        var groupBy = new List<string>();
        foreach (var name in ListOfStrings(json["groupBy"], "groupBy") ?? [])
        {
            if (table.Find(name) is null) throw ApiErrors.InvalidQuery($"Unknown field \"{Truncate(name)}\" in \"groupBy\"");
            if (!groupBy.Contains(name)) groupBy.Add(name);
        }
        if (groupBy.Count > MaxGroupBy) throw ApiErrors.InvalidQuery($"\"groupBy\" may name at most {MaxGroupBy} fields");

        var query = Parse(json, table);
        IReadOnlyList<SortKey> sort = groupBy.Select(name => new SortKey(name, false)).ToList();
        if (ListOfStrings(json["sort"], "sort") is { Count: > 0 } sortNames)
        {
            foreach (var name in sortNames.Select(n => n.TrimStart('-')))
                if (!groupBy.Contains(name))
                    throw ApiErrors.InvalidQuery($"\"sort\" of an aggregate may only name fields in \"groupBy\"; \"{Truncate(name)}\" is not one");
            // Parse adds id as a tie-breaker; groups are unique already, and id is only a column here when grouped.
            sort = query.Sort.Where(k => groupBy.Contains(k.Field)).ToList();
        }
        return query with { Aggregates = aggregates, GroupBy = groupBy, Sort = sort };
    }

    /// <summary>Only <c>fields</c> (for single-item routes such as <c>GET /files/:id</c>).</summary>
    public static IReadOnlyList<string> ParseFieldsOnly(IQueryCollection query) => ParseSelection(query).Fields;

    /// <summary>
    /// Only <c>fields</c>, with the relations it expands (<c>fields=folder.name</c>), of <paramref name="table"/>
    /// (default <c>files</c>), for single-item routes.
    /// </summary>
    public static FieldSelection ParseSelection(IQueryCollection query, QueryTable? table = null)
    {
        var (fields, expand) = ParseFields(ToJson(query)["fields"], table ?? QueryTable.Files);
        return new FieldSelection(fields, expand);
    }

    // ---- query string → JSON ----

    /// <summary>
    /// Folds the query string into the same JSON shape a SEARCH body has: <c>filter</c> given as JSON text
    /// is parsed, bracket keys (<c>filter[type][_eq]=x</c>, <c>fields[]=id</c>) become nested objects.
    /// </summary>
    public static JsonObject ToJson(IQueryCollection query)
    {
        var root = new JsonObject();
        foreach (var (key, values) in query)
        {
            var bracket = key.IndexOf('[');
            var name = bracket < 0 ? key : key[..bracket];
            if (bracket < 0)
            {
                var value = values.Count > 1 ? string.Join(',', values.ToArray()) : values.ToString();
                root[name] = name == "filter" ? ParseJsonText(value, "filter") : JsonValue.Create(value);
                continue;
            }
            var path = ParseBracketPath(key[bracket..], key);
            foreach (var value in values) SetPath(root, name, path, value ?? "");
        }
        return root;
    }

    private static List<string> ParseBracketPath(string rest, string key)
    {
        var parts = new List<string>();
        var i = 0;
        while (i < rest.Length)
        {
            if (rest[i] != '[') throw ApiErrors.InvalidQuery($"Malformed parameter name \"{Truncate(key)}\"");
            var close = rest.IndexOf(']', i);
            if (close < 0) throw ApiErrors.InvalidQuery($"Malformed parameter name \"{Truncate(key)}\"");
            parts.Add(rest[(i + 1)..close]);
            i = close + 1;
        }
        if (parts.Count > MaxDepth * 2) throw ApiErrors.InvalidQuery("\"filter\" is nested too deeply");
        return parts;
    }

    private static void SetPath(JsonObject root, string name, List<string> path, string value)
    {
        // fields[]=a&fields[]=b and filter[type][_in][]=a build arrays.
        if (path.Count == 1 && path[0] == "" && name != "filter")
        {
            if (root[name] is not JsonArray list) root[name] = list = [];
            list.Add(value);
            return;
        }
        if (root[name] is not JsonObject node) root[name] = node = [];
        for (var i = 0; i < path.Count; i++)
        {
            var segment = path[i];
            var last = i == path.Count - 1;
            var nextIsAppend = !last && path[i + 1] == "";
            if (last)
            {
                node[segment] = value;
            }
            else if (nextIsAppend)
            {
                if (node[segment] is not JsonArray list) node[segment] = list = [];
                list.Add(value);
                return;
            }
            else
            {
                if (node[segment] is not JsonObject child) node[segment] = child = [];
                node = child;
            }
        }
    }

    private static JsonNode ParseJsonText(string text, string parameter)
    {
        try
        {
            return JsonBody.Parse(text)
                   ?? throw ApiErrors.InvalidQuery($"\"{parameter}\" must be a JSON object");
        }
        catch (JsonException)
        {
            throw ApiErrors.InvalidQuery($"\"{parameter}\" is not valid JSON");
        }
    }

    // ---- fields, sort, meta, limits ----

    /// <summary>
    /// The fields asked for, in the order asked: <c>*</c> is every field of the table, <c>*.*</c> that with each relation
    /// expanded whole, <c>folder.name</c> / <c>folder.*</c> a relation expanded to those fields (one level deep).
    /// </summary>
    private static (IReadOnlyList<string> Fields, IReadOnlyDictionary<string, IReadOnlyList<string>> Expand) ParseFields(JsonNode? node, QueryTable table)
    {
        var names = ListOfStrings(node, "fields");
        if (names is null || names.Count == 0) return (table.DefaultFields, FileQuery.NoExpand);
        var result = new List<string>();
        var expand = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        void Add(string name)
        {
            if (!result.Contains(name)) result.Add(name);
        }
        void Expand(FileField field, IEnumerable<string> related)
        {
            var list = expand.TryGetValue(field.Name, out var had) ? had.ToList() : [];
            foreach (var name in related) if (!list.Contains(name)) list.Add(name);
            expand[field.Name] = list;
            Add(field.Name);
        }
        foreach (var name in names)
        {
            if (name is "*" or "*.*")
            {
                foreach (var field in table.DefaultFields) Add(field);
                if (name == "*.*")
                    foreach (var field in table.Fields.Where(f => f.Related is not null && table.DefaultFields.Contains(f.Name)))
                        Expand(field, field.Related!.DefaultFields);
                continue;
            }
            var dot = name.IndexOf('.');
            if (dot < 0)
            {
                Require(table, name, "fields");
                Add(name);
                continue;
            }
            var relation = Require(table, name[..dot], "fields");
            var rest = name[(dot + 1)..];
            if (relation.Related is not { } related)
                throw ApiErrors.InvalidQuery($"\"{relation.Name}\" is not a relation; \"{Truncate(name)}\" in \"fields\" cannot expand it");
            if (rest is "*" or "*.*")
            {
                Expand(relation, related.DefaultFields);
                continue;
            }
            if (rest.Contains('.')) throw ApiErrors.InvalidQuery($"\"fields\" expands one relation deep; \"{Truncate(name)}\" goes further");
            Require(related, rest, "fields");
            Expand(relation, [rest]);
        }
        return (result, expand);
    }

    /// <summary>
    /// The field <paramref name="name"/> names in <paramref name="parameter"/>. One the caller may not read is 403
    /// FORBIDDEN, as Directus answers for a field outside the role's permissions, so a filter or sort cannot probe its
    /// values; one the table lacks is INVALID_QUERY.
    /// </summary>
    private static FileField Require(QueryTable table, string name, string parameter) =>
        table.Find(name) ?? throw (table.Withheld.Contains(name)
            ? ApiErrors.ForbiddenField(name, parameter)
            : ApiErrors.InvalidQuery($"Unknown field \"{Truncate(name)}\" in \"{parameter}\""));

    private static IReadOnlyList<SortKey> ParseSort(JsonNode? node, QueryTable table)
    {
        var names = ListOfStrings(node, "sort");
        if (names is null || names.Count == 0) return table.DefaultSort;
        var keys = new List<SortKey>();
        foreach (var raw in names)
        {
            var descending = raw.StartsWith('-');
            var name = descending ? raw[1..] : raw;
            Require(table, name, "sort");
            keys.Add(new SortKey(name, descending));
        }
        // A tie-breaker keeps paging stable when the sort fields repeat. It runs the way the last key does, so one
        // index on (field, id) answers "field" read forwards and "-field" read backwards (issue 21).
        if (!keys.Any(k => k.Field == "id")) keys.Add(new SortKey("id", keys[^1].Descending));
        return keys;
    }

    private static IReadOnlySet<string> ParseMeta(JsonNode? node)
    {
        var names = ListOfStrings(node, "meta");
        var meta = new HashSet<string>();
        if (names is null) return meta;
        foreach (var name in names)
        {
            switch (name)
            {
                case "*": meta.Add("total_count"); meta.Add("filter_count"); break;
                case "total_count" or "filter_count": meta.Add(name); break;
                default: throw ApiErrors.InvalidQuery($"Unknown \"meta\" value \"{Truncate(name)}\"; expected total_count, filter_count or *");
            }
        }
        return meta;
    }

    private int? ParseLimit(JsonNode? node)
    {
        if (node is null) return options.DefaultLimit;
        var limit = ParseInteger(node, "limit");
        if (limit == -1) return options.MaxLimit > 0 ? options.MaxLimit : null;
        if (limit < -1) throw ApiErrors.InvalidQuery("\"limit\" must be -1 or a number of rows from 0");
        return options.MaxLimit > 0 ? Math.Min(limit, options.MaxLimit) : limit;
    }

    private static int? ParseNonNegative(JsonNode? node, string name)
    {
        if (node is null) return null;
        var value = ParseInteger(node, name);
        if (value < 0) throw ApiErrors.InvalidQuery($"\"{name}\" must be a number from 0");
        return value;
    }

    private static int ParseInteger(JsonNode node, string name)
    {
        var text = node is JsonValue v && v.TryGetValue<string>(out var s) ? s.Trim() : node.ToJsonString();
        if (!int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
            throw ApiErrors.InvalidQuery($"\"{name}\" must be a number");
        return value;
    }

    private static string? ParseSearch(JsonNode? node)
    {
        if (node is null) return null;
        if (node is not JsonValue value) throw ApiErrors.InvalidQuery("\"search\" must be a string");
        var text = value.TryGetValue<string>(out var s) ? s : value.ToJsonString();
        if (text.Length > 1000) throw ApiErrors.InvalidQuery("\"search\" must be at most 1000 characters");
        return text.Length == 0 ? null : text;
    }

    /// <summary>A comma list, a JSON array, or an array of comma lists.</summary>
    private static List<string>? ListOfStrings(JsonNode? node, string name)
    {
        switch (node)
        {
            case null:
                return null;
            case JsonValue value when value.TryGetValue<string>(out var text):
                return Split(text);
            case JsonArray array:
                var result = new List<string>();
                foreach (var item in array)
                {
                    if (item is JsonValue v && v.TryGetValue<string>(out var t)) result.AddRange(Split(t));
                    else throw ApiErrors.InvalidQuery($"\"{name}\" must be a list of strings");
                }
                return result;
            default:
                throw ApiErrors.InvalidQuery($"\"{name}\" must be a comma-separated list or an array of strings");
        }

        static List<string> Split(string text) =>
            text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
    }

    // ---- filter ----

    private static JsonObject AsFilterObject(JsonNode node) => node switch
    {
        JsonObject obj => obj,
        JsonValue value when value.TryGetValue<string>(out var text) => ParseJsonText(text, "filter") as JsonObject
            ?? throw ApiErrors.InvalidQuery("\"filter\" must be a JSON object"),
        _ => throw ApiErrors.InvalidQuery("\"filter\" must be a JSON object"),
    };

    private static FilterNode ParseFilter(JsonObject obj, int depth, FilterBudget budget, QueryTable table)
    {
        if (depth > MaxDepth) throw ApiErrors.InvalidQuery("\"filter\" is nested too deeply");
        var nodes = new List<FilterNode>();
        foreach (var (key, value) in obj)
        {
            if (key is "_and" or "_or")
            {
                var items = value switch
                {
                    JsonArray array => array.ToList(),
                    // Bracket form gives {"0":{…},"1":{…}}.
                    JsonObject indexed when indexed.All(p => int.TryParse(p.Key, out _)) => indexed.Select(p => p.Value).ToList(),
                    _ => throw ApiErrors.InvalidQuery($"\"{key}\" in \"filter\" must be an array of filters"),
                };
                var children = new List<FilterNode>();
                foreach (var item in items)
                {
                    if (item is not JsonObject child) throw ApiErrors.InvalidQuery($"\"{key}\" in \"filter\" must be an array of filters");
                    children.Add(ParseFilter(child, depth + 1, budget, table));
                }
                nodes.Add(new FilterGroup(key == "_and", children));
                continue;
            }
            if (key == "_not")
            {
                if (value is not JsonObject negated) throw ApiErrors.InvalidQuery("\"_not\" in \"filter\" must be a filter object");
                nodes.Add(new FilterNot(ParseFilter(negated, depth + 1, budget, table)));
                continue;
            }

            var field = Require(table, key, "filter");
            if (value is not JsonObject operators || operators.Count == 0)
                throw ApiErrors.InvalidQuery($"\"filter\" on \"{key}\" must be an object of operators such as {{\"_eq\": …}}");
            // A field name inside a relation's filter ({"folder":{"name":{"_eq":…}}}) filters the related rows.
            if (field.Related is { } related && operators.Any(p => !p.Key.StartsWith('_') || p.Key is "_and" or "_or" or "_not"))
            {
                nodes.Add(new FilterRelation(field, ParseFilter(operators, depth + 1, budget, related)));
                continue;
            }
            foreach (var (op, operand) in operators)
            {
                if (++budget.Conditions > MaxConditions) throw ApiErrors.InvalidQuery($"\"filter\" may hold at most {MaxConditions} conditions");
                var checkedOperand = CheckOperand(field, op, operand);
                budget.Values += checkedOperand switch
                {
                    JsonArray list => list.Count,
                    null => 0,
                    _ when op is "_null" or "_nnull" or "_empty" or "_nempty" => 0, // a flag, not a bound value
                    _ => 1,
                };
                if (budget.Values > MaxFilterValues)
                    throw ApiErrors.InvalidQuery($"\"filter\" may hold at most {MaxFilterValues} values in all (every _in/_nin list counted)");
                nodes.Add(new FilterCondition(field, op, checkedOperand));
            }
        }
        return nodes.Count == 1 ? nodes[0] : new FilterGroup(true, nodes);
    }

    /// <summary>What the filter parsed so far has used of its bounds; counted as it goes, never recounted.</summary>
    private sealed class FilterBudget
    {
        public int Conditions;
        public int Values;
    }

    /// <summary>
    /// Directus's text operators, with their case-insensitive forms; <c>_ieq</c>/<c>_nieq</c> are ours, for Strapi's
    /// <c>$eqi</c>/<c>$nei</c>.
    /// </summary>
    private static readonly string[] TextOperators =
    [
        "_contains", "_ncontains", "_icontains", "_nicontains", "_starts_with", "_nstarts_with", "_istarts_with", "_nistarts_with",
        "_ends_with", "_nends_with", "_iends_with", "_niends_with", "_ieq", "_nieq",
    ];

    private static readonly string[] AnyOperators =
        ["_eq", "_neq", "_lt", "_lte", "_gt", "_gte", "_in", "_nin", "_null", "_nnull", "_between", "_nbetween", "_empty", "_nempty"];

    private static JsonNode? CheckOperand(FileField field, string op, JsonNode? operand)
    {
        var kindName = field.Kind switch
        {
            FieldKind.Integer => "integer",
            FieldKind.DateTime => "timestamp",
            FieldKind.Json => "json",
            FieldKind.Uuid => "uuid",
            _ => "string",
        };
        var allowed = AnyOperators.Contains(op) ||
                      (TextOperators.Contains(op) && field.Kind is FieldKind.String or FieldKind.Json or FieldKind.Uuid);
        if (!allowed) throw ApiErrors.InvalidQuery($"\"{kindName}\" field type does not contain the \"{Truncate(op)}\" filter operator");

        switch (op)
        {
            case "_null" or "_nnull" or "_empty" or "_nempty":
                return JsonValue.Create(IsTrue(operand));
            case "_in" or "_nin":
                return new JsonArray(ListOperand(field, op, operand).ToArray());
            case "_between" or "_nbetween":
                var pair = ListOperand(field, op, operand);
                if (pair.Count != 2) throw ApiErrors.InvalidQuery($"\"{op}\" on \"{field.Name}\" needs exactly two values");
                return new JsonArray(pair.ToArray());
            default:
                if (operand is null && op is "_eq" or "_neq") return null;
                return Scalar(field, op, operand);
        }
    }

    private static List<JsonNode?> ListOperand(FileField field, string op, JsonNode? operand)
    {
        IEnumerable<JsonNode?> items = operand switch
        {
            JsonArray array => array,
            JsonValue value when value.TryGetValue<string>(out var text) =>
                text.Split(',').Select(s => (JsonNode?)JsonValue.Create(s)),
            JsonObject indexed when indexed.All(p => int.TryParse(p.Key, out _)) => indexed.Select(p => p.Value),
            null => throw ApiErrors.InvalidQuery($"\"{op}\" on \"{field.Name}\" needs a list of values"),
            _ => [operand],
        };
        var list = items.Select(item => Scalar(field, op, item)).ToList();
        if (list.Count > MaxListValues) throw ApiErrors.InvalidQuery($"\"{op}\" may list at most {MaxListValues} values");
        return list;
    }

    /// <summary>Checks one value against the field's kind and returns it ready to bind (number or string).</summary>
    private static JsonNode Scalar(FileField field, string op, JsonNode? operand)
    {
        if (operand is not JsonValue value)
            throw ApiErrors.InvalidQueryValue($"filter[{field.Name}][{op}]", "a single value", operand?.ToJsonString() ?? "null");
        var text = value.TryGetValue<string>(out var s) ? s : value.ToJsonString();
        if (text.Length > 4096) throw ApiErrors.InvalidQuery($"A value in \"filter\" on \"{field.Name}\" is too long");
        if (field.Kind == FieldKind.Integer)
        {
            if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) || !double.IsFinite(number))
                throw ApiErrors.InvalidQueryValue($"filter[{field.Name}][{op}]", "a number", text);
            return JsonValue.Create(number);
        }
        return JsonValue.Create(text);
    }

    private static bool IsTrue(JsonNode? operand) => operand switch
    {
        null => true,
        JsonValue v when v.TryGetValue<bool>(out var b) => b,
        JsonValue v when v.TryGetValue<string>(out var s) => s is not ("false" or "0"),
        JsonValue v when v.TryGetValue<double>(out var d) => d != 0,
        _ => true,
    };

    private static string Truncate(string text) => text.Length > 64 ? text[..64] + "…" : text;
}
