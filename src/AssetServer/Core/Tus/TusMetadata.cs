using System.Text;
using AssetServer.Errors;
using AssetServer.Files;

namespace AssetServer.Tus;

/// <summary>
/// Directus's <c>Upload-Metadata</c> (tus 1.0: comma-separated <c>key base64(value)</c> pairs): <c>filename_download</c>
/// is required; <c>type</c> is the client's word on the type (a hint to the sniffer, as a multipart part's
/// Content-Type); <c>id</c> names a file whose bytes the upload replaces; every other key is a file field, checked as a
/// multipart field is (<see cref="FileInput.SetText"/>: unknown or read-only fields are a 400).
/// </summary>
public sealed record TusMetadata(string FileName, string? Type, string? Replaces, FileInput Fields)
{
    public static TusMetadata Parse(string? header, FilesOptions limits)
    {
        var pairs = Pairs(header);
        if (!pairs.TryGetValue("filename_download", out var fileName) || string.IsNullOrWhiteSpace(fileName))
            throw ApiErrors.InvalidPayload("Upload-Metadata needs \"filename_download\"");
        var fields = new FileInput(limits);
        string? type = null, replaces = null;
        foreach (var (key, value) in pairs)
        {
            switch (key)
            {
                case "filename_download":
                    break;
                case "type":
                    type = value.Length <= 255 ? value : throw ApiErrors.InvalidPayload("\"type\" must be at most 255 characters");
                    break;
                case "id":
                    replaces = Guid.TryParseExact(value, "D", out var id) ? id.ToString("D") : throw ApiErrors.InvalidPayload("\"id\" must be a UUID");
                    break;
                default:
                    fields.SetText(key, value);
                    break;
            }
        }
        return new TusMetadata(FileNames.Sanitise(fileName), type, replaces, fields);
    }

    /// <summary>The folder the upload is filed in, if it names one.</summary>
    public string? Folder => Fields.GetString("folder");

    private static Dictionary<string, string> Pairs(string? header)
    {
        var pairs = new Dictionary<string, string>(StringComparer.Ordinal);
        if (string.IsNullOrWhiteSpace(header)) return pairs;
        foreach (var item in header.Split(','))
        {
            var parts = item.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length is 0 or > 2) throw ApiErrors.InvalidPayload("Upload-Metadata must be comma-separated \"key base64value\" pairs");
            var key = parts[0];
            if (!pairs.TryAdd(key, parts.Length == 2 ? Decode(key, parts[1]) : ""))
                throw ApiErrors.InvalidPayload($"Upload-Metadata names \"{Short(key)}\" twice");
        }
        return pairs;
    }

    private static string Decode(string key, string base64)
    {
        try
        {
            return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(Convert.FromBase64String(base64));
        }
        catch (Exception e) when (e is FormatException or DecoderFallbackException)
        {
            throw ApiErrors.InvalidPayload($"Upload-Metadata value of \"{Short(key)}\" is not base64 of UTF-8 text");
        }
    }

    private static string Short(string text) => text.Length > 64 ? text[..64] + "…" : text;
}
