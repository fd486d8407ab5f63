using System.Globalization;
using System.Text.Json;
using AssetServer.Errors;

namespace AssetServer.Transforms;

/// <summary>
/// A colour argument as sharp takes it (the <c>color</c> package): <c>"#f00"</c>, <c>"#ff0000"</c>, <c>"#ff000080"</c>,
/// <c>"rgb(255,0,0)"</c>, <c>"rgba(255,0,0,0.5)"</c>, a basic CSS name, or <c>{"r":255,"g":0,"b":0,"alpha":0.5}</c>.
/// Alpha is 0–1.
/// </summary>
internal readonly record struct Colour(byte R, byte G, byte B, double Alpha)
{
    public static readonly Colour Black = new(0, 0, 0, 1);
    public static readonly Colour White = new(255, 255, 255, 1);
    public static readonly Colour Transparent = new(0, 0, 0, 0);

    private static readonly Dictionary<string, Colour> Named = new(StringComparer.OrdinalIgnoreCase)
    {
        ["black"] = Black, ["white"] = White, ["transparent"] = Transparent,
        ["red"] = new(255, 0, 0, 1), ["lime"] = new(0, 255, 0, 1), ["green"] = new(0, 128, 0, 1),
        ["blue"] = new(0, 0, 255, 1), ["yellow"] = new(255, 255, 0, 1), ["cyan"] = new(0, 255, 255, 1),
        ["aqua"] = new(0, 255, 255, 1), ["magenta"] = new(255, 0, 255, 1), ["fuchsia"] = new(255, 0, 255, 1),
        ["gray"] = new(128, 128, 128, 1), ["grey"] = new(128, 128, 128, 1), ["silver"] = new(192, 192, 192, 1),
        ["maroon"] = new(128, 0, 0, 1), ["olive"] = new(128, 128, 0, 1), ["navy"] = new(0, 0, 128, 1),
        ["purple"] = new(128, 0, 128, 1), ["teal"] = new(0, 128, 128, 1), ["orange"] = new(255, 165, 0, 1),
    };

    /// <summary>Canonical text for cache keys.</summary>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"rgba({R},{G},{B},{Math.Round(Alpha, 3)})");

    /// <summary>Pixel values for an image with <paramref name="bands"/> bands (grey, grey+alpha, RGB, RGBA), 8-bit scale.</summary>
    public double[] ToBands(int bands)
    {
        var alpha = Math.Round(Alpha * 255);
        var grey = Math.Round(0.2126 * R + 0.7152 * G + 0.0722 * B);
        return bands switch
        {
            1 => [grey],
            2 => [grey, alpha],
            3 => [R, G, B],
            _ => [R, G, B, alpha],
        };
    }

    public static Colour Parse(JsonElement value, string parameter)
    {
        if (value.ValueKind == JsonValueKind.String && TryParse(value.GetString()!, out var fromText)) return fromText;
        if (value.ValueKind == JsonValueKind.Object && TryParseObject(value, out var fromObject)) return fromObject;
        throw ApiErrors.InvalidQueryValue(parameter, "a colour such as \"#ff0000\", \"rgb(255,0,0)\" or {\"r\":255,\"g\":0,\"b\":0}",
            value.ValueKind == JsonValueKind.String ? value.GetString() : value.GetRawText());
    }

    public static bool TryParse(string text, out Colour colour)
    {
        colour = default;
        text = text.Trim();
        if (Named.TryGetValue(text, out colour)) return true;
        if (text.StartsWith('#')) return TryParseHex(text[1..], out colour);

        var lower = text.ToLowerInvariant();
        var prefix = lower.StartsWith("rgba(") ? "rgba(" : lower.StartsWith("rgb(") ? "rgb(" : null;
        if (prefix is null || !lower.EndsWith(')')) return false;
        var parts = lower[prefix.Length..^1].Split(',', StringSplitOptions.TrimEntries);
        if (parts.Length is not (3 or 4)) return false;
        var channels = new byte[3];
        for (var i = 0; i < 3; i++)
        {
            if (!int.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out var c) || c > 255) return false;
            channels[i] = (byte)c;
        }
        var alpha = 1.0;
        if (parts.Length == 4 &&
            (!double.TryParse(parts[3], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out alpha) || alpha > 1))
            return false;
        colour = new Colour(channels[0], channels[1], channels[2], alpha);
        return true;
    }

    private static bool TryParseHex(string hex, out Colour colour)
    {
        colour = default;
        if (hex.Length is 3 or 4) hex = string.Concat(hex.Select(c => new string(c, 2)));
        if (hex.Length is not (6 or 8) || !hex.All(Uri.IsHexDigit)) return false;
        byte At(int i) => byte.Parse(hex.AsSpan(i, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        colour = new Colour(At(0), At(2), At(4), hex.Length == 8 ? At(6) / 255.0 : 1);
        return true;
    }

    private static bool TryParseObject(JsonElement value, out Colour colour)
    {
        colour = default;
        var channels = new byte[3];
        string[] names = ["r", "g", "b"];
        for (var i = 0; i < 3; i++)
        {
            if (!value.TryGetProperty(names[i], out var c) || c.ValueKind != JsonValueKind.Number ||
                !c.TryGetInt32(out var n) || n is < 0 or > 255)
                return false;
            channels[i] = (byte)n;
        }
        var alpha = 1.0;
        if (value.TryGetProperty("alpha", out var a))
        {
            if (a.ValueKind != JsonValueKind.Number || !a.TryGetDouble(out alpha) || alpha is < 0 or > 1) return false;
        }
        colour = new Colour(channels[0], channels[1], channels[2], alpha);
        return true;
    }
}
