namespace AssetServer.Storage.S3;

/// <summary>
/// The object store did not answer in time or could not be reached. <see cref="StorageErrors.Classify"/> answers it
/// as a 503 with <c>Retry-After</c>: the client may try again, nothing was stored.
/// </summary>
public sealed class ObjectStoreUnavailableException(string reason, int retryAfterSeconds, Exception? inner = null)
    : Exception($"The object store is unavailable: {reason}", inner)
{
    /// <summary>What went wrong, for the error message (no internals).</summary>
    public string Reason { get; } = reason;

    public int RetryAfterSeconds { get; } = retryAfterSeconds;
}
