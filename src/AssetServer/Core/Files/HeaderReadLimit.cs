using Microsoft.AspNetCore.WebUtilities;

namespace AssetServer.Files;

/// <summary>
/// The request body as <see cref="MultipartReader"/> sees it, lending at most a fixed number of bytes while it looks for
/// the next part (boundary line and headers). MultipartReader 10.0 checks <c>HeadersLengthLimit</c> only once a line has
/// ended, so a header line without CRLF was buffered whole: hundreds of MiB, then OutOfMemoryException (issue 9).
/// Past the allowance a read throws <see cref="InvalidDataException"/>, which the caller answers as a malformed body.
/// </summary>
internal sealed class HeaderReadLimit(Stream body, int allowance) : Stream
{
    private long? left;

    /// <summary>The next section, read with the allowance in force; part bodies are read without it.</summary>
    public async Task<MultipartSection?> NextSectionAsync(MultipartReader reader, CancellationToken ct)
    {
        left = allowance;
        try
        {
            return await reader.ReadNextSectionAsync(ct);
        }
        finally
        {
            left = null;
        }
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default)
    {
        var read = await body.ReadAsync(buffer[..Allowed(buffer.Length)], ct);
        left -= read;
        return read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken ct) =>
        ReadAsync(buffer.AsMemory(offset, count), ct).AsTask();

    public override int Read(byte[] buffer, int offset, int count)
    {
        var read = body.Read(buffer, offset, Allowed(count));
        left -= read;
        return read;
    }

    /// <summary>How much of a read of <paramref name="wanted"/> bytes may go to the body now.</summary>
    private int Allowed(int wanted)
    {
        if (left is not { } remaining) return wanted;
        if (remaining <= 0) throw new InvalidDataException($"a part's boundary line and headers are longer than {allowance} bytes");
        return (int)Math.Min(wanted, remaining);
    }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
