using System.Globalization;
using System.IO.Compression;
using AssetServer.Assets.Store;
using AssetServer.Files;

namespace AssetServer.Archives;

/// <summary>
/// Writes a plan as a zip straight to a stream that cannot seek (a response body) with
/// <see cref="ZipArchive"/> in create mode: each entry's local header, its data and then a data descriptor with the
/// sizes and CRC (what a writer that cannot go back writes), the central directory at the end. One 64 KiB buffer at a
/// time, whatever the sizes: nothing is held whole. The token stops the copy between any two buffers.
/// </summary>
public static class ZipArchiveWriter
{
    /// <summary>Opens the bytes of a file's original; null when they are gone (the entry is left out).</summary>
    public delegate ValueTask<AssetHandle?> OpenOriginal(FileRecord file, CancellationToken ct);

    public static async Task WriteAsync(Stream output, ArchivePlan plan, OpenOriginal open, CancellationToken ct)
    {
        var target = new DeferredWriteStream(output);
        var zip = await ZipArchive.CreateAsync(target, ZipArchiveMode.Create, leaveOpen: true, entryNameEncoding: null, ct);
        Stream? body = null;
        try
        {
            foreach (var entry in plan.Entries)
            {
                ct.ThrowIfCancellationRequested();
                if (entry.File is not { } file)
                {
                    zip.CreateEntry(entry.Path);
                    continue;
                }
                using var handle = await open(file, ct);
                if (handle is null) continue;
                var zipEntry = zip.CreateEntry(entry.Path, ArchiveCompression.For(file.Type));
                if (LastWrite(file) is { } modified) zipEntry.LastWriteTime = modified;
                body = await zipEntry.OpenAsync(ct);
                await handle.CopyToAsync(body, 0, handle.Length, ct);
                await body.DisposeAsync();
                body = null;
                await target.DrainAsync(ct);
            }
            await zip.DisposeAsync();
            await target.DrainAsync(ct);
        }
        catch
        {
            // The deflater's native state is released now, and whatever closing it writes is dropped: a central
            // directory after a failure would make a cut archive look whole.
            target.Discard();
            body?.Dispose();
            throw;
        }
    }

    /// <summary>The row's modification time; zip can hold 1980 to 2107 only.</summary>
    private static DateTimeOffset? LastWrite(FileRecord file) =>
        DateTimeOffset.TryParse(file.ModifiedOn, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var value) && value.Year is >= 1980 and < 2108
            ? value
            : null;
}
