using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.Features;

namespace AssetServer.Errors;

/// <summary>
/// A dialect's own error shape (Strapi's <c>{"data":null,"error":{…}}</c>, v8's <c>{"error":{"code":…}}</c>) for the
/// paths it serves. Errors are raised once, in the core's terms; each dialect only rewords them.
/// </summary>
public interface IErrorDialect
{
    bool Handles(HttpRequest request);

    /// <summary>Writes the error; the response is already cleared and not started.</summary>
    Task WriteAsync(HttpContext context, ApiException error);
}

/// <summary>Writes an <see cref="ApiException"/> in Directus's error shape, or in the shape of the dialect whose path it is.</summary>
public static class ErrorWriter
{
    public static async Task WriteAsync(HttpContext context, ApiException error)
    {
        var response = context.Response;
        if (response.HasStarted) return;
        foreach (var dialect in context.RequestServices.GetServices<IErrorDialect>())
        {
            if (!dialect.Handles(context.Request)) continue;
            response.Clear();
            foreach (var (name, value) in error.Headers) response.Headers[name] = value;
            response.Headers.CacheControl = "no-store";
            response.Headers.XContentTypeOptions = "nosniff";
            await dialect.WriteAsync(context, error);
            return;
        }
        response.Clear();
        response.StatusCode = error.Status;
        foreach (var (name, value) in error.Headers) response.Headers[name] = value;
        response.Headers.CacheControl = "no-store";
        response.Headers.XContentTypeOptions = "nosniff";
        response.ContentType = "application/json; charset=utf-8";

        var extensions = new JsonObject();
        foreach (var (key, value) in error.Extensions)
            extensions[key] = JsonSerializer.SerializeToNode(value);
        extensions["code"] = error.Code;
        var body = new JsonObject
        {
            ["errors"] = new JsonArray(new JsonObject { ["message"] = error.Message, ["extensions"] = extensions }),
        };
        if (HttpMethods.IsHead(context.Request.Method)) return;
        await response.WriteAsync(body.ToJsonString(Files.JsonBody.Wire), context.RequestAborted);
    }
}

/// <summary>
/// Turns every exception into the error shape: API errors as they are, framework errors
/// (oversized or malformed bodies) into their 4xx, transient database and storage faults into their 503/507,
/// anything else into a logged 500 without a stack.
/// </summary>
public sealed class ApiExceptionHandler(ILogger<ApiExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        var error = exception switch
        {
            ApiException api => api,
            BadHttpRequestException { StatusCode: 413 } => ApiErrors.ContentTooLarge(
                context.Features.Get<IHttpMaxRequestBodySizeFeature>()?.MaxRequestBodySize ?? 0),
            BadHttpRequestException bad => ApiErrors.InvalidPayload(bad.Message),
            JsonException json => ApiErrors.InvalidPayload($"Malformed JSON: {json.Message}"),
            OperationCanceledException when context.RequestAborted.IsCancellationRequested => null,
            // A database that is down, or dropped the connection mid-write, is a 503 to retry, not a 500 (issue 18).
            _ => Data.DatabaseFaults.Classify(exception) ?? Storage.StorageErrors.Classify(exception),
        };
        if (error is null && context.RequestAborted.IsCancellationRequested) return true;
        if (error is { Status: >= 500 } && exception is not ApiException)
            logger.LogWarning("{Method} {Path} answered {Status}: {Reason}", context.Request.Method, context.Request.Path, error.Status, exception.Message);
        if (error is null)
        {
            logger.LogError(exception, "Unhandled error on {Method} {Path}", context.Request.Method, context.Request.Path);
            error = new ApiException(500, "INTERNAL_SERVER_ERROR", "An unexpected error occurred.");
        }
        await ErrorWriter.WriteAsync(context, error);
        return true;
    }
}
