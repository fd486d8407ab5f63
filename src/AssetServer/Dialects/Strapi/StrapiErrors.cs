using System.Text.Json.Nodes;
using AssetServer.Errors;
using AssetServer.Files;
using Microsoft.AspNetCore.WebUtilities;

namespace AssetServer.Strapi;

/// <summary>
/// Strapi's errors. The dialect raises its own (their code is Strapi's error name); errors from the core are
/// reworded here by their code, so a rule lives once and each dialect only says it its way.
/// </summary>
public static class StrapiErrors
{
    public static ApiException Validation(string message, JsonObject? details = null) => Raise(400, "ValidationError", message, details);

    /// <summary>An unknown field or operator in a query: <c>Invalid key $bogus at mime</c>, <c>Invalid key nosuch</c>.</summary>
    public static ApiException InvalidKey(string key, string param, string? at = null) =>
        Raise(400, "ValidationError", at is null ? $"Invalid key {Short(key)}" : $"Invalid key {Short(key)} at {Short(at)}",
            new JsonObject { ["key"] = Short(key), ["source"] = "query", ["param"] = param });

    public static ApiException Pagination(string message) => Raise(400, "PaginationError", message);

    public static ApiException NotFound(string message) => Raise(404, "NotFoundError", message);

    public static ApiException FilesEmpty() => Validation("Files are empty");

    private static ApiException Raise(int status, string name, string message, JsonObject? details = null) =>
        new(status, name, message, new Dictionary<string, object?> { ["details"] = details ?? new JsonObject() });

    private static string Short(string text) => text.Length > 64 ? text[..64] + "…" : text;

    /// <summary>Status, Strapi error name and message for any error, the dialect's own or the core's.</summary>
    public static (int Status, string Name, string Message, JsonObject Details) Describe(ApiException error)
    {
        var details = error.Extensions.TryGetValue("details", out var d) && d is JsonObject given ? (JsonObject)given.DeepClone() : new JsonObject();
        return error.Code switch
        {
            "ValidationError" or "PaginationError" or "NotFoundError" => (error.Status, error.Code, error.Message, details),
            "INVALID_CREDENTIALS" => (401, "UnauthorizedError", "Missing or invalid credentials", details),
            "FORBIDDEN" => (403, "ForbiddenError", "Forbidden", details),
            "ROUTE_NOT_FOUND" => (404, "NotFoundError", "Not Found", details),
            "UNSUPPORTED_MEDIA_TYPE" => (400, "ValidationError",
                error.Subject is { } type ? $"File type '{type}' is not allowed" : error.Message, details),
            "CONTENT_TOO_LARGE" => (413, "PayloadTooLargeError", error.Message, details),
            "REQUESTS_EXCEEDED" => (429, "RateLimitError", "Too many requests, please try again later.", details),
            "SERVICE_UNAVAILABLE" => (503, "ServiceUnavailableError", error.Message, details),
            "INTERNAL_SERVER_ERROR" => (500, "ApplicationError", "Internal Server Error", details),
            _ when error.Status == 400 => (400, "ValidationError", error.Message, details),
            _ => (error.Status, "ApplicationError", error.Message, details),
        };
    }

    /// <summary>A wrong method on a Strapi route: a plain-text 405, as Koa's router answers.</summary>
    public static bool IsMethodNotAllowed(ApiException error) => error is { Code: "ROUTE_NOT_FOUND", Subject: "405" };

    public static Task WriteMethodNotAllowedAsync(HttpContext context)
    {
        context.Response.StatusCode = 405;
        context.Response.ContentType = "text/plain; charset=utf-8";
        return HttpMethods.IsHead(context.Request.Method) ? Task.CompletedTask : context.Response.WriteAsync("Method Not Allowed", context.RequestAborted);
    }
}

/// <summary>Strapi 5's shape on <c>/api/upload…</c> and <c>/uploads/…</c>: <c>{"data":null,"error":{status,name,message,details}}</c>.</summary>
public sealed class Strapi5ErrorDialect : IErrorDialect
{
    public bool Handles(HttpRequest request) =>
        request.Path.StartsWithSegments("/api/upload") || request.Path.StartsWithSegments("/uploads");

    public Task WriteAsync(HttpContext context, ApiException error)
    {
        if (StrapiErrors.IsMethodNotAllowed(error)) return StrapiErrors.WriteMethodNotAllowedAsync(context);
        var (status, name, message, details) = StrapiErrors.Describe(error);
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json; charset=utf-8";
        var body = new JsonObject
        {
            ["data"] = null,
            ["error"] = new JsonObject { ["status"] = status, ["name"] = name, ["message"] = message, ["details"] = details },
        };
        return HttpMethods.IsHead(context.Request.Method) ? Task.CompletedTask : context.Response.WriteAsync(body.ToJsonString(JsonBody.Wire), context.RequestAborted);
    }
}

/// <summary>Strapi 3's shape on <c>/upload…</c> (Boom): <c>{"statusCode":400,"error":"Bad Request","message":"…"}</c>.</summary>
public sealed class Strapi3ErrorDialect : IErrorDialect
{
    public bool Handles(HttpRequest request) => request.Path.StartsWithSegments("/upload");

    public Task WriteAsync(HttpContext context, ApiException error)
    {
        if (StrapiErrors.IsMethodNotAllowed(error)) return StrapiErrors.WriteMethodNotAllowedAsync(context);
        var (status, _, message, _) = StrapiErrors.Describe(error);
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json; charset=utf-8";
        var body = new JsonObject { ["statusCode"] = status, ["error"] = ReasonPhrases.GetReasonPhrase(status), ["message"] = message };
        return HttpMethods.IsHead(context.Request.Method) ? Task.CompletedTask : context.Response.WriteAsync(body.ToJsonString(JsonBody.Wire), context.RequestAborted);
    }
}
