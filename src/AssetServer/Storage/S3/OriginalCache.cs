namespace AssetServer.Storage.S3;

/// <summary>
/// Originals fetched from the object store to render from (libvips reads local files), named by content digest and
/// bounded in bytes, least recently used first out. Concurrent renders of one source share one download; a copy in
/// use by a render is never evicted under it (the bound may be passed meanwhile). The folder is emptied at start.
/// </summary>
public sealed class OriginalCache
{
    private readonly string folder;
    private readonly long maxBytes;
    private readonly Lock gate = new();
    private readonly Dictionary<string, Entry> entries = new(StringComparer.Ordinal);
    private readonly LinkedList<Entry> order = new();
    private long bytes;

    public OriginalCache(string folder, long maxBytes)
    {
        this.folder = folder;
        this.maxBytes = maxBytes;
        if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        Directory.CreateDirectory(folder);
    }

    public long Bytes
    {
        get { lock (gate) return bytes; }
    }

    /// <summary>
    /// The cached copy of <paramref name="digest"/>, fetched by <paramref name="download"/> (into the path it is given;
    /// false when the object is gone) on a miss. Null when the object is gone.
    /// </summary>
    public async ValueTask<LocalOriginal?> AcquireAsync(string digest, Func<string, CancellationToken, Task<bool>> download, CancellationToken ct)
    {
        while (true)
        {
            Entry entry;
            bool mine;
            lock (gate)
            {
                mine = !entries.TryGetValue(digest, out entry!);
                if (mine)
                {
                    entry = new Entry(digest, Path.Combine(folder, digest));
                    entries[digest] = entry;
                }
                entry.Users++;
            }
            if (mine) _ = FillAsync(entry, download);
            bool present;
            try
            {
                present = await entry.Ready.Task.WaitAsync(ct);
            }
            catch
            {
                Release(entry);
                throw;
            }
            if (!present)
            {
                Release(entry);
                return null;
            }
            lock (gate)
            {
                if (entry.Node is not null)
                {
                    order.Remove(entry.Node);
                    order.AddLast(entry.Node);
                    return new LocalOriginal(entry.Path, () => Release(entry));
                }
            }
            // Failed download, dropped from the table: try again with a new entry.
            Release(entry);
        }
    }

    /// <summary>The download runs on its own (one waiter giving up does not cancel it for the others).</summary>
    private async Task FillAsync(Entry entry, Func<string, CancellationToken, Task<bool>> download)
    {
        var temp = entry.Path + ".part";
        try
        {
            File.Delete(temp);
            if (!await download(temp, CancellationToken.None))
            {
                lock (gate) entries.Remove(entry.Digest);
                entry.Ready.SetResult(false);
                return;
            }
            File.Move(temp, entry.Path, overwrite: true);
            var length = new FileInfo(entry.Path).Length;
            List<Entry> evicted;
            lock (gate)
            {
                entry.Length = length;
                entry.Node = order.AddLast(entry);
                bytes += length;
                evicted = EvictLocked();
            }
            foreach (var victim in evicted) TryDelete(victim.Path);
            entry.Ready.SetResult(true);
        }
        catch (Exception e)
        {
            TryDelete(temp);
            lock (gate) entries.Remove(entry.Digest);
            entry.Ready.SetException(e);
        }
    }

    private void Release(Entry entry)
    {
        List<Entry> evicted;
        lock (gate)
        {
            entry.Users--;
            evicted = EvictLocked();
        }
        foreach (var victim in evicted) TryDelete(victim.Path);
    }

    /// <summary>Oldest unused copies out until the bound holds.</summary>
    private List<Entry> EvictLocked()
    {
        List<Entry> evicted = [];
        var node = order.First;
        while (bytes > maxBytes && node is not null)
        {
            var next = node.Next;
            var entry = node.Value;
            if (entry.Users == 0)
            {
                order.Remove(node);
                entries.Remove(entry.Digest);
                bytes -= entry.Length;
                entry.Node = null;
                evicted.Add(entry);
            }
            node = next;
        }
        return evicted;
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Left for the next start, which empties the folder.
        }
    }

    private sealed class Entry(string digest, string path)
    {
        public string Digest { get; } = digest;
        public string Path { get; } = path;
        public long Length { get; set; }
        public int Users { get; set; }
        public LinkedListNode<Entry>? Node { get; set; }
        public TaskCompletionSource<bool> Ready { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
