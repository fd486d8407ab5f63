using AssetServer.Errors;

namespace AssetServer.Tus;

/// <summary>The tus protocol's refusals, in Directus's error shape (the tus status codes, our codes and messages).</summary>
public static class TusErrors
{
    /// <summary>No upload by that id for this caller: never made, finished, terminated or swept (tus: 404).</summary>
    public static ApiException NotFound(string id) =>
        new(404, "NOT_FOUND", $"Upload \"{Short(id)}\" does not exist.", new Dictionary<string, object?> { ["upload"] = Short(id) });

    /// <summary>Past its <c>Upload-Expires</c> and not swept yet (tus expiration extension: 410).</summary>
    public static ApiException Expired(string id) =>
        new(410, "UPLOAD_EXPIRED", $"Upload \"{id}\" has expired.", new Dictionary<string, object?> { ["upload"] = id });

    /// <summary>A chunk sent for another offset than the upload's (tus core: 409).</summary>
    public static ApiException OffsetMismatch(long offset, long sent) =>
        new(409, "INVALID_OFFSET", $"Upload-Offset is {sent} but the upload is at {offset}.",
            new Dictionary<string, object?> { ["offset"] = offset })
        {
            Headers = new Dictionary<string, string> { ["Upload-Offset"] = offset.ToString(System.Globalization.CultureInfo.InvariantCulture) },
        };

    /// <summary>A chunk that would take the upload past its <c>Upload-Length</c> (413, as tusd and @tus/server answer).</summary>
    public static ApiException PastLength(long length) =>
        new(413, "CONTENT_TOO_LARGE", $"Uploaded content is too large. The chunk goes past the upload's Upload-Length of {length} bytes.",
            new Dictionary<string, object?> { ["limit"] = length });

    /// <summary>A request without <c>Tus-Resumable: 1.0.0</c> (tus core: 412, naming the versions we speak).</summary>
    public static ApiException UnsupportedVersion(string? sent) =>
        new(412, "UNSUPPORTED_TUS_VERSION", $"Tus-Resumable must be {TusProtocol.Version}; received \"{Short(sent ?? "")}\".")
        {
            Headers = new Dictionary<string, string> { ["Tus-Version"] = TusProtocol.Version },
        };

    /// <summary>A header the protocol needs, missing or not a number of bytes.</summary>
    public static ApiException BadHeader(string header, string? sent) =>
        ApiErrors.InvalidPayload($"{header} must be a whole number of bytes; received \"{Short(sent ?? "")}\"");

    private static string Short(string text) => text.Length > 64 ? text[..64] + "…" : text;
}
