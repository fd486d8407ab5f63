namespace AssetServer.Tus;

/// <summary>
/// Where the bytes of unfinished uploads wait: a file per upload in the data folder (local store), or one object per
/// chunk in the bucket (s3 store, so that any node can take the next chunk). Never in memory.
/// </summary>
public interface ITusBytes
{
    /// <summary>
    /// Appends one chunk at the upload's offset and returns once what was written is durable (fsync, or the store's
    /// answer to the put). Anything past the acknowledged offset that a crash left is dropped first.
    /// </summary>
    Task<TusChunk> AppendAsync(TusUpload upload, Stream body, CancellationToken ct);

    /// <summary>The whole upload as a new temp file in the data folder, owned by the caller from then on.</summary>
    Task<string> AssembleAsync(TusUpload upload, CancellationToken ct);

    /// <summary>Removes what is kept for the upload; nothing kept is no error.</summary>
    Task DeleteAsync(string id);

    /// <summary>Removes bytes of uploads not in <paramref name="live"/>, last written before <paramref name="cutoff"/>.</summary>
    Task SweepOrphansAsync(IReadOnlySet<string> live, DateTimeOffset cutoff, CancellationToken ct);
}
