using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using AssetServer.Files;
using AssetServer.Files.Query;

namespace AssetServer.V8;

/// <summary>A parsed v8 list request: the core query, and what only v8's answer needs.</summary>
/// <param name="Fields">The object's fields to keep; null for all.</param>
/// <param name="Meta">v8's <c>meta</c> names asked for; null when no <c>meta</c> was sent (no <c>meta</c> in the answer).</param>
public sealed record V8ListQuery(FileQuery Query, bool Single, IReadOnlySet<string>? Fields, IReadOnlySet<string>? Meta)
{
    /// <summary>Whether a file's <c>folder</c> is answered as v8's folder object (<c>fields=*.*</c>, <c>fields=folder.*</c>).</summary>
    public bool ExpandFolder { get; init; }
}

/// <summary><c>fields</c> and <c>meta</c> of a single-item route.</summary>
public sealed record V8ItemQuery(IReadOnlySet<string>? Fields, IReadOnlySet<string>? Meta)
{
    /// <inheritdoc cref="V8ListQuery.ExpandFolder"/>
    public bool ExpandFolder { get; init; }
}

/// <summary>
/// v8's query language (<c>filter[field][op]=value</c>, <c>q</c>, <c>limit</c>, <c>offset</c>, <c>page</c>, <c>single</c>,
/// <c>sort</c>, <c>fields</c>, <c>meta</c>) translated into the query object Directus's parameters make, then checked
/// and compiled by the one <see cref="FileQueryParser"/>: one SQL builder, values always bound.
/// </summary>
public sealed partial class V8Query(FileQueryParser parser, TimeProvider time)
{
    /// <summary>v8's default page (its docs: "Default is 200"), capped by <c>Files:MaxLimit</c> as every list is.</summary>
    public const int DefaultLimit = 200;

    private static readonly string[] ListParameters = ["fields", "limit", "offset", "page", "sort", "single", "filter", "q", "meta"];

    private static readonly string[] ItemParameters = ["fields", "meta"];

    /// <summary>Sent by v8 clients, and changing nothing here: the token, <c>status</c> and <c>depth</c> (files have neither
    /// a status field nor relations), <c>lang</c>, cache busters.</summary>
    private static readonly string[] Ignored = ["access_token", "status", "depth", "lang", "_"];

    /// <summary>v8's <c>meta</c> names (its <c>status_count</c> and <c>page</c> need a status field and links, which files lack).</summary>
    private static readonly string[] MetaNames = ["collection", "type", "result_count", "total_count", "filter_count"];

    private static readonly string[] IgnoredMeta = ["status_count", "status", "page"];

    private enum Operand { Scalar, List, Flag }

    /// <summary>
    /// v8's operators and their aliases (its <c>operatorShorthand</c>), onto the core's. <c>contains</c>/<c>like</c> are
    /// case-insensitive, as v8's SQL <c>LIKE</c> was under MySQL's default collation. <c>null</c>, <c>nnull</c>,
    /// <c>empty</c> and <c>nempty</c> ignore their value, as v8 does.
    /// </summary>
    private static readonly Dictionary<string, (string Op, Operand Operand)> Operators = new(StringComparer.Ordinal)
    {
        ["eq"] = ("_eq", Operand.Scalar), ["="] = ("_eq", Operand.Scalar),
        ["neq"] = ("_neq", Operand.Scalar), ["<>"] = ("_neq", Operand.Scalar), ["!="] = ("_neq", Operand.Scalar),
        ["lt"] = ("_lt", Operand.Scalar), ["<"] = ("_lt", Operand.Scalar),
        ["lte"] = ("_lte", Operand.Scalar), ["<="] = ("_lte", Operand.Scalar),
        ["gt"] = ("_gt", Operand.Scalar), [">"] = ("_gt", Operand.Scalar),
        ["gte"] = ("_gte", Operand.Scalar), [">="] = ("_gte", Operand.Scalar),
        ["in"] = ("_in", Operand.List), ["nin"] = ("_nin", Operand.List),
        ["between"] = ("_between", Operand.List), ["nbetween"] = ("_nbetween", Operand.List),
        ["null"] = ("_null", Operand.Flag), ["nnull"] = ("_nnull", Operand.Flag),
        ["empty"] = ("_empty", Operand.Flag), ["nempty"] = ("_nempty", Operand.Flag),
        ["contains"] = ("_icontains", Operand.Scalar), ["like"] = ("_icontains", Operand.Scalar),
        ["ncontains"] = ("_nicontains", Operand.Scalar), ["nlike"] = ("_nicontains", Operand.Scalar),
    };

