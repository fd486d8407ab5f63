namespace AssetServer.Errors;

/// <summary>
/// Every error the API can answer with. Messages follow Directus's wording
/// ("Invalid query. &lt;reason&gt;.") so that clients matching on them keep working.
/// </summary>
public static class ApiErrors
{
    public static ApiException InvalidPayload(string reason) =>
        WithReason(400, "INVALID_PAYLOAD", "Invalid payload", reason);

    public static ApiException InvalidQuery(string reason) =>
        WithReason(400, "INVALID_QUERY", "Invalid query", reason);

    /// <summary>Directus's wording for a malformed parameter: <c>Expected … for … but received …</c>.</summary>
    public static ApiException InvalidQueryValue(string parameter, string expected, string? received) =>
        InvalidQuery($"Expected {expected} for {parameter} but received {Describe(received)}");

    public static ApiException IllegalTransformation(params string[] parameters) =>
        new(400, "ILLEGAL_ASSET_TRANSFORMATION", "Illegal asset transformation.",
            new Dictionary<string, object?> { ["invalidTransformations"] = parameters });

    /// <summary>As <see cref="IllegalTransformation(string[])"/> with the reason in the message; a separate name so that
    /// <c>IllegalTransformation("width", "height")</c> can never take "width" for a reason.</summary>
    public static ApiException IllegalTransformationBecause(string reason, params string[] parameters) =>
        new(400, "ILLEGAL_ASSET_TRANSFORMATION", $"Illegal asset transformation. {reason}.",
            new Dictionary<string, object?> { ["reason"] = reason, ["invalidTransformations"] = parameters });

    public static ApiException InvalidCredentials() =>
        new(401, "INVALID_CREDENTIALS", "Invalid user credentials.");

    /// <summary>Used both for "no rights" and for ids that do not exist, so existence never leaks (as Directus does).</summary>
    public static ApiException Forbidden() =>
        new(403, "FORBIDDEN", "You don't have permission to access this.");

    /// <summary>A field the caller may not read, named in a query parameter.</summary>
    public static ApiException ForbiddenField(string field, string parameter) =>
        new(403, "FORBIDDEN", $"You don't have permission to access field \"{field}\" (named in \"{parameter}\").");

    public static ApiException ForbiddenCollection(string collection = "directus_files") =>
        new(403, "FORBIDDEN", $"You don't have permission to access collection \"{collection}\" or it does not exist. Queried in root.");

    public static ApiException RouteNotFound(string path) =>
        new(404, "ROUTE_NOT_FOUND", $"Route {path} doesn't exist.", new Dictionary<string, object?> { ["path"] = path });

    public static ApiException ContentTooLarge(long limit) =>
        new(413, "CONTENT_TOO_LARGE", $"Uploaded content is too large. The limit is {limit} bytes.");

    /// <summary>A settable field over its configured size: 413 as for an upload, naming the field, its size and the key.</summary>
    public static ApiException FieldTooLarge(string field, long size, long limit, string key) =>
        new(413, "CONTENT_TOO_LARGE", $"\"{field}\" is too large: {size} bytes. The limit is {limit} bytes ({key}).",
            new Dictionary<string, object?> { ["field"] = field, ["limit"] = limit });

    public static ApiException UnsupportedMediaType(string reason) =>
        new(415, "UNSUPPORTED_MEDIA_TYPE", $"Unsupported media type. {reason}.", new Dictionary<string, object?> { ["reason"] = reason });

    /// <summary>A type <c>Uploads:AllowedTypes</c>/<c>DeniedTypes</c> refuses.</summary>
    public static ApiException TypeNotAllowed(string type)
    {
        var reason = $"Files of type \"{type}\" are not allowed";
        return new(415, "UNSUPPORTED_MEDIA_TYPE", $"Unsupported media type. {reason}.", new Dictionary<string, object?> { ["reason"] = reason })
            { Subject = type };
    }

    /// <summary>An image whose header cannot be read, where a dialect refuses those (Strapi's wording).</summary>
    public static ApiException InvalidImage() =>
        new(400, "INVALID_PAYLOAD", "File is not a valid image");

    /// <summary>
    /// A known path with a method it does not take: Directus answers it as an unknown route (404), Strapi with 405.
    /// </summary>
    public static ApiException MethodNotAllowed(string path) =>
        new(404, "ROUTE_NOT_FOUND", $"Route {path} doesn't exist.", new Dictionary<string, object?> { ["path"] = path }) { Subject = "405" };

    public static ApiException RangeNotSatisfiable(string range) =>
        new(416, "RANGE_NOT_SATISFIABLE", $"Range \"{range}\" is invalid or the file's size doesn't match the requested range.",
            new Dictionary<string, object?> { ["range"] = range });

    public static ApiException ServiceUnavailable(string service, string reason, int? retryAfterSeconds = null) =>
        new(503, "SERVICE_UNAVAILABLE", $"Service \"{service}\" is unavailable. {reason}.",
            new Dictionary<string, object?> { ["service"] = service, ["reason"] = reason })
        {
            Headers = retryAfterSeconds is { } s
                ? new Dictionary<string, string> { ["Retry-After"] = s.ToString(System.Globalization.CultureInfo.InvariantCulture) }
                : new Dictionary<string, string>(),
        };

    public static ApiException InsufficientStorage(string reason) =>
        new(507, "INSUFFICIENT_STORAGE", $"Insufficient storage. {reason}.", new Dictionary<string, object?> { ["reason"] = reason });

    private static ApiException WithReason(int status, string code, string prefix, string reason) =>
        new(status, code, $"{prefix}. {reason.TrimEnd('.')}.", new Dictionary<string, object?> { ["reason"] = reason.TrimEnd('.') });

    private static string Describe(string? received)
    {
        if (received is null) return "nothing";
        // Echo bounded, printable text only: the message ends up in logs and browsers.
        var clean = new string(received.Take(100).Select(c => char.IsControl(c) ? '?' : c).ToArray());
        return received.Length > 100 ? $"\"{clean}…\"" : $"\"{clean}\"";
    }
}
