using System.Globalization;

namespace AssetServer.Storage;

/// <summary>
/// A data folder belongs to one server process: the server holds <c>server.lock</c> in it open with no sharing (an
/// OS lock, <c>flock</c> on Linux, released by the kernel when the process dies, however it dies) for as long as it
/// runs. A second server on the folder would sweep the first one's uploads in flight as leftovers, so it refuses to
/// start. The CLI commands never take the lock: they never sweep or write files there.
/// </summary>
public sealed class DataFolderLock(DataPaths paths) : IDisposable
{
    /// <summary>The lock itself; nothing is read from it (a second opener is refused before it could read).</summary>
    public const string LockName = "server.lock";

    /// <summary>Who holds the lock, written once it is taken, so a refused server can name it.</summary>
    public const string HolderName = "server.pid";

    private FileStream? held;

    public string LockPath => Path.Combine(paths.Root, LockName);

    /// <summary>Takes the lock, or throws <see cref="DataFolderInUseException"/> naming the process that holds it.</summary>
    public void Take()
    {
        if (held is not null) return;
        try
        {
            held = new FileStream(LockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        // EWOULDBLOCK from flock (11 on Linux, 35 on macOS), ERROR_SHARING_VIOLATION (32) on Windows: held by another process.
        catch (IOException e) when ((e.HResult & 0xFFFF) is 11 or 32 or 35)
        {
            throw new DataFolderInUseException(paths.Root, Holder(), e);
        }
        var started = DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        File.WriteAllText(Path.Combine(paths.Root, HolderName), $"PID {Environment.ProcessId} on {Environment.MachineName}, started {started}\n");
    }

    private string Holder()
    {
        try
        {
            var text = File.ReadAllText(Path.Combine(paths.Root, HolderName)).Trim();
            return text.Length > 0 ? text : "another process";
        }
        catch (IOException)
        {
            return "another process";
        }
    }

    public void Dispose()
    {
        Interlocked.Exchange(ref held, null)?.Dispose();
    }
}

/// <summary>A server was started on a data folder that another running server holds.</summary>
public sealed class DataFolderInUseException(string folder, string holder, Exception inner) : Exception(
    $"The data folder {folder} is in use by another AssetServer ({holder}); a data folder belongs to one server. " +
    "Give this server its own Data:Path (several nodes share a PostgreSQL database and an S3 bucket instead).", inner)
{
    public string Folder { get; } = folder;
}
