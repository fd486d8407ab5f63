using System.Text.Json;
using System.Text.Json.Nodes;

namespace AssetServer.BulkImport;

/// <summary>Where a request went wrong: the server's answer, the way to it, or the local file.</summary>
public enum FailureKind
{
    /// <summary>The server answered with an error status.</summary>
    Status,
    /// <summary>No answer: refused or dropped connection, a timeout.</summary>
    Network,
    /// <summary>The file could not be read on this machine.</summary>
    Local,
}

/// <summary>One failed request, with the server's own message when it sent one.</summary>
public sealed record ServerFailure(FailureKind Kind, int? Status, string Message, TimeSpan? RetryAfter = null)
{
    /// <summary>
    /// Worth another try: no answer, a timeout, too many requests, or a gateway or server that is busy. A 500 is a
    /// bug on the server (API.md), and a 4xx will be the same next time.
    /// </summary>
    public bool IsTransient => Kind == FailureKind.Network || Status is 408 or 429 or 502 or 503 or 504;

    /// <summary>The token is wrong (401) or may not do this (403): every other file would fail the same way.</summary>
    public bool IsTokenRefused => Status is 401 or 403;

    public override string ToString() => Message;

    public static ServerFailure Network(Uri server, Exception e) =>
        new(FailureKind.Network, null, $"no answer from {server}: {Telling(e).Message}");

    /// <summary>
    /// The status and the message of an error answer: <c>{"errors":[{"message","extensions":{"code"}}]}</c> as
    /// Directus and this server send it; another body (a proxy's page) is quoted briefly.
    /// </summary>
    public static async Task<ServerFailure> FromAnswerAsync(HttpResponseMessage response, CancellationToken ct)
    {
        var status = (int)response.StatusCode;
        string body;
        try
        {
            body = await response.Content.ReadAsStringAsync(ct);
        }
        catch (Exception e) when (e is HttpRequestException or IOException)
        {
            body = "";
        }
        var message = ErrorMessage(body) ?? Quote(body) ?? response.ReasonPhrase ?? "no message";
        return new ServerFailure(FailureKind.Status, status, $"{status} {message}", RetryAfterOf(response));
    }

    /// <summary>"CODE: message" of the first error, or null when the body is not that shape.</summary>
    internal static string? ErrorMessage(string body)
    {
        try
        {
            if (JsonNode.Parse(body) is not JsonObject root || root["errors"] is not JsonArray { Count: > 0 } errors) return null;
            var first = errors[0];
            var message = first?["message"] is JsonValue m && m.TryGetValue<string>(out var text) ? text : null;
            var code = first?["extensions"]?["code"] is JsonValue c && c.TryGetValue<string>(out var codeText) ? codeText : null;
            if (message is null) return code;
            return code is null ? message : $"{code}: {message}";
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string? Quote(string body)
    {
        var flat = string.Join(' ', body.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        if (flat.Length == 0) return null;
        return flat.Length > 200 ? flat[..200] + "…" : flat;
    }

    /// <summary>Retry-After as seconds or as a date (RFC 9110 section 10.2.3).</summary>
    private static TimeSpan? RetryAfterOf(HttpResponseMessage response)
    {
        var header = response.Headers.RetryAfter;
        if (header?.Delta is { } delta) return delta;
        if (header?.Date is { } date) return date - DateTimeOffset.UtcNow is var wait && wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
        return null;
    }

    /// <summary>
    /// The most telling message of an exception chain: HttpClient's own wrapper ("An error occurred while sending the
    /// request.") says less than the socket error inside it ("Connection refused (127.0.0.1:8055)").
    /// </summary>
    private static Exception Telling(Exception e)
    {
        for (var current = e; current is not null; current = current.InnerException)
        {
            if (!current.Message.StartsWith("An error occurred while sending", StringComparison.Ordinal) &&
                !current.Message.StartsWith("Error while copying content", StringComparison.Ordinal))
                return current;
        }
        return e;
    }
}
