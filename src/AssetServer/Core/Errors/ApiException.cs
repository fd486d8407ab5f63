namespace AssetServer.Errors;

/// <summary>
/// A failure that reaches the client in the Directus error shape:
/// <c>{"errors":[{"message":…,"extensions":{"code":…}}]}</c>.
/// </summary>
public sealed class ApiException(int status, string code, string message, IReadOnlyDictionary<string, object?>? extensions = null)
    : Exception(message)
{
    public int Status { get; } = status;
    public string Code { get; } = code;
    public IReadOnlyDictionary<string, object?> Extensions { get; } = extensions ?? new Dictionary<string, object?>();

    /// <summary>Extra response headers (for example <c>Retry-After</c> on a 503).</summary>
    public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>();

    /// <summary>
    /// What the error is about, for dialects that word it differently (the refused MIME type, a method the route does
    /// not take): not written in Directus's shape.
    /// </summary>
    public string? Subject { get; init; }
}
