using AssetServer.Caching;

namespace AssetServer.Assets;

/// <summary>
/// Representations already worked out (row, parsed transform, ETag, headers), keyed by what the request says (path,
/// query, Accept, whether a token was sent) and trusted only at the database version they were made at: any commit
/// changes the version, so an entry never outlives a write. This keeps the cached-derivative path to a version check
/// and a look-up, instead of a row read, a transform parse and a SHA-256 per request. A reload of presets.json ends
/// every entry too (their parsed transforms may name an old preset). Least recently used out first.
/// </summary>
public sealed class RepresentationMemo
{
    private const int MaxEntries = 4096;

    /// <summary>Longer keys (junk after the id, huge Accept headers) are not kept: memory stays bounded by entries.</summary>
    private const int MaxKeyLength = 2048;

    private readonly LruIndex<Entry> entries = new(long.MaxValue, MaxEntries);

    /// <summary>Everything in the request that can change the answer.</summary>
    public static string Key(HttpRequest request, bool anonymous) =>
        string.Concat(anonymous ? "a " : "t ", request.Path.Value, request.QueryString.Value, "\n", request.Headers.Accept.ToString());

    public bool TryGet(string key, MemoVersion version, out AssetRepresentation representation)
    {
        if (entries.TryGet(key, out var entry) && entry.Version == version)
        {
            representation = entry.Representation;
            return true;
        }
        representation = null!;
        return false;
    }

    /// <summary>Stores a representation made from a row (and presets) read after <paramref name="version"/> was read.</summary>
    public void Add(string key, MemoVersion version, AssetRepresentation representation)
    {
        if (key.Length <= MaxKeyLength) entries.Add(key, "", new Entry(version, representation), 1);
    }

    private sealed record Entry(MemoVersion Version, AssetRepresentation Representation);
}

/// <summary>What a memoised representation was made from: the database's version and the presets' generation.</summary>
public readonly record struct MemoVersion((long Era, long Version) Data, int Presets);
