using System.Globalization;
using System.Text.Json.Nodes;
using MetadataExtractor;
using MetadataExtractor.Formats.Iptc;

namespace AssetServer.Metadata;

/// <summary>
/// The <c>iptc</c> group: IPTC IIM application record (2:xx) datasets under the camelCase keys Directus uses
/// (<c>caption</c>, <c>keywords</c>, <c>byline</c>, <c>dateCreated</c>), plus the location datasets Directus drops.
/// </summary>
internal static class IptcMapping
{
    public const string Caption = "caption";
    public const string Keywords = "keywords";
    public const string Headline = "headline";
    public const string ObjectName = "objectName";
    public const string City = "city";
    public const string Country = "country";

    private const int DateCreated = 0x0237;
    private const int TimeCreated = 0x023C;

    /// <summary>Dataset (record 2 &lt;&lt; 8 | number) → key; repeatable datasets that are lists by nature become arrays.</summary>
    private static readonly (int Tag, string Key, bool IsList)[] Datasets =
    [
        (0x0205, ObjectName, false),
        (0x020F, "category", false),
        (0x0214, "supplementalCategories", true),
        (0x0219, Keywords, true),
        (0x0228, "specialInstructions", false),
        (0x0250, "byline", false),
        (0x0255, "bylineTitle", false),
        (0x025A, City, false),
        (0x025C, "sublocation", false),
        (0x025F, "provinceState", false),
        (0x0264, "countryCode", false),
        (0x0265, Country, false),
        (0x0267, "originalTransmissionReference", false),
        (0x0269, Headline, false),
        (0x026E, "credit", false),
        (0x0273, "source", false),
        (0x0274, "copyright", false),
        (0x0276, "contact", false),
        (0x0278, Caption, false),
        (0x027A, "captionWriter", false),
    ];

    public static JsonObject Read(IEnumerable<MetadataExtractor.Directory> directories)
    {
        var iptc = new JsonObject();
        foreach (var directory in directories.OfType<IptcDirectory>())
        {
            foreach (var (tag, key, isList) in Datasets)
            {
                var values = Strings(directory.GetObject(tag));
                if (values.Count == 0 || iptc.ContainsKey(key))
                {
                    continue;
                }

                iptc[key] = isList
                    ? new JsonArray(values.Select(v => (JsonNode)JsonValue.Create(v)).ToArray())
                    : JsonValue.Create(string.Join(", ", values));
            }

            if (!iptc.ContainsKey("dateCreated") && Date(directory) is { } date)
            {
                iptc["dateCreated"] = date;
            }
        }

        return iptc;
    }

    private static List<string> Strings(object? value)
    {
        var raw = value switch
        {
            string text => [text],
            StringValue text => [text.ToString()],
            string[] texts => texts,
            StringValue[] texts => texts.Select(t => t.ToString()).ToArray(),
            _ => Array.Empty<string>(),
        };
        return raw.Select(text => text.Trim().Trim('\0').Trim()).Where(text => text.Length > 0).ToList();
    }

    /// <summary>2:55 is CCYYMMDD and 2:60 HHMMSS±HHMM; together they make an ISO 8601 timestamp.</summary>
    private static string? Date(IptcDirectory directory)
    {
        var date = Strings(directory.GetObject(DateCreated)).FirstOrDefault();
        if (date is null)
        {
            return null;
        }

        if (!DateTime.TryParseExact(date, "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
        {
            return date;
        }

        var isoDay = day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var time = Strings(directory.GetObject(TimeCreated)).FirstOrDefault();
        if (time is null || time.Length < 6 || !time[..6].All(char.IsAsciiDigit))
        {
            return isoDay;
        }

        var iso = $"{isoDay}T{time[..2]}:{time[2..4]}:{time[4..6]}";
        return time.Length == 11 && time[6] is '+' or '-' ? $"{iso}{time[6..9]}:{time[9..11]}" : iso;
    }
}
