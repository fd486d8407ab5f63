using System.IO.Pipelines;
using Microsoft.Win32.SafeHandles;

namespace AssetServer.Assets.Store;

/// <summary>
/// The bytes of one asset, already open: held in memory, an open file handle, or an object in a remote store read by
/// range. Once a caller has a local handle, a replace, delete or eviction that unlinks the file cannot cut the answer
/// short (a remote object's names are never reused; a delete can still end a remote read early). Reads are
/// positional, so one handle can serve several ranges. Dispose it when the answer is sent.
/// </summary>
public sealed class AssetHandle : IDisposable
{
    private readonly ReadOnlyMemory<byte> memory;
    private readonly SafeFileHandle? file;
    private readonly IRangeSource? remote;
    private readonly bool releaseReference;
    private int disposed;

    private AssetHandle(ReadOnlyMemory<byte> memory, SafeFileHandle? file, long length, bool releaseReference, IRangeSource? remote = null)
    {
        this.remote = remote;
        this.memory = memory;
        this.file = file;
        this.releaseReference = releaseReference;
        Length = length;
    }

    public long Length { get; }

    /// <summary>The whole content when it is held in memory; null when it is read from a file.</summary>
    public ReadOnlyMemory<byte>? InMemory => file is null && remote is null ? memory : (ReadOnlyMemory<byte>?)null;

    public static AssetHandle FromMemory(ReadOnlyMemory<byte> bytes) => new(bytes, null, bytes.Length, false);

    /// <summary>Bytes read from a remote store, each range with its own request (an S3 ranged GET), never downloaded whole.</summary>
    public static AssetHandle FromRemote(IRangeSource source, long length) => new(default, null, length, false, source);

    /// <summary>Opens a file for reading; null when it does not exist (any more).</summary>
    public static AssetHandle? TryOpen(string path)
    {
        try
        {
            var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, FileOptions.Asynchronous);
            return new AssetHandle(default, handle, RandomAccess.GetLength(handle), false);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    /// <summary>
    /// A second reader of a handle someone else owns (a render shared by several requests): the file stays open
    /// until both have disposed. Null when the owner has closed it already.
    /// </summary>
    internal static AssetHandle? TryShare(SafeFileHandle shared, long length)
    {
        var added = false;
        try
        {
            shared.DangerousAddRef(ref added);
        }
        catch (ObjectDisposedException)
        {
            return null;
        }
        return added ? new AssetHandle(default, shared, length, releaseReference: true) : null;
    }

    /// <summary>Copies <paramref name="count"/> bytes from <paramref name="offset"/> into a stream (an archive's entry), never holding more than one buffer.</summary>
    public async Task CopyToAsync(Stream destination, long offset, long count, CancellationToken ct)
    {
        if (remote is not null)
        {
            await remote.CopyRangeAsync(offset, count, destination, ct);
            return;
        }
        if (file is null)
        {
            await destination.WriteAsync(memory.Slice((int)offset, (int)count), ct);
            return;
        }
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent((int)Math.Min(ChunkBytes, Math.Max(count, 1)));
        try
        {
            while (count > 0)
            {
                var read = await RandomAccess.ReadAsync(file, buffer.AsMemory(0, (int)Math.Min(buffer.Length, count)), offset, ct);
                if (read == 0) throw new IOException("The file ended before its recorded length.");
                await destination.WriteAsync(buffer.AsMemory(0, read), ct);
                offset += read;
                count -= read;
            }
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// Writes <paramref name="count"/> bytes from <paramref name="offset"/> to a response, never holding more than one
    /// chunk. A file is read straight into the writer's buffer with a plain <c>pread</c>: on Linux an asynchronous file
    /// read is the same blocking read handed to another pool thread, so each 64 KiB chunk paid a thread hop and a copy
    /// more (issue 17: an original cost 4–8 times a cached derivative's CPU per request).
    /// </summary>
    public async Task CopyToAsync(PipeWriter destination, long offset, long count, CancellationToken ct)
    {
        if (remote is not null)
        {
            await using var stream = destination.AsStream(leaveOpen: true);
            await remote.CopyRangeAsync(offset, count, stream, ct);
            return;
        }
        if (file is null)
        {
            await destination.WriteAsync(memory.Slice((int)offset, (int)count), ct);
            return;
        }
        while (count > 0)
        {
            var chunk = destination.GetMemory((int)Math.Min(ChunkBytes, count));
            if (chunk.Length > count) chunk = chunk[..(int)count];
            var read = RandomAccess.Read(file, chunk.Span, offset);
            if (read == 0) throw new IOException("The file ended before its recorded length.");
            destination.Advance(read);
            offset += read;
            count -= read;
            var flushed = await destination.FlushAsync(ct);
            if (flushed.IsCanceled || flushed.IsCompleted) throw new OperationCanceledException("The response was closed.", ct);
        }
    }

    private const int ChunkBytes = 64 * 1024;

    /// <summary>The whole content as one array (for the memory tier); only for small files.</summary>
    internal async Task<byte[]> ReadAllAsync(CancellationToken ct)
    {
        if (remote is not null)
        {
            var whole = new MemoryStream((int)Length);
            await remote.CopyRangeAsync(0, Length, whole, ct);
            if (whole.Length != Length) throw new IOException("The object ended before its recorded length.");
            return whole.ToArray();
        }
        if (file is null) return memory.ToArray();
        var bytes = new byte[Length];
        var done = 0;
        while (done < bytes.Length)
        {
            var read = await RandomAccess.ReadAsync(file, bytes.AsMemory(done), done, ct);
            if (read == 0) throw new IOException("The file ended before its recorded length.");
            done += read;
        }
        return bytes;
    }

    public void Dispose()
    {
        if (file is null || Interlocked.Exchange(ref disposed, 1) == 1) return;
        if (releaseReference) file.DangerousRelease();
        else file.Dispose();
    }
}

/// <summary>Bytes that can be read by range from elsewhere (an object store).</summary>
public interface IRangeSource
{
    /// <summary>Copies <paramref name="count"/> bytes from <paramref name="offset"/> to <paramref name="destination"/>, streaming.</summary>
    Task CopyRangeAsync(long offset, long count, Stream destination, CancellationToken ct);
}

/// <summary>An asset of the store, named and ready to open: <see cref="Digest"/> names its bytes (the ETag comes from it).</summary>
public sealed record StoredAsset(string Digest, Func<CancellationToken, ValueTask<AssetHandle?>> OpenAsync);
