using AssetServer.Errors;

namespace AssetServer.Storage;

/// <summary>Turns a failed disk write into the answer a client can act on, instead of a 500.</summary>
public static class StorageErrors
{
    // errno values on Linux: ENOSPC 28, EDQUOT 122, EROFS 30, EACCES 13; ERROR_DISK_FULL 0x70 on Windows.
    public static bool IsDiskFull(Exception e) => e is IOException && (e.HResult & 0xFFFF) is 28 or 122 or 0x70;

    public static bool IsNotWritable(Exception e) =>
        e is UnauthorizedAccessException || (e is IOException && (e.HResult & 0xFFFF) is 30 or 13);

    /// <summary>507 for a full disk, 503 for a folder that cannot be written or an object store that does not answer; null when it is none.</summary>
    public static ApiException? Classify(Exception e) =>
        e is S3.ObjectStoreUnavailableException store ? ApiErrors.ServiceUnavailable("storage", store.Reason, store.RetryAfterSeconds)
        : IsDiskFull(e) ? ApiErrors.InsufficientStorage("The data folder is full")
        : IsNotWritable(e) ? ApiErrors.ServiceUnavailable("storage", "The data folder is not writable", retryAfterSeconds: 60)
        : null;
}
