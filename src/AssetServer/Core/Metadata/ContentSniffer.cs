using System.Buffers.Binary;
using System.Text;
using System.Text.Json;

namespace AssetServer.Metadata;

/// <summary>
/// Decides a MIME type from an upload's leading bytes. Unlike Directus, which stores the multipart part's Content-Type as
/// sent, the client is never trusted for anything but refining plain text, so bytes that are not an image are never
/// stored (and later served) as <c>image/*</c>.
/// </summary>
public static class ContentSniffer
{
    /// <summary>How many leading bytes <see cref="Sniff"/> wants to see.</summary>
    public const int HeadLength = 8192;

    private const string OctetStream = "application/octet-stream";
    private const string PlainText = "text/plain";

    /// <summary>Client types that may refine bytes sniffed as plain text: none of them is rendered as active content.</summary>
    private static readonly HashSet<string> TextRefinements = new(StringComparer.OrdinalIgnoreCase)
    {
        "text/plain", "text/csv", "text/markdown", "text/tab-separated-values", "application/json",
    };

    /// <summary>File-name extensions that refine plain text when the client sent no useful type (curl sends octet-stream).</summary>
    private static readonly Dictionary<string, string> TextExtensions = new(StringComparer.OrdinalIgnoreCase)
    {
        ["csv"] = "text/csv",
        ["tsv"] = "text/tab-separated-values",
        ["md"] = "text/markdown",
        ["markdown"] = "text/markdown",
        ["txt"] = PlainText,
    };

    private static readonly Dictionary<string, string> Extensions = new(StringComparer.OrdinalIgnoreCase)
    {
        ["image/jpeg"] = "jpg",
        ["image/png"] = "png",
        ["image/gif"] = "gif",
        ["image/webp"] = "webp",
        ["image/avif"] = "avif",
        ["image/heic"] = "heic",
        ["image/heif"] = "heif",
        ["image/tiff"] = "tif",
        ["image/bmp"] = "bmp",
        ["image/x-icon"] = "ico",
        ["image/vnd.microsoft.icon"] = "ico",
        ["image/svg+xml"] = "svg",
        ["image/vnd.adobe.photoshop"] = "psd",
        ["image/jxl"] = "jxl",
        ["application/pdf"] = "pdf",
        ["video/mp4"] = "mp4",
        ["video/quicktime"] = "mov",
        ["video/3gpp"] = "3gp",
        ["video/webm"] = "webm",
        ["video/x-matroska"] = "mkv",
        ["video/x-msvideo"] = "avi",
        ["video/ogg"] = "ogv",
        ["audio/mpeg"] = "mp3",
        ["audio/mp4"] = "m4a",
        ["audio/aac"] = "aac",
        ["audio/wav"] = "wav",
        ["audio/ogg"] = "ogg",
        ["audio/flac"] = "flac",
        ["application/zip"] = "zip",
        ["application/gzip"] = "gz",
        ["application/json"] = "json",
        ["application/xml"] = "xml",
        ["text/xml"] = "xml",
        ["text/html"] = "html",
        ["text/plain"] = "txt",
        ["text/csv"] = "csv",
        ["text/tab-separated-values"] = "tsv",
        ["text/markdown"] = "md",
        [OctetStream] = "bin",
    };

    /// <summary>
    /// Tags whose presence as the first element makes a text HTML, after the WHATWG MIME Sniffing "HTML" signatures
    /// plus common elements that browsers render as HTML too.
    /// </summary>
    private static readonly HashSet<string> HtmlElements = new(StringComparer.OrdinalIgnoreCase)
    {
        "html", "head", "body", "script", "iframe", "h1", "h2", "h3", "h4", "h5", "h6", "div", "font", "table", "a", "style",
        "title", "b", "i", "u", "br", "p", "img", "meta", "link", "base", "form", "input", "button", "span", "object", "embed",
        "frameset", "frame", "section", "article", "header", "footer", "main", "nav", "ul", "ol", "li", "pre", "center",
        "template", "noscript", "video", "audio", "canvas", "textarea", "select", "label", "em", "strong", "hr", "math",
    };

    /// <summary>
    /// The MIME type of content that starts with <paramref name="head"/> (at most <see cref="HeadLength"/> bytes).
    /// <paramref name="fileName"/> and <paramref name="clientType"/> only refine plain text (<c>text/csv</c>, <c>text/markdown</c>, …).
    /// </summary>
    public static string Sniff(ReadOnlySpan<byte> head, string? fileName, string? clientType)
    {
        var binary = SniffBinary(head);
        if (binary is not null)
        {
            return binary;
        }

        var text = SniffText(head);
        return text == PlainText ? RefinePlainText(fileName, clientType) : text;
    }

