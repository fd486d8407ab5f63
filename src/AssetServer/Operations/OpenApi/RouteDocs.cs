namespace AssetServer.OpenApi;

/// <summary>Which API a route speaks: decides its error shape and query language in the document.</summary>
public enum Dialect { Directus, Strapi5, Strapi3, V8, GraphQL, Server }

/// <summary>
/// What the document says of one route beyond what routing knows: a summary, the answer's status and shape
/// (<c>data:X</c> for Directus's envelope, <c>[X]</c> for an array, <c>X</c> bare, <c>binary</c>, <c>none</c>),
/// its query parameters and its request body.
/// </summary>
public sealed record RouteDoc(string Summary, int Status, string Answer, string[] Query, string Body = "none");

/// <summary>The documented routes of every dialect, keyed by <c>METHOD /pattern</c> (v8's project as <c>_</c>).</summary>
public static class RouteDocs
{
    private static readonly string[] DirectusList = ["fields", "filter", "search", "sort", "limit", "offset", "page", "meta"];
    private static readonly string[] Fields = ["fields"];
    private static readonly string[] Asset =
        ["key", "width", "height", "fit", "quality", "format", "withoutEnlargement", "focal_point_x", "focal_point_y", "transforms", "download", "access_token", "s"];
    private static readonly string[] StrapiList =
        ["filters", "sort", "fields", "populate", "start", "limit", "pagination[page]", "pagination[pageSize]", "pagination[start]", "pagination[limit]", "pagination[withCount]"];
    private static readonly string[] Strapi3List = ["_limit", "_start", "_sort", "<field>_<op>"];
    private static readonly string[] V8List = ["filter", "q", "limit", "offset", "page", "single", "sort", "fields", "meta", "logical"];
    private static readonly string[] None = [];

