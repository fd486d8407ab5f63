using System.Globalization;
using System.Text.Json.Nodes;
using AssetServer.Files;
using AssetServer.Files.Query;

namespace AssetServer.Strapi;

/// <summary>Page mode (<c>page</c>/<c>pageSize</c>) or offset mode (<c>start</c>/<c>limit</c>) of <c>/files/page</c>.</summary>
public sealed record StrapiPagination(bool PageMode, int Page, int PageSize, int Start, int Limit, bool WithCount);

/// <summary>A parsed list request: the core query, and what only the dialect's answer needs.</summary>
public sealed record StrapiListQuery(FileQuery Query, IReadOnlySet<string>? Fields, bool PopulateRelated, StrapiPagination? Pagination);

/// <summary>
/// Strapi's query language (<c>filters</c>, <c>sort</c>, <c>fields</c>, <c>pagination</c>, <c>populate</c>, and v3's
/// <c>_limit</c>/<c>_start</c>/<c>_sort</c>/<c>field_op</c>) translated into the query object Directus's parameters
/// make, then checked and compiled by the one <see cref="FileQueryParser"/>: one SQL builder, values always bound.
/// </summary>
public sealed class StrapiQuery(FileQueryParser parser)
{
    /// <summary>Strapi 5's REST defaults (<c>api.rest</c>): 25 rows a page, 100 at most.</summary>
    public const int DefaultLimit = 25, MaxLimit = 100;

    /// <summary>
    /// Strapi's operators and the core's. <c>$contains</c>, <c>$startsWith</c> and <c>$endsWith</c> ignore case, as
    /// Strapi's <c>LIKE</c> does on SQLite.
    /// </summary>
    private static readonly Dictionary<string, string> Operators = new(StringComparer.Ordinal)
    {
        ["$eq"] = "_eq", ["$eqi"] = "_ieq", ["$ne"] = "_neq", ["$nei"] = "_nieq",
        ["$lt"] = "_lt", ["$lte"] = "_lte", ["$gt"] = "_gt", ["$gte"] = "_gte",
        ["$in"] = "_in", ["$notIn"] = "_nin", ["$between"] = "_between",
        ["$contains"] = "_icontains", ["$notContains"] = "_nicontains", ["$containsi"] = "_icontains", ["$notContainsi"] = "_nicontains",
        ["$null"] = "_null", ["$notNull"] = "_nnull",
        ["$startsWith"] = "_istarts_with", ["$startsWithi"] = "_istarts_with", ["$endsWith"] = "_iends_with", ["$endsWithi"] = "_iends_with",
    };

    /// <summary>
    /// Strapi compiles these to <c>NOT LIKE</c> / <c>&lt;&gt;</c>, which leave out rows whose field is null; the core's
    /// negations (Directus's) keep them, so the translation adds <c>_nnull</c>.
    /// </summary>
    private static readonly HashSet<string> NullExcludingNegations = ["$nei", "$notContains", "$notContainsi"];

    /// <summary><c>GET /api/upload/files</c>: every file, or <c>start</c>/<c>limit</c>; <c>pagination[…]</c> is ignored, as Strapi does.</summary>
    public StrapiListQuery ParseFlat(IQueryCollection query)
    {
        var json = FileQueryParser.ToJson(query);
        var start = Integer(json["start"], "start") is { } s ? Math.Max(0, s) : 0;
        var limit = Integer(json["limit"], "limit") is { } l and >= 0 ? l : -1;
        return Build(json, limit, start, count: false, pagination: null);
    }

    /// <summary><c>GET /api/upload/files/page</c>: <c>pagination[page|pageSize]</c> or <c>pagination[start|limit]</c>, with a count.</summary>
    public StrapiListQuery ParsePage(IQueryCollection query)
    {
        var json = FileQueryParser.ToJson(query);
        var p = json["pagination"] as JsonObject ?? [];
        var hasPage = p.ContainsKey("page") || p.ContainsKey("pageSize");
        var hasOffset = p.ContainsKey("start") || p.ContainsKey("limit");
        if (hasPage && hasOffset) throw StrapiErrors.Pagination("Cannot use both page & offset pagination in the same query");
        var withCount = p["withCount"] is not JsonValue wc || !(wc.ToString() is "false" or "0");
        StrapiPagination pagination;
        if (hasOffset)
        {
            var start = Math.Max(0, Integer(p["start"], "start") ?? 0);
            var limit = Integer(p["limit"], "limit") is { } l and not 0 ? (l < 0 ? MaxLimit : Math.Min(l, MaxLimit)) : DefaultLimit;
            pagination = new StrapiPagination(false, 0, 0, start, limit, withCount);
        }
        else
        {
            var page = Math.Max(1, Integer(p["page"], "page") ?? 1);
            var size = Integer(p["pageSize"], "pageSize") is { } ps and > 0 ? Math.Min(ps, MaxLimit) : DefaultLimit;
            pagination = new StrapiPagination(true, page, size, (int)Math.Min(int.MaxValue, (long)(page - 1) * size), size, withCount);
        }
        return Build(json, pagination.Limit, pagination.Start, withCount, pagination);
    }

