using AssetServer.Storage;

namespace AssetServer.Tus;

/// <summary>
/// One file per upload, <c>Data:Path/tmp/tus/&lt;id&gt;</c>: a sub-folder, so the start-up sweep of <c>tmp/</c> (whose
/// files are a crashed request's) leaves uploads that are only paused alone. Completion renames the file into
/// <c>tmp/</c> (same file system), where the ordinary upload path takes it over.
/// </summary>
public sealed class LocalTusBytes : ITusBytes
{
    private readonly FileStore store;
    private readonly string folder;

    public LocalTusBytes(FileStore store)
    {
        this.store = store;
        folder = Path.Combine(store.Paths.Temp, "tus");
        Directory.CreateDirectory(folder);
    }

    /// <summary>Ids are server-made hex, so they are safe file names.</summary>
    private string PathOf(string id) => Path.Combine(folder, id);

    public async Task<TusChunk> AppendAsync(TusUpload upload, Stream body, CancellationToken ct)
    {
        // The first chunk makes the file; a later one needs it (re-made empty, it would fill the gap with zeros).
        var mode = upload.UploadOffset == 0 ? FileMode.OpenOrCreate : FileMode.Open;
        FileStream file;
        try
        {
            file = new FileStream(PathOf(upload.Id), mode, FileAccess.Write, FileShare.None, bufferSize: 0, FileOptions.Asynchronous);
        }
        catch (FileNotFoundException)
        {
            throw new InvalidOperationException($"The bytes of upload {upload.Id} are gone from {folder}.");
        }
        await using (file)
        {
            // Bytes past the acknowledged offset are a chunk whose row never moved (a crash, a refused chunk): dropped.
            file.SetLength(upload.UploadOffset);
            file.Position = upload.UploadOffset;
            try
            {
                var chunk = await TusBody.CopyAsync(body, file, upload.Length - upload.UploadOffset, upload.Length, ct);
                // fsync before the offset is recorded and acknowledged: an acknowledged byte survives a power cut.
                file.Flush(flushToDisk: true);
                if (upload.UploadOffset == 0) DirectorySync.Flush(folder);
                return chunk;
            }
            catch
            {
                file.SetLength(upload.UploadOffset);
                throw;
            }
        }
    }

    public Task<string> AssembleAsync(TusUpload upload, CancellationToken ct)
    {
        var temp = store.NewTempPath();
        File.Move(PathOf(upload.Id), temp);
        return Task.FromResult(temp);
    }

    public Task DeleteAsync(string id)
    {
        if (File.Exists(PathOf(id))) store.TryDelete(PathOf(id));
        return Task.CompletedTask;
    }

    public Task SweepOrphansAsync(IReadOnlySet<string> live, DateTimeOffset cutoff, CancellationToken ct)
    {
        foreach (var path in Directory.EnumerateFiles(folder))
            if (!live.Contains(Path.GetFileName(path)) && File.GetLastWriteTimeUtc(path) < cutoff.UtcDateTime) store.TryDelete(path);
        return Task.CompletedTask;
    }
}
