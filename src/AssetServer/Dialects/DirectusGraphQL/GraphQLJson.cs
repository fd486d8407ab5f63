using System.Collections;
using System.Globalization;
using System.Numerics;
using System.Text.Json.Nodes;
using AssetServer.Files.Query;
using GraphQL;

namespace AssetServer.GraphQL;

/// <summary>
/// Turns GraphQL arguments into the JSON the core reads: the query object <see cref="Files.Query.FileQueryParser"/>
/// takes (<c>{"filter":…,"sort":…,"limit":…}</c>, as a SEARCH body) and the objects <see cref="Files.FileInput"/> takes.
/// So a GraphQL filter is checked and compiled by the same code as a REST one.
/// </summary>
public static class GraphQLJson
{
    /// <summary>A coerced argument value (input objects as dictionaries, lists, scalars) as JSON.</summary>
    public static JsonNode? From(object? value) => value switch
    {
        null => null,
        JsonNode node => node.DeepClone(),
        string text => JsonValue.Create(text),
        bool flag => JsonValue.Create(flag),
        // An int stays an int: FileInput reads integers as int, and a JsonValue made from a long does not give one.
        int or short or byte => JsonValue.Create(Convert.ToInt32(value, CultureInfo.InvariantCulture)),
        long whole => whole is >= int.MinValue and <= int.MaxValue ? JsonValue.Create((int)whole) : JsonValue.Create(whole),
        double number => JsonValue.Create(number),
        float or decimal => JsonValue.Create(Convert.ToDouble(value, CultureInfo.InvariantCulture)),
        BigInteger big => JsonValue.Create((double)big),
        IDictionary<string, object?> obj => new JsonObject(obj.Select(p => KeyValuePair.Create(p.Key, From(p.Value)))),
        IEnumerable list => new JsonArray(list.Cast<object?>().Select(From).ToArray()),
        _ => JsonValue.Create(Convert.ToString(value, CultureInfo.InvariantCulture)),
    };

    /// <summary>An input object argument (<c>data</c>) as a JSON object; an empty one when not given.</summary>
    public static JsonObject Object(IResolveFieldContext context, string argument) =>
        From(context.GetArgument<object?>(argument)) as JsonObject ?? [];

    /// <summary>
    /// The query object for the core's parser from the arguments the field was given, by the same names
    /// (<c>filter sort limit offset page search groupBy</c>); arguments not given, or given as null, are left out.
    /// </summary>
    public static JsonObject Query(IResolveFieldContext context, IEnumerable<string> arguments, QueryTable? table = null)
    {
        var query = new JsonObject();
        foreach (var name in arguments)
            if (From(context.GetArgument<object?>(name)) is { } value) query[name] = value;
        if (query["filter"] is JsonObject filter) ByRelationIds(filter, table ?? QueryTable.Files);
        return query;
    }

    /// <summary>
    /// Directus filters a many-to-one by the related key as <c>folder: {id: {_null: true}}</c> (files in no folder) or
    /// <c>{id: {_eq: …}}</c>. A reference names an existing folder or is null (the core checks every write), so a test
    /// of the related <c>id</c> alone is the same test of the reference column: rewritten so, it also matches rows that
    /// point nowhere, as Directus's join does, and reads no related row.
    /// </summary>
    private static void ByRelationIds(JsonObject filter, QueryTable table)
    {
        foreach (var (key, value) in filter.ToList())
        {
            if (key is "_and" or "_or" && value is JsonArray list)
            {
                foreach (var item in list.OfType<JsonObject>()) ByRelationIds(item, table);
                continue;
            }
            if (table.Find(key)?.Related is not { } related || value is not JsonObject inner) continue;
            if (inner.Count == 1 && inner["id"] is JsonObject operators) filter[key] = operators.DeepClone();
            else ByRelationIds(inner, related);
        }
    }
}
