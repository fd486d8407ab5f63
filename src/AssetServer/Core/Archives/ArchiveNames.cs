using System.Globalization;
using System.Text;

namespace AssetServer.Archives;

/// <summary>
/// Names inside a zip: one path segment per file or folder, safe to extract anywhere, and unique within its folder.
/// Uniqueness ignores case (<c>Photo.JPG</c> and <c>photo.jpg</c> clash): Windows and macOS extract to file systems
/// that do, and the second would silently overwrite the first. A clash is numbered before the extension,
/// <c>photo (1).jpg</c> (Directus writes <c>photo.jpg (1)</c>, which no program opens as a JPEG).
/// </summary>
public sealed class ArchiveNames
{
    private readonly HashSet<string> taken = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The name, made a safe segment, numbered until no earlier name in this folder is equal to it.</summary>
    public string Claim(string? name)
    {
        var safe = Segment(name);
        if (taken.Add(safe)) return safe;
        var (stem, extension) = Split(safe);
        for (var n = 1; ; n++)
        {
            var numbered = $"{stem} ({n.ToString(CultureInfo.InvariantCulture)}){extension}";
            if (taken.Add(numbered)) return numbered;
        }
    }

    /// <summary>
    /// One path segment: separators (<c>/</c>, <c>\</c>) become <c>_</c> so a name cannot climb out of its folder or
    /// make new ones, control and bidirectional-override characters go, and a name that is empty or only dots (a
    /// <c>..</c> would climb) becomes <c>_</c>. Trailing dots and spaces go too (Windows drops them when extracting,
    /// which would make two different names one).
    /// </summary>
    public static string Segment(string? name)
    {
        var clean = new StringBuilder((name ?? "").Length);
        foreach (var c in name ?? "")
        {
            if (char.IsControl(c) || CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.Format) continue;
            clean.Append(c is '/' or '\\' ? '_' : c);
        }
        var segment = clean.ToString().Trim().TrimEnd('.', ' ');
        return segment.Trim('.').Length == 0 ? "_" : segment;
    }

    /// <summary>Stem and extension; a leading dot (<c>.env</c>) or a long tail is no extension.</summary>
    private static (string Stem, string Extension) Split(string name)
    {
        var dot = name.LastIndexOf('.');
        return dot <= 0 || name.Length - dot > 16 ? (name, "") : (name[..dot], name[dot..]);
    }
}
