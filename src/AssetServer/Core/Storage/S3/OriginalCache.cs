using AssetServer.Caching;

namespace AssetServer.Storage.S3;

/// <summary>
/// Originals fetched from the object store to render from (libvips reads local files), named by content digest and
/// kept in the store's <see cref="LruIndex{T}"/>: bounded in bytes, least recently used first out. A copy handed out
/// is pinned until its <see cref="LocalOriginal"/> is disposed, so it is never evicted under a render (the bound may
/// be passed meanwhile). Concurrent renders of one source share one download. Every download gets a file name of its
/// own, so deleting an evicted copy (done outside the index's lock) can never remove a newer copy of the same digest.
/// The folder is emptied at start.
/// </summary>
public sealed class OriginalCache
{
    private readonly string folder;
    private readonly LruIndex<string> index;
    private readonly Lock gate = new();

    /// <summary>Downloads in flight. Changed with the index under <see cref="gate"/>: a digest is never both downloading and kept.</summary>
    private readonly Dictionary<string, Download> downloads = new(StringComparer.Ordinal);

    public OriginalCache(string folder, long maxBytes)
    {
        this.folder = folder;
        index = new LruIndex<string>(maxBytes, int.MaxValue);
        if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        Directory.CreateDirectory(folder);
    }

    public long Bytes => index.Bytes;

    /// <summary>
    /// The cached copy of <paramref name="digest"/>, fetched by <paramref name="download"/> (into the path it is given;
    /// false when the object is gone) on a miss. Null when the object is gone. Dispose the copy after use.
    /// </summary>
    public async ValueTask<LocalOriginal?> AcquireAsync(string digest, Func<string, CancellationToken, Task<bool>> download, CancellationToken ct)
    {
        Download flight;
        bool mine;
        lock (gate)
        {
            if (index.TryPin(digest, out var kept)) return Hold(kept);
            mine = !downloads.TryGetValue(digest, out flight!);
            if (mine) downloads[digest] = flight = new Download();
            flight.Waiters++;
        }
        if (mine) _ = FillAsync(digest, flight, download);
        LruIndex<string>.Pinned? pinned;
        try
        {
            pinned = await flight.Ready.Task.WaitAsync(ct);
        }
        catch
        {
            Leave(flight);
            throw;
        }
        return pinned is { } copy ? Hold(copy) : null;
    }

    /// <summary>
    /// The download runs on its own (one waiter giving up does not cancel it for the others). The copy enters the
    /// index pinned once for every waiter still there, in the same step that ends the download's entry.
    /// </summary>
    private async Task FillAsync(string digest, Download flight, Func<string, CancellationToken, Task<bool>> download)
    {
        var path = Path.Combine(folder, $"{digest}.{Guid.NewGuid():N}");
        var temp = path + ".part";
        long length;
        try
        {
            if (!await download(temp, CancellationToken.None))
            {
                TryDelete(temp);
                lock (gate) End(digest, flight);
                flight.Ready.SetResult(null);
                return;
            }
            File.Move(temp, path);
            length = new FileInfo(path).Length;
        }
        catch (Exception e)
        {
            TryDelete(temp);
            TryDelete(path);
            lock (gate) End(digest, flight);
            flight.Ready.SetException(e);
            return;
        }
        LruIndex<string>.Pinned pinned;
        List<string> evicted;
        lock (gate)
        {
            End(digest, flight);
            pinned = index.AddPinned(digest, digest, path, length, flight.Waiters, out evicted);
            flight.Copy = pinned;
        }
        Delete(evicted);
        flight.Ready.SetResult(pinned);
    }

    private void End(string digest, Download flight)
    {
        downloads.Remove(digest);
        flight.Done = true;
    }

    /// <summary>A waiter that gave up: uncounted before the copy was kept, or its pin given back after.</summary>
    private void Leave(Download flight)
    {
        LruIndex<string>.Pinned? mine;
        lock (gate)
        {
            if (!flight.Done) flight.Waiters--;
            // Done: a kept copy was pinned for this waiter too, whether or not the result had reached it.
            mine = flight.Done ? flight.Copy : null;
        }
        if (mine is { } pinned) Delete(index.Unpin(pinned));
    }

    private LocalOriginal Hold(LruIndex<string>.Pinned pinned) => new(pinned.Value, () => Delete(index.Unpin(pinned)));

    private static void Delete(List<string> evicted)
    {
        foreach (var path in evicted) TryDelete(path);
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

    /// <summary>One download and the renders waiting for it; changed under the gate.</summary>
    private sealed class Download
    {
        public int Waiters { get; set; }
        public bool Done { get; set; }

        /// <summary>The copy as kept, pinned once per waiter; set with <see cref="Done"/>, null when there is none.</summary>
        public LruIndex<string>.Pinned? Copy { get; set; }
        public TaskCompletionSource<LruIndex<string>.Pinned?> Ready { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
