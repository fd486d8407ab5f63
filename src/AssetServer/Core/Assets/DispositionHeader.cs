using System.Text;

namespace AssetServer.Assets;

/// <summary>
/// <c>Content-Disposition</c> for an asset: <c>inline</c> or <c>attachment</c> with the download name twice,
/// as an ASCII <c>filename</c> for old clients and an RFC 8187 <c>filename*</c> with the exact UTF-8 name.
/// Directus sends Latin-1 bytes raw and nothing for other scripts (§4); every client reads <c>filename*</c>.
/// </summary>
public static class DispositionHeader
{
    public static string Build(bool attachment, string fileName)
    {
        var name = string.IsNullOrWhiteSpace(fileName) ? "file" : fileName;
        var kind = attachment ? "attachment" : "inline";
        return $"{kind}; filename=\"{AsciiFallback(name)}\"; filename*=UTF-8''{Rfc8187Encode(name)}";
    }

    /// <summary>
    /// The name as a quoted-string that every parser reads the same way: non-ASCII, control characters,
    /// quotes and backslashes (which some browsers treat as escapes and others as path separators) become <c>_</c>.
    /// </summary>
    public static string AsciiFallback(string name)
    {
        var builder = new StringBuilder(name.Length);
        foreach (var c in name)
            builder.Append(c is < ' ' or > '~' or '"' or '\\' ? '_' : c);
        return builder.ToString();
    }

    /// <summary>RFC 8187 §3.2.1 <c>value-chars</c>: <c>attr-char</c> as is, every other UTF-8 byte as <c>%XX</c>.</summary>
    public static string Rfc8187Encode(string name)
    {
        var builder = new StringBuilder(name.Length * 3);
        foreach (var b in Encoding.UTF8.GetBytes(name))
        {
            if (IsAttrChar(b)) builder.Append((char)b);
            else builder.Append('%').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
        }
        return builder.ToString();
    }

    /// <summary>The name to offer for a derivative: the original's stem with the output format's extension.</summary>
    public static string WithExtension(string fileName, string extension)
    {
        var stem = Path.GetExtension(fileName).Length > 0 ? fileName[..^Path.GetExtension(fileName).Length] : fileName;
        return $"{stem}.{extension.TrimStart('.')}";
    }

    private static bool IsAttrChar(byte b) =>
        b is >= (byte)'a' and <= (byte)'z' or >= (byte)'A' and <= (byte)'Z' or >= (byte)'0' and <= (byte)'9'
          or (byte)'!' or (byte)'#' or (byte)'$' or (byte)'&' or (byte)'+' or (byte)'-' or (byte)'.'
          or (byte)'^' or (byte)'_' or (byte)'`' or (byte)'|' or (byte)'~';
}
