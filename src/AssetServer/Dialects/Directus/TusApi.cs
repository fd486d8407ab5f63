using System.Globalization;
using AssetServer.Auth;
using AssetServer.Errors;
using AssetServer.Tus;
using Microsoft.Net.Http.Headers;

namespace AssetServer.Files;

/// <summary>
/// <c>/files/tus</c>: Directus's resumable uploads, the tus 1.0 protocol (core, creation, termination, expiration).
/// Maps headers onto <see cref="TusService"/> and back; the protocol's state lives in <c>Core/Tus</c>.
/// </summary>
public static class TusApi
{
    private const string Path = "/files/tus";

    /// <summary>
    /// <c>Tus-Resumable</c> on every answer under <c>/files/tus</c>, refusals by the token check and the error writer
    /// included (registered at the start, so it is set whatever answers; a cleared error response keeps it).
    /// </summary>
    public static void UseTusResumableHeader(this WebApplication app) => app.Use((context, next) =>
    {
        if (context.Request.Path.StartsWithSegments(Path))
        {
            var response = context.Response;
            response.OnStarting(() =>
            {
                response.Headers["Tus-Resumable"] = TusProtocol.Version;
                return Task.CompletedTask;
            });
        }
        return next(context);
    });

    public static void MapTus(this WebApplication app)
    {
        // Discovery needs no token, as with any tus server (it names no upload).
        app.MapMethods(Path, [HttpMethods.Options], Options);
        Upload(app.MapPost(Path, Create));
        Upload(app.MapMethods(Path + "/{id}", [HttpMethods.Head], Head));
        Upload(app.MapPatch(Path + "/{id}", Patch));
        Upload(app.MapDelete(Path + "/{id}", Terminate));
    }

    /// <summary>What every upload request needs: the protocol version and a write token.</summary>
    private static void Upload(RouteHandlerBuilder route) => route.AddEndpointFilter(RequireVersion).RequireAccess(Access.Write);

    /// <summary>tus core: every request but <c>OPTIONS</c> names the protocol version; another is a 412.</summary>
    private static ValueTask<object?> RequireVersion(EndpointFilterInvocationContext invocation, EndpointFilterDelegate next)
    {
        var sent = invocation.HttpContext.Request.Headers["Tus-Resumable"].ToString();
        if (sent != TusProtocol.Version) throw TusErrors.UnsupportedVersion(sent);
        return next(invocation);
    }

    private static IResult Options(HttpContext context, TusService tus)
    {
        var headers = context.Response.Headers;
        headers["Tus-Version"] = TusProtocol.Version;
        headers["Tus-Extension"] = TusProtocol.Extensions;
        headers["Tus-Max-Size"] = Number(tus.MaxBytes);
        return Results.NoContent();
    }

    private static async Task<IResult> Create(HttpContext context, TusService tus)
    {
        var request = context.Request;
        if (request.Headers.ContainsKey("Upload-Defer-Length"))
            throw ApiErrors.InvalidPayload("Upload-Defer-Length is not supported (no creation-defer-length extension); send Upload-Length");
        var length = Bytes(request, "Upload-Length") ?? throw TusErrors.BadHeader("Upload-Length", null);
        var upload = await tus.CreateAsync(length, request.Headers["Upload-Metadata"].ToString(), Caller(context), context.RequestAborted);
        // Path-absolute: tus clients resolve it against the URL they posted to, so it holds behind a proxy too.
        context.Response.Headers.Location = $"{request.PathBase}{Path}/{upload.Id}";
        context.Response.Headers["Upload-Expires"] = Expires(upload);
        return Results.StatusCode(StatusCodes.Status201Created);
    }

    private static async Task<IResult> Head(string id, HttpContext context, TusService tus)
    {
        var upload = await tus.GetAsync(id, Caller(context), context.RequestAborted);
        var headers = context.Response.Headers;
        headers["Upload-Offset"] = Number(upload.UploadOffset);
        headers["Upload-Length"] = Number(upload.Length);
        if (upload.Metadata.Length > 0) headers["Upload-Metadata"] = upload.Metadata;
        headers["Upload-Expires"] = Expires(upload);
        headers.CacheControl = "no-store";
        return Results.Ok();
    }

    private static async Task<IResult> Patch(string id, HttpContext context, TusService tus)
    {
        var request = context.Request;
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var type) || !type.MediaType.Equals(TusProtocol.ChunkType, StringComparison.OrdinalIgnoreCase))
            throw ApiErrors.UnsupportedMediaType($"A chunk's Content-Type must be {TusProtocol.ChunkType}");
        var offset = Bytes(request, "Upload-Offset") ?? throw TusErrors.BadHeader("Upload-Offset", null);
        var progress = await tus.AppendAsync(id, offset, request.ContentLength, request.Body, Caller(context), context.RequestAborted);
        var headers = context.Response.Headers;
        headers["Upload-Offset"] = Number(progress.Upload.UploadOffset);
        if (progress.File is { } file) headers["Directus-File-Id"] = file.Id;
        else headers["Upload-Expires"] = Expires(progress.Upload);
        return Results.NoContent();
    }

    private static async Task<IResult> Terminate(string id, HttpContext context, TusService tus)
    {
        await tus.TerminateAsync(id, Caller(context), context.RequestAborted);
        return Results.NoContent();
    }

    private static Caller Caller(HttpContext context) => context.Caller() ?? throw ApiErrors.Forbidden();

    /// <summary>A byte count header: absent is null, anything but digits a 400.</summary>
    private static long? Bytes(HttpRequest request, string header)
    {
        if (!request.Headers.TryGetValue(header, out var values)) return null;
        var text = values.ToString();
        return long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : throw TusErrors.BadHeader(header, text);
    }

    private static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>RFC 9110 HTTP-date, as the expiration extension asks.</summary>
    private static string Expires(TusUpload upload) => upload.Expires.ToString("r", CultureInfo.InvariantCulture);
}