    /// <summary>
    /// A list of <paramref name="table"/>; <paramref name="scope"/> (a core filter) is ANDed with the client's, so a
    /// list of one file's revisions never shows another's.
    /// </summary>
    public V8ListQuery List(IQueryCollection query, V8Table table, JsonObject? scope = null)
    {
        var json = FileQueryParser.ToJson(query);
        Check(json, ListParameters);
        var single = IsTrue(json["single"]);
        var meta = Meta(json["meta"]);
        var core = new JsonObject
        {
            // single forces limit 1 (v8's docs).
            ["limit"] = single ? 1 : json["limit"]?.DeepClone() ?? JsonValue.Create(DefaultLimit),
            ["sort"] = Sort(json["sort"], table),
        };
        // With both, v8 uses offset and ignores page.
        if (json["offset"] is { } offset) core["offset"] = offset.DeepClone();
        else if (json["page"] is { } page) core["page"] = page.DeepClone();
        if (json["q"] is { } q) core["search"] = q.DeepClone();
        var filter = json["filter"] is { } given ? Filter(given, table) : null;
        var combined = scope is null ? filter : filter is null ? scope : new JsonObject { ["_and"] = new JsonArray(scope, filter) };
        if (combined is not null) core["filter"] = combined;
        var counts = meta?.Where(m => m is "total_count" or "filter_count").ToArray() ?? [];
        if (counts.Length > 0) core["meta"] = string.Join(',', counts);
        return new V8ListQuery(parser.Parse(core, table.Core), single, Fields(json["fields"], table), meta)
            { ExpandFolder = ExpandsFolder(json["fields"], table) };
    }

    /// <summary><c>fields</c> and <c>meta</c> of <c>GET /_/files/:id</c> and the other single-item routes.</summary>
    public V8ItemQuery Item(IQueryCollection query, V8Table table)
    {
        var json = FileQueryParser.ToJson(query);
        Check(json, ItemParameters);
        return new V8ItemQuery(Fields(json["fields"], table), Meta(json["meta"])) { ExpandFolder = ExpandsFolder(json["fields"], table) };
    }

    /// <summary>The row at 0-based <paramref name="offset"/> of <paramref name="scope"/> in the table's own order.</summary>
    public V8ListQuery Nth(V8Table table, JsonObject scope, int offset, IReadOnlySet<string>? fields)
    {
        // Offset 0 is the latest state, 1 one step back (issue 11); past the first revision there is nothing.
        var core = new JsonObject { ["filter"] = scope, ["sort"] = "-id", ["limit"] = 1, ["offset"] = offset };
        return new V8ListQuery(parser.Parse(core, table.Core), Single: true, fields, Meta: null);
    }

    private static void Check(JsonObject json, string[] known)
    {
        foreach (var (name, _) in json)
        {
            if (!known.Contains(name) && !Ignored.Contains(name))
                throw V8Errors.InvalidRequest($"Unknown query parameter \"{Short(name)}\"");
        }
    }

    // ---- filter ----

