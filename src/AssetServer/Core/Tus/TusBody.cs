namespace AssetServer.Tus;

/// <summary>How a chunk's body ended: <see cref="Written"/> bytes are in the destination; the client may have gone away.</summary>
public readonly record struct TusChunk(long Written, bool Interrupted);

/// <summary>The copy of one <c>PATCH</c> body into a file, shared by both byte stores.</summary>
public static class TusBody
{
    private const int BufferBytes = 256 * 1024;

    /// <summary>
    /// Copies at most <paramref name="room"/> bytes (what is left of the upload) and refuses a body with more
    /// (<see cref="TusErrors.PastLength"/>; the caller drops what was copied). A body cut off by the client is not an
    /// error: what arrived is kept, as the tus core asks ("accept as many bytes as possible"), and the client learns the
    /// new offset from <c>HEAD</c>. Writes never take the request's token, so a disconnect cannot tear a write.
    /// </summary>
    public static async Task<TusChunk> CopyAsync(Stream body, Stream destination, long room, long length, CancellationToken ct)
    {
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(BufferBytes);
        try
        {
            long written = 0;
            while (true)
            {
                int read;
                try
                {
                    // One byte past the room is asked for too: its arrival is what tells a body that is too long.
                    read = await body.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, room - written + 1)), ct);
                }
                catch (Exception e) when (e is IOException || (e is OperationCanceledException && ct.IsCancellationRequested))
                {
                    return new TusChunk(written, Interrupted: true);
                }
                if (read == 0) return new TusChunk(written, Interrupted: false);
                if (written + read > room) throw TusErrors.PastLength(length);
                await destination.WriteAsync(buffer.AsMemory(0, read), CancellationToken.None);
                written += read;
            }
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
