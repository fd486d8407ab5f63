using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace AssetServer.Storage;

/// <summary>
/// Writes a new file chunk by chunk, hashing each chunk (SHA-256) and writing it on a pool thread while the caller
/// reads the next one from the network, and asking the kernel to start writing each MiB back to disk as it lands,
/// so the fsync before the rename waits only for the tail. For a 12 MP upload the body arrives in ~40 chunks
/// over several milliseconds; hashing and writing them in line cost 2.2 ms of that, and a fsync of 2.4 MB written at
/// once took ~1.8 ms (issue 17, benchmarks/RESULTS.md).
/// </summary>
/// <remarks>Not thread-safe: one caller, which passes each buffer on and gets it back from the next <see cref="WriteAsync"/>.</remarks>
public sealed class OverlappedFileWriter : IAsyncDisposable
{
    /// <summary>
    /// Bytes between two writeback requests: a few syscalls per upload, and little left for the fsync after the last byte
    /// (at 1 MiB, the fsync of a 12 MP upload still waited 0.4 ms past the row's statements; issue 17).
    /// </summary>
    private const long WritebackBytes = 256 << 10;

    private readonly FileStream file;
    private readonly IncrementalHash hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private Task writing = Task.CompletedTask;
    private long written;
    private long writebackFrom;
    private bool writebackUnsupported = !OperatingSystem.IsLinux();

    /// <summary>Creates <paramref name="path"/>, which must not exist.</summary>
    public OverlappedFileWriter(string path) =>
        // No FileStream buffer and synchronous writes: each chunk is one pwrite on the pool thread that hashes it.
        file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0);

    /// <summary>
    /// Starts hashing and writing <paramref name="chunk"/> once the previous chunk is written, and returns when that
    /// previous one is done, so its buffer may be filled again. The caller must not touch <paramref name="chunk"/>'s
    /// memory until the next call (or <see cref="CompleteAsync"/>) has returned.
    /// </summary>
    public async ValueTask WriteAsync(ReadOnlyMemory<byte> chunk)
    {
        // Hashed here while the previous chunk is written on the pool, so the two run on both cores.
        hash.AppendData(chunk.Span);
        await writing;
        writing = Task.Run(() => Write(chunk));
    }

    /// <summary>Waits for the last chunk and returns the hex SHA-256 of everything written.</summary>
    public async Task<string> CompleteAsync()
    {
        await writing;
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    private void Write(ReadOnlyMemory<byte> chunk)
    {
        file.Write(chunk.Span);
        written += chunk.Length;
        if (written - writebackFrom >= WritebackBytes) StartWriteback();
    }

    /// <summary><c>sync_file_range(SYNC_FILE_RANGE_WRITE)</c>: starts writeback of the range, without waiting for it.</summary>
    private void StartWriteback()
    {
        if (writebackUnsupported) return;
        try
        {
            SyncFileRange((int)file.SafeFileHandle.DangerousGetHandle(), writebackFrom, written - writebackFrom, SyncFileRangeWrite);
            writebackFrom = written;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            writebackUnsupported = true; // the fsync before the rename does it all
        }
    }

    private const uint SyncFileRangeWrite = 2;

    [DllImport("libc", EntryPoint = "sync_file_range")]
    private static extern int SyncFileRange(int fd, long offset, long count, uint flags);

    /// <summary>Waits for a chunk still being written (its outcome no longer matters), then closes the file.</summary>
    public async ValueTask DisposeAsync()
    {
        await writing.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        await file.DisposeAsync();
        hash.Dispose();
    }
}
