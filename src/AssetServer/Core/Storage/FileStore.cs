namespace AssetServer.Storage;

/// <summary>
/// The bytes of originals on local disk. Every write goes temp file → flush to disk → rename → sync of the folder,
/// so a reader never sees a half-written original, and a committed row keeps its file, even after a power loss.
/// </summary>
public sealed class FileStore(DataPaths paths, ILogger<FileStore> logger)
{
    public DataPaths Paths => paths;

    public string OriginalPath(string filenameDisk) => Path.Combine(paths.Originals, SafeName(filenameDisk));

    /// <summary>A new, unique temp file path inside the data folder (same file system, so rename is atomic).</summary>
    public string NewTempPath(string suffix = ".part") => Path.Combine(paths.Temp, Guid.NewGuid().ToString("N") + suffix);

    /// <summary>
    /// Moves a fully written and flushed temp file to its final name, replacing any file there, and syncs the folder:
    /// the caller commits a row next, which must never outlive its file after a power loss.
    /// </summary>
    public void Commit(string tempPath, string filenameDisk)
    {
        File.Move(tempPath, OriginalPath(filenameDisk), overwrite: true);
        DirectorySync.Flush(paths.Originals);
    }

    public void DeleteOriginal(string? filenameDisk)
    {
        if (string.IsNullOrEmpty(filenameDisk)) return;
        TryDelete(OriginalPath(filenameDisk));
    }

    /// <summary>Removes every derivative of a file: they were rendered from bytes that are gone.</summary>
    public void DeleteDerivatives(string id)
    {
        var dir = Path.Combine(paths.Derivatives, SafeName(id));
        try
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            logger.LogWarning(e, "Could not remove the derivatives of {Id}", id);
        }
    }

    /// <summary>Removes a file's derivative folder if nothing is in it (a render may just have put a file there).</summary>
    public void TryDeleteEmptyDerivativeFolder(string id)
    {
        try
        {
            Directory.Delete(Path.Combine(paths.Derivatives, SafeName(id)), recursive: false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Not empty, or already gone: both fine.
        }
    }

    public void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            logger.LogWarning(e, "Could not delete {Path}", path);
        }
    }

    /// <summary>Guards against a stored name that could climb out of the folder; names are server-made, so this never fires in practice.</summary>
    private static string SafeName(string name)
    {
        if (name.Length == 0 || name.Contains('/') || name.Contains('\\') || name.Contains("..") || name.Contains('\0'))
            throw new InvalidOperationException($"Unsafe storage name \"{name}\".");
        return name;
    }
}
