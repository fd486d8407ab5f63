using AssetServer.Auth;
using AssetServer.Data;
using AssetServer.Errors;
using AssetServer.Files;
using AssetServer.Transforms;
using Microsoft.Extensions.Options;

namespace AssetServer.Assets;

/// <summary>How a dialect names the file an asset URL asks for.</summary>
public abstract record AssetLocator
{
    /// <summary>Directus's <c>/assets/&lt;id&gt;</c>.</summary>
    public sealed record Id(string FileId) : AssetLocator;

    /// <summary>v8's <c>/uploads/_/originals/&lt;filename_disk&gt;</c>: the id it starts with, and the disk name must match.</summary>
    public sealed record DiskName(string Name) : AssetLocator;

    /// <summary>v8's <c>/_/assets/&lt;private_hash&gt;</c>.</summary>
    public sealed record PrivateHash(string Hash) : AssetLocator;

    /// <summary>Strapi's <c>/uploads/&lt;hash&gt;&lt;ext&gt;</c>.</summary>
    public sealed record UploadName(string Hash, string Ext) : AssetLocator;
}

/// <summary>Which representation of the file: the original, a transform from query parameters, or one the dialect defines.</summary>
public abstract record AssetTransform
{
    /// <summary>The original bytes.</summary>
    public sealed record None : AssetTransform
    {
        public static readonly None Instance = new();
    }

    /// <summary>
    /// The core's transform parameters (<c>key</c>, <c>width</c>, …, <c>transforms</c>), parsed with the request's
    /// Accept header; with <paramref name="Signed"/>, the signature (<c>s</c>) is checked under <c>Assets:SigningKey</c>.
    /// </summary>
    public sealed record Query(IQueryCollection Parameters, bool Signed) : AssetTransform;

    /// <summary>
    /// A transform the dialect defines for a row (v8's thumbnail keys, Strapi's formats): a pure mapping of the row to
    /// a request. Null means the file has no such representation: the original with <paramref name="OriginalWhenNone"/>
    /// (v8 serves a non-image as it is), else the ask's not-found error (Strapi).
    /// </summary>
    public sealed record Defined(Func<FileRecord, TransformRequest?> For, bool OriginalWhenNone = false) : AssetTransform;
}

/// <summary>Who may fetch: anyone who holds the URL (v8's private hash is the secret), or as <c>Auth:PublicAssets</c> says.</summary>
public enum AssetAccess { PublicAssetsSetting, AnyoneWithTheUrl }

/// <summary>How long clients and shared caches may keep the answer.</summary>
public enum AssetCaching
{
    /// <summary><c>Assets:CacheTtl</c>; public without a token, private with one.</summary>
    Standard,

    /// <summary><c>Assets:CacheTtl</c>, always private (a URL whose secret can be rotated).</summary>
    Private,

    /// <summary>Kept but revalidated on every use (Strapi's public folder).</summary>
    Revalidate,
}

/// <summary>
/// One reading of an asset URL: the file, its representation, a prefix for the download name (Strapi's
/// <c>thumbnail_</c>), and whether that name is the one the bytes were stored under (Strapi's formats keep it through
/// a rename) rather than the current <c>filename_download</c>.
/// </summary>
public sealed record AssetCandidate(AssetLocator Locator, AssetTransform Transform, string? DownloadPrefix = null, bool NamedAsStored = false);

/// <summary>
/// What a dialect asks of the asset path, as plain data: candidate readings, the first whose file exists winning
/// (Strapi's names can stand for an original or a format); the name a download gets; who may fetch and how it is
/// cached; and the dialect's own error for "no such file".
/// </summary>
public sealed record AssetAsk(
    IReadOnlyList<AssetCandidate> Candidates,
    ApiException NotFound,
    AssetAccess Access = AssetAccess.PublicAssetsSetting,
    AssetCaching Caching = AssetCaching.Standard,
    string? DownloadName = null,
    bool Download = false);