    /// <summary><c>fields</c> of a single-object route.</summary>
    public IReadOnlySet<string>? ParseFields(IQueryCollection query) => Fields(FileQueryParser.ToJson(query)["fields"]);

    /// <summary>Whether a single-object route asks for <c>related</c>.</summary>
    public bool ParsePopulate(IQueryCollection query) => PopulatesRelated(FileQueryParser.ToJson(query)["populate"]);

    /// <summary>Strapi 3's <c>GET /upload/files</c>: <c>_limit</c> (default 100, -1 all), <c>_start</c>, <c>_sort</c>, <c>field_op=value</c>.</summary>
    public StrapiListQuery ParseV3(IQueryCollection query, bool counting = false)
    {
        var filter = new JsonArray();
        foreach (var (key, values) in query)
        {
            if (key is "_limit" or "_start" or "_sort" or "_publicationState" or "_locale" or "access_token" or "populate") continue;
            var (field, op) = V3Condition(key);
            var name = CoreField(field, "filters");
            foreach (var value in values)
            {
                JsonNode operand = op is "_in" or "_nin" ? new JsonArray(JsonValue.Create(value)) : JsonValue.Create(value ?? "")!;
                filter.Add(new JsonObject { [name] = new JsonObject { [op] = operand } });
            }
        }
        var start = int.TryParse(query["_start"], CultureInfo.InvariantCulture, out var s) ? Math.Max(0, s) : 0;
        var limit = int.TryParse(query["_limit"], CultureInfo.InvariantCulture, out var l) ? l : 100;
        var core = new JsonObject
        {
            ["limit"] = counting || limit < 0 ? -1 : limit,
            ["offset"] = counting ? 0 : start,
            ["sort"] = Sort(query["_sort"].ToString() is { Length: > 0 } sort ? JsonValue.Create(sort) : null),
        };
        if (filter.Count > 0) core["filter"] = new JsonObject { ["_and"] = filter };
        if (counting) core["meta"] = "filter_count";
        // Strapi 3 lists each file's related entries always.
        return new StrapiListQuery(parser.Parse(core), Fields: null, PopulateRelated: true, Pagination: null);
    }

    /// <summary>Strapi 3 suffixes: <c>name_contains</c>, <c>size_gt</c>, <c>id_in</c>…; no suffix is equality.</summary>
    private static (string Field, string Op) V3Condition(string key)
    {
        (string Suffix, string Op)[] suffixes =
        [
            ("_ncontains", "_nicontains"), ("_containss", "_contains"), ("_contains", "_icontains"), ("_nin", "_nin"), ("_in", "_in"),
            ("_null", "_null"), ("_lte", "_lte"), ("_gte", "_gte"), ("_lt", "_lt"), ("_gt", "_gt"), ("_ne", "_neq"), ("_eq", "_eq"),
        ];
        foreach (var (suffix, op) in suffixes)
            if (key.EndsWith(suffix, StringComparison.Ordinal) && key.Length > suffix.Length) return (key[..^suffix.Length], op);
        return (key, "_eq");
    }

    private StrapiListQuery Build(JsonObject strapi, int limit, int start, bool count, StrapiPagination? pagination)
    {
        var core = new JsonObject
        {
            ["limit"] = limit,
            ["offset"] = start,
            ["sort"] = Sort(strapi["sort"]),
        };
        if (strapi["filters"] is { } filters)
            core["filter"] = Filter(filters as JsonObject ?? throw StrapiErrors.Validation("filters must be an object"), null, 0);
        if (count) core["meta"] = "filter_count";
        return new StrapiListQuery(parser.Parse(core), Fields(strapi["fields"]), PopulatesRelated(strapi["populate"]), pagination);
    }

    /// <summary><c>{"name":{"$containsi":"x"}}</c> → <c>{"filename_download":{"_icontains":"x"}}</c>, recursively.</summary>
    private static JsonObject Filter(JsonObject strapi, string? field, int depth)
    {
        if (depth > 16) throw StrapiErrors.Validation("filters are nested too deeply");
        var core = new JsonObject();
        var groups = new JsonArray();
        foreach (var (key, value) in strapi)
        {
            if (key is "$and" or "$or")
            {
                var children = new JsonArray();
                foreach (var child in Items(value))
                    children.Add(Filter(child as JsonObject ?? throw StrapiErrors.Validation($"{key} must hold filters"), null, depth + 1));
                groups.Add(new JsonObject { [key == "$and" ? "_and" : "_or"] = children });
            }
            else if (key == "$not")
            {
                groups.Add(new JsonObject { ["_not"] = Filter(value as JsonObject ?? throw StrapiErrors.Validation("$not must hold a filter"), null, depth + 1) });
            }
            else if (key.StartsWith('$'))
            {
                throw StrapiErrors.InvalidKey(key, "filters");
            }
            else
            {
                var name = CoreField(key, "filters");
                var operators = new JsonObject();
                if (value is JsonObject ops && ops.Count > 0 && ops.All(o => o.Key.StartsWith('$')))
                {
                    foreach (var (op, operand) in ops)
                    {
                        var coreOp = Operators.GetValueOrDefault(op) ?? throw StrapiErrors.InvalidKey(op, "filters", key);
                        // A list operator given one value: a list of that one value, never split on commas.
                        operators[coreOp] = coreOp is "_in" or "_nin" && operand is JsonValue one ? new JsonArray(one.DeepClone()) : operand?.DeepClone();
                        if (NullExcludingNegations.Contains(op)) operators["_nnull"] = true;
                    }
                }
                else if (value is JsonValue or null)
                {
                    operators["_eq"] = value?.DeepClone(); // filters[name]=x is $eq
                }
                else
                {
                    throw StrapiErrors.InvalidKey(key, "filters");
                }
                groups.Add(new JsonObject { [name] = operators });
            }
        }
        core["_and"] = groups;
        return core;
    }

