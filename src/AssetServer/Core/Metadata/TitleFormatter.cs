using System.Globalization;
using System.Text.RegularExpressions;

namespace AssetServer.Metadata;

/// <summary>
/// Directus's title for an uploaded file name (<c>@directus/format-title</c> on the name without its extension):
/// decamelize, split on whitespace, <c>-</c> and <c>_</c>, capitalise, then restore acronyms and special spellings and
/// lower-case short function words except the first and last. Dots are not separators (<c>my_file name.v2</c> → <c>My File Name.v2</c>).
/// </summary>
public static partial class TitleFormatter
{
    /// <summary>Words with a fixed spelling, keyed by their lower-case form.</summary>
    private static readonly Dictionary<string, string> SpecialWords = new[]
    {
        "iPhone", "iPad", "iPod", "iMac", "iOS", "iPadOS", "macOS", "watchOS", "tvOS", "iCloud", "iTunes", "eBay", "eBook",
        "GitHub", "GitLab", "JavaScript", "TypeScript", "CoffeeScript", "YouTube", "LinkedIn", "WordPress", "PayPal",
        "PostgreSQL", "MySQL", "SQLite", "MongoDB", "GraphQL", "OAuth", "WiFi", "DevOps", "PowerPoint", "WhatsApp",
        "TikTok", "FaceTime", "AirPods", "MacBook", "PlayStation", "Node.js", "Vue.js", "McDonald", "Directus",
    }.ToDictionary(word => word.ToLowerInvariant(), StringComparer.Ordinal);

    private static readonly HashSet<string> Acronyms = new(StringComparer.Ordinal)
    {
        "api", "apis", "cdn", "ceo", "cfo", "cms", "coo", "cpu", "crm", "css", "csv", "cto", "dns", "dvd", "faq", "ftp", "gps",
        "gpu", "hdr", "html", "http", "https", "id", "ids", "json", "jwt", "kpi", "nasa", "nfc", "pdf", "php", "ram", "rgb", "roi",
        "rss", "sdk", "seo", "sku", "sms", "sql", "ssd", "ssh", "ssl", "svg", "tcp", "tls", "ui", "url", "urls", "usa", "usb",
        "uuid", "ux", "vpn", "xml", "yaml",
    };

    /// <summary>APA: articles, conjunctions and prepositions shorter than four letters stay lower-case inside a title.</summary>
    private static readonly HashSet<string> MinorWords = new(StringComparer.Ordinal)
    {
        "a", "an", "the", "and", "but", "or", "nor", "for", "so", "yet", "as", "at", "by", "in", "of", "off", "on", "per",
        "to", "up", "via", "vs",
    };

    /// <summary>The title for <paramref name="fileName"/>: the last dot segment is the extension, unless it is the only dot at the start.</summary>
    public static string FromFileName(string fileName)
    {
        var dot = fileName.LastIndexOf('.');
        var name = dot > 0 ? fileName[..dot] : fileName;
        return Format(name);
    }

    private static string Format(string text)
    {
        var words = Separators().Split(Decamelize(text)).Where(word => word.Length > 0).ToArray();
        for (var i = 0; i < words.Length; i++)
        {
            words[i] = Restyle(words[i], isEdge: i == 0 || i == words.Length - 1);
        }

        return string.Join(' ', words);
    }

    /// <summary>
    /// The <c>decamelize</c> rule format-title uses: <c>aB</c> → <c>a_B</c>, then <c>ABc</c> → <c>A_Bc</c>, then lower-case,
    /// so <c>vSRgXtQuns8</c> → <c>v_s_rg_xt_quns8</c>. ASCII letters only, as in the JavaScript original.
    /// </summary>
    private static string Decamelize(string text)
    {
        var split = LowerThenUpper().Replace(text, "$1_$2");
        split = UpperRunThenWord().Replace(split, "$1_$2");
        return split.ToLowerInvariant();
    }

    private static string Restyle(string word, bool isEdge)
    {
        if (SpecialWords.TryGetValue(word, out var special))
        {
            return special;
        }

        if (Acronyms.Contains(word))
        {
            return word.ToUpperInvariant();
        }

        if (!isEdge && MinorWords.Contains(word))
        {
            return word;
        }

        return Capitalize(word);
    }

    private static string Capitalize(string word)
    {
        var first = StringInfo.GetNextTextElementLength(word);
        return word[..first].ToUpperInvariant() + word[first..];
    }

    [GeneratedRegex("([a-z0-9])([A-Z])")]
    private static partial Regex LowerThenUpper();

    [GeneratedRegex("([A-Z]+)([A-Z][a-z0-9]+)")]
    private static partial Regex UpperRunThenWord();

    [GeneratedRegex(@"[\s\-_]+")]
    private static partial Regex Separators();
}
