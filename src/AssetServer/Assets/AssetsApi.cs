using AssetServer.Auth;
using AssetServer.Data;
using AssetServer.Errors;
using AssetServer.Files;
using AssetServer.Storage;
using AssetServer.Transforms;
using Microsoft.Extensions.Options;

namespace AssetServer.Assets;

/// <summary><c>GET</c>/<c>HEAD</c> <c>/assets/:id</c> and <c>/assets/:id/:filename</c>: originals and derivatives.</summary>
public static class AssetsApi
{
    public static void Map(WebApplication app)
    {
        string[] methods = [HttpMethods.Get, HttpMethods.Head];
        app.MapMethods("/assets/{id}", methods, GetAsset);
        app.MapMethods("/assets/{id}/{**filename}", methods, GetAsset);
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
        string id, HttpContext context, TokenAuth auth, IOptions<AuthOptions> authOptions, AssetCacheControl cacheControls,
        FileRepository files, FileStore store, TransformParser parser, DerivativeCache derivatives, AssetSigner signer)
    {
        // A wrong token is a 401 even where no token is needed, as Directus answers.
        var caller = auth.Authenticate(context);
        if (caller is null && !authOptions.Value.PublicAssets) throw ApiErrors.ForbiddenCollection();

        var fileId = ParseId(id) ?? throw ApiErrors.Forbidden();
        // An unknown id is 403 like a forbidden one, so existence does not leak.
        var record = await files.GetAsync(fileId, context.RequestAborted) ?? throw ApiErrors.Forbidden();

        var cacheControl = cacheControls.For(anonymous: caller is null);
        var contentType = string.IsNullOrWhiteSpace(record.Type) ? "application/octet-stream" : record.Type;
        var name = DownloadName(context, record);
        var attachment = context.Request.Query.ContainsKey("download") || AssetResponder.MustDownload(contentType);
        var lastModified = AssetResponder.ParseStoredDate(record.ModifiedOn) ?? AssetResponder.ParseStoredDate(record.UploadedOn);

        var asksForTransform = TransformParameters.AsksForTransform(context.Request.Query);
        if (asksForTransform) signer.Verify(fileId, context.Request.Query);
        var transform = asksForTransform
            ? parser.Parse(TransformParameters.Only(context.Request.Query), Source(record, contentType), context.Request.Headers.Accept.ToString())
            : null;

        if (transform is null)
        {
            return new AssetResponder(new AssetRepresentation(
                contentType, AssetResponder.StrongTag(OriginalDigest(record)), lastModified, cacheControl,
                DispositionHeader.Build(attachment, name), VariesByAccept: false,
                _ => Task.FromResult(store.OriginalPath(record.FilenameDisk))));
        }

        // Directus keeps the original's name and extension on a derivative (§5); the output format's extension
        // is right for the bytes, so "Save as" gives a file that opens.
        var format = transform.Format;
        return new AssetResponder(new AssetRepresentation(
            format.MimeType, AssetResponder.StrongTag(DerivativeCache.Fingerprint(record, transform.CacheKey)), lastModified, cacheControl,
            DispositionHeader.Build(attachment || AssetResponder.MustDownload(format.MimeType), DispositionHeader.WithExtension(name, format.Extension)),
            transform.VariesByAccept,
            ct => derivatives.GetOrRenderAsync(record, transform, ct)));
    }

    /// <summary>Directus takes the first 36 characters as the id (<c>/assets/&lt;uuid&gt;JUNK</c> works, §4); they must be a uuid.</summary>
    public static string? ParseId(string raw) =>
        raw.Length >= 36 && Guid.TryParseExact(raw[..36], "D", out var guid) ? guid.ToString("D") : null;

    private static TransformSource Source(FileRecord record, string contentType) =>
        new(contentType, record.Width, record.Height, record.FocalPointX, record.FocalPointY);

    /// <summary>The <c>:filename</c> segment renames the download (§4); otherwise <c>filename_download</c>.</summary>
    private static string DownloadName(HttpContext context, FileRecord record)
    {
        var segment = context.Request.RouteValues["filename"] as string;
        if (!string.IsNullOrEmpty(segment))
        {
            var last = segment[(segment.LastIndexOf('/') + 1)..];
            if (last.Length > 0) return last;
        }
        return string.IsNullOrEmpty(record.FilenameDownload) ? record.FilenameDisk : record.FilenameDownload;
    }

    /// <summary>The content checksum; a row without one (created by JSON) uses what a replace would change.</summary>
    private static string OriginalDigest(FileRecord record) =>
        record.Checksum is { Length: >= 32 } checksum && checksum.All(Uri.IsHexDigit)
            ? checksum
            : AssetResponder.Sha256Hex($"{record.Id}:{record.Filesize}:{record.ModifiedOn}:{record.FilenameDisk}");
}