    /// <summary>
    /// <c>filter[title][contains]=x&amp;filter[width][gt]=100</c> → <c>{"_and":[{"title":{"_icontains":"x"}},…]}</c>.
    /// <c>filter[f]=v</c> is <c>eq</c>; several operators on one field all apply. <c>filter[f][logical]=or</c> joins that
    /// field's conditions to the ones before with OR, and AND binds tighter, as in the SQL v8 wrote
    /// (<c>a AND b OR c AND d</c>).
    /// </summary>
    private JsonObject? Filter(JsonNode node, V8Table table)
    {
        if (node is not JsonObject fields) throw V8Errors.InvalidRequest("\"filter\" must be given as filter[field][operator]=value");
        var groups = new List<JsonArray> { new() };
        foreach (var (name, condition) in fields)
        {
            if (!table.QueryFields.Contains(name)) throw V8Errors.InvalidField(name, table.Collection);
            var field = table.Core.Find(name)!;
            var conditions = new List<JsonObject>();
            var or = false;
            switch (condition)
            {
                case JsonObject operators:
                    foreach (var (op, operand) in operators)
                    {
                        if (op == "logical")
                        {
                            or = Text(operand, name, op).ToLowerInvariant() switch
                            {
                                "or" => true,
                                "and" => false,
                                var other => throw V8Errors.InvalidRequest($"filter[{Short(name)}][logical] must be \"and\" or \"or\", not \"{Short(other)}\""),
                            };
                            continue;
                        }
                        if (Condition(field, op, operand) is { } made) conditions.Add(made);
                    }
                    break;
                case JsonArray values:
                    conditions.Add(Condition(field, "in", values)!); // filter[f][]=a&filter[f][]=b
                    break;
                default:
                    if (Condition(field, "eq", condition) is { } equal) conditions.Add(equal);
                    break;
            }
            if (conditions.Count == 0) continue;
            if (or && groups[^1].Count > 0) groups.Add([]);
            foreach (var made in conditions) groups[^1].Add(made);
        }
        var filled = groups.Where(g => g.Count > 0).ToList();
        return filled.Count switch
        {
            0 => null,
            1 => new JsonObject { ["_and"] = filled[0] },
            _ => new JsonObject { ["_or"] = new JsonArray(filled.Select(g => (JsonNode)new JsonObject { ["_and"] = g }).ToArray()) },
        };
    }

    /// <summary>One condition in the core's terms, or null when v8 ignores it (an empty <c>contains</c>).</summary>
    private JsonObject? Condition(FileField field, string op, JsonNode? operand)
    {
        if (!Operators.TryGetValue(op, out var mapped)) throw V8Errors.UnknownFilter(op);
        JsonNode value;
        switch (mapped.Operand)
        {
            case Operand.Flag:
                value = JsonValue.Create(true);
                break;
            case Operand.List:
                // in, nin and between take comma lists (v8 splits them), or repeated bracket values.
                var items = operand is JsonArray array
                    ? array.Select(item => Text(item, field.Name, op))
                    : Text(operand, field.Name, op).Split(',');
                value = new JsonArray(items.Select(item => (JsonNode)JsonValue.Create(Normalise(field, item))).ToArray());
                break;
            default:
                var text = Text(operand, field.Name, op);
                if (text.Length == 0 && mapped.Op is "_icontains" or "_nicontains") return null;
                value = JsonValue.Create(Normalise(field, text));
                break;
        }
        return new JsonObject { [field.Name] = new JsonObject { [mapped.Op] = value } };
    }

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$")]
    private static partial Regex V8DateTime();

    /// <summary>
    /// v8's datetime forms onto the stored ISO 8601 UTC text, so comparisons order as times: <c>now</c>, and
    /// <c>2018-05-21 15:48:03</c> (system collections' times are UTC in v8).
    /// </summary>
    private string Normalise(FileField field, string value)
    {
        if (field.Kind != FieldKind.DateTime) return value;
        if (value == "now") return FileService.Timestamp(time);
        return V8DateTime().IsMatch(value) ? value.Replace(' ', 'T') + ".000Z" : value;
    }

    private static string Text(JsonNode? node, string field, string op) => node switch
    {
        null => "",
        JsonValue value when value.TryGetValue<string>(out var text) => text,
        JsonValue value => value.ToJsonString(),
        _ => throw V8Errors.InvalidRequest($"filter[{Short(field)}][{Short(op)}] must be one value or a comma list"),
    };

