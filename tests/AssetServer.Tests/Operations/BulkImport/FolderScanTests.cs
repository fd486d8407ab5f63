using System.Security.Cryptography;
using AssetServer.BulkImport;

namespace AssetServer.Tests.BulkImport;

/// <summary>What the import finds in a folder, and the checksum it computes for each file.</summary>
public class FolderScanTests
{
    private string root = null!;

    [SetUp]
    public void MakeFolder()
    {
        root = Path.Combine(Path.GetTempPath(), "assetserver-tests", "import-scan-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(root);
    }

    [TearDown]
    public void RemoveFolder() => Directory.Delete(root, recursive: true);

    [Test]
    public void SubFoldersAreWalkedHiddenEntriesLeftOutAndTheOrderIsByPath()
    {
        foreach (var path in new[] { "z.bin", "a/b/c.bin", "a/a.bin", ".DS_Store", ".git/config", "a/.hidden.bin" }) Write(path, [1, 2, 3]);

        var contents = FolderScan.List(root);

        Assert.That(contents.Files.Select(f => f.RelativePath), Is.EqualTo(new[] { "a/a.bin", "a/b/c.bin", "z.bin" }));
        Assert.That(contents.Files.Select(f => f.Length), Is.All.EqualTo(3));
        Assert.That(contents.Unreadable, Is.Empty);
    }

    [Test]
    public void LinkToAFileIsItsTargetALinkBackUpTheTreeIsNotFollowedAndABrokenLinkIsReported()
    {
        Write("real.bin", new byte[10]);
        Directory.CreateDirectory(Path.Combine(root, "sub"));
        File.CreateSymbolicLink(Path.Combine(root, "sub", "link.bin"), Path.Combine(root, "real.bin"));
        Directory.CreateSymbolicLink(Path.Combine(root, "sub", "loop"), root);
        File.CreateSymbolicLink(Path.Combine(root, "gone.bin"), Path.Combine(root, "nothing-here"));

        var contents = FolderScan.List(root);

        Assert.That(contents.Files.Select(f => (f.RelativePath, f.Length)), Is.EqualTo(new[] { ("real.bin", 10L), ("sub/link.bin", 10L) }));
        Assert.That(contents.Unreadable, Is.EqualTo(new[] { ("gone.bin", "a link to nothing") }));
    }

    [Test]
    public async Task ChecksumIsTheLowercaseHexSha256OfTheBytesReadInChunks()
    {
        var bytes = RandomNumberGenerator.GetBytes(200_000);
        Write("big.bin", bytes);
        var file = FolderScan.List(root).Files.Single();
        long reported = 0;

        var checksum = await FolderScan.Sha256Async(file, n => reported += n, CancellationToken.None);

        Assert.That(checksum, Is.EqualTo(Convert.ToHexStringLower(SHA256.HashData(bytes))));
        Assert.That(reported, Is.EqualTo(bytes.Length));
    }

    private void Write(string relative, byte[] bytes)
    {
        var path = Path.Combine(root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, bytes);
    }
}
