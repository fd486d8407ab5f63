using System.IO.Compression;
using AssetServer.Archives;
using AssetServer.Assets.Store;
using AssetServer.Files;

namespace AssetServer.Tests.Archives;

/// <summary>The writer alone, over real files: what it writes to a stream that cannot seek, and that its token stops it.</summary>
public class ZipArchiveWriterTests
{
    private string folder = null!;

    [SetUp]
    public void MakeFolder() => Directory.CreateDirectory(folder = Path.Combine(Path.GetTempPath(), "zip-writer-" + Guid.NewGuid().ToString("N")));

    [TearDown]
    public void RemoveFolder() => Directory.Delete(folder, recursive: true);

    private ArchiveEntry Entry(string path, byte[] bytes, string type)
    {
        var file = new FileRecord { Id = Guid.NewGuid().ToString("D"), FilenameDisk = Path.GetFileName(path) + Guid.NewGuid().ToString("N"), Type = type, Filesize = bytes.Length };
        File.WriteAllBytes(Path.Combine(folder, file.FilenameDisk), bytes);
        return new ArchiveEntry(path, file);
    }

    private ValueTask<AssetHandle?> Open(FileRecord file, CancellationToken ct) => new(AssetHandle.TryOpen(Path.Combine(folder, file.FilenameDisk)));

    [Test]
    public async Task WritesDataDescriptorsToAStreamThatCannotSeekWithoutSynchronousWrites()
    {
        var text = new byte[200_000];
        Array.Fill(text, (byte)'a');
        var photo = ZipKit.RandomBytes(300_000);
        var plan = new ArchivePlan("x.zip", [new ArchiveEntry("docs/", null), Entry("docs/a.txt", text, "text/plain"), Entry("b.jpg", photo, "image/jpeg")]);
        var sink = new ForwardOnlyStream();

        await ZipArchiveWriter.WriteAsync(sink, plan, Open, CancellationToken.None);

        using var zip = new ZipArchive(new MemoryStream(sink.Written.ToArray()), ZipArchiveMode.Read);
        Assert.That(zip.Entries.Select(e => e.FullName), Is.EqualTo(new[] { "docs/", "docs/a.txt", "b.jpg" }));
        Assert.That(zip.GetEntry("b.jpg")!.CompressedLength, Is.EqualTo(photo.Length), "a JPEG is stored");
        Assert.That(zip.GetEntry("docs/a.txt")!.CompressedLength, Is.LessThan(text.Length / 10), "text is deflated");
        // General-purpose flag bit 3 on each file's local header: sizes and CRC follow the data (the writer cannot go back).
        var flags = LocalHeaderFlags(sink.Written.ToArray());
        Assert.That(flags["docs/a.txt"] & 0x8, Is.EqualTo(0x8));
        Assert.That(flags["b.jpg"] & 0x8, Is.EqualTo(0x8));
    }

    /// <summary>Each local file header's general-purpose flags by entry name (APPNOTE 4.3.7), found by its signature.</summary>
    private static Dictionary<string, int> LocalHeaderFlags(byte[] zip)
    {
        var flags = new Dictionary<string, int>();
        for (var i = 0; i + 30 <= zip.Length; i++)
        {
            if (BitConverter.ToUInt32(zip, i) != 0x04034b50) continue;
            var nameLength = BitConverter.ToUInt16(zip, i + 26);
            if (i + 30 + nameLength > zip.Length) continue;
            flags.TryAdd(System.Text.Encoding.UTF8.GetString(zip, i + 30, nameLength), BitConverter.ToUInt16(zip, i + 6));
        }
        return flags;
    }

    [Test]
    public void TokenStopsTheCopyInsideAnOriginal()
    {
        var plan = new ArchivePlan("x.zip", [Entry("big-1.bin", ZipKit.RandomBytes(4 << 20), "video/mp4"), Entry("big-2.bin", ZipKit.RandomBytes(4 << 20), "video/mp4")]);
        using var stop = new CancellationTokenSource();
        var sink = new ForwardOnlyStream { CancelAfter = (256 * 1024, stop) };

        Assert.That(async () => await ZipArchiveWriter.WriteAsync(sink, plan, Open, stop.Token), Throws.InstanceOf<OperationCanceledException>());
        Assert.That(sink.Written.Length, Is.LessThan(1 << 20), "the copy stopped within a few buffers of the cancel, not at the end of the 4 MiB original");
        // No central directory after a failure: a cut archive must not look whole.
        var written = sink.Written.ToArray();
        Assert.That(Enumerable.Range(0, written.Length - 3).Any(i => BitConverter.ToUInt32(written, i) == 0x06054b50), Is.False);
    }

    /// <summary>A response body: no seeking, no synchronous writes (Kestrel's default), optionally a cancel after some bytes.</summary>
    private sealed class ForwardOnlyStream : Stream
    {
        public MemoryStream Written { get; } = new();
        public (int Bytes, CancellationTokenSource Source)? CancelAfter { get; init; }

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken ct = default)
        {
            Written.Write(buffer.Span);
            if (CancelAfter is { } cancel && Written.Length >= cancel.Bytes) cancel.Source.Cancel();
            return ValueTask.CompletedTask;
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken ct) => WriteAsync(buffer.AsMemory(offset, count), ct).AsTask();
        public override void Write(byte[] buffer, int offset, int count) => throw new InvalidOperationException("Synchronous operations are disallowed.");
        public override Task FlushAsync(CancellationToken ct) => Task.CompletedTask;
        public override void Flush() => throw new InvalidOperationException("Synchronous operations are disallowed.");
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
