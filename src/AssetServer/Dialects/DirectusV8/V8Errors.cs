using System.Text.Json.Nodes;
using AssetServer.Errors;
using AssetServer.Files;
using AssetServer.Server;
using Microsoft.Extensions.Options;

namespace AssetServer.V8;

/// <summary>v8's error numbers (<c>ERROR_CODE</c> of its exception classes; docs/api/errors.md lists them).</summary>
public static class V8Code
{
    public const int Internal = 0, NotFound = 1, BadRequest = 2, InvalidRequest = 4, MethodNotAllowed = 6, TooManyRequests = 7,
        Unprocessable = 12, EmptyPayload = 13, BatchUploadNotAllowed = 15, UnknownProject = 24, InvalidToken = 101,
        InvalidField = 202, ItemNotFound = 203, UnknownFilter = 214,
        ReadDenied = 300, CreateDenied = 301, UpdateDenied = 302, DeleteDenied = 303, TooLarge = 601, WriteFailed = 607;
}

/// <summary>
/// Directus v8's errors: <c>{"error":{"code":&lt;number&gt;,"message":"…"}}</c>. The numbers are v8's exception
/// classes' <c>ERROR_CODE</c>s (directus/v8-archive, <c>api/src/core/Directus/**/Exception</c>). The dialect raises
/// its own; errors from the core are reworded by their code, so a rule lives once and v8 only says it its way.
/// </summary>
public static class V8Errors
{
    /// <summary>The <see cref="ApiException.Code"/> of an error the dialect raised; its v8 number is in <c>Extensions["code"]</c>.</summary>
    private const string Code = "V8";

    /// <summary>v8's <c>ItemNotFoundException</c>: no file with that id or private hash, no revision at that offset.</summary>
    public static ApiException ItemNotFound() => Raise(404, V8Code.ItemNotFound, "Item not found");

    /// <summary>v8's <c>InvalidFieldException</c>: a name in <c>filter</c>, <c>sort</c> or <c>fields</c> the collection lacks.</summary>
    public static ApiException InvalidField(string field, string collection) =>
        Raise(422, V8Code.InvalidField, $"Invalid field \"{Short(field)}\" in \"{collection}\"");

    /// <summary>v8's <c>UnknownFilterException</c>.</summary>
    public static ApiException UnknownFilter(string op) => Raise(422, V8Code.UnknownFilter, $"Unknown filter: {Short(op)}");

    /// <summary>v8's <c>InvalidRequestException</c>: a value that does not fit (status 400, as v8's error table gives it).</summary>
    public static ApiException InvalidRequest(string message) => Raise(400, V8Code.InvalidRequest, message);

    /// <summary>v8's <c>InvalidPayloadException</c>: nothing to store.</summary>
    public static ApiException EmptyPayload(string message) => Raise(400, V8Code.EmptyPayload, message);

    public static ApiException BatchUploadNotAllowed() => Raise(400, V8Code.BatchUploadNotAllowed, "Batch upload is not allowed");

    /// <summary>v8 wraps every thumbnail failure in an <c>UnprocessableEntityException</c>.</summary>
    public static ApiException Unprocessable(string message) => Raise(422, V8Code.Unprocessable, message);

    private static ApiException Raise(int status, int code, string message) =>
        new(status, Code, message, new Dictionary<string, object?> { ["code"] = code });

    private static string Short(string text) => text.Length > 64 ? text[..64] + "…" : text;

    /// <summary>Status, v8 code and message for any error on a v8 path, the dialect's own or the core's.</summary>
    public static (int Status, int Code, string Message) Describe(ApiException error, HttpRequest request, string project)
    {
        var onAssets = V8Paths.IsAssetRoute(request.Path, project);
        return error.Code switch
        {
            Code when error.Extensions.TryGetValue("code", out var c) && c is int code => (error.Status, code, error.Message),
            "ROUTE_NOT_FOUND" when error.Subject == "405" => (405, V8Code.MethodNotAllowed, "Method Not Allowed"),
            "ROUTE_NOT_FOUND" when V8Paths.ProjectOf(request.Path) is { } named && named != project =>
                (404, V8Code.UnknownProject, $"Unknown project: {Short(named)}"),
            "ROUTE_NOT_FOUND" => (404, V8Code.NotFound, "Not Found"),
            "INVALID_CREDENTIALS" => (401, V8Code.InvalidToken, "Invalid Authentication Token"),
            "FORBIDDEN" => Denied(request),
            "INVALID_QUERY" or "ILLEGAL_ASSET_TRANSFORMATION" when onAssets => (422, V8Code.Unprocessable, error.Message),
            "ILLEGAL_ASSET_TRANSFORMATION" => (422, V8Code.Unprocessable, error.Message),
            "INVALID_QUERY" or "INVALID_PAYLOAD" => (400, V8Code.InvalidRequest, error.Message),
            "UNSUPPORTED_MEDIA_TYPE" => (415, V8Code.InvalidRequest, error.Message),
            "CONTENT_TOO_LARGE" => (413, V8Code.TooLarge, error.Message),
            "RANGE_NOT_SATISFIABLE" or "PRECONDITION_FAILED" => (error.Status, V8Code.BadRequest, error.Message),
            "REQUESTS_EXCEEDED" => (429, V8Code.TooManyRequests, error.Message),
            "INSUFFICIENT_STORAGE" => (507, V8Code.WriteFailed, error.Message),
            "INTERNAL_SERVER_ERROR" => (500, V8Code.Internal, "Internal Server Error"),
            _ => (error.Status, error.Status >= 500 ? V8Code.Internal : V8Code.InvalidRequest, error.Message),
        };
    }

