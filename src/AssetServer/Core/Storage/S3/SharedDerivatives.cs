namespace AssetServer.Storage.S3;

/// <summary>
/// Rendered derivatives in the object store, shared by every node:
/// <c>&lt;Prefix&gt;derivatives/&lt;file id&gt;/&lt;content digest, 16 hex&gt;-&lt;fingerprint&gt;.&lt;ext&gt;</c>. Named by
/// content like the local tier, so an object of older bytes is never asked for; the digest in the name lets the
/// start-up sweep drop those.
/// </summary>
public sealed class SharedDerivatives(S3Bucket bucket, ILogger<SharedDerivatives> logger)
{
    public string Key(string fileId, string contentDigest, string fingerprint, string extension) =>
        $"{bucket.DerivativesOf(fileId)}{contentDigest[..16]}-{fingerprint}.{extension}";

    /// <summary>
    /// Downloads the derivative into <paramref name="path"/>; false when no node has stored it, or the store is down
    /// (this node renders it then, if it can).
    /// </summary>
    public async Task<bool> TryGetAsync(string key, string path, CancellationToken ct)
    {
        if (bucket.Outage.IsDown) return false;
        try
        {
            return await bucket.DownloadAsync(key, path, ct);
        }
        catch (ObjectStoreUnavailableException e)
        {
            logger.LogWarning("Shared derivative {Key} taken as a miss: {Reason}", key, e.Reason);
            return false;
        }
    }

    /// <summary>Shares a rendered derivative; while the store is down it stays this node's alone (the render still answers).</summary>
    public async Task PutAsync(string key, string path, long length, CancellationToken ct)
    {
        if (bucket.Outage.IsDown) return;
        try
        {
            await bucket.PutFileAsync(key, path, length, _ => Task.CompletedTask, ct);
        }
        catch (ObjectStoreUnavailableException e)
        {
            logger.LogWarning("Derivative {Key} not shared: {Reason}", key, e.Reason);
        }
    }

    /// <summary>Deletes every derivative object of a file (its bytes were replaced or deleted).</summary>
    public async Task DeleteAllAsync(string fileId)
    {
        try
        {
            await foreach (var entry in bucket.ListAsync(bucket.DerivativesOf(fileId))) await bucket.DeleteAsync(entry.Key);
        }
        catch (Exception e)
        {
            // Never served anyway (names carry the content); the start-up sweep removes them.
            logger.LogWarning(e, "Could not delete the derivative objects of {Id}", fileId);
        }
    }

    /// <summary>
    /// At start: derivative objects whose file has no row, or whose digest is not the file's current content
    /// (<paramref name="digests"/>: file id → content digest).
    /// </summary>
    public async Task SweepAsync(IReadOnlyDictionary<string, string> digests, CancellationToken ct)
    {
        var folder = bucket.DerivativesFolder;
        var removed = 0;
        await foreach (var entry in bucket.ListAsync(folder, ct))
        {
            var rest = entry.Key[folder.Length..];
            var slash = rest.IndexOf('/');
            var keep = slash > 0 && digests.TryGetValue(rest[..slash], out var digest) && digest.Length >= 16
                       && rest.AsSpan(slash + 1).StartsWith(digest.AsSpan(0, 16), StringComparison.Ordinal);
            if (keep) continue;
            await bucket.DeleteAsync(entry.Key, ct);
            removed++;
        }
        if (removed > 0) logger.LogInformation("Start-up sweep removed {Count} stale derivative objects", removed);
    }
}
