using System.Globalization;
using AssetServer.Storage;
using AssetServer.Storage.S3;

namespace AssetServer.Tus;

/// <summary>
/// One object per chunk, <c>&lt;Prefix&gt;tus/&lt;id&gt;/&lt;offset&gt;</c>, in the bucket every node shares: the next chunk
/// (or the HEAD after a node died) may reach any node, so no chunk may wait on one node's disk. A chunk is staged in a
/// temp file on the way (never held in memory), put (multipart past 8 MB), and acknowledged once the store answered.
/// Completion reads the chain of chunks from offset 0 into one temp file, which the ordinary put path then stores as
/// the original: the sniffer and the metadata scraper read a local file anyway. (S3 multipart parts of the upload
/// itself would save that copy, but parts must be 5 MB or more except the last, and tus chunks may be any size.)
/// </summary>
public sealed class S3TusBytes(S3Bucket bucket, FileStore store, ILogger<S3TusBytes> logger) : ITusBytes
{
    private string FolderOf(string id) => $"{bucket.Prefix}tus/{id}/";

    /// <summary>Zero-padded, so a listing is in offset order.</summary>
    private string ChunkKey(string id, long offset) => FolderOf(id) + offset.ToString("D19", CultureInfo.InvariantCulture);

    public async Task<TusChunk> AppendAsync(TusUpload upload, Stream body, CancellationToken ct)
    {
        var temp = store.NewTempPath();
        try
        {
            TusChunk chunk;
            await using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0, FileOptions.Asynchronous))
                chunk = await TusBody.CopyAsync(body, file, upload.Length - upload.UploadOffset, upload.Length, ct);
            if (chunk.Written == 0) return chunk;
            // The put finishes even when the client has gone: the bytes it sent are kept (its next HEAD learns them).
            // A chunk a crash left under this key is overwritten: only a recorded offset names a key.
            var key = ChunkKey(upload.Id, upload.UploadOffset);
            string? multipart = null;
            try
            {
                await bucket.PutFileAsync(key, temp, chunk.Written, id => { multipart = id; return Task.CompletedTask; },
                    chunk.Interrupted ? CancellationToken.None : ct);
            }
            catch when (multipart is not null)
            {
                await bucket.AbortAsync(key, multipart);
                throw;
            }
            return chunk;
        }
        finally
        {
            store.TryDelete(temp);
        }
    }

    public async Task<string> AssembleAsync(TusUpload upload, CancellationToken ct)
    {
        var temp = store.NewTempPath();
        try
        {
            await using var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous);
            // The chain from 0: each chunk starts where the one before ended (a stray object a crash left is skipped).
            for (long offset = 0; offset < upload.Length;)
            {
                var key = ChunkKey(upload.Id, offset);
                var size = await bucket.LengthAsync(key, ct) ?? 0;
                if (size == 0) throw new InvalidOperationException($"Upload {upload.Id} has no chunk at offset {offset} in the object store.");
                await bucket.CopyRangeAsync(key, 0, size, file, ct);
                offset += size;
            }
            file.Flush(flushToDisk: true);
            return temp;
        }
        catch
        {
            store.TryDelete(temp);
            throw;
        }
    }

    public async Task DeleteAsync(string id)
    {
        try
        {
            await foreach (var entry in bucket.ListAsync(FolderOf(id))) await bucket.DeleteAsync(entry.Key);
        }
        catch (Exception e)
        {
            // The row is gone already: the sweep finds these chunks as orphans and tries again.
            logger.LogWarning(e, "Could not delete the chunks of upload {Id} from the object store", id);
        }
    }

    public async Task SweepOrphansAsync(IReadOnlySet<string> live, DateTimeOffset cutoff, CancellationToken ct)
    {
        var folder = bucket.Prefix + "tus/";
        await foreach (var entry in bucket.ListAsync(folder, ct))
        {
            var id = entry.Key[folder.Length..].Split('/')[0];
            if (!live.Contains(id) && entry.LastModified < cutoff) await bucket.DeleteAsync(entry.Key, ct);
        }
    }
}
