using System.Security.Cryptography;

namespace AssetServer.BulkImport;

/// <summary>A file under the import folder; <see cref="RelativePath"/> uses <c>/</c> on every system.</summary>
public sealed record LocalFile(string FullPath, string RelativePath, long Length)
{
    public string Name => Path.GetFileName(FullPath);
}

/// <summary>What the walk found: the files in a stable order, and the folders it could not list.</summary>
public sealed record FolderContents(List<LocalFile> Files, List<(string RelativePath, string Reason)> Unreadable);

/// <summary>Walks the import folder and hashes its files, streaming each one.</summary>
public static class FolderScan
{
    /// <summary>
    /// Every file under <paramref name="folder"/>, sub-folders included, sorted by path. Hidden entries (a leading
    /// dot: <c>.git</c>, <c>.DS_Store</c>) are left out, and symbolic links to folders are not followed, so a link
    /// back up the tree cannot loop.
    /// </summary>
    public static FolderContents List(string folder)
    {
        var root = new DirectoryInfo(Path.GetFullPath(folder));
        var files = new List<LocalFile>();
        var unreadable = new List<(string, string)>();
        var options = new EnumerationOptions
        {
            RecurseSubdirectories = false,
            IgnoreInaccessible = false,
            AttributesToSkip = FileAttributes.Hidden | FileAttributes.System,
        };
        var pending = new Stack<DirectoryInfo>([root]);
        while (pending.TryPop(out var dir))
        {
            List<FileSystemInfo> entries;
            try
            {
                entries = dir.EnumerateFileSystemInfos("*", options).ToList();
            }
            catch (Exception e) when (e is UnauthorizedAccessException or IOException)
            {
                unreadable.Add((Relative(root, dir.FullName) + "/", e.Message));
                continue;
            }
            foreach (var entry in entries)
            {
                switch (entry)
                {
                    case DirectoryInfo sub when sub.LinkTarget is null:
                        pending.Push(sub);
                        break;
                    case FileInfo file:
                        try
                        {
                            if (LengthOf(file) is { } length) files.Add(new LocalFile(file.FullName, Relative(root, file.FullName), length));
                            else unreadable.Add((Relative(root, file.FullName), "a link to nothing"));
                        }
                        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
                        {
                            unreadable.Add((Relative(root, file.FullName), e.Message));
                        }
                        break;
                }
            }
        }
        files.Sort((a, b) => string.CompareOrdinal(a.RelativePath, b.RelativePath));
        unreadable.Sort((a, b) => string.CompareOrdinal(a.Item1, b.Item1));
        return new FolderContents(files, unreadable);
    }

    /// <summary>The size of the file, or of the file a link points to (FileInfo.Length is the link's own); null for a broken link.</summary>
    private static long? LengthOf(FileInfo file)
    {
        if (file.LinkTarget is null) return file.Length;
        return file.ResolveLinkTarget(returnFinalTarget: true) is FileInfo { Exists: true } target ? target.Length : null;
    }

    /// <summary>The SHA-256 of the file as lowercase hex, as the server stores it in <c>checksum</c>; read in chunks.</summary>
    public static async Task<string> Sha256Async(LocalFile file, Action<long> onBytes, CancellationToken ct)
    {
        await using var stream = OpenRead(file);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[1 << 16];
        int read;
        while ((read = await stream.ReadAsync(buffer, ct)) > 0)
        {
            hash.AppendData(buffer, 0, read);
            onBytes(read);
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    public static FileStream OpenRead(LocalFile file) =>
        new(file.FullPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan);

    private static string Relative(DirectoryInfo root, string path)
    {
        var relative = Path.GetRelativePath(root.FullName, path);
        return relative == "." ? "." : relative.Replace(Path.DirectorySeparatorChar, '/');
    }
}