    public static readonly IReadOnlyDictionary<string, RouteDoc> All = new Dictionary<string, RouteDoc>(StringComparer.Ordinal)
    {
        // Directus REST
        ["POST /files"] = new("Upload one or many files (multipart), or create a record from JSON", 200, "data:DirectusFile", Fields, "multipart-directus"),
        ["POST /files/import"] = new("Import a file from a URL (SSRF-guarded)", 200, "data:DirectusFile", Fields, "json:{url,data}"),
        ["GET /files"] = new("List files: filter, search, sort, page; or aggregate[count|sum|avg|min|max|countDistinct]=… with groupBy[] (also SEARCH /files with {\"query\":{…}} in the body)", 200, "data:[DirectusFile]", [.. DirectusList, "aggregate", "groupBy"]),
        ["SEARCH /files"] = new("List files with the query in the body ({\"query\":{…}})", 200, "data:[DirectusFile]", None, "json:{query}"),
        ["GET /files/{id}"] = new("One file", 200, "data:DirectusFile", Fields),
        ["PATCH /files/{id}"] = new("Update fields (JSON) or replace the content (multipart)", 200, "data:DirectusFile", Fields, "multipart-directus"),
        ["PATCH /files"] = new("Update many files: {keys, data}, {query, data} or [{id, …}]", 200, "data:[DirectusFile]", Fields, "json:{keys,query,data}"),
        ["DELETE /files/{id}"] = new("Delete a file, its original and every derivative", 204, "none", None),
        ["DELETE /files"] = new("Delete many files: [ids] or {keys}", 204, "none", None, "json:{keys}"),
        ["POST /files/{id}/revert/{revision}"] = new("Put a file back as a revision left it (fields, and bytes when kept)", 200, "data:DirectusFile", Fields),
        ["OPTIONS /files/tus"] = new("tus discovery: Tus-Version, Tus-Extension (creation, termination, expiration), Tus-Max-Size", 204, "none", None),
        ["POST /files/tus"] = new("Create a resumable (tus 1.0) upload: Upload-Length, Upload-Metadata (base64: filename_download, type, title, folder, id to replace, …); answers Location", 201, "none", None),
        ["HEAD /files/tus/{id}"] = new("A tus upload's Upload-Offset, Upload-Length and Upload-Expires", 200, "none", None),
        ["PATCH /files/tus/{id}"] = new("Append a chunk (application/offset+octet-stream at Upload-Offset); the last one answers Directus-File-Id", 204, "none", None),
        ["DELETE /files/tus/{id}"] = new("Terminate a tus upload and drop its bytes", 204, "none", None),
        ["GET /assets/{id}"] = new("The original, or a derivative rendered by the transform parameters", 200, "binary", Asset),
        ["HEAD /assets/{id}"] = new("Headers of an asset", 200, "none", Asset),
        ["GET /assets/{id}/{filename}"] = new("An asset under another download name", 200, "binary", Asset),
        ["HEAD /assets/{id}/{filename}"] = new("Headers of an asset under another download name", 200, "none", Asset),
        ["POST /assets/sign"] = new("Sign a transform URL (admin)", 200, "data:{url}", None, "json:{url}"),
        ["GET /folders"] = new("List folders {id, name, parent}: the query language of /files (filter[parent][name][_eq]=…, fields=parent.name)", 200, "data:[Folder]", DirectusList),
        ["SEARCH /folders"] = new("List folders with the query in the body ({\"query\":{…}})", 200, "data:[Folder]", None, "json:{query}"),
        ["GET /folders/{id}"] = new("One folder", 200, "data:Folder", Fields),
        ["POST /folders"] = new("Create a folder {name, parent}, or many ([…])", 200, "data:Folder", Fields, "json:{name,parent}"),
        ["PATCH /folders/{id}"] = new("Rename or move a folder (a cycle is refused)", 200, "data:Folder", Fields, "json:{name,parent}"),
        ["PATCH /folders"] = new("Update many folders: {keys, data}, {query, data} or [{id, …}]", 200, "data:[Folder]", Fields, "json:{keys,query,data}"),
        ["DELETE /folders/{id}"] = new("Delete a folder: its files stay with folder null, its sub-folders move up", 204, "none", None),
        ["DELETE /folders"] = new("Delete many folders: [ids] or {keys}", 204, "none", None, "json:{keys}"),
        ["POST /assets/files"] = new("A zip of these files' originals under their download names (application/zip, streamed)", 200, "binary", None, "json:{ids}"),
        ["POST /assets/folder/{id}"] = new("A zip of a folder's originals with every sub-folder as a path (application/zip, streamed)", 200, "binary", None),
        ["GET /activity"] = new("The activity log (ip and user_agent: the admin token only)", 200, "data:[Activity]", DirectusList),
        ["GET /activity/{id}"] = new("One activity row (ip and user_agent: the admin token only)", 200, "data:Activity", Fields),
        ["GET /revisions"] = new("The revisions log", 200, "data:[Revision]", DirectusList),
        ["GET /revisions/{id}"] = new("One revision", 200, "data:Revision", Fields),
        ["GET /tokens"] = new("Scoped API tokens (admin)", 200, "data:[Token]", None),
        ["POST /tokens"] = new("Create a token {name, access}; the token is shown once (admin)", 200, "data:Token", None, "json:{name,access}"),
        ["DELETE /tokens/{id}"] = new("Revoke a token (admin)", 204, "none", None),
        ["GET /server/ping"] = new("Liveness", 200, "text", None),
        ["GET /server/health"] = new("Health: {status}, with each check for the admin", 200, "{status}", None),
        ["GET /server/presets"] = new("The presets of presets.json in force, for ?key= links", 200, "data:[Preset]", None),
        ["GET /metrics"] = new("Prometheus metrics (a token unless Metrics:Public)", 200, "text", None),
        // Strapi 5
        ["POST /api/upload"] = new("Upload files (201, array), or with ?id= update fileInfo / replace the content", 201, "[StrapiFile]", ["id", "fields"], "multipart-strapi"),
        ["GET /api/upload/files"] = new("List files (flat array)", 200, "[StrapiFile]", StrapiList),
        ["GET /api/upload/files/page"] = new("List files ({data, meta.pagination})", 200, "page:StrapiFile", StrapiList),
        ["GET /api/upload/files/{id}"] = new("One file by its integer id", 200, "StrapiFile", ["fields", "populate"]),
        ["DELETE /api/upload/files/{id}"] = new("Delete a file and its formats; answers the deleted object", 200, "StrapiFile", None),
        ["GET /uploads/{name}"] = new("A public original (<hash><ext>) or format (<format>_<hash><ext>)", 200, "binary", None),
        ["HEAD /uploads/{name}"] = new("Headers of a public file", 200, "none", None),
        // Strapi 3
        ["POST /upload"] = new("Upload files (files or files[] parts), or with ?id= update / replace", 200, "[Strapi3File]", ["id"], "multipart-strapi"),
        ["GET /upload/files"] = new("List files", 200, "[Strapi3File]", Strapi3List),
        ["GET /upload/files/count"] = new("Count files (filters apply)", 200, "integer", Strapi3List),
        ["GET /upload/files/{id}"] = new("One file", 200, "Strapi3File", None),
        ["GET /upload/search/{id}"] = new("Files whose name contains the text", 200, "[Strapi3File]", None),
        ["DELETE /upload/files/{id}"] = new("Delete a file; answers the deleted object", 200, "Strapi3File", None),
        // Directus v8
        ["GET /_/files"] = new("List files (v8 query language)", 200, "data:[V8File]", V8List),
        ["POST /_/files"] = new("Upload a file: multipart, or JSON data as base64, a data: URI or a URL", 201, "data:V8File", Fields, "multipart-directus"),
        ["GET /_/files/{id}"] = new("One file (or a comma list of ids)", 200, "data:V8File", V8List),
        ["PATCH /_/files/{id}"] = new("Update fields or replace the content", 200, "data:V8File", Fields, "multipart-directus"),
        ["DELETE /_/files/{id}"] = new("Delete a file (or a comma list)", 204, "none", None),
        ["POST /_/files/{id}/private_hash"] = new("Rotate the private hash; the old one stops at once", 200, "data:V8File", None),
        ["GET /_/files/{id}/revisions"] = new("A file's revisions, oldest first", 200, "data:[Revision]", V8List),
        ["GET /_/files/{id}/revisions/{offset}"] = new("A file's state n steps back (0 = latest)", 200, "data:Revision", Fields),
        ["GET /_/folders"] = new("List folders {id, name, parent_folder} (v8 query language)", 200, "data:[V8Folder]", V8List),
        ["POST /_/folders"] = new("Create a folder {name, parent_folder}, or a batch ([…])", 200, "data:V8Folder", Fields, "json:{name,parent_folder}"),
        ["GET /_/folders/{id}"] = new("One folder (or a comma list of ids)", 200, "data:V8Folder", Fields),
        ["PATCH /_/folders/{id}"] = new("Rename or move a folder (or a comma list)", 200, "data:V8Folder", Fields, "json:{name,parent_folder}"),
        ["DELETE /_/folders/{id}"] = new("Delete a folder: its files stay outside any folder, its sub-folders move up", 204, "none", None),
        ["GET /_/assets/{hash}"] = new("An asset by private hash: original, ?key=<v8 preset>, or w/h/f/q", 200, "binary", ["key", "w", "h", "f", "q"]),
        ["HEAD /_/assets/{hash}"] = new("Headers of an asset by private hash", 200, "none", ["key", "w", "h", "f", "q"]),
        ["GET /uploads/_/originals/{name}"] = new("An original by its disk name", 200, "binary", None),
        ["HEAD /uploads/_/originals/{name}"] = new("Headers of an original by its disk name", 200, "none", None),
        // GraphQL
        ["POST /graphql/system"] = new("GraphQL: files, files_by_id, files_aggregated, folders, folders_by_id, folders_aggregated; file and folder mutations, import_file", 200, "GraphQLResponse", None, "json:GraphQLRequest"),
        ["GET /graphql/system"] = new("GraphQL query in ?query=&variables=", 200, "GraphQLResponse", ["query", "variables", "operationName"]),
        // The media-library page
        ["GET /admin"] = new("The media-library page (HTML)", 200, "text", None),
        ["GET /admin/{name}"] = new("A script or style sheet of the media-library page", 200, "text", None),
    };

    /// <summary>The dialect of a route pattern, by its first segments.</summary>
    public static Dialect DialectOf(string path) => path switch
    {
        _ when path.StartsWith("/api/upload", StringComparison.Ordinal) || path.StartsWith("/uploads/{", StringComparison.Ordinal) => Dialect.Strapi5,
        _ when path == "/upload" || path.StartsWith("/upload/", StringComparison.Ordinal) => Dialect.Strapi3,
        _ when path.StartsWith("/_/", StringComparison.Ordinal) || path.StartsWith("/uploads/_/", StringComparison.Ordinal) => Dialect.V8,
        _ when path.StartsWith("/graphql", StringComparison.Ordinal) => Dialect.GraphQL,
        _ when path.StartsWith("/server/", StringComparison.Ordinal) || path is "/metrics" || path.StartsWith("/admin", StringComparison.Ordinal) => Dialect.Server,
        _ => Dialect.Directus,
    };
}
