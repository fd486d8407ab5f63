namespace AssetServer.Caching;

/// <summary>
/// Values worked out from the database (rows, memoised asset answers, token answers), each tagged with the version it
/// was made at and trusted only while the caller's current version equals that tag. The caller reads the version
/// (<see cref="Data.DataVersion"/>, with whatever else the value depends on) <em>before</em> it looks up, and before it
/// reads what it stores: any commit moves the version on, so a request that starts after a write was acknowledged
/// never gets a value from before it, and a reader that raced a commit can only store a value newer than its tag.
/// Bounded by bytes: each entry costs what its maker says its value takes, plus its key and a fixed overhead; least
/// recently used out first. An entry larger than the whole bound is not kept.
/// </summary>
internal sealed class VersionedCache<TTag, TValue> where TTag : IEquatable<TTag>
{
    /// <summary>What an entry costs besides its key and value: the index node, the map slot, the tagged pair.</summary>
    public const long EntryOverhead = 160;

    private readonly LruIndex<Entry> index;

    /// <param name="maxBytes">The bound; 0 keeps nothing.</param>
    public VersionedCache(long maxBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxBytes);
        index = new LruIndex<Entry>(maxBytes, int.MaxValue);
    }

    public long MaxBytes => index.MaxBytes;

    /// <summary>Approximate bytes held, entries with an old tag included (they go as the least recently used).</summary>
    public long Bytes => index.Bytes;

    public int Count => index.Count;

    /// <summary>The value under <paramref name="key"/> if it was made at <paramref name="current"/>, read by the caller just before.</summary>
    public bool TryGet(string key, TTag current, out TValue value)
    {
        if (index.TryGet(key, out var entry) && entry.Tag.Equals(current))
        {
            value = entry.Value;
            return true;
        }
        value = default!;
        return false;
    }

    /// <summary>
    /// Keeps <paramref name="value"/>, made from what was read after <paramref name="madeAt"/> was, as about
    /// <paramref name="valueBytes"/> bytes. False when the entry alone is over the bound: then nothing stays under the key.
    /// </summary>
    public bool Add(string key, TTag madeAt, TValue value, long valueBytes)
    {
        var size = EntryOverhead + ApproximateSize.Of(key) + Math.Max(0, valueBytes);
        if (size > index.MaxBytes)
        {
            index.Remove(key);
            return false;
        }
        index.Add(key, "", new Entry(madeAt, value), size);
        return true;
    }

    private sealed record Entry(TTag Tag, TValue Value);
}

/// <summary>Approximate heap sizes, for the byte bounds of caches.</summary>
internal static class ApproximateSize
{
    /// <summary>A .NET string: a 22-byte header and length, then UTF-16.</summary>
    public static long Of(string? text) => text is null ? 0 : 22 + 2L * text.Length;

    public static long Of(params ReadOnlySpan<string?> texts)
    {
        long total = 0;
        foreach (var text in texts) total += Of(text);
        return total;
    }
}
