namespace AssetServer.Archives;

/// <summary>
/// Lets <see cref="System.IO.Compression.ZipArchive"/> write to a response body that refuses synchronous writes
/// (Kestrel's default). An entry's stream has no asynchronous dispose (its <c>DisposeAsync</c> is the base class's,
/// which calls <c>Dispose</c>), so the deflater's last block and the data descriptor arrive as synchronous writes: they
/// are held here (a few KiB at most) and sent by <see cref="DrainAsync"/>, or ahead of the next asynchronous write.
/// Everything else passes straight through.
/// </summary>
public sealed class DeferredWriteStream(Stream inner) : Stream
{
    private readonly MemoryStream pending = new();
    private bool discarding;

    /// <summary>From now on every write is dropped (the archive failed; nothing more may reach the client).</summary>
    public void Discard()
    {
        discarding = true;
        pending.SetLength(0);
    }

    /// <summary>Sends what synchronous writes left behind.</summary>
    public async ValueTask DrainAsync(CancellationToken ct)
    {
        if (pending.Length == 0 || discarding) return;
        await inner.WriteAsync(pending.GetBuffer().AsMemory(0, (int)pending.Length), ct);
        pending.SetLength(0);
    }

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        if (!discarding) pending.Write(buffer);
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void WriteByte(byte value) => Write([value]);

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken ct = default)
    {
        if (discarding) return;
        await DrainAsync(ct);
        await inner.WriteAsync(buffer, ct);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken ct) =>
        WriteAsync(buffer.AsMemory(offset, count), ct).AsTask();

    public override async Task FlushAsync(CancellationToken ct)
    {
        await DrainAsync(ct);
        await inner.FlushAsync(ct);
    }

    /// <summary>Nothing: held bytes go out with the next asynchronous write or drain.</summary>
    public override void Flush() { }

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
}
