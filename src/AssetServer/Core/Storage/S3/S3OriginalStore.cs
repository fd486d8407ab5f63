using System.Data;
using AssetServer.Assets.Store;
using Microsoft.Extensions.Options;

namespace AssetServer.Storage.S3;

/// <summary>
/// Originals as objects <c>&lt;Prefix&gt;files/&lt;filename_disk&gt;</c>. A put is recorded in <c>storage_intents</c>
/// before it starts (with its multipart upload id once it has one) and the record leaves with the row's transaction,
/// so a crash anywhere leaves something the start-up sweep can find and remove. Reads are ranged GETs; renders read a
/// local copy from <see cref="OriginalCache"/>.
/// </summary>
public sealed class S3OriginalStore(
    S3Bucket bucket, StorageIntents intents, OriginalCache cache, SharedDerivatives derivatives, FileStore files, IOptions<Server.ServerOptions> server,
    TimeProvider time, IHostApplicationLifetime lifetime, ILogger<S3OriginalStore> logger) : IOriginalStore
{
    /// <summary>Another node's put older than this is taken as crashed (a 5 GB upload on a slow link takes well under it).</summary>
    public static readonly TimeSpan IntentGrace = TimeSpan.FromHours(1);

    public string Provider => StorageOptions.S3Provider;

    public SharedDerivatives? Derivatives => derivatives;

    /// <summary>This node's name on its intents, fixed for the life of this store (one per server).</summary>
    public string Node { get; } = NodeId(server.Value);

    /// <summary>
    /// <c>Server:NodeId</c>, else the machine name and a random suffix: two processes on one host (or one process
    /// started again) never take each other's puts for their own.
    /// </summary>
    public static string NodeId(Server.ServerOptions options) =>
        string.IsNullOrWhiteSpace(options.NodeId)
            ? $"{Environment.MachineName}-{Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(4))}"
            : options.NodeId;

    /// <summary>A configured id is the operator's word that one process at a time runs under it.</summary>
    private bool NodeIsConfigured => !string.IsNullOrWhiteSpace(server.Value.NodeId);

    public bool PutIsRename => false;

    public async Task PutAsync(string tempPath, string name, long size, CancellationToken ct)
    {
        var key = bucket.OriginalKey(name);
        await intents.BeginAsync(key, Node, ct);
        string? upload = null;
        try
        {
            await bucket.PutFileAsync(key, tempPath, size, async uploadId =>
            {
                upload = uploadId;
                await intents.StartedUploadAsync(key, uploadId, CancellationToken.None);
            }, ct);
        }
        catch
        {
            // An upload whose parts could not be freed keeps its intent, so the start-up sweep tries again.
            if (upload is null || await TryAbortAsync(key, upload)) await DeleteAsync(name);
            throw;
        }
        // The bytes are in the store; the temp file goes (as after a rename, nothing is left).
        files.TryDelete(tempPath);
    }

    public Task ClaimAsync(IDbConnection connection, IDbTransaction tx, string name, CancellationToken ct) =>
        intents.ClaimAsync(connection, tx, bucket.OriginalKey(name), ct);

    /// <summary>How long a delete the store did not answer is tried again in the background (then the start-up sweep does it).</summary>
    public static readonly TimeSpan RetryDeletesFor = TimeSpan.FromMinutes(10);

    private static readonly TimeSpan RetryDeleteEvery = TimeSpan.FromSeconds(5);

    public async Task DeleteAsync(string? name)
    {
        if (string.IsNullOrEmpty(name)) return;
        var key = bucket.OriginalKey(name);
        try
        {
            await bucket.DeleteAsync(key);
            await intents.ForgetAsync(key);
        }
        catch (ObjectStoreUnavailableException)
        {
            // The caller (a failed upload) answers now; the intent stays until the object is gone.
            _ = RetryDeleteAsync(key);
        }
        catch (Exception e)
        {
            // The intent (if any) stays, so the next start-up sweep tries again.
            logger.LogWarning(e, "Could not delete {Key} from the object store", key);
        }
    }

    /// <summary>
    /// A delete the store did not answer, tried again every <see cref="RetryDeleteEvery"/> until it is done, the
    /// server stops or <see cref="RetryDeletesFor"/> has passed; the intent is forgotten only once the object is gone.
    /// </summary>
    private async Task RetryDeleteAsync(string key)
    {
        var stopping = lifetime.ApplicationStopping;
        var until = time.GetUtcNow() + RetryDeletesFor;
        while (!stopping.IsCancellationRequested && time.GetUtcNow() < until)
        {
            try
            {
                await Task.Delay(RetryDeleteEvery, time, stopping);
                await bucket.DeleteAsync(key, stopping);
                await intents.ForgetAsync(key);
                return;
            }
            catch (ObjectStoreUnavailableException)
            {
                // Still down: wait again.
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                logger.LogWarning(e, "Could not delete {Key} from the object store; the start-up sweep will", key);
                return;
            }
        }
        logger.LogWarning("The object store did not take the delete of {Key}; the start-up sweep will", key);
    }

    public async ValueTask<AssetHandle?> OpenAsync(string name, CancellationToken ct)
    {
        var key = bucket.OriginalKey(name);
        if (await bucket.LengthAsync(key, ct) is not { } length) return null;
        if (length > AssetStore.MemoryEntryMaxBytes) return AssetHandle.FromRemote(new Ranges(bucket, key), length);
        // Small: read whole now, so a delete between the HEAD and the read is "gone" (the caller reloads the row), not a 500.
        var bytes = new MemoryStream((int)length);
        try
        {
            await bucket.CopyRangeAsync(key, 0, length, bytes, ct);
        }
        catch (Amazon.S3.AmazonS3Exception e) when (e.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return null;
        }
        return AssetHandle.FromMemory(bytes.ToArray());
    }

    public ValueTask<LocalOriginal?> LocalCopyAsync(string name, string digest, CancellationToken ct) =>
        cache.AcquireAsync(digest, (path, token) => bucket.DownloadAsync(bucket.OriginalKey(name), path, token), ct);

    public async Task ProbeAsync(CancellationToken ct)
    {
        await bucket.ProbeAsync($"{bucket.Prefix}health/{Node}-{Guid.NewGuid():N}", ct);
    }

    /// <summary>
    /// Intents older than <see cref="IntentGrace"/> (any node's: the default id is new in every process, so a previous
    /// run's are another node's too), and, under a configured <c>Server:NodeId</c>, this node's whatever their age (it
    /// is starting, so none of its puts is running): the multipart upload is aborted, the object deleted unless a row
    /// references it, the intent forgotten. A put whose intent was swept fails its claim, so its row never commits.
    /// Then objects under <c>files/</c> that no row references, no intent names, and that are older than <paramref name="cutoff"/>.
    /// </summary>
    public async Task SweepAsync(IReadOnlySet<string> names, DateTimeOffset cutoff, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var referenced = names.Select(bucket.OriginalKey).ToHashSet(StringComparer.Ordinal);
        var removed = 0;
        foreach (var intent in await intents.AllAsync(ct))
        {
            var own = NodeIsConfigured && intent.Node == Node;
            if (!own && now - intent.Started < IntentGrace) continue;
            if (intent.UploadId is { } uploadId && !await bucket.AbortAsync(intent.Key, uploadId))
                logger.LogWarning("The object store refused to abort upload {UploadId} of {Key}; its parts stay there", uploadId, intent.Key);
            if (!referenced.Contains(intent.Key))
            {
                await bucket.DeleteAsync(intent.Key, ct);
                removed++;
            }
            await intents.ForgetAsync(intent.Key);
        }
        // Puts still in flight on other nodes are in the intent table: their objects are not orphans.
        var inFlight = (await intents.AllAsync(ct)).Select(i => i.Key).ToHashSet(StringComparer.Ordinal);
        await foreach (var entry in bucket.ListAsync(bucket.OriginalsFolder, ct))
        {
            if (referenced.Contains(entry.Key) || inFlight.Contains(entry.Key) || entry.LastModified >= cutoff) continue;
            await bucket.DeleteAsync(entry.Key, ct);
            removed++;
        }
        if (removed > 0) logger.LogWarning("Start-up sweep removed {Count} orphaned originals from the object store", removed);
    }

    private async Task<bool> TryAbortAsync(string key, string uploadId)
    {
        try
        {
            return await bucket.AbortAsync(key, uploadId);
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "Could not abort upload {UploadId} of {Key}", uploadId, key);
            return false;
        }
    }

    /// <summary>One object read by range.</summary>
    private sealed class Ranges(S3Bucket bucket, string key) : IRangeSource
    {
        public Task CopyRangeAsync(long offset, long count, Stream destination, CancellationToken ct) =>
            bucket.CopyRangeAsync(key, offset, count, destination, ct);
    }
}
