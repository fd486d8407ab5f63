namespace AssetServer.Tests.Metadata;

/// <summary>
/// Committed test files in <c>tests/AssetServer.Tests/Fixtures</c>, found by walking up from the test output folder
/// so the project file needs no copy rule.
/// </summary>
public static class Fixtures
{
    private const string Folder = "tests/AssetServer.Tests/Fixtures";

    private static readonly Lazy<string> Root = new(FindRoot);

    /// <summary>The full path of fixture <paramref name="name"/> (<c>photo_exif.jpg</c>).</summary>
    public static string Path(string name)
    {
        var path = System.IO.Path.Combine(Root.Value, name);
        return File.Exists(path) ? path : throw new FileNotFoundException($"Fixture {name} is not in {Root.Value}.", path);
    }

    private static string FindRoot()
    {
        for (var folder = new DirectoryInfo(TestContext.CurrentContext.TestDirectory); folder is not null; folder = folder.Parent)
        {
            var candidate = System.IO.Path.Combine(folder.FullName, Folder);
            if (System.IO.Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException($"No {Folder} above {TestContext.CurrentContext.TestDirectory}.");
    }
}
