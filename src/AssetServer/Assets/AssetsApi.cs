using AssetServer.Assets.Store;
using AssetServer.Auth;
using AssetServer.Data;
using AssetServer.Errors;
using AssetServer.Files;
using AssetServer.RateLimiting;
using AssetServer.Transforms;
using Microsoft.Extensions.Options;

namespace AssetServer.Assets;

/// <summary><c>GET</c>/<c>HEAD</c> <c>/assets/:id</c> and <c>/assets/:id/:filename</c>: originals and derivatives.</summary>
public static class AssetsApi
{
    public static void Map(WebApplication app)
    {
        string[] methods = [HttpMethods.Get, HttpMethods.Head];
        app.MapMethods("/assets/{id}", methods, GetAsset).RequireRateLimiting(RateLimitSetup.Transforms);
        app.MapMethods("/assets/{id}/{**filename}", methods, GetAsset).RequireRateLimiting(RateLimitSetup.Transforms);
        app.MapPost("/assets/sign", SignUrl).RequireAccess(Access.Admin);
    }

    /// <summary>(ext) <c>POST /assets/sign {"url":"/assets/&lt;id&gt;?width=200"}</c> → the URL with its signature.</summary>
    private static async Task<IResult> SignUrl(HttpContext context, AssetSigner signer)
    {
        var body = await JsonBody.ReadObjectAsync(context.Request, context.RequestAborted);
        var url = body["url"] is System.Text.Json.Nodes.JsonValue v && v.TryGetValue<string>(out var s) && s.Length is > 0 and <= 8192
            ? s
            : throw ApiErrors.InvalidPayload("\"url\" is required");
        return JsonBody.Data(new System.Text.Json.Nodes.JsonObject { ["url"] = signer.SignUrl(url) });
    }

    public static async Task<AssetResponder> GetAsset(
        string id, HttpContext context, IOptions<AuthOptions> authOptions, AssetCacheControl cacheControls,
        FileRepository files, AssetStore store, TransformParser parser, AssetSigner signer, DataVersion dataVersion, PresetStore presets, RepresentationMemo memo)
    {
        var caller = context.Caller();
        if (caller is null && !authOptions.Value.PublicAssets) throw ApiErrors.ForbiddenCollection();

        var fileId = ParseId(id) ?? throw ApiErrors.Forbidden();
        var query = context.Request.Query;
        var asksForTransform = TransformParameters.AsksForTransform(query);
        var cacheControl = cacheControls.For(anonymous: caller is null);

        // Read again when the bytes a representation named were replaced before they were opened.
        async Task<AssetRepresentation> Load(CancellationToken ct)
        {
            // An unknown id is 403 like a forbidden one, so existence does not leak.
            var record = await files.GetAsync(fileId, ct) ?? throw ApiErrors.Forbidden();
            return Represent(context, record, asksForTransform, cacheControl, parser, store);
        }

        // Read before the row and the presets, so a memo entry is never tagged newer than what it was made from.
        var version = new MemoVersion(await dataVersion.ReadAsync(context.RequestAborted), presets.Generation);
        var memoKey = RepresentationMemo.Key(context.Request, anonymous: caller is null);
        if (memo.TryGet(memoKey, version, out var known)) return new AssetResponder(known, Load);

        var record = await files.GetAsync(fileId, version.Data, context.RequestAborted) ?? throw ApiErrors.Forbidden();
        // Only verified requests reach the memo, and its key holds the whole query, signature included.
        if (asksForTransform) signer.Verify(fileId, query);
        var representation = Represent(context, record, asksForTransform, cacheControl, parser, store);
        memo.Add(memoKey, version, representation, record);
        return new AssetResponder(representation, Load);
    }

    private static AssetRepresentation Represent(
        HttpContext context, FileRecord record, bool asksForTransform, string cacheControl, TransformParser parser, AssetStore store)
    {
        var contentType = ContentType(record);
        var transform = asksForTransform
            ? parser.Parse(TransformParameters.Only(context.Request.Query), Source(record), context.Request.Headers.Accept.ToString())
            : null;
        return Representation(record, transform, DownloadName(context, record), context.Request.Query.ContainsKey("download"), cacheControl, store);
    }

    /// <summary>
    /// What a request for the original (<paramref name="transform"/> null) or a derivative of <paramref name="record"/>
    /// answers: type, validators, disposition and how to open the bytes. Every dialect that serves bytes goes through it.
    /// </summary>
    public static AssetRepresentation Representation(
        FileRecord record, TransformRequest? transform, string downloadName, bool download, string cacheControl, AssetStore store)
    {
        var contentType = ContentType(record);
        var attachment = download || AssetResponder.MustDownload(contentType);
        var lastModified = AssetResponder.ParseStoredDate(record.ModifiedOn) ?? AssetResponder.ParseStoredDate(record.UploadedOn);
        if (transform is null)
        {
            var original = store.Original(record);
            return new AssetRepresentation(
                contentType, AssetResponder.StrongTag(original.Digest), lastModified, cacheControl,
                DispositionHeader.Build(attachment, downloadName), VariesByAccept: false, original.OpenAsync);
        }

        // Directus keeps the original's name and extension on a derivative (§5); the output format's extension
        // is right for the bytes, so "Save as" gives a file that opens.
        var format = transform.Format;
        var derivative = store.Derivative(record, transform);
        return new AssetRepresentation(
            format.MimeType, AssetResponder.StrongTag(derivative.Digest), lastModified, cacheControl,
            DispositionHeader.Build(attachment || AssetResponder.MustDownload(format.MimeType), DispositionHeader.WithExtension(downloadName, format.Extension)),
            transform.VariesByAccept, derivative.OpenAsync);
    }

    private static string ContentType(FileRecord record) => string.IsNullOrWhiteSpace(record.Type) ? "application/octet-stream" : record.Type;

    /// <summary>Directus takes the first 36 characters as the id (<c>/assets/&lt;uuid&gt;JUNK</c> works, §4); they must be a uuid.</summary>
    public static string? ParseId(string raw) =>
        raw.Length >= 36 && Guid.TryParseExact(raw[..36], "D", out var guid) ? guid.ToString("D") : null;

    /// <summary>What the transform parser needs to know of a file.</summary>
    public static TransformSource Source(FileRecord record) =>
        new(ContentType(record), record.Width, record.Height, record.FocalPointX, record.FocalPointY);

    /// <summary>The <c>:filename</c> segment renames the download (§4); otherwise <c>filename_download</c>.</summary>
    private static string DownloadName(HttpContext context, FileRecord record)
    {
        var segment = context.Request.RouteValues["filename"] as string;
        if (!string.IsNullOrEmpty(segment))
        {
            var last = segment[(segment.LastIndexOf('/') + 1)..];
            // The segment is the client's text, so it gets the same cleaning as a stored filename_download.
            if (last.Length > 0) return FileNames.Sanitise(last);
        }
        return string.IsNullOrEmpty(record.FilenameDownload) ? record.FilenameDisk : record.FilenameDownload;
    }
}
