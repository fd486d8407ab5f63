using System.Globalization;
using System.Numerics;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using GraphQL.Types;
using GraphQLParser.AST;

namespace AssetServer.GraphQL;

/// <summary>
/// Directus's <c>JSON</c> scalar (<c>tags</c>, <c>metadata</c>, an aggregate's <c>group</c>): any JSON value, in and out.
/// Values leave as <see cref="JsonNode"/> or <see cref="RawJson"/> and come in as <see cref="JsonNode"/>.
/// </summary>
public sealed class JsonGraphType : ScalarGraphType
{
    public JsonGraphType()
    {
        Name = "JSON";
        Description = "Any JSON value: an object, an array, a string, a number, a boolean or null.";
    }

    public override object? Serialize(object? value) => value switch
    {
        null or JsonNode or RawJson => value,
        _ => GraphQLJson.From(value),
    };

    /// <summary>A variable's value, as GraphQL.SystemTextJson read it (dictionaries, lists and primitives).</summary>
    public override object? ParseValue(object? value) => GraphQLJson.From(value);

    public override object? ParseLiteral(GraphQLValue value) => Literal(value);

    private static JsonNode? Literal(GraphQLValue value) => value switch
    {
        GraphQLNullValue => null,
        GraphQLBooleanValue b => JsonValue.Create(b.BoolValue),
        GraphQLStringValue s => JsonValue.Create((string)s.Value),
        GraphQLEnumValue e => JsonValue.Create((string)e.Name.Value),
        GraphQLIntValue i => Number((string)i.Value),
        GraphQLFloatValue f => Number((string)f.Value),
        GraphQLListValue list => new JsonArray((list.Values ?? []).Select(Literal).ToArray()),
        GraphQLObjectValue obj => ObjectLiteral(obj),
        _ => throw new InvalidOperationException($"A JSON value cannot hold a {value.Kind}."),
    };

    private static JsonObject ObjectLiteral(GraphQLObjectValue obj)
    {
        var json = new JsonObject();
        foreach (var field in obj.Fields ?? []) json[(string)field.Name.Value] = Literal(field.Value);
        return json;
    }

    private static JsonValue Number(string text) =>
        long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var whole)
            ? (JsonValue)GraphQLJson.From(whole)!
            : JsonValue.Create(double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture));
}

/// <summary>
/// A JSON column's stored text, written into the response as it is: a list of large rows is not parsed into trees
/// only to be written out again (as <c>GET /files</c> streams it). The text was checked when it was stored.
/// </summary>
[JsonConverter(typeof(RawJsonConverter))]
public sealed record RawJson(string Text);

/// <summary>Writes <see cref="RawJson"/> as the JSON it holds.</summary>
public sealed class RawJsonConverter : JsonConverter<RawJson>
{
    public override RawJson Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        throw new NotSupportedException("RawJson is written, never read.");

    public override void Write(Utf8JsonWriter writer, RawJson value, JsonSerializerOptions options) => writer.WriteRawValue(value.Text);
}

/// <summary>
/// Directus's <c>Date</c> scalar: timestamps travel as the ISO 8601 text they are stored as
/// (<c>2026-11-23T00:12:25.478Z</c>), never reformatted.
/// </summary>
public sealed class DirectusDateGraphType : ScalarGraphType
{
    public DirectusDateGraphType()
    {
        Name = "Date";
        Description = "An ISO 8601 timestamp, as text.";
    }

    public override object? ParseValue(object? value) => value switch
    {
        null => null,
        string text => text,
        _ => throw new FormatException($"A Date must be an ISO 8601 string, not {value}."),
    };
}

/// <summary>
/// Directus's <c>GraphQLBigInt</c> (its type for <c>filesize</c>): written as a string, as Directus writes it, since a
/// GraphQL <c>Int</c> stops at 2³¹−1 and files may be larger. Read from a string or an integer.
/// </summary>
public sealed class DirectusBigIntGraphType : ScalarGraphType
{
    public DirectusBigIntGraphType()
    {
        Name = "GraphQLBigInt";
        Description = "A 64-bit integer, written as a string.";
    }

    public override object? Serialize(object? value) => value switch
    {
        null => null,
        string text => text,
        _ => Convert.ToInt64(value, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture),
    };

    public override object? ParseValue(object? value) => value switch
    {
        null => null,
        string text when long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var parsed) => parsed,
        int or long or short or byte => Convert.ToInt64(value, CultureInfo.InvariantCulture),
        BigInteger big when big >= long.MinValue && big <= long.MaxValue => (long)big,
        _ => throw new FormatException($"A GraphQLBigInt must be a 64-bit integer, not {value}."),
    };

    public override object? ParseLiteral(GraphQLValue value) => value switch
    {
        GraphQLIntValue i => ParseValue((string)i.Value),
        _ => base.ParseLiteral(value),
    };
}

/// <summary>
/// Directus's <c>GraphQLStringOrFloat</c>, the operand of numeric filters: a number, or a string the query parser checks
/// (so <c>"1e3"</c> and <c>1000</c> filter alike, as in a REST query string).
/// </summary>
public sealed class StringOrFloatGraphType : ScalarGraphType
{
    public StringOrFloatGraphType()
    {
        Name = "GraphQLStringOrFloat";
        Description = "A string or a number.";
    }

    public override object? ParseValue(object? value) => value switch
    {
        null or string or double => value,
        int or long or short or byte or float or decimal or BigInteger => Convert.ToDouble(value, CultureInfo.InvariantCulture),
        _ => throw new FormatException($"Expected a string or a number, not {value}."),
    };

    public override object? ParseLiteral(GraphQLValue value) => value switch
    {
        GraphQLIntValue i => double.Parse((string)i.Value, CultureInfo.InvariantCulture),
        GraphQLFloatValue f => double.Parse((string)f.Value, CultureInfo.InvariantCulture),
        _ => base.ParseLiteral(value),
    };
}
