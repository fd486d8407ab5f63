namespace AssetServer.Cors;

/// <summary>
/// The <c>Cors</c> section, Directus's <c>CORS_*</c> variables: which browser front-ends on other origins may call the API
/// and read its answers. Named <c>CorsSettings</c> because ASP.NET Core's <c>CorsOptions</c> holds the built policy.
/// Lists may also be given as one comma list (<c>ASSETSERVER_Cors__Origins=https://a.example,https://b.example</c>).
/// </summary>
public sealed class CorsSettings
{
    /// <summary>Whether CORS headers are sent at all (Directus's <c>CORS_ENABLED</c>); off, a preflight is not answered.</summary>
    public bool Enabled { get; set; }

    /// <summary>
    /// Origins allowed (Directus's <c>CORS_ORIGIN</c>): <c>https://app.example</c> as a browser sends it, <c>true</c>
    /// alone to reflect any request's origin, or <c>*</c> alone for any origin without credentials.
    /// </summary>
    public string[] Origins { get; set; } = [];

    /// <summary>Methods a preflight allows (<c>CORS_METHODS</c>); <c>*</c> allows whatever is asked.</summary>
    public string[] Methods { get; set; } = ["GET", "POST", "PATCH", "DELETE"];

    /// <summary>
    /// Request headers a preflight allows (<c>CORS_ALLOWED_HEADERS</c>); <c>*</c> allows whatever is asked. Beyond Directus's
    /// two, the conditional and range headers an asset client sends to revalidate or resume, and the tus headers a
    /// browser's resumable upload sends (<c>/files/tus</c>).
    /// </summary>
    public string[] AllowedHeaders { get; set; } =
        ["Content-Type", "Authorization", "Range", "If-None-Match", "If-Modified-Since", "If-Range",
         "Tus-Resumable", "Upload-Length", "Upload-Metadata", "Upload-Offset"];

    /// <summary>
    /// Response headers a script may read (<c>CORS_EXPOSED_HEADERS</c>) beyond the safelisted ones (Content-Type,
    /// Content-Length, Last-Modified, Cache-Control…): the download name, partial content, validators and back-off, and
    /// what a tus client reads (the upload's URL and offset, the file it became).
    /// </summary>
    public string[] ExposedHeaders { get; set; } =
        ["Content-Disposition", "Content-Range", "Accept-Ranges", "ETag", "Retry-After",
         "Location", "Tus-Resumable", "Tus-Version", "Tus-Extension", "Tus-Max-Size", "Upload-Offset", "Upload-Length", "Upload-Expires", "Directus-File-Id"];

    /// <summary>
    /// Whether <c>Access-Control-Allow-Credentials: true</c> is sent (<c>CORS_CREDENTIALS</c>), for front-ends that fetch
    /// with <c>credentials: 'include'</c>. Off: AssetServer reads bearer tokens, not cookies. Never with origin <c>*</c>.
    /// </summary>
    public bool Credentials { get; set; }

    /// <summary>Seconds a browser may keep a preflight's answer (<c>CORS_MAX_AGE</c>; browsers cap it at 2 to 24 hours).</summary>
    public int MaxAge { get; set; } = 18000;
}
