using AssetServer.Files;

namespace AssetServer.Archives;

/// <summary>One entry of a zip: a file's original under <paramref name="Path"/>, or a folder (<paramref name="File"/> null, the path ends in <c>/</c>).</summary>
public sealed record ArchiveEntry(string Path, FileRecord? File);

/// <summary>
/// Everything a zip will hold, worked out (rows read, access checked, names made unique) before the first byte is
/// sent, so every refusal is still an error answer. <see cref="FileName"/> is the name the download is offered under.
/// </summary>
public sealed record ArchivePlan(string FileName, IReadOnlyList<ArchiveEntry> Entries)
{
    /// <summary>The originals' bytes, as their rows record them: what the read budget is charged.</summary>
    public long OriginalBytes { get; } = Entries.Sum(e => e.File?.Filesize ?? 0);
}
