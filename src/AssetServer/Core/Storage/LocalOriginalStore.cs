using System.Data;
using AssetServer.Assets.Store;

namespace AssetServer.Storage;

/// <summary>Originals as files under <c>Data:Path/files</c>: a put is a rename of the fsynced temp file (same file system, atomic), then a sync of the folder.</summary>
public sealed class LocalOriginalStore(FileStore files, ILogger<LocalOriginalStore> logger) : IOriginalStore
{
    public string Provider => StorageOptions.LocalProvider;

    public bool PutIsRename => true;

    public S3.SharedDerivatives? Derivatives => null;

    public Task PutAsync(string tempPath, string name, long size, CancellationToken ct)
    {
        files.Commit(tempPath, name);
        return Task.CompletedTask;
    }

    // An original with no row is found by listing the folder at start; nothing to record.
    public Task ClaimAsync(IDbConnection connection, IDbTransaction tx, string name, CancellationToken ct) => Task.CompletedTask;

    public Task DeleteAsync(string? name)
    {
        files.DeleteOriginal(name);
        return Task.CompletedTask;
    }

    public ValueTask<AssetHandle?> OpenAsync(string name, CancellationToken ct) => new(AssetHandle.TryOpen(files.OriginalPath(name)));

    public ValueTask<LocalOriginal?> LocalCopyAsync(string name, string digest, CancellationToken ct)
    {
        var path = files.OriginalPath(name);
        return new(File.Exists(path) ? new LocalOriginal(path) : null);
    }

    public async Task ProbeAsync(CancellationToken ct)
    {
        var probe = Path.Combine(files.Paths.Temp, $"health-{Guid.NewGuid():N}");
        await File.WriteAllBytesAsync(probe, [1], ct);
        File.Delete(probe);
    }

    /// <summary>
    /// Files in the originals folder that no row names, written before <paramref name="cutoff"/>: renamed into place by
    /// a write whose row never committed. (A rename keeps the temp file's time: when its last byte was written.)
    /// </summary>
    public Task SweepAsync(IReadOnlySet<string> referenced, DateTimeOffset cutoff, CancellationToken ct)
    {
        var removed = 0;
        foreach (var file in Directory.EnumerateFiles(files.Paths.Originals))
        {
            if (referenced.Contains(Path.GetFileName(file)) || File.GetLastWriteTimeUtc(file) >= cutoff.UtcDateTime) continue;
            files.TryDelete(file);
            removed++;
        }
        if (removed > 0) logger.LogWarning("Start-up sweep removed {Count} orphaned originals", removed);
        return Task.CompletedTask;
    }
}
