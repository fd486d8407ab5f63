using System.Collections.Frozen;
using System.Reflection;
using System.Security.Cryptography;
using Microsoft.Net.Http.Headers;

namespace AssetServer.Admin;

/// <summary>
/// <c>/admin</c>: the media-library page (issue 12). Plain HTML, CSS and JS from <c>Admin/Page/</c>, embedded into the
/// assembly at build time and served from memory. The page itself needs no token: it asks for one and then talks to
/// the same public API as every client (<c>/files</c>, <c>/assets</c>, <c>/server/presets</c>).
/// </summary>
public static class AdminPage
{
    /// <summary>
    /// Scripts, styles and fetches only from this origin; images also from <c>data:</c> and <c>blob:</c> (BlurHash
    /// placeholders). No inline script or style can run, so a file name that smuggles markup stays inert even if it
    /// ever reached the DOM as HTML.
    /// </summary>
    public const string ContentSecurityPolicy =
        "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; script-src 'self'; connect-src 'self'";

    private const string ResourcePrefix = "admin/";

    public static void MapAdmin(this WebApplication app)
    {
        var files = Load(typeof(AdminPage).Assembly);
        var index = files["index.html"];
        // Anonymous on purpose: the fallback policy would refuse a request carrying a token that matches nothing, and
        // the page must still load to ask for a good one. The routes serve only the page's own static files.
        // Routing ignores a trailing slash: this is /admin and /admin/ (the page links its files by absolute paths).
        app.MapGet("/admin", (HttpContext context) => Serve(context, index)).AllowAnonymous();
        app.MapGet("/admin/{name}", (string name, HttpContext context) =>
            files.TryGetValue(name, out var file) ? Serve(context, file) : Results.NotFound()).AllowAnonymous();
    }

    /// <summary>One embedded file: its bytes, type and a strong validator computed once at start.</summary>
    private sealed record PageFile(byte[] Bytes, string ContentType, string ETag);

    private static FrozenDictionary<string, PageFile> Load(Assembly assembly)
    {
        var files = new Dictionary<string, PageFile>(StringComparer.Ordinal);
        foreach (var resource in assembly.GetManifestResourceNames())
        {
            if (!resource.StartsWith(ResourcePrefix, StringComparison.Ordinal)) continue;
            var name = resource[ResourcePrefix.Length..];
            if (ContentTypeOf(name) is not { } contentType) continue;
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var buffer = new MemoryStream();
            stream.CopyTo(buffer);
            var bytes = buffer.ToArray();
            var etag = "\"" + Convert.ToHexStringLower(SHA256.HashData(bytes))[..32] + "\"";
            files[name] = new PageFile(bytes, contentType, etag);
        }
        if (!files.ContainsKey("index.html"))
            throw new InvalidOperationException("The admin page (Admin/Page/index.html) is not embedded in the assembly.");
        return files.ToFrozenDictionary(StringComparer.Ordinal);
    }

    private static string? ContentTypeOf(string name) => Path.GetExtension(name) switch
    {
        ".html" => "text/html; charset=utf-8",
        ".js" => "text/javascript; charset=utf-8",
        ".css" => "text/css; charset=utf-8",
        ".svg" => "image/svg+xml",
        _ => null,
    };

    private static IResult Serve(HttpContext context, PageFile file)
    {
        var headers = context.Response.Headers;
        headers.ETag = file.ETag;
        // Revalidate every time: a new build changes the files under the same names, and a 304 costs next to nothing.
        headers.CacheControl = "no-cache";
        headers.XContentTypeOptions = "nosniff";
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "no-referrer";

        // RFC 9110 §13.1.2: If-None-Match uses the weak comparison; the ETag is strong, a W/ prefix still matches.
        var conditions = context.Request.GetTypedHeaders().IfNoneMatch;
        if (conditions.Any(tag => tag.Equals(EntityTagHeaderValue.Any) || tag.Compare(new EntityTagHeaderValue(file.ETag), useStrongComparison: false)))
            return Results.StatusCode(StatusCodes.Status304NotModified);

        return Results.Bytes(file.Bytes, file.ContentType);
    }
}