    /// <summary>
    /// v8's permission errors, by what was asked: the public role (no token) or a token without write access is denied
    /// reading (300), creating (301), updating (302) or deleting (303) <c>directus_files</c> or <c>directus_folders</c>.
    /// </summary>
    private static (int, int, string) Denied(HttpRequest request)
    {
        var collection = (request.Path.Value ?? "").Split('/', StringSplitOptions.RemoveEmptyEntries) is [_, "folders", ..]
            ? V8Tables.FoldersCollection
            : V8Tables.FilesCollection;
        var method = request.Method;
        if (HttpMethods.IsDelete(method)) return (403, V8Code.DeleteDenied, $"Deleting item from \"{collection}\" collection was denied");
        if (HttpMethods.IsPatch(method) || HttpMethods.IsPost(method) && request.Path.Value?.EndsWith("/private_hash", StringComparison.Ordinal) == true)
            return (403, V8Code.UpdateDenied, $"Updating item from \"{collection}\" collection was denied");
        if (HttpMethods.IsPost(method)) return (403, V8Code.CreateDenied, $"Creating item to \"{collection}\" collection was denied");
        return (403, V8Code.ReadDenied, $"Reading items from \"{collection}\" collection was denied");
    }
}

/// <summary>Which paths are v8's: everything under the project, its originals, and v8-shaped paths naming another project.</summary>
public static class V8Paths
{
    /// <summary>The project a v8-shaped path names (<c>/&lt;p&gt;/files…</c>, <c>/&lt;p&gt;/assets/…</c>, <c>/uploads/&lt;p&gt;/originals/…</c>), else null.</summary>
    public static string? ProjectOf(PathString path)
    {
        var segments = (path.Value ?? "").Split('/', StringSplitOptions.RemoveEmptyEntries);
        return segments switch
        {
            ["uploads", var project, "originals", ..] => project,
            [var project, "files" or "assets" or "folders", ..] => project,
            _ => null,
        };
    }

    /// <summary><c>/&lt;project&gt;/assets/&lt;hash&gt;</c>: thumbnail failures are v8's 422 there.</summary>
    public static bool IsAssetRoute(PathString path, string project) =>
        path.StartsWithSegments("/" + project + "/assets");

    /// <summary>
    /// Every path under the project and under <c>/uploads/&lt;project&gt;/</c>; and, when no route matched, a path of a v8
    /// route naming another project (the 404 "Unknown project"), unless its first segment belongs to other routes
    /// (<c>/upload/files/…</c> is Strapi 3's, <c>/files/files/…</c> Directus's).
    /// </summary>
    public static bool Handles(HttpRequest request, string project, Func<string, bool> isOtherRoutesSegment)
    {
        var path = request.Path;
        if (path.StartsWithSegments("/" + project) || path.StartsWithSegments("/uploads/" + project)) return true;
        if (request.HttpContext.GetEndpoint() is not null || ProjectOf(path) is null) return false;
        var first = (path.Value ?? "").Split('/', StringSplitOptions.RemoveEmptyEntries)[0];
        return first == "uploads" || !isOtherRoutesSegment(first);
    }
}

/// <summary>v8's shape on v8 paths: <c>{"error":{"code":203,"message":"Item not found"}}</c>.</summary>
public sealed class V8ErrorDialect(IOptions<ServerOptions> server) : IErrorDialect
{
    /// <summary>The first literal segment of every route, read once all routes are mapped (at the first error).</summary>
    private HashSet<string>? routeSegments;

    public bool Handles(HttpRequest request) => V8Paths.Handles(request, server.Value.Project, segment => RouteSegments(request).Contains(segment));

    private HashSet<string> RouteSegments(HttpRequest request) =>
        routeSegments ??= request.HttpContext.RequestServices.GetRequiredService<EndpointDataSource>().Endpoints
            .OfType<RouteEndpoint>()
            .Select(e => e.RoutePattern.PathSegments.FirstOrDefault()?.Parts is [Microsoft.AspNetCore.Routing.Patterns.RoutePatternLiteralPart literal] ? literal.Content : null)
            .OfType<string>()
            .ToHashSet(StringComparer.OrdinalIgnoreCase);

    public Task WriteAsync(HttpContext context, ApiException error)
    {
        var (status, code, message) = V8Errors.Describe(error, context.Request, server.Value.Project);
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json; charset=utf-8";
        var body = new JsonObject { ["error"] = new JsonObject { ["code"] = code, ["message"] = message } };
        return HttpMethods.IsHead(context.Request.Method)
            ? Task.CompletedTask
            : context.Response.WriteAsync(body.ToJsonString(JsonBody.Wire), context.RequestAborted);
    }
}