    private static IEnumerable<JsonNode?> Items(JsonNode? node) => node switch
    {
        JsonArray array => array,
        JsonObject indexed when indexed.All(p => int.TryParse(p.Key, out _)) => indexed.OrderBy(p => int.Parse(p.Key, CultureInfo.InvariantCulture)).Select(p => p.Value),
        JsonObject single => [single],
        _ => throw StrapiErrors.Validation("Expected an array of filters"),
    };

    /// <summary><c>createdAt:desc</c>, <c>sort[0]=size:asc</c> or <c>name,size:desc</c> → <c>["-created_on", …]</c>; id ascending by default.</summary>
    private static JsonArray Sort(JsonNode? node)
    {
        var result = new JsonArray();
        foreach (var entry in Strings(node, "sort"))
        {
            foreach (var part in entry.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                var colon = part.IndexOf(':');
                var name = colon < 0 ? part : part[..colon];
                var direction = colon < 0 ? "asc" : part[(colon + 1)..].ToLowerInvariant();
                if (direction is not ("asc" or "desc")) throw StrapiErrors.InvalidKey(part, "sort");
                var core = CoreField(name, "sort");
                result.Add(direction == "desc" ? "-" + core : core);
            }
        }
        if (result.Count == 0) result.Add("numeric_id");
        return result;
    }

    /// <summary><c>fields[0]=name</c> or <c>fields=name,size</c>: the object's fields to keep (null: all).</summary>
    private static IReadOnlySet<string>? Fields(JsonNode? node)
    {
        var names = Strings(node, "fields").SelectMany(s => s.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToList();
        if (names.Count == 0 || names.Contains("*")) return null;
        foreach (var name in names)
            if (!StrapiFileObject.CoreFields.ContainsKey(name) && !StrapiFileObject.OutputOnlyFields.Contains(name)) throw StrapiErrors.InvalidKey(name, "fields");
        return names.ToHashSet(StringComparer.Ordinal);
    }

    /// <summary><c>populate=related</c>, <c>populate=*</c>, <c>populate[0]=related</c> or <c>populate[related]=…</c>.</summary>
    private static bool PopulatesRelated(JsonNode? node) => node switch
    {
        null => false,
        JsonObject obj => obj.ContainsKey("related") || obj.Any(p => p.Value is JsonValue v && v.ToString() is "related" or "*"),
        _ => Strings(node, "populate").SelectMany(s => s.Split(',', StringSplitOptions.TrimEntries)).Any(s => s is "related" or "*"),
    };

    private static IEnumerable<string> Strings(JsonNode? node, string param) => node switch
    {
        null => [],
        JsonValue value => [value.ToString()],
        JsonArray array => array.Select(i => i is JsonValue v ? v.ToString() : throw StrapiErrors.InvalidKey(param, param)),
        JsonObject indexed when indexed.All(p => int.TryParse(p.Key, out _) && p.Value is JsonValue) =>
            indexed.OrderBy(p => int.Parse(p.Key, CultureInfo.InvariantCulture)).Select(p => p.Value!.ToString()),
        _ => throw StrapiErrors.InvalidKey(param, param),
    };

    private static string CoreField(string name, string param) =>
        StrapiFileObject.CoreFields.GetValueOrDefault(name) ?? throw StrapiErrors.InvalidKey(name, param);

    /// <summary>
    /// A pagination number. Strapi's message for text where a number belongs names its converter whatever the
    /// parameter: <c>convertStartQueryParams expected a positive integer got NaN</c>.
    /// </summary>
    private static int? Integer(JsonNode? node, string name)
    {
        if (node is null) return null;
        var text = node.ToString().Trim();
        if (int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value)) return value;
        var converter = name is "limit" or "pageSize" ? "convertLimitQueryParams" : "convertStartQueryParams";
        throw StrapiErrors.Validation($"{converter} expected a positive integer got NaN");
    }
}
