using AssetServer.Storage;

namespace AssetServer.Tests.Storage;

/// <summary>Issue 18: the folder sync that makes a rename durable really opens and syncs the folder.</summary>
public class DirectorySyncTests
{
    [Test]
    public void AFolderIsSyncedAndAMissingOneIsNamed()
    {
        if (OperatingSystem.IsWindows()) Assert.Ignore("Skipped on Windows: NTFS journals renames.");
        var folder = Directory.CreateTempSubdirectory("directory-sync-").FullName;
        try
        {
            File.WriteAllBytes(Path.Combine(folder, "renamed"), [1]);
            Assert.That(() => DirectorySync.Flush(folder), Throws.Nothing);

            var missing = Path.Combine(folder, "gone");
            Assert.That(() => DirectorySync.Flush(missing),
                Throws.InstanceOf<DirectoryNotFoundException>().With.Message.Contains(missing));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
