namespace AssetServer.BulkImport;

/// <summary>
/// A file being uploaded: reports each chunk as HttpClient reads it (the progress bar's bytes), and marks a failing
/// read as the file's fault rather than the network's. It keeps the file's length visible, so the request carries a
/// Content-Length instead of being chunked.
/// </summary>
internal sealed class ReadProgressStream(FileStream inner, Action<long> onBytes) : Stream
{
    /// <summary>The local disk failed, not the connection: not worth a retry.</summary>
    public sealed class LocalReadException(IOException inner) : IOException(inner.Message, inner);

    public override bool CanRead => true;
    public override bool CanSeek => inner.CanSeek;
    public override bool CanWrite => false;
    public override long Length => inner.Length;

    public override long Position
    {
        get => inner.Position;
        set => inner.Position = value;
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        try
        {
            return Counted(inner.Read(buffer));
        }
        catch (IOException e) when (e is not LocalReadException)
        {
            throw new LocalReadException(e);
        }
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken ct) =>
        ReadAsync(buffer.AsMemory(offset, count), ct).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default)
    {
        try
        {
            return Counted(await inner.ReadAsync(buffer, ct));
        }
        catch (IOException e) when (e is not LocalReadException)
        {
            throw new LocalReadException(e);
        }
    }

    private int Counted(int read)
    {
        if (read > 0) onBytes(read);
        return read;
    }

    public override long Seek(long offset, SeekOrigin origin) => inner.Seek(offset, origin);
    public override void Flush() { }
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing) inner.Dispose();
        base.Dispose(disposing);
    }
}
