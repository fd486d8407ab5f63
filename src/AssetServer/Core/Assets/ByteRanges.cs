using Microsoft.Net.Http.Headers;

namespace AssetServer.Assets;

/// <summary>One satisfiable byte range, both ends inclusive (RFC 9110 §14.1.2).</summary>
public readonly record struct ByteRange(long Start, long End)
{
    public long Length => End - Start + 1;

    /// <summary>The <c>Content-Range</c> value of this range of a representation of <paramref name="total"/> bytes.</summary>
    public string ContentRange(long total) => $"bytes {Start}-{End}/{total}";
}

/// <summary>Turns a <c>Range</c> header into the byte ranges to send (RFC 9110 §14.1–14.2).</summary>
public static class ByteRanges
{
    /// <summary>
    /// More ranges than this are ignored and the whole representation is sent: RFC 9110 §14.2 lets a server
    /// ignore a Range asking for many ranges, which otherwise costs a part header per range.
    /// </summary>
    public const int MaxRanges = 32;

    /// <summary>
    /// Null when the header is to be ignored (absent, not <c>bytes</c>, malformed, too many ranges, empty
    /// representation) and the whole representation is sent with 200; an empty list when no range is
    /// satisfiable (416); else the ranges in ascending order, overlapping or adjacent ones coalesced
    /// (RFC 9110 §14.2 allows both). <c>bytes=0-0</c> is the first byte (Directus wrongly answers 416).
    /// </summary>
    public static IReadOnlyList<ByteRange>? Resolve(string? header, long length)
    {
        if (string.IsNullOrWhiteSpace(header) || length <= 0) return null;
        // A syntactically invalid ranges-specifier (also last-pos < first-pos) may be ignored (§14.1.1).
        if (!RangeHeaderValue.TryParse(header, out var parsed)) return null;
        if (!string.Equals(parsed.Unit.Value, "bytes", StringComparison.OrdinalIgnoreCase)) return null;
        if (parsed.Ranges.Count is 0 or > MaxRanges) return null;

        var satisfiable = new List<ByteRange>(parsed.Ranges.Count);
        foreach (var item in parsed.Ranges)
        {
            if (item.From is { } from)
            {
                if (from >= length) continue;
                var end = item.To is { } to && to < length - 1 ? to : length - 1;
                satisfiable.Add(new ByteRange(from, end));
            }
            else if (item.To is { } suffix && suffix > 0)
            {
                // A suffix longer than the representation means all of it (§14.1.2).
                satisfiable.Add(new ByteRange(Math.Max(0, length - suffix), length - 1));
            }
        }
        return Coalesce(satisfiable);
    }

    private static List<ByteRange> Coalesce(List<ByteRange> ranges)
    {
        if (ranges.Count < 2) return ranges;
        ranges.Sort((a, b) => a.Start.CompareTo(b.Start));
        var merged = new List<ByteRange> { ranges[0] };
        foreach (var range in ranges.Skip(1))
        {
            var last = merged[^1];
            if (range.Start <= last.End + 1) merged[^1] = last with { End = Math.Max(last.End, range.End) };
            else merged.Add(range);
        }
        return merged;
    }
}
