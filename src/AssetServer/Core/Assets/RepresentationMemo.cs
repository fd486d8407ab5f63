using AssetServer.Caching;
using AssetServer.Files;
using Microsoft.Extensions.Options;

namespace AssetServer.Assets;

/// <summary>
/// Representations already worked out (row, parsed transform, ETag, headers), keyed by what the request says (path,
/// query, Accept, whether a token was sent) and trusted only at the <see cref="MemoVersion"/> they were made at: any
/// commit changes the database version, so an entry never outlives a write, and a reload of presets.json changes the
/// presets' generation (a parsed transform may name an old preset). This keeps the cached-derivative path to a version
/// check and a look-up, instead of a row read, a transform parse and a SHA-256 per request. Bounded by
/// <c>Caching:MemoBytes</c>, least recently used out first.
/// </summary>
public sealed class RepresentationMemo(IOptions<CachingOptions> caching)
{
    /// <summary>Longer keys (junk after the id, huge Accept headers) are not kept: one request cannot push out many hot entries.</summary>
    private const int MaxKeyLength = 2048;

    /// <summary>What a representation holds besides its texts and row: the records, the ETag, the open function and its plan.</summary>
    private const long RepresentationOverhead = 512;

    private readonly VersionedCache<MemoVersion, AssetRepresentation> entries = new(caching.Value.MemoBytes);

    /// <summary>Everything in the request that can change the answer.</summary>
    public static string Key(HttpRequest request, bool anonymous) =>
        string.Concat(anonymous ? "a " : "t ", request.Path.Value, request.QueryString.Value, "\n", request.Headers.Accept.ToString());

    public bool TryGet(string key, MemoVersion version, out AssetRepresentation representation) =>
        entries.TryGet(key, version, out representation);

    /// <summary>
    /// Stores a representation made from a row (and presets) read after <paramref name="version"/> was read.
    /// <paramref name="row"/> is the row it was made from, which its open function holds on to: counted in its size.
    /// </summary>
    public void Add(string key, MemoVersion version, AssetRepresentation representation, FileRecord? row = null)
    {
        if (key.Length > MaxKeyLength) return;
        var size = RepresentationOverhead + Data.FileRepository.ApproximateBytes(row) + ApproximateSize.Of(
            representation.ContentType, representation.ETagText, representation.LastModifiedText, representation.CacheControl,
            representation.Disposition);
        entries.Add(key, version, representation, size);
    }
}

/// <summary>What a memoised representation was made from: the database's version and the presets' generation.</summary>
public readonly record struct MemoVersion((long Era, long Version) Data, int Presets);
