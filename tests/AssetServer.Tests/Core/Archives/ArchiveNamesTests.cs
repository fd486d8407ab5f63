using System.IO.Compression;
using AssetServer.Archives;

namespace AssetServer.Tests.Archives;

/// <summary>Names inside a zip (unit): one safe segment each, numbered before the extension when equal in one folder.</summary>
public class ArchiveNamesTests
{
    [TestCase("photo.jpg", "photo.jpg")]
    [TestCase("..", "_")]
    [TestCase(".", "_")]
    [TestCase("", "_")]
    [TestCase("   ", "_")]
    [TestCase("../../etc/passwd", ".._.._etc_passwd")]
    [TestCase("a\\b", "a_b")]
    [TestCase("/abs", "_abs")]
    [TestCase("trailing. . ", "trailing")]
    [TestCase("bidi\u202Efdp.exe", "bidifdp.exe")]
    [TestCase("tab\there", "tabhere")]
    [TestCase(".env", ".env")]
    public void SegmentIsOneSafePathPart(string name, string expected) => Assert.That(ArchiveNames.Segment(name), Is.EqualTo(expected));

    [Test]
    public void EqualNamesAreNumberedBeforeTheExtensionIgnoringCase()
    {
        var names = new ArchiveNames();
        var claimed = new[] { "photo.jpg", "photo.jpg", "Photo.JPG", "photo (1).jpg", "README", "readme", ".env", ".env", "archive.tar.gz", "archive.tar.gz" }
            .Select(names.Claim).ToArray();
        Assert.That(claimed, Is.EqualTo(new[]
        {
            "photo.jpg", "photo (1).jpg", "Photo (2).JPG", "photo (1) (1).jpg", "README", "readme (1)", ".env", ".env (1)", "archive.tar.gz", "archive.tar (1).gz",
        }));
    }

    [TestCase("image/jpeg", CompressionLevel.NoCompression)]
    [TestCase("image/png", CompressionLevel.NoCompression)]
    [TestCase("image/webp", CompressionLevel.NoCompression)]
    [TestCase("image/avif", CompressionLevel.NoCompression)]
    [TestCase("image/gif", CompressionLevel.NoCompression)]
    [TestCase("video/mp4", CompressionLevel.NoCompression)]
    [TestCase("audio/mpeg", CompressionLevel.NoCompression)]
    [TestCase("audio/wav", CompressionLevel.Fastest)]
    [TestCase("application/pdf", CompressionLevel.NoCompression)]
    [TestCase("application/zip", CompressionLevel.NoCompression)]
    [TestCase("application/vnd.openxmlformats-officedocument.wordprocessingml.document", CompressionLevel.NoCompression)]
    [TestCase("image/svg+xml", CompressionLevel.Fastest)]
    [TestCase("image/tiff", CompressionLevel.Fastest)]
    [TestCase("text/plain; charset=utf-8", CompressionLevel.Fastest)]
    [TestCase(null, CompressionLevel.Fastest)]
    public void CompressedTypesAreStored(string? type, CompressionLevel expected) => Assert.That(ArchiveCompression.For(type), Is.EqualTo(expected));
}
