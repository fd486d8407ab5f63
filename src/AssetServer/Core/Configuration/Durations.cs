using System.Globalization;

namespace AssetServer.Configuration;

/// <summary>Parses durations written as Directus writes them (<c>30d</c>, <c>7.5s</c>, <c>500ms</c>) or as TimeSpan text.</summary>
public static class Durations
{
    public static bool TryParse(string? text, out TimeSpan value)
    {
        value = default;
        if (string.IsNullOrWhiteSpace(text)) return false;
        text = text.Trim();
        (string suffix, double seconds)[] units = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600), ("d", 86400), ("w", 604800)];
        foreach (var (suffix, seconds) in units)
        {
            if (!text.EndsWith(suffix, StringComparison.OrdinalIgnoreCase)) continue;
            var number = text[..^suffix.Length];
            if (number.Length == 0 || number.EndsWith('m')) continue; // "ms" is not "m"+"s"
            if (double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var n) && n >= 0 && double.IsFinite(n))
            {
                value = TimeSpan.FromSeconds(n * seconds);
                return true;
            }
        }
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var plain) && plain >= 0 && double.IsFinite(plain))
        {
            value = TimeSpan.FromSeconds(plain);
            return true;
        }
        return TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out value) && value >= TimeSpan.Zero;
    }

    public static TimeSpan Parse(string? text, string key) =>
        TryParse(text, out var value) ? value : throw new InvalidOperationException($"{key}: \"{text}\" is not a duration (examples: 30d, 7.5s, 500ms).");
}
