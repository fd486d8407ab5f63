using System.Security.Cryptography;
using AssetServer.Storage;

namespace AssetServer.Tests.Storage;

/// <summary>Issue 17: uploads are hashed and written a chunk behind the network read, over two alternating buffers.</summary>
public class OverlappedFileWriterTests
{
    private string folder = null!;

    [SetUp]
    public void Create() => folder = Directory.CreateTempSubdirectory("overlapped-").FullName;

    [TearDown]
    public void Remove() => Directory.Delete(folder, recursive: true);

    [TestCase(1)]
    [TestCase(65_536)]
    [TestCase(3 * 1024 * 1024 + 17)] // past several writeback requests, ending mid-chunk
    public async Task TwoReusedBuffersGiveTheSentBytesAndTheirHash(int length)
    {
        var sent = RandomNumberGenerator.GetBytes(length);
        var path = Path.Combine(folder, "upload.tmp");
        string checksum;
        await using (var writer = new OverlappedFileWriter(path))
        {
            // As the upload loop does: fill one buffer while the writer still works on the other.
            byte[] buffer = new byte[40_000], spare = new byte[40_000];
            for (var at = 0; at < length; at += buffer.Length)
            {
                var count = Math.Min(buffer.Length, length - at);
                sent.AsSpan(at, count).CopyTo(buffer);
                await writer.WriteAsync(buffer.AsMemory(0, count));
                (buffer, spare) = (spare, buffer);
            }
            checksum = await writer.CompleteAsync();
        }

        Assert.That(await File.ReadAllBytesAsync(path), Is.EqualTo(sent));
        Assert.That(checksum, Is.EqualTo(Convert.ToHexStringLower(SHA256.HashData(sent))));
    }

    [Test]
    public async Task NoBytesGiveTheEmptyFileAndTheEmptyHash()
    {
        var path = Path.Combine(folder, "empty.tmp");
        await using (var writer = new OverlappedFileWriter(path))
            Assert.That(await writer.CompleteAsync(), Is.EqualTo(Convert.ToHexStringLower(SHA256.HashData(ReadOnlySpan<byte>.Empty))));
        Assert.That(new FileInfo(path).Length, Is.Zero);
    }

    [Test]
    public void AnExistingFileIsNeverOverwritten()
    {
        var path = Path.Combine(folder, "taken.tmp");
        File.WriteAllBytes(path, [1, 2, 3]);
        Assert.That(() => new OverlappedFileWriter(path), Throws.InstanceOf<IOException>());
        Assert.That(File.ReadAllBytes(path), Is.EqualTo(new byte[] { 1, 2, 3 }));
    }
}
