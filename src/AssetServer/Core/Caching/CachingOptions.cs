namespace AssetServer.Caching;

/// <summary>
/// The <c>Caching</c> section: the byte bounds of the version-tagged caches (<see cref="VersionedCache{TTag, TValue}"/>).
/// Sizes are estimates from the strings an entry holds plus a fixed overhead; 0 turns a cache off.
/// </summary>
public sealed class CachingOptions
{
    /// <summary>Rows read by id (a row counts its strings, <c>metadata</c> included). Default 32 MiB.</summary>
    public long RowBytes { get; set; } = 32L << 20;

    /// <summary>Worked-out <c>/assets</c> answers (request key, header texts and the row each holds). Default 16 MiB.</summary>
    public long MemoBytes { get; set; } = 16L << 20;

    /// <summary>Answers for bearer tokens, known and unknown (a few hundred bytes each). Default 4 MiB.</summary>
    public long TokenBytes { get; set; } = 4L << 20;
}
