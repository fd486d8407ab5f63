using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using MetadataExtractor.Formats.Xmp;

namespace AssetServer.Metadata;

/// <summary>
/// The <c>xmp</c> group: a flat object of property path → value (<c>dc:title</c>, <c>dc:creator</c>,
/// <c>Iptc4xmpCore:CreatorContactInfo/Iptc4xmpCore:CiAdrCity</c>). Bags and sequences become arrays; a language
/// alternative becomes its first (default) text, as Directus shows <c>dc:title</c>.
/// </summary>
internal static partial class XmpMapping
{
    public const string Title = "dc:title";
    public const string Description = "dc:description";
    public const string Subject = "dc:subject";

    public static JsonObject Read(IEnumerable<MetadataExtractor.Directory> directories)
    {
        var xmp = new JsonObject();
        foreach (var directory in directories.OfType<XmpDirectory>())
        {
            if (directory.XmpMeta is not { } meta)
            {
                continue;
            }

            var alternatives = new Dictionary<string, bool>(StringComparer.Ordinal);
            foreach (var property in meta.Properties)
            {
                if (string.IsNullOrEmpty(property.Path) || property.Options.IsQualifier || property.Path.Contains("/?", StringComparison.Ordinal))
                {
                    continue;
                }

                if (property.Options.IsArray)
                {
                    alternatives[property.Path] = property.Options.IsArrayAlternate;
                    continue;
                }

                var value = property.Value?.Trim();
                if (string.IsNullOrEmpty(value) || property.Options.IsStruct)
                {
                    continue;
                }

                Add(xmp, alternatives, property.Path, value);
            }
        }

        return xmp;
    }

    private static void Add(JsonObject xmp, Dictionary<string, bool> arrays, string path, string value)
    {
        var item = ArrayItem().Match(path);
        if (!item.Success || !arrays.TryGetValue(item.Groups[1].Value, out var isAlternative))
        {
            xmp.TryAdd(path, value);
            return;
        }

        var parent = item.Groups[1].Value;
        if (isAlternative)
        {
            xmp.TryAdd(parent, value);
        }
        else if (xmp[parent] is JsonArray list)
        {
            list.Add(value);
        }
        else if (!xmp.ContainsKey(parent))
        {
            xmp[parent] = new JsonArray(JsonValue.Create(value));
        }
    }

    [GeneratedRegex(@"^(.+)\[\d+\]$")]
    private static partial Regex ArrayItem();
}