    /// <summary>The usual extension for a MIME type, without the dot (<c>image/jpeg</c> → <c>jpg</c>); <c>bin</c> when unknown.</summary>
    public static string ExtensionFor(string mimeType) =>
        Extensions.TryGetValue(EssenceOf(mimeType), out var extension) ? extension : "bin";

    private static string EssenceOf(string mimeType)
    {
        var semicolon = mimeType.IndexOf(';');
        return (semicolon < 0 ? mimeType : mimeType[..semicolon]).Trim().ToLowerInvariant();
    }

    private static string RefinePlainText(string? fileName, string? clientType)
    {
        if (!string.IsNullOrWhiteSpace(clientType))
        {
            var essence = EssenceOf(clientType);
            if (TextRefinements.Contains(essence) && essence != PlainText)
            {
                return essence;
            }
        }

        var extension = Path.GetExtension(fileName ?? "").TrimStart('.');
        return TextExtensions.TryGetValue(extension, out var byExtension) ? byExtension : PlainText;
    }

    private static string? SniffBinary(ReadOnlySpan<byte> b)
    {
        if (b.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xD8, 0xFF])) return "image/jpeg";
        if (b.StartsWith((ReadOnlySpan<byte>)[0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A])) return "image/png";
        if (b.StartsWith("GIF87a"u8) || b.StartsWith("GIF89a"u8)) return "image/gif";
        if (b.StartsWith("II*\0"u8) || b.StartsWith("MM\0*"u8) || b.StartsWith("II+\0"u8) || b.StartsWith("MM\0+"u8)) return "image/tiff";
        if (b.StartsWith("%PDF-"u8)) return "application/pdf";
        if (b.StartsWith("8BPS"u8)) return "image/vnd.adobe.photoshop";
        if (b.StartsWith((ReadOnlySpan<byte>)[0xFF, 0x0A]) || b.StartsWith((ReadOnlySpan<byte>)[0, 0, 0, 0x0C, (byte)'J', (byte)'X', (byte)'L', (byte)' '])) return "image/jxl";
        if (b.StartsWith("fLaC"u8)) return "audio/flac";
        if (b.StartsWith("OggS"u8)) return b.IndexOf("theora"u8) >= 0 ? "video/ogg" : "audio/ogg";
        if (b.StartsWith((ReadOnlySpan<byte>)[0x1A, 0x45, 0xDF, 0xA3])) return b.IndexOf("webm"u8) >= 0 ? "video/webm" : "video/x-matroska";
        if (b.StartsWith((ReadOnlySpan<byte>)[(byte)'P', (byte)'K', 3, 4]) || b.StartsWith((ReadOnlySpan<byte>)[(byte)'P', (byte)'K', 5, 6]) || b.StartsWith((ReadOnlySpan<byte>)[(byte)'P', (byte)'K', 7, 8])) return "application/zip";
        if (b.StartsWith((ReadOnlySpan<byte>)[0x1F, 0x8B, 0x08])) return "application/gzip";
        if (b.Length >= 12 && b.StartsWith("RIFF"u8)) return RiffType(b.Slice(8, 4));
        if (b.Length >= 12 && b.Slice(4, 4).SequenceEqual("ftyp"u8)) return IsoMediaType(b);
        if (b.Length >= 8 && IsQuickTimeAtom(b.Slice(4, 4))) return "video/quicktime";
        if (IsBmp(b)) return "image/bmp";
        if (IsIco(b)) return "image/x-icon";
        if (IsId3(b)) return "audio/mpeg";
        return MpegAudioFrameType(b);
    }

    private static string? RiffType(ReadOnlySpan<byte> form)
    {
        if (form.SequenceEqual("WEBP"u8)) return "image/webp";
        if (form.SequenceEqual("WAVE"u8)) return "audio/wav";
        if (form.SequenceEqual("AVI "u8)) return "video/x-msvideo";
        return OctetStream;
    }

    /// <summary>ISO base media (ISO/IEC 14496-12): the <c>ftyp</c> box lists a major brand and compatible brands.</summary>
    private static string IsoMediaType(ReadOnlySpan<byte> b)
    {
        var boxSize = (int)Math.Min(BinaryPrimitives.ReadUInt32BigEndian(b), (uint)b.Length);
        var brands = new List<string> { Encoding.ASCII.GetString(b.Slice(8, 4)) };
        for (var offset = 16; offset + 4 <= boxSize; offset += 4)
        {
            brands.Add(Encoding.ASCII.GetString(b.Slice(offset, 4)));
        }

        // The major brand decides first; compatible brands only when the major one is a generic container brand.
        foreach (var brand in brands)
        {
            switch (brand)
            {
                case "avif" or "avis":
                    return "image/avif";
                case "heic" or "heix" or "heim" or "heis" or "hevc" or "hevx" or "hevm" or "hevs":
                    return "image/heic";
                case "qt  ":
                    return "video/quicktime";
                case "M4A " or "M4B " or "M4P ":
                    return "audio/mp4";
                case "3gp4" or "3gp5" or "3gp6" or "3g2a" or "3gs7" or "3ge6" or "3gg6":
                    return "video/3gpp";
                case "isom" or "iso2" or "iso3" or "iso4" or "iso5" or "iso6" or "mp41" or "mp42" or "avc1" or "dash" or "M4V " or "mmp4" or "f4v ":
                    return "video/mp4";
            }
        }

        return brands.Exists(brand => brand is "mif1" or "msf1" or "heif") ? "image/heif" : "video/mp4";
    }

    /// <summary>Old QuickTime files have no <c>ftyp</c>, but start with one of these top-level atoms.</summary>
    private static bool IsQuickTimeAtom(ReadOnlySpan<byte> type) =>
        type.SequenceEqual("moov"u8) || type.SequenceEqual("mdat"u8) || type.SequenceEqual("wide"u8) ||
        type.SequenceEqual("free"u8) || type.SequenceEqual("skip"u8) || type.SequenceEqual("pnot"u8);

    /// <summary>"BM" alone is too weak (a text may start with it): also check the reserved words and the DIB header size.</summary>
    private static bool IsBmp(ReadOnlySpan<byte> b)
    {
        if (b.Length < 18 || b[0] != 'B' || b[1] != 'M' || BinaryPrimitives.ReadUInt32LittleEndian(b[6..]) != 0)
        {
            return false;
        }

        return BinaryPrimitives.ReadUInt32LittleEndian(b[14..]) is 12 or 16 or 40 or 52 or 56 or 64 or 108 or 124;
    }

    private static bool IsIco(ReadOnlySpan<byte> b) =>
        b.Length >= 22 && b[0] == 0 && b[1] == 0 && b[2] == 1 && b[3] == 0 &&
        BinaryPrimitives.ReadUInt16LittleEndian(b[4..]) > 0 && b[9] == 0 && (b[10] <= 1) && b[11] == 0;

    private static bool IsId3(ReadOnlySpan<byte> b) => b.Length >= 10 && b.StartsWith("ID3"u8) && b[3] is >= 2 and <= 4 && b[4] != 0xFF;

    /// <summary>An MPEG audio frame header: 11 sync bits, then a valid version, layer, bit rate and sample rate.</summary>
    private static string? MpegAudioFrameType(ReadOnlySpan<byte> b)
    {
        if (b.Length < 4 || b[0] != 0xFF || (b[1] & 0xE0) != 0xE0)
        {
            return null;
        }

        var version = (b[1] >> 3) & 0x03;
        var layer = (b[1] >> 1) & 0x03;
        if (layer == 0)
        {
            // ADTS: the MPEG-4 AAC transport uses the same sync bits with layer 00.
            return (b[1] & 0xF6) == 0xF0 ? "audio/aac" : null;
        }

        var bitRate = b[2] >> 4;
        var sampleRate = (b[2] >> 2) & 0x03;
        return version != 1 && bitRate != 0x0F && sampleRate != 0x03 ? "audio/mpeg" : null;
    }

    private static string SniffText(ReadOnlySpan<byte> head)
    {
        var body = head.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]) ? head[3..] : head;
        if (!IsText(body))
        {
            return OctetStream;
        }

        var trimmed = TrimStartWhitespace(body);
        if (trimmed.Length > 0 && trimmed[0] == '<')
        {
            return MarkupType(Encoding.UTF8.GetString(trimmed));
        }

        return trimmed.Length > 0 && trimmed[0] is (byte)'{' or (byte)'[' && IsJsonPrefix(trimmed) ? "application/json" : PlainText;
    }

    /// <summary>
    /// Valid UTF-8 with no NUL and no control characters other than whitespace, form feed and escape. A multi-byte sequence
    /// cut off by the end of the head is accepted: the head is usually a prefix of the file.
    /// </summary>
    private static bool IsText(ReadOnlySpan<byte> bytes)
    {
        var index = 0;
        while (index < bytes.Length)
        {
            var status = System.Text.Rune.DecodeFromUtf8(bytes[index..], out var rune, out var consumed);
            if (status == System.Buffers.OperationStatus.NeedMoreData)
            {
                return true;
            }

            if (status != System.Buffers.OperationStatus.Done)
            {
                return false;
            }

            if (rune.Value < 0x20 && rune.Value is not ('\t' or '\n' or '\v' or '\f' or '\r' or 0x1B))
            {
                return false;
            }

            index += consumed;
        }

        return true;
    }

    private static ReadOnlySpan<byte> TrimStartWhitespace(ReadOnlySpan<byte> bytes)
    {
        var index = 0;
        while (index < bytes.Length && bytes[index] is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\r' or (byte)'\f' or (byte)'\v')
        {
            index++;
        }

        return bytes[index..];
    }

    /// <summary>True when the head is a JSON object or array, or a valid beginning of one cut off by the end of the head.</summary>
    private static bool IsJsonPrefix(ReadOnlySpan<byte> bytes)
    {
        var reader = new Utf8JsonReader(bytes, isFinalBlock: false, state: default);
        try
        {
            while (reader.Read())
            {
            }

            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>
    /// Skips the XML declaration, processing instructions, comments and doctype, then classifies by the first element:
    /// <c>svg</c> is SVG, HTML elements or an HTML doctype are HTML, anything else is XML.
    /// </summary>
    private static string MarkupType(string text)
    {
        var position = 0;
        var htmlDoctype = false;
        while (true)
        {
            while (position < text.Length && char.IsWhiteSpace(text[position]))
            {
                position++;
            }

            if (position >= text.Length || text[position] != '<')
            {
                return htmlDoctype ? "text/html" : PlainText;
            }

            if (At(text, position, "<?"))
            {
                position = SkipPast(text, position, "?>");
            }
            else if (At(text, position, "<!--"))
            {
                position = SkipPast(text, position + 4, "-->");
            }
            else if (At(text, position, "<!DOCTYPE"))
            {
                htmlDoctype = At(text, SkipWhitespace(text, position + 9), "html");
                position = SkipDoctype(text, position);
            }
            else
            {
                break;
            }

            if (position < 0)
            {
                // The prolog runs past the head: only a doctype already seen can tell.
                return htmlDoctype ? "text/html" : PlainText;
            }
        }

        var name = ElementName(text, position + 1);
        var localName = name[(name.IndexOf(':') + 1)..];
        if (localName.Equals("svg", StringComparison.OrdinalIgnoreCase))
        {
            return "image/svg+xml";
        }

        if (htmlDoctype || HtmlElements.Contains(localName))
        {
            return "text/html";
        }

        return name.Length > 0 ? "application/xml" : PlainText;
    }

    private static bool At(string text, int position, string token) =>
        position <= text.Length && text.AsSpan(position).StartsWith(token, StringComparison.OrdinalIgnoreCase);

    private static int SkipWhitespace(string text, int position)
    {
        while (position < text.Length && char.IsWhiteSpace(text[position]))
        {
            position++;
        }

        return position;
    }

    private static int SkipPast(string text, int position, string terminator)
    {
        var end = text.IndexOf(terminator, position, StringComparison.Ordinal);
        return end < 0 ? -1 : end + terminator.Length;
    }

    /// <summary>A doctype may carry an internal subset in brackets, which itself contains <c>&gt;</c>.</summary>
    private static int SkipDoctype(string text, int position)
    {
        var depth = 0;
        for (var i = position; i < text.Length; i++)
        {
            switch (text[i])
            {
                case '[':
                    depth++;
                    break;
                case ']':
                    depth--;
                    break;
                case '>' when depth <= 0:
                    return i + 1;
            }
        }

        return -1;
    }

    private static string ElementName(string text, int start)
    {
        var end = start;
        while (end < text.Length && (char.IsLetterOrDigit(text[end]) || text[end] is ':' or '-' or '_' or '.'))
        {
            end++;
        }

        // An element name must be followed by whitespace, '>' or '/' (or the end of the head); "<3 apples" is not markup.
        var terminated = end >= text.Length || char.IsWhiteSpace(text[end]) || text[end] is '>' or '/';
        return terminated && end > start && char.IsLetter(text[start]) ? text[start..end] : "";
    }
}