    // ---- sort, fields, meta ----

    /// <summary><c>name,-size</c>: fields in order, <c>-</c> for descending; the table's order when absent.</summary>
    private static JsonArray Sort(JsonNode? node, V8Table table)
    {
        var names = Strings(node, "sort");
        if (names.Count == 0) names = [.. table.DefaultSort.Split(',')];
        var sort = new JsonArray();
        foreach (var raw in names)
        {
            if (raw == "?") throw V8Errors.InvalidRequest("Random order (sort=?) is not supported");
            var name = raw.StartsWith('-') ? raw[1..] : raw;
            if (!table.QueryFields.Contains(name)) throw V8Errors.InvalidField(name, table.Collection);
            sort.Add(raw);
        }
        return sort;
    }

    /// <summary><c>*</c> (or nothing) is every field; <c>data.thumbnails</c> keeps <c>data</c> (no deeper selection).</summary>
    private static IReadOnlySet<string>? Fields(JsonNode? node, V8Table table)
    {
        var names = Strings(node, "fields");
        if (names.Count == 0 || names.Any(n => n.StartsWith('*'))) return null;
        var fields = new HashSet<string>(StringComparer.Ordinal);
        foreach (var raw in names)
        {
            var name = raw.Split('.')[0];
            if (!table.ObjectFields.Contains(name)) throw V8Errors.InvalidField(raw, table.Collection);
            fields.Add(name);
        }
        return fields;
    }

    /// <summary>
    /// v8 expands a many-to-one by a deeper field list: <c>*.*</c> or <c>folder.*</c> (any <c>folder.&lt;x&gt;</c>) gives a
    /// file's <c>folder</c> as the whole folder object, one level deep.
    /// </summary>
    private static bool ExpandsFolder(JsonNode? node, V8Table table) =>
        table.Collection == V8Tables.FilesCollection &&
        Strings(node, "fields").Any(name => name == "*.*" || name.StartsWith("folder.", StringComparison.Ordinal));

    private static IReadOnlySet<string>? Meta(JsonNode? node)
    {
        if (node is null) return null;
        var meta = new HashSet<string>(StringComparer.Ordinal);
        foreach (var name in Strings(node, "meta"))
        {
            if (name == "*") meta.UnionWith(MetaNames);
            else if (MetaNames.Contains(name)) meta.Add(name);
            else if (!IgnoredMeta.Contains(name))
                throw V8Errors.InvalidRequest($"Unknown meta \"{Short(name)}\"; expected {string.Join(", ", MetaNames)} or *");
        }
        return meta;
    }

    /// <summary>A comma list, or repeated/indexed values (<c>fields[]=a&amp;fields[]=b</c>).</summary>
    private static List<string> Strings(JsonNode? node, string parameter)
    {
        IEnumerable<JsonNode?> items = node switch
        {
            null => [],
            JsonValue => [node],
            JsonArray array => array,
            JsonObject indexed when indexed.All(p => int.TryParse(p.Key, NumberStyles.None, CultureInfo.InvariantCulture, out _)) =>
                indexed.Select(p => p.Value),
            _ => throw V8Errors.InvalidRequest($"\"{parameter}\" must be a comma-separated list"),
        };
        var result = new List<string>();
        foreach (var item in items)
        {
            if (item is not JsonValue value) throw V8Errors.InvalidRequest($"\"{parameter}\" must be a comma-separated list");
            var text = value.TryGetValue<string>(out var s) ? s : value.ToJsonString();
            result.AddRange(text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        }
        return result;
    }

    /// <summary>v8 reads <c>single</c> as PHP truth: absent, empty, <c>0</c> and <c>false</c> are false.</summary>
    private static bool IsTrue(JsonNode? node) =>
        node is JsonValue value && value.ToString() is not ("" or "0" or "false");

    private static string Short(string text) => text.Length > 64 ? text[..64] + "…" : text;
}