/// <summary>
/// The one asset path. Every route that serves bytes (Directus's <c>/assets</c>, v8's <c>/_/assets</c> and uploads
/// folder, Strapi's <c>/uploads</c> and formats) maps its URL to an <see cref="AssetAsk"/> and goes through here:
/// version → row (version-tagged) → access and signature → transform (parsed once, its plan with it) →
/// representation → the store's handle → <see cref="AssetResponder"/>. When the bytes a representation named were
/// replaced before they were opened, the row is read again here, never by calling back into a route.
/// Worked-out representations are memoised per request line and kept only while the data version and the presets'
/// generation are unchanged: a cached hit costs one version read and one look-up.
/// </summary>
public sealed class AssetResolver(
    FileRepository files, Store.AssetStore store, TransformParser parser, AssetSigner signer, DataVersion dataVersion, PresetStore presets,
    RepresentationMemo memo, AssetCacheControl cacheControls, IOptions<AuthOptions> auth, Budgets.ClientBudgets? budgets = null)
{
    /// <summary>A replace races a read this many times in a row only under a storm of replaces of one file.</summary>
    private const int MaxReloads = 3;

    /// <summary>The answer to <paramref name="ask"/>, worked out when it is executed.</summary>
    public IResult Serve(AssetAsk ask) => new Answer(this, ask);

    /// <summary>What the parser needs to know of a file.</summary>
    public static TransformSource Source(FileRecord record) =>
        new(ContentType(record), record.Width, record.Height, record.FocalPointX, record.FocalPointY, record.Duration);

    /// <summary>Directus takes the first 36 characters as the id (<c>/assets/&lt;uuid&gt;JUNK</c> works, §4); they must be a uuid.</summary>
    public static string? ParseId(string raw) =>
        raw.Length >= 36 && Guid.TryParseExact(raw[..36], "D", out var guid) ? guid.ToString("D") : null;

    private async Task ExecuteAsync(HttpContext context, AssetAsk ask)
    {
        var anonymous = context.Caller() is null;
        if (anonymous && ask.Access == AssetAccess.PublicAssetsSetting && !auth.Value.PublicAssets) throw ApiErrors.ForbiddenCollection();
        var ct = context.RequestAborted;

        // Read before the row and the presets, so a memo entry is never tagged newer than what it was made from.
        var version = new MemoVersion(await dataVersion.ReadAsync(ct), presets.Generation);
        var memoKey = RepresentationMemo.Key(context.Request, anonymous);
        if (!memo.TryGet(memoKey, version, out var representation))
        {
            (representation, var row) = await RepresentAsync(context, ask, version.Data, anonymous, ct);
            memo.Add(memoKey, version, representation, row);
        }

        for (var attempt = 0; ; attempt++)
        {
            if (!AssetResponder.WriteValidators(context, representation)) return;
            using var handle = await representation.OpenAsync(ct);
            if (handle is not null)
            {
                // Originals' bytes count against the read budget, whatever the route; a derivative's cost is its render.
                await AssetResponder.SendAsync(context, representation, handle, representation.IsOriginal && budgets is not null ? budgets.ChargeOriginalBytes : null);
                return;
            }
            // Replaced or deleted after the row was read: the version has moved, read again.
            if (attempt == MaxReloads) throw ask.NotFound;
            (representation, _) = await RepresentAsync(context, ask, await dataVersion.ReadAsync(ct), anonymous, ct);
        }
    }

    private async Task<(AssetRepresentation, FileRecord)> RepresentAsync(HttpContext context, AssetAsk ask, (long Era, long Version) version, bool anonymous, CancellationToken ct)
    {
        foreach (var candidate in ask.Candidates)
        {
            if (await FindAsync(candidate.Locator, version, ct) is not { } record) continue;
            var request = candidate.Transform switch
            {
                AssetTransform.None => null,
                AssetTransform.Query query => Parse(context, record, query),
                AssetTransform.Defined defined => defined.For(record) ?? (defined.OriginalWhenNone ? null : throw ask.NotFound),
                _ => throw new InvalidOperationException("Unknown transform kind"),
            };
            return (Represent(record, request, ask, candidate, CacheControl(ask.Caching, anonymous)), record);
        }
        throw ask.NotFound;
    }

    private TransformRequest? Parse(HttpContext context, FileRecord record, AssetTransform.Query query)
    {
        if (!TransformParameters.AsksForTransform(query.Parameters)) return null;
        if (query.Signed) signer.Verify(record.Id, query.Parameters);
        return parser.Parse(TransformParameters.Only(query.Parameters), Source(record), context.Request.Headers.Accept.ToString());
    }

    private Task<FileRecord?> FindAsync(AssetLocator locator, (long Era, long Version) version, CancellationToken ct) => locator switch
    {
        AssetLocator.Id id => files.GetAsync(id.FileId, version, ct),
        AssetLocator.DiskName disk => ByDiskNameAsync(disk.Name, version, ct),
        AssetLocator.PrivateHash hash => files.GetByPrivateHashAsync(hash.Hash, ct),
        AssetLocator.UploadName upload => ByUploadNameAsync(upload, ct),
        _ => throw new InvalidOperationException("Unknown locator kind"),
    };

    private async Task<FileRecord?> ByDiskNameAsync(string name, (long Era, long Version) version, CancellationToken ct) =>
        ParseId(name) is { } id && await files.GetAsync(id, version, ct) is { } record && record.FilenameDisk == name ? record : null;

    private async Task<FileRecord?> ByUploadNameAsync(AssetLocator.UploadName upload, CancellationToken ct) =>
        upload.Hash.Length is > 0 and <= 300 && await files.GetByUploadHashAsync(upload.Hash, ct) is { } record && record.UploadExt == upload.Ext
            ? record
            : null;

    private string CacheControl(AssetCaching caching, bool anonymous) => caching switch
    {
        AssetCaching.Private => cacheControls.For(anonymous: false),
        AssetCaching.Revalidate => anonymous ? "public, max-age=0" : "private, max-age=0",
        _ => cacheControls.For(anonymous),
    };

    /// <summary>
    /// What a request for the original (<paramref name="transform"/> null) or a derivative of <paramref name="record"/>
    /// answers: type, validators, disposition and how to open the bytes.
    /// </summary>
    private AssetRepresentation Represent(FileRecord record, TransformRequest? transform, AssetAsk ask, AssetCandidate candidate, string cacheControl)
    {
        var contentType = ContentType(record);
        var stored = candidate.NamedAsStored && record.UploadFilename.Length > 0 ? record.UploadFilename : null;
        var downloadName = candidate.DownloadPrefix +
            (ask.DownloadName ?? stored ?? (string.IsNullOrEmpty(record.FilenameDownload) ? record.FilenameDisk : record.FilenameDownload));
        var attachment = ask.Download || AssetResponder.MustDownload(contentType);
        var lastModified = AssetResponder.ParseStoredDate(record.ModifiedOn) ?? AssetResponder.ParseStoredDate(record.UploadedOn);
        if (transform is null)
        {
            var original = store.Original(record);
            return new AssetRepresentation(
                contentType, AssetResponder.StrongTag(original.Digest), lastModified, cacheControl,
                DispositionHeader.Build(attachment, downloadName), VariesByAccept: false, original.OpenAsync, IsOriginal: true);
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

    private sealed class Answer(AssetResolver resolver, AssetAsk ask) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext) => resolver.ExecuteAsync(httpContext, ask);
    }
}
