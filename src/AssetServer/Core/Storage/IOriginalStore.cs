using System.Data;
using AssetServer.Assets.Store;

namespace AssetServer.Storage;

/// <summary>
/// Where originals (and kept versions) live: the local data folder or an S3 bucket. Names are the rows'
/// <c>filename_disk</c>, server-made and never reused. A write puts the bytes first, then the row commits with
/// <see cref="ClaimAsync"/> in its transaction; a write whose row fails deletes what it put. What a crash leaves
/// between the two is removed by <see cref="SweepAsync"/> at start.
/// </summary>
public interface IOriginalStore
{
    /// <summary><c>local</c> or <c>s3</c>, as configured (health reports it).</summary>
    string Provider { get; }

    /// <summary>
    /// Whether <see cref="PutAsync"/> is a rename on the local disk (quick, no network): a write may then put while its
    /// row's statements run, inside the transaction, instead of before it (issue 17).
    /// </summary>
    bool PutIsRename { get; }

    /// <summary>Derivatives shared by every node (s3 mode); null when each node renders its own (local).</summary>
    S3.SharedDerivatives? Derivatives { get; }

    /// <summary>Stores a flushed temp file as original <paramref name="name"/>; the temp file is moved or left for the caller to delete.</summary>
    Task PutAsync(string tempPath, string name, long size, CancellationToken ct);

    /// <summary>In the transaction of the row that references <paramref name="name"/>: the put is no longer in flight.</summary>
    Task ClaimAsync(IDbConnection connection, IDbTransaction tx, string name, CancellationToken ct);

    /// <summary>Deletes an original (and any record of it in flight); failures are logged, never thrown.</summary>
    Task DeleteAsync(string? name);

    /// <summary>The original, open for reading (ranges are read as asked); null when it is gone.</summary>
    ValueTask<AssetHandle?> OpenAsync(string name, CancellationToken ct);

    /// <summary>A local file holding the original, for a render (libvips reads paths); null when it is gone. Dispose it after the render.</summary>
    ValueTask<LocalOriginal?> LocalCopyAsync(string name, string digest, CancellationToken ct);

    /// <summary>Writes and removes a small object: throws when the store cannot be written.</summary>
    Task ProbeAsync(CancellationToken ct);

    /// <summary>
    /// At start: removes what crashed writes left, originals that no name in <paramref name="referenced"/> (every
    /// row's and kept version's <c>filename_disk</c>) stands for, and unfinished uploads; of the originals, only those
    /// last written before <paramref name="cutoff"/> (a younger one may be a write about to commit its row).
    /// </summary>
    Task SweepAsync(IReadOnlySet<string> referenced, DateTimeOffset cutoff, CancellationToken ct);
}

/// <summary>A local path of an original, usable until disposed (a cache keeps it from eviction meanwhile).</summary>
public sealed class LocalOriginal(string path, Action? release = null) : IDisposable
{
    private Action? release = release;

    public string Path { get; } = path;

    public void Dispose() => Interlocked.Exchange(ref release, null)?.Invoke();
}
