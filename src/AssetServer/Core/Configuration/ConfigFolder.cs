namespace AssetServer.Configuration;

/// <summary>
/// Finds the folder holding <c>appsettings.json</c> and <c>presets.json</c> (the repository root),
/// so the server reads the same files whether it is started with <c>dotnet run --project</c>,
/// from its bin folder or by the test host. <c>ASSETSERVER_CONFIG_DIR</c> overrides the search.
/// </summary>
public static class ConfigFolder
{
    public static string Locate()
    {
        var explicitDir = Environment.GetEnvironmentVariable("ASSETSERVER_CONFIG_DIR");
        if (!string.IsNullOrWhiteSpace(explicitDir)) return Path.GetFullPath(explicitDir);

        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "appsettings.json")) &&
                    File.Exists(Path.Combine(dir.FullName, "presets.json")))
                    return dir.FullName;
            }
        }
        return Directory.GetCurrentDirectory();
    }
}
