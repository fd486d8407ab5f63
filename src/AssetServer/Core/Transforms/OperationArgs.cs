using System.Globalization;
using System.Text.Json;
using AssetServer.Errors;

namespace AssetServer.Transforms;

/// <summary>
/// The arguments of one <c>[operation, ...args]</c> entry, read with sharp's argument shapes. Every accessor either
/// returns a value inside the stated range or throws <c>INVALID_QUERY</c> naming the argument, what was expected and
/// what came, as sharp's own <c>Expected … for … but received …</c> errors do.
/// </summary>
internal sealed class OperationArgs(string operation, IReadOnlyList<JsonElement> args)
{
    public string Operation { get; } = operation;

    public int Count => args.Count;

    /// <summary>The argument at <paramref name="index"/>, or null when absent or JSON <c>null</c>/<c>undefined</c>-like.</summary>
    public JsonElement? At(int index) =>
        index < args.Count && args[index].ValueKind is not (JsonValueKind.Null or JsonValueKind.Undefined) ? args[index] : null;

    public bool IsObject(int index) => At(index) is { ValueKind: JsonValueKind.Object };

    public bool IsNumber(int index) => At(index) is { ValueKind: JsonValueKind.Number };

    public static double Number(JsonElement value, string name, double min, double max)
    {
        if (value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out var n) && double.IsFinite(n) && n >= min && n <= max)
            return n;
        throw Invalid(name, $"number between {Text(min)} and {Text(max)}", value);
    }

    public static int Integer(JsonElement value, string name, int min, int max)
    {
        if (value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out var n) && n == Math.Floor(n) && n >= min && n <= max)
            return (int)n;
        throw Invalid(name, $"integer between {min} and {max}", value);
    }

    public static bool Boolean(JsonElement value, string name) => value.ValueKind switch
    {
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => throw Invalid(name, "boolean", value),
    };

    public static string OneOf(JsonElement value, string name, params string[] allowed)
    {
        if (value.ValueKind == JsonValueKind.String)
        {
            var text = value.GetString()!;
            var match = allowed.FirstOrDefault(a => string.Equals(a, text, StringComparison.OrdinalIgnoreCase));
            if (match is not null) return match;
        }
        throw Invalid(name, $"one of: {string.Join(", ", allowed)}", value);
    }

    public double? Number(int index, string name, double min, double max) =>
        At(index) is { } v ? Number(v, name, min, max) : null;

    public int? Integer(int index, string name, int min, int max) =>
        At(index) is { } v ? Integer(v, name, min, max) : null;

    /// <summary>sharp's optional boolean first argument (<c>flip()</c>, <c>flip(true)</c>, <c>flip(false)</c>).</summary>
    public bool Flag(int index, string name) => At(index) is not { } v || Boolean(v, name);

    public JsonElement Object(int index, string name) =>
        At(index) is { ValueKind: JsonValueKind.Object } v ? v : throw Invalid(name, "object", At(index));

    /// <summary>A property of an options object, or null when missing.</summary>
    public static JsonElement? Property(JsonElement obj, string name) =>
        obj.ValueKind == JsonValueKind.Object && obj.TryGetProperty(name, out var v) &&
        v.ValueKind is not (JsonValueKind.Null or JsonValueKind.Undefined) ? v : null;

    public static ApiException Invalid(string name, string expected, JsonElement? received) =>
        ApiErrors.InvalidQueryValue(name, expected, received switch
        {
            null => null,
            { ValueKind: JsonValueKind.String } s => s.GetString(),
            { } other => other.GetRawText(),
        });

    public static string Text(double value) => value.ToString("0.######", CultureInfo.InvariantCulture);
}
