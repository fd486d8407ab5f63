using System.Globalization;
using System.Text;

namespace AssetServer.Files;

/// <summary>Makes a client's file name safe to store and echo back as <c>filename_download</c>.</summary>
public static class FileNames
{
    public const int MaxLength = 255;

    /// <summary>
    /// Keeps the last path segment, drops control and bidirectional-override characters (a name like
    /// <c>invoice‮fdp.exe</c> would otherwise display as "invoiceexe.pdf"), trims, and bounds the length while keeping the extension.
    /// </summary>
    public static string Sanitise(string? name)
    {
        name ??= "";
        var slash = Math.Max(name.LastIndexOf('/'), name.LastIndexOf('\\'));
        if (slash >= 0) name = name[(slash + 1)..];

        var clean = new StringBuilder(name.Length);
        foreach (var c in name)
        {
            var category = CharUnicodeInfo.GetUnicodeCategory(c);
            if (char.IsControl(c) || category == UnicodeCategory.Format) continue; // Format covers U+202A–U+202E, U+2066–U+2069, U+200E/F
            clean.Append(c);
        }
        name = clean.ToString().Trim();
        if (name is "" or "." or "..") return "file";

        if (name.Length > MaxLength)
        {
            var ext = Path.GetExtension(name);
            if (ext.Length > 16) ext = "";
            var stem = name[..(MaxLength - ext.Length)];
            if (char.IsHighSurrogate(stem[^1])) stem = stem[..^1];
            name = stem + ext;
        }
        return name;
    }
}
