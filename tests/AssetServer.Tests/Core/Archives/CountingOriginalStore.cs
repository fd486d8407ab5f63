using System.Data;
using AssetServer.Assets.Store;
using AssetServer.Storage;

namespace AssetServer.Tests.Archives;

/// <summary>
/// The configured original store (local folder or S3), counting the bytes read out of the originals it opens: what
/// the server really read, on either stack. Handles are handed out as range sources, so every read goes through here.
/// </summary>
internal sealed class CountingOriginalStore(IOriginalStore inner) : IOriginalStore
{
    private long bytesRead;

    public long BytesRead => Interlocked.Read(ref bytesRead);

    public string Provider => inner.Provider;
    public bool PutIsRename => inner.PutIsRename;
    public global::AssetServer.Storage.S3.SharedDerivatives? Derivatives => inner.Derivatives;
    public Task PutAsync(string tempPath, string name, long size, CancellationToken ct) => inner.PutAsync(tempPath, name, size, ct);
    public Task ClaimAsync(IDbConnection connection, IDbTransaction tx, string name, CancellationToken ct) => inner.ClaimAsync(connection, tx, name, ct);
    public Task DeleteAsync(string? name) => inner.DeleteAsync(name);
    public ValueTask<LocalOriginal?> LocalCopyAsync(string name, string digest, CancellationToken ct) => inner.LocalCopyAsync(name, digest, ct);
    public Task ProbeAsync(CancellationToken ct) => inner.ProbeAsync(ct);
    public Task SweepAsync(IReadOnlySet<string> referenced, DateTimeOffset cutoff, CancellationToken ct) => inner.SweepAsync(referenced, cutoff, ct);

    public async ValueTask<AssetHandle?> OpenAsync(string name, CancellationToken ct) =>
        await inner.OpenAsync(name, ct) is { } handle ? AssetHandle.FromRemote(new Counted(this, handle), handle.Length) : null;

    private sealed class Counted(CountingOriginalStore store, AssetHandle handle) : IRangeSource
    {
        public Task CopyRangeAsync(long offset, long count, Stream destination, CancellationToken ct) =>
            handle.CopyToAsync(new CountingStream(store, destination), offset, count, ct);
    }

    private sealed class CountingStream(CountingOriginalStore store, Stream destination) : Stream
    {
        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken ct = default)
        {
            Interlocked.Add(ref store.bytesRead, buffer.Length);
            await destination.WriteAsync(buffer, ct);
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken ct) => WriteAsync(buffer.AsMemory(offset, count), ct).AsTask();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException("reads are copied asynchronously");
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
