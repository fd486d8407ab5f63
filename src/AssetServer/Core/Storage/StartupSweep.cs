using AssetServer.Data;

namespace AssetServer.Storage;

/// <summary>
/// Clears what a crash can leave: temp files of unfinished uploads and renders, and originals whose row
/// never committed (the bytes are put into place before the row commits, so such a file has no row), on local disk
/// and, in s3 mode, in the bucket. Only what is older than <see cref="DataOptions.SweepGrace"/> goes: a younger file
/// may be an upload some process is still writing or committing.
/// </summary>
public static class StartupSweep
{
    public static async Task RunAsync(IServiceProvider services)
    {
        var paths = services.GetRequiredService<DataPaths>();
        var store = services.GetRequiredService<FileStore>();
        var repository = services.GetRequiredService<FileRepository>();
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(StartupSweep));
        var grace = services.GetRequiredService<Microsoft.Extensions.Options.IOptions<DataOptions>>().Value.SweepGraceSpan;
        var cutoff = services.GetRequiredService<TimeProvider>().GetUtcNow() - grace;

        foreach (var temp in Directory.EnumerateFiles(paths.Temp))
            if (File.GetLastWriteTimeUtc(temp) < cutoff.UtcDateTime) store.TryDelete(temp);

        // Every name a row or a kept version stands for, read once for both sweeps of originals below.
        var known = await repository.AllFilenamesOnDiskAsync();
        var originals = services.GetRequiredService<IOriginalStore>();
        await originals.SweepAsync(known, cutoff, CancellationToken.None);

        // This node's derivative tier on local disk (in both modes): folders of files that are gone.
        var ids = known.Select(n => n.Split('.')[0]).ToHashSet(StringComparer.Ordinal);
        var removed = 0;
        foreach (var dir in Directory.EnumerateDirectories(paths.Derivatives))
        {
            var id = Path.GetFileName(dir);
            if (ids.Contains(id)) continue;
            store.DeleteDerivatives(id);
            removed++;
        }
        if (removed > 0) logger.LogWarning("Start-up sweep removed {Count} derivative folders of files that are gone", removed);

        // Shared derivatives in the object store: of gone or older bytes.
        if (originals.Derivatives is { } shared)
        {
            var digests = (await repository.AllContentKeysAsync()).ToDictionary(r => r.Id, Assets.Store.AssetStore.ContentDigest, StringComparer.Ordinal);
            await shared.SweepAsync(digests, CancellationToken.None);
        }
    }
}
